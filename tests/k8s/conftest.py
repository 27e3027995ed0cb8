"""Fixtures: an emulated cluster per test, and a real kubernetes_asyncio client for it."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import anyio
import pytest
from kubernetes_asyncio.client import ApiClient

from waitkit import Policy
from waitkit.emulator import Emulator, Scenario
from waitkit.emulator.k8s import KubernetesScenario
from waitkit.k8s import api_client


@dataclass
class Env:
    """A running emulator and a client connected to it."""

    emu: Emulator
    api: ApiClient

    @property
    def kube(self) -> Any:
        return self.emu.kubernetes


Start = Callable[..., Awaitable[Env]]

#: Fast policy for the emulator: small delays, a bounded wait.
FAST = Policy(
    min_delay=0.05, max_delay=0.2, timeout=10, throttle_min_delay=0.05, throttle_max_delay=0.5
)


@pytest.fixture
async def start() -> AsyncIterator[Start]:
    """Start an emulator for a Kubernetes scenario; closed (and checked for open watches) after."""
    async with contextlib.AsyncExitStack() as stack:
        envs: list[Env] = []

        async def start(scenario: KubernetesScenario | None = None, *, speed: float = 1.0) -> Env:
            emu = await stack.enter_async_context(
                Emulator(Scenario(speed=speed, kubernetes=scenario or KubernetesScenario()))
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
