import anyio
import pytest

from waitkit import Policy, Verdict, Waiter, wait_all
from waitkit.extend import HubRegistry, ObservationHub
from waitkit.testing import ScriptedState

pytestmark = pytest.mark.anyio


class Source:
    """A scripted shared source: answers {key: (round, key)}; counts rounds and closes."""

    def __init__(self, latency: float = 1.0, missing: frozenset[str] = frozenset()) -> None:
        self.latency = latency
        self.missing = missing
        self.calls: list[frozenset[str]] = []
        self.closed = 0
        self.fail_next: Exception | None = None

    async def fetch(self, keys):
        self.calls.append(frozenset(keys))
        await anyio.sleep(self.latency)
        if self.fail_next is not None:
            error, self.fail_next = self.fail_next, None
            raise error
        return {k: (len(self.calls), k) for k in keys if k not in self.missing}

    async def aclose(self):
        self.closed += 1


async def subscriber(hub, key, looks, every, results):
    """Subscribe ``key`` and observe it ``looks`` times, ``every`` seconds apart."""
    async with hub.subscribe(key):
        for _ in range(looks):
            results.append(await hub.observe(key))
            await anyio.sleep(every)


async def test_many_subscribers_cost_one_fetch_per_round_each_gets_its_own_result():
    """N subscribers polling together cause one fetch per round; each gets its key's answer."""
    source = Source()
    hub = ObservationHub(source, max_age=2.0)
    results: dict[str, list] = {}
    async with anyio.create_task_group() as group:
        for i in range(100):
            key = f"k{i}"
            results[key] = []
            group.start_soon(subscriber, hub, key, 3, 10, results[key])
    assert len(source.calls) == 3
    assert hub.rounds == 3
    assert all(call == frozenset(results) for call in source.calls)
    assert results["k42"] == [(1, "k42"), (2, "k42"), (3, "k42")]


async def test_the_loop_runs_at_the_pace_of_the_most_urgent_subscriber():
    """A fast subscriber drives rounds; a slow one is served from them without extra calls."""
    source = Source(latency=0.1)
    hub = ObservationHub(source, max_age=0.5)
    fast: list = []
    slow: list = []
    async with anyio.create_task_group() as group:
        group.start_soon(subscriber, hub, "fast", 10, 1.0, fast)
        group.start_soon(subscriber, hub, "slow", 2, 5.0, slow)
    assert len(fast) == 10
    assert len(slow) == 2
    assert len(source.calls) == 10  # the slow key rides along in the fast key's rounds


async def test_a_missing_key_answers_none():
    """A key the round did not see is answered with None (the waiter decides: not found)."""
    source = Source(missing=frozenset({"gone"}))
    hub = ObservationHub(source)
    async with hub.subscribe("gone"):
        assert await hub.observe("gone") is None


async def test_round_errors_reach_every_waiter_of_the_round():
    """When a fetch fails, each waiter of that round gets the error to classify itself."""
    source = Source()
    source.fail_next = ConnectionError("reset")
    hub = ObservationHub(source, max_age=5)
    errors: list[Exception] = []

    async def look(key):
        async with hub.subscribe(key):
            try:
                await hub.observe(key)
            except ConnectionError as error:
                errors.append(error)

    async with anyio.create_task_group() as group:
        for key in ("a", "b", "c"):
            group.start_soon(look, key)
    assert len(errors) == 3
    assert len(source.calls) == 1


async def test_a_cancelled_leader_hands_the_round_over():
    """If the waiter leading a round is cancelled, the others still get an answer."""
    source = Source(latency=5)
    hub = ObservationHub(source, max_age=10)
    answers: list = []

    async def follower():
        async with hub.subscribe("b"):
            answers.append(await hub.observe("b"))

    async with anyio.create_task_group() as group, hub.subscribe("a"):
        with anyio.move_on_after(1):
            group.start_soon(follower)
            await hub.observe("a")  # leads, cancelled after 1 s
    assert answers == [(2, "b")]
    assert len(source.calls) == 2


