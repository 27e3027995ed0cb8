"""One wait on a query: the per-wait target that starts, reads and stops its query."""

from __future__ import annotations

import contextlib
import math
from typing import TYPE_CHECKING, Any, Final

import anyio
from botocore.exceptions import ClientError

from waitkit._core import ConfigurationError, PerWait, ProbeError, logger
from waitkit.aws._answers import answer_of, field, not_documented
from waitkit.aws._errors import error_code, error_message
from waitkit.aws._logs_insights._models import PENDING, QUEUED, QueryState, judge
from waitkit.aws._logs_insights._results import read_results

if TYPE_CHECKING:
    from collections.abc import AsyncIterator, Mapping

    from types_aiobotocore_logs.client import CloudWatchLogsClient

    from waitkit._core import Verdict
    from waitkit.aws._logs_insights._slots import QuerySlots
    from waitkit.aws._logs_insights._waiters import BaseQueryWaiter

# Less than this left before the deadline (a loop clock may wake a hair early): no time
# to start a query.
_NO_TIME_LEFT: Final = 1e-3
# A StartQuery or StopQuery already issued is awaited, even through a cancellation, for
# as long as the client itself may take over one attempt (connect + read timeout), so a
# query the service accepted is never orphaned by our impatience; capped for clients
# configured with very long timeouts, and a fallback for clients that say nothing.
_IN_FLIGHT_CAP: Final = 60.0
_IN_FLIGHT_FALLBACK: Final = 10.0
# StartQuery errors that mean "your arguments are wrong": ConfigurationError, not ProbeError.
_BAD_QUERY_CODES: Final = frozenset({"MalformedQueryException", "InvalidParameterException"})


