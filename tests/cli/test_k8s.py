"""`waitkit k8s-job` and `waitkit k8s-wait` end to end against the emulated cluster."""

import json
import re
from collections.abc import Iterator
from contextlib import contextmanager

import pytest

from waitkit._cli._commands._kube import watch_policy
from waitkit._cli._commands.k8s_wait import targets
from waitkit._cli._errors import UsageError
from waitkit._cli._exit import ExitCode
from waitkit._core._policy import DEFAULT_POLICY
from waitkit.emulator import Emulator, Fault, Scenario
from waitkit.emulator.k8s import (
    ContainerState,
    JobPoint,
    JobScenario,
    KubernetesScenario,
    PodPoint,
    PodScenario,
)

from .conftest import advance_once, running

FAST = ["--min-delay", "0.02", "--max-delay", "0.1"]
CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
LOG = "".join(f"line {i}\n" for i in range(10))


@contextmanager
def cluster(scenario: KubernetesScenario) -> Iterator[str]:
    """An emulated cluster on its own thread and loop; yields its kubeconfig path."""
    with running(Scenario(kubernetes=scenario)) as emulator:
        yield str(emulator.kubeconfig_path)


def jobs() -> KubernetesScenario:
    """Jobs: "ok" completes, "bad" fails (a failed pod, its log), "stuck" never ends."""
    return KubernetesScenario(
        namespaces=["default", "batch"],
        jobs=[
            JobScenario(
                name="ok",
                timeline=[JobPoint(at=0.2, phase="succeeding"), JobPoint(at=0.4, phase="complete")],
            ),
            JobScenario(
                name="bad",
                timeline=[
                    JobPoint(at=0.3, phase="failing", reason="BackoffLimitExceeded", failed=1),
                    JobPoint(at=0.5, phase="failed", reason="BackoffLimitExceeded", failed=1),
                ],
            ),
            JobScenario(name="stuck"),
            JobScenario(
                name="other",
                namespace="batch",
                timeline=[JobPoint(at=0.2, phase="complete")],
            ),
        ],
        pods=[
            PodScenario(
                name="bad-x1",
                job="bad",
                logs=LOG,
                timeline=[
                    PodPoint(at=0, phase="Running"),
                    PodPoint(
                        at=0.1,
                        phase="Failed",
                        containers=[ContainerState(terminated="Error", exit_code=2)],
                    ),
                ],
            ),
            PodScenario(
                name="stuck-x1",
                job="stuck",
                timeline=[PodPoint(at=0, containers=[ContainerState(waiting="ImagePullBackOff")])],
            ),
        ],
    )


def kube_args(kubeconfig: str, *, fast: bool = True) -> list[str]:
    """What every command here ends with: the cluster's kubeconfig, and fast polling."""
    return ["--kubeconfig", kubeconfig, *(FAST if fast else [])]


def finals(out: str) -> dict[str, str]:
    """The final line of each resource, by label."""
    return {line.split(":")[0]: line for line in out.splitlines() if " after " in line}


# ------------------------------------------------------------------ k8s-job


def test_jobs_awaited_together_failure_shows_reason_and_log_tail(cli):
    """Two Jobs at once: one succeeds, one fails (exit 1) with its reason and its pod's log."""
    with cluster(jobs()) as kubeconfig:
        run = cli("k8s-job", "ok", "bad", "--log-lines", "3", *kube_args(kubeconfig))
    assert run.code == 1, run.out + run.err
    lines = finals(run.out)
    assert lines["default/ok"].startswith("default/ok: succeeded after")
    assert lines["default/bad"].endswith(
        ": BackoffLimitExceeded: Job has reached the specified backoff limit"
    ), lines["default/bad"]
    # Pod causes seen while the Job ran (if it was seen running) come first, then the log.
    after = run.out.split(lines["default/bad"], 1)[1].splitlines()
    start = after.index("  last 3 log lines of pod bad-x1:")
    assert after[start + 1 : start + 4] == ["    line 7", "    line 8", "    line 9"]
    assert not CONTROL.search(run.out + run.err)


