import json

from waitkit._cli import main
from waitkit._cli._commands.demo import expected_outcomes


def test_demo_ends_as_scripted_and_reports_the_calls(capsys):
    """`waitkit demo` awaits every scripted resource, ends as scripted, and exits 0."""
    code = main(["demo", "--speed", "4", "--json"])
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    summary = lines[-1]
    results = [line for line in lines if line.get("event") == "result"]
    assert code == 0
    assert summary["event"] == "summary"
    assert summary["as_scripted"] is True
    assert summary["resources"] == len(results) == 300
    assert summary["outcomes"] == {"succeeded": 292, "failed": 7, "timed_out": 1}
    assert summary["api_calls"]["kubernetes:watch"] <= 4  # 100 Jobs share a stream
    assert summary["throttled"] > 0
    # shared observation: far fewer list/describe calls than resources x rounds
    assert summary["api_calls"]["autoscaling:DescribeInstanceRefreshes"] < 80 * 10
    failed = {r["resource"] for r in results if r["outcome"] != "succeeded"}
    assert failed == set(expected_outcomes())


def test_demo_rejects_a_bad_speed(capsys):
    """A speed that is not positive is a usage error (exit 3) before the emulator starts."""
    assert main(["demo", "--speed", "0"]) == 3
    assert "--speed must be > 0" in capsys.readouterr().err


def test_demo_prints_a_summary_without_control_characters(capsys):
    """Off a terminal the demo prints one plain line per change, then the summary and calls."""
    code = main(["demo", "--speed", "4"])
    out = capsys.readouterr().out
    assert code == 0
    assert "demo: 300 resources: 7 failed, 292 succeeded, 1 timed out (as scripted)" in out
    assert "autoscaling:DescribeInstanceRefreshes" in out
    assert "job default/batch-017: failed" in out
    assert not any(ch in out for ch in "\x1b\r")
