"""A test file: a thirty-minute timeout tested in milliseconds on a virtual clock.

Run it with ``pytest docs/examples/test_virtual_time.py`` (it needs anyio's pytest
plugin, looptime and trio). ``my_waiter`` stands for a waiter of your own that never
finishes.
"""

from __future__ import annotations

# docs-start virtual-time
from typing import Any

import pytest

from waitkit.testing import virtual_time_backend


@pytest.fixture(params=["asyncio", "trio"])
def anyio_backend(request: pytest.FixtureRequest) -> tuple[str, dict[str, Any]]:
    """Each test runs twice, on a virtual clock of each backend."""
    return virtual_time_backend(request.param)  # looptime on asyncio, MockClock on trio


@pytest.mark.anyio
async def test_gives_up_after_thirty_minutes() -> None:
    """A wait that never ends raises TimeoutError after its thirty minutes."""
    with pytest.raises(TimeoutError):
        await my_waiter.wait(timeout=1800)
    # docs-end virtual-time


from waitkit.testing import ScriptedWaiter  # noqa: E402 - kept out of the part the page shows

my_waiter = ScriptedWaiter(["Pending"])
