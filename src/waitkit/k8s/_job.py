"""JobWaiter: a batch/v1 Job until it succeeds or fails, with pod-level causes and log tail."""

from __future__ import annotations

import contextlib
import enum
import math
from collections.abc import Callable, Collection
from typing import TYPE_CHECKING, Any, ClassVar, Final, Literal, final

import anyio

from waitkit._core import (
    ConfigurationError,
    ErrorKind,
    State,
    Verdict,
    Waiter,
    bounded,
    explain_budget,
    one_look,
    safe,
)
from waitkit.k8s._client import get_json
from waitkit.k8s._errors import KUBERNETES, ObjectMissingError
from waitkit.k8s._joblogs import JobLogs
from waitkit.k8s._logtail import (
    LOG_TIMEOUT,
    REASON_CHARS,
    LogTail,
    fetch_log_tail,
    render_tail,
)
from waitkit.k8s._options import WATCH_POLICY
from waitkit.k8s._pods import PERMANENT_CAUSES, PodCause, belongs_to, pod_causes
from waitkit.k8s._resource import JOBS, PODS
from waitkit.k8s._target import WaitTarget
from waitkit.k8s._validate import (
    check_api,
    check_choice,
    check_int,
    check_name,
    check_namespace,
    check_options,
    check_seconds,
    check_selector,
)
from waitkit.k8s._watch import SharedWatch, StreamKey, subscribe

if TYPE_CHECKING:
    from collections.abc import AsyncIterator, Awaitable

    from kubernetes_asyncio.client import ApiClient

    from waitkit._core import Policy, Target
    from waitkit.k8s._logstream import LogLine
    from waitkit.k8s._options import WatchOptions

_JOB_NAME_LABEL: Final = "batch.kubernetes.io/job-name"
_MAX_LOG_LINES: Final = 10_000
_PODS_PAUSE: Final = 1.0
_PODS_SHARE: Final = 0.9


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


