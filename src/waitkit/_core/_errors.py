"""The exception tree. Every error a wait can end with is one of these.

::

    WaitkitError
    ├── WaitError               wait ended without success: .state .history .elapsed .attempts
    │   ├── WaitTimeoutError    also a builtin TimeoutError
    │   ├── WaitFailedError     the resource reached a failure state (.reason)
    │   ├── ResourceNotFoundError
    │   └── UnexpectedStateError  a status the waiter does not know, under a strict policy
    ├── ProbeError              the observation itself failed and retrying will not help;
    │                           __cause__ is the provider's exception
    └── ConfigurationError      bad arguments (also a ValueError)

Provider exceptions are translated once, at the provider boundary, with
``raise ... from exc``. ``str(error)`` reads like an assertion message: what was
awaited, for how long, and the last few distinct states.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, TypedDict, Unpack

if TYPE_CHECKING:
    from collections.abc import Sequence

    from waitkit._core._result import HistoryEntry


class WaitContext(TypedDict):
    """What a wait saw, attached to the exception that ended it."""

    waiter: str
    state: object
    history: Sequence[HistoryEntry[Any]]
    elapsed: float
    attempts: int


class WaitkitError(Exception):
    """Base class of every exception waitkit raises."""


class ConfigurationError(WaitkitError, ValueError):
    """An argument is invalid; raised before any observation is made.

    The message names the argument and the allowed range.
    """


class _WaitContextError(WaitkitError):
    """A failure that happened during a wait, carrying what the wait saw."""

    def __init__(
        self,
        message: str,
        *,
        waiter: str,
        state: object = None,
        history: Sequence[HistoryEntry[Any]] = (),
        elapsed: float = 0.0,
        attempts: int = 0,
    ) -> None:
        super().__init__(message)
        #: What was awaited, e.g. ``"instance refresh web-asg/0f1e..."``.
        self.waiter = waiter
        #: The last state observed, or ``None`` when nothing was observed.
        self.state = state
        #: The distinct states seen, oldest first (bounded by the policy's ``history_limit``).
        self.history = tuple(history)
        #: Seconds on the event loop's clock from the start of the wait.
        self.elapsed = elapsed
        #: Observations attempted, successful or not.
        self.attempts = attempts

    def __reduce__(self) -> tuple[Any, ...]:
        # Keyword-only context does not survive the default BaseException pickling.
        return (_rebuild, (type(self), self.args, self.__dict__))


def _rebuild(
    cls: type[_WaitContextError], args: tuple[Any, ...], state: dict[str, Any]
) -> _WaitContextError:
    error = cls.__new__(cls)
    error.args = args
    error.__dict__.update(state)
    return error


class WaitError(_WaitContextError):
    """The wait ended without success."""


class WaitTimeoutError(WaitError, TimeoutError):
    """The deadline passed before the resource reached a terminal state."""


class WaitFailedError(WaitError):
    """The resource reached a failure state."""

    def __init__(self, message: str, *, reason: str, **context: Unpack[WaitContext]) -> None:
        super().__init__(message, **context)
        #: Why the resource failed, in the service's words where it gave any.
        self.reason = reason


class ResourceNotFoundError(WaitError):
    """The resource does not exist (or no longer exists)."""


class UnexpectedStateError(WaitError):
    """The resource reported a status the waiter does not know, and the policy is strict."""


class ProbeError(_WaitContextError):
    """Observing the resource failed in a way retrying will not fix.

    ``__cause__`` is the provider's original exception.
    """
