"""Instrumentation hooks: what they see of a wait, and that they cost nothing when absent."""

from __future__ import annotations

import anyio
import pytest
from structlog.testing import capture_logs

import waitkit
from waitkit import (
    ConfigurationError,
    ErrorKind,
    Policy,
    WaitFailedError,
    WaitHooks,
    WaitTimeoutError,
    using_hooks,
    wait_all,
)
from waitkit.testing import ScriptedError, ScriptedWaiter

pytestmark = pytest.mark.anyio

STEADY = Policy(min_delay=10, max_delay=10, jitter="none")


class Recorder(WaitHooks):
    """Records every call as a tuple."""

    def __init__(self) -> None:
        self.calls: list[tuple[object, ...]] = []

    def on_start(self, wait):
        self.calls.append(("start", wait.waiter, wait.resource, wait.timeout))
        return self

    def on_state_change(self, wait, change):
        self.calls.append(("change", wait.resource, change.summary, change.previous,
                           change.elapsed, change.attempts))  # fmt: skip

    def on_retry(self, wait, retry):
        self.calls.append(("retry", retry.kind, str(retry.error), retry.attempts))

    def on_finish(self, wait, finish):
        self.calls.append(("finish", finish.outcome, finish.summary, finish.reason,
                           finish.elapsed, finish.attempts))  # fmt: skip


async def test_hooks_see_start_changes_every_retry_and_the_end():
    """A successful wait: start, each change, each retry (not only the first), success."""
    recorder = Recorder()
    transient = ScriptedError(ErrorKind.TRANSIENT, "503")
    waiter = ScriptedWaiter(["a", transient, transient, "done"], policy=STEADY, resource_id="r")
    with using_hooks(recorder):
        await waiter.wait(timeout=100)
    assert recorder.calls == [
        ("start", "scripted", "r", 100.0),
        ("change", "r", "a", None, 0.0, 1),
        ("retry", ErrorKind.TRANSIENT, "503", 2),
        ("retry", ErrorKind.TRANSIENT, "503", 3),
        ("change", "r", "done", "a", 30.0, 4),
        ("finish", "succeeded", "done", None, 30.0, 4),
    ]


async def test_failed_timed_out_and_cancelled_waits_finish_once_each():
    """Every started wait gets exactly one on_finish, with its outcome."""
    recorder = Recorder()
    slow = ScriptedWaiter(["a"], policy=STEADY, resource_id="slow")
    failing = ScriptedWaiter(["b", "failed"], policy=STEADY, resource_id="bad")
    with using_hooks(recorder):
        with pytest.raises(WaitTimeoutError):
            await ScriptedWaiter(["a"], policy=STEADY, resource_id="late").wait(timeout=15)
        with pytest.raises(WaitFailedError):
            await wait_all([slow, failing], timeout=100)
    finishes = sorted(c[1] for c in recorder.calls if c[0] == "finish")
    assert finishes == ["cancelled", "failed", "timed_out"]
    failed = next(c for c in recorder.calls if c[:2] == ("finish", "failed"))
    assert failed[3] == "failed"  # the reason
    assert len([c for c in recorder.calls if c[0] == "start"]) == 3


async def test_a_hook_may_follow_each_wait_with_its_own_object():
    """on_start's return value gets the wait's events; None ignores the wait."""

    class PerWait(WaitHooks):
        def __init__(self) -> None:
            self.followers: list[Recorder] = []

        def on_start(self, wait):
            if wait.resource == "ignored":
                return None
            follower = Recorder()
            self.followers.append(follower)
            return follower

    hooks = PerWait()
    with using_hooks(hooks):
        await wait_all(
            [
                ScriptedWaiter(["done"], policy=STEADY, resource_id="one"),
                ScriptedWaiter(["done"], policy=STEADY, resource_id="ignored"),
                ScriptedWaiter(["done"], policy=STEADY, resource_id="two"),
            ]
        )
    assert [f.calls[-1][:2] for f in hooks.followers] == [("finish", "succeeded")] * 2
    assert [f.calls[0][0] for f in hooks.followers] == ["change", "change"]


async def test_a_broken_hook_is_logged_and_never_breaks_the_wait():
    """An exception in a hook is logged as wait.hook_failed; the wait goes on."""

    class Broken(WaitHooks):
        def on_state_change(self, wait, change):
            raise RuntimeError("bug in a hook")

    class BrokenStart(WaitHooks):
        def on_start(self, wait):
            raise ValueError("no start")

    with capture_logs() as events, using_hooks(Broken(), BrokenStart()):
        result = await ScriptedWaiter(["a", "done"], policy=STEADY).wait(timeout=100)
    assert result.state.status == "done"
    failures = [(e["hook"], e["error"]) for e in events if e["event"] == "wait.hook_failed"]
    assert failures == [
        ("BrokenStart.on_start", "ValueError: no start"),
        ("Broken.on_state_change", "RuntimeError: bug in a hook"),
        ("Broken.on_state_change", "RuntimeError: bug in a hook"),
    ]


async def test_process_wide_hooks_and_scoped_ones_add_up():
    """set_hooks() applies to every wait; using_hooks() adds to it for a block."""
    everywhere, here = Recorder(), Recorder()
    waitkit.set_hooks([everywhere])
    try:
        assert waitkit.get_hooks() == (everywhere,)
        with using_hooks(here):
            await ScriptedWaiter(["done"], policy=STEADY).wait(timeout=10)
        await ScriptedWaiter(["done"], policy=STEADY).wait(timeout=10)
    finally:
        waitkit.set_hooks([])
    assert waitkit.get_hooks() == ()
    assert len([c for c in everywhere.calls if c[0] == "start"]) == 2
    assert len([c for c in here.calls if c[0] == "start"]) == 1


async def test_scoped_hooks_do_not_reach_other_tasks():
    """A using_hooks() block follows its own task (and the tasks it starts), not others."""
    recorder = Recorder()
    started = anyio.Event()

    async def elsewhere() -> None:
        await started.wait()
        await ScriptedWaiter(["done"], policy=STEADY, resource_id="other").wait(timeout=10)

    async with anyio.create_task_group() as group:
        group.start_soon(elsewhere)
        with using_hooks(recorder):
            started.set()
            await ScriptedWaiter(["a", "done"], policy=STEADY, resource_id="mine").wait(timeout=100)
    assert {c[2] for c in recorder.calls if c[0] == "start"} == {"mine"}


def test_only_wait_hooks_are_accepted():
    """Anything but a WaitHooks is refused, naming its position."""
    with pytest.raises(ConfigurationError, match=r"hooks\[1\] must be a waitkit.WaitHooks"):
        waitkit.set_hooks([WaitHooks(), print])  # type: ignore[list-item]
    with pytest.raises(ConfigurationError, match=r"hooks\[0\]"), using_hooks(object()):  # type: ignore[arg-type]
        pass
    assert waitkit.get_hooks() == ()


async def test_without_hooks_a_wait_keeps_none():
    """No hooks registered: the wait holds an empty tuple and builds no event objects."""
    run = ScriptedWaiter(["done"], policy=STEADY).start(timeout=10)
    await run.run()
    assert run._observers == ()
    assert run._info is None


async def test_the_base_class_does_nothing_and_follows_every_wait():
    """WaitHooks() itself is a valid hook: it follows each wait and ignores its events."""
    with using_hooks(WaitHooks()):
        result = await ScriptedWaiter(["a", "done"], policy=STEADY).wait(timeout=100)
    assert result.attempts == 2
