"""AWS waiters over aiobotocore clients (extra ``waitkit[aws]``).

Each waiter takes a client you already hold (from ``aiobotocore.session`` or an
``aioboto3.Session``) and never creates hidden clients. Errors from botocore are
classified once, in ``waitkit.aws._errors``.
"""

from __future__ import annotations

from waitkit.aws._acceptors import Acceptor
from waitkit.aws._botocore import BotocoreWaiter, BotocoreWaiterState, botocore_waiter
from waitkit.aws._durable_execution import DurableExecutionWaiter, unique_execution_name
from waitkit.aws._durable_state import DurableExecutionState, ExecutionError, ExecutionEvent
from waitkit.aws._errors import AwsClassifier
from waitkit.aws._instance_refresh import (
    InstanceRefreshState,
    InstanceRefreshWaiter,
    RollbackDetails,
)
from waitkit.aws._logs_insights import (
    DEFAULT_QUERY_SLOTS,
    LogsInsightsQuery,
    QueryResults,
    QuerySlots,
    QueryState,
    QueryStatistics,
    QueryWaiter,
)

__all__ = (
    "DEFAULT_QUERY_SLOTS",
    "Acceptor",
    "AwsClassifier",
    "BotocoreWaiter",
    "BotocoreWaiterState",
    "DurableExecutionState",
    "DurableExecutionWaiter",
    "ExecutionError",
    "ExecutionEvent",
    "InstanceRefreshState",
    "InstanceRefreshWaiter",
    "LogsInsightsQuery",
    "QueryResults",
    "QuerySlots",
    "QueryState",
    "QueryStatistics",
    "QueryWaiter",
    "RollbackDetails",
    "botocore_waiter",
    "unique_execution_name",
)
