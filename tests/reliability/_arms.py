"""One "arm" per waiter: a running fake service, a waiter on it, and handles to hurt it.

Each arm is an async context manager yielding an :class:`Arm`: the waiter, a way to
inject a fault (by kind, on the operations the waiter uses), a way to delete the
awaited resource, and a leak check for what the service can see (open watches, Logs
queries left running).

Nothing moves by real time. The emulator runs a manual scenario clock: refreshes,
durable executions and the DynamoDB table succeed after a few reads (``after``), Logs
queries and Kubernetes Jobs (whose watch events are not reads) at ``SUCCESS_AT``
scenario seconds, which only :meth:`Arm.step` reaches. Each scripted point changes what
the waiter sees, so one step per state seen drives a resource to success. A cell that
hurts a resource after its first state always hurts a pending one, however slow the
machine. AWS clients get a shared throttle budget paced for tests
(:func:`~.conftest.fast_throttle_budget`).

The emulator has no "delete" for AWS resources; the arms remove them from the
emulator's own store (private attributes), which is what a deletion looks like on the
wire: the next read answers "not found".
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from waitkit import Policy, Waiter
from waitkit.aws import (
    DurableExecutionWaiter,
    InstanceRefreshWaiter,
    LogsInsightsQuery,
    botocore_waiter,
)
from waitkit.emulator import Emulator, Fault, Scenario
from waitkit.emulator.k8s import JobPoint, JobScenario, KubernetesScenario
from waitkit.k8s import ConditionWaiter, JobWaiter, WatchOptions, api_client

from ._fleet import running_queries
from .conftest import (
    DynamoFault,
    DynamoTable,
    aws_client,
    fast_throttle_budget,
    scripted_dynamodb,
)

#: Scenario seconds (of the manual clock) at which time-scripted resources have succeeded.
SUCCESS_AT = 0.4

#: Watch options for the matrix: quick reconnects, and a server timeout so streams end.
WATCH = WatchOptions(
    server_timeout=2, read_timeout=3, reconnect_min_delay=0.05, reconnect_max_delay=0.2
)

WAITERS = ("instance_refresh", "durable", "logs_insights", "job", "condition", "botocore")
K8S_WAITERS = frozenset({"job", "condition"})

#: Credentials to use: ``key_id``, ``secret``, ``token`` (AWS) and ``bearer`` (Kubernetes).
Creds = dict[str, str]


def _aws(creds: Creds | None) -> dict[str, str]:
    return {k: v for k, v in (creds or {}).items() if k != "bearer"}


def _kubeconfig(emu: Emulator, creds: Creds | None) -> Path:
    """The emulator's kubeconfig, or one with ``creds["bearer"]`` as the user's token."""
    if not creds or "bearer" not in creds:
        return emu.kubeconfig_path
    document = yaml.safe_load(emu.kubeconfig_path.read_text())
    document["users"][0]["user"]["token"] = creds["bearer"]
    path = emu.kubeconfig_path.with_name("bearer.kubeconfig")  # the emulator's private dir
    path.write_text(yaml.safe_dump(document))
    return path


@dataclass
class Arm:
    """A waiter on a live fake service, and the controls of that service."""

    waiter: Waiter[Any]
    emu: Emulator | None
    add_fault: Callable[[Fault], None]
    delete: Callable[[], None]
    #: Operation a persistent fault targets (the waiter's poll; clean-up calls stay healthy).
    poll_operation: str = "*"
    service: str = "*"
    table: DynamoTable | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    def step(self) -> None:
        """Move scenario time to the next scripted point, if any (read-counted ones need none)."""
        if self.emu is not None:
            self.emu.clock.advance_to_next()

    def fired(self, kind: str) -> int:
        """How many times an injected fault of ``kind`` fired on this arm's service."""
        if self.table is not None:
            return self.table.fired.get(kind, 0)
        assert self.emu is not None
        return sum(n for (_, _, k), n in self.emu.counters.faults.items() if k == kind)

    def leftovers(self) -> list[str]:
        """What the service still holds open for this wait: watch streams, running queries."""
        found: list[str] = []
        if self.emu is None:
            return found
        if self.emu.counters.watches_open:
            found.append(f"{self.emu.counters.watches_open} watch stream(s) open")
        found += [f"query {q} {s}" for q, s in running_queries(self.emu).items()]
        return found


def _aws_fault(service: str) -> Callable[[Emulator], Callable[[Fault], None]]:
    def bind(emu: Emulator) -> Callable[[Fault], None]:
        def add(fault: Fault) -> None:
            update: dict[str, Any] = {}
            if fault.service == "*":
                update["service"] = service
            emu.faults.add(fault.model_copy(update=update))

        return add

    return bind


@contextlib.asynccontextmanager
async def instance_refresh_arm(policy: Policy, *, creds: Creds | None = None) -> AsyncIterator[Arm]:
    """A refresh Pending, then InProgress, then Successful after 3 reads."""
    timeline = [
        {"after": 0, "status": "Pending"},
        {"after": 1, "status": "InProgress", "percentage_complete": 50},
        {"after": 3, "status": "Successful", "percentage_complete": 100},
    ]
    scenario = Scenario.model_validate(
        {
            "clock": "manual",
            "autoscaling": {
                "groups": [{"name": "web", "refreshes": [{"id": "r-1", "timeline": timeline}]}]
            },
        }
    )
    async with (
        Emulator(scenario) as emu,
        aws_client("autoscaling", emu.aws_endpoint, **_aws(creds)) as client,
    ):
        fast_throttle_budget(client)
        waiter = InstanceRefreshWaiter(client, "web", refresh_id="r-1", policy=policy)
        groups = emu.autoscaling._groups

        yield Arm(
            waiter,
            emu,
            _aws_fault("autoscaling")(emu),
            lambda: groups.pop("web"),
            poll_operation="DescribeInstanceRefreshes",
            service="autoscaling",
        )


