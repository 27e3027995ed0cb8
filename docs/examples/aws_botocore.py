"""Wait for the Lambda function ``my-fn`` to be active with botocore's own waiter model.

Uses your usual AWS configuration (credentials, region; ``AWS_ENDPOINT_URL`` for
another endpoint). The test suite runs it against moto's server.
"""

from __future__ import annotations

# docs-start function-active
import asyncio

from aiobotocore.session import get_session

from waitkit.aws import botocore_waiter


async def main() -> None:
    async with get_session().create_client("lambda") as client:
        result = await botocore_waiter(client, "function_active_v2", FunctionName="my-fn").wait(
            timeout=300
        )
        print(result.state.response["Configuration"]["State"])  # Active
        print(result.attempts, f"{result.elapsed:.1f}s")
    # docs-end function-active


if __name__ == "__main__":
    asyncio.run(main())
