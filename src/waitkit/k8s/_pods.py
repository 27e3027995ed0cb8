"""Pod-level causes behind a pending Job, and which pod's log explains a failure."""

from __future__ import annotations

from typing import Any, Final, final

from pydantic import BaseModel, ConfigDict

#: Waiting reasons that are problems (``ContainerCreating``, ``PodInitializing``: normal start).
PROBLEM_WAITING: Final = frozenset(
    {
        "ErrImagePull",
        "ImagePullBackOff",
        "InvalidImageName",
        "ErrImageNeverPull",
        "ImageInspectError",
        "RegistryUnavailable",
        "SignatureValidationFailed",
        "CrashLoopBackOff",
        "CreateContainerConfigError",
        "CreateContainerError",
        "RunContainerError",
        "PreStartHookError",
        "PostStartHookError",
        "CreatePodSandboxError",
    }
)

#: Causes that do not fix themselves: the default set for ``fail_fast``.
PERMANENT_CAUSES: Final = frozenset(
    {
        "ErrImagePull",
        "ImagePullBackOff",
        "InvalidImageName",
        "ErrImageNeverPull",
        "CreateContainerConfigError",
    }
)

_TERMINATED_PROBLEMS: Final = frozenset(
    {"OOMKilled", "Error", "ContainerCannotRun", "DeadlineExceeded"}
)


@final
class PodCause(BaseModel):
    """Why a pod of the Job is not making progress.

    Example:
        >>> PodCause(pod="etl-x7k2p", container="main", reason="ImagePullBackOff").summary()
        'etl-x7k2p/main: ImagePullBackOff'
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    pod: str
    container: str | None = None
    reason: str
    message: str | None = None
    exit_code: int | None = None
    restarts: int = 0

    def summary(self) -> str:
        """``pod/container: Reason (exit N)``."""
        where = f"{self.pod}/{self.container}" if self.container else self.pod
        exit_code = f" (exit {self.exit_code})" if self.exit_code is not None else ""
        return f"{where}: {self.reason}{exit_code}"


def pod_causes(pod: dict[str, Any]) -> list[PodCause]:
    """The problems one pod shows: scheduling, eviction, waiting and terminated containers."""
    name = str((pod.get("metadata") or {}).get("name", ""))
    status = pod.get("status") or {}
    causes: list[PodCause] = []
    for condition in status.get("conditions") or []:
        if condition.get("type") == "PodScheduled" and condition.get("status") == "False":
            reason = condition.get("reason") or "Unschedulable"
            causes.append(PodCause(pod=name, reason=reason, message=condition.get("message")))
    if status.get("reason"):  # pod-level: Evicted, DeadlineExceeded
        causes.append(
            PodCause(pod=name, reason=str(status["reason"]), message=status.get("message"))
        )
    for container in [
        *(status.get("initContainerStatuses") or []),
        *(status.get("containerStatuses") or []),
    ]:
        cause = _container_cause(name, container)
        if cause is not None:
            causes.append(cause)
    return causes


def _container_cause(pod: str, container: dict[str, Any]) -> PodCause | None:
    state = container.get("state") or {}
    last = (container.get("lastState") or {}).get("terminated") or {}
    restarts = int(container.get("restartCount") or 0)
    name = container.get("name")
    waiting = state.get("waiting") or {}
    if waiting.get("reason") in PROBLEM_WAITING:
        # Behind CrashLoopBackOff is the last crash: OOMKilled says more than the loop itself.
        exit_code = last.get("exitCode")
        return PodCause(
            pod=pod,
            container=name,
            reason=str(waiting["reason"]),
            message=waiting.get("message") or last.get("reason"),
            exit_code=exit_code if isinstance(exit_code, int) else None,
            restarts=restarts,
        )
    terminated = state.get("terminated") or {}
    for source in (terminated, last):
        reason = source.get("reason")
        exit_code = source.get("exitCode")
        if reason in _TERMINATED_PROBLEMS or (isinstance(exit_code, int) and exit_code != 0):
            return PodCause(
                pod=pod,
                container=name,
                reason=str(reason or "Error"),
                message=source.get("message"),
                exit_code=exit_code if isinstance(exit_code, int) else None,
                restarts=restarts,
            )
    return None


def belongs_to(pod: dict[str, Any], job: str, uid: str | None) -> bool:
    """Whether ``pod`` is one of the Job's (owner reference by uid, else the job-name label)."""
    metadata = pod.get("metadata") or {}
    if uid:
        for owner in metadata.get("ownerReferences") or []:
            if owner.get("kind") == "Job" and owner.get("uid") == uid:
                return True
    labels = metadata.get("labels") or {}
    controller = labels.get("batch.kubernetes.io/controller-uid") or labels.get("controller-uid")
    if uid and controller:
        return bool(controller == uid)
    return bool(labels.get("batch.kubernetes.io/job-name", labels.get("job-name")) == job)


def failed_container(pods: list[dict[str, Any]]) -> tuple[str, str | None, bool] | None:
    """The pod and container whose log explains a failure, and whether it is the previous run.

    Prefers the most recent failed pod, then a container that exited non-zero, then
    one that crashed before (its ``previous`` log).
    """

    def started(pod: dict[str, Any]) -> str:
        return str(
            (pod.get("status") or {}).get("startTime")
            or (pod.get("metadata") or {}).get("creationTimestamp")
            or ""
        )

    ordered = sorted(pods, key=started, reverse=True)
    for pod in ordered:
        if (pod.get("status") or {}).get("phase") == "Failed":
            return _name(pod), _bad_container(pod, "state"), False
    for pod in ordered:
        container = _bad_container(pod, "state")
        if container is not None:
            return _name(pod), container, False
    for pod in ordered:
        container = _bad_container(pod, "lastState")
        if container is not None:
            return _name(pod), container, True
    return None


def _name(pod: dict[str, Any]) -> str:
    return str((pod.get("metadata") or {}).get("name", ""))


def _bad_container(pod: dict[str, Any], field: str) -> str | None:
    for container in (pod.get("status") or {}).get("containerStatuses") or []:
        terminated = (container.get(field) or {}).get("terminated") or {}
        exit_code = terminated.get("exitCode")
        if isinstance(exit_code, int) and exit_code != 0:
            return str(container.get("name"))
    return None


def container_state(pod: dict[str, Any], container: str) -> tuple[str, int]:
    """``(waiting|running|terminated, restart count)`` of a container as the pod shows it."""
    status = pod.get("status") or {}
    for statuses in ("initContainerStatuses", "containerStatuses"):
        for entry in status.get(statuses) or []:
            if isinstance(entry, dict) and entry.get("name") == container:
                state = entry.get("state") or {}
                restarts = entry.get("restartCount")
                count = restarts if isinstance(restarts, int) else 0
                if "running" in state:
                    return "running", count
                if "terminated" in state:
                    return "terminated", count
                return "waiting", count
    return "waiting", 0


def phase(pod: dict[str, Any]) -> str:
    """The pod's ``status.phase``."""
    return str((pod.get("status") or {}).get("phase") or "")
