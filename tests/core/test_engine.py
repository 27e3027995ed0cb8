import contextlib
import itertools
import logging
import pickle

import anyio
import pytest
import structlog
from structlog.testing import capture_logs

from waitkit import (
    ConfigurationError,
    ErrorKind,
    Policy,
    ProbeError,
    ResourceNotFoundError,
    UnexpectedStateError,
    Verdict,
    WaitFailedError,
    WaitTimeoutError,
    until,
)
from waitkit.testing import Hang, ScriptedError, ScriptedState, ScriptedWaiter

pytestmark = pytest.mark.anyio

STEADY = Policy(min_delay=10, max_delay=10, jitter="none", call_timeout=5, timeout=None)


def tasks_now() -> int:
    """How many tasks the event loop runs right now."""
    return len(anyio.get_running_tasks())


class TrackedWaiter(ScriptedWaiter):
    """A scripted waiter whose session records set-up and clean-up."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.events: list[str] = []

    @contextlib.asynccontextmanager
    async def _session(self):
        self.events.append("enter")
        try:
            yield
        finally:
            self.events.append("exit")

    def session(self):
        return self._session()


async def test_success_returns_last_state_distinct_history_and_counts():
    """wait() returns the success state, the distinct states with times, attempts and elapsed."""
    waiter = ScriptedWaiter(["Pending", "Pending", "Running", "Running", "done"], policy=STEADY)
    result = await waiter.wait(timeout=1000)
    assert result.state == ScriptedState(status="done")
    assert [entry.state.status for entry in result.history] == ["Pending", "Running", "done"]
    assert [entry.elapsed for entry in result.history] == pytest.approx([0, 20, 40])
    assert result.attempts == 5
    assert result.elapsed == pytest.approx(40)


async def test_states_yields_each_distinct_state_then_stops():
    """states() yields every distinct state, including the terminal success, then ends."""
    waiter = ScriptedWaiter(["a", "a", "b", "b", "b", "done"], policy=STEADY)
    seen = [state.status async for state in waiter.states(timeout=1000)]
    assert seen == ["a", "b", "done"]


async def test_states_yields_the_failure_state_then_raises():
    """states() yields the failure state before raising WaitFailedError."""
    waiter = ScriptedWaiter(
        ["a", ScriptedState(status="failed", detail="disk full")], policy=STEADY
    )
    seen: list[str] = []

    async def collect() -> None:
        async for state in waiter.states(timeout=1000):
            seen.append(state.status)  # noqa: PERF401 - keeps what arrived before the raise

    with pytest.raises(WaitFailedError) as info:
        await collect()
    assert seen == ["a", "failed"]
    assert info.value.reason == "disk full"


async def test_timeout_is_strict_on_the_loop_clock_with_a_final_observation_at_the_deadline():
    """A waiter that never finishes raises WaitTimeoutError at the deadline, after a last look."""
    waiter = ScriptedWaiter(["Pending"], policy=Policy(min_delay=5, max_delay=7, jitter="none"))
    start = anyio.current_time()
    with pytest.raises(WaitTimeoutError) as info:
        await waiter.wait(timeout=30)
    assert anyio.current_time() - start == pytest.approx(30)
    offsets = [t - start for t in waiter.observed_at]
    # 0, 5, 12, 19, then 26 would leave 4 <= min_delay: the last look moves to the deadline
    # (a sleep of 11 > max_delay would be needed from 19, so 26 is kept and 30 follows)
    assert offsets == pytest.approx([0, 5, 12, 19, 26, 30])
    assert all(offset <= 30 for offset in offsets)
    error = info.value
    assert isinstance(error, TimeoutError)
    assert error.state == ScriptedState(status="Pending")
    assert error.attempts == 6
    assert error.elapsed == pytest.approx(30)


async def test_the_last_sleep_is_never_longer_than_max_delay():
    """The clamp shortens the sleep before the last look; it never stretches it past max_delay."""
    waiter = ScriptedWaiter(["Pending"], policy=Policy(min_delay=7, max_delay=7, jitter="none"))
    start = anyio.current_time()
    with pytest.raises(WaitTimeoutError):
        await waiter.wait(timeout=30)
    offsets = [t - start for t in waiter.observed_at]
    assert offsets == pytest.approx([0, 7, 14, 21, 28, 30])  # not 21 -> 30 (a 9 s sleep)
    gaps = [b - a for a, b in itertools.pairwise(offsets)]
    assert max(gaps) <= 7 + 1e-9


async def test_the_final_look_is_scheduled_to_finish_by_the_deadline():
    """The last look starts the last call's latency before the deadline, so it can still count."""

    class Slow(ScriptedWaiter):
        async def observe(self):
            state = await super().observe()
            await anyio.sleep(2)  # every call takes 2 s
            return state

    waiter = Slow(["Pending", "Pending", "done"], policy=STEADY)
    start = anyio.current_time()
    result = await waiter.wait(timeout=25)
    offsets = [t - start for t in waiter.observed_at]
    # Looks at 0 and 12 (10 s after a 2 s call). From 14, a look at 24 would end past 25:
    # the final one starts its reserve (2 s and a quarter) before the deadline, and counts.
    assert offsets == pytest.approx([0, 12, 22.5])
    assert result.state.status == "done"
    assert result.elapsed == pytest.approx(24.5)


