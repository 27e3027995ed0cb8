"""Rows that are still arriving: wait a moment, and run the query again until a row comes.

Uses your usual AWS configuration (credentials, region; ``AWS_ENDPOINT_URL`` for
another endpoint). The test suite runs it against the emulator on a manual clock,
where the ERROR line is ingested only after the query has run twice and found nothing.
"""

from __future__ import annotations

import asyncio
import datetime as dt

from aiobotocore.session import get_session

from waitkit import Policy
from waitkit.aws import LogsInsightsQuery


async def main(propagation_delay: float = 30) -> None:
    """Query the last five minutes of ERROR lines until there is one.

    Args:
        propagation_delay: seconds to sleep before the first StartQuery, so that events
            written a moment ago are searchable. A test against the emulator passes 0:
            there a row arrives when the test moves the emulator's (manual) clock, and
            sleeping would only make the test slower.
    """
    async with get_session().create_client("logs") as client:
        end = dt.datetime.now(dt.UTC)
        query = LogsInsightsQuery(
            client,
            "/aws/lambda/orders",
            "fields @timestamp, @message | filter level = 'ERROR'",
            start=end - dt.timedelta(minutes=5),
            end=end,
            policy=Policy(min_delay=0.2, max_delay=1),
        )
        # docs-start late-rows
        results = await query.results(
            propagation_delay=propagation_delay,  # sleep this long before the first StartQuery
            min_rows=1,  # run the query again until at least one row comes back
            timeout=300,  # covers the delay, the slot, every query
        )
        print(results.query_count)  # how many queries were started
        # docs-end late-rows
        print(results.rows)


if __name__ == "__main__":
    asyncio.run(main())
