"""The Kubernetes side of the emulator: an API server that kubectl and kubernetes_asyncio talk to.

Example:
    >>> scenario = KubernetesScenario(jobs=[JobScenario(name="etl")])
    >>> scenario.jobs[0].namespace
    'default'
"""

from __future__ import annotations

from waitkit.emulator.k8s._backend import KubernetesBackend
from waitkit.emulator.k8s._scenario import (
    ContainerState,
    JobPhase,
    JobPoint,
    JobScenario,
    KubernetesScenario,
    LogPoint,
    PodPhase,
    PodPoint,
    PodScenario,
)

__all__ = (
    "ContainerState",
    "JobPhase",
    "JobPoint",
    "JobScenario",
    "KubernetesBackend",
    "KubernetesScenario",
    "LogPoint",
    "PodPhase",
    "PodPoint",
    "PodScenario",
)
