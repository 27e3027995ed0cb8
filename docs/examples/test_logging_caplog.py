"""waitkit's events in pytest's ``caplog``: assert on what a wait logged.

Run it with ``pytest docs/examples/test_logging_caplog.py``.
"""
# ruff: noqa: S101

from __future__ import annotations

# docs-start caplog
import logging

import anyio
import pytest

from waitkit import Policy
from waitkit.testing import ScriptedWaiter


def test_the_wait_logs_each_change(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="waitkit")
    waiter = ScriptedWaiter(["building", "done"], resource_id="build-42")
    policy = Policy(min_delay=0.01, max_delay=0.01)
    anyio.run(lambda: waiter.wait(timeout=10, policy=policy))

    events = [(r.event, r.resource) for r in caplog.records if r.name == "waitkit"]
    assert events == [
        ("wait.started", "build-42"),
        ("wait.state_changed", "build-42"),
        ("wait.state_changed", "build-42"),
        ("wait.succeeded", "build-42"),
    ]
    assert caplog.records[-1].attempts == 2
    # docs-end caplog