def test_a_failed_job_whose_log_hangs_exits_1_with_its_reason_cut(cli):
    """pods/log hangs and the reason is 200 KB with escapes: exit 1, the reason cut, no log why."""
    message = "\x1b[31mquota\x1b[0m " + "q" * 200_000
    failed_pod = PodPoint(
        at=0, phase="Failed", containers=[ContainerState(terminated="Error", exit_code=2)]
    )
    scenario = Scenario(
        kubernetes=KubernetesScenario(
            jobs=[
                JobScenario(
                    name="bad",
                    timeline=[
                        JobPoint(at=0.2, phase="failed", reason="PodFailurePolicy", message=message)
                    ],
                )
            ],
            pods=[PodScenario(name="bad-x1", job="bad", logs=LOG, timeline=[failed_pod])],
        ),
        faults=[Fault(kind="latency", service="kubernetes", operation="log", delay=3600)],
    )
    with running(scenario) as emulator:
        kubeconfig = str(emulator.kubeconfig_path)
        run = cli(
            "k8s-job", "bad", "--diagnostics-timeout", "0.2s", *kube_args(kubeconfig, fast=False)
        )
    assert run.code == ExitCode.FAILED, run.out + run.err
    line = finals(run.out)["default/bad"]
    assert ": PodFailurePolicy: \\x1b[31mquota\\x1b[0m qqq" in line, line[:300]
    assert line.endswith(" more characters)")
    assert len(line) < 1000
    assert "  log of pod bad-x1 unavailable: no answer within 0.2s" in run.out.splitlines()
    assert not CONTROL.search(run.out + run.err)


def test_a_job_that_does_not_finish_exits_2_and_shows_its_pod_causes(cli):
    """A timeout exits 2; the renderer names what the Job's pod is stuck on."""
    with cluster(jobs()) as kubeconfig:
        # 1 s: room for a first look on a loaded machine (its state is asserted).
        run = cli("k8s-job", "stuck", "--timeout", "1s", *kube_args(kubeconfig))
    assert run.code == 2
    assert re.search(r"default/stuck: timed out after \d+\.\ds: last state: running", run.out)
    assert "  pod stuck-x1/main: ImagePullBackOff" in run.out


def test_fail_fast_fails_on_a_stuck_image_pull(cli):
    """--fail-fast with a short grace ends the wait with exit 1 long before the timeout."""
    with cluster(jobs()) as kubeconfig:
        run = cli(
            "k8s-job", "stuck", "--fail-fast", "--fail-fast-after", "0.2s", "--timeout", "10s",
            *kube_args(kubeconfig)
        )  # fmt: skip
    assert run.code == 1
    line = finals(run.out)["default/stuck"]
    assert "stuck-x1/main: ImagePullBackOff for more than 0.2s (fail_fast)" in line
    assert "  pod stuck-x1/main: ImagePullBackOff" in run.out


def test_job_json_and_the_namespace_option(cli):
    """--json results parse; -n picks the namespace; the default namespace is the context's."""
    with cluster(jobs()) as kubeconfig:
        run = cli("k8s-job", "other", "-n", "batch", "--json", *kube_args(kubeconfig))
        missing = cli("k8s-job", "other", "--json", "-q", *kube_args(kubeconfig))
    assert run.code == 0, run.err
    objects = [json.loads(line) for line in run.out.splitlines()]
    result = objects[-1]
    assert result["event"] == "result"
    assert result["resource"] == "batch/other"
    assert result["waiter"] == "k8s_job"
    assert result["state"]["phase"] == "complete"
    assert missing.code == 1  # not in the kubeconfig context's namespace, "default"
    (result,) = [json.loads(line) for line in missing.out.splitlines()]
    assert result["outcome"] == "not_found"


def test_until_decided_returns_at_success_criteria_met(cli):
    """--until decided returns once SuccessCriteriaMet holds, though the Job never completes."""
    scenario = Scenario(
        clock="manual",  # time moves only when the Job has been read: then it is succeeding
        kubernetes=KubernetesScenario(
            jobs=[
                JobScenario(
                    name="slow",
                    timeline=[
                        JobPoint(at=1, phase="succeeding"),
                        JobPoint(at=30, phase="complete"),
                    ],
                )
            ]
        ),
    )

    def read(emu: Emulator) -> bool:
        return emu.counters.of("kubernetes") >= 1

    with running(scenario) as emulator, advance_once(emulator, read, 1):
        kubeconfig = str(emulator.kubeconfig_path)
        run = cli("k8s-job", "slow", "--until", "decided", *kube_args(kubeconfig, fast=False))
    assert run.code == 0, run.err
    assert "succeeding" in finals(run.out)["default/slow"]


def test_watch_waits_look_often_unless_delays_are_given():
    """Without --min/--max-delay a watch waiter pauses 0.01-0.05 s (news is prompt); given, kept."""
    short = watch_policy(DEFAULT_POLICY)
    assert (short.min_delay, short.max_delay) == (0.01, 0.05)
    mine = DEFAULT_POLICY.replace(min_delay=1)
    assert watch_policy(mine) is mine


