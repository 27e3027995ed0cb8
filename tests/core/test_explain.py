"""explain() and current_call_deadline(): a call bounded by its cap and its look's deadline.

Inside a wait, the look's deadline is the engine's call deadline.
"""

from __future__ import annotations

import math

import anyio
import pytest
from anyio.lowlevel import checkpoint

from waitkit import Policy
from waitkit._core._explain import explain
from waitkit.extend import current_call_deadline
from waitkit.testing import ScriptedState, ScriptedWaiter

pytestmark = pytest.mark.anyio


async def test_an_answer_is_returned_as_it_is():
    """A call that answers in time: its value, no problem."""

    async def history() -> list[str]:
        return ["StepFailed"]

    assert await explain(history, "history") == (["StepFailed"], None)


async def test_a_hung_call_is_cut_at_the_cap_when_the_look_has_more_time():
    """No deadline around the look: the cap alone bounds the call."""
    started = anyio.current_time()
    value, problem = await explain(anyio.sleep_forever, "log", cap=2.0)
    assert value is None
    assert problem == "log unavailable: no answer within 2.0s"
    assert anyio.current_time() - started == pytest.approx(2.0)


async def test_a_hung_call_ends_before_the_looks_deadline():
    """Inside a look with 1 s left, the call gets half of it: the rest is the verdict's."""
    with anyio.fail_after(1.0):
        value, problem = await explain(anyio.sleep_forever, "history", cap=5.0)
        left = anyio.current_effective_deadline() - anyio.current_time()
    assert (value, problem) == (None, "history unavailable: no answer within 0.5s")
    assert left == pytest.approx(0.5)


async def test_no_time_left_makes_no_call():
    """A look already at its deadline makes no call and says why."""
    calls: list[int] = []

    async def history() -> None:
        calls.append(1)

    with anyio.CancelScope(deadline=anyio.current_time()):
        value, problem = await explain(history, "history")
    assert (value, problem, calls) == (
        None,
        "history unavailable: no time was left before the deadline",
        [],
    )


async def test_an_error_is_named_in_a_few_words():
    """An error becomes "<what> unavailable: <Type>: <text>", cut to a short length."""

    async def denied() -> None:
        raise PermissionError("403 " + "forbidden " * 100)

    _, problem = await explain(denied, "log")
    assert problem is not None
    assert problem.startswith("log unavailable: PermissionError: 403 forbidden")
    assert len(problem) < 300
    _, bare = await explain(lambda: _raise(LookupError()), "log")
    assert bare == "log unavailable: LookupError"


async def _raise(error: Exception) -> None:
    raise error


class _Budgeting(ScriptedWaiter):
    """A waiter whose every look reads its call deadline and makes one explaining call."""

    def __init__(self, policy: Policy) -> None:
        super().__init__(["done"], policy=policy)
        self.left: list[float] = []
        self.problems: list[str | None] = []

    async def observe(self) -> ScriptedState:
        self.left.append(current_call_deadline() - anyio.current_time())
        _, problem = await explain(anyio.sleep_forever, "history", cap=100.0)
        self.problems.append(problem)
        return await super().observe()


async def test_inside_a_wait_the_engines_call_deadline_bounds_an_explanation():
    """The engine's call_timeout is the look's deadline on both backends.

    (asyncio's scope is not anyio's.) The explaining call gets half of it, and the look
    still answers in time.
    """
    waiter = _Budgeting(Policy(call_timeout=8, timeout=None))
    started = anyio.current_time()
    result = await waiter.wait()
    assert result.state.status == "done"
    assert waiter.left == [pytest.approx(8.0)]
    assert waiter.problems == ["history unavailable: no answer within 4.0s"]
    assert anyio.current_time() - started == pytest.approx(4.0)


async def test_the_waits_deadline_caps_the_call_deadline():
    """A wait with 3 s left and a 30 s call_timeout: the look must end in 3 s."""
    waiter = _Budgeting(Policy(call_timeout=30, timeout=3))
    await waiter.wait()
    assert waiter.left == [pytest.approx(3.0)]
    assert waiter.problems == ["history unavailable: no answer within 1.5s"]


async def test_outside_a_wait_only_enclosing_scopes_bound_the_look():
    """No wait, no scope: no bound; an anyio scope around it is its bound."""
    assert current_call_deadline() == math.inf
    with anyio.move_on_after(7):
        left = current_call_deadline() - anyio.current_time()
        await checkpoint()
    assert left == pytest.approx(7.0)
