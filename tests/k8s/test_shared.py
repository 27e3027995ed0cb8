"""One watch stream per (client, namespace, kind, selector), whatever the number of waiters."""

from __future__ import annotations

import logging
from collections.abc import Iterator

import anyio
import pytest
import structlog

from waitkit import Policy, ProbeError, wait_all
from waitkit.emulator import Fault
from waitkit.emulator.k8s import JobPoint, JobScenario, KubernetesScenario
from waitkit.k8s import JobPhase, JobWaiter
from waitkit.k8s._watch import open_streams

from .conftest import Start, settle

pytestmark = pytest.mark.anyio

_MANY = 500


@pytest.fixture
def quiet_logs() -> Iterator[None]:
    """Events below WARNING are dropped: rendering 4,000 of them is a fifth of the work."""
    saved = structlog.get_config()
    structlog.configure(wrapper_class=structlog.make_filtering_bound_logger(logging.WARNING))
    yield
    structlog.configure(**saved)


@pytest.mark.usefixtures("quiet_logs")
async def test_hundreds_of_job_waiters_share_one_stream(start: Start) -> None:
    """500 JobWaiters in one namespace cost one LIST and one WATCH of jobs (plus one of pods)."""
    # after=1: the LIST shows every Job running, and each one completes right after it
    # (the change reaches the waiters only through the watch). Every wait's first look
    # is queued behind that LIST, so all of them see their Job running, whatever the load.
    jobs = [
        JobScenario(name=f"job-{i}", timeline=[JobPoint(after=1, phase="complete")])
        for i in range(_MANY)
    ]
    # No `at` points: the ticker's rounds over hundreds of Jobs would find nothing to do.
    env = await start(KubernetesScenario(jobs=jobs, tick=60))
    policy = Policy(min_delay=0.05, max_delay=0.5, timeout=15)
    waiters = [JobWaiter(env.api, f"job-{i}", policy=policy) for i in range(_MANY)]
    results = await wait_all(waiters)
    assert {result.state.phase for result in results} == {JobPhase.COMPLETE}
    assert {result.history[0].state.phase for result in results} == {JobPhase.RUNNING}
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
        watching = env.watch_opened()
        async with anyio.create_task_group() as tg:
            tg.start_soon(JobWaiter(env.api, "a", pod_causes=False, policy=policy).wait)
            await settle(watching)
            assert open_streams(env.api) == 1
            tg.cancel_scope.cancel()
        assert open_streams(env.api) == 0
    assert env.kube.requests["list", "jobs"] == 2
    assert env.kube.requests["watch", "jobs"] == 2  # both closed: checked by the fixture


async def test_a_failed_list_is_shared_not_repeated(start: Start) -> None:
    """Waiters queued behind a LIST that failed get its error instead of listing again."""
    env = await start(KubernetesScenario(jobs=[JobScenario(name=f"j{i}") for i in range(50)]))
    env.emu.faults.add(Fault(kind="error", service="kubernetes", operation="list", status=403))
    waiters = [JobWaiter(env.api, f"j{i}") for i in range(50)]
    outcomes = await wait_all(waiters, return_exceptions=True)
    assert all(isinstance(outcome, ProbeError) for outcome in outcomes)
    assert env.kube.requests["list", "jobs"] == 1
