"""explain(): an explaining call is bounded by its cap and by the look's own deadline."""

from __future__ import annotations

import anyio
import pytest

from waitkit._core._explain import explain

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
