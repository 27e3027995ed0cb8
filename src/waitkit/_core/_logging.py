"""The events of a wait: one per *change*, never one per poll; silent unless asked.

Events: ``wait.started``, ``wait.state_changed``, ``wait.retrying``, ``wait.succeeded``,
``wait.failed``, ``wait.timed_out``, ``wait.cancelled`` (and the Logs Insights waiter's
``query.*``). Each carries ``waiter`` (the waiter's kind) and ``resource`` (its id),
and only flat, JSON-able values.

Where an event goes is decided when it is emitted, as a library should:

- the application configured structlog (``structlog.configure``): through its
  pipeline, on the structlog logger ``"waitkit"``;
- otherwise: to the standard library's logger ``"waitkit"``, as a record whose message
  is the event and its fields (``wait.started waiter=... resource=...``) and whose
  attributes are the fields themselves (``record.event``, ``record.resource``, ...),
  so ``logging.basicConfig``, JSON formatters and pytest's ``caplog`` see them. That
  logger has a ``NullHandler``: an application that configured no logging sees
  nothing (not even warnings through ``logging.lastResort``).

structlog's own default (printing every event to stdout) is never used: an
unconfigured structlog is not a request for output.
"""

from __future__ import annotations

import logging
from typing import Final, final

import structlog

_NAME: Final = "waitkit"
#: The levels of waitkit's events, for :meth:`EventLogger.enabled`.
INFO: Final = logging.INFO
WARNING: Final = logging.WARNING
_stdlib: Final = logging.getLogger(_NAME)
_stdlib.addHandler(logging.NullHandler())
_structlog: Final = structlog.get_logger(_NAME)

# LogRecord's own attributes: a field of the same name goes in as `waitkit_<name>`
# (`logging` refuses to overwrite them).
_RESERVED: Final = frozenset(
    {*logging.LogRecord("", 0, "", 0, "", None, None).__dict__, "message", "asctime"}
)


@final
class EventLogger:
    """Emits waitkit's events to structlog (if configured) or the stdlib logger ``waitkit``."""

    __slots__ = ()

    def enabled(self, level: int) -> bool:
        """Whether an event at ``level`` would go anywhere.

        Asked before an event's fields are built: at 10,000 waits, summarising states
        and naming resources for events a filtering logger then dropped was a tenth of
        the engine's CPU. structlog's loggers that know their level say so
        (``is_enabled_for``); any other configured structlog logger gets every event.
        """
        if structlog.is_configured():
            bound = _structlog.bind()
            # Looked up on the class: structlog's generic BoundLogger answers every
            # attribute with a logging method.
            is_enabled_for = getattr(type(bound), "is_enabled_for", None)
            return is_enabled_for is None or bool(is_enabled_for(bound, level))
        return _stdlib.isEnabledFor(level)

    def info(self, event: str, **fields: object) -> None:
        """Emit ``event`` at INFO."""
        if structlog.is_configured():
            _structlog.info(event, **fields)
        elif _stdlib.isEnabledFor(logging.INFO):  # else the quiet case: nothing more is done
            _to_stdlib(logging.INFO, event, fields)

    def warning(self, event: str, **fields: object) -> None:
        """Emit ``event`` at WARNING."""
        if structlog.is_configured():
            _structlog.warning(event, **fields)
        elif _stdlib.isEnabledFor(logging.WARNING):
            _to_stdlib(logging.WARNING, event, fields)


def _to_stdlib(level: int, event: str, fields: dict[str, object]) -> None:
    extra: dict[str, object] = {"event": event}
    for key, value in fields.items():
        extra[f"waitkit_{key}" if key in _RESERVED else key] = value
    # stacklevel 3: the record names the line that emitted the event, not these helpers.
    _stdlib.log(level, _Rendered(event, fields), extra=extra, stacklevel=3)


@final
class _Rendered:
    """``event key=value ...``, rendered only if a handler formats the record."""

    __slots__ = ("event", "fields")

    def __init__(self, event: str, fields: dict[str, object]) -> None:
        self.event = event
        self.fields = fields

    def __str__(self) -> str:
        parts = [self.event]
        parts += [f"{key}={_value(value)}" for key, value in self.fields.items()]
        return " ".join(parts)

    __repr__ = __str__  # what logging shows of a record it failed to emit


def _value(value: object) -> str:
    if isinstance(value, str) and value and not any(c.isspace() or c in "'\"=" for c in value):
        return value
    return repr(value)


logger: Final = EventLogger()


def elapsed_seconds(value: float) -> float:
    """Durations in events are rounded to the millisecond: exact enough, and easy to read."""
    return round(value, 3)
