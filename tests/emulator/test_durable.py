"""Lambda durable executions (rest-json, /2025-12-01/), as the real aiobotocore client sees them."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from botocore.exceptions import ClientError

from waitkit.emulator import ExecutionPoint, ExecutionScenario, FunctionScenario

pytestmark = pytest.mark.anyio

RUNNING = [{"at": 0, "status": "RUNNING"}]


def execution(
    name: str, started: float, timeline: list[dict[str, object]] | None = None
) -> dict[str, object]:
    """An execution entry of a scenario mapping."""
    return {"name": name, "started": started, "input": '{"n": 1}', "timeline": timeline or RUNNING}


def durable(*executions: dict[str, object], **function: object) -> dict[str, object]:
    """A scenario mapping with one function, ``orders``."""
    return {
        "durable": {"functions": [{"name": "orders", "executions": list(executions), **function}]}
    }


async def test_list_filters_and_order(emulator, aws_client) -> None:
    """The list filters by name, statuses and start time, and is newest first by default."""
    scenario = durable(
        execution("a", -30, [{"at": 0, "status": "SUCCEEDED", "result": "1"}]),
        execution("b", -20, [{"at": 0, "status": "FAILED"}]),
        execution("c", -10),
        execution("future", 1e6),
    )
    async with emulator(scenario) as emu, aws_client(emu, "lambda") as client:
        everything = await client.list_durable_executions_by_function(FunctionName="orders")
        by_name = await client.list_durable_executions_by_function(
            FunctionName="orders", DurableExecutionName="b"
        )
        closed = await client.list_durable_executions_by_function(
            FunctionName="orders", Statuses=["SUCCEEDED", "FAILED"]
        )
        start_of_b = by_name["DurableExecutions"][0]["StartTimestamp"]
        after_b = await client.list_durable_executions_by_function(
            FunctionName="orders", StartedAfter=start_of_b + timedelta(seconds=1)
        )
        before_b = await client.list_durable_executions_by_function(
            FunctionName="orders", StartedBefore=start_of_b - timedelta(seconds=1)
        )
        oldest_first = await client.list_durable_executions_by_function(
            FunctionName="orders", ReverseOrder=True
        )
        by_arn = await client.list_durable_executions_by_function(
            FunctionName="arn:aws:lambda:us-east-1:123456789012:function:orders"
        )

    def names(answer: dict) -> list[str]:
        return [e["DurableExecutionName"] for e in answer["DurableExecutions"]]

    assert names(everything) == ["c", "b", "a"]
    assert [e["Status"] for e in everything["DurableExecutions"]] == [
        "RUNNING",
        "FAILED",
        "SUCCEEDED",
    ]
    assert "EndTimestamp" not in everything["DurableExecutions"][0]
    assert "EndTimestamp" in everything["DurableExecutions"][1]
    assert names(by_name) == ["b"]
    assert names(closed) == ["b", "a"]
    assert names(after_b) == ["c"]
    assert names(before_b) == ["a"]
    assert names(oldest_first) == ["a", "b", "c"]
    assert names(by_arn) == ["c", "b", "a"]
    first = everything["DurableExecutions"][0]
    assert first["FunctionArn"] == "arn:aws:lambda:us-east-1:123456789012:function:orders:$LATEST"
    assert first["DurableExecutionArn"].startswith(
        "arn:aws:lambda:us-east-1:123456789012:function:orders:$LATEST/durable-execution/c/"
    )


async def test_list_paging_with_marker_and_paginator(emulator, aws_client) -> None:
    """MaxItems/Marker pages the list, and botocore's own paginator walks it."""
    scenario = durable(*(execution(f"e{i}", -10 + i) for i in range(5)))
    async with emulator(scenario) as emu, aws_client(emu, "lambda") as client:
        first = await client.list_durable_executions_by_function(FunctionName="orders", MaxItems=2)
        second = await client.list_durable_executions_by_function(
            FunctionName="orders", MaxItems=2, Marker=first["NextMarker"]
        )
        paginator = client.get_paginator("list_durable_executions_by_function")
        walked = [
            e["DurableExecutionName"]
            async for page in paginator.paginate(
                FunctionName="orders", PaginationConfig={"PageSize": 2}
            )
            for e in page["DurableExecutions"]
        ]
        with pytest.raises(client.exceptions.InvalidParameterValueException):
            await client.list_durable_executions_by_function(FunctionName="orders", Marker="bad")
    assert [e["DurableExecutionName"] for e in first["DurableExecutions"]] == ["e4", "e3"]
    assert [e["DurableExecutionName"] for e in second["DurableExecutions"]] == ["e2", "e1"]
    assert walked == ["e4", "e3", "e2", "e1", "e0"]


