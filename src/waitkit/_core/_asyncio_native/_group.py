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

On trio, :mod:`waitkit._core._group` keeps the task group (its tasks are cheap there).
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable
from typing import TYPE_CHECKING, Generic, TypeVar, final

import anyio

from waitkit._core._tally import START_BATCH

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence

    from waitkit._core._tally import GroupOutcomes

T = TypeVar("T")
ItemT = TypeVar("ItemT")


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
