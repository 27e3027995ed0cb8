"""JobWaiter's log streams against the emulator: lines as written, retries, resumes, faults.

Scenario time is manual: a driver moves it once the waiter's stream is open, so what
each stream sees depends on the order of events, never on the machine's speed.
"""

from __future__ import annotations

import re
from typing import Any

import anyio
import anyio.lowlevel
import pytest

from waitkit import ProbeError, WaitFailedError, wait_all
from waitkit.emulator import Fault
from waitkit.emulator.k8s import (
    ContainerState,
    JobPoint,
    JobScenario,
    KubernetesScenario,
    LogPoint,
    PodPoint,
    PodScenario,
)
from waitkit.k8s import JobPhase, JobWaiter, LogLine, WatchOptions, api_client

from .conftest import FAST, Env, Start, meanwhile, settle

pytestmark = pytest.mark.anyio

#: Looks at the pods often: a new pod's stream starts within one long-poll.
QUICK = WatchOptions(long_poll=0.05)
_RUNNING = PodPoint(at=0, phase="Running")


def _failed(at: float) -> PodPoint:
    return PodPoint(
        at=at, phase="Failed", containers=[ContainerState(terminated="Error", exit_code=1)]
    )


def _succeeded(at: float) -> PodPoint:
    return PodPoint(at=at, phase="Succeeded")


def _etl(*pods: PodScenario, complete_at: float | None = None) -> KubernetesScenario:
    """Job ``etl`` with ``pods``; complete at ``complete_at`` (``None``: running until told)."""
    timeline = [] if complete_at is None else [JobPoint(at=complete_at, phase="complete")]
    return KubernetesScenario(jobs=[JobScenario(name="etl", timeline=timeline)], pods=list(pods))


def _pod(name: str = "etl-1", **fields: Any) -> PodScenario:
    """A pod of Job ``etl``."""
    return PodScenario(name=name, job="etl", **fields)


def _hello_jobs(count: int, *, complete_at: float) -> KubernetesScenario:
    """``count`` Jobs ``j<i>``, each one pod saying ``hello from <i>`` at 1 s and ending at 2 s."""
    return KubernetesScenario(
        jobs=[
            JobScenario(name=f"j{i}", timeline=[JobPoint(at=complete_at, phase="complete")])
            for i in range(count)
        ],
        pods=[
            PodScenario(
                name=f"j{i}-1",
                job=f"j{i}",
                log_lines=_lines(f"hello from {i}"),
                timeline=[_RUNNING, _succeeded(2)],
            )
            for i in range(count)
        ],
    )


def _lines(*texts: str, start: float = 1.0, container: str | None = None) -> list[LogPoint]:
    """One line per scenario second from ``start``."""
    return [LogPoint(at=start + i, text=text, container=container) for i, text in enumerate(texts)]


class Collected:
    """An ``on_log`` that keeps what it is given."""

    def __init__(self) -> None:
        self.lines: list[LogLine] = []

    def __call__(self, line: LogLine) -> None:
        self.lines.append(line)

    def texts(self, pod: str | None = None) -> list[str]:
        return [ln.text for ln in self.lines if not ln.notice and pod in (None, ln.pod)]

    @property
    def notices(self) -> list[str]:
        return [ln.text for ln in self.lines if ln.notice]


def _streams(env: Env) -> Any:
    return env.kube.logs


async def _step_when(env: Env, check: Any, times: int = 1) -> None:
    """Once ``check()`` holds, move scenario time to the next point, ``times`` times."""
    for _ in range(times):
        await settle(check)
        env.advance(1)


