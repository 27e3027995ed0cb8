"""CloudWatch Logs Insights: start a query, wait for it, return typed rows.

``StartQuery`` -> ``GetQueryResults`` until the status is terminal -> page ``nextToken``.

=================================  =========================================================
status                             verdict
=================================  =========================================================
``Scheduled``, ``Running``         pending
``Complete``                       success (pending while fewer than ``min_rows`` rows:
                                   the query is run again)
``Failed``, ``Cancelled``,         failure
``Timeout``
``Unknown``                        pending for ``unknown_grace`` seconds in a row, then
                                   failure (AWS does not document it as terminal)
anything else                      unknown: the policy's ``unknown_status`` decides
=================================  =========================================================

Admission: AWS allows a bounded number of concurrent queries per account. A
:class:`QuerySlots` gate (one per process by default, 30 slots) lets at most that many
of this process's queries run at once; the rest wait their turn, in order. When the
account is full anyway (other processes, dashboards), ``StartQuery`` answers
``LimitExceededException``, which the engine treats as throttling: it backs off and
tries again, and it never counts as a failure.
"""

from __future__ import annotations

import contextlib
import math
from abc import abstractmethod
from collections import deque
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any, Final, final

import anyio
import botocore
from botocore.exceptions import ClientError
from pydantic import BaseModel, ConfigDict, Field

from waitkit._core._durations import UNSET, _Unset, seconds
from waitkit._core._errors import ConfigurationError, ProbeError
from waitkit._core._logging import logger
from waitkit._core._per_wait import PerWait, one_look
from waitkit._core._policy import ensure_policy
from waitkit._core._verdict import Verdict
from waitkit._core._waiter import State, Waiter
from waitkit.aws._answers import answer_of, field, not_documented
from waitkit.aws._errors import AwsClassifier, error_code, error_message
from waitkit.aws._validate import require_client, require_name

if TYPE_CHECKING:
    from collections.abc import AsyncIterator, Callable

    from types_aiobotocore_logs.client import CloudWatchLogsClient
    from types_aiobotocore_logs.type_defs import GetQueryResultsResponseTypeDef

    from waitkit._core._durations import Duration
    from waitkit._core._engine import Target
    from waitkit._core._policy import Policy

#: Statuses AWS documents while a query is working.
PENDING: Final = frozenset({"Scheduled", "Running"})
#: Terminal statuses other than ``Complete``.
FAILURE: Final = frozenset({"Failed", "Cancelled", "Timeout"})
#: Not an AWS status: the query waits for a :class:`QuerySlots` slot and is not started yet.
QUEUED: Final = "Queued"
# Less than this left before the deadline (a loop clock may wake a hair early): no time
# to start a query.
_NO_TIME_LEFT: Final = 1e-3
_RESULTS: Final = "GetQueryResults"

_MAX_LOG_GROUPS: Final = 50
_MAX_QUERY_LENGTH: Final = 10_000
_MAX_LIMIT: Final = 100_000
_MAX_PAGE: Final = 10_000
_DEFAULT_SLOTS: Final = 30
# A StartQuery or StopQuery already issued is awaited, even through a cancellation, for
# as long as the client itself may take over one attempt (connect + read timeout), so a
# query the service accepted is never orphaned by our impatience; capped for clients
# configured with very long timeouts, and a fallback for clients that say nothing.
_IN_FLIGHT_CAP: Final = 60.0
_IN_FLIGHT_FALLBACK: Final = 10.0
# StartQuery errors that mean "your arguments are wrong": ConfigurationError, not ProbeError.
_BAD_QUERY_CODES: Final = frozenset({"MalformedQueryException", "InvalidParameterException"})

_CLASSIFIER: Final = AwsClassifier()


# ---------------------------------------------------------------------------- models


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


@final
class QueryStatistics(_Frozen):
    """The ``statistics`` of ``GetQueryResults`` (AWS sends doubles; 0 when absent).

    ``result_count`` is ``None`` on botocore versions that do not model it (absent on
    older botocore: 1.40.61, pinned by aioboto3 15.5, drops it from the answer).
    """

    records_matched: float = 0.0
    records_scanned: float = 0.0
    estimated_records_skipped: float = 0.0
    bytes_scanned: float = 0.0
    estimated_bytes_skipped: float = 0.0
    log_groups_scanned: float = 0.0
    result_count: float | None = None