async def test_a_final_look_that_fails_ends_the_wait_at_once():
    """After the final look nothing more is tried: the timeout is raised, not another look."""

    class Slow(ScriptedWaiter):
        async def observe(self):
            state = await super().observe()
            await anyio.sleep(2)
            return state

    waiter = Slow(["Pending"], policy=STEADY)
    with pytest.raises(WaitTimeoutError) as info:
        await waiter.wait(timeout=25)
    assert info.value.attempts == 3
    assert info.value.elapsed == pytest.approx(24.5)  # the final look's answer: no more looks


async def test_no_sleep_crosses_the_deadline_with_jitter():
    """Under jittered schedules no observation ever starts after the deadline."""
    for jitter in ("smithy", "full", "equal", "decorrelated"):
        waiter = ScriptedWaiter(
            ["Pending"], policy=Policy(min_delay=1, max_delay=50, jitter=jitter, seed=1)
        )
        start = anyio.current_time()
        with pytest.raises(WaitTimeoutError):
            await waiter.wait(timeout=300)
        assert max(waiter.observed_at) - start == pytest.approx(300)
        assert anyio.current_time() - start == pytest.approx(300)


async def test_hung_observation_is_cut_by_the_call_timeout():
    """An observation that hangs is cancelled after call_timeout and retried as transient."""
    waiter = ScriptedWaiter([Hang(), "done"], policy=STEADY)
    start = anyio.current_time()
    result = await waiter.wait(timeout=100)
    # hang cut at 5 s, then the normal 10 s delay, then the successful look
    assert anyio.current_time() - start == pytest.approx(15)
    assert result.attempts == 2


@pytest.mark.parametrize("call_timeout", [None, 4, 30])
async def test_a_call_in_flight_at_the_deadline_is_cancelled_there(call_timeout):
    """Whatever the call timeout (none at all included), a hung call ends the wait on time."""
    waiter = TrackedWaiter(
        ["Pending", Hang()],
        policy=Policy(min_delay=10, max_delay=10, jitter="none", call_timeout=call_timeout),
    )
    start = anyio.current_time()
    with pytest.raises(WaitTimeoutError) as info:
        await waiter.wait(timeout=12)
    assert anyio.current_time() - start == pytest.approx(12)
    message = str(info.value)
    assert message.startswith("scripted script did not finish within 12.0s (2 observations)")
    assert "an observation still running after 2.0s was cancelled at the deadline" in message
    assert waiter.in_flight == 0
    assert waiter.events == ["enter", "exit"]


async def test_states_end_at_the_deadline_while_a_call_hangs():
    """states() keeps the same promise: a hung call is cut at the deadline."""
    waiter = ScriptedWaiter(["Pending", Hang()], policy=STEADY.replace(call_timeout=None))
    seen: list[str] = []

    async def collect() -> None:
        async for state in waiter.states(timeout=15):
            seen.append(state.status)  # noqa: PERF401 - keeps what arrived before the raise

    start = anyio.current_time()
    with pytest.raises(WaitTimeoutError):
        await collect()
    assert seen == ["Pending"]
    assert anyio.current_time() - start == pytest.approx(15)


