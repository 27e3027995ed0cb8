"""What a durable-execution wait sees: its statuses, its error, its history events, its state."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any, Final, final

from pydantic import model_validator

from waitkit._core import State, bounded
from waitkit.aws._shapes import AWS_RESPONSE, AwsShape

RUNNING: Final = "RUNNING"
SUCCEEDED: Final = "SUCCEEDED"
FAILURE: Final = frozenset({"FAILED", "TIMED_OUT", "STOPPED"})
# History events shown in a failure's message (all of history_tail stay on the state).
_SHOWN_EVENTS: Final = 5


@final
class ExecutionErrorDetails(AwsShape):
    """The ``Error`` of a failed, timed-out or stopped execution (data, not an exception)."""

    error_message: str | None = None
    error_type: str | None = None
    error_data: str | None = None
    stack_trace: tuple[str, ...] = ()


@final
class ExecutionEvent(AwsShape):
    """One event of ``GetDurableExecutionHistory``; ``details`` is its ``<EventType>Details``."""

    event_type: str
    event_id: int | None = None
    name: str | None = None
    sub_type: str | None = None
    event_timestamp: datetime | None = None
    details: dict[str, Any] | None = None

    def summary(self) -> str:
        """``StepFailed charge-card: CardDeclined: declined``: type, name, and any error."""
        text = " ".join(part for part in (self.event_type, self.name) if part)
        payload = (self.details or {}).get("Error")
        if isinstance(payload, Mapping):
            error = payload.get("Payload", payload)
            if isinstance(error, Mapping):
                words = [str(error[k]) for k in ("ErrorType", "ErrorMessage") if error.get(k)]
                if words:
                    text += f": {bounded(': '.join(words), 200)}"
        return text

    @model_validator(mode="before")
    @classmethod
    def _details(cls, data: Any) -> Any:  # noqa: ANN401 - pydantic's raw input
        # AWS puts the details under a key named after the event type; keep whichever.
        if isinstance(data, Mapping) and "details" not in data:
            found = [value for key, value in data.items() if str(key).endswith("Details")]
            if found:
                return {**data, "details": found[0]}
        return data


@final
class DurableExecutionState(State):
    """One observation of a durable execution.

    ``result`` is set once it SUCCEEDED; ``error`` and ``history_tail`` (the last events,
    oldest first) once it FAILED, TIMED_OUT or was STOPPED. ``details_missing`` says
    what of those could not be fetched ("history unavailable: AccessDeniedException").
    """

    model_config = AWS_RESPONSE

    durable_execution_arn: str
    durable_execution_name: str
    function_arn: str
    status: str
    start_timestamp: datetime | None = None
    end_timestamp: datetime | None = None
    result: str | None = None
    error: ExecutionErrorDetails | None = None
    history_tail: tuple[ExecutionEvent, ...] = ()
    details_missing: tuple[str, ...] = ()

    def summary(self) -> str:
        """``FAILED: CardDeclined: declined``, or just the status."""
        if self.error is not None and (self.error.error_type or self.error.error_message):
            parts = [p for p in (self.error.error_type, self.error.error_message) if p]
            return f"{self.status}: {': '.join(parts)}"
        return self.status or "(empty status)"

    def failure_reason(self) -> str:
        """The summary (its error cut to 500 characters), then the last history events.

        Example:
            >>> state = DurableExecutionState(
            ...     durable_execution_arn="arn", durable_execution_name="order-42",
            ...     function_arn="fn", status="FAILED",
            ...     error=ExecutionErrorDetails(
            ...         error_type="CardDeclined", error_message="declined"
            ...     ),
            ...     history_tail=[ExecutionEvent(event_type="StepFailed", name="charge",
            ...         details={"Error": {"Payload": {"ErrorType": "CardDeclined"}}})],
            ... )
            >>> print(state.failure_reason())
            FAILED: CardDeclined: declined
              last history events:
                StepFailed charge: CardDeclined
        """
        lines = [bounded(self.summary())]
        if self.history_tail:
            shown = self.history_tail[-_SHOWN_EVENTS:]
            earlier = len(self.history_tail) - len(shown)
            lines.append(f"  last history events{f' ({earlier} earlier)' if earlier else ''}:")
            lines += [f"    {event.summary()}" for event in shown]
        lines += [f"  ({missing})" for missing in self.details_missing]
        return "\n".join(lines)
