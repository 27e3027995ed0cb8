"""The two Logs Insights waiters: one for a query started elsewhere, one that starts its own."""

from __future__ import annotations

from abc import abstractmethod
from typing import TYPE_CHECKING, Final, final

from waitkit._core import Waiter, one_look, require_text, seconds
from waitkit.aws._errors import AwsClassifier
from waitkit.aws._logs_insights._arguments import page_size_of
from waitkit.aws._logs_insights._models import QueryState, judge
from waitkit.aws._logs_insights._query_wait import QueryWait
from waitkit.aws._validate import require_client

if TYPE_CHECKING:
    from types_aiobotocore_logs.client import CloudWatchLogsClient

    from waitkit._core import Duration, Policy, Target, Verdict
    from waitkit.aws._logs_insights._query import LogsInsightsQuery

_CLASSIFIER: Final = AwsClassifier()


class BaseQueryWaiter(Waiter[QueryState]):
    """A waiter whose every wait gets a fresh :class:`QueryWait` (the waiter stays reusable).

    No shared throttle budget: StartQuery's LimitExceededException is the account's
    *concurrency* limit (:class:`QuerySlots` handles it), and pacing every wait on the
    client for it would starve the GetQueryResults of queries already running.
    """

    kind = "logs_insights_query"
    classifier = _CLASSIFIER

    def __init__(self, *, policy: Policy | None, min_rows: int, unknown_grace: float) -> None:
        super().__init__(policy=policy)
        self._min_rows = min_rows
        self._unknown_grace = unknown_grace

    @abstractmethod
    def _query_wait(self, deadline: float | None, *, stop_on_exit: bool) -> QueryWait:
        """A fresh target for one wait (``stop_on_exit``: stop the query when it ends)."""

    def verdict(self, state: QueryState) -> Verdict:
        """Judge one state on its own (within a wait, ``Unknown`` gets its grace first)."""
        return judge(
            state, min_rows=self._min_rows, unknown_grace=self._unknown_grace, in_grace=False
        )


@final
class QueryWaiter(BaseQueryWaiter):
    """Wait for a Logs Insights query that was started elsewhere (by its query id).

    Use it with :func:`waitkit.wait_all` and :meth:`waitkit.Waiter.states` like any
    waiter. ``wait()`` returns a :class:`~waitkit.WaitResult` whose ``state.rows`` holds
    every row; :meth:`QueryResults.from_state` turns it into results.

    Args:
        client: an aiobotocore ``logs`` client.
        query_id: the ``queryId`` StartQuery returned.
        policy: delays, deadline and retries (default: the engine's default policy).
        unknown_grace: how long a streak of ``Unknown`` statuses is tolerated before it is a
            failure (seconds or timedelta, >= 0; 0 fails at once).
        stop_on_exit: send StopQuery when the wait is cancelled or times out (off by
            default: whoever started the query owns it).
        page_size: rows per GetQueryResults page (``maxItems``, 1 to 10,000); default
            the service's (10,000). Needs aiobotocore >= 3.0 (see :class:`LogsInsightsQuery`).

    Example:
        >>> # started = await client.start_query(...)
        >>> # result = await QueryWaiter(client, started["queryId"]).wait(timeout=300)
        >>> # rows = result.state.rows
    """

    def __init__(
        self,
        client: CloudWatchLogsClient,
        query_id: str,
        *,
        policy: Policy | None = None,
        unknown_grace: Duration = 10.0,
        page_size: int | None = None,
        stop_on_exit: bool = False,
    ) -> None:
        grace = seconds("unknown_grace", unknown_grace)
        super().__init__(policy=policy, min_rows=0, unknown_grace=grace)
        require_client(client, "logs", "QueryWaiter")
        self.client = client
        self.query_id = require_text("query_id", query_id, max_length=256)
        self.unknown_grace = grace
        self.page_size = page_size_of(client, page_size)
        self.stop_on_exit = bool(stop_on_exit)

    @property
    def resource_id(self) -> str:
        """The query id."""
        return self.query_id

    async def observe(self) -> QueryState:
        """One look outside a wait: one GetQueryResults (and the further pages once ``Complete``).

        The query is never stopped by a look, whatever ``stop_on_exit`` says.
        """
        return await one_look(self._query_wait(None, stop_on_exit=False))

    def for_wait(self, deadline: float | None) -> Target[QueryState]:
        """A fresh target per wait: its ``Unknown`` timer."""
        return self._query_wait(deadline, stop_on_exit=self.stop_on_exit)

    def _query_wait(self, deadline: float | None, *, stop_on_exit: bool) -> QueryWait:
        return QueryWait(
            self,
            self.client,
            query_id=self.query_id,
            request=None,
            slots=None,
            min_rows=0,
            propagation_delay=0.0,
            unknown_grace=self.unknown_grace,
            stop_on_exit=stop_on_exit,
            deadline=deadline,
            description="started elsewhere",
            page_size=self.page_size,
            label=self.query_id,
        )


class StartingQueryWaiter(BaseQueryWaiter):
    """The waiter of :meth:`LogsInsightsQuery.waiter`: each wait starts its own query."""

    def __init__(
        self, query: LogsInsightsQuery, *, min_rows: int, propagation_delay: float
    ) -> None:
        super().__init__(policy=query.policy, min_rows=min_rows, unknown_grace=query.unknown_grace)
        self._query = query
        self._propagation_delay = propagation_delay

    @property
    def resource_id(self) -> str:
        """The log groups (each wait's events name its query once it has one)."""
        return ", ".join(self._query.log_groups)

    def describe(self) -> str:
        """The query's log groups, for messages."""
        return f"Logs Insights query on {', '.join(self._query.log_groups)}"

    async def observe(self) -> QueryState:
        """One look outside a wait: start the query, read its answer once, stop it.

        The look waits out the propagation delay and a slot first, as a wait does.
        """
        return await one_look(self._query_wait(None, stop_on_exit=True))

    def for_wait(self, deadline: float | None) -> Target[QueryState]:
        """A fresh target per wait: its own query, its slot, its ``Unknown`` timer."""
        return self._query_wait(deadline, stop_on_exit=True)

    def _query_wait(self, deadline: float | None, *, stop_on_exit: bool) -> QueryWait:
        query = self._query
        return QueryWait(
            self,
            query.client,
            query_id=None,
            request=query.request(),
            slots=query.slots,
            min_rows=self._min_rows,
            propagation_delay=self._propagation_delay,
            unknown_grace=query.unknown_grace,
            stop_on_exit=stop_on_exit,
            deadline=deadline,
            description=f"on {', '.join(query.log_groups)}",
            page_size=query.page_size,
            label=", ".join(query.log_groups),
        )
