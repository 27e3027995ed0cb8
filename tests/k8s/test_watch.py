"""The shared list+watch under faults: 410, cut streams, server timeouts, drops, throttling."""

from __future__ import annotations

import anyio
import pytest

from waitkit import ProbeError, WaitFailedError
from waitkit.emulator import Fault
from waitkit.emulator.k8s import JobPoint, JobScenario, KubernetesScenario
from waitkit.k8s import JobPhase, JobWaiter, WatchOptions

from .conftest import FAST, Start

pytestmark = pytest.mark.anyio


def _scenario(*points: JobPoint) -> KubernetesScenario:
    return KubernetesScenario(jobs=[JobScenario(name="etl", timeline=list(points))])


def _k8s(env_faults: object, kind: str, operation: str, **kwargs: object) -> None:
    env_faults.add(Fault(kind=kind, service="kubernetes", operation=operation, **kwargs))  # type: ignore[attr-defined,arg-type]


async def test_list_then_watch_from_list_version(start: Start) -> None:
    """One LIST, then one WATCH from the list's version; the change arrives as an event."""
    env = await start(_scenario(JobPoint(at=0.5, phase="complete")))
    result = await JobWaiter(env.api, "etl", pod_causes=False, policy=FAST).wait()
    assert result.state.phase is JobPhase.COMPLETE
    assert env.emu.counters.of("kubernetes", "list") == 1
    assert env.emu.counters.watches_opened == 1


async def test_gone_event_relists(start: Start) -> None:
    """An ERROR 410 event on the watch makes waitkit LIST again and watch from the new version."""
    env = await start(_scenario(JobPoint(at=0.6, phase="complete")))
    _k8s(env.emu.faults, "gone", "watch", count=1)
    result = await JobWaiter(env.api, "etl", pod_causes=False, policy=FAST).wait()
    assert result.state.phase is JobPhase.COMPLETE
    assert env.emu.counters.of("kubernetes", "list") == 2
    assert env.emu.counters.watches_opened == 2


async def test_expired_version_mid_wait_relists(start: Start) -> None:
    """History compacted mid-wait: the re-watch after a server timeout gets 410 and re-lists."""
    env = await start(_scenario(JobPoint(at=1.6, phase="complete")))
    options = WatchOptions(server_timeout=1)

    async def compact() -> None:
        await anyio.sleep(0.3)
        env.kube.create_job(JobScenario(name="other"))  # moves the server past our version
        env.kube.compact_history()

    waiter = JobWaiter(env.api, "etl", shared=False, pod_causes=False, watch=options, policy=FAST)
    async with anyio.create_task_group() as tg:
        tg.start_soon(compact)
        result = await waiter.wait()
    assert result.state.phase is JobPhase.COMPLETE
    assert env.emu.counters.of("kubernetes", "list") >= 2


async def test_server_timeout_rewatches_without_relist(start: Start) -> None:
    """A clean end of stream at timeoutSeconds re-watches from the last version, no new LIST."""
    env = await start(_scenario(JobPoint(at=1.4, phase="complete")))
    options = WatchOptions(server_timeout=1)
    result = await JobWaiter(env.api, "etl", pod_causes=False, watch=options, policy=FAST).wait()
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
    options = WatchOptions(reconnect_min_delay=0.05, reconnect_max_delay=0.1)
    result = await JobWaiter(env.api, "etl", pod_causes=False, watch=options, policy=FAST).wait()
    assert result.state.phase is JobPhase.COMPLETE
    assert env.emu.counters.watches_opened >= 3
    assert env.emu.counters.faults["kubernetes", "watch", "cut_watch"] == 2


async def test_read_timeout_reconnects(start: Start) -> None:
    """A silent stream is taken for dead after read_timeout and reopened."""
    env = await start(_scenario(JobPoint(at=1.0, phase="complete")))
    options = WatchOptions(read_timeout=0.4, reconnect_min_delay=0.05, reconnect_max_delay=0.1)
    result = await JobWaiter(env.api, "etl", pod_causes=False, watch=options, policy=FAST).wait()
    assert result.state.phase is JobPhase.COMPLETE
    assert env.emu.counters.watches_opened >= 2


