"""The Kubernetes side of the emulator: an API server that kubectl and kubernetes_asyncio talk to.

Example:
    >>> scenario = KubernetesScenario(jobs=[JobScenario(name="etl")])
    >>> scenario.jobs[0].namespace
    'default'
"""

from __future__ import annotations

from waitkit.emulator._renamed import K8S_MODELS, attribute
from waitkit.emulator.k8s._backend import KubernetesBackend
from waitkit.emulator.k8s._scenario import (
    ContainerState,
    JobPoint,
    JobScenario,
    KubernetesScenario,
    LogPoint,
    PodPhase,
    PodPoint,
    PodScenario,
    ScriptedJobPhase,
)

__all__ = (
    "ContainerState",
    "JobPoint",
    "JobScenario",
    "KubernetesBackend",
    "KubernetesScenario",
    "LogPoint",
    "PodPhase",
    "PodPoint",
    "PodScenario",
    "ScriptedJobPhase",
)


def __getattr__(name: str) -> object:
    """The old spellings of renamed scenario names (deprecated)."""
    return attribute(__name__, name, K8S_MODELS, globals())
