"""The real kubectl against the emulator: discovery, Table output, -o json, and kubectl wait."""

from __future__ import annotations

import asyncio
import json
import shutil

import pytest

from waitkit.emulator.k8s import JobPoint, JobScenario, KubernetesScenario, PodPoint, PodScenario

KUBECTL = shutil.which("kubectl")
pytestmark = [
    pytest.mark.anyio,
    pytest.mark.skipif(KUBECTL is None, reason="kubectl is not installed on this machine"),
]


async def spawn(cluster, *args: str) -> asyncio.subprocess.Process:
    """Start kubectl against the cluster's kubeconfig, its output piped."""
    assert KUBECTL is not None
    return await asyncio.create_subprocess_exec(
        KUBECTL,
        "--kubeconfig",
        str(cluster.kubeconfig),
        *args,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )


async def kubectl(cluster, *args: str) -> tuple[int, str, str]:
    """Run kubectl against the cluster's kubeconfig (without blocking the server's event loop)."""
    process = await spawn(cluster, *args)
    out, err = await process.communicate()
    assert process.returncode is not None
    return process.returncode, out.decode(), err.decode()


def _scenario() -> KubernetesScenario:
    return KubernetesScenario(
        jobs=[
            JobScenario(
                name="good",
                timeline=[JobPoint(at=0.3, phase="succeeding"), JobPoint(at=0.6, phase="complete")],
            ),
            JobScenario(
                name="bad",
                timeline=[
                    JobPoint(at=0.3, phase="failing", reason="BackoffLimitExceeded"),
                    JobPoint(at=0.6, phase="failed", reason="BackoffLimitExceeded"),
                ],
            ),
        ],
        pods=[
            PodScenario(
                name="good-x1",
                job="good",
                logs="line 1\nline 2\n",
                timeline=[PodPoint(after=0, phase="Running")],
            )
        ],
    )


async def test_get_jobs_table(start_cluster):
    """`kubectl get jobs` prints the server's Table columns with the timeline's current status."""
    cluster = await start_cluster(_scenario(), clock="manual")
    rc, out, err = await kubectl(cluster, "get", "jobs")
    assert rc == 0, err
    lines = out.splitlines()
    assert lines[0].split() == ["NAME", "STATUS", "COMPLETIONS", "DURATION", "AGE"]
    assert [line.split()[:3] for line in lines[1:]] == [
        ["bad", "Running", "0/1"],
        ["good", "Running", "0/1"],
    ]
    cluster.advance()
    rc, out, err = await kubectl(cluster, "get", "jobs")
    assert rc == 0, err
    assert [line.split()[:3] for line in out.splitlines()[1:]] == [
        ["bad", "Failed", "0/1"],
        ["good", "Complete", "1/1"],
    ]


async def test_get_job_json_and_pods_and_logs(start_cluster):
    """`-o json` gives the Job; pods print as a Table; `kubectl logs` reads the scripted log."""
    cluster = await start_cluster(_scenario(), clock="manual")
    rc, out, err = await kubectl(cluster, "get", "job", "good", "-o", "json")
    assert rc == 0, err
    job = json.loads(out)
    assert (job["kind"], job["metadata"]["name"], job["status"]["active"]) == ("Job", "good", 1)
    rc, out, err = await kubectl(cluster, "get", "pods", "-l", "batch.kubernetes.io/job-name=good")
    assert rc == 0, err
    assert out.splitlines()[1].split()[:3] == ["good-x1", "1/1", "Running"]
    rc, out, err = await kubectl(cluster, "logs", "good-x1")
    assert (rc, out) == (0, "line 1\nline 2\n"), err


async def test_wait_complete_and_failed(start_cluster):
    """`kubectl wait --for=condition=complete|failed` return when the timeline gets there."""
    cluster = await start_cluster(_scenario(), clock="manual")
    waits = [
        asyncio.ensure_future(
            kubectl(cluster, "wait", f"--for=condition={cond}", job, "--timeout=10s")
        )
        for cond, job in (("complete", "job/good"), ("failed", "job/bad"))
    ]
    # Both are watching, and neither could have returned: the timelines have not moved yet.
    await cluster.settle(lambda: cluster.backend.requests["watch", "jobs"] >= 2)
    assert not any(wait.done() for wait in waits)
    cluster.advance()
    (rc1, out1, err1), (rc2, out2, err2) = await asyncio.gather(*waits)
    assert (rc1, out1.strip()) == (0, "job.batch/good condition met"), err1
    assert (rc2, out2.strip()) == (0, "job.batch/bad condition met"), err2
    assert cluster.counters.watches_opened >= 2


async def test_wait_times_out_on_wrong_outcome(start_cluster):
    """Waiting for complete on a Job that failed runs to the timeout (kubectl has no OR), rc 1."""
    cluster = await start_cluster(_scenario(), clock="manual")
    cluster.advance()  # bad has failed
    rc, _, err = await kubectl(
        cluster, "wait", "--for=condition=complete", "job/bad", "--timeout=0.3s"
    )
    assert rc == 1
    assert "timed out waiting for the condition on jobs/bad" in err


async def test_wait_with_already_met_condition(start_cluster):
    """A condition that already holds is met from the initial list, with no change needed."""
    cluster = await start_cluster(
        KubernetesScenario(
            jobs=[JobScenario(name="done", timeline=[JobPoint(after=0, phase="complete")])]
        )
    )
    rc, out, err = await kubectl(
        cluster, "wait", "--for=condition=Complete", "job/done", "--timeout=5s"
    )
    assert (rc, out.strip()) == (0, "job.batch/done condition met"), err


async def test_get_watch_prints_table_rows(start_cluster):
    """`kubectl get jobs -w` gets Table rows on the watch too, one line per change."""
    cluster = await start_cluster(_scenario(), clock="manual")
    process = await spawn(cluster, "get", "job", "good", "-w", "--request-timeout=10s")
    assert process.stdout is not None
    lines = [await process.stdout.readline() for _ in range(2)]  # header, Running
    await cluster.settle(lambda: cluster.backend.requests["watch", "jobs"] >= 1)
    cluster.advance()  # SuccessCriteriaMet, then Complete: two MODIFIED events
    lines += [await process.stdout.readline() for _ in range(2)]
    await cluster.backend.aclose()  # ends the watch cleanly: kubectl exits
    rest, err = await process.communicate()
    assert process.returncode == 0, err
    rows = [line.decode().split()[:3] for line in lines[1:]]
    assert rest == b""
    assert rows == [
        ["good", "Running", "0/1"],
        ["good", "SuccessCriteriaMet", "1/1"],
        ["good", "Complete", "1/1"],
    ]


async def test_logs_tail_and_limit_bytes(start_cluster):
    """`kubectl logs --tail` gives the last lines, long ones whole; `--limit-bytes` a start."""
    long_lines = "".join(f"{i:02d} " + "x" * 2045 + "\n" for i in range(30)) + "done\n"
    cluster = await start_cluster(
        KubernetesScenario(
            pods=[
                PodScenario(name="p", logs=long_lines, timeline=[PodPoint(after=0, phase="Failed")])
            ]
        ),
        clock="manual",
    )
    rc, out, err = await kubectl(cluster, "logs", "p", "--tail=3")
    assert rc == 0, err
    assert [line[:3] for line in out.splitlines()] == ["28 ", "29 ", "don"]
    assert len(out) == 2 * len("28 " + "x" * 2045 + "\n") + len("done\n")
    rc, out, err = await kubectl(cluster, "logs", "p", "--tail=3", "--limit-bytes=100")
    assert rc == 0, err
    assert out == "28 " + "x" * 97
