"""Where one scripted resource is on its timeline, and when it got there.

A resource is *observed* each time a read returns it (see each service module
for which reads count). A point with ``after: n`` is reached once n reads have
returned the resource, so it is shown from read n + 1 on; a point with ``at: t``
once ``t`` scenario seconds have passed since the timeline began. A timeline can be
replaced mid-way (cancel, stop, rollback): the new points then count time and
observations from the switch and start from the state reached so far.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Generic, TypeVar

from waitkit.emulator._timeline import TimelinePoint, current_index

if TYPE_CHECKING:
    from collections.abc import Iterable, Sequence

    from pydantic import BaseModel

_TRIGGERS = frozenset({"at", "after"})
PointT = TypeVar("PointT", bound=TimelinePoint)


class TimelineCursor(Generic[PointT]):
    """Where one resource is on its list of points: reached which, and when."""

    def __init__(self, points: Sequence[PointT], *, origin: float) -> None:
        self._base: dict[str, object] = {}
        self._points = list(points)
        self._origin = origin
        self._observations = 0
        self._reached_at: dict[int, float] = {}

    def observe(self) -> None:
        """Count one read that returned this resource (call it after building the answer)."""
        self._observations += 1

    def reached(self, now: float) -> list[tuple[PointT, float]]:
        """The points reached by ``now`` (the first always counts), each with when it was reached.

        Args:
            now: scenario seconds.
        """
        # "after: n" means after n reads: visible from read n + 1 on, as on the
        # Kubernetes side. Services count a read (observe()) once its answer is built.
        observations = self._observations
        index = max(current_index(self._points, now - self._origin, observations), 0)
        result: list[tuple[PointT, float]] = []
        for i, point in enumerate(self._points[: index + 1]):
            if i not in self._reached_at:
                # Time points were reached exactly on schedule; observation points just now.
                exact = self._origin + point.at if point.at is not None else now
                self._reached_at[i] = min(exact, now) if i else self._origin
            result.append((point, self._reached_at[i]))
        return result

    def fields(self, now: float) -> dict[str, object]:
        """The fields at ``now``: each reached point's set fields over the earlier ones."""
        state = dict(self._base)
        for point, _ in self.reached(now):
            state.update(_set_fields(point))
        return state

    def next_due(self, now: float) -> float | None:
        """When the next ``at`` point falls due (scenario seconds), or None if time alone won't.

        Args:
            now: scenario seconds.
        """
        index = current_index(self._points, now - self._origin, self._observations)
        following = index + 1
        if following >= len(self._points):
            return None
        at = self._points[following].at
        return None if at is None else self._origin + at

    def switch(self, points: Sequence[PointT], *, now: float) -> None:
        """Follow ``points`` from ``now`` on, starting from the fields reached so far."""
        self._base = self.fields(now)
        self._points = list(points)
        self._origin = now
        self._observations = 0
        self._reached_at = {}


def soonest(now: float, times: Iterable[float | None]) -> float | None:
    """The earliest of ``times`` still ahead of ``now`` (None: none is)."""
    ahead = [t for t in times if t is not None and t > now]
    return min(ahead) if ahead else None


def _set_fields(point: BaseModel) -> dict[str, object]:
    return {name: getattr(point, name) for name in point.model_fields_set if name not in _TRIGGERS}
