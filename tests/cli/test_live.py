import io

import anyio

from waitkit import Policy
from waitkit._cli._drive import drive
from waitkit._cli._live import LiveReporter
from waitkit._cli._track import Ending, Track
from waitkit._cli._types import no_lines, percentage_complete
from waitkit.testing import ScriptedWaiter

FAST = Policy(min_delay=0.01, max_delay=0.01, timeout=10)


def test_live_view_draws_every_outcome_in_process():
    """The live table shows each resource with its final status and the reasons under it."""
    tracks = [
        Track(
            "ok", ScriptedWaiter(["Pending", "done"], policy=FAST), percentage_complete, no_lines
        ),
        Track(
            "bad", ScriptedWaiter(["Pending", "failed"], policy=FAST), percentage_complete, no_lines
        ),
        Track(
            "slow",
            ScriptedWaiter(["Pending"], policy=FAST.replace(timeout=0.2)),
            percentage_complete,
            no_lines,
        ),
    ]
    out = io.StringIO()
    reporter = LiveReporter(out, io.StringIO(), force_terminal=True)
    reporter.refresh_interval = 0.05

    async def main() -> None:
        with reporter:
            reporter.begin(tracks)
            await drive(tracks, reporter)

    anyio.run(main)
    assert [t.outcome for t in tracks] == [Ending.SUCCEEDED, Ending.FAILED, Ending.TIMED_OUT]
    text = out.getvalue()
    final = text.rsplit("resource", 1)[1]
    for fragment in ("ok", "done", "bad", "failed", "slow", "Pending (timed out)"):
        assert fragment in final
    assert "slow: timed out after" in final
    assert "bad: failed after" in final
