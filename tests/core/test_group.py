import contextlib
import itertools
import re

import anyio
import anyio.lowlevel
import pytest

from waitkit import (
    ConfigurationError,
    Outcome,
    Policy,
    WaitFailedError,
    WaitTimeoutError,
    as_completed,
    wait_all,
)
from waitkit.testing import Hang, ScriptedWaiter

pytestmark = pytest.mark.anyio

STEADY = Policy(min_delay=10, max_delay=10, jitter="none", timeout=None)


def waiter(*script, **kwargs):
    """A scripted waiter on the steady test policy."""
    return ScriptedWaiter(list(script), policy=STEADY, **kwargs)


class Closing(ScriptedWaiter):
    """Records whether its session was exited (clean-up ran)."""

    closed = False

    @contextlib.asynccontextmanager
    async def _session(self):
        try:
            yield
        finally:
            self.closed = True

    def session(self):
        return self._session()


async def test_wait_all_returns_results_in_input_order():
    """Results come back in the order the waiters were given, whatever order they finish in."""
    slow = waiter("a", "a", "a", "done", resource_id="slow")
    fast = waiter("done", resource_id="fast")
    results = await wait_all([slow, fast], timeout=100)
    assert [r.attempts for r in results] == [4, 1]


async def test_wait_all_first_failure_cancels_the_others():
    """Without return_exceptions the first failure is raised and the other waits are cancelled."""
    long = Closing(["Pending"], policy=STEADY)
    failing = waiter("a", "failed")
    before = len(anyio.get_running_tasks())
    with pytest.raises(WaitFailedError):
        await wait_all([long, failing], timeout=1000)
    assert long.closed
    assert anyio.current_time() < 100
    assert len(anyio.get_running_tasks()) == before


async def test_wait_all_return_exceptions_collects_every_outcome():
    """With return_exceptions every wait runs to its end; failures are in the list."""
    results = await wait_all(
        [waiter("done"), waiter("failed"), waiter("Pending")],
        timeout=30,
        return_exceptions=True,
    )
    assert results[0].state.status == "done"  # type: ignore[union-attr]
    assert isinstance(results[1], WaitFailedError)
    assert isinstance(results[2], WaitTimeoutError)


async def test_shared_timeout_is_one_deadline_for_all():
    """timeout= is one deadline for the group, even for waits queued behind the limit."""
    waiters = [waiter("Pending", "Pending", "done", resource_id=str(i)) for i in range(3)]
    start = anyio.current_time()
    results = await wait_all(waiters, timeout=25, limit=1, return_exceptions=True)
    # each needs 20 s: the first ends at 20, the second (started at 20) is cut at 25, and
    # the third starts at 25 with no time left (which one runs first is up to the
    # scheduler: trio randomises task order)
    kinds = sorted(type(r).__name__ for r in results)
    assert kinds == ["WaitResult", "WaitTimeoutError", "WaitTimeoutError"]
    assert anyio.current_time() - start == pytest.approx(25)


async def test_limit_bounds_concurrent_waits():
    """limit=N keeps at most N waits running at once."""
    running = 0
    peak = 0

    class Counting(ScriptedWaiter):
        async def observe(self):
            nonlocal running, peak
            running += 1
            peak = max(peak, running)
            try:
                await anyio.sleep(1)
                return await super().observe()
            finally:
                running -= 1

    waiters = [Counting(["a", "done"], policy=STEADY) for _ in range(10)]
    await wait_all(waiters, limit=3)
    assert peak == 3


async def test_without_timeout_each_waiter_keeps_its_policy():
    """With no group timeout, each waiter's own policy timeout applies."""
    short = ScriptedWaiter(["Pending"], policy=STEADY.replace(timeout=20))
    results = await wait_all([short, waiter("done")], return_exceptions=True)
    assert isinstance(results[0], WaitTimeoutError)


