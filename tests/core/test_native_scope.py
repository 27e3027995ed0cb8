"""The poll loop's deadline scope on asyncio keeps the rules of anyio's cancel scope."""

from __future__ import annotations

import asyncio
import gc
import math
import weakref
from typing import Any

import anyio
import pytest

from waitkit._core._asyncio_native import NativeCancelScope, native_deadline
from waitkit._core._asyncio_native._wheel import wheel_of
from waitkit.testing import virtual_time_backend

pytestmark = pytest.mark.anyio


@pytest.fixture
def anyio_backend() -> tuple[str, dict[str, Any]]:
    """The scope is asyncio's only (trio keeps anyio's); virtual time."""
    return virtual_time_backend("asyncio")


@pytest.mark.parametrize(
    "after",
    [
        pytest.param(0.25, id="a quarter second ahead"),
        pytest.param(30.25, id="seconds ahead, on the wheel"),
    ],
)
async def test_the_deadline_cuts_the_await_and_the_exit_swallows_it(after: float):
    """Past its deadline the task is cancelled at its await, on time; the code after runs.

    A deadline seconds ahead waits on the wheel until its grain, then gets its own timer.
    """
    start = anyio.current_time()
    with NativeCancelScope() as scope:
        scope.deadline = start + after
        await anyio.sleep(60)
        pytest.fail("the sleep was not cut")
    assert anyio.current_time() - start == pytest.approx(after)
    await anyio.sleep(1)  # no cancellation is left behind
    assert asyncio.current_task().cancelling() == 0


async def test_a_moved_or_lifted_deadline_does_not_fire():
    """Lifting the deadline (math.inf) before it passes lets the block run to its end."""
    start = anyio.current_time()
    with NativeCancelScope() as scope:
        scope.deadline = start + 5
        await anyio.sleep(1)
        scope.deadline = start + 50
        await anyio.sleep(10)
        scope.deadline = float("inf")
        await anyio.sleep(60)
    assert anyio.current_time() - start == pytest.approx(71)


async def test_another_cancellation_of_the_task_goes_through():
    """A task.cancel() landing with the deadline is not swallowed by the scope."""
    task = asyncio.current_task()
    start = anyio.current_time()
    loop = asyncio.get_running_loop()
    with pytest.raises(asyncio.CancelledError), NativeCancelScope() as scope:  # noqa: PT012
        scope.deadline = start + 5
        loop.call_at(start + 5, task.cancel)
        await anyio.sleep(60)
    task.uncancel()


async def test_an_outer_anyio_scope_still_cancels():
    """An anyio deadline around the scope ends the block: its cancellation is not ours."""
    start = anyio.current_time()
    with anyio.move_on_after(3) as outer:
        with NativeCancelScope() as scope:
            scope.deadline = start + 5
            await anyio.sleep(60)
    assert outer.cancelled_caught
    assert anyio.current_time() - start == pytest.approx(3)


async def test_a_shielded_anyio_scope_inside_holds_the_deadline_back():
    """A call shielded inside the block runs to its end; the next await is cut."""
    start = anyio.current_time()
    finished = False
    with NativeCancelScope() as scope:
        scope.deadline = start + 1
        with anyio.CancelScope(shield=True):
            await anyio.sleep(2)
            finished = True
        await anyio.sleep(60)
    assert finished
    assert 2 <= anyio.current_time() - start < 2.1


async def test_an_exception_group_of_cancellations_is_swallowed():
    """A task group inside the block, cut by the deadline, ends the block quietly."""
    start = anyio.current_time()
    with NativeCancelScope() as scope:
        scope.deadline = start + 2
        async with anyio.create_task_group() as group:
            group.start_soon(anyio.sleep, 60)
            await anyio.sleep(60)
    assert anyio.current_time() - start == pytest.approx(2)


async def test_deadlines_moved_on_the_wheel_fire_at_the_last_time_set():
    """Moved later, earlier, into the current grain and back: only the last one counts."""
    start = anyio.current_time()
    with NativeCancelScope() as scope:
        scope.deadline = start + 10.5
        scope.deadline = start + 40.5
        await anyio.sleep(20)  # past the first deadline's grain: nothing fired
        scope.deadline = anyio.current_time() + 0.25  # in the current grain: a timer now
        scope.deadline = start + 25.75  # and off it again
        await anyio.sleep(60)
    assert anyio.current_time() - start == pytest.approx(25.75)


async def test_a_thousand_armed_deadlines_add_a_few_loop_timers_and_leave_none():
    """Deadlines wait on the wheel, not in the loop's timer heap; leaving lifts them all.

    The loop's heap (``_scheduled``) is read to count its timers: that is the promise.
    """
    loop = asyncio.get_running_loop()
    before = len(loop._scheduled)  # type: ignore[attr-defined]
    cut: list[float] = []

    async def one(index: int, ready: anyio.Event) -> None:
        start = anyio.current_time()
        with NativeCancelScope() as scope:
            scope.deadline = start + 30 + index / 1000  # within two grains
            ready.set()
            await anyio.sleep(5 if index % 2 else 60)  # half leave before the deadline
        cut.append(anyio.current_time() - start)

    async with anyio.create_task_group() as group:
        events = [anyio.Event() for _ in range(1000)]
        for index, ready in enumerate(events):
            group.start_soon(one, index, ready)
        for ready in events:
            await ready.wait()
        armed = len(loop._scheduled) - before  # type: ignore[attr-defined]
    assert armed <= 1000 + 3  # the tasks' sleeps, and one timer per grain
    assert sorted(cut)[:500] == [pytest.approx(5)] * 500
    assert all(30 <= c <= 31 for c in sorted(cut)[500:])
    assert not any(slot for slot in wheel_of(loop)._grains.values())


async def test_an_answer_already_in_is_taken_before_the_cut():
    """A future resolved at the deadline's instant: the task takes its value, then is cut."""
    loop = asyncio.get_running_loop()
    start = anyio.current_time()
    answer: asyncio.Future[str] = loop.create_future()
    got: list[str] = []
    with NativeCancelScope() as scope:
        scope.deadline = start + 2
        loop.call_at(start + 2, answer.set_result, "in")  # due with the deadline's timer
        got.append(await answer)
        await anyio.sleep(60)
    assert got == ["in"]
    assert anyio.current_time() - start == pytest.approx(2)


async def test_native_deadline_is_the_earliest_of_the_tasks_nested_scopes():
    """Nested scopes in one task: the earliest deadline counts; leaving restores the outer."""
    start = anyio.current_time()
    assert native_deadline() == math.inf
    with NativeCancelScope() as outer:
        outer.deadline = start + 10
        with NativeCancelScope() as inner:
            inner.deadline = start + 30
            assert native_deadline() == start + 10
            inner.deadline = start + 5
            assert native_deadline() == start + 5
        assert native_deadline() == start + 10
        await anyio.sleep(1)
    assert native_deadline() == math.inf


def test_a_finished_loop_is_not_kept_alive_by_its_deadlines():
    """Deadlines left on a loop's wheel when it closes do not keep the loop alive."""
    loops: list[weakref.ref[asyncio.AbstractEventLoop]] = []

    async def one() -> None:
        loop = asyncio.get_running_loop()
        loops.append(weakref.ref(loop))
        with NativeCancelScope() as scope:
            scope.deadline = loop.time() + 30  # on the wheel when the loop ends
            await asyncio.sleep(0)

    for _ in range(3):
        asyncio.run(one())
    gc.collect()
    assert [ref() for ref in loops] == [None, None, None]
