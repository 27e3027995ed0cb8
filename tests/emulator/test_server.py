"""The Emulator: two local endpoints, a private kubeconfig, shared state, clean shutdown."""

from __future__ import annotations

import asyncio
import socket
import stat

import aiohttp
import pytest
import yaml

import waitkit.emulator
from waitkit.emulator import Emulator, Fault, Scenario, serve

pytestmark = pytest.mark.anyio


async def test_endpoints_kubeconfig_and_cleanup(aws_client) -> None:
    """Both endpoints listen on 127.0.0.1; the kubeconfig points at Kubernetes, removed on exit."""
    async with Emulator() as emu:
        assert emu.aws_endpoint.startswith("http://127.0.0.1:")
        assert emu.k8s_endpoint.startswith("http://127.0.0.1:")
        assert emu.aws_endpoint != emu.k8s_endpoint
        path = emu.kubeconfig_path
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
        config = yaml.safe_load(path.read_text())
        assert config["clusters"][0]["cluster"]["server"] == emu.k8s_endpoint
        async with aws_client(emu, "logs") as client:
            await client.start_query(
                logGroupName="/a", startTime=0, endTime=1, queryString="fields @message"
            )
        aws_endpoint = emu.aws_endpoint
    assert not path.exists()
    assert not path.parent.exists()
    # The counters stay readable after exit, and the port is closed.
    assert emu.counters.of("logs", "StartQuery") == 1
    async with aiohttp.ClientSession() as session:
        with pytest.raises(aiohttp.ClientConnectionError):
            await session.get(aws_endpoint)


async def test_cleanup_on_error_and_cancellation() -> None:
    """An exception or a cancellation inside the block still shuts everything down."""
    emu = Emulator()
    paths = []

    async def fail_inside() -> None:
        async with emu:
            paths.append(emu.kubeconfig_path)
            raise RuntimeError("boom")

    with pytest.raises(RuntimeError, match="boom"):
        await fail_inside()
    (path,) = paths
    assert not path.exists()

    # A task of its own, cancelled from outside: awaiting it with asyncio.wait keeps
    # the cancellation out of this frame (CPython 3.11 mis-traces a cancellation
    # thrown into an awaiting frame under coverage, cpython#106749).
    cancelled = Emulator()
    started = asyncio.Event()

    async def wait_inside() -> None:
        async with cancelled:
            started.set()
            await asyncio.Event().wait()

    task = asyncio.create_task(wait_inside())
    await asyncio.wait_for(started.wait(), timeout=5)
    path = cancelled.kubeconfig_path
    task.cancel()
    await asyncio.wait([task], timeout=5)
    assert task.cancelled()
    assert not path.exists()


async def test_not_started_and_run_once() -> None:
    """Endpoints need a running emulator; an emulator runs once; aclose is idempotent."""
    emu = Emulator()
    with pytest.raises(RuntimeError, match="has not started"):
        _ = emu.aws_endpoint
    async with emu:
        with pytest.raises(RuntimeError, match="runs once"):
            await emu.start()
    await emu.aclose()


async def test_fixed_ports_and_port_in_use() -> None:
    """Explicit ports are used; a port in use fails start-up and leaves nothing behind."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        aws_port = probe.getsockname()[1]
    async with Emulator(aws_port=aws_port) as emu:
        assert emu.aws_endpoint == f"http://127.0.0.1:{aws_port}"
        with pytest.raises(OSError):  # noqa: PT011 - the errno differs by platform
            await Emulator(aws_port=aws_port).start()


async def test_shared_clock_faults_and_services(aws_client) -> None:
    """The emulator exposes one clock (at the scenario's speed), fault injector and services."""
    scenario = Scenario(speed=5, faults=[Fault(kind="latency", delay=0)])
    async with Emulator(scenario) as emu:
        assert emu.clock.speed == 5
        assert emu.faults.faults == (Fault(kind="latency", delay=0),)
        assert emu.autoscaling is not None
        assert emu.durable is not None
        assert emu.logs is not None
        assert emu.kubernetes is not None


async def test_serve_runs_until_cancelled(aws_client) -> None:
    """``serve`` runs the emulator without blocking the loop and stops when cancelled."""
    ready: asyncio.Queue[Emulator] = asyncio.Queue()
    task = asyncio.create_task(serve(Scenario(), on_ready=ready.put_nowait))
    emu = await asyncio.wait_for(ready.get(), timeout=5)
    async with aws_client(emu, "logs") as client:
        await client.start_query(logGroupName="/a", startTime=0, endTime=1, queryString="fields a")
    path = emu.kubeconfig_path
    task.cancel()
    await asyncio.wait([task], timeout=5)
    assert task.cancelled()
    assert not path.exists()


def test_public_names_match_all() -> None:
    """``waitkit.emulator.__all__`` lists exactly the public names the package defines."""
    public = {name for name in vars(waitkit.emulator) if not name.startswith(("_", "@"))}
    public -= {"annotations", "aws", "k8s"}
    assert set(waitkit.emulator.__all__) == public
    assert list(waitkit.emulator.__all__) == sorted(waitkit.emulator.__all__)


async def test_stopped_emulators_can_be_collected() -> None:
    """A stopped emulator's Kubernetes side is not kept alive by aiohttp's middleware memo."""
    import gc

    from waitkit.emulator import KubernetesBackend

    async def one_emulator() -> None:
        async with (
            Emulator() as emu,
            aiohttp.ClientSession() as session,
            session.get(f"{emu.k8s_endpoint}/api/v1/namespaces/default/pods") as answer,
        ):
            assert answer.status == 200

    for _ in range(3):
        await one_emulator()
    gc.collect()
    assert [o for o in gc.get_objects() if isinstance(o, KubernetesBackend)] == []
