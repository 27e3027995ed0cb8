"""LogsInsightsQuery and QueryWaiter over real HTTP: the emulator, and moto's server mode."""

from __future__ import annotations

import asyncio
import datetime as dt
import functools
import time
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from typing import Any

import anyio
import pytest
from structlog.testing import capture_logs

from waitkit import (
    ConfigurationError,
    Policy,
    ProbeError,
    ResourceNotFoundError,
    UnexpectedStateError,
    WaitFailedError,
    WaitTimeoutError,
    wait_all,
)
from waitkit.aws import (
    DEFAULT_QUERY_SLOTS,
    LogsInsightsQuery,
    QueryResults,
    QuerySlots,
    QueryState,
    QueryStatistics,
    QueryWaiter,
)
from waitkit.aws._logs_insights._query_wait import in_flight_bound
from waitkit.emulator import Emulator, Fault, Scenario

from .conftest import RESULT_COUNT, RESULT_PAGING, STACK, client_with_model, until_true

pytestmark = pytest.mark.anyio

#: Short delays and bounds: every timeline here lasts well under a second.
FAST = Policy(
    min_delay=0.05,
    max_delay=0.2,
    timeout=10,
    call_timeout=5,
    throttle_min_delay=0.05,
    throttle_max_delay=0.2,
)
QUERY = "fields @timestamp, @message | sort @timestamp asc"
STUCK = [{"at": 0, "status": "Running"}]

ClientFactory = Callable[..., AbstractAsyncContextManager[Any]]


def script(timeline: list[dict[str, Any]], rows: int = 3, **extra: Any) -> dict[str, Any]:
    """A query script for every query (empty match) with ``rows`` rows."""
    return {
        "match": "",
        "timeline": timeline,
        "rows": [{"fields": {"@message": f"line {i}", "level": "INFO"}} for i in range(rows)],
        **extra,
    }


@pytest.fixture
def logs(aws_client: ClientFactory) -> Callable[..., AbstractAsyncContextManager[Any]]:
    """A running emulator with a Logs scenario, and a real logs client for it."""

    @asynccontextmanager
    async def run(
        data: dict[str, Any] | None = None,
        *,
        connect_timeout: float = 60,
        read_timeout: float = 60,
        **top: Any,
    ) -> AsyncIterator[Any]:
        scenario = Scenario.model_validate({"logs": data or {}, **top})
        timeouts = {"connect_timeout": connect_timeout, "read_timeout": read_timeout}
        # One attempt per call ("max_attempts" counts retries): the counts are waitkit's own.
        once = {"total_max_attempts": 1}
        async with (
            Emulator(scenario) as emu,
            aws_client("logs", emu.aws_endpoint, retries=once, **timeouts) as client,
        ):
            yield emu, client

    return run


def query(client: Any, **kwargs: Any) -> LogsInsightsQuery:
    """A LogsInsightsQuery on ``/app`` over the first 100 s of the epoch, FAST policy."""
    kwargs.setdefault("policy", FAST)
    return LogsInsightsQuery(client, "/app", kwargs.pop("text", QUERY), 0, 100, **kwargs)


def counts(emu: Emulator) -> tuple[int, int, int]:
    """(StartQuery, GetQueryResults, StopQuery) requests the emulator received."""
    of = emu.counters.of
    return of("logs", "StartQuery"), of("logs", "GetQueryResults"), of("logs", "StopQuery")


# ---------------------------------------------------------------------------- statuses


async def test_complete_returns_rows_statistics_and_query_id(logs) -> None:
    """Scheduled -> Running -> Complete: typed rows with @ptr, statistics, one call per look."""
    timeline = [
        {"at": 0, "status": "Scheduled"},
        {"after": 1, "status": "Running", "rows": 1},
        {"after": 2, "status": "Complete", "rows": 3},  # rows carry over unless set again
    ]
    async with logs({"queries": [script(timeline)]}) as (emu, client):
        results = await query(client).results()
    assert isinstance(results, QueryResults)
    assert [row["@message"] for row in results.rows] == ["line 0", "line 1", "line 2"]
    assert all(row["level"] == "INFO" and row["@ptr"] for row in results.rows)
    assert results.statistics.records_matched == 3.0
    assert results.statistics.log_groups_scanned == 1.0
    # resultCount is absent on older botocore (aioboto3 15.5): the answer drops it.
    assert results.statistics.result_count == (3.0 if RESULT_COUNT else None)
    assert results.query_count == 1
    assert emu.logs.status(results.query_id) == "Complete"
    assert counts(emu) == (1, 3, 0)


async def test_states_are_yielded_once_each(logs) -> None:
    """states() yields each distinct state: Scheduled, Running with partial rows, Complete."""
    timeline = [
        {"at": 0, "status": "Scheduled"},
        {"after": 1, "status": "Running", "rows": 2},
        {"after": 3, "status": "Complete", "rows": 3},
    ]
    async with logs({"queries": [script(timeline)]}) as (emu, client):
        seen = [state async for state in query(client).waiter().states()]
    assert [(s.status, s.row_count, len(s.rows)) for s in seen] == [
        ("Scheduled", 0, 0),
        ("Running", 2, 0),
        ("Complete", 3, 3),
    ]
    assert seen[-1].summary() == "Complete, 3 rows, 3 records scanned"
    assert counts(emu) == (1, 4, 0)