async def test_the_source_closes_with_its_last_subscriber():
    """Unsubscribing the last key closes the source; a later subscriber reopens it."""
    source = Source()
    hub = ObservationHub(source)
    async with hub.subscribe("a"):
        async with hub.subscribe("b"):
            await hub.observe("a")
        assert source.closed == 0
        assert hub.subscribers == 1
    assert source.closed == 1
    assert hub.subscribers == 0
    async with hub.subscribe("a"):
        assert await hub.observe("a") == (2, "a")
    assert source.closed == 2


async def test_observe_outside_a_subscription_is_a_bug():
    """observe() without subscribe() fails loudly instead of answering None."""
    hub = ObservationHub(Source())
    with pytest.raises(RuntimeError, match="outside subscribe"):
        await hub.observe("a")


async def test_registry_shares_hubs_per_owner_and_forgets_empty_ones():
    """Waiters on the same (client, key) get one hub; it leaves the registry when unused."""

    class Client:
        pass

    registry: HubRegistry[str, object] = HubRegistry()
    client, other = Client(), Client()
    made: list[ObservationHub] = []

    def factory():
        hub = ObservationHub(Source())
        made.append(hub)
        return hub

    hub = registry.get(client, "group-1", factory)
    assert registry.get(client, "group-1", factory) is hub
    assert registry.get(other, "group-1", factory) is not hub
    assert len(registry) == 2
    async with hub.subscribe("r1"):
        await hub.observe("r1")
    assert len(registry) == 1
    assert registry.get(client, "group-1", factory) is not hub


async def test_each_request_is_answered_no_older_than_its_own_max_age():
    """Freshness is per request: a strict asker gets a new round, a lenient one rides along."""
    source = Source(latency=0.0)
    hub = ObservationHub(source, max_age=30)  # the hub's default: lenient
    async with hub.subscribe("slow"), hub.subscribe("fast"):
        assert await hub.observe("slow", max_age=30) == (1, "slow")
        await anyio.sleep(0.5)
        # A round 0.5 s old is too old for a request that accepts 0.1 s.
        assert await hub.observe("fast", max_age=0.1) == (2, "fast")
        await anyio.sleep(0.05)
        assert await hub.observe("fast", max_age=0.1) == (2, "fast")  # 0.05 s old: fresh
        assert await hub.observe("slow", max_age=30) == (2, "slow")  # the newest round
        await anyio.sleep(1)
        assert await hub.observe("slow") == (2, "slow")  # the hub's default max_age
        assert await hub.observe("fast", max_age=0) == (3, "fast")  # only a new round will do
    assert len(source.calls) == 3


class HubWaiter(Waiter[ScriptedState]):
    """A waiter served by a shared hub: InProgress until the source's clock reaches ``done``."""

    kind = "hub_probe"
    registry: HubRegistry[str, str] = HubRegistry()

    def __init__(self, owner: object, key: str, source_factory, *, policy: Policy) -> None:
        super().__init__(policy=policy)
        self.owner, self.key, self.source_factory = owner, key, source_factory

    def _hub(self) -> ObservationHub[str, str]:
        return self.registry.get(self.owner, "group", lambda: ObservationHub(self.source_factory()))

    def session(self):
        return self._hub().subscribe(self.key)

    async def observe(self) -> ScriptedState:
        status = await self._hub().observe(self.key, max_age=self.policy.min_delay)
        return ScriptedState(status=status)

    def verdict(self, state: ScriptedState) -> Verdict:
        return Verdict.SUCCESS if state.status == "Successful" else Verdict.PENDING


class Refresh:
    """A shared source whose resources all succeed at t=1 (on the loop's clock)."""

    def __init__(self) -> None:
        self.calls = 0

    async def fetch(self, keys):
        self.calls += 1
        status = "Successful" if anyio.current_time() >= 1 else "InProgress"
        return dict.fromkeys(keys, status)

    async def aclose(self):
        pass


