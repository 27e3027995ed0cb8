"""LogsInsightsQuery: what to run (checked before any call), and the ways to run it."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any, final

from waitkit._core import (
    UNSET,
    ConfigurationError,
    Unset,
    ensure_policy,
    require_int,
    require_text,
    seconds,
)
from waitkit.aws._logs_insights._arguments import (
    MAX_LIMIT,
    MAX_PAGE,
    MAX_QUERY_LENGTH,
    epoch_of,
    log_groups_of,
    page_size_of,
    require_paging,
    slots_of,
)
from waitkit.aws._logs_insights._models import QueryResults
from waitkit.aws._logs_insights._slots import DEFAULT_QUERY_SLOTS, QuerySlots
from waitkit.aws._logs_insights._waiters import StartingQueryWaiter
from waitkit.aws._validate import require_client

if TYPE_CHECKING:
    from collections.abc import Sequence
    from datetime import datetime

    from types_aiobotocore_logs.client import CloudWatchLogsClient

    from waitkit._core import Duration, Policy, Waiter
    from waitkit.aws._logs_insights._models import QueryState


@final
class LogsInsightsQuery:
    """A Logs Insights query to run: start it, wait for it, return its rows.

    Arguments are checked here, before any call. Each :meth:`results` (or each wait of
    :meth:`waiter`) runs the query anew; a cancelled or timed-out wait stops its query
    (``StopQuery``, shielded, bounded by the client's connect + read timeout, at most 60 s).

    Args:
        client: an aiobotocore ``logs`` client.
        log_groups: one name or ARN, or 1 to 50 of them (ARNs are sent as
            ``logGroupIdentifiers``, names as ``logGroupNames``).
        query: the query in the Logs Insights language, 1 to 10,000 characters.
        start: the first moment searched: an aware :class:`~datetime.datetime` or
            epoch seconds (rounded down).
        end: the last moment searched (inclusive; rounded up); not before ``start``.
        limit: most rows returned, 1 to 100,000 (default: the service's); above
            10,000 needs result paging (aiobotocore >= 3.0).
        policy: delays, deadline and retries (default: the engine's default policy).
        slots: the admission gate (default :data:`DEFAULT_QUERY_SLOTS`, shared by the
            process); ``None`` is not allowed, give a large ``QuerySlots`` instead.
        unknown_grace: how long a streak of ``Unknown`` statuses is tolerated (>= 0 s).
        page_size: rows per GetQueryResults page (``maxItems``, 1 to 10,000); default
            the service's (10,000). Needs aiobotocore >= 3.0: older botocore (aioboto3
            15.5) does not model result paging, and then every row comes in one answer.

    Raises:
        ConfigurationError: an argument is out of range, or needs result paging that
            the client's botocore does not model.

    Example:
        >>> import datetime as dt
        >>> # async with session.create_client("logs") as client:
        >>> #     end = dt.datetime.now(dt.UTC)
        >>> #     query = LogsInsightsQuery(
        >>> #         client, "/aws/lambda/orders", "fields @message | filter level = 'ERROR'",
        >>> #         start=end - dt.timedelta(minutes=15), end=end,
        >>> #     )
        >>> #     results = await query.results(min_rows=1, propagation_delay=30, timeout=300)
        >>> #     for row in results.rows: print(row["@message"])
    """

    def __init__(
        self,
        client: CloudWatchLogsClient,
        log_groups: str | Sequence[str],
        query: str,
        start: datetime | float,
        end: datetime | float,
        *,
        limit: int | None = None,
        policy: Policy | None = None,
        slots: QuerySlots = DEFAULT_QUERY_SLOTS,
        unknown_grace: Duration = 10.0,
        page_size: int | None = None,
    ) -> None:
        require_client(client, "logs", "LogsInsightsQuery")
        self.client = client
        self.log_groups: tuple[str, ...] = log_groups_of(log_groups)
        self.query = require_text("query", query, max_length=MAX_QUERY_LENGTH)
        self.start = epoch_of("start", start, math.floor)
        self.end = epoch_of("end", end, math.ceil)
        if self.end < self.start:
            msg = f"end must not be before start, got start={self.start}, end={self.end} (epoch s)"
            raise ConfigurationError(msg)
        self.limit = None if limit is None else require_int("limit", limit, 1, MAX_LIMIT)
        if self.limit is not None and self.limit > MAX_PAGE:
            # Rows past the first page come only through nextToken.
            require_paging(client, f"limit above {MAX_PAGE:,}")
        self.policy = None if policy is None else ensure_policy(policy)
        self.slots = slots_of(slots)
        self.unknown_grace = seconds("unknown_grace", unknown_grace)
        self.page_size = page_size_of(client, page_size)

    def request(self) -> dict[str, Any]:
        """The StartQuery parameters this query sends."""
        params: dict[str, Any] = {
            "queryString": self.query,
            "startTime": self.start,
            "endTime": self.end,
        }
        if any(group.startswith("arn:") for group in self.log_groups):
            params["logGroupIdentifiers"] = list(self.log_groups)
        else:
            params["logGroupNames"] = list(self.log_groups)
        if self.limit is not None:
            params["limit"] = self.limit
        return params

    def waiter(self, *, min_rows: int = 0, propagation_delay: Duration = 0.0) -> Waiter[QueryState]:
        """A waiter that starts this query on each wait, for :func:`waitkit.wait_all`.

        Args:
            min_rows: run the query again until it returns at least this many rows
                (logs still being ingested); 0 accepts any ``Complete`` answer. Each
                run searches the same ``start`` to ``end``.
            propagation_delay: sleep this long before the first StartQuery (within the
                wait's deadline), so freshly written events are searchable.

        Raises:
            ConfigurationError: an argument is out of range.
        """
        bound = self.limit if self.limit is not None else MAX_LIMIT
        rows = require_int("min_rows", min_rows, 0, bound)
        delay = seconds("propagation_delay", propagation_delay)
        return StartingQueryWaiter(self, min_rows=rows, propagation_delay=delay)

    async def results(
        self,
        *,
        min_rows: int = 0,
        propagation_delay: Duration = 0.0,
        timeout: Duration | Unset | None = UNSET,
    ) -> QueryResults:
        """Run the query and return its rows once ``Complete``.

        Args:
            min_rows: run the query again until at least this many rows come back
                (each run searches the same ``start`` to ``end``).
            propagation_delay: sleep this long before the first StartQuery.
            timeout: total seconds (or timedelta) including admission and re-runs;
                ``None`` for no bound; default the policy's.

        Raises:
            WaitTimeoutError: not done by the deadline (``.state.rows`` holds the last
                complete run's rows when ``min_rows`` was not reached).
            WaitFailedError: the query ended ``Failed``, ``Cancelled``, ``Timeout`` or
                stayed ``Unknown``.
            ConfigurationError: StartQuery refused the query (``MalformedQueryException``,
                ``InvalidParameterException``), with the service's message.
            ResourceNotFoundError: a log group does not exist.
            ProbeError: another error that retrying will not fix.
        """
        waiter = self.waiter(min_rows=min_rows, propagation_delay=propagation_delay)
        result = await waiter.wait(timeout=timeout)
        return QueryResults.from_state(result.state)
