"""The shared throttle budget: its arithmetic, and a fleet of waits on one rate-limited API."""

from __future__ import annotations

import random

import anyio
import pytest

from waitkit import ErrorKind, Policy, State, Verdict, Waiter, wait_all
from waitkit.extend import Classification, ThrottleBudget, budget_for
from waitkit.testing import ScriptedError

# ---------------------------------------------------------------------------- arithmetic


def test_an_untouched_budget_never_pauses() -> None:
    """Before any throttling the budget costs nothing and delays nothing."""
    budget = ThrottleBudget()
    assert [budget.pause(now=t) for t in (0.0, 0.0, 0.0)] == [0.0, 0.0, 0.0]
    assert not budget.active
    assert budget.rate is None


def test_throttling_sets_the_pace_below_what_was_accepted() -> None:
    """0.7 x the answers accepted in the last second; slots 1/rate apart, in order."""
    budget = ThrottleBudget()
    for i in range(20):
        budget.accepted(now=9.0 + i * 0.05)  # 20 answers in the last second
    budget.accepted(now=5.0)  # older than a second: not counted (pruned by the next)
    budget.throttled(now=10.0, retry_after=None)
    assert budget.rate == pytest.approx(14.0)
    pauses = [budget.pause(now=10.0) for _ in range(4)]
    assert pauses == pytest.approx([0, 1 / 14, 2 / 14, 3 / 14])


def test_one_wave_of_throttling_lowers_the_pace_once() -> None:
    """Fifty waits throttled together lower the pace once; a later wave again (to the floor)."""
    budget = ThrottleBudget()
    for i in range(10):
        budget.accepted(now=0.5 + i * 0.05)
    for _ in range(50):  # fifty waits saw the same throttled wave
        budget.throttled(now=1.0, retry_after=None)
    assert budget.rate == pytest.approx(7.0)
    assert budget.throttled_answers == 50
    budget.throttled(now=2.5, retry_after=None)  # a later wave: nothing accepted since
    assert budget.rate == 0.5  # the floor


def test_retry_after_holds_every_slot() -> None:
    """A Retry-After holds the next slot of every wait until it has passed."""
    budget = ThrottleBudget()
    budget.throttled(now=0.0, retry_after=3.0)
    assert budget.pause(now=1.0) == pytest.approx(2.0)
    assert budget.pause(now=1.0) == pytest.approx(2.0 + 1 / (0.5 * 1.2))  # grown 20 % in 1 s


def test_the_pace_grows_without_throttling_and_relaxes_after_a_minute() -> None:
    """The pace grows by ``growth`` a second and the budget goes inactive after ``relax``."""
    budget = ThrottleBudget(min_rate=1.0, growth=0.1, relax=60.0)
    budget.throttled(now=0.0, retry_after=None)
    budget.pause(now=10.0)  # reserves the slot at 10 s
    # 10 s later the rate is 1 * 1.1**10: the next slot follows at 1/that.
    assert budget.pause(now=10.0) == pytest.approx(1 / 1.1**10)
    assert budget.pause(now=61.0) == 0.0
    assert not budget.active


def test_budget_for_is_one_per_client_and_none_for_unkeyable_clients() -> None:
    """One budget per client object; clients that cannot be weakly keyed get none."""

    class Client:
        pass

    first, second = Client(), Client()
    assert budget_for(first) is budget_for(first)
    assert budget_for(first) is not budget_for(second)
    assert budget_for(42) is None  # ints cannot be weakly referenced


# ---------------------------------------------------------------------------- a fleet

RATE = 10.0  # the API's limit, calls a second (token bucket, burst RATE)
WAITS = 100


class Job(State):
    """A job's status."""

    status: str


class RateLimitedApi:
    """An in-memory API behind a token bucket on the loop's (virtual) clock."""

    def __init__(self, done_at: list[float]) -> None:
        origin = anyio.current_time()
        self.done_at = [origin + t for t in done_at]
        self.tokens = RATE
        self.refilled = 0.0
        self.throttled = 0
        self.calls = 0

    def describe(self, index: int) -> Job:
        now = anyio.current_time()
        self.tokens = min(RATE, self.tokens + (now - self.refilled) * RATE)
        self.refilled = now
        self.calls += 1
        if self.tokens < 1:
            self.throttled += 1
            raise ScriptedError(ErrorKind.THROTTLED, "Rate exceeded")
        self.tokens -= 1
        return Job(status="done" if now >= self.done_at[index] else "running")


class JobWaiter(Waiter[Job]):
    """One job on the rate-limited API; ``shared`` chooses the client's budget or none."""

    kind = "job"

    def __init__(self, api: RateLimitedApi, index: int, *, shared: bool, policy: Policy) -> None:
        super().__init__(policy=policy)
        self.api, self.index, self.shared = api, index, shared

    async def observe(self) -> Job:
        await anyio.sleep(0.02)  # one round trip
        return self.api.describe(self.index)

    def verdict(self, state: Job) -> Verdict:
        return Verdict.SUCCESS if state.status == "done" else Verdict.PENDING

    def classify_error(self, error: Exception) -> Classification:
        assert isinstance(error, ScriptedError)
        return Classification(error.kind, error.retry_after)

    def throttle_budget(self) -> ThrottleBudget | None:
        return budget_for(self.api) if self.shared else None


async def _fleet(*, shared: bool) -> tuple[float, RateLimitedApi, float]:
    rng = random.Random(7)
    done_at = [rng.uniform(20, 60) for _ in range(WAITS)]
    api = RateLimitedApi(done_at)
    policy = Policy(min_delay=1, max_delay=5, timeout=600, seed=3)
    waiters = [JobWaiter(api, i, shared=shared, policy=policy) for i in range(WAITS)]
    started = anyio.current_time()
    results = await wait_all(waiters)
    assert all(r.state.status == "done" for r in results)
    took = anyio.current_time() - started
    print(f"shared={shared}: {took:.1f}s, {api.throttled} of {api.calls} calls throttled")  # noqa: T201
    return took, api, max(done_at)


@pytest.mark.anyio
async def test_a_shared_budget_keeps_a_fleet_on_time_with_few_throttled_calls() -> None:
    """100 waits on a 10 call/s API: alone they come back late or hammer it; shared, neither."""
    alone_took, alone_api, ideal = await _fleet(shared=False)
    shared_took, shared_api, _ = await _fleet(shared=True)
    assert shared_took <= 1.2 * ideal
    assert shared_took < alone_took
    assert shared_api.throttled < alone_api.throttled / 3
