"""Pod-level causes while a Job is pending, fail-fast on them, and the log tail on failure."""

from __future__ import annotations

import contextlib

import pytest

from waitkit import WaitFailedError, WaitTimeoutError, wait_all
from waitkit.emulator.k8s import (
    ContainerState,
    JobPoint,
    JobScenario,
    KubernetesScenario,
    PodPoint,
    PodScenario,
)
from waitkit.k8s import JobPhase, JobWaiter, WatchOptions

from .conftest import FAST, Start, meanwhile, when

pytestmark = pytest.mark.anyio


def _stuck_pod(point: PodPoint, **kwargs: object) -> KubernetesScenario:
    return KubernetesScenario(
        jobs=[JobScenario(name="etl")],
        pods=[PodScenario(name="etl-abcde", job="etl", timeline=[point], **kwargs)],  # type: ignore[arg-type]
    )


_CAUSES = [
    (PodPoint(at=0, containers=[ContainerState(waiting="ImagePullBackOff")]), "ImagePullBackOff"),
    (PodPoint(at=0, containers=[ContainerState(waiting="ErrImagePull")]), "ErrImagePull"),
    (
        PodPoint(
            at=0,
            phase="Running",
            containers=[
                ContainerState(
                    waiting="CrashLoopBackOff", last_terminated="OOMKilled", restart_count=3
                )
            ],
        ),
        "CrashLoopBackOff",
    ),
    (
        PodPoint(at=0, phase="Running", containers=[ContainerState(terminated="OOMKilled")]),
        "OOMKilled",
    ),
    (
        PodPoint(at=0, containers=[ContainerState(waiting="CreateContainerConfigError")]),
        "CreateContainerConfigError",
    ),
    (PodPoint(at=0, unschedulable="0/3 nodes are available: 3 Insufficient cpu."), "Unschedulable"),
]


async def test_pending_jobs_report_pod_causes(start: Start) -> None:
    """While a Job runs, its state names what its pods are stuck on, one Job per cause."""
    env = await start(
        KubernetesScenario(
            jobs=[JobScenario(name=f"job-{i}") for i in range(len(_CAUSES))],
            pods=[
                PodScenario(name=f"job-{i}-abcde", job=f"job-{i}", timeline=[point])
                for i, (point, _) in enumerate(_CAUSES)
            ],
        )
    )
    waiters = [JobWaiter(env.api, f"job-{i}", policy=FAST) for i in range(len(_CAUSES))]
    # The first look at each Job reads its pods: the timeout leaves room for that one, also
    # on a loaded machine (0.1 s did not always).
    outcomes = await wait_all(waiters, timeout=1, return_exceptions=True)
    for i, ((_, reason), outcome) in enumerate(zip(_CAUSES, outcomes, strict=True)):
        assert isinstance(outcome, WaitTimeoutError), reason
        state = outcome.state
        assert state.phase is JobPhase.RUNNING
        assert [cause.reason for cause in state.causes] == [reason]
        assert state.causes[0].pod == f"job-{i}-abcde"
        assert reason in str(outcome)


async def test_crash_loop_cause_names_the_last_crash(start: Start) -> None:
    """CrashLoopBackOff carries the last crash (OOMKilled) and the restart count."""
    point = PodPoint(
        at=0,
        phase="Running",
        containers=[
            ContainerState(waiting="CrashLoopBackOff", last_terminated="OOMKilled", restart_count=3)
        ],
    )
    env = await start(_stuck_pod(point))
    with pytest.raises(WaitTimeoutError) as caught:
        await JobWaiter(env.api, "etl", policy=FAST).wait(timeout=1)  # room for a first look
    (cause,) = caught.value.state.causes
    assert cause.restarts == 3
    assert cause.message is not None
    assert "OOMKilled" in cause.message


async def test_fail_fast_on_image_pull_after_grace(start: Start) -> None:
    """fail_fast=True fails once ImagePullBackOff has lasted fail_fast_after seconds."""
    env = await start(
        _stuck_pod(PodPoint(at=0, containers=[ContainerState(waiting="ImagePullBackOff")]))
    )
    waiter = JobWaiter(env.api, "etl", fail_fast=True, fail_fast_after=0.2, policy=FAST)
    with pytest.raises(WaitFailedError) as caught:
        await waiter.wait(timeout=5)
    assert "ImagePullBackOff for more than 0.2s (fail_fast)" in caught.value.reason
    # Seen first within its grace (no failure), then stuck once the grace ran out.
    (first, *_, last) = [entry.state for entry in caught.value.history]
    assert [cause.reason for cause in first.causes] == ["ImagePullBackOff"]
    assert first.stuck is None
    assert last.stuck is not None


async def test_fail_fast_ignores_other_causes(start: Start) -> None:
    """A cause outside the fail_fast set (Unschedulable) never fails the wait."""
    env = await start(_stuck_pod(PodPoint(at=0, unschedulable="0/1 nodes are available")))
    waiter = JobWaiter(env.api, "etl", fail_fast=True, fail_fast_after=0, policy=FAST)
    with pytest.raises(WaitTimeoutError):
        await waiter.wait(timeout=0.1)


