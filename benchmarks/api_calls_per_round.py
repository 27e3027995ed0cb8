"""API calls per polling round: does shared observation really share?

Question (issue #6, benchmark 3): on the emulator,

- 1,000 durable executions of one function: calls made by waitkit's
  ``DurableExecutionWaiter`` vs a per-execution poll loop using aiobotocore directly
  (``GetDurableExecution`` every interval) [target: <= 2 per round vs 1,000];
- 200 instance-refresh waiters on 20 Auto Scaling groups: waitkit's
  ``InstanceRefreshWaiter`` vs a per-refresh ``DescribeInstanceRefreshes`` loop
  [target: 20 per round].

A *round* is one poll of every resource. Both sides poll every ``--interval`` seconds
(waitkit: ``Policy(min_delay=max_delay=interval, jitter="none")``) until every resource
finishes at ``--duration`` seconds: at 0, interval, ..., duration, so there are
``duration / interval + 1`` rounds (the per-resource loop's own count: 11 calls per
refresh for 10 s at 1 s). Calls per round = calls / rounds. The
emulator counts the calls. Completion-time lookups (one detail call per finished
execution) are reported apart, because they happen once, not every round.

Run: ``nox -s bench -- benchmarks/api_calls_per_round.py`` or
``python benchmarks/api_calls_per_round.py``. Writes
``benchmarks/results/api_calls_per_round.json``.
"""

from __future__ import annotations

import argparse
import asyncio
import time
from pathlib import Path
from typing import Any

from aiobotocore.config import AioConfig
from aiobotocore.session import get_session

from _common import machine_facts, quiet_structlog, write_report
from waitkit import Policy, wait_all
from waitkit.aws import DurableExecutionWaiter, InstanceRefreshWaiter
from waitkit.emulator import Emulator, Scenario

RESULTS = Path(__file__).parent / "results" / "api_calls_per_round.json"
TERMINAL_EXECUTION = {"SUCCEEDED", "FAILED", "TIMED_OUT", "STOPPED"}
TERMINAL_REFRESH = {
    "Successful",
    "Failed",
    "Cancelled",
    "RollbackFailed",
    "RollbackSuccessful",
}


def client(service: str, endpoint: str) -> Any:
    return get_session().create_client(
        service,
        region_name="us-east-1",
        endpoint_url=endpoint,
        aws_access_key_id="bench",
        aws_secret_access_key="bench",
        config=AioConfig(max_pool_connections=100, retries={"max_attempts": 1}),
    )


def durable_scenario(executions: int, duration: float) -> Scenario:
    timeline = [{"at": 0, "status": "RUNNING"}, {"at": duration, "status": "SUCCEEDED"}]
    return Scenario.model_validate(
        {
            "durable": {
                "functions": [
                    {
                        "name": "orders",
                        "executions": [
                            {"name": f"e-{i}", "timeline": timeline} for i in range(executions)
                        ],
                    }
                ]
            }
        }
    )


def refresh_scenario(groups: int, per_group: int, duration: float) -> Scenario:
    timeline = [{"at": 0, "status": "InProgress"}, {"at": duration, "status": "Successful"}]
    return Scenario.model_validate(
        {
            "autoscaling": {
                "groups": [
                    {
                        "name": f"g-{g}",
                        "refreshes": [
                            {"id": f"g-{g}-r-{i}", "timeline": timeline} for i in range(per_group)
                        ],
                    }
                    for g in range(groups)
                ]
            }
        }
    )


async def durable_waitkit(emu: Emulator, executions: int, policy: Policy) -> None:
    async with client("lambda", emu.aws_endpoint) as lam:
        waiters = [
            DurableExecutionWaiter(
                lam, function_name="orders", execution_name=f"e-{i}", policy=policy
            )
            for i in range(executions)
        ]
        await wait_all(waiters)


async def durable_naive(emu: Emulator, executions: int, interval: float) -> None:
    async with client("lambda", emu.aws_endpoint) as lam:
        listed: list[str] = []
        kwargs: dict[str, Any] = {"FunctionName": "orders", "MaxItems": 1000}
        while True:  # find the ARNs once (not counted as polling: see the report)
            page = await lam.list_durable_executions_by_function(**kwargs)
            listed += [e["DurableExecutionArn"] for e in page["DurableExecutions"]]
            if not page.get("NextMarker"):
                break
            kwargs["Marker"] = page["NextMarker"]

        async def poll(arn: str) -> None:
            while True:
                answer = await lam.get_durable_execution(
                    DurableExecutionArn=arn, IncludeExecutionData=False
                )
                if answer["Status"] in TERMINAL_EXECUTION:
                    return
                await asyncio.sleep(interval)

        await asyncio.gather(*(poll(arn) for arn in listed[:executions]))


