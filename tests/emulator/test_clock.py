"""Scenario time a test drives: the manual clock, advance() and advance_to_next(), end to end."""

from __future__ import annotations

import asyncio

import pytest
from kubernetes_asyncio.client import ApiClient, BatchV1Api, Configuration

from waitkit.emulator import Emulator, Fault, Scenario, ScenarioClock

pytestmark = pytest.mark.anyio

REFRESH = {
    "id": "r-1",
    "timeline": [
        {"at": 0, "status": "Pending"},
        {"at": 30, "status": "InProgress", "percentage_complete": 50},
        {"at": 90, "status": "Successful", "percentage_complete": 100},
    ],
}


def test_manual_clock_stands_still_until_advanced() -> None:
    """A manual clock reads 0 until advanced, and no real span passes it."""
    clock = ScenarioClock(mode="manual")
    assert clock.paused
    assert clock.now() == 0.0
    assert clock.real_seconds(5) is None  # time never passes by itself
    assert clock.advance(1.5) == 1.5
    clock.resume()  # no-op: a manual clock is not merely held
    assert clock.now() == 1.5
    clock.start()
    assert clock.now() == 0.0


def test_advance_refuses_to_go_backwards_or_to_infinity() -> None:
    """Time never runs backwards, and never jumps to an end it cannot come back from."""
    clock = ScenarioClock(mode="manual")
    for bad in (-1.0, float("inf"), float("nan")):
        with pytest.raises(ValueError, match="seconds must be >= 0 and finite"):
            clock.advance(bad)
    assert clock.now() == 0.0


def test_advance_to_next_lands_exactly_on_the_point() -> None:
    """From 0.2, a point at 0.9 is reached exactly (0.2 + 0.7 is a hair short of 0.9)."""
    clock = ScenarioClock(mode="manual")
    clock.advance(0.2)
    clock.add_due_source(lambda now: 0.9 if now < 0.9 else None)
    assert clock.advance_to_next() == 0.9
    assert clock.advance_to(0.5) == 0.9  # never backwards


def test_bad_mode_is_refused() -> None:
    """A mode that is not real or manual is a clear error."""
    with pytest.raises(ValueError, match="mode must be 'real' or 'manual'"):
        ScenarioClock(mode="virtual")  # type: ignore[arg-type]


def test_advance_moves_a_running_clock_forward_too() -> None:
    """advance() also jumps a real (here held) clock, which then runs on from there."""
    clock = ScenarioClock(speed=1)
    clock.pause()
    held = clock.now()
    assert clock.advance(100) == pytest.approx(held + 100)
    assert clock.real_seconds(10) is None  # held
    clock.resume()
    assert clock.now() >= held + 100
    assert clock.real_seconds(10) == 10


def test_advance_to_next_takes_the_soonest_point_of_any_source() -> None:
    """Each jump lands on the soonest due point of all sources, and listeners hear each."""
    clock = ScenarioClock(mode="manual")
    heard: list[float] = []
    clock.on_advance(lambda: heard.append(clock.now()))
    clock.add_due_source(lambda _now: None)
    clock.add_due_source(lambda now: next((t for t in (5.0, 20.0) if t > now), None))
    clock.add_due_source(lambda now: 12.0 if now < 12.0 else None)
    assert [clock.advance_to_next() for _ in range(4)] == [5.0, 12.0, 20.0, None]
    assert heard == [5.0, 12.0, 20.0]


async def test_a_refresh_moves_only_when_the_test_advances(aws_client) -> None:
    """Real aiobotocore over a socket: however slow the reads, the status waits for advance."""
    scenario = Scenario.from_data(
        {"clock": "manual", "autoscaling": {"groups": [{"name": "web", "refreshes": [REFRESH]}]}}
    )
    async with Emulator(scenario) as emu, aws_client(emu, "autoscaling") as client:

        async def status() -> str:
            """The refresh's status as the real client reads it."""
            answer = await client.describe_instance_refreshes(AutoScalingGroupName="web")
            return str(answer["InstanceRefreshes"][0]["Status"])

        assert await status() == "Pending"
        await asyncio.sleep(0.05)  # real time passing changes nothing
        assert await status() == "Pending"
        assert emu.clock.advance(29.9) == pytest.approx(29.9)
        assert await status() == "Pending"
        assert emu.clock.advance_to_next() == 30.0
        assert await status() == "InProgress"
        assert emu.clock.advance_to_next() == 90.0
        assert await status() == "Successful"
        assert emu.clock.advance_to_next() is None


async def test_advance_to_next_visits_every_service_and_fault_window() -> None:
    """Refreshes, late executions, late rows, Jobs and fault windows are all stops on the way."""
    scenario = Scenario.from_data(
        {
            "clock": "manual",
            "autoscaling": {"groups": [{"name": "web", "refreshes": [REFRESH]}]},
            "durable": {
                "functions": [
                    {
                        "name": "orders",
                        "executions": [
                            {"name": "late", "started": 7, "timeline": [{"at": 0}]},
                        ],
                    }
                ]
            },
            "logs": {
                "queries": [{"match": "x", "rows": [{"ingested_at": 45, "fields": {"m": "late"}}]}]
            },
            "kubernetes": {
                "jobs": [{"name": "etl", "timeline": [{"at": 60, "phase": "complete"}]}]
            },
            "faults": [{"kind": "error", "start": 3, "stop": 4}],
        }
    )
    async with Emulator(scenario) as emu:
        visited = []
        while (now := emu.clock.advance_to_next()) is not None:
            visited.append(now)
    assert visited == [3.0, 4.0, 7.0, 30.0, 45.0, 60.0, 90.0]


async def test_a_watch_hears_of_a_change_as_soon_as_time_is_advanced() -> None:
    """advance() re-renders the cluster at once: a watcher gets MODIFIED with no ticker delay."""
    scenario = Scenario.from_data(
        {
            "clock": "manual",
            "kubernetes": {
                "jobs": [{"name": "etl", "timeline": [{"at": 600, "phase": "complete"}]}]
            },
        }
    )
    async with Emulator(scenario) as emu:
        client = ApiClient(Configuration(host=emu.k8s_endpoint))
        try:
            batch = BatchV1Api(client)
            listed = await batch.list_namespaced_job("default")
            version = listed.metadata.resource_version
            assert listed.items[0].status.succeeded in (None, 0)
            emu.clock.advance(600)
            response = await batch.list_namespaced_job(
                "default",
                watch=True,
                resource_version=version,
                timeout_seconds=5,
                _preload_content=False,
            )
            line = await asyncio.wait_for(response.content.readline(), 5)
            response.release()
        finally:
            await client.close()
    assert b'"MODIFIED"' in line
    assert b'"succeeded":1' in line.replace(b" ", b"")


def test_scenario_file_names_the_clock_mode() -> None:
    """A scenario says its clock mode; real is the default; anything else is refused."""
    assert Scenario.from_data({"clock": "manual"}).clock == "manual"
    assert Scenario().clock == "real"
    with pytest.raises(ValueError, match="clock"):
        Scenario.from_data({"clock": "sometimes"})


def test_fault_windows_are_due_points() -> None:
    """A fault window's start and stop are points advance_to_next() stops at."""
    from waitkit.emulator import FaultInjector

    injector = FaultInjector([Fault(kind="error", start=2, stop=5), Fault(kind="drop")])
    assert injector.next_due(0) == 2
    assert injector.next_due(2) == 5
    assert injector.next_due(5) is None
