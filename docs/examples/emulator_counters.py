"""The emulator's request counters, after a query whose first StartQuery was throttled."""

from __future__ import annotations

import asyncio

from aiobotocore.config import AioConfig
from aiobotocore.session import get_session

from waitkit import Policy
from waitkit.aws import LogsInsightsQuery
from waitkit.emulator import Emulator, Scenario

SCENARIO = Scenario.model_validate(
    {
        "logs": {"queries": [{"match": "", "timeline": [{"after": 1, "status": "Complete"}]}]},
        "faults": [{"kind": "throttle", "service": "logs", "operation": "StartQuery", "count": 1}],
    }
)
FAST = Policy(min_delay=0.05, max_delay=0.2, throttle_min_delay=0.05, throttle_max_delay=0.2)


async def main() -> None:
    """Run one query, then read the counters."""
    async with (
        Emulator(SCENARIO) as emu,
        get_session().create_client(
            "logs",
            region_name="us-east-1",
            endpoint_url=emu.aws_endpoint,
            aws_access_key_id="testing",
            aws_secret_access_key="testing",
            config=AioConfig(retries={"total_max_attempts": 1}),
        ) as client,
    ):
        await LogsInsightsQuery(client, "/app", "fields @message", 0, 60, policy=FAST).results()
        # docs-start counters
        print(emu.counters.of("logs", "GetQueryResults"))  # one operation
        print(emu.counters.of("autoscaling"))  # a whole service
        print(emu.counters.snapshot())  # {"logs:StartQuery": 2, ...}
        print(emu.counters.faults[("logs", "StartQuery", "throttle")])
        emu.counters.reset()
        # docs-end counters


if __name__ == "__main__":
    asyncio.run(main())
