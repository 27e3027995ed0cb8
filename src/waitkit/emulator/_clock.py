"""Scenario time: the clock every emulated resource's timeline runs on.

The emulator is a real server talking to real clients over sockets, so its clients
run on the real clock (virtual time and real I/O don't mix). Scenario time, the
clock the *timelines* read, has two modes:

- ``real`` (the default): real monotonic seconds since the start, times ``speed``.
  ``speed=10`` makes a timeline written in minutes play out in tenths of that.
- ``manual``: time stands still until the program moves it with :meth:`advance`
  or :meth:`advance_to_next`. A test then decides exactly what a waiter can see
  between two of its looks, however slow or busy the machine is.

Either mode can be moved forward by hand; a running clock then goes on from there.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Literal

ClockMode = Literal["real", "manual"]

#: Answers "the soonest scenario time after ``now`` at which a scripted point falls due".
DueSource = Callable[[float], float | None]


class ScenarioClock:
    """Seconds of scenario time since :meth:`start` (or construction).

    Every backend reads it; tests and scripts move it. :meth:`pause` holds a running
    clock still until :meth:`resume`; in ``manual`` mode it is always still.

    A manual clock moves only when told:

    >>> clock = ScenarioClock(mode="manual")
    >>> clock.now()
    0.0
    >>> clock.advance(2.5)
    2.5
    >>> clock.now()
    2.5

    :meth:`advance_to_next` jumps straight to the next point any backend has scripted
    (the backends register themselves through :meth:`add_due_source`):

    >>> clock.add_due_source(lambda now: 10.0 if now < 10.0 else None)
    >>> clock.advance_to_next()
    10.0
    >>> clock.advance_to_next() is None  # nothing left that time alone would bring
    True

    A running clock can be held still too:

    >>> running = ScenarioClock()
    >>> running.pause()
    >>> held = running.now()
    >>> running.now() == held
    True
    >>> running.resume()
    """

    def __init__(self, speed: float = 1.0, *, mode: ClockMode = "real") -> None:
        if not speed > 0:
            msg = f"speed must be > 0, got {speed!r}"
            raise ValueError(msg)
        if mode not in ("real", "manual"):
            msg = f"mode must be 'real' or 'manual', got {mode!r}"
            raise ValueError(msg)
        self.speed = speed
        self.mode: ClockMode = mode
        self._origin = time.monotonic()
        self._paused_at: float | None = None
        # Scenario seconds added by advance(); the whole of scenario time in manual mode.
        self._offset = 0.0
        self._due_sources: list[DueSource] = []
        self._listeners: list[Callable[[], None]] = []

    # ------------------------------------------------------------ reading

    def now(self) -> float:
        """Scenario seconds since the start."""
        if self.mode == "manual":
            return self._offset
        wall = time.monotonic() if self._paused_at is None else self._paused_at
        return (wall - self._origin) * self.speed + self._offset

    @property
    def paused(self) -> bool:
        """Whether scenario time stands still by itself (always, in manual mode)."""
        return self.mode == "manual" or self._paused_at is not None

    def real_seconds(self, scenario_seconds: float) -> float | None:
        """How many real seconds a span of scenario time takes (None: it never passes alone)."""
        if self.paused:
            return None
        return scenario_seconds / self.speed

    # ------------------------------------------------------------ moving

    def start(self) -> None:
        """Restart scenario time at zero (a held or manual clock stays still)."""
        self._origin = time.monotonic()
        self._offset = 0.0
        if self._paused_at is not None:
            self._paused_at = self._origin

    def pause(self) -> None:
        """Hold a running clock where it is (no-op when already held or manual)."""
        if self.mode == "real" and self._paused_at is None:
            self._paused_at = time.monotonic()

    def resume(self) -> None:
        """Let a held clock run on from where it was (no-op when running or manual)."""
        if self._paused_at is not None:
            self._origin += time.monotonic() - self._paused_at
            self._paused_at = None

    def advance(self, seconds: float) -> float:
        """Move scenario time forward by ``seconds`` at once; returns the new time.

        Every point due by then is reached, and Kubernetes watchers are told about the
        objects that changed. Call it on the emulator's event loop (the pytest plugin's
        ``emulator.advance`` does that for you from the test's thread).

        Raises:
            ValueError: ``seconds`` is negative or not finite (time never runs backwards).
        """
        if not 0 <= seconds < float("inf"):
            msg = f"seconds must be >= 0 and finite, got {seconds!r}"
            raise ValueError(msg)
        self._offset += seconds
        self._notify()
        return self.now()

    def _notify(self) -> None:
        for listener in list(self._listeners):
            listener()

    def advance_to_next(self) -> float | None:
        """Move to the next scripted ``at`` point of any resource (or fault window edge).

        Returns:
            The new scenario time, or None (time unchanged) when no point is left that
            time alone would reach (``after`` points wait for observations instead).
        """
        due = self.next_due()
        return None if due is None else self.advance_to(due)

    def advance_to(self, when: float) -> float:
        """Move scenario time forward to ``when`` (no-op if it is already there or past)."""
        if self.mode == "manual":
            # Set exactly: `now + (when - now)` can fall a hair short of `when` in floating
            # point, and a point a hair away is not reached.
            if when > self._offset:
                self._offset = when
                self._notify()
            return self.now()
        return self.advance(max(0.0, when - self.now()))

    def next_due(self) -> float | None:
        """The soonest scenario time after now at which a scripted point falls due."""
        now = self.now()
        soonest: float | None = None
        for source in self._due_sources:
            due = source(now)
            if due is not None and due > now and (soonest is None or due < soonest):
                soonest = due
        return soonest

    # ------------------------------------------------------------ wiring (the backends use it)

    def add_due_source(self, source: DueSource) -> None:
        """Register a backend's "when is my next point due" for :meth:`advance_to_next`."""
        self._due_sources.append(source)

    def on_advance(self, listener: Callable[[], None]) -> None:
        """Call ``listener`` after every :meth:`advance` (a backend re-renders what moved)."""
        self._listeners.append(listener)
