"""Hostile input: bad arguments are refused up front, by name, before any API call.

Each row builds something from a bad input against a live emulator (real clients) and
must raise the documented error with a message naming the problem; the emulator's
counters then show that not one request was made. Service-side surprises (a status
never seen before, a huge page) end in the documented error with a bounded message.
"""

from __future__ import annotations

import json
import math
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import anyio
import pytest
from aiohttp import web

from waitkit import (
    ConfigurationError,
    Policy,
    UnexpectedStateError,
    WaitTimeoutError,
)
from waitkit.aws import (
    DurableExecutionWaiter,
    InstanceRefreshWaiter,
    LogsInsightsQuery,
    QuerySlots,
    QueryWaiter,
    botocore_waiter,
)
from waitkit.emulator import Emulator, Scenario, ScenarioError
from waitkit.k8s import ConditionWaiter, JobWaiter, WatchOptions, api_client

from .conftest import aws_client, post_server

pytestmark = pytest.mark.anyio


@dataclass
class Clients:
    """Real clients of every kind, all pointed at one emulator."""

    asg: Any
    lam: Any
    logs: Any
    ddb: Any
    api: Any


Build = Callable[[Clients], Any]

Q = "fields @message"
ARN = "arn:aws:lambda:us-east-1:123456789012:function:f:$LATEST/durable-execution/x/1"

