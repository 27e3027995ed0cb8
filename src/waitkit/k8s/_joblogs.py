"""The log streams of one wait on a Job: every container of every pod, followed while it runs.

One task per container follows its log (``pods/log`` with ``follow=true`` and
``timestamps=true``); a stream is open only while its container runs, so 100 Jobs of
one container each hold 100 streams at most. The pods come from the wait's pod
watch (:meth:`JobLogs.update`, after each look at the pods): a new pod's containers
are followed as soon as they start, so a retried pod's log follows the failed one's.

Each follower keeps the last lines of its container in a ring (memory is bounded
whatever the Job prints). When the Job fails and its failed pod was already deleted
(an aggressive clean-up controller), the failure's log tail comes from that ring.

- A stream cut while its container still runs (a dropped connection, a proxy's
  timeout) is resumed with ``sinceTime``, as is one that ended cleanly when the pod
  watch does not show its container terminated within :data:`_SHOWN_ENDED` seconds;
  :class:`LineCursor` drops the lines the resumed stream repeats. Server errors
  (5xx), throttling (429, ``Retry-After`` honoured) and broken connections are
  retried with jittered backoff; the wait's end cancels everything.
- A stream that ends because its container terminated ends its follower, unless
  the pod is still running (the container restarts: its next run is followed).
- Logs the credentials may not read (403) and containers named in
  ``log_containers`` that a pod does not have are *notices*: said once, in words
  (on the state's ``log_issues`` and to ``on_log``), and never fail the wait.
- An exception raised by ``on_log`` stops the streams and ends the wait (see
  :class:`LogCallbackError`): a broken consumer is never silent.

Why one module of this length: a follower's life (start, cut, resume, end, notice)
is one loop over one container's state; the line handling (``_logstream.py``), the
connection slots (``_logpool.py``) and the container states (``_pods.py``) are apart.
- A followed log holds a connection while its container runs, and the client's pool
  is bounded: the streams of one client take turns for it, less a few connections
  kept for the watches (:mod:`._logpool`). One that waits loses no line (it is read
  from where it was when its turn comes), and the first wait is a notice.
"""

from __future__ import annotations

import contextlib
import inspect
import math
import random
from collections import OrderedDict, deque
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Final

import aiohttp
import anyio
from kubernetes_asyncio.client.exceptions import ApiException

from waitkit._core import ErrorKind, clip, safe
from waitkit.k8s._client import open_get
from waitkit.k8s._errors import KUBERNETES, api_status, describe_error
from waitkit.k8s._logpool import stream_pool
from waitkit.k8s._logstream import LineCursor, LineSplitter, LogLine, split_timestamp
from waitkit.k8s._logtail import LOG_LINE_WIDTH, LogTail
from waitkit.k8s._pods import container_state, failed_container, phase
from waitkit.k8s._resource import PODS

if TYPE_CHECKING:
    from collections.abc import AsyncIterator, Awaitable, Callable, Collection

    from anyio.abc import TaskGroup
    from kubernetes_asyncio.client import ApiClient

    from waitkit.k8s._options import WatchOptions

_BAD_REQUEST: Final = 400
_FORBIDDEN: Final = 403
# Backoff between attempts to (re)open one container's stream, in seconds.
_MIN_PAUSE: Final = 0.2
_MAX_PAUSE: Final = 5.0
# After a stream's clean end, how long the pod watch gets to show its container
# terminated before the stream is resumed (a clean end while it runs is rare: proxies
# and timeouts cut a stream, they do not end it).
_SHOWN_ENDED: Final = 5.0
# The longest Retry-After honoured (a server asking for more is asked again then).
_MAX_RETRY_AFTER: Final = 60.0
# 400 answers in a row for a container the pod says runs: it is not one the kubelet knows.
_REFUSALS: Final = 3
# At the end of a wait, open streams get this long at most (and never past the deadline)
# to deliver their last lines; one quiet for _QUIET seconds is taken to have none left.
_DRAIN: Final = 1.0
_QUIET: Final = 0.1
# Pods remembered per wait (with their rings), the oldest deleted ones forgotten first.
_PODS_KEPT: Final = 64
_FINISHED: Final = ("Succeeded", "Failed")
_random = random.Random()  # jitter, not cryptography


class LogCallbackError(Exception):
    """``on_log`` raised: the wait ends with a ``ProbeError`` whose cause this is."""