async def test_as_completed_yields_outcomes_as_they_finish():
    """as_completed yields each outcome in finishing order, failures included."""
    slow = waiter("a", "a", "done", resource_id="slow")
    fast = waiter("done", resource_id="fast")
    bad = waiter("a", "failed", resource_id="bad")
    outcomes = [o async for o in as_completed([slow, fast, bad], timeout=100)]
    assert [o.waiter.resource_id for o in outcomes] == ["fast", "bad", "slow"]
    assert [o.ok for o in outcomes] == [True, False, True]
    assert [o.index for o in outcomes] == [1, 2, 0]
    assert outcomes[0].unwrap().state.status == "done"
    with pytest.raises(WaitFailedError):
        outcomes[1].unwrap()
    assert isinstance(outcomes[1], Outcome)


async def test_as_completed_closed_early_cancels_the_rest():
    """Leaving an aclosing() block early cancels the waits still running, and cleans them up."""
    stuck = Closing([Hang()], policy=STEADY.replace(call_timeout=None))
    before = len(anyio.get_running_tasks())
    async with contextlib.aclosing(as_completed([waiter("done"), stuck])) as outcomes:
        async for outcome in outcomes:
            assert outcome.ok
            break
    assert stuck.closed
    assert len(anyio.get_running_tasks()) == before


async def leave_as_completed(how, waiters):
    """Iterate as_completed over ``waiters`` and leave at the first outcome, ``how``."""
    async for outcome in as_completed(waiters):
        assert outcome.ok
        if how == "break":
            break
        if how == "return":
            return outcome
        raise LookupError("raised in the loop body")
    return None


@pytest.mark.parametrize("how", ["break", "return", "raise"])
async def test_leaving_as_completed_cancels_the_rest_and_never_the_caller(how):
    """break, return or raise out of as_completed: the caller goes on; the rest is cancelled."""
    stuck = Closing([Hang()], policy=STEADY.replace(call_timeout=None))
    before = len(anyio.get_running_tasks())
    if how == "raise":
        with pytest.raises(LookupError):
            await leave_as_completed(how, [waiter("done"), stuck])
    else:
        await leave_as_completed(how, [waiter("done"), stuck])
    start = anyio.current_time()
    await anyio.sleep(30)  # the caller awaits on, and is not cancelled
    assert anyio.current_time() - start == pytest.approx(30)
    assert stuck.closed
    assert len(anyio.get_running_tasks()) == before


async def test_the_caller_keeps_awaiting_after_leaving_as_completed():
    """After a break the caller awaits more waits, sleeps and events; none is cancelled."""
    stuck = Closing([Hang()], policy=STEADY.replace(call_timeout=None))
    before = len(anyio.get_running_tasks())
    async for _ in as_completed([waiter("done"), stuck]):
        break
    results = await wait_all([waiter("a", "done"), waiter("a", "a", "done")], timeout=100)
    assert [r.attempts for r in results] == [2, 3]
    ready = anyio.Event()

    async def set_later() -> None:
        await anyio.sleep(5)
        ready.set()

    async with anyio.create_task_group() as group:
        group.start_soon(set_later)
        await ready.wait()
    async for outcome in as_completed([waiter("a", "done")], timeout=100):
        assert outcome.ok
    assert stuck.closed
    assert len(anyio.get_running_tasks()) == before


async def test_as_completed_kept_in_a_name_can_be_resumed_after_a_break():
    """An iterator bound to a name keeps its waits across a break; iterating again resumes."""
    outcomes = as_completed([waiter("done", resource_id="1"), waiter("a", "done", resource_id="2")])
    async for outcome in outcomes:
        assert outcome.waiter.resource_id == "1"
        break
    assert [o.waiter.resource_id async for o in outcomes] == ["2"]
    assert [o async for o in outcomes] == []


