"""botocore_waiter: botocore's waiter models on waitkit's engine.

Real aiobotocore clients over real sockets: moto's server for Lambda, EC2, S3 and
DynamoDB, and a small aiohttp server of our own that answers DynamoDB's JSON wire
shape where moto cannot (throttling, 5xx, access denied, a table stuck in CREATING).
"""

from __future__ import annotations

import io
import json
import zipfile
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import anyio
import botocore.session
import pytest
from aiohttp import web
from botocore.exceptions import ClientError
from botocore.waiter import AcceptorConfig
from jmespath.exceptions import JMESPathError  # type: ignore[import-untyped]
from structlog.testing import capture_logs

from waitkit import (
    ConfigurationError,
    Policy,
    ProbeError,
    ResourceNotFoundError,
    WaitFailedError,
    WaitTimeoutError,
)
from waitkit.aws import Acceptor, BotocoreWaiter, BotocoreWaiterState, botocore_waiter
from waitkit.aws._acceptors import matches

from .conftest import make_client, quick_budget, until_true

FAST = Policy(
    min_delay=0.02,
    max_delay=0.1,
    timeout=8,
    call_timeout=5,
    throttle_min_delay=0.02,
    throttle_max_delay=0.1,
)


# ---------------------------------------------------------------------- fixtures
Reply = tuple[int, dict[str, Any], dict[str, str]]


def table(status: str) -> Reply:
    """A DescribeTable answer with ``status``."""
    return 200, {"Table": {"TableName": "orders", "TableStatus": status}}, {}


def dynamodb_error(code: str, status: int = 400, headers: dict[str, str] | None = None) -> Reply:
    """A DynamoDB error answer (JSON 1.0 ``__type``)."""
    return (
        status,
        {"__type": f"com.amazonaws.dynamodb.v20120810#{code}", "message": code},
        headers or {},
    )


@asynccontextmanager
async def scripted_dynamodb(replies: list[Reply]) -> AsyncIterator[tuple[str, list[str]]]:
    """A real HTTP server answering DynamoDB JSON 1.0: the replies in order, then the last again.

    Yields the endpoint and the list of operations received (from ``X-Amz-Target``).
    """
    received: list[str] = []

    async def handle(request: web.Request) -> web.Response:
        await request.read()
        received.append(request.headers.get("X-Amz-Target", "").rpartition(".")[2])
        status, body, headers = replies[min(len(received), len(replies)) - 1]
        return web.Response(
            status=status,
            body=json.dumps(body).encode(),
            headers={"Content-Type": "application/x-amz-json-1.0", **headers},
        )

    app = web.Application()
    app.router.add_post("/", handle)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    try:
        yield f"http://127.0.0.1:{port}", received
    finally:
        await runner.cleanup()


def _zip() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("index.py", "def handler(event, context):\n    return 1\n")
    return buffer.getvalue()


async def create_function(endpoint: str, name: str) -> None:
    """Create a Lambda function in moto (it needs an IAM role and a zip)."""
    async with make_client("iam", endpoint) as iam, make_client("lambda", endpoint) as lam:
        try:
            role = (await iam.get_role(RoleName="waitkit-test"))["Role"]
        except ClientError:
            role = (await iam.create_role(RoleName="waitkit-test", AssumeRolePolicyDocument="{}"))[
                "Role"
            ]
        await lam.create_function(
            FunctionName=name,
            Runtime="python3.12",
            Role=role["Arn"],
            Handler="index.handler",
            Code={"ZipFile": _zip()},
        )


