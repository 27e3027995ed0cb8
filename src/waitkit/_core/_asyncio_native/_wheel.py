"""Deadlines kept off the loop's timer heap until they are near (for NativeCancelScope)."""

from __future__ import annotations

import asyncio
import math
import weakref
from typing import TYPE_CHECKING, Final, final

from waitkit._core._asyncio_native._context import NO_CONTEXT

if TYPE_CHECKING:
    from waitkit._core._asyncio_native._scope import NativeCancelScope

#: The width of one grain of the deadline wheel, seconds: a deadline that falls due
#: gets its own loop timer at most this long before.
_GRAIN: Final = 1.0


@final
class DeadlineWheel:
    """Deadlines kept off the loop's timer heap until they are near: one timer per grain.

    A poll loop's call deadline is armed seconds ahead (``Policy.call_timeout``) and is
    almost always lifted before it falls due. As a loop timer each one is a handle in
    the loop's heap (whose entries compare in Python) and a cancelled handle left there
    until it falls due: at 10,000 waits, arming it once per wait cost a seventh of
    the engine's CPU (benchmarks/scaling.py). Here a deadline waits in the set of its
    grain (``_GRAIN`` seconds of the clock); one loop timer per grain, set at the
    grain's start, gives the scopes still there their own timer at their exact
    deadline. Moving or lifting a deadline meanwhile is a set operation.
    """

    # No reference to its loop: the loop owns the wheel (``_WHEELS`` is keyed weakly by
    # the loop, and a value holding its key would keep every loop alive).
    __slots__ = ("_grains",)

    def __init__(self) -> None:
        self._grains: dict[int, set[NativeCancelScope]] = {}

    def place(self, scope: NativeCancelScope, loop: asyncio.AbstractEventLoop) -> None:
        """Put ``scope`` where its deadline waits on ``loop`` (after it was moved or set)."""
        slot = scope.wheel_slot
        if slot is not None:
            slot.discard(scope)
            scope.wheel_slot = None
        deadline = scope.deadline
        if deadline == math.inf:
            return
        grain = math.floor(deadline / _GRAIN)
        if grain * _GRAIN <= loop.time():  # near already: its own timer now
            scope.arm_timer()
            return
        slot = self._grains.get(grain)
        if slot is None:
            slot = self._grains[grain] = set()
            loop.call_at(grain * _GRAIN, self._open, grain, context=NO_CONTEXT)
        slot.add(scope)
        scope.wheel_slot = slot

    def _open(self, grain: int) -> None:
        for scope in self._grains.pop(grain, ()):
            scope.wheel_slot = None
            scope.arm_timer()


_WHEELS: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, DeadlineWheel] = (
    weakref.WeakKeyDictionary()
)


def wheel_of(loop: asyncio.AbstractEventLoop) -> DeadlineWheel:
    """The wheel of ``loop`` (one per loop, dropped with it)."""
    wheel = _WHEELS.get(loop)
    if wheel is None:
        wheel = _WHEELS[loop] = DeadlineWheel()
    return wheel
