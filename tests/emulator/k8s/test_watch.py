"""Watch semantics over real sockets: start points, order, 410, bookmarks, timeouts, close."""

from __future__ import annotations

import pytest
from kubernetes_asyncio import watch
from kubernetes_asyncio.client import ApiException

from waitkit.emulator.k8s import JobPoint, JobScenario, KubernetesScenario

pytestmark = pytest.mark.anyio


async def _watch(cluster, **kwargs):
    return await cluster.batch.list_namespaced_job(
        "default", watch=True, _preload_content=False, **kwargs
    )


async def test_without_version_sends_synthetic_added(start_cluster, events):
    """No resourceVersion (or "0"): an ADDED per object, then a clean end at timeoutSeconds."""
    cluster = await start_cluster(
        KubernetesScenario(jobs=[JobScenario(name="a"), JobScenario(name="b")])
    )
    for version in (None, "0"):
        kwargs = {"resource_version": version} if version else {}
        response = await _watch(cluster, timeout_seconds=0.1, **kwargs)
        async with response:
            seen = await events(response)  # to the end of the stream: a cut would raise
            assert response.content.at_eof()
        assert [(e["type"], e["object"]["metadata"]["name"]) for e in seen] == [
            ("ADDED", "a"),
            ("ADDED", "b"),
        ]


async def test_from_list_version_sees_only_later_changes_in_order(start_cluster, events):
    """Watching from a list's version replays nothing old and delivers changes in order."""
    cluster = await start_cluster(
        KubernetesScenario(jobs=[JobScenario(name="etl")]), clock="manual"
    )
    listed = await cluster.batch.list_namespaced_job("default")
    response = await _watch(
        cluster, resource_version=listed.metadata.resource_version, timeout_seconds=5
    )
    cluster.backend.set_job_timeline(
        "etl", [JobPoint(at=0.05, phase="succeeding"), JobPoint(at=0.1, phase="complete")]
    )
    cluster.advance(1)
    cluster.advance(1)
    async with response:
        seen = await events(response, 2)
    assert [e["type"] for e in seen] == ["MODIFIED", "MODIFIED"]
    versions = [int(e["object"]["metadata"]["resourceVersion"]) for e in seen]
    assert int(listed.metadata.resource_version) < versions[0] < versions[1]
    assert [c["type"] for c in seen[1]["object"]["status"]["conditions"]] == [
        "SuccessCriteriaMet",
        "Complete",
    ]


async def test_resume_replays_history(cluster, events):
    """A watch from an older (kept) version replays every change after it, then goes live."""
    base = cluster.backend.resource_version
    cluster.backend.create_job(JobScenario(name="one"))
    cluster.backend.set_job_phase("one", "complete")
    cluster.backend.delete_job("one")
    response = await _watch(cluster, resource_version=str(base), timeout_seconds=5)
    async with response:
        replayed = await events(response, 3)
        cluster.backend.create_job(JobScenario(name="two"))
        live = await events(response, 1)
    assert [e["type"] for e in replayed] == ["ADDED", "MODIFIED", "DELETED"]
    assert live[0]["type"] == "ADDED"
    assert live[0]["object"]["metadata"]["name"] == "two"


async def test_too_old_version_is_410_error_event(start_cluster, events):
    """A version older than the kept history: HTTP 200, one ERROR event, 410 Expired."""
    cluster = await start_cluster(KubernetesScenario(history=2))
    base = cluster.backend.resource_version
    for name in ("a", "b", "c"):
        cluster.backend.create_job(JobScenario(name=name))
    response = await _watch(cluster, resource_version=str(base), timeout_seconds=5)
    assert response.status == 200
    async with response:
        seen = await events(response)
    assert len(seen) == 1
    assert seen[0]["type"] == "ERROR"
    status = seen[0]["object"]
    assert (status["kind"], status["code"], status["reason"]) == ("Status", 410, "Expired")
    assert status["message"].startswith(f"too old resource version: {base}")


async def test_compact_history_forces_410_through_watch_helper(cluster):
    """kubernetes_asyncio's Watch turns the 410 ERROR into ApiException(410)."""
    base = cluster.backend.resource_version
    cluster.backend.create_job(JobScenario(name="a"))
    cluster.backend.compact_history()
    async with watch.Watch() as w:
        with pytest.raises(ApiException) as caught:
            async for _ in w.stream(
                cluster.batch.list_namespaced_job,
                "default",
                resource_version=str(base),
                timeout_seconds=2,
            ):
                pass
    assert caught.value.status == 410


async def test_future_version_is_504_error_event(cluster, events):
    """A version newer than the cluster's is an ERROR event with a 504 Timeout Status."""
    response = await _watch(cluster, resource_version="999999", timeout_seconds=5)
    async with response:
        seen = await events(response)
    assert seen[0]["object"]["code"] == 504
    assert "Too large resource version" in seen[0]["object"]["message"]


async def test_bookmarks(start_cluster, events):
    """allowWatchBookmarks=true brings BOOKMARK events carrying only the current resourceVersion."""
    cluster = await start_cluster(KubernetesScenario(bookmark_interval=0.05))
    rv = str(cluster.backend.resource_version)
    response = await _watch(
        cluster, resource_version=rv, allow_watch_bookmarks=True, timeout_seconds=5
    )
    async with response:
        seen = await events(response, 2)
    assert [e["type"] for e in seen] == ["BOOKMARK", "BOOKMARK"]
    assert seen[0]["object"] == {
        "kind": "Job",
        "apiVersion": "batch/v1",
        "metadata": {"resourceVersion": rv},
    }
    no_bookmarks = await _watch(cluster, resource_version=rv, timeout_seconds=0.2)
    async with no_bookmarks:
        assert await events(no_bookmarks) == []