@final
class QueryState(State):
    """One observation of a Logs Insights query.

    ``rows`` holds every row (all pages) once the status is ``Complete``; while the
    query runs it stays empty and ``row_count`` says how many partial rows AWS showed,
    so the wait's history stays small.

    Example:
        >>> QueryState(query_id="q-1", status="Running", row_count=3).summary()
        'Running, 3 rows'
    """

    #: The query id; ``None`` while waiting for a slot (status ``Queued``).
    query_id: str | None = None
    #: The AWS status, or ``Queued`` before the query is started.
    status: str
    #: Rows shown by the last answer (partial while ``Running``).
    row_count: int = 0
    #: Every row once ``Complete``: field name -> value, including ``@ptr``.
    rows: list[dict[str, str]] = Field(default_factory=list)
    statistics: QueryStatistics | None = None
    #: Which run of the query this is (``min_rows`` runs it again while rows arrive).
    run: int = 1
    #: The rows the wait wants (its ``min_rows``; 0: a complete query is enough).
    rows_wanted: int = 0

    def summary(self) -> str:
        """Status, rows and records scanned, e.g. ``Running, 3 rows, 1200 records scanned``.

        A complete run with fewer rows than wanted says so: ``Complete, 1 row of 3 wanted``.
        """
        rows = f"{self.row_count} row{'' if self.row_count == 1 else 's'}"
        if self.status == "Complete" and self.row_count < self.rows_wanted:
            rows += f" of {self.rows_wanted} wanted"
        parts = [self.status or "(empty status)", rows]
        if self.statistics is not None and self.statistics.records_scanned:
            parts.append(f"{self.statistics.records_scanned:g} records scanned")
        if self.run > 1:
            parts.append(f"run {self.run}")
        return ", ".join(parts)


@final
class QueryResults(_Frozen):
    """The rows and statistics of a completed query.

    Example:
        >>> results = QueryResults(query_id="q-1", rows=[{"@message": "hi", "@ptr": "p"}])
        >>> [row["@message"] for row in results.rows]
        ['hi']
    """

    query_id: str
    #: Field name -> value for each row, in the order AWS returned them (with ``@ptr``).
    rows: list[dict[str, str]]
    statistics: QueryStatistics = QueryStatistics()
    #: How many times the query ran (more than 1 when ``min_rows`` re-ran it).
    runs: int = 1

    @classmethod
    def from_state(cls, state: QueryState) -> QueryResults:
        """The results held by a ``Complete`` state (from ``wait()`` or ``wait_all``).

        Raises:
            ConfigurationError: the state is not ``Complete``.
        """
        if state.status != "Complete" or state.query_id is None:
            msg = f"state must be a Complete query state, got status {state.status!r}"
            raise ConfigurationError(msg)
        return cls(
            query_id=state.query_id,
            rows=state.rows,
            statistics=state.statistics or QueryStatistics(),
            runs=state.run,
        )


# ---------------------------------------------------------------------------- admission


