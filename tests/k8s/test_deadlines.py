"""The time contract for the Kubernetes waiters, over real sockets.

A hung API server (accepts, never answers) ends the wait at its deadline; a burst of
503s or dropped connections at the start of a wait is ridden out by the default
policy (the transient budget is a span of time, not only a count).
"""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from kubernetes_asyncio.client import ApiClient, Configuration

from waitkit import WaitTimeoutError
from waitkit.emulator import Fault
from waitkit.emulator.k8s import JobPoint, JobScenario, KubernetesScenario
from waitkit.k8s import ConditionWaiter, JobPhase, JobWaiter

from .conftest import Start

pytestmark = pytest.mark.anyio


@pytest.fixture
async def silent_api(silent_endpoint: str) -> AsyncIterator[ApiClient]:
    """A kubernetes_asyncio client for a server that accepts connections and never answers."""
    api = ApiClient(Configuration(host=silent_endpoint))
    try:
        yield api
    finally:
        await api.close()


async def test_a_job_waiter_on_a_hung_server_ends_at_its_deadline(silent_api):
    """The list or watch in flight at the deadline is cancelled there."""
    with pytest.raises(WaitTimeoutError) as info:
        await JobWaiter(silent_api, "etl").wait(timeout=0.5)
    assert "did not finish within 0.5s" in str(info.value)
    assert "was cancelled at the deadline" in str(info.value)


async def test_a_condition_waiter_on_a_hung_server_ends_at_its_deadline(silent_api):
    """kubectl-wait style waits keep the same promise."""
    waiter = ConditionWaiter(silent_api, "pods", "web-0", for_="condition=Ready")
    with pytest.raises(WaitTimeoutError, match="was cancelled at the deadline"):
        await waiter.wait(timeout=0.5)


@pytest.mark.parametrize("kind", ["error", "drop"])
async def test_an_outage_at_the_start_is_ridden_out_by_the_default_policy(start: Start, kind):
    """A dozen 503s or dropped connections (more than max_transient_errors) do not end the wait."""
    job = JobScenario(name="etl", timeline=[JobPoint(after=1, phase="complete")])
    env = await start(KubernetesScenario(jobs=[job]))
    env.emu.faults.add(Fault(kind=kind, service="kubernetes", count=12))
    result = await JobWaiter(env.api, "etl").wait(timeout=60)
    assert result.state.phase == JobPhase.COMPLETE
    faults = env.emu.counters.faults
    assert sum(n for (service, _, fired), n in faults.items() if fired == kind) == 12
