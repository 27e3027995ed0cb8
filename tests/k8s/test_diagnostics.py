"""A failed Job is reported as failed, whatever its explanation (pod list, pod log) does.

The pod list and the log read only explain an outcome: each is held to
``diagnostics_timeout`` and to half the time left, and what could not be fetched is
said in the message. The log tail ends with the pod's last line whatever the lines'
length; every service-provided text in a message is escaped and cut.
"""

from __future__ import annotations

import re

import pytest

from waitkit import ConfigurationError, WaitFailedError
from waitkit.emulator import Fault
from waitkit.emulator.k8s import (
    ContainerState,
    JobPoint,
    JobScenario,
    KubernetesScenario,
    PodPoint,
    PodScenario,
)
from waitkit.k8s import JobPhase, JobWaiter

from .conftest import FAST, Env, Start, meanwhile, when

pytestmark = pytest.mark.anyio

_FAILED_POD = PodPoint(
    at=0, phase="Failed", containers=[ContainerState(terminated="Error", exit_code=1)]
)
#: Far beyond any test's length: the call never answers.
_HUNG = 3600.0
#: Longest text an error may have: a few KiB whatever the service sends.
_MESSAGE_LIMIT = 8 * 1024
_CONTROL = re.compile(r"[\x00-\x09\x0b-\x1f\x7f-\x9f]")  # all but the newline


def _failed_job(
    logs: str = "boom\n",
    *,
    pods: bool = True,
    reason: str | None = None,
    message: str | None = None,
) -> KubernetesScenario:
    """Job "etl" fails (at scenario time 0.3) after its pod "etl-bad" failed with ``logs``."""
    return KubernetesScenario(
        jobs=[
            JobScenario(
                name="etl",
                timeline=[JobPoint(at=0.3, phase="failed", reason=reason, message=message)],
            )
        ],
        pods=[PodScenario(name="etl-bad", job="etl", logs=logs, timeline=[_FAILED_POD])]
        if pods
        else [],
    )


async def _fails(env: Env, waiter: JobWaiter, *, timeout: float = 5) -> WaitFailedError:
    """The wait's WaitFailedError; the Job fails once the waiter watches it."""
    with pytest.raises(WaitFailedError) as caught:
        await meanwhile(waiter.wait(timeout=timeout), when(env.watch_opened(), env.advance))
    assert caught.value.state.phase is JobPhase.FAILED
    return caught.value


# ------------------------------------------------------------ the verdict is kept


async def test_a_hung_log_read_still_raises_the_failure(start: Start) -> None:
    """pods/log never answers: WaitFailedError with the Job's reason, and the log's timeout."""
    env = await start(_failed_job())
    env.emu.faults.add(Fault(kind="latency", service="kubernetes", operation="log", delay=_HUNG))
    waiter = JobWaiter(env.api, "etl", diagnostics_timeout=0.2, policy=FAST)
    error = await _fails(env, waiter)
    assert error.reason.startswith("BackoffLimitExceeded: Job has reached")
    assert error.state.failed_pod == "etl-bad"
    assert error.state.log_tail == ()
    assert error.state.details_missing == ("log of pod etl-bad unavailable: no answer within 0.2s",)
    assert "\n  (log of pod etl-bad unavailable: no answer within 0.2s)" in str(error)
    assert env.kube.requests["log", "pods"] == 1


async def test_a_hung_log_read_is_held_to_half_the_time_left(start: Start) -> None:
    """With the default cap (2 s) and a 2 s wait, the log read gets at most half of what is left.

    This is the reported case (a hung log turned a failure into a timeout with no state).
    """
    env = await start(_failed_job())
    env.emu.faults.add(Fault(kind="latency", service="kubernetes", operation="log", delay=_HUNG))
    error = await _fails(env, JobWaiter(env.api, "etl", policy=FAST), timeout=2)
    (missing,) = error.state.details_missing
    took = re.fullmatch(r"log of pod etl-bad unavailable: no answer within ([\d.]+)s", missing)
    assert took is not None, missing
    assert 0 < float(took.group(1)) <= 1.0
    assert error.reason.startswith("BackoffLimitExceeded")


async def test_a_hung_pod_list_still_raises_the_failure(start: Start) -> None:
    """Without the pod watch, the LIST that finds the failed pod hangs: still WaitFailedError."""
    env = await start(_failed_job())
    # The Job's own LIST comes before scenario time 0.3; the pods' LIST after it.
    env.emu.faults.add(
        Fault(kind="latency", service="kubernetes", operation="list", delay=_HUNG, start=0.3)
    )
    waiter = JobWaiter(env.api, "etl", pod_causes=False, diagnostics_timeout=0.2, policy=FAST)
    error = await _fails(env, waiter)
    assert error.state.failed_pod is None
    assert error.state.details_missing == (
        "log unavailable: the Job's pods could not be listed: no answer within 0.2s",
    )
    assert "\n  (log unavailable: the Job's pods could not be listed: no answer" in str(error)
    assert env.kube.requests["log", "pods"] == 0


