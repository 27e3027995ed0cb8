"""Scaling: does the cost of a wait stay flat from 1,000 to 50,000 waits polling every second?

Question: N waits in one process, each pending for 4 looks and done on the 5th, 1 s
apart (ideal wall time: 4 s). For N = 1,000, 10,000 and 50,000, how much CPU does one
observation cost, how long does the run take, and how much memory does one pending wait
hold, compared in the same run with

- ``bare_loop``: N bare ``while`` loops sleeping 1 s (the floor: one timer wake-up per
  look), gathered;
- ``backoff``: backoff's ``on_predicate`` with ``backoff.constant`` (1 s, no jitter);
- ``tenacity``: ``AsyncRetrying`` with ``wait_fixed(1)``;

and waitkit as users run it: ``waitkit_wait_all`` (``wait_all`` over N waiters) and
``waitkit_wait`` (N ``Waiter.wait()`` gathered), with ``Policy(min_delay=1,
max_delay=1, jitter="none")``: the same schedule as the anchors.

Each measurement runs in a fresh interpreter (so one run's heap does not inflate the
next one's memory), contenders interleaved within each repeat. Reported per size:
CPU per observation (median and spread), its ratio to the bare loop's, wall time and its
ratio, RSS per pending wait (sampled as soon as every wait has made its first look),
and the garbage collector's collections and longest pause.

Run: ``python benchmarks/scaling.py [--sizes 1000 10000 50000] [--repeats 3]``.
Writes ``benchmarks/results/scaling.json``.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import os
import statistics
import subprocess
import sys
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

RESULTS = Path(__file__).parent / "results" / "scaling.json"
LOOKS = 5
DELAY = 1.0
CONTENDERS = ("bare_loop", "waitkit_wait_all", "waitkit_wait", "backoff", "tenacity")


def _rss_bytes() -> int:
    with Path("/proc/self/statm").open() as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


# Waits that have made their first look: memory is sampled once all have.
_started = [0]


def _probe() -> Callable[[], Awaitable[str]]:
    looks = 0

    async def probe() -> str:
        nonlocal looks
        looks += 1
        if looks == 1:
            _started[0] += 1
        return "done" if looks >= LOOKS else "pending"

    return probe


def _runner(name: str, size: int) -> Callable[[], Awaitable[object]]:  # noqa: C901 - one branch per contender
    """The coroutine function running ``size`` waits of contender ``name``."""
    if name == "bare_loop":

        async def bare() -> None:
            probe = _probe()
            while await probe() != "done":
                await asyncio.sleep(DELAY)

        return lambda: asyncio.gather(*(bare() for _ in range(size)))
    if name == "backoff":
        import backoff  # noqa: PLC0415 - only the contender that uses it pays its import

        async def with_backoff() -> None:
            @backoff.on_predicate(
                backoff.constant, lambda value: value != "done", interval=DELAY, jitter=None
            )
            async def poll(probe: Callable[[], Awaitable[str]]) -> str:
                return await probe()

            await poll(_probe())

        return lambda: asyncio.gather(*(with_backoff() for _ in range(size)))
    if name == "tenacity":
        import tenacity  # noqa: PLC0415

        async def with_tenacity() -> None:
            retrying = tenacity.AsyncRetrying(
                retry=tenacity.retry_if_result(lambda value: value != "done"),
                wait=tenacity.wait_fixed(DELAY),
                stop=tenacity.stop_never,
            )
            await retrying(_probe())

        return lambda: asyncio.gather(*(with_tenacity() for _ in range(size)))
    from _common import quiet_structlog  # noqa: PLC0415
    from waitkit import Policy, State, Verdict, Waiter, wait_all  # noqa: PLC0415

    quiet_structlog()
    policy = Policy(min_delay=DELAY, max_delay=DELAY, jitter="none", timeout=None)

    class Probe(State):
        status: str

    pending, done = Probe(status="pending"), Probe(status="done")

    class InMemory(Waiter[Probe]):
        kind = "bench"

        def __init__(self) -> None:
            super().__init__(policy=policy)
            self.looks = 0

        async def observe(self) -> Probe:
            self.looks += 1
            if self.looks == 1:
                _started[0] += 1
            return done if self.looks >= LOOKS else pending

        def verdict(self, state: Probe) -> Verdict:
            return Verdict.SUCCESS if state is done else Verdict.PENDING

    if name == "waitkit_wait_all":
        return lambda: wait_all([InMemory() for _ in range(size)])
    return lambda: asyncio.gather(*(InMemory().wait() for _ in range(size)))


def measure_one(name: str, size: int) -> dict[str, Any]:
    """One run of one contender at one size, in this process."""
    pauses: list[float] = []
    started_at: list[float] = []

    def on_gc(phase: str, _info: dict[str, int]) -> None:
        if phase == "start":
            started_at.append(time.perf_counter())
        elif started_at:
            pauses.append(time.perf_counter() - started_at.pop())

    run = _runner(name, size)
    gc.collect()
    gc.callbacks.append(on_gc)
    before = _rss_bytes()
    counts = [stat["collections"] for stat in gc.get_stats()]

    async def main() -> int:
        task = asyncio.ensure_future(run())
        while _started[0] < size:  # every wait has started and holds its state
            await asyncio.sleep(0.01)
        rss = _rss_bytes() - before
        await task
        return rss

    cpu, wall = time.process_time(), time.perf_counter()
    rss = asyncio.run(main())
    cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
    gc.callbacks.remove(on_gc)
    collections = [stat["collections"] - c for stat, c in zip(gc.get_stats(), counts, strict=True)]
    return {
        "cpu_seconds": cpu,
        "wall_seconds": wall,
        "cpu_us_per_observation": cpu / (size * LOOKS) * 1e6,
        "rss_bytes_per_pending_wait": rss / size,
        "gc_collections": collections,
        "gc_longest_pause_ms": max(pauses, default=0.0) * 1e3,
        "gc_total_pause_ms": sum(pauses) * 1e3,
    }


def _in_child(name: str, size: int) -> dict[str, Any]:
    out = subprocess.run(  # noqa: S603 - this script, with its own arguments
        [sys.executable, __file__, "--one", name, str(size)],
        capture_output=True,
        text=True,
        check=True,
        cwd=Path(__file__).parent,
    ).stdout
    return json.loads(out.splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1_000, 10_000, 50_000])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--one", nargs=2, metavar=("CONTENDER", "SIZE"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        print(json.dumps(measure_one(args.one[0], int(args.one[1]))))
        return

    from _common import machine_facts, spread, write_report  # noqa: PLC0415

    runs: dict[int, dict[str, list[dict[str, Any]]]] = {
        size: {name: [] for name in CONTENDERS} for size in args.sizes
    }
    for repeat in range(args.repeats):
        for size in args.sizes:
            for name in CONTENDERS:  # interleaved: machine noise hits every contender alike
                runs[size][name].append(_in_child(name, size))
                row = runs[size][name][-1]
                print(
                    f"[{repeat + 1}/{args.repeats}] {size:>6} {name:17s} "
                    f"{row['cpu_us_per_observation']:6.1f} us/obs  "
                    f"wall {row['wall_seconds']:5.2f} s"
                    f"  {row['rss_bytes_per_pending_wait'] / 1024:5.2f} KiB/wait",
                    flush=True,
                )
    report: dict[str, Any] = {
        "question": (
            "CPU per observation, wall time and memory per pending wait at 1k-50k waits "
            "polling every second, vs a bare loop, backoff and tenacity"
        ),
        "looks_per_wait": LOOKS,
        "delay_seconds": DELAY,
        "repeats": args.repeats,
        **machine_facts(),
        "sizes": {},
    }
    for size, by_name in runs.items():
        bare = by_name["bare_loop"]
        bare_cpu = statistics.median(r["cpu_seconds"] for r in bare)
        bare_wall = statistics.median(r["wall_seconds"] for r in bare)
        rows: dict[str, Any] = {}
        for name, samples in by_name.items():
            cpu = [r["cpu_seconds"] for r in samples]
            wall = [r["wall_seconds"] for r in samples]
            rows[name] = {
                "cpu_us_per_observation": spread([r["cpu_us_per_observation"] for r in samples]),
                "cpu_ratio_to_bare": statistics.median(cpu) / bare_cpu,
                "cpu_ratio_range_to_bare": [min(cpu) / bare_cpu, max(cpu) / bare_cpu],
                "wall_seconds": spread(wall),
                "wall_ratio_to_bare": statistics.median(wall) / bare_wall,
                "rss_bytes_per_pending_wait": spread(
                    [r["rss_bytes_per_pending_wait"] for r in samples]
                ),
                "gc_longest_pause_ms": spread([r["gc_longest_pause_ms"] for r in samples]),
                "gc_total_pause_ms": spread([r["gc_total_pause_ms"] for r in samples]),
            }
        report["sizes"][str(size)] = rows
    write_report(RESULTS, report)
    for size, rows in report["sizes"].items():
        for name, row in rows.items():
            print(
                f"{size:>6} {name:17s} cpu x{row['cpu_ratio_to_bare']:.2f}  "
                f"wall x{row['wall_ratio_to_bare']:.2f}  "
                f"{row['rss_bytes_per_pending_wait']['median'] / 1024:.2f} KiB/wait  "
                f"gc max {row['gc_longest_pause_ms']['median']:.0f} ms"
            )
    print(f"wrote {RESULTS}")


if __name__ == "__main__":
    main()
