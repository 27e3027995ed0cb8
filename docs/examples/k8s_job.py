"""Wait for the Job ``batch/etl`` in the cluster of the kubeconfig context ``prod``.

The test suite runs it against the emulator, with a kubeconfig whose context is named
``prod``.
"""

from __future__ import annotations

import asyncio


async def main() -> None:
    # docs-start job
    from waitkit.k8s import JobWaiter, api_client

    async with api_client(context="prod") as api:  # kubeconfig, or in-cluster
        result = await JobWaiter(api, "etl", namespace="batch").wait(timeout=1800)
        print(result.state.completion_time)
    # docs-end job


if __name__ == "__main__":
    asyncio.run(main())
