import json

from waitkit.emulator import Scenario

from .conftest import FAST
from .conftest import emulator_thread as emulator

EXECUTION_ID = "11111111-1111-4111-8111-111111111111"
ARN = (
    "arn:aws:lambda:us-east-1:123456789012:function:orders:$LATEST"
    f"/durable-execution/order-1/{EXECUTION_ID}"
)


def scenario() -> Scenario:
    """Function 'orders': order-1 succeeds, order-2 fails with an error and history."""
    return Scenario.model_validate(
        {
            "durable": {
                "functions": [
                    {
                        "name": "orders",
                        "executions": [
                            {
                                "name": "order-1",
                                "id": EXECUTION_ID,
                                "timeline": [
                                    {"after": 0, "status": "RUNNING"},
                                    {"after": 3, "status": "SUCCEEDED", "result": '{"ok": true}'},
                                ],
                            },
                            {
                                "name": "order-2",
                                "timeline": [
                                    {
                                        "after": 0,
                                        "status": "RUNNING",
                                        "events": [{"event_type": "StepStarted", "name": "charge"}],
                                    },
                                    {
                                        "after": 2,
                                        "status": "FAILED",
                                        "error": {
                                            "error_type": "CardDeclined",
                                            "error_message": "declined",
                                        },
                                    },
                                ],
                            },
                        ],
                    }
                ]
            }
        }
    )


#: `waitkit durable` on the execution that fails (its endpoint and pace added by each test).
AWAIT_ORDER_2 = ("durable", "--function", "orders", "--name", "order-2")


def test_executions_by_function_and_name_as_json(cli, aws_env):
    """Two executions at once: JSON states and results; the failure wins (exit 1)."""
    with emulator(scenario()) as endpoint:
        run = cli(
            "durable",
            "--function",
            "orders",
            "--name",
            "order-1",
            "order-2",
            "--json",
            "--endpoint-url",
            endpoint,
            *FAST,
        )
    assert run.code == 1
    objects = [json.loads(line) for line in run.out.splitlines()]
    results = {o["resource"]: o for o in objects if o["event"] == "result"}
    assert results["orders/order-1"]["outcome"] == "succeeded"
    assert results["orders/order-1"]["state"]["result"] == '{"ok": true}'
    assert results["orders/order-2"]["outcome"] == "failed"
    assert results["orders/order-2"]["message"] == "FAILED: CardDeclined: declined"
    states = [o["status"] for o in objects if o["resource"] == "orders/order-2"]
    assert states == ["RUNNING", "FAILED", "FAILED"]


def test_execution_by_arn_prints_its_result(cli, aws_env):
    """--arn awaits the execution; the plain output ends with its result."""
    with emulator(scenario()) as endpoint:
        run = cli("durable", "--arn", ARN, "--endpoint-url", endpoint, *FAST)
    assert run.code == 0, run.err
    lines = run.out.splitlines()
    assert lines[-2].startswith(f"{ARN}: succeeded after")
    assert lines[-1] == '  result: {"ok": true}'


def test_a_failed_execution_shows_its_last_events(cli, aws_env):
    """A failure's final line has the error; the renderer adds the last history events."""
    with emulator(scenario()) as endpoint:
        run = cli(*AWAIT_ORDER_2, "--endpoint-url", endpoint, *FAST)
    assert run.code == 1
    assert "orders/order-2: failed after" in run.out
    assert "FAILED: CardDeclined: declined" in run.out
    assert "  last events: ExecutionStarted order-2, StepStarted charge, ExecutionFailed" in run.out


def test_arn_and_name_together_is_usage_error(cli, aws_env):
    """--arn with --function/--name, or --name without --function, exits 3 with one line."""
    both = cli("durable", "--arn", ARN, "--function", "orders", *FAST)
    assert both.code == 3
    assert (
        both.err.strip() == "waitkit: error: give either --arn, or --function and --name, not both"
    )
    alone = cli("durable", "--name", "order-1", *FAST)
    assert alone.code == 3
    assert len(alone.err.splitlines()) == 1


def test_a_malformed_arn_is_a_configuration_error(cli, aws_env):
    """The waiter's own validation (ConfigurationError) exits 3 before any call."""
    run = cli("durable", "--arn", "arn:nope", "--endpoint-url", "http://127.0.0.1:9", *FAST)
    assert run.code == 3
    assert "arn must be a durable execution ARN" in run.err


def test_a_failure_with_its_history_denied_still_exits_as_failed(cli, aws_env):
    """GetDurableExecutionHistory denied (403): exit 1 with the error, not 4 (probe error)."""
    fault = {
        "kind": "error",
        "service": "lambda",
        "operation": "GetDurableExecutionHistory",
        "status": 403,
        "code": "AccessDeniedException",
    }
    denied = Scenario.model_validate({**scenario().model_dump(), "faults": [fault]})
    with emulator(denied) as endpoint:
        run = cli(*AWAIT_ORDER_2, "--endpoint-url", endpoint, *FAST)
    assert run.code == 1, run.out + run.err
    assert "FAILED: CardDeclined: declined" in run.out
    assert "history unavailable: AccessDeniedException" in run.out