@contextlib.asynccontextmanager
async def durable_arm(policy: Policy, *, creds: Creds | None = None) -> AsyncIterator[Arm]:
    """An execution RUNNING, then SUCCEEDED after 3 reads (awaited by function and name)."""
    timeline = [{"after": 0, "status": "RUNNING"}, {"after": 3, "status": "SUCCEEDED"}]
    function = {"name": "orders", "executions": [{"name": "order-1", "timeline": timeline}]}
    scenario = Scenario.model_validate({"clock": "manual", "durable": {"functions": [function]}})
    async with (
        Emulator(scenario) as emu,
        aws_client("lambda", emu.aws_endpoint, **_aws(creds)) as client,
    ):
        fast_throttle_budget(client)
        waiter = DurableExecutionWaiter(
            client, function_name="orders", execution_name="order-1", policy=policy
        )
        executions = emu.durable._executions

        yield Arm(
            waiter,
            emu,
            _aws_fault("lambda")(emu),
            executions.clear,
            service="lambda",
        )


@contextlib.asynccontextmanager
async def logs_arm(policy: Policy, *, creds: Creds | None = None) -> AsyncIterator[Arm]:
    """A query Scheduled, Running, then Complete with 2 rows at SUCCESS_AT.

    Time, not reads: a query whose StartQuery answer was lost (a truncated body) was
    still started by the service and, as on AWS, finishes on its own: with the one the
    waiter polls, once the test has stepped the clock to SUCCESS_AT.
    """
    script = {
        "match": "",
        "timeline": [
            {"at": 0, "status": "Scheduled"},
            {"at": SUCCESS_AT / 2, "status": "Running"},
            {"at": SUCCESS_AT, "status": "Complete"},
        ],
        "rows": [{"fields": {"@message": f"line {i}"}} for i in range(2)],
    }
    scenario = Scenario.model_validate({"clock": "manual", "logs": {"queries": [script]}})
    async with (
        Emulator(scenario) as emu,
        aws_client("logs", emu.aws_endpoint, **_aws(creds)) as client,
    ):
        query = LogsInsightsQuery(client, "/app", "fields @message", 0, 100, policy=policy)
        queries = emu.logs._queries

        yield Arm(
            query.waiter(),
            emu,
            _aws_fault("logs")(emu),
            queries.clear,
            poll_operation="GetQueryResults",
            service="logs",
        )


def _k8s_scenario() -> Scenario:
    # Running from the start; one point, so the one step after the first state completes it.
    job = JobScenario(name="etl", timeline=[JobPoint(at=SUCCESS_AT, phase="complete")])
    return Scenario(clock="manual", kubernetes=KubernetesScenario(jobs=[job]))


def _k8s_fault(emu: Emulator) -> Callable[[Fault], None]:
    def add(fault: Fault) -> None:
        emu.faults.add(fault.model_copy(update={"service": "kubernetes"}))

    return add


@contextlib.asynccontextmanager
async def job_arm(policy: Policy, *, creds: Creds | None = None) -> AsyncIterator[Arm]:
    """A Job running, then complete at SUCCESS_AT (with pod causes, shared watch)."""
    async with (
        Emulator(_k8s_scenario()) as emu,
        api_client(kubeconfig=_kubeconfig(emu, creds)) as api,
    ):
        waiter = JobWaiter(api, "etl", watch=WATCH, policy=policy)
        yield Arm(waiter, emu, _k8s_fault(emu), lambda: emu.kubernetes.delete_job("etl"))


@contextlib.asynccontextmanager
async def condition_arm(policy: Policy, *, creds: Creds | None = None) -> AsyncIterator[Arm]:
    """``kubectl wait --for=condition=complete job/etl``, complete at SUCCESS_AT."""
    async with (
        Emulator(_k8s_scenario()) as emu,
        api_client(kubeconfig=_kubeconfig(emu, creds)) as api,
    ):
        waiter = ConditionWaiter(
            api, "job", "etl", for_="condition=complete", watch=WATCH, policy=policy
        )
        yield Arm(waiter, emu, _k8s_fault(emu), lambda: emu.kubernetes.delete_job("etl"))


@contextlib.asynccontextmanager
async def botocore_arm(policy: Policy, *, creds: Creds | None = None) -> AsyncIterator[Arm]:
    """Botocore's DynamoDB ``table_exists`` on a scripted server: ACTIVE after 3 reads."""
    table = DynamoTable(active_after=3)

    def add(fault: Fault) -> None:
        table.add(
            DynamoFault(
                kind=fault.kind,
                count=fault.count,
                retry_after=fault.retry_after,
                status=fault.status,
                delay=fault.delay,
            )
        )

    def delete() -> None:
        table.deleted = True

    async with (
        scripted_dynamodb(table) as endpoint,
        aws_client("dynamodb", endpoint, **_aws(creds)) as client,
    ):
        fast_throttle_budget(client)
        waiter = botocore_waiter(client, "table_exists", policy=policy, TableName="orders")
        yield Arm(waiter, None, add, delete, table=table)


ARMS = {
    "instance_refresh": instance_refresh_arm,
    "durable": durable_arm,
    "logs_insights": logs_arm,
    "job": job_arm,
    "condition": condition_arm,
    "botocore": botocore_arm,
}