@pytest.mark.parametrize("status", ["Failed", "Cancelled", "Timeout"])
async def test_failure_statuses_raise_wait_failed(logs, status) -> None:
    """Failed, Cancelled and Timeout end the wait with WaitFailedError; no StopQuery is sent."""
    timeline = [{"at": 0, "status": "Running"}, {"after": 1, "status": status}]
    async with logs({"queries": [script(timeline)]}) as (emu, client):
        with pytest.raises(WaitFailedError) as caught:
            await query(client).results()
    assert caught.value.reason.endswith(f"ended {status}")
    assert caught.value.state.status == status
    assert counts(emu) == (1, 2, 0)


async def test_unknown_fails_after_its_grace(logs) -> None:
    """Unknown is a failure once it lasted unknown_grace; StopQuery is still attempted."""
    timeline = [{"at": 0, "status": "Running"}, {"after": 1, "status": "Unknown"}]
    async with logs({"queries": [script(timeline)]}) as (emu, client):
        with pytest.raises(WaitFailedError, match=r"Unknown for 0\.2s") as caught:
            await query(client, unknown_grace=0.2).results()
    assert caught.value.state.status == "Unknown"
    start, looks, stop = counts(emu)
    assert (start, stop) == (1, 1)  # StopQuery on a non-running query is answered, and ignored
    assert looks >= 3  # Running, then Unknown more than once: not failed on first sight


async def test_unknown_then_complete_within_grace_succeeds(logs) -> None:
    """An Unknown that turns Complete within unknown_grace is not a failure."""
    timeline = [
        {"at": 0, "status": "Unknown"},
        {"after": 1, "status": "Complete"},
    ]
    async with logs({"queries": [script(timeline)]}) as (emu, client):
        results = await query(client, unknown_grace=5).results()
    assert len(results.rows) == 3
    assert counts(emu) == (1, 2, 0)


async def test_unknown_with_zero_grace_fails_at_once(logs) -> None:
    """unknown_grace=0 makes Unknown a failure on first sight."""
    timeline = [{"at": 0, "status": "Unknown"}]
    async with logs({"queries": [script(timeline)]}) as (emu, client):
        with pytest.raises(WaitFailedError):
            await query(client, unknown_grace=0).results()
    assert counts(emu)[:2] == (1, 1)


async def test_verdicts_of_a_single_state(logs) -> None:
    """verdict() alone: Complete succeeds, a status outside the enum is 'unknown' for the policy."""
    async with logs() as (_, client):
        waiter = QueryWaiter(client, "q-1", policy=FAST)
        complete = waiter.verdict(QueryState(query_id="q-1", status="Complete"))
        paused = waiter.verdict(QueryState(query_id="q-1", status="Paused"))
        unknown = waiter.verdict(QueryState(query_id="q-1", status="Unknown"))
    assert complete.is_terminal
    assert complete.reason is None
    assert (paused.kind.value, paused.reason) == ("unknown", "Paused")
    assert unknown.is_terminal  # outside a wait there is no grace to give


# ---------------------------------------------------------------------------- errors


async def test_malformed_query_is_a_configuration_error(logs) -> None:
    """MalformedQueryException at StartQuery -> ConfigurationError with the service's message."""
    async with logs() as (emu, client):
        with pytest.raises(ConfigurationError, match="unclosed bracket") as caught:
            await query(client, text="fields @message | filter (level = 'x'").results()
    assert "MalformedQueryException" in str(caught.value.__cause__)
    assert counts(emu) == (1, 0, 0)


async def test_log_group_arns_are_sent_as_identifiers(logs) -> None:
    """ARNs go out as logGroupIdentifiers, names as logGroupNames; both reach the service."""
    arns = [f"arn:aws:logs:us-east-1:123456789012:log-group:/g{i}" for i in range(2)]
    timeline = [{"at": 0, "status": "Complete"}]
    async with logs({"queries": [script(timeline)]}) as (emu, client):
        by_arn = LogsInsightsQuery(client, arns, QUERY, 0, 1, policy=FAST, limit=5)
        results = await by_arn.results()
    assert by_arn.request() == {
        "queryString": QUERY,
        "startTime": 0,
        "endTime": 1,
        "logGroupIdentifiers": arns,
        "limit": 5,
    }
    assert results.statistics.log_groups_scanned == 2.0
    assert counts(emu) == (1, 1, 0)


async def test_unknown_log_group_is_not_found(logs) -> None:
    """ResourceNotFoundException at StartQuery -> ResourceNotFoundError, nothing to stop."""
    async with logs({"log_groups": ["/other"]}) as (emu, client):
        with pytest.raises(ResourceNotFoundError, match="/app"):
            await query(client).results()
    assert counts(emu) == (1, 0, 0)


async def test_throttling_and_5xx_are_retried(logs) -> None:
    """ThrottlingException and 503s on both operations are retried; the query completes."""
    timeline = [{"at": 0, "status": "Running"}, {"after": 1, "status": "Complete"}]
    faults = [
        {"kind": "error", "service": "logs", "operation": "StartQuery", "count": 1},
        {"kind": "throttle", "service": "logs", "operation": "StartQuery", "count": 1},
        {"kind": "throttle", "service": "logs", "operation": "GetQueryResults", "count": 2},
    ]
    async with logs({"queries": [script(timeline)]}, faults=faults) as (emu, client):
        results = await query(client).results()
    assert len(results.rows) == 3
    assert emu.counters.faults["logs", "StartQuery", "error"] == 1
    assert emu.counters.faults["logs", "GetQueryResults", "throttle"] == 2
    # Both StartQuery faults (count=1 each) fire on its first call: refused once, then answered.
    assert counts(emu) == (2, 2 + 2, 0)