# ---------------------------------------------------------------------- acceptor semantics
RESPONSES: list[dict[str, Any]] = [
    {"ResponseMetadata": {"HTTPStatusCode": 200}, "Table": {"TableStatus": "ACTIVE"}},
    {"ResponseMetadata": {"HTTPStatusCode": 200}, "Table": {"TableStatus": "CREATING"}},
    {"ResponseMetadata": {"HTTPStatusCode": 200}, "Table": {}},
    {"ResponseMetadata": {"HTTPStatusCode": 200}, "Items": ["running", "running"]},
    {"ResponseMetadata": {"HTTPStatusCode": 200}, "Items": ["running", "pending"]},
    {"ResponseMetadata": {"HTTPStatusCode": 200}, "Items": []},
    {"ResponseMetadata": {"HTTPStatusCode": 200}, "Items": "running"},
    {"ResponseMetadata": {"HTTPStatusCode": 200}, "Items": [True, 1]},
    {"ResponseMetadata": {"HTTPStatusCode": 200}, "Count": 1},
    {"ResponseMetadata": {"HTTPStatusCode": 200}, "Error": {"Message": "no code"}},
    {
        "ResponseMetadata": {"HTTPStatusCode": 404},
        "Error": {"Code": "ResourceNotFoundException", "Message": "gone"},
        "Table": {"TableStatus": "ACTIVE"},
    },
    {"ResponseMetadata": {"HTTPStatusCode": 500}, "Error": {"Code": "InternalError"}},
    {"Error": {"Code": "404", "Message": "Not Found"}},
    {},
]

ACCEPTORS: list[dict[str, Any]] = [
    {"state": "success", "matcher": "path", "argument": "Table.TableStatus", "expected": "ACTIVE"},
    {"state": "retry", "matcher": "path", "argument": "Table.TableStatus", "expected": None},
    {"state": "success", "matcher": "path", "argument": "Count", "expected": True},
    {"state": "success", "matcher": "path", "argument": "length(Items) > `0`", "expected": True},
    {"state": "success", "matcher": "pathAll", "argument": "Items", "expected": "running"},
    {"state": "success", "matcher": "pathAll", "argument": "Items", "expected": True},
    {"state": "failure", "matcher": "pathAny", "argument": "Items", "expected": "pending"},
    {"state": "failure", "matcher": "pathAny", "argument": "Items", "expected": 1},
    {"state": "success", "matcher": "status", "expected": 200},
    {"state": "retry", "matcher": "status", "expected": 404},
    {"state": "retry", "matcher": "status", "expected": 500},
    {"state": "retry", "matcher": "error", "expected": "ResourceNotFoundException"},
    {"state": "retry", "matcher": "error", "expected": "404"},
    {"state": "failure", "matcher": "error", "expected": True},
    {"state": "success", "matcher": "error", "expected": False},
]


@pytest.mark.parametrize(
    "config", ACCEPTORS, ids=lambda c: f"{c['matcher']}-{c.get('argument')}-{c['expected']}"
)
def test_matchers_agree_with_botocore(config: dict[str, Any]) -> None:
    """Every matcher gives botocore's AcceptorConfig answer on every sample response."""
    reference = AcceptorConfig(config)
    ours = Acceptor.model_validate(config)
    for response in RESPONSES:
        try:
            expected = bool(reference.matcher_func(response))
        except JMESPathError:
            expected = False  # botocore's wait() crashes; waitkit treats it as no match
        assert matches(ours, response) == expected, response


@pytest.mark.parametrize(
    "config", ACCEPTORS, ids=lambda c: f"{c['matcher']}-{c.get('argument')}-{c['expected']}"
)
def test_explanations_are_botocores(config: dict[str, Any]) -> None:
    """The failure reason is worded exactly as botocore's explanation."""
    assert Acceptor.model_validate(config).explanation == AcceptorConfig(config).explanation


def test_every_botocore_model_acceptor_is_understood() -> None:
    """All acceptors of all waiter models (latest API versions) parse, compile and explain."""
    session = botocore.session.get_session()
    waiters = 0
    for service in session.get_available_services():
        try:
            model = session.get_waiter_model(service)
        except Exception:  # noqa: BLE001, S112 - a service without waiters
            continue
        for name in model.waiter_names:
            waiters += 1
            for reference in model.get_waiter(name).acceptors:
                ours = Acceptor(
                    state=reference.state,
                    matcher=reference.matcher,
                    expected=reference.expected,
                    argument=reference.argument,
                )
                assert ours.explanation == reference.explanation
    assert waiters >= 300


