"""The AWS scenario format: Auto Scaling groups, durable functions and Logs Insights scripts.

Every scripted resource has a ``timeline`` of points (see
:mod:`waitkit.emulator._timeline`); a point only sets the fields it names and
keeps the others from the points before it. The first point is the resource's
state from its creation, whether or not its trigger was reached.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, JsonValue

from waitkit.emulator._timeline import TimelinePoint

RefreshStatus = Literal[
    "Pending",
    "InProgress",
    "Successful",
    "Failed",
    "Cancelling",
    "Cancelled",
    "RollbackInProgress",
    "RollbackFailed",
    "RollbackSuccessful",
    "Baking",
]
ExecutionStatus = Literal["RUNNING", "SUCCEEDED", "FAILED", "TIMED_OUT", "STOPPED"]
QueryStatus = Literal[
    "Scheduled", "Running", "Complete", "Failed", "Cancelled", "Timeout", "Unknown"
]
EventType = Literal[
    "ExecutionStarted",
    "ExecutionSucceeded",
    "ExecutionFailed",
    "ExecutionTimedOut",
    "ExecutionStopped",
    "ContextStarted",
    "ContextSucceeded",
    "ContextFailed",
    "WaitStarted",
    "WaitSucceeded",
    "WaitCancelled",
    "StepStarted",
    "StepSucceeded",
    "StepFailed",
    "ChainedInvokeStarted",
    "ChainedInvokeSucceeded",
    "ChainedInvokeFailed",
    "ChainedInvokeTimedOut",
    "ChainedInvokeStopped",
    "CallbackStarted",
    "CallbackSucceeded",
    "CallbackFailed",
    "CallbackTimedOut",
    "InvocationCompleted",
]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


# ---------------------------------------------------------------- Auto Scaling


class RefreshPoint(TimelinePoint):
    """One step of an instance refresh; unset fields keep their previous value."""

    status: RefreshStatus | None = None
    status_reason: str | None = Field(default=None, max_length=1023)
    percentage_complete: int | None = Field(default=None, ge=0, le=100)
    instances_to_update: int | None = Field(default=None, ge=0)
    warm_pool_percentage_complete: int | None = Field(default=None, ge=0, le=100)
    warm_pool_instances_to_update: int | None = Field(default=None, ge=0)
    rollback_reason: str | None = Field(default=None, max_length=1023)
    percentage_complete_on_rollback: int | None = Field(default=None, ge=0, le=100)
    instances_to_update_on_rollback: int | None = Field(default=None, ge=0)


def _default_start() -> list[RefreshPoint]:
    return [
        RefreshPoint(at=0, status="Pending", percentage_complete=0, instances_to_update=2),
        RefreshPoint(at=1, status="InProgress"),
        RefreshPoint(at=2, percentage_complete=50, instances_to_update=1),
        RefreshPoint(at=3, status="Successful", percentage_complete=100, instances_to_update=0),
    ]


def _default_cancel() -> list[RefreshPoint]:
    return [RefreshPoint(at=0, status="Cancelling"), RefreshPoint(at=1, status="Cancelled")]


def _default_rollback() -> list[RefreshPoint]:
    return [
        RefreshPoint(
            at=0,
            status="RollbackInProgress",
            rollback_reason="Rollback requested by the user",
            percentage_complete_on_rollback=0,
        ),
        RefreshPoint(
            at=1,
            status="RollbackSuccessful",
            percentage_complete=0,
            percentage_complete_on_rollback=100,
            instances_to_update_on_rollback=0,
        ),
    ]


class InstanceRefreshScenario(_Model):
    """An instance refresh that exists when the emulator starts."""

    id: str | None = Field(default=None, description="InstanceRefreshId (a UUID by default)")
    created: float = Field(
        default=0.0,
        description="scenario seconds; negative: before the start; later ones appear then",
    )
    strategy: Literal["Rolling", "ReplaceRootVolume"] = "Rolling"
    preferences: dict[str, JsonValue] | None = None
    desired_configuration: dict[str, JsonValue] | None = Field(
        default=None,
        description="without one, RollbackInstanceRefresh answers IrreversibleInstanceRefresh",
    )
    timeline: list[RefreshPoint] = Field(default_factory=_default_start, min_length=1)


class AutoScalingGroupScenario(_Model):
    """An Auto Scaling group and the refreshes it has or will get."""

    name: str = Field(min_length=1, max_length=255)
    refreshes: list[InstanceRefreshScenario] = Field(default_factory=list)
    on_start: list[RefreshPoint] = Field(
        default_factory=_default_start,
        min_length=1,
        description="timeline of refreshes created by StartInstanceRefresh",
    )
    on_cancel: list[RefreshPoint] = Field(
        default_factory=_default_cancel,
        min_length=1,
        description="timeline a refresh follows after CancelInstanceRefresh (from the call)",
    )
    on_rollback: list[RefreshPoint] = Field(
        default_factory=_default_rollback,
        min_length=1,
        description="timeline a refresh follows after RollbackInstanceRefresh",
    )


class AutoScalingScenario(_Model):
    """The emulated Auto Scaling service."""

    groups: list[AutoScalingGroupScenario] = Field(default_factory=list)


# ---------------------------------------------------------------- Lambda durable executions


class ScriptedExecutionError(_Model):
    """The scripted ``Error`` of a failed, timed-out or stopped execution.

    Example:
        >>> point = ExecutionPoint(
        ...     at=2, status="FAILED", error=ScriptedExecutionError(error_type="CardDeclined")
        ... )
        >>> point.error.error_type
        'CardDeclined'
    """

    error_message: str | None = None
    error_type: str | None = None
    error_data: str | None = None
    stack_trace: list[str] = Field(default_factory=list)


class HistoryEvent(_Model):
    """A scripted history event; ``details`` is its ``<EventType>Details`` structure, AWS-style."""

    event_type: EventType
    name: str | None = None
    sub_type: str | None = None
    details: dict[str, JsonValue] = Field(default_factory=dict)


class ExecutionPoint(TimelinePoint):
    """One step of a durable execution; ``events`` are appended to its history when reached."""

    status: ExecutionStatus | None = None
    result: str | None = Field(default=None, description="the JSON result, shown once SUCCEEDED")
    error: ScriptedExecutionError | None = None
    events: list[HistoryEvent] = Field(default_factory=list)


def _default_invoke() -> list[ExecutionPoint]:
    return [
        ExecutionPoint(at=0, status="RUNNING"),
        ExecutionPoint(at=1, status="SUCCEEDED", result="null"),
    ]


class ExecutionScenario(_Model):
    """A durable execution that exists when the emulator starts."""

    name: str = Field(min_length=1, max_length=64, pattern=r"^[a-zA-Z0-9_-]+$")
    id: str | None = Field(default=None, description="last part of the ARN (a UUID by default)")
    started: float = Field(
        default=0.0, description="scenario seconds; negative: before the start; later: appears then"
    )
    input: str | None = Field(default=None, description="the JSON input payload")
    timeline: list[ExecutionPoint] = Field(
        default_factory=lambda: [ExecutionPoint(at=0, status="RUNNING")], min_length=1
    )


class FunctionScenario(_Model):
    """A durable function and its executions."""

    name: str = Field(min_length=1, max_length=64, pattern=r"^[a-zA-Z0-9_-]+$")
    executions: list[ExecutionScenario] = Field(default_factory=list)
    on_invoke: list[ExecutionPoint] = Field(
        default_factory=_default_invoke,
        min_length=1,
        description="timeline of executions started by Invoke",
    )


class DurableScenario(_Model):
    """The emulated Lambda durable-execution API."""

    region: str = "us-east-1"
    account_id: str = Field(default="123456789012", pattern=r"^\d{12}$")
    functions: list[FunctionScenario] = Field(default_factory=list)


# ---------------------------------------------------------------- CloudWatch Logs Insights


class ScriptedQueryStatistics(_Model):
    """Scripted ``statistics`` of GetQueryResults; unset values are derived from the rows shown.

    Example:
        >>> point = QueryPoint(
        ...     at=1, status="Complete", statistics=ScriptedQueryStatistics(bytes_scanned=4096)
        ... )
        >>> point.statistics.records_matched is None  # derived from the rows when answered
        True
    """

    records_matched: float | None = None
    records_scanned: float | None = None
    estimated_records_skipped: float | None = None
    bytes_scanned: float | None = None
    estimated_bytes_skipped: float | None = None
    log_groups_scanned: float | None = None


class QueryPoint(TimelinePoint):
    """One step of a Logs Insights query."""

    status: QueryStatus
    rows: int | None = Field(
        default=None,
        ge=0,
        description="rows returned at this point (partial results); default: all if Complete",
    )
    statistics: ScriptedQueryStatistics | None = None


class LogRow(_Model):
    """A result row; it exists for queries started at or after ``ingested_at`` (ingestion delay)."""

    fields: dict[str, str] = Field(min_length=1)
    ingested_at: float = Field(default=0.0, description="scenario seconds")


def _default_query() -> list[QueryPoint]:
    return [
        QueryPoint(at=0, status="Scheduled"),
        QueryPoint(at=0.5, status="Running"),
        QueryPoint(at=1, status="Complete"),
    ]


class QueryScript(_Model):
    """How queries whose text contains ``match`` behave (the first matching script wins)."""

    match: str = Field(default="", description="substring of the query string; empty matches any")
    timeline: list[QueryPoint] = Field(default_factory=_default_query, min_length=1)
    rows: list[LogRow] = Field(default_factory=list)


class LogsScenario(_Model):
    """The emulated CloudWatch Logs Insights API."""

    max_concurrent_queries: int = Field(
        default=100,
        ge=1,
        description="Scheduled/Running queries allowed before LimitExceededException",
    )
    malformed_queries: list[str] = Field(
        default_factory=list, description="query strings answered with MalformedQueryException"
    )
    log_groups: list[str] | None = Field(
        default=None, description="known log groups; None accepts any name"
    )
    queries: list[QueryScript] = Field(default_factory=list)