async def test_dropped_connections_are_retried(start: Start) -> None:
    """Dropped LIST and WATCH connections are transient: the wait goes on and succeeds."""
    env = await start(_scenario(JobPoint(at=0.8, phase="complete")))
    _k8s(env.emu.faults, "drop", "list", count=2)
    _k8s(env.emu.faults, "drop", "watch", count=2)
    result = await JobWaiter(env.api, "etl", pod_causes=False, policy=FAST).wait()
    assert result.state.phase is JobPhase.COMPLETE
    assert env.emu.counters.faults["kubernetes", "list", "drop"] == 2


async def test_throttled_list_honours_retry_after(start: Start) -> None:
    """A 429 on LIST is throttling: the wait sleeps Retry-After and succeeds."""
    env = await start(_scenario(JobPoint(at=0.2, phase="complete")))
    _k8s(env.emu.faults, "throttle", "list", count=1, retry_after=0.3)  # sent as whole seconds
    result = await JobWaiter(env.api, "etl", pod_causes=False, policy=FAST).wait()
    assert result.state.phase is JobPhase.COMPLETE
    assert result.elapsed >= 1.0  # Retry-After: 1, not the policy's 0.05 s throttle backoff
    assert env.emu.counters.faults["kubernetes", "list", "throttle"] == 1


async def test_throttled_watch_is_retried(start: Start) -> None:
    """A 429 on the WATCH request is throttling too."""
    env = await start(_scenario(JobPoint(at=0.5, phase="complete")))
    _k8s(env.emu.faults, "throttle", "watch", count=1, retry_after=0.1)
    result = await JobWaiter(env.api, "etl", pod_causes=False, policy=FAST).wait()
    assert result.state.phase is JobPhase.COMPLETE


async def test_server_errors_are_transient(start: Start) -> None:
    """503s on LIST are retried up to max_transient_errors."""
    env = await start(_scenario(JobPoint(at=0.2, phase="complete")))
    _k8s(env.emu.faults, "error", "list", status=503, count=2)
    result = await JobWaiter(env.api, "etl", pod_causes=False, policy=FAST).wait()
    assert result.state.phase is JobPhase.COMPLETE


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
    with anyio.move_on_after(0.5):
        await JobWaiter(env.api, "etl", policy=FAST).wait()
    assert env.emu.counters.watches_opened >= 1  # closed: checked by the fixture


async def test_failure_closes_the_stream(start: Start) -> None:
    """A failed wait closes its streams too."""
    env = await start(_scenario(JobPoint(at=0.2, phase="failed")))
    with pytest.raises(WaitFailedError):
        await JobWaiter(env.api, "etl", policy=FAST).wait()


async def test_states_yields_distinct_states(start: Start) -> None:
    """states() yields each distinct state once, from running to complete."""
    env = await start(
        _scenario(JobPoint(at=0.2, phase="succeeding"), JobPoint(at=0.4, phase="complete"))
    )
    phases = [
        state.phase
        async for state in JobWaiter(env.api, "etl", pod_causes=False, policy=FAST).states()
    ]
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
    with anyio.fail_after(5):
        async with anyio.create_task_group() as tg:
            for name in ("a", "b"):
                tg.start_soon(
                    JobWaiter(env.api, name, shared=False, pod_causes=False, policy=FAST).wait
                )
    assert env.emu.counters.watches_opened == 2


async def test_bookmarks_move_the_version_forward(start: Start) -> None:
    """Bookmarks advance the resume version: after compaction the re-watch needs no new LIST."""
    scenario = _scenario(JobPoint(at=1.6, phase="complete")).model_copy(
        update={"bookmark_interval": 0.2}
    )
    env = await start(scenario)
    options = WatchOptions(server_timeout=1)

    async def compact() -> None:
        await anyio.sleep(0.3)
        env.kube.create_job(JobScenario(name="other"))  # not on our filtered stream
        await anyio.sleep(0.4)  # a bookmark carries the new version
        env.kube.compact_history()

    waiter = JobWaiter(env.api, "etl", shared=False, pod_causes=False, watch=options, policy=FAST)
    async with anyio.create_task_group() as tg:
        tg.start_soon(compact)
        result = await waiter.wait()
    assert result.state.phase is JobPhase.COMPLETE
    assert env.emu.counters.of("kubernetes", "list") == 1
    assert env.emu.counters.watches_opened >= 2
