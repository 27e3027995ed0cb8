"""CloudWatch Logs Insights queries, as the real aiobotocore client sees them."""

from __future__ import annotations

import asyncio

import pytest
from botocore.exceptions import ClientError

from waitkit.emulator import LogRow, QueryPoint, QueryScript

pytestmark = pytest.mark.anyio

START = {"logGroupName": "/app", "startTime": 0, "endTime": 100}


def script(timeline: list[dict[str, object]], rows: int = 3, **extra: object) -> dict[str, object]:
    """A query script matching ``fields`` queries, with ``rows`` rows."""
    return {
        "match": "fields",
        "timeline": timeline,
        "rows": [{"fields": {"@message": f"line {i}", "level": "INFO"}} for i in range(rows)],
        **extra,
    }


def fields(row: list[dict[str, str]]) -> dict[str, str]:
    """A result row as a plain mapping."""
    return {cell["field"]: cell["value"] for cell in row}


async def test_scheduled_running_complete_with_rows_and_statistics(emulator, aws_client) -> None:
    """Scheduled -> Running -> Complete; rows are field/value lists with @ptr; statistics."""
    timeline = [
        {"at": 0, "status": "Scheduled"},
        {"after": 1, "status": "Running"},
        {"after": 2, "status": "Complete"},
    ]
    async with (
        emulator({"logs": {"queries": [script(timeline)]}}) as emu,
        aws_client(emu, "logs") as client,
    ):
        query_id = (await client.start_query(queryString="fields @message", **START))["queryId"]
        answers = [await client.get_query_results(queryId=query_id) for _ in range(4)]
    assert [a["status"] for a in answers] == ["Scheduled", "Running", "Complete", "Complete"]
    assert answers[0]["results"] == []
    rows = answers[2]["results"]
    assert [fields(r)["@message"] for r in rows] == ["line 0", "line 1", "line 2"]
    assert all(fields(r)["level"] == "INFO" and fields(r)["@ptr"] for r in rows)
    assert len({fields(r)["@ptr"] for r in rows}) == 3
    stats = answers[2]["statistics"]
    assert stats["recordsMatched"] == 3.0
    assert stats["recordsScanned"] == 3.0
    assert stats["logGroupsScanned"] == 1.0
    assert stats["resultCount"] == 3.0
    assert stats["bytesScanned"] > 0
    assert answers[2]["queryLanguage"] == "CWLI"


@pytest.mark.parametrize("status", ["Failed", "Cancelled", "Timeout", "Unknown"])
async def test_other_final_statuses(emulator, aws_client, status) -> None:
    """Scripts can end a query in any status of the enum, with no rows by default."""
    timeline = [{"at": 0, "status": "Running"}, {"after": 1, "status": status}]
    async with (
        emulator({"logs": {"queries": [script(timeline)]}}) as emu,
        aws_client(emu, "logs") as client,
    ):
        query_id = (await client.start_query(queryString="fields @message", **START))["queryId"]
        answers = [await client.get_query_results(queryId=query_id) for _ in range(2)]
    assert [a["status"] for a in answers] == ["Running", status]
    assert answers[1]["results"] == []


async def test_partial_rows_and_scripted_statistics(emulator, aws_client) -> None:
    """A Running point can show some rows (partial results) and scripted statistics."""
    timeline = [
        {"at": 0, "status": "Running", "rows": 1, "statistics": {"records_scanned": 1000}},
        {"after": 1, "status": "Complete"},
    ]
    async with (
        emulator({"logs": {"queries": [script(timeline)]}}) as emu,
        aws_client(emu, "logs") as client,
    ):
        query_id = (await client.start_query(queryString="fields @message", **START))["queryId"]
        running = await client.get_query_results(queryId=query_id)
    assert running["status"] == "Running"
    assert len(running["results"]) == 1
    assert running["statistics"]["recordsScanned"] == 1000.0
    assert running["statistics"]["recordsMatched"] == 1.0