async def test_lines_arrive_as_written_and_a_retried_pods_follow(start: Start) -> None:
    """Every line of each pod, in order, each once; the retry's stream starts when it appears."""
    env = await start(
        _etl(
            _pod(
                logs="booting\n",
                log_lines=_lines("step 1", "crash"),
                timeline=[_RUNNING, _failed(3)],
            )
        )
    )
    seen = Collected()
    waiter = JobWaiter(env.api, "etl", on_log=seen, watch=QUICK, policy=FAST)

    async def drive() -> None:
        await _step_when(env, lambda: seen.texts() == ["booting"])
        await _step_when(env, lambda: seen.texts() == ["booting", "step 1"])
        await _step_when(env, lambda: len(seen.texts()) == 3)  # the pod fails (t=3)
        await settle(lambda: _streams(env).open == 0, "the failed pod's stream to end")
        retry = PodScenario(
            name="etl-2",
            job="etl",
            log_lines=_lines("again", "done", start=0.5),
            timeline=[_RUNNING, _succeeded(2)],
        )
        env.kube.create_pod(retry)
        await _step_when(env, lambda: _streams(env).open == 1)  # the retry's stream
        await _step_when(env, lambda: seen.texts("etl-2") == ["again"])
        await settle(lambda: seen.texts("etl-2") == ["again", "done"])
        env.kube.set_job_phase("etl", "complete")

    result = await meanwhile(waiter.wait(), drive())
    assert result.state.phase is JobPhase.COMPLETE
    assert seen.texts("etl-1") == ["booting", "step 1", "crash"]
    assert seen.texts("etl-2") == ["again", "done"]
    assert {(ln.job, ln.container) for ln in seen.lines} == {("etl", "main")}
    assert all(ln.timestamp.endswith("Z") for ln in seen.lines)
    await settle(lambda: _streams(env).open == 0, "every stream closed")


async def test_the_failure_tail_comes_from_the_stream_once_the_pod_is_gone(start: Start) -> None:
    """A pod deleted as soon as it failed: the failure shows its streamed lines and names it."""
    env = await start(
        _etl(
            _pod(
                log_lines=_lines("working", "Traceback (most recent call last):", "boom"),
                timeline=[_RUNNING, _failed(3)],
            )
        )
    )
    waiter = JobWaiter(env.api, "etl", stream_logs=True, log_lines=2, watch=QUICK, policy=FAST)

    async def drive() -> None:
        await settle(lambda: _streams(env).open == 1, "the stream to open")
        env.advance()  # every line, then the container ends
        await settle(lambda: _streams(env).open == 0, "the stream to end")
        env.kube.delete_pod("etl-1")  # an aggressive clean-up controller
        env.kube.set_job_phase("etl", "failed", reason="BackoffLimitExceeded")

    with pytest.raises(WaitFailedError) as caught:
        await meanwhile(waiter.wait(), drive())
    state = caught.value.state
    assert state.failed_pod == "etl-1"
    assert state.log_streamed is True
    assert state.log_tail == ("Traceback (most recent call last):", "boom")
    assert "pod etl-1 (streamed before the pod was deleted)" in str(caught.value)


async def test_a_cut_stream_resumes_without_losing_or_repeating_lines(start: Start) -> None:
    """429, 503 and streams cut after two lines: sinceTime resumes them, repeats are dropped."""
    texts = [f"line {i}" for i in range(6)]
    env = await start(
        _etl(
            _pod(logs="".join(f"{text}\n" for text in texts), timeline=[_RUNNING, _succeeded(1)]),
            complete_at=2,
        )
    )
    env.emu.faults.add(Fault(kind="throttle", operation="log", count=1, retry_after=0.05))
    env.emu.faults.add(Fault(kind="cut_watch", operation="log", after_events=2, count=2))
    env.emu.faults.add(Fault(kind="error", status=503, operation="log", count=1))
    seen = Collected()
    waiter = JobWaiter(env.api, "etl", on_log=seen, watch=QUICK, policy=FAST)

    async def drive() -> None:
        await settle(lambda: len(seen.texts()) == 6, "every line")
        env.advance()

    await meanwhile(waiter.wait(), drive())
    assert seen.texts() == texts
    assert env.emu.counters.of("kubernetes", "log") >= 3  # refused, cut, then whole at least
    assert env.emu.counters.faults["kubernetes", "log", "throttle"] == 1


async def test_forbidden_logs_are_said_once_and_the_job_decides(start: Start) -> None:
    """403 on pods/log: one notice (state and on_log); the Job's success is the outcome."""
    env = await start(
        _etl(_pod("etl-1", timeline=[_RUNNING]), _pod("etl-2", timeline=[_RUNNING]), complete_at=1)
    )
    env.emu.faults.add(Fault(kind="error", status=403, operation="log"))
    seen = Collected()
    waiter = JobWaiter(env.api, "etl", on_log=seen, watch=QUICK, policy=FAST)

    async def drive() -> None:
        await settle(lambda: bool(seen.notices), "the notice")
        env.advance()

    result = await meanwhile(waiter.wait(), drive())
    assert result.state.phase is JobPhase.COMPLETE
    assert len(seen.notices) == 1
    assert seen.notices[0].startswith("logs of Job etl's pods cannot be read: HTTP 403 Forbidden")
    assert 'cannot get resource "pods/log"' in seen.notices[0]
    assert result.state.log_issues == tuple(seen.notices)