def test_state_summary_and_implicit_failure_verdict() -> None:
    """Summaries name what the acceptors saw; an unmatched Error in an answer is a failure."""
    seen = BotocoreWaiterState(
        response={"Table": {"TableStatus": "CREATING"}},
        http_status=200,
        observed={"Table.TableStatus": "CREATING"},
    )
    assert seen.summary() == "Table.TableStatus='CREATING' [no match]"
    retry = Acceptor(state="retry", matcher="status", expected=404)
    assert BotocoreWaiterState(response={}, http_status=404, acceptor=retry).summary() == (
        "HTTP 404 [retry]"
    )
    odd = BotocoreWaiterState(
        response={"Error": {"Code": "Odd"}}, error_code="Odd", error_message="strange"
    )
    assert odd.summary() == "error Odd [no match]"


@pytest.mark.anyio
async def test_verdicts_follow_the_matched_acceptor() -> None:
    """success/failure/retry map to verdicts; no match waits; an unmatched Error.Code fails."""
    from waitkit import Verdict

    async with make_client("dynamodb", "http://127.0.0.1:9") as client:
        waiter = botocore_waiter(client, "table_exists", TableName="orders")
    success, retry = waiter.acceptors
    failure = Acceptor(state="failure", matcher="path", argument="Table.TableStatus", expected="X")
    assert waiter.verdict(BotocoreWaiterState(response={}, acceptor=success)) == Verdict.SUCCESS
    assert waiter.verdict(BotocoreWaiterState(response={}, acceptor=retry)) == Verdict.PENDING
    assert waiter.verdict(BotocoreWaiterState(response={})) == Verdict.PENDING
    assert waiter.verdict(BotocoreWaiterState(response={}, acceptor=failure)) == Verdict.failure(
        'For expression "Table.TableStatus" we matched expected path: "X"'
    )
    odd = BotocoreWaiterState(response={}, error_code="Odd", error_message="strange")
    assert waiter.verdict(odd) == Verdict.failure("An error occurred (Odd): strange")


# ---------------------------------------------------------------------- configuration
@pytest.mark.anyio
async def test_unknown_waiter_name_fails_before_any_call() -> None:
    """An unknown name raises ConfigurationError listing waiter_names; nothing is called."""
    async with (
        scripted_dynamodb([table("ACTIVE")]) as (endpoint, received),
        make_client("dynamodb", endpoint) as client,
    ):
        with pytest.raises(ConfigurationError, match="waiter_names") as caught:
            botocore_waiter(client, "table_exist", TableName="orders")
        assert "'table_exists'" in str(caught.value)
        assert "'table_not_exists'" in str(caught.value)
    assert received == []


@pytest.mark.anyio
async def test_a_waiter_newer_than_the_clients_botocore_is_refused() -> None:
    """A waiter botocore 1.40.61 (aioboto3 15.5's) lacks is refused there, built elsewhere."""
    models = botocore.session.get_session().get_waiter_model("dynamodb")
    export = "arn:aws:dynamodb:us-east-1:123456789012:table/orders/export/01234567890123-abcdefgh"
    async with (
        scripted_dynamodb([]) as (endpoint, received),
        make_client("dynamodb", endpoint) as client,
    ):
        if "ExportCompleted" in models.waiter_names:
            waiter = botocore_waiter(client, "export_completed", ExportArn=export)
            assert waiter.resource_id.startswith("dynamodb.export_completed(")
        else:
            with pytest.raises(ConfigurationError, match="waiter_names") as caught:
                botocore_waiter(client, "export_completed", ExportArn=export)
            assert "'table_exists'" in str(caught.value)
    assert received == []