async def test_throttling_uses_its_own_backoff_and_does_not_count_as_failure():
    """Throttled looks sleep Retry-After, and never use up the transient-error bound."""
    throttled = ScriptedError(ErrorKind.THROTTLED, "Rate exceeded", retry_after=3)
    waiter = ScriptedWaiter(
        [throttled] * 10 + ["done"], policy=STEADY.replace(max_transient_errors=0)
    )
    start = anyio.current_time()
    result = await waiter.wait(timeout=1000)
    gaps = [b - a for a, b in zip(waiter.observed_at, waiter.observed_at[1:], strict=False)]
    assert gaps == pytest.approx([3] * 10)
    assert result.attempts == 11
    assert anyio.current_time() - start == pytest.approx(30)


async def test_throttling_without_hint_backs_off_longer_than_polling():
    """Without Retry-After, throttled delays start at throttle_min_delay and double."""
    throttled = ScriptedError(ErrorKind.THROTTLED)
    policy = Policy(
        min_delay=0.1, max_delay=0.1, throttle_min_delay=4, throttle_max_delay=64, jitter="none"
    )
    waiter = ScriptedWaiter([throttled] * 4 + ["done"], policy=policy)
    await waiter.wait(timeout=1000)
    gaps = [b - a for a, b in zip(waiter.observed_at, waiter.observed_at[1:], strict=False)]
    assert gaps[0] >= 4
    assert gaps[3] >= 16  # attempt 4: ceiling 32, equal jitter >= 16
    assert sum(gaps) > 10 * 0.1


async def test_transient_errors_are_retried_up_to_the_bound():
    """Up to max_transient_errors consecutive transient errors are retried; one more raises."""
    boom = ScriptedError(ErrorKind.TRANSIENT, "503 Service Unavailable")
    policy = STEADY.replace(max_transient_errors=2, transient_grace=0)
    ok = ScriptedWaiter(["a", boom, boom, "done"], policy=policy)
    assert (await ok.wait(timeout=1000)).state.status == "done"

    failing = ScriptedWaiter(["a", boom, boom, boom, "done"], policy=policy)
    with pytest.raises(ProbeError) as info:
        await failing.wait(timeout=1000)
    assert info.value.__cause__ is boom
    assert info.value.attempts == 4
    assert "3 times in a row over 20.0s" in str(info.value)


async def test_a_run_of_errors_must_also_last_the_grace():
    """Errors beyond the count are still retried until the run has lasted transient_grace."""
    boom = ScriptedError(ErrorKind.TRANSIENT, "503")
    policy = Policy(min_delay=0.01, max_delay=0.05, max_transient_errors=5, transient_grace=2)

    class Outage(ScriptedWaiter):
        """Answers, then fails for `outage` seconds, then answers "done"."""

        def __init__(self, outage: float) -> None:
            super().__init__(["a"], policy=policy)
            self.outage = outage
            self.errors = 0
            self.begun: float | None = None

        async def observe(self):
            now = anyio.current_time()
            if self.begun is None:
                self.begun = now
                return ScriptedState(status="a")
            if now - self.begun <= self.outage:
                self.errors += 1
                raise boom
            return ScriptedState(status="done")

    short = Outage(outage=1.5)
    assert (await short.wait(timeout=60)).state.status == "done"
    assert short.errors > 5  # well past the count, survived by the grace

    long = Outage(outage=30)
    with pytest.raises(ProbeError, match=r"times in a row over 2\.0s") as info:
        await long.wait(timeout=60)
    assert info.value.elapsed == pytest.approx(2, abs=0.1)


async def test_an_outage_at_the_start_of_a_wait_is_survived_with_the_default_grace():
    """Half a second of errors before the first answer is ridden out by a fast poller."""
    policy = Policy(min_delay=0.01, max_delay=0.05)  # a Kubernetes-like pace
    started: list[float] = []

    async def flaky() -> str:
        now = anyio.current_time()
        started.append(now)
        if now - started[0] < 0.5:
            raise ConnectionRefusedError("connection refused")
        return "up"

    assert await until(flaky, lambda v: v == "up", policy=policy.replace(timeout=60)) == "up"
    assert len(started) > 6  # more errors than max_transient_errors


