"""The shared list+watch under faults: 410, cut streams, server timeouts, drops, throttling."""

from __future__ import annotations

import anyio
import pytest

from waitkit import ProbeError, WaitFailedError, wait_all
from waitkit.emulator import Fault
from waitkit.emulator.k8s import JobPoint, JobScenario, KubernetesScenario
from waitkit.k8s import JobPhase, JobWaiter, WatchOptions

from .conftest import FAST, Start, meanwhile, settle, step_through, when

pytestmark = pytest.mark.anyio


def _scenario(*points: JobPoint) -> KubernetesScenario:
    return KubernetesScenario(jobs=[JobScenario(name="etl", timeline=list(points))])


def _k8s(env_faults: object, kind: str, operation: str, **kwargs: object) -> None:
    env_faults.add(Fault(kind=kind, service="kubernetes", operation=operation, **kwargs))  # type: ignore[attr-defined,arg-type]


async def test_list_then_watch_from_list_version(start: Start) -> None:
    """One LIST, then one WATCH from the list's version; the change arrives as an event."""
    env = await start(_scenario(JobPoint(at=0.5, phase="complete")))
    waiter = JobWaiter(env.api, "etl", pod_causes=False, policy=FAST)
    result = await meanwhile(waiter.wait(), when(env.watch_opened(), env.advance))
    assert result.state.phase is JobPhase.COMPLETE
    assert env.emu.counters.of("kubernetes", "list") == 1
    assert env.emu.counters.watches_opened == 1


async def test_gone_event_relists(start: Start) -> None:
    """An ERROR 410 event on the watch makes waitkit LIST again and watch from the new version."""
    env = await start(_scenario(JobPoint(at=0.6, phase="complete")))
    _k8s(env.emu.faults, "gone", "watch", count=1)
    waiter = JobWaiter(env.api, "etl", pod_causes=False, policy=FAST)
    # The Job completes only once the second watch (after the re-LIST) is open.
    result = await meanwhile(waiter.wait(), when(env.watch_opened(count=2), env.advance))
    assert result.state.phase is JobPhase.COMPLETE
    assert env.emu.counters.of("kubernetes", "list") == 2
    assert env.emu.counters.watches_opened == 2


async def test_expired_version_mid_wait_relists(start: Start) -> None:
    """History compacted mid-wait: the re-watch after a server timeout gets 410 and re-lists."""
    env = await start(_scenario(JobPoint(at=1, phase="complete")))
    options = WatchOptions(server_timeout=1)

    def compact() -> None:
        env.kube.create_job(JobScenario(name="other"))  # moves the server past our version
        env.kube.compact_history()

    def relisted() -> bool:
        return env.emu.counters.of("kubernetes", "list") >= 2

    waiter = JobWaiter(env.api, "etl", shared=False, pod_causes=False, watch=options, policy=FAST)
    result = await meanwhile(
        waiter.wait(), when(env.watch_opened(), compact), when(relisted, env.advance)
    )
    assert result.state.phase is JobPhase.COMPLETE
    assert env.emu.counters.of("kubernetes", "list") == 2


async def test_server_timeout_rewatches_without_relist(start: Start) -> None:
    """A clean end of stream at timeoutSeconds re-watches from the last version, no new LIST."""
    env = await start(_scenario(JobPoint(at=1, phase="complete")))
    options = WatchOptions(server_timeout=1)
    waiter = JobWaiter(env.api, "etl", pod_causes=False, watch=options, policy=FAST)
    result = await meanwhile(waiter.wait(), when(env.watch_opened(count=2), env.advance))
    assert result.state.phase is JobPhase.COMPLETE
    assert env.emu.counters.watches_opened >= 2
    assert env.emu.counters.of("kubernetes", "list") == 1


