"""400 concurrent waits of all four kinds on one emulator, cancelled at random points.

100 refreshes, 100 durable executions, 100 Logs queries and 100 Jobs (a fifth of them
through ``ConditionWaiter``) are awaited at once on one in-process server. Each wait has
a random deadline under a second, and a quarter run in a task group cancelled as a
whole at a random moment, so waits end before their first call, inside a call, waiting
for a pooled connection, asleep, or while a Logs query is started or stopped; the
resources finish at random times in the same second, so some succeed first. A few
hundred waits reach every one of those points; more would only add CPU time.

After the storm: no task left, no watch stream open, every Logs query that was started
either completed or was stopped, no unclosed-resource warning and no error reported to
the event loop's exception handler (where aiohttp reports unclosed sessions).
"""

from __future__ import annotations

import asyncio
import gc
import random
import warnings
from collections import Counter
from typing import Any

import anyio
import pytest

from waitkit import Policy
from waitkit.aws import QuerySlots
from waitkit.emulator import Emulator, Scenario
from waitkit.emulator.k8s import JobPoint, JobScenario, KubernetesScenario
from waitkit.k8s import ConditionWaiter, JobWaiter, api_client

from ._fleet import aws_waits, counted_wait, running_queries
from .conftest import aws_client, running_tasks, settle

pytestmark = pytest.mark.anyio

PER_KIND = 100
SEED = 20261122
#: Unhurried polling: hundreds of waits on one in-process server.
POLICY = Policy(min_delay=0.2, max_delay=0.4, timeout=15, call_timeout=5, throttle_min_delay=0.2)


def _scenario(rng: random.Random) -> Scenario:
    def done_at() -> float:
        return round(rng.uniform(0.1, 1.2), 2)

    refreshes = [
        {
            "id": f"r-{i}",
            "timeline": [
                {"at": 0, "status": "InProgress"},
                {"at": done_at(), "status": "Successful"},
            ],
        }
        for i in range(PER_KIND)
    ]
    executions = [
        {
            "name": f"e-{i}",
            "timeline": [{"at": 0, "status": "RUNNING"}, {"at": done_at(), "status": "SUCCEEDED"}],
        }
        for i in range(PER_KIND)
    ]
    queries = [
        {
            "match": f"q-{i} ",
            "timeline": [
                {"at": 0, "status": "Scheduled"},
                {"at": 0.05, "status": "Running"},
                {"at": done_at(), "status": "Complete"},
            ],
        }
        for i in range(PER_KIND)
    ]
    jobs = [
        JobScenario(name=f"job-{i}", timeline=[JobPoint(at=done_at(), phase="complete")])
        for i in range(PER_KIND)
    ]
    return Scenario.model_validate(
        {
            "seed": SEED,
            "autoscaling": {
                "groups": [{"name": f"g-{g}", "refreshes": refreshes[g::10]} for g in range(10)]
            },
            "durable": {"functions": [{"name": "orders", "executions": executions}]},
            "logs": {"max_concurrent_queries": 10 * PER_KIND, "queries": queries},
            "kubernetes": KubernetesScenario(jobs=jobs).model_dump(),
        }
    )


async def test_hundreds_of_waits_cancelled_at_random_points_leave_nothing_behind() -> None:  # noqa: PLR0915
    """Random per-wait deadlines and a cancelled task group: no task, stream or query is left."""
    rng = random.Random(SEED)
    loop_errors: list[dict[str, Any]] = []
    loop = asyncio.get_running_loop()
    previous_handler = loop.get_exception_handler()
    loop.set_exception_handler(lambda _loop, context: loop_errors.append(context))
    outcomes: Counter[str] = Counter()
    tasks_before = running_tasks()
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            async with (
                Emulator(_scenario(rng)) as emu,
                aws_client("autoscaling", emu.aws_endpoint) as asg,
                aws_client("lambda", emu.aws_endpoint) as lam,
                aws_client("logs", emu.aws_endpoint) as logs,
                api_client(kubeconfig=emu.kubeconfig_path) as api,
            ):
                slots = QuerySlots(10 * PER_KIND)
                waiters: list[tuple[str, Any]] = []
                for i in range(PER_KIND):
                    waiters += aws_waits(
                        i,
                        asg=asg,
                        lam=lam,
                        logs=logs,
                        group=f"g-{i % 10}",
                        slots=slots,
                        policy=POLICY,
                    )
                    if i % 5:
                        waiters.append(("job", JobWaiter(api, f"job-{i}", policy=POLICY)))
                    else:
                        waiters.append(
                            (
                                "condition",
                                ConditionWaiter(
                                    api, "job", f"job-{i}", for_="condition=complete", policy=POLICY
                                ),
                            )
                        )
                rng.shuffle(waiters)

                with anyio.fail_after(15):
                    async with anyio.create_task_group() as outer:
                        # A quarter of the waits run in a group that is cancelled as a whole.
                        doomed = anyio.CancelScope()

                        async def doomed_batch(batch: list[tuple[str, Any]]) -> None:
                            with doomed:
                                async with anyio.create_task_group() as tg:
                                    for kind, waiter in batch:
                                        tg.start_soon(counted_wait, kind, waiter, 30.0, outcomes)

                        async def cancel_doomed(after: float) -> None:
                            await anyio.sleep(after)
                            doomed.cancel()

                        quarter = len(waiters) // 4
                        outer.start_soon(doomed_batch, waiters[:quarter])
                        outer.start_soon(cancel_doomed, rng.uniform(0.1, 0.8))
                        for kind, waiter in waiters[quarter:]:
                            outer.start_soon(
                                counted_wait, kind, waiter, rng.uniform(0.0, 1.0), outcomes
                            )

                await settle(tasks_before + 64, emu)
                open_watches = emu.counters.watches_open
                left_running = running_queries(emu)
                starts = emu.counters.of("logs", "StartQuery")
                stops = emu.counters.of("logs", "StopQuery")
                queries = emu.logs._queries
                statuses = Counter(emu.logs.status(q) for q in list(queries))
            gc.collect()
        tasks_after = await settle(tasks_before)
    finally:
        loop.set_exception_handler(previous_handler)

    total = sum(outcomes.values())
    print(f"outcomes: {dict(sorted(outcomes.items()))}")  # noqa: T201 - numbers for the report
    print(f"StartQuery={starts} StopQuery={stops} query statuses={dict(statuses)}")  # noqa: T201
    assert total == 4 * PER_KIND, "every wait ended with an outcome"
    assert open_watches == 0
    assert left_running == {}, "every started query completed or was stopped"
    # Every Cancelled query was stopped by its wait; a few more StopQuery calls race a query
    # that completed meanwhile (answered InvalidParameterException, logged, harmless).
    assert statuses.keys() <= {"Complete", "Cancelled"}
    assert statuses["Cancelled"] <= stops
    assert starts == sum(statuses.values())
    assert tasks_after == tasks_before, "a task outlived its wait"
    assert [w for w in caught if issubclass(w.category, ResourceWarning)] == []
    assert loop_errors == []
