"""Event-loop health: how late does the loop run other work while 10,000 waits run?

Question (issue #6, benchmark 7): 10,000 concurrent waits (``wait_all``) polling an
in-memory probe with ``Policy(min_delay=--min-delay, max_delay=--max-delay)``, pending
for ``--duration`` seconds, then done. Meanwhile a probe task measures event-loop lag:
it asks for ``asyncio.sleep(0.01)`` and records how much later than 10 ms it wakes
(``loop.time()``). What is the lag's p99? [target: <= 10 ms]

Lag is reported over the whole run and per phase: ``start`` (the first second: 10,000
waits make their first observation together), ``steady`` (until the probe says done)
and ``finish`` (the waits see done and return, over about ``max_delay``).

Anchors in the same run, interleaved:

- ``idle``: the probe alone (the machine's own noise);
- ``bare_loop``: 10,000 bare ``while`` loops with the same jittered schedule
  (``sleep(uniform(min_delay, expo(n)))``), the floor for this many pollers.

Two diagnoses: ``waitkit_gc_off``, the same waits with Python's cyclic garbage
collector disabled for the run (``gc.disable()``), which shows how much of the lag is
collector pauses; and ``waitkit_no_call_timeout``, the same waits with
``Policy(call_timeout=None)``, which shows what the per-wait call deadline still costs
(on asyncio it waits on a per-loop wheel, off the loop's timer heap, until it is near).
``gc_collections`` counts collections per generation in each run.

structlog is configured as a service runs it (events below WARNING filtered, cached);
the waits log nothing per poll anyway, one event per change.

Run: ``python benchmarks/loop_lag.py [--waits N] [--duration S] [--repeats R]``.
Writes ``benchmarks/results/loop_lag.json``.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import random
import time
from pathlib import Path
from typing import Any

from _common import machine_facts, ms_spread, percentiles, quiet_structlog, spread, write_report
from waitkit import Policy, State, Verdict, Waiter, wait_all

RESULTS = Path(__file__).parent / "results" / "loop_lag.json"
PROBE_SLEEP = 0.01
START_PHASE = 1.0


class Probe(State):
    status: str


PENDING = Probe(status="pending")
DONE = Probe(status="done")


class UntilWaiter(Waiter[Probe]):
    """Pending until the loop clock reaches ``end``."""

    kind = "bench_until"

    def __init__(self, end: float, policy: Policy) -> None:
        super().__init__(policy=policy)
        self.end = end
        self.looks = 0

    async def observe(self) -> Probe:
        self.looks += 1
        return DONE if asyncio.get_running_loop().time() >= self.end else PENDING

    def verdict(self, state: Probe) -> Verdict:
        return Verdict.SUCCESS if state is DONE or state.status == "done" else Verdict.PENDING


async def lag_probe(stop: asyncio.Event, samples: list[tuple[float, float]]) -> None:
    loop = asyncio.get_running_loop()
    while not stop.is_set():
        before = loop.time()
        await asyncio.sleep(PROBE_SLEEP)
        samples.append((before, loop.time() - before - PROBE_SLEEP))


async def run_waitkit(end: float, args: argparse.Namespace, **policy_options: object) -> int:
    policy = Policy(
        min_delay=args.min_delay, max_delay=args.max_delay, timeout=None, **policy_options
    )
    waiters = [UntilWaiter(end, policy) for _ in range(args.waits)]
    await wait_all(waiters)
    return sum(w.looks for w in waiters)


async def run_bare(end: float, args: argparse.Namespace) -> int:
    looks = 0

    async def one(seed: int) -> None:
        nonlocal looks
        rng = random.Random(seed)
        loop = asyncio.get_running_loop()
        n = 0
        while True:
            looks += 1
            if loop.time() >= end:
                return
            n += 1
            expo = min(args.max_delay, args.min_delay * 2 ** (n - 1))
            await asyncio.sleep(rng.uniform(args.min_delay, expo))

    await asyncio.gather(*(one(i) for i in range(args.waits)))
    return looks


async def run_idle(end: float, args: argparse.Namespace) -> int:  # noqa: ARG001
    await asyncio.sleep(end - asyncio.get_running_loop().time())
    return 0


RUNNERS = {
    "idle": run_idle,
    "bare_loop": run_bare,
    "waitkit": run_waitkit,
    # diagnosis: the same waits with the cyclic garbage collector off during the run
    "waitkit_gc_off": run_waitkit,
    # diagnosis: the same waits without the per-call timeout (no timer per wait)
    "waitkit_no_call_timeout": lambda end, args: run_waitkit(end, args, call_timeout=None),
}


async def measure(name: str, args: argparse.Namespace) -> dict[str, Any]:
    loop = asyncio.get_running_loop()
    samples: list[tuple[float, float]] = []
    stop = asyncio.Event()
    probe = asyncio.create_task(lag_probe(stop, samples))
    await asyncio.sleep(0.1)  # the probe is running before the waits start
    gc_before = [s["collections"] for s in gc.get_stats()]
    started = loop.time()
    end = started + args.duration
    cpu = time.process_time()
    if name.endswith("_gc_off"):
        gc.disable()
    try:
        looks = await RUNNERS[name](end, args)
    finally:
        gc.enable()
    cpu = time.process_time() - cpu
    finished = loop.time()
    stop.set()
    await probe
    gc_after = [s["collections"] for s in gc.get_stats()]

    def phase(lo: float, hi: float) -> dict[str, float]:
        return percentiles([lag for at, lag in samples if lo <= at < hi])

    return {
        "all": phase(started, finished),
        "start": phase(started, started + START_PHASE),
        "steady": phase(started + START_PHASE, end),
        "finish": phase(end, finished),
        "wall_s": finished - started,
        "cpu_s": cpu,
        "observations": looks,
        "observations_per_s": looks / (finished - started),
        "gc_collections": [a - b for a, b in zip(gc_after, gc_before, strict=True)],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--waits", type=int, default=10_000)
    parser.add_argument("--duration", type=float, default=8.0)
    parser.add_argument("--min-delay", type=float, default=0.1)
    parser.add_argument("--max-delay", type=float, default=1.0)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    quiet_structlog()
    runs: dict[str, list[dict[str, Any]]] = {name: [] for name in RUNNERS}
    for rep in range(args.repeats):  # interleaved
        for name in RUNNERS:
            gc.collect()
            row = asyncio.run(measure(name, args))
            runs[name].append(row)
            print(
                f"repeat {rep} {name:14s} lag p99 all {row['all']['p99'] * 1e3:6.1f} ms"
                f" | start p99 {row['start']['p99'] * 1e3:6.1f}"
                f" max {row['start']['max'] * 1e3:6.1f}"
                f" | steady p99 {row['steady']['p99'] * 1e3:5.1f} max"
                f" {row['steady']['max'] * 1e3:5.1f} | finish p99 {row['finish']['p99'] * 1e3:5.1f}"
                f" | {row['observations_per_s']:.0f} obs/s cpu {row['cpu_s']:.1f}s",
                flush=True,
            )
    summary = {
        name: {
            f"{ph}_{stat}": spread([r[ph][stat] for r in rows])
            for ph in ("all", "start", "steady", "finish")
            for stat in ("p50", "p99", "max")
        }
        | {"observations_per_s": spread([r["observations_per_s"] for r in rows])}
        | {"cpu_s": spread([r["cpu_s"] for r in rows])}
        for name, rows in runs.items()
    }
    report: dict[str, Any] = {
        "question": "event-loop lag (asyncio.sleep(0.01) overshoot) while 10,000 waits run",
        "waits": args.waits,
        "duration_s": args.duration,
        "policy": {"min_delay": args.min_delay, "max_delay": args.max_delay},
        "repeats": args.repeats,
        **machine_facts(),
        "summary_over_repeats": summary,
        "targets": {
            "waitkit_lag_p99_le_10ms_all": summary["waitkit"]["all_p99"]["median"] <= 0.010,
            "waitkit_lag_p99_le_10ms_steady": summary["waitkit"]["steady_p99"]["median"] <= 0.010,
        },
        "runs": runs,
    }
    write_report(RESULTS, report)

    for name, s in summary.items():
        print(
            f"{name:14s} lag ms (min/median/max over repeats): p99 all {ms_spread(s['all_p99'])}"
            f"  steady p99 {ms_spread(s['steady_p99'])}  start max {ms_spread(s['start_max'])}"
        )
    print("targets:", json.dumps(report["targets"]))
    print(f"wrote {RESULTS}")


if __name__ == "__main__":
    main()