@pytest.mark.anyio
async def test_bad_parameters_fail_before_any_call() -> None:
    """Missing or unknown parameters and WaiterConfig are ConfigurationErrors, with no call."""
    async with (
        scripted_dynamodb([table("ACTIVE")]) as (endpoint, received),
        make_client("dynamodb", endpoint) as client,
    ):
        with pytest.raises(ConfigurationError, match="TableName"):
            botocore_waiter(client, "table_exists")
        with pytest.raises(ConfigurationError, match="Tablename"):
            botocore_waiter(client, "table_exists", Tablename="orders")
        with pytest.raises(ConfigurationError, match="WaiterConfig"):
            botocore_waiter(client, "table_exists", TableName="orders", WaiterConfig={"Delay": 1})
        with pytest.raises(ConfigurationError, match="TableName"):
            BotocoreWaiter(client, "table_exists")
        with pytest.raises(ConfigurationError, match="params must be a mapping"):
            BotocoreWaiter(client, "table_exists", ["orders"])  # type: ignore[arg-type]
        with pytest.raises(ConfigurationError, match="name must be"):
            BotocoreWaiter(client, 3)  # type: ignore[arg-type]
    async with make_client("logs", "http://127.0.0.1:9") as logs:
        with pytest.raises(ConfigurationError, match="defines no botocore waiters"):
            botocore_waiter(logs, "query_complete")
    with pytest.raises(ConfigurationError, match="aiobotocore client"):
        botocore_waiter(object(), "table_exists")  # type: ignore[arg-type]
    assert received == []


@pytest.mark.anyio
async def test_model_name_and_default_policy() -> None:
    """The model's name is accepted; the default policy is delay..120 s within delay*maxAttempts."""
    async with make_client("lambda", "http://127.0.0.1:9") as client:
        waiter = botocore_waiter(client, "FunctionExists", FunctionName="fn", Qualifier="1")
        assert (waiter.name, waiter.model_name, waiter.operation) == (
            "function_exists",
            "FunctionExists",
            "GetFunction",
        )
        assert (waiter.policy.min_delay, waiter.policy.max_delay) == (1.0, 120.0)
        assert waiter.policy.timeout == 20.0
        assert waiter.policy.jitter == "smithy"
        assert waiter.resource_id == "lambda.function_exists(FunctionName='fn', Qualifier='1')"
        assert waiter.describe() == f"botocore waiter {waiter.resource_id}"
        assert botocore_waiter(client, "function_exists", policy=FAST, FunctionName="f").policy is (
            FAST
        )
    async with make_client("ec2", "http://127.0.0.1:9") as ec2:
        waiter = botocore_waiter(ec2, "instance_running", InstanceIds=["i-1"], NextToken="secret")
        assert "secret" not in waiter.resource_id
        assert waiter.resource_id == "ec2.instance_running(InstanceIds=['i-1'])"
        many = [f"i-{n:017x}" for n in range(40)]
        waiter = botocore_waiter(ec2, "instance_running", InstanceIds=many, DryRun=False)
        assert waiter.resource_id.startswith("ec2.instance_running(InstanceIds=['i-0000")
        assert "..., DryRun=False)" in waiter.resource_id
    from waitkit.aws._botocore import _render_resource

    rendered = _render_resource("svc", "waiter", {f"Param{n}": "x" * 80 for n in range(5)})
    assert len(rendered) == 200
    assert rendered.endswith("...)")


@pytest.mark.parametrize(
    ("acceptors", "problem"),
    [
        ([{"state": "success", "matcher": "bogus", "expected": 1}], "cannot run"),
        ([{"state": "success", "matcher": "path", "argument": "a[", "expected": 1}], "cannot run"),
        ([{"state": "finished", "matcher": "status", "expected": 200}], "cannot run"),
        ([{"state": "retry", "matcher": "status", "expected": 200}], "no success acceptor"),
    ],
)
def test_broken_models_are_configuration_errors(acceptors: list[Any], problem: str) -> None:
    """A waiter model waitkit cannot run is refused up front, naming the waiter."""
    from botocore.waiter import SingleWaiterConfig

    from waitkit.aws._acceptors import acceptors_of

    config = SingleWaiterConfig(
        {"operation": "DescribeTable", "delay": 1, "maxAttempts": 1, "acceptors": acceptors}
    )
    with pytest.raises(ConfigurationError, match=f"'broken'.*{problem}"):
        acceptors_of(config, "broken")


