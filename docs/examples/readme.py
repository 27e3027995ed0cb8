"""The README's tour: until(), a waiter's wait(), and wait_all() on the same engine.

The waiters here are scripted (``waitkit.testing.ScriptedWaiter``) and ``fetch_rows``
reads an in-memory table, so the tour runs anywhere. The test suite runs it on a
virtual clock; ``python docs/examples/readme.py`` takes a few seconds of real time.
"""

from __future__ import annotations

import anyio

from waitkit import Policy
from waitkit.testing import ScriptedWaiter

POLICY = Policy(min_delay=0.5, max_delay=2)
TABLE: list[str] = []


async def fetch_rows() -> list[str]:
    """Rows of a table that another process fills: one more each time it is read."""
    TABLE.append(f"row {len(TABLE)}")
    return list(TABLE)


async def main() -> None:
    """Run the tour."""
    my_waiter = ScriptedWaiter(["Pending", "Running", "done"], policy=POLICY)
    w1, w2, w3 = (ScriptedWaiter(["Pending"] * n + ["done"], policy=POLICY) for n in (1, 2, 3))
    # docs-start tour
    from waitkit import until, wait_all

    # one-off: poll a coroutine until a predicate holds (test code, in-process conditions)
    rows = await until(fetch_rows, lambda rows: len(rows) >= 3, timeout=60)

    # a waiter: observe() + verdict() on the engine
    result = await my_waiter.wait(timeout=1800)
    print(result.state, result.attempts, result.elapsed, len(result.history))

    # many at once, one deadline; the first failure cancels the rest
    results = await wait_all([w1, w2, w3], timeout=900)
    # docs-end tour
    print(len(rows), [r.state.status for r in results])


if __name__ == "__main__":
    anyio.run(main)
