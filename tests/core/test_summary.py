import pytest
from pydantic import BaseModel

from waitkit import Policy, WaitFailedError, WaitTimeoutError
from waitkit._core._summary import summarize
from waitkit.extend import UNSET
from waitkit.testing import ScriptedWaiter


class Plain(BaseModel):
    """A user's state that is not a waitkit.State."""

    phase: str
    ready: int | None = None


class WithStatus(BaseModel):
    """A state with a status field but no summary()."""

    status: str


def test_summaries_of_states_that_are_not_waitkit_states():
    """Plain pydantic models summarise by status, else by their set fields; others by repr."""
    assert summarize(WithStatus(status="Running")) == "Running"
    assert summarize(Plain(phase="Pending")) == "phase='Pending'"
    assert summarize([1, 2, 3]) == "[1, 2, 3]"
    assert summarize("x" * 500).endswith("...")
    assert len(summarize("x" * 500)) == 120


def test_unset_is_a_falsy_singleton():
    """UNSET reads as UNSET, is falsy and unique."""
    assert repr(UNSET) == "UNSET"
    assert not UNSET
    assert type(UNSET)() is UNSET


@pytest.mark.anyio
async def test_messages_say_when_nothing_was_observed():
    """A wait that never got an answer says so instead of listing states."""
    waiter = ScriptedWaiter([ConnectionError("refused")], policy=Policy(min_delay=1, max_delay=1))
    with pytest.raises(WaitTimeoutError, match="no state observed; last error: ConnectionError"):
        await waiter.wait(timeout=3)


@pytest.mark.anyio
async def test_failure_without_a_reason_uses_the_state_summary():
    """Verdict.FAILURE without a reason reports the state's summary as the reason."""
    waiter = ScriptedWaiter(["failed"], policy=Policy(min_delay=1, max_delay=1))
    with pytest.raises(WaitFailedError) as info:
        await waiter.wait(timeout=3)
    assert info.value.reason == "failed"


def test_scripted_waiter_needs_a_script():
    """An empty script is refused."""
    with pytest.raises(ValueError, match="at least one item"):
        ScriptedWaiter([])
