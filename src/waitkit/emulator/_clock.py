"""Scenario time: real monotonic seconds since the emulator started, scaled by a speed factor.

The emulator is a real server talking to real clients over sockets, so it runs on
the real clock (virtual time and real I/O don't mix). ``speed=10`` makes a
timeline written in minutes play out in tenths of that.
"""

from __future__ import annotations

import time


class ScenarioClock:
    """Seconds of scenario time since :meth:`start` (or construction), times ``speed``."""

    def __init__(self, speed: float = 1.0) -> None:
        if not speed > 0:
            msg = f"speed must be > 0, got {speed!r}"
            raise ValueError(msg)
        self.speed = speed
        self._origin = time.monotonic()

    def start(self) -> None:
        """Restart scenario time at zero."""
        self._origin = time.monotonic()

    def now(self) -> float:
        """Scenario seconds since the start."""
        return (time.monotonic() - self._origin) * self.speed

    def real_seconds(self, scenario_seconds: float) -> float:
        """How many real seconds a span of scenario time takes."""
        return scenario_seconds / self.speed
