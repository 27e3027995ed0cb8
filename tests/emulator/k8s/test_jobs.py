"""Jobs over the real kubernetes_asyncio client: get, list, create, delete, selectors, timelines."""

from __future__ import annotations

import asyncio

import pytest
from kubernetes_asyncio.client import ApiException

from waitkit.emulator.k8s import JobPoint, JobScenario, KubernetesScenario, PodScenario

pytestmark = pytest.mark.anyio


def _conditions(job) -> list[tuple[str, str, str]]:
    return [(c.type, c.status, c.reason) for c in job.status.conditions or []]


async def test_get_and_list_jobs(start_cluster):
    """A scripted Job reads back with the controller's labels, selector and running status."""
    cluster = await start_cluster(
        KubernetesScenario(jobs=[JobScenario(name="a"), JobScenario(name="b")])
    )
    job = await cluster.batch.read_namespaced_job("a", "default")
    assert job.metadata.name == "a"
    assert job.metadata.labels["batch.kubernetes.io/job-name"] == "a"
    assert job.spec.selector.match_labels == {
        "batch.kubernetes.io/controller-uid": job.metadata.uid
    }
    assert (job.status.active, job.status.ready, job.status.succeeded) == (1, 1, None)
    listed = await cluster.batch.list_namespaced_job("default")
    assert [j.metadata.name for j in listed.items] == ["a", "b"]
    assert int(listed.metadata.resource_version) >= int(job.metadata.resource_version)
    everywhere = await cluster.batch.list_job_for_all_namespaces()
    assert len(everywhere.items) == 2


async def test_missing_job_is_404_status(cluster):
    """A missing Job is a 404 NotFound Status worded like the API server's."""
    with pytest.raises(ApiException) as caught:
        await cluster.batch.read_namespaced_job("nope", "default")
    assert caught.value.status == 404
    assert '"reason":"NotFound"' in caught.value.body
    assert (
        'jobs.batch \\"nope\\" not found' in caught.value.body
        or 'jobs.batch "nope"' in caught.value.body
    )


async def test_selectors(start_cluster):
    """Label selectors (equality, set) and metadata.name field selectors filter; others are 400."""
    cluster = await start_cluster(
        KubernetesScenario(
            jobs=[
                JobScenario(name="a", labels={"team": "x"}),
                JobScenario(name="b", labels={"team": "y"}),
                JobScenario(name="c"),
            ]
        )
    )

    async def names(**kwargs) -> list[str]:
        result = await cluster.batch.list_namespaced_job("default", **kwargs)
        return [j.metadata.name for j in result.items]

    assert await names(label_selector="team=x") == ["a"]
    assert await names(label_selector="team!=x") == ["b", "c"]
    assert await names(label_selector="team in (x,y)") == ["a", "b"]
    assert await names(label_selector="!team") == ["c"]
    assert await names(label_selector="team") == ["a", "b"]
    assert await names(field_selector="metadata.name=b") == ["b"]
    assert await names(field_selector="metadata.name!=b,metadata.namespace=default") == ["a", "c"]
    with pytest.raises(ApiException) as caught:
        await names(field_selector="spec.bogus=1")
    assert caught.value.status == 400


async def test_create_and_delete(cluster):
    """POST creates a Job (409 if it exists); DELETE removes it and, with Background, its pods."""
    manifest = {
        "apiVersion": "batch/v1",
        "kind": "Job",
        "metadata": {"name": "made", "labels": {"app": "demo"}},
        "spec": {"template": {"spec": {"containers": [{"name": "main", "image": "alpine"}]}}},
    }
    created = await cluster.batch.create_namespaced_job("default", manifest)
    assert created.metadata.labels["app"] == "demo"
    assert created.spec.template.spec.containers[0].image == "alpine"
    with pytest.raises(ApiException) as caught:
        await cluster.batch.create_namespaced_job("default", manifest)
    assert caught.value.status == 409
    cluster.backend.create_pod(PodScenario(name="made-x", job="made"))
    await cluster.batch.delete_namespaced_job("made", "default", propagation_policy="Background")
    assert (await cluster.batch.list_namespaced_job("default")).items == []
    assert (await cluster.core.list_namespaced_pod("default")).items == []
    with pytest.raises(ApiException) as caught:
        await cluster.batch.delete_namespaced_job("made", "default")
    assert caught.value.status == 404


async def test_create_in_missing_namespace_is_404(cluster):
    """Creating in a namespace that does not exist is 404, as on a real server."""
    manifest = {"metadata": {"name": "x"}, "spec": {"template": {"spec": {"containers": []}}}}
    with pytest.raises(ApiException) as caught:
        await cluster.batch.create_namespaced_job("elsewhere", manifest)
    assert caught.value.status == 404