async def test_retry_after_is_honoured(logs) -> None:
    """A throttled StartQuery with Retry-After: 30 is not retried before then (nor the deadline)."""
    timeline = [{"at": 0, "status": "Complete"}]
    faults = [{"kind": "throttle", "service": "logs", "operation": "StartQuery", "retry_after": 30}]
    async with logs({"queries": [script(timeline)]}, faults=faults) as (emu, client):
        with capture_logs() as events, pytest.raises(WaitTimeoutError) as caught:
            await query(client).results(timeout=0.3)
    # FAST's throttling backoff (0.05 s) would have retried several times in 0.3 s; the
    # engine waited for the Retry-After instead, up to the deadline. A last look held to
    # the deadline is cut there, so it may never reach the service.
    assert 1 <= caught.value.attempts <= 2
    started, looks, stopped = counts(emu)
    assert 1 <= started <= caught.value.attempts
    assert (looks, stopped) == (0, 0)
    retried = [e for e in events if e["event"] == "wait.retrying"]
    assert [(e["error_kind"], e["attempts"]) for e in retried] == [("throttled", 1)]
    assert "ThrottlingException" in str(caught.value)


async def test_persistent_5xx_is_a_probe_error_and_stops_the_query(logs) -> None:
    """5xx from the first look for longer than the grace: ProbeError, and the query is stopped."""
    faults = [{"kind": "error", "service": "logs", "operation": "GetQueryResults"}]
    policy = FAST.replace(max_transient_errors=2, transient_grace=0.1)
    async with logs({"queries": [script(STUCK)]}, faults=faults) as (emu, client):
        with capture_logs() as events, pytest.raises(ProbeError) as caught:
            await query(client, policy=policy).results()
        (query_id,) = [e["resource"] for e in events if e["event"] == "query.stopped"]
        assert emu.logs.status(query_id) == "Cancelled"
    assert "before any state was seen" in str(caught.value)
    assert "ServiceUnavailableException" in str(caught.value)
    started, looks, stopped = counts(emu)
    assert (started, stopped) == (1, 1)
    assert looks >= 2


# ---------------------------------------------------------------------------- clean-up


async def test_timeout_stops_the_query(logs) -> None:
    """A wait that times out sends StopQuery once; the query ends Cancelled."""
    async with logs({"queries": [script(STUCK)]}) as (emu, client):
        with capture_logs() as events, pytest.raises(WaitTimeoutError) as caught:
            await query(client).results(timeout=1.5)
        query_id = caught.value.state.query_id
        assert emu.logs.status(query_id) == "Cancelled"
    assert counts(emu)[::2] == (1, 1)
    stopped = {
        "event": "query.stopped",
        "waiter": "logs_insights_query",
        "resource": query_id,
        "log_level": "info",
    }
    assert stopped in events


async def test_cancellation_stops_the_query(logs) -> None:
    """Cancelling the wait sends StopQuery (shielded) before the cancellation propagates."""
    async with logs({"queries": [script(STUCK)]}) as (emu, client):
        with capture_logs() as events:
            async with anyio.create_task_group() as group:
                group.start_soon(functools.partial(query(client).results, timeout=10))
                await until_true(lambda: counts(emu)[1] >= 1)  # started, and looked at
                group.cancel_scope.cancel()
        (query_id,) = [e["resource"] for e in events if e["event"] == "query.stopped"]
        assert emu.logs.status(query_id) == "Cancelled"
    assert counts(emu)[::2] == (1, 1)
    assert DEFAULT_QUERY_SLOTS.in_use == 0


async def test_stop_query_errors_are_ignored(logs) -> None:
    """A StopQuery that fails does not replace the timeout; the failure is logged by code."""
    faults = [{"kind": "error", "service": "logs", "operation": "StopQuery", "status": 500}]
    async with logs({"queries": [script(STUCK)]}, faults=faults) as (emu, client):
        with capture_logs() as events, pytest.raises(WaitTimeoutError):
            await query(client).results(timeout=1.5)
    stop_events = [e for e in events if e["event"].startswith("query.stop")]
    assert [(e["event"], e["error"]) for e in stop_events] == [
        ("query.stop_failed", "InternalFailure")
    ]
    assert counts(emu)[::2] == (1, 1)


async def test_hung_stop_query_is_bounded(logs, monkeypatch) -> None:
    """A StopQuery that never answers is abandoned after the in-flight bound (capped; 0.2 here)."""
    monkeypatch.setattr("waitkit.aws._logs_insights._query_wait._IN_FLIGHT_CAP", 0.2)
    faults = [{"kind": "latency", "service": "logs", "operation": "StopQuery", "delay": 60}]
    async with logs({"queries": [script(STUCK)]}, faults=faults) as (emu, client):
        # Started here, not by the wait: only the StopQuery runs under the 0.2 s bound.
        started = await client.start_query(
            logGroupName="/app", queryString=QUERY, startTime=0, endTime=1
        )
        waiter = QueryWaiter(client, started["queryId"], policy=FAST, stop_on_exit=True)
        # The StopQuery answers after 60 s: the wait returning at all shows it was abandoned.
        with anyio.fail_after(10), pytest.raises(WaitTimeoutError):
            await waiter.wait(timeout=0.1)
    assert counts(emu)[::2] == (1, 1)


