"""Many waits at once: wait_all() and as_completed(), under one shared deadline.

``wait_all`` runs every wait in a task group of the caller's task, so no task outlives
the call: when the caller is cancelled, or the first failure ends it, every other wait
is cancelled and cleans up (its session's clean-up runs) before it returns or raises.

``as_completed`` cannot: an iterator that yields from inside a task group leaves the
group's scope open in the caller's task while the loop body runs, and a ``break`` then
gets the caller cancelled. Its waits run in a task group of their own task (see
``_feed.Feed``), which ends when the iteration does, however it ends; the caller's
task only waits for the next outcome.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Generic, Literal, TypeVar, final, overload

import anyio
from anyio.lowlevel import checkpoint

from waitkit._core._asyncio_native import NativeGroup
from waitkit._core._durations import UNSET, _Unset
from waitkit._core._errors import ConfigurationError
from waitkit._core._feed import Feed
from waitkit._core._policy import DEFAULT_POLICY
from waitkit._core._runtime import current_runtime
from waitkit._core._tally import START_BATCH, GroupOutcomes, GroupTally
from waitkit._core._validate import require_int
from waitkit._core._waiter import Waiter, resolve_deadline

if TYPE_CHECKING:
    from collections.abc import AsyncIterator, Callable, Coroutine, Iterable, Sequence

    from anyio.abc import TaskGroup
    from pydantic import BaseModel

    from waitkit._core._durations import Duration
    from waitkit._core._result import WaitResult
    from waitkit._core._runtime import Runtime

StateT = TypeVar("StateT", bound="BaseModel")


@final
@dataclass(frozen=True, slots=True)
class Outcome(Generic[StateT]):
    """How one wait of a group ended: a result, or the exception it raised.

    Yielded by :func:`as_completed`; do not instantiate.
    """

    #: The waiter that finished.
    waiter: Waiter[StateT]
    #: Its result when it succeeded.
    result: WaitResult[StateT] | None
    #: The exception when it did not.
    error: Exception | None
    #: Its position in the input.
    index: int

    @property
    def ok(self) -> bool:
        """Whether the wait succeeded."""
        return self.error is None

    def unwrap(self) -> WaitResult[StateT]:
        """The result, or raise the wait's exception."""
        if self.error is not None:
            raise self.error
        assert self.result is not None  # noqa: S101 - exactly one of the two is set
        return self.result


def _validate(
    waiters: Iterable[Waiter[StateT]], limit: int | None
) -> tuple[Sequence[Waiter[StateT]], int | None]:
    items = list(waiters)
    for i, waiter in enumerate(items):
        _ensure_waiter(i, waiter)
    return items, None if limit is None else require_int("limit", limit, 1, or_none=True)


def _limiter(limit: int | None) -> anyio.CapacityLimiter | None:
    return None if limit is None else anyio.CapacityLimiter(limit)


def _ensure_waiter(index: int, value: object) -> None:
    if not isinstance(value, Waiter):
        msg = f"waiters[{index}] must be a waitkit.Waiter, got {type(value).__name__}"
        raise ConfigurationError(msg)


def _wait_one(
    waiter: Waiter[StateT],
    deadline: float | _Unset | None,
    limiter: anyio.CapacityLimiter | None,
    runtime: Runtime | None = None,
) -> Coroutine[Any, Any, WaitResult[StateT]]:
    # Without a limiter the caller awaits the wait itself: no coroutine in between, held
    # for the whole wait (one object fewer per pending wait for the garbage collector).
    # The group's runtime spares each wait looking the backend up (a microsecond).
    if limiter is None:
        return waiter.start(deadline=deadline, runtime=runtime).run()
    return _limited(waiter, deadline, limiter)


async def _limited(
    waiter: Waiter[StateT], deadline: float | _Unset | None, limiter: anyio.CapacityLimiter
) -> WaitResult[StateT]:
    async with limiter:
        return await waiter.start(deadline=deadline).run()


async def _between_batches(index: int) -> None:
    """Let the loop run (the waits started so far, and anything else) every few starts."""
    if index % START_BATCH == START_BATCH - 1:
        await checkpoint()


def _group_deadline(timeout: Duration | _Unset | None) -> float | _Unset | None:
    # Without a timeout each waiter keeps its own policy's; with one, all share one deadline.
    if isinstance(timeout, _Unset):
        return UNSET
    return resolve_deadline(timeout, DEFAULT_POLICY)


def _tally(
    function: str, items: Sequence[Waiter[StateT]], deadline: float | _Unset | None
) -> GroupTally:
    clock = current_runtime().clock()
    bound = deadline - clock() if isinstance(deadline, float) else None
    return GroupTally(function, items, bound, clock)


@overload
async def wait_all(
    waiters: Iterable[Waiter[StateT]],
    *,
    timeout: Duration | _Unset | None = ...,
    return_exceptions: Literal[False] = ...,
    limit: int | None = ...,
) -> list[WaitResult[StateT]]: ...


@overload
async def wait_all(
    waiters: Iterable[Waiter[StateT]],
    *,
    timeout: Duration | _Unset | None = ...,
    return_exceptions: Literal[True],
    limit: int | None = ...,
) -> list[WaitResult[StateT] | Exception]: ...