async def refresh_waitkit(emu: Emulator, groups: int, per_group: int, policy: Policy) -> None:
    async with client("autoscaling", emu.aws_endpoint) as asg:
        waiters = [
            InstanceRefreshWaiter(asg, f"g-{g}", f"g-{g}-r-{i}", policy=policy)
            for g in range(groups)
            for i in range(per_group)
        ]
        await wait_all(waiters)


async def refresh_naive(emu: Emulator, groups: int, per_group: int, interval: float) -> None:
    async with client("autoscaling", emu.aws_endpoint) as asg:

        async def poll(group: str, rid: str) -> None:
            while True:
                answer = await asg.describe_instance_refreshes(
                    AutoScalingGroupName=group, InstanceRefreshIds=[rid]
                )
                if answer["InstanceRefreshes"][0]["Status"] in TERMINAL_REFRESH:
                    return
                await asyncio.sleep(interval)

        await asyncio.gather(
            *(poll(f"g-{g}", f"g-{g}-r-{i}") for g in range(groups) for i in range(per_group))
        )


async def measure(
    scenario: Scenario, run: Any, operations: list[tuple[str, str]]
) -> dict[str, Any]:
    async with Emulator(scenario) as emu:
        started = time.perf_counter()
        await run(emu)
        wall = time.perf_counter() - started
        counts = {f"{svc}:{op}": emu.counters.of(svc, op) for svc, op in operations}
    return {"calls": counts, "wall_seconds": wall}


async def main_async(args: argparse.Namespace) -> dict[str, Any]:
    # Polls at 0, interval, ..., duration: one more round than intervals.
    rounds = args.duration / args.interval + 1
    policy = Policy(
        min_delay=args.interval, max_delay=args.interval, jitter="none", timeout=args.duration * 10
    )
    report: dict[str, Any] = {
        "question": "API calls per polling round: waitkit's shared observation vs a naive loop",
        "interval_seconds": args.interval,
        "duration_seconds": args.duration,
        "rounds": rounds,
        **machine_facts(),
    }

    lam_ops = [
        ("lambda", "ListDurableExecutionsByFunction"),
        ("lambda", "GetDurableExecution"),
        ("lambda", "GetDurableExecutionHistory"),
    ]
    n = args.executions
    shared = await measure(
        durable_scenario(n, args.duration), lambda emu: durable_waitkit(emu, n, policy), lam_ops
    )
    naive = await measure(
        durable_scenario(n, args.duration),
        lambda emu: durable_naive(emu, n, args.interval),
        lam_ops,
    )
    polling = shared["calls"]["lambda:ListDurableExecutionsByFunction"]
    report["durable"] = {
        "executions": n,
        "waitkit": shared,
        "naive": naive,
        "waitkit_polling_calls_per_round": polling / rounds,
        "waitkit_completion_calls": shared["calls"]["lambda:GetDurableExecution"],
        "naive_calls_per_round": naive["calls"]["lambda:GetDurableExecution"] / rounds,
        "target_le_2_per_round": polling / rounds <= 2,
    }

    asg_ops = [("autoscaling", "DescribeInstanceRefreshes")]
    g, per = args.groups, args.per_group
    shared = await measure(
        refresh_scenario(g, per, args.duration),
        lambda emu: refresh_waitkit(emu, g, per, policy),
        asg_ops,
    )
    naive = await measure(
        refresh_scenario(g, per, args.duration),
        lambda emu: refresh_naive(emu, g, per, args.interval),
        asg_ops,
    )
    report["instance_refresh"] = {
        "groups": g,
        "waiters": g * per,
        "waitkit": shared,
        "naive": naive,
        "waitkit_calls_per_round": shared["calls"]["autoscaling:DescribeInstanceRefreshes"]
        / rounds,
        "naive_calls_per_round": naive["calls"]["autoscaling:DescribeInstanceRefreshes"] / rounds,
        "target_le_groups_per_round": shared["calls"]["autoscaling:DescribeInstanceRefreshes"]
        / rounds
        <= g * 1.1,
    }
    return report


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--executions", type=int, default=1000)
    parser.add_argument("--groups", type=int, default=20)
    parser.add_argument("--per-group", type=int, default=10)
    parser.add_argument("--interval", type=float, default=1.0)
    parser.add_argument("--duration", type=float, default=10.0)
    args = parser.parse_args()
    quiet_structlog()
    report = asyncio.run(main_async(args))
    write_report(RESULTS, report)
    d, r = report["durable"], report["instance_refresh"]
    print(
        f"durable x{d['executions']}: waitkit {d['waitkit_polling_calls_per_round']:.2f} list calls"
        f"/round (+{d['waitkit_completion_calls']} detail calls once), naive "
        f"{d['naive_calls_per_round']:.0f} calls/round"
    )
    print(
        f"instance refresh x{r['waiters']} on {r['groups']} groups: waitkit "
        f"{r['waitkit_calls_per_round']:.1f} calls/round, naive {r['naive_calls_per_round']:.0f}"
    )
    print(f"wrote {RESULTS}")


if __name__ == "__main__":
    main()