async def test_a_start_answered_after_the_cancellation_is_still_stopped(logs) -> None:
    """The service started the query but answered late: the cancelled wait still stops it."""
    faults = [{"kind": "latency", "service": "logs", "operation": "StartQuery", "delay": 0.4}]
    async with logs({"queries": [script(STUCK)]}, faults=faults) as (emu, client):
        async with anyio.create_task_group() as group:
            group.start_soon(query(client).results)
            # The service has the StartQuery (it answers 0.4 s later): cancel now.
            await until_true(lambda: counts(emu)[0] >= 1)
            group.cancel_scope.cancel()
        statuses = [emu.logs.status(q) for q in list(emu.logs._queries)]
    # The answer was awaited through the cancellation, and the query it started stopped.
    assert counts(emu)[::2] == (1, 1)
    assert statuses == ["Cancelled"]


async def test_in_flight_bound_follows_the_client_timeouts(logs) -> None:
    """One attempt's connect + read timeout, capped at 60 s."""
    async with logs(connect_timeout=2, read_timeout=3) as (_, client):
        assert in_flight_bound(client) == 5
    async with logs() as (_, client):  # botocore's defaults: 60 + 60
        assert in_flight_bound(client) == 60


# ---------------------------------------------------------------------------- admission


async def test_limit_exceeded_means_waiting_for_a_slot(logs) -> None:
    """Six queries on an account with 2 slots all complete: LimitExceeded is waited out."""
    timeline = [{"at": 0, "status": "Running"}, {"after": 1, "status": "Complete"}]
    scenario = {"max_concurrent_queries": 2, "queries": [script(timeline, rows=1)]}
    async with logs(scenario) as (emu, client):
        waiters = [query(client).waiter() for _ in range(6)]
        results = await wait_all(waiters, timeout=10)
    assert [len(r.state.rows) for r in results] == [1] * 6
    start, _, stop = counts(emu)
    assert start > 6  # some StartQuery calls were refused with LimitExceededException
    assert stop == 0


async def test_process_slots_admit_in_turn(logs) -> None:
    """With QuerySlots(2) no StartQuery is refused: the others wait their turn in-process."""
    timeline = [{"at": 0, "status": "Running"}, {"after": 1, "status": "Complete"}]
    scenario = {"max_concurrent_queries": 2, "queries": [script(timeline, rows=1)]}
    slots = QuerySlots(2)
    async with logs(scenario) as (emu, client):
        waiters = [query(client, slots=slots).waiter() for _ in range(5)]
        results = await wait_all(waiters, timeout=10)
    assert len(results) == 5
    assert counts(emu)[0] == 5
    assert (slots.in_use, slots.waiting) == (0, 0)


async def test_no_slot_by_the_deadline_times_out_queued(logs) -> None:
    """A query that never gets a slot times out in the 'Queued' state without calling AWS."""
    slots = QuerySlots(1)
    await slots.acquire()
    try:
        async with logs() as (emu, client):
            with pytest.raises(WaitTimeoutError) as caught:
                await query(client, slots=slots).results(timeout=0.2)
    finally:
        slots.release()
    assert caught.value.state.status == "Queued"
    assert caught.value.state.query_id is None
    assert counts(emu) == (0, 0, 0)
    assert (slots.in_use, slots.waiting) == (0, 0)


async def test_query_slots_are_first_come_first_served() -> None:
    """Waiters are admitted in arrival order; a cancelled waiter leaves the queue."""
    slots = QuerySlots(1)
    order: list[int] = []

    async def take(n: int) -> None:
        await slots.acquire()
        order.append(n)
        await anyio.sleep(0.01)
        slots.release()

    await slots.acquire()
    async with anyio.create_task_group() as group:
        for n in range(3):
            group.start_soon(take, n)
            await anyio.sleep(0.01)
        with anyio.move_on_after(0.01):
            await slots.acquire()  # gives up while queued
        assert slots.waiting == 3
        slots.release()
    assert order == [0, 1, 2]
    assert (slots.in_use, slots.waiting) == (0, 0)


async def test_raising_the_slot_limit_admits_waiters() -> None:
    """Raising QuerySlots.limit admits queued queries at once; bad limits are refused."""
    slots = QuerySlots(1)
    await slots.acquire()
    admitted = anyio.Event()

    async def take() -> None:
        await slots.acquire()
        admitted.set()

    async with anyio.create_task_group() as group:
        group.start_soon(take)
        await anyio.sleep(0.01)
        slots.limit = 2
        with anyio.fail_after(1):
            await admitted.wait()
    assert slots.in_use == 2
    slots.limit = 1
    slots.release()
    slots.release()
    assert slots.in_use == 0
    with pytest.raises(ConfigurationError, match="limit must be an integer >= 1"):
        QuerySlots(0)


async def test_a_slot_handed_to_a_cancelled_waiter_is_passed_on() -> None:
    """A waiter cancelled (natively) just as it was handed a slot gives the slot back."""
    slots = QuerySlots(1)
    await slots.acquire()
    # anyio does not cancel a task whose wait already ended; asyncio's Task.cancel() does.
    task = asyncio.get_running_loop().create_task(slots.acquire())
    await anyio.sleep(0.01)
    slots.release()  # hands the slot to the queued task...
    task.cancel()  # ...which is cancelled before it runs again
    with pytest.raises(asyncio.CancelledError):
        await task
    assert (slots.limit, slots.in_use, slots.waiting) == (1, 0, 0)


# ---------------------------------------------------------------------------- rows arriving