@dataclass(slots=True)
class _Follower:
    """Where one container's follower is: its cursor, its ring, its backoff."""

    ring: deque[tuple[int, str]]
    cursor: LineCursor = field(default_factory=LineCursor)
    pause: float = _MIN_PAUSE
    finished_run: int | None = None
    """The restart count of the run whose end was read (it is not followed again)."""
    ended_run: int | None = None
    """The restart count the pod showed when the last stream ended cleanly."""
    refusals: int = 0


class JobLogs:
    """The log followers of one wait (see the module docstring)."""

    def __init__(
        self,
        api: ApiClient,
        namespace: str,
        job: str,
        *,
        on_log: Callable[[LogLine], Awaitable[object] | object] | None,
        containers: Collection[str] | None,
        ring_lines: int,
        options: WatchOptions,
    ) -> None:
        self._api = api
        self._namespace = namespace
        self._job = job
        self._on_log = on_log
        self._containers = None if containers is None else tuple(containers)
        self._ring_lines = ring_lines
        self._timeout = aiohttp.ClientTimeout(
            total=None,
            sock_connect=options.connect_timeout,
            sock_read=options.read_timeout_seconds,
        )
        self._pods: OrderedDict[str, dict[str, Any]] = OrderedDict()
        self._gone: set[str] = set()
        self._changed: dict[str, anyio.Event] = {}
        self._started: set[tuple[str, str]] = set()
        self._rings: dict[tuple[str, str], deque[tuple[int, str]]] = {}
        self._said: set[str] = set()
        self._tasks: TaskGroup | None = None
        self._ending = False
        self._forbidden = False
        self._streaming: set[tuple[str, str]] = set()
        self._last_read = -math.inf
        self.issues: tuple[str, ...] = ()
        """Notices given so far, in order (each once)."""
        self.failure: LogCallbackError | None = None
        #: Called (synchronously) when ``on_log`` raised: the wait then ends at once.
        self.on_failure: Callable[[], None] = lambda: None

    # ------------------------------------------------------------------ the wait
    @contextlib.asynccontextmanager
    async def running(self, drain_until: Callable[[], float]) -> AsyncIterator[None]:
        """Followers run for the block; at its end they stop (cancelled, after a short drain).

        ``drain_until()`` is the loop time past which no drain may run (the deadline). A
        cancelled wait is not drained. The block's own exception comes out as it went in
        (the task group would wrap it in a group); cancellation is never caught here.
        """
        try:
            async with anyio.create_task_group() as tasks:
                self._tasks = tasks
                try:
                    try:
                        yield
                    except Exception:
                        await self._drain(drain_until())
                        raise
                    await self._drain(drain_until())
                finally:
                    self._stop()
                    tasks.cancel_scope.cancel()
        except BaseExceptionGroup as group:
            if len(group.exceptions) != 1:
                raise
            error = group.exceptions[0]
            error.__suppress_context__ = True  # the group was only the task group's wrapping
            raise error  # noqa: B904 - its own cause, if any, stays

    def _stop(self) -> None:
        """No stream starts from now on; followers that wait for their pod return."""
        self._tasks = None
        self._ending = True
        self._wake_all()

    async def _drain(self, until: float) -> None:
        """Let open streams deliver their last lines: until they end or fall quiet (bounded).

        The Job's last change and its containers' last lines race on two connections:
        a terminated container's stream ends right after them, a running one's falls quiet.
        """
        self._stop()
        began = anyio.current_time()
        with anyio.move_on_after(min(_DRAIN, until - began)):
            while self._streaming:
                now = anyio.current_time()
                if now - max(self._last_read, began) >= _QUIET:
                    return
                await anyio.sleep(_QUIET / 10)

    def update(self, pods: list[dict[str, Any]]) -> None:
        """The Job's pods as the wait's pod watch shows them now: follow what is new."""
        present = set()
        for pod in pods:
            name = str((pod.get("metadata") or {}).get("name", ""))
            present.add(name)
            if self._pods.get(name) is not pod:
                self._pods[name] = pod
                self._pods.move_to_end(name)
                self._wake(name)
            for container in self._wanted(name, pod):
                self._start(name, container)
        for name in list(self._pods):
            if name not in present and name not in self._gone:
                self._gone.add(name)
                self._wake(name)
        self._forget_old_pods()

    def pods_unlisted(self, error: Exception) -> None:
        """The Job's pods may not be listed: no log can be followed (said once)."""
        why = safe(describe_error(error))
        text = f"logs of Job {self._job} not streamed: its pods cannot be listed: {why}"
        self._notice("", "", text, once="unlisted")

    def tail(self, lines: int) -> LogTail | None:
        """The failure's log tail from what was streamed (``None``: nothing was)."""
        choice = failed_container(list(self._pods.values()))
        key = None
        if choice is not None:
            pod, container, _ = choice
            keys = [k for k in self._rings if k[0] == pod and container in (None, k[1])]
            key = keys[0] if keys else None
        if key is None or not self._rings.get(key):
            # No failed pod seen (deleted before its failure was watched): the pod that wrote last.
            written = [(ring[-1][0], key) for key, ring in self._rings.items() if ring]
            if not written:
                return None
            key = max(written)[1]
        ring = self._rings[key]
        return LogTail(pod=key[0], lines=tuple(text for _, text in ring)[-lines:], streamed=True)

    # ------------------------------------------------------------------ pods
    def _wanted(self, pod: str, obj: dict[str, Any]) -> list[str]:
        spec = obj.get("spec") or {}
        names = [
            str(container.get("name"))
            for kind in ("initContainers", "containers")
            for container in spec.get(kind) or []
            if isinstance(container, dict) and container.get("name")
        ]
        if self._containers is None:
            return names
        for wanted in self._containers:
            if wanted not in names:
                has = ", ".join(names) or "none"
                self._notice(
                    pod,
                    wanted,
                    f'container "{wanted}" is not in pod {pod} (it has: {has});'
                    " its log is not streamed",
                    once=f"unknown:{wanted}",
                )
        return [name for name in names if name in self._containers]

    def _start(self, pod: str, container: str) -> None:
        key = (pod, container)
        if key in self._started or self._tasks is None or self._ending or self._forbidden:
            return
        self._started.add(key)
        self._rings[key] = deque(maxlen=self._ring_lines)
        self._tasks.start_soon(self._follow, pod, container, name=f"waitkit.log {pod}/{container}")

    def _forget_old_pods(self) -> None:
        while len(self._pods) > _PODS_KEPT:
            oldest = next((name for name in self._pods if name in self._gone), None)
            if oldest is None:
                return
            del self._pods[oldest]
            self._gone.discard(oldest)
            for key in [key for key in self._rings if key[0] == oldest]:
                del self._rings[key]
                self._started.discard(key)

    def _wake(self, pod: str) -> None:
        event = self._changed.pop(pod, None)
        if event is not None:
            event.set()

    def _wake_all(self) -> None:
        for pod in list(self._changed):
            self._wake(pod)

    async def _pod_changed(self, pod: str, timeout: float = float("inf")) -> None:
        """Wait until the pod's snapshot changes (or the wait ends, or ``timeout``)."""
        if self._ending:
            return
        event = self._changed.get(pod)
        if event is None:
            event = self._changed[pod] = anyio.Event()
        with anyio.move_on_after(timeout):
            await event.wait()

    # ------------------------------------------------------------------ one container
    async def _follow(self, pod: str, container: str) -> None:
        one = _Follower(ring=self._rings[pod, container])
        while not (self._ending or self._forbidden) and pod not in self._gone:
            snapshot = self._pods.get(pod)
            if snapshot is None:
                return
            state, restarts = container_state(snapshot, container)
            if state == "terminated" and one.ended_run == restarts:
                one.finished_run = restarts  # its stream ended cleanly: the pod now says why
            idle = state == "waiting" or (state == "terminated" and one.finished_run == restarts)
            if idle and phase(snapshot) in _FINISHED:
                return  # read to its end, or never started: the pod will not run it again
            if idle:
                await self._pod_changed(pod)
                continue
            one.ended_run = None
            read = await self._attempt(pod, container, one)
            if read is None:
                return
            pause = one.pause * (0.5 + _random.random())
            if read >= 0:  # a clean end: the kubelet ends a followed log when its container does
                state, restarts = container_state(self._pods.get(pod) or {}, container)
                if state == "terminated":
                    one.finished_run = restarts
                    continue
                # The pod watch has not shown the end yet: wait for it rather than ask again.
                one.ended_run, pause = restarts, _SHOWN_ENDED
            await self._pod_changed(pod, timeout=pause)
            one.pause = min(one.pause * 2, _MAX_PAUSE)

    async def _attempt(self, pod: str, container: str, one: _Follower) -> int | None:
        """One stream: the new lines it brought, -1 to try again, ``None`` to stop following."""
        try:
            pool = stream_pool(self._api)
            if pool is None:
                read = await self._stream(pod, container, one)
            else:
                if pool.full() and not pool.told:
                    pool.told = True
                    self._notice(pod, container, pool.full_text(), once="pool")
                async with pool.slots:
                    read = await self._stream(pod, container, one)
        except ApiException as error:
            if api_status(error) == _BAD_REQUEST:  # waiting to start, as the kubelet sees it
                one.refusals += 1
                if one.refusals < _REFUSALS:
                    return -1
                self._notice(pod, container, self._unavailable(pod, container, error))
                return None
            hint = KUBERNETES.classify(error).retry_after
            if hint:  # 429 (or 503) with Retry-After: not sooner than the server asks
                await anyio.sleep(min(hint, _MAX_RETRY_AFTER))
            return -1 if self._recoverable(pod, container, error) else None
        except (aiohttp.ClientError, OSError, TimeoutError):
            return -1  # a broken or silent stream: resumed from the last line read
        one.refusals = 0
        if read:
            one.pause = _MIN_PAUSE
        return read

    def _recoverable(self, pod: str, container: str, error: ApiException) -> bool:
        """Whether to try again after ``error`` (a notice is given when not)."""
        kind = KUBERNETES.classify(error)
        if kind.kind in (ErrorKind.TRANSIENT, ErrorKind.THROTTLED):
            return True
        if kind.kind is ErrorKind.FATAL and api_status(error) == _FORBIDDEN:
            self._forbidden = True
            self._notice(
                "",
                "",
                f"logs of Job {self._job}'s pods cannot be read: {safe(describe_error(error))}",
                once="forbidden",
            )
        elif kind.kind is not ErrorKind.NOT_FOUND:  # not found: the pod is gone
            self._notice(pod, container, self._unavailable(pod, container, error))
        return False

    @staticmethod
    def _unavailable(pod: str, container: str, error: Exception) -> str:
        return f"log of {pod}/{container} unavailable: {safe(describe_error(error))}"

    async def _stream(self, pod: str, container: str, one: _Follower) -> int:
        """Read one follow stream to its end; the number of new lines it brought."""
        cursor = one.cursor
        query = [("container", container), ("follow", "true"), ("timestamps", "true")]
        since = cursor.since()
        if since is not None:
            query.append(("sinceTime", since))
        cursor.restart()
        path = f"{PODS.path(self._namespace)}/{pod}/log"
        response = await open_get(
            self._api, path, query, timeout=self._timeout, accept="text/plain, */*"
        )
        self._streaming.add((pod, container))
        read = 0
        try:
            splitter = LineSplitter()
            async for chunk in response.content.iter_any():
                self._last_read = anyio.current_time()
                for line in splitter.feed(chunk):
                    read += await self._deliver(pod, container, one, line)
            last = splitter.finish()
            if last is not None:
                read += await self._deliver(pod, container, one, last)
        finally:
            response.close()
            self._streaming.discard((pod, container))
        return read

    async def _deliver(self, pod: str, container: str, one: _Follower, line: str) -> int:
        stamp, nanos, text = split_timestamp(line)
        if nanos is not None and not one.cursor.admit(nanos):
            return 0  # a line the resumed stream repeats
        if one.ring.maxlen:
            one.ring.append((nanos or 0, clip(safe(text), LOG_LINE_WIDTH)))
        await self._call(
            LogLine(job=self._job, pod=pod, container=container, text=text, timestamp=stamp)
        )
        return 1

    def _notice(self, pod: str, container: str, text: str, *, once: str | None = None) -> None:
        key = once or text
        if key in self._said:
            return
        self._said.add(key)
        self.issues = (*self.issues, text)
        if self._tasks is not None and self._on_log is not None:
            notice = LogLine(job=self._job, pod=pod, container=container, text=text, notice=True)
            self._tasks.start_soon(self._call, notice)

    async def _call(self, line: LogLine) -> None:
        if self._on_log is None or self.failure is not None:
            return
        try:
            result = self._on_log(line)
            if inspect.isawaitable(result):
                await result
        except Exception as error:  # noqa: BLE001 - handed to the wait, which raises it
            failure = LogCallbackError(
                f"on_log raised {type(error).__name__} on a line of {line.pod}/{line.container}:"
                f" {clip(safe(str(error)), 200)}"
            )
            failure.__cause__ = error
            self.failure = failure
            self._ending = True
            self._wake_all()
            self.on_failure()