async def test_an_unknown_container_is_said_once_and_the_others_stream(start: Start) -> None:
    """log_containers naming a container the pods lack: one notice; the known one streams."""
    env = await start(
        _etl(
            *(
                _pod(
                    f"etl-{i}",
                    containers=["main", "sidecar"],
                    log_lines=_lines("main says", container="main")
                    + _lines("sidecar says", container="sidecar"),
                    timeline=[_RUNNING],
                )
                for i in (1, 2)
            ),
            complete_at=2,
        )
    )
    seen = Collected()
    waiter = JobWaiter(
        env.api, "etl", on_log=seen, log_containers=["sidecar", "nope"], watch=QUICK, policy=FAST
    )

    async def drive() -> None:
        await _step_when(env, lambda: _streams(env).open == 2)
        await settle(lambda: len(seen.texts()) == 2)
        env.advance()

    result = await meanwhile(waiter.wait(), drive())
    assert len(seen.notices) == 1
    assert re.fullmatch(
        r'container "nope" is not in pod etl-[12] \(it has: main, sidecar\);'
        r" its log is not streamed",
        seen.notices[0],
    )
    assert sorted((ln.pod, ln.container, ln.text) for ln in seen.lines if not ln.notice) == [
        ("etl-1", "sidecar", "sidecar says"),
        ("etl-2", "sidecar", "sidecar says"),
    ]
    assert result.state.log_issues == tuple(seen.notices)


async def test_an_on_log_error_ends_the_wait_with_its_cause(start: Start) -> None:
    """A callback that raises ends the wait (ProbeError, cause kept) and closes the streams."""
    env = await start(_etl(_pod(logs="bad line\n", timeline=[_RUNNING])))

    def explode(line: LogLine) -> None:
        raise ValueError(f"cannot parse {line.text!r}")

    waiter = JobWaiter(env.api, "etl", on_log=explode, policy=FAST)  # default 2 s long-polls
    with anyio.fail_after(5), pytest.raises(ProbeError) as caught:
        await waiter.wait(timeout=30)
    assert "on_log raised ValueError on a line of etl-1/main" in str(caught.value)
    cause = caught.value.__cause__
    assert cause is not None
    assert isinstance(cause.__cause__, ValueError)
    await settle(lambda: _streams(env).open == 0, "the server to see the stream closed")


async def test_an_async_on_log_is_awaited_in_order(start: Start) -> None:
    """A coroutine function gets every line in order."""
    env = await start(
        _etl(
            _pod(logs="".join(f"{i}\n" for i in range(50)), timeline=[_RUNNING, _succeeded(1)]),
            complete_at=1,
        )
    )
    got: list[str] = []

    async def slow(line: LogLine) -> None:
        await anyio.lowlevel.checkpoint()
        got.append(line.text)

    waiter = JobWaiter(env.api, "etl", on_log=slow, watch=QUICK, policy=FAST)

    async def drive() -> None:
        await settle(lambda: len(got) == 50)
        env.advance()

    await meanwhile(waiter.wait(), drive())
    assert got == [str(i) for i in range(50)]


async def test_many_jobs_hold_one_stream_per_running_container(start: Start) -> None:
    """30 Jobs at once: 30 streams while they run, none once the waits ended."""
    count = 30
    env = await start(_hello_jobs(count, complete_at=2))
    seen = Collected()
    waiters = [JobWaiter(env.api, f"j{i}", on_log=seen, policy=FAST) for i in range(count)]
    peak = 0

    async def drive() -> None:
        nonlocal peak
        await settle(lambda: _streams(env).open == count, "every stream open")
        env.advance(1)
        await settle(lambda: len(seen.texts()) == count, "every line")
        peak = _streams(env).open
        env.advance()

    results = await meanwhile(wait_all(waiters), drive())
    assert [r.state.phase for r in results] == [JobPhase.COMPLETE] * count
    assert peak == count
    assert sorted(seen.texts()) == sorted(f"hello from {i}" for i in range(count))
    await settle(lambda: _streams(env).open == 0, "every stream closed")


