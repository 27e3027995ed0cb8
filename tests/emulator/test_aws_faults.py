"""Injected AWS faults, each in its service's wire shape, and the request counters."""

from __future__ import annotations

import pytest
from botocore.config import Config
from botocore.exceptions import ClientError, ConnectionClosedError, ReadTimeoutError

from waitkit.emulator import Fault

from .conftest import NO_RETRIES

pytestmark = pytest.mark.anyio

SCENARIO = {
    "autoscaling": {"groups": [{"name": "web"}]},
    "durable": {"functions": [{"name": "orders"}]},
}


async def call(client, service: str):
    """One cheap, always-valid read on each service."""
    if service == "autoscaling":
        return await client.describe_instance_refreshes(AutoScalingGroupName="web")
    if service == "lambda":
        return await client.list_durable_executions_by_function(FunctionName="orders")
    return await client.start_query(
        logGroupName="/app", startTime=0, endTime=1, queryString="fields @message"
    )


OPERATION = {
    "autoscaling": "DescribeInstanceRefreshes",
    "lambda": "ListDurableExecutionsByFunction",
    "logs": "StartQuery",
}


@pytest.mark.parametrize(
    ("service", "code", "status"),
    [
        ("autoscaling", "Throttling", 400),
        ("lambda", "TooManyRequestsException", 429),
        ("logs", "ThrottlingException", 400),
    ],
)
async def test_throttling(emulator, aws_client, service, code, status) -> None:
    """A throttle fault answers the service's own throttling error, with Retry-After."""
    faults = [{"kind": "throttle", "service": service, "retry_after": 2.5, "count": 1}]
    async with (
        emulator({**SCENARIO, "faults": faults}) as emu,
        aws_client(emu, service) as client,
    ):
        with pytest.raises(ClientError) as caught:
            await call(client, service)
        await call(client, service)  # count=1: the next call goes through
    response = caught.value.response
    assert response["Error"]["Code"] == code
    assert response["Error"]["Message"] == "Rate exceeded"
    assert response["ResponseMetadata"]["HTTPStatusCode"] == status
    assert response["ResponseMetadata"]["HTTPHeaders"]["retry-after"] == "3"
    if service == "lambda":
        assert response["retryAfterSeconds"] == "3"
        assert response["Reason"] == "CallerRateLimitExceeded"
    if service == "autoscaling":
        assert response["Error"]["Type"] == "Sender"
    assert emu.counters.of(service, OPERATION[service]) == 2
    assert emu.counters.faults[service, OPERATION[service], "throttle"] == 1


async def test_lambda_throttle_has_default_retry_after(emulator, aws_client) -> None:
    """Lambda's TooManyRequestsException always advertises Retry-After (1 s unless set)."""
    async with (
        emulator({**SCENARIO, "faults": [{"kind": "throttle", "service": "lambda"}]}) as emu,
        aws_client(emu, "lambda") as client,
    ):
        with pytest.raises(client.exceptions.TooManyRequestsException) as caught:
            await call(client, "lambda")
    assert caught.value.response["retryAfterSeconds"] == "1"


async def test_rate_limited_throttle(emulator, aws_client) -> None:
    """With a rate, requests within the token bucket pass and the excess is throttled."""
    faults = [{"kind": "throttle", "service": "autoscaling", "rate": 0.01, "burst": 2}]
    async with (
        emulator({**SCENARIO, "faults": faults}) as emu,
        aws_client(emu, "autoscaling") as client,
    ):
        outcomes = []
        for _ in range(4):
            try:
                await call(client, "autoscaling")
                outcomes.append("ok")
            except ClientError as exc:
                outcomes.append(exc.response["Error"]["Code"])
    assert outcomes == ["ok", "ok", "Throttling", "Throttling"]


@pytest.mark.parametrize(
    ("service", "status", "code"),
    [
        ("autoscaling", 503, "ServiceUnavailable"),
        ("autoscaling", 500, "InternalFailure"),
        ("lambda", 500, "ServiceException"),
        ("logs", 503, "ServiceUnavailableException"),
        ("logs", 500, "InternalFailure"),
    ],
)
async def test_server_errors(emulator, aws_client, service, status, code) -> None:
    """An error fault answers the status in the service's error shape, blaming the server."""
    faults = [{"kind": "error", "service": service, "status": status}]
    async with (
        emulator({**SCENARIO, "faults": faults}) as emu,
        aws_client(emu, service) as client,
    ):
        with pytest.raises(ClientError) as caught:
            await call(client, service)
    assert caught.value.response["ResponseMetadata"]["HTTPStatusCode"] == status
    assert caught.value.response["Error"]["Code"] == code
    if service == "autoscaling":
        assert caught.value.response["Error"]["Type"] == "Receiver"
    assert emu.counters.faults[service, OPERATION[service], "error"] == 1


