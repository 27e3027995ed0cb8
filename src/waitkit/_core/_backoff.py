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
clamp: if the time left after the sleep and a look would be at most ``min_delay``, the
next look is the final one, started so that it can finish by the deadline (the last
call's latency before it). That last sleep may be shorter than ``min_delay``; it is
never longer than ``max_delay``.
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


def fit_to_deadline(
    delay: float,
    remaining: float,
    *,
    min_delay: float,
    max_delay: float,
    reserve: float = 0.0,
) -> tuple[float, bool]:
    """Smithy's last-attempt clamp, with the final call's own time reserved.

    A look takes about ``reserve`` seconds (the last call's latency). If, after sleeping
    ``delay`` and looking, at most ``min_delay`` would be left, the next look is the
    last: it is moved so that it can *finish* by the deadline (it starts ``reserve``
    before it), rather than start a sliver before it or cross it. That sleep is never
    longer than ``max_delay`` (or than ``delay``, when a throttling backoff or a
    ``Retry-After`` asked for more); when the cap stops it short, the look is not the
    last after all and the clamp applies again after it.

    Returns:
        The sleep, and whether the look after it is the final one.

    >>> fit_to_deadline(7, 30, min_delay=7, max_delay=7)  # far from the deadline
    (7, False)
    >>> fit_to_deadline(7, 9, min_delay=7, max_delay=7)  # 9 - 7 <= 7: last look at the end
    (7, False)
    >>> fit_to_deadline(7, 9, min_delay=5, max_delay=10)  # the last look lands on the deadline
    (9.0, True)
    >>> fit_to_deadline(7, 9, min_delay=5, max_delay=10, reserve=1.5)  # ... and ends on it
    (7.5, True)
    """
    if remaining - delay - reserve > min_delay:
        return delay, False
    final = max(remaining - reserve, 0.0)
    cap = max(max_delay, delay)
    if final > cap:
        return cap, False
    return final, True


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
        """The next polling delay; also ends a streak of throttling."""
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
