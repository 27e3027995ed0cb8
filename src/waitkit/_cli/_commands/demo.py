"""``waitkit demo``: a few hundred waits on the built-in emulator, no account needed.

The emulator starts in-process with a scenario across the services: instance
refreshes on ten Auto Scaling groups, durable executions of two functions, Logs
Insights queries and Kubernetes Jobs. A few fail and one times out, on purpose, and
throttling is switched on. Everything is awaited together with the usual live view;
then a summary and the API calls each service answered are printed. The demo checks
that every resource ended as scripted: it exits 0 when it did, 1 when not.
"""

from __future__ import annotations

import json
import sys
import time
from collections import Counter
from typing import TYPE_CHECKING, Any, Final

from waitkit._cli._clients import AwsClients
from waitkit._cli._command import Example, WaitCommand, Watch
from waitkit._cli._errors import UsageError
from waitkit._cli._exit import ExitCode
from waitkit._cli._track import Ending
from waitkit._core import Policy

if TYPE_CHECKING:
    import argparse
    from collections.abc import Sequence

    from waitkit._cli._command import Context
    from waitkit._cli._track import Track

GROUPS: Final = 10
REFRESHES_PER_GROUP: Final = 8
EXECUTIONS: Final = {"checkout": 60, "billing": 40}
QUERIES: Final = 20
JOBS: Final = 100

# Throttling switched on: Auto Scaling above 8 calls a second, a share of Lambda's.
FAULTS: Final = (
    {"kind": "throttle", "service": "autoscaling", "rate": 8, "burst": 4},
    {"kind": "throttle", "service": "lambda", "probability": 0.1, "retry_after": 0.5},
)

# Fast enough to finish in well under a minute, slow enough to watch.
POLICY: Final = Policy(min_delay=0.5, max_delay=2.0, timeout=40, throttle_min_delay=0.5)
# The one resource that never finishes gets a short deadline (6 scenario seconds, so it
# scales with --speed), so the demo shows a timeout.
_SHORT_TIMEOUT: Final = 6.0
# A Job's observation reads a shared watch, not the API: short delays cost nothing.
WATCHED: Final = POLICY.replace(min_delay=0.01, max_delay=0.05)
_STUCK: Final = ("billing", 39)
_START: Final = time.time()


def _add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--speed",
        type=float,
        default=1.0,
        help="play the scripted timelines this many times faster (default 1)",
    )


def _refresh_timeline(i: int, failure: str | None) -> list[dict[str, Any]]:
    points: list[dict[str, Any]] = [
        {"at": 0, "status": "Pending", "percentage_complete": 0, "instances_to_update": 4},
        {"at": 1 + i % 4 * 0.5, "status": "InProgress", "percentage_complete": 25},
        {"at": 3 + i % 5 * 0.5, "percentage_complete": 50, "instances_to_update": 2},
        {"at": 5 + i % 6 * 0.5, "percentage_complete": 75, "instances_to_update": 1},
    ]
    if failure == "Failed":
        points.append(
            {"at": 7, "status": "Failed", "status_reason": "instances failed health checks"}
        )
    elif failure == "RollbackSuccessful":
        points += [
            {"at": 7, "status": "RollbackInProgress", "rollback_reason": "alarm fired"},
            {"at": 9, "status": "RollbackSuccessful", "percentage_complete": 0},
        ]
    else:
        points.append(
            {
                "at": 7 + i % 7 * 0.5,
                "status": "Successful",
                "percentage_complete": 100,
                "instances_to_update": 0,
            }
        )
    return points


def _execution_timeline(i: int, failure: str | None) -> list[dict[str, Any]]:
    if failure == "stuck":
        return [{"at": 0, "status": "RUNNING"}]
    end = 2 + i % 8
    if failure is not None:
        error = {"error_type": "CardDeclined", "error_message": "the card was declined"}
        return [{"at": 0, "status": "RUNNING"}, {"at": end, "status": failure, "error": error}]
    return [{"at": 0, "status": "RUNNING"}, {"at": end, "status": "SUCCEEDED", "result": '"ok"'}]


