import contextlib
import re
from datetime import UTC, datetime

import anyio
import pytest
from structlog.testing import capture_logs

from waitkit import (
    ConfigurationError,
    Policy,
    ResourceNotFoundError,
    WaitFailedError,
    WaitTimeoutError,
    as_completed,
    wait_all,
)
from waitkit.aws import DurableExecutionState, DurableExecutionWaiter, unique_execution_name
from waitkit.aws._durable_execution import _HUBS
from waitkit.emulator import Emulator, Fault, Scenario

from .conftest import DURABLE_API, FAST, STACK, quick_budget, until_true

pytestmark = pytest.mark.anyio

# aioboto3 15.5 pins botocore 1.40.61, which predates the durable-execution API. On such
# a botocore the waiter refuses the client, for every way of making it (that refusal is
# tested in test_durable_versions.py, on every stack); so every test here needs the API,
# except those named below, which run on any botocore.
ON_ANY_BOTOCORE = frozenset(
    {
        "test_bad_arguments_fail_before_any_call",  # arguments are checked first
        "test_a_client_of_another_service_is_refused",
        "test_unique_execution_names",  # no client at all
    }
)


@pytest.fixture(autouse=True)
def _needs_durable_api(request: pytest.FixtureRequest) -> None:
    """Skip, saying why, a test that needs the durable-execution API where botocore lacks it."""
    if not DURABLE_API and request.node.originalname not in ON_ANY_BOTOCORE:
        pytest.skip(
            f"{STACK} has no Lambda durable-execution API: DurableExecutionWaiter refuses "
            "its clients (test_durable_versions.py)"
        )


def scenario(*executions: dict, on_invoke: list | None = None, clock: str = "real") -> Scenario:
    """One durable function 'orders' with the given executions."""
    function: dict = {"name": "orders", "executions": list(executions)}
    if on_invoke is not None:
        function["on_invoke"] = on_invoke
    return Scenario.model_validate({"clock": clock, "durable": {"functions": [function]}})


def execution(name: str, *points: dict, started: float = 0.0) -> dict:
    """A scripted execution."""
    return {"name": name, "started": started, "timeline": list(points)}


def calls(emu: Emulator, operation: str) -> int:
    """Requests the emulator answered for one Lambda operation."""
    return emu.counters.of("lambda", operation)


SUCCEEDS = (
    {"after": 0, "status": "RUNNING"},
    {"after": 3, "status": "SUCCEEDED", "result": '{"ok": true}'},
)


async def test_waits_by_function_and_name_and_returns_the_result(aws_client):
    """RUNNING is pending; SUCCEEDED returns the typed state with the result."""
    async with (
        Emulator(scenario(execution("order-1", *SUCCEEDS))) as emu,
        aws_client("lambda", emu.aws_endpoint) as client,
    ):
        waiter = DurableExecutionWaiter(
            client, function_name="orders", execution_name="order-1", policy=FAST
        )
        result = await waiter.wait()
        details = calls(emu, "GetDurableExecution")
    assert isinstance(result.state, DurableExecutionState)
    assert result.state.status == "SUCCEEDED"
    assert result.state.result == '{"ok": true}'
    assert result.state.end_timestamp is not None
    assert [e.state.status for e in result.history] == ["RUNNING", "SUCCEEDED"]
    assert details == 1  # the result is fetched once, when the execution has finished


async def test_one_look_outside_a_wait_reads_one_round(aws_client):
    """observe() outside a wait subscribes a fresh target for one round, then leaves."""
    async with (
        Emulator(scenario(execution("order-1", *SUCCEEDS))) as emu,
        aws_client("lambda", emu.aws_endpoint) as client,
    ):
        waiter = DurableExecutionWaiter(
            client, function_name="orders", execution_name="order-1", policy=FAST
        )
        look = await waiter.observe()
    assert look.status == "RUNNING"
    assert calls(emu, "ListDurableExecutionsByFunction") == 1
    assert len(_HUBS) == 0


