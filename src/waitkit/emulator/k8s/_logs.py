"""``pods/log`` as the kubelet serves it: read once, or followed while the container runs.

A container's log is the pod's ``logs`` text (written when the pod was created) and
then its ``log_lines``, each written when scenario time reaches its ``at``. Every line
carries the time it was written: the cluster's epoch plus the pod's birth plus ``at``,
in scenario seconds, one nanosecond apart within a container, so they are distinct
and ordered.

The query parameters behave as the kubelet applies them (``kuberuntime_logs.go``):
``tailLines`` picks the last lines first, ``sinceTime``/``sinceSeconds`` then drop the
lines written before it, ``timestamps`` prefixes each line with its RFC 3339 time
(nanoseconds, trailing zeros trimmed, as Go's ``RFC3339Nano``) and a space, and
``limitBytes`` ends the answer after that many bytes, timestamps included. The API
server forwards ``sinceTime`` to the kubelet in whole seconds, so a line written in
the same second before it is still served.

With ``follow=true`` the answer is a chunked stream: the lines written so far, then
each line as scenario time reaches it, until the container has terminated (or its pod
is deleted) and every line it wrote was sent. A ``cut_watch`` fault on ``log`` aborts
the stream after ``after_events`` lines.
"""

from __future__ import annotations

import asyncio
import contextlib
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, Final

from aiohttp import web

from waitkit.emulator.k8s._scenario import PodScenario
from waitkit.emulator.k8s._status import error_response, not_found
from waitkit.emulator.k8s._watch import FAULTS_KEY, truthy

if TYPE_CHECKING:
    from waitkit.emulator._clock import ScenarioClock
    from waitkit.emulator.k8s._cluster import Cluster
    from waitkit.emulator.k8s._store import Key

_NANOS: Final = 1_000_000_000
_RFC3339: Final = re.compile(
    r"(?P<seconds>\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(?:\.\d+)?(?P<zone>[Zz]|[+-]\d\d:\d\d)"
)
# Real seconds between checks that a follower's client is still connected.
_HANGUP_CHECK: Final = 0.2


@dataclass(frozen=True, slots=True)
class Record:
    """One line as written: when (nanoseconds since the epoch) and its text (newline kept)."""

    nanos: int
    text: str


@dataclass(frozen=True, slots=True)
class _Query:
    container: str
    follow: bool
    timestamps: bool
    tail: int | None
    limit: int | None
    since: int | None


def rfc3339_nano(nanos: int) -> str:
    """Go's ``time.RFC3339Nano`` in UTC: ``2026-11-30T10:00:01.5Z`` (trailing zeros trimmed)."""
    seconds, fraction = divmod(nanos, _NANOS)
    text = datetime.fromtimestamp(seconds, UTC).strftime("%Y-%m-%dT%H:%M:%S")
    if fraction:
        text += "." + f"{fraction:09d}".rstrip("0")
    return text + "Z"


def records(spec: PodScenario, container: str, *, origin: int, elapsed: float) -> list[Record]:
    """The lines ``container`` wrote by ``elapsed`` scenario seconds after the pod was born.

    ``origin`` is the pod's birth in nanoseconds since the epoch.
    """
    first = spec.containers[0]
    text = spec.logs.get(container, spec.logs.get("", "") if container == first else "")
    timed = [(0.0, part) for part in _split(text)]
    for point in spec.log_lines:
        if (point.container or first) == container and point.at <= elapsed:
            timed += [(point.at, line + "\n") for line in point.text.split("\n")]
    timed.sort(key=lambda item: item[0])  # stable: lines of one point keep their order
    return [
        Record(origin + round(at * _NANOS) + index, line) for index, (at, line) in enumerate(timed)
    ]


def next_line_due(spec: PodScenario, elapsed: float) -> float | None:
    """Scenario seconds after the pod's birth at which its next line is written (None: none)."""
    return min((point.at for point in spec.log_lines if point.at > elapsed), default=None)


def _split(text: str) -> list[str]:
    """Lines with their newline; only a newline ends a line (a carriage return does not)."""
    parts = text.split("\n")
    lines = [part + "\n" for part in parts[:-1]]
    if parts[-1]:
        lines.append(parts[-1])
    return lines