async def test_get_follows_the_timeline(emulator, aws_client) -> None:
    """GetDurableExecution shows RUNNING, then SUCCEEDED with Result and EndTimestamp.

    The list that finds the ARN is the first observation, so ``after: 3`` is the second Get.
    """
    timeline = [
        {"at": 0, "status": "RUNNING"},
        {"after": 2, "status": "SUCCEEDED", "result": '{"ok": true}'},
    ]
    async with (
        emulator(durable(execution("x", 0, timeline))) as emu,
        aws_client(emu, "lambda") as client,
    ):
        arn = (await client.list_durable_executions_by_function(FunctionName="orders"))[
            "DurableExecutions"
        ][0]["DurableExecutionArn"]
        running = await client.get_durable_execution(DurableExecutionArn=arn)
        done = await client.get_durable_execution(DurableExecutionArn=arn)
        lean = await client.get_durable_execution(
            DurableExecutionArn=arn, IncludeExecutionData=False
        )
    assert running["Status"] == "RUNNING"
    assert "Result" not in running
    assert "EndTimestamp" not in running
    assert running["InputPayload"] == '{"n": 1}'
    assert done["Status"] == "SUCCEEDED"
    assert json.loads(done["Result"]) == {"ok": True}
    assert done["EndTimestamp"] >= done["StartTimestamp"]
    assert done["ExecutionDataIncluded"] is True
    assert done["Version"] == "$LATEST"
    assert lean["ExecutionDataIncluded"] is False
    assert "Result" not in lean
    assert "InputPayload" not in lean


@pytest.mark.parametrize("status", ["FAILED", "TIMED_OUT"])
async def test_get_failed_execution_error(emulator, aws_client, status) -> None:
    """A failed or timed-out execution carries its Error structure."""
    error = {"error_message": "boom", "error_type": "ValueError", "stack_trace": ["a.py:1"]}
    timeline = [{"at": 0, "status": status, "error": error}]
    async with (
        emulator(durable(execution("x", 0, timeline))) as emu,
        aws_client(emu, "lambda") as client,
    ):
        arn = emu.durable.add_execution(
            "orders",
            ExecutionScenario(name="y", timeline=[ExecutionPoint(at=0, status=status, error=None)]),
        )
        listed = await client.list_durable_executions_by_function(
            FunctionName="orders", DurableExecutionName="x"
        )
        answer = await client.get_durable_execution(
            DurableExecutionArn=listed["DurableExecutions"][0]["DurableExecutionArn"]
        )
        bare = await client.get_durable_execution(DurableExecutionArn=arn)
    assert answer["Status"] == status
    assert answer["Error"] == {
        "ErrorMessage": "boom",
        "ErrorType": "ValueError",
        "StackTrace": ["a.py:1"],
    }
    assert "Error" not in bare


async def test_history_events_and_paging(emulator, aws_client) -> None:
    """History: ExecutionStarted, scripted events as points are reached, then the closing event."""
    timeline = [
        {"at": 0, "status": "RUNNING", "events": [{"event_type": "StepStarted", "name": "charge"}]},
        {
            "after": 2,
            "events": [
                {
                    "event_type": "StepSucceeded",
                    "name": "charge",
                    "sub_type": "Step",
                    "details": {"Result": {"Payload": "42", "Truncated": False}},
                }
            ],
        },
        {"after": 3, "status": "SUCCEEDED", "result": "42"},
    ]
    async with (
        emulator(durable(execution("x", 0, timeline))) as emu,
        aws_client(emu, "lambda") as client,
    ):
        arn = (await client.list_durable_executions_by_function(FunctionName="orders"))[
            "DurableExecutions"
        ][0]["DurableExecutionArn"]
        early = await client.get_durable_execution_history(DurableExecutionArn=arn)
        await client.get_durable_execution_history(DurableExecutionArn=arn)
        full = await client.get_durable_execution_history(DurableExecutionArn=arn)
        page = await client.get_durable_execution_history(DurableExecutionArn=arn, MaxItems=2)
        rest = await client.get_durable_execution_history(
            DurableExecutionArn=arn, MaxItems=2, Marker=page["NextMarker"]
        )
        newest_first = await client.get_durable_execution_history(
            DurableExecutionArn=arn, ReverseOrder=True
        )
    assert [e["EventType"] for e in early["Events"]] == ["ExecutionStarted", "StepStarted"]
    types = [e["EventType"] for e in full["Events"]]
    assert types == ["ExecutionStarted", "StepStarted", "StepSucceeded", "ExecutionSucceeded"]
    assert [e["EventId"] for e in full["Events"]] == [1, 2, 3, 4]
    assert full["Events"][0]["ExecutionStartedDetails"]["Input"]["Payload"] == '{"n": 1}'
    assert full["Events"][2]["StepSucceededDetails"]["Result"]["Payload"] == "42"
    assert full["Events"][2]["SubType"] == "Step"
    assert full["Events"][3]["ExecutionSucceededDetails"]["Result"]["Payload"] == "42"
    assert "NextMarker" not in full
    assert [e["EventId"] for e in page["Events"]] == [1, 2]
    assert [e["EventId"] for e in rest["Events"]] == [3, 4]
    assert [e["EventId"] for e in newest_first["Events"]] == [4, 3, 2, 1]


