"""The state of a batch/v1 Job as JobWaiter reports it, read from the Job's status.

``job_state()`` turns a Job object into a :class:`JobState` (the phase from its
conditions, as ``kubectl`` reads them); ``with_log()`` adds the failed pod's log tail to
a failure's reason.
"""

from __future__ import annotations

import enum
from typing import Any, Final, final

from waitkit._core import State, safe
from waitkit.k8s._logtail import REASON_CHARS, render_tail
from waitkit.k8s._pods import PodCause


@final
class JobPhase(enum.StrEnum):
    """Where a Job is, decided from its conditions (never from its pod counters).

    Example:
        >>> JobPhase("succeeding") is JobPhase.SUCCEEDING
        True
    """

    PENDING = "pending"
    """No pod active yet."""
    RUNNING = "running"
    """Pods active."""
    SUSPENDED = "suspended"
    """``Suspended=True``: ``spec.suspend`` is set; no pods run until it is resumed."""
    SUCCEEDING = "succeeding"
    """``SuccessCriteriaMet=True``: success is decided, pods may still be terminating."""
    COMPLETE = "complete"
    """``Complete=True``: terminal success, every pod terminated."""
    FAILING = "failing"
    """``FailureTarget=True``: failure is decided, pods may still be terminating."""
    FAILED = "failed"
    """``Failed=True``: terminal failure, every pod terminated."""


@final
class JobCondition(State):
    """One entry of a Job's ``status.conditions`` (timestamps left out).

    Example:
        >>> JobCondition(type="Failed", status="True", reason="DeadlineExceeded").reason
        'DeadlineExceeded'
    """

    type: str
    status: str
    reason: str | None = None
    message: str | None = None


@final
class JobState(State):
    """What one look at a Job (and its pods) showed.

    Example:
        >>> JobState(name="etl", namespace="default", phase=JobPhase.RUNNING, active=1).summary()
        'running active=1 ready=0 succeeded=0 failed=0'
    """

    name: str
    namespace: str
    phase: JobPhase
    active: int = 0
    ready: int = 0
    succeeded: int = 0
    failed: int = 0
    terminating: int | None = None
    reason: str | None = None
    """The reason of the deciding condition (``BackoffLimitExceeded``, ``JobSuspended``...)."""
    message: str | None = None
    conditions: tuple[JobCondition, ...] = ()
    causes: tuple[PodCause, ...] = ()
    """Pod-level problems while the Job has not finished (image pulls, crash loops, OOM...)."""
    stuck: PodCause | None = None
    """A cause from ``fail_fast`` that lasted past ``fail_fast_after``: the wait fails on it."""
    start_time: str | None = None
    completion_time: str | None = None
    failed_pod: str | None = None
    """The pod whose log is in ``log_tail`` (or could not be read)."""
    log_tail: tuple[str, ...] = ()
    """The last lines of the failed pod's log (``log_lines`` of them at most), each escaped
    (control characters as ``\\xNN``) and cut to 500 characters."""
    details_missing: tuple[str, ...] = ()
    """What could not be fetched to explain a failure, in words: ``log of pod etl-x
    unavailable: no answer within 2.0s`` (or ``pod deleted``, ``HTTP 403 Forbidden:
    ...``), ``log unavailable: the Job has no pods left (deleted, or none started)``."""
    log_streamed: bool = False
    """``log_tail`` comes from the wait's log streams: the failed pod was gone by the time
    the Job failed (``stream_logs`` or ``on_log``)."""
    log_issues: tuple[str, ...] = ()
    """What kept the wait's log streams from a log, in words, each said once (a container
    the pod does not have, logs the credentials may not read); they never fail the wait."""

    def summary(self) -> str:
        """``running active=1 ready=0 succeeded=0 failed=0; etl-x/main: ImagePullBackOff``."""
        text = (
            f"{self.phase.value} active={self.active} ready={self.ready}"
            f" succeeded={self.succeeded} failed={self.failed}"
        )
        if self.reason and self.phase not in (JobPhase.PENDING, JobPhase.RUNNING):
            text += f" ({self.reason})"
        if self.causes:
            text += "; " + ", ".join(cause.summary() for cause in self.causes[:3])
        return safe(text)


def with_log(reason: str, state: JobState) -> str:
    """``reason`` with the failed pod's last log lines, within the reason's length."""
    room = REASON_CHARS - len(reason)
    return reason + render_tail(
        state.failed_pod,
        state.log_tail,
        state.details_missing,
        room,
        streamed=state.log_streamed,
    )


_CONDITION_PHASES: Final = (
    ("Failed", JobPhase.FAILED),
    ("Complete", JobPhase.COMPLETE),
    ("FailureTarget", JobPhase.FAILING),
    ("SuccessCriteriaMet", JobPhase.SUCCEEDING),
    ("Suspended", JobPhase.SUSPENDED),
)


def _count(status: dict[str, Any], field: str) -> int:
    value = status.get(field)
    return value if isinstance(value, int) else 0


def job_state(job: dict[str, Any]) -> JobState:
    """The :class:`JobState` of a Job object (its phase decided by its conditions)."""
    metadata = job.get("metadata") or {}
    status = job.get("status") or {}
    conditions = tuple(
        JobCondition(
            type=str(c.get("type", "")),
            status=str(c.get("status", "")),
            reason=c.get("reason") or None,
            message=c.get("message") or None,
        )
        for c in status.get("conditions") or []
        if isinstance(c, dict)
    )
    true = {c.type: c for c in conditions if c.status == "True"}
    phase = JobPhase.RUNNING if _count(status, "active") > 0 else JobPhase.PENDING
    deciding: JobCondition | None = None
    for condition_type, condition_phase in _CONDITION_PHASES:
        if condition_type in true:
            phase, deciding = condition_phase, true[condition_type]
            break
    terminating = status.get("terminating")
    return JobState(
        name=str(metadata.get("name", "")),
        namespace=str(metadata.get("namespace", "")),
        phase=phase,
        active=_count(status, "active"),
        ready=_count(status, "ready"),
        succeeded=_count(status, "succeeded"),
        failed=_count(status, "failed"),
        terminating=terminating if isinstance(terminating, int) else None,
        reason=deciding.reason if deciding else None,
        message=deciding.message if deciding else None,
        conditions=conditions,
        start_time=status.get("startTime"),
        completion_time=status.get("completionTime"),
    )