async def test_ingestion_delay_later_query_sees_more(emulator, aws_client) -> None:
    """Rows ingested after a query started are not in its results; a later query sees them."""
    rows = [
        {"fields": {"@message": "early"}, "ingested_at": 0},
        {"fields": {"@message": "much later"}, "ingested_at": 1e6},
    ]
    queries = [{"match": "", "timeline": [{"at": 0, "status": "Complete"}], "rows": rows}]
    async with (
        emulator({"logs": {"queries": queries}}) as emu,
        aws_client(emu, "logs") as client,
    ):
        first = (await client.start_query(queryString="fields @message", **START))["queryId"]
        # Ingested now: after the first query started, before the second.
        emu.logs.add_rows("", [LogRow(fields={"@message": "late"}, ingested_at=emu.clock.now())])
        second = (await client.start_query(queryString="fields @message", **START))["queryId"]
        early = await client.get_query_results(queryId=first)
        later = await client.get_query_results(queryId=second)
    assert [fields(r)["@message"] for r in early["results"]] == ["early"]
    assert [fields(r)["@message"] for r in later["results"]] == ["early", "late"]


async def test_time_based_timeline(emulator, aws_client) -> None:
    """``at`` points follow scenario time (scaled by speed) from StartQuery."""
    timeline = [{"at": 0, "status": "Running"}, {"at": 2, "status": "Complete"}]
    async with (
        emulator({"speed": 100, "logs": {"queries": [script(timeline)]}}) as emu,
        aws_client(emu, "logs") as client,
    ):
        emu.clock.pause()  # held still for the first look, however long the calls take
        query_id = (await client.start_query(queryString="fields @message", **START))["queryId"]
        before = await client.get_query_results(queryId=query_id)
        emu.clock.resume()
        await asyncio.sleep(0.03)  # at least 3 scenario seconds at speed 100
        after = await client.get_query_results(queryId=query_id)
    assert (before["status"], after["status"]) == ("Running", "Complete")


async def test_stop_query(emulator, aws_client) -> None:
    """StopQuery cancels a running query; stopping it again or an unknown query is an error."""
    timeline = [{"at": 0, "status": "Running"}]
    async with (
        emulator({"logs": {"queries": [script(timeline)]}}) as emu,
        aws_client(emu, "logs") as client,
    ):
        query_id = (await client.start_query(queryString="fields @message", **START))["queryId"]
        stopped = await client.stop_query(queryId=query_id)
        answer = await client.get_query_results(queryId=query_id)
        with pytest.raises(client.exceptions.InvalidParameterException):
            await client.stop_query(queryId=query_id)
        with pytest.raises(client.exceptions.ResourceNotFoundException):
            await client.stop_query(queryId="no-such-query")
        with pytest.raises(client.exceptions.ResourceNotFoundException):
            await client.get_query_results(queryId="no-such-query")
    assert stopped["success"] is True
    assert answer["status"] == "Cancelled"


async def test_concurrency_limit(emulator, aws_client) -> None:
    """Past max_concurrent_queries active queries, StartQuery answers LimitExceededException."""
    timeline = [{"at": 0, "status": "Running"}, {"after": 1, "status": "Complete"}]
    scenario = {"logs": {"max_concurrent_queries": 2, "queries": [script(timeline)]}}
    async with emulator(scenario) as emu, aws_client(emu, "logs") as client:
        first = (await client.start_query(queryString="fields a", **START))["queryId"]
        await client.start_query(queryString="fields b", **START)
        with pytest.raises(client.exceptions.LimitExceededException) as caught:
            await client.start_query(queryString="fields c", **START)
        await client.get_query_results(queryId=first)  # completes the first one
        third = await client.start_query(queryString="fields c", **START)
    assert caught.value.response["Error"]["Message"] == (
        "Account maximum query concurrency limit of [2] reached."
    )
    assert third["queryId"]


@pytest.mark.parametrize(
    ("query", "start", "end"),
    [
        ("configured bad query", 0, 20),
        ("fields @message | filter (level = 'x'", 25, 37),
        ('fields "unterminated', 7, 20),
        ("fields a | bogus b", 10, 18),
        ("fields a )", 9, 9),
    ],
)
async def test_malformed_queries(emulator, aws_client, query, start, end) -> None:
    """Scenario-listed and unparseable queries answer MalformedQueryException with a location."""
    scenario = {"logs": {"malformed_queries": ["configured bad query"]}}
    async with emulator(scenario) as emu, aws_client(emu, "logs") as client:
        with pytest.raises(client.exceptions.MalformedQueryException) as caught:
            await client.start_query(queryString=query, **START)
    compile_error = caught.value.response["queryCompileError"]
    assert compile_error["location"] == {"startCharOffset": start, "endCharOffset": end}
    assert compile_error["message"]
    assert caught.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400


