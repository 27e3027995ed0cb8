"""Emulator: the AWS and Kubernetes backends served on two local ports, with a kubeconfig.

Both backends share one scenario clock, one fault injector and one set of
request counters, so a test can script time, break things and count calls
across the whole emulated cloud.
"""

from __future__ import annotations

import asyncio
import contextlib
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Self, final

import anyio
from aiohttp import web

from waitkit.emulator._clock import ScenarioClock
from waitkit.emulator._counters import RequestCounters
from waitkit.emulator._faults import FaultInjector
from waitkit.emulator._scenario import Scenario
from waitkit.emulator.aws import AwsBackend, AwsScenario
from waitkit.emulator.k8s import KubernetesBackend

if TYPE_CHECKING:
    from collections.abc import Callable
    from types import TracebackType

    from waitkit.emulator.aws import AutoScalingService, DurableService, LogsService

# Seconds to let in-flight requests finish on shutdown, and to bound the whole shutdown.
_GRACE = 1.0
_SHUTDOWN_BOUND = 10.0


@final
class Emulator:
    """A local AWS + Kubernetes endpoint that real clients talk to over HTTP.

    It runs on asyncio (it is an aiohttp server). Scenario time, which the timelines
    read, is real time multiplied by the scenario's ``speed``, or with
    ``Scenario(clock="manual")`` stands still until :attr:`clock` is advanced.

    Example:
        >>> async def main() -> None:
        ...     async with Emulator(Scenario(speed=10)) as emu:
        ...         print(emu.aws_endpoint)  # give it to aiobotocore as endpoint_url

        With a manual clock, a test decides when each scripted point is reached:

        >>> async def deterministic() -> None:
        ...     async with Emulator(Scenario(clock="manual")) as emu:
        ...         emu.clock.advance_to_next()  # every point due next is reached now
    """

    def __init__(
        self,
        scenario: Scenario | None = None,
        *,
        host: str = "127.0.0.1",
        aws_port: int = 0,
        k8s_port: int = 0,
    ) -> None:
        self.scenario = scenario or Scenario()
        self._host = host
        self._ports = (aws_port, k8s_port)
        self._stack: contextlib.AsyncExitStack | None = None
        self._state: _Running | None = None

    # ------------------------------------------------------------ life cycle

    async def start(self) -> None:
        """Start serving (``async with`` does this for you)."""
        if self._state is not None:
            raise RuntimeError("an emulator runs once; create a new one")
        stack = contextlib.AsyncExitStack()
        self._stack = stack
        try:
            self._state = await self._start(stack)
        except BaseException:
            self._state = None
            await self.aclose()
            raise

    async def aclose(self) -> None:
        """Stop serving, end watch streams and remove the kubeconfig; safe to call twice.

        Counters, faults and the service backends stay readable afterwards.
        """
        stack, self._stack = self._stack, None
        if stack is None:
            return
        # Cleanup must finish even when the caller is being cancelled, but not hang forever.
        with anyio.CancelScope(shield=True), anyio.move_on_after(_SHUTDOWN_BOUND):
            await stack.aclose()
        _forget_middleware_chains()

    async def __aenter__(self) -> Self:
        await self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()

    async def _start(self, stack: contextlib.AsyncExitStack) -> _Running:
        scenario = self.scenario
        clock = ScenarioClock(scenario.speed, mode=scenario.clock)
        counters = RequestCounters()
        faults = FaultInjector(list(scenario.faults), seed=scenario.seed)
        clock.add_due_source(faults.next_due)
        aws = AwsBackend(
            AwsScenario(
                autoscaling=scenario.autoscaling, durable=scenario.durable, logs=scenario.logs
            ),
            clock=clock,
            faults=faults,
            counters=counters,
            seed=scenario.seed,
        )
        kubernetes = KubernetesBackend(
            scenario.kubernetes, clock=clock, faults=faults, counters=counters
        )
        aws_endpoint = await _serve(stack, aws.app, self._host, self._ports[0])
        k8s_endpoint = await _serve(stack, kubernetes.app, self._host, self._ports[1])
        # Registered after the runners, so it runs first: open watches end before shutdown.
        stack.push_async_callback(kubernetes.aclose)
        directory = Path(tempfile.mkdtemp(prefix="waitkit-emulator-"))
        stack.callback(shutil.rmtree, directory, ignore_errors=True)
        kubeconfig = directory / "kubeconfig"
        kubeconfig.write_text(kubernetes.kubeconfig(k8s_endpoint), encoding="utf-8")
        kubeconfig.chmod(0o600)
        clock.start()
        return _Running(
            clock=clock,
            counters=counters,
            faults=faults,
            aws=aws,
            kubernetes=kubernetes,
            aws_endpoint=aws_endpoint,
            k8s_endpoint=k8s_endpoint,
            kubeconfig_path=kubeconfig,
        )

    # ------------------------------------------------------------ what a running emulator offers

    @property
    def _running(self) -> _Running:
        if self._state is None:
            raise RuntimeError("the emulator has not started; use `async with Emulator(...)`")
        return self._state

    @property
    def aws_endpoint(self) -> str:
        """The AWS endpoint URL (``endpoint_url`` for every AWS client)."""
        return self._running.aws_endpoint

    @property
    def k8s_endpoint(self) -> str:
        """The Kubernetes API server URL."""
        return self._running.k8s_endpoint

    @property
    def kubeconfig_path(self) -> Path:
        """A kubeconfig pointing at the Kubernetes endpoint (removed on exit)."""
        return self._running.kubeconfig_path

    @property
    def clock(self) -> ScenarioClock:
        """Scenario time, shared by every backend."""
        return self._running.clock

    @property
    def counters(self) -> RequestCounters:
        """Requests and injected faults per (service, operation)."""
        return self._running.counters

    @property
    def faults(self) -> FaultInjector:
        """The fault injector; ``add`` or ``clear`` faults at run time."""
        return self._running.faults

    @property
    def autoscaling(self) -> AutoScalingService:
        """The Auto Scaling service (add groups and refreshes at run time)."""
        return self._running.aws.autoscaling

    @property
    def durable(self) -> DurableService:
        """The Lambda durable-execution service."""
        return self._running.aws.durable

    @property
    def logs(self) -> LogsService:
        """The Logs Insights service."""
        return self._running.aws.logs

    @property
    def kubernetes(self) -> KubernetesBackend:
        """The Kubernetes backend (add Jobs and Pods at run time)."""
        return self._running.kubernetes