@final
class QuerySlots:
    """A first-come, first-served gate: at most ``limit`` queries of this gate run at once.

    Every :class:`LogsInsightsQuery` without its own ``slots`` shares the process-wide
    :data:`DEFAULT_QUERY_SLOTS` (30 slots, the documented account quota of older
    accounts). Give several queries one ``QuerySlots`` to bound them separately, for
    example per account. A slot is held from before ``StartQuery`` until the wait ends.
    The gate serves one event loop at a time (it is not thread-safe).

    Args:
        limit: how many queries may run at once (>= 1).

    Example:
        >>> slots = QuerySlots(2)
        >>> slots.limit, slots.in_use, slots.waiting
        (2, 0, 0)
    """

    def __init__(self, limit: int = _DEFAULT_SLOTS) -> None:
        self._limit = _slot_limit(limit)
        self._in_use = 0
        self._queue: deque[anyio.Event] = deque()

    @property
    def limit(self) -> int:
        """How many queries may run at once; raising it admits waiting queries at once."""
        return self._limit

    @limit.setter
    def limit(self, value: int) -> None:
        self._limit = _slot_limit(value)
        while self._queue and self._in_use < self._limit:
            self._in_use += 1
            self._queue.popleft().set()

    def __repr__(self) -> str:
        return f"QuerySlots({self._limit})"

    @property
    def in_use(self) -> int:
        """Slots held now."""
        return self._in_use

    @property
    def waiting(self) -> int:
        """Queries waiting for a slot."""
        return len(self._queue)

    async def acquire(self) -> None:
        """Wait for a slot, in arrival order."""
        if self._in_use < self._limit and not self._queue:
            self._in_use += 1
            return
        event = anyio.Event()
        self._queue.append(event)
        admitted = False
        try:
            await event.wait()
            admitted = True
        finally:
            if not admitted:
                if event.is_set():
                    self.release()  # handed a slot just as we were cancelled: pass it on
                else:
                    self._queue.remove(event)

    def release(self) -> None:
        """Give a slot back (to the longest-waiting query, if any)."""
        if self._queue and self._in_use <= self._limit:
            self._queue.popleft().set()  # the slot changes hands; in_use stays
        else:
            self._in_use -= 1


def _slot_limit(value: object) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or value < 1:
        msg = f"QuerySlots limit must be an integer >= 1, got {value!r}"
        raise ConfigurationError(msg)
    return value


#: The gate shared by every query of the process that names no ``slots`` of its own.
DEFAULT_QUERY_SLOTS: Final = QuerySlots(_DEFAULT_SLOTS)


# ---------------------------------------------------------------------------- one wait


