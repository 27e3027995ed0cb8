"""The AWS waiters with clients made by aioboto3, as an application holding a Session has them.

Uses your usual AWS configuration (credentials, region; ``AWS_ENDPOINT_URL`` for
another endpoint). The test suite runs it with aioboto3 15.5 (``nox -s tests_aioboto3``)
against the emulator and moto's server. aioboto3 15.5 pins aiobotocore 2.25.1 and
botocore 1.40.61, which has no durable-execution API: there ``durable()`` raises
``ConfigurationError`` before any call.
"""

from __future__ import annotations

import asyncio
import datetime as dt

# docs-start session
import aioboto3

from waitkit.aws import InstanceRefreshWaiter


async def refresh() -> None:
    session = aioboto3.Session()
    async with session.client("autoscaling") as client:
        started = await client.start_instance_refresh(AutoScalingGroupName="web")
        waiter = InstanceRefreshWaiter(client, "web", refresh_id=started["InstanceRefreshId"])
        async for state in waiter.states(timeout=1800):
            print(state.summary())  # "InProgress 40% (3 to update)"
    # docs-end session


async def query() -> None:
    # docs-start logs
    from waitkit.aws import LogsInsightsQuery

    session = aioboto3.Session()
    async with session.client("logs") as client:
        end = dt.datetime.now(dt.UTC)
        query = LogsInsightsQuery(
            client,
            "/aws/lambda/orders",
            "fields @timestamp, @message | filter level = 'ERROR' | sort @timestamp desc",
            start=end - dt.timedelta(minutes=15),
            end=end,
            limit=100,  # up to 10,000 on aiobotocore 2 (no result paging); no page_size there
        )
        results = await query.results(timeout=300)
        for row in results.rows:
            print(row["@timestamp"], row["@message"])
        print(results.statistics.result_count)  # None on aiobotocore 2: botocore drops it
    # docs-end logs


async def function_active() -> None:
    # docs-start botocore
    from waitkit.aws import botocore_waiter

    session = aioboto3.Session()
    async with session.client("lambda") as client:
        waiter = botocore_waiter(client, "function_active_v2", FunctionName="my-fn")
        result = await waiter.wait(timeout=300)
        print(result.state.response["Configuration"]["State"])  # Active
    # docs-end botocore


async def durable(arn: str) -> None:
    # docs-start durable
    from waitkit.aws import DurableExecutionWaiter

    session = aioboto3.Session()
    async with session.client("lambda") as client:
        # aioboto3 15.5 (botocore 1.40.61): ConfigurationError here, before any call
        waiter = DurableExecutionWaiter(client, arn=arn)
        result = await waiter.wait(timeout=900)
        print(result.state.result)
    # docs-end durable


async def main() -> None:
    await refresh()
    await query()


if __name__ == "__main__":
    asyncio.run(main())
