"""Scenario time: real monotonic seconds since the emulator started, scaled by a speed factor.

The emulator is a real server talking to real clients over sockets, so it runs on
the real clock (virtual time and real I/O don't mix). ``speed=10`` makes a
timeline written in minutes play out in tenths of that.
"""

from __future__ import annotations

import time


class ScenarioClock:
    """Seconds of scenario time since :meth:`start` (or construction), times ``speed``.

    :meth:`pause` holds scenario time still (timelines written in ``at`` seconds stop
    moving) until :meth:`resume`: a test can inject a fault "while the resource is
    still pending" however slow the machine is.

    >>> clock = ScenarioClock()
    >>> clock.pause()
    >>> held = clock.now()
    >>> clock.now() == held
    True
    >>> clock.resume()
    """

    def __init__(self, speed: float = 1.0) -> None:
        if not speed > 0:
            msg = f"speed must be > 0, got {speed!r}"
            raise ValueError(msg)
        self.speed = speed
        self._origin = time.monotonic()
        self._paused_at: float | None = None

    def start(self) -> None:
        """Restart scenario time at zero (still paused if it was)."""
        self._origin = time.monotonic()
        if self._paused_at is not None:
            self._paused_at = self._origin

    def pause(self) -> None:
        """Hold scenario time where it is (no-op when already paused)."""
        if self._paused_at is None:
            self._paused_at = time.monotonic()

    def resume(self) -> None:
        """Let scenario time run on from where it was held (no-op when running)."""
        if self._paused_at is not None:
            self._origin += time.monotonic() - self._paused_at
            self._paused_at = None

    @property
    def paused(self) -> bool:
        """Whether scenario time is held."""
        return self._paused_at is not None

    def now(self) -> float:
        """Scenario seconds since the start."""
        wall = time.monotonic() if self._paused_at is None else self._paused_at
        return (wall - self._origin) * self.speed

    def real_seconds(self, scenario_seconds: float) -> float:
        """How many real seconds a span of scenario time takes."""
        return scenario_seconds / self.speed