async def test_min_rows_reruns_until_rows_arrive(logs) -> None:
    """min_rows starts the query again until enough rows are ingested; queries and calls count."""
    timeline = [{"at": 0, "status": "Running"}, {"after": 1, "status": "Complete"}]
    rows = [
        {"fields": {"@message": "early"}, "ingested_at": 0},
        {"fields": {"@message": "late 1"}, "ingested_at": 60},
        {"fields": {"@message": "late 2"}, "ingested_at": 60},
    ]
    scripts = [{"match": "", "timeline": timeline, "rows": rows}]
    done = []
    async with logs({"queries": scripts}, clock="manual") as (emu, client):

        async def run() -> None:
            done.append(await query(client).results(min_rows=3))

        async with anyio.create_task_group() as group:
            group.start_soon(run)
            # A query completed with the early row only, and the query started again...
            await until_true(lambda: counts(emu)[0] >= 2)
            emu.clock.advance_to_next()  # ...then the late rows are ingested.
    (results,) = done
    assert [row["@message"] for row in results.rows] == ["early", "late 1", "late 2"]
    assert results.query_count >= 3  # two queries (at least) began before the late rows
    start, looks, stop = counts(emu)
    assert start == results.query_count
    assert looks == 2 * results.query_count
    assert stop == 0


async def test_min_rows_reruns_search_the_same_window(logs) -> None:
    """Every query started again sends the first one's startTime, endTime and query string."""
    timeline = [{"at": 0, "status": "Complete"}]
    sent: list[tuple[Any, Any, Any]] = []

    def record(params: dict[str, Any], **_: Any) -> None:
        sent.append((params["startTime"], params["endTime"], params["queryString"]))

    async with logs({"queries": [script(timeline, rows=1)]}) as (_emu, client):
        client.meta.events.register("provide-client-params.logs.StartQuery", record)
        with pytest.raises(WaitTimeoutError):
            await query(client).results(min_rows=2, timeout=1.5)
    assert len(sent) >= 2
    assert set(sent) == {(0, 100, QUERY)}


async def test_every_event_names_its_resource(logs) -> None:
    """No event has an empty resource: the log groups before the first query, then its id.

    Between min_rows queries the events name the query that just ended, until the next starts.
    """
    timeline = [{"at": 0, "status": "Complete"}]
    rows = [{"fields": {"@message": "early"}, "ingested_at": 0}]
    async with logs({"queries": [{"match": "", "timeline": timeline, "rows": rows}]}) as (
        _emu,
        client,
    ):
        with capture_logs() as events, pytest.raises(WaitTimeoutError):
            await query(client).results(min_rows=2, timeout=1.5)
    resources = [(e["event"], e["resource"]) for e in events if e["event"].startswith("wait.")]
    assert resources[0] == ("wait.started", "/app")
    assert all(resource for _, resource in resources)
    changed = [r for event, r in resources if event == "wait.state_changed"]
    assert len(changed) >= 2  # two queries at least, each Complete with one row
    assert all(r != "/app" for r in changed)
    assert len(set(changed)) == len(changed)  # each query under its own id


async def test_min_rows_not_reached_times_out_with_the_rows_seen(logs) -> None:
    """When rows never suffice, WaitTimeoutError carries the last complete query's rows."""
    timeline = [{"at": 0, "status": "Complete"}]
    async with logs({"queries": [script(timeline, rows=1)]}) as (emu, client):
        with pytest.raises(WaitTimeoutError) as caught:
            # Long enough for a first complete query on a loaded machine (the wait can only
            # end at its deadline here: the rows never suffice).
            await query(client).results(min_rows=2, timeout=1.5)
    state = caught.value.state
    assert (state.status, state.row_count, state.rows[0]["@message"]) == ("Complete", 1, "line 0")
    assert "Complete, 1 row of 2 wanted" in str(caught.value)
    started, _, stopped = counts(emu)
    # The last query answered before the deadline (starting again is pinned above). A query started
    # just before the deadline may have been cut there; it is then stopped, as every query
    # the wait started and did not see end.
    assert state.query_number in (started, started - 1)
    assert stopped == started - state.query_number


async def test_propagation_delay_comes_before_the_first_query(logs) -> None:
    """propagation_delay sleeps before StartQuery, so rows ingested meanwhile are found."""
    timeline = [{"at": 0, "status": "Complete"}]
    rows = [{"fields": {"@message": "fresh"}, "ingested_at": 60}]
    scripts = [{"match": "", "timeline": timeline, "rows": rows}]
    done = []
    async with logs({"queries": scripts}, clock="manual") as (emu, client):

        async def run() -> None:
            done.append(await query(client).results(propagation_delay=0.3, min_rows=1))

        async with anyio.create_task_group() as group:
            group.start_soon(run)
            # Our 0.05 s ends before the query's 0.3 s, however busy the loop: nothing sent yet.
            await anyio.sleep(0.05)
            assert counts(emu) == (0, 0, 0)
            emu.clock.advance_to_next()  # the row is ingested while the query waits
    (results,) = done
    assert [row["@message"] for row in results.rows] == ["fresh"]
    assert results.query_count == 1  # the first query already found it
    assert counts(emu) == (1, 1, 0)


async def test_propagation_delay_is_bounded_by_the_deadline(logs) -> None:
    """A propagation delay longer than the timeout ends on the deadline, and starts no query."""
    async with logs({"queries": [script(STUCK)]}) as (emu, client):
        # Returning long before the 30 s delay is the point (fail_after only guards the test).
        with anyio.fail_after(10), pytest.raises(WaitTimeoutError) as caught:
            await query(client).results(propagation_delay=30, timeout=0.2)
    assert caught.value.state.status == "Queued"  # not started: no time was left
    assert counts(emu) == (0, 0, 0)


# ---------------------------------------------------------------------------- paging