async def wait_all(
    waiters: Iterable[Waiter[StateT]],
    *,
    timeout: Duration | _Unset | None = UNSET,
    return_exceptions: bool = False,
    limit: int | None = None,
) -> list[WaitResult[StateT]] | list[WaitResult[StateT] | Exception]:
    """Wait for every waiter; results in the order given.

    Args:
        waiters: the waiters.
        timeout: one deadline shared by all (seconds or timedelta; ``None``: no bound);
            default: each waiter's own policy timeout.
        return_exceptions: put each failure in the list instead of raising the first.
        limit: at most this many waits run at once; the rest queue (their deadline still
            counts from the call).

    Raises:
        WaitError, ProbeError: the first failure, unless ``return_exceptions``; the other
            waits are cancelled first. Its message ends with a line about the group: how
            many waits had succeeded, failed and were still pending (with names), and
            when, counted from the call.

    Example:
        >>> import anyio
        >>> from waitkit import wait_all
        >>> # results = anyio.run(lambda: wait_all([w1, w2], timeout=900))
    """
    items, bound = _validate(waiters, limit)
    limiter = _limiter(bound)
    deadline = _group_deadline(timeout)
    tally = None if return_exceptions else _tally("wait_all", items, deadline)
    outcomes: GroupOutcomes[WaitResult[StateT]] = GroupOutcomes(len(items), tally)
    runtime = current_runtime()
    if runtime.asyncio:
        # Plain tasks, a done callback each: no task group's bookkeeping (see _asyncio_native).
        native: NativeGroup[Waiter[StateT], WaitResult[StateT]] = NativeGroup(outcomes)
        await native.run(items, lambda waiter: _wait_one(waiter, deadline, limiter, runtime))
        return outcomes.results  # type: ignore[return-value] # every slot is filled

    async def run(index: int, waiter: Waiter[StateT], group: TaskGroup) -> None:
        try:
            outcomes.succeeded(index, await _wait_one(waiter, deadline, limiter))
        except Exception as error:  # noqa: BLE001 - a result, or re-raised after the group
            if outcomes.failed(index, error):
                group.cancel_scope.cancel()

    async with anyio.create_task_group() as group:
        for index, waiter in enumerate(items):
            group.start_soon(run, index, waiter, group)
            await _between_batches(index)
    if outcomes.error is not None:
        raise outcomes.error
    return outcomes.results  # type: ignore[return-value] # every slot is filled once the group exits


def as_completed(
    waiters: Iterable[Waiter[StateT]],
    *,
    timeout: Duration | _Unset | None = UNSET,
    limit: int | None = None,
) -> AsyncIterator[Outcome[StateT]]:
    """Yield an :class:`Outcome` for each waiter as it finishes, first finished first.

    Failures do not stop the others: each is an outcome with ``.error`` set, whose
    message ends with a line about the group when it ended (how many had succeeded,
    failed, were still pending, with names, and when, counted from the call). The waits
    start when iteration does. Leaving the loop early (``break``, ``return``, an
    exception in its body) cancels the waits still running; it never cancels your task.
    Their clean-up (their sessions' exits: a subscription left, a query stopped) then
    runs in the background. To wait until it has finished, close the iterator::

        async with contextlib.aclosing(as_completed(waiters)) as outcomes:
            async for outcome in outcomes:
                ...

    Cancelling the task while it waits for the next outcome ends the iteration the same
    way, after the clean-up. An iterator you keep a reference to (``outcomes =
    as_completed(...)``) keeps its waits running after a ``break`` until you close it,
    resume it, or drop the reference.

    Args:
        waiters: the waiters.
        timeout: one deadline shared by all; default: each waiter's own policy timeout.
        limit: at most this many waits run at once.

    Raises:
        ConfigurationError: a waiter or ``limit`` is invalid (at the call); an invalid
            ``timeout`` is raised by the first iteration.

    Example:
        >>> import anyio
        >>> from waitkit import as_completed
        >>> # async for outcome in as_completed([w1, w2], timeout=900):
        >>> #     if not outcome.ok:
        >>> #         break  # the other waits are cancelled
    """
    items, bound = _validate(waiters, limit)

    async def produce(put: Callable[[Outcome[StateT]], None]) -> None:
        deadline = _group_deadline(timeout)
        limiter = _limiter(bound)
        tally = _tally("as_completed", items, deadline)

        async def run(index: int, waiter: Waiter[StateT]) -> None:
            try:
                result = await _wait_one(waiter, deadline, limiter)
            except Exception as error:  # noqa: BLE001 - delivered to the caller as an outcome
                tally.failed(index, error)
                put(Outcome(waiter=waiter, result=None, error=error, index=index))
            else:
                tally.succeeded(index)
                put(Outcome(waiter=waiter, result=result, error=None, index=index))

        async with anyio.create_task_group() as group:
            for index, waiter in enumerate(items):
                group.start_soon(run, index, waiter)
                await _between_batches(index)

    return Feed(produce, name="waitkit.as_completed")
