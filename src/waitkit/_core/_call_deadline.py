"""The call deadline of one wait: ``Policy.call_timeout`` kept on the wait's cancel scope.

A wait runs its observations in one cancel scope (cheaper than a scope per call); this
object sets that scope's deadline so that each call ends by ``call_timeout`` after it
started, and never after the wait's own deadline.

The deadline is armed lazily: a call runs under the deadline an earlier call armed
unless fewer than ``rearm_slack`` (a tenth of the call timeout) seconds of it are left.
Re-arming for every call cost CPU, and re-arming often cost worse: asyncio keeps each
replaced timer in its heap until it falls due, and at 10,000 waits those timers were
most of the garbage collector's work (benchmarks/loop_lag.py). So:

- a call the armed deadline cuts before it had its full ``call_timeout`` is not at
  fault (:meth:`CallDeadline.cut_short`): it is made again at once, bounded by what was
  left of its ``call_timeout``, so no call ever runs past start + ``call_timeout``;
- before a sleep the deadline is lifted if it could fire during (or right after) it
  (:meth:`CallDeadline.disarm_before`), so a sleep is never cut.

An observation that budgets its own time (a long-poll, an explaining call) reads the
deadline it must end by with :func:`current_call_deadline`: on asyncio the engine's
scope is not anyio's (``_asyncio_native/_scope.py``), so
``anyio.current_effective_deadline()`` alone does not see it.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Final, final

import anyio

from waitkit._core._asyncio_native import native_deadline
from waitkit._core._runtime import current_runtime

if TYPE_CHECKING:
    from collections.abc import Callable

# Loop clocks are floats; after sleeping "exactly the rest" the clock may read a hair
# before a deadline. Closer than this counts as "at the deadline".
DEADLINE_SLACK: Final = 1e-6


def current_call_deadline() -> float:
    """When the look in flight must end: the engine's call deadline, or an enclosing scope's.

    The earlier of the deadline the engine armed for the running wait's call (its
    ``Policy.call_timeout``, capped at the wait's deadline) and
    ``anyio.current_effective_deadline()``; ``math.inf`` when neither bounds it. For an
    observation that budgets its own time: a long-poll that must answer before it is cut,
    an explaining call that must leave time for the verdict.

    Example:
        >>> import anyio
        >>> from waitkit.extend import current_call_deadline
        >>> # left = current_call_deadline() - anyio.current_time()
    """
    outer = anyio.current_effective_deadline()
    if not current_runtime().asyncio:
        return outer  # the engine's scope is anyio's: the effective deadline includes it
    return min(outer, native_deadline())


@final
class CallDeadline:
    """Arms, lifts and judges the call deadline on one wait's cancel scope.

    Args:
        call_timeout: the policy's ``call_timeout`` (``None``: calls are bounded by the
            wait's deadline only).
        wait_deadline: the wait's deadline on the loop clock (``None``: unbounded).
        now: the loop clock.
    """

    __slots__ = (
        "_armed",
        "_call_timeout",
        "_now",
        "_rearm_slack",
        "_remake_from",
        "_scope",
        "_wait_deadline",
        "started",
    )

    def __init__(
        self,
        call_timeout: float | None,
        wait_deadline: float | None,
        now: Callable[[], float],
    ) -> None:
        self._call_timeout = call_timeout
        self._wait_deadline = wait_deadline
        self._now = now
        self._rearm_slack = 0.1 * (call_timeout or 0.0)
        self._armed = -math.inf
        self._remake_from: float | None = None
        self._scope: anyio.CancelScope | None = None
        #: When the call in flight began (``None`` between calls).
        self.started: float | None = None

    def use(self, scope: anyio.CancelScope | None) -> None:
        """Keep the call deadline on ``scope`` (a new scope has none armed); ``None``: none."""
        self._scope = scope
        self._armed = -math.inf

    def arm(self) -> None:
        """Note a call's start; arm a fresh deadline unless enough of the last one is left.

        The armed deadline is never later than the wait's: a call still running then is
        cut, and the wait times out.
        """
        timeout, scope = self._call_timeout, self._scope
        if scope is None:
            return
        if self._remake_from is not None:
            # Remaking a call our own deadline cut short: it keeps its first start.
            started, self._remake_from = self._remake_from, None
            self.started = started
            if timeout is not None:
                self._armed = scope.deadline = self._cap(started + timeout)
            return
        now = self.started = self._now()
        if timeout is None:
            if self._wait_deadline is not None and self._armed != self._wait_deadline:
                self._armed = scope.deadline = self._wait_deadline
        elif self._armed - now < self._rearm_slack:
            self._armed = scope.deadline = self._cap(now + timeout)

    def ended(self) -> float | None:
        """The call in flight ended (answered or raised): when it had started."""
        started, self.started = self.started, None
        return started

    def disarm_before(self, delay: float) -> None:
        """Lift the call deadline if it could fire during (or right after) a sleep of ``delay``."""
        if self._scope is None or self._armed == -math.inf:
            return
        if self._now() + delay >= self._armed - self._rearm_slack:
            self._scope.deadline = math.inf
            self._armed = -math.inf

    def cut_short(self) -> bool:
        """Whether the deadline that just fired came before the call had its call_timeout.

        If so, the next :meth:`arm` remakes the call within what is left of its timeout.
        """
        started = self.ended()
        if started is None or self._call_timeout is None:
            return True  # fired between calls (a late wake-up): nobody's fault
        if self._now() - started >= self._call_timeout - DEADLINE_SLACK:
            return False
        self._remake_from = started
        return True

    def _cap(self, call_deadline: float) -> float:
        """A call's deadline, no later than the wait's."""
        deadline = self._wait_deadline
        return call_deadline if deadline is None or call_deadline < deadline else deadline