async def test_an_endpoint_that_never_answers_fails_as_a_probe_error_within_the_grace():
    """Never an answer, errors for the whole grace: ProbeError naming the error, not a timeout."""

    async def refused() -> str:
        raise ConnectionRefusedError("[Errno 111] connection refused")

    start = anyio.current_time()
    with pytest.raises(ProbeError) as info:
        await until(refused, bool, policy=Policy(min_delay=1, max_delay=1, timeout=600))
    message = str(info.value)
    assert "before any state was seen" in message
    assert "ConnectionRefusedError: [Errno 111] connection refused" in message
    assert anyio.current_time() - start == pytest.approx(5)  # the default grace, 1 s apart


async def test_a_success_resets_the_transient_streak():
    """Transient errors only count while consecutive."""
    boom = ScriptedError(ErrorKind.TRANSIENT)
    waiter = ScriptedWaiter(
        [boom, "a", boom, "b", boom, "done"], policy=STEADY.replace(max_transient_errors=1)
    )
    assert (await waiter.wait(timeout=1000)).state.status == "done"


async def test_connection_errors_are_transient_by_default():
    """The generic classifier retries OSError and TimeoutError."""
    waiter = ScriptedWaiter(
        [ConnectionResetError("reset"), TimeoutError(), "done"],
        policy=STEADY.replace(transient_grace=60),
    )
    assert (await waiter.wait(timeout=1000)).attempts == 3


async def test_fatal_errors_raise_probe_error_at_once_from_the_original():
    """A fatal error ends the wait on the first attempt, with the provider error as __cause__."""
    denied = ScriptedError(ErrorKind.FATAL, "AccessDenied")
    waiter = ScriptedWaiter(["a", denied, "done"], policy=STEADY)
    with pytest.raises(ProbeError) as info:
        await waiter.wait(timeout=1000)
    assert info.value.__cause__ is denied
    assert info.value.attempts == 2
    assert info.value.state == ScriptedState(status="a")
    assert "AccessDenied" in str(info.value)


async def test_not_found_raises_unless_within_grace():
    """Not-found raises ResourceNotFoundError, except during not_found_grace after the start."""
    missing = ScriptedError(ErrorKind.NOT_FOUND, "no such group")
    waiter = ScriptedWaiter([missing], policy=STEADY)
    with pytest.raises(ResourceNotFoundError, match="no such group") as info:
        await waiter.wait(timeout=1000)
    assert info.value.attempts == 1

    eventually = ScriptedWaiter(
        [missing, missing, "done"], policy=STEADY.replace(not_found_grace=25)
    )
    assert (await eventually.wait(timeout=1000)).attempts == 3

    too_late = ScriptedWaiter([missing] * 5, policy=STEADY.replace(not_found_grace=15))
    with pytest.raises(ResourceNotFoundError):
        await too_late.wait(timeout=1000)
    assert len(too_late.observed_at) == 3  # t=0, 10 within grace; t=20 raises


async def test_unknown_status_follows_the_policy():
    """Unknown statuses keep the wait going by default, and raise under unknown_status='fail'."""
    lenient = ScriptedWaiter(["Pending", "Baking", "done"], known=["Pending"], policy=STEADY)
    assert (await lenient.wait(timeout=1000)).state.status == "done"

    strict = ScriptedWaiter(
        ["Pending", "Baking", "done"],
        known=["Pending"],
        policy=STEADY.replace(unknown_status="fail"),
    )
    with pytest.raises(UnexpectedStateError, match="'Baking'") as info:
        await strict.wait(timeout=1000)
    assert info.value.state == ScriptedState(status="Baking")


async def test_failure_message_reads_like_an_assertion():
    """str(WaitFailedError) says what, how long, why, and the last states."""
    waiter = ScriptedWaiter(
        ["Pending", "InProgress", ScriptedState(status="failed", detail="RollbackFailed")],
        policy=STEADY,
        resource_id="web-asg/r-1",
    )
    with pytest.raises(WaitFailedError) as info:
        await waiter.wait(timeout=1000)
    message = str(info.value)
    assert message == (
        "scripted web-asg/r-1 failed after 20.0s: RollbackFailed (3 observations); "
        "states: +0.0s Pending -> +10.0s InProgress -> +20.0s failed"
    )
    assert info.value.waiter == "scripted web-asg/r-1"
    assert [e.state.status for e in info.value.history] == ["Pending", "InProgress", "failed"]


