"""Shared throttling: one request pace for every wait on one client.

Each wait backing off alone is the wrong shape for a fleet: 500 waits on one client ask
for hundreds of calls a second, each throttled wait doubles its own delay and forgets
it on its next success, so together they either sleep through the API's budget or keep
hitting its limit. A :class:`ThrottleBudget` is one pace shared by every wait on a
client (additive-increase, multiplicative-decrease, like TCP and botocore's adaptive
mode, but across waits and cancel-safe: it holds no lock and no task, only numbers).

- Inactive, and free, until a call is throttled.
- Then every observation reserves the next free slot; slots are ``1 / rate`` apart, in
  the order they were asked for.
- A throttled answer sets the rate to ``decrease`` (0.7) times what the service accepted
  over the last second, at most once a second however many waits saw the same wave;
  a ``Retry-After`` holds every slot until it has passed.
- Without throttling the rate grows by ``growth`` (20 %) a second, and after ``relax``
  (60 s) without throttling the budget is inactive again.

The engine asks it for a pause before each observation and reports each answer; the
budget never sleeps itself, so it runs on any clock (virtual time included).
"""

from __future__ import annotations

import math
from collections import deque
from typing import Final, final

from waitkit._core._per_client import PerClient

# Accepted answers remembered to measure the accepted rate (one second's worth).
_WINDOW: Final = 1.0
_MAX_REMEMBERED: Final = 4096


@final
class ThrottleBudget:
    """One request pace shared by the waits on one client (see the module docstring).

    Args:
        min_rate: the slowest pace, in calls a second.
        decrease: the factor applied to the accepted rate on throttling (0 < x < 1).
        growth: how much the rate grows per second without throttling.
        relax: seconds without throttling after which the budget is inactive again.

    Example:
        >>> budget = ThrottleBudget()
        >>> budget.pause(now=0.0)  # never throttled: no pause
        0.0
        >>> for t in (0.1, 0.2, 0.3, 0.4):
        ...     budget.accepted(now=t)
        >>> budget.throttled(now=0.5, retry_after=None)
        >>> budget.rate  # 0.7 x the 4 calls a second that were accepted
        2.8
        >>> budget.pause(now=0.5), round(budget.pause(now=0.5), 3)
        (0.0, 0.357)
    """

    __slots__ = (
        "_accepted",
        "_base_at",
        "_base_rate",
        "_decrease",
        "_growth",
        "_last_decrease",
        "_min_rate",
        "_next_free",
        "_relax",
        "throttled_answers",
    )

    def __init__(
        self,
        *,
        min_rate: float = 0.5,
        decrease: float = 0.7,
        growth: float = 0.2,
        relax: float = 60.0,
    ) -> None:
        self._min_rate = min_rate
        self._decrease = decrease
        self._growth = math.log1p(growth)
        self._relax = relax
        self._accepted: deque[float] = deque(maxlen=_MAX_REMEMBERED)
        self._base_rate: float | None = None  # None: inactive
        self._base_at = 0.0
        self._last_decrease = -math.inf
        self._next_free = -math.inf
        #: Throttled answers reported so far (for progress views and benchmarks).
        self.throttled_answers = 0

    @property
    def active(self) -> bool:
        """Whether calls are being paced (a throttled answer came less than ``relax`` ago)."""
        return self._base_rate is not None

    @property
    def rate(self) -> float | None:
        """The pace set by the last throttling, in calls a second (``None``: inactive)."""
        return self._base_rate

    def pause(self, now: float) -> float:
        """Reserve the next slot for one call; return how long to wait for it (0: go now)."""
        base = self._base_rate
        if base is None:
            return 0.0
        quiet = now - self._last_decrease
        if quiet >= self._relax:
            self._base_rate = None
            self._next_free = -math.inf
            return 0.0
        rate = base * math.exp(self._growth * max(0.0, now - self._base_at))
        slot = max(now, self._next_free)
        self._next_free = slot + 1.0 / rate
        return slot - now

    def accepted(self, now: float) -> None:
        """One answer that was not throttled."""
        remembered = self._accepted
        remembered.append(now)
        horizon = now - _WINDOW
        while remembered[0] < horizon:
            remembered.popleft()

    def throttled(self, now: float, retry_after: float | None) -> None:
        """One throttled answer: slow every wait down (once per wave), hold for ``retry_after``."""
        self.throttled_answers += 1
        if retry_after is not None and retry_after > 0:
            self._next_free = max(self._next_free, now + retry_after)
        if now - self._last_decrease < _WINDOW:
            return  # the same wave of throttling, seen by another wait
        horizon = now - _WINDOW
        accepted = sum(1 for t in self._accepted if t >= horizon)
        self._base_rate = max(self._min_rate, self._decrease * accepted)
        self._base_at = now
        self._last_decrease = now


# One budget per client object, dropped with the client.
_BUDGETS: PerClient[None, ThrottleBudget] = PerClient()


def budget_for(client: object) -> ThrottleBudget | None:
    """The budget shared by every wait on ``client`` (``None`` if it cannot be keyed)."""
    try:
        return _BUDGETS.get_or_create(client, None, ThrottleBudget)
    except TypeError:  # not weak-referenceable or not hashable: each wait backs off alone
        return None
