"""Per-wait targets: the one place a wait's own state lives.

A waiter is shared by all its waits (``wait_all([w, w])``, a retry loop, a fixture), so
it keeps nothing of any one wait. A waiter that needs something per wait (the hub it
subscribed to, a query id, an ``Unknown`` timer, the wait's deadline) returns a fresh
:class:`PerWait` from :meth:`Waiter.for_wait <waitkit.Waiter.for_wait>`; the engine
drives that object instead of the waiter, and it is dropped when the wait ends.

A :class:`PerWait` answers everything but ``observe()`` (and, where it opens something,
``session()``) from its waiter, so a subclass holds only the wait's state and the steps
that use it. The waiter's own ``observe()`` is then :func:`one_look`: a fresh target's
session entered around a single observation.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from waitkit._core._engine import NO_SESSION

if TYPE_CHECKING:
    from contextlib import AbstractAsyncContextManager

    from waitkit._core._classify import Classification
    from waitkit._core._engine import Target
    from waitkit._core._verdict import Verdict
    from waitkit._core._waiter import Waiter

StateT = TypeVar("StateT")
WaiterT = TypeVar("WaiterT", bound="Waiter[Any]")


class PerWait(ABC, Generic[WaiterT, StateT]):
    """The target of one wait of ``waiter``: its state here, everything else the waiter's.

    Subclasses implement :meth:`observe` with the wait's state they hold, and override
    :meth:`session` when the wait opens something (a subscription, a query) that must be
    closed when it ends.

    Example:
        >>> import anyio
        >>> from waitkit import Policy, State, Verdict, Waiter
        >>> from waitkit.extend import PerWait, one_look
        >>> class Count(State):
        ...     n: int
        >>> class Counting(PerWait["CountTo", Count]):
        ...     def __init__(self, waiter):
        ...         super().__init__(waiter)
        ...         self.n = 0  # this wait's own count, never the waiter's
        ...     async def observe(self):
        ...         self.n += 1
        ...         return Count(n=self.n)
        >>> class CountTo(Waiter[Count]):
        ...     kind = "count"
        ...     def __init__(self, target):
        ...         super().__init__(policy=Policy(min_delay=0.01, max_delay=0.01))
        ...         self.target = target
        ...     def for_wait(self, deadline):
        ...         return Counting(self)
        ...     async def observe(self):
        ...         return await one_look(self.for_wait(None))
        ...     def verdict(self, state):
        ...         return Verdict.SUCCESS if state.n >= self.target else Verdict.PENDING
        >>> waiter = CountTo(3)
        >>> async def twice():
        ...     return [(await waiter.wait(timeout=5)).state.n for _ in range(2)]
        >>> anyio.run(twice)  # each wait counts from zero
        [3, 3]
    """

    def __init__(self, waiter: WaiterT) -> None:
        self.waiter = waiter

    @property
    def kind(self) -> str:
        """The waiter's kind."""
        return self.waiter.kind

    @property
    def resource_id(self) -> str:
        """The waiter's resource id."""
        return self.waiter.resource_id

    @property
    def long_polls(self) -> bool:
        """Whether the waiter long-polls."""
        return self.waiter.long_polls

    def describe(self) -> str:
        """The waiter's description."""
        return self.waiter.describe()

    def summarize(self, state: StateT) -> str:
        """The waiter's summary of ``state``."""
        return self.waiter.summarize(state)

    def classify_error(self, error: Exception) -> Classification:
        """The waiter's classification of ``error``."""
        return self.waiter.classify_error(error)

    def verdict(self, state: StateT) -> Verdict:
        """The waiter's verdict (override when the wait's own state changes it)."""
        return self.waiter.verdict(state)

    def session(self) -> AbstractAsyncContextManager[object]:
        """Nothing to open by default."""
        return NO_SESSION

    @abstractmethod
    async def observe(self) -> StateT:
        """One look, with this wait's state."""


async def one_look(target: Target[StateT]) -> StateT:
    """One observation through ``target`` inside its own session (a look outside any wait).

    What a waiter whose waits keep state answers for its own ``observe()``: a fresh
    target from ``for_wait(None)``, its session opened and closed around the look.

    Example:
        >>> # class MyWaiter(Waiter[MyState]):
        >>> #     async def observe(self) -> MyState:
        >>> #         return await one_look(self.for_wait(None))
    """
    async with target.session():
        return await target.observe()