async def test_cancelled_while_waiting_for_an_outcome_cleans_up_before_going_on():
    """Cancelling the caller while it waits ends the waits first: clean-up is done on exit."""
    stuck = Closing([Hang()], policy=STEADY.replace(call_timeout=None))
    before = len(anyio.get_running_tasks())
    seen = []
    with anyio.move_on_after(50):
        async for outcome in as_completed([waiter("done"), stuck]):
            seen.append(outcome.ok)  # noqa: PERF401 - what arrived before the cancel
    assert seen == [True]
    assert stuck.closed
    assert len(anyio.get_running_tasks()) == before


async def test_as_completed_run_to_the_end_leaves_no_task():
    """Iterating to the end leaves no task behind, and a finished iterator stays finished."""
    before = len(anyio.get_running_tasks())
    outcomes = as_completed([waiter("done"), waiter("a", "done")], timeout=100)
    assert [o.ok async for o in outcomes] == [True, True]
    assert [o async for o in outcomes] == []
    await outcomes.aclose()  # type: ignore[attr-defined] # closing a finished one is a no-op
    assert len(anyio.get_running_tasks()) == before


async def test_group_arguments_are_validated():
    """Non-waiters and bad limits raise ConfigurationError before anything runs."""
    with pytest.raises(ConfigurationError, match=r"waiters\[1\]"):
        await wait_all([waiter("done"), "not a waiter"])  # type: ignore[list-item]
    for bad in (0, -1, 2.5, True):
        with pytest.raises(ConfigurationError, match="limit"):
            await wait_all([waiter("done")], limit=bad)  # type: ignore[arg-type]
    with pytest.raises(ConfigurationError, match="timeout"):
        await wait_all([waiter("done")], timeout=-1)
    with pytest.raises(ConfigurationError, match="limit"):
        async for _ in as_completed([waiter("done")], limit=0):
            pass


@pytest.mark.parametrize("group", ["wait_all", "as_completed"])
async def test_large_groups_start_in_batches_so_the_loop_keeps_running(group):
    """1,000 waits start 32 at a time: other tasks run between batches, not after all."""
    observed = 0

    class Counting(ScriptedWaiter):
        async def observe(self):
            nonlocal observed
            observed += 1
            return await super().observe()

    waiters = [Counting(["a", "done"], policy=STEADY) for _ in range(1000)]
    seen_by_neighbour: list[int] = []

    async def neighbour() -> None:
        while observed < 1000:
            seen_by_neighbour.append(observed)
            await anyio.lowlevel.checkpoint()

    async def run_group() -> None:
        if group == "wait_all":
            await wait_all(waiters, timeout=100)
        else:
            async for _ in as_completed(waiters, timeout=100):
                pass

    async with anyio.create_task_group() as tg:
        tg.start_soon(neighbour)
        tg.start_soon(run_group)
    steps = [b - a for a, b in itertools.pairwise(seen_by_neighbour)]
    # Never the whole group at once: one batch between two turns of the neighbour on
    # asyncio, at most two on trio (its scheduler runs a tick's tasks in random order).
    assert max(steps) <= 2 * 32
    assert len([s for s in steps if s]) >= 1000 // (2 * 32)


async def test_a_wait_all_failure_says_what_the_group_had_done():
    """The first failure is raised as itself, with a line on the group: counts, names, time."""
    waiters = [
        waiter("done", resource_id="etl-1"),
        waiter("done", resource_id="etl-2"),
        waiter("Pending", "Pending", "failed", resource_id="etl-23"),
        waiter("Pending", resource_id="etl-4"),
        waiter("Pending", resource_id="etl-5"),
    ]
    with pytest.raises(WaitFailedError) as info:
        await wait_all(waiters, timeout=300)
    message = str(info.value)
    assert message.startswith("scripted etl-23 failed after 20.0s")
    assert message.endswith(
        "\n  in wait_all of 5 waits (timeout 300.0s), 20.0s after it started: 2 succeeded, "
        "1 failed (scripted etl-23), 2 still pending (scripted etl-4, scripted etl-5)"
    )