async def test_timeline_at_success_path(start_cluster):
    """SuccessCriteriaMet comes before Complete; completionTime appears only with Complete."""
    cluster = await start_cluster(
        KubernetesScenario(
            jobs=[
                JobScenario(
                    name="etl",
                    timeline=[
                        JobPoint(at=0.1, phase="succeeding"),
                        JobPoint(at=0.2, phase="complete"),
                    ],
                )
            ]
        ),
        clock="manual",
    )
    first = await cluster.batch.read_namespaced_job("etl", "default")
    assert _conditions(first) == []
    cluster.advance(1)
    middle = await cluster.batch.read_namespaced_job("etl", "default")
    assert _conditions(middle) == [("SuccessCriteriaMet", "True", "CompletionsReached")]
    assert middle.status.completion_time is None
    cluster.advance(1)
    done = await cluster.batch.read_namespaced_job("etl", "default")
    assert _conditions(done) == [
        ("SuccessCriteriaMet", "True", "CompletionsReached"),
        ("Complete", "True", "CompletionsReached"),
    ]
    assert done.status.completion_time is not None
    assert (
        done.status.active,
        done.status.ready,
        done.status.terminating,
        done.status.succeeded,
    ) == (
        None,
        0,
        0,
        1,
    )
    assert int(done.metadata.resource_version) > int(middle.metadata.resource_version)


async def test_timeline_after_observations_failure(start_cluster):
    """An ``after=2`` point shows on the third read; Failed repeats FailureTarget's reason."""
    cluster = await start_cluster(
        KubernetesScenario(
            jobs=[
                JobScenario(
                    name="etl",
                    timeline=[
                        JobPoint(after=1, phase="failing", reason="DeadlineExceeded"),
                        JobPoint(after=2, phase="failed", reason="DeadlineExceeded"),
                    ],
                )
            ]
        )
    )
    reads = [await cluster.batch.read_namespaced_job("etl", "default") for _ in range(3)]
    assert [_conditions(j) for j in reads] == [
        [],
        [("FailureTarget", "True", "DeadlineExceeded")],
        [("FailureTarget", "True", "DeadlineExceeded"), ("Failed", "True", "DeadlineExceeded")],
    ]
    failed = reads[2].status.conditions[1]
    assert failed.message == "Job was active longer than specified deadline"
    assert reads[2].status.completion_time is None
    assert reads[2].status.failed == 7  # backoffLimit 6 + 1


async def test_speed_scales_scenario_time(start_cluster):
    """At speed 10, a point at 1 scenario second is reached after 0.1 real seconds."""
    cluster = await start_cluster(
        KubernetesScenario(
            jobs=[JobScenario(name="j", timeline=[JobPoint(at=1.0, phase="complete")])]
        ),
        speed=10,
    )
    await asyncio.sleep(0.15)
    job = await cluster.batch.read_namespaced_job("j", "default")
    assert ("Complete", "True", "CompletionsReached") in _conditions(job)


async def test_suspended_and_resumed(start_cluster):
    """A suspended Job has Suspended=True, no startTime; resuming flips it to JobResumed."""
    cluster = await start_cluster(KubernetesScenario(jobs=[JobScenario(name="s", suspend=True)]))
    job = await cluster.batch.read_namespaced_job("s", "default")
    assert _conditions(job) == [("Suspended", "True", "JobSuspended")]
    assert job.spec.suspend is True
    assert job.status.start_time is None
    cluster.backend.set_job_phase("s", "running")
    job = await cluster.batch.read_namespaced_job("s", "default")
    assert _conditions(job) == [("Suspended", "False", "JobResumed")]
    assert job.status.start_time is not None
    assert job.metadata.generation == 2


async def test_run_time_controls(cluster):
    """create_job / set_job_phase / delete_job change what clients read, at once."""
    cluster.backend.create_job(JobScenario(name="late"))
    cluster.backend.set_job_phase("late", "failed", reason="PodFailurePolicy", message="exit 42")
    job = await cluster.batch.read_namespaced_job("late", "default")
    assert [(c.type, c.reason, c.message) for c in job.status.conditions] == [
        ("FailureTarget", "PodFailurePolicy", "exit 42"),
        ("Failed", "PodFailurePolicy", "exit 42"),
    ]
    cluster.backend.delete_job("late")
    with pytest.raises(ApiException):
        await cluster.batch.read_namespaced_job("late", "default")


async def test_timeline_in_annotation(cluster):
    """A Job created through the API follows the timeline in its annotation."""
    manifest = {
        "metadata": {
            "name": "annotated",
            "annotations": {"emulator.waitkit.dev/timeline": '[{"after": 0, "phase": "complete"}]'},
        },
        "spec": {"template": {"spec": {"containers": [{"name": "main", "image": "alpine"}]}}},
    }
    created = await cluster.batch.create_namespaced_job("default", manifest)
    assert _conditions(created)[-1] == ("Complete", "True", "CompletionsReached")


async def test_kubeconfig_loads_in_kubernetes_asyncio(cluster):
    """The generated kubeconfig works with kubernetes_asyncio's own loader."""
    from kubernetes_asyncio import config
    from kubernetes_asyncio.client import BatchV1Api

    client = await config.new_client_from_config(config_file=str(cluster.kubeconfig))
    async with client:
        jobs = await BatchV1Api(client).list_namespaced_job("default")
    assert jobs.items == []
    assert cluster.counters.of("kubernetes", "list") == 1


async def test_no_op_update_keeps_version(start_cluster):
    """Setting a Job to the state it is already in leaves every resourceVersion alone."""
    cluster = await start_cluster(KubernetesScenario(jobs=[JobScenario(name="j")]))
    before = cluster.backend.resource_version
    cluster.backend.set_job_phase("j", "running")
    assert cluster.backend.resource_version == before
    cluster.backend.set_job_phase("j", "complete")
    assert cluster.backend.resource_version == before + 1
