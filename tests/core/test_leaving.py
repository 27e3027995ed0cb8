"""Leaving ``async for`` over states() or as_completed() early is safe without aclosing().

``break``, ``return`` and an exception in the loop body end the wait (its session's
clean-up runs) and never cancel the task that iterated, which goes on awaiting.
"""

import contextlib
import gc

import anyio
import anyio.to_thread
import pytest

from waitkit import Policy, WaitFailedError, as_completed
from waitkit.testing import Hang, ScriptedState, ScriptedWaiter

pytestmark = pytest.mark.anyio

STEADY = Policy(min_delay=10, max_delay=10, jitter="none", call_timeout=None, timeout=None)


def tasks_now() -> int:
    """How many tasks the event loop runs right now."""
    return len(anyio.get_running_tasks())


class Watching(ScriptedWaiter):
    """A waiter whose session keeps a task running beside the wait (a watch reader, say).

    Its task group spans every state the wait yields, as a session's scopes may; its
    clean-up awaits (shielded, as sessions should) and records that it ran.
    """

    def __init__(self, *args, reader: bool = True, **kwargs) -> None:
        super().__init__(*args, policy=STEADY, **kwargs)
        self.reader = reader
        self.events: list[str] = []

    @contextlib.asynccontextmanager
    async def _session(self):
        self.events.append("enter")
        try:
            if not self.reader:
                yield
                return
            async with anyio.create_task_group() as group:
                group.start_soon(anyio.sleep_forever)
                yield
                group.cancel_scope.cancel()
        finally:
            with anyio.CancelScope(shield=True):
                await anyio.sleep(0.5)
            self.events.append("exit")

    def session(self):
        return self._session()


async def leave_states(how: str, waiter: Watching) -> ScriptedState | None:
    """Iterate ``waiter.states()`` and leave at the first state, ``how``."""
    async for state in waiter.states():
        if how == "break":
            break
        if how == "return":
            return state
        raise LookupError("raised in the loop body")
    return None


@pytest.mark.parametrize("how", ["break", "return", "raise"])
async def test_leaving_states_ends_the_wait_and_never_the_caller(how):
    """break, return or raise out of states(): the session exits, the caller goes on."""
    waiter = Watching(["a", "b", "done"])
    before = tasks_now()
    if how == "raise":
        with pytest.raises(LookupError):
            await leave_states(how, waiter)
    else:
        await leave_states(how, waiter)
    start = anyio.current_time()
    await anyio.sleep(30)  # the caller awaits on, and is not cancelled
    assert anyio.current_time() - start == pytest.approx(30)
    assert waiter.events == ["enter", "exit"]
    assert len(waiter.observed_at) == 1  # ended in its first sleep: no look after the break
    assert tasks_now() == before


async def test_the_caller_keeps_awaiting_after_leaving_states():
    """After a break the caller awaits another whole wait and its states; nothing is cut."""
    first = Watching(["a", "b", "done"])
    before = tasks_now()
    async for _ in first.states():
        break
    second = Watching(["a", "b", "done"])
    seen = [state.status async for state in second.states()]
    assert seen == ["a", "b", "done"]
    result = await Watching(["a", "done"]).wait()
    assert result.attempts == 2
    assert first.events == second.events == ["enter", "exit"]
    assert tasks_now() == before


async def test_aclosing_states_waits_for_the_clean_up():
    """Leaving an aclosing() block: the session has exited, and no task is left, at once."""
    waiter = Watching(["a", "b", "done"])
    before = tasks_now()
    async with contextlib.aclosing(waiter.states()) as states:  # type: ignore[type-var]
        async for _ in states:
            break
    assert waiter.events == ["enter", "exit"]
    assert tasks_now() == before