async def test_waits_by_arn_from_invoke(aws_client):
    """An ARN from Invoke's X-Amz-Durable-Execution-Arn header is awaited to its end."""
    on_invoke = [{"at": 0, "status": "RUNNING"}, {"after": 2, "status": "SUCCEEDED", "result": "7"}]
    async with (
        Emulator(scenario(on_invoke=on_invoke)) as emu,
        aws_client("lambda", emu.aws_endpoint) as client,
    ):
        name = unique_execution_name("arn")
        invoked = await client.invoke(
            FunctionName="orders", DurableExecutionName=name, InvocationType="Event", Payload=b"{}"
        )
        arn = invoked["DurableExecutionArn"]
        result = await DurableExecutionWaiter(client, arn=arn, policy=FAST).wait()
    assert result.state.durable_execution_arn == arn
    assert result.state.result == "7"


@pytest.mark.parametrize("status", ["FAILED", "TIMED_OUT", "STOPPED"])
async def test_failures_carry_the_error_and_the_history_tail(aws_client, status):
    """FAILED, TIMED_OUT and STOPPED raise WaitFailedError with the error and last events."""
    events = [
        {"event_type": "StepStarted", "name": "charge"},
        {"event_type": "StepFailed", "name": "charge", "details": {"Error": {"Payload": {}}}},
    ]
    error = {"error_type": "CardDeclined", "error_message": "declined"}
    timeline = (
        {"after": 0, "status": "RUNNING", "events": events},
        {"after": 2, "status": status, "error": error},
    )
    async with (
        Emulator(scenario(execution("order-2", *timeline))) as emu,
        aws_client("lambda", emu.aws_endpoint) as client,
    ):
        waiter = DurableExecutionWaiter(
            client, function_name="orders", execution_name="order-2", history_tail=2, policy=FAST
        )
        with pytest.raises(WaitFailedError) as info:
            await waiter.wait()
    closing = {"FAILED": "ExecutionFailed", "TIMED_OUT": "ExecutionTimedOut"}.get(
        status, "ExecutionStopped"
    )
    assert info.value.reason == (
        f"{status}: CardDeclined: declined\n"
        "  last history events:\n"
        "    StepFailed charge\n"
        f"    {closing} order-2: CardDeclined: declined"
    )
    state = info.value.state
    assert state.error.error_type == "CardDeclined"
    assert len(state.history_tail) == 2
    assert state.history_tail[-1].event_type.startswith("Execution")
    assert state.history_tail[0].event_id < state.history_tail[1].event_id
    assert "durable execution orders/order-2 failed after" in str(info.value)


async def test_stopping_mid_wait_ends_it_as_stopped(aws_client):
    """StopDurableExecution while waiting makes the wait fail with STOPPED."""
    async with (
        Emulator(scenario(execution("order-3", {"after": 0, "status": "RUNNING"}))) as emu,
        aws_client("lambda", emu.aws_endpoint) as client,
    ):
        waiter = DurableExecutionWaiter(
            client, function_name="orders", execution_name="order-3", policy=FAST
        )

        async def stop_once_seen_running() -> None:
            await until_true(lambda: calls(emu, "ListDurableExecutionsByFunction") >= 1)
            listed = await client.list_durable_executions_by_function(FunctionName="orders")
            arn = listed["DurableExecutions"][0]["DurableExecutionArn"]
            await client.stop_durable_execution(
                DurableExecutionArn=arn, Error={"ErrorType": "Manual", "ErrorMessage": "ops"}
            )

        async with anyio.create_task_group() as group:
            group.start_soon(stop_once_seen_running)
            with pytest.raises(WaitFailedError, match="STOPPED: Manual: ops") as info:
                await waiter.wait()
    assert [e.state.status for e in info.value.history] == ["RUNNING", "STOPPED"]


