"""Test a durable-execution wait against the emulator: invoke, then await the result."""

from __future__ import annotations

import asyncio

from aiobotocore.session import get_session

from waitkit import Policy
from waitkit.aws import DurableExecutionWaiter, unique_execution_name

# docs-start scenario
from waitkit.emulator import Emulator, Scenario

scenario = Scenario.model_validate(
    {
        "durable": {
            "functions": [
                {
                    "name": "checkout",
                    "on_invoke": [
                        # Reached after so many looks, not seconds: the same on any machine.
                        {"after": 0, "status": "RUNNING"},
                        {"after": 2, "status": "SUCCEEDED", "result": '{"ok": true}'},
                    ],
                }
            ]
        }
    }
)
# docs-end scenario


async def main() -> None:
    """Invoke ``checkout`` on the emulator and await the execution."""
    async with (
        Emulator(scenario) as emu,
        get_session().create_client(
            "lambda",
            region_name="us-east-1",
            endpoint_url=emu.aws_endpoint,
            aws_access_key_id="testing",
            aws_secret_access_key="testing",
        ) as client,
    ):
        invoked = await client.invoke(
            FunctionName="checkout",
            DurableExecutionName=unique_execution_name("checkout"),
            InvocationType="Event",
            Payload=b"{}",
        )
        waiter = DurableExecutionWaiter(
            client, arn=invoked["DurableExecutionArn"], policy=Policy(min_delay=0.02, max_delay=0.1)
        )
        result = await waiter.wait(timeout=60)
    print(result.state.status, result.state.result)


if __name__ == "__main__":
    asyncio.run(main())
