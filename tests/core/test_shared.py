import anyio
import pytest

from waitkit import HubRegistry, ObservationHub

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
