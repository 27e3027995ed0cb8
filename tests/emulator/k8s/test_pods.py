"""Pods: the failure signals a waiter should surface, and pod logs."""

from __future__ import annotations

import pytest
from kubernetes_asyncio.client import ApiException

from waitkit.emulator.k8s import ContainerState, KubernetesScenario, PodPoint, PodScenario

pytestmark = pytest.mark.anyio


def _pod(name: str, point: PodPoint, **kwargs) -> PodScenario:
    return PodScenario(name=name, timeline=[point.model_copy(update={"after": 0})], **kwargs)


async def test_container_failure_signals(start_cluster):
    """Waiting/terminated reasons land in containerStatuses; Unschedulable in PodScheduled."""
    cluster = await start_cluster(
        KubernetesScenario(
            pods=[
                _pod(
                    "pull",
                    PodPoint(
                        after=0,
                        containers=[ContainerState(waiting="ImagePullBackOff", message="back-off")],
                    ),
                ),
                _pod(
                    "config",
                    PodPoint(
                        after=0, containers=[ContainerState(waiting="CreateContainerConfigError")]
                    ),
                ),
                _pod(
                    "crash",
                    PodPoint(
                        after=0,
                        phase="Running",
                        containers=[
                            ContainerState(
                                waiting="CrashLoopBackOff", restart_count=3, last_terminated="Error"
                            )
                        ],
                    ),
                ),
                _pod(
                    "oom",
                    PodPoint(
                        after=0, phase="Failed", containers=[ContainerState(terminated="OOMKilled")]
                    ),
                ),
                _pod(
                    "stuck",
                    PodPoint(after=0, unschedulable="0/3 nodes are available: 3 Insufficient cpu."),
                ),
                _pod(
                    "evicted",
                    PodPoint(after=0, phase="Failed", reason="Evicted", message="low memory"),
                ),
            ]
        )
    )
    pods = {p.metadata.name: p for p in (await cluster.core.list_namespaced_pod("default")).items}
    pull = pods["pull"].status.container_statuses[0].state.waiting
    assert (pull.reason, pull.message) == ("ImagePullBackOff", "back-off")
    assert (
        pods["config"].status.container_statuses[0].state.waiting.reason
        == "CreateContainerConfigError"
    )
    crash = pods["crash"].status.container_statuses[0]
    assert (
        crash.state.waiting.reason,
        crash.restart_count,
        crash.last_state.terminated.reason,
    ) == (
        "CrashLoopBackOff",
        3,
        "Error",
    )
    oom = pods["oom"].status.container_statuses[0].state.terminated
    assert (oom.reason, oom.exit_code, pods["oom"].status.phase) == ("OOMKilled", 137, "Failed")
    scheduled = pods["stuck"].status.conditions[0]
    assert (scheduled.type, scheduled.status, scheduled.reason) == (
        "PodScheduled",
        "False",
        "Unschedulable",
    )
    assert "Insufficient cpu" in scheduled.message
    assert (pods["evicted"].status.reason, pods["evicted"].status.message) == (
        "Evicted",
        "low memory",
    )


async def test_job_pods_carry_job_labels(start_cluster):
    """A Job's pods carry the controller's labels and an ownerReference to the Job."""
    from waitkit.emulator.k8s import JobScenario

    cluster = await start_cluster(
        KubernetesScenario(
            jobs=[JobScenario(name="j")],
            pods=[PodScenario(name="j-1", job="j"), PodScenario(name="x")],
        )
    )
    pods = await cluster.core.list_namespaced_pod(
        "default", label_selector="batch.kubernetes.io/job-name=j"
    )
    assert [p.metadata.name for p in pods.items] == ["j-1"]
    owner = pods.items[0].metadata.owner_references[0]
    job = await cluster.batch.read_namespaced_job("j", "default")
    assert (owner.kind, owner.name, owner.uid) == ("Job", "j", job.metadata.uid)
    running = await cluster.core.list_pod_for_all_namespaces(field_selector="status.phase=Pending")
    assert len(running.items) == 2


