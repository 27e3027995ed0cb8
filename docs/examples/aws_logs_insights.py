"""Run a Logs Insights query over the last 15 minutes of ``/aws/lambda/orders``.

Uses your usual AWS configuration (credentials, region; ``AWS_ENDPOINT_URL`` for
another endpoint). The test suite runs it against the emulator.
"""

from __future__ import annotations

# docs-start query
import asyncio
import datetime as dt

from aiobotocore.session import get_session

from waitkit.aws import LogsInsightsQuery


async def main() -> None:
    async with get_session().create_client("logs") as client:
        end = dt.datetime.now(dt.UTC)
        query = LogsInsightsQuery(
            client,
            "/aws/lambda/orders",  # a name or ARN, or 1 to 50 of them
            "fields @timestamp, @message | filter level = 'ERROR' | sort @timestamp desc",
            start=end - dt.timedelta(minutes=15),  # aware datetimes or epoch seconds
            end=end,
            limit=100,
        )
        results = await query.results(timeout=300)
        for row in results.rows:  # list[dict[str, str]], with "@ptr"
            print(row["@timestamp"], row["@message"])
        print(results.query_id, results.statistics.records_scanned)
    # docs-end query


if __name__ == "__main__":
    asyncio.run(main())
