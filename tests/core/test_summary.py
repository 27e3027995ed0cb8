import pytest
from pydantic import BaseModel, ConfigDict

from waitkit import Policy, State, WaitFailedError, WaitTimeoutError
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


class StatusProperty(State):
    """A state whose status is computed."""

    code: int

    @property
    def status(self) -> str:
        return "Ready" if self.code == 0 else "Failing"


class ExtraStatus(State):
    """A state that takes whatever fields it is given."""

    model_config = ConfigDict(extra="allow")


class NoStatus(State):
    """A state without a status: its fields are its summary."""

    phase: str
    ready: int | None = None


def test_a_status_is_found_wherever_the_state_keeps_it():
    """A field, a property or an extra field named status is the summary; else the fields."""
    assert StatusProperty(code=1).summary() == "Failing"
    assert ExtraStatus(status="Queued", other=1).summary() == "Queued"
    assert ExtraStatus(other=1).summary() == "other=1"
    assert NoStatus(phase="Pending").summary() == "phase='Pending'"
    assert summarize(NoStatus(phase="Pending", ready=2)) == "phase='Pending' ready=2"


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
