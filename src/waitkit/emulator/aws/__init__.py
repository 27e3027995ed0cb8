"""The AWS side of the emulator: Auto Scaling, Lambda durable executions and Logs Insights."""

from __future__ import annotations

from waitkit.emulator import _renamed
from waitkit.emulator.aws._autoscaling import AutoScalingService
from waitkit.emulator.aws._backend import AwsBackend, AwsScenario
from waitkit.emulator.aws._durable import DurableService
from waitkit.emulator.aws._logs import LogsService
from waitkit.emulator.aws._scenario import (
    AutoScalingGroupScenario,
    AutoScalingScenario,
    DurableScenario,
    ExecutionPoint,
    ExecutionScenario,
    FunctionScenario,
    HistoryEvent,
    InstanceRefreshScenario,
    LogRow,
    LogsScenario,
    QueryPoint,
    QueryScript,
    RefreshPoint,
    ScriptedExecutionError,
    ScriptedQueryStatistics,
)

__all__ = (
    "AutoScalingGroupScenario",
    "AutoScalingScenario",
    "AutoScalingService",
    "AwsBackend",
    "AwsScenario",
    "DurableScenario",
    "DurableService",
    "ExecutionPoint",
    "ExecutionScenario",
    "FunctionScenario",
    "HistoryEvent",
    "InstanceRefreshScenario",
    "LogRow",
    "LogsScenario",
    "LogsService",
    "QueryPoint",
    "QueryScript",
    "RefreshPoint",
    "ScriptedExecutionError",
    "ScriptedQueryStatistics",
)


def __getattr__(name: str) -> object:
    """The old spellings ``ExecutionError`` and ``QueryStatistics`` (deprecated)."""
    return _renamed.attribute(__name__, name, _renamed.AWS_MODELS, globals())
