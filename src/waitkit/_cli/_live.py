"""The live view on a terminal: a rich table, one row per resource (extra ``cli``).

Imported only when a live view is needed, so ``waitkit --help`` works without rich.
Cells are :class:`rich.text.Text`, never markup strings: a status from a service must
not be able to style or break the table.
"""

from __future__ import annotations

import time
from collections import Counter
from typing import TYPE_CHECKING, Final, TextIO

from rich.console import Console, Group
from rich.live import Live
from rich.progress_bar import ProgressBar
from rich.table import Table
from rich.text import Text

from waitkit._cli._report import Reporter
from waitkit._cli._track import PHRASES, Ending
from waitkit._core import safe

if TYPE_CHECKING:
    from collections.abc import Sequence

    from rich.console import RenderableType

    from waitkit._cli._track import Track

_STYLES: Final = {
    Ending.SUCCEEDED: "green",
    Ending.CANCELLED: "dim",
    Ending.TIMED_OUT: "yellow",
}
_BAR_WIDTH: Final = 20
# Lines the view needs besides its rows: the summary, the column header, the caption.
_CHROME: Final = 4
_MIN_ROWS: Final = 5


class LiveReporter(Reporter):
    """A table redrawn in place: resource, status, progress, elapsed, last change.

    Changes only mark the view dirty; the ticker redraws it (4 times a second), so a
    burst of changes costs one redraw, not one per change. The table fits the
    terminal: above it a line counts the resources by outcome, and it shows the rows
    that matter most (those still running, most recently changed first, then
    problems, then successes), saying how many it leaves out.
    """

    refresh_interval = 0.25

    def __init__(
        self,
        out: TextIO | None = None,
        err: TextIO | None = None,
        *,
        force_terminal: bool | None = None,
        auto_refresh: bool = False,
    ) -> None:
        super().__init__(out, err)
        self._console = Console(file=self.out, highlight=False, force_terminal=force_terminal)
        # The CLI redraws from its event loop (refresh()); waitkit.progress() has no task
        # of its own in the caller's loop, so rich's thread redraws 4 times a second.
        self._auto_refresh = auto_refresh
        self._tracks: Sequence[Track] = ()
        self._live: Live | None = None
        self._dirty = False

    def begin(self, tracks: Sequence[Track]) -> None:
        """Start drawing (stdout and stderr writes appear above the table meanwhile)."""
        self._tracks = tracks
        self._live = Live(
            self._view(),
            console=self._console,
            auto_refresh=self._auto_refresh,
            refresh_per_second=1 / self.refresh_interval,
            get_renderable=self._view if self._auto_refresh else None,
            transient=False,
            redirect_stdout=True,
            redirect_stderr=True,
        )
        self._live.start(refresh=True)

    def changed(self, track: Track) -> None:  # noqa: ARG002 - the next tick redraws it
        """Mark the view for the next redraw."""
        self._dirty = True

    def ended(self, track: Track) -> None:  # noqa: ARG002
        """Mark the view for the next redraw."""
        self._dirty = True

    def say(self, label: str, text: str, fields: dict[str, object]) -> None:  # noqa: ARG002
        """Printed above the table (as a plain line, never markup)."""
        self._console.print(Text(safe(text)), soft_wrap=True)

    def refresh(self) -> None:
        """Redraw the view (elapsed times move on even when nothing changed)."""
        if self._live is not None:
            self._dirty = False
            self._live.update(self._view(), refresh=True)

    def close(self) -> None:
        """Leave the final table on screen, then print reasons and results under it."""
        if self._live is None:
            return
        self.refresh()
        self._live.stop()
        self._live = None
        for track in self._tracks:
            if track.outcome is not Ending.SUCCEEDED:
                self._console.print(Text(track.result_line()), soft_wrap=True)
            for line in track.extra_lines():
                self._console.print(Text(f"{track.label}: {line}"), soft_wrap=True)

    def _view(self) -> Group:
        shown, hidden = _most_relevant(self._tracks, self._rows())
        return Group(_summary(self._tracks), self._table(shown, hidden))

    def _rows(self) -> int:
        return max(self._console.size.height - _CHROME, _MIN_ROWS)

    def _table(self, tracks: Sequence[Track], hidden: int) -> Table:
        now = time.monotonic()
        caption = f"... {hidden} more not shown" if hidden else None
        table = Table(box=None, pad_edge=False, header_style="bold", caption=caption)
        for column in ("resource", "status", "progress", "elapsed", "last change"):
            table.add_column(column, no_wrap=column != "status")
        for track in tracks:
            table.add_row(
                Text(track.label),
                _status(track),
                _progress(track),
                Text(f"{track.elapsed(now):.1f}s"),
                _last_change(track, now),
            )
        return table


def _most_relevant(tracks: Sequence[Track], limit: int) -> tuple[list[Track], int]:
    """The ``limit`` rows to show first, and how many are left out."""

    def rank(track: Track) -> tuple[int, float]:
        changed = -(track.changed_at or 0.0)  # most recent first
        if track.outcome is None:
            return (0, changed)
        if track.outcome is not Ending.SUCCEEDED:
            return (1, changed)
        return (2, changed)

    if len(tracks) <= limit:
        return list(tracks), 0
    ordered = sorted(tracks, key=rank)
    return ordered[:limit], len(tracks) - limit


def _summary(tracks: Sequence[Track]) -> Text:
    """``200 resources: 150 running, 45 succeeded, 4 failed, 1 timed out``."""
    counts = Counter("running" if t.outcome is None else PHRASES[t.outcome] for t in tracks)
    parts = ", ".join(f"{n} {what}" for what, n in counts.most_common())
    return Text(f"{len(tracks)} resource{'s' if len(tracks) != 1 else ''}: {parts}", style="bold")


def _status(track: Track) -> Text:
    if track.outcome is None:
        return Text(track.status or "waiting")
    style = _STYLES.get(track.outcome, "red")
    text = Text(track.status or PHRASES[track.outcome], style=style)
    if track.outcome not in {Ending.SUCCEEDED, Ending.FAILED} or not track.status:
        text.append(f" ({PHRASES[track.outcome]})")
    return text


def _progress(track: Track) -> RenderableType:
    percent = track.progress
    if percent is None:
        return Text("")
    table = Table.grid(padding=(0, 1))
    table.add_row(
        ProgressBar(total=100.0, completed=percent, width=_BAR_WIDTH), Text(f"{percent:.0f}%")
    )
    return table


def _last_change(track: Track, now: float) -> Text:
    if track.changed_at is None:
        return Text("")
    at = f"+{track.changed_at - track.started:.1f}s"
    if track.outcome is not None:
        return Text(at)
    return Text(f"{at} ({now - track.changed_at:.1f}s ago)")
