import random

import pytest
from hypothesis import given
from hypothesis import strategies as st

from waitkit._core._backoff import JITTERS, exponential, fit_to_deadline, next_delay
from waitkit._core._policy import Policy

delays = st.floats(min_value=0, max_value=3600, allow_nan=False)
attempts = st.integers(min_value=1, max_value=5000)


@given(
    jitter=st.sampled_from(JITTERS),
    attempt=attempts,
    low=delays,
    spread=delays,
    previous=delays,
    seed=st.integers(),
)
def test_every_schedule_stays_within_min_and_max(  # noqa: PLR0917 - hypothesis passes them by name
    jitter, attempt, low, spread, previous, seed
):
    """No strategy ever returns a delay below min_delay or above max_delay."""
    high = low + spread
    delay = next_delay(
        jitter,
        attempt,
        min_delay=low,
        max_delay=high,
        previous=max(low, previous),
        rng=random.Random(seed),
    )
    assert low <= delay <= high


@given(
    jitter=st.sampled_from(JITTERS), attempt=attempts, low=delays, spread=delays, seed=st.integers()
)
def test_jitter_stays_within_its_documented_range(jitter, attempt, low, spread, seed):
    """Each strategy's delay lies in the range its docstring gives for that attempt."""
    high = low + spread
    ceiling = exponential(attempt, low, high)
    rng = random.Random(seed)
    delay = next_delay(jitter, attempt, min_delay=low, max_delay=high, previous=low, rng=rng)
    if jitter == "none":
        assert delay == ceiling
    elif jitter == "equal":
        assert max(low, ceiling / 2) <= delay <= ceiling
    elif jitter in ("smithy", "full"):
        assert low <= delay <= ceiling
    else:  # decorrelated, from previous == low: uniform(low, 3 * low) capped
        assert low <= delay <= min(high, max(low, 3 * low))


@given(delay=delays, remaining=delays, low=delays, spread=delays, reserve=delays)
def test_fit_to_deadline_never_crosses_never_exceeds_max_and_lets_the_last_look_finish(
    delay, remaining, low, spread, reserve
):
    """No sleep crosses the deadline or exceeds max_delay; a final look ends by the deadline.

    A sleep the schedule chose lies in [min_delay, max_delay]; the clamp may shorten it
    (never lengthen it past max_delay).
    """
    high = low + spread
    delay = min(max(delay, low), high)  # a polling delay (throttling is tested below)
    sleep, final = fit_to_deadline(delay, remaining, min_delay=low, max_delay=high, reserve=reserve)
    assert 0 <= sleep <= high
    assert sleep <= remaining
    if final:
        # The last look starts so that, taking `reserve`, it ends on the deadline (or at once).
        assert sleep == max(remaining - reserve, 0)
    elif remaining - delay - reserve > low:
        # Not the last: after the sleep and a look, more than min_delay is left.
        assert sleep == delay
    else:
        # The final look is further than max_delay away: sleep the cap and decide again.
        assert sleep == high
        assert remaining - reserve > high


@given(delay=delays, remaining=delays, high=delays)
def test_fit_to_deadline_keeps_a_longer_throttling_delay(delay, remaining, high):
    """A Retry-After longer than max_delay is not cut to max_delay: the look waits for it."""
    sleep, final = fit_to_deadline(delay, remaining, min_delay=0.0, max_delay=high)
    assert sleep <= max(delay, high)
    if delay > high and remaining <= delay:
        assert (sleep, final) == (remaining, True)  # the server's pause runs to the deadline


@given(seed=st.integers(), retry_after=st.one_of(st.none(), delays))
def test_throttle_backoff_is_longer_and_honours_retry_after(seed, retry_after):
    """Throttled delays are at least throttle_min_delay, or exactly the server's Retry-After."""
    schedule = Policy(throttle_min_delay=1, throttle_max_delay=60, seed=seed).schedule()
    for _ in range(20):
        delay = schedule.throttled(retry_after)
        if retry_after is None:
            assert 1 <= delay <= 60
        else:
            assert delay == retry_after


def test_smithy_schedule_grows_exponentially_and_keeps_jitter_at_the_cap():
    """Smithy: delay n lies in [min, min*2^(n-1)]; at the cap it stays jittered in [min, max]."""
    schedule = Policy(min_delay=2, max_delay=120, seed=3).schedule()
    seen = [schedule.next() for _ in range(200)]
    for n, delay in enumerate(seen[:6], start=1):
        assert 2 <= delay <= 2 * 2 ** (n - 1)
    at_cap = seen[10:]
    assert all(2 <= d <= 120 for d in at_cap)
    assert len({round(d, 6) for d in at_cap}) > 100  # jittered, not a constant max_delay


@pytest.mark.parametrize("attempt", [1, 2, 64, 1100, 10**6])
def test_exponential_never_overflows(attempt):
    """Huge attempt numbers cap at max_delay instead of overflowing."""
    assert exponential(attempt, 1e-30, 100.0) <= 100.0
    assert exponential(attempt, 5.0, 100.0) == min(100.0, 5.0 * 2.0 ** min(attempt - 1, 1023))