#: (id, build, message fragment). Every build raises ConfigurationError (also a ValueError).
REFUSED: list[tuple[str, Build, str]] = [
    # Policy
    ("negative timeout", lambda _: Policy(timeout=-1), "Policy.timeout must be a finite"),
    ("NaN timeout", lambda _: Policy(timeout=math.nan), "got nan"),
    ("infinite timeout", lambda _: Policy(timeout=math.inf), "got inf"),
    ("timeout as text", lambda _: Policy(timeout="10"), "Policy.timeout must be a number"),
    ("min_delay > max_delay", lambda _: Policy(min_delay=5, max_delay=1), "max_delay must be >="),
    ("zero call_timeout", lambda _: Policy(call_timeout=0), "Policy.call_timeout"),
    ("unknown jitter", lambda _: Policy(jitter="bogus"), "Policy.jitter must be one of"),
    ("negative retries", lambda _: Policy(max_transient_errors=-1), "max_transient_errors"),
    ("unknown unknown_status", lambda _: Policy(unknown_status="maybe"), "unknown_status"),
    ("unknown policy field", lambda _: Policy().replace(nope=1), "no field(s) ['nope']"),
    ("NaN not_found_grace", lambda _: Policy(not_found_grace=math.nan), "not_found_grace"),
    ("zero history_limit", lambda _: Policy(history_limit=0), "history_limit"),
    # Instance refresh
    ("empty group name", lambda c: InstanceRefreshWaiter(c.asg, ""), "1 to 255 characters"),
    ("over-long group name", lambda c: InstanceRefreshWaiter(c.asg, "a" * 256), "got 256"),
    ("NUL in group name", lambda c: InstanceRefreshWaiter(c.asg, "web\x00"), "control characters"),
    ("newline in group name", lambda c: InstanceRefreshWaiter(c.asg, "web\nx"), "control char"),
    ("empty refresh id", lambda c: InstanceRefreshWaiter(c.asg, "web", ""), "refresh_id"),
    ("policy not a Policy", lambda c: InstanceRefreshWaiter(c.asg, "w", policy="x"), "Policy"),
    # Durable execution
    ("no execution named", lambda c: DurableExecutionWaiter(c.lam), "give either arn"),
    (
        "arn and name both",
        lambda c: DurableExecutionWaiter(c.lam, arn=ARN, function_name="f", execution_name="x"),
        "not both",
    ),
    (
        "bell in execution name",
        lambda c: DurableExecutionWaiter(c.lam, function_name="f", execution_name="x\x07"),
        "execution_name must be 1 to 64",
    ),
    (
        "over-long execution name",
        lambda c: DurableExecutionWaiter(c.lam, function_name="f", execution_name="x" * 65),
        "execution_name must be 1 to 64",
    ),
    (
        "malformed ARN",
        lambda c: DurableExecutionWaiter(c.lam, arn="not-an-arn"),
        "durable execution ARN",
    ),
    (
        "negative history tail",
        lambda c: DurableExecutionWaiter(c.lam, arn=ARN, history_tail=-1),
        "history_tail",
    ),
    (
        "client of another service",
        lambda c: DurableExecutionWaiter(c.asg, arn=ARN),
        "'lambda' client, got 'autoscaling'",
    ),
    # Logs Insights
    (
        "inverted time range",
        lambda c: LogsInsightsQuery(c.logs, "/a", Q, 100, 0),
        "end must not be before start",
    ),
    (
        "empty query",
        lambda c: LogsInsightsQuery(c.logs, "/a", "", 0, 1),
        "query must be a non-blank",
    ),
    (
        "over-long query",
        lambda c: LogsInsightsQuery(c.logs, "/a", "x" * 10_001, 0, 1),
        "10001 characters",
    ),
    ("no log group", lambda c: LogsInsightsQuery(c.logs, [], Q, 0, 1), "log_groups must be"),
    (
        "51 log groups",
        lambda c: LogsInsightsQuery(c.logs, [f"/g{i}" for i in range(51)], Q, 0, 1),
        "1 to 50",
    ),
    ("empty log group", lambda c: LogsInsightsQuery(c.logs, "", Q, 0, 1), "1 to 2048 characters"),
    ("zero limit", lambda c: LogsInsightsQuery(c.logs, "/a", Q, 0, 1, limit=0), "limit must be"),
    (
        "zero page size",
        lambda c: LogsInsightsQuery(c.logs, "/a", Q, 0, 1, page_size=0),
        "page_size",
    ),
    ("NaN start", lambda c: LogsInsightsQuery(c.logs, "/a", Q, math.nan, 1), "start must be"),
    (
        "negative unknown grace",
        lambda c: LogsInsightsQuery(c.logs, "/a", Q, 0, 1, unknown_grace=-1),
        "unknown_grace",
    ),
    (
        "negative min_rows",
        lambda c: LogsInsightsQuery(c.logs, "/a", Q, 0, 1).waiter(min_rows=-1),
        "min_rows",
    ),
    ("empty query id", lambda c: QueryWaiter(c.logs, ""), "query_id"),
    ("zero query slots", lambda _: QuerySlots(0), "QuerySlots limit"),
    # botocore
    (
        "unknown waiter name",
        lambda c: botocore_waiter(c.ddb, "table_melted", TableName="t"),
        "waiter_names",
    ),
    (
        "unknown waiter parameter",
        lambda c: botocore_waiter(c.ddb, "table_exists", Nope="x"),
        'Unknown parameter in input: "Nope"',
    ),
    # Kubernetes
    ("empty Job name", lambda c: JobWaiter(c.api, ""), "Kubernetes object name"),
    ("upper-case Job name", lambda c: JobWaiter(c.api, "Bad_Name"), "got 'Bad_Name'"),
    ("over-long Job name", lambda c: JobWaiter(c.api, "a" * 254), "1-253 characters"),
    ("CR in Job name", lambda c: JobWaiter(c.api, "etl\r"), "got 'etl\\r'"),
    (
        "bad namespace",
        lambda c: JobWaiter(c.api, "etl", namespace="Bad NS"),
        "namespace must be a DNS label",
    ),
    ("unknown until", lambda c: JobWaiter(c.api, "etl", until="sometimes"), "until must be"),
    (
        "unknown condition",
        lambda c: ConditionWaiter(c.api, "job", "etl", for_="bogus=x"),
        "unrecognized condition",
    ),
    (
        "empty condition",
        lambda c: ConditionWaiter(c.api, "job", "etl", for_=""),
        "non-empty string",
    ),
    (
        "unterminated jsonpath",
        lambda c: ConditionWaiter(c.api, "job", "e", for_="jsonpath={.a["),
        "jsonpath",
    ),
    ("empty kind", lambda c: ConditionWaiter(c.api, "", "etl", for_="delete"), "kind must be"),
    ("negative watch timeout", lambda _: WatchOptions(server_timeout=-1), "server_timeout"),
    ("NaN read timeout", lambda _: WatchOptions(read_timeout=math.nan), "read_timeout"),
]


