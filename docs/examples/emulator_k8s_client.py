"""kubernetes_asyncio against the emulator: list the Job ``etl``, then watch it complete.

Reads ``emulator.kubeconfig`` in the current directory (``waitkit-emulator serve``
prints where its kubeconfig is). The test suite writes one there for its emulator.
"""

from __future__ import annotations

import asyncio


async def main() -> None:
    # docs-start client
    from kubernetes_asyncio import config, watch
    from kubernetes_asyncio.client import BatchV1Api

    client = await config.new_client_from_config(config_file="emulator.kubeconfig")
    async with client:
        batch = BatchV1Api(client)
        jobs = await batch.list_namespaced_job("default", field_selector="metadata.name=etl")
        async with watch.Watch() as w:
            async for event in w.stream(
                batch.list_namespaced_job,
                "default",
                field_selector="metadata.name=etl",
                resource_version=jobs.metadata.resource_version,
                allow_watch_bookmarks=True,
                timeout_seconds=30,
            ):
                print(event["type"], event["object"].metadata.resource_version)
                if event["type"] != "BOOKMARK" and event["object"].status.completion_time:
                    break  # the Job is complete
    # docs-end client


if __name__ == "__main__":
    asyncio.run(main())
