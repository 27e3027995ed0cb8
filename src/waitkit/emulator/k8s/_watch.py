"""Watch streams: resourceVersion start points, 410, bookmarks, timeouts and cuts.

The stream is an HTTP 200 whose headers go out before any event, then one
compact JSON event per line, each written (and so flushed) as it happens.
Errors about the start point (too old: 410 Expired; in the future: 504
Timeout) are ``ERROR`` events on that 200 stream, as the watch cache sends them.
"""

from __future__ import annotations

import asyncio
import contextlib
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from aiohttp import web

from waitkit.emulator._faults import Fault
from waitkit.emulator.k8s._status import dumps, error_response, status_body
from waitkit.emulator.k8s._store import Event, Key, Watcher
from waitkit.emulator.k8s._tables import table, wants_table

if TYPE_CHECKING:
    from waitkit.emulator._counters import RequestCounters
    from waitkit.emulator.k8s._cluster import Cluster
    from waitkit.emulator.k8s._kinds import Kind
    from waitkit.emulator.k8s._scenario import KubernetesScenario
    from waitkit.emulator.k8s._selectors import Predicate

FAULTS_KEY = web.RequestKey("waitkit.k8s.faults", list[Fault])
INITIAL_EVENTS_END = "k8s.io/initial-events-end"
_HANGUP_CHECK = 0.2  # seconds between checks that the client is still connected


def truthy(value: str | None) -> bool:
    """Query booleans as clients send them (kubernetes_asyncio sends ``True``)."""
    return value is not None and value.lower() in ("true", "1")


@dataclass
class _Request:
    """One watch request, parsed."""

    kind: Kind
    namespace: str | None
    raw_rv: str
    start_rv: int | None
    timeout: float
    bookmarks: bool
    send_initial: bool
    as_table: bool = False
    faults: list[Fault] = field(default_factory=list)


@dataclass
class _Opening:
    """What a stream starts with, decided with no await so no change slips past."""

    lines: list[dict[str, Any]] = field(default_factory=list)
    observed: list[Key] = field(default_factory=list)
    final: bool = False


