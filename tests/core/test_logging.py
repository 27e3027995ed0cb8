"""Where a wait's events go: structlog when the application configured it, else stdlib logging."""

from __future__ import annotations

import contextlib
import logging

import anyio
import pytest
import structlog
from structlog.testing import capture_logs

from waitkit import Policy, Verdict, Waiter, WaitFailedError, wait_all
from waitkit._core._logging import logger
from waitkit.testing import Hang, ScriptedState, ScriptedWaiter

pytestmark = pytest.mark.anyio

STEADY = Policy(min_delay=10, max_delay=10, jitter="none")


def waitkit_records(caplog: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    """The records of the 'waitkit' logger."""
    return [r for r in caplog.records if r.name == "waitkit"]


async def test_unconfigured_structlog_sends_events_to_the_stdlib_logger(caplog):
    """Without structlog configured, each event is a record of 'waitkit' with its fields."""
    caplog.set_level(logging.INFO, logger="waitkit")
    await ScriptedWaiter(["a", "done"], policy=STEADY, resource_id="r-1").wait(timeout=100)
    records = waitkit_records(caplog)
    assert [r.getMessage() for r in records] == [
        "wait.started waiter=scripted resource=r-1 timeout=100.0",
        (
            "wait.state_changed waiter=scripted resource=r-1 state=a previous=None elapsed=0.0 "
            "attempts=1"
        ),
        (
            "wait.state_changed waiter=scripted resource=r-1 state=done previous=a elapsed=10.0 "
            "attempts=2"
        ),
        "wait.succeeded waiter=scripted resource=r-1 state=done elapsed=10.0 attempts=2",
    ]
    last = records[-1]
    assert (last.levelname, last.event, last.waiter, last.resource) == (
        "INFO", "wait.succeeded", "scripted", "r-1"
    )  # fmt: skip
    assert (last.state, last.elapsed, last.attempts) == ("done", 10.0, 2)
    assert last.funcName == "finish"  # the record names the engine's line, not a helper's


async def test_warnings_are_warning_records(caplog):
    """wait.failed is a WARNING record, seen at the stdlib's default level."""
    with pytest.raises(WaitFailedError):
        await ScriptedWaiter(["failed"], policy=STEADY).wait(timeout=100)
    (record,) = waitkit_records(caplog)
    assert (record.levelname, record.event, record.reason) == ("WARNING", "wait.failed", "failed")


def test_field_names_of_log_records_are_prefixed(caplog):
    """A field named like a LogRecord attribute is kept, as waitkit_<name>."""
    caplog.set_level(logging.INFO, logger="waitkit")
    logger.info("x.happened", name="n", message="m", resource="r")
    (record,) = waitkit_records(caplog)
    assert (record.waitkit_name, record.waitkit_message, record.resource) == ("n", "m", "r")
    assert record.getMessage() == "x.happened name=n message=m resource=r"
    assert repr(record.msg) == "x.happened name=n message=m resource=r"


def test_values_are_quoted_when_they_would_be_ambiguous(caplog):
    """Strings with spaces, quotes or '=' (and empty ones) are shown as repr()."""
    caplog.set_level(logging.INFO, logger="waitkit")
    logger.info("x.happened", a="two words", b="", c="k=v", d=3)
    assert waitkit_records(caplog)[0].getMessage() == "x.happened a='two words' b='' c='k=v' d=3"


async def test_configured_structlog_gets_the_events_and_stdlib_none(caplog):
    """An application that configured structlog gets the events there, not twice."""
    caplog.set_level(logging.INFO)
    with capture_logs() as events:
        await ScriptedWaiter(["done"], policy=STEADY, resource_id="r-2").wait(timeout=100)
    assert [e["event"] for e in events] == ["wait.started", "wait.state_changed", "wait.succeeded"]
    assert waitkit_records(caplog) == []


async def test_below_the_level_nothing_is_rendered(caplog):
    """With the stdlib logger at WARNING, INFO events produce no record at all."""
    await ScriptedWaiter(["a", "done"], policy=STEADY).wait(timeout=100)
    assert waitkit_records(caplog) == []
    assert not structlog.is_configured()


async def test_wait_all_logs_wait_cancelled_for_the_waits_it_cancels():
    """The first failure cancels the other waits; each says so with wait.cancelled."""
    slow = ScriptedWaiter(["a", "a", "a", "done"], policy=STEADY, resource_id="slow")
    failing = ScriptedWaiter(["x", "failed"], policy=STEADY, resource_id="bad")
    with capture_logs() as events, pytest.raises(WaitFailedError):
        await wait_all([slow, failing], timeout=100)
    (cancelled,) = [e for e in events if e["event"] == "wait.cancelled"]
    # Its second look and the failure are both due at 10 s: either may come first.
    assert cancelled.pop("attempts") in {1, 2}
    assert cancelled == {
        "event": "wait.cancelled", "log_level": "info", "waiter": "scripted",
        "resource": "slow", "state": "a", "elapsed": 10.0,
    }  # fmt: skip
    closing = {e["resource"]: e["event"] for e in events if e["event"] != "wait.state_changed"}
    assert closing == {"slow": "wait.cancelled", "bad": "wait.failed"}


async def test_a_cancelled_scope_logs_wait_cancelled_once():
    """A wait cancelled from outside mid-call ends with one wait.cancelled."""
    waiter = ScriptedWaiter(["a", Hang(), "done"], policy=STEADY.replace(call_timeout=None))
    with capture_logs() as events:
        with anyio.move_on_after(15):
            await waiter.wait(timeout=100)
    assert [e["event"] for e in events] == ["wait.started", "wait.state_changed", "wait.cancelled"]


async def test_leaving_states_early_logs_wait_cancelled():
    """Breaking out of states() ends the wait; its events close with wait.cancelled."""
    waiter = ScriptedWaiter(["a", "b", "done"], policy=STEADY)
    with capture_logs() as events:
        states = waiter.states(timeout=100)
        async with contextlib.aclosing(states):  # type: ignore[type-var]
            async for state in states:
                assert state.status == "a"
                break
    assert events[-1]["event"] == "wait.cancelled"


async def test_ended_waits_log_no_wait_cancelled():
    """Timed out, failed and succeeded waits have their own closing event only."""
    with capture_logs() as events:
        await ScriptedWaiter(["done"], policy=STEADY).wait(timeout=100)
        with pytest.raises(WaitFailedError):
            await ScriptedWaiter(["failed"], policy=STEADY).wait(timeout=100)
        with pytest.raises(TimeoutError):
            await ScriptedWaiter(["a"], policy=STEADY).wait(timeout=25)
    assert "wait.cancelled" not in [e["event"] for e in events]


class Anonymous(Waiter[ScriptedState]):
    """A user's waiter that names no resource."""

    kind = "anonymous"

    async def observe(self) -> ScriptedState:
        return ScriptedState(status="done")

    def verdict(self, state: ScriptedState) -> Verdict:
        del state  # every state is the end
        return Verdict.SUCCESS


async def test_a_waiter_without_a_resource_id_is_named_by_its_description():
    """Events never carry an empty resource: the waiter's description stands in."""
    with capture_logs() as events:
        await Anonymous().wait(timeout=10)
    assert {e["resource"] for e in events} == {"anonymous"}


class CountsSummaries(ScriptedWaiter):
    """A scripted waiter that counts how often its states are summarised."""

    def __init__(self) -> None:
        super().__init__(["a", "done"], policy=STEADY, resource_id="r-3")
        self.summaries = 0

    def summarize(self, state: ScriptedState) -> str:
        self.summaries += 1
        return super().summarize(state)


async def test_events_a_filtering_logger_drops_are_not_built():
    """A structlog filtering at WARNING: no INFO event's fields are built, none is emitted."""
    with capture_logs() as events:
        structlog.configure(wrapper_class=structlog.make_filtering_bound_logger(logging.WARNING))
        waiter = CountsSummaries()
        await waiter.wait(timeout=100)
    assert events == []
    assert waiter.summaries == 0


async def test_a_structlog_logger_without_a_level_gets_every_event():
    """A configured structlog wrapper that cannot tell its level is sent every event."""
    with capture_logs() as events:
        structlog.configure(wrapper_class=structlog.BoundLogger)
        await ScriptedWaiter(["done"], policy=STEADY, resource_id="r-4").wait(timeout=100)
    assert [e["event"] for e in events] == ["wait.started", "wait.state_changed", "wait.succeeded"]
