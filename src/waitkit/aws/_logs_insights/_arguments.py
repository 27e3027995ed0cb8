"""Argument checks of Logs Insights queries: ``ConfigurationError`` before any call."""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Final

import botocore

from waitkit._core import ConfigurationError, require_int
from waitkit.aws._logs_insights._slots import QuerySlots
from waitkit.aws._validate import require_name

if TYPE_CHECKING:
    from collections.abc import Callable

    from types_aiobotocore_logs.client import CloudWatchLogsClient

MAX_LOG_GROUPS: Final = 50
MAX_QUERY_LENGTH: Final = 10_000
MAX_LIMIT: Final = 100_000
MAX_PAGE: Final = 10_000


def page_size_of(client: CloudWatchLogsClient, value: object) -> int | None:
    if value is None:
        return None
    size = require_int("page_size", value, 1, MAX_PAGE)
    require_paging(client, "page_size")
    return size


def require_paging(client: CloudWatchLogsClient, argument: str) -> None:
    """Refuse ``argument`` on a botocore whose GetQueryResults has no maxItems / nextToken.

    Such a botocore (1.40.61, pinned by aioboto3 15.5) drops the ``nextToken`` of an
    answer, so only the first page (up to 10,000 rows) could ever come back.
    """
    shape = client.meta.service_model.operation_model("GetQueryResults").input_shape
    if shape is not None and "maxItems" in shape.members:
        return
    msg = (
        f"{argument} needs GetQueryResults paging (maxItems, nextToken), which the client's "
        f"botocore {botocore.__version__} does not model; use aiobotocore >= 3.0 "
        f"(without paging every answer holds its first {MAX_PAGE:,} rows)"
    )
    raise ConfigurationError(msg)


def slots_of(value: object) -> QuerySlots:
    if not isinstance(value, QuerySlots):
        msg = f"slots must be a QuerySlots, got {type(value).__name__}"
        raise ConfigurationError(msg)
    return value


def log_groups_of(value: object) -> tuple[str, ...]:
    groups = (value,) if isinstance(value, str) else value
    if not isinstance(groups, Sequence) or not 1 <= len(groups) <= MAX_LOG_GROUPS:
        msg = f"log_groups must be a name or 1 to {MAX_LOG_GROUPS} names, got {value!r}"
        raise ConfigurationError(msg)
    # Names are 1-512 characters, ARNs (logGroupIdentifiers) up to 2048.
    return tuple(require_name("log_groups entry", group, max_length=2048) for group in groups)


def epoch_of(name: str, value: object, rounding: Callable[[float], int]) -> int:
    if isinstance(value, datetime):
        if value.tzinfo is None:
            msg = f"{name} must be a timezone-aware datetime (naive is ambiguous), got {value!r}"
            raise ConfigurationError(msg)
        return int(rounding(value.timestamp()))
    if isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value):
        if value < 0:
            msg = f"{name} must be epoch seconds >= 0, got {value!r}"
            raise ConfigurationError(msg)
        return int(rounding(value))
    msg = f"{name} must be an aware datetime or epoch seconds, got {value!r}"
    raise ConfigurationError(msg)
