"""One wait of a JobWaiter: its subscriptions, cursor, pod causes, log followers and tail.

The waiter is shared by its waits; what one wait opens and learns lives here, in the
target ``JobWaiter.for_wait()`` returns (a :class:`~waitkit.k8s._target.WaitTarget`).
"""

from __future__ import annotations

import contextlib
import math
from typing import TYPE_CHECKING, Any, Final

import anyio

from waitkit._core import (
    ErrorKind,
    explain_budget,
)
from waitkit.k8s._client import get_json
from waitkit.k8s._errors import KUBERNETES, ObjectMissingError
from waitkit.k8s._joblogs import JobLogs
from waitkit.k8s._logtail import (
    LogTail,
    fetch_log_tail,
)
from waitkit.k8s._pods import PodCause, belongs_to, pod_causes
from waitkit.k8s._resource import PODS
from waitkit.k8s._target import WaitTarget
from waitkit.k8s._watch import SharedWatch, subscribe

if TYPE_CHECKING:
    from collections.abc import AsyncIterator


from waitkit.k8s._job_state import JobPhase, JobState, job_state

if TYPE_CHECKING:
    from waitkit.k8s._job import JobWaiter

#: The label the Job controller puts on its pods.
JOB_NAME_LABEL: Final = "batch.kubernetes.io/job-name"
_PODS_PAUSE: Final = 1.0
_PODS_SHARE: Final = 0.9


class JobWait(WaitTarget["JobWaiter", JobState]):
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
        state = job_state(job)
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
                [("labelSelector", f"{JOB_NAME_LABEL}={self.waiter.name}")],
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