async def test_streams_take_turns_for_a_small_connection_pool(start: Start) -> None:
    """A pool of 12 connections: 4 streams at once (8 kept for watches), the rest wait, no loss."""
    count = 6
    env = await start(_hello_jobs(count, complete_at=3))
    seen = Collected()

    async def drive() -> None:
        await settle(lambda: _streams(env).open == 4 and bool(seen.notices), "the pool full")
        env.advance(2)  # the lines, then the first four pods end: the others get their turn
        await settle(lambda: len(seen.texts()) == count, "every line")
        env.advance()

    async with api_client(kubeconfig=env.emu.kubeconfig_path, max_connections=12) as api:
        waiters = [JobWaiter(api, f"j{i}", on_log=seen, policy=FAST) for i in range(count)]
        await meanwhile(wait_all(waiters), drive())
    assert sorted(seen.texts()) == sorted(f"hello from {i}" for i in range(count))
    assert len(seen.notices) == 1
    assert seen.notices[0].startswith("log streams wait for a connection: the client opens 12")
    assert _streams(env).most_open == 4


async def test_pods_that_may_not_be_listed_are_one_notice(start: Start) -> None:
    """403 on listing pods: no stream can start; one notice says why; the Job decides."""
    env = await start(_etl(_pod(timeline=[_RUNNING]), complete_at=1))
    env.emu.faults.add(Fault(kind="error", status=403, operation="list:pods"))
    seen = Collected()
    waiter = JobWaiter(env.api, "etl", on_log=seen, watch=QUICK, policy=FAST)

    async def drive() -> None:
        await settle(lambda: bool(seen.notices), "the notice")
        env.advance()

    result = await meanwhile(waiter.wait(), drive())
    assert result.state.phase is JobPhase.COMPLETE
    assert len(seen.notices) == 1
    assert seen.notices[0].startswith("logs of Job etl not streamed: its pods cannot be listed")
    assert _streams(env).opened == 0


async def test_a_cancelled_wait_closes_its_streams(start: Start) -> None:
    """Cancelling a wait with streams open closes them (and their tasks) at once."""
    env = await start(_etl(_pod(containers=["a", "b"], timeline=[_RUNNING])))
    waiter = JobWaiter(env.api, "etl", on_log=Collected(), watch=QUICK, policy=FAST)
    async with anyio.create_task_group() as tasks:
        tasks.start_soon(waiter.wait)
        await settle(lambda: _streams(env).open == 2, "both containers' streams")
        tasks.cancel_scope.cancel()
    await settle(lambda: _streams(env).open == 0, "the server to see them closed")


async def test_a_waiting_container_is_not_asked_and_a_deleted_pod_ends_its_stream(
    start: Start,
) -> None:
    """No pods/log call while the container waits; its deletion ends the stream and follower."""
    env = await start(
        _etl(
            _pod(
                log_lines=_lines("hello", start=2),
                timeline=[
                    PodPoint(at=0, containers=[ContainerState(waiting="ContainerCreating")]),
                    PodPoint(at=1, phase="Running"),
                ],
            )
        )
    )
    seen = Collected()
    waiter = JobWaiter(env.api, "etl", on_log=seen, watch=QUICK, policy=FAST)
    asked_while_waiting: list[int] = []

    async def drive() -> None:
        await settle(lambda: env.kube.requests["watch", "pods"] >= 1, "the pods watched")
        await anyio.sleep(0.2)  # several looks at the waiting pod
        asked_while_waiting.append(env.emu.counters.of("kubernetes", "log"))
        await _step_when(env, lambda: True)  # t=1: the container starts
        await _step_when(env, lambda: _streams(env).open == 1)  # t=2: it writes
        await settle(lambda: seen.texts() == ["hello"])
        env.kube.delete_pod("etl-1")
        await settle(lambda: _streams(env).open == 0, "the deleted pod's stream to end")
        env.kube.set_job_phase("etl", "complete")

    await meanwhile(waiter.wait(), drive())
    assert seen.texts() == ["hello"]
    assert asked_while_waiting == [0]
