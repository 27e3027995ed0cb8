"""JobWaiter against the emulator: success, failures, interim vs terminal, deletion, suspension."""

from __future__ import annotations

import anyio
import pytest

from waitkit import ResourceNotFoundError, WaitFailedError, WaitTimeoutError, wait_all
from waitkit.emulator.k8s import JobPoint, JobScenario, KubernetesScenario
from waitkit.k8s import JobPhase, JobWaiter

from .conftest import FAST, Start

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
    result = await JobWaiter(env.api, "etl", policy=FAST).wait()
    assert result.state.phase is JobPhase.COMPLETE
    assert result.state.completion_time is not None
    phases = [entry.state.phase for entry in result.history]
    assert phases[0] is JobPhase.RUNNING
    assert JobPhase.SUCCEEDING in phases


async def test_decided_returns_at_success_criteria_met(start: Start) -> None:
    """until="decided" returns at SuccessCriteriaMet, before Complete."""
    env = await start(
        KubernetesScenario(
            jobs=[
                _job("etl", JobPoint(at=0.2, phase="succeeding"), JobPoint(at=5, phase="complete"))
            ]
        )
    )
    result = await JobWaiter(env.api, "etl", until="decided", policy=FAST).wait()
    assert result.state.phase is JobPhase.SUCCEEDING
    assert result.elapsed < 3


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
    outcomes = await wait_all(waiters, return_exceptions=True)
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
    with pytest.raises(WaitFailedError) as early:
        await JobWaiter(env.api, "a", until="decided", policy=FAST).wait()
    assert early.value.state.phase is JobPhase.FAILING
    with pytest.raises(WaitFailedError) as late:
        await JobWaiter(env.api, "b", policy=FAST).wait()
    assert late.value.state.phase is JobPhase.FAILED
    assert JobPhase.FAILING in [entry.state.phase for entry in late.value.history]


async def test_missing_job_is_not_found(start: Start) -> None:
    """A Job that does not exist raises ResourceNotFoundError after the list."""
    env = await start()
    with pytest.raises(ResourceNotFoundError):
        await JobWaiter(env.api, "nope", policy=FAST).wait()


async def test_job_created_within_grace_is_awaited(start: Start) -> None:
    """With not_found_grace, a Job created shortly after the wait starts is awaited."""
    env = await start()

    async def create_later() -> None:
        await anyio.sleep(0.3)
        env.kube.create_job(_job("late", JobPoint(at=0.2, phase="complete")))

    async with anyio.create_task_group() as tg:
        tg.start_soon(create_later)
        result = await JobWaiter(env.api, "late", policy=FAST.replace(not_found_grace=3)).wait()
    assert result.state.phase is JobPhase.COMPLETE


async def test_deleted_mid_wait_is_not_found(start: Start) -> None:
    """A Job deleted while awaited raises ResourceNotFoundError carrying its last state."""
    env = await start(KubernetesScenario(jobs=[_job("etl")]))

    async def delete_later() -> None:
        await anyio.sleep(0.3)
        env.kube.delete_job("etl")

    async with anyio.create_task_group() as tg:
        tg.start_soon(delete_later)
        with pytest.raises(ResourceNotFoundError) as caught:
            await JobWaiter(env.api, "etl", policy=FAST).wait()
    assert caught.value.state is not None
    assert caught.value.state.phase is JobPhase.RUNNING


async def test_suspended_is_reported_and_may_fail(start: Start) -> None:
    """A suspended Job shows phase suspended (JobSuspended); on_suspended="fail" fails on it."""
    env = await start(KubernetesScenario(jobs=[_job("s", suspend=True)]))
    with pytest.raises(WaitTimeoutError) as caught:
        await JobWaiter(env.api, "s", policy=FAST).wait(timeout=0.5)
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
    result = await JobWaiter(env.api, "s", policy=FAST).wait()
    phases = [entry.state.phase for entry in result.history]
    assert phases[0] is JobPhase.SUSPENDED
    assert phases[-1] is JobPhase.COMPLETE


async def test_poll_fallback(start: Start) -> None:
    """watch=False polls with LIST calls and opens no stream."""
    from waitkit.k8s import WatchOptions

    env = await start(KubernetesScenario(jobs=[_job("etl", JobPoint(at=0.5, phase="complete"))]))
    waiter = JobWaiter(
        env.api, "etl", watch=WatchOptions(watch=False, poll_interval=0.1), policy=FAST
    )
    result = await waiter.wait()
    assert result.state.phase is JobPhase.COMPLETE
    assert env.emu.counters.watches_opened == 0
    assert env.emu.counters.of("kubernetes", "list") >= 2


async def test_deadline_is_kept_despite_long_polls(start: Start) -> None:
    """A long-poll never runs past the wait's deadline: a 0.5 s wait ends close to 0.5 s."""
    env = await start(KubernetesScenario(jobs=[_job("etl")]))
    with pytest.raises(WaitTimeoutError) as caught:
        await JobWaiter(env.api, "etl", policy=FAST).wait(timeout=0.5)
    assert 0.5 <= caught.value.elapsed < 0.7
