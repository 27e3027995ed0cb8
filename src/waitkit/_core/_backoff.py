r"""Backoff schedules: pure functions of the attempt number, the previous delay and a random source.

With ``expo(n) = min(max_delay, min_delay * 2**(n - 1))`` for the n-th delay (n >= 1):

==================  ===============================================  ======================
jitter              delay                                            range
==================  ===============================================  ======================
``smithy``          ``uniform(min_delay, expo(n))``                  [min, expo(n)]
``full``            ``max(min_delay, uniform(0, expo(n)))``          [min, expo(n)]
``equal``           ``max(min_delay, expo(n)/2 + uniform(0, expo(n)/2))``  [max(min, expo/2), expo]
``decorrelated``    ``min(max_delay, uniform(min_delay, 3 * prev))``  [min, max]
``none``            ``expo(n)``                                      exactly expo(n)
==================  ===============================================  ======================

``smithy`` is the Smithy waiter schedule (exponential from ``min_delay``, full jitter
bounded below by ``min_delay``); unlike the JS SDK it keeps the jitter at the cap, so
thousands of waiters at ``max_delay`` do not poll in lockstep. ``full``, ``equal`` and
``decorrelated`` are the AWS Architecture Blog strategies, raised to ``min_delay`` so a
poller never bursts. Every delay lies in ``[min_delay, max_delay]``.

The deadline is applied separately by :func:`fit_to_deadline`, Smithy's last-attempt
clamp: if the time left after the sleep would be at most ``min_delay``, sleep exactly
the time left and make one final observation at the deadline.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal, final

if TYPE_CHECKING:
    import random

Jitter = Literal["smithy", "full", "equal", "decorrelated", "none"]
JITTERS: tuple[Jitter, ...] = ("smithy", "full", "equal", "decorrelated", "none")

# 2**1023 is the largest power of two a float holds; past it expo(n) is max_delay anyway.
_MAX_EXPONENT = 1023


def exponential(attempt: int, min_delay: float, max_delay: float) -> float:
    """``min(max_delay, min_delay * 2**(attempt - 1))``, safe for any attempt >= 1."""
    return min(max_delay, min_delay * 2.0 ** min(attempt - 1, _MAX_EXPONENT))


def next_delay(
    jitter: Jitter,
    attempt: int,
    *,
    min_delay: float,
    max_delay: float,
    previous: float,
    rng: random.Random,
) -> float:
    """The delay before the next observation (see the module docstring for each strategy).

    Args:
        jitter: the strategy.
        attempt: 1 for the first delay, 2 for the second...
        min_delay: the floor, seconds.
        max_delay: the cap, seconds.
        previous: the previous delay (``min_delay`` before the first); used by ``decorrelated``.
        rng: the random source (seed it for a reproducible schedule).
    """
    if jitter == "decorrelated":
        return min(max_delay, rng.uniform(min_delay, max(min_delay, 3.0 * previous)))
    ceiling = exponential(attempt, min_delay, max_delay)
    if jitter == "smithy":
        return rng.uniform(min_delay, ceiling)
    if jitter == "full":
        return max(min_delay, rng.uniform(0.0, ceiling))
    if jitter == "equal":
        return max(min_delay, ceiling / 2.0 + rng.uniform(0.0, ceiling / 2.0))
    return ceiling


def fit_to_deadline(delay: float, remaining: float, min_delay: float) -> float:
    """Smithy's last-attempt clamp: never sleep past the deadline, and end exactly on it.

    If sleeping ``delay`` would leave at most ``min_delay`` before the deadline, sleep the
    whole ``remaining`` time instead, so the final observation happens at the deadline
    rather than a sliver before it.
    """
    if remaining - delay <= min_delay:
        return max(remaining, 0.0)
    return delay


@final
class Schedule:
    """The delays of one wait: polling backoff and the separate, longer throttling backoff.

    Holds the per-wait counters; the :class:`~waitkit.Policy` it reads is immutable and shared.
    """

    __slots__ = (
        "_attempt",
        "_fixed",
        "_jitter",
        "_max",
        "_min",
        "_previous",
        "_rng",
        "_throttle_attempt",
        "_throttle_max",
        "_throttle_min",
    )

    def __init__(
        self,
        *,
        jitter: Jitter,
        min_delay: float,
        max_delay: float,
        throttle_min_delay: float,
        throttle_max_delay: float,
        rng: random.Random,
    ) -> None:
        self._jitter: Jitter = jitter
        self._min = min_delay
        self._max = max_delay
        self._throttle_min = throttle_min_delay
        self._throttle_max = throttle_max_delay
        self._rng = rng
        self._attempt = 0
        self._previous = min_delay
        self._throttle_attempt = 0
        # A fixed interval (min == max) is the same delay under every jitter kind.
        self._fixed = min_delay if min_delay == max_delay else None

    def next(self) -> float:
        """The next polling delay; also ends a run of throttling."""
        self._attempt += 1
        self._throttle_attempt = 0
        if self._fixed is not None:
            return self._fixed
        delay = next_delay(
            self._jitter,
            self._attempt,
            min_delay=self._min,
            max_delay=self._max,
            previous=self._previous,
            rng=self._rng,
        )
        self._previous = delay
        return delay

    def throttled(self, retry_after: float | None) -> float:
        """The delay after a throttling error: the server's hint when it gave one.

        Otherwise equal jitter over an exponential from ``throttle_min_delay``: never
        near zero (a throttled client must slow down), and spread so a fleet of
        throttled waiters does not come back at once.
        """
        self._throttle_attempt += 1
        if retry_after is not None:
            return retry_after
        ceiling = exponential(self._throttle_attempt, self._throttle_min, self._throttle_max)
        return max(self._throttle_min, ceiling / 2.0 + self._rng.uniform(0.0, ceiling / 2.0))
