"""waitkit.progress(): the CLI's view around any waits of a script."""

from __future__ import annotations

import io
import sys

import pytest

import waitkit
from waitkit import ConfigurationError, Policy, WaitFailedError, WaitTimeoutError, wait_all
from waitkit.testing import ScriptedWaiter

QUICK = Policy(min_delay=0.001, max_delay=0.001, jitter="none")


def builds() -> list[ScriptedWaiter]:
    """Two waits that succeed after a few distinct states."""
    return [
        ScriptedWaiter(["QUEUED", "RUNNING", "done"], resource_id="build-1", policy=QUICK),
        ScriptedWaiter(["QUEUED", "done"], resource_id="build-2", policy=QUICK),
    ]


def test_off_a_terminal_one_line_per_change_and_per_end():
    """Lines as the CLI prints them: '+Ns id: summary', then 'id: succeeded after ...'."""
    out = io.StringIO()
    with waitkit.progress(file=out):
        results = waitkit.run(wait_all(builds(), timeout=30))
    assert [r.state.status for r in results] == ["done", "done"]
    lines = out.getvalue().splitlines()
    changes = sorted(line.split(" ", 1)[1] for line in lines if line.startswith("+"))
    assert changes == [
        "build-1: QUEUED", "build-1: RUNNING", "build-1: done", "build-2: QUEUED", "build-2: done",
    ]  # fmt: skip
    ends = sorted(line.split(" after ")[0] for line in lines if not line.startswith("+"))
    assert ends == ["build-1: succeeded", "build-2: succeeded"]


def test_failures_and_timeouts_are_shown_and_still_raised():
    """The view shows why a wait ended; the wait raises as it would without the view."""
    out = io.StringIO()
    with waitkit.progress(file=out):
        with pytest.raises(WaitFailedError):
            waitkit.run(ScriptedWaiter(["a", "failed"], resource_id="bad", policy=QUICK))
        with pytest.raises(WaitTimeoutError):
            waitkit.run(ScriptedWaiter(["a"], resource_id="slow", policy=QUICK), timeout=0.05)
    lines = [line for line in out.getvalue().splitlines() if not line.startswith("+")]
    assert lines[0].startswith("bad: failed after ")
    assert lines[0].endswith(": failed")
    assert lines[1].startswith("slow: timed out after ")
    assert lines[1].endswith(": last state: a")


@pytest.mark.anyio
async def test_inside_a_running_loop_and_only_for_the_block():
    """In async code too; waits after the block are not shown."""
    out = io.StringIO()
    with waitkit.progress(file=out):
        await ScriptedWaiter(["done"], resource_id="inside", policy=QUICK).wait(timeout=10)
    await ScriptedWaiter(["done"], resource_id="later", policy=QUICK).wait(timeout=10)
    assert "inside" in out.getvalue()
    assert "later" not in out.getvalue()


def test_live_table_when_asked():
    """live=True draws the CLI's table (terminal control sequences) with the final status."""
    out = io.StringIO()
    with waitkit.progress(file=out, live=True):
        waitkit.run(wait_all(builds(), timeout=30))
    text = out.getvalue()
    assert "\x1b[" in text
    last_frame = text.rsplit("resource", 1)[1]
    for expected in ("status", "elapsed", "build-1", "build-2", "done"):
        assert expected in last_frame
    assert "2 resources: 2 succeeded" in text


def test_default_is_lines_on_stderr_off_a_terminal(capsys):
    """Without a file the view goes to stderr, leaving stdout to the script."""
    with waitkit.progress():
        waitkit.run(ScriptedWaiter(["done"], resource_id="b-9", policy=QUICK))
    captured = capsys.readouterr()
    assert captured.out == ""
    assert "b-9: succeeded after" in captured.err


def test_live_without_rich_is_a_configuration_error(monkeypatch):
    """live=True needs the cli extra; live=None falls back to lines."""
    monkeypatch.setitem(sys.modules, "waitkit._cli._live", None)
    with pytest.raises(ConfigurationError, match=r"waitkit\[cli\]"), waitkit.progress(live=True):
        pass

    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    out = Terminal()
    with waitkit.progress(file=out):
        waitkit.run(ScriptedWaiter(["done"], resource_id="b-1", policy=QUICK))
    assert out.getvalue().startswith("+")
