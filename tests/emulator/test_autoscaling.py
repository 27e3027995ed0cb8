"""Auto Scaling instance refreshes, as the real aiobotocore client sees them."""

from __future__ import annotations

import asyncio
from datetime import datetime

import pytest
from botocore.exceptions import ClientError

from waitkit.emulator import AutoScalingGroupScenario, InstanceRefreshScenario, RefreshPoint

pytestmark = pytest.mark.anyio

STATUSES = [
    "Pending",
    "InProgress",
    "Baking",
    "Cancelling",
    "Cancelled",
    "RollbackInProgress",
    "RollbackFailed",
    "RollbackSuccessful",
    "Failed",
    "Successful",
]
DESIRED = {"LaunchTemplate": {"LaunchTemplateName": "web-lt", "Version": "7"}}


def group(name: str = "web", **extra: object) -> dict[str, object]:
    """A group entry of a scenario mapping."""
    return {"name": name, **extra}


async def test_describe_renders_every_field(emulator, aws_client) -> None:
    """A scripted refresh shows status, progress, preferences, config and rollback details."""
    refresh = {
        "id": "r-1",
        "preferences": {
            "MinHealthyPercentage": 90,
            "CheckpointPercentages": [50, 100],
            "AutoRollback": False,
        },
        "desired_configuration": DESIRED,
        "strategy": "Rolling",
        "timeline": [
            {
                "at": 0,
                "status": "RollbackInProgress",
                "status_reason": "alarm fired",
                "percentage_complete": 40,
                "instances_to_update": 3,
                "warm_pool_percentage_complete": 10,
                "warm_pool_instances_to_update": 1,
                "rollback_reason": "alarm fired",
                "percentage_complete_on_rollback": 25,
                "instances_to_update_on_rollback": 2,
            }
        ],
    }
    async with (
        emulator({"autoscaling": {"groups": [group(refreshes=[refresh])]}}) as emu,
        aws_client(emu, "autoscaling") as client,
    ):
        answer = await client.describe_instance_refreshes(AutoScalingGroupName="web")
    (found,) = answer["InstanceRefreshes"]
    assert "NextToken" not in answer
    assert found["InstanceRefreshId"] == "r-1"
    assert found["AutoScalingGroupName"] == "web"
    assert found["Status"] == "RollbackInProgress"
    assert found["StatusReason"] == "alarm fired"
    assert isinstance(found["StartTime"], datetime)
    assert "EndTime" not in found
    assert found["PercentageComplete"] == 40
    assert found["InstancesToUpdate"] == 3
    assert found["ProgressDetails"] == {
        "LivePoolProgress": {"PercentageComplete": 40, "InstancesToUpdate": 3},
        "WarmPoolProgress": {"PercentageComplete": 10, "InstancesToUpdate": 1},
    }
    assert found["Preferences"] == {
        "MinHealthyPercentage": 90,
        "CheckpointPercentages": [50, 100],
        "AutoRollback": False,
    }
    assert found["DesiredConfiguration"] == DESIRED
    assert found["Strategy"] == "Rolling"
    details = found["RollbackDetails"]
    assert details["RollbackReason"] == "alarm fired"
    assert isinstance(details["RollbackStartTime"], datetime)
    assert details["PercentageCompleteOnRollback"] == 25
    assert details["InstancesToUpdateOnRollback"] == 2


async def test_all_ten_statuses_in_observation_order(emulator, aws_client) -> None:
    """A timeline of ``after`` points shows one status per Describe, all ten of them, then stays."""
    timeline = [{"after": i, "status": status} for i, status in enumerate(STATUSES)]
    scenario = {"autoscaling": {"groups": [group(refreshes=[{"timeline": timeline}])]}}
    async with emulator(scenario) as emu, aws_client(emu, "autoscaling") as client:
        seen = []
        for _ in range(len(STATUSES) + 1):
            answer = await client.describe_instance_refreshes(AutoScalingGroupName="web")
            seen.append(answer["InstanceRefreshes"][0]["Status"])
    assert seen == [*STATUSES, "Successful"]