@dataclass(frozen=True)
class _Running:
    """What exists while the emulator is serving (and stays readable after)."""

    clock: ScenarioClock
    counters: RequestCounters
    faults: FaultInjector
    aws: AwsBackend
    kubernetes: KubernetesBackend
    aws_endpoint: str
    k8s_endpoint: str
    kubeconfig_path: Path


async def _serve(
    stack: contextlib.AsyncExitStack, app: web.Application, host: str, port: int
) -> str:
    """Serve ``app`` on ``host:port`` (0: any free port) until ``stack`` closes; return its URL."""
    # access_log=None: the emulator never writes request lines (or their headers) anywhere.
    runner = web.AppRunner(app, access_log=None, handle_signals=False, shutdown_timeout=_GRACE)
    await runner.setup()
    stack.push_async_callback(runner.cleanup)
    site = web.TCPSite(runner, host, port)
    await site.start()
    bound_host, bound_port = runner.addresses[0][:2]
    if ":" in bound_host:  # an IPv6 literal needs brackets in a URL
        bound_host = f"[{bound_host}]"
    return f"http://{bound_host}:{bound_port}"


async def serve(
    scenario: Scenario | None = None,
    *,
    host: str = "127.0.0.1",
    aws_port: int = 0,
    k8s_port: int = 0,
    on_ready: Callable[[Emulator], None] | None = None,
) -> None:
    """Run an emulator until cancelled, without blocking the event loop.

    Args:
        scenario: what to emulate (empty by default).
        host: the address to listen on.
        aws_port: the AWS port (0 picks a free one).
        k8s_port: the Kubernetes port (0 picks a free one).
        on_ready: called once both endpoints are listening.
    """
    async with Emulator(scenario, host=host, aws_port=aws_port, k8s_port=k8s_port) as emulator:
        if on_ready is not None:
            on_ready(emulator)
        await asyncio.Event().wait()


def _forget_middleware_chains() -> None:
    """Drop aiohttp's memo of built middleware chains once an emulator has stopped.

    aiohttp (3.14) memoises each (handler, middlewares) chain in a process-wide LRU of
    1,024 entries. The Kubernetes side's handlers and fault middleware are methods of its
    backend, so each entry kept a stopped emulator's whole cluster alive: a process that
    starts many emulators (the soak, a test session with one per test) grew by about
    0.3 MiB an emulator until the LRU filled. It is a cache, so clearing it only costs a
    rebuild on the next request; it is private to aiohttp, hence the guard.
    """
    from aiohttp import web_app  # noqa: PLC0415 - only used here

    cached = getattr(web_app, "_cached_build_middleware", None)
    cache_clear = getattr(cached, "cache_clear", None)
    if callable(cache_clear):
        cache_clear()