async def test_timeout_message_names_the_last_states_and_error():
    """str(WaitTimeoutError) gives the timeout, observations, last states and last error."""
    waiter = ScriptedWaiter(
        ["a", "b", ScriptedError(ErrorKind.TRANSIENT, "503")],
        policy=STEADY.replace(transient_grace=60),
    )
    with pytest.raises(WaitTimeoutError) as info:
        await waiter.wait(timeout=30)
    assert str(info.value) == (
        "scripted script did not finish within 30.0s (4 observations); "
        "last states: +0.0s a -> +10.0s b; last error: ScriptedError: 503"
    )


async def test_history_is_bounded_and_message_counts_the_hidden_states():
    """Only history_limit distinct states are kept; the message shows the last five."""
    statuses = [f"s{i}" for i in range(12)] + ["done"]
    result = await ScriptedWaiter(statuses, policy=STEADY.replace(history_limit=4)).wait(
        timeout=1000
    )
    assert [e.state.status for e in result.history] == ["s9", "s10", "s11", "done"]

    waiter = ScriptedWaiter([*statuses[:8], "failed"], policy=STEADY)
    with pytest.raises(WaitFailedError, match=r"\(4 earlier\) \+40.0s s4"):
        await waiter.wait(timeout=1000)


async def test_bad_arguments_are_rejected_before_any_observation():
    """Invalid timeout or policy raises ConfigurationError without calling observe()."""
    waiter = ScriptedWaiter(["done"])
    for bad in (-1, 0, float("nan"), "soon"):
        with pytest.raises(ConfigurationError, match="timeout"):
            await waiter.wait(timeout=bad)  # type: ignore[arg-type]
    with pytest.raises(ConfigurationError, match="policy"):
        await waiter.wait(policy="fast")  # type: ignore[arg-type]
    with pytest.raises(ConfigurationError, match="policy"):
        ScriptedWaiter(["done"], policy={"timeout": 5})  # type: ignore[arg-type]
    assert waiter.observed_at == []


async def test_no_timeout_means_no_bound():
    """timeout=None waits as long as it takes."""
    waiter = ScriptedWaiter(["Pending"] * 500 + ["done"], policy=STEADY)
    result = await waiter.wait(timeout=None)
    assert result.elapsed == pytest.approx(5000)


async def test_cancellation_mid_sleep_runs_cleanup_and_leaves_no_task():
    """Cancelling a wait while it sleeps exits its session and leaves no task behind."""
    before = tasks_now()
    waiter = TrackedWaiter(["Pending"], policy=STEADY)
    with anyio.move_on_after(15):
        await waiter.wait(timeout=1000)
    assert waiter.events == ["enter", "exit"]
    assert len(waiter.observed_at) == 2
    assert tasks_now() == before


async def test_cancellation_mid_call_cancels_the_call_and_runs_cleanup():
    """Cancelling a wait during an observation cancels that call and exits the session."""
    waiter = TrackedWaiter([Hang()], policy=STEADY.replace(call_timeout=None))
    async with anyio.create_task_group() as group:
        group.start_soon(waiter.wait)
        await anyio.sleep(1)
        assert waiter.in_flight == 1
        group.cancel_scope.cancel()
    assert waiter.in_flight == 0
    assert waiter.events == ["enter", "exit"]


async def test_log_events_one_per_change_none_per_poll():
    """Events are emitted on start, each state change and the end, never once per poll."""
    waiter = ScriptedWaiter(
        ["a", "a", "a", ScriptedError(ErrorKind.TRANSIENT, "503"), "a", "b", "b", "done"],
        policy=STEADY,
        resource_id="r-1",
    )
    with capture_logs() as events:
        await waiter.wait(timeout=1000)
    assert events == [
        {
            "event": "wait.started", "log_level": "info", "waiter": "scripted",
            "resource": "r-1", "timeout": 1000.0,
        },
        {
            "event": "wait.state_changed", "log_level": "info", "waiter": "scripted",
            "resource": "r-1", "state": "a", "previous": None, "elapsed": 0.0, "attempts": 1,
        },
        {
            "event": "wait.retrying", "log_level": "info", "waiter": "scripted", "resource": "r-1",
            "error_kind": "transient", "error": "ScriptedError: 503", "attempts": 4,
            "elapsed": 30.0,
        },
        {
            "event": "wait.state_changed", "log_level": "info", "waiter": "scripted",
            "resource": "r-1", "state": "b", "previous": "a", "elapsed": 50.0, "attempts": 6,
        },
        {
            "event": "wait.state_changed", "log_level": "info", "waiter": "scripted",
            "resource": "r-1", "state": "done", "previous": "b", "elapsed": 70.0, "attempts": 8,
        },
        {
            "event": "wait.succeeded", "log_level": "info", "waiter": "scripted",
            "resource": "r-1", "state": "done", "elapsed": 70.0, "attempts": 8,
        },
    ]  # fmt: skip


