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
        from waitkit import Policy
        from waitkit.aws import DurableExecutionWaiter, unique_execution_name

        name = unique_execution_name("checkout")  # test-checkout-20261122T030405-1a2b3c4d
        invoked = await client.invoke(
            FunctionName="checkout",
            DurableExecutionName=name,
            InvocationType="Event",
            Payload=b"{}",
        )
        waiter = DurableExecutionWaiter(
            client,
            arn=invoked["DurableExecutionArn"],
            # An asynchronous ("Event") invoke returns before the execution may be
            # visible: "not found" is retried for this long before it is an error.
            policy=Policy(not_found_grace=30),
        )
        result = await waiter.wait(timeout=900)
        print(result.state.result)
        # docs-end invoke


if __name__ == "__main__":
    asyncio.run(main())
