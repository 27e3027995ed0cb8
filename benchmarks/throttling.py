r"""Throttling: 500 instance-refresh waits against an API that allows 20 requests a second.

Question (issue #6, benchmark 5): 500 ``InstanceRefreshWaiter``\\ s, one refresh per Auto
Scaling group (so shared observation cannot help: this measures throttling alone),
against the emulator throttled to ``--rate`` requests/s (token bucket, ``--burst``). How
many waits fail, how many throttled answers does the client cause, and how long until
the last wait returns, against the *ideal*: the moment the last refresh completes?
[targets: 0 failures; total <= 1.2x ideal]

Refresh *i* succeeds at a time drawn uniformly in ``[--first, --last]`` seconds (the same
draw for every contender), so the ideal is ``--last`` (minus the contender's start-up).

The anchor is the loop users write with aiobotocore, because botocore has no
instance-refresh waiter: per refresh, ``DescribeInstanceRefreshes``, stop on a terminal
status, else ``asyncio.sleep(interval)``, on one shared client. botocore's retries are
what protects that loop from throttling, so it runs twice: with ``standard`` retries
(botocore's documented recommendation, 3 attempts) and with ``adaptive`` retries and 10
attempts (botocore's client-side rate limiter; the configuration AWS suggests for
throttling). We chose this over ``get_waiter`` with a custom waiter model because that
machinery is the same loop (a fixed ``Delay``, no jitter, a ``MaxAttempts`` bound), and
an error no acceptor matches (a throttle that outlasts the retries) ends its wait just
as the loop's uncaught exception does; the loop is what people write and what the
brief's "fairest" means: the same calls, the same interval, the same client retries.

waitkit runs on a client with botocore's retries off (``total_max_attempts=1``: the
engine alone handles throttling with its own backoff), with
``Policy(min_delay=1, max_delay=interval)``: once with the throttling backoff at its
defaults (1 s to 60 s), once (``waitkit_throttle_cap``) with ``throttle_max_delay=interval``.
``waitkit_adaptive_client`` (opt-in: ``--contenders``) runs it on the shared ``adaptive``
client the docs recommended; on Python 3.11 it deadlocks (see ``DEFAULT_CONTENDERS``).

Each contender runs in its own process with its own emulator (this script with
``--contender NAME``), all contenders of a repeat at once (so machine noise hits them
alike); their CPU is reported, to show the two cores were not the bottleneck.

Run: ``python benchmarks/throttling.py [--waiters N] [--rate R] [--repeats R]``.
Writes ``benchmarks/results/throttling.json``.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import resource
import sys
import time
from pathlib import Path
from typing import Any

from aiobotocore.config import AioConfig
from aiobotocore.session import get_session

from _common import json_warnings_to_devnull, machine_facts, spread, write_report
from waitkit import Policy, wait_all
from waitkit.aws import InstanceRefreshWaiter
from waitkit.emulator import Emulator, Scenario

RESULTS = Path(__file__).parent / "results" / "throttling.json"
TERMINAL = {"Successful", "Failed", "Cancelled", "RollbackFailed", "RollbackSuccessful"}
CONTENDERS = (
    "waitkit",
    "waitkit_throttle_cap",
    "waitkit_adaptive_client",
    "loop_standard",
    "loop_adaptive",
)
# waitkit on an adaptive client is opt-in: on Python 3.11, a call cancelled while it waits in
# aiobotocore's adaptive token bucket can leave the bucket's lock held, and every later
# call on that client hangs (see docs/performance.md). The run then lasts --timeout.
DEFAULT_CONTENDERS = ("waitkit", "waitkit_throttle_cap", "loop_standard", "loop_adaptive")
EXIT_GRACE = 20.0
RETRIES: dict[str, dict[str, Any]] = {
    "waitkit": {"total_max_attempts": 1},
    "waitkit_throttle_cap": {"total_max_attempts": 1},
    "waitkit_adaptive_client": {"mode": "adaptive", "max_attempts": 10},
    "loop_standard": {"mode": "standard"},
    "loop_adaptive": {"mode": "adaptive", "max_attempts": 10},
}


def completion_times(args: argparse.Namespace) -> list[float]:
    rng = random.Random(args.seed)
    times = [rng.uniform(args.first, args.last) for _ in range(args.waiters)]
    times[-1] = args.last  # the ideal is exactly --last
    return times


def scenario(args: argparse.Namespace) -> Scenario:
    return Scenario.model_validate(
        {
            "autoscaling": {
                "groups": [
                    {
                        "name": f"g-{i:04d}",
                        "refreshes": [
                            {
                                "id": f"r-{i:04d}",
                                "timeline": [
                                    {"at": 0, "status": "InProgress"},
                                    {"at": done, "status": "Successful"},
                                ],
                            }
                        ],
                    }
                    for i, done in enumerate(completion_times(args))
                ]
            },
            "faults": [
                {
                    "kind": "throttle",
                    "service": "autoscaling",
                    "operation": "DescribeInstanceRefreshes",
                    "rate": args.rate,
                    "burst": args.burst,
                }
            ],
        }
    )


def client(endpoint: str, retries: dict[str, Any]) -> Any:
    return get_session().create_client(
        "autoscaling",
        region_name="us-east-1",
        endpoint_url=endpoint,
        aws_access_key_id="bench",
        aws_secret_access_key="bench",
        config=AioConfig(max_pool_connections=100, retries=dict(retries)),  # botocore edits it,
    )


async def run_waitkit(asg: Any, args: argparse.Namespace) -> list[BaseException | None]:
    policy = Policy(min_delay=1.0, max_delay=args.interval, timeout=args.timeout)
    if args.contender == "waitkit_throttle_cap":  # throttling backs off no further than polling
        policy = policy.replace(throttle_max_delay=args.interval)
    waiters = [
        InstanceRefreshWaiter(asg, f"g-{i:04d}", f"r-{i:04d}", policy=policy)
        for i in range(args.waiters)
    ]
    outcomes = await wait_all(waiters, return_exceptions=True)
    return [o if isinstance(o, BaseException) else None for o in outcomes]


async def run_loop(asg: Any, args: argparse.Namespace) -> list[BaseException | None]:
    async def poll(group: str, rid: str) -> None:
        while True:
            answer = await asg.describe_instance_refreshes(
                AutoScalingGroupName=group, InstanceRefreshIds=[rid]
            )
            if answer["InstanceRefreshes"][0]["Status"] in TERMINAL:
                return
            await asyncio.sleep(args.interval)

    async def bounded(group: str, rid: str) -> None:
        async with asyncio.timeout(args.timeout):
            await poll(group, rid)

    outcomes = await asyncio.gather(
        *(bounded(f"g-{i:04d}", f"r-{i:04d}") for i in range(args.waiters)),
        return_exceptions=True,
    )
    return [o if isinstance(o, BaseException) else None for o in outcomes]


async def contender(args: argparse.Namespace) -> dict[str, Any]:
    name = args.contender
    async with Emulator(scenario(args)) as emu:
        async with client(emu.aws_endpoint, RETRIES[name]) as asg:
            started_at = emu.clock.now()  # scenario seconds since the emulator started
            started = time.monotonic()
            run = run_waitkit if name.startswith("waitkit") else run_loop
            outcomes = await run(asg, args)
            wall = time.monotonic() - started
        calls = emu.counters.of("autoscaling", "DescribeInstanceRefreshes")
        throttled = emu.counters.faults[("autoscaling", "DescribeInstanceRefreshes", "throttle")]
    failures = [f"{type(o).__name__}: {o}"[:300] for o in outcomes if o is not None]
    ideal = args.last - started_at
    usage = resource.getrusage(resource.RUSAGE_SELF)
    leftover = [t for t in asyncio.all_tasks() if t is not asyncio.current_task()]
    return {
        "leftover_tasks": len(leftover),
        "contender": name,
        "retries": RETRIES[name],
        "failures": len(failures),
        "failure_examples": sorted(set(failures))[:3],
        "requests": calls,
        "throttled": throttled,
        "accepted": calls - throttled,
        "wall_s": wall,
        "ideal_s": ideal,
        "ratio_to_ideal": wall / ideal,
        "cpu_s": usage.ru_utime + usage.ru_stime,
    }


async def run_repeat(args: argparse.Namespace) -> dict[str, dict[str, Any]]:
    forwarded = [
        f"--{key}={getattr(args, key.replace('-', '_'))}"
        for key in ("waiters", "rate", "burst", "first", "last", "interval", "timeout", "seed")
    ]
    procs = {
        name: await asyncio.create_subprocess_exec(
            sys.executable,
            __file__,
            "--contender",
            name,
            *forwarded,
            stdout=asyncio.subprocess.PIPE,
        )
        for name in args.contenders
    }

    async def result(proc: asyncio.subprocess.Process) -> dict[str, Any]:
        assert proc.stdout is not None
        row: dict[str, Any] = json.loads(await proc.stdout.readline())
        try:  # the result is printed before asyncio.run's clean-up, which may hang
            async with asyncio.timeout(EXIT_GRACE):
                await proc.wait()
            row["hung_at_exit"] = False
        except TimeoutError:
            proc.kill()
            await proc.wait()
            row["hung_at_exit"] = True
        return row

    rows = await asyncio.gather(*(result(proc) for proc in procs.values()))
    return dict(zip(procs, rows, strict=True))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--waiters", type=int, default=500)
    parser.add_argument("--rate", type=float, default=20.0, help="requests/s the API allows")
    parser.add_argument("--burst", type=int, default=20)
    parser.add_argument("--first", type=float, default=20.0, help="earliest completion (s)")
    parser.add_argument("--last", type=float, default=60.0, help="last completion: the ideal (s)")
    parser.add_argument("--interval", type=float, default=5.0, help="poll interval / max_delay")
    parser.add_argument("--timeout", type=float, default=300.0)
    parser.add_argument("--repeats", type=int, default=2)
    parser.add_argument("--seed", type=int, default=6)
    parser.add_argument(
        "--contenders", nargs="+", default=list(DEFAULT_CONTENDERS), choices=CONTENDERS
    )
    parser.add_argument("--contender", choices=CONTENDERS, help=argparse.SUPPRESS)
    args = parser.parse_args()
    json_warnings_to_devnull()
    if args.contender:

        async def run_and_print() -> None:
            print(json.dumps(await contender(args)), flush=True)

        asyncio.run(run_and_print())
        return

    runs: dict[str, list[dict[str, Any]]] = {name: [] for name in args.contenders}
    for rep in range(args.repeats):
        for name, row in asyncio.run(run_repeat(args)).items():
            runs[name].append(row)
            print(
                f"repeat {rep} {name:24s} failures {row['failures']:3d}  throttled"
                f" {row['throttled']:5d}/{row['requests']:5d}  {row['wall_s']:.1f}s ="
                f" x{row['ratio_to_ideal']:.2f} ideal  cpu {row['cpu_s']:.1f}s"
                f"{'  HUNG AT EXIT' if row['hung_at_exit'] else ''}",
                flush=True,
            )
    summary = {
        name: {
            "failures": spread([r["failures"] for r in rows]),
            "throttled": spread([r["throttled"] for r in rows]),
            "requests": spread([r["requests"] for r in rows]),
            "wall_s": spread([r["wall_s"] for r in rows]),
            "ratio_to_ideal": spread([r["ratio_to_ideal"] for r in rows]),
            "cpu_s": spread([r["cpu_s"] for r in rows]),
            "hung_at_exit": sum(r["hung_at_exit"] for r in rows),
        }
        for name, rows in runs.items()
    }
    report: dict[str, Any] = {
        "question": "failures, throttled answers and total time vs ideal under a 20 req/s limit",
        "waiters": args.waiters,
        "rate_per_s": args.rate,
        "burst": args.burst,
        "completions_s": [args.first, args.last],
        "interval_s": args.interval,
        "repeats": args.repeats,
        **machine_facts(),
        "summary": summary,
        "targets": {
            name: {
                "zero_failures": s["failures"]["max"] == 0,
                "le_1_2x_ideal": s["ratio_to_ideal"]["median"] <= 1.2,
            }
            for name, s in summary.items()
            if name.startswith("waitkit")
        },
        "runs": runs,
    }
    write_report(RESULTS, report)
    for name, s in summary.items():
        r = s["ratio_to_ideal"]
        print(
            f"{name:24s} failures(max) {s['failures']['max']:3.0f}  throttled(median)"
            f" {s['throttled']['median']:6.0f}  x ideal"
            f" {r['min']:.2f}/{r['median']:.2f}/{r['max']:.2f}"
        )
    print("targets:", json.dumps(report["targets"]))
    print(f"wrote {RESULTS}")


if __name__ == "__main__":
    main()