# ---------------------------------------------------------------------- against moto
@pytest.mark.anyio
async def test_function_active_v2_succeeds_on_path(moto_endpoint: str) -> None:
    """Lambda function_active_v2: path Configuration.State == Active is success."""
    await create_function(moto_endpoint, "active-fn")
    async with make_client("lambda", moto_endpoint) as client:
        result = await botocore_waiter(
            client, "function_active_v2", policy=FAST, FunctionName="active-fn"
        ).wait()
    state = result.state
    assert state.response["Configuration"]["State"] == "Active"
    assert "ResponseMetadata" not in state.response
    assert state.http_status == 200
    assert state.observed == {"Configuration.State": "Active"}
    assert state.acceptor == Acceptor(
        state="success", matcher="path", argument="Configuration.State", expected="Active"
    )
    assert state.summary() == "Configuration.State='Active' [success]"
    assert result.attempts == 1


@pytest.mark.anyio
async def test_function_exists_retries_not_found_until_created(moto_endpoint: str) -> None:
    """Lambda function_exists: ResourceNotFoundException retries, error:false then succeeds."""
    async with make_client("lambda", moto_endpoint) as client:
        waiter = botocore_waiter(client, "function_exists", policy=FAST, FunctionName="late-fn")
        with capture_logs() as events:
            async with anyio.create_task_group() as tasks:

                async def create_once_missed() -> None:
                    await until_true(
                        lambda: any(e["event"] == "wait.state_changed" for e in events)
                    )
                    await create_function(moto_endpoint, "late-fn")

                tasks.start_soon(create_once_missed)
                result = await waiter.wait()
    first, last = result.history[0].state, result.history[-1].state
    assert first.error_code == "ResourceNotFoundException"
    assert first.http_status == 404
    assert first.acceptor is not None
    assert first.acceptor.state == "retry"
    assert first.summary() == "error ResourceNotFoundException [retry]"
    assert last.acceptor == Acceptor(state="success", matcher="error", expected=False)
    assert last.response["Configuration"]["FunctionName"] == "late-fn"
    assert result.attempts >= 2


@pytest.mark.anyio
async def test_unmatched_not_found_is_resource_not_found(moto_endpoint: str) -> None:
    """An error no acceptor matches ends the wait at once (botocore's implicit failure)."""
    async with make_client("lambda", moto_endpoint) as client:
        waiter = botocore_waiter(client, "function_active_v2", policy=FAST, FunctionName="nope")
        with pytest.raises(ResourceNotFoundError) as caught:
            await waiter.wait()
    assert caught.value.attempts == 1
    assert isinstance(caught.value.__cause__, ClientError)
    assert "ResourceNotFoundException" in str(caught.value)


@pytest.mark.anyio
async def test_instance_running_path_all_and_path_any(moto_endpoint: str) -> None:
    """EC2 instance_running: pathAll running succeeds; pathAny terminated fails like botocore."""
    async with make_client("ec2", moto_endpoint) as ec2:
        started = await ec2.run_instances(ImageId="ami-12c6146b", MinCount=2, MaxCount=2)
        ids = [instance["InstanceId"] for instance in started["Instances"]]
        result = await botocore_waiter(ec2, "instance_running", policy=FAST, InstanceIds=ids).wait()
        assert result.state.observed == {
            "Reservations[].Instances[].State.Name": ["running", "running"]
        }
        assert result.state.acceptor is not None
        assert result.state.acceptor.matcher == "pathAll"

        await ec2.terminate_instances(InstanceIds=ids[:1])
        waiter = botocore_waiter(ec2, "instance_running", policy=FAST, InstanceIds=ids)
        with pytest.raises(WaitFailedError) as caught:
            await waiter.wait()
    reason = (
        'For expression "Reservations[].Instances[].State.Name" we matched expected path: '
        '"terminated" at least once'
    )
    assert caught.value.reason == reason
    assert reason in str(caught.value)
    assert isinstance(caught.value.state, BotocoreWaiterState)
    assert caught.value.state.response["Reservations"]


