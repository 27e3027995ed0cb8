import contextlib

import anyio
import pytest
from structlog.testing import capture_logs

from waitkit import (
    ConfigurationError,
    Policy,
    ResourceNotFoundError,
    WaitFailedError,
    WaitTimeoutError,
    wait_all,
)
from waitkit.aws import InstanceRefreshState, InstanceRefreshWaiter
from waitkit.aws._instance_refresh import _HUBS
from waitkit.emulator import Emulator, Fault, Scenario

from .conftest import FAST, REFRESH_STRATEGY, client_with_model, quick_budget, until_true

pytestmark = pytest.mark.anyio


def refresh(rid: str, *points: dict, created: float = 0.0) -> dict:
    """A scripted refresh with the given timeline points."""
    return {"id": rid, "created": created, "timeline": list(points)}


def scenario(*groups: tuple[str, list[dict]], clock: str = "real") -> Scenario:
    """A scenario with the given groups and their refreshes."""
    return Scenario.model_validate(
        {
            "clock": clock,
            "autoscaling": {"groups": [{"name": n, "refreshes": r} for n, r in groups]},
        }
    )


def describes(emu: Emulator) -> int:
    """How many DescribeInstanceRefreshes calls the emulator answered."""
    return emu.counters.of("autoscaling", "DescribeInstanceRefreshes")


# Points reached after n observations: deterministic whatever the machine's speed.
ROLLING = (
    {"after": 0, "status": "Pending", "percentage_complete": 0, "instances_to_update": 4},
    {"after": 2, "status": "InProgress", "percentage_complete": 50, "instances_to_update": 2},
    {"after": 3, "status": "Baking", "percentage_complete": 100, "instances_to_update": 0},
    {"after": 4, "status": "Successful"},
)


async def test_waits_through_every_pending_status_to_success(aws_client):
    """Pending, InProgress and Baking are pending; Successful returns the typed state."""
    async with (
        Emulator(scenario(("web", [refresh("r-1", *ROLLING)]))) as emu,
        aws_client("autoscaling", emu.aws_endpoint) as client,
    ):
        result = await InstanceRefreshWaiter(client, "web", refresh_id="r-1", policy=FAST).wait()
    assert isinstance(result.state, InstanceRefreshState)
    assert result.state.status == "Successful"
    assert result.state.percentage_complete == 100
    # Strategy is absent on older botocore (aioboto3 15.5): the answer drops it.
    assert result.state.strategy == ("Rolling" if REFRESH_STRATEGY else None)
    assert result.state.end_time is not None
    statuses = [entry.state.status for entry in result.history]
    assert statuses == ["Pending", "InProgress", "Baking", "Successful"]
    assert result.history[1].state.summary() == "InProgress 50% (2 to update)"


def _without_strategy(model: dict) -> None:
    """InstanceRefresh as botocore 1.40.61 models it: no Strategy."""
    model["shapes"]["InstanceRefresh"]["members"].pop("Strategy", None)


async def test_strategy_is_none_on_a_botocore_without_it(tmp_path):
    """Where botocore drops Strategy the state says None; the wait is otherwise the same."""
    async with (
        Emulator(scenario(("web", [refresh("r-1", *ROLLING)]))) as emu,
        client_with_model("autoscaling", emu.aws_endpoint, tmp_path, _without_strategy) as client,
    ):
        result = await InstanceRefreshWaiter(client, "web", refresh_id="r-1", policy=FAST).wait()
    assert result.state.status == "Successful"
    assert result.state.strategy is None


