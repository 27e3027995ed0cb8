"""`waitkit durable --function F --invoke`: an asynchronous Invoke, then the wait."""

import json
import re

import pytest

from waitkit.emulator import Scenario

from .conftest import FAST, running

ON_INVOKE = [
    {"after": 0, "status": "RUNNING"},
    {"after": 2, "status": "SUCCEEDED", "result": '{"shipped": true}'},
]


def functions() -> Scenario:
    """Function 'orders': each invoke starts an execution that succeeds on its third look."""
    return Scenario.model_validate(
        {"durable": {"functions": [{"name": "orders", "on_invoke": ON_INVOKE}]}}
    )


def executions(emu) -> list[tuple[str, str | None, str]]:
    """(name, input, status) of each execution the emulator holds."""
    service = emu.durable
    return sorted((e.name, e.input, service.status(arn)) for arn, e in service._executions.items())


def test_invoke_starts_each_named_execution_and_awaits_it(cli, aws_env, tmp_path):
    """One Event invoke per --name with the payload; each execution is awaited to SUCCEEDED."""
    payload = tmp_path / "order.json"
    payload.write_text('{"order": 42}')
    with running(functions()) as emu:
        run = cli(
            "durable", "--function", "orders", "--invoke", "--name", "o-1", "o-2",
            "--payload", f"@{payload}", "--endpoint-url", emu.aws_endpoint, *FAST,
        )  # fmt: skip
        seen = emu.call(executions)
        invokes = emu.call(lambda e: e.counters.of("lambda", "Invoke"))
    assert run.code == 0, run.err
    assert invokes == 2
    assert seen == [("o-1", '{"order": 42}', "SUCCEEDED"), ("o-2", '{"order": 42}', "SUCCEEDED")]
    assert re.search(r"^orders/o-1: succeeded after \d+\.\ds", run.out, re.MULTILINE)
    assert '  result: {"shipped": true}' in run.out


def test_invoke_without_a_name_makes_a_fresh_one(cli, aws_env):
    """Without --name each run gets a new execution name (names are idempotency keys)."""
    with running(functions()) as emu:
        run = cli(
            "durable", "--function", "orders", "--invoke", "--json",
            "--payload", '{"a": 1}', "--endpoint-url", emu.aws_endpoint, *FAST,
        )  # fmt: skip
        ((name, given, status),) = emu.call(executions)
    assert run.code == 0, run.err
    assert re.fullmatch(r"waitkit-\d{8}T\d{6}-[0-9a-f]{8}", name)
    assert (given, status) == ('{"a": 1}', "SUCCEEDED")
    result = next(json.loads(line) for line in run.out.splitlines() if '"result"' in line)
    assert result["resource"] == f"orders/{name}"


@pytest.mark.parametrize(
    ("argv", "fragment"),
    [
        (["--invoke", "--arn", "arn:x"], "--invoke needs --function F"),
        (["--invoke"], "--invoke needs --function F"),
        (["--function", "orders", "--name", "o-1", "--payload", "{}"], "--payload needs --invoke"),
        (["--function", "orders", "--invoke", "--payload", "{nope"], "--payload must be JSON"),
        (["--function", "orders", "--invoke", "--payload", "@/no/such/file"], "cannot read"),
    ],
)
def test_bad_invoke_options_exit_3_before_any_call(cli, aws_env, argv, fragment):
    """Each mistake is a usage error naming the option; nothing is invoked."""
    with running(functions()) as emu:
        run = cli("durable", *argv, "--endpoint-url", emu.aws_endpoint, *FAST)
        invokes = emu.call(lambda e: e.counters.of("lambda", "Invoke"))
    assert run.code == 3, run.err
    assert fragment in run.err
    assert invokes == 0