async def test_invoke_and_stop(emulator, aws_client) -> None:
    """Invoke answers the ARN header; Stop ends it STOPPED with the given error, once."""
    async with emulator(durable(on_invoke=RUNNING)) as emu, aws_client(emu, "lambda") as client:
        invoked = await client.invoke(
            FunctionName="orders",
            DurableExecutionName="order-7",
            Payload=b'{"id": 7}',
            InvocationType="Event",
        )
        arn = invoked["DurableExecutionArn"]
        again = await client.invoke(
            FunctionName="orders", DurableExecutionName="order-7", Payload=b'{"id": 7}'
        )
        with pytest.raises(client.exceptions.DurableExecutionAlreadyStartedException) as conflict:
            await client.invoke(
                FunctionName="orders", DurableExecutionName="order-7", Payload=b'{"id": 8}'
            )
        stopped = await client.stop_durable_execution(
            DurableExecutionArn=arn,
            Error={"ErrorMessage": "operator said so", "ErrorType": "Manual"},
        )
        after = await client.get_durable_execution(DurableExecutionArn=arn)
        history = await client.get_durable_execution_history(DurableExecutionArn=arn)
        with pytest.raises(client.exceptions.InvalidParameterValueException):
            await client.stop_durable_execution(DurableExecutionArn=arn)
    assert invoked["StatusCode"] == 202
    assert arn.startswith(
        "arn:aws:lambda:us-east-1:123456789012:function:orders:$LATEST/durable-execution/order-7/"
    )
    assert again["DurableExecutionArn"] == arn
    assert again["StatusCode"] == 200
    assert conflict.value.response["ResponseMetadata"]["HTTPStatusCode"] == 409
    assert after["Status"] == "STOPPED"
    assert after["InputPayload"] == '{"id": 7}'
    assert after["Error"] == {"ErrorMessage": "operator said so", "ErrorType": "Manual"}
    assert after["EndTimestamp"] == stopped["StopTimestamp"]
    assert [e["EventType"] for e in history["Events"]] == ["ExecutionStarted", "ExecutionStopped"]


async def test_synchronous_invoke_returns_a_finished_result(emulator, aws_client) -> None:
    """A RequestResponse invoke answers the result of an already finished execution."""
    on_invoke = [{"at": 0, "status": "SUCCEEDED", "result": '{"total": 3}'}]
    async with emulator(durable(on_invoke=on_invoke)) as emu, aws_client(emu, "lambda") as client:
        answer = await client.invoke(FunctionName="orders", Payload=b"{}")
        payload = await answer["Payload"].read()
    assert json.loads(payload) == {"total": 3}
    assert "/durable-execution/" in answer["DurableExecutionArn"]


async def test_dry_run_invoke(emulator, aws_client) -> None:
    """A DryRun invoke answers 204 and starts nothing."""
    async with emulator(durable()) as emu, aws_client(emu, "lambda") as client:
        answer = await client.invoke(FunctionName="orders", InvocationType="DryRun")
        listed = await client.list_durable_executions_by_function(FunctionName="orders")
    assert answer["StatusCode"] == 204
    assert "DurableExecutionArn" not in answer
    assert listed["DurableExecutions"] == []


async def test_not_found(emulator, aws_client) -> None:
    """Unknown functions and executions answer 404 ResourceNotFoundException."""
    async with emulator(durable()) as emu, aws_client(emu, "lambda") as client:
        missing_arn = (
            "arn:aws:lambda:us-east-1:123456789012:function:orders:$LATEST/durable-execution/x/y"
        )
        calls = [
            client.list_durable_executions_by_function(FunctionName="ghost"),
            client.get_durable_execution(DurableExecutionArn=missing_arn),
            client.get_durable_execution_history(DurableExecutionArn=missing_arn),
            client.stop_durable_execution(DurableExecutionArn=missing_arn),
            client.invoke(FunctionName="ghost", DurableExecutionName="n"),
        ]
        codes = []
        for call in calls:
            with pytest.raises(client.exceptions.ResourceNotFoundException) as caught:
                await call
            codes.append(caught.value.response["ResponseMetadata"]["HTTPStatusCode"])
    assert codes == [404] * 5


async def test_bad_max_items(emulator, aws_client) -> None:
    """MaxItems outside 0..1000 is an InvalidParameterValueException (botocore lets it pass)."""
    async with emulator(durable()) as emu, aws_client(emu, "lambda") as client:
        with pytest.raises(ClientError) as caught:
            await client.list_durable_executions_by_function(FunctionName="orders", MaxItems=5000)
    assert caught.value.response["Error"]["Code"] == "InvalidParameterValueException"


async def test_run_time_functions_and_timelines(emulator, aws_client) -> None:
    """Functions, executions and new timelines set at run time are served at once."""
    async with emulator() as emu, aws_client(emu, "lambda") as client:
        emu.durable.add_function(FunctionScenario(name="late"))
        arn = emu.durable.add_execution("late", ExecutionScenario(name="x"))
        assert emu.durable.status(arn) == "RUNNING"
        emu.durable.set_timeline(arn, [ExecutionPoint(at=0, status="SUCCEEDED", result="1")])
        answer = await client.get_durable_execution(DurableExecutionArn=arn)
        with pytest.raises(KeyError):
            emu.durable.add_execution("ghost", ExecutionScenario(name="x"))
    assert answer["Status"] == "SUCCEEDED"
    assert answer["Result"] == "1"