@asynccontextmanager
async def clients() -> AsyncIterator[tuple[Emulator, Clients]]:
    """An empty emulator and one real client of each kind for it."""
    async with (
        Emulator(Scenario()) as emu,
        aws_client("autoscaling", emu.aws_endpoint) as asg,
        aws_client("lambda", emu.aws_endpoint) as lam,
        aws_client("logs", emu.aws_endpoint) as logs,
        aws_client("dynamodb", emu.aws_endpoint) as ddb,
        api_client(kubeconfig=emu.kubeconfig_path) as api,
    ):
        yield emu, Clients(asg, lam, logs, ddb, api)


def _no_calls(emu: Emulator) -> None:
    assert emu.counters.snapshot() == {}
    assert not emu.kubernetes.requests


async def test_every_bad_argument_is_refused_by_name_before_any_call() -> None:
    """Each of the rows raises ConfigurationError naming the problem, with zero API calls."""
    assert len(REFUSED) >= 30
    failures: list[str] = []
    async with clients() as (emu, c):
        for name, build, fragment in REFUSED:
            try:
                build(c)
            except ConfigurationError as error:
                if not isinstance(error, ValueError) or fragment not in str(error):
                    failures.append(f"{name}: {error}")
            else:
                failures.append(f"{name}: accepted")
        _no_calls(emu)
    assert failures == []


@pytest.mark.parametrize("timeout", [-5, 0, math.nan, math.inf, "10s"], ids=repr)
async def test_a_bad_timeout_of_wait_is_refused_before_any_call(timeout: Any) -> None:
    """wait(timeout=...) with a negative, zero, NaN, infinite or text timeout makes no call."""
    async with clients() as (emu, c):
        waiters = [
            InstanceRefreshWaiter(c.asg, "web"),
            DurableExecutionWaiter(c.lam, function_name="f", execution_name="x"),
            LogsInsightsQuery(c.logs, "/app", Q, 0, 1).waiter(),
            botocore_waiter(c.ddb, "table_exists", TableName="t"),
            JobWaiter(c.api, "etl"),
            ConditionWaiter(c.api, "job", "etl", for_="delete"),
        ]
        for waiter in waiters:
            with pytest.raises(ConfigurationError, match="timeout"):
                await waiter.wait(timeout=timeout)
        _no_calls(emu)


@pytest.mark.parametrize(
    ("text", "suffix", "fragment"),
    [
        ("speed: [1,\n", ".yaml", "is not valid yaml"),
        ('{"speed": ', ".json", "is not valid json"),
        ("speed: -1\n", ".yaml", "speed"),
        ("nope: 1\n", ".yaml", "nope"),
        (
            (
                "autoscaling: {groups: [{name: w, refreshes: "
                "[{timeline: [{at: 0, status: Melting}]}]}]}"
            ),
            ".yaml",
            "status",
        ),
        ("- just\n- a list\n", ".yaml", ""),
        ("faults: [{kind: explode}]\n", ".yaml", "kind"),
        ("speed: 1\n", ".toml", ""),
    ],
    ids=[
        "yaml syntax",
        "json syntax",
        "negative speed",
        "unknown key",
        "unknown status",
        "not a mapping",
        "unknown fault",
        "unknown suffix",
    ],
)
def test_malformed_scenario_files_are_scenario_errors(
    tmp_path: Path, text: str, suffix: str, fragment: str
) -> None:
    """A malformed scenario file raises ScenarioError (a ValueError) naming the file and field."""
    path = tmp_path / f"bad{suffix}"
    path.write_text(text)
    with pytest.raises(ScenarioError) as caught:
        Scenario.from_file(path)
    assert isinstance(caught.value, ValueError)
    assert str(path) in str(caught.value) or path.name in str(caught.value)
    assert fragment in str(caught.value)


def test_a_missing_scenario_file_is_a_scenario_error(tmp_path: Path) -> None:
    """A scenario path that does not exist is named in the ScenarioError."""
    with pytest.raises(ScenarioError, match="cannot read scenario"):
        Scenario.from_file(tmp_path / "none.yaml")