async def test_a_hung_pod_list_does_not_hold_a_running_job(start: Start) -> None:
    """Pod causes are read within diagnostics_timeout too: pods LIST hangs, the Job completes."""
    job = JobScenario(name="etl", timeline=[JobPoint(at=0.3, phase="complete")])
    env = await start(KubernetesScenario(jobs=[job]))
    env.emu.faults.add(
        Fault(kind="latency", service="kubernetes", operation="list:pods", delay=_HUNG)
    )
    waiter = JobWaiter(env.api, "etl", diagnostics_timeout=0.1, policy=FAST)
    result = await meanwhile(
        waiter.wait(timeout=5),
        when(lambda: env.kube.requests["abandoned", "pods"] >= 1, env.advance),
    )
    assert result.state.phase is JobPhase.COMPLETE
    assert env.kube.requests["list", "jobs"] == 1


@pytest.mark.parametrize(
    ("status", "expected"),
    [
        (403, 'HTTP 403 Forbidden: pods "etl-bad" is forbidden: User'),
        (404, "pod deleted"),
        (500, "HTTP 500 InternalError"),
    ],
)
async def test_a_refused_log_read_still_raises_the_failure(
    start: Start, status: int, expected: str
) -> None:
    """pods/log answers 403 (no RBAC), 404 (pod gone) or 500: the failure, and why no log."""
    env = await start(_failed_job())
    env.emu.faults.add(Fault(kind="error", service="kubernetes", operation="log", status=status))
    error = await _fails(env, JobWaiter(env.api, "etl", policy=FAST))
    assert error.reason.startswith("BackoffLimitExceeded")
    (missing,) = error.state.details_missing
    assert missing.startswith(f"log of pod etl-bad unavailable: {expected}"), missing
    assert f"\n  (log of pod etl-bad unavailable: {expected}" in str(error)


@pytest.mark.parametrize("pod_causes", [True, False])
async def test_pods_that_may_not_be_listed_still_raise_the_failure(
    start: Start, *, pod_causes: bool
) -> None:
    """No RBAC to list pods (watched or listed once): the failure, and the RBAC words."""
    env = await start(_failed_job())
    env.emu.faults.add(Fault(kind="error", service="kubernetes", operation="list:pods", status=403))
    error = await _fails(env, JobWaiter(env.api, "etl", pod_causes=pod_causes, policy=FAST))
    assert error.reason.startswith("BackoffLimitExceeded")
    forbidden = (
        'pods is forbidden: User "system:serviceaccount:default:waitkit" cannot list'
        ' resource "pods" in API group "" in the namespace "default"'
    )
    assert error.state.details_missing == (
        f"log unavailable: the Job's pods could not be listed: HTTP 403 Forbidden: {forbidden}",
    )
    assert env.kube.requests["log", "pods"] == 0


async def test_a_job_without_pods_says_so(start: Start) -> None:
    """The failed Job's pods are gone (or never ran): the message says there is none to read."""
    env = await start(_failed_job(pods=False, reason="DeadlineExceeded"))
    error = await _fails(env, JobWaiter(env.api, "etl", policy=FAST))
    assert error.reason.startswith("DeadlineExceeded")
    assert error.state.details_missing == (
        "log unavailable: the Job has no pods left (deleted, or none started)",
    )
    assert "\n  (log unavailable: the Job has no pods left" in str(error)


async def test_a_job_whose_pods_did_not_fail_says_so(start: Start) -> None:
    """Pods are there, but none failed (killed at the Job's deadline): said, not guessed."""
    scenario = _failed_job(reason="DeadlineExceeded").model_copy(
        update={
            "pods": [
                PodScenario(name="etl-run", job="etl", timeline=[PodPoint(at=0, phase="Running")])
            ]
        }
    )
    env = await start(scenario)
    error = await _fails(env, JobWaiter(env.api, "etl", policy=FAST))
    assert error.state.details_missing == ("log unavailable: no failed pod among the Job's 1 pod",)


# ------------------------------------------------------------ the last lines