@final
class JobWaiter(Waiter[JobState]):
    """Waits for a Kubernetes Job to succeed; fails with the Job's reason and its pod's log.

    Success is ``Complete`` (or ``SuccessCriteriaMet`` with ``until="decided"``);
    failure is ``Failed`` (or ``FailureTarget``), with the condition's reason
    (``BackoffLimitExceeded``, ``DeadlineExceeded``, ``PodFailurePolicy``...) and
    message, plus the tail of the failed pod's log. Waiters on Jobs of one namespace
    share one watch stream (and one for their pods).

    Args:
        api: a kubernetes_asyncio ``ApiClient`` (see :func:`api_client`).
        name: the Job's name.
        namespace: its namespace.
        until: ``"finished"`` (default) waits for the terminal condition, ``Complete``
            or ``Failed``, set once every pod has terminated (1.31+); ``"decided"``
            returns at the interim ``SuccessCriteriaMet`` / ``FailureTarget``.
        pod_causes: watch the Job's pods and report why they are stuck
            (``ImagePullBackOff``, ``CrashLoopBackOff``, ``OOMKilled``, ``Unschedulable``...).
        fail_fast: fail when one of these causes lasts ``fail_fast_after`` seconds;
            ``True`` means :data:`PERMANENT_CAUSES` (image pulls, config errors).
        fail_fast_after: the grace period of ``fail_fast``, in seconds.
        log_lines: lines of the failed pod's log attached to a failure (0: none); with
            log streams, also the lines each container's stream keeps.
        on_log: called with each :class:`LogLine` of every container of every pod of the
            Job, as it is written, in order per container (a retried pod's lines follow
            the failed one's). A function or a coroutine function (awaited: a slow one
            slows only its container's stream). It also gets *notices* (``notice=True``),
            once each. An exception it raises ends the wait at once with a
            :class:`~waitkit.ProbeError` that says so (the exception is its
            ``__cause__.__cause__``). Implies ``stream_logs``.
        stream_logs: follow the pods' logs while the Job runs (``pods/log``,
            ``follow=true``; one stream per running container), keeping the last
            ``log_lines`` lines of each: when the failed pod was deleted before the Job
            failed, the failure's log tail comes from them.
        log_containers: stream only these containers (default: every container, init
            containers included). One that a pod does not have is a notice, not an error.
        diagnostics_timeout: the longest, in seconds, that explaining a failure may take
            (finding the failed pod and reading its log, together; also at most half the
            time left before the deadline), and that one look at a running Job's pods may
            take. They only explain: one that fails or runs out of time leaves the outcome
            as it is, and ``state.details_missing`` (and the message) says what is missing.
        on_suspended: ``"wait"`` (default) keeps waiting on a suspended Job, ``"fail"`` fails.
        shared: ``True`` (default) shares one stream per namespace; ``False`` watches
            only this Job (``fieldSelector=metadata.name=``), as ``kubectl wait`` does.
        label_selector: narrows the shared stream to Jobs with these labels.
        watch: list/watch options (timeouts, reconnects, polling instead of watching).
        policy: the engine policy (default: frequent, cheap looks; see the docs).

    Raises:
        ConfigurationError: an invalid argument.

    Example:
        >>> from waitkit.k8s import JobWaiter, api_client
        >>> async def main() -> None:
        ...     async with api_client() as api:
        ...         result = await JobWaiter(api, "etl", namespace="batch").wait(timeout=900)
        ...         print(result.state.completion_time)

        The pods' log lines while the Job runs (a callback rather than an iterator beside
        :meth:`states`: the lines need no second consumer loop and no buffer that fills
        when nobody reads, and ``wait_all`` of many Jobs streams them all the same):

        >>> from waitkit.k8s import LogLine
        >>> def show(line: LogLine) -> None:
        ...     print(f"{line.pod}/{line.container}: {line.text}")
        >>> async def follow() -> None:
        ...     async with api_client() as api:
        ...         await JobWaiter(api, "etl", on_log=show).wait(timeout=900)
    """

    kind: ClassVar[str] = "k8s_job"
    # observe() long-polls the shared watch: after a poll that found nothing, look again at once.
    long_polls: ClassVar[bool] = True
    classifier = KUBERNETES

    def __init__(
        self,
        api: ApiClient,
        name: str,
        namespace: str = "default",
        *,
        until: Literal["finished", "decided"] = "finished",
        pod_causes: bool = True,
        fail_fast: bool | Collection[str] = False,
        fail_fast_after: float = 60.0,
        log_lines: int = 20,
        on_log: Callable[[LogLine], Awaitable[object] | object] | None = None,
        stream_logs: bool = False,
        log_containers: Collection[str] | None = None,
        diagnostics_timeout: float = LOG_TIMEOUT,
        on_suspended: Literal["wait", "fail"] = "wait",
        shared: bool = True,
        label_selector: str | None = None,
        watch: WatchOptions | None = None,
        policy: Policy | None = None,
    ) -> None:
        super().__init__(policy=WATCH_POLICY if policy is None else policy)
        owner = "JobWaiter"
        check_api(owner, api)
        self.api = api
        self.name = check_name(owner, "name", name)
        self.namespace = check_namespace(owner, namespace)
        self.until = check_choice(owner, "until", until, ("finished", "decided"))
        self.on_suspended = check_choice(owner, "on_suspended", on_suspended, ("wait", "fail"))
        self.pod_causes = bool(pod_causes)
        self.fail_fast = _fail_fast_reasons(owner, fail_fast)
        if self.fail_fast and not self.pod_causes:
            msg = f"{owner}: fail_fast needs pod_causes=True (it acts on pod causes)"
            raise ConfigurationError(msg)
        self.fail_fast_after = check_seconds(owner, "fail_fast_after", fail_fast_after)
        self.log_lines = check_int(owner, "log_lines", log_lines, 0, _MAX_LOG_LINES)
        callback: object = on_log  # checked as what a caller may really pass
        if callback is not None and not callable(callback):
            msg = f"{owner}: on_log must be a function of a LogLine (or None), got {on_log!r}"
            raise ConfigurationError(msg)
        self.on_log = on_log
        self.stream_logs = bool(stream_logs) or on_log is not None
        self.log_containers = _container_names(owner, log_containers)
        if self.log_containers is not None and not self.stream_logs:
            msg = f"{owner}: log_containers applies to log streams (give on_log or stream_logs)"
            raise ConfigurationError(msg)
        given: object = diagnostics_timeout  # checked as what a caller may really pass
        if (
            isinstance(given, bool)
            or not isinstance(given, int | float)
            or not 0 < given < math.inf
        ):
            msg = (
                f"{owner}: diagnostics_timeout must be a finite number of seconds > 0,"
                f" got {diagnostics_timeout!r}"
            )
            raise ConfigurationError(msg)
        self.diagnostics_timeout = float(diagnostics_timeout)
        check_selector(owner, "label_selector", label_selector)
        if label_selector is not None and not shared:
            msg = f"{owner}: label_selector applies to the shared stream only (shared=True)"
            raise ConfigurationError(msg)
        self.options = check_options(owner, watch)
        mode = self.options.watch
        # The streams each wait subscribes to (shared with every waiter on the same key).
        if shared:
            jobs = StreamKey(JOBS, namespace, label_selector=label_selector, watch=mode)
            pods = StreamKey(PODS, namespace, label_selector=_JOB_NAME_LABEL, watch=mode)
        else:
            jobs = StreamKey(JOBS, namespace, field_selector=f"metadata.name={name}", watch=mode)
            own_pods = f"{_JOB_NAME_LABEL}={name}"
            pods = StreamKey(PODS, namespace, label_selector=own_pods, watch=mode)
        self.jobs_stream, self.pods_stream = jobs, pods

    @property
    def resource_id(self) -> str:
        """``namespace/name``."""
        return f"{self.namespace}/{self.name}"

    def describe(self) -> str:
        """``Job default/etl``."""
        return f"Job {self.resource_id}"

    def for_wait(self, deadline: float | None) -> Target[JobState]:
        """A fresh target per wait: its subscriptions, cursor, pod causes and log tail."""
        return _JobWait(self, deadline)

    async def observe(self) -> JobState:
        """One look outside a wait (``wait()`` and ``states()`` look through ``for_wait``)."""
        return await one_look(self.for_wait(None))

    def verdict(self, state: JobState) -> Verdict:
        """Complete (or SuccessCriteriaMet) succeeds; Failed (or FailureTarget) fails."""
        phase = state.phase
        if phase is JobPhase.COMPLETE or (phase is JobPhase.SUCCEEDING and self.until == "decided"):
            return Verdict.SUCCESS
        if phase is JobPhase.FAILED or (phase is JobPhase.FAILING and self.until == "decided"):
            # The service's words are cut (their full text stays on the state).
            text = bounded(state.reason or "Failed")
            if state.message:
                text += f": {bounded(state.message)}"
            return Verdict.failure(_with_log(text, state))
        if state.stuck is not None:
            cause = state.stuck
            detail = f": {bounded(cause.message)}" if cause.message else ""
            text = (
                f"{bounded(cause.summary())} for more than {self.fail_fast_after:g}s"
                f" (fail_fast){detail}"
            )
            return Verdict.failure(_with_log(text, state))
        if phase is JobPhase.SUSPENDED and self.on_suspended == "fail":
            return Verdict.failure(f"suspended ({bounded(state.reason or 'JobSuspended')})")
        return Verdict.PENDING


