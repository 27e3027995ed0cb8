"""JobWaiter: a batch/v1 Job until it succeeds or fails, with pod-level causes and log tail."""

from __future__ import annotations

import math
from collections.abc import Callable, Collection
from typing import TYPE_CHECKING, ClassVar, Final, Literal, final

from waitkit._core import (
    ConfigurationError,
    Verdict,
    Waiter,
    bounded,
    one_look,
)
from waitkit.k8s._errors import KUBERNETES
from waitkit.k8s._logtail import (
    LOG_TIMEOUT,
)
from waitkit.k8s._options import WATCH_POLICY
from waitkit.k8s._pods import PERMANENT_CAUSES
from waitkit.k8s._resource import JOBS, PODS
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
from waitkit.k8s._watch import StreamKey

if TYPE_CHECKING:
    from collections.abc import Awaitable

    from kubernetes_asyncio.client import ApiClient

    from waitkit._core import Policy, Target
    from waitkit.k8s._logstream import LogLine
    from waitkit.k8s._options import WatchOptions

from waitkit.k8s._job_state import JobPhase, JobState, with_log
from waitkit.k8s._job_wait import JOB_NAME_LABEL, JobWait

_MAX_LOG_LINES: Final = 10_000


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
            pods = StreamKey(PODS, namespace, label_selector=JOB_NAME_LABEL, watch=mode)
        else:
            jobs = StreamKey(JOBS, namespace, field_selector=f"metadata.name={name}", watch=mode)
            own_pods = f"{JOB_NAME_LABEL}={name}"
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
        return JobWait(self, deadline)

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
            return Verdict.failure(with_log(text, state))
        if state.stuck is not None:
            cause = state.stuck
            detail = f": {bounded(cause.message)}" if cause.message else ""
            text = (
                f"{bounded(cause.summary())} for more than {self.fail_fast_after:g}s"
                f" (fail_fast){detail}"
            )
            return Verdict.failure(with_log(text, state))
        if phase is JobPhase.SUSPENDED and self.on_suspended == "fail":
            return Verdict.failure(f"suspended ({bounded(state.reason or 'JobSuspended')})")
        return Verdict.PENDING


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
