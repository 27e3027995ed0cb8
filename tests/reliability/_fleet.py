"""A mixed fleet of waits on one emulator, shared by the cancellation test and the soak.

Only absolute imports: ``tests/reliability/soak.py`` runs as a script and imports this
module from its own folder, the tests import it as part of their package.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

import anyio

from waitkit import Policy, WaitkitError
from waitkit.aws import DurableExecutionWaiter, InstanceRefreshWaiter, LogsInsightsQuery, QuerySlots
from waitkit.emulator import Emulator


def aws_waits(
    i: int,
    *,
    asg: Any,
    lam: Any,
    logs: Any,
    group: str,
    slots: QuerySlots,
    policy: Policy,
) -> list[tuple[str, Any]]:
    """The i-th refresh (in ``group``), durable execution and Logs query, as (kind, waiter)."""
    return [
        ("asg", InstanceRefreshWaiter(asg, group, f"r-{i}", policy=policy)),
        (
            "durable",
            DurableExecutionWaiter(
                lam, function_name="orders", execution_name=f"e-{i}", policy=policy
            ),
        ),
        (
            "logs",
            LogsInsightsQuery(
                logs, "/app", f"fields q-{i} ", 0, 100, policy=policy, slots=slots
            ).waiter(),
        ),
    ]


async def counted_wait(kind: str, waiter: Any, deadline: float, outcomes: Counter[str]) -> None:
    """Await ``waiter`` for at most ``deadline`` seconds; count how it ended, under its kind."""
    outcome = "cancelled"
    try:
        with anyio.move_on_after(deadline):
            await waiter.wait()
            outcome = "succeeded"
    except WaitkitError as error:
        outcome = type(error).__name__
    finally:
        # Counted even when the whole group is cancelled under us.
        outcomes[f"{kind}:{outcome}"] += 1


def running_queries(emu: Emulator) -> dict[str, str]:
    """Logs queries the emulator still runs (Scheduled or Running): ids -> status."""
    queries = emu.logs._queries
    statuses = {qid: emu.logs.status(qid) for qid in list(queries)}
    return {qid: s for qid, s in statuses.items() if s in ("Scheduled", "Running")}
