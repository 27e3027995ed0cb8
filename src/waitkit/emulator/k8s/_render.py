"""Turn a scenario Job/Pod at a timeline point into the JSON object the API server returns.

Job status follows the 1.31+ controller: ``SuccessCriteriaMet`` precedes
``Complete`` and ``FailureTarget`` precedes ``Failed`` (same reason and message),
``completionTime`` is only set on success, a finished Job has ``active``,
``ready`` and ``terminating`` at 0 and an empty ``uncountedTerminatedPods``.
Conditions keep their ``lastTransitionTime`` while their status is unchanged.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from waitkit.emulator.k8s._scenario import (
    FAILURE_MESSAGES,
    ContainerState,
    JobPoint,
    JobScenario,
    PodPoint,
    PodScenario,
    ScriptedJobPhase,
)

SUCCESS_REASON = "CompletionsReached"
SUCCESS_MESSAGE = "Reached expected number of succeeded pods"


def timestamp(when: datetime | None = None) -> str:
    """RFC 3339 in UTC with second precision, as ``metav1.Time`` serialises."""
    return (when or datetime.now(UTC)).strftime("%Y-%m-%dT%H:%M:%SZ")


def job_labels(job_name: str, uid: str) -> dict[str, str]:
    """The labels the Job controller puts on its pods (and in its selector/template)."""
    return {
        "batch.kubernetes.io/controller-uid": uid,
        "batch.kubernetes.io/job-name": job_name,
        "controller-uid": uid,
        "job-name": job_name,
    }


def _condition(
    wanted: tuple[str, str, str, str], *, previous: dict[str, dict[str, Any]], now: str
) -> dict[str, Any]:
    kind, status, reason, message = wanted
    old = previous.get(kind)
    transition = old["lastTransitionTime"] if old and old.get("status") == status else now
    return {
        "type": kind,
        "status": status,
        "lastProbeTime": now if not old or old.get("status") != status else old["lastProbeTime"],
        "lastTransitionTime": transition,
        "reason": reason,
        "message": message,
    }


def _job_conditions(
    phase: ScriptedJobPhase, point: JobPoint | None, previous: list[dict[str, Any]], now: str
) -> list[dict[str, Any]]:
    by_type = {c["type"]: c for c in previous}
    wanted: list[tuple[str, str, str, str]] = []
    if phase == "suspended":
        wanted.append(("Suspended", "True", "JobSuspended", "Job suspended"))
    elif "Suspended" in by_type:
        wanted.append(("Suspended", "False", "JobResumed", "Job resumed"))
    if phase in ("succeeding", "complete"):
        reason = (point.reason if point else None) or SUCCESS_REASON
        message = (point.message if point else None) or SUCCESS_MESSAGE
        wanted.append(("SuccessCriteriaMet", "True", reason, message))
        if phase == "complete":
            wanted.append(("Complete", "True", reason, message))
    if phase in ("failing", "failed"):
        reason = (point.reason if point else None) or "BackoffLimitExceeded"
        message = (point.message if point else None) or FAILURE_MESSAGES.get(reason, reason)
        wanted.append(("FailureTarget", "True", reason, message))
        if phase == "failed":
            wanted.append(("Failed", "True", reason, message))
    fresh = {w[0]: _condition(w, previous=by_type, now=now) for w in wanted}
    # Existing conditions keep their place; new ones are appended, as the controller does.
    ordered = [fresh.pop(c["type"]) for c in previous if c["type"] in fresh]
    return ordered + list(fresh.values())


def _job_counts(
    spec: JobScenario, phase: ScriptedJobPhase, point: JobPoint | None, completions: int
) -> dict[str, int]:
    defaults = dict.fromkeys(("active", "ready", "succeeded", "failed", "terminating"), 0)
    if phase == "running":
        defaults["active"] = defaults["ready"] = min(spec.parallelism, max(completions, 1))
    elif phase in ("succeeding", "complete"):
        defaults["succeeded"] = completions
    elif phase in ("failing", "failed"):
        defaults["failed"] = spec.backoff_limit + 1
    if point is None:
        return defaults
    given = {name: getattr(point, name) for name in defaults}
    return {name: given[name] if given[name] is not None else v for name, v in defaults.items()}


def render_job(
    spec: JobScenario,
    *,
    uid: str,
    created: str,
    point: JobPoint | None,
    previous: dict[str, Any] | None,
) -> dict[str, Any]:
    """The Job object for ``spec`` at ``point`` (None: before the first point)."""
    now = timestamp()
    old_status: dict[str, Any] = (previous or {}).get("status", {})
    if point is not None:
        phase: ScriptedJobPhase = point.phase
    else:
        phase = "suspended" if spec.suspend else "running"
    completions = spec.completions if spec.completions is not None else 1
    finished = phase in ("complete", "failed")
    counts = _job_counts(spec, phase, point, completions)
    if finished:
        # A finished Job has no pods left: the controller pins these at zero.
        counts.update(active=0, ready=0, terminating=0)
    status: dict[str, Any] = {}
    conditions = _job_conditions(phase, point, old_status.get("conditions", []), now)
    if conditions:
        status["conditions"] = conditions
    if phase != "suspended":
        status["startTime"] = old_status.get("startTime") or now
    if phase == "complete":
        status["completionTime"] = old_status.get("completionTime") or now
    for name in ("active", "ready", "succeeded", "failed", "terminating"):
        # The API server omits zero counters (omitempty), except ready/terminating.
        if counts[name] or name in ("ready", "terminating"):
            status[name] = counts[name]
    status["uncountedTerminatedPods"] = {}
    labels = job_labels(spec.name, uid)
    suspend = phase == "suspended"
    generation = (previous or {}).get("metadata", {}).get("generation", 1)
    if previous is not None and previous["spec"].get("suspend") != suspend:
        generation += 1
    return {
        "apiVersion": "batch/v1",
        "kind": "Job",
        "metadata": {
            "name": spec.name,
            "namespace": spec.namespace,
            "uid": uid,
            "creationTimestamp": created,
            "generation": generation,
            "labels": {**labels, **spec.labels},
        },
        "spec": {
            "parallelism": spec.parallelism,
            **({"completions": spec.completions} if spec.completions is not None else {}),
            "backoffLimit": spec.backoff_limit,
            "completionMode": "NonIndexed",
            "suspend": suspend,
            "podReplacementPolicy": "TerminatingOrFailed",
            "manualSelector": False,
            "selector": {"matchLabels": {"batch.kubernetes.io/controller-uid": uid}},
            "template": {
                "metadata": {"labels": labels},
                "spec": {
                    "containers": [{"name": "main", "image": spec.image}],
                    "restartPolicy": "Never",
                },
            },
        },
        "status": status,
    }


def _container_status(
    name: str, image: str, phase: str, state: ContainerState | None, started: str
) -> dict[str, Any]:
    body: dict[str, Any] = {
        "name": name,
        "image": image,
        "imageID": "",
        "restartCount": state.restart_count if state else 0,
        "started": False,
        "ready": False,
    }
    if state is not None and state.waiting:
        current: dict[str, Any] = {"waiting": {"reason": state.waiting}}
        if state.message:
            current["waiting"]["message"] = state.message
    elif state is not None and state.terminated:
        current = {
            "terminated": {
                "exitCode": state.exit_code
                if state.exit_code is not None
                else _exit_code(state.terminated),
                "reason": state.terminated,
                "startedAt": started,
                "finishedAt": timestamp(),
            }
        }
        if state.message:
            current["terminated"]["message"] = state.message
    elif phase == "Running":
        current = {"running": {"startedAt": started}}
        body["started"] = True
        body["ready"] = True
    elif phase == "Succeeded":
        current = {
            "terminated": {
                "exitCode": 0,
                "reason": "Completed",
                "startedAt": started,
                "finishedAt": started,
            }
        }
    elif phase == "Failed":
        current = {
            "terminated": {
                "exitCode": 1,
                "reason": "Error",
                "startedAt": started,
                "finishedAt": started,
            }
        }
    else:
        current = {"waiting": {"reason": "ContainerCreating"}}
    if state is not None and state.ready is not None:
        body["ready"] = state.ready
    body["state"] = current
    body["lastState"] = {}
    if state is not None and state.last_terminated:
        body["lastState"] = {
            "terminated": {
                "exitCode": _exit_code(state.last_terminated),
                "reason": state.last_terminated,
                "startedAt": started,
                "finishedAt": started,
            }
        }
    return body


def _exit_code(reason: str) -> int:
    # OOM kills surface as SIGKILL (128 + 9); other terminations as a plain failure.
    return {"OOMKilled": 137, "Completed": 0}.get(reason, 1)


def _pod_conditions(
    point: PodPoint | None, statuses: list[dict[str, Any]], phase: str, created: str
) -> list[dict[str, Any]]:
    if point is not None and point.unschedulable:
        return [
            {
                "type": "PodScheduled",
                "status": "False",
                "lastProbeTime": None,
                "lastTransitionTime": created,
                "reason": "Unschedulable",
                "message": point.unschedulable,
            }
        ]
    ready = "True" if phase == "Running" and all(s["ready"] for s in statuses) else "False"
    return [
        {"type": kind, "status": value, "lastProbeTime": None, "lastTransitionTime": created}
        for kind, value in (
            ("PodReadyToStartContainers", "True"),
            ("Initialized", "True"),
            ("Ready", ready),
            ("ContainersReady", ready),
            ("PodScheduled", "True"),
        )
    ]


def _pod_metadata(
    spec: PodScenario, *, uid: str, created: str, owner: dict[str, Any] | None
) -> dict[str, Any]:
    labels = dict(spec.labels)
    metadata: dict[str, Any] = {
        "name": spec.name,
        "namespace": spec.namespace,
        "uid": uid,
        "creationTimestamp": created,
    }
    if spec.job is not None:
        owner_uid = owner["metadata"]["uid"] if owner else ""
        labels = {**job_labels(spec.job, owner_uid), **labels}
        if owner is not None:
            metadata["ownerReferences"] = [
                {
                    "apiVersion": "batch/v1",
                    "kind": "Job",
                    "name": spec.job,
                    "uid": owner_uid,
                    "controller": True,
                    "blockOwnerDeletion": True,
                }
            ]
    if labels:
        metadata["labels"] = labels
    return metadata


def render_pod(
    spec: PodScenario,
    *,
    uid: str,
    created: str,
    point: PodPoint | None,
    owner: dict[str, Any] | None,
) -> dict[str, Any]:
    """The Pod object for ``spec`` at ``point``; ``owner`` is the owning Job object, if any."""
    phase = point.phase if point else "Pending"
    states: dict[str, ContainerState] = {}
    for state in point.containers if point else []:
        for name in [state.name] if state.name else spec.containers:
            states[name] = state
    statuses = [
        _container_status(name, spec.image, phase, states.get(name), created)
        for name in spec.containers
    ]
    if point is not None and point.unschedulable:
        # An unscheduled pod has no container statuses yet.
        statuses = []
    conditions = _pod_conditions(point, statuses, phase, created)
    status: dict[str, Any] = {"phase": phase, "conditions": conditions, "qosClass": "BestEffort"}
    if statuses:
        status["containerStatuses"] = statuses
        status["startTime"] = created
    if point is not None and point.reason:
        status["reason"] = point.reason
    if point is not None and point.message:
        status["message"] = point.message
    metadata = _pod_metadata(spec, uid=uid, created=created, owner=owner)
    if point is not None and point.terminating:
        metadata["deletionTimestamp"] = timestamp()
        metadata["deletionGracePeriodSeconds"] = 30
    return {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": metadata,
        "spec": {
            "containers": [{"name": name, "image": spec.image} for name in spec.containers],
            "restartPolicy": "Never",
            "nodeName": "" if point is not None and point.unschedulable else "emulator-node",
        },
        "status": status,
    }
