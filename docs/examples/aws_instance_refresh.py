"""Start an instance refresh on the Auto Scaling group ``web`` and follow it to its end.

Uses your usual AWS configuration (credentials, region; ``AWS_ENDPOINT_URL`` for
another endpoint). The test suite runs it against the emulator.
"""

from __future__ import annotations

# docs-start refresh
import asyncio

from aiobotocore.session import get_session

from waitkit.aws import InstanceRefreshWaiter


async def main() -> None:
    async with get_session().create_client("autoscaling") as client:
        started = await client.start_instance_refresh(AutoScalingGroupName="web")
        waiter = InstanceRefreshWaiter(client, "web", refresh_id=started["InstanceRefreshId"])
        async for state in waiter.states(timeout=1800):
            print(state.summary())  # "InProgress 40% (3 to update)"
    # docs-end refresh


if __name__ == "__main__":
    asyncio.run(main())
