"""Fixtures: an emulated cluster per test, and a real kubernetes_asyncio client for it.

The cluster's scenario clock is manual by default: scripted ``at`` points are reached
only when a test moves time (``env.advance()``), once the waiter showed it saw what
came before. What a waiter sees then depends on the order of events, never on how busy
the machine is.
"""

from __future__ import annotations

import contextlib
import itertools
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from typing import Any, TypeVar

import anyio
import pytest
from kubernetes_asyncio.client import ApiClient

from waitkit import Policy, Waiter, until
from waitkit.emulator import Emulator, Scenario, ScenarioClock
from waitkit.emulator._clock import ClockMode
from waitkit.emulator.k8s import KubernetesScenario
from waitkit.k8s import api_client

T = TypeVar("T")
S = TypeVar("S")

#: How tests look at the emulator's counters: every few milliseconds, for at most 10 s.
PROMPT = Policy(min_delay=0.005, max_delay=0.02, timeout=10)


@dataclass
class Env:
    """A running emulator, a client connected to it, and ways to move its scenario."""

    emu: Emulator
    api: ApiClient

    @property
    def kube(self) -> Any:
        return self.emu.kubernetes

    def watch_opened(self, resource: str = "jobs", *, count: int = 1) -> Callable[[], bool]:
        """A check: ``count`` more WATCH requests of ``resource`` arrived since this call."""
        requests = self.emu.kubernetes.requests
        before = requests["watch", resource]
        return lambda: requests["watch", resource] >= before + count

    def advance(self, steps: int | None = None) -> None:
        """Move scenario time to the next scripted point, ``steps`` times (None: to the last)."""
        advance_to_next(self.emu.clock, steps)


Start = Callable[..., Awaitable[Env]]

#: Fast policy for the emulator: small delays, a bounded wait.
FAST = Policy(
    min_delay=0.05, max_delay=0.2, timeout=10, throttle_min_delay=0.05, throttle_max_delay=0.5
)


def advance_to_next(clock: ScenarioClock, steps: int | None = None) -> None:
    """``clock.advance_to_next()``, ``steps`` times (None: until no point is left)."""
    for _ in itertools.count() if steps is None else range(steps):
        if clock.advance_to_next() is None:
            return


async def settle(check: Callable[[], bool], what: str | None = None) -> None:
    """Wait until ``check()`` holds (it reads counters this loop updates)."""

    async def look() -> bool:
        return check()

    await until(look, bool, policy=PROMPT, description=what or "the emulator to get there")


async def when(check: Callable[[], bool], action: Callable[[], object]) -> None:
    """Once ``check()`` holds, do ``action()``: a driver for :func:`meanwhile`."""
    await settle(check)
    action()


async def meanwhile(wait: Awaitable[T], *drivers: Awaitable[object]) -> T:
    """Await ``wait`` while ``drivers`` move the scenario beside it; its result or its error.

    The drivers are cancelled when the wait ends (one that is still waiting for a
    condition did not need to act). An error of the wait is raised as it is, outside
    any exception group, so ``pytest.raises`` sees it.
    """
    outcome: list[T] = []
    failure: list[Exception] = []
    async with anyio.create_task_group() as tg:
        for driver in drivers:
            tg.start_soon(_drive, driver)
        try:
            outcome.append(await wait)
        except Exception as error:  # noqa: BLE001 - raised again below, outside the group
            failure.append(error)
        tg.cancel_scope.cancel()
    if failure:
        raise failure[0]
    return outcome[0]


async def _drive(driver: Awaitable[object]) -> None:
    await driver


async def step_through(env: Env, waiter: Waiter[S], **kwargs: Any) -> list[S]:
    """Every distinct state of a wait; after each one, scenario time moves to the next point.

    Each point then shows up as a state of its own, whatever the machine's speed. Only
    for timelines whose every point changes what the waiter reports. Raises like
    ``waiter.wait()`` (the states seen are on the error's ``history``).
    """
    seen: list[S] = []
    async with contextlib.aclosing(waiter.states(**kwargs)) as states:  # type: ignore[type-var]
        async for state in states:
            seen.append(state)
            env.advance(1)
    return seen


@pytest.fixture
async def start() -> AsyncIterator[Start]:
    """Start an emulator for a Kubernetes scenario; closed (and checked for open watches) after.

    ``clock="manual"`` (the default) holds scenario time still until the test advances
    it; ``clock="real"`` lets it run (times ``speed``).
    """
    async with contextlib.AsyncExitStack() as stack:
        envs: list[Env] = []

        async def start(
            scenario: KubernetesScenario | None = None,
            *,
            clock: ClockMode = "manual",
            speed: float = 1.0,
        ) -> Env:
            emu = await stack.enter_async_context(
                Emulator(
                    Scenario(clock=clock, speed=speed, kubernetes=scenario or KubernetesScenario())
                )
            )
            api = await stack.enter_async_context(api_client(kubeconfig=emu.kubeconfig_path))
            env = Env(emu, api)
            envs.append(env)
            return env

        yield start
        for env in envs:
            await wait_closed(env)


async def wait_closed(env: Env) -> None:
    """Every watch stream the waiters opened is closed (the server may take a moment to notice)."""
    with anyio.move_on_after(2):
        while env.emu.counters.watches_open:  # noqa: ASYNC110 - a counter, no event
            await anyio.sleep(0.01)
    assert env.emu.counters.watches_open == 0