async def test_executions_of_one_function_share_each_round(aws_client):
    """100 executions cost one list page a round plus one detail call each, not 100 a round."""
    count = 100
    # A manual clock: every execution stays RUNNING until the test moves time on.
    timeline = ({"at": 0, "status": "RUNNING"}, {"at": 60, "status": "SUCCEEDED", "result": "1"})
    executions = [execution(f"e-{i}", *timeline) for i in range(count)]
    policy = FAST.replace(min_delay=0.05, max_delay=0.05, jitter="none")
    results = []
    async with (
        Emulator(scenario(*executions, clock="manual")) as emu,
        aws_client("lambda", emu.aws_endpoint) as client,
    ):
        waiters = [
            DurableExecutionWaiter(
                client, function_name="orders", execution_name=f"e-{i}", policy=policy
            )
            for i in range(count)
        ]

        async def wait_for_all() -> None:
            results.extend(await wait_all(waiters, timeout=30))

        with capture_logs() as events:
            async with anyio.create_task_group() as group:
                group.start_soon(wait_for_all)
                # Every wait has seen its execution RUNNING, and a round more went by...
                await until_true(
                    lambda: sum(e["event"] == "wait.state_changed" for e in events) >= count
                )
                hub = waiters[0]._hub()  # the function's one hub, while it has subscribers
                seen = hub.rounds
                await until_true(lambda: hub.rounds > seen)
                emu.clock.advance_to_next()  # ...then they all finish at once.
        lists = calls(emu, "ListDurableExecutionsByFunction")
        details = calls(emu, "GetDurableExecution")
    attempts = sum(r.attempts for r in results)
    assert all(r.state.result == "1" for r in results)
    assert all([e.state.status for e in r.history] == ["RUNNING", "SUCCEEDED"] for r in results)
    assert details == count  # a finished execution costs one detail call
    assert lists == hub.rounds  # one list page a round, none per execution
    assert hub.rounds >= 2  # at least the first look and the one that saw the end
    assert hub.rounds * 20 <= attempts  # each round served many looks
    assert len(_HUBS) == 0


async def test_a_fast_wait_is_not_served_a_slow_waits_old_round(aws_client):
    """A every 30 s, B every 0.1 s on one client and function: B sees the success."""
    timeline = ({"at": 0, "status": "RUNNING"}, {"at": 1, "status": "SUCCEEDED", "result": "1"})
    slow = Policy(min_delay=30, max_delay=30, timeout=60, call_timeout=5)
    fast = FAST.replace(min_delay=0.1, max_delay=0.1, jitter="none", timeout=5)
    async with (
        Emulator(scenario(execution("order-7", *timeline), clock="manual")) as emu,
        aws_client("lambda", emu.aws_endpoint) as client,
        anyio.create_task_group() as group,
    ):
        # A subscribes first: before the fix the function's hub took A's 30 s as its max_age.
        group.start_soon(
            DurableExecutionWaiter(
                client, function_name="orders", execution_name="order-7", policy=slow
            ).wait
        )
        with anyio.fail_after(5):
            while calls(emu, "ListDurableExecutionsByFunction") == 0:  # noqa: ASYNC110 - a counter
                await anyio.sleep(0.01)
        waiter = DurableExecutionWaiter(
            client, function_name="orders", execution_name="order-7", policy=fast
        )
        seen: list[str | None] = []
        async with contextlib.aclosing(waiter.states()) as states:
            async for state in states:
                seen.append(state.result or state.status)
                if state.status == "RUNNING":
                    emu.clock.advance(1)  # the execution succeeds at 1 s
        group.cancel_scope.cancel()  # A would sleep 30 s
    assert seen == ["RUNNING", "1"]


def _finished(name: str, started: float = 0.0) -> dict:
    """An execution that has SUCCEEDED (with its name as the result) since it started."""
    return execution(name, {"at": 0, "status": "SUCCEEDED", "result": f'"{name}"'}, started=started)