async def test_cut_streams_reconnect(start: Start) -> None:
    """Streams cut after one event reconnect (with backoff) and resume from the last version."""
    env = await start(
        _scenario(
            JobPoint(at=0.3, phase="succeeding"),
            JobPoint(at=0.6, phase="running"),
            JobPoint(at=0.9, phase="complete"),
        )
    )
    _k8s(env.emu.faults, "cut_watch", "watch", after_events=1, count=2)
    options = WatchOptions(reconnect_min_delay=0.02, reconnect_max_delay=0.05)
    waiter = JobWaiter(env.api, "etl", pod_causes=False, watch=options, policy=FAST)
    phases = [state.phase for state in await step_through(env, waiter)]
    # Each cut loses no event: the re-watch from the last version replays the next one.
    assert phases == [JobPhase.RUNNING, JobPhase.SUCCEEDING, JobPhase.RUNNING, JobPhase.COMPLETE]
    assert env.emu.counters.watches_opened == 3
    assert env.emu.counters.faults["kubernetes", "watch", "cut_watch"] == 2


async def test_read_timeout_reconnects(start: Start) -> None:
    """A silent stream is taken for dead after read_timeout and reopened."""
    env = await start(_scenario(JobPoint(at=1.0, phase="complete")))
    options = WatchOptions(read_timeout=0.25, reconnect_min_delay=0.02, reconnect_max_delay=0.05)
    waiter = JobWaiter(env.api, "etl", pod_causes=False, watch=options, policy=FAST)
    # Nothing moves until the silent first stream was given up and a second one opened.
    result = await meanwhile(waiter.wait(), when(env.watch_opened(count=2), env.advance))
    assert result.state.phase is JobPhase.COMPLETE
    assert env.emu.counters.watches_opened >= 2


async def test_dropped_connections_are_retried(start: Start) -> None:
    """Dropped LIST and WATCH connections are transient: the wait goes on and succeeds."""
    env = await start(_scenario(JobPoint(at=0.8, phase="complete")))
    _k8s(env.emu.faults, "drop", "list", count=2)
    _k8s(env.emu.faults, "drop", "watch", count=2)
    options = WatchOptions(reconnect_min_delay=0.02, reconnect_max_delay=0.05)
    waiter = JobWaiter(env.api, "etl", pod_causes=False, watch=options, policy=FAST)
    # The Job completes once a watch got through the drops (the third WATCH request).
    result = await meanwhile(waiter.wait(), when(env.watch_opened(count=3), env.advance))
    assert result.state.phase is JobPhase.COMPLETE
    assert env.emu.counters.faults["kubernetes", "list", "drop"] == 2
    assert env.emu.counters.faults["kubernetes", "watch", "drop"] == 2


async def test_throttled_list_honours_retry_after(start: Start) -> None:
    """A 429 on LIST is throttling: the wait sleeps Retry-After and succeeds."""
    env = await start(_scenario(JobPoint(at=0, phase="complete")))
    _k8s(env.emu.faults, "throttle", "list", count=1, retry_after=0.3)  # sent as whole seconds
    result = await JobWaiter(env.api, "etl", pod_causes=False, policy=FAST).wait()
    assert result.state.phase is JobPhase.COMPLETE
    assert result.elapsed >= 1.0  # Retry-After: 1, not the policy's 0.05 s throttle backoff
    assert env.emu.counters.faults["kubernetes", "list", "throttle"] == 1


async def test_throttled_watch_is_retried(start: Start) -> None:
    """A 429 on the WATCH request is throttling too."""
    env = await start(_scenario(JobPoint(at=0.5, phase="complete")))
    _k8s(env.emu.faults, "throttle", "watch", count=1, retry_after=0.1)
    waiter = JobWaiter(env.api, "etl", pod_causes=False, policy=FAST)
    result = await meanwhile(waiter.wait(), when(env.watch_opened(count=2), env.advance))
    assert result.state.phase is JobPhase.COMPLETE
    assert env.emu.counters.faults["kubernetes", "watch", "throttle"] == 1


