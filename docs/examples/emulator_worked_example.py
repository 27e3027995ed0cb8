"""The emulator's worked example: start an instance refresh and poll it by hand."""

from __future__ import annotations

# docs-start worked-example
import asyncio

from aiobotocore.session import get_session

from waitkit.emulator import Emulator, Scenario

SCENARIO = Scenario.model_validate(
    {
        "autoscaling": {
            "groups": [
                {
                    "name": "web",
                    "on_start": [
                        {"at": 0, "status": "Pending", "instances_to_update": 4},
                        {"at": 0.5, "status": "InProgress", "percentage_complete": 50},
                        {"after": 3, "status": "Successful", "percentage_complete": 100},
                    ],
                }
            ]
        }
    }
)


async def main() -> None:
    async with Emulator(SCENARIO) as emu:
        session = get_session()
        async with session.create_client(
            "autoscaling",
            region_name="us-east-1",
            endpoint_url=emu.aws_endpoint,
            aws_access_key_id="testing",
            aws_secret_access_key="testing",
        ) as client:
            started = await client.start_instance_refresh(AutoScalingGroupName="web")
            while True:
                answer = await client.describe_instance_refreshes(
                    AutoScalingGroupName="web",
                    InstanceRefreshIds=[started["InstanceRefreshId"]],
                )
                refresh = answer["InstanceRefreshes"][0]
                print(refresh["Status"], refresh["PercentageComplete"])
                if refresh["Status"] == "Successful":
                    break
                await asyncio.sleep(0.3)
        print(emu.counters.snapshot())
        # {'autoscaling:DescribeInstanceRefreshes': 4, 'autoscaling:StartInstanceRefresh': 1}


if __name__ == "__main__":
    asyncio.run(main())
# docs-end worked-example