#: Resources that fail on purpose, and how.
REFRESH_FAILURES: Final = {(3, 2): "Failed", (7, 5): "RollbackSuccessful"}
EXECUTION_FAILURES: Final = {
    ("checkout", 13): "FAILED",
    ("billing", 7): "TIMED_OUT",
    _STUCK: "stuck",
}
FAILING_QUERY: Final = 11
JOB_FAILURES: Final = {17: "BackoffLimitExceeded", 63: "DeadlineExceeded"}


def _job_timeline(i: int, reason: str | None) -> list[dict[str, Any]]:
    end = 2 + i % 10 * 0.6
    points: list[dict[str, Any]] = [
        {"at": 0, "phase": "pending"},
        {"at": 1 + i % 3 * 0.3, "phase": "running"},
    ]
    if reason is not None:
        return [
            *points,
            {"at": end, "phase": "failing", "reason": reason},
            {"at": end + 0.5, "phase": "failed", "reason": reason},
        ]
    return [*points, {"at": end, "phase": "succeeding"}, {"at": end + 0.5, "phase": "complete"}]


def scenario(speed: float) -> dict[str, Any]:
    """The demo's scenario (see the module docstring)."""
    groups = [
        {
            "name": f"web-{g:02}",
            "refreshes": [
                {
                    "id": f"web-{g:02}-r{i}",
                    "timeline": _refresh_timeline(g + i, REFRESH_FAILURES.get((g, i))),
                }
                for i in range(REFRESHES_PER_GROUP)
            ],
        }
        for g in range(GROUPS)
    ]
    functions = [
        {
            "name": name,
            "executions": [
                {
                    "name": f"{name}-{i:03}",
                    "timeline": _execution_timeline(i, EXECUTION_FAILURES.get((name, i))),
                }
                for i in range(count)
            ],
        }
        for name, count in EXECUTIONS.items()
    ]
    rows = [{"fields": {"@message": f"order {n} shipped", "level": "INFO"}} for n in range(5)]
    queries = [
        {
            "match": "doomed",
            "timeline": [{"at": 0, "status": "Scheduled"}, {"at": 2, "status": "Failed"}],
        },
        {
            "match": "",
            "timeline": [
                {"at": 0, "status": "Scheduled"},
                {"at": 1, "status": "Running", "rows": 2},
                {"at": 3, "status": "Complete", "rows": 5},
            ],
            "rows": rows,
        },
    ]
    return {
        "speed": speed,
        "faults": [dict(fault) for fault in FAULTS],
        "autoscaling": {"groups": groups},
        "durable": {"functions": functions},
        "logs": {"queries": queries, "max_concurrent_queries": 10},
        "kubernetes": {
            "jobs": [
                {"name": f"batch-{i:03}", "timeline": _job_timeline(i, JOB_FAILURES.get(i))}
                for i in range(JOBS)
            ]
        },
    }


def expected_outcomes() -> dict[str, Ending]:
    """The label of every resource that must not succeed, and how it must end."""
    expected = {f"asg web-{g:02}/web-{g:02}-r{i}": Ending.FAILED for g, i in REFRESH_FAILURES}
    for (name, i), failure in EXECUTION_FAILURES.items():
        outcome = Ending.TIMED_OUT if failure == "stuck" else Ending.FAILED
        expected[f"durable {name}/{name}-{i:03}"] = outcome
    expected[f"logs q{FAILING_QUERY:02}"] = Ending.FAILED
    expected |= {f"job default/batch-{i:03}": Ending.FAILED for i in JOB_FAILURES}
    return expected