class LogStreams:
    """Serves ``pods/log``; follows end when their container does, or on :meth:`close`."""

    def __init__(self, cluster: Cluster, clock: ScenarioClock) -> None:
        self._cluster = cluster
        self._clock = clock
        self._changed = asyncio.Event()
        self._closing = False
        self._streams: set[asyncio.Task[Any]] = set()
        #: Followed streams open now, opened in all, and the most open at once.
        self.open = 0
        self.opened = 0
        self.most_open = 0

    def notify(self) -> None:
        """Something changed (time moved, an object changed): followers look again."""
        self._changed.set()
        self._changed = asyncio.Event()

    async def close(self, *, grace: float = 2.0) -> None:
        """End every followed stream (cleanly) and wait briefly for their handlers."""
        self._closing = True
        self.notify()
        if self._streams:
            await asyncio.wait(set(self._streams), timeout=grace)

    async def serve(self, request: web.Request) -> web.StreamResponse:
        """``GET .../pods/NAME/log``."""
        namespace = request.match_info["namespace"]
        name = request.match_info["name"]
        key: Key = ("pods", namespace, name)
        pod = self._cluster.read(key)
        if pod is None:
            return not_found("pods", name)
        spec = self._cluster.spec("pods", namespace, name)
        assert isinstance(spec, PodScenario)  # noqa: S101 - pods are PodScenarios
        query = _parse(request, spec, name)
        if isinstance(query, web.Response):
            return query
        refusal = _refusal(pod, query.container, previous=truthy(request.query.get("previous")))
        if refusal is not None:
            return error_response(400, refusal)
        written = self._written(key, spec, query.container)
        self._cluster.observed([key])
        if not query.follow:
            body = b"".join(_lines(written, query))
            if query.limit is not None:
                body = body[: query.limit]
            return web.Response(text=body.decode(errors="ignore"), content_type="text/plain")
        return await self._follow(request, key, spec, query, written)

    def _written(self, key: Key, spec: PodScenario, container: str) -> list[Record]:
        born = self._cluster.born(key)
        return records(
            spec,
            container,
            origin=self._cluster.epoch + round(born * _NANOS),
            elapsed=self._clock.now() - born,
        )

    async def _follow(
        self,
        request: web.Request,
        key: Key,
        spec: PodScenario,
        query: _Query,
        written: list[Record],
    ) -> web.StreamResponse:
        cut_after = min(
            (f.after_events for f in request.get(FAULTS_KEY, []) if f.kind == "cut_watch"),
            default=None,
        )
        response = web.StreamResponse(status=200, headers={"Content-Type": "text/plain"})
        response.enable_chunked_encoding()
        task = asyncio.current_task()
        assert task is not None  # noqa: S101 - aiohttp runs handlers in tasks
        self._streams.add(task)
        self.open += 1
        self.opened += 1
        self.most_open = max(self.most_open, self.open)
        try:
            await response.prepare(request)
            stream = _Stream(response, query, cut_after)
            pending = _lines(written, query)
            sent = len(written)
            while True:
                changed = self._changed
                if not await stream.send(pending, request):
                    return response  # cut (a fault) or its limit reached
                if self._closing or _hung_up(request) or self._ended(key, query.container):
                    break
                await self._sleep(changed, key, spec)
                if self._cluster.read(key) is None:
                    break  # deleted: the kubelet's stream ends with the container
                now_written = self._written(key, spec, query.container)
                pending, sent = _lines(now_written[sent:], query, since=False), len(now_written)
            with contextlib.suppress(ConnectionError):
                await response.write_eof()
        except ConnectionError:
            pass  # the client went away
        finally:
            self.open -= 1
            self._streams.discard(task)
        return response

    def _ended(self, key: Key, container: str) -> bool:
        """Whether the container has terminated (or its pod is gone): no line will follow."""
        pod = self._cluster.read(key)
        if pod is None:
            return True
        for status in pod["status"].get("containerStatuses", []):
            if status["name"] == container:
                return "terminated" in status.get("state", {})
        return False

    async def _sleep(self, changed: asyncio.Event, key: Key, spec: PodScenario) -> None:
        """Until something changes, the next line or point is due, or the hang-up check."""
        born = self._cluster.born(key)
        now = self._clock.now()
        line = next_line_due(spec, now - born)
        wait = _HANGUP_CHECK
        for due in (None if line is None else born + line, self._cluster.next_due_of(key, now)):
            real = None if due is None else self._clock.real_seconds(due - now)
            if real is not None:
                wait = min(wait, max(real, 0.0) + 0.001)
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(changed.wait(), timeout=wait)


