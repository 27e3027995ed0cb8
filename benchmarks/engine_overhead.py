"""Engine overhead: what does waitkit cost per observation, and per pending wait?

Question: 10,000 concurrent waiters, each needing 10 observations of an in-memory probe
(pending 9 times, then done) with zero delay, in one process on asyncio. How much CPU
and wall time does waitkit's engine take, compared in the same run with

- a bare ``while`` loop (the floor: what any poller must at least do),
- backoff's ``on_predicate`` (``backoff.constant`` at the same tiny interval),
- tenacity's ``AsyncRetrying`` (``retry_if_result``, ``wait_none``; one object per poller,
  as a shared one is not safe across tasks), and
- stamina's ``retry_context`` (it retries on exceptions: a pending look raises one)?

waitkit runs as users run it: ``Waiter.wait()`` gathered, ``wait_all()`` over all the
waiters, and ``until()`` gathered.

And how much memory does one *pending* wait hold (10,000 waits asleep at once)?

Targets: ``wait_all`` CPU per observation <= 2x the bare loop's and below backoff's;
``Waiter.wait`` below tenacity; <= 4 KiB RSS per pending wait.

structlog is configured as a service would run it (events below WARNING filtered, the
logger cached). With structlog's stock development config every event is printed to the
console, which measures the terminal, not the engine.

Run: ``nox -s bench`` or ``python benchmarks/engine_overhead.py [--waiters N] [--repeats R]``.
Writes ``benchmarks/results/engine_overhead.json``.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import os
import statistics
import time
import tracemalloc
from collections.abc import Awaitable, Callable
from pathlib import Path

import backoff
import stamina
import tenacity

from _common import machine_facts, quiet_structlog, spread, write_report
from waitkit import Policy, State, Verdict, Waiter, until, wait_all

OBSERVATIONS = 10
RESULTS = Path(__file__).parent / "results" / "engine_overhead.json"


class Probe(State):
    status: str


class InMemoryWaiter(Waiter[Probe]):
    """Pending for OBSERVATIONS - 1 looks, then done."""

    kind = "bench"

    def __init__(self, policy: Policy) -> None:
        super().__init__(policy=policy)
        self.looks = 0

    async def observe(self) -> Probe:
        self.looks += 1
        return DONE if self.looks >= OBSERVATIONS else PENDING

    def verdict(self, state: Probe) -> Verdict:
        return Verdict.SUCCESS if state.status == "done" else Verdict.PENDING


PENDING = Probe(status="pending")
DONE = Probe(status="done")

# A negligible fixed delay (a zero floor is refused: it never backs off), no deadline:
# the benchmark measures the loop, not the sleeping.
TICK = 1e-9
WITH_CALL_TIMEOUT = Policy(min_delay=TICK, max_delay=TICK, jitter="none", timeout=None)
WITHOUT_CALL_TIMEOUT = WITH_CALL_TIMEOUT.replace(call_timeout=None)


def make_probe() -> Callable[[], Awaitable[str]]:
    looks = 0

    async def probe() -> str:
        nonlocal looks
        looks += 1
        return "done" if looks >= OBSERVATIONS else "pending"

    return probe


async def bare_one() -> None:
    probe = make_probe()
    while await probe() != "done":
        await asyncio.sleep(TICK)  # the same timer wake-up waitkit's delay costs


async def tenacity_one() -> None:
    retrying = tenacity.AsyncRetrying(
        retry=tenacity.retry_if_result(lambda value: value != "done"),
        wait=tenacity.wait_none(),
        stop=tenacity.stop_never,
    )
    await retrying(make_probe())


async def backoff_one() -> None:
    @backoff.on_predicate(
        backoff.constant, lambda value: value != "done", interval=TICK, jitter=None
    )
    async def poll(probe: Callable[[], Awaitable[str]]) -> str:
        return await probe()

    await poll(make_probe())


class _Pending(Exception):  # noqa: N818 - stamina retries on exceptions: "still pending"
    pass


async def stamina_one() -> None:
    probe = make_probe()
    retrying = stamina.retry_context(
        on=_Pending, attempts=None, timeout=None, wait_initial=TICK, wait_max=TICK, wait_jitter=0
    )
    async for attempt in retrying:
        with attempt:
            if await probe() != "done":
                raise _Pending


def engine_one(policy: Policy) -> Callable[[], Awaitable[object]]:
    async def run() -> object:
        return await InMemoryWaiter(policy).wait()

    return run


async def until_one() -> None:
    await until(make_probe(), lambda value: value == "done", policy=WITH_CALL_TIMEOUT)


# A contender runs one poller; a group contender runs them all (wait_all).
Contender = Callable[[], Awaitable[object]]


async def wait_all_group(waiters: int) -> None:
    await wait_all([InMemoryWaiter(WITH_CALL_TIMEOUT) for _ in range(waiters)])


CONTENDERS: dict[str, Contender] = {
    "bare_loop": bare_one,
    "waitkit": engine_one(WITH_CALL_TIMEOUT),
    "waitkit_wait_all": bare_one,  # stands in: measured as a group, below
    "waitkit_until": until_one,
    "waitkit_no_call_timeout": engine_one(WITHOUT_CALL_TIMEOUT),
    "backoff": backoff_one,
    "tenacity": tenacity_one,
    "stamina": stamina_one,
}


async def run_all(name: str, one: Contender, waiters: int) -> None:
    if name == "waitkit_wait_all":
        await wait_all_group(waiters)
    else:
        await asyncio.gather(*(one() for _ in range(waiters)))


def measure(name: str, one: Contender, waiters: int) -> tuple[float, float]:
    gc.collect()
    cpu, wall = time.process_time(), time.perf_counter()
    asyncio.run(run_all(name, one, waiters))
    return time.process_time() - cpu, time.perf_counter() - wall


def rss_bytes() -> int:
    with Path("/proc/self/statm").open() as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


async def pending_memory(waiters: int, *, engine: bool) -> dict[str, float]:
    """Bytes per wait while ``waiters`` waits sleep (tracemalloc and RSS)."""
    policy = Policy(min_delay=3600, max_delay=3600, timeout=None)

    async def bare_pending() -> None:
        probe = make_probe()
        while await probe() != "done":
            await asyncio.sleep(3600)

    gc.collect()
    tracemalloc.start()
    base_traced = tracemalloc.get_traced_memory()[0]
    base_rss = rss_bytes()
    tasks = [
        asyncio.create_task(InMemoryWaiter(policy).wait() if engine else bare_pending())
        for _ in range(waiters)
    ]
    await asyncio.sleep(0.1)  # every wait has made its first look and is asleep
    traced = tracemalloc.get_traced_memory()[0] - base_traced
    rss = rss_bytes() - base_rss
    tracemalloc.stop()
    for task in tasks:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)
    return {"tracemalloc_bytes_per_wait": traced / waiters, "rss_bytes_per_wait": rss / waiters}


def main() -> None:
    # stamina logs every retry through its default hooks (a warning each); waitkit logs
    # once per change and backoff and tenacity log nothing here: measured without them.
    stamina.instrumentation.set_on_retry_hooks([])
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--waiters", type=int, default=10_000)
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    quiet_structlog()

    cpu: dict[str, list[float]] = {name: [] for name in CONTENDERS}
    wall: dict[str, list[float]] = {name: [] for name in CONTENDERS}
    for name, one in CONTENDERS.items():  # warm-up: imports, caches
        measure(name, one, 100)
    for _ in range(args.repeats):  # interleaved, so machine noise hits every contender alike
        for name, one in CONTENDERS.items():
            c, w = measure(name, one, args.waiters)
            cpu[name].append(c)
            wall[name].append(w)

    observations = args.waiters * OBSERVATIONS
    bare_cpu = statistics.median(cpu["bare_loop"])
    bare_wall = statistics.median(wall["bare_loop"])
    report: dict[str, object] = {
        "question": (
            "engine CPU/wall per observation vs a bare loop and tenacity; memory per pending wait"
        ),
        "waiters": args.waiters,
        "observations_per_waiter": OBSERVATIONS,
        "repeats": args.repeats,
        **machine_facts(),
        "contenders": {},
    }
    for name in CONTENDERS:
        median_cpu = statistics.median(cpu[name])
        median_wall = statistics.median(wall[name])
        report["contenders"][name] = {  # type: ignore[index]
            "cpu_seconds": spread(cpu[name]),
            "wall_seconds": spread(wall[name]),
            "cpu_us_per_observation": median_cpu / observations * 1e6,
            "cpu_ratio_to_bare": median_cpu / bare_cpu,
            "wall_ratio_to_bare": median_wall / bare_wall,
            "cpu_ratio_range_to_bare": [min(cpu[name]) / bare_cpu, max(cpu[name]) / bare_cpu],
        }
    report["memory"] = {
        "waitkit": asyncio.run(pending_memory(args.waiters, engine=True)),
        "bare_loop": asyncio.run(pending_memory(args.waiters, engine=False)),
    }
    grouped = report["contenders"]["waitkit_wait_all"]  # type: ignore[index]
    report["targets"] = {
        "wait_all_cpu_le_2x_bare": grouped["cpu_ratio_to_bare"] <= 2.0,
        "wait_all_below_backoff": statistics.median(cpu["waitkit_wait_all"])
        < statistics.median(cpu["backoff"]),
        "engine_below_tenacity": statistics.median(cpu["waitkit"])
        < statistics.median(cpu["tenacity"]),
        "memory_le_4_KiB_rss_per_pending_wait": report["memory"]["waitkit"][  # type: ignore[index]
            "rss_bytes_per_wait"
        ]
        <= 4096,
    }
    write_report(RESULTS, report)
    for name, row in report["contenders"].items():  # type: ignore[attr-defined]
        print(
            f"{name:26s} cpu x{row['cpu_ratio_to_bare']:.2f}  wall x{row['wall_ratio_to_bare']:.2f}"
            f"  {row['cpu_us_per_observation']:.1f} us/obs"
        )
    print("memory:", json.dumps(report["memory"]))
    print("targets:", json.dumps(report["targets"]))
    print(f"wrote {RESULTS}")


if __name__ == "__main__":
    main()