async def test_timed_out_and_failed_events():
    """A timeout logs wait.timed_out; a failure logs wait.failed, both at warning level."""
    with capture_logs() as events:
        with pytest.raises(WaitTimeoutError):
            await ScriptedWaiter(["a"], policy=STEADY).wait(timeout=10)
        with pytest.raises(WaitFailedError):
            await ScriptedWaiter(["failed"], policy=STEADY).wait(timeout=10)
    ends = [
        (e["event"], e["log_level"])
        for e in events
        if e["event"] in ("wait.timed_out", "wait.failed")
    ]
    assert ends == [("wait.timed_out", "warning"), ("wait.failed", "warning")]


async def test_events_reach_stdlib_logging(caplog: pytest.LogCaptureFixture):
    """With structlog routed to the standard library, events land on the 'waitkit' logger."""
    structlog.configure(
        processors=[structlog.stdlib.add_log_level, structlog.stdlib.render_to_log_kwargs],
        logger_factory=structlog.stdlib.LoggerFactory(),
        wrapper_class=structlog.stdlib.BoundLogger,
        cache_logger_on_first_use=False,
    )
    try:
        with caplog.at_level(logging.INFO, logger="waitkit"):
            await ScriptedWaiter(["a", "done"], policy=STEADY, resource_id="r-9").wait(timeout=100)
    finally:
        structlog.reset_defaults()
    records = [r for r in caplog.records if r.name == "waitkit"]
    assert [r.getMessage() for r in records] == [
        "wait.started",
        "wait.state_changed",
        "wait.state_changed",
        "wait.succeeded",
    ]
    assert records[-1].__dict__["resource"] == "r-9"


async def test_errors_pickle_with_their_context():
    """Wait errors survive pickling (multiprocessing, pytest-xdist) with state and history."""
    with pytest.raises(WaitFailedError) as info:
        await ScriptedWaiter(["a", "failed"], policy=STEADY).wait(timeout=100)
    copy = pickle.loads(pickle.dumps(info.value))
    assert str(copy) == str(info.value)
    assert copy.reason == "failed"
    assert copy.state == info.value.state
    assert copy.history == info.value.history


async def test_call_timeout_holds_after_many_quick_calls():
    """After fast calls sharing one armed timer, a hang is cut call_timeout after it started.

    The shared deadline (armed by an earlier call) cuts it sooner; that cut is not counted:
    the call is made again at once, and still ends call_timeout after its first start.
    """
    waiter = ScriptedWaiter(
        ["Pending"] * 30 + [Hang(), Hang(), "done"],
        policy=Policy(min_delay=0.1, max_delay=0.1, jitter="none", call_timeout=10),
    )
    with capture_logs() as events:
        result = await waiter.wait(timeout=1000)
    first, second, last = waiter.observed_at[30], waiter.observed_at[31], waiter.observed_at[32]
    assert first == pytest.approx(3.0)  # 30 quick calls, 0.1 s apart
    # Cut by the deadline the first call armed at 0 s, 7 s in: made again.
    assert second - first == pytest.approx(7.0)
    assert last - first == pytest.approx(10.0 + 0.1)  # call_timeout from the first start
    retries = [e for e in events if e["event"] == "wait.retrying"]
    assert [e["error_kind"] for e in retries] == ["transient"]  # one timeout, not two
    assert result.attempts == 33