class _QueryRun(PerWait["_RunWaiter", QueryState]):
    """Everything one wait needs: the engine's target. Per-wait state lives here only."""

    def __init__(
        self,
        waiter: _RunWaiter,
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
        # The query whose answer was seen last: between min_rows runs it still names the wait.
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
        self._run = 0 if query_id is None else 1
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
            return QueryState(status=QUEUED, run=max(self._run, 1))
        if self._query_id is None:
            await self._start()
        assert self._query_id is not None  # noqa: S101 - set by _start
        state = await _look(
            self._client,
            self._query_id,
            run=self._run,
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
            with anyio.move_on_after(_in_flight_bound(self._client), shield=True):
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
        bound = _in_flight_bound(self._client)
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
        self._run += 1
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


def judge(state: QueryState, *, min_rows: int, unknown_grace: float, in_grace: bool) -> Verdict:
    """The verdict on one state (the status table above).

    ``in_grace``: whether this wait has seen ``Unknown`` for less than ``unknown_grace``
    (only a wait knows; a state judged on its own has no grace).
    """
    status = state.status
    if status == "Complete":
        return Verdict.SUCCESS if state.row_count >= min_rows else Verdict.PENDING
    if status in PENDING or status == QUEUED or (status == "Unknown" and in_grace):
        return Verdict.PENDING
    if status in FAILURE:
        return Verdict.failure(f"query {state.query_id} ended {status}")
    if status == "Unknown":
        return Verdict.failure(
            f"query {state.query_id} reported status Unknown for {unknown_grace:g}s (unknown_grace)"
        )
    return Verdict.unknown(status or "(empty status)")


def _in_flight_bound(client: CloudWatchLogsClient) -> float:
    """Seconds one call of ``client`` may take: its connect plus read timeout, capped."""
    config = getattr(client.meta, "config", None)
    connect = getattr(config, "connect_timeout", None)
    read = getattr(config, "read_timeout", None)
    if not all(isinstance(t, int | float) and t > 0 for t in (connect, read)):
        return _IN_FLIGHT_FALLBACK
    return min(_IN_FLIGHT_CAP, float(connect) + float(read))  # type: ignore[arg-type]


async def _look(
    client: CloudWatchLogsClient,
    query_id: str,
    *,
    run: int,
    page_size: int | None,
    rows_wanted: int,
) -> QueryState:
    """One GetQueryResults; when Complete, also every further page (``nextToken``)."""
    sized: dict[str, Any] = {} if page_size is None else {"maxItems": page_size}
    with answer_of(_RESULTS):
        answer = await client.get_query_results(queryId=query_id, **sized)
    if not answer.keys() - {"ResponseMetadata"}:
        # botocore reads a body that is not JSON (an HTML page) as an empty answer; a
        # null status alone is an unknown status (below), as AWS sends results with it.
        raise not_documented(_RESULTS)
    given: object = answer.get("status")
    status = given if isinstance(given, str) else ""
    statistics = _statistics(answer)
    if status != "Complete":
        return QueryState(
            query_id=query_id,
            status=status,
            row_count=len(answer.get("results") or []),
            statistics=statistics,
            run=run,
            rows_wanted=rows_wanted,
        )
    rows = _rows(answer)
    token = answer.get("nextToken")
    while token:  # absent on botocore versions (and services) without result paging
        with answer_of(_RESULTS):
            page = await client.get_query_results(queryId=query_id, nextToken=token, **sized)
        rows.extend(_rows(page))
        token = page.get("nextToken")
    return QueryState(
        query_id=query_id,
        status=status,
        row_count=len(rows),
        rows=rows,
        statistics=statistics,
        run=run,
        rows_wanted=rows_wanted,
    )


def _rows(answer: GetQueryResultsResponseTypeDef) -> list[dict[str, str]]:
    return [
        {cell["field"]: cell.get("value", "") for cell in row if "field" in cell}
        for row in answer.get("results", [])
    ]


def _statistics(answer: GetQueryResultsResponseTypeDef) -> QueryStatistics | None:
    raw: Mapping[str, Any] | None = answer.get("statistics")
    if raw is None:  # moto sends none
        return None
    result_count = raw.get("resultCount")
    return QueryStatistics(
        records_matched=float(raw.get("recordsMatched", 0.0)),
        records_scanned=float(raw.get("recordsScanned", 0.0)),
        estimated_records_skipped=float(raw.get("estimatedRecordsSkipped", 0.0)),
        bytes_scanned=float(raw.get("bytesScanned", 0.0)),
        estimated_bytes_skipped=float(raw.get("estimatedBytesSkipped", 0.0)),
        log_groups_scanned=float(raw.get("logGroupsScanned", 0.0)),
        result_count=None if result_count is None else float(result_count),
    )


# ---------------------------------------------------------------------------- waiters


class _RunWaiter(Waiter[QueryState]):
    """A waiter whose every wait gets a fresh :class:`_QueryRun` (the waiter stays reusable).

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
    def _query_run(self, deadline: float | None, *, stop_on_exit: bool) -> _QueryRun:
        """A fresh target for one wait (``stop_on_exit``: stop the query when it ends)."""

    def verdict(self, state: QueryState) -> Verdict:
        """Judge one state on its own (within a wait, ``Unknown`` gets its grace first)."""
        return judge(
            state, min_rows=self._min_rows, unknown_grace=self._unknown_grace, in_grace=False
        )


@final
class QueryWaiter(_RunWaiter):
    """Wait for a Logs Insights query that was started elsewhere (by its query id).

    Use it with :func:`waitkit.wait_all` and :meth:`waitkit.Waiter.states` like any
    waiter. ``wait()`` returns a :class:`~waitkit.WaitResult` whose ``state.rows`` holds
    every row; :meth:`QueryResults.from_state` turns it into results.

    Args:
        client: an aiobotocore ``logs`` client.
        query_id: the ``queryId`` StartQuery returned.
        policy: delays, deadline and retries (default: the engine's default policy).
        unknown_grace: how long a run of ``Unknown`` statuses is tolerated before it is a
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
        self.query_id = _text("query_id", query_id, 256)
        self.unknown_grace = grace
        self.page_size = _page_size(client, page_size)
        self.stop_on_exit = bool(stop_on_exit)

    @property
    def resource_id(self) -> str:
        """The query id."""
        return self.query_id

    async def observe(self) -> QueryState:
        """One look outside a wait: one GetQueryResults (and the further pages once ``Complete``).

        The query is never stopped by a look, whatever ``stop_on_exit`` says.
        """
        return await one_look(self._query_run(None, stop_on_exit=False))

    def for_wait(self, deadline: float | None) -> Target[QueryState]:
        """A fresh target per wait: its ``Unknown`` timer."""
        return self._query_run(deadline, stop_on_exit=self.stop_on_exit)

    def _query_run(self, deadline: float | None, *, stop_on_exit: bool) -> _QueryRun:
        return _QueryRun(
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


class _StartingWaiter(_RunWaiter):
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
        return await one_look(self._query_run(None, stop_on_exit=True))

    def for_wait(self, deadline: float | None) -> Target[QueryState]:
        """A fresh target per wait: its own query, its slot, its ``Unknown`` timer."""
        return self._query_run(deadline, stop_on_exit=True)

    def _query_run(self, deadline: float | None, *, stop_on_exit: bool) -> _QueryRun:
        query = self._query
        return _QueryRun(
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
        unknown_grace: how long a run of ``Unknown`` statuses is tolerated (>= 0 s).
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
        self.log_groups: tuple[str, ...] = _log_groups(log_groups)
        self.query = _text("query", query, _MAX_QUERY_LENGTH)
        self.start = _epoch("start", start, math.floor)
        self.end = _epoch("end", end, math.ceil)
        if self.end < self.start:
            msg = f"end must not be before start, got start={self.start}, end={self.end} (epoch s)"
            raise ConfigurationError(msg)
        self.limit = None if limit is None else _integer("limit", limit, 1, _MAX_LIMIT)
        if self.limit is not None and self.limit > _MAX_PAGE:
            # Rows past the first page come only through nextToken.
            _require_paging(client, f"limit above {_MAX_PAGE:,}")
        self.policy = None if policy is None else ensure_policy(policy)
        self.slots = _slots(slots)
        self.unknown_grace = seconds("unknown_grace", unknown_grace)
        self.page_size = _page_size(client, page_size)

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
        bound = self.limit if self.limit is not None else _MAX_LIMIT
        rows = _integer("min_rows", min_rows, 0, bound)
        delay = seconds("propagation_delay", propagation_delay)
        return _StartingWaiter(self, min_rows=rows, propagation_delay=delay)

    async def results(
        self,
        *,
        min_rows: int = 0,
        propagation_delay: Duration = 0.0,
        timeout: Duration | _Unset | None = UNSET,
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


def _text(name: str, value: object, max_length: int) -> str:
    if not isinstance(value, str) or not value.strip() or len(value) > max_length:
        got = f"{len(value)} characters" if isinstance(value, str) else repr(value)
        msg = f"{name} must be a non-blank string of at most {max_length} characters, got {got}"
        raise ConfigurationError(msg)
    return value


def _integer(name: str, value: object, low: int, high: int) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or not low <= value <= high:
        msg = f"{name} must be an integer from {low} to {high}, got {value!r}"
        raise ConfigurationError(msg)
    return value


def _page_size(client: CloudWatchLogsClient, value: object) -> int | None:
    if value is None:
        return None
    size = _integer("page_size", value, 1, _MAX_PAGE)
    _require_paging(client, "page_size")
    return size


def _require_paging(client: CloudWatchLogsClient, argument: str) -> None:
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
        f"(without paging every answer holds its first {_MAX_PAGE:,} rows)"
    )
    raise ConfigurationError(msg)


def _slots(value: object) -> QuerySlots:
    if not isinstance(value, QuerySlots):
        msg = f"slots must be a QuerySlots, got {type(value).__name__}"
        raise ConfigurationError(msg)
    return value


def _log_groups(value: object) -> tuple[str, ...]:
    groups = (value,) if isinstance(value, str) else value
    if not isinstance(groups, Sequence) or not 1 <= len(groups) <= _MAX_LOG_GROUPS:
        msg = f"log_groups must be a name or 1 to {_MAX_LOG_GROUPS} names, got {value!r}"
        raise ConfigurationError(msg)
    # Names are 1-512 characters, ARNs (logGroupIdentifiers) up to 2048.
    return tuple(require_name("log_groups entry", group, max_length=2048) for group in groups)


def _epoch(name: str, value: object, rounding: Callable[[float], int]) -> int:
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
