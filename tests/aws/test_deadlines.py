"""The time contract over real sockets: a hung or refused endpoint, a closed client.

Real aiobotocore (or aioboto3) clients with botocore's default (standard) retries,
pointed at a TCP server that accepts and never answers, at a port nobody listens on, or
closed before use. No assertion here is about how long anything took on the wall clock: a wait that
overstayed its deadline by a call's length (60 s of botocore read timeout) would run
into pytest's own timeout instead.
"""

from __future__ import annotations

import pytest

from waitkit import Policy, ProbeError, ResourceNotFoundError, WaitTimeoutError
from waitkit.aws import InstanceRefreshWaiter, botocore_waiter
from waitkit.emulator import Emulator, Scenario

from .conftest import CLOSED_CLIENT_REFUSED, STACK, make_client

pytestmark = pytest.mark.anyio

#: A policy that would let a hung call run far past the deadline, if only call_timeout cut it.
PATIENT = Policy(min_delay=0.05, max_delay=0.1, call_timeout=60)


def client(service: str, endpoint: str, *, attempts: int = 3):
    """A real client with botocore's standard retries (they run inside one observation)."""
    retries = {"mode": "standard", "total_max_attempts": attempts}
    return make_client(service, endpoint, retries=retries, connect_timeout=60, read_timeout=60)


@pytest.mark.parametrize("call_timeout", [60, None])
async def test_a_hung_endpoint_ends_the_wait_at_its_deadline(silent_endpoint, call_timeout):
    """The call in flight at the deadline is cancelled: WaitTimeoutError, saying so."""
    async with client("autoscaling", silent_endpoint) as autoscaling:
        waiter = InstanceRefreshWaiter(
            autoscaling, "web", "r-1", policy=PATIENT.replace(call_timeout=call_timeout)
        )
        with pytest.raises(WaitTimeoutError) as info:
            await waiter.wait(timeout=0.5)
    message = str(info.value)
    assert "did not finish within 0.5s" in message
    assert "was cancelled at the deadline" in message
    assert info.value.state is None


async def test_a_botocore_waiter_on_a_hung_endpoint_ends_at_its_deadline(silent_endpoint):
    """Any botocore waiter keeps the same promise."""
    async with client("dynamodb", silent_endpoint) as dynamodb:
        waiter = botocore_waiter(dynamodb, "table_exists", TableName="t", policy=PATIENT)
        with pytest.raises(WaitTimeoutError, match="was cancelled at the deadline"):
            await waiter.wait(timeout=0.5)


async def test_a_refused_endpoint_fails_as_a_probe_error_naming_the_connection(refused_endpoint):
    """Nothing ever answered: after the grace, ProbeError naming the connection error."""
    async with client("autoscaling", refused_endpoint, attempts=1) as autoscaling:
        waiter = InstanceRefreshWaiter(
            autoscaling, "web", "r-1", policy=PATIENT.replace(transient_grace=0.3)
        )
        with pytest.raises(ProbeError) as info:
            await waiter.wait(timeout=60)
    message = str(info.value)
    assert "before any state was seen" in message
    assert "Could not connect to the endpoint URL" in message


@pytest.mark.skipif(
    not CLOSED_CLIENT_REFUSED,
    reason=f"{STACK} reopens a closed client's connections instead of refusing it "
    "(test_a_closed_aiobotocore_2_client_still_answers)",
)
async def test_a_closed_client_fails_at_once_saying_so():
    """A client used after its `async with` block is a ProbeError on the first look, not retried."""
    scenario = Scenario.from_data({"autoscaling": {"groups": [{"name": "web"}]}})
    async with Emulator(scenario) as emu:
        async with client("autoscaling", emu.aws_endpoint) as autoscaling:
            pass
        with pytest.raises(ProbeError, match="is it closed") as info:
            await InstanceRefreshWaiter(autoscaling, "web", policy=PATIENT).wait(timeout=30)
    assert info.value.attempts == 1
    assert emu.counters.of("autoscaling") == 0


@pytest.mark.skipif(
    CLOSED_CLIENT_REFUSED,
    reason=f"{STACK} refuses a closed client (test_a_closed_client_fails_at_once_saying_so)",
)
async def test_a_closed_aiobotocore_2_client_still_answers():
    """On aiobotocore 2 (aioboto3 15.5) a closed client opens a new pool: the wait runs.

    waitkit cannot tell such a client from an open one. The new pool is the client's,
    closed only by closing the client again (else aiohttp warns "Unclosed client session").
    """
    scenario = Scenario.from_data({"autoscaling": {"groups": [{"name": "web"}]}})
    async with Emulator(scenario) as emu:
        async with client("autoscaling", emu.aws_endpoint) as autoscaling:
            pass
        try:
            with pytest.raises(ResourceNotFoundError, match="does not list any instance refresh"):
                await InstanceRefreshWaiter(autoscaling, "web", policy=PATIENT).wait(timeout=30)
        finally:
            await autoscaling.close()
    assert emu.counters.of("autoscaling", "DescribeInstanceRefreshes") >= 1
