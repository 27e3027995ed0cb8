"""The rows of waitkit.progress(): each wait started in its block, as the CLI shows it."""

from __future__ import annotations

from typing import TYPE_CHECKING, final

from waitkit._cli._exit import ExitCode
from waitkit._cli._report import Reporter
from waitkit._cli._track import Ending, Track
from waitkit._cli._types import no_lines, percentage_complete
from waitkit._core import WaitHooks

if TYPE_CHECKING:
    from waitkit._core import StateChanged, WaitFinished, WaitStarted


@final
class _Summaries:
    """Stands in for the waiter in a row: the engine already summarised each state."""

    __slots__ = ("last",)

    def __init__(self) -> None:
        self.last = ""

    def summarize(self, state: object) -> str:  # noqa: ARG002 - the waiter's signature
        return self.last


@final
class Rows(WaitHooks):
    """Adds a row per wait to the view, and keeps it up to date."""

    def __init__(self, reporter: Reporter, tracks: list[Track]) -> None:
        self._reporter = reporter
        self._tracks = tracks

    def on_start(self, wait: WaitStarted) -> WaitHooks:
        track = Track(wait.resource, _Summaries(), percentage_complete, no_lines)  # type: ignore[arg-type]
        self._tracks.append(track)
        return _Row(self._reporter, track)


@final
class _Row(WaitHooks):
    """One wait's row."""

    def __init__(self, reporter: Reporter, track: Track) -> None:
        self._reporter = reporter
        self._track = track

    def on_state_change(self, wait: WaitStarted, change: StateChanged) -> None:
        del wait
        self._track.waiter.last = change.summary  # type: ignore[attr-defined]
        self._track.observed(change.state)
        self._reporter.changed(self._track)

    def on_finish(self, wait: WaitStarted, finish: WaitFinished) -> None:
        del wait
        track = self._track
        if finish.outcome == "succeeded":
            track.succeeded()
        elif finish.outcome == "cancelled":
            track.cancelled()
        elif finish.outcome == "timed_out":
            last = finish.summary or "none observed"
            track.end(Ending.TIMED_OUT, ExitCode.TIMED_OUT, f"last state: {last}")
        else:
            reason = (finish.reason or "failed").partition("\n")[0]
            track.end(Ending.FAILED, ExitCode.FAILED, reason)
        self._reporter.ended(track)
