"""JobWaiter against the emulator: success, failures, interim vs terminal, deletion, suspension."""

from __future__ import annotations

import anyio
import pytest

from waitkit import ResourceNotFoundError, WaitFailedError, WaitTimeoutError, wait_all
from waitkit.emulator.k8s import JobPoint, JobScenario, KubernetesScenario
from waitkit.k8s import JobPhase, JobWaiter, WatchOptions
from waitkit.k8s._watch import open_streams

from .conftest import FAST, Start, meanwhile, step_through, when

pytestmark = pytest.mark.anyio


def _job(name: str, *points: JobPoint, **kwargs: object) -> JobScenario:
    return JobScenario(name=name, timeline=list(points), **kwargs)  # type: ignore[arg-type]


async def test_complete_succeeds(start: Start) -> None:
    """A Job that reaches Complete returns its terminal state with completionTime."""
    env = await start(
        KubernetesScenario(
            jobs=[
                _job(
                    "etl", JobPoint(at=0.3, phase="succeeding"), JobPoint(at=0.6, phase="complete")
                )
            ]
        )
    )
    states = await step_through(env, JobWaiter(env.api, "etl", policy=FAST))
    assert states[-1].phase is JobPhase.COMPLETE
    assert states[-1].completion_time is not None
    assert [state.phase for state in states] == [
        JobPhase.RUNNING,
        JobPhase.SUCCEEDING,
        JobPhase.COMPLETE,
    ]


async def test_decided_returns_at_success_criteria_met(start: Start) -> None:
    """until="decided" returns at SuccessCriteriaMet, before Complete."""
    env = await start(
        KubernetesScenario(
            jobs=[
                _job("etl", JobPoint(at=0.2, phase="succeeding"), JobPoint(at=5, phase="complete"))
            ]
        )
    )
    waiter = JobWaiter(env.api, "etl", until="decided", policy=FAST)
    # Time moves to the first point only: Complete is never reached while the wait runs.
    result = await meanwhile(waiter.wait(), when(env.watch_opened(), lambda: env.advance(1)))
    assert result.state.phase is JobPhase.SUCCEEDING
    assert [entry.state.phase for entry in result.history] == [
        JobPhase.RUNNING,
        JobPhase.SUCCEEDING,
    ]


_REASONS = (
    "BackoffLimitExceeded",
    "DeadlineExceeded",
    "PodFailurePolicy",
    "FailedIndexes",
    "MaxFailedIndexesExceeded",
)


async def test_failed_carries_reason_and_message(start: Start) -> None:
    """Failed raises WaitFailedError with each reason the controller writes, and its message."""
    env = await start(
        KubernetesScenario(
            jobs=[
                _job(
                    reason.lower(),
                    JobPoint(at=0.2, phase="failing", reason=reason),
                    JobPoint(at=0.4, phase="failed", reason=reason),
                )
                for reason in _REASONS
            ]
        )
    )
    waiters = [JobWaiter(env.api, reason.lower(), policy=FAST) for reason in _REASONS]
    outcomes = await meanwhile(
        wait_all(waiters, return_exceptions=True), when(env.watch_opened(), env.advance)
    )
    for reason, outcome in zip(_REASONS, outcomes, strict=True):
        assert isinstance(outcome, WaitFailedError), reason
        assert outcome.reason.startswith(f"{reason}: "), outcome.reason
        assert outcome.state.phase is JobPhase.FAILED
        assert outcome.state.message
        assert outcome.state.message in str(outcome)


async def test_decided_fails_at_failure_target(start: Start) -> None:
    """until="decided" fails at FailureTarget; the default waits for Failed."""
    points = (JobPoint(at=0.2, phase="failing"), JobPoint(at=0.9, phase="failed"))
    env = await start(KubernetesScenario(jobs=[_job("a", *points), _job("b", *points)]))
    early_waiter = JobWaiter(env.api, "a", until="decided", policy=FAST)
    with pytest.raises(WaitFailedError) as early:
        await meanwhile(early_waiter.wait(), when(env.watch_opened(), lambda: env.advance(1)))
    assert early.value.state.phase is JobPhase.FAILING
    with pytest.raises(WaitFailedError) as late:
        await step_through(env, JobWaiter(env.api, "b", policy=FAST))  # FAILING, then FAILED
    assert late.value.state.phase is JobPhase.FAILED
    assert [entry.state.phase for entry in late.value.history] == [
        JobPhase.FAILING,
        JobPhase.FAILED,
    ]


async def test_missing_job_is_not_found(start: Start) -> None:
    """A Job that does not exist raises ResourceNotFoundError after the list."""
    env = await start()
    with pytest.raises(ResourceNotFoundError):
        await JobWaiter(env.api, "nope", policy=FAST).wait()


