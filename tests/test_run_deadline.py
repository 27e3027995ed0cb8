"""waitkit.run() keeps the engine's deadline promise for a waiter whose call hangs."""

from __future__ import annotations

import pytest

import waitkit
from waitkit import Policy, WaitTimeoutError
from waitkit.testing import Hang, ScriptedWaiter


def test_run_of_a_hung_waiter_ends_at_its_timeout():
    """The hung call is cut at the deadline (0.3 s), not when call_timeout (30 s) would cut it."""
    waiter = ScriptedWaiter(["Pending", Hang()], policy=Policy(min_delay=0.05, max_delay=0.05))
    with pytest.raises(WaitTimeoutError, match=r"did not finish within 0\.3s") as info:
        waitkit.run(waiter, timeout=0.3)
    assert "cancelled at the deadline" in str(info.value)
