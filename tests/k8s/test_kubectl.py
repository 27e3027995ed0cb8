"""Side by side with ``kubectl wait`` on the same emulated cluster: both reach the same outcome."""

from __future__ import annotations

import shutil
from pathlib import Path

import anyio
import pytest

from waitkit import ResourceNotFoundError, WaitFailedError, WaitTimeoutError
from waitkit.emulator.k8s import (
    ContainerState,
    JobPoint,
    JobScenario,
    KubernetesScenario,
    LogPoint,
    PodPoint,
    PodScenario,
)
from waitkit.k8s import ConditionWaiter, JobWaiter, LogLine

from .conftest import FAST, Env, Start, meanwhile, settle, when

pytestmark = [
    pytest.mark.anyio,
    pytest.mark.skipif(shutil.which("kubectl") is None, reason="kubectl is not installed"),
]


async def _kubectl(env: Env, cache: Path, target: str, expression: str, timeout: float) -> str:
    """The outcome of ``kubectl wait``: met, timeout, not_found or the error text."""
    result = await anyio.run_process(
        [
            "kubectl",
            "--kubeconfig",
            str(env.emu.kubeconfig_path),
            "--cache-dir",
            str(cache),
            "wait",
            target,
            f"--for={expression}",
            f"--timeout={timeout}s",
        ],
        check=False,
    )
    text = (result.stdout + result.stderr).decode()
    if result.returncode == 0:
        return "met"
    if "timed out" in text:
        return "timeout"
    if "not found" in text or "NotFound" in text:
        return "not_found"
    return f"error: {text.strip()}"


async def _waitkit(waiter: ConditionWaiter | JobWaiter, timeout: float) -> str:
    try:
        await waiter.wait(timeout=timeout)
    except WaitTimeoutError:
        return "timeout"
    except ResourceNotFoundError:
        return "not_found"
    except WaitFailedError:
        return "failed"
    return "met"


def _job(name: str = "etl", *points: JobPoint, suspend: bool = False) -> JobScenario:
    return JobScenario(name=name, timeline=list(points), suspend=suspend)


_SCENARIO = KubernetesScenario(
    jobs=[
        _job("done", JobPoint(at=0.4, phase="succeeding"), JobPoint(at=0.6, phase="complete")),
        _job("broken", JobPoint(at=0.3, phase="failing"), JobPoint(at=0.5, phase="failed")),
        _job("paused", suspend=True),
    ],
    pods=[PodScenario(name="web", timeline=[PodPoint(at=0), PodPoint(at=0.4, phase="Running")])],
)

#: (target, --for, timeout, the outcome both must reach)
CASES = [
    ("job/done", "condition=Complete", 10, "met"),
    ("job/done", "condition=complete", 10, "met"),  # case-insensitive
    ("job/broken", "condition=Complete", 0.5, "timeout"),  # a failed Job never completes
    ("job/broken", "condition=Failed", 10, "met"),
    ("job/paused", "condition=Suspended", 10, "met"),
    ("job/paused", "condition=Suspended=False", 0.5, "timeout"),
    ("job/done", "jsonpath={.status.succeeded}=1", 10, "met"),
    ("job/done", "jsonpath={.status.completionTime}", 10, "met"),
    ("job/missing", "condition=Complete", 10, "not_found"),
    ("pod/web", "jsonpath={.status.phase}=Running", 10, "met"),
    ("pod/web", "create", 10, "met"),
]
#: The cases met only once the timelines move: each opens a watch on both sides.
_PENDING_JOBS = 5
_PENDING_PODS = 1


async def test_same_outcomes_as_kubectl(start: Start, tmp_path: Path) -> None:
    """For each expression, ConditionWaiter and kubectl wait, run side by side, agree."""
    env = await start(_SCENARIO)
    outcomes: dict[tuple[str, str], dict[str, str]] = {}

    async def run(target: str, expression: str, timeout: float) -> None:
        kind, name = target.split("/")
        waiter = ConditionWaiter(env.api, kind, name, for_=expression, policy=FAST)
        results: dict[str, str] = {}

        async def run_kubectl() -> None:
            results["kubectl"] = await _kubectl(env, tmp_path, target, expression, timeout)

        async def run_waitkit() -> None:
            results["waitkit"] = await _waitkit(waiter, timeout)

        async with anyio.create_task_group() as tg:
            tg.start_soon(run_kubectl)
            tg.start_soon(run_waitkit)
        outcomes[target, expression] = results

    watching = [env.watch_opened(count=2 * _PENDING_JOBS), env.watch_opened("pods", count=2)]

    async def move_time() -> None:
        # Once every pending wait watches. The outcomes do not depend on when time moves
        # (a wait that starts late reads the end state at once), so on a machine too busy
        # to start eleven kubectl processes quickly, time moves anyway after a while.
        with anyio.move_on_after(5):
            await settle(lambda: all(check() for check in watching))
        env.advance()

    async def run_all() -> None:
        async with anyio.create_task_group() as tg:
            for target, expression, timeout, _ in CASES:
                tg.start_soon(run, target, expression, timeout)

    await meanwhile(run_all(), move_time())
    expected = {
        (target, expression): {"kubectl": outcome, "waitkit": outcome}
        for target, expression, _, outcome in CASES
    }
    assert outcomes == expected


