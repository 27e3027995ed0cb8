import json
import re

from waitkit.emulator import Scenario

from .conftest import ACCESS_KEY, FAILING, FAST, ROLLING, SECRET_KEY, STUCK, asg_scenario
from .conftest import emulator_thread as emulator

CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def test_success_prints_one_plain_line_per_change_and_exits_0(cli, aws_env):
    """Not on a terminal: one line per distinct state, a final line, no control characters."""
    with emulator(asg_scenario(web=ROLLING)) as endpoint:
        run = cli("asg-refresh", "web", "--endpoint-url", endpoint, *FAST)
    assert run.code == 0, run.err
    lines = run.out.splitlines()
    assert [line.split(" ", 1)[1] for line in lines[:3]] == [
        "web: Pending 0% (4 to update)",
        "web: InProgress 50% (2 to update)",
        "web: Successful 100%",
    ]
    assert re.fullmatch(r"web: succeeded after \d+\.\ds: Successful 100%", lines[3])
    assert len(lines) == 4
    assert not CONTROL.search(run.out + run.err)
    assert run.err == ""


def test_several_groups_are_awaited_together_and_the_worst_outcome_wins(cli, aws_env):
    """One success, one failure and one timeout exit 1: a failure outranks a timeout."""
    # web and api end at their first look, which no deadline cuts short: only db times out.
    done = [{"after": 0, "status": "Successful", "percentage_complete": 100}]
    failed = [{"after": 0, "status": "Failed", "status_reason": "instances failed health checks"}]
    scenario = asg_scenario(web=done, api=failed, db=STUCK)
    with emulator(scenario) as endpoint:
        groups = ("web", "api", "db")
        run = cli("asg-refresh", *groups, "--timeout", "1s", "--endpoint-url", endpoint, *FAST)
    assert run.code == 1
    finals = {line.split(":")[0]: line for line in run.out.splitlines() if " after " in line}
    assert finals["web"].startswith("web: succeeded after")
    assert finals["api"].endswith("Failed: instances failed health checks")
    assert finals["db"].startswith("db: timed out after")
    assert "last state: InProgress 30%" in finals["db"]


def test_a_failed_refresh_exits_1_with_its_reason(cli, aws_env):
    """A failure status ends with exit 1 and the service's reason on the final line."""
    with emulator(asg_scenario(api=FAILING)) as endpoint:
        run = cli("asg-refresh", "api", "--refresh-id", "r-api", "--endpoint-url", endpoint, *FAST)
    assert run.code == 1
    assert "api/r-api: failed after" in run.out
    assert "Failed: instances failed health checks" in run.out


def test_a_refresh_that_does_not_finish_in_time_exits_2(cli, aws_env):
    """--timeout bounds each wait; running out of it exits 2."""
    with emulator(asg_scenario(db=STUCK)) as endpoint:
        run = cli("asg-refresh", "db", "--timeout", "1s", "--endpoint-url", endpoint, *FAST)
    assert run.code == 2
    assert re.search(r"db: timed out after \d+\.\ds: last state: InProgress 30%", run.out)


def test_an_unknown_group_is_a_failure_exit_1(cli, aws_env):
    """A group AWS does not know is "not found", a resource-level failure (exit 1)."""
    with emulator(asg_scenario(web=ROLLING)) as endpoint:
        run = cli("asg-refresh", "nope", "--json", "--endpoint-url", endpoint, *FAST)
    assert run.code == 1
    (result,) = [json.loads(line) for line in run.out.splitlines()]
    assert result["outcome"] == "not_found"
    assert result["exit_code"] == 1


def test_json_lines_carry_each_state_then_one_result(cli, aws_env):
    """--json: every stdout line parses; states in order, then a result with the outcome."""
    with emulator(asg_scenario(web=ROLLING)) as endpoint:
        run = cli("asg-refresh", "web", "--json", "--endpoint-url", endpoint, *FAST)
    assert run.code == 0
    objects = [json.loads(line) for line in run.out.splitlines()]
    assert [o["event"] for o in objects] == ["state", "state", "state", "result"]
    assert [o["status"] for o in objects] == ["Pending", "InProgress", "Successful", "Successful"]
    assert [o["progress"] for o in objects[:3]] == [0.0, 50.0, 100.0]
    result = objects[-1]
    assert result["resource"] == "web"
    assert result["waiter"] == "instance_refresh"
    assert result["outcome"] == "succeeded"
    assert result["exit_code"] == 0
    assert result["changes"] == 3
    assert result["state"]["instance_refresh_id"] == "r-web"


def test_json_with_quiet_prints_only_the_results(cli, aws_env):
    """--json --quiet: no state objects, one result per resource."""
    with emulator(asg_scenario(web=ROLLING, api=FAILING)) as endpoint:
        run = cli("asg-refresh", "web", "api", "--json", "-q", "--endpoint-url", endpoint, *FAST)
    objects = [json.loads(line) for line in run.out.splitlines()]
    assert sorted((o["event"], o["resource"], o["outcome"]) for o in objects) == [
        ("result", "api", "failed"),
        ("result", "web", "succeeded"),
    ]
    assert run.code == 1


def test_quiet_prints_nothing_on_success_and_the_problem_on_stderr(cli, aws_env):
    """--quiet: silence on success; a failed resource's final line on stderr."""
    with emulator(asg_scenario(web=ROLLING, api=FAILING)) as endpoint:
        run = cli("asg-refresh", "web", "api", "--quiet", "--endpoint-url", endpoint, *FAST)
    assert run.code == 1
    assert run.out == ""
    assert run.err.startswith("api: failed after")
    assert len(run.err.splitlines()) == 1


def test_no_credentials_exit_4_with_one_line(cli, monkeypatch, tmp_path):
    """Without credentials the wait cannot look: exit 4, one line, no traceback."""
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    with emulator(asg_scenario(web=ROLLING)) as endpoint:
        run = cli("asg-refresh", "web", "--endpoint-url", endpoint, *FAST)
    assert run.code == 4
    assert "NoCredentialsError: Unable to locate credentials" in run.out
    assert "Traceback" not in run.out + run.err


def test_credentials_never_appear_even_with_debug(cli, aws_env):
    """--debug shows log events and tracebacks, but never the access key or the secret."""
    with emulator(asg_scenario(web=ROLLING, api=FAILING)) as endpoint:
        run = cli("asg-refresh", "web", "api", "--debug", "--endpoint-url", endpoint, *FAST)
    assert run.code == 1
    assert "event='wait.state_changed'" in run.err  # the events are on stderr
    assert "wait.state_changed" not in run.out
    for secret in (ACCESS_KEY, SECRET_KEY, "Signature="):
        assert secret not in run.out + run.err


def test_waitkit_events_stay_off_stdout_without_debug(cli, aws_env):
    """Without --debug waitkit's info and warning events are not printed anywhere."""
    with emulator(asg_scenario(api=FAILING)) as endpoint:
        run = cli("asg-refresh", "api", "--endpoint-url", endpoint, *FAST)
    assert "wait." not in run.out + run.err


def test_empty_scenario_group_without_refresh_is_not_found(cli, aws_env):
    """A group with no refresh at all is reported as not found."""
    scenario = Scenario.model_validate({"autoscaling": {"groups": [{"name": "idle"}]}})
    with emulator(scenario) as endpoint:
        run = cli("asg-refresh", "idle", "--endpoint-url", endpoint, *FAST)
    assert run.code == 1
    assert "idle: not found after" in run.out