async def test_cancelled_while_waiting_for_a_state_cleans_up_before_going_on():
    """Cancelling the caller while it waits for the next state ends the wait first."""
    waiter = Watching(["a", Hang()])
    before = tasks_now()
    seen = []
    with anyio.move_on_after(50):
        async for state in waiter.states():
            seen.append(state.status)  # noqa: PERF401 - what arrived before the cancel
    assert seen == ["a"]
    assert waiter.events == ["enter", "exit"]
    assert tasks_now() == before


async def test_states_keep_coming_while_the_loop_body_is_busy():
    """The wait keeps its own pace during a slow loop body; no state is lost or reordered."""
    waiter = Watching(["a", "b", "done"])
    start = anyio.current_time()
    seen = []
    async for state in waiter.states():
        seen.append((state.status, anyio.current_time() - start))
        await anyio.sleep(100)
    assert seen == [("a", 0), ("b", 100), ("done", 200)]
    assert waiter.observed_at == pytest.approx([start, start + 10, start + 20])


async def test_states_raise_the_failure_after_the_states_before_it():
    """A failure is raised by the iteration after the states before it, once."""
    # (no reader task: its task group would wrap the error in an ExceptionGroup)
    waiter = Watching(["a", ScriptedState(status="failed", detail="disk full")], reader=False)
    states = waiter.states()
    seen: list[str] = []

    async def collect() -> None:
        async for state in states:
            seen.append(state.status)  # noqa: PERF401 - keeps what arrived before the raise

    with pytest.raises(WaitFailedError) as info:
        await collect()
    assert seen == ["a", "failed"]
    assert info.value.reason == "disk full"
    assert waiter.events == ["enter", "exit"]
    assert await anext(states, None) is None  # raised once: the iteration is over


async def test_an_iterator_never_started_starts_nothing():
    """states() and as_completed() start nothing until iterated; closing them then is a no-op."""
    waiter = Watching(["done"])
    before = tasks_now()
    states = waiter.states()
    outcomes = as_completed([waiter])
    assert tasks_now() == before
    await states.aclose()  # type: ignore[attr-defined]
    await outcomes.aclose()  # type: ignore[attr-defined]
    assert [s async for s in states] == []
    assert waiter.events == []


async def test_another_task_closing_the_iterator_ends_a_waiting_consumer():
    """aclose() from one task ends the iteration of a task waiting for the next state."""
    waiter = Watching(["a", Hang()])
    states = waiter.states()
    seen = []

    async def consume() -> None:
        async for state in states:
            seen.append(state.status)  # noqa: PERF401 - what arrived before the close

    async with anyio.create_task_group() as group:
        group.start_soon(consume)
        await anyio.sleep(5)
        await states.aclose()  # type: ignore[attr-defined]
    assert seen == ["a"]
    assert waiter.events == ["enter", "exit"]


async def test_several_tasks_can_share_one_as_completed():
    """Workers sharing one as_completed iterator get each outcome exactly once."""
    waiters = [
        ScriptedWaiter(["a"] * (i % 3) + ["done"], policy=STEADY, resource_id=str(i))
        for i in range(12)
    ]
    outcomes = as_completed(waiters, timeout=100)
    got: list[str] = []

    async def worker() -> None:
        async for outcome in outcomes:
            got.append(outcome.waiter.resource_id)
            await anyio.sleep(1)

    async with anyio.create_task_group() as group:
        for _ in range(3):
            group.start_soon(worker)
    assert sorted(got, key=int) == [str(i) for i in range(12)]


async def test_an_iterator_collected_in_a_cycle_still_ends_its_wait():
    """An abandoned iterator caught in a reference cycle ends its wait when collected."""
    waiter = Watching(["a", "b", "done"])
    before = tasks_now()
    states = waiter.states()
    await anext(states)
    cycle: list[object] = [states]
    cycle.append(cycle)
    del states, cycle
    await anyio.to_thread.run_sync(gc.collect)  # the finalizer runs in another thread
    await anyio.sleep(5)
    assert waiter.events == ["enter", "exit"]
    assert tasks_now() == before