class WatchHub:
    """Serves watch requests and ends them all on :meth:`close`."""

    def __init__(
        self, cluster: Cluster, scenario: KubernetesScenario, counters: RequestCounters
    ) -> None:
        self._cluster = cluster
        self._scenario = scenario
        self._counters = counters
        self._streams: set[asyncio.Task[Any]] = set()
        self._closing = False

    async def close(self, *, grace: float = 2.0) -> None:
        """End every open stream (cleanly) and wait briefly for their handlers to finish."""
        self._closing = True
        for watcher in self._cluster.store.watchers:
            watcher.queue.put_nowait(None)
        if self._streams:
            await asyncio.wait(set(self._streams), timeout=grace)

    def _parse(
        self, request: web.Request, kind: Kind, namespace: str | None
    ) -> _Request | web.Response:
        query = request.query
        send_initial = truthy(query.get("sendInitialEvents"))
        match = query.get("resourceVersionMatch")
        if send_initial and match != "NotOlderThan":
            msg = "sendInitialEvents requires setting resourceVersionMatch to NotOlderThan"
            return error_response(422, msg, reason="Invalid")
        if match and not send_initial:
            msg = "resourceVersionMatch is forbidden for watch unless sendInitialEvents is provided"
            return error_response(422, msg, reason="Invalid")
        raw_rv = query.get("resourceVersion", "")
        try:
            timeout = float(query.get("timeoutSeconds", self._scenario.default_watch_timeout))
            start_rv = int(raw_rv) if raw_rv not in ("", "0") else None
        except ValueError:
            return error_response(400, f"invalid resource version or timeout: {raw_rv!r}")
        return _Request(
            kind=kind,
            namespace=namespace,
            raw_rv=raw_rv,
            start_rv=start_rv,
            timeout=timeout,
            bookmarks=truthy(query.get("allowWatchBookmarks")),
            send_initial=send_initial,
            as_table=wants_table(request.headers.get("Accept", "")),
            faults=request.get(FAULTS_KEY, []),
        )

    def _bookmark(self, kind: Kind, *, initial_end: bool = False) -> dict[str, Any]:
        meta: dict[str, Any] = {"resourceVersion": str(self._cluster.store.resource_version)}
        if initial_end:
            meta["annotations"] = {INITIAL_EVENTS_END: "true"}
        obj = {"kind": kind.kind, "apiVersion": kind.api_version, "metadata": meta}
        return {"type": "BOOKMARK", "object": obj}

    def _open(self, req: _Request, watcher: Watcher) -> _Opening:
        store = self._cluster.store
        opening = _Opening()
        if any(f.kind == "gone" for f in req.faults):
            message = f"too old resource version: {req.raw_rv or 0} ({store.oldest_resumable})"
            opening.lines.append(_error(410, message))
            opening.final = True
        elif req.start_rv is None or req.send_initial:
            # "Get state and start at most recent": a synthetic ADDED per matching object.
            for obj in list(store.items(req.kind.resource, req.namespace)):
                meta = obj["metadata"]
                key: Key = (req.kind.resource, meta.get("namespace", ""), meta["name"])
                current = self._cluster.read(key)
                if current is not None and watcher.wants(current):
                    opening.lines.append({"type": "ADDED", "object": current})
                    opening.observed.append(key)
            if req.send_initial and req.bookmarks:
                opening.lines.append(self._bookmark(req.kind, initial_end=True))
        elif req.start_rv > store.resource_version:
            message = (
                f"Too large resource version: {req.start_rv}, current: {store.resource_version}"
            )
            cause = {"reason": "ResourceVersionTooLarge", "message": "Too large resource version"}
            details = {"causes": [cause], "retryAfterSeconds": 1}
            opening.lines.append(_error(504, message, reason="Timeout", details=details))
            opening.final = True
        else:
            history = store.since(req.start_rv)
            if history is None:
                message = f"too old resource version: {req.start_rv} ({store.oldest_resumable})"
                opening.lines.append(_error(410, message))
                opening.final = True
            else:
                seen = (watcher.translate(event) for event in history)
                opening.lines.extend(_event(event) for event in seen if event is not None)
        return opening

    async def serve(
        self, request: web.Request, kind: Kind, namespace: str | None, wants: Predicate
    ) -> web.StreamResponse:
        """Answer one watch request."""
        parsed = self._parse(request, kind, namespace)
        if isinstance(parsed, web.Response):
            return parsed
        watcher = Watcher(kind.resource, namespace, wants)
        opening = self._open(parsed, watcher)
        if not opening.final and not self._closing:
            self._cluster.store.subscribe(watcher)
        self._cluster.observed(opening.observed)
        task = asyncio.current_task()
        assert task is not None  # noqa: S101 - aiohttp runs handlers in tasks
        self._streams.add(task)
        self._counters.watch_opened()
        response = web.StreamResponse(status=200, headers={"Content-Type": "application/json"})
        response.enable_chunked_encoding()
        try:
            await response.prepare(request)
            if await self._pump(request, response, parsed, watcher, opening):
                with contextlib.suppress(ConnectionError):
                    await response.write_eof()
        except ConnectionError:
            pass  # the client went away; nothing left to tell it
        finally:
            self._cluster.store.unsubscribe(watcher)
            self._streams.discard(task)
            self._counters.watch_closed()
        return response

    @staticmethod
    def _shape(req: _Request, line: dict[str, Any]) -> dict[str, Any]:
        if req.as_table and line["type"] in ("ADDED", "MODIFIED", "DELETED"):
            # `kubectl get -w` asks for Table rows on the watch too.
            obj = line["object"]
            rows = table(req.kind.resource, [obj], obj["metadata"]["resourceVersion"])
            return {"type": line["type"], "object": rows}
        return line

    async def _pump(
        self,
        request: web.Request,
        response: web.StreamResponse,
        req: _Request,
        watcher: Watcher,
        opening: _Opening,
    ) -> bool:
        """Write events until the end; False when the stream was cut (no clean end)."""
        cut_after = min((f.after_events for f in req.faults if f.kind == "cut_watch"), default=None)
        loop = asyncio.get_running_loop()
        deadline = loop.time() + req.timeout
        next_bookmark = loop.time() + self._scenario.bookmark_interval
        pending = list(opening.lines)
        sent = 0
        while True:
            for line in pending:
                if cut_after is not None and sent >= cut_after:
                    _cut(request)
                    return False
                await response.write((dumps(self._shape(req, line)) + "\n").encode())
                sent += 1
            pending = []
            now = loop.time()
            if opening.final or self._closing or now >= deadline or _hung_up(request):
                return True
            if req.bookmarks and now >= next_bookmark:
                pending.append(self._bookmark(req.kind))
                next_bookmark = now + self._scenario.bookmark_interval
                continue
            wait = min(deadline - now, _HANGUP_CHECK)
            if req.bookmarks:
                wait = min(wait, next_bookmark - now)
            try:
                item = await asyncio.wait_for(watcher.queue.get(), timeout=max(wait, 0))
            except TimeoutError:
                continue
            if item is None:
                return True
            pending.append(_event(item))


def _hung_up(request: web.Request) -> bool:
    # aiohttp does not cancel a handler when its client disconnects, so look.
    return request.transport is None or request.transport.is_closing()


def _event(event: Event) -> dict[str, Any]:
    return {"type": event.type, "object": event.obj}


def _error(
    code: int, message: str, *, reason: str | None = None, details: dict[str, Any] | None = None
) -> dict[str, Any]:
    return {"type": "ERROR", "object": status_body(code, message, reason=reason, details=details)}


def _cut(request: web.Request) -> None:
    # A cut is abrupt (no terminating chunk): the client sees a broken stream, not a clean end.
    if request.transport is not None:
        request.transport.abort()
