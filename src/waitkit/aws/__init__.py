"""AWS waiters over aiobotocore clients (extra ``waitkit[aws]``).

Each waiter takes a client you already hold (from ``aiobotocore.session`` or an
``aioboto3.Session``) and never creates hidden clients. Errors from botocore are
classified once, in ``waitkit.aws._errors``.
"""

from __future__ import annotations

import warnings

from waitkit.aws._acceptors import Acceptor
from waitkit.aws._botocore import BotocoreWaiter, BotocoreWaiterState, botocore_waiter
from waitkit.aws._durable_execution import DurableExecutionWaiter, unique_execution_name
from waitkit.aws._durable_state import (
    DurableExecutionState,
    ExecutionErrorDetails,
    ExecutionEvent,
)
from waitkit.aws._errors import AwsClassifier
from waitkit.aws._instance_refresh import (
    InstanceRefreshState,
    InstanceRefreshWaiter,
    RollbackDetails,
)
from waitkit.aws._logs_insights._models import QueryResults, QueryState, QueryStatistics
from waitkit.aws._logs_insights._query import LogsInsightsQuery
from waitkit.aws._logs_insights._slots import DEFAULT_QUERY_SLOTS, QuerySlots
from waitkit.aws._logs_insights._waiters import QueryWaiter

__all__ = (
    "DEFAULT_QUERY_SLOTS",
    "Acceptor",
    "AwsClassifier",
    "BotocoreWaiter",
    "BotocoreWaiterState",
    "DurableExecutionState",
    "DurableExecutionWaiter",
    "ExecutionErrorDetails",
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


def __getattr__(name: str) -> object:
    """``ExecutionError``, the old name of :class:`ExecutionErrorDetails` (deprecated).

    It was renamed because it is data, not an exception, and because the emulator's
    scenario model of a scripted error has that name.
    """
    if name == "ExecutionError":
        warnings.warn(
            "waitkit.aws.ExecutionError was renamed waitkit.aws.ExecutionErrorDetails; the "
            "old name goes in the next release",
            DeprecationWarning,
            stacklevel=2,
        )
        return ExecutionErrorDetails
    msg = f"module {__name__!r} has no attribute {name!r}"
    raise AttributeError(msg)