class QueryWait(PerWait["BaseQueryWaiter", QueryState]):
    """Everything one wait needs: the engine's target. Per-wait state lives here only."""

    def __init__(
        self,
        waiter: BaseQueryWaiter,
        client: CloudWatchLogsClient,
        *,
        query_id: str | None,
        request: Mapping[str, Any] | None,
        slots: QuerySlots | None,
        min_rows: int,
        propagation_delay: float,
        unknown_grace: float,
        stop_on_exit: bool,
        deadline: float | None,
        description: str,
        page_size: int | None,
        label: str,
    ) -> None:
        super().__init__(waiter)
        self._page_size = page_size
        # Names the wait in events before its first query has an id: the log groups.
        self._label = label
        # The query whose answer was seen last: between min_rows queries it still names the wait.
        self._last_query_id = query_id
        self._description = description
        self._client = client
        self._query_id = query_id
        self._request = request
        self._slots = slots
        self._min_rows = min_rows
        self._propagation_delay = propagation_delay
        self._unknown_grace = unknown_grace
        self._stop_on_exit = stop_on_exit
        self._deadline = deadline
        self._admitted = slots is None
        self._query_number = 0 if query_id is None else 1
        # Whether the current query may still be running (so StopQuery is worth sending).
        self._active = query_id is not None
        self._unknown_since: float | None = None
        # Whether a StartQuery was sent (answered or not) by this wait.
        self._start_sent = False

    # -------------------------------------------------------------- Target protocol
    @property
    def resource_id(self) -> str:
        return self._query_id or self._last_query_id or self._label

    def describe(self) -> str:
        if self._query_id is not None:
            return f"Logs Insights query {self._query_id} ({self._description})"
        return f"Logs Insights query ({self._description})"

    async def observe(self) -> QueryState:
        starts_one = self._request is not None and not self._start_sent
        if not self._admitted or (starts_one and self._remaining() <= _NO_TIME_LEFT):
            # The deadline passed while waiting for a slot, or during the propagation
            # delay: no query is started that could no longer be awaited.
            return QueryState(status=QUEUED, query_number=max(self._query_number, 1))
        if self._query_id is None:
            await self._start()
        assert self._query_id is not None  # noqa: S101 - set by _start
        state = await read_results(
            self._client,
            self._query_id,
            query_number=self._query_number,
            page_size=self._page_size,
            rows_wanted=self._min_rows,
        )
        if state.status not in PENDING and state.status != "Unknown":
            self._active = False
        if state.status == "Unknown":
            if self._unknown_since is None:
                self._unknown_since = anyio.current_time()
        else:
            self._unknown_since = None
        if state.status == "Complete" and state.row_count < self._min_rows:
            self._query_id = None  # too few rows yet: the next observation runs it again
        return state

    def verdict(self, state: QueryState) -> Verdict:
        return judge(
            state,
            min_rows=self._min_rows,
            unknown_grace=self._unknown_grace,
            in_grace=state.status == "Unknown" and self._in_grace(),
        )

    def _in_grace(self) -> bool:
        since = self._unknown_since
        return since is not None and anyio.current_time() - since < self._unknown_grace

    @contextlib.asynccontextmanager
    async def session(self) -> AsyncIterator[None]:
        try:
            await self._before_first_query()
            yield None
        except ProbeError as error:
            # A query AWS refuses to compile is the caller's mistake, not a failed probe.
            if isinstance(error.__cause__, ConfigurationError):
                raise error.__cause__ from error.__cause__.__cause__
            raise
        finally:
            with anyio.move_on_after(in_flight_bound(self._client), shield=True):
                await self._stop()
            if self._admitted and self._slots is not None:
                self._slots.release()

    # -------------------------------------------------------------- steps
    async def _before_first_query(self) -> None:
        if self._propagation_delay > 0:
            await anyio.sleep(min(self._propagation_delay, self._remaining()))
        if self._slots is not None:
            # Wait our turn, but not past the deadline: then the first observation
            # reports "Queued" and the engine raises WaitTimeoutError as usual.
            with anyio.move_on_after(self._remaining()):
                await self._slots.acquire()
                self._admitted = True

    async def _start(self) -> None:
        assert self._request is not None  # noqa: S101 - only waits that start queries get here
        # A StartQuery the service received starts a query even if we stop listening
        # (cancelled, or past Policy.call_timeout); without its id that query could never
        # be stopped and would hold an account slot. So its answer is awaited shielded,
        # for as long as the client may take; a cancellation that came meanwhile takes
        # effect at the next call, and the session's clean-up then stops the query.
        answer = None
        bound = in_flight_bound(self._client)
        self._start_sent = True
        try:
            with anyio.move_on_after(bound, shield=True), answer_of("StartQuery"):
                answer = await self._client.start_query(**self._request)
        except ClientError as error:
            if error_code(error) in _BAD_QUERY_CODES:
                msg = f"query was refused by StartQuery: {error_message(error)}"
                raise ConfigurationError(msg) from error
            raise  # throttling (LimitExceededException), transient, not found: the engine's
        if answer is None:
            # The service may have started a query whose id we will never learn.
            logger.warning("query.start_unanswered", waiter=self.kind, bound=bound)
            msg = f"StartQuery did not answer within {bound:g}s"
            raise TimeoutError(msg)  # transient: the engine retries
        if not answer.keys() - {"ResponseMetadata"}:
            raise not_documented("StartQuery")  # botocore's reading of a non-JSON body
        self._query_id = self._last_query_id = field(answer, "queryId", "StartQuery")
        self._query_number += 1
        self._active = True
        self._unknown_since = None

    async def _stop(self) -> None:
        if not (self._stop_on_exit and self._active and self._query_id is not None):
            return
        query_id, self._active = self._query_id, False
        try:
            await self._client.stop_query(queryId=query_id)
        except Exception as error:  # noqa: BLE001 - clean-up is best effort
            # Usually "the query is not running": it ended between our last look and now.
            code = error_code(error) if isinstance(error, ClientError) else type(error).__name__
            logger.info("query.stop_failed", waiter=self.kind, resource=query_id, error=code)
        else:
            logger.info("query.stopped", waiter=self.kind, resource=query_id)

    def _remaining(self) -> float:
        if self._deadline is None:
            return math.inf
        return max(0.0, self._deadline - anyio.current_time())


def in_flight_bound(client: CloudWatchLogsClient) -> float:
    """Seconds one call of ``client`` may take: its connect plus read timeout, capped."""
    config = getattr(client.meta, "config", None)
    connect = getattr(config, "connect_timeout", None)
    read = getattr(config, "read_timeout", None)
    if not all(isinstance(t, int | float) and t > 0 for t in (connect, read)):
        return _IN_FLIGHT_FALLBACK
    return min(_IN_FLIGHT_CAP, float(connect) + float(read))  # type: ignore[arg-type]