async def test_a_fast_waiter_is_not_served_a_slow_waiters_old_round():
    """Waiter A polls every 30 s, waiter B every 0.1 s on one hub: B sees success at ~1 s."""

    class Owner:
        pass

    owner, source = Owner(), Refresh()
    slow = HubWaiter(owner, "a", lambda: source, policy=Policy(min_delay=30, max_delay=30))
    fast = HubWaiter(
        owner, "b", lambda: source, policy=Policy(min_delay=0.1, max_delay=0.1, jitter="none")
    )
    outcome: dict[str, object] = {}
    async with anyio.create_task_group() as group:

        async def run_slow() -> None:
            outcome["slow"] = await slow.wait(timeout=60)

        group.start_soon(run_slow)  # leads the first round: its hub, its pace
        await anyio.lowlevel.checkpoint()
        outcome["fast"] = await fast.wait(timeout=5)
        finished = anyio.current_time()
        group.cancel_scope.cancel()
    assert outcome["fast"].state.status == "Successful"
    assert 1 <= finished <= 1.2
    assert source.calls <= 13  # B's own pace: about one round per 0.1 s, not more


async def test_waits_that_subscribe_while_a_round_is_planned_join_it():
    """Waiters started a batch at a time (a checkpoint between batches) share one round."""
    source = Source()
    hub = ObservationHub(source, max_age=5)
    results: dict[str, list] = {}
    async with anyio.create_task_group() as group:
        for i in range(100):
            results[f"k{i}"] = []
            group.start_soon(subscriber, hub, f"k{i}", 1, 0, results[f"k{i}"])
            if i % 10 == 9:
                await anyio.lowlevel.checkpoint()  # as wait_all starts its waits
    assert source.calls == [frozenset(results)]
    assert all(found == [(1, key)] for key, found in results.items())


async def test_wait_all_over_a_hub_costs_one_round_for_the_first_look():
    """wait_all starts 200 waits 32 at a time: their first looks are one round, not seven."""

    class Owner:
        pass

    owner, source = Owner(), Refresh()
    policy = Policy(min_delay=2, max_delay=2, jitter="none")
    waiters = [HubWaiter(owner, f"k{i}", lambda: source, policy=policy) for i in range(200)]
    results = await wait_all(waiters, timeout=60)
    assert {r.state.status for r in results} == {"Successful"}
    assert {r.attempts for r in results} == {2}  # InProgress at 0, Successful at 2
    assert source.calls == 2


async def test_planning_a_round_is_bounded_when_subscribers_keep_coming():
    """A stream of new subscribers cannot hold a round back: it starts within the same instant."""
    source = Source(latency=0.0)
    hub = ObservationHub(source, max_age=5)

    async def churn() -> None:
        for i in range(10_000):
            async with hub.subscribe(f"c{i}"):
                await anyio.lowlevel.checkpoint()

    async with anyio.create_task_group() as group, hub.subscribe("a"):
        group.start_soon(churn)
        assert await hub.observe("a") == (1, "a")
        assert anyio.current_time() == 0
        group.cancel_scope.cancel()
    assert len(source.calls) == 1


async def test_late_comers_during_a_round_in_flight_share_the_next_one():
    """Subscribers that arrive after a round's request went out share a single next round."""
    source = Source(latency=1.0)
    hub = ObservationHub(source, max_age=5)
    answers: dict[str, object] = {}

    async def late(key: str) -> None:
        await anyio.sleep(0.5)
        async with hub.subscribe(key):
            answers[key] = await hub.observe(key)

    async with anyio.create_task_group() as group, hub.subscribe("a"):
        for key in ("b", "c", "d"):
            group.start_soon(late, key)
        answers["a"] = await hub.observe("a")
    assert answers == {"a": (1, "a"), "b": (2, "b"), "c": (2, "c"), "d": (2, "d")}
    # "a" had left when the late ones asked; one round answered all three of them
    assert source.calls == [frozenset({"a"}), frozenset({"b", "c", "d"})]


async def test_a_leader_cancelled_while_planning_leaves_no_round_behind():
    """A leader cancelled before its round sent the request costs no call and blocks nobody."""
    source = Source()
    hub = ObservationHub(source, max_age=10)
    answers: list = []

    async def follower() -> None:
        async with hub.subscribe("b"):
            answers.append(await hub.observe("b"))

    async with anyio.create_task_group() as group, hub.subscribe("a"):
        group.start_soon(follower)
        with anyio.CancelScope(deadline=anyio.current_time()):
            await hub.observe("a")  # leads, cancelled at its first checkpoint
    assert answers == [(1, "b")]
    assert len(source.calls) == 1