async def test_a_thousand_finished_executions_cost_a_list_page_not_a_call_each(aws_client):
    """1,000 executions already finished at the first look: two list calls, not 1,000."""
    awaited = [_finished(f"done-{i}") for i in range(1000)]
    others = [_finished(f"old-{i}", started=-50) for i in range(150)]
    others += [execution(f"busy-{i}", {"at": 0, "status": "RUNNING"}) for i in range(20)]
    # The 1,000 result fetches queue for the client's 10 connections: none may time out
    # (a retried look would be a second round).
    patient = FAST.replace(call_timeout=60, timeout=60)
    async with (
        Emulator(scenario(*awaited, *others, clock="manual")) as emu,
        aws_client("lambda", emu.aws_endpoint) as client,
    ):
        waiters = [
            DurableExecutionWaiter(
                client, function_name="orders", execution_name=e["name"], policy=patient
            )
            for e in awaited
        ]
        checked = 0
        # The first 100 results are enough to check; the rest are cancelled (their result
        # fetches are what costs time here, one GetDurableExecution each).
        async with contextlib.aclosing(as_completed(waiters)) as outcomes:
            async for outcome in outcomes:
                state = outcome.unwrap().state
                assert state.result == f'"{state.durable_execution_name}"'
                checked += 1
                if checked == 100:
                    break
        lists = calls(emu, "ListDurableExecutionsByFunction")
    # One round found all 1,000 (a name it missed would have been looked up alone):
    # the running ones (a page), then the finished ones newest first (a page).
    assert lists == 2


async def test_running_and_finished_executions_cost_at_most_three_list_calls_a_round(aws_client):
    """Awaited executions among 1,100 others, finished and running at once: <= 3 lists a round."""
    finished = [_finished(f"done-{i}") for i in range(150)]
    timeline = ({"at": 0, "status": "RUNNING"}, {"at": 1, "status": "SUCCEEDED", "result": "1"})
    running = [execution(f"run-{i}", *timeline) for i in range(100)]
    others = [_finished(f"other-{i}") for i in range(1100)]
    # call_timeout: the result fetches queue for the client's 10 connections
    policy = FAST.replace(min_delay=0.1, max_delay=0.1, jitter="none", call_timeout=15)
    async with (
        Emulator(scenario(*finished, *running, *others, clock="manual")) as emu,
        aws_client("lambda", emu.aws_endpoint) as client,
        anyio.create_task_group() as group,
    ):
        waiters = [
            DurableExecutionWaiter(
                client, function_name="orders", execution_name=e["name"], policy=policy
            )
            for e in (*finished, *running)
        ]
        outcome: list = []

        async def wait() -> None:
            outcome.extend(await wait_all(waiters))

        group.start_soon(wait)
        with anyio.fail_after(10):
            while calls(emu, "GetDurableExecution") < len(finished):  # noqa: ASYNC110 - a counter
                await anyio.sleep(0.01)

        def missing() -> None:
            raise AssertionError("no hub while the waits run")

        hub = _HUBS.get(client, "orders", missing)
        # the first round: the running ones (a page), then the finished ones (a page)
        first = calls(emu, "ListDurableExecutionsByFunction")
        assert first <= 3 * hub.rounds
        emu.clock.advance(1)  # the running ones succeed
    lists = calls(emu, "ListDurableExecutionsByFunction")
    assert [r.state.status for r in outcome] == ["SUCCEEDED"] * 250
    assert calls(emu, "GetDurableExecution") == 250
    # later rounds: one listing of every status since the oldest awaited (1,350: two pages)
    assert lists <= 3 * hub.rounds
    print(f"rounds {hub.rounds}, list calls {lists}")  # noqa: T201


async def test_an_execution_older_than_the_pages_read_is_looked_up_by_name(aws_client):
    """A finished execution behind 1,200 newer ones is found by name, not by paging them all."""
    newer = [_finished(f"new-{i}") for i in range(1200)]
    old = _finished("ancient", started=-100)
    async with (
        Emulator(scenario(old, *newer, clock="manual")) as emu,
        aws_client("lambda", emu.aws_endpoint) as client,
    ):
        result = await DurableExecutionWaiter(
            client, function_name="orders", execution_name="ancient", policy=FAST
        ).wait()
        lists = calls(emu, "ListDurableExecutionsByFunction")
    assert result.state.result == '"ancient"'
    assert lists == 3  # the running ones, a page of finished ones without it, then by name


