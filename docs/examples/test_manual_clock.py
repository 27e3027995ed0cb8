"""A test file that drives the emulator's scenario clock: a 20-minute refresh in milliseconds.

Run it with ``pytest docs/examples/test_manual_clock.py`` (it needs ``waitkit[aws,emulator]``
and pytest-asyncio). The scenario's clock is manual, so each scripted point is reached
when the test says, not when the machine gets round to it: the test sees every step,
however slow or busy the machine is.
"""
# ruff: noqa: S101, ANN001, ANN201

from __future__ import annotations

# docs-start manual-clock
import pytest

from waitkit import Policy
from waitkit.aws import InstanceRefreshWaiter


@pytest.fixture
def waitkit_scenario():
    timeline = [
        {"at": 0, "status": "InProgress", "percentage_complete": 0},
        {"at": 600, "percentage_complete": 50},  # ten scenario minutes in
        {"at": 1200, "status": "Successful", "percentage_complete": 100},
    ]
    return {
        "clock": "manual",  # scenario time moves only when the test advances it
        "autoscaling": {
            "groups": [{"name": "web", "refreshes": [{"id": "r-1", "timeline": timeline}]}]
        },
    }


@pytest.mark.asyncio
async def test_refresh_reports_each_step(waitkit_aws_client, emulator):
    seen = []
    async with waitkit_aws_client("autoscaling") as client:
        waiter = InstanceRefreshWaiter(
            client, "web", "r-1", policy=Policy(min_delay=0.05, max_delay=0.05, timeout=30)
        )
        async for state in waiter.states():
            seen.append(state.percentage_complete)
            emulator.advance_to_next()  # this step was seen: on to the next scripted point
    assert seen == [0, 50, 100]
    assert emulator.clock.now() == 1200
    # docs-end manual-clock


@pytest.mark.asyncio
async def test_nothing_moves_until_advanced(waitkit_aws_client, emulator):
    """However long the test takes, a manual clock stays where it was put."""
    async with waitkit_aws_client("autoscaling") as client:
        for _ in range(3):
            answer = await client.describe_instance_refreshes(AutoScalingGroupName="web")
            assert answer["InstanceRefreshes"][0]["PercentageComplete"] == 0
        emulator.advance(600)
        answer = await client.describe_instance_refreshes(AutoScalingGroupName="web")
    assert answer["InstanceRefreshes"][0]["PercentageComplete"] == 50
