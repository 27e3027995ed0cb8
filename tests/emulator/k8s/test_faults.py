"""Injected faults, as kubernetes_asyncio sees them on the wire; and request counting."""

from __future__ import annotations

import asyncio
import json
import time

import aiohttp
import pytest
from kubernetes_asyncio.client import ApiException

from waitkit.emulator._faults import Fault
from waitkit.emulator.k8s import JobScenario, KubernetesScenario, PodPoint, PodScenario

pytestmark = pytest.mark.anyio

_SCENARIO = KubernetesScenario(jobs=[JobScenario(name="j")])


async def test_throttle_is_429_with_retry_after(start_cluster):
    """A throttle answers 429 TooManyRequests with Retry-After and details.retryAfterSeconds."""
    cluster = await start_cluster(
        _SCENARIO,
        faults=[
            Fault(kind="throttle", service="kubernetes", operation="get", count=1, retry_after=2)
        ],
    )
    with pytest.raises(ApiException) as caught:
        await cluster.batch.read_namespaced_job("j", "default")
    assert caught.value.status == 429
    assert caught.value.headers["Retry-After"] == "2"
    assert '"retryAfterSeconds":2' in caught.value.body
    assert (await cluster.batch.read_namespaced_job("j", "default")).metadata.name == "j"
    assert cluster.counters.faults["kubernetes", "get", "throttle"] == 1


async def test_error_is_status_object(start_cluster):
    """An error fault answers its HTTP status with a one-line Status of the matching reason."""
    cluster = await start_cluster(
        _SCENARIO, faults=[Fault(kind="error", operation="list", status=503)]
    )
    with pytest.raises(ApiException) as caught:
        await cluster.batch.list_namespaced_job("default")
    assert caught.value.status == 503
    assert '"reason":"ServiceUnavailable"' in caught.value.body
    assert caught.value.body.count("\n") == 1


async def test_drop_closes_connection(start_cluster):
    """A drop closes the connection unanswered (aiohttp retries an idempotent request once)."""
    cluster = await start_cluster(_SCENARIO, faults=[Fault(kind="drop", operation="get", count=2)])
    with pytest.raises(aiohttp.ServerDisconnectedError):
        await cluster.batch.read_namespaced_job("j", "default")
    assert cluster.counters.of("kubernetes", "get") == 2
    assert (await cluster.batch.read_namespaced_job("j", "default")).metadata.name == "j"


async def test_truncate_sends_short_body(start_cluster):
    """A truncate fault promises a full body and sends half of it."""
    cluster = await start_cluster(
        _SCENARIO, faults=[Fault(kind="truncate", operation="get", count=1)]
    )
    with pytest.raises(aiohttp.ClientError):
        await cluster.batch.read_namespaced_job("j", "default")


async def test_latency(start_cluster):
    """A latency fault delays the answer by its delay."""
    cluster = await start_cluster(
        _SCENARIO, faults=[Fault(kind="latency", operation="get", delay=0.1)]
    )
    start = time.monotonic()
    await cluster.batch.read_namespaced_job("j", "default")
    # A lower bound only (a busy machine makes it longer, never shorter): the delay is
    # the behaviour under test.
    assert time.monotonic() - start >= 0.1


async def test_cut_watch_after_events(start_cluster, events):
    """cut_watch ends the stream abruptly after n events (a broken stream, not a clean end)."""
    cluster = await start_cluster(
        KubernetesScenario(
            jobs=[JobScenario(name="a"), JobScenario(name="b"), JobScenario(name="c")]
        ),
        faults=[Fault(kind="cut_watch", operation="watch", after_events=2)],
    )
    response = await cluster.batch.list_namespaced_job(
        "default", watch=True, timeout_seconds=5, _preload_content=False
    )
    seen = []
    async with response:
        seen.extend(await events(response, 2))
        with pytest.raises(aiohttp.ClientPayloadError):
            await response.read()
    assert [e["object"]["metadata"]["name"] for e in seen] == ["a", "b"]
    assert cluster.counters.faults["kubernetes", "watch", "cut_watch"] == 1