class _JobWait(WaitTarget["JobWaiter", JobState]):
    """One wait on a Job: its subscriptions, its cursor on the Job stream, what its pods showed."""

    def __init__(self, waiter: JobWaiter, deadline: float | None) -> None:
        super().__init__(waiter, deadline)
        self.jobs: SharedWatch | None = None
        self.pods: SharedWatch | None = None
        self.cursor = -1
        self.first_seen: dict[tuple[str, str | None, str], float] = {}
        self.log: LogTail | None = None
        self.causes: tuple[PodCause, ...] = ()
        self.pods_denied = False
        self.pods_retry_at = -math.inf
        self.logs: JobLogs | None = None
        if waiter.stream_logs:
            self.logs = JobLogs(
                waiter.api,
                waiter.namespace,
                waiter.name,
                on_log=waiter.on_log,
                containers=waiter.log_containers,
                ring_lines=waiter.log_lines,
                options=waiter.options,
            )
            self.logs.on_failure = self._end_poll
        self._poll: anyio.CancelScope | None = None

    @contextlib.asynccontextmanager
    async def session(self) -> AsyncIterator[object]:
        """The wait's subscriptions, and its log streams (closed at its end)."""
        async with super().session():
            if self.logs is None:
                yield self
                return
            async with self.logs.running(self._drain_until):
                yield self

    def _drain_until(self) -> float:
        return math.inf if self.deadline is None else self.deadline

    def _end_poll(self) -> None:
        """``on_log`` raised: the long-poll in progress ends, so the wait ends now."""
        if self._poll is not None:
            self._poll.cancel()

    def _raise_log_failure(self) -> None:
        if self.logs is not None and self.logs.failure is not None:
            raise self.logs.failure

    async def observe(self) -> JobState:
        """Wait (briefly) for news of the Job on the shared watch, then read its pods if needed."""
        if self.jobs is None:
            self.jobs = await self.stack.enter_async_context(
                subscribe(self.waiter.api, self.waiter.jobs_stream, self.waiter.options)
            )
        self._raise_log_failure()
        with anyio.CancelScope() as self._poll:
            self.cursor, job = await self.jobs.observe(
                (self.waiter.namespace, self.waiter.name),
                self.cursor,
                wait=self.long_poll(self._poll_limit()),
            )
        self._poll = None
        self._raise_log_failure()
        if job is None:
            msg = (
                f'jobs.batch "{self.waiter.name}" not found in namespace "{self.waiter.namespace}"'
            )
            raise ObjectMissingError(msg)
        state = _job_state(job)
        uid = (job.get("metadata") or {}).get("uid")
        updates: dict[str, Any] = {}
        running = state.phase not in (JobPhase.COMPLETE, JobPhase.FAILED, JobPhase.SUSPENDED)
        if running and (self.waiter.pod_causes or self.logs is not None):
            await self._look_at_pods(uid, updates)
        elif self.causes and state.phase is JobPhase.FAILED:
            # The pods are not read again once the Job failed (they may be gone), but
            # what they were stuck on while it ran is what explains the failure.
            updates["causes"] = self.causes
        failing = (
            state.phase in (JobPhase.FAILING, JobPhase.FAILED) or updates.get("stuck") is not None
        )
        if failing and self.waiter.log_lines:
            if self.log is None:
                self.log = await self._log_tail(uid)
            updates["failed_pod"] = self.log.pod
            updates["log_tail"] = self.log.lines
            updates["details_missing"] = (self.log.missing,) if self.log.missing else ()
            updates["log_streamed"] = self.log.streamed
        if self.logs is not None and self.logs.issues:
            updates["log_issues"] = self.logs.issues
        return state.model_copy(update=updates) if updates else state

    # ------------------------------------------------------------------ pods
    async def _look_at_pods(self, uid: str | None, updates: dict[str, Any]) -> None:
        """While the Job runs: its pods' causes, and new pods for the log streams."""
        pods = await self._pods(uid)
        if pods is not None and self.logs is not None:
            self.logs.update(pods)
        if self.waiter.pod_causes:
            if pods is not None:
                causes = [cause for pod in pods for cause in pod_causes(pod)]
                self.causes = tuple(
                    sorted(causes, key=lambda c: (c.pod, c.container or "", c.reason))
                )
            updates["causes"] = self.causes
            updates["stuck"] = self._stuck(list(self.causes))

    def _poll_limit(self) -> float:
        """The long-poll on the Job, cut short when a fail_fast grace period ends sooner.

        Pods are read after the Job's long-poll, so this bounds how late a cause is judged.
        """
        limit = self.waiter.options.long_poll
        if self.waiter.fail_fast and self.first_seen:
            now = anyio.current_time()
            ends = [
                first + self.waiter.fail_fast_after
                for (_, _, reason), first in self.first_seen.items()
                if reason in self.waiter.fail_fast
            ]
            if ends:
                limit = min(limit, max(0.0, min(ends) - now))
        return limit

    async def _pods(self, uid: str | None) -> list[dict[str, Any]] | None:
        """The Job's pods, best effort: ``None`` when they cannot be read now.

        Pods only explain a wait; an error reading them (no RBAC for pods, a throttled
        LIST, a hung call) must not fail the wait on the Job, nor hold it past
        ``diagnostics_timeout``. Access denied stops trying for this wait; other errors
        pause the pods for a second.
        """
        now = anyio.current_time()
        if self.pods_denied or now < self.pods_retry_at:
            return None
        if self.pods is None:
            self.pods = await self.stack.enter_async_context(
                subscribe(self.waiter.api, self.waiter.pods_stream, self.waiter.options)
            )
        refreshed = False
        # No verdict hangs on this look (the Job is pending), so it may use most of what is left.
        pods_budget = explain_budget(
            self.waiter.diagnostics_timeout, deadline=self.deadline, share=_PODS_SHARE
        )
        with anyio.move_on_after(pods_budget):
            try:
                await self.pods.refresh()
                refreshed = True
            except Exception as error:  # noqa: BLE001 - see the docstring; cancellation propagates
                self.pods_denied = KUBERNETES.classify(error).kind is ErrorKind.FATAL
                if self.pods_denied and self.logs is not None:
                    self.logs.pods_unlisted(error)
        if not refreshed:
            self.pods_retry_at = now + _PODS_PAUSE
            return None
        return [pod for pod in self.pods.objects() if belongs_to(pod, self.waiter.name, uid)]

    def _stuck(self, causes: list[PodCause]) -> PodCause | None:
        now = anyio.current_time()
        seen = {(cause.pod, cause.container, cause.reason) for cause in causes}
        for key in [key for key in self.first_seen if key not in seen]:
            del self.first_seen[key]  # the cause went away: its grace starts again
        stuck = None
        for cause in causes:
            first = self.first_seen.setdefault((cause.pod, cause.container, cause.reason), now)
            if (
                stuck is None
                and cause.reason in self.waiter.fail_fast
                and now - first >= self.waiter.fail_fast_after
            ):
                stuck = cause
        return stuck

    async def _log_tail(self, uid: str | None) -> LogTail:
        """The tail of the failed pod's log, or why it could not be had (never raises)."""

        async def list_pods() -> list[dict[str, Any]]:
            if self.pods is not None:
                await self.pods.refresh()
                return [
                    pod for pod in self.pods.objects() if belongs_to(pod, self.waiter.name, uid)
                ]
            listed = await get_json(
                self.waiter.api,
                PODS.path(self.waiter.namespace),
                [("labelSelector", f"{_JOB_NAME_LABEL}={self.waiter.name}")],
            )
            return [
                pod for pod in listed.get("items") or [] if belongs_to(pod, self.waiter.name, uid)
            ]

        read = await fetch_log_tail(
            self.waiter.api,
            self.waiter.namespace,
            list_pods,
            lines=self.waiter.log_lines,
            timeout=self.waiter.diagnostics_timeout,
            deadline=self.deadline,
        )
        if read.lines or self.logs is None:
            return read
        # The failed pod is gone (deleted as soon as it ended): what was streamed of it.
        streamed = self.logs.tail(self.waiter.log_lines)
        return read if streamed is None else streamed


def _container_names(owner: str, names: object) -> tuple[str, ...] | None:
    if names is None:
        return None
    if (
        isinstance(names, Collection)
        and not isinstance(names, str)
        and names
        and all(isinstance(name, str) and name for name in names)
    ):
        return tuple(dict.fromkeys(names))
    msg = (
        f"{owner}: log_containers must be a non-empty collection of container names, got {names!r}"
    )
    raise ConfigurationError(msg)


def _fail_fast_reasons(owner: str, fail_fast: object) -> frozenset[str]:
    if fail_fast is True:
        return PERMANENT_CAUSES
    if fail_fast is False:
        return frozenset()
    if (
        isinstance(fail_fast, Collection)
        and not isinstance(fail_fast, str)
        and all(isinstance(reason, str) and reason for reason in fail_fast)
    ):
        return frozenset(fail_fast)
    msg = f"{owner}: fail_fast must be a bool or a collection of reasons, got {fail_fast!r}"
    raise ConfigurationError(msg)


def _with_log(reason: str, state: JobState) -> str:
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


def _job_state(job: dict[str, Any]) -> JobState:
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
