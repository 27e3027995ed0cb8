"""One watch stream per (client, namespace, kind, selector), whatever the number of waiters."""

from __future__ import annotations

import anyio
import pytest

from waitkit import Policy, ProbeError, wait_all
from waitkit.emulator import Fault
from waitkit.emulator.k8s import JobPoint, JobScenario, KubernetesScenario
from waitkit.k8s import JobPhase, JobWaiter

from .conftest import Start

pytestmark = pytest.mark.anyio

_MANY = 1000


async def test_thousand_job_waiters_share_one_stream(start: Start) -> None:
    """1,000 JobWaiters in one namespace cost one LIST and one WATCH of jobs (plus one of pods)."""
    jobs = [
        JobScenario(
            name=f"job-{i}", timeline=[JobPoint(at=0.5 + (i % 10) * 0.05, phase="complete")]
        )
        for i in range(_MANY)
    ]
    env = await start(KubernetesScenario(jobs=jobs))
    policy = Policy(min_delay=0.05, max_delay=0.5, timeout=15)
    waiters = [JobWaiter(env.api, f"job-{i}", policy=policy) for i in range(_MANY)]
    with anyio.fail_after(15):
        results = await wait_all(waiters)
    assert {result.state.phase for result in results} == {JobPhase.COMPLETE}
    assert env.kube.requests["watch", "jobs"] == 1
    assert env.kube.requests["list", "jobs"] == 1
    assert env.emu.counters.watches_opened == 2  # jobs, and pods for the pod-level causes


async def test_completed_jobs_open_no_pod_stream(start: Start) -> None:
    """Waiters whose Jobs are already complete never subscribe to the pods stream."""
    jobs = [
        JobScenario(name=f"j{i}", timeline=[JobPoint(at=0, phase="complete")]) for i in range(20)
    ]
    env = await start(KubernetesScenario(jobs=jobs))
    await wait_all([JobWaiter(env.api, f"j{i}") for i in range(20)])
    assert env.kube.requests["list", "pods"] == 0
    assert env.emu.counters.watches_opened == 0  # everything was in the first LIST


async def test_streams_close_with_last_subscriber_and_reopen(start: Start) -> None:
    """After the last waiter leaves, the stream is closed; the next wait opens a new one."""
    env = await start(KubernetesScenario(jobs=[JobScenario(name="a")]))
    policy = Policy(min_delay=0.05, max_delay=0.2)
    for _ in range(2):
        with anyio.move_on_after(0.3):
            await JobWaiter(env.api, "a", pod_causes=False, policy=policy).wait()
        with anyio.fail_after(2):
            while env.emu.counters.watches_open:  # noqa: ASYNC110 - a counter, no event
                await anyio.sleep(0.01)
    assert env.kube.requests["list", "jobs"] == 2


async def test_a_failed_list_is_shared_not_repeated(start: Start) -> None:
    """Waiters queued behind a LIST that failed get its error instead of listing again."""
    env = await start(KubernetesScenario(jobs=[JobScenario(name=f"j{i}") for i in range(50)]))
    env.emu.faults.add(Fault(kind="error", service="kubernetes", operation="list", status=403))
    waiters = [JobWaiter(env.api, f"j{i}") for i in range(50)]
    outcomes = await wait_all(waiters, return_exceptions=True)
    assert all(isinstance(outcome, ProbeError) for outcome in outcomes)
    assert env.kube.requests["list", "jobs"] == 1