async def test_timeline_in_scenario_seconds_and_end_time(emulator, aws_client) -> None:
    """``at`` points follow scenario time (scaled by speed); a terminal status gets an EndTime."""
    timeline = [
        RefreshPoint(at=0, status="InProgress", percentage_complete=0, instances_to_update=2),
        RefreshPoint(at=2, status="Successful", percentage_complete=100, instances_to_update=0),
    ]
    scenario = {"speed": 100, "autoscaling": {"groups": [group()]}}
    async with emulator(scenario) as emu, aws_client(emu, "autoscaling") as client:
        # Held still for the first look, however long the call takes on a busy machine.
        emu.clock.pause()
        emu.autoscaling.add_refresh(
            "web", InstanceRefreshScenario(created=emu.clock.now(), timeline=timeline)
        )
        first = (await client.describe_instance_refreshes(AutoScalingGroupName="web"))[
            "InstanceRefreshes"
        ][0]
        emu.clock.resume()
        await asyncio.sleep(0.03)  # at least 3 scenario seconds at speed 100
        last = (await client.describe_instance_refreshes(AutoScalingGroupName="web"))[
            "InstanceRefreshes"
        ][0]
    assert (first["Status"], first["PercentageComplete"], first["InstancesToUpdate"]) == (
        "InProgress",
        0,
        2,
    )
    assert (last["Status"], last["PercentageComplete"], last["InstancesToUpdate"]) == (
        "Successful",
        100,
        0,
    )
    assert "EndTime" not in first
    assert (last["EndTime"] - last["StartTime"]).total_seconds() == pytest.approx(2, abs=0.01)


async def test_ids_filter_and_unknown_id(emulator, aws_client) -> None:
    """InstanceRefreshIds narrows the answer; an unknown id gives an empty list, not an error."""
    refreshes = [
        {"id": "a", "created": -2},
        {"id": "b", "created": -1},
        {"id": "c", "created": 1e6},
    ]
    scenario = {"autoscaling": {"groups": [group(refreshes=refreshes)]}}
    async with emulator(scenario) as emu, aws_client(emu, "autoscaling") as client:
        only_a = await client.describe_instance_refreshes(
            AutoScalingGroupName="web", InstanceRefreshIds=["a"]
        )
        unknown = await client.describe_instance_refreshes(
            AutoScalingGroupName="web", InstanceRefreshIds=["nope"]
        )
        everything = await client.describe_instance_refreshes(AutoScalingGroupName="web")
    assert [r["InstanceRefreshId"] for r in only_a["InstanceRefreshes"]] == ["a"]
    # "c" is created far in the scenario's future, so it does not exist yet.
    assert [r["InstanceRefreshId"] for r in everything["InstanceRefreshes"]] == ["b", "a"]
    assert unknown["InstanceRefreshes"] == []


async def test_paging_newest_first(emulator, aws_client) -> None:
    """MaxRecords pages through refreshes newest first, with NextToken until the last page."""
    refreshes = [{"id": f"r{i}", "created": -10 + i} for i in range(5)]
    scenario = {"autoscaling": {"groups": [group(refreshes=refreshes)]}}
    async with emulator(scenario) as emu, aws_client(emu, "autoscaling") as client:
        pages, token = [], None
        while True:
            kwargs = {"NextToken": token} if token else {}
            answer = await client.describe_instance_refreshes(
                AutoScalingGroupName="web", MaxRecords=2, **kwargs
            )
            pages.append([r["InstanceRefreshId"] for r in answer["InstanceRefreshes"]])
            token = answer.get("NextToken")
            if token is None:
                break
        everything = await client.describe_instance_refreshes(AutoScalingGroupName="web")
    assert pages == [["r4", "r3"], ["r2", "r1"], ["r0"]]
    assert [r["InstanceRefreshId"] for r in everything["InstanceRefreshes"]] == [
        "r4",
        "r3",
        "r2",
        "r1",
        "r0",
    ]