@pytest.mark.parametrize(
    ("service", "kind"),
    [
        ("autoscaling", "drop"),
        ("logs", "drop"),
        ("autoscaling", "truncate"),
        ("lambda", "truncate"),
        ("logs", "truncate"),
    ],
)
async def test_broken_connections(emulator, aws_client, service, kind) -> None:
    """Dropped connections and truncated bodies reach aiobotocore as ConnectionClosedError."""
    faults = [{"kind": kind, "service": service, "operation": OPERATION[service], "count": 1}]
    async with (
        emulator({**SCENARIO, "faults": faults}) as emu,
        aws_client(emu, service) as client,
    ):
        with pytest.raises(ConnectionClosedError):
            await call(client, service)
        assert await call(client, service)  # the fault fired once; the service still works
    assert emu.counters.faults[service, OPERATION[service], kind] == 1


async def test_dropped_get_is_retried_once_by_aiohttp(emulator, aws_client) -> None:
    """The aiohttp client itself resends an idempotent (GET) request once on a hang-up.

    Lambda's durable reads are GETs, so one dropped connection is invisible to the
    caller (even with botocore retries off); two in a row surface as ConnectionClosedError.
    """
    operation = OPERATION["lambda"]
    faults = [{"kind": "drop", "service": "lambda", "operation": operation, "count": 3}]
    async with (
        emulator({**SCENARIO, "faults": faults}) as emu,
        aws_client(emu, "lambda") as client,
    ):
        with pytest.raises(ConnectionClosedError):
            await call(client, "lambda")
        assert emu.counters.of("lambda", operation) == 2
        await call(client, "lambda")  # third drop, then aiohttp's resend goes through
    assert emu.counters.of("lambda", operation) == 4
    assert emu.counters.faults["lambda", operation, "drop"] == 3


async def test_latency(emulator, aws_client) -> None:
    """A latency fault holds the answer back: a client reading for less than the delay gives up.

    Client and emulator share one event loop, so the client's 0.05 s read timeout, armed
    before the emulator's 0.5 s sleep, always fires first, however busy the machine.
    """
    faults = [{"kind": "latency", "service": "logs", "delay": 0.5, "count": 1}]
    impatient = NO_RETRIES.merge(Config(read_timeout=0.05))
    async with (
        emulator({**SCENARIO, "faults": faults}) as emu,
        aws_client(emu, "logs", config=impatient) as client,
    ):
        with pytest.raises(ReadTimeoutError):
            await call(client, "logs")
        assert emu.counters.faults["logs", "StartQuery", "latency"] == 1
        assert await call(client, "logs")  # count=1: the next answer is not held back


async def test_faults_target_one_operation_and_can_be_added_at_run_time(
    emulator, aws_client
) -> None:
    """A fault for one operation spares the others; faults can be added and cleared at run time."""
    async with emulator(SCENARIO) as emu, aws_client(emu, "logs") as client:
        emu.faults.add(Fault(kind="error", service="logs", operation="GetQueryResults"))
        query_id = (await call(client, "logs"))["queryId"]
        with pytest.raises(client.exceptions.ServiceUnavailableException):
            await client.get_query_results(queryId=query_id)
        emu.faults.clear()
        answer = await client.get_query_results(queryId=query_id)
    assert answer["status"] == "Scheduled"


async def test_counters_count_every_request_per_operation(emulator, aws_client) -> None:
    """Every request is counted under its service and AWS operation name, errors included."""
    async with (
        emulator(SCENARIO) as emu,
        aws_client(emu, "autoscaling") as asg,
        aws_client(emu, "lambda") as lam,
        aws_client(emu, "logs") as logs,
    ):
        for _ in range(3):
            await call(asg, "autoscaling")
        await call(lam, "lambda")
        with pytest.raises(ClientError):
            await asg.describe_instance_refreshes(AutoScalingGroupName="ghost")
        query_id = (await call(logs, "logs"))["queryId"]
        await logs.get_query_results(queryId=query_id)
    assert emu.counters.snapshot() == {
        "autoscaling:DescribeInstanceRefreshes": 4,
        "lambda:ListDurableExecutionsByFunction": 1,
        "logs:GetQueryResults": 1,
        "logs:StartQuery": 1,
    }
    assert emu.counters.of("autoscaling") == 4
