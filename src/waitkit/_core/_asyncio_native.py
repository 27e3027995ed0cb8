"""What the engine does natively when the loop is asyncio's: the one module that imports asyncio.

The engine runs on anyio (so on trio and on virtual-time loops too). Three of anyio's
conveniences cost objects per pending wait that, at 10,000 waits, are most of what the
garbage collector walks; on asyncio they are replaced here, and only here:

- :func:`sleep`: anyio's asyncio ``sleep`` awaits ``asyncio.sleep``, a coroutine that
  awaits a future its timer resolves; here the wait awaits that future itself, so a
  sleeping wait holds two coroutines fewer.
- :class:`NativeGroup`: ``wait_all``'s waits as plain asyncio tasks, with the task
  group's guarantees kept by hand (below).
- :class:`NativeCancelScope`: the poll loop's deadline scope (below).

wait_all's waits as plain asyncio tasks:

On asyncio, an anyio task group gives each task its own bookkeeping (a task state, a
cancel scope's task set, a wrapper coroutine): about 30 objects per task for the garbage
collector to walk, against 6 for a plain task, and at 10,000 pending waits the collector
is most of what a wait costs (benchmarks/scaling.py). Here each wait is a plain task, and
the guarantees a task group gives are kept by this module:

- no task outlives the call: whatever ends it (all done, the first failure, the caller
  cancelled), every task still running is cancelled and *awaited*, so each wait's
  clean-up (its session's exit) has run before ``wait_all`` returns or raises;
- the first failure cancels the others;
- a cancellation of the caller is re-raised once the tasks are done.

On trio, :mod:`waitkit._core._group` keeps the task group (its tasks are cheap there).
"""

from __future__ import annotations

import asyncio
import contextvars
import math
from collections.abc import Awaitable
from typing import TYPE_CHECKING, Final, Generic, TypeVar, final

import anyio
from anyio._backends._asyncio import _task_states

from waitkit._core._tally import START_BATCH

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence
    from types import TracebackType

    from waitkit._core._tally import GroupOutcomes

T = TypeVar("T")
ItemT = TypeVar("ItemT")


def sleep(delay: float) -> Awaitable[None]:
    """``asyncio.sleep(delay)`` without its coroutine: a future the loop's timer resolves.

    A sleeping wait then holds one object fewer for the garbage collector. Cancelling
    the awaiting task cancels the future, as it would ``asyncio.sleep``'s; the timer is
    left to fall due and finds the future done (cancelling it would cost a callback
    object per sleep; left alone it holds only that done future, for the rest of the
    sleep).
    """
    if delay <= 0:
        return asyncio.sleep(0)  # one turn of the loop, as asyncio.sleep(0) gives
    loop = asyncio.get_running_loop()
    future = loop.create_future()
    loop.call_later(delay, _wake, future)
    return future


def _wake(future: asyncio.Future[None]) -> None:
    if not future.done():  # cancelled meanwhile: its task has moved on
        future.set_result(None)


