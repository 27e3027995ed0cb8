"""Deadline accuracy: how far past its timeout does a wait end, when calls are slow?

Question (issue #6, benchmark 6): 1,000 concurrent waits that never succeed, each with a
timeout drawn in ``[--timeout-min, --timeout-max]`` seconds, observing a probe whose
every call takes a random time (real clock): mostly fast, sometimes slow, and now and then
hung for longer than the per-call timeout. How far past its deadline does each wait end
(``WaitTimeoutError``), and is that within the per-call timeout plus 50 ms?
[target: overshoot <= call_timeout + 50 ms]

Per-call latency (per call, seeded): ``--fast-share`` uniform in [0, 0.2 s], then
uniform in [0.2 s, call_timeout], and ``--hang-share`` a hang of 5 s (cut by the per-call
timeout, a transient error). ``Policy(call_timeout=1, min_delay=0.05, max_delay=0.5)``.

Anchors, in the same run with the same latencies:

- ``asyncio.timeout`` around a bare loop: the floor (the call is cancelled at the
  deadline; what remains is event-loop lag);
- tenacity 9 ``AsyncRetrying`` with ``stop_after_delay(timeout)``: a retry library's
  deadline, checked between attempts (a call in flight is not bounded).

Overshoot = the moment the wait ends - (its start + its timeout), on ``time.monotonic()``
(the asyncio loop's clock). Repeats are interleaved; each repeat draws new latencies.

Run: ``python benchmarks/deadline_accuracy.py [--waits N] [--repeats R]``.
Writes ``benchmarks/results/deadline_accuracy.json``.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import tenacity

from _common import (
    json_warnings_to_devnull,
    machine_facts,
    ms_spread,
    percentiles,
    spread,
    write_report,
)
from waitkit import Policy, State, Verdict, Waiter, WaitTimeoutError

RESULTS = Path(__file__).parent / "results" / "deadline_accuracy.json"
HANG = 5.0


class Probe(State):
    status: str


PENDING = Probe(status="pending")


class Latency:
    """A random per-call latency, seeded per wait."""

    def __init__(self, seed: int, args: argparse.Namespace) -> None:
        self.rng = random.Random(seed)
        self.args = args
        self.calls = 0

    def next(self) -> float:
        self.calls += 1
        roll = self.rng.random()
        if roll < self.args.hang_share:
            return HANG
        if roll < self.args.hang_share + self.args.fast_share:
            return self.rng.uniform(0.0, 0.2)
        return self.rng.uniform(0.2, self.args.call_timeout)


class SlowWaiter(Waiter[Probe]):
    """Always pending; each look takes the next random latency."""

    kind = "bench_slow"

    def __init__(self, latency: Latency, policy: Policy) -> None:
        super().__init__(policy=policy)
        self.latency = latency

    async def observe(self) -> Probe:
        await asyncio.sleep(self.latency.next())
        return PENDING

    def verdict(self, state: Probe) -> Verdict:  # noqa: ARG002 - never done
        return Verdict.PENDING


async def one_waitkit(latency: Latency, timeout: float, args: argparse.Namespace) -> float:
    policy = Policy(
        min_delay=0.05, max_delay=0.5, call_timeout=args.call_timeout, max_transient_errors=1000
    )
    started = time.monotonic()
    try:
        await SlowWaiter(latency, policy).wait(timeout=timeout)
    except WaitTimeoutError:
        return time.monotonic() - (started + timeout)
    msg = "the wait was expected to time out"
    raise AssertionError(msg)


async def one_asyncio_timeout(latency: Latency, timeout: float, args: argparse.Namespace) -> float:
    rng = random.Random(timeout)  # the pause between calls; leaves the latencies alone
    started = time.monotonic()
    try:
        async with asyncio.timeout(timeout):
            while True:
                # the same per-call bound as waitkit's, so calls look alike
                try:
                    async with asyncio.timeout(args.call_timeout):
                        await asyncio.sleep(latency.next())
                except TimeoutError:
                    pass
                await asyncio.sleep(rng.uniform(0.05, 0.5))
    except TimeoutError:
        return time.monotonic() - (started + timeout)


async def one_tenacity(latency: Latency, timeout: float, args: argparse.Namespace) -> float:  # noqa: ARG001
    async def call() -> str:
        await asyncio.sleep(latency.next())
        return "pending"

    retrying = tenacity.AsyncRetrying(
        retry=tenacity.retry_if_result(lambda value: value != "done"),
        wait=tenacity.wait_random_exponential(multiplier=0.05, max=0.5),
        stop=tenacity.stop_after_delay(timeout),
    )
    started = time.monotonic()
    try:
        await retrying(call)
    except tenacity.RetryError:
        return time.monotonic() - (started + timeout)
    msg = "the wait was expected to time out"
    raise AssertionError(msg)


CONTENDERS: dict[str, Callable[[Latency, float, argparse.Namespace], Awaitable[float]]] = {
    "waitkit": one_waitkit,
    "asyncio_timeout_floor": one_asyncio_timeout,
    "tenacity_stop_after_delay": one_tenacity,
}


async def run_contender(name: str, rep: int, args: argparse.Namespace) -> dict[str, Any]:
    rng = random.Random(f"{args.seed}-{rep}")
    timeouts = [rng.uniform(args.timeout_min, args.timeout_max) for _ in range(args.waits)]
    latencies = [Latency(rng.randrange(2**32), args) for _ in range(args.waits)]
    one = CONTENDERS[name]
    overshoots = await asyncio.gather(
        *(one(lat, t, args) for lat, t in zip(latencies, timeouts, strict=True))
    )
    return {
        "overshoot_s": percentiles(list(overshoots)),
        "calls": sum(lat.calls for lat in latencies),
        "over_call_timeout_plus_50ms": sum(o > args.call_timeout + 0.05 for o in overshoots),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--waits", type=int, default=1000)
    parser.add_argument("--timeout-min", type=float, default=2.0)
    parser.add_argument("--timeout-max", type=float, default=4.0)
    parser.add_argument("--call-timeout", type=float, default=1.0)
    parser.add_argument("--fast-share", type=float, default=0.80)
    parser.add_argument("--hang-share", type=float, default=0.05)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--seed", type=int, default=6)
    args = parser.parse_args()
    json_warnings_to_devnull()

    runs: dict[str, list[dict[str, Any]]] = {name: [] for name in CONTENDERS}
    for rep in range(args.repeats):  # interleaved
        for name in CONTENDERS:
            row = asyncio.run(run_contender(name, rep, args))
            runs[name].append(row)
            o = row["overshoot_s"]
            print(
                f"repeat {rep} {name:26s} overshoot p50 {o['p50'] * 1e3:7.1f} ms"
                f"  p99 {o['p99'] * 1e3:7.1f} ms  max {o['max'] * 1e3:7.1f} ms"
                f"  > call_timeout+50ms: {row['over_call_timeout_plus_50ms']}",
                flush=True,
            )
    bound = args.call_timeout + 0.05
    summary = {
        name: {
            stat: spread([r["overshoot_s"][stat] for r in rows])
            for stat in ("p50", "p90", "p99", "max")
        }
        | {"over_bound": spread([r["over_call_timeout_plus_50ms"] for r in rows])}
        for name, rows in runs.items()
    }
    report: dict[str, Any] = {
        "question": "overshoot of the timeout with random per-call latency (real clock)",
        "waits": args.waits,
        "timeouts_s": [args.timeout_min, args.timeout_max],
        "call_timeout_s": args.call_timeout,
        "latency": {
            "fast_share_0_to_200ms": args.fast_share,
            "hang_share_5s": args.hang_share,
            "rest_200ms_to_call_timeout": 1 - args.fast_share - args.hang_share,
        },
        "repeats": args.repeats,
        **machine_facts(),
        "summary_over_repeats": summary,
        "targets": {
            "waitkit_max_overshoot_le_call_timeout_plus_50ms": summary["waitkit"]["max"]["max"]
            <= bound
        },
        "runs": runs,
    }
    write_report(RESULTS, report)

    for name, s in summary.items():
        print(
            f"{name:26s} overshoot ms (min/median/max over repeats):"
            f" p50 {ms_spread(s['p50'])}  p99 {ms_spread(s['p99'])}  max {ms_spread(s['max'])}"
        )
    print("targets:", json.dumps(report["targets"]))
    print(f"wrote {RESULTS}")


if __name__ == "__main__":
    main()
