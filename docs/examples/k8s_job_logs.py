"""Follow the log lines of a Job's pods while it runs (here against the emulator).

The test suite runs it as it is: the emulator plays a Job whose pod writes three lines
and succeeds; scenario time moves once the waiter's log stream is open.
"""

from __future__ import annotations

import asyncio

from kubernetes_asyncio.client import ApiClient


async def follow(api: ApiClient) -> None:
    # docs-start logs
    from waitkit.k8s import JobWaiter, LogLine

    def show(line: LogLine) -> None:
        if line.notice:  # waitkit's word about the logs (said once), not a line of them
            print(f"waitkit: {line.text}")
        else:
            print(f"{line.pod}/{line.container}: {line.text}")

    result = await JobWaiter(api, "etl", on_log=show).wait(timeout=900)
    print(result.state.phase.value)
    # docs-end logs


async def main() -> None:
    """The emulator plays the Job; its clock moves once the log stream is open."""
    from waitkit.emulator import Emulator, Scenario
    from waitkit.emulator.k8s import (
        JobPoint,
        JobScenario,
        KubernetesScenario,
        LogPoint,
        PodPoint,
        PodScenario,
    )
    from waitkit.k8s import api_client

    scenario = KubernetesScenario(
        jobs=[JobScenario(name="etl", timeline=[JobPoint(at=5, phase="complete")])],
        pods=[
            PodScenario(
                name="etl-x7k2p",
                job="etl",
                logs="loading 10000 rows\n",
                log_lines=[LogPoint(at=1, text="step 1 of 2"), LogPoint(at=2, text="step 2 of 2")],
                timeline=[PodPoint(at=0, phase="Running"), PodPoint(at=3, phase="Succeeded")],
            )
        ],
    )
    async with (
        Emulator(Scenario(clock="manual", kubernetes=scenario)) as emu,
        api_client(kubeconfig=emu.kubeconfig_path) as api,
    ):
        waiting = asyncio.create_task(follow(api))
        while not emu.kubernetes.logs.open:  # noqa: ASYNC110 - a counter: the log is followed
            await asyncio.sleep(0.01)
        while emu.clock.advance_to_next() is not None:  # every line, then the end
            pass
        await waiting


if __name__ == "__main__":
    asyncio.run(main())