async def test_results_paging(emulator, aws_client) -> None:
    """Rows are paged by maxItems and nextToken."""
    timeline = [{"at": 0, "status": "Complete"}]
    async with (
        emulator({"logs": {"queries": [script(timeline, rows=5)]}}) as emu,
        aws_client(emu, "logs") as client,
    ):
        query_id = (await client.start_query(queryString="fields @message", **START))["queryId"]
        pages, token = [], None
        while True:
            kwargs = {"nextToken": token} if token else {}
            answer = await client.get_query_results(queryId=query_id, maxItems=2, **kwargs)
            pages.append([fields(r)["@message"] for r in answer["results"]])
            token = answer.get("nextToken")
            if token is None:
                break
        with pytest.raises(client.exceptions.InvalidParameterException):
            await client.get_query_results(queryId=query_id, nextToken="garbage")
    assert pages == [["line 0", "line 1"], ["line 2", "line 3"], ["line 4"]]


@pytest.mark.parametrize(
    ("kwargs", "error"),
    [
        ({"logGroupName": "/app", "logGroupNames": ["/b"]}, "InvalidParameterException"),
        ({}, "InvalidParameterException"),
        ({"logGroupName": "/unknown"}, "ResourceNotFoundException"),
        ({"logGroupName": "/app", "startTime": 10, "endTime": 5}, "InvalidParameterException"),
    ],
)
async def test_start_query_parameter_errors(emulator, aws_client, kwargs, error) -> None:
    """Bad log-group selections, unknown groups (when listed) and reversed times are refused."""
    params = {"startTime": 0, "endTime": 100, **kwargs}
    async with (
        emulator({"logs": {"log_groups": ["/app", "/b"]}}) as emu,
        aws_client(emu, "logs") as client,
    ):
        with pytest.raises(ClientError) as caught:
            await client.start_query(queryString="fields @message", **params)
    assert caught.value.response["Error"]["Code"] == error


async def test_source_command_needs_no_log_group(emulator, aws_client) -> None:
    """A query naming its source with SOURCE needs no log-group parameter."""
    async with emulator() as emu, aws_client(emu, "logs") as client:
        answer = await client.start_query(
            queryString="SOURCE logGroups() | fields @message", startTime=0, endTime=1
        )
    assert answer["queryId"]


async def test_other_languages_and_several_log_groups(emulator, aws_client) -> None:
    """SQL/PPL queries skip the Logs Insights syntax check; logGroupNames counts every group."""
    scripts = [{"match": "SELECT", "timeline": [{"at": 0, "status": "Complete"}]}]
    async with (
        emulator({"logs": {"queries": scripts}}) as emu,
        aws_client(emu, "logs") as client,
    ):
        emu.logs.add_script(QueryScript(match="never"), first=False)
        query_id = (
            await client.start_query(
                queryLanguage="SQL",
                queryString="SELECT * FROM `a`",
                logGroupNames=["/a", "/b"],
                startTime=0,
                endTime=1,
            )
        )["queryId"]
        answer = await client.get_query_results(queryId=query_id)
    assert answer["queryLanguage"] == "SQL"
    assert answer["statistics"]["logGroupsScanned"] == 2.0


async def test_run_time_scripts_and_rows(emulator, aws_client) -> None:
    """Scripts, rows and log groups added at run time drive later queries."""
    async with (
        emulator({"logs": {"log_groups": []}}) as emu,
        aws_client(emu, "logs") as client,
    ):
        emu.logs.add_log_group("/new")
        emu.logs.add_script(
            QueryScript(match="stats", timeline=[QueryPoint(at=0, status="Complete")])
        )
        emu.logs.add_rows("stats", [LogRow(fields={"count": "42"})])
        query_id = (
            await client.start_query(
                queryString="stats count(*)", logGroupName="/new", startTime=0, endTime=1
            )
        )["queryId"]
        assert emu.logs.status(query_id) == "Complete"
        answer = await client.get_query_results(queryId=query_id)
        with pytest.raises(KeyError):
            emu.logs.add_rows("nothing matches this", [])
    assert fields(answer["results"][0])["count"] == "42"


async def test_unknown_operation(emulator, aws_client) -> None:
    """A Logs operation the emulator does not serve is refused in the JSON error shape."""
    async with emulator() as emu, aws_client(emu, "logs") as client:
        with pytest.raises(ClientError) as caught:
            await client.describe_queries()
    assert caught.value.response["Error"]["Code"] == "UnknownOperationException"