async def _build(args: argparse.Namespace, context: Context) -> Sequence[Watch]:
    from waitkit.aws import (  # noqa: PLC0415 - extra 'aws'
        DurableExecutionWaiter,
        InstanceRefreshWaiter,
        LogsInsightsQuery,
    )
    from waitkit.emulator import Emulator, Scenario  # noqa: PLC0415 - extra 'emulator'
    from waitkit.k8s import JobWaiter, api_client  # noqa: PLC0415 - extra 'k8s'

    if not args.speed > 0:
        msg = f"--speed must be > 0, got {args.speed}"
        raise UsageError(msg)
    emulator = await context.stack.enter_async_context(
        Emulator(Scenario.model_validate(scenario(args.speed)))
    )
    args.demo_emulator = emulator  # for the summary
    short = POLICY.replace(timeout=max(_SHORT_TIMEOUT / args.speed, 1.0))
    aws = AwsClients(
        context.stack,
        region="us-east-1",
        endpoint_url=emulator.aws_endpoint,
        credentials=("demo", "demo"),  # the emulator accepts any key
    )
    asg = await aws.client("autoscaling")
    lam = await aws.client("lambda")
    logs = await aws.client("logs")
    watches = [
        Watch(
            f"asg web-{g:02}/web-{g:02}-r{i}",
            InstanceRefreshWaiter(asg, f"web-{g:02}", f"web-{g:02}-r{i}", policy=POLICY),
        )
        for g in range(GROUPS)
        for i in range(REFRESHES_PER_GROUP)
    ]
    watches += [
        Watch(
            f"durable {name}/{name}-{i:03}",
            DurableExecutionWaiter(
                lam,
                function_name=name,
                execution_name=f"{name}-{i:03}",
                policy=short if (name, i) == _STUCK else POLICY,
            ),
        )
        for name, count in EXECUTIONS.items()
        for i in range(count)
    ]
    now = int(_START)
    watches += [
        Watch(
            f"logs q{q:02}",
            LogsInsightsQuery(
                logs,
                f"/demo/app-{q % 4}",
                "fields @message | filter doomed"
                if q == FAILING_QUERY
                else f"fields @message | limit {q + 1}",
                now - 3600,
                now,
                policy=POLICY,
            ).waiter(),
        )
        for q in range(QUERIES)
    ]
    api = await context.stack.enter_async_context(api_client(kubeconfig=emulator.kubeconfig_path))
    watches += [
        Watch(
            f"job default/batch-{i:03}", JobWaiter(api, f"batch-{i:03}", "default", policy=WATCHED)
        )
        for i in range(JOBS)
    ]
    return watches


def _finish(tracks: Sequence[Track], args: argparse.Namespace) -> ExitCode:
    expected = expected_outcomes()
    surprises = [
        t.label for t in tracks if t.outcome is not expected.get(t.label, Ending.SUCCEEDED)
    ]
    outcomes = Counter(str(t.outcome) for t in tracks)
    calls = args.demo_emulator.counters.snapshot()
    throttled = sum(
        n for (_, _, kind), n in args.demo_emulator.counters.faults.items() if kind == "throttle"
    )
    if args.json:
        line = {
            "event": "summary",
            "resources": len(tracks),
            "outcomes": dict(outcomes),
            "as_scripted": not surprises,
            "unexpected": surprises,
            "api_calls": calls,
            "throttled": throttled,
        }
        sys.stdout.write(json.dumps(line) + "\n")
    elif not args.quiet:
        ended = ", ".join(
            f"{n} {outcome.replace('_', ' ')}" for outcome, n in sorted(outcomes.items())
        )
        verdict = "as scripted" if not surprises else f"NOT as scripted: {', '.join(surprises)}"
        sys.stdout.write(f"\ndemo: {len(tracks)} resources: {ended} ({verdict})\n")
        sys.stdout.write(f"API calls answered by the emulator ({throttled} throttled):\n")
        for operation, n in calls.items():
            sys.stdout.write(f"  {operation:45s} {n:5d}\n")
        sys.stdout.write(
            "Shared observation: one call a round serves every waiter on a group or "
            "function, so the calls stay far below one per resource per round.\n"
        )
    sys.stdout.flush()
    return ExitCode.SUCCESS if not surprises else ExitCode.FAILED


COMMAND = WaitCommand(
    name="demo",
    help="await a few hundred scripted resources on the built-in emulator",
    description=(
        "Start the emulator in-process with instance refreshes, durable executions, Logs "
        "Insights queries and Kubernetes Jobs (a few fail and one times out on purpose; "
        "throttling is on), await "
        "them all, and print a summary and the API calls made. Needs no credentials and no "
        "cluster. Exits 0 when every resource ended as scripted."
    ),
    add_arguments=_add_arguments,
    build=_build,
    finish=_finish,
    examples=(
        Example("Watch the demo in a terminal:", "waitkit demo"),
        Example("Run it twice as fast, as JSON lines:", "waitkit demo --speed 2 --json"),
    ),
)