@pytest.mark.parametrize(
    ("kwargs", "code"),
    [
        ({"MaxRecords": 101}, "ValidationError"),
        ({"NextToken": "not-a-token"}, "InvalidNextToken"),
    ],
)
async def test_paging_errors(emulator, aws_client, kwargs, code) -> None:
    """MaxRecords above 100 and a foreign NextToken are refused in the query error shape."""
    async with (
        emulator({"autoscaling": {"groups": [group()]}}) as emu,
        aws_client(emu, "autoscaling") as client,
    ):
        with pytest.raises(ClientError) as caught:
            await client.describe_instance_refreshes(AutoScalingGroupName="web", **kwargs)
    assert caught.value.response["Error"]["Code"] == code
    assert caught.value.response["Error"]["Type"] == "Sender"
    assert caught.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400


@pytest.mark.parametrize(
    "call",
    [
        "describe_instance_refreshes",
        "start_instance_refresh",
        "cancel_instance_refresh",
        "rollback_instance_refresh",
    ],
)
async def test_missing_group_is_validation_error(emulator, aws_client, call) -> None:
    """Every operation on a group that does not exist answers 400 ValidationError, as AWS does."""
    async with emulator() as emu, aws_client(emu, "autoscaling") as client:
        with pytest.raises(ClientError) as caught:
            await getattr(client, call)(AutoScalingGroupName="ghost")
    error = caught.value.response["Error"]
    assert error == {
        "Type": "Sender",
        "Code": "ValidationError",
        "Message": "AutoScalingGroup name not found - AutoScalingGroup ghost not found",
    }
    assert caught.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400


async def test_start_creates_refresh_and_blocks_a_second(emulator, aws_client) -> None:
    """StartInstanceRefresh returns an id Describe shows with its settings; a second start fails."""
    on_start = [{"at": 0, "status": "Pending"}, {"after": 1, "status": "InProgress"}]
    scenario = {"autoscaling": {"groups": [group(on_start=on_start)]}}
    async with emulator(scenario) as emu, aws_client(emu, "autoscaling") as client:
        started = await client.start_instance_refresh(
            AutoScalingGroupName="web",
            Strategy="Rolling",
            DesiredConfiguration=DESIRED,
            Preferences={"MinHealthyPercentage": 90, "SkipMatching": True, "BakeTime": 60},
        )
        with pytest.raises(client.exceptions.InstanceRefreshInProgressFault):
            await client.start_instance_refresh(AutoScalingGroupName="web")
        answers = [
            await client.describe_instance_refreshes(
                AutoScalingGroupName="web", InstanceRefreshIds=[started["InstanceRefreshId"]]
            )
            for _ in range(2)
        ]
    first, second = (a["InstanceRefreshes"][0] for a in answers)
    assert first["InstanceRefreshId"] == started["InstanceRefreshId"]
    assert first["Status"] == "Pending"
    assert second["Status"] == "InProgress"
    assert first["DesiredConfiguration"] == DESIRED
    assert first["Preferences"] == {
        "MinHealthyPercentage": 90,
        "SkipMatching": True,
        "BakeTime": 60,
    }


async def test_cancel_follows_the_cancel_timeline(emulator, aws_client) -> None:
    """Cancel moves the active refresh to Cancelling, then Cancelled; then none is left."""
    on_cancel = [{"at": 0, "status": "Cancelling"}, {"after": 1, "status": "Cancelled"}]
    refresh = {
        "id": "r-1",
        "timeline": [{"at": 0, "status": "InProgress", "percentage_complete": 30}],
    }
    scenario = {"autoscaling": {"groups": [group(refreshes=[refresh], on_cancel=on_cancel)]}}
    async with emulator(scenario) as emu, aws_client(emu, "autoscaling") as client:
        cancelled = await client.cancel_instance_refresh(AutoScalingGroupName="web")
        statuses = []
        for _ in range(2):
            answer = await client.describe_instance_refreshes(AutoScalingGroupName="web")
            statuses.append(answer["InstanceRefreshes"][0]["Status"])
        with pytest.raises(client.exceptions.ActiveInstanceRefreshNotFoundFault):
            await client.cancel_instance_refresh(AutoScalingGroupName="web")
    assert cancelled["InstanceRefreshId"] == "r-1"
    assert statuses == ["Cancelling", "Cancelled"]
    # Fields the cancel timeline does not set keep their value from before the cancel.
    assert answer["InstanceRefreshes"][0]["PercentageComplete"] == 30


