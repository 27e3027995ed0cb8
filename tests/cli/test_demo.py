import json

import pytest

from waitkit._cli import main
from waitkit._cli._commands import demo
from waitkit._cli._commands.demo import expected_outcomes

#: Resources in the small demo below: 5 groups x 2 refreshes, 6 executions, 3 queries, 20 Jobs.
RESOURCES = 5 * 2 + 6 + 3 + 20


@pytest.fixture
def small_demo(monkeypatch: pytest.MonkeyPatch) -> None:
    """The demo's scenario cut to a few of each resource, one failure of each kind kept.

    The full demo (300 resources) takes seconds whatever --speed, throttled on purpose;
    it has no option for its size, so the test sets the module's counts. Five groups
    against the Auto Scaling throttle's burst of 4 keep it throttled from the first round.
    """
    monkeypatch.setattr(demo, "GROUPS", 5)
    monkeypatch.setattr(demo, "REFRESHES_PER_GROUP", 2)
    monkeypatch.setattr(demo, "REFRESH_FAILURES", {(0, 1): "Failed", (3, 1): "RollbackSuccessful"})
    monkeypatch.setattr(demo, "EXECUTIONS", {"checkout": 3, "billing": 3})
    stuck = ("billing", 2)
    monkeypatch.setattr(demo, "_STUCK", stuck)
    monkeypatch.setattr(
        demo,
        "EXECUTION_FAILURES",
        {("checkout", 1): "FAILED", ("billing", 0): "TIMED_OUT", stuck: "stuck"},
    )
    monkeypatch.setattr(demo, "QUERIES", 3)
    monkeypatch.setattr(demo, "FAILING_QUERY", 1)
    monkeypatch.setattr(demo, "JOBS", 20)
    # Only the Auto Scaling throttle (a rate: deterministic): the demo's random Lambda
    # throttle holds every wait on the client for its Retry-After, seconds under load.
    monkeypatch.setattr(demo, "FAULTS", demo.FAULTS[:1])
    # The demo's delays (0.5-2 s) are chosen to be watched; a test need not watch them.
    monkeypatch.setattr(demo, "POLICY", demo.POLICY.replace(min_delay=0.1, max_delay=0.4))
    monkeypatch.setattr(demo, "JOB_FAILURES", {13: "DeadlineExceeded", 17: "BackoffLimitExceeded"})


def test_demo_ends_as_scripted_and_reports_the_calls(capsys, small_demo):
    """`waitkit demo` awaits every scripted resource, ends as scripted, and exits 0."""
    code = main(["demo", "--speed", "8", "--json"])
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    summary = lines[-1]
    results = [line for line in lines if line.get("event") == "result"]
    assert code == 0
    assert summary["event"] == "summary"
    assert summary["as_scripted"] is True, summary["unexpected"]
    assert summary["resources"] == len(results) == RESOURCES
    assert summary["outcomes"] == {"succeeded": RESOURCES - 8, "failed": 7, "timed_out": 1}
    calls = summary["api_calls"]
    # 20 Jobs share one list and watch (the watch is skipped when the list saw them end)
    assert calls["kubernetes:list"] + calls.get("kubernetes:watch", 0) < 20 // 2
    assert summary["throttled"] > 0
    # shared observation: far fewer describe calls than refreshes x rounds
    assert calls["autoscaling:DescribeInstanceRefreshes"] < 10 * 10
    failed = {r["resource"] for r in results if r["outcome"] != "succeeded"}
    assert failed == set(expected_outcomes())


def test_demo_rejects_a_bad_speed(capsys):
    """A speed that is not positive is a usage error (exit 3) before the emulator starts."""
    assert main(["demo", "--speed", "0"]) == 3
    assert "--speed must be > 0" in capsys.readouterr().err


def test_demo_prints_a_summary_without_control_characters(capsys, small_demo):
    """Off a terminal the demo prints one plain line per change, then the summary and calls."""
    code = main(["demo", "--speed", "8"])
    out = capsys.readouterr().out
    assert code == 0
    summary = f"demo: {RESOURCES} resources: 7 failed, {RESOURCES - 8} succeeded, 1 timed out"
    assert f"{summary} (as scripted)" in out
    assert "autoscaling:DescribeInstanceRefreshes" in out
    assert "job default/batch-017: failed" in out
    assert not any(ch in out for ch in "\x1b\r")
