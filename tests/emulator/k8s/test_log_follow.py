"""pods/log as the kubelet serves it: followed on the timeline, timestamps, since, tail, limit."""

from __future__ import annotations

from datetime import UTC, datetime

import aiohttp
import pytest

from waitkit.emulator._faults import Fault
from waitkit.emulator.k8s import (
    ContainerState,
    KubernetesScenario,
    LogPoint,
    PodPoint,
    PodScenario,
)
from waitkit.emulator.k8s._logs import rfc3339_nano

pytestmark = pytest.mark.anyio

_POD = PodScenario(
    name="p",
    logs="start\n",
    log_lines=[LogPoint(at=1, text="a\nb"), LogPoint(at=2.5, text="c")],
    timeline=[
        PodPoint(at=0, phase="Running"),
        PodPoint(at=4, phase="Failed", containers=[ContainerState(terminated="Error")]),
    ],
)


def _scenario() -> KubernetesScenario:
    return KubernetesScenario(pods=[_POD])


async def _get(cluster, **query: str) -> tuple[int, str]:
    async with aiohttp.ClientSession() as session:
        url = f"{cluster.url}/api/v1/namespaces/default/pods/p/log"
        async with session.get(url, params=query) as response:
            return response.status, await response.text()


async def test_follow_streams_each_line_when_scenario_time_reaches_it(start_cluster):
    """Lines written so far, then each as its point is reached; the end when the container ends."""
    cluster = await start_cluster(_scenario(), clock="manual")
    async with aiohttp.ClientSession() as session:
        url = f"{cluster.url}/api/v1/namespaces/default/pods/p/log"
        async with session.get(url, params={"follow": "true"}) as response:
            assert response.headers["Content-Type"].startswith("text/plain")
            assert await response.content.readline() == b"start\n"
            assert cluster.backend.logs.open == 1
            cluster.advance(1)
            assert [await response.content.readline() for _ in range(2)] == [b"a\n", b"b\n"]
            cluster.advance(1)
            assert await response.content.readline() == b"c\n"
            cluster.advance(1)  # the container fails: the stream ends
            assert await response.content.read() == b""
    await cluster.settle(lambda: cluster.backend.logs.open == 0)
    assert cluster.backend.logs.opened == 1


async def test_timestamps_since_tail_and_limit_as_the_kubelet_applies_them(start_cluster):
    """RFC3339Nano prefixes; tailLines, then sinceTime (whole seconds), then limitBytes."""
    cluster = await start_cluster(_scenario(), clock="manual")
    cluster.advance(2)  # t = 2.5: every line written
    status, text = await _get(cluster, timestamps="true")
    assert status == 200
    stamped = [line.split(" ", 1) for line in text.splitlines()]
    assert [line for _, line in stamped] == ["start", "a", "b", "c"]
    times = [datetime.fromisoformat(stamp[:19] + "+00:00") for stamp, _ in stamped]
    assert times == sorted(times)
    assert all(stamp.endswith("Z") for stamp, _ in stamped)
    assert (await _get(cluster, tailLines="2"))[1] == "b\nc\n"
    # sinceTime in whole seconds: the second of "c" (2.5 s after "start") keeps "c" only.
    since = stamped[3][0][:19] + "Z"
    assert (await _get(cluster, sinceTime=since))[1] == "c\n"
    assert (await _get(cluster, tailLines="3", sinceTime=since))[1] == "c\n"
    assert (await _get(cluster, limitBytes="4"))[1] == "star"
    status, text = await _get(cluster, timestamps="true", limitBytes="10")
    assert text == stamped[0][0][:10]  # the limit counts the timestamps' bytes


async def test_follow_with_tail_starts_at_the_tail(start_cluster):
    """Follow with tailLines=1 sends the last line written, then what follows."""
    cluster = await start_cluster(_scenario(), clock="manual")
    cluster.advance(1)
    async with aiohttp.ClientSession() as session:
        url = f"{cluster.url}/api/v1/namespaces/default/pods/p/log"
        async with session.get(url, params={"follow": "true", "tailLines": "1"}) as response:
            assert await response.content.readline() == b"b\n"
            cluster.advance()
            assert await response.content.read() == b"c\n"


async def test_bad_log_options_are_refused_as_the_api_does(start_cluster):
    """Not an integer: 400; sinceTime and sinceSeconds together: 422; a bad time: 400."""
    cluster = await start_cluster(_scenario(), clock="manual")
    assert (await _get(cluster, tailLines="x"))[0] == 400
    assert (await _get(cluster, limitBytes="0"))[0] == 400
    assert (await _get(cluster, sinceTime="yesterday"))[0] == 400
    now = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    assert (await _get(cluster, sinceTime=now, sinceSeconds="5"))[0] == 422
    status, text = await _get(cluster, sinceSeconds="3600")
    assert (status, text) == (200, "start\n")


async def test_a_cut_fault_breaks_a_followed_stream(start_cluster):
    """cut_watch on log: the stream is aborted after that many lines (no clean end)."""
    fault = Fault(kind="cut_watch", operation="log", after_events=1)
    cluster = await start_cluster(_scenario(), clock="manual", faults=[fault])
    cluster.advance(1)
    async with aiohttp.ClientSession() as session:
        url = f"{cluster.url}/api/v1/namespaces/default/pods/p/log"
        async with session.get(url, params={"follow": "true"}) as response:
            assert await response.content.readline() == b"start\n"
            with pytest.raises(aiohttp.ClientPayloadError):
                await response.content.read()


def test_go_rfc3339_nano_trims_trailing_zeros() -> None:
    """As Go prints it: nanoseconds without trailing zeros, no fraction when it is zero."""
    assert rfc3339_nano(1_500_000_000) == "1970-01-01T00:00:01.5Z"
    assert rfc3339_nano(1_000_000_001) == "1970-01-01T00:00:01.000000001Z"
    assert rfc3339_nano(2_000_000_000) == "1970-01-01T00:00:02Z"


def test_a_log_line_for_an_unknown_container_is_refused() -> None:
    """A scenario cannot script lines for a container the pod does not have."""
    with pytest.raises(ValueError, match="not one of"):
        PodScenario(name="p", log_lines=[LogPoint(at=1, text="x", container="nope")])
