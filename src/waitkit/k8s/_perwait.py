"""Per-wait state of a waiter, kept in a context variable so the waiter itself stays stateless.

The engine enters a waiter's ``session()`` and calls its ``observe()`` in the same task,
so a value set on entering the session is what ``observe()`` sees, and two concurrent
waits of one waiter object (two tasks, two contexts) never see each other's.
"""

from __future__ import annotations

import contextlib
from contextvars import ContextVar
from typing import TYPE_CHECKING, Final, Generic, TypeVar

import anyio

if TYPE_CHECKING:
    from collections.abc import AsyncIterator, Callable

T = TypeVar("T")

_CLOSE_TIMEOUT: Final = 5.0


class WaitScope:
    """Base of a wait's state.

    It holds an exit stack for what the wait opened lazily (subscriptions), and the
    wait's deadline on the loop clock (``None``: unbounded).
    """

    def __init__(self) -> None:
        self.stack = contextlib.AsyncExitStack()
        self.deadline: float | None = None


ScopeT = TypeVar("ScopeT", bound=WaitScope)


class PerWait(Generic[ScopeT]):
    """Maps a waiter to its current wait's state, per task."""

    def __init__(self, name: str, factory: Callable[[], ScopeT]) -> None:
        self._var: ContextVar[dict[int, ScopeT]] = ContextVar(name)
        self._deadlines: ContextVar[dict[int, float | None]] = ContextVar(f"{name}_deadline")
        self._factory = factory

    def note_deadline(self, owner: object, deadline: float | None) -> None:
        """Remember the deadline ``owner.for_wait()`` got for the run (same task as the run)."""
        self._deadlines.set({**self._deadlines.get({}), id(owner): deadline})

    @contextlib.asynccontextmanager
    async def enter(self, owner: object) -> AsyncIterator[ScopeT]:
        """A fresh state for ``owner``'s wait; what it opened is closed on exit (shielded)."""
        scope = self._factory()
        scope.deadline = self._deadlines.get({}).get(id(owner))
        self._var.set({**self._var.get({}), id(owner): scope})
        try:
            yield scope
        finally:
            with anyio.move_on_after(_CLOSE_TIMEOUT, shield=True):
                await scope.stack.aclose()
            remaining = dict(self._var.get({}))
            if remaining.get(id(owner)) is scope:
                del remaining[id(owner)]
            self._var.set(remaining)

    def get(self, owner: object) -> ScopeT:
        """The state of ``owner``'s current wait."""
        try:
            return self._var.get({})[id(owner)]
        except KeyError:
            msg = "observe() runs only inside wait() or states() (it needs the waiter's session)"
            raise RuntimeError(msg) from None


def long_poll(limit: float, deadline: float | None) -> float:
    """How long one observation may wait for news.

    At most ``limit``, at most half the time the engine's per-call timeout leaves (so a
    long-poll never counts as a hung call), and never past the wait's deadline (so the
    final observation there does not overshoot it).
    """
    now = anyio.current_time()
    left = (anyio.current_effective_deadline() - now) / 2
    if deadline is not None:
        left = min(left, deadline - now)
    return max(0.0, min(limit, left))
