r"""Watch streams and latency: how fast does a JobWaiter return after its Job completes?

Question (issue #6, benchmark 4): 1,000 ``JobWaiter``\\ s on Jobs of one namespace, on the
emulator. How many watch streams do they open [target: 1 for jobs], and how long from
the moment the emulator flips a Job to Complete (``emu.kubernetes.set_job_phase``) until
its waiter returns, p50/p99 [target: p50 no worse than ``kubectl wait``]?

The anchor, measured in the same run: ``kubectl wait --for=condition=complete job/NAME``
against the same emulator, one process per Job (so a modest number of Jobs), timed from
the flip to the process's exit (a thread per process blocks in ``waitpid`` and reads the
clock the moment it returns).

Both clients run **outside** the emulator's process, as against a real API server:
waitkit in a child process (this script with ``--child``), kubectl in its own. Times are
``time.monotonic()`` (CLOCK_MONOTONIC, one clock for every process on the machine).

Each repeat has two rounds, interleaved:

- ``paired``: ``--kubectl-jobs`` Jobs in a fresh namespace, awaited at once by one
  kubectl process each *and* by a waitkit child with one waiter each; every flip is
  timed by both, so the two latencies come from the same event.
- ``waitkit_1000``: ``--waiters`` Jobs in a fresh namespace and a waitkit child with one
  waiter each; ``--sample`` of them are flipped one by one (random spacing), then the
  rest all at once (the *burst*: time until the last waiter returns).

Flips start ``--settle`` seconds after every client is watching, so waiters are in their
steady state (long-polls and backoff sleeps of a wait that has run for a while), and are
spaced at random so they land at random phases of the waiters' schedules.

waitkit runs with its defaults (``JobWaiter`` default policy and watch options, shared
stream, pod causes on). structlog is configured as a service runs it.

Run: ``python benchmarks/watch_latency.py [--waiters N] [--kubectl-jobs K] [--repeats R]``.
Writes ``benchmarks/results/watch_latency.json``.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import resource
import subprocess
import sys
import threading
import time
from collections import Counter
from pathlib import Path
from typing import Any

from _common import (
    KUBECTL,
    kube_emulator,
    kubectl_command,
    machine_facts,
    percentiles,
    quiet_structlog,
    spread,
    write_report,
)
from waitkit.emulator import Emulator
from waitkit.emulator.k8s import JobScenario

RESULTS = Path(__file__).parent / "results" / "watch_latency.json"


# ---------------------------------------------------------------------- the waitkit child
async def child(args: argparse.Namespace) -> None:
    """Wait for ``count`` Jobs named ``prefix-NNNN``; print {name: return time} as JSON."""
    from waitkit import Policy  # noqa: PLC0415 - child mode only
    from waitkit.k8s import JobWaiter, api_client  # noqa: PLC0415 - child mode only

    policy = None  # JobWaiter's default
    if args.max_delay is not None:
        policy = Policy(min_delay=min(0.05, args.max_delay), max_delay=args.max_delay)

    names = [f"{args.prefix}-{i:04d}" for i in range(args.count)]
    returned: dict[str, float] = {}
    errors: list[str] = []
    async with api_client(kubeconfig=args.kubeconfig) as api:

        async def one(name: str) -> None:
            try:
                await JobWaiter(api, name, namespace=args.namespace, policy=policy).wait(
                    timeout=args.timeout
                )
            except Exception as error:  # noqa: BLE001 - reported, not hidden
                errors.append(f"{name}: {type(error).__name__}: {error}")
                return
            returned[name] = time.monotonic()

        await asyncio.gather(*(one(name) for name in names))
    usage = resource.getrusage(resource.RUSAGE_SELF)
    print(
        json.dumps(
            {
                "returned": returned,
                "errors": errors,
                "cpu_seconds": usage.ru_utime + usage.ru_stime,
            }
        )
    )


# ---------------------------------------------------------------------- the parent


async def until(predicate: Any, timeout: float, what: str) -> None:
    end = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > end:
            msg = f"timed out waiting for {what}"
            raise RuntimeError(msg)
        await asyncio.sleep(0.02)


def create_jobs(emu: Emulator, namespace: str, prefix: str, count: int) -> list[str]:
    kube = emu.kubernetes
    kube.create_namespace(namespace)
    names = [f"{prefix}-{i:04d}" for i in range(count)]
    for name in names:
        kube.create_job(JobScenario(name=name, namespace=namespace))
    return names


async def start_child(
    emu: Emulator, namespace: str, prefix: str, count: int, args: argparse.Namespace
) -> asyncio.subprocess.Process:
    timeout, max_delay = args.timeout, args.max_delay
    return await asyncio.create_subprocess_exec(
        sys.executable,
        __file__,
        "--child",
        "--kubeconfig",
        str(emu.kubeconfig_path),
        "--namespace",
        namespace,
        "--prefix",
        prefix,
        "--count",
        str(count),
        "--timeout",
        str(timeout),
        *([] if max_delay is None else ["--max-delay", str(max_delay)]),
        stdout=asyncio.subprocess.PIPE,
    )


def watch_requests(emu: Emulator) -> Counter[tuple[str, str]]:
    return Counter(emu.kubernetes.requests)


class KubectlWait:
    """One ``kubectl wait`` process; a thread records the moment it exits."""

    def __init__(self, kubeconfig: Path, cache: Path, namespace: str, name: str) -> None:
        self.proc = subprocess.Popen(  # noqa: S603 - fixed argv, no shell
            kubectl_command(
                kubeconfig,
                cache,
                "wait",
                "--for=condition=complete",
                f"job/{name}",
                "--timeout=300s",
                namespace=namespace,
            ),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        self.exited: float | None = None
        self.returncode: int | None = None
        self.thread = threading.Thread(target=self._wait, daemon=True)
        self.thread.start()

    def _wait(self) -> None:
        self.returncode = self.proc.wait()
        self.exited = time.monotonic()


async def flip_spaced(
    emu: Emulator, namespace: str, names: list[str], spacing: float, rng: random.Random
) -> dict[str, float]:
    flipped: dict[str, float] = {}
    for name in names:
        flipped[name] = time.monotonic()
        emu.kubernetes.set_job_phase(name, "complete", namespace=namespace)
        await asyncio.sleep(rng.uniform(0.5, 1.5) * spacing)
    return flipped


async def paired_round(
    emu: Emulator, rep: int, args: argparse.Namespace, cache: Path, rng: random.Random
) -> dict[str, Any]:
    namespace, prefix = f"paired-{rep}", "job"
    names = create_jobs(emu, namespace, prefix, args.kubectl_jobs)
    before = watch_requests(emu)
    waits = [KubectlWait(emu.kubeconfig_path, cache, namespace, name) for name in names]
    proc = await start_child(emu, namespace, prefix, len(names), args)

    def watching() -> bool:
        return watch_requests(emu)["watch", "jobs"] - before["watch", "jobs"] >= len(names) + 1

    await until(watching, 120, "kubectl and the waitkit child to watch")
    await asyncio.sleep(args.settle)
    flipped = await flip_spaced(emu, namespace, names, args.kubectl_spacing, rng)
    stdout, _ = await proc.communicate()
    await asyncio.to_thread(lambda: [w.thread.join() for w in waits])
    out = json.loads(stdout)
    after = watch_requests(emu)
    failed = [w.proc.stderr.read().decode() for w in waits if w.returncode != 0]  # type: ignore[union-attr]
    return {
        "jobs": len(names),
        "kubectl_latency_s": [w.exited - flipped[n] for w, n in zip(waits, names, strict=True)],  # type: ignore[operator]
        "waitkit_latency_s": [out["returned"][n] - flipped[n] for n in names],
        "kubectl_failures": failed,
        "waitkit_errors": out["errors"],
        "waitkit_child_cpu_s": out["cpu_seconds"],
        "requests": {
            f"{v}:{r}": after[v, r] - before[v, r] for v, r in after if after[v, r] - before[v, r]
        },
    }


async def big_round(
    emu: Emulator, rep: int, args: argparse.Namespace, rng: random.Random
) -> dict[str, Any]:
    namespace, prefix = f"big-{rep}", "job"
    names = create_jobs(emu, namespace, prefix, args.waiters)
    before = watch_requests(emu)
    proc = await start_child(emu, namespace, prefix, len(names), args)

    def watching() -> bool:
        return watch_requests(emu)["watch", "jobs"] - before["watch", "jobs"] >= 1

    await until(watching, 120, "the waitkit child to watch")
    await asyncio.sleep(args.settle)
    order = names[:]
    rng.shuffle(order)
    sample, rest = order[: args.sample], order[args.sample :]
    flipped = await flip_spaced(emu, namespace, sample, args.spacing, rng)
    await asyncio.sleep(1.5)  # let the sample's stragglers (asleep in backoff) return
    burst_at = time.monotonic()
    for name in rest:
        emu.kubernetes.set_job_phase(name, "complete", namespace=namespace)
    stdout, _ = await proc.communicate()
    out = json.loads(stdout)
    after = watch_requests(emu)
    returned = out["returned"]
    burst_last = max((returned[n] for n in rest if n in returned), default=burst_at)
    return {
        "waiters": len(names),
        "sample": len(sample),
        "latency_s": [returned[n] - flipped[n] for n in sample if n in returned],
        "burst_jobs": len(rest),
        "burst_last_return_s": burst_last - burst_at,
        "burst_p50_s": percentiles([returned[n] - burst_at for n in rest if n in returned])["p50"],
        "errors": out["errors"],
        "child_cpu_s": out["cpu_seconds"],
        "requests": {
            f"{v}:{r}": after[v, r] - before[v, r] for v, r in after if after[v, r] - before[v, r]
        },
    }


async def main_async(args: argparse.Namespace) -> dict[str, Any]:
    rng = random.Random(args.seed)
    rounds: list[dict[str, Any]] = []
    async with kube_emulator("jobs") as (emu, cache):
        for rep in range(args.repeats):
            paired = await paired_round(emu, rep, args, cache, rng)
            big = await big_round(emu, rep, args, rng)
            rounds.append({"paired": paired, "waitkit_1000": big})
            kubectl = percentiles(paired["kubectl_latency_s"])
            same = percentiles(paired["waitkit_latency_s"])
            many = percentiles(big["latency_s"])
            print(
                f"repeat {rep}: kubectl p50 {kubectl['p50'] * 1e3:.1f} ms,"
                f" waitkit (same jobs) p50 {same['p50'] * 1e3:.1f} ms,"
                f" waitkit x{big['waiters']} p50 {many['p50'] * 1e3:.1f} ms"
                f" p99 {many['p99'] * 1e3:.1f} ms,"
                f" jobs watches {big['requests'].get('watch:jobs', 0)}",
                flush=True,
            )

    def summary(key: str, field: str) -> dict[str, Any]:
        per_repeat = [percentiles(r[key][field]) for r in rounds]
        pooled = percentiles([v for r in rounds for v in r[key][field]])
        return {
            "pooled": pooled,
            "p50_over_repeats": spread([p["p50"] for p in per_repeat]),
            "p99_over_repeats": spread([p["p99"] for p in per_repeat]),
        }

    kubectl_version = (
        await asyncio.to_thread(
            subprocess.run,
            [KUBECTL, "version", "--client", "-o", "json"],
            check=False,
            capture_output=True,
            text=True,
        )
    ).stdout
    kubectl = summary("paired", "kubectl_latency_s")
    same = summary("paired", "waitkit_latency_s")
    big = summary("waitkit_1000", "latency_s")
    return {
        "question": "flip-to-return latency of JobWaiter (shared watch) vs kubectl wait",
        "waiters": args.waiters,
        "kubectl_jobs": args.kubectl_jobs,
        "sample": args.sample,
        "repeats": args.repeats,
        "settle_s": args.settle,
        "waitkit_policy": "JobWaiter default"
        if args.max_delay is None
        else f"max_delay={args.max_delay}",
        **machine_facts(),
        "kubectl_version": kubectl_version,
        "kubectl": kubectl,
        "waitkit_same_jobs": same,
        "waitkit_1000": big,
        "waitkit_1000_streams": [r["waitkit_1000"]["requests"] for r in rounds],
        "waitkit_1000_burst_last_return_s": spread(
            [r["waitkit_1000"]["burst_last_return_s"] for r in rounds]
        ),
        "waitkit_1000_child_cpu_s": spread([r["waitkit_1000"]["child_cpu_s"] for r in rounds]),
        "errors": {
            "kubectl": [f for r in rounds for f in r["paired"]["kubectl_failures"]],
            "waitkit": [
                e
                for r in rounds
                for k in ("paired", "waitkit_1000")
                for e in r[k].get("waitkit_errors", r[k].get("errors", []))
            ],
        },
        "targets": {
            "one_jobs_stream_for_1000": all(
                r["waitkit_1000"]["requests"].get("watch:jobs", 0) == 1 for r in rounds
            ),
            "p50_1000_le_kubectl_p50": big["pooled"]["p50"] <= kubectl["pooled"]["p50"],
            "p50_same_jobs_le_kubectl_p50": same["pooled"]["p50"] <= kubectl["pooled"]["p50"],
        },
        "rounds": rounds,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--waiters", type=int, default=1000)
    parser.add_argument(
        "--sample", type=int, default=200, help="jobs of the 1,000 flipped one by one"
    )
    parser.add_argument(
        "--spacing", type=float, default=0.025, help="mean seconds between flips (1,000 round)"
    )
    parser.add_argument("--kubectl-jobs", type=int, default=30)
    parser.add_argument("--kubectl-spacing", type=float, default=0.1)
    parser.add_argument("--settle", type=float, default=3.0)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--timeout", type=float, default=300.0)
    parser.add_argument("--seed", type=int, default=6)
    parser.add_argument(
        "--max-delay",
        type=float,
        help="diagnosis: give the waiters Policy(max_delay=...) instead of JobWaiter's default",
    )
    parser.add_argument("--out", type=Path, default=RESULTS)
    # child mode
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--kubeconfig", help=argparse.SUPPRESS)
    parser.add_argument("--namespace", help=argparse.SUPPRESS)
    parser.add_argument("--prefix", help=argparse.SUPPRESS)
    parser.add_argument("--count", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    quiet_structlog()
    if args.child:
        asyncio.run(child(args))
        return
    report = asyncio.run(main_async(args))
    write_report(args.out, report)
    for name in ("kubectl", "waitkit_same_jobs", "waitkit_1000"):
        pooled = report[name]["pooled"]
        p50s = report[name]["p50_over_repeats"]
        print(
            f"{name:18s} n={pooled['n']:4d} p50 {pooled['p50'] * 1e3:7.1f} ms"
            f" (repeats {p50s['min'] * 1e3:.1f}/{p50s['median'] * 1e3:.1f}/{p50s['max'] * 1e3:.1f})"
            f"  p99 {pooled['p99'] * 1e3:7.1f} ms  max {pooled['max'] * 1e3:7.1f} ms"
        )
    print("streams (1,000 round):", json.dumps(report["waitkit_1000_streams"]))
    print("targets:", json.dumps(report["targets"]))
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
