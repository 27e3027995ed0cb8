"""The AWS side of the emulator: Auto Scaling, Lambda durable executions and Logs Insights."""

from __future__ import annotations

from waitkit.emulator.aws._autoscaling import AutoScalingService
from waitkit.emulator.aws._backend import AwsBackend, AwsScenario
from waitkit.emulator.aws._durable import DurableService
from waitkit.emulator.aws._logs import LogsService
from waitkit.emulator.aws._scenario import (
    AutoScalingGroupScenario,
    AutoScalingScenario,
    DurableScenario,
    ExecutionError,
    ExecutionPoint,
    ExecutionScenario,
    FunctionScenario,
    HistoryEvent,
    InstanceRefreshScenario,
    LogRow,
    LogsScenario,
    QueryPoint,
    QueryScript,
    QueryStatistics,
    RefreshPoint,
)

__all__ = (
    "AutoScalingGroupScenario",
    "AutoScalingScenario",
    "AutoScalingService",
    "AwsBackend",
    "AwsScenario",
    "DurableScenario",
    "DurableService",
    "ExecutionError",
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
    "QueryStatistics",
    "RefreshPoint",
)
