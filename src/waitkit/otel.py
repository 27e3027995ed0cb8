"""OpenTelemetry tracing for waits: one span per wait, an event per state change.

Install the extra (``pip install 'waitkit[otel]'``, which brings ``opentelemetry-api``)
and register the hooks once, next to your tracing set-up::

    import waitkit
    from waitkit.otel import OpenTelemetryHooks

    waitkit.set_hooks([OpenTelemetryHooks()])

Each wait is then a span named ``waitkit.wait <waiter kind>``, a child of the span
current where the wait started, with these attributes:

=========================  =================================================
``waitkit.waiter``         the waiter's kind (``instance_refresh``, ...)
``waitkit.resource``       the resource's id (at the end of the wait)
``waitkit.timeout``        the timeout in seconds (absent: no bound)
``waitkit.attempts``       observations made
``waitkit.outcome``        ``succeeded``, ``failed``, ``timed_out``, ``cancelled``
``waitkit.elapsed``        seconds on the event loop's clock
``waitkit.state``          the last state's summary
``waitkit.reason``         why it failed (failures only)
=========================  =================================================

Each new state is a span event ``waitkit.state_changed`` (``waitkit.state``,
``waitkit.previous``, ``waitkit.attempts``, ``waitkit.elapsed``), and each retried
error an event ``waitkit.retrying`` (``waitkit.error_kind``, ``waitkit.error``). A
failed or timed-out wait sets the span's status to ERROR; a cancelled one leaves it
unset. Without a configured ``TracerProvider`` OpenTelemetry's API does nothing, and
neither does this.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Final, final

from opentelemetry import trace

from waitkit._core import WaitHooks

if TYPE_CHECKING:
    from waitkit._core import Retrying, StateChanged, WaitFinished, WaitStarted

__all__ = ("OpenTelemetryHooks",)

_SCOPE: Final = "waitkit"
_ERRORS: Final = frozenset({"failed", "timed_out"})


@final
class OpenTelemetryHooks(WaitHooks):
    """Hooks that trace each wait as an OpenTelemetry span.

    Args:
        tracer_provider: where spans go (default: the global one, set with
            ``opentelemetry.trace.set_tracer_provider``).

    Example:
        >>> import waitkit
        >>> from waitkit.otel import OpenTelemetryHooks
        >>> waitkit.set_hooks([OpenTelemetryHooks()])
        >>> waitkit.set_hooks([])  # and off again
    """

    def __init__(self, tracer_provider: trace.TracerProvider | None = None) -> None:
        self._tracer = trace.get_tracer(_SCOPE, tracer_provider=tracer_provider)

    def on_start(self, wait: WaitStarted) -> WaitHooks:
        """Start the wait's span; the returned object follows the wait to its end."""
        attributes: dict[str, str | float] = {
            "waitkit.waiter": wait.waiter,
            "waitkit.resource": wait.resource,
        }
        if wait.timeout is not None:
            attributes["waitkit.timeout"] = wait.timeout
        span = self._tracer.start_span(f"waitkit.wait {wait.waiter}", attributes=attributes)
        return _SpanHooks(span)


@final
class _SpanHooks(WaitHooks):
    """One wait's span: events while it runs, attributes and status at its end."""

    def __init__(self, span: trace.Span) -> None:
        self._span = span

    def on_state_change(self, wait: WaitStarted, change: StateChanged) -> None:
        del wait  # the span carries it
        attributes: dict[str, str | float] = {
            "waitkit.state": change.summary,
            "waitkit.attempts": change.attempts,
            "waitkit.elapsed": round(change.elapsed, 3),
        }
        if change.previous is not None:
            attributes["waitkit.previous"] = change.previous
        self._span.add_event("waitkit.state_changed", attributes)

    def on_retry(self, wait: WaitStarted, retry: Retrying) -> None:
        del wait
        self._span.add_event(
            "waitkit.retrying",
            {
                "waitkit.error_kind": retry.kind.value,
                "waitkit.error": type(retry.error).__name__,
                "waitkit.attempts": retry.attempts,
            },
        )

    def on_finish(self, wait: WaitStarted, finish: WaitFinished) -> None:
        del wait
        span = self._span
        span.set_attribute("waitkit.resource", finish.resource)
        span.set_attribute("waitkit.attempts", finish.attempts)
        span.set_attribute("waitkit.outcome", finish.outcome)
        span.set_attribute("waitkit.elapsed", round(finish.elapsed, 3))
        if finish.summary is not None:
            span.set_attribute("waitkit.state", finish.summary)
        if finish.reason is not None:
            span.set_attribute("waitkit.reason", finish.reason)
        if finish.outcome in _ERRORS:
            span.set_status(trace.StatusCode.ERROR, finish.reason or finish.outcome)
        span.end()