@pytest.mark.parametrize(
    "path",
    [
        ["Failed"],
        ["Cancelling", "Cancelled"],
        ["RollbackInProgress", "RollbackFailed"],
        ["RollbackInProgress", "RollbackSuccessful"],
    ],
)
async def test_every_failure_status_raises_with_reason(aws_client, path):
    """Failed, Cancelled, RollbackFailed and RollbackSuccessful end the wait as failures."""
    points = [{"after": 0, "status": "InProgress"}]
    points += [
        {"after": i + 1, "status": status, "status_reason": f"because {status}"}
        for i, status in enumerate(path)
    ]
    async with (
        Emulator(scenario(("web", [refresh("r-9", *points)]))) as emu,
        aws_client("autoscaling", emu.aws_endpoint) as client,
    ):
        with pytest.raises(WaitFailedError) as info:
            await InstanceRefreshWaiter(client, "web", "r-9", policy=FAST).wait()
    final = path[-1]
    statuses = [entry.state.status for entry in info.value.history]
    assert statuses == ["InProgress", *path]
    assert info.value.reason == f"{final}: because {final}"
    assert info.value.state.status == final
    assert "instance refresh web/r-9 failed after" in str(info.value)


async def test_missing_group_is_not_found_after_one_call(aws_client):
    """A group AWS does not know (ValidationError) raises ResourceNotFoundError at once."""
    async with (
        Emulator(scenario(("web", []))) as emu,
        aws_client("autoscaling", emu.aws_endpoint) as client,
    ):
        with pytest.raises(ResourceNotFoundError) as info:
            await InstanceRefreshWaiter(client, "nope", "r-1", policy=FAST).wait()
        assert describes(emu) == 1
    assert info.value.attempts == 1


async def test_unknown_refresh_is_not_found_unless_it_appears_within_grace(aws_client):
    """An id the group does not list is not found; with not_found_grace a late one is awaited."""
    points = ({"after": 0, "status": "InProgress"}, {"after": 1, "status": "Successful"})
    late = refresh("r-late", *points, created=5)  # on the manual clock: once advanced
    async with (
        Emulator(scenario(("web", [late]), clock="manual")) as emu,
        aws_client("autoscaling", emu.aws_endpoint) as client,
    ):
        with pytest.raises(ResourceNotFoundError, match="does not list instance refresh r-x"):
            await InstanceRefreshWaiter(client, "web", "r-x", policy=FAST).wait()
        patient = FAST.replace(not_found_grace=30)
        results = []

        async def wait() -> None:
            results.append(
                await InstanceRefreshWaiter(client, "web", "r-late", policy=patient).wait()
            )

        with capture_logs() as events:
            async with anyio.create_task_group() as group:
                group.start_soon(wait)
                await until_true(lambda: any(e["event"] == "wait.retrying" for e in events))
                emu.clock.advance_to_next()  # the refresh is created
    assert [entry.state.status for entry in results[0].history] == ["InProgress", "Successful"]
    assert [e["error_kind"] for e in events if e["event"] == "wait.retrying"] == ["not_found"]


async def test_without_an_id_the_newest_refresh_is_awaited(aws_client):
    """refresh_id=None waits for the group's newest refresh."""
    old = refresh("r-old", {"at": 0, "status": "Failed"}, created=-100)
    new = refresh(
        "r-new", {"after": 0, "status": "InProgress"}, {"after": 1, "status": "Successful"}
    )
    async with (
        Emulator(scenario(("web", [old, new]))) as emu,
        aws_client("autoscaling", emu.aws_endpoint) as client,
    ):
        result = await InstanceRefreshWaiter(client, "web", policy=FAST).wait()
        assert result.state.instance_refresh_id == "r-new"
        empty = InstanceRefreshWaiter(client, "web", policy=FAST)
    assert empty.resource_id == "web/newest"