async def test_cause_appearing_mid_wait_is_reported(start: Start) -> None:
    """A pod that starts pulling fine and then fails to pull shows up as a new state."""
    env = await start(
        _stuck_pod(PodPoint(at=0, phase="Pending")).model_copy(
            update={
                "pods": [
                    PodScenario(
                        name="etl-abcde",
                        job="etl",
                        timeline=[
                            PodPoint(at=0, phase="Pending"),
                            PodPoint(at=0.3, containers=[ContainerState(waiting="ErrImagePull")]),
                        ],
                    )
                ]
            }
        )
    )
    options = WatchOptions(long_poll=0.05)  # pods are read between long-polls on the Job
    waiter = JobWaiter(env.api, "etl", watch=options, policy=FAST)
    async with contextlib.aclosing(waiter.states()) as states:
        first = await anext(states)
        env.advance()  # the pod fails to pull; the Job itself does not change
        second = await anext(states)
    assert (first.phase, first.causes) == (JobPhase.RUNNING, ())
    assert second.phase is JobPhase.RUNNING
    assert [cause.reason for cause in second.causes] == ["ErrImagePull"]


async def test_failure_carries_the_failed_pods_log_tail(start: Start) -> None:
    """On failure the error carries the last lines of the failed pod's log."""
    log = "".join(f"line {i}\n" for i in range(10))
    env = await start(
        KubernetesScenario(
            jobs=[
                JobScenario(
                    name="etl",
                    timeline=[JobPoint(at=0.3, phase="failing"), JobPoint(at=0.5, phase="failed")],
                )
            ],
            pods=[
                PodScenario(
                    name="etl-ok",
                    job="etl",
                    logs="fine\n",
                    timeline=[PodPoint(at=0, phase="Running")],
                ),
                PodScenario(
                    name="etl-bad",
                    job="etl",
                    logs=log,
                    # Failed before the wait starts: the Job's failure cannot overtake it.
                    timeline=[
                        PodPoint(
                            at=0,
                            phase="Failed",
                            containers=[ContainerState(terminated="Error", exit_code=2)],
                        ),
                    ],
                ),
            ],
        )
    )
    waiter = JobWaiter(env.api, "etl", log_lines=3, policy=FAST)
    with pytest.raises(WaitFailedError) as caught:
        await meanwhile(waiter.wait(), when(env.watch_opened(), env.advance))
    state = caught.value.state
    assert state.phase is JobPhase.FAILED
    assert state.failed_pod == "etl-bad"
    assert state.log_tail == ("line 7", "line 8", "line 9")
    assert "line 9" in str(caught.value)
    assert env.kube.requests["log", "pods"] == 1


async def test_log_tail_without_pod_watch(start: Start) -> None:
    """With pod_causes=False the failed pod is found by one LIST, still one log read."""
    env = await start(
        KubernetesScenario(
            jobs=[JobScenario(name="etl", timeline=[JobPoint(at=0.3, phase="failed")])],
            pods=[
                PodScenario(
                    name="etl-bad",
                    job="etl",
                    logs="boom\n",
                    timeline=[
                        PodPoint(
                            at=0,
                            phase="Failed",
                            containers=[ContainerState(terminated="Error", exit_code=1)],
                        )
                    ],
                )
            ],
        )
    )
    waiter = JobWaiter(env.api, "etl", pod_causes=False, policy=FAST)
    with pytest.raises(WaitFailedError) as caught:
        await meanwhile(waiter.wait(), when(env.watch_opened(), env.advance))
    assert caught.value.state.log_tail == ("boom",)
    assert env.emu.counters.watches_opened == 1


async def test_failure_without_pods_has_no_log(start: Start) -> None:
    """A failed Job whose pods are gone fails with its reason and an empty log tail."""
    env = await start(
        KubernetesScenario(
            jobs=[
                JobScenario(
                    name="etl",
                    timeline=[JobPoint(at=0.2, phase="failed", reason="DeadlineExceeded")],
                )
            ]
        )
    )
    waiter = JobWaiter(env.api, "etl", policy=FAST)
    with pytest.raises(WaitFailedError) as caught:
        await meanwhile(waiter.wait(), when(env.watch_opened(), env.advance))
    assert caught.value.reason.startswith("DeadlineExceeded")
    assert caught.value.state.log_tail == ()


async def test_a_failed_job_keeps_the_causes_seen_while_it_ran(start: Start) -> None:
    """The Failed state and its error still name what the pods were stuck on (OOMKilled)."""
    env = await start(
        KubernetesScenario(
            jobs=[
                JobScenario(
                    name="etl",
                    timeline=[
                        JobPoint(at=0, phase="running"),
                        JobPoint(at=0.4, phase="failing", reason="BackoffLimitExceeded"),
                        JobPoint(at=0.5, phase="failed", reason="BackoffLimitExceeded"),
                    ],
                )
            ],
            pods=[
                PodScenario(
                    name="etl-oom",
                    job="etl",
                    timeline=[
                        PodPoint(
                            at=0,
                            phase="Running",
                            containers=[ContainerState(terminated="OOMKilled")],
                        )
                    ],
                )
            ],
        )
    )
    waiter = JobWaiter(env.api, "etl", log_lines=0, policy=FAST)
    # Time moves once the Job was seen running (with its pods) and is watched.
    with pytest.raises(WaitFailedError) as caught:
        await meanwhile(waiter.wait(), when(env.watch_opened(), env.advance))
    state = caught.value.state
    assert state.phase is JobPhase.FAILED
    assert [cause.reason for cause in state.causes] == ["OOMKilled"]
    assert caught.value.reason.startswith("BackoffLimitExceeded")
