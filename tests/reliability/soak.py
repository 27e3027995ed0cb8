"""Soak: random scenarios with random faults against the emulator, for a long time.

Run by ``nox -s soak`` (not in CI, not a default session), or directly::

    python tests/reliability/soak.py --minutes 30

Every round starts a fresh emulator with random resources of all four kinds (instance
refreshes, durable executions, Logs Insights queries, Kubernetes Jobs) and random
faults, awaits them all at once with per-wait random deadlines (some waits are
cancelled), and counts the outcomes. The resident set size is sampled every minute.

Passes when every wait ended with an outcome (success, a waitkit error, or its
cancellation) and memory is flat: the RSS at the end is within ``--growth`` (5 %) of
the RSS at the 10th minute (for runs shorter than 20 minutes: of the sample a third of
the way in). Writes a JSON summary to ``--out``.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import random
import resource
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

import anyio
import structlog
from _fleet import aws_waits, counted_wait, running_queries  # this script's folder
from aiobotocore.config import AioConfig
from aiobotocore.session import get_session

from waitkit import Policy
from waitkit.aws import QuerySlots
from waitkit.emulator import Emulator, Fault, Scenario
from waitkit.emulator.k8s import JobPoint, JobScenario, KubernetesScenario
from waitkit.k8s import JobWaiter, WatchOptions, api_client

POLICY = Policy(min_delay=0.05, max_delay=0.3, timeout=6, call_timeout=1, throttle_min_delay=0.05)
WATCH = WatchOptions(server_timeout=3, reconnect_min_delay=0.05, reconnect_max_delay=0.3)
FAULT_KINDS = ("throttle", "error", "drop", "latency", "truncate")
K8S_FAULT_KINDS = (*FAULT_KINDS, "cut_watch", "gone")


def rss_mib() -> float:
    """The current resident set size in MiB (Linux /proc; else the peak from getrusage)."""
    try:
        fields = Path("/proc/self/statm").read_text().split()
        return int(fields[1]) * resource.getpagesize() / 2**20
    except OSError:  # pragma: no cover - not Linux
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def random_scenario(rng: random.Random, per_kind: int) -> Scenario:
    """Resources of every kind ending at random times, some in failure."""

    def end() -> float:
        return round(rng.uniform(0.1, 3.0), 2)

    refreshes = [
        {
            "id": f"r-{i}",
            "timeline": [
                {"at": 0, "status": "InProgress"},
                {"at": end(), "status": rng.choice(["Successful", "Successful", "Failed"])},
            ],
        }
        for i in range(per_kind)
    ]
    executions = [
        {
            "name": f"e-{i}",
            "timeline": [
                {"at": 0, "status": "RUNNING"},
                {"at": end(), "status": rng.choice(["SUCCEEDED", "SUCCEEDED", "FAILED"])},
            ],
        }
        for i in range(per_kind)
    ]
    queries = [
        {
            "match": f"q-{i} ",
            "timeline": [
                {"at": 0, "status": "Running"},
                {"at": end(), "status": rng.choice(["Complete", "Complete", "Failed"])},
            ],
        }
        for i in range(per_kind)
    ]
    jobs = [
        JobScenario(
            name=f"job-{i}",
            timeline=[JobPoint(at=end(), phase=rng.choice(["complete", "complete", "failed"]))],
        )
        for i in range(per_kind)
    ]
    return Scenario.model_validate(
        {
            "seed": rng.randrange(2**31),
            "autoscaling": {"groups": [{"name": "web", "refreshes": refreshes}]},
            "durable": {"functions": [{"name": "orders", "executions": executions}]},
            "logs": {"max_concurrent_queries": 4 * per_kind, "queries": queries},
            "kubernetes": KubernetesScenario(jobs=jobs).model_dump(),
        }
    )


def random_faults(rng: random.Random) -> list[Fault]:
    """A few random faults on random services, each firing a bounded number of times."""
    faults = []
    for _ in range(rng.randint(1, 4)):
        service = rng.choice(["autoscaling", "lambda", "logs", "kubernetes"])
        kind = rng.choice(K8S_FAULT_KINDS if service == "kubernetes" else FAULT_KINDS)
        faults.append(
            Fault(
                kind=kind,
                service=service,
                count=rng.randint(1, 6),
                probability=rng.choice([1.0, 0.5, 0.2]),
                retry_after=rng.choice([None, 0, 1]) if kind == "throttle" else None,
                status=rng.choice([500, 502, 503]),
                delay=rng.uniform(0.1, 2.0) if kind == "latency" else 0.0,
                after_events=rng.randint(0, 3),
            )
        )
    return faults


async def one_round(rng: random.Random, per_kind: int, outcomes: Counter[str]) -> dict[str, int]:
    """One emulator, random resources and faults, every wait awaited; returns leftovers."""
    scenario = random_scenario(rng, per_kind)
    session = get_session()
    config = AioConfig(retries={"total_max_attempts": 1, "mode": "standard"})
    options: dict[str, Any] = {
        "region_name": "us-east-1",
        "aws_access_key_id": "testing",
        "aws_secret_access_key": "testing",  # a fake credential the emulator accepts
        "config": config,
    }
    async with Emulator(scenario) as emu:
        for fault in random_faults(rng):
            emu.faults.add(fault)
        url = emu.aws_endpoint
        async with (
            session.create_client("autoscaling", endpoint_url=url, **options) as asg,
            session.create_client("lambda", endpoint_url=url, **options) as lam,
            session.create_client("logs", endpoint_url=url, **options) as logs,
            api_client(kubeconfig=emu.kubeconfig_path) as api,
        ):
            slots = QuerySlots(4 * per_kind)
            waiters: list[tuple[str, Any]] = []
            for i in range(per_kind):
                waiters += aws_waits(
                    i, asg=asg, lam=lam, logs=logs, group="web", slots=slots, policy=POLICY
                )
                waiters.append(("job", JobWaiter(api, f"job-{i}", watch=WATCH, policy=POLICY)))

            with anyio.fail_after(60):
                async with anyio.create_task_group() as tg:
                    for kind, waiter in waiters:
                        tg.start_soon(
                            counted_wait,
                            kind,
                            waiter,
                            rng.choice([30.0, rng.uniform(0, 4)]),
                            outcomes,
                        )
        with anyio.move_on_after(3):
            while emu.counters.watches_open:  # noqa: ASYNC110 - a counter, no event
                await anyio.sleep(0.02)
        return {
            "watches_open": emu.counters.watches_open,
            "queries_running": len(running_queries(emu)),
        }


async def soak(minutes: float, per_kind: int, seed: int) -> dict[str, Any]:
    """Rounds until ``minutes`` have passed; RSS sampled each minute."""
    rng = random.Random(seed)
    outcomes: Counter[str] = Counter()
    leftovers: Counter[str] = Counter()
    samples: list[tuple[float, float]] = [(0.0, rss_mib())]
    started = time.monotonic()
    rounds = 0
    tasks_before = len(anyio.get_running_tasks())
    while (elapsed := time.monotonic() - started) < minutes * 60:
        left = await one_round(rng, per_kind, outcomes)
        leftovers.update({k: v for k, v in left.items() if v})
        rounds += 1
        gc.collect()
        if elapsed >= 60 * len(samples):
            samples.append((round(elapsed / 60, 2), round(rss_mib(), 1)))
            line = f"minute {len(samples) - 1}: rss {samples[-1][1]} MiB, rounds {rounds}"
            print(line, flush=True)  # noqa: T201
    samples.append((round((time.monotonic() - started) / 60, 2), round(rss_mib(), 1)))
    return {
        "minutes": minutes,
        "per_kind": per_kind,
        "seed": seed,
        "rounds": rounds,
        "waits": sum(outcomes.values()),
        "outcomes": dict(sorted(outcomes.items())),
        "leftovers": dict(leftovers),
        "tasks_left": len(anyio.get_running_tasks()) - tasks_before,
        "rss_mib": samples,
    }


def verdict(summary: dict[str, Any], growth: float) -> list[str]:
    """The problems found (empty: the soak passed)."""
    problems = []
    if any(key.endswith(":no outcome") for key in summary["outcomes"]):
        problems.append("a wait ended without an outcome")
    if summary["leftovers"]:
        problems.append(f"left behind: {summary['leftovers']}")
    if summary["tasks_left"]:
        problems.append(f"{summary['tasks_left']} task(s) left on the loop")
    samples = summary["rss_mib"]
    # Compare the end with the 10th minute (a third of the way for shorter runs).
    reference_minute = 10 if summary["minutes"] >= 20 else summary["minutes"] / 3
    reference = next((rss for minute, rss in samples if minute >= reference_minute), samples[-1][1])
    final = samples[-1][1]
    summary["rss_growth"] = round((final - reference) / reference, 4)
    summary["rss_reference_minute"] = reference_minute
    if final > reference * (1 + growth):
        problems.append(f"RSS grew {summary['rss_growth']:.1%} (limit {growth:.0%})")
    return problems


def main(argv: list[str] | None = None) -> int:
    """Parse arguments, soak, print and write the summary; exit 1 on a problem."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, default=30.0, help="how long (default 30)")
    parser.add_argument("--per-kind", type=int, default=25, help="resources of each kind a round")
    parser.add_argument("--seed", type=int, default=1, help="seed of the random scenarios")
    parser.add_argument("--growth", type=float, default=0.05, help="RSS growth allowed (0.05)")
    parser.add_argument("--out", type=Path, default=Path("benchmarks/results/soak.json"))
    args = parser.parse_args(argv)
    # Quiet logs: the soak is about outcomes and memory, not the event stream.
    structlog.configure(wrapper_class=structlog.make_filtering_bound_logger(40))
    summary = asyncio.run(soak(args.minutes, args.per_kind, args.seed))
    problems = verdict(summary, args.growth)
    summary["problems"] = problems
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(summary, indent=2) + "\n")
    print(json.dumps(summary, indent=2))  # noqa: T201
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
