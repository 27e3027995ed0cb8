"""The fault matrix: every waiter x every fault ends right, in bounded time, leaving nothing behind.

A cell starts a wait on a live fake service, hurts the service, and checks:

- the fault really fired;
- the outcome: success after recovery, or the documented exception carrying the last
  state and history;
- a time bound (``CELL_BOUND``, generous: a hang fails the cell, no speed is claimed);
- no task left on the loop, no watch stream open, no Logs query left running, and no
  unclosed aiohttp session (warnings are errors in this suite).

Recoverable faults are added before the wait (they hit its first calls: the LIST of a
Kubernetes waiter, the StartQuery of a Logs query), and the test steps the emulator's
manual clock on each state seen until the resource succeeds. The persistent 5xx and the
deletion come after the first state has been seen, with the clock standing still, so
the resource is still pending when they land and the error must carry that state.

Throttle waits are kept short: the AWS clients' shared throttle budget is paced for
tests, and Retry-After hints are small. The emulator sends Retry-After in whole seconds
(as HTTP does), so its arms still wait 1 s for one.
"""

from __future__ import annotations

import anyio
import pytest

from waitkit import (
    ProbeError,
    ResourceNotFoundError,
    WaitError,
    WaitkitError,
    WaitTimeoutError,
)
from waitkit.emulator import Fault

from ._arms import ARMS, K8S_WAITERS, WAITERS, Arm
from .conftest import FAST, running_tasks, settle

pytestmark = pytest.mark.anyio

#: The longest a cell may take, wait and clean-up included (the per-test timeout is 20 s).
CELL_BOUND = 15.0
#: The per-call timeout of the latency column; the injected latency is twice as long.
CALL_TIMEOUT = 0.3

#: column -> (fault, injected after the first state?)
FAULTS: dict[str, tuple[Fault, bool]] = {
    # 0.1 s from the scripted DynamoDB server; the emulator rounds it up to 1 s.
    "throttle, Retry-After": (Fault(kind="throttle", retry_after=0.1, count=1), False),
    "throttle": (Fault(kind="throttle", count=2), False),
    "5xx burst": (Fault(kind="error", status=503, count=3), False),
    "5xx persistent": (Fault(kind="error", status=500), True),
    "drop": (Fault(kind="drop", count=3), False),
    "slow > call_timeout": (Fault(kind="latency", delay=2 * CALL_TIMEOUT, count=2), False),
    "truncated body": (Fault(kind="truncate", count=2), False),
    "watch cut after 1 event": (Fault(kind="cut_watch", after_events=1, count=2), False),
    "410 mid-watch": (Fault(kind="gone", count=2), False),
    "deleted mid-wait": (Fault(kind="latency"), True),  # the fault is unused: see _hurt
}
WATCH_ONLY = frozenset({"watch cut after 1 event", "410 mid-watch"})

#: (waiter, column) -> the fault that cell injects instead of its column's.
#: Lambda's and the Kubernetes API's throttling answers always advertise Retry-After
#: (1 s on the emulator when the fault sets none): one such throttle shows the default
#: hint is honoured; two would only wait twice as long.
FAULT_OF_CELL: dict[tuple[str, str], Fault] = {
    (waiter, "throttle"): Fault(kind="throttle", count=1)
    for waiter in ("durable", "job", "condition")
}

SUCCESS = "success"
#: (waiter, fault) -> the expected outcome: "success" or the documented exception type.
#: Cells not listed succeed. Watch faults on non-Kubernetes waiters do not apply.
EXPECTED: dict[tuple[str, str], str | type[WaitkitError]] = {
    **{(w, "5xx persistent"): ProbeError for w in WAITERS},
    **{(w, "deleted mid-wait"): ResourceNotFoundError for w in WAITERS},
    # botocore's table_exists model says "retry" on ResourceNotFoundException.
    ("botocore", "deleted mid-wait"): WaitTimeoutError,
}


def _cells() -> list[object]:
    cells: list[object] = []
    for waiter in WAITERS:
        for fault in FAULTS:
            marks = []
            if fault in WATCH_ONLY and waiter not in K8S_WAITERS:
                marks.append(pytest.mark.skip(reason="n/a: watch faults are Kubernetes-only"))
            cells.append(pytest.param(waiter, fault, id=f"{waiter}-{fault}", marks=marks))
    return cells


def _fault_of(waiter: str, column: str) -> Fault:
    return FAULT_OF_CELL.get((waiter, column), FAULTS[column][0])


def _hurt(arm: Arm, waiter: str, column: str) -> None:
    fault = _fault_of(waiter, column)
    if column == "deleted mid-wait":
        arm.delete()
    elif column == "5xx persistent":
        arm.add_fault(fault.model_copy(update={"operation": arm.poll_operation}))
    else:
        arm.add_fault(fault)


@pytest.mark.parametrize(("waiter", "column"), _cells())
async def test_fault_cell(waiter: str, column: str) -> None:
    """One waiter under one fault: the expected outcome, bounded time, no leftovers."""
    expected = EXPECTED.get((waiter, column), SUCCESS)
    policy = FAST
    if column == "slow > call_timeout":
        # A busy machine may make a healthy call slower than this call_timeout too: each
        # such call is one more retry, not the end of the wait.
        policy = FAST.replace(call_timeout=CALL_TIMEOUT, max_transient_errors=20)
    if expected is WaitTimeoutError:
        policy = policy.replace(timeout=0.5)
    _, mid_wait = FAULTS[column]
    tasks_before = running_tasks()
    states: list[object] = []
    error: BaseException | None = None
    async with ARMS[waiter](policy) as arm:
        if not mid_wait:
            _hurt(arm, waiter, column)
        with anyio.fail_after(CELL_BOUND):
            try:
                async for state in arm.waiter.states():
                    states.append(state)
                    if not mid_wait:
                        arm.step()  # on to the next scripted point: the wait sees it next
                    elif len(states) == 1:
                        # Scenario time stands still: the resource is pending until it fails.
                        _hurt(arm, waiter, column)
            except WaitkitError as caught:
                error = caught
        kind = _fault_of(waiter, column).kind
        fired = arm.fired(kind)
        await settle(tasks_before + 64, arm.emu)  # the service may take a moment to see closes
        leftovers = arm.leftovers()
    if column != "deleted mid-wait":  # a deletion, not an injected fault
        assert fired >= 1, f"the {kind} fault never fired"
    assert leftovers == []
    assert await settle(tasks_before) == tasks_before, "a task outlived the wait"

    if expected == SUCCESS:
        assert error is None, f"{waiter} under {column}: {error!r}"
        assert states, "no state was seen"
        return
    assert isinstance(error, expected), f"{waiter} under {column}: {error!r}, states {states}"
    assert isinstance(error, WaitError | ProbeError)
    assert error.state is not None, "the error must carry the last state seen"
    assert error.state == states[-1]
    assert error.history
    assert error.attempts >= 1