async def test_gone_forces_410(start_cluster, events):
    """A gone fault answers a watch with one ERROR 410 event, whatever the version asked."""
    cluster = await start_cluster(
        _SCENARIO, faults=[Fault(kind="gone", operation="watch", count=1)]
    )
    response = await cluster.batch.list_namespaced_job(
        "default", watch=True, timeout_seconds=5, _preload_content=False
    )
    async with response:
        seen = await events(response)
    assert [(e["type"], e["object"]["code"]) for e in seen] == [("ERROR", 410)]


async def test_every_request_is_counted_by_verb(start_cluster):
    """Requests are counted per verb (service "kubernetes") and per (verb, resource)."""
    cluster = await start_cluster(_SCENARIO)
    await cluster.batch.read_namespaced_job("j", "default")
    await cluster.batch.list_namespaced_job("default")
    await cluster.core.list_namespaced_pod("default")
    assert cluster.counters.snapshot() == {"kubernetes:get": 1, "kubernetes:list": 2}
    assert cluster.backend.requests["list", "pods"] == 1


_LOGGED = KubernetesScenario(
    jobs=[JobScenario(name="j")],
    pods=[PodScenario(name="p", logs="a\nb\n", timeline=[PodPoint(after=0, phase="Running")])],
)


async def test_a_fault_may_name_a_verb_and_a_resource(start_cluster):
    """operation="list:pods" hits pod LISTs only; operation="list" would hit every LIST."""
    cluster = await start_cluster(
        _LOGGED, faults=[Fault(kind="error", operation="list:pods", status=503)]
    )
    assert len((await cluster.batch.list_namespaced_job("default")).items) == 1
    with pytest.raises(ApiException) as caught:
        await cluster.core.list_namespaced_pod("default")
    assert caught.value.status == 503
    assert cluster.counters.faults["kubernetes", "list", "error"] == 1


async def test_a_hung_log_gives_up_when_its_client_does(start_cluster):
    """A latency fault on pods/log holds the answer; the server gives up when the client does."""
    cluster = await start_cluster(
        _LOGGED, faults=[Fault(kind="latency", operation="log", delay=3600)]
    )
    with pytest.raises(asyncio.TimeoutError):
        await cluster.core.read_namespaced_pod_log("p", "default", _request_timeout=0.1)
    await cluster.settle(lambda: cluster.backend.requests["abandoned", "pods"] == 1)
    assert cluster.backend.requests["log", "pods"] == 1


async def test_forbidden_is_worded_as_rbac_words_it(start_cluster):
    """A 403 fault names the user, the verb, the resource (pods/log) and the namespace."""
    cluster = await start_cluster(
        _LOGGED, faults=[Fault(kind="error", operation="log", status=403, count=1)]
    )
    with pytest.raises(ApiException) as caught:
        await cluster.core.read_namespaced_pod_log("p", "default")
    status = json.loads(caught.value.body)
    assert (status["code"], status["reason"]) == (403, "Forbidden")
    assert status["message"] == (
        'pods "p" is forbidden: User "system:serviceaccount:default:waitkit" cannot get'
        ' resource "pods/log" in API group "" in the namespace "default"'
    )
    assert await cluster.core.read_namespaced_pod_log("p", "default") == "a\nb\n"


@pytest.mark.parametrize(
    ("operation", "message"),
    [
        (
            "list:jobs",
            (
                'jobs.batch is forbidden: User "system:serviceaccount:default:waitkit" cannot list'
                ' resource "jobs" in API group "batch" in the namespace "default"'
            ),
        ),
        (
            "watch",
            (
                'jobs.batch is forbidden: User "system:serviceaccount:default:waitkit" cannot'
                ' watch resource "jobs" in API group "batch" in the namespace "default"'
            ),
        ),
    ],
)
async def test_forbidden_lists_and_watches(start_cluster, operation, message):
    """A 403 on a LIST or a WATCH names the collection, as RBAC does."""
    cluster = await start_cluster(
        _LOGGED, faults=[Fault(kind="error", operation=operation, status=403)]
    )
    with pytest.raises(ApiException) as caught:
        await cluster.batch.list_namespaced_job("default", watch=operation == "watch")
    assert json.loads(caught.value.body)["message"] == message