@final
class NativeGroup(Generic[ItemT, T]):
    """Run ``start(item)`` for every item as an asyncio task, into ``outcomes``."""

    __slots__ = ("_fatal", "_outcomes", "_remaining", "_wake")

    def __init__(self, outcomes: GroupOutcomes[T]) -> None:
        self._outcomes = outcomes
        self._remaining = len(outcomes.results)
        self._fatal: BaseException | None = None  # KeyboardInterrupt, SystemExit in a wait
        self._wake: asyncio.Future[None] | None = None

    async def run(self, items: Sequence[ItemT], start: Callable[[ItemT], Awaitable[T]]) -> None:
        """Run every wait; return once all are done, or raise the failure that ended them."""
        loop = asyncio.get_running_loop()
        self._wake = loop.create_future()
        tasks: list[asyncio.Task[None]] = []
        try:
            for index, item in enumerate(items):
                tasks.append(loop.create_task(self._one(index, item, start)))
                if index % START_BATCH == START_BATCH - 1:
                    await asyncio.sleep(0)  # let the waits started so far make their first look
            if self._remaining:
                await self._wake
        except BaseException:
            await _cancel_and_drain(tasks)
            raise
        error = self._fatal or self._outcomes.error
        if error is not None:
            await _cancel_and_drain(tasks)
            raise error

    async def _one(self, index: int, item: ItemT, start: Callable[[ItemT], Awaitable[T]]) -> None:
        try:
            self._outcomes.succeeded(index, await start(item))
        except Exception as error:  # noqa: BLE001 - a result, or the group's end
            if self._outcomes.failed(index, error):
                self._set_wake()
        except asyncio.CancelledError:
            raise
        except BaseException as error:  # noqa: BLE001 - KeyboardInterrupt, SystemExit: end the group
            if self._fatal is None:
                self._fatal = error
                self._set_wake()
        finally:
            self._remaining -= 1
            if self._remaining == 0:
                self._set_wake()

    def _set_wake(self) -> None:
        wake = self._wake
        if wake is not None and not wake.done():
            wake.set_result(None)


async def _cancel_and_drain(tasks: list[asyncio.Task[None]]) -> None:
    """Cancel the tasks still running and wait until every one has finished its clean-up.

    Shielded from anyio's cancellation (which would otherwise be delivered again on every
    turn of the loop while an enclosing scope is cancelled); a plain ``task.cancel()`` of
    the caller meanwhile is held back and re-raised once the tasks are done.
    """
    running = [task for task in tasks if not task.done()]
    for task in running:
        task.cancel()
    interrupted: asyncio.CancelledError | None = None
    with anyio.CancelScope(shield=True):
        while running:
            try:
                await asyncio.wait(running)
            except asyncio.CancelledError as error:
                interrupted = error
            running = [task for task in running if not task.done()]
    if interrupted is not None:
        raise interrupted


# Timer callbacks here read no context variable: one empty context serves them all,
# where asyncio would copy the caller's for each timer (one more object per pending wait).
_NO_CONTEXT: Final = contextvars.Context()
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

    __slots__ = ("_base", "_cancelling", "_deadline", "_delivered", "_handle", "_task")

    def __init__(self) -> None:
        self._deadline = math.inf
        self._task: asyncio.Task[object] | None = None
        self._handle: asyncio.Handle | None = None
        self._delivered = 0  # cancellations this scope delivered to its task
        self._cancelling = 0  # the task's cancelling() at entry
        self._base: object = None  # the task's innermost anyio scope at entry

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
        if self._handle is not None:
            self._handle.cancel()
            self._handle = None
        delivered, self._delivered = self._delivered, 0
        if task is None or not delivered:
            return False
        for _ in range(delivered):
            task.uncancel()
        if task.cancelling() > self._cancelling:
            return False  # someone else cancelled the task too: theirs goes on
        if isinstance(exc, asyncio.CancelledError):
            return True
        if isinstance(exc, BaseExceptionGroup):
            _, rest = exc.split(asyncio.CancelledError)
            if rest is None:
                return True
            raise rest
        return False

    def _schedule(self) -> None:
        if self._handle is not None:
            self._handle.cancel()
            self._handle = None
        if self._deadline != math.inf:
            loop = asyncio.get_running_loop()
            self._handle = loop.call_at(self._deadline, self._fire, context=_NO_CONTEXT)

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
            self._handle = loop.call_soon(self._fire, context=_NO_CONTEXT)
        elif self._shield_inside(task):
            # Looked at again shortly (a shield lasts a call, and anyio tells nobody
            # when it is left); not on every turn, which would keep a virtual clock still.
            self._handle = loop.call_later(_SHIELD_POLL, self._fire, context=_NO_CONTEXT)
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


def _anyio_scope(task: asyncio.Task[object]) -> anyio.CancelScope | None:
    """The innermost anyio cancel scope ``task`` is in (anyio's own bookkeeping)."""
    state = _task_states.get(task)
    return None if state is None else state.cancel_scope