@pytest.mark.skipif(
    not RESULT_PAGING,
    reason=f"{STACK} does not model GetQueryResults paging: page_size is refused and every "
    "row comes in one answer (tested below on every client stack)",
)
async def test_results_are_paged_with_next_token(logs) -> None:
    """All pages are fetched (nextToken) once Complete, page_size rows at a time."""
    timeline = [
        {"at": 0, "status": "Running", "rows": 2},
        {"after": 1, "status": "Complete", "rows": 7},
    ]
    async with logs({"queries": [script(timeline, rows=7)]}) as (emu, client):
        results = await query(client, page_size=3).results()
    assert [row["@message"] for row in results.rows] == [f"line {i}" for i in range(7)]
    assert counts(emu) == (1, 2 + 2, 0)  # Running, Complete page 1, pages 2 and 3


def _without_paging(model: dict[str, Any]) -> None:
    """GetQueryResults as botocore 1.40.61 models it: no maxItems, no nextToken."""
    shapes = model["shapes"]
    shapes["GetQueryResultsRequest"]["members"].pop("maxItems", None)
    shapes["GetQueryResultsRequest"]["members"].pop("nextToken", None)
    shapes["GetQueryResultsResponse"]["members"].pop("nextToken", None)


def _without_result_count(model: dict[str, Any]) -> None:
    """QueryStatistics as botocore 1.40.61 models it: no resultCount."""
    model["shapes"]["QueryStatistics"]["members"].pop("resultCount", None)


@pytest.mark.parametrize(
    ("make", "kwargs", "argument"),
    [
        (LogsInsightsQuery, {"page_size": 3}, "page_size"),
        (LogsInsightsQuery, {"limit": 10_001}, "limit above 10,000"),
        (QueryWaiter, {"page_size": 3}, "page_size"),
    ],
)
async def test_paging_options_are_refused_on_a_botocore_without_paging(
    tmp_path, make, kwargs, argument
) -> None:
    """page_size, and a limit beyond one page, need maxItems/nextToken: refused before any call."""
    async with client_with_model("logs", "http://127.0.0.1:9", tmp_path, _without_paging) as client:
        args = ("/app", QUERY, 0, 100) if make is LogsInsightsQuery else ("q-1",)
        with pytest.raises(ConfigurationError) as info:
            make(client, *args, **kwargs)
        make(client, *args)  # the same without the option is accepted
        if make is LogsInsightsQuery:
            make(client, *args, limit=10_000)  # one page's worth needs no paging
    message = str(info.value)
    assert message.startswith(f"{argument} needs GetQueryResults paging (maxItems, nextToken)")
    assert "use aiobotocore >= 3.0" in message


async def test_without_paging_every_row_comes_in_one_answer(tmp_path) -> None:
    """On a botocore without result paging the rows come whole, one GetQueryResults a look."""
    timeline = [
        {"at": 0, "status": "Running", "rows": 2},
        {"after": 1, "status": "Complete", "rows": 7},
    ]
    scenario = Scenario.model_validate({"logs": {"queries": [script(timeline, rows=7)]}})
    async with (
        Emulator(scenario) as emu,
        client_with_model("logs", emu.aws_endpoint, tmp_path, _without_paging) as client,
    ):
        results = await query(client).results()
    assert [row["@message"] for row in results.rows] == [f"line {i}" for i in range(7)]
    assert counts(emu) == (1, 2, 0)


async def test_result_count_is_none_on_a_botocore_without_it(tmp_path) -> None:
    """statistics.result_count is None where botocore drops resultCount; the rest is there."""
    timeline = [{"at": 0, "status": "Complete"}]
    scenario = Scenario.model_validate({"logs": {"queries": [script(timeline)]}})
    async with (
        Emulator(scenario) as emu,
        client_with_model("logs", emu.aws_endpoint, tmp_path, _without_result_count) as client,
    ):
        results = await query(client).results()
    assert results.statistics.records_matched == 3.0
    assert results.statistics.result_count is None


# ---------------------------------------------------------------------------- QueryWaiter


async def test_query_waiter_for_a_query_started_elsewhere(logs) -> None:
    """QueryWaiter waits for a given query id and returns its rows; no StartQuery."""
    timeline = [{"at": 0, "status": "Scheduled"}, {"after": 1, "status": "Complete"}]
    async with logs({"queries": [script(timeline)]}) as (emu, client):
        started = await client.start_query(
            logGroupName="/app", queryString=QUERY, startTime=0, endTime=1
        )
        waiter = QueryWaiter(client, started["queryId"], policy=FAST)
        result = await waiter.wait()
        look = await waiter.observe()  # one look, outside a wait
    assert look.rows == result.state.rows
    assert waiter.resource_id == started["queryId"]
    assert QueryResults.from_state(result.state).query_id == started["queryId"]
    assert len(result.state.rows) == 3
    assert counts(emu) == (1, 3, 0)


async def test_a_query_started_elsewhere_is_never_reported_queued(logs) -> None:
    """With no time left, QueryWaiter still looks (cut at the deadline): never "Queued".

    "Queued" means a wait that starts its own query has not started it; a query id given
    to QueryWaiter is already running.
    """
    async with logs({"queries": [script(STUCK)]}) as (_emu, client):
        started = await client.start_query(
            logGroupName="/app", queryString=QUERY, startTime=0, endTime=1
        )
        waiter = QueryWaiter(client, started["queryId"], policy=FAST)
        with pytest.raises(WaitTimeoutError) as caught:
            await waiter.wait(timeout=1e-4)  # over before the first look can answer
    assert caught.value.state is None
    assert "Queued" not in str(caught.value)