async def test_waiters_on_one_group_share_each_round(aws_client):
    """40 waiters on 2 groups cost one call a group a round, not one a waiter."""
    ids = [f"r-{i}" for i in range(20)]
    # A manual clock: every refresh stays InProgress until the test moves time on.
    timeline = ({"at": 0, "status": "InProgress"}, {"at": 60, "status": "Successful"})
    groups = [(g, [refresh(f"{g}-{i}", *timeline) for i in ids]) for g in ("a", "b")]
    policy = FAST.replace(min_delay=0.05, max_delay=0.05, jitter="none")
    results = []
    async with (
        Emulator(scenario(*groups, clock="manual")) as emu,
        aws_client("autoscaling", emu.aws_endpoint) as client,
    ):
        waiters = [
            InstanceRefreshWaiter(client, g, f"{g}-{i}", policy=policy)
            for g in ("a", "b")
            for i in ids
        ]

        async def wait_for_all() -> None:
            results.extend(await wait_all(waiters, timeout=30))

        with capture_logs() as events:
            async with anyio.create_task_group() as group:
                group.start_soon(wait_for_all)
                # Every wait has seen its refresh InProgress, and a round more went by...
                await until_true(
                    lambda: sum(e["event"] == "wait.state_changed" for e in events) >= 40
                )
                hubs = [waiters[0]._hub(), waiters[-1]._hub()]  # one per group
                seen = [hub.rounds for hub in hubs]
                await until_true(lambda: all(h.rounds > n for h, n in zip(hubs, seen, strict=True)))
                emu.clock.advance_to_next()  # ...then they all finish at once.
        calls = describes(emu)
    rounds = sum(hub.rounds for hub in hubs)
    attempts = sum(r.attempts for r in results)
    assert all(r.state.status == "Successful" for r in results)
    assert calls == rounds  # one call a group a round, none per waiter
    assert rounds >= 4  # at least the first look and the one that saw the end, per group
    assert rounds * 4 <= attempts  # each call served many looks
    assert len(_HUBS) == 0  # hubs leave with their last subscriber


async def test_a_fast_wait_is_not_served_a_slow_waits_old_round(aws_client):
    """A every 30 s, B every 0.1 s on one client and group: B sees the success, not A's round."""
    timeline = ({"at": 0, "status": "InProgress"}, {"at": 1, "status": "Successful"})
    slow = Policy(min_delay=30, max_delay=30, timeout=60, call_timeout=5)
    fast = FAST.replace(min_delay=0.1, max_delay=0.1, jitter="none", timeout=5)
    async with (
        Emulator(scenario(("web", [refresh("r-1", *timeline)]), clock="manual")) as emu,
        aws_client("autoscaling", emu.aws_endpoint) as client,
        anyio.create_task_group() as group,
    ):
        # A subscribes first: before the fix the group's hub took A's 30 s as its max_age.
        group.start_soon(InstanceRefreshWaiter(client, "web", "r-1", policy=slow).wait)
        with anyio.fail_after(5):
            while describes(emu) == 0:  # noqa: ASYNC110 - a counter, no event
                await anyio.sleep(0.01)
        seen: list[str] = []
        waiter = InstanceRefreshWaiter(client, "web", "r-1", policy=fast)
        async with contextlib.aclosing(waiter.states()) as states:
            async for state in states:
                seen.append(state.status)
                if state.status == "InProgress":
                    emu.clock.advance(1)  # the refresh succeeds at 1 s
        calls = describes(emu)
        group.cancel_scope.cancel()  # A would sleep 30 s
    assert seen == ["InProgress", "Successful"]
    assert calls >= 2  # B's look after the success was a new round


async def test_waits_started_together_share_their_first_round(aws_client):
    """100 waits on one group started by wait_all (32 at a time) cost one call, not one a batch."""
    done = [refresh(f"r-{i}", {"at": 0, "status": "Successful"}) for i in range(100)]
    async with (
        Emulator(scenario(("web", done), clock="manual")) as emu,
        aws_client("autoscaling", emu.aws_endpoint) as client,
    ):
        waiters = [InstanceRefreshWaiter(client, "web", r["id"], policy=FAST) for r in done]
        results = await wait_all(waiters)
        calls = describes(emu)
    assert {r.state.status for r in results} == {"Successful"}
    assert calls == 1


