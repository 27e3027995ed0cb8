r"""Job log streams: how many streams, how much memory, how late is a line?

Question (issue #16): ``--jobs`` Jobs (one pod, one container each) awaited at once by
``JobWaiter(on_log=...)`` in one process, on the emulator. How many log streams are
open while they run [target: one per running container, no more], how many are left
open and how many tasks are left once the waits ended [target: none], what does
streaming cost in memory and CPU, and how long from the moment a container writes a
line until ``on_log`` has it (p50/p99)?

The anchor, in the same run: ``kubectl logs -f`` of ``--kubectl-pods`` of the same pods,
one process each, its lines timed as they come out of its stdout (a thread per
process); its memory is each process's peak RSS (``wait4``). The memory anchor of
waitkit's own cost is a second child awaiting the same Jobs *without* logs.

Every client runs outside the emulator's process. The pods are created while the
scenario clock is held, so every stream is open before the first line is due; the clock
then runs, and a line's "written" time is the moment the emulator's clock reaches it
(``time.monotonic()`` of the resume, plus the line's ``at``). Times are CLOCK_MONOTONIC,
one clock for every process on the machine.

Run: ``python benchmarks/job_logs.py [--jobs N] [--lines L] [--kubectl-pods K] [--repeats R]``.
Writes ``benchmarks/results/job_logs.json``.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import resource
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

from _common import (
    kube_emulator,
    kubectl_command,
    machine_facts,
    percentiles,
    quiet_structlog,
    spread,
    write_report,
)
from waitkit.emulator import Emulator
from waitkit.emulator.k8s import JobPoint, JobScenario, LogPoint, PodPoint, PodScenario

RESULTS = Path(__file__).parent / "results" / "job_logs.json"
FIRST_LINE = 0.5  # scenario seconds after the clock resumes


# ---------------------------------------------------------------------- the waitkit child
async def child(args: argparse.Namespace) -> None:
    """Await the Jobs (with or without on_log); print what arrived when, CPU, RSS, tasks."""
    from waitkit.k8s import JobWaiter, LogLine, api_client  # noqa: PLC0415 - child mode only

    received: dict[str, float] = {}
    errors: list[str] = []

    def on_log(line: LogLine) -> None:
        received[line.text] = time.monotonic()

    tasks_before = len(asyncio.all_tasks())
    # A followed log holds a connection: room for every stream and the watches.
    async with api_client(kubeconfig=args.kubeconfig, max_connections=args.count + 16) as api:

        async def one(name: str) -> None:
            waiter = JobWaiter(
                api, name, namespace=args.namespace, on_log=on_log if args.logs else None
            )
            try:
                await waiter.wait(timeout=args.timeout)
            except Exception as error:  # noqa: BLE001 - reported, not hidden
                errors.append(f"{name}: {type(error).__name__}: {error}")

        await asyncio.gather(*(one(f"job-{i:04d}") for i in range(args.count)))
    tasks_left = len(asyncio.all_tasks()) - tasks_before
    usage = resource.getrusage(resource.RUSAGE_SELF)
    print(
        json.dumps(
            {
                "received": received,
                "errors": errors,
                "cpu_seconds": usage.ru_utime + usage.ru_stime,
                "max_rss_kib": usage.ru_maxrss,
                "tasks_left": tasks_left,
            }
        )
    )


# ---------------------------------------------------------------------- the parent
class KubectlLogs:
    """One ``kubectl logs -f``: a thread stamps each line as it comes out, then its peak RSS."""

    def __init__(self, kubeconfig: Path, cache: Path, namespace: str, pod: str) -> None:
        self.proc = subprocess.Popen(  # noqa: S603 - fixed argv, no shell
            kubectl_command(kubeconfig, cache, "logs", "-f", f"pod/{pod}", namespace=namespace),
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
        )
        self.lines: dict[str, float] = {}
        self.max_rss_kib = 0
        self.returncode: int | None = None
        self.thread = threading.Thread(target=self._read, daemon=True)
        self.thread.start()

    def _read(self) -> None:
        assert self.proc.stdout is not None
        for raw in self.proc.stdout:
            self.lines[raw.decode().rstrip("\n")] = time.monotonic()
        _, status, usage = os.wait4(self.proc.pid, 0)
        self.returncode = os.waitstatus_to_exitcode(status)
        self.max_rss_kib = usage.ru_maxrss


async def until(predicate: Any, timeout: float, what: str) -> None:
    end = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > end:
            msg = f"timed out waiting for {what}"
            raise RuntimeError(msg)
        await asyncio.sleep(0.01)


def create(emu: Emulator, namespace: str, args: argparse.Namespace) -> dict[str, float]:
    """Jobs and their pods (held clock); returns each line's ``at`` by its text."""
    kube = emu.kubernetes
    kube.create_namespace(namespace)
    last = FIRST_LINE + (args.lines - 1) * args.interval
    due: dict[str, float] = {}
    for i in range(args.jobs):
        job = f"job-{i:04d}"
        kube.create_job(
            JobScenario(
                name=job, namespace=namespace, timeline=[JobPoint(at=last + 0.5, phase="complete")]
            )
        )
        points = []
        for n in range(args.lines):
            text = f"{job} line {n:03d}"
            at = FIRST_LINE + n * args.interval
            due[text] = at
            points.append(LogPoint(at=at, text=text))
        kube.create_pod(
            PodScenario(
                name=f"{job}-x",
                namespace=namespace,
                job=job,
                log_lines=points,
                timeline=[
                    PodPoint(at=0, phase="Running"),
                    PodPoint(at=last + 0.1, phase="Succeeded"),
                ],
            )
        )
    return due


