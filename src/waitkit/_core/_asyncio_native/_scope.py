"""The poll loop's deadline scope on asyncio, and the deadline it sets for the running task."""

from __future__ import annotations

import asyncio
import math
from typing import TYPE_CHECKING, Final, final

from anyio._backends._asyncio import _task_states

from waitkit._core._asyncio_native._context import NO_CONTEXT
from waitkit._core._asyncio_native._wheel import wheel_of

if TYPE_CHECKING:
    from types import TracebackType

    import anyio

    from waitkit._core._asyncio_native._wheel import DeadlineWheel


_CUT_MESSAGE: Final = "waitkit: the observation's deadline passed"
#: How often a deadline held back by a shielded anyio scope looks again, seconds.
_SHIELD_POLL: Final = 0.01


@final
class NativeCancelScope:
    """The poll loop's deadline scope on asyncio: cancels its task when ``deadline`` passes.

    What the engine asks of its scope (``anyio.CancelScope`` elsewhere): a ``deadline``
    it moves at will, which cancels the task at its current ``await`` once passed, and
    a ``with`` exit that swallows that cancellation and no other. anyio's scope costs
    about 11 us to enter, arm and leave, and ten objects per pending wait (its dict, two
    sets, a task state and its weak reference, bound methods, a context): at 10,000
    waits, a sixth of the engine's CPU and a third of what the collector walks.

    The rules anyio's scope keeps are kept here:

    - cancellation is level-triggered: delivered only to a task suspended on a future
      that has no result yet (an answer already in is never thrown away) and retried
      on the next turn of the loop until the task takes it;
    - an anyio scope entered inside this one with ``shield=True`` (a call that must not
      be abandoned, such as starting a Logs Insights query) holds the cancellation back
      until it is left (noticed within ``_SHIELD_POLL``);
    - the exit swallows a ``CancelledError`` only if this scope delivered it and no
      other cancellation of the task arrived meanwhile (``Task.cancelling()`` is back
      to its value at entry once this scope's are withdrawn with ``uncancel()``).
    """

    __slots__ = (
        "_base",
        "_cancelling",
        "_deadline",
        "_delivered",
        "_handle",
        "_outer",
        "_task",
        "_wheel",
        "wheel_slot",
    )

    def __init__(self) -> None:
        self._deadline = math.inf
        self._task: asyncio.Task[object] | None = None
        self._handle: asyncio.Handle | None = None
        self._delivered = 0  # cancellations this scope delivered to its task
        self._cancelling = 0  # the task's cancelling() at entry
        self._base: object = None  # the task's innermost anyio scope at entry
        self._outer: NativeCancelScope | None = None  # the task's innermost one at entry
        self._wheel: DeadlineWheel | None = None  # where the deadline waits until it is near
        #: The wheel's set this scope's deadline waits in (``None``: not on the wheel).
        self.wheel_slot: set[NativeCancelScope] | None = None

    @property
    def deadline(self) -> float:
        """When the task is cancelled (``math.inf``: never)."""
        return self._deadline

    @deadline.setter
    def deadline(self, value: float) -> None:
        self._deadline = value
        if self._task is not None:
            self._schedule()

    def __enter__(self) -> NativeCancelScope:
        task = asyncio.current_task()
        if task is None or self._task is not None:
            msg = "a NativeCancelScope is entered once, in a task"
            raise RuntimeError(msg)
        self._task = task
        self._cancelling = task.cancelling()
        self._base = _anyio_scope(task)
        self._outer = _INNERMOST.get(task)
        _INNERMOST[task] = self
        self._schedule()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> bool:
        del exc_type, tb
        task, self._task = self._task, None
        if task is None:
            return False
        self._leave(task)
        delivered, self._delivered = self._delivered, 0
        if not delivered:
            return False
        for _ in range(delivered):
            task.uncancel()
        if task.cancelling() > self._cancelling:
            return False  # someone else cancelled the task too: theirs goes on
        return _only_cancellations(exc)

    def _leave(self, task: asyncio.Task[object]) -> None:
        """Lift the deadline and make the task's enclosing scope its innermost again."""
        if self.wheel_slot is not None:
            self.wheel_slot.discard(self)
            self.wheel_slot = None
        if self._handle is not None:
            self._handle.cancel()
            self._handle = None
        outer, self._outer = self._outer, None
        if outer is None:
            del _INNERMOST[task]
        else:
            _INNERMOST[task] = outer

    def _schedule(self) -> None:
        """Follow a new deadline: on the wheel until it is near, then a loop timer."""
        if self._handle is not None:
            self._handle.cancel()
            self._handle = None
        if self._wheel is None and self._deadline == math.inf:
            return
        loop = asyncio.get_running_loop()
        if self._wheel is None:
            self._wheel = wheel_of(loop)
        self._wheel.place(self, loop)

    def arm_timer(self) -> None:
        """Set the loop timer that fires at the deadline (the wheel calls this near it)."""
        if self._task is not None and self._handle is None and self._deadline != math.inf:
            loop = asyncio.get_running_loop()
            self._handle = loop.call_at(self._deadline, self._fire, context=NO_CONTEXT)

    def _fire(self) -> None:
        self._handle = None
        task = self._task
        if task is None or task.done():
            return
        loop = asyncio.get_running_loop()
        waiter = task._fut_waiter  # type: ignore[attr-defined] # noqa: SLF001 - as anyio does
        if (
            task._must_cancel  # type: ignore[attr-defined] # noqa: SLF001 - being cancelled
            or (waiter is not None and waiter.done())  # its answer is in: let it take it
        ):
            self._handle = loop.call_soon(self._fire, context=NO_CONTEXT)
        elif self._shield_inside(task):
            # Looked at again shortly (a shield lasts a call, and anyio tells nobody
            # when it is left); not on every turn, which would keep a virtual clock still.
            self._handle = loop.call_later(_SHIELD_POLL, self._fire, context=NO_CONTEXT)
        else:
            self._delivered += 1
            task.cancel(_CUT_MESSAGE)

    def _shield_inside(self, task: asyncio.Task[object]) -> bool:
        """Whether the task is in a shielded anyio scope it entered inside this one."""
        scope = _anyio_scope(task)
        while scope is not None and scope is not self._base:
            if scope.shield:
                return True
            scope = scope._parent_scope  # type: ignore[attr-defined] # noqa: SLF001 - no public chain
        return False


