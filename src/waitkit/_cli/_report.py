"""How progress is shown: plain lines, JSON lines, or nothing (``_live``: a live table).

A reporter is told about each state change and each end, in the event loop's thread,
synchronously; it never blocks on anything but writing a line.
"""

from __future__ import annotations

import json
import sys
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, Self, TextIO

from waitkit._core import redact, safe

if TYPE_CHECKING:
    from collections.abc import Sequence

    from waitkit._cli._track import Track


def write_line(stream: TextIO, text: str) -> None:
    """Write one line and flush it (CI logs show lines as they come)."""
    stream.write(text + "\n")
    stream.flush()


class Reporter:
    """Shows progress; the base shows nothing (``--quiet``) except problems, on stderr."""

    #: Seconds between calls of :meth:`refresh` (None: never called).
    refresh_interval: float | None = None

    def __init__(self, out: TextIO | None = None, err: TextIO | None = None) -> None:
        self._out = out
        self._err = err

    @property
    def out(self) -> TextIO:
        """The stdout to write to: ``sys.stdout`` as it is now (tests and live views swap it)."""
        return self._out or sys.stdout

    @property
    def err(self) -> TextIO:
        """The stderr to write to: ``sys.stderr`` as it is now."""
        return self._err or sys.stderr

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def begin(self, tracks: Sequence[Track]) -> None:
        """The resources about to be awaited."""

    def changed(self, track: Track) -> None:
        """``track`` has a new distinct state."""

    def ended(self, track: Track) -> None:
        """``track``'s wait ended (``track.outcome`` is set)."""
        if track.exit_code:
            write_line(self.err, track.result_line())

    def say(self, label: str, text: str, fields: dict[str, Any]) -> None:
        """A line about resource ``label`` as it happens (a log line); quiet: nothing."""

    def refresh(self) -> None:
        """Redraw (live views only)."""

    def close(self) -> None:
        """Every wait has ended, or the command is being torn down."""

    def error(self, message: str) -> None:
        """A problem that is no one resource's (bad configuration, no credentials)."""
        write_line(self.err, f"waitkit: error: {message}")


class PlainReporter(Reporter):
    """One line per state change and one per end, on stdout; no control characters."""

    def changed(self, track: Track) -> None:
        """``+3.2s web: InProgress 50% (2 to update)``."""
        write_line(self.out, f"+{track.elapsed():.1f}s {track.label}: {track.summary}")

    def ended(self, track: Track) -> None:
        """The final line, then the subcommand's extra lines, indented."""
        write_line(self.out, track.result_line())
        for line in track.extra_lines():
            write_line(self.out, f"  {line}")

    def say(self, label: str, text: str, fields: dict[str, Any]) -> None:  # noqa: ARG002
        """``etl-x7k2p/main: step 3 of 5``: the line as it is, made safe."""
        write_line(self.out, safe(text))


class JsonReporter(Reporter):
    """JSON lines on stdout: ``{"event": "state", ...}`` per change, ``"result"`` per resource.

    Args:
        states: also print the state objects (False with ``--quiet``).
    """

    def __init__(
        self, out: TextIO | None = None, err: TextIO | None = None, *, states: bool = True
    ) -> None:
        super().__init__(out, err)
        self._states = states

    def changed(self, track: Track) -> None:
        """One ``state`` object."""
        if self._states:
            self._emit(
                {
                    "event": "state",
                    **_common(track),
                    "summary": track.summary,
                    "state": _dump(track.state),
                }
            )

    def ended(self, track: Track) -> None:
        """One ``result`` object."""
        self._emit(
            {
                "event": "result",
                **_common(track),
                "outcome": str(track.outcome),
                "exit_code": int(track.exit_code or 0),
                "message": track.message,
                "changes": track.changes,
                "state": _dump(track.state),
            }
        )

    def say(self, label: str, text: str, fields: dict[str, Any]) -> None:  # noqa: ARG002
        """One object: its ``event`` and fields, with the time and the resource."""
        if self._states:
            self._emit({"time": _now(), "resource": label, **_safe_strings(fields)})

    def error(self, message: str) -> None:
        """An ``error`` object on stdout as well as the line on stderr."""
        super().error(message)
        self._emit({"event": "error", "time": _now(), "message": message})

    def _emit(self, data: dict[str, Any]) -> None:
        write_line(self.out, json.dumps(data, separators=(",", ":"), default=str))


def _common(track: Track) -> dict[str, Any]:
    return {
        "time": _now(),
        "resource": track.label,
        "waiter": track.waiter.kind,
        "id": track.waiter.resource_id,
        "status": track.status or None,
        "progress": track.progress,
        "elapsed": round(track.elapsed(), 3),
    }


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds")


def _dump(state: object) -> Any:  # noqa: ANN401 - JSON
    dump = getattr(state, "model_dump", None)
    if callable(dump):
        return _safe_strings(dump(mode="json"))
    return None if state is None else safe(str(state))


def _safe_strings(value: Any) -> Any:  # noqa: ANN401 - JSON
    """Redact string values (JSON escapes control characters itself)."""
    if isinstance(value, str):
        return redact(value)
    if isinstance(value, dict):
        return {key: _safe_strings(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_safe_strings(item) for item in value]
    return value