async def test_query_waiter_leaves_the_query_running_unless_told(logs) -> None:
    """On timeout QueryWaiter does not stop a query it did not start, unless stop_on_exit."""
    async with logs({"queries": [script(STUCK)]}) as (emu, client):
        ids = [
            (
                await client.start_query(
                    logGroupName="/app", queryString=QUERY, startTime=0, endTime=1
                )
            )["queryId"]
            for _ in range(2)
        ]
        for query_id, stop in zip(ids, (False, True), strict=True):
            with pytest.raises(WaitTimeoutError):
                await QueryWaiter(client, query_id, policy=FAST, stop_on_exit=stop).wait(
                    timeout=0.15
                )
        statuses = [emu.logs.status(query_id) for query_id in ids]
    assert statuses == ["Running", "Cancelled"]
    assert counts(emu)[2] == 1


async def test_unknown_query_id_is_not_found(logs) -> None:
    """GetQueryResults for an id the service does not know -> ResourceNotFoundError."""
    async with logs() as (emu, client):
        with pytest.raises(ResourceNotFoundError):
            await QueryWaiter(client, "no-such-query", policy=FAST).wait()
    assert counts(emu) == (0, 1, 0)


async def test_wait_all_mixes_both_waiters_and_waiters_are_reusable(logs) -> None:
    """wait_all takes starting and id waiters; one starting waiter can be awaited twice."""
    timeline = [{"at": 0, "status": "Running"}, {"after": 1, "status": "Complete"}]
    async with logs({"queries": [script(timeline, rows=2)]}) as (emu, client):
        started = await client.start_query(
            logGroupName="/app", queryString=QUERY, startTime=0, endTime=1
        )
        starting = query(client).waiter()
        results = await wait_all(
            [starting, QueryWaiter(client, started["queryId"], policy=FAST), starting],
            timeout=5,
        )
        unbounded = await query(client).results(timeout=None)
    assert starting.describe() == "Logs Insights query on /app"
    assert len(unbounded.rows) == 2
    ids = {result.state.query_id for result in results}
    assert len(ids) == 3
    assert all(len(result.state.rows) == 2 for result in results)
    assert counts(emu) == (4, 8, 0)


async def test_one_look_of_a_starting_waiter_starts_and_stops_its_own_query(logs) -> None:
    """observe() outside a wait starts a query, reads it once and stops it (a fresh target)."""
    async with logs({"queries": [script(STUCK)]}) as (emu, client):
        starting = query(client).waiter()
        look = await starting.observe()
        assert emu.logs.status(look.query_id) == "Cancelled"
    assert look.status == "Running"
    assert counts(emu) == (1, 1, 1)
    assert DEFAULT_QUERY_SLOTS.in_use == 0


# ---------------------------------------------------------------------------- arguments


@pytest.mark.parametrize(
    ("args", "kwargs", "message"),
    [
        (([], QUERY, 0, 1), {}, "log_groups must be a name or 1 to 50 names"),
        (([f"/g{i}" for i in range(51)], QUERY, 0, 1), {}, "log_groups must be"),
        ((["/a", ""], QUERY, 0, 1), {}, "log_groups entry must be 1 to 2048"),
        (("/a", "", 0, 1), {}, "query must be a non-blank string of at most 10000"),
        (("/a", "x" * 10_001, 0, 1), {}, "got 10001 characters"),
        (("/a", QUERY, 10, 5), {}, "end must not be before start"),
        (("/a", QUERY, -1, 5), {}, "start must be epoch seconds >= 0"),
        (("/a", QUERY, "yesterday", 5), {}, "start must be an aware datetime"),
        (("/a", QUERY, dt.datetime(2026, 1, 1), 5), {}, "start must be a timezone-aware"),  # noqa: DTZ001
        (("/a", QUERY, 0, 1), {"limit": 0}, "limit must be an integer from 1 to 100000"),
        (("/a", QUERY, 0, 1), {"limit": 100_001}, "limit must be"),
        (("/a", QUERY, 0, 1), {"page_size": 10_001}, "page_size must be an integer from 1"),
        (("/a", QUERY, 0, 1), {"unknown_grace": -1}, "unknown_grace must be"),
        (("/a", QUERY, 0, 1), {"slots": 30}, "slots must be a QuerySlots"),
        (("/a", QUERY, 0, 1), {"policy": "fast"}, "policy"),
    ],
)
async def test_arguments_are_checked_before_any_call(logs, args, kwargs, message) -> None:
    """Each bad argument raises ConfigurationError naming it and its range; nothing is sent."""
    async with logs() as (emu, client):
        with pytest.raises(ConfigurationError, match=message):
            LogsInsightsQuery(client, *args, **kwargs)
    assert emu.counters.of("logs") == 0


async def test_waiter_and_query_waiter_arguments(logs) -> None:
    """min_rows is bounded by the query's limit; query ids are 1-256 characters."""
    async with logs() as (emu, client):
        limited = query(client, limit=10)
        with pytest.raises(ConfigurationError, match="min_rows must be an integer from 0 to 10"):
            limited.waiter(min_rows=11)
        with pytest.raises(ConfigurationError, match="propagation_delay"):
            limited.waiter(propagation_delay=-1)
        with pytest.raises(ConfigurationError, match="query_id must be"):
            QueryWaiter(client, "")
        with pytest.raises(ConfigurationError, match="query_id must be"):
            QueryWaiter(client, "x" * 257)
    assert emu.counters.of("logs") == 0