async def test_throttling_honours_retry_after(aws_client):
    """TooManyRequestsException is throttling: retried, and not before its Retry-After."""
    async with (
        Emulator(scenario(execution("order-4", *SUCCEEDS))) as emu,
        aws_client("lambda", emu.aws_endpoint) as client,
    ):
        budget = quick_budget(client)
        waiter = DurableExecutionWaiter(
            client, function_name="orders", execution_name="order-4", policy=FAST
        )
        # Retry-After: 0 -- two throttled answers, retried, and the wait goes on to success.
        emu.faults.add(Fault(kind="throttle", service="lambda", retry_after=0, count=2))
        with capture_logs() as events:
            result = await waiter.wait()
        assert result.state.status == "SUCCEEDED"
        assert emu.counters.faults["lambda", "ListDurableExecutionsByFunction", "throttle"] == 2
        retried = [e for e in events if e["event"] == "wait.retrying"]
        assert [(e["error_kind"], e["attempts"]) for e in retried] == [("throttled", 1)]
        assert "TooManyRequestsException" in retried[0]["error"]

        # Retry-After: 30 on every answer, within a 0.3 s timeout: after the first answer the
        # engine makes no call before the deadline (its own backoff would have made several);
        # a last look held to the deadline is cut there, so it may never reach the service.
        # Every wait on the client is held for the 30 s.
        emu.faults.clear()
        emu.faults.add(Fault(kind="throttle", service="lambda", retry_after=30))
        with pytest.raises(WaitTimeoutError) as info:
            await waiter.wait(timeout=0.3)
        assert 1 <= info.value.attempts <= 2
        assert 1 <= sum(emu.counters.faults.values()) - 2 <= info.value.attempts
        assert budget.pause(anyio.current_time()) > 20
    assert "TooManyRequestsException" in str(info.value)


async def test_unknown_execution_and_function_are_not_found(aws_client):
    """An execution the function does not list, or a function that does not exist, is not found."""
    async with (
        Emulator(scenario(execution("order-5", *SUCCEEDS))) as emu,
        aws_client("lambda", emu.aws_endpoint) as client,
    ):
        with pytest.raises(ResourceNotFoundError, match="lists no durable execution nope"):
            await DurableExecutionWaiter(
                client, function_name="orders", execution_name="nope", policy=FAST
            ).wait()
        with pytest.raises(ResourceNotFoundError, match="Function not found"):
            await DurableExecutionWaiter(
                client, function_name="ghost", execution_name="order-5", policy=FAST
            ).wait()


async def test_an_execution_listed_late_is_found_within_grace(aws_client):
    """With not_found_grace, an execution that is not listed yet is awaited once it appears."""
    late = execution("order-6", *SUCCEEDS, started=5)  # on the manual clock: when advanced
    async with (
        Emulator(scenario(late, clock="manual")) as emu,
        aws_client("lambda", emu.aws_endpoint) as client,
    ):
        waiter = DurableExecutionWaiter(
            client,
            function_name="orders",
            execution_name="order-6",
            policy=FAST.replace(not_found_grace=30),
        )
        results = []

        async def wait() -> None:
            results.append(await waiter.wait())

        with capture_logs() as events:
            async with anyio.create_task_group() as group:
                group.start_soon(wait)
                await until_true(lambda: any(e["event"] == "wait.retrying" for e in events))
                emu.clock.advance_to_next()  # the execution starts
    assert [r.state.status for r in results] == ["SUCCEEDED"]
    retried = [e["error_kind"] for e in events if e["event"] == "wait.retrying"]
    assert retried == ["not_found"]


ARN = "arn:aws:lambda:us-east-1:123456789012:function:orders:$LATEST/durable-execution/o-1/abc"


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({}, "give either arn, or both"),
        ({"function_name": "orders"}, "give either arn, or both"),
        ({"arn": ARN, "function_name": "orders"}, "not both"),
        ({"arn": "arn:aws:s3:::bucket"}, "arn must be a durable execution ARN"),
        ({"arn": ""}, "arn must be 1 to"),
        ({"function_name": "bad name", "execution_name": "x"}, "function_name must be"),
        ({"function_name": "f", "execution_name": "x" * 65}, "execution_name must be"),
        ({"function_name": "f", "execution_name": "a/b"}, "execution_name must be"),
        ({"arn": ARN, "history_tail": -1}, "history_tail must be an integer from 0 to 1000"),
        ({"arn": ARN, "history_tail": 1001}, "history_tail must be an integer from 0 to 1000"),
    ],
)
async def test_bad_arguments_fail_before_any_call(aws_client, kwargs, message):
    """Bad identifiers and options raise ConfigurationError naming the argument (any botocore)."""
    async with aws_client("lambda", "http://127.0.0.1:9") as client:
        with pytest.raises(ConfigurationError, match=message):
            DurableExecutionWaiter(client, **kwargs)