async def test_long_lines_still_end_with_the_last_line(start: Start) -> None:
    """400 lines of 2 KB, then a traceback: the tail ends with the pod's final line."""
    filler = "".join(f"{i:04d} " + "x" * 2043 + "\n" for i in range(400))
    traceback = (
        "Traceback (most recent call last):\n"
        '  File "etl.py", line 12, in <module>\n'
        "KeyError: 'customer_id'\n"
    )
    env = await start(_failed_job(filler + traceback))
    error = await _fails(env, JobWaiter(env.api, "etl", log_lines=20, policy=FAST))
    tail = error.state.log_tail
    assert len(tail) == 20
    assert tail[-3:] == (
        "Traceback (most recent call last):",
        '  File "etl.py", line 12, in <module>',
        "KeyError: 'customer_id'",
    )
    assert tail[0].startswith("0383 xxx")  # lines 383..399, then the traceback
    assert tail[0].endswith("... (line of 2048 characters)")
    assert all(len(line) <= 500 + len("... (line of 2048 characters)") for line in tail)
    text = str(error)
    assert "KeyError: 'customer_id'" in text
    assert len(text) < _MESSAGE_LIMIT
    # A reason fits in 3,000 characters, the most the engine keeps of one (from its start).
    assert len(error.reason) <= 3000
    assert error.reason.endswith("KeyError: 'customer_id'")
    # The message shows the last lines that fit; the state keeps all twenty.
    assert "log lines of pod etl-bad (all in state.log_tail):" in text


async def test_a_huge_single_line_is_cut_and_memory_stays_bounded(start: Start) -> None:
    """One 2 MB line (no newline at the end): kept as its first 500 characters."""
    env = await start(_failed_job("start\n" + "y" * 2_000_000))
    error = await _fails(env, JobWaiter(env.api, "etl", log_lines=5, policy=FAST))
    assert error.state.log_tail == ("start", "y" * 500 + "... (line of 2000000 characters)")


async def test_control_characters_in_the_log_are_escaped(start: Start) -> None:
    """ANSI colours and other controls reach neither the state's lines nor the message raw."""
    env = await start(_failed_job("\x1b[31mERROR\x1b[0m disk full\r\nbell\x07\n"))
    error = await _fails(env, JobWaiter(env.api, "etl", policy=FAST))
    assert error.state.log_tail == ("\\x1b[31mERROR\\x1b[0m disk full", "bell\\x07")
    assert not _CONTROL.search(str(error))
    assert "\\x1b[31mERROR" in str(error)


# ------------------------------------------------------------ bounded messages


async def test_huge_condition_message_is_cut_in_the_message_only(start: Start) -> None:
    """A 200 KB condition message with escapes: a short error text, the full value on the state."""
    message = "\x1b[1mpolicy\x1b[0m " + "m" * 200_000
    env = await start(_failed_job(reason="PodFailurePolicy", message=message))
    error = await _fails(env, JobWaiter(env.api, "etl", policy=FAST))
    assert error.state.message == message
    assert len(str(error)) < _MESSAGE_LIMIT
    assert len(error.reason.partition("\n")[0]) < 600
    assert "more characters)" in error.reason
    assert not _CONTROL.search(str(error))


async def test_huge_pod_cause_message_is_cut(start: Start) -> None:
    """fail_fast on a cause with a 100 KB message: the error text stays short."""
    cause = ContainerState(waiting="ImagePullBackOff", message="\x1b[7m" + "p" * 100_000)
    env = await start(
        KubernetesScenario(
            jobs=[JobScenario(name="etl")],
            pods=[
                PodScenario(
                    name="etl-abcde", job="etl", timeline=[PodPoint(at=0, containers=[cause])]
                )
            ],
        )
    )
    waiter = JobWaiter(env.api, "etl", fail_fast=True, fail_fast_after=0, log_lines=0, policy=FAST)
    with pytest.raises(WaitFailedError) as caught:
        await waiter.wait(timeout=5)
    assert caught.value.state.stuck is not None
    assert caught.value.state.stuck.message == cause.message
    assert len(str(caught.value)) < _MESSAGE_LIMIT
    assert not _CONTROL.search(str(caught.value))


@pytest.mark.parametrize("value", [0, -1, float("nan"), float("inf"), "2", True, None])
async def test_bad_diagnostics_timeout_is_refused(start: Start, value: object) -> None:
    """diagnostics_timeout: a ConfigurationError naming it, before any call."""
    env = await start()
    with pytest.raises(ConfigurationError, match="diagnostics_timeout must be a finite number of"):
        JobWaiter(env.api, "etl", diagnostics_timeout=value)  # type: ignore[arg-type]
    assert env.emu.counters.of("kubernetes") == 0
