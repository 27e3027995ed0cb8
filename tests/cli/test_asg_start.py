"""`waitkit asg-refresh GROUP --start`: StartInstanceRefresh with preferences, then the wait."""

import json

import pytest

from waitkit.emulator import Emulator, Scenario

from .conftest import FAST, ROLLING, running

STARTED = [
    {"after": 0, "status": "Pending", "percentage_complete": 0, "instances_to_update": 2},
    {"after": 1, "status": "InProgress", "percentage_complete": 50, "instances_to_update": 1},
    {"after": 2, "status": "Successful", "percentage_complete": 100},
]


def startable(*names: str, existing: list[dict] | None = None) -> Scenario:
    """Groups whose StartInstanceRefresh follows STARTED (and that may have a refresh already)."""
    groups = []
    for name in names:
        group = {"name": name, "on_start": STARTED}
        if existing is not None:
            group["refreshes"] = [{"id": f"r-{name}", "timeline": existing}]
        groups.append(group)
    return Scenario.model_validate({"autoscaling": {"groups": groups}})


def refreshes(emu: Emulator, group: str) -> list[dict]:
    """The group's refreshes as DescribeInstanceRefreshes shows them (newest first)."""
    answer = emu.autoscaling.handle("DescribeInstanceRefreshes", {"AutoScalingGroupName": group})
    return answer["InstanceRefreshes"]


def test_start_sends_the_preferences_and_awaits_the_refresh_it_started(cli, aws_env, tmp_path):
    """Flags override the file's keys; the started refresh is awaited to Successful."""
    prefs = tmp_path / "prefs.json"
    prefs.write_text(json.dumps({"MinHealthyPercentage": 50, "InstanceWarmup": 60}))
    with running(startable("web", "api")) as emu:
        run = cli(
            "asg-refresh", "web", "api", "--start", "--preferences", str(prefs),
            "--min-healthy-percentage", "90", "--skip-matching", "--checkpoint-percentages",
            "50,100", "--checkpoint-delay", "10m", "--json", "--endpoint-url", emu.aws_endpoint,
            *FAST,
        )  # fmt: skip
        started = {g: emu.call(lambda e, g=g: refreshes(e, g)) for g in ("web", "api")}
        starts = emu.call(lambda e: e.counters.of("autoscaling", "StartInstanceRefresh"))
    assert run.code == 0, run.err
    assert starts == 2
    for group in ("web", "api"):
        (refresh,) = started[group]
        assert refresh["Status"] == "Successful"
        # As the query protocol carried them (strings on the wire).
        assert refresh["Preferences"] == {
            "MinHealthyPercentage": "90", "InstanceWarmup": "60", "SkipMatching": "true",
            "CheckpointPercentages": ["50", "100"], "CheckpointDelay": "600",
        }  # fmt: skip
    results = [json.loads(line) for line in run.out.splitlines() if '"result"' in line]
    ids = {r["resource"]: r["outcome"] for r in results}
    assert ids == {f"{g}/{started[g][0]['InstanceRefreshId']}": "succeeded" for g in started}


def test_start_with_defaults_sends_the_rolling_strategy_only(cli, aws_env):
    """--start alone: Strategy Rolling, no Preferences; the plain lines name the new refresh."""
    with running(startable("web")) as emu:
        run = cli("asg-refresh", "web", "--start", "--endpoint-url", emu.aws_endpoint, *FAST)
        (refresh,) = emu.call(lambda e: refreshes(e, "web"))
    assert run.code == 0, run.err
    assert refresh.get("Preferences") is None
    assert refresh["Strategy"] == "Rolling"
    assert f"web/{refresh['InstanceRefreshId']}: succeeded after" in run.out


def test_a_refresh_in_progress_refuses_the_start(cli, aws_env):
    """InstanceRefreshInProgress from the service: one error line, an API error (exit 4)."""
    with running(startable("web", existing=ROLLING[:1])) as emu:
        run = cli("asg-refresh", "web", "--start", "--endpoint-url", emu.aws_endpoint, *FAST)
    assert run.code == 4
    assert "InstanceRefreshInProgress" in run.err
    assert len(run.err.splitlines()) == 1


@pytest.mark.parametrize(
    ("argv", "fragment"),
    [
        (["--min-healthy-percentage", "90"], "--min-healthy-percentage needs --start"),
        (["--start", "--refresh-id", "r-1"], "--start and --refresh-id exclude each other"),
        (["--start", "--min-healthy-percentage", "101"], "integer from 0 to 100, got 101"),
        (["--start", "--max-healthy-percentage", "99"], "integer from 100 to 200, got 99"),
        (
            ["--start", "--min-healthy-percentage", "0", "--max-healthy-percentage", "200"],
            "minus --min-healthy-percentage must be at most 100",
        ),
        (["--start", "--checkpoint-percentages", "50,20"], "ascending integers from 1 to 100"),
        (["--start", "--checkpoint-percentages", "a"], "ascending integers from 1 to 100"),
        (["--start", "--checkpoint-delay", "3d"], "invalid"),
        (["--start", "--bake-time", "49h"], "must be 0 to 172800 s, got 176400"),
    ],
)
def test_bad_start_options_exit_3_before_any_call(cli, aws_env, argv, fragment):
    """Each bad preference is a usage error naming the option, before any request."""
    with running(startable("web")) as emu:
        run = cli("asg-refresh", "web", *argv, "--endpoint-url", emu.aws_endpoint, *FAST)
        calls = emu.call(lambda e: e.counters.of("autoscaling", "StartInstanceRefresh"))
    assert run.code == 3, run.err
    assert fragment in run.err
    assert calls == 0


@pytest.mark.parametrize(
    ("content", "fragment"),
    [
        ("[1, 2]", "must hold a JSON object (the Preferences), got list"),
        ("{", "is not JSON"),
        ('{"StandbyInstances": "Keep"}', "must be one of Terminate, Ignore, Wait, got 'Keep'"),
        ('{"AutoRollback": "yes"}', "(Preferences.AutoRollback) must be true or false"),
        ('{"InstanceWarmup": -1}', "must be >= 0 s, got -1"),
    ],
)
def test_a_bad_preferences_file_exits_3(cli, aws_env, tmp_path, content, fragment):
    """The file is read and checked before any call."""
    prefs = tmp_path / "prefs.json"
    prefs.write_text(content)
    run = cli("asg-refresh", "web", "--start", "--preferences", str(prefs), *FAST)
    assert run.code == 3
    assert fragment in run.err


def test_a_missing_preferences_file_exits_3(cli, aws_env, tmp_path):
    """An unreadable file names itself."""
    run = cli("asg-refresh", "web", "--start", "--preferences", str(tmp_path / "nope.json"), *FAST)
    assert run.code == 3
    assert "cannot read" in run.err