async def test_datetimes_are_sent_as_epoch_seconds(logs) -> None:
    """Aware datetimes become epoch seconds: start rounded down, end rounded up."""
    start = dt.datetime(2026, 1, 1, 0, 0, 0, 500_000, tzinfo=dt.UTC)
    end = start + dt.timedelta(seconds=10)
    async with logs() as (_, client):
        request = LogsInsightsQuery(client, ("/a", "/b"), QUERY, start, end).request()
    epoch = int(dt.datetime(2026, 1, 1, tzinfo=dt.UTC).timestamp())
    assert (request["startTime"], request["endTime"]) == (epoch, epoch + 11)
    assert request["logGroupNames"] == ["/a", "/b"]
    assert "limit" not in request


async def test_from_state_refuses_an_unfinished_state() -> None:
    """QueryResults.from_state needs a Complete state."""
    with pytest.raises(ConfigurationError, match="Complete query state"):
        QueryResults.from_state(QueryState(query_id="q", status="Running"))
    assert QueryState(status="Queued").summary() == "Queued, 0 rows"
    second = QueryState(status="Complete", row_count=1, query_number=2)
    assert second.summary() == "Complete, 1 row, query 2"
    assert QueryStatistics().result_count is None


def test_the_old_names_of_the_query_counts_warn() -> None:
    """QueryState.run and QueryResults.runs (renamed: "run" is a wait's) read and build, warning."""
    with pytest.warns(DeprecationWarning, match=r"QueryState\(run=...\) was renamed"):
        state = QueryState(query_id="q", status="Complete", run=2)
    assert state.query_number == 2
    with pytest.warns(DeprecationWarning, match=r"QueryState.run was renamed .*query_number"):
        assert state.run == 2
    with pytest.warns(DeprecationWarning, match=r"QueryResults\(runs=...\) was renamed"):
        results = QueryResults(query_id="q", rows=[], runs=3)
    assert results.query_count == 3
    with pytest.warns(
        DeprecationWarning, match=r"QueryResults.runs was renamed .*query_count"
    ) as w:
        assert results.runs == 3
    assert w[0].filename == __file__  # the warning points at the line that used the old name
    assert QueryResults.from_state(state).query_count == 2
    assert "run" not in state.model_dump()


# ---------------------------------------------------------------------------- moto


async def test_same_rows_as_moto_returns(aws_client: ClientFactory, moto_endpoint: str) -> None:
    """Against moto's server: waitkit returns exactly the rows moto's own GetQueryResults does."""
    group = "/waitkit/moto-rows"
    now_ms = int(time.time() * 1000)
    events = [{"timestamp": now_ms - 3000 + i, "message": f"event {i}"} for i in range(4)]
    once = {"total_max_attempts": 1}
    async with aws_client("logs", moto_endpoint, retries=once) as client:
        await client.create_log_group(logGroupName=group)
        await client.create_log_stream(logGroupName=group, logStreamName="s")
        await client.put_log_events(logGroupName=group, logStreamName="s", logEvents=events)
        start, end = now_ms // 1000 - 60, now_ms // 1000 + 60
        text = "fields @timestamp, @message | sort @timestamp asc"
        results = await LogsInsightsQuery(client, group, text, start, end, policy=FAST).results()
        direct = await client.start_query(
            logGroupName=group, queryString=text, startTime=start, endTime=end
        )
        answer = await client.get_query_results(queryId=direct["queryId"])
    expected = [{cell["field"]: cell["value"] for cell in row} for row in answer["results"]]
    assert [row["@message"] for row in results.rows] == [f"event {i}" for i in range(4)]
    assert results.rows == expected
    assert results.statistics == QueryStatistics()  # moto sends no statistics
    assert results.query_count == 1


async def test_moto_missing_log_group_is_not_found(
    aws_client: ClientFactory, moto_endpoint: str
) -> None:
    """An unknown log group on moto (ResourceNotFoundException) is a ResourceNotFoundError."""
    async with aws_client("logs", moto_endpoint, retries={"total_max_attempts": 1}) as client:
        with pytest.raises(ResourceNotFoundError):
            await LogsInsightsQuery(client, "/waitkit/none", QUERY, 0, 1, policy=FAST).results()


# ---------------------------------------------------------------------------- malformed answers


@pytest.mark.parametrize("operation", ["StartQuery", "GetQueryResults"])
async def test_an_html_page_on_200_is_a_probe_error_in_words(logs, operation) -> None:
    """A proxy's page where JSON was expected: ProbeError naming the operation, no internals."""
    timeline = [{"at": 0, "status": "Complete"}]
    async with logs({"queries": [script(timeline, rows=1)]}) as (emu, client):
        emu.faults.add(Fault(kind="body", service="logs", operation=operation))
        with pytest.raises(ProbeError) as caught:
            await query(client).results(timeout=10)
    message = str(caught.value)
    assert f"MalformedAnswerError: {operation} answered with a body that is not" in message
    assert "KeyError" not in message


async def test_a_null_status_is_an_unknown_status(logs) -> None:
    """``"status": null`` is a status the waiter does not know; it is named, not blank."""
    timeline = [{"at": 0, "status": "Running"}]
    async with logs({"queries": [script(timeline, rows=1)]}) as (emu, client):
        emu.faults.add(
            Fault(kind="edit", service="logs", operation="GetQueryResults", set={"status": None})
        )
        with pytest.raises(UnexpectedStateError) as caught:
            await query(client, policy=FAST.replace(unknown_status="fail")).results(timeout=10)
    assert "a status the waiter does not know: '(empty status)'" in str(caught.value)