async def start_child(
    emu: Emulator, namespace: str, args: argparse.Namespace, *, logs: bool
) -> asyncio.subprocess.Process:
    return await asyncio.create_subprocess_exec(
        sys.executable,
        __file__,
        "--child",
        *(["--logs"] if logs else []),
        "--kubeconfig",
        str(emu.kubeconfig_path),
        "--namespace",
        namespace,
        "--count",
        str(args.jobs),
        "--timeout",
        str(args.timeout),
        stdout=asyncio.subprocess.PIPE,
    )


async def one_round(
    emu: Emulator, rep: int, args: argparse.Namespace, cache: Path
) -> dict[str, Any]:
    namespace = f"logs-{rep}"
    streams = emu.kubernetes.logs
    emu.clock.pause()
    streams.most_open = 0  # the last round's streams are all closed
    due = create(emu, namespace, args)
    opened_before = streams.opened
    with_logs = await start_child(emu, namespace, args, logs=True)
    without_logs = await start_child(emu, namespace, args, logs=False)
    kubectl = [
        KubectlLogs(emu.kubeconfig_path, cache, namespace, f"job-{i:04d}-x")
        for i in range(args.kubectl_pods)
    ]
    await until(lambda: streams.open >= args.jobs + args.kubectl_pods, 120, "every stream")
    await asyncio.sleep(0.5)  # no more streams open than these, while nothing happens
    open_before_lines = streams.open
    resumed = time.monotonic()
    emu.clock.resume()
    out_logs, _ = await with_logs.communicate()
    out_plain, _ = await without_logs.communicate()
    await asyncio.to_thread(lambda: [k.thread.join(60) for k in kubectl])
    peak = streams.most_open
    await until(lambda: streams.open == 0, 10, "every stream to close")
    waitkit = json.loads(out_logs)
    plain = json.loads(out_plain)
    written = {text: resumed + at for text, at in due.items()}
    kubectl_lines = [(text, t) for k in kubectl for text, t in k.lines.items()]
    kubectl_pods = {f"job-{i:04d}" for i in range(args.kubectl_pods)}
    return {
        "jobs": args.jobs,
        "lines_written": len(due),
        "waitkit_lines": len(waitkit["received"]),
        "waitkit_missing": sorted(set(due) - set(waitkit["received"]))[:10],
        "waitkit_latency_s": [t - written[text] for text, t in waitkit["received"].items()],
        "kubectl_lines": len(kubectl_lines),
        "kubectl_expected": sum(1 for text in due if text.split()[0] in kubectl_pods),
        "kubectl_latency_s": [t - written[text] for text, t in kubectl_lines if text in written],
        "streams_open_before_lines": open_before_lines,
        "streams_open_peak": peak,
        "streams_opened_by_waitkit": streams.opened - opened_before - args.kubectl_pods,
        "streams_open_after": streams.open,
        "waitkit_tasks_left": waitkit["tasks_left"],
        "waitkit_errors": waitkit["errors"] + plain["errors"],
        "waitkit_cpu_s": waitkit["cpu_seconds"],
        "waitkit_without_logs_cpu_s": plain["cpu_seconds"],
        "waitkit_max_rss_mib": waitkit["max_rss_kib"] / 1024,
        "waitkit_without_logs_max_rss_mib": plain["max_rss_kib"] / 1024,
        "kubectl_max_rss_mib_each": [k.max_rss_kib / 1024 for k in kubectl],
        "kubectl_failures": [k.returncode for k in kubectl if k.returncode != 0],
    }


