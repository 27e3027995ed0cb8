"""Test an instance-refresh wait against the emulator: a scripted refresh, a real client."""

from __future__ import annotations

import asyncio

# docs-start emulator
from aiobotocore.session import get_session

from waitkit import Policy
from waitkit.aws import InstanceRefreshWaiter
from waitkit.emulator import Emulator, Scenario

scenario = Scenario.model_validate(
    {
        "autoscaling": {
            "groups": [
                {
                    "name": "web",
                    "refreshes": [
                        {
                            "id": "r-1",
                            "timeline": [
                                {"after": 0, "status": "Pending"},
                                {"after": 2, "status": "InProgress", "percentage_complete": 50},
                                {"after": 4, "status": "Successful", "percentage_complete": 100},
                            ],
                        }
                    ],
                }
            ]
        }
    }
)
fast = Policy(min_delay=0.02, max_delay=0.1)  # a test need not look only every few seconds


async def main() -> None:
    async with (
        Emulator(scenario) as emu,
        get_session().create_client(
            "autoscaling",
            region_name="us-east-1",
            endpoint_url=emu.aws_endpoint,
            aws_access_key_id="testing",
            aws_secret_access_key="testing",
        ) as client,
    ):
        result = await InstanceRefreshWaiter(client, "web", "r-1", policy=fast).wait(timeout=60)
    print([entry.state.summary() for entry in result.history])
    # docs-end emulator


if __name__ == "__main__":
    asyncio.run(main())