async def test_a_group_timeout_is_measured_from_the_group_start():
    """A wait queued behind ``limit`` may start late; the group line gives the group's clock."""
    waiters = [
        waiter("Pending", "done", resource_id="a"),
        waiter("Pending", "done", resource_id="b"),
        waiter("Pending", resource_id="slow"),
    ]
    with pytest.raises(WaitTimeoutError) as info:
        await wait_all(waiters, timeout=30, limit=2)
    first, line = str(info.value).splitlines()
    # Its own clock: 30 s if it started at once, 20 s if it waited for a slot (trio
    # starts tasks in no fixed order).
    assert re.match(r"scripted slow did not finish within (30|20)\.0s", first)
    assert line == (
        "  in wait_all of 3 waits (timeout 30.0s), 30.0s after it started: "
        "2 succeeded, 1 failed (scripted slow)"
    )


async def test_as_completed_outcomes_say_what_the_group_had_done():
    """Each failed outcome carries the group's line as of its end."""
    waiters = [
        waiter("Pending", "failed", resource_id="a"),
        waiter("Pending", "Pending", "done", resource_id="b"),
        waiter("Pending", "Pending", "Pending", "failed", resource_id="c"),
    ]
    errors = [str(o.error) async for o in as_completed(waiters, timeout=600) if o.error]
    assert errors[0].endswith(
        "10.0s after it started: 0 succeeded, 1 failed (scripted a), "
        "2 still pending (scripted b, scripted c)"
    )
    assert errors[1].endswith(
        "30.0s after it started: 1 succeeded, 2 failed (scripted a, scripted c)"
    )


async def test_an_error_that_is_not_a_wait_error_gets_a_note():
    """A waiter's own bug is raised untouched, with the group's line as a note."""

    class Broken(ScriptedWaiter):
        def start(self, **_kwargs):
            raise LookupError("no such table")

    with pytest.raises(LookupError) as info:
        await wait_all([waiter("Pending"), Broken(["x"])], timeout=60)
    assert str(info.value) == "no such table"
    assert info.value.__notes__[0].startswith("in wait_all of 2 waits (timeout 60.0s)")


async def test_a_wait_that_fails_to_start_is_one_outcome_among_the_others():
    """A waiter failing at its start is its slot's exception; the waits after it still run."""

    class Broken(ScriptedWaiter):
        def start(self, **_kwargs):
            raise LookupError("no such table")

    results = await wait_all(
        [waiter("done"), Broken(["x"]), waiter("Pending", "done")],
        timeout=60,
        return_exceptions=True,
    )
    assert isinstance(results[1], LookupError)
    assert [r.state.status for r in (results[0], results[2])] == ["done", "done"]  # type: ignore[union-attr]


async def test_a_cancelled_wait_all_cleans_up_every_wait_before_it_returns():
    """A scope cancelling wait_all: every session exited, no task left, on time."""
    waiters = [Closing(["Pending"], policy=STEADY) for _ in range(40)]  # over one start batch
    before = len(anyio.get_running_tasks())
    with anyio.move_on_after(25):
        await wait_all(waiters, timeout=1000)
    assert all(w.closed for w in waiters)
    assert len(anyio.get_running_tasks()) == before
    assert anyio.current_time() == pytest.approx(25)


async def test_a_wait_all_task_cancelled_by_asyncio_cleans_up_first(anyio_backend_name):
    """Asyncio's own task.cancel(): the waits are cancelled and cleaned up, then it propagates."""
    if anyio_backend_name != "asyncio":
        pytest.skip("asyncio's Task.cancel(); trio has no such call (scopes are tested above)")
    import asyncio

    waiters = [Closing(["Pending"], policy=STEADY) for _ in range(3)]
    task = asyncio.ensure_future(wait_all(waiters, timeout=1000))
    await asyncio.sleep(5)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert all(w.closed for w in waiters)
