"""Invoke the durable function ``checkout`` and await its execution's result.

Uses your usual AWS configuration (credentials, region; ``AWS_ENDPOINT_URL`` for
another endpoint). The test suite runs it against the emulator.
"""

from __future__ import annotations

import asyncio

from aiobotocore.session import get_session


async def main() -> None:
    async with get_session().create_client("lambda") as client:
        # docs-start invoke
        from waitkit.aws import DurableExecutionWaiter, unique_execution_name

        name = unique_execution_name("checkout")  # test-checkout-20261122T030405-1a2b3c4d
        invoked = await client.invoke(
            FunctionName="checkout",
            DurableExecutionName=name,
            InvocationType="Event",
            Payload=b"{}",
        )
        result = await DurableExecutionWaiter(client, arn=invoked["DurableExecutionArn"]).wait(
            timeout=900
        )
        print(result.state.result)
        # docs-end invoke


if __name__ == "__main__":
    asyncio.run(main())