@pytest.mark.anyio
async def test_timeout_keeps_the_last_response(moto_endpoint: str) -> None:
    """EC2 instance_stopped on a running instance times out with the last response in the state."""
    async with make_client("ec2", moto_endpoint) as ec2:
        started = await ec2.run_instances(ImageId="ami-12c6146b", MinCount=1, MaxCount=1)
        instance_id = started["Instances"][0]["InstanceId"]
        waiter = botocore_waiter(ec2, "instance_stopped", policy=FAST, InstanceIds=[instance_id])
        with pytest.raises(WaitTimeoutError) as caught:
            await waiter.wait(timeout=1.5)
    state = caught.value.state
    assert isinstance(state, BotocoreWaiterState)
    instance = state.response["Reservations"][0]["Instances"][0]
    assert (instance["InstanceId"], instance["State"]["Name"]) == (instance_id, "running")
    assert state.acceptor is None
    assert "[no match]" in str(caught.value)
    assert "did not finish within 1.5s" in str(caught.value)


@pytest.mark.anyio
async def test_status_matchers_on_s3(moto_endpoint: str) -> None:
    """S3 bucket_exists: 404 retries, 200 succeeds; bucket_not_exists: 404 succeeds."""
    async with make_client("s3", moto_endpoint) as s3:
        gone = await botocore_waiter(
            s3, "bucket_not_exists", policy=FAST, Bucket="no-bucket"
        ).wait()
        assert gone.state.http_status == 404
        assert gone.state.acceptor == Acceptor(state="success", matcher="status", expected=404)

        waiter = botocore_waiter(s3, "bucket_exists", policy=FAST, Bucket="later-bucket")
        with capture_logs() as events:
            async with anyio.create_task_group() as tasks:

                async def create_once_missed() -> None:
                    await until_true(
                        lambda: any(e["event"] == "wait.state_changed" for e in events)
                    )
                    await s3.create_bucket(Bucket="later-bucket")

                tasks.start_soon(create_once_missed)
                result = await waiter.wait()
    assert [entry.state.summary() for entry in result.history] == [
        "error 404 [retry]",
        "HTTP 200 [success]",
    ]


@pytest.mark.anyio
async def test_error_matcher_success_on_dynamodb(moto_endpoint: str) -> None:
    """DynamoDB table_not_exists: the error acceptor ResourceNotFoundException is success."""
    async with make_client("dynamodb", moto_endpoint) as client:
        result = await botocore_waiter(
            client, "table_not_exists", policy=FAST, TableName="never-made"
        ).wait()
    assert result.state.error_code == "ResourceNotFoundException"
    assert result.state.response["Error"]["Code"] == "ResourceNotFoundException"


@pytest.mark.anyio
async def test_error_matcher_failure_on_ec2(moto_endpoint: str) -> None:
    """EC2 network_interface_available: error InvalidNetworkInterfaceID.NotFound is failure."""
    async with make_client("ec2", moto_endpoint) as ec2:
        waiter = botocore_waiter(
            ec2, "network_interface_available", policy=FAST, NetworkInterfaceIds=["eni-12345678"]
        )
        with pytest.raises(WaitFailedError) as caught:
            await waiter.wait()
    assert caught.value.reason == (
        "Matched expected service error code: InvalidNetworkInterfaceID.NotFound"
    )
    assert caught.value.attempts == 1
    assert isinstance(caught.value.state, BotocoreWaiterState)
    assert caught.value.state.error_message is not None
    assert "eni-12345678" in caught.value.state.error_message