async def test_server_errors_are_transient(start: Start) -> None:
    """503s on LIST are retried up to max_transient_errors."""
    env = await start(_scenario(JobPoint(at=0, phase="complete")))
    _k8s(env.emu.faults, "error", "list", status=503, count=2)
    result = await JobWaiter(env.api, "etl", pod_causes=False, policy=FAST).wait()
    assert result.state.phase is JobPhase.COMPLETE
    assert env.emu.counters.faults["kubernetes", "list", "error"] == 2


async def test_forbidden_is_fatal(start: Start) -> None:
    """A 403 is fatal: ProbeError at once, with the ApiException as its cause."""
    env = await start(_scenario())
    _k8s(env.emu.faults, "error", "list", status=403)
    with pytest.raises(ProbeError) as caught:
        await JobWaiter(env.api, "etl", pod_causes=False, policy=FAST).wait()
    assert getattr(caught.value.__cause__, "status", None) == 403
    assert caught.value.attempts == 1


async def test_cancellation_closes_the_stream(start: Start) -> None:
    """Cancelling a wait closes its watch stream."""
    env = await start(_scenario())
    watching = env.watch_opened()
    async with anyio.create_task_group() as tg:
        tg.start_soon(JobWaiter(env.api, "etl", policy=FAST).wait)
        await settle(watching)
        tg.cancel_scope.cancel()
    assert env.emu.counters.watches_opened >= 1  # closed: checked by the fixture


async def test_failure_closes_the_stream(start: Start) -> None:
    """A failed wait closes its streams too."""
    env = await start(_scenario(JobPoint(at=0.2, phase="failed")))
    waiter = JobWaiter(env.api, "etl", policy=FAST)
    with pytest.raises(WaitFailedError):
        await meanwhile(waiter.wait(), when(env.watch_opened(), env.advance))
    assert env.emu.counters.watches_opened == 2  # jobs and pods; closed: checked by the fixture


async def test_states_yields_distinct_states(start: Start) -> None:
    """states() yields each distinct state once, from running to complete."""
    env = await start(
        _scenario(JobPoint(at=0.2, phase="succeeding"), JobPoint(at=0.4, phase="complete"))
    )
    waiter = JobWaiter(env.api, "etl", pod_causes=False, policy=FAST)
    phases = [state.phase for state in await step_through(env, waiter)]
    assert phases == [JobPhase.RUNNING, JobPhase.SUCCEEDING, JobPhase.COMPLETE]


async def test_unshared_watch_uses_field_selector(start: Start) -> None:
    """shared=False watches one object by fieldSelector, as kubectl does."""
    env = await start(
        KubernetesScenario(
            jobs=[
                JobScenario(name="a", timeline=[JobPoint(at=0.3, phase="complete")]),
                JobScenario(name="b", timeline=[JobPoint(at=0.3, phase="complete")]),
            ]
        )
    )
    waiters = [
        JobWaiter(env.api, name, shared=False, pod_causes=False, policy=FAST) for name in "ab"
    ]
    await meanwhile(wait_all(waiters), when(env.watch_opened(count=2), env.advance))
    assert env.emu.counters.watches_opened == 2


async def test_bookmarks_move_the_version_forward(start: Start) -> None:
    """Bookmarks advance the resume version: after compaction the re-watch needs no new LIST."""
    scenario = _scenario(JobPoint(at=1, phase="complete")).model_copy(
        update={"bookmark_interval": 0.05}
    )
    env = await start(scenario)
    options = WatchOptions(server_timeout=1)

    def compact() -> None:
        env.kube.create_job(JobScenario(name="other"))  # not on our filtered stream
        # Resuming from our version now gets 410; from a bookmark sent after this, it does not.
        env.kube.compact_history()

    waiter = JobWaiter(env.api, "etl", shared=False, pod_causes=False, watch=options, policy=FAST)
    result = await meanwhile(
        waiter.wait(),
        when(env.watch_opened(), compact),
        when(env.watch_opened(count=2), env.advance),
    )
    assert result.state.phase is JobPhase.COMPLETE
    assert env.emu.counters.of("kubernetes", "list") == 1
    assert env.emu.counters.watches_opened >= 2