async def test_next_token_is_followed_by_hand(aws_client):
    """More than 100 awaited refreshes in a group page through NextToken (no botocore paginator)."""
    timeline = ({"after": 0, "status": "InProgress"}, {"after": 1, "status": "Successful"})
    refreshes = [refresh(f"r-{i:03}", *timeline, created=-i) for i in range(130)]
    async with (
        Emulator(scenario(("big", refreshes))) as emu,
        aws_client("autoscaling", emu.aws_endpoint) as client,
    ):
        waiters = [InstanceRefreshWaiter(client, "big", r["id"], policy=FAST) for r in refreshes]
        results = await wait_all(waiters, timeout=10)
    assert {r.state.instance_refresh_id for r in results} == {r["id"] for r in refreshes}


async def test_throttling_and_server_errors_are_retried(aws_client):
    """Throttling and 5xx answers are retried; the wait still succeeds."""
    async with (
        Emulator(scenario(("web", [refresh("r-1", *ROLLING)]))) as emu,
        aws_client("autoscaling", emu.aws_endpoint) as client,
    ):
        quick_budget(client)
        emu.faults.add(Fault(kind="throttle", service="autoscaling", count=3))
        emu.faults.add(Fault(kind="error", service="autoscaling", status=503, count=2))
        result = await InstanceRefreshWaiter(client, "web", "r-1", policy=FAST).wait()
        faults = sum(emu.counters.faults.values())
    assert result.state.status == "Successful"
    assert faults == 5


async def test_missing_credentials_are_a_probe_error_at_once(monkeypatch, tmp_path):
    """No credentials is fatal: ProbeError on the first attempt, from botocore's error."""
    from aiobotocore.session import get_session
    from botocore.exceptions import NoCredentialsError

    from waitkit import ProbeError

    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")  # never ask 169.254.169.254
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "none"))
    async with Emulator(scenario(("web", [refresh("r-1", *ROLLING)]))) as emu:
        session = get_session()
        async with session.create_client(
            "autoscaling", region_name="us-east-1", endpoint_url=emu.aws_endpoint
        ) as client:
            with pytest.raises(ProbeError) as info:
                await InstanceRefreshWaiter(client, "web", "r-1", policy=FAST).wait()
        assert describes(emu) == 0
    assert info.value.attempts == 1
    assert isinstance(info.value.__cause__, NoCredentialsError)


async def test_timeout_carries_the_last_state(aws_client):
    """A refresh that never finishes times out with its last state."""
    stuck = refresh("r-1", {"at": 0, "status": "InProgress", "percentage_complete": 30})
    async with (
        Emulator(scenario(("web", [stuck]))) as emu,
        aws_client("autoscaling", emu.aws_endpoint) as client,
    ):
        with pytest.raises(WaitTimeoutError) as info:
            await InstanceRefreshWaiter(client, "web", "r-1", policy=FAST).wait(timeout=1.5)
    assert info.value.state.percentage_complete == 30
    assert "InProgress 30%" in str(info.value)


async def test_cancelled_wait_leaves_no_subscription(aws_client):
    """Cancelling a wait unsubscribes it; the group's hub goes away."""
    stuck = refresh("r-1", {"at": 0, "status": "InProgress"})
    async with (
        Emulator(scenario(("web", [stuck]))) as emu,
        aws_client("autoscaling", emu.aws_endpoint) as client,
        anyio.create_task_group() as group,
    ):
        group.start_soon(InstanceRefreshWaiter(client, "web", "r-1", policy=FAST).wait)
        await until_true(lambda: describes(emu) >= 2)  # waiting, subscribed
        assert len(_HUBS) == 1
        group.cancel_scope.cancel()
    assert len(_HUBS) == 0


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"asg_name": ""}, "asg_name must be 1 to 255"),
        ({"asg_name": "x" * 256}, "asg_name must be 1 to 255"),
        ({"asg_name": "web\n"}, "asg_name must not contain control"),
        ({"asg_name": 42}, "asg_name must be a string"),
        ({"asg_name": "web", "refresh_id": ""}, "refresh_id must be 1 to"),
    ],
)
async def test_bad_arguments_fail_before_any_call(aws_client, kwargs, message):
    """Invalid names raise ConfigurationError naming the argument."""
    async with aws_client("autoscaling", "http://127.0.0.1:9") as client:
        with pytest.raises(ConfigurationError, match=message):
            InstanceRefreshWaiter(client, **kwargs)


