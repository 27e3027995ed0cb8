"""A local cloud for offline tests: AWS and Kubernetes endpoints that real clients talk to.

Example:
    >>> import asyncio
    >>> async def main() -> str:
    ...     async with Emulator(Scenario(speed=10)) as emu:
    ...         return emu.aws_endpoint.split(":")[0]
    >>> asyncio.run(main())
    'http'
"""

from __future__ import annotations

from waitkit.emulator import _renamed
from waitkit.emulator._clock import ScenarioClock
from waitkit.emulator._counters import RequestCounters
from waitkit.emulator._faults import Fault, FaultInjector
from waitkit.emulator._scenario import Scenario, ScenarioError
from waitkit.emulator._server import Emulator, serve
from waitkit.emulator._timeline import TimelinePoint
from waitkit.emulator.aws import (
    AutoScalingGroupScenario,
    AutoScalingScenario,
    AutoScalingService,
    DurableScenario,
    DurableService,
    ExecutionPoint,
    ExecutionScenario,
    FunctionScenario,
    HistoryEvent,
    InstanceRefreshScenario,
    LogRow,
    LogsScenario,
    LogsService,
    QueryPoint,
    QueryScript,
    RefreshPoint,
    ScriptedExecutionError,
    ScriptedQueryStatistics,
)
from waitkit.emulator.k8s import KubernetesBackend, KubernetesScenario

__all__ = (
    "AutoScalingGroupScenario",
    "AutoScalingScenario",
    "AutoScalingService",
    "DurableScenario",
    "DurableService",
    "Emulator",
    "ExecutionPoint",
    "ExecutionScenario",
    "Fault",
    "FaultInjector",
    "FunctionScenario",
    "HistoryEvent",
    "InstanceRefreshScenario",
    "KubernetesBackend",
    "KubernetesScenario",
    "LogRow",
    "LogsScenario",
    "LogsService",
    "QueryPoint",
    "QueryScript",
    "RefreshPoint",
    "RequestCounters",
    "Scenario",
    "ScenarioClock",
    "ScenarioError",
    "ScriptedExecutionError",
    "ScriptedQueryStatistics",
    "TimelinePoint",
    "serve",
)


def __getattr__(name: str) -> object:
    """The old spellings ``ExecutionError`` and ``QueryStatistics`` (deprecated)."""
    return _renamed.attribute(__name__, name, _renamed.AWS_MODELS, globals())