async def test_rollback(emulator, aws_client) -> None:
    """Rolling back a refresh with a desired config follows on_rollback, with RollbackDetails."""
    refreshes = [
        {
            "id": "r-1",
            "desired_configuration": DESIRED,
            "timeline": [{"at": 0, "status": "InProgress"}],
        }
    ]
    on_rollback = [
        {"at": 0, "status": "RollbackInProgress", "rollback_reason": "manual"},
        {"after": 1, "status": "RollbackSuccessful", "percentage_complete_on_rollback": 100},
    ]
    scenario = {"autoscaling": {"groups": [group(refreshes=refreshes, on_rollback=on_rollback)]}}
    async with emulator(scenario) as emu, aws_client(emu, "autoscaling") as client:
        rolled = await client.rollback_instance_refresh(AutoScalingGroupName="web")
        answers = [
            (await client.describe_instance_refreshes(AutoScalingGroupName="web"))[
                "InstanceRefreshes"
            ][0]
            for _ in range(2)
        ]
        with pytest.raises(client.exceptions.ActiveInstanceRefreshNotFoundFault):
            await client.rollback_instance_refresh(AutoScalingGroupName="web")
    assert rolled["InstanceRefreshId"] == "r-1"
    assert [a["Status"] for a in answers] == ["RollbackInProgress", "RollbackSuccessful"]
    assert answers[0]["RollbackDetails"]["RollbackReason"] == "manual"
    assert answers[1]["RollbackDetails"]["PercentageCompleteOnRollback"] == 100
    assert (
        answers[0]["RollbackDetails"]["RollbackStartTime"]
        == answers[1]["RollbackDetails"]["RollbackStartTime"]
    )
    assert "EndTime" in answers[1]


async def test_rollback_without_desired_configuration(emulator, aws_client) -> None:
    """A refresh started without a desired configuration cannot be rolled back."""
    refreshes = [{"timeline": [{"at": 0, "status": "InProgress"}]}]
    scenario = {"autoscaling": {"groups": [group(refreshes=refreshes)]}}
    async with emulator(scenario) as emu, aws_client(emu, "autoscaling") as client:
        with pytest.raises(client.exceptions.IrreversibleInstanceRefreshFault):
            await client.rollback_instance_refresh(AutoScalingGroupName="web")


async def test_run_time_groups_and_refreshes(emulator, aws_client) -> None:
    """Groups and refreshes added at run time are served at once; ``status`` does not observe."""
    async with emulator() as emu, aws_client(emu, "autoscaling") as client:
        emu.autoscaling.add_group(AutoScalingGroupScenario(name="late"))
        refresh_id = emu.autoscaling.add_refresh(
            "late",
            InstanceRefreshScenario(
                timeline=[
                    RefreshPoint(at=0, status="Pending"),
                    RefreshPoint(after=1, status="Failed"),
                ]
            ),
        )
        assert emu.autoscaling.status(refresh_id) == "Pending"
        assert emu.autoscaling.status(refresh_id) == "Pending"  # looking is not reading
        first = await client.describe_instance_refreshes(AutoScalingGroupName="late")
        assert emu.autoscaling.status(refresh_id) == "Failed"  # what the next read shows
        second = await client.describe_instance_refreshes(AutoScalingGroupName="late")
        with pytest.raises(KeyError):
            emu.autoscaling.add_refresh("ghost", InstanceRefreshScenario())
    assert first["InstanceRefreshes"][0]["Status"] == "Pending"
    assert second["InstanceRefreshes"][0]["Status"] == "Failed"
    assert emu.counters.of("autoscaling", "DescribeInstanceRefreshes") == 2


async def test_unknown_action(emulator, aws_client) -> None:
    """An operation the emulator does not serve answers InvalidAction rather than hanging."""
    async with emulator() as emu, aws_client(emu, "autoscaling") as client:
        with pytest.raises(ClientError) as caught:
            await client.describe_auto_scaling_groups()
    assert caught.value.response["Error"]["Code"] == "InvalidAction"