async def test_a_call_remade_after_an_early_cut_never_overshoots_the_deadline():
    """A final observation cut early by a shared deadline still ends by deadline + call_timeout."""
    waiter = ScriptedWaiter(
        ["Pending"] * 5 + [Hang()],
        policy=Policy(min_delay=1, max_delay=1, jitter="none", call_timeout=10),
    )
    started = anyio.current_time()
    with pytest.raises(WaitTimeoutError):
        await waiter.wait(timeout=5)
    assert anyio.current_time() - started <= 5 + 10 + 1e-6


async def test_sleeps_near_the_call_deadline_cause_no_spurious_timeouts():
    """Delays just under the call timeout never let the armed timer cut a healthy wait."""
    for delay in (8.9, 9.0, 9.5, 9.99, 10.0, 10.5):
        waiter = ScriptedWaiter(
            ["Pending"] * 20 + ["done"],
            policy=Policy(min_delay=delay, max_delay=delay, jitter="none", call_timeout=10),
        )
        with capture_logs() as events:
            result = await waiter.wait(timeout=None)
        assert result.attempts == 21, delay
        assert not [e for e in events if e["event"] == "wait.retrying"], delay


class _CountingWait:
    """A per-wait target: counts its own observations."""

    kind = "counting"
    resource_id = "r"
    long_polls = False

    def __init__(self, waiter: "PerWaitWaiter", deadline: float | None) -> None:
        self.waiter, self.deadline, self.looks = waiter, deadline, 0

    def describe(self) -> str:
        return "counting r"

    async def observe(self) -> ScriptedState:
        self.looks += 1
        return ScriptedState(status="done" if self.looks >= self.waiter.needed else "Pending")

    def verdict(self, state: ScriptedState) -> Verdict:
        return self.waiter.verdict(state)

    def classify_error(self, error: Exception):
        return self.waiter.classify_error(error)

    def summarize(self, state: ScriptedState) -> str:
        return state.status

    def session(self):
        return contextlib.nullcontext()


class PerWaitWaiter(ScriptedWaiter):
    """A waiter whose waits each get a fresh target from for_wait()."""

    needed = 3

    def __init__(self) -> None:
        super().__init__(["unused"], policy=STEADY)
        self.deadlines: list[float | None] = []

    def for_wait(self, deadline):
        self.deadlines.append(deadline)
        return _CountingWait(self, deadline)


async def test_for_wait_gives_each_wait_its_own_state():
    """Concurrent waits of one waiter observe through separate per-wait targets."""
    waiter = PerWaitWaiter()
    start = anyio.current_time()
    results = []
    async with anyio.create_task_group() as group:
        for timeout in (100, 200):

            async def one(timeout: float = timeout) -> None:
                results.append(await waiter.wait(timeout=timeout))

            group.start_soon(one)
    assert [r.attempts for r in results] == [3, 3]  # not 3 and 6: no shared counter
    assert sorted(d - start for d in waiter.deadlines) == pytest.approx([100, 200])


class LongPollWaiter(ScriptedWaiter):
    """A scripted waiter whose observations wait for news themselves."""

    long_polls = True


FIXED_2S = Policy(min_delay=2, max_delay=2, jitter="none", timeout=None)


@pytest.mark.parametrize(
    ("waiter_class", "looks"),
    [(LongPollWaiter, [0, 3, 6]), (ScriptedWaiter, [0, 5, 10])],
    ids=["long-polls", "polls"],
)
async def test_a_long_poll_counts_toward_the_delay(waiter_class, looks):
    """After a 3 s long-poll with a 2 s delay the next look starts at once; a poll sleeps 2 s."""
    waiter = waiter_class([Hang(3), "Pending", Hang(3), "Pending", "done"], policy=FIXED_2S)
    start = anyio.current_time()
    result = await waiter.wait()
    assert [at - start for at in waiter.observed_at] == pytest.approx(looks)
    assert result.attempts == 3


async def test_a_long_poll_answered_at_once_still_waits_out_the_delay():
    """No spinning: quick answers keep the policy's pace, a short wait counts toward it."""
    waiter = LongPollWaiter(["Pending", Hang(0.5), "Pending", "done"], policy=FIXED_2S)
    start = anyio.current_time()
    await waiter.wait()
    assert [at - start for at in waiter.observed_at] == pytest.approx([0, 2, 4])
