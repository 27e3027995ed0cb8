"""What the CLI knows about one awaited resource while it runs, and how it ended."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from waitkit._cli._errors import describe, exit_code_for
from waitkit._cli._exit import ExitCode
from waitkit._core import (
    ConfigurationError,
    ProbeError,
    ResourceNotFoundError,
    UnexpectedStateError,
    WaitFailedError,
    WaitTimeoutError,
    safe,
)

if TYPE_CHECKING:
    from waitkit._cli._types import Progress, Renderer
    from waitkit._core import Waiter


class Ending(StrEnum):
    """How one resource's wait ended in the command (``outcome`` in its JSON result object).

    Not :class:`waitkit.Outcome`, which is one finished wait of ``as_completed``.
    """

    SUCCEEDED = "succeeded"
    FAILED = "failed"
    NOT_FOUND = "not_found"
    UNEXPECTED_STATE = "unexpected_state"
    TIMED_OUT = "timed_out"
    CONFIGURATION_ERROR = "configuration_error"
    ERROR = "error"
    CANCELLED = "cancelled"


#: How the outcome reads in a sentence.
PHRASES = {
    Ending.SUCCEEDED: "succeeded",
    Ending.FAILED: "failed",
    Ending.NOT_FOUND: "not found",
    Ending.UNEXPECTED_STATE: "unexpected state",
    Ending.TIMED_OUT: "timed out",
    Ending.CONFIGURATION_ERROR: "configuration error",
    Ending.ERROR: "error",
    Ending.CANCELLED: "cancelled",
}


def _outcome_of(error: Exception) -> Ending:
    kinds: tuple[tuple[type[Exception], Ending], ...] = (
        (WaitTimeoutError, Ending.TIMED_OUT),
        (WaitFailedError, Ending.FAILED),
        (ResourceNotFoundError, Ending.NOT_FOUND),
        (UnexpectedStateError, Ending.UNEXPECTED_STATE),
        (ConfigurationError, Ending.CONFIGURATION_ERROR),
        (ProbeError, Ending.ERROR),
    )
    for kind, outcome in kinds:
        if isinstance(error, kind):
            return outcome
    return Ending.ERROR


@dataclass(eq=False, slots=True)
class Track:
    """One resource: its latest state while it runs, its outcome once it ended.

    Times are ``time.monotonic()`` seconds: they are for display (a live view refreshes
    outside the event loop's clock), never for deadlines.
    """

    label: str
    waiter: Waiter[Any]
    progress_of: Progress
    render: Renderer
    started: float = field(default_factory=time.monotonic)
    state: Any = None
    changes: int = 0
    changed_at: float | None = None
    outcome: Ending | None = None
    exit_code: ExitCode | None = None
    message: str = ""
    error: Exception | None = None
    ended_at: float | None = None

    # ------------------------------------------------------------ while running
    def observed(self, state: object) -> None:
        """A new distinct state."""
        self.state = state
        self.changes += 1
        self.changed_at = time.monotonic()

    @property
    def summary(self) -> str:
        """The waiter's one-line summary of the latest state (empty before the first)."""
        return "" if self.state is None else safe(self.waiter.summarize(self.state))

    @property
    def status(self) -> str:
        """The latest state's ``status`` field, else its summary."""
        status = getattr(self.state, "status", None)
        if status is None:
            return self.summary
        return safe(str(getattr(status, "value", status)))

    @property
    def progress(self) -> float | None:
        """Percent complete, when the state has one."""
        return None if self.state is None else self.progress_of(self.state)

    def elapsed(self, now: float | None = None) -> float:
        """Seconds since the wait started (until it ended)."""
        end = self.ended_at if self.ended_at is not None else (now or time.monotonic())
        return end - self.started

    # ------------------------------------------------------------ the end
    def succeeded(self) -> None:
        """The waiter judged the latest state a success."""
        self.end(Ending.SUCCEEDED, ExitCode.SUCCESS, self.summary)

    def failed(self, error: Exception) -> None:
        """The wait raised ``error``."""
        self.error = error
        state = getattr(error, "state", None)
        if state is not None and self.state is None:
            self.state = state
        outcome = _outcome_of(error)
        if isinstance(error, WaitFailedError):
            # The final line is one line: a reason's further lines (a Job's log tail) are
            # the subcommand renderer's to show, and are in the state for --json.
            message = safe(error.reason.partition("\n")[0])
        elif isinstance(error, WaitTimeoutError):
            message = f"last state: {self.summary or 'none observed'}"
        else:
            message = describe(error)
        self.end(outcome, exit_code_for(error), message)

    def cancelled(self) -> None:
        """The wait was cancelled (Ctrl-C)."""
        self.end(Ending.CANCELLED, ExitCode.INTERRUPTED, "cancelled")

    def end(self, outcome: Ending, code: ExitCode, message: str) -> None:
        """Record how the wait ended (the reporters of rows decide it themselves)."""
        self.outcome = outcome
        self.exit_code = code
        self.message = message
        self.ended_at = time.monotonic()

    def result_line(self) -> str:
        """``web: succeeded after 3.2s: Successful``: the resource's final line."""
        outcome = self.outcome or Ending.CANCELLED
        text = f"{self.label}: {PHRASES[outcome]} after {self.elapsed():.1f}s"
        return f"{text}: {self.message}" if self.message else text

    def extra_lines(self) -> list[str]:
        """The subcommand's renderer's lines for the final state, made safe."""
        return [safe(line) for line in self.render(self.state)] if self.state is not None else []