# Each task's innermost entered NativeCancelScope (a dict entry, where a context variable
# set per wait cost the collector three objects: its token and two tree nodes).
_INNERMOST: dict[asyncio.Task[object], NativeCancelScope] = {}


def native_deadline() -> float:
    """The earliest deadline of the NativeCancelScopes the running task is in (``inf``: none).

    anyio's ``current_effective_deadline()`` does not see these scopes.
    """
    scope = _INNERMOST.get(asyncio.current_task())  # type: ignore[arg-type] # None: no entry
    earliest = math.inf
    while scope is not None:
        earliest = min(earliest, scope._deadline)  # noqa: SLF001 - the same class's chain
        scope = scope._outer  # noqa: SLF001
    return earliest


def _only_cancellations(exc: BaseException | None) -> bool:
    """Whether ``exc`` is a cancellation (or a group of nothing else): what the exit swallows.

    Raises:
        BaseExceptionGroup: the rest of a group that held other errors beside cancellations.
    """
    if isinstance(exc, asyncio.CancelledError):
        return True
    if isinstance(exc, BaseExceptionGroup):
        _, rest = exc.split(asyncio.CancelledError)
        if rest is None:
            return True
        raise rest
    return False


def _anyio_scope(task: asyncio.Task[object]) -> anyio.CancelScope | None:
    """The innermost anyio cancel scope ``task`` is in (anyio's own bookkeeping)."""
    state = _task_states.get(task)
    return None if state is None else state.cancel_scope