async def test_watch_helper_takes_bookmark_versions(start_cluster):
    """kubernetes_asyncio's Watch parses bookmarks and ends cleanly when timeoutSeconds runs out."""
    cluster = await start_cluster(
        KubernetesScenario(
            # after=1: reached once the watch's own ADDED was seen, whatever the machine's speed.
            jobs=[JobScenario(name="j", timeline=[JobPoint(after=1, phase="complete")])],
            bookmark_interval=0.05,
        )
    )
    kinds = []
    async with watch.Watch() as w:
        stream = w.stream(
            cluster.batch.list_namespaced_job,
            "default",
            allow_watch_bookmarks=True,
            timeout_seconds=0.3,
        )
        kinds.extend([event["type"] async for event in stream])
        assert w.resource_version == str(cluster.backend.resource_version)
    assert kinds[:2] == ["ADDED", "MODIFIED"]
    assert "BOOKMARK" in kinds


async def test_field_selector_watch_and_deleted(cluster, events):
    """A metadata.name watch sees only that Job, including its DELETED event (last state)."""
    cluster.backend.create_job(JobScenario(name="mine"))
    cluster.backend.create_job(JobScenario(name="other"))
    response = await _watch(cluster, field_selector="metadata.name=mine", timeout_seconds=5)
    async with response:
        initial = await events(response, 1)
        cluster.backend.set_job_phase("other", "complete")
        cluster.backend.delete_job("mine")
        rest = await events(response, 1)
    assert initial[0]["object"]["metadata"]["name"] == "mine"
    assert rest[0]["type"] == "DELETED"
    assert rest[0]["object"]["metadata"]["name"] == "mine"


async def test_label_selector_leaving_set_is_deleted(cluster, events):
    """An object that stops matching a label selector leaves a filtered watch as DELETED."""
    cluster.backend.create_job(JobScenario(name="j", labels={"tier": "a"}))
    rv = str(cluster.backend.resource_version)
    response = await _watch(
        cluster, label_selector="tier=a", resource_version=rv, timeout_seconds=5
    )
    async with response:
        cluster.backend.delete_job("j")
        cluster.backend.create_job(JobScenario(name="j", labels={"tier": "b"}))
        cluster.backend.create_job(JobScenario(name="k", labels={"tier": "a"}))
        seen = await events(response, 2)
    assert [(e["type"], e["object"]["metadata"]["name"]) for e in seen] == [
        ("DELETED", "j"),
        ("ADDED", "k"),
    ]


async def test_timeline_drives_watch_without_reads(start_cluster, events):
    """The ticker emits MODIFIED when an ``at`` point falls due, with no client polling."""
    cluster = await start_cluster(KubernetesScenario(jobs=[JobScenario(name="j")]))
    response = await _watch(cluster, timeout_seconds=5)
    async with response:
        seen = await events(response, 1)
        # Scripted once the watch is open (at counts from now), so it cannot come too early.
        cluster.backend.set_job_timeline("j", [JobPoint(at=0.1, phase="failed")])
        seen += await events(response, 1)
    assert seen[0]["type"] == "ADDED"
    assert seen[1]["type"] == "MODIFIED"
    assert seen[1]["object"]["status"]["conditions"][-1]["type"] == "Failed"
    assert cluster.counters.of("kubernetes") == 1  # the watch itself: nobody polled


async def test_send_initial_events_requires_match(cluster, events):
    """Initial events need resourceVersionMatch (else 422) and end with a marked bookmark."""
    refused = await cluster.batch.list_namespaced_job(
        "default", watch=True, send_initial_events=True, _preload_content=False
    )
    async with refused:
        assert refused.status == 422
        assert (await refused.json())["reason"] == "Invalid"
    cluster.backend.create_job(JobScenario(name="a"))
    response = await _watch(
        cluster,
        send_initial_events=True,
        resource_version_match="NotOlderThan",
        allow_watch_bookmarks=True,
        timeout_seconds=5,
    )
    async with response:
        seen = await events(response, 2)
    assert seen[0]["type"] == "ADDED"
    assert seen[1]["type"] == "BOOKMARK"
    assert seen[1]["object"]["metadata"]["annotations"] == {"k8s.io/initial-events-end": "true"}


async def test_aclose_ends_open_watches_and_counts(cluster, events):
    """Aclose ends open streams promptly and cleanly; watch counters go up and back down."""
    response = await _watch(cluster, timeout_seconds=60)
    async with response:
        assert cluster.counters.watches_open == 1  # counted before the headers went out
        await cluster.backend.aclose()
        assert await events(response) == []  # ended at once and cleanly, not at 60 s
        assert response.content.at_eof()
    assert cluster.counters.watches_open == 0
    assert cluster.counters.watches_opened == 1
    assert cluster.backend.requests["watch", "jobs"] == 1
    assert cluster.counters.of("kubernetes", "watch") == 1


async def test_client_hangup_closes_stream(cluster):
    """A client that goes away is noticed: the stream counts as closed with no event sent."""
    response = await _watch(cluster, timeout_seconds=60)
    assert cluster.counters.watches_open == 1
    response.close()
    await cluster.settle(lambda: cluster.counters.watches_open == 0)
    assert cluster.counters.watches_opened == 1
