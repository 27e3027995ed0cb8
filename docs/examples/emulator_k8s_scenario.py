"""A Kubernetes scenario for the emulator, and two Job waits that follow it."""

from __future__ import annotations

import asyncio

# docs-start scenario
from waitkit.emulator.k8s import (
    ContainerState,
    JobPoint,
    JobScenario,
    KubernetesScenario,
    PodPoint,
    PodScenario,
)

scenario = KubernetesScenario(
    namespaces=["default", "batch"],
    jobs=[
        JobScenario(
            name="etl",
            timeline=[
                JobPoint(at=5, phase="succeeding"),  # SuccessCriteriaMet=True
                JobPoint(at=7, phase="complete"),  # ... then Complete=True
            ],
        ),
        JobScenario(
            name="flaky",
            backoff_limit=2,
            timeline=[
                JobPoint(after=3, phase="failing", reason="BackoffLimitExceeded"),
                JobPoint(after=4, phase="failed", reason="BackoffLimitExceeded"),
            ],
        ),
    ],
    pods=[
        PodScenario(
            name="etl-x7k2p",
            job="etl",  # labels + ownerReference of the Job
            logs="starting\ndone\n",  # or {"container": "text", ...}
            timeline=[
                PodPoint(at=0, containers=[ContainerState(waiting="ImagePullBackOff")]),
                PodPoint(at=2, phase="Running"),
                PodPoint(at=5, phase="Succeeded"),
            ],
        ),
    ],
)
# docs-end scenario


async def main() -> None:
    """Play the scenario on a manual clock: etl completes, flaky fails."""
    from waitkit import Policy, WaitFailedError
    from waitkit.emulator import Emulator, Scenario
    from waitkit.k8s import JobWaiter, WatchOptions, api_client

    fast = Policy(min_delay=0.05, max_delay=0.2, timeout=10)
    async with (
        Emulator(Scenario(clock="manual", kubernetes=scenario)) as emu,
        api_client(kubeconfig=emu.kubeconfig_path) as api,
    ):
        # Scenario time stands still until moved, so the wait sees each of etl's points
        # in turn, however busy the machine: move 5 s (to its first point), then 2 s more.
        steps = iter([5.0, 2.0])
        phases: list[str] = []
        async for state in JobWaiter(api, "etl", policy=fast).states():
            phases.append(state.phase.value)
            emu.clock.advance(next(steps, 0.0))
        print("etl:", phases[-1], phases)
        # "after" points count reads; events on an open watch are not reads, so poll flaky.
        polling = WatchOptions(watch=False, poll_interval=0.05)
        try:
            await JobWaiter(api, "flaky", policy=fast, watch=polling).wait()
        except WaitFailedError as error:
            print("flaky:", error.reason.splitlines()[0])


if __name__ == "__main__":
    asyncio.run(main())