def test_k8s_usage_errors_exit_3(cli, tmp_path):
    """A missing kubeconfig, a bad --log-lines and a bad name exit 3 with one line."""
    nowhere = str(tmp_path / "none")
    run = cli("k8s-job", "etl", "--kubeconfig", nowhere)
    assert run.code == 3
    assert "is not a file" in run.err
    with cluster(jobs()) as kubeconfig:
        lines = cli("k8s-job", "etl", "--log-lines", "-1", *kube_args(kubeconfig, fast=False))
        name = cli("k8s-job", "Not_A_Name", *kube_args(kubeconfig, fast=False))
    assert lines.code == 3
    assert "log_lines" in lines.err
    assert name.code == 3
    assert len(name.err.splitlines()) == 1


# ------------------------------------------------------------------ k8s-wait


def test_wait_for_a_condition_on_several_objects(cli):
    """job/a job/b --for condition=complete (any case) succeeds; the match is shown."""
    with cluster(jobs()) as kubeconfig:
        run = cli(
            "k8s-wait", "job/ok", "jobs.batch/other", "-n", "default", "--for",
            "condition=complete", *kube_args(kubeconfig)
        )  # fmt: skip
        other = cli(
            "k8s-wait", "job", "other", "-n", "batch", "--for", "condition=Complete",
            *kube_args(kubeconfig)
        )  # fmt: skip
    assert run.code == 1  # jobs.batch/other lives in namespace batch
    lines = finals(run.out)
    assert lines["job/ok"].startswith("job/ok: succeeded after")
    assert "matched condition=complete" in lines["job/ok"]
    assert "  matched condition=complete: Complete=True" in run.out
    assert lines["jobs.batch/other"].startswith("jobs.batch/other: not found after")
    assert other.code == 0, other.out + other.err


def test_any_ends_on_whichever_holds_and_says_which(cli):
    """--any: Complete or Failed; a failed Job ends the wait with exit 0 and the match."""
    with cluster(jobs()) as kubeconfig:
        run = cli(
            "k8s-wait", "job/bad", "job/ok", "--for", "condition=Complete", "--for",
            "condition=Failed", "--any", "--json", "-q", *kube_args(kubeconfig)
        )  # fmt: skip
    assert run.code == 0, run.out + run.err
    results = {o["resource"]: o for o in map(json.loads, run.out.splitlines())}
    assert results["job/bad"]["state"]["matched"] == ["condition=Failed"]
    assert results["job/ok"]["state"]["matched"] == ["condition=Complete"]
    assert results["job/bad"]["outcome"] == "succeeded"


def test_repeated_for_must_all_hold_and_the_shown_reason(cli):
    """Without --any every --for must hold; the matched condition's reason is rendered."""
    with cluster(jobs()) as kubeconfig:
        run = cli(
            "k8s-wait", "job/bad", "--for", "condition=Failed", "--for",
            "jsonpath={.status.failed}=1", *kube_args(kubeconfig)
        )  # fmt: skip
    assert run.code == 0, run.out + run.err
    assert "  matched condition=Failed: Failed=True (BackoffLimitExceeded: " in run.out
    assert "  matched jsonpath={.status.failed}=1: value '1'" in run.out


def test_wait_that_never_holds_times_out_exit_2(cli):
    """A condition that never holds within --timeout exits 2 with the last state."""
    with cluster(jobs()) as kubeconfig:
        # --timeout 1s: room for a first look on a loaded machine (its state is asserted).
        run = cli(
            "k8s-wait", "job/stuck", "--for", "condition=Complete", "--timeout", "1s",
            *kube_args(kubeconfig)
        )  # fmt: skip
    assert run.code == 2
    assert re.search(r"job/stuck: timed out after \d+\.\ds: last state: jobs\.batch/stuck", run.out)


@pytest.mark.parametrize(
    ("argv", "fragment"),
    [
        (["job/a", "--for", "condition"], "unrecognized condition 'condition'"),
        (["job/a", "--for", "jsonpath={.status"], "jsonpath"),
        (["job/a", "job", "--for", "delete"], "is not KIND/NAME"),
        (["job", "a/b", "--for", "delete"], "plain NAMEs"),
        (["job/a"], "--for"),
    ],
)
def test_bad_wait_arguments_exit_3(cli, argv, fragment):
    """Bad --for expressions, mixed object forms and a missing --for exit 3 with one line."""
    with cluster(KubernetesScenario()) as kubeconfig:
        run = cli("k8s-wait", *argv, *kube_args(kubeconfig, fast=False))
    assert run.code == 3
    assert fragment in run.err
    assert len(run.err.splitlines()) == 1


def test_object_forms_kubectl_takes():
    """KIND/NAME... and KIND NAME... give (kind, name) pairs, each once."""
    assert targets(["job/a", "deploy.apps/b", "job/a"]) == [("job", "a"), ("deploy.apps", "b")]
    assert targets(["job", "a", "b"]) == [("job", "a"), ("job", "b")]
    with pytest.raises(UsageError, match="needs a name"):
        targets(["job"])
