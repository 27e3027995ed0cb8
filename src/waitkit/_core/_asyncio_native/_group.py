"""``wait_all``'s waits as plain asyncio tasks.

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

Each task runs the wait's own coroutine, and a done callback (one bound method for all)
records its outcome: a wrapping coroutine held for the whole wait cost 8 % of the CPU at
10,000 waits. A ``KeyboardInterrupt`` or ``SystemExit`` raised in a wait leaves the event
loop from that task, as asyncio does for any task; should the loop go on, the group ends
with it.

On trio, :mod:`waitkit._core._group` keeps the task group (its tasks are cheap there).
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING, Any, Generic, TypeVar, final

import anyio

from waitkit._core._asyncio_native._context import NO_CONTEXT
from waitkit._core._tally import START_BATCH

if TYPE_CHECKING:
    from collections.abc import Callable, Coroutine, Sequence

    from waitkit._core._tally import GroupOutcomes

T = TypeVar("T")
ItemT = TypeVar("ItemT")


@final
class NativeGroup(Generic[ItemT, T]):
    """Run ``start(item)`` for every item as an asyncio task, into ``outcomes``."""

    __slots__ = ("_fatal", "_indices", "_outcomes", "_remaining", "_wake")

    def __init__(self, outcomes: GroupOutcomes[T]) -> None:
        self._outcomes = outcomes
        self._remaining = len(outcomes.results)
        self._fatal: BaseException | None = None  # KeyboardInterrupt, SystemExit in a wait
        self._wake: asyncio.Future[None] | None = None
        # Each running wait's position in the input (its task's outcome goes there).
        self._indices: dict[asyncio.Task[T], int] = {}

    async def run(
        self, items: Sequence[ItemT], start: Callable[[ItemT], Coroutine[Any, Any, T]]
    ) -> None:
        """Run every wait; return once all are done, or raise the failure that ended them."""
        loop = asyncio.get_running_loop()
        self._wake = loop.create_future()
        tasks: list[asyncio.Task[T]] = []
        indices = self._indices
        done = self._done  # one bound method serves every task
        try:
            for index, item in enumerate(items):
                # The wait's own coroutine is the task; its outcome is read by a callback,
                # not by a wrapping coroutine held for the whole wait.
                try:
                    wait = start(item)
                except Exception as refused:  # noqa: BLE001 - the wait's failure, at its start
                    self._remaining -= 1
                    if self._failed(index, refused):
                        break  # the group ends: start no more
                    continue
                task = loop.create_task(wait)
                indices[task] = index
                task.add_done_callback(done, context=NO_CONTEXT)
                tasks.append(task)
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

    def _done(self, task: asyncio.Task[T]) -> None:
        """Record how one wait ended (a task's done callback)."""
        index = self._indices.pop(task)
        try:
            if task.cancelled():  # by _cancel_and_drain: the group is ending already
                return
            error = task.exception()
            if error is None:
                self._outcomes.succeeded(index, task.result())
            elif isinstance(error, Exception):
                self._failed(index, error)
            elif self._fatal is None:  # KeyboardInterrupt, SystemExit: the group ends
                self._fatal = error
                self._set_wake()
        finally:
            self._remaining -= 1
            if self._remaining == 0:
                self._set_wake()

    def _failed(self, index: int, error: Exception) -> bool:
        """Record wait ``index``'s failure; True (and the group woken) if it ends the group."""
        ends = self._outcomes.failed(index, error)
        if ends:
            self._set_wake()
        return ends

    def _set_wake(self) -> None:
        wake = self._wake
        if wake is not None and not wake.done():
            wake.set_result(None)


async def _cancel_and_drain(tasks: Sequence[asyncio.Task[Any]]) -> None:
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
