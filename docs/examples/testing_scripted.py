"""A scripted waiter: pending, throttled, a hung call, then done, on the real engine.

The test suite runs it on a virtual clock; ``python docs/examples/testing_scripted.py``
takes about 40 s of real time (the hung call is cut off by ``call_timeout`` after 30 s).
"""

from __future__ import annotations

import anyio

# docs-start scripted
from waitkit import ErrorKind, Policy
from waitkit.testing import Hang, ScriptedError, ScriptedWaiter

waiter = ScriptedWaiter(
    ["Pending", ScriptedError(ErrorKind.THROTTLED, retry_after=5), Hang(40), "done"],
    policy=Policy(call_timeout=30),
)
# docs-end scripted


async def main() -> None:
    """Wait, and show what the wait went through."""
    result = await waiter.wait(timeout=600)
    print(result.state.status, result.attempts, f"{result.elapsed:.0f}s")
    print(waiter.observed_at)


if __name__ == "__main__":
    anyio.run(main)
