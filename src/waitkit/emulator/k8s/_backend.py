"""KubernetesBackend: the aiohttp application plus the run-time controls."""

from __future__ import annotations

import asyncio
import contextlib
from collections import Counter
from collections.abc import Sequence
from typing import Any

from aiohttp import web

from waitkit.emulator._clock import ScenarioClock
from waitkit.emulator._counters import RequestCounters
from waitkit.emulator._faults import FaultInjector
from waitkit.emulator.k8s._cluster import Cluster
from waitkit.emulator.k8s._kubeconfig import kubeconfig
from waitkit.emulator.k8s._logs import LogStreams
from waitkit.emulator.k8s._routes import Routes
from waitkit.emulator.k8s._scenario import (
    JobPoint,
    JobScenario,
    KubernetesScenario,
    PodPoint,
    PodScenario,
    ScriptedJobPhase,
)
from waitkit.emulator.k8s._watch import WatchHub
from waitkit.emulator.k8s._wire_faults import FaultMiddleware


class KubernetesBackend:
    """An emulated Kubernetes API server for Jobs, Pods and Namespaces.

    Serve :attr:`app` on a socket, hand :meth:`kubeconfig` to kubectl or
    kubernetes_asyncio, and drive the cluster from Python with the run-time
    methods. Call :meth:`aclose` before stopping the server: it ends open watches.

    Example:
        >>> from waitkit.emulator import FaultInjector, RequestCounters, ScenarioClock
        >>> backend = KubernetesBackend(
        ...     KubernetesScenario(jobs=[JobScenario(name="etl")]),
        ...     clock=ScenarioClock(), faults=FaultInjector(), counters=RequestCounters())
        >>> backend.get_job("etl")["status"]["active"]
        1
    """

    def __init__(
        self,
        scenario: KubernetesScenario,
        *,
        clock: ScenarioClock,
        faults: FaultInjector,
        counters: RequestCounters,
    ) -> None:
        self.scenario = scenario
        self.clock = clock
        self.faults = faults
        self.counters = counters
        self.requests: Counter[tuple[str, str]] = Counter()
        """Requests per (verb, resource), e.g. ``("watch", "jobs")``."""
        self.cluster = Cluster(scenario, clock)
        self.cluster.on_change = self._wake
        clock.add_due_source(self.cluster.next_due)
        # Log lines are points too (advance_to_next stops at each); the ticker needs not.
        clock.add_due_source(self.cluster.next_line_due)
        clock.on_advance(self._time_moved)
        self._hub = WatchHub(self.cluster, scenario, counters)
        self.logs = LogStreams(self.cluster, clock)
        """The ``pods/log`` streams (``open``/``opened`` count the followed ones)."""
        middleware = FaultMiddleware(
            clock=clock,
            faults=faults,
            counters=counters,
            requests=self.requests,
            on_request=self._ensure_ticker,
        )
        self.app = web.Application(middlewares=[middleware.middleware])
        Routes(self.cluster, self._hub, self.logs).add_to(self.app)
        self._ticker: asyncio.Task[None] | None = None
        self._wakeup: asyncio.Event | None = None

    # ------------------------------------------------------------ lifecycle

    async def aclose(self) -> None:
        """End every open watch and log stream (cleanly) and stop the timeline ticker."""
        await self._hub.close()
        await self.logs.close()
        if self._ticker is not None:
            self._ticker.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._ticker
            self._ticker = None

    def kubeconfig(self, server_url: str, *, namespace: str = "default") -> str:
        """Kubeconfig YAML for a server at ``server_url`` (plain HTTP, fake bearer token)."""
        return kubeconfig(server_url, namespace=namespace)

    def _ensure_ticker(self) -> None:
        # Started lazily: the backend is built before any event loop runs the server.
        if self._ticker is None or self._ticker.done():
            self._wakeup = asyncio.Event()
            self._ticker = asyncio.get_running_loop().create_task(self._tick())

    def _wake(self) -> None:
        if self._wakeup is not None:
            self._wakeup.set()
        self.logs.notify()  # followed logs look again (a pod may have ended or gone)

    def _time_moved(self) -> None:
        # Re-render at once, so watch events are queued by the time advance() returns.
        self.cluster.refresh_all()
        self._changed()

    async def _tick(self) -> None:
        assert self._wakeup is not None  # noqa: S101 - set before the task starts
        while True:
            self.cluster.refresh_all()
            wait = self.scenario.tick
            due = self.cluster.next_due(self.clock.now())
            real = None if due is None else self.clock.real_seconds(due - self.clock.now())
            if real is not None:
                wait = min(max(real, 0.0) + 0.001, wait)
            self._wakeup.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wakeup.wait(), timeout=wait)

    def _changed(self) -> None:
        with contextlib.suppress(RuntimeError):  # no running loop: the first request starts it
            self._ensure_ticker()
        self._wake()

    # ------------------------------------------------------------ run-time controls

    @property
    def resource_version(self) -> int:
        """The cluster's current resourceVersion."""
        return self.cluster.store.resource_version

    def create_namespace(self, name: str) -> dict[str, Any]:
        """Add a namespace."""
        return self.cluster.add_namespace(name)

    def create_job(self, job: JobScenario) -> dict[str, Any]:
        """Add a Job now (its timeline counts from now); returns the object."""
        obj = self.cluster.add_job(job)
        self._changed()
        return obj

    def delete_job(
        self, name: str, *, namespace: str = "default", pods: bool = True
    ) -> dict[str, Any]:
        """Delete a Job (and, with ``pods``, its pods, as ``propagationPolicy=Background``)."""
        obj = self.cluster.delete("jobs", namespace, name)
        if pods:
            for pod in list(self.cluster.store.items("pods", namespace)):
                if pod["metadata"].get("labels", {}).get("batch.kubernetes.io/job-name") == name:
                    self.cluster.delete("pods", namespace, pod["metadata"]["name"])
        self._changed()
        return obj

    def get_job(self, name: str, *, namespace: str = "default") -> dict[str, Any]:
        """The Job object as a client would read it now (not counted as an observation)."""
        obj = self.cluster.read(("jobs", namespace, name))
        if obj is None:
            raise KeyError(f"job {namespace}/{name}")
        return obj

    def set_job_timeline(
        self, name: str, timeline: Sequence[JobPoint], *, namespace: str = "default"
    ) -> dict[str, Any]:
        """Replace a Job's timeline; ``at`` and ``after`` count from now."""
        obj = self.cluster.set_timeline("jobs", namespace, name, list(timeline))
        self._changed()
        return obj

    def set_job_phase(
        self,
        name: str,
        phase: ScriptedJobPhase,
        *,
        namespace: str = "default",
        reason: str | None = None,
        message: str | None = None,
    ) -> dict[str, Any]:
        """Move a Job to ``phase`` now (e.g. ``"complete"``); watchers get MODIFIED."""
        point = JobPoint(after=0, phase=phase, reason=reason, message=message)
        return self.set_job_timeline(name, [point], namespace=namespace)

    def create_pod(self, pod: PodScenario) -> dict[str, Any]:
        """Add a Pod now (its timeline counts from now)."""
        obj = self.cluster.add_pod(pod)
        self._changed()
        return obj

    def delete_pod(self, name: str, *, namespace: str = "default") -> dict[str, Any]:
        """Delete a Pod."""
        obj = self.cluster.delete("pods", namespace, name)
        self._changed()
        return obj

    def get_pod(self, name: str, *, namespace: str = "default") -> dict[str, Any]:
        """The Pod object as a client would read it now (not counted as an observation)."""
        obj = self.cluster.read(("pods", namespace, name))
        if obj is None:
            raise KeyError(f"pod {namespace}/{name}")
        return obj

    def set_pod_timeline(
        self, name: str, timeline: Sequence[PodPoint], *, namespace: str = "default"
    ) -> dict[str, Any]:
        """Replace a Pod's timeline; ``at`` and ``after`` count from now."""
        obj = self.cluster.set_timeline("pods", namespace, name, list(timeline))
        self._changed()
        return obj

    def compact_history(self) -> None:
        """Forget the watch history: resuming from any version before now gets 410 Expired."""
        self.cluster.store.compact()
