"""What a finished wait returns, and the bounded history of the states it saw."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Generic, TypeVar, final

T = TypeVar("T")


@final
@dataclass(frozen=True, slots=True)
class HistoryEntry(Generic[T]):
    """One distinct state, and when it was first seen.

    Returned by waitkit; do not instantiate.
    """

    #: The event loop's clock (``anyio.current_time()``) when the state was first seen.
    at: float
    #: Seconds since the wait started.
    elapsed: float
    #: The state.
    state: T


@final
@dataclass(frozen=True, slots=True)
class WaitResult(Generic[T]):
    """A successful wait.

    Returned by :meth:`Waiter.wait <waitkit.Waiter.wait>`; do not instantiate.
    """

    #: The last state: the one the waiter judged a success.
    state: T
    #: The distinct states seen, oldest first (bounded by ``Policy.history_limit``).
    history: tuple[HistoryEntry[T], ...]
    #: Observations attempted, successful or not.
    attempts: int
    #: Seconds on the event loop's clock from start to success.
    elapsed: float
