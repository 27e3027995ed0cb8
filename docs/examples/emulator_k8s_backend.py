"""The Kubernetes backend on its own: serve its aiohttp app, read its kubeconfig, close it."""

from __future__ import annotations

import asyncio

from aiohttp import ClientSession, web

from waitkit.emulator.k8s import KubernetesScenario

scenario = KubernetesScenario(namespaces=["default"])


async def main() -> None:
    """Build the backend, serve it on a free port, ask it its version, close it."""
    # docs-start backend
    from waitkit.emulator import FaultInjector, RequestCounters, ScenarioClock
    from waitkit.emulator.k8s import KubernetesBackend

    backend = KubernetesBackend(
        scenario, clock=ScenarioClock(speed=10), faults=FaultInjector(), counters=RequestCounters()
    )
    # backend.app is an aiohttp Application serving the API at "/".
    # backend.kubeconfig("http://127.0.0.1:PORT") is kubeconfig YAML text.
    # await backend.aclose() ends every open watch cleanly, then stop the server.
    # docs-end backend
    runner = web.AppRunner(backend.app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    try:
        port = runner.addresses[0][1]
        print(backend.kubeconfig(f"http://127.0.0.1:{port}").splitlines()[0])
        async with ClientSession() as http, http.get(f"http://127.0.0.1:{port}/version") as answer:
            print(answer.status, (await answer.json())["gitVersion"])
        await backend.aclose()
    finally:
        await runner.cleanup()


if __name__ == "__main__":
    asyncio.run(main())
