"""Fixtures: the Kubernetes backend served on a real 127.0.0.1 socket, and real clients for it."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import anyio
import pytest
from aiohttp import ClientResponse, web
from kubernetes_asyncio.client import ApiClient, BatchV1Api, Configuration, CoreV1Api

from waitkit.emulator._clock import ClockMode, ScenarioClock
from waitkit.emulator._counters import RequestCounters
from waitkit.emulator._faults import Fault, FaultInjector
from waitkit.emulator.k8s import KubernetesBackend, KubernetesScenario


@dataclass
class Cluster:
    """One running backend and the handles a test needs."""

    backend: KubernetesBackend
    url: str
    kubeconfig: Path
    faults: FaultInjector
    counters: RequestCounters
    client: ApiClient

    @property
    def batch(self) -> BatchV1Api:
        return BatchV1Api(self.client)

    @property
    def core(self) -> CoreV1Api:
        return CoreV1Api(self.client)

    def advance(self, steps: int | None = None) -> None:
        """Move scenario time to the next scripted point, ``steps`` times (None: to the last)."""
        advanced = 0
        clock = self.backend.clock
        while (steps is None or advanced < steps) and clock.advance_to_next() is not None:
            advanced += 1

    async def settle(self, check: Callable[[], bool]) -> None:
        """Wait until ``check()`` holds (it reads counters this loop updates), for at most 10 s."""
        with anyio.fail_after(10):
            while not check():  # noqa: ASYNC110 - counters, no event to wait on
                await anyio.sleep(0.005)


Start = Callable[..., Awaitable[Cluster]]


@pytest.fixture
async def start_cluster(tmp_path: Path) -> AsyncIterator[Start]:
    """Start a backend for a scenario; everything is closed at teardown.

    ``clock="manual"`` holds scenario time still until the test moves it
    (``cluster.advance()``); the default lets it run, times ``speed``.
    """
    started: list[tuple[KubernetesBackend, web.AppRunner, ApiClient]] = []

    async def start(
        scenario: KubernetesScenario | None = None,
        *,
        faults: list[Fault] | None = None,
        speed: float = 1.0,
        clock: ClockMode = "real",
    ) -> Cluster:
        injector = FaultInjector(faults, seed=1)
        counters = RequestCounters()
        backend = KubernetesBackend(
            scenario or KubernetesScenario(),
            clock=ScenarioClock(speed, mode=clock),
            faults=injector,
            counters=counters,
        )
        runner = web.AppRunner(backend.app)
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        port = runner.addresses[0][1]
        url = f"http://127.0.0.1:{port}"
        path = tmp_path / f"kubeconfig-{port}"
        path.write_text(backend.kubeconfig(url))
        client = ApiClient(Configuration(host=url))
        started.append((backend, runner, client))
        return Cluster(backend, url, path, injector, counters, client)

    yield start
    for backend, runner, client in reversed(started):
        await client.close()
        await backend.aclose()
        await runner.cleanup()


@pytest.fixture
async def cluster(start_cluster: Start) -> Cluster:
    """An empty cluster (namespace ``default`` only)."""
    return await start_cluster()


async def read_events(response: ClientResponse, count: int | None = None) -> list[dict[str, Any]]:
    """Read watch events line by line (all of them until the stream ends, or ``count``)."""
    events: list[dict[str, Any]] = []
    while count is None or len(events) < count:
        line = await response.content.readline()
        if not line:
            break
        events.append(json.loads(line))
    return events


@pytest.fixture
def events() -> Callable[..., Awaitable[list[dict[str, Any]]]]:
    """The :func:`read_events` helper (test modules cannot import conftest under importlib mode)."""
    return read_events
