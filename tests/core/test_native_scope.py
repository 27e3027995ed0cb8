"""The poll loop's deadline scope on asyncio keeps the rules of anyio's cancel scope."""

from __future__ import annotations

import asyncio
from typing import Any

import anyio
import pytest

from waitkit._core._asyncio_native import NativeCancelScope
from waitkit.testing import virtual_time_backend

pytestmark = pytest.mark.anyio


@pytest.fixture
def anyio_backend() -> tuple[str, dict[str, Any]]:
    """The scope is asyncio's only (trio keeps anyio's); virtual time."""
    return virtual_time_backend("asyncio")


async def test_the_deadline_cuts_the_await_and_the_exit_swallows_it():
    """Past its deadline the task is cancelled at its await; the code after the block runs."""
    start = anyio.current_time()
    with NativeCancelScope() as scope:
        scope.deadline = start + 5
        await anyio.sleep(60)
        pytest.fail("the sleep was not cut")
    assert anyio.current_time() - start == pytest.approx(5)
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
