"""Logs Insights queries awaited with other waiters: one per log group, plus one started elsewhere.

Uses your usual AWS configuration (credentials, region; ``AWS_ENDPOINT_URL`` for
another endpoint). The test suite runs it against the emulator.
"""

from __future__ import annotations

import asyncio
import time

from aiobotocore.session import get_session

from waitkit.aws import LogsInsightsQuery


async def main() -> None:
    async with get_session().create_client("logs") as client:
        groups = ["/aws/lambda/orders", "/aws/lambda/payments"]
        text = "fields @timestamp, @message | filter level = 'ERROR'"
        end = int(time.time())
        start = end - 900
        started = await client.start_query(
            logGroupName="/aws/lambda/audit", queryString=text, startTime=start, endTime=end
        )
        query_id_from_elsewhere = started["queryId"]
        # docs-start many
        from waitkit import wait_all
        from waitkit.aws import QueryResults, QueryWaiter

        waiters = [LogsInsightsQuery(client, group, text, start, end).waiter() for group in groups]
        waiters.append(QueryWaiter(client, query_id_from_elsewhere))
        for result in await wait_all(waiters, timeout=600):
            print(QueryResults.from_state(result.state).rows)
        # docs-end many


if __name__ == "__main__":
    asyncio.run(main())