async def test_a_client_of_another_service_is_refused(aws_client):
    """Only a lambda client will do, and the error says so."""
    async with aws_client("autoscaling", "http://127.0.0.1:9") as client:
        with pytest.raises(ConfigurationError, match="needs an aiobotocore 'lambda' client"):
            DurableExecutionWaiter(client, arn=ARN)


def test_unique_execution_names():
    """unique_execution_name follows test-{name}-{YYYYMMDD}T{HHMMSS}-{8 hex} and never repeats."""
    when = datetime(2026, 11, 22, 3, 4, 5, tzinfo=UTC)
    names = {unique_execution_name("checkout", now=when) for _ in range(100)}
    assert len(names) == 100
    for name in names:
        assert re.fullmatch(r"test-checkout-20261122T030405-[0-9a-f]{8}", name)
    assert len(unique_execution_name("x" * 34)) <= 64
    for bad in ("", "x" * 35, "has space", "a/b"):
        with pytest.raises(ConfigurationError, match="name must be 1 to 34"):
            unique_execution_name(bad)


FAILS = (
    {"after": 0, "status": "RUNNING", "events": [{"event_type": "StepStarted", "name": "charge"}]},
    {
        "after": 2,
        "status": "FAILED",
        "error": {"error_type": "CardDeclined", "error_message": "declined"},
    },
)


@pytest.mark.parametrize(
    ("operation", "unavailable"),
    [
        pytest.param("GetDurableExecutionHistory", "history", id="history-denied"),
        pytest.param("GetDurableExecution", "error details", id="details-denied"),
    ],
)
async def test_a_denied_explanation_never_hides_the_failure(aws_client, operation, unavailable):
    """GetDurableExecution(History) denied (403): still WaitFailedError, saying what is missing."""
    async with (
        Emulator(scenario(execution("order-2", *FAILS))) as emu,
        aws_client("lambda", emu.aws_endpoint) as client,
    ):
        emu.faults.add(
            Fault(
                kind="error",
                service="lambda",
                operation=operation,
                status=403,
                code="AccessDeniedException",
            )
        )
        waiter = DurableExecutionWaiter(
            client, function_name="orders", execution_name="order-2", policy=FAST
        )
        with pytest.raises(WaitFailedError) as info:
            await waiter.wait()
    assert info.value.state.status == "FAILED"
    missing = (
        f"{unavailable} unavailable: AccessDeniedException: Injected fault: AccessDeniedException"
    )
    assert info.value.state.details_missing == (missing,)
    assert f"({missing})" in str(info.value)
    if operation == "GetDurableExecutionHistory":  # the error itself was fetched
        assert info.value.reason.startswith("FAILED: CardDeclined: declined\n")


async def test_a_hung_history_call_is_cut_and_the_failure_still_raised(aws_client):
    """A history call that never answers is cut within the look; the verdict stands."""
    async with (
        Emulator(scenario(execution("order-2", *FAILS))) as emu,
        aws_client("lambda", emu.aws_endpoint) as client,
    ):
        emu.faults.add(
            Fault(
                kind="latency", service="lambda", operation="GetDurableExecutionHistory", delay=60
            )
        )
        waiter = DurableExecutionWaiter(
            client,
            function_name="orders",
            execution_name="order-2",
            # The look (and so the history call) is bounded by the call timeout here.
            policy=FAST.replace(call_timeout=1.0),
        )
        with pytest.raises(WaitFailedError) as info:
            await waiter.wait(timeout=30)
    assert info.value.reason.startswith("FAILED: CardDeclined: declined")
    (missing,) = info.value.state.details_missing
    assert re.fullmatch(r"history unavailable: no answer within \d\.\ds", missing)