async def main_async(args: argparse.Namespace) -> dict[str, Any]:
    rounds: list[dict[str, Any]] = []
    async with kube_emulator("pods") as (emu, cache):
        for rep in range(args.repeats):
            result = await one_round(emu, rep, args, cache)
            rounds.append(result)
            mine = percentiles(result["waitkit_latency_s"])
            theirs = percentiles(result["kubectl_latency_s"])
            print(
                f"repeat {rep}: waitkit p50 {mine['p50'] * 1e3:.1f} ms"
                f" p99 {mine['p99'] * 1e3:.1f} ms ({result['waitkit_lines']} lines),"
                f" kubectl logs -f p50 {theirs['p50'] * 1e3:.1f} ms"
                f" p99 {theirs['p99'] * 1e3:.1f} ms; streams peak"
                f" {result['streams_open_peak']}, left {result['streams_open_after']}",
                flush=True,
            )

    def latency(field: str) -> dict[str, Any]:
        per_repeat = [percentiles(r[field]) for r in rounds]
        return {
            "pooled": percentiles([v for r in rounds for v in r[field]]),
            "p50_over_repeats": spread([p["p50"] for p in per_repeat]),
            "p99_over_repeats": spread([p["p99"] for p in per_repeat]),
        }

    def over(field: str) -> dict[str, float]:
        return spread([float(r[field]) for r in rounds])

    mine, theirs = latency("waitkit_latency_s"), latency("kubectl_latency_s")
    rss_with = over("waitkit_max_rss_mib")
    rss_without = over("waitkit_without_logs_max_rss_mib")
    kubectl_rss = spread([v for r in rounds for v in r["kubectl_max_rss_mib_each"]])
    expected_open = args.jobs + args.kubectl_pods
    return {
        "question": "JobWaiter(on_log) log streams: count, memory, line latency vs kubectl logs -f",
        "jobs": args.jobs,
        "lines_per_container": args.lines,
        "interval_s": args.interval,
        "kubectl_pods": args.kubectl_pods,
        "repeats": args.repeats,
        **machine_facts(),
        "waitkit_latency": mine,
        "kubectl_latency": theirs,
        "latency_p50_ratio_waitkit_to_kubectl": mine["pooled"]["p50"] / theirs["pooled"]["p50"],
        "streams_open_peak": over("streams_open_peak"),
        "streams_open_expected": expected_open,
        "streams_opened_by_waitkit": over("streams_opened_by_waitkit"),
        "waitkit_max_rss_mib": rss_with,
        "waitkit_without_logs_max_rss_mib": rss_without,
        "streaming_rss_cost_mib_per_stream": (rss_with["median"] - rss_without["median"])
        / args.jobs,
        "kubectl_max_rss_mib_per_process": kubectl_rss,
        "waitkit_cpu_s": over("waitkit_cpu_s"),
        "waitkit_without_logs_cpu_s": over("waitkit_without_logs_cpu_s"),
        "targets": {
            "every_line_once": all(r["waitkit_lines"] == r["lines_written"] for r in rounds),
            "one_stream_per_running_container": all(
                r["streams_open_peak"] == expected_open for r in rounds
            ),
            "one_request_per_container": all(
                r["streams_opened_by_waitkit"] == args.jobs for r in rounds
            ),
            "no_stream_left": all(r["streams_open_after"] == 0 for r in rounds),
            "no_task_left": all(r["waitkit_tasks_left"] == 0 for r in rounds),
            "no_errors": not any(r["waitkit_errors"] or r["kubectl_failures"] for r in rounds),
        },
        "rounds": [{k: v for k, v in r.items() if not k.endswith("latency_s")} for r in rounds],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jobs", type=int, default=100)
    parser.add_argument("--lines", type=int, default=20, help="lines per container")
    parser.add_argument("--interval", type=float, default=0.1, help="seconds between lines")
    parser.add_argument("--kubectl-pods", type=int, default=20)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--timeout", type=float, default=120.0)
    parser.add_argument("--out", type=Path, default=RESULTS)
    # child mode
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--logs", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--kubeconfig", help=argparse.SUPPRESS)
    parser.add_argument("--namespace", help=argparse.SUPPRESS)
    parser.add_argument("--count", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    quiet_structlog()
    if args.child:
        asyncio.run(child(args))
        return
    report = asyncio.run(main_async(args))
    write_report(args.out, report)
    for name in ("waitkit_latency", "kubectl_latency"):
        pooled = report[name]["pooled"]
        print(
            f"{name:16s} n={pooled['n']:5d} p50 {pooled['p50'] * 1e3:6.1f} ms"
            f" p99 {pooled['p99'] * 1e3:6.1f} ms max {pooled['max'] * 1e3:6.1f} ms"
        )
    print(
        "rss MiB: waitkit with logs",
        report["waitkit_max_rss_mib"]["median"],
        "without",
        report["waitkit_without_logs_max_rss_mib"]["median"],
        "kubectl each",
        report["kubectl_max_rss_mib_per_process"]["median"],
    )
    print("targets:", json.dumps(report["targets"]))
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