async def test_a_query_refused_by_the_service_is_a_configuration_error_after_one_call() -> None:
    """A query AWS will not compile is a ConfigurationError after its one StartQuery."""
    scenario = Scenario.model_validate({"logs": {"malformed_queries": ["fields @x | bad"]}})
    async with Emulator(scenario) as emu, aws_client("logs", emu.aws_endpoint) as logs:
        with pytest.raises(ConfigurationError, match="refused by StartQuery"):
            await LogsInsightsQuery(logs, "/app", "fields @x | bad", 0, 1).results(timeout=5)
        assert emu.counters.snapshot() == {"logs:StartQuery": 1}


async def test_control_characters_in_a_log_group_are_refused() -> None:
    """A log group with a newline is refused up front like the other names."""
    async with clients() as (_emu, c):
        with pytest.raises(ConfigurationError, match="log_groups entry must not contain control"):
            LogsInsightsQuery(c.logs, "/app\n", Q, 0, 1)


async def test_instance_refresh_with_a_lambda_client_is_refused() -> None:
    """InstanceRefreshWaiter given a Lambda client is refused up front, as the durable one is."""
    async with clients() as (_emu, c):
        with pytest.raises(ConfigurationError, match="needs an aiobotocore 'autoscaling' client"):
            InstanceRefreshWaiter(c.lam, "web")


# --------------------------------------------------------------------- service surprises
@asynccontextmanager
async def logs_server(answer: dict[str, Any]) -> AsyncIterator[str]:
    """A Logs (JSON 1.1) server whose every GetQueryResults returns ``answer``."""
    body = json.dumps(answer).encode()  # once: a huge page is costly to encode

    async def handle(request: web.Request) -> web.Response:
        await request.read()
        return web.Response(body=body, headers={"Content-Type": "application/x-amz-json-1.1"})

    async with post_server(handle) as url:
        yield url


FAST = Policy(min_delay=0.02, max_delay=0.05, timeout=5, call_timeout=5)
#: One look, then the final one just before the deadline: two observations, one state.
SLOW = Policy(min_delay=10, max_delay=10, call_timeout=5)
#: Long enough for a first answer on a busy machine; the wait then looks once more (its
#: final look, whose answer is the same) and times out. The deadline cuts a call in
#: flight, so a wait shorter than one answer would carry no state at all.
FIRST_ANSWER = 1.5


async def test_a_status_never_seen_before_is_unexpected_under_a_strict_policy() -> None:
    """GetQueryResults status 'Exploding': UnexpectedStateError (strict) or a timeout naming it."""
    async with (
        logs_server({"status": "Exploding", "results": []}) as url,
        aws_client("logs", url) as c,
    ):
        strict = FAST.replace(unknown_status="fail")
        with pytest.raises(UnexpectedStateError, match="'Exploding'") as caught:
            await QueryWaiter(c, "q-1", policy=strict).wait()
        assert caught.value.state is not None
        assert caught.value.state.status == "Exploding"
        with pytest.raises(WaitTimeoutError, match="Exploding"):
            await QueryWaiter(c, "q-1", policy=SLOW).wait(timeout=FIRST_ANSWER)


async def test_a_huge_partial_page_keeps_the_state_and_message_small() -> None:
    """20,000 partial rows (twice a page's most) while Running: a count kept, a short error."""
    row = [{"field": "@message", "value": "x" * 40}]
    async with (
        logs_server({"status": "Running", "results": [row] * 20_000}) as url,
        aws_client("logs", url) as c,
    ):
        with pytest.raises(WaitTimeoutError) as caught:
            await QueryWaiter(c, "q-1", policy=SLOW).wait(timeout=FIRST_ANSWER)
    state = caught.value.state
    assert state.row_count == 20_000
    assert state.rows == []
    assert len(str(caught.value)) < 1_000
    assert len(caught.value.history) == 1


async def test_the_bound_of_a_huge_page_is_not_a_hang() -> None:
    """A Complete answer of 20,000 rows is returned whole, in bounded time."""
    rows = [[{"field": "@message", "value": f"line {i}"}] for i in range(20_000)]
    async with (
        logs_server({"status": "Complete", "results": rows}) as url,
        aws_client("logs", url) as c,
    ):
        with anyio.fail_after(15):
            result = await QueryWaiter(c, "q-1", policy=FAST).wait()
    assert result.state.row_count == 20_000
    assert len(result.state.summary()) < 100
