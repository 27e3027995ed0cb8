"""The engine's asyncio-native sleep: a future the loop's timer resolves, in virtual time."""

from __future__ import annotations

import asyncio
from typing import Any

import anyio
import pytest

from waitkit import Policy, State, Verdict, Waiter
from waitkit._core import _asyncio_native
from waitkit.testing import virtual_time_backend

pytestmark = pytest.mark.anyio


@pytest.fixture
def anyio_backend() -> tuple[str, dict[str, Any]]:
    """These tests are about asyncio's own loop (looptime keeps its clock virtual)."""
    return virtual_time_backend("asyncio")


async def test_the_sleep_ends_after_its_delay_and_not_before() -> None:
    """The awaiting task wakes when the loop's clock has moved by the delay."""
    loop = asyncio.get_running_loop()
    start = loop.time()
    await _asyncio_native.sleep(2.5)
    assert loop.time() - start == pytest.approx(2.5, abs=0.01)


async def test_a_zero_sleep_gives_the_loop_one_turn() -> None:
    """sleep(0) lets a task that is ready run before the sleeper goes on."""
    ran: list[str] = []

    async def other() -> None:
        ran.append("other")

    task = asyncio.get_running_loop().create_task(other())
    await _asyncio_native.sleep(0)
    assert ran == ["other"]
    await task


async def test_cancelling_a_sleeper_cancels_it_and_its_timer_later_does_nothing() -> None:
    """The task gets CancelledError at once; the timer falls due later without a fault."""
    loop = asyncio.get_running_loop()
    errors: list[dict[str, object]] = []
    loop.set_exception_handler(lambda _loop, context: errors.append(context))

    async def sleeper() -> None:
        await _asyncio_native.sleep(10)

    task = loop.create_task(sleeper())
    await asyncio.sleep(1)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    await asyncio.sleep(20)  # past the timer's due time: it finds the future done
    assert errors == []


async def test_a_cancel_scope_ends_a_wait_asleep_on_the_native_sleep() -> None:
    """A cancel scope's deadline cuts a wait asleep between looks, as it cut asyncio.sleep."""

    class Probe(State):
        status: str

    class Pending(Waiter[Probe]):
        kind = "probe"

        async def observe(self) -> Probe:
            return Probe(status="pending")

        def verdict(self, state: Probe) -> Verdict:
            return Verdict.PENDING

    waiter = Pending(policy=Policy(min_delay=60, max_delay=60, timeout=None))
    loop = asyncio.get_running_loop()
    start = loop.time()
    with anyio.move_on_after(5) as scope:
        await waiter.wait()
    assert scope.cancelled_caught
    assert loop.time() - start == pytest.approx(5, abs=0.01)
