"""The per-wait target of a Kubernetes waiter, and the bound of one long-poll.

A waiter is shared by its waits (``wait_all`` may await one waiter object twice), so
what one wait opens and learns (its stream subscriptions, its cursor on a watch, the
pod causes it saw) lives in the object ``Waiter.for_wait(deadline)`` returns, one per
wait, as the Logs Insights waiter keeps its query id. The engine drives that object;
what the waiter itself knows (its kind, what it awaits, how it judges a state) is
asked of the waiter.
"""

from __future__ import annotations

import contextlib
from typing import TYPE_CHECKING, Any, Final, TypeVar

import anyio

from waitkit._core import PerWait, current_call_deadline

if TYPE_CHECKING:
    from collections.abc import AsyncIterator

    from waitkit._core import Waiter

StateT = TypeVar("StateT")
WaiterT = TypeVar("WaiterT", bound="Waiter[Any]")

# The longest the close of a wait's subscriptions may take (it is shielded from cancellation).
_CLOSE_TIMEOUT: Final = 5.0


class WaitTarget(PerWait[WaiterT, StateT]):
    """One wait of a Kubernetes waiter: its deadline and what it opened, closed at its end.

    The engine's :class:`~waitkit.extend.PerWait` with what every Kubernetes wait
    shares: the deadline that bounds each long-poll, and an exit stack for the
    subscriptions and streams it opens lazily. Subclasses add the wait's state and
    ``observe()``; the rest is the waiter's.
    """

    def __init__(self, waiter: WaiterT, deadline: float | None) -> None:
        super().__init__(waiter)
        self.deadline = deadline
        """The wait's deadline on the loop clock (``None``: unbounded)."""
        self.stack = contextlib.AsyncExitStack()
        """What the wait opens lazily (subscriptions); closed on the session's exit."""

    @property
    def long_polls(self) -> bool:
        """``observe()`` long-polls a watch: after a poll without news, look again at once."""
        return True

    @contextlib.asynccontextmanager
    async def session(self) -> AsyncIterator[object]:
        """The wait; on exit (cancellation included) what it opened is closed, shielded."""
        try:
            yield self
        finally:
            with anyio.move_on_after(_CLOSE_TIMEOUT, shield=True):
                await self.stack.aclose()

    def long_poll(self, limit: float) -> float:
        """How long one observation of this wait may wait for news (see :func:`long_poll`)."""
        return long_poll(limit, self.deadline)


def long_poll(limit: float, deadline: float | None) -> float:
    """How long one observation may wait for news.

    At most ``limit``, at most half the time the engine's per-call timeout leaves (so a
    long-poll never counts as a hung call), and never past the wait's deadline (so the
    final observation there does not overshoot it).
    """
    now = anyio.current_time()
    left = (current_call_deadline() - now) / 2
    if deadline is not None:
        left = min(left, deadline - now)
    return max(0.0, min(limit, left))
