"""Test a Logs Insights query against the emulator: a late row makes the query run again."""

from __future__ import annotations

# docs-start emulator
import asyncio

from aiobotocore.session import get_session

from waitkit import Policy, until
from waitkit.aws import LogsInsightsQuery
from waitkit.emulator import Emulator, Scenario

scenario = Scenario.model_validate(
    {
        # A manual clock stands still until the test moves it, so the late row arrives
        # exactly when the test says: after a query came back short, however slow or busy
        # the machine. On a running clock, "1.5 s in" could come before the first query.
        "clock": "manual",
        "logs": {
            "max_concurrent_queries": 2,
            "queries": [
                {
                    "match": "ERROR",
                    "timeline": [
                        {"at": 0, "status": "Scheduled"},
                        {"after": 1, "status": "Running", "rows": 1},
                        {"after": 2, "status": "Complete", "rows": 2},  # "rows" carries over
                    ],
                    "rows": [
                        {"fields": {"@message": "ERROR first"}},
                        {"fields": {"@message": "ERROR late"}, "ingested_at": 1.5},
                    ],
                }
            ],
        },
    }
)
quick = Policy(min_delay=0.02, max_delay=0.1)  # a test need not look only every few seconds


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
            client, "/app", "fields @message | filter ERROR", 0, 60, policy=quick
        )
        running = asyncio.create_task(query.results(min_rows=2, timeout=30))

        async def started() -> int:
            return emu.counters.of("logs", "StartQuery")

        # A query completed with one row and the query started again: now ingest the late row.
        await until(started, lambda n: n >= 2, policy=quick, timeout=10)
        emu.clock.advance(1.5)
        results = await running
    print(results.query_count, [row["@message"] for row in results.rows])
    print(emu.counters.of("logs", "StartQuery"), emu.counters.of("logs", "StopQuery"))
    # docs-end emulator


if __name__ == "__main__":
    asyncio.run(main())