async def test_delete_agrees_with_kubectl(start: Start, tmp_path: Path) -> None:
    """--for=delete: both return once the Job is deleted."""
    env = await start(KubernetesScenario(jobs=[_job()]))
    outcomes: dict[str, str] = {}

    async def run_kubectl() -> None:
        outcomes["kubectl"] = await _kubectl(env, tmp_path, "job/etl", "delete", 10)

    async def run_waitkit() -> None:
        waiter = ConditionWaiter(env.api, "job", "etl", for_="delete", policy=FAST)
        outcomes["waitkit"] = await _waitkit(waiter, 10)

    async def run_both() -> None:
        async with anyio.create_task_group() as tg:
            tg.start_soon(run_kubectl)
            tg.start_soon(run_waitkit)

    # Deleted once both watch the Job: neither may have returned before.
    await meanwhile(run_both(), when(env.watch_opened(count=2), lambda: env.kube.delete_job("etl")))
    assert outcomes == {"kubectl": "met", "waitkit": "met"}


async def test_job_waiter_failure_matches_kubectl_failed(start: Start, tmp_path: Path) -> None:
    """JobWaiter fails when kubectl sees Failed, and succeeds when kubectl sees Complete."""
    env = await start(
        KubernetesScenario(
            jobs=[
                _job("etl", JobPoint(at=0.3, phase="failing"), JobPoint(at=0.5, phase="failed")),
                _job(
                    "ok", JobPoint(at=0.4, phase="succeeding"), JobPoint(at=0.6, phase="complete")
                ),
            ]
        )
    )
    outcomes: dict[str, str] = {}

    async def record(key: str, coro: object) -> None:
        outcomes[key] = await coro  # type: ignore[misc]

    async def run_all() -> None:
        async with anyio.create_task_group() as tg:
            tg.start_soon(
                record, "kubectl-failed", _kubectl(env, tmp_path, "job/etl", "condition=Failed", 10)
            )
            tg.start_soon(
                record,
                "kubectl-complete",
                _kubectl(env, tmp_path, "job/ok", "condition=Complete", 10),
            )
            tg.start_soon(
                record, "waitkit-etl", _waitkit(JobWaiter(env.api, "etl", policy=FAST), 10)
            )
            tg.start_soon(record, "waitkit-ok", _waitkit(JobWaiter(env.api, "ok", policy=FAST), 10))

    # Time moves once kubectl's two watches and waitkit's shared one are open.
    await meanwhile(run_all(), when(env.watch_opened(count=3), env.advance))
    assert outcomes == {
        "kubectl-failed": "met",
        "kubectl-complete": "met",
        "waitkit-etl": "failed",
        "waitkit-ok": "met",
    }


async def test_kubectl_logs_follow_agrees_with_the_stream(start: Start, tmp_path: Path) -> None:
    """``kubectl logs -f --timestamps`` and JobWaiter's on_log see the same lines, same times."""
    env = await start(
        KubernetesScenario(
            jobs=[_job("etl")],
            pods=[
                PodScenario(
                    name="etl-1",
                    job="etl",
                    logs="starting\n",
                    log_lines=[LogPoint(at=1, text="step 1\nstep 2"), LogPoint(at=2, text="done")],
                    timeline=[
                        PodPoint(at=0, phase="Running"),
                        PodPoint(
                            at=3,
                            phase="Succeeded",
                            containers=[ContainerState(terminated="Completed", exit_code=0)],
                        ),
                    ],
                )
            ],
        )
    )
    streamed: list[LogLine] = []
    waiter = JobWaiter(env.api, "etl", on_log=streamed.append, policy=FAST)
    command = ["kubectl", "--kubeconfig", str(env.emu.kubeconfig_path), "--cache-dir"]
    command += [str(tmp_path), "logs", "-f", "--timestamps", "pod/etl-1"]
    printed: list[bytes] = []

    async def follow_with_kubectl() -> None:
        async with await anyio.open_process(command) as process:
            assert process.stdout is not None
            printed.extend([chunk async for chunk in process.stdout])
            assert await process.wait() == 0

    async def drive() -> None:
        await settle(lambda: env.kube.logs.open == 2, "both streams to open")
        env.advance()  # every line, then the container ends: both streams end
        await settle(lambda: env.kube.logs.open == 0 and len(streamed) == 4)
        env.kube.set_job_phase("etl", "complete")

    async with anyio.create_task_group() as tasks:
        tasks.start_soon(follow_with_kubectl)
        await meanwhile(waiter.wait(timeout=20), drive())
    by_kubectl = b"".join(printed).decode().splitlines()
    assert by_kubectl == [f"{ln.timestamp} {ln.text}" for ln in streamed]
    assert [ln.text for ln in streamed] == ["starting", "step 1", "step 2", "done"]
