"""Many waits at once: wait_all(), as_completed(), leaving it early, and a progress view.

The waiters are scripted (``waitkit.testing.ScriptedWaiter``): each looks a few times
and then succeeds, except one that fails. The test suite runs this on a virtual clock;
``python docs/examples/many_at_once.py`` takes about a minute of real time.
"""

from __future__ import annotations

import anyio

from waitkit import Waiter, wait_all
from waitkit.testing import ScriptedState, ScriptedWaiter


def make_waiters(*, failing: bool = False) -> list[Waiter[ScriptedState]]:
    """Five deploys that take one to five looks; with ``failing``, the third one fails."""
    waiters: list[Waiter[ScriptedState]] = [
        ScriptedWaiter(["rolling"] * n + ["done"], resource_id=f"deploy-{n}") for n in range(5)
    ]
    if failing:
        waiters[2] = ScriptedWaiter(["rolling", "failed"], resource_id="deploy-2")
    return waiters


async def all_succeed() -> None:
    """wait_all() three ways, then as_completed()."""
    waiters = make_waiters()
    # docs-start group
    from waitkit import as_completed, wait_all

    results = await wait_all(waiters, timeout=900)  # first failure raises
    results = await wait_all(waiters, timeout=900, return_exceptions=True)
    results = await wait_all(waiters, timeout=900, limit=50)  # at most 50 at a time

    async for outcome in as_completed(waiters, timeout=900):
        if outcome.ok:
            print(outcome.waiter.describe(), outcome.result.elapsed)
        else:
            print(outcome.waiter.describe(), outcome.error)
    # docs-end group
    print([result.state.status for result in results])


async def stop_early() -> None:
    """Leave as_completed() at the first failure: the waits still running are cancelled."""
    from waitkit import as_completed

    waiters = make_waiters(failing=True)
    # docs-start stop-early
    async for outcome in as_completed(waiters):
        if not outcome.ok:
            break  # the waits still running are cancelled; this task goes on
    # docs-end stop-early
    print("stopped at", outcome.waiter.describe(), outcome.error)
    # docs-start close-and-wait
    import contextlib

    async with contextlib.aclosing(as_completed(waiters)) as outcomes:
        async for outcome in outcomes:
            if not outcome.ok:
                break
    # here the cancelled waits have cleaned up (their sessions have exited)
    # docs-end close-and-wait


async def with_progress() -> None:
    """The CLI's progress view around a group of waits (lines here: not a terminal)."""
    import sys

    waiters = make_waiters()
    # docs-start progress
    import waitkit

    with waitkit.progress(file=sys.stdout):  # default: stderr; a live table on a terminal
        results = await wait_all(waiters, timeout=900)
    # +0.0s deploy-0: done
    # deploy-0: succeeded after 0.0s: done
    # +0.0s deploy-1: rolling
    # ...
    # docs-end progress
    print(len(results), "done")


async def main() -> None:
    """The examples."""
    await all_succeed()
    await stop_early()
    await with_progress()


if __name__ == "__main__":
    anyio.run(main)