async def test_a_client_of_another_service_is_refused(aws_client):
    """Only an autoscaling client will do, and the error says so."""
    async with aws_client("lambda", "http://127.0.0.1:9") as client:
        with pytest.raises(ConfigurationError, match="needs an aiobotocore 'autoscaling' client"):
            InstanceRefreshWaiter(client, "web")


class _AloneWaiter(InstanceRefreshWaiter):
    """The same waiter backing off alone (no shared budget): the comparison."""

    def throttle_budget(self) -> None:
        return None


async def test_waits_on_one_client_share_the_throttling(aws_client):
    """Throttling one wait slows every wait on the client: far fewer throttled answers."""
    # Two fleets of 20 waits (one refresh per group, never finishing) run side by side, each
    # against its own emulator that takes 5 requests a second (a bucket of 5): one backs off
    # alone, the other shares its client's budget. Both see the first wave refused (20 calls
    # at once, 5 taken); after it the alone fleet keeps hitting the limit, the shared one
    # paces itself under it. Counted, not timed: stopped once the alone fleet had 50 refusals.
    stuck = [refresh("r", {"at": 0, "status": "InProgress"})]
    groups = [(f"g-{i}", stuck) for i in range(20)]
    limit = Fault(kind="throttle", service="autoscaling", rate=5, burst=5)
    policy = FAST.replace(
        min_delay=0.05, max_delay=0.2, throttle_min_delay=0.2, throttle_max_delay=1, timeout=30
    )
    async with (
        Emulator(scenario(*groups)) as alone_emu,
        Emulator(scenario(*groups)) as shared_emu,
        aws_client("autoscaling", alone_emu.aws_endpoint) as alone_client,
        aws_client("autoscaling", shared_emu.aws_endpoint) as shared_client,
    ):
        alone_emu.faults.add(limit)
        shared_emu.faults.add(limit)
        alone = [_AloneWaiter(alone_client, name, "r", policy=policy) for name, _ in groups]
        shared = [
            InstanceRefreshWaiter(shared_client, name, "r", policy=policy) for name, _ in groups
        ]

        def throttled(emu: Emulator) -> int:
            return emu.counters.faults["autoscaling", "DescribeInstanceRefreshes", "throttle"]

        async with anyio.create_task_group() as group:
            group.start_soon(wait_all, alone)
            group.start_soon(wait_all, shared)
            await until_true(lambda: throttled(alone_emu) >= 50, timeout=15)
            group.cancel_scope.cancel()
        alone_throttled, shared_throttled = throttled(alone_emu), throttled(shared_emu)
    print(f"throttled: alone {alone_throttled}, shared {shared_throttled}")  # noqa: T201
    assert shared_throttled < alone_throttled / 2
    assert len(_HUBS) == 0


async def test_one_look_outside_a_wait_subscribes_and_leaves(aws_client):
    """observe() outside a wait is one round through a fresh target; no hub stays behind."""
    async with (
        Emulator(scenario(("web", [refresh("r-1", *ROLLING)]))) as emu,
        aws_client("autoscaling", emu.aws_endpoint) as client,
    ):
        waiter = InstanceRefreshWaiter(client, "web", refresh_id="r-1", policy=FAST)
        look = await waiter.observe()
        target = waiter.for_wait(None)
        with pytest.raises(RuntimeError, match="outside the wait's session"):
            await target.observe()
    assert look.status == "Pending"
    assert describes(emu) == 1
    assert len(_HUBS) == 0