async def test_job_created_within_grace_is_awaited(start: Start) -> None:
    """With not_found_grace, a Job created shortly after the wait starts is awaited."""
    env = await start()

    def create() -> None:
        env.kube.create_job(_job("late", JobPoint(at=0.2, phase="complete")))
        env.advance()

    waiter = JobWaiter(env.api, "late", policy=FAST.replace(not_found_grace=3))
    # Created once the wait has listed (and not found) it and watches for it.
    result = await meanwhile(waiter.wait(), when(env.watch_opened(), create))
    assert result.state.phase is JobPhase.COMPLETE
    assert result.attempts >= 2


async def test_deleted_mid_wait_is_not_found(start: Start) -> None:
    """A Job deleted while awaited raises ResourceNotFoundError carrying its last state."""
    env = await start(KubernetesScenario(jobs=[_job("etl")]))
    waiter = JobWaiter(env.api, "etl", policy=FAST)
    with pytest.raises(ResourceNotFoundError) as caught:
        await meanwhile(waiter.wait(), when(env.watch_opened(), lambda: env.kube.delete_job("etl")))
    assert caught.value.state is not None
    assert caught.value.state.phase is JobPhase.RUNNING


async def test_suspended_is_reported_and_may_fail(start: Start) -> None:
    """A suspended Job shows phase suspended (JobSuspended); on_suspended="fail" fails on it."""
    env = await start(KubernetesScenario(jobs=[_job("s", suspend=True)]))
    with pytest.raises(WaitTimeoutError) as caught:
        # Long enough for a first look on a loaded machine: the state is what is asserted.
        await JobWaiter(env.api, "s", policy=FAST).wait(timeout=1)
    assert caught.value.state.phase is JobPhase.SUSPENDED
    assert caught.value.state.reason == "JobSuspended"
    with pytest.raises(WaitFailedError, match="suspended"):
        await JobWaiter(env.api, "s", on_suspended="fail", policy=FAST).wait()


async def test_resumed_job_completes(start: Start) -> None:
    """A suspended Job that is resumed and completes succeeds."""
    env = await start(
        KubernetesScenario(
            jobs=[
                _job(
                    "s",
                    JobPoint(at=0.3, phase="running"),
                    JobPoint(at=0.6, phase="complete"),
                    suspend=True,
                )
            ]
        )
    )
    states = await step_through(env, JobWaiter(env.api, "s", policy=FAST))
    assert [state.phase for state in states] == [
        JobPhase.SUSPENDED,
        JobPhase.RUNNING,
        JobPhase.COMPLETE,
    ]


async def test_poll_fallback(start: Start) -> None:
    """watch=False polls with LIST calls and opens no stream."""
    env = await start(KubernetesScenario(jobs=[_job("etl", JobPoint(at=0.5, phase="complete"))]))
    waiter = JobWaiter(
        env.api, "etl", watch=WatchOptions(watch=False, poll_interval=0.05), policy=FAST
    )
    states = await step_through(env, waiter)
    assert [state.phase for state in states] == [JobPhase.RUNNING, JobPhase.COMPLETE]
    assert env.emu.counters.watches_opened == 0
    assert env.emu.counters.of("kubernetes", "list") >= 2


async def test_deadline_is_kept_despite_long_polls(start: Start) -> None:
    """A long-poll never runs past the wait's deadline: a 1 s wait does not sit out 15 s polls."""
    env = await start(KubernetesScenario(jobs=[_job("etl")]))
    waiter = JobWaiter(env.api, "etl", watch=WatchOptions(long_poll=60), policy=FAST)
    # The long-poll is capped at half the call timeout (15 s): overrunning the deadline
    # would end the wait there, so this bound is 50 times the timeout, not a measure.
    with anyio.fail_after(10), pytest.raises(WaitTimeoutError) as caught:
        await waiter.wait(timeout=1)  # a first look fits on a loaded machine; 60 s polls do not
    assert caught.value.state.phase is JobPhase.RUNNING
    assert caught.value.attempts >= 1


async def test_each_wait_of_one_waiter_has_its_own_target(start: Start) -> None:
    """One JobWaiter awaited twice at once: two targets; observe() alone is one look."""
    env = await start(KubernetesScenario(jobs=[_job("etl", JobPoint(at=0.3, phase="complete"))]))
    waiter = JobWaiter(env.api, "etl", policy=FAST)
    assert waiter.for_wait(None) is not waiter.for_wait(None)
    assert (await waiter.observe()).phase is JobPhase.RUNNING
    assert open_streams(env.api) == 0  # the look's subscription closed with it
    results = await meanwhile(wait_all([waiter, waiter]), when(env.watch_opened(), env.advance))
    assert [result.state.phase for result in results] == [JobPhase.COMPLETE] * 2
