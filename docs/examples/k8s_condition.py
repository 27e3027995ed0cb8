"""``kubectl wait`` as waiters: a condition, a jsonpath, a deletion, and an OR of conditions.

Uses your kubeconfig (``KUBECONFIG``, else ``~/.kube/config``). The test suite runs it
against the emulator, which serves Jobs and Pods (so the first wait is on a Job).
"""

from __future__ import annotations

import asyncio


async def main() -> None:
    # docs-start condition
    from waitkit.k8s import ConditionWaiter, api_client

    async with api_client() as api:
        await ConditionWaiter(api, "jobs.batch", "migrate", for_="condition=Complete").wait(
            timeout=300
        )
        await ConditionWaiter(api, "pod", "web-0", for_="jsonpath={.status.phase}=Running").wait()
        await ConditionWaiter(api, "job", "old", for_="delete").wait()

        # OR: whichever comes first, and which one it was
        result = await ConditionWaiter(
            api, "job", "etl", any_of=["condition=Complete", "condition=Failed"]
        ).wait(timeout=900)
        print(result.state.matched)  # ('condition=Failed',)
    # docs-end condition


if __name__ == "__main__":
    asyncio.run(main())