# ---------------------------------------------------------------------- against our own server
@pytest.mark.anyio
async def test_throttling_and_5xx_in_the_middle_are_retried() -> None:
    """Throttling (with Retry-After) and a 500 mid-wait are retried, not botocore's failure."""
    replies = [
        table("CREATING"),
        dynamodb_error("ThrottlingException", headers={"Retry-After": "0.05"}),
        dynamodb_error("ThrottlingException"),
        dynamodb_error("ThrottlingException"),
        dynamodb_error("InternalServerError", status=500),
        table("CREATING"),
        table("ACTIVE"),
    ]
    # Throttling never counts as a failed attempt: one transient error is allowed here.
    policy = FAST.replace(max_transient_errors=1)
    async with (
        scripted_dynamodb(replies) as (endpoint, received),
        make_client("dynamodb", endpoint) as client,
    ):
        quick_budget(client)
        result = await botocore_waiter(
            client, "table_exists", policy=policy, TableName="orders"
        ).wait()
    assert received == ["DescribeTable"] * 7
    assert result.attempts == 7
    assert [entry.state.summary() for entry in result.history] == [
        "Table.TableStatus='CREATING' [no match]",
        "Table.TableStatus='ACTIVE' [success]",
    ]


@pytest.mark.anyio
async def test_unmatched_fatal_error_is_a_probe_error_at_once() -> None:
    """An AccessDenied no acceptor matches ends the wait on that call, from the ClientError."""
    replies = [table("CREATING"), dynamodb_error("AccessDeniedException")]
    async with (
        scripted_dynamodb(replies) as (endpoint, received),
        make_client("dynamodb", endpoint) as client,
    ):
        with pytest.raises(ProbeError) as caught:
            await botocore_waiter(client, "table_exists", policy=FAST, TableName="orders").wait()
    assert len(received) == 2
    assert isinstance(caught.value.__cause__, ClientError)
    assert caught.value.__cause__.response["Error"]["Code"] == "AccessDeniedException"
    assert isinstance(caught.value.state, BotocoreWaiterState)
    assert caught.value.state.observed == {"Table.TableStatus": "CREATING"}


@pytest.mark.anyio
async def test_states_yields_each_distinct_state() -> None:
    """states() yields CREATING once, then ACTIVE, polling through repeats."""
    replies = [table("CREATING"), table("CREATING"), table("UPDATING"), table("ACTIVE")]
    async with (
        scripted_dynamodb(replies) as (endpoint, received),
        make_client("dynamodb", endpoint) as client,
    ):
        waiter = botocore_waiter(client, "table_exists", policy=FAST, TableName="orders")
        seen = [state.observed["Table.TableStatus"] async for state in waiter.states()]
    assert seen == ["CREATING", "UPDATING", "ACTIVE"]
    assert len(received) == 4


@pytest.mark.anyio
async def test_an_html_page_on_200_is_named_not_a_key_error() -> None:
    """A proxy's login page where query XML was expected: ProbeError in words, at once."""

    async def page(request: web.Request) -> web.Response:
        await request.read()
        return web.Response(
            text="<html><body><h1>Sign in</h1></body></html>", content_type="text/html"
        )

    app = web.Application()
    app.router.add_post("/", page)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    endpoint = f"http://127.0.0.1:{runner.addresses[0][1]}"
    try:
        async with make_client("cloudformation", endpoint) as client:
            with pytest.raises(ProbeError) as caught:
                await botocore_waiter(client, "stack_exists", policy=FAST, StackName="web").wait(
                    timeout=10
                )
    finally:
        await runner.cleanup()
    assert caught.value.attempts == 1
    assert str(caught.value).endswith(
        "MalformedAnswerError: DescribeStacks answered with a body that is not its documented "
        "response (an HTML page or a proxy's answer? check the client's endpoint_url)"
    )
