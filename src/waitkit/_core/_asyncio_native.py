"""What the engine does natively when the loop is asyncio's: the one module that imports asyncio.

The engine runs on anyio (so on trio and on virtual-time loops too). Two of anyio's
conveniences cost objects per pending wait that, at 10,000 waits, are most of what the
garbage collector walks; on asyncio they are replaced here, and only here:

- :data:`sleep`: anyio's asyncio ``sleep`` only awaits ``asyncio.sleep``; called
  directly, a sleeping wait holds one coroutine fewer.
- :class:`NativeGroup`: ``wait_all``'s waits as plain asyncio tasks, with the task
  group's guarantees kept by hand (below).

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
from typing import TYPE_CHECKING, Final, Generic, TypeVar, final

import anyio

if TYPE_CHECKING:
    from collections.abc import Awaitable, Callable, Sequence

    from waitkit._core._tally import GroupTally

T = TypeVar("T")
ItemT = TypeVar("ItemT")

#: The loop's sleep, without anyio's wrapper coroutine around it.
sleep: Final = asyncio.sleep

# Tasks started between two yields to the loop (see _group._START_BATCH).
_START_BATCH: Final = 32


@final
class NativeGroup(Generic[ItemT, T]):
    """Run ``start(item)`` for every item as an asyncio task; the results in order."""

    __slots__ = ("_error", "_remaining", "_results", "_tally", "_wake")

    def __init__(self, count: int, tally: GroupTally | None) -> None:
        self._results: list[T | Exception | None] = [None] * count
        self._remaining = count
        self._tally = tally  # None: failures are results (return_exceptions)
        self._error: BaseException | None = None
        self._wake: asyncio.Future[None] | None = None

    async def run(
        self, items: Sequence[ItemT], start: Callable[[ItemT], Awaitable[T]]
    ) -> list[T | Exception | None]:
        """Run every wait; the results, or the first failure once every task is done."""
        loop = asyncio.get_running_loop()
        self._wake = loop.create_future()
        tasks: list[asyncio.Task[None]] = []
        try:
            for index, item in enumerate(items):
                tasks.append(loop.create_task(self._one(index, item, start)))
                if index % _START_BATCH == _START_BATCH - 1:
                    await asyncio.sleep(0)  # let the waits started so far make their first look
            if self._remaining:
                await self._wake
        except BaseException:
            await _cancel_and_drain(tasks)
            raise
        if self._error is not None:
            await _cancel_and_drain(tasks)
            raise self._error
        return self._results

    async def _one(self, index: int, item: ItemT, start: Callable[[ItemT], Awaitable[T]]) -> None:
        try:
            self._results[index] = await start(item)
        except Exception as error:  # noqa: BLE001 - a result, or the group's first failure
            if self._tally is None:
                self._results[index] = error
            elif self._error is None:
                self._tally.failed(index, error)
                self._fail(error)
        except asyncio.CancelledError:
            raise
        except BaseException as error:  # noqa: BLE001 - KeyboardInterrupt, SystemExit: end the group
            self._fail(error)
        else:
            if self._tally is not None:
                self._tally.succeeded(index)
        finally:
            self._remaining -= 1
            if self._remaining == 0:
                self._set_wake()

    def _fail(self, error: BaseException) -> None:
        if self._error is None:
            self._error = error
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
