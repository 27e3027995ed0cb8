"""The Kubernetes scenario format: namespaces, Jobs and Pods with scripted timelines.

A Job's timeline says which *phase* of its life it is in (``running``,
``succeeding``, ``complete``, ``failing``, ``failed``, ``suspended``); the backend
turns each phase into the status the 1.31+ Job controller writes (counters,
``SuccessCriteriaMet`` before ``Complete``, ``FailureTarget`` before ``Failed``,
``completionTime`` only on success). A Pod's timeline says its phase and the
waiting/terminated reasons of its containers.
"""

from __future__ import annotations

from typing import Literal, Self

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from waitkit.emulator._timeline import TimelinePoint

ScriptedJobPhase = Literal[
    "pending", "running", "succeeding", "complete", "failing", "failed", "suspended"
]
"""Where a Job is in its life.

- ``pending``: created, no pod active yet.
- ``running``: pods active.
- ``succeeding``: ``SuccessCriteriaMet=True``, pods still terminating (1.31+ delay).
- ``complete``: ``SuccessCriteriaMet`` and ``Complete`` true, ``completionTime`` set.
- ``failing``: ``FailureTarget=True`` (with reason), pods still terminating.
- ``failed``: ``FailureTarget`` and ``Failed`` true with the same reason and message.
- ``suspended``: ``Suspended=True`` (``JobSuspended``), no pods.
"""

PodPhase = Literal["Pending", "Running", "Succeeded", "Failed", "Unknown"]

FAILURE_MESSAGES: dict[str, str] = {
    "BackoffLimitExceeded": "Job has reached the specified backoff limit",
    "DeadlineExceeded": "Job was active longer than specified deadline",
    "MaxFailedIndexesExceeded": "Job has exceeded the specified maximal number of failed indexes",
    "FailedIndexes": "Job has failed indexes",
    "PodFailurePolicy": (
        "Container main for pod failed with exit code 1 matching FailJob rule at index 0"
    ),
}
"""The controller's message for each failure reason (used when a point gives none)."""


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class JobPoint(TimelinePoint):
    """One step of a Job's life; counters left as ``None`` are derived from the phase and spec."""

    phase: ScriptedJobPhase
    reason: str | None = Field(
        default=None,
        description="condition reason: failures default to BackoffLimitExceeded,"
        " successes to CompletionsReached",
    )
    message: str | None = Field(
        default=None, description="condition message (controller text by default)"
    )
    active: int | None = Field(default=None, ge=0)
    ready: int | None = Field(default=None, ge=0)
    succeeded: int | None = Field(default=None, ge=0)
    failed: int | None = Field(default=None, ge=0)
    terminating: int | None = Field(default=None, ge=0)


class ContainerState(_Model):
    """The state of one container (or of every container, when ``name`` is ``None``)."""

    name: str | None = None
    waiting: str | None = Field(default=None, description="waiting reason, e.g. ImagePullBackOff")
    terminated: str | None = Field(default=None, description="terminated reason, e.g. OOMKilled")
    message: str | None = None
    exit_code: int | None = None
    restart_count: int = Field(default=0, ge=0)
    last_terminated: str | None = Field(
        default=None,
        description="lastState.terminated reason (e.g. the crash behind CrashLoopBackOff)",
    )
    ready: bool | None = None


class PodPoint(TimelinePoint):
    """One step of a Pod's life."""

    phase: PodPhase = "Pending"
    containers: list[ContainerState] = Field(default_factory=list)
    unschedulable: str | None = Field(
        default=None, description="PodScheduled=False/Unschedulable with this message"
    )
    reason: str | None = Field(default=None, description="pod-level status.reason, e.g. Evicted")
    message: str | None = None
    terminating: bool = Field(default=False, description="deletionTimestamp set")


class LogPoint(_Model):
    """Lines a container writes at a point of its pod's life (the kubelet timestamps each).

    A followed log (``follow=true``) streams them as scenario time reaches them.
    """

    at: float = Field(ge=0, description="scenario seconds after the pod's creation")
    text: str = Field(description="one line, or several separated by newlines")
    container: str | None = Field(default=None, description="the container (default: the first)")


class JobScenario(_Model):
    """A Job present when the emulator starts (or created at run time)."""

    name: str
    namespace: str = "default"
    labels: dict[str, str] = Field(default_factory=dict)
    completions: int | None = Field(default=1, ge=0)
    parallelism: int = Field(default=1, ge=0)
    backoff_limit: int = Field(default=6, ge=0)
    suspend: bool = False
    image: str = "busybox:1.36"
    timeline: list[JobPoint] = Field(
        default_factory=list,
        description="status points; before the first is reached the Job is running (or suspended)",
    )


class PodScenario(_Model):
    """A Pod, optionally owned by a Job (which gives it the Job's labels and ownerReference)."""

    name: str
    namespace: str = "default"
    job: str | None = Field(default=None, description="name of the owning Job, same namespace")
    labels: dict[str, str] = Field(default_factory=dict)
    containers: list[str] = Field(default_factory=lambda: ["main"], min_length=1)
    image: str = "busybox:1.36"
    logs: dict[str, str] = Field(
        default_factory=dict,
        description="log text per container; a plain string is the first container's log",
    )
    timeline: list[PodPoint] = Field(default_factory=list)
    log_lines: list[LogPoint] = Field(
        default_factory=list,
        description="lines written as the pod runs (after ``logs``, which it starts with)",
    )

    @model_validator(mode="after")
    def _known_containers(self) -> Self:
        for point in self.log_lines:
            if point.container is not None and point.container not in self.containers:
                msg = f"log line for container {point.container!r}, not one of {self.containers}"
                raise ValueError(msg)
        return self

    @field_validator("logs", mode="before")
    @classmethod
    def _plain_log(cls, value: object) -> object:
        # A single string is the common case (one container); the container is filled in later.
        if isinstance(value, str):
            return {"": value}
        return value


class KubernetesScenario(_Model):
    """Everything the emulated cluster starts with, and how its API server behaves.

    Example:
        >>> KubernetesScenario(jobs=[JobScenario(name="etl", timeline=[
        ...     JobPoint(at=1.0, phase="complete")])]).jobs[0].name
        'etl'
    """

    namespaces: list[str] = Field(default_factory=lambda: ["default"])
    jobs: list[JobScenario] = Field(default_factory=list)
    pods: list[PodScenario] = Field(default_factory=list)
    history: int = Field(
        default=1000, ge=1, description="watch events kept for resume (older -> 410)"
    )
    bookmark_interval: float = Field(
        default=60.0, gt=0, description="real seconds between BOOKMARK events on a watch"
    )
    default_watch_timeout: float = Field(
        default=300.0, gt=0, description="real seconds a watch lasts when timeoutSeconds is absent"
    )
    tick: float = Field(
        default=0.5, gt=0, description="longest real sleep of the timeline ticker between checks"
    )