async def test_logs(start_cluster):
    """Logs come back as text; tailLines, container and limitBytes are honoured."""
    cluster = await start_cluster(
        KubernetesScenario(
            pods=[
                PodScenario(
                    name="one", logs="a\nb\nc\n", timeline=[PodPoint(after=0, phase="Running")]
                ),
                PodScenario(
                    name="two",
                    containers=["app", "sidecar"],
                    logs={"app": "app log\n", "sidecar": "side log\n"},
                    timeline=[PodPoint(after=0, phase="Succeeded")],
                ),
            ]
        )
    )
    assert await cluster.core.read_namespaced_pod_log("one", "default") == "a\nb\nc\n"
    assert await cluster.core.read_namespaced_pod_log("one", "default", tail_lines=2) == "b\nc\n"
    assert await cluster.core.read_namespaced_pod_log("one", "default", limit_bytes=3) == "a\nb"
    assert (
        await cluster.core.read_namespaced_pod_log("two", "default", container="sidecar")
        == "side log\n"
    )
    with pytest.raises(ApiException) as caught:
        await cluster.core.read_namespaced_pod_log("two", "default")
    assert caught.value.status == 400
    assert (
        "a container name must be specified for pod two, choose one of: [app sidecar]"
        in caught.value.body
    )
    with pytest.raises(ApiException) as caught:
        await cluster.core.read_namespaced_pod_log("two", "default", container="nope")
    assert caught.value.status == 400
    with pytest.raises(ApiException) as caught:
        await cluster.core.read_namespaced_pod_log("ghost", "default")
    assert caught.value.status == 404


async def test_logs_of_waiting_container_is_400(start_cluster):
    """A container that has not started answers 400 'is waiting to start', as the kubelet does."""
    cluster = await start_cluster(
        KubernetesScenario(
            pods=[
                PodScenario(name="new"),
                _pod(
                    "pull", PodPoint(after=0, containers=[ContainerState(waiting="ErrImagePull")])
                ),
            ]
        )
    )
    with pytest.raises(ApiException) as caught:
        await cluster.core.read_namespaced_pod_log("new", "default")
    assert (
        'container \\"main\\" in pod \\"new\\" is waiting to start: ContainerCreating'
        in caught.value.body
    )
    with pytest.raises(ApiException) as caught:
        await cluster.core.read_namespaced_pod_log("pull", "default")
    assert "trying and failing to pull image" in caught.value.body


_LONG = "".join(f"{i:04d} " + "x" * 2043 + "\n" for i in range(400)) + "last\n"


async def test_long_log_lines_tail_then_limit_as_the_kubelet_does(start_cluster):
    """The last lines first (tailLines), then limitBytes keeps the *start* of that tail."""
    cluster = await start_cluster(
        KubernetesScenario(
            pods=[_pod("long", PodPoint(after=0, phase="Failed"), logs=_LONG)],
        )
    )
    read = cluster.core.read_namespaced_pod_log
    tail = await read("long", "default", tail_lines=20)
    assert tail.splitlines()[0].startswith("0381 ")
    assert tail.endswith("x\nlast\n")
    limited = await read("long", "default", tail_lines=20, limit_bytes=16 * 1024)
    assert len(limited.encode()) == 16 * 1024
    assert limited.startswith("0381 ")
    assert "last" not in limited  # the end of the tail is what the limit drops


async def test_log_lines_end_at_newlines_only(start_cluster):
    """A carriage return (a progress bar) does not end a line; a final line may lack its newline."""
    cluster = await start_cluster(
        KubernetesScenario(
            pods=[
                _pod("bar", PodPoint(after=0, phase="Running"), logs="a\n10%\r90%\nb\nend"),
                _pod("one", PodPoint(after=0, phase="Running"), logs="\n"),
            ]
        )
    )
    read = cluster.core.read_namespaced_pod_log
    assert await read("bar", "default", tail_lines=3) == "10%\r90%\nb\nend"
    assert await read("bar", "default", tail_lines=0) == ""
    assert await read("one", "default", tail_lines=5) == "\n"