class _Stream:
    """What one followed answer has written: lines (for a cut) and bytes (for its limit)."""

    def __init__(self, response: web.StreamResponse, query: _Query, cut_after: int | None) -> None:
        self._response = response
        self._left = query.limit
        self._cut_after = cut_after
        self._lines = 0

    async def send(self, lines: list[bytes], request: web.Request) -> bool:
        """Write ``lines``; False once the stream must end without more (a cut, the limit)."""
        for line in lines:
            if self._cut_after is not None and self._lines >= self._cut_after:
                if request.transport is not None:
                    request.transport.abort()  # abrupt: no terminating chunk
                return False
            chunk = line if self._left is None else line[: self._left]
            await self._response.write(chunk)
            self._lines += 1
            if self._left is not None:
                self._left -= len(chunk)
                if self._left <= 0:
                    with contextlib.suppress(ConnectionError):
                        await self._response.write_eof()
                    return False
        return True


def _lines(written: list[Record], query: _Query, *, since: bool = True) -> list[bytes]:
    """The answer's lines as bytes: the tail first, then sinceTime, then timestamps."""
    chosen = written
    if since and query.tail is not None:
        chosen = written[-query.tail :] if query.tail > 0 else []
    if since and query.since is not None:
        chosen = [record for record in chosen if record.nanos >= query.since]
    if query.timestamps:
        return [f"{rfc3339_nano(r.nanos)} {r.text}".encode() for r in chosen]
    return [record.text.encode() for record in chosen]


def _parse(request: web.Request, spec: PodScenario, pod: str) -> _Query | web.Response:
    query = request.query
    container = query.get("container")
    if container is None:
        if len(spec.containers) > 1:
            choices = " ".join(spec.containers)
            return error_response(
                400, f"a container name must be specified for pod {pod}, choose one of: [{choices}]"
            )
        container = spec.containers[0]
    if container not in spec.containers:
        return error_response(400, f"container {container} is not valid for pod {pod}")
    try:
        tail = _integer(query.get("tailLines"), "tailLines", minimum=0)
        limit = _integer(query.get("limitBytes"), "limitBytes", minimum=1)
        seconds = _integer(query.get("sinceSeconds"), "sinceSeconds", minimum=1)
        since = _since_time(query.get("sinceTime"))
    except ValueError as exc:
        return error_response(400, str(exc))
    if since is not None and seconds is not None:
        message = "PodLogOptions is invalid: at most one of sinceTime or sinceSeconds may be set"
        return error_response(422, message, reason="Invalid")
    if seconds is not None:
        since = (int(datetime.now(UTC).timestamp()) - seconds) * _NANOS
    return _Query(
        container=container,
        follow=truthy(query.get("follow")),
        timestamps=truthy(query.get("timestamps")),
        tail=tail,
        limit=limit,
        since=since,
    )


def _integer(raw: str | None, name: str, *, minimum: int) -> int | None:
    if raw is None:
        return None
    try:
        value = int(raw)
    except ValueError:
        msg = f"invalid {name}: {raw!r} is not an integer"
        raise ValueError(msg) from None
    if value < minimum:
        msg = f"invalid {name}: must be >= {minimum}, got {value}"
        raise ValueError(msg)
    return value


def _since_time(raw: str | None) -> int | None:
    """``sinceTime`` in nanoseconds, cut to whole seconds as the API server forwards it."""
    if raw is None:
        return None
    match = _RFC3339.fullmatch(raw)
    if match is None:
        msg = f"invalid sinceTime: {raw!r} is not RFC 3339"
        raise ValueError(msg)
    zone = match["zone"].upper().replace("Z", "+00:00")
    return int(datetime.fromisoformat(match["seconds"] + zone).timestamp()) * _NANOS


def _refusal(pod: dict[str, Any], container: str, *, previous: bool) -> str | None:
    """Why the kubelet would refuse this container's log (None: it would serve it)."""
    name = pod["metadata"]["name"]
    statuses = {c["name"]: c for c in pod["status"].get("containerStatuses", [])}
    status = statuses.get(container)
    if previous:
        if status is None or "terminated" not in status.get("lastState", {}):
            return f'previous terminated container "{container}" in pod "{name}" not found'
        return None
    waiting = status.get("state", {}).get("waiting") if status else {"reason": "PodInitializing"}
    if waiting is None:
        return None
    reason = waiting.get("reason", "ContainerCreating")
    if reason in ("ImagePullBackOff", "ErrImagePull"):
        reason = "trying and failing to pull image"
    return f'container "{container}" in pod "{name}" is waiting to start: {reason}'


def _hung_up(request: web.Request) -> bool:
    # aiohttp does not cancel a handler when its client disconnects, so look.
    return request.transport is None or request.transport.is_closing()
