"""A test file for waitkit's pytest plugin: an instance refresh on the ``emulator`` fixture.

Run it with ``pytest docs/examples/test_pytest_plugin.py`` (it needs ``waitkit[aws,emulator]``
and pytest-asyncio). The page shows its parts the way a user writes tests: fixtures and
tests unannotated, plain ``assert``.
"""
# ruff: noqa: S101, E402, ANN001, ANN201

from __future__ import annotations

# docs-start deploy
import pytest

from waitkit.aws import InstanceRefreshWaiter


@pytest.fixture
def waitkit_scenario():
    return {
        "autoscaling": {
            "groups": [
                {
                    "name": "web",
                    "on_start": [
                        {"at": 0, "status": "Pending"},
                        {"after": 1, "status": "Successful", "percentage_complete": 100},
                    ],
                }
            ]
        }
    }


@pytest.mark.asyncio  # or @pytest.mark.anyio, or nothing in pytest-asyncio's auto mode
async def test_deploy(waitkit_aws_client, waitkit_policy, emulator):
    async with waitkit_aws_client("autoscaling") as client:
        started = await client.start_instance_refresh(AutoScalingGroupName="web")
        waiter = InstanceRefreshWaiter(
            client,
            "web",
            refresh_id=started["InstanceRefreshId"],
            policy=waitkit_policy.replace(min_delay=0.05),  # the emulator is local: look often
        )
        result = await waiter.wait()
    assert result.state.status == "Successful"
    assert emulator.counters.of("autoscaling", "DescribeInstanceRefreshes") == 2
    # docs-end deploy


# docs-start anyio-backend
@pytest.fixture
def anyio_backend():
    return "asyncio"
    # docs-end anyio-backend


@pytest.mark.anyio
async def test_deploy_under_anyio(waitkit_aws_client):
    """The same client under anyio's plugin, pinned to asyncio by the fixture above."""
    async with waitkit_aws_client("autoscaling") as client:
        answer = await client.describe_instance_refreshes(AutoScalingGroupName="web")
    assert answer["InstanceRefreshes"] == []


# docs-start emulator-call
from waitkit.emulator import Fault, InstanceRefreshScenario


def test_throttled(emulator):
    emulator.call(lambda emu: emu.faults.add(Fault(kind="throttle", service="autoscaling")))
    refresh_id = emulator.call(
        lambda emu: emu.autoscaling.add_refresh("web", InstanceRefreshScenario())
    )
    # docs-end emulator-call
    assert emulator.call(lambda emu: emu.autoscaling.status(refresh_id)) == "Pending"
