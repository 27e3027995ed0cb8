"""Timelines: where a scripted resource is, given scenario time and how often it was looked at.

Every emulated resource carries a list of points. A point is reached either at a
scenario-time offset (``at``, seconds since the resource was created, divided by
the scenario's speed factor) or after a number of observations (``after``, reads
of that resource by a client). The resource shows the fields of the last point
reached. Each service subclasses :class:`TimelinePoint` with its own typed fields.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Self

from pydantic import BaseModel, ConfigDict, Field, model_validator


class TimelinePoint(BaseModel):
    """One point on a resource's timeline; exactly one of ``at`` / ``after`` says when."""

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    at: float | None = Field(default=None, ge=0, description="seconds after creation")
    after: int | None = Field(default=None, ge=0, description="observations after creation")

    @model_validator(mode="after")
    def _one_trigger(self) -> Self:
        if (self.at is None) == (self.after is None):
            msg = "a timeline point needs exactly one of 'at' (seconds) or 'after' (observations)"
            raise ValueError(msg)
        return self

    def reached(self, elapsed: float, observations: int) -> bool:
        """Whether it is reached ``elapsed`` scenario seconds in, after ``observations`` reads."""
        if self.at is not None:
            return elapsed >= self.at
        assert self.after is not None  # noqa: S101 - guaranteed by the validator
        return observations >= self.after


def current_index(points: Sequence[TimelinePoint], elapsed: float, observations: int) -> int:
    """Index of the last point reached, or -1 when not even the first one is.

    Points are taken in order: a later point is reached only after the earlier ones.
    """
    index = -1
    for i, point in enumerate(points):
        if not point.reached(elapsed, observations):
            break
        index = i
    return index
