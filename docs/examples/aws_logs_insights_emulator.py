"""Test a Logs Insights query against the emulator: a late row makes the query run twice."""

from __future__ import annotations

# docs-start emulator
import asyncio

from aiobotocore.session import get_session

from waitkit import Policy
from waitkit.aws import LogsInsightsQuery
from waitkit.emulator import Emulator, Scenario

scenario = Scenario.model_validate(
    {
        "logs": {
            "max_concurrent_queries": 2,
            "queries": [
                {
                    "match": "ERROR",
                    "timeline": [
                        {"at": 0, "status": "Scheduled"},
                        {"after": 2, "status": "Running", "rows": 1},
                        {"after": 3, "status": "Complete", "rows": 2},  # "rows" carries over
                    ],
                    "rows": [
                        {"fields": {"@message": "ERROR first"}},
                        {"fields": {"@message": "ERROR late"}, "ingested_at": 1.5},
                    ],
                }
            ],
        }
    }
)


async def main() -> None:
    async with (
        Emulator(scenario) as emu,
        get_session().create_client(
            "logs",
            region_name="us-east-1",
            endpoint_url=emu.aws_endpoint,
            aws_access_key_id="testing",
            aws_secret_access_key="testing",
        ) as client,
    ):
        query = LogsInsightsQuery(
            client,
            "/app",
            "fields @message | filter ERROR",
            0,
            60,
            policy=Policy(min_delay=0.05, max_delay=0.2),
        )
        results = await query.results(min_rows=2, timeout=30)
    print(results.runs, [row["@message"] for row in results.rows])
    print(emu.counters.of("logs", "StartQuery"), emu.counters.of("logs", "StopQuery"))
    # docs-end emulator


if __name__ == "__main__":
    asyncio.run(main())
