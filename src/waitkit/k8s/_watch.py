"""One shared list+watch per (client, collection, namespace, selectors), read by its waiters.

The loop is waitkit's, over raw GETs (kubernetes_asyncio's ``Watch`` retries a 410
once with the same stale version, reconnects with no backoff and has no read timeout):

- LIST first (paged), take what it returns as the current state, then WATCH from the
  list's ``resourceVersion`` with ``allowWatchBookmarks``, as kubectl does;
- an ``ERROR`` event with 410 (``Expired``/``Gone``) or 504 (version too large): LIST
  again, watch from the new version;
- a clean end of stream (the server's ``timeoutSeconds``): watch again from the last
  version seen (bookmarks move it forward); a stream that ends at once, empty, is
  treated like a drop, so a misbehaving server cannot cause a hot loop;
- a dropped connection, a cut stream or a read timeout: reconnect with jittered backoff;
- errors of the LIST or WATCH request itself reach the observing waiter, whose
  engine classifies them (429 honours ``Retry-After``).

There is no background task. A waiter's ``observe()`` either finds news for its
object in the cache, or takes the *reader's chair* (a lock) and reads the stream
itself until its object changes or its long-poll ends; waiters without the chair
wait for the reader's "something changed" signal. Every line read serves every
waiter. The stream is closed when the last subscriber leaves.

Reads use ``readany``/``read_nowait`` with waitkit's own line buffer: a reader
cancelled mid-read loses no bytes (``readline`` would drop a partial line).

Why not an ``ObservationHub`` source (``waitkit._core._shared``): a hub serves rounds,
one ``fetch`` for all keys, each answer fresh for a ``max_age``; a watch is a stream
whose readers each keep a cursor and long-poll for *news* of their own object. As a hub
source it would be polled (losing the push) or block a whole round on one object's
news, so it stays a mechanism of its own. What it shares with the hub is the registry:
one watch per (client, key) in a ``PerClient``, dropped with its last subscriber.

Why one module of this length: the cache, the reader's chair and the reconnect loop
share one stream's state (its version, its buffer, who reads it), and each rule
above is a decision about that state; split, the rules would be in one file and the
state they guard in another.
"""

from __future__ import annotations

import contextlib
import json
import math
import random
from collections import Counter
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Final, TypeAlias

import aiohttp
import anyio
from kubernetes_asyncio.client.exceptions import ApiException

from waitkit._core import PerClient
from waitkit.k8s._client import get_json, open_get
from waitkit.k8s._errors import WatchBrokenError, api_status

if TYPE_CHECKING:
    from collections.abc import AsyncIterator, Callable, Iterator

    from kubernetes_asyncio.client import ApiClient

    from waitkit.k8s._options import WatchOptions
    from waitkit.k8s._resource import Resource

ObjectKey: TypeAlias = tuple[str, str]
"""(namespace or "", name) of an object."""

_GONE: Final = 410
_TOO_LARGE: Final = 504
# A stream that ends cleanly this fast with no event is a misbehaving server, not a
# timeout: back off instead of reconnecting in a loop (client-go's VeryShortWatchError).
_VERY_SHORT_WATCH: Final = 1.0
_random = random.Random()  # jitter, not cryptography


@dataclass(frozen=True, slots=True)
class StreamKey:
    """What makes two waiters share a stream."""

    resource: Resource
    namespace: str | None
    label_selector: str | None = None
    field_selector: str | None = None
    watch: bool = True


def object_key(obj: dict[str, Any]) -> ObjectKey:
    """The (namespace, name) of an object as the API returned it."""
    metadata = obj.get("metadata") or {}
    return str(metadata.get("namespace") or ""), str(metadata.get("name") or "")


def _resource_version(obj: dict[str, Any]) -> str | None:
    version = (obj.get("metadata") or {}).get("resourceVersion")
    return str(version) if version else None


class SharedWatch:
    """The cache and the stream of one :class:`StreamKey` (see the module docstring)."""

    def __init__(self, api: ApiClient, key: StreamKey, options: WatchOptions) -> None:
        self.api = api
        self.key = key
        self.options = options
        self._objects: dict[ObjectKey, dict[str, Any]] = {}
        self._seq: dict[ObjectKey, int] = {}
        self._counter = 0
        self._rv: str | None = None
        self._synced = False
        self._need_list = True
        self._list_failure: tuple[Exception, float] | None = None
        self._listed_at = -math.inf
        self._response: aiohttp.ClientResponse | None = None
        self._buffer = b""
        self._stream_started = 0.0
        self._stream_events = 0
        self._failures = 0
        self._retry_at = -math.inf
        self._io = anyio.Lock()
        # Followers wait per object, so an event wakes only the waiters of its object
        # (one global "changed" signal woke all 1,000 waiters for every line).
        self._events: dict[ObjectKey, anyio.Event] = {}
        self._followers: Counter[ObjectKey] = Counter()
        self.closed = False
        #: LIST calls made (pages count once each) and WATCH requests opened.
        self.lists = 0
        self.watches = 0

    # ------------------------------------------------------------------ reading the cache
    def snapshot(self, key: ObjectKey) -> tuple[int, dict[str, Any] | None]:
        """The change counter of ``key`` and its object (``None``: not there)."""
        return self._seq.get(key, 0), self._objects.get(key)

    def objects(self) -> Iterator[dict[str, Any]]:
        """Every cached object (a snapshot; safe to iterate while the stream is read)."""
        return iter(list(self._objects.values()))

    @property
    def synced(self) -> bool:
        """Whether a LIST has filled the cache."""
        return self._synced

    # ------------------------------------------------------------------ observing
    async def observe(
        self, key: ObjectKey, cursor: int, *, wait: float
    ) -> tuple[int, dict[str, Any] | None]:
        """``key``'s (counter, object) once its counter differs from ``cursor``, or after ``wait``.

        Never answers before the cache is synced. Raises whatever the LIST or the WATCH
        request raised.
        """
        if not self.options.watch:
            await self._poll()
            return self.snapshot(key)
        end = anyio.current_time() + wait

        def changed() -> bool:
            return self._seq.get(key, 0) != cursor

        while True:
            now = anyio.current_time()
            if self._synced and changed():
                return self.snapshot(key)
            if self._synced and self._io.locked():
                if now >= end:
                    return self.snapshot(key)
                await self._follow(key, end - now)  # someone reads: wait for their news
                continue
            if await self._read_as_leader(changed, end):
                return self.snapshot(key)
            if self._synced and anyio.current_time() >= end:
                return self.snapshot(key)

    async def _read_as_leader(self, done: Callable[[], bool], end: float) -> bool:
        """Take the reader's chair and read until ``done()`` or ``end``; False if not seated."""
        asked = anyio.current_time()
        try:
            self._io.acquire_nowait()
        except anyio.WouldBlock:
            seated = False
            with anyio.move_on_after(
                max(end - anyio.current_time(), 0.0) if self._synced else math.inf
            ):
                await self._io.acquire()
                seated = True
            if not seated:
                return False
        try:
            failure = self._list_failure
            if self._need_list and failure is not None and failure[1] >= asked:
                # The LIST failed while we queued for the chair: share that answer rather
                # than send one more LIST per waiter (1,000 waiters, one 429, one LIST).
                raise failure[0]
            if self._need_list:
                await self._list()
            if not done():
                await self._pump(done, end)
        finally:
            self._io.release()
            self._hand_over()
        return True

    async def refresh(self) -> None:
        """Bring the cache up to date without waiting for news (sync, then read what arrived)."""
        if not self.options.watch:
            await self._poll()
            return
        async with self._io:
            try:
                if self._need_list:
                    await self._list()
                if self._response is None and anyio.current_time() >= self._retry_at:
                    await self._connect()
                await self._pump(lambda: False, anyio.current_time())
            finally:
                self._hand_over()

    async def _poll(self) -> None:
        async with self._io:
            if anyio.current_time() - self._listed_at >= self.options.poll_interval:
                await self._list()

    async def _follow(self, key: ObjectKey, timeout: float) -> None:
        """Wait until ``key`` changes, the reader hands the chair over, or ``timeout``."""
        event = self._events.get(key)
        if event is None:
            event = self._events[key] = anyio.Event()
        self._followers[key] += 1
        try:
            with anyio.move_on_after(timeout):
                await event.wait()
        finally:
            self._followers[key] -= 1
            if self._followers[key] <= 0:
                del self._followers[key]
                if self._events.get(key) is event:
                    del self._events[key]

    def _wake(self, key: ObjectKey) -> None:
        event = self._events.pop(key, None)
        if event is not None:
            event.set()

    def _hand_over(self) -> None:
        """The reader leaves: wake the followers of one object; one of them takes the chair."""
        if not self._io.locked() and self._events:
            self._wake(next(iter(self._events)))

    # ------------------------------------------------------------------ LIST
    def _selectors(self) -> list[tuple[str, str]]:
        query: list[tuple[str, str]] = []
        if self.key.label_selector:
            query.append(("labelSelector", self.key.label_selector))
        if self.key.field_selector:
            query.append(("fieldSelector", self.key.field_selector))
        return query

    def _timeout(self) -> aiohttp.ClientTimeout:
        return aiohttp.ClientTimeout(
            total=None,
            sock_connect=self.options.connect_timeout,
            sock_read=self.options.read_timeout_seconds,
        )

    async def _list(self) -> None:
        """LIST every page; the result replaces the cache, its version starts the next watch."""
        self._close_stream()
        path = self.key.resource.path(self.key.namespace)
        items: list[dict[str, Any]] = []
        version: str | None = None
        token: str | None = None
        while True:
            query = [*self._selectors(), ("limit", str(self.options.page_size))]
            if token:
                query.append(("continue", token))
            self.lists += 1
            try:
                body = await get_json(self.api, path, query, timeout=self._timeout())
            except Exception as error:
                self._list_failure = (error, anyio.current_time())
                raise
            items.extend(item for item in body.get("items") or [] if isinstance(item, dict))
            metadata = body.get("metadata") or {}
            version = version or (
                str(metadata["resourceVersion"]) if metadata.get("resourceVersion") else None
            )
            token = metadata.get("continue") or None
            if not token:
                break
        fresh = {object_key(item): item for item in items}
        for key in [key for key in self._objects if key not in fresh]:
            self._remove(key)
        for key, item in fresh.items():
            self._put(key, item)
        self._rv = version
        self._synced = True
        self._need_list = False
        self._list_failure = None
        self._listed_at = anyio.current_time()

    # ------------------------------------------------------------------ WATCH
    async def _connect(self) -> None:
        if self._need_list:
            await self._list()
        delay = self._retry_at - anyio.current_time()
        if delay > 0:
            await anyio.sleep(delay)
        server_timeout = max(1, round(self.options.server_timeout * _random.uniform(1.0, 1.25)))
        query = [
            *self._selectors(),
            ("watch", "true"),
            ("allowWatchBookmarks", "true"),
            ("timeoutSeconds", str(server_timeout)),
        ]
        if self._rv:
            query.append(("resourceVersion", self._rv))
        self.watches += 1
        try:
            response = await open_get(
                self.api, self.key.resource.path(self.key.namespace), query, timeout=self._timeout()
            )
        except ApiException as error:
            if api_status(error) == _GONE:  # an uncached server may refuse the version outright
                self._need_list = True
            self._backoff()
            raise
        except Exception:
            self._backoff()
            raise
        self._response = response
        self._buffer = b""
        self._stream_started = anyio.current_time()
        self._stream_events = 0

    async def _pump(self, done: Callable[[], bool], end: float) -> None:
        """Read the stream until ``done()`` or the loop clock reaches ``end``."""
        while not done():
            if self._response is None:
                if not await self._connect_until(end):
                    return  # the long-poll ended during the backoff or the connect
                continue
            try:
                chunk = await self._read_chunk(self._response, end)
            except (aiohttp.ClientError, TimeoutError, OSError):
                self._stream_broken()
                continue
            if chunk is None:
                return  # the long-poll ended with no data
            if not chunk:
                self._stream_ended()
                continue
            try:
                self._feed(chunk)
            except WatchBrokenError:
                self._stream_broken()

    async def _connect_until(self, end: float) -> bool:
        now = anyio.current_time()
        if now >= end:
            return False
        with anyio.move_on_after(end - now):
            await self._connect()
            return True
        return False

    @staticmethod
    async def _read_chunk(response: aiohttp.ClientResponse, end: float) -> bytes | None:
        """What arrived (``b""``: the stream ended), or ``None`` if nothing came by ``end``."""
        content = response.content
        chunk = content.read_nowait()
        if chunk or content.is_eof():
            return chunk
        now = anyio.current_time()
        if now >= end:
            return None
        with anyio.move_on_after(end - now):
            return await content.readany()
        return None

    def _feed(self, chunk: bytes) -> None:
        self._buffer += chunk
        while self._response is not None:
            line, sep, rest = self._buffer.partition(b"\n")
            if not sep:
                return
            self._buffer = rest
            if line.strip():
                self._event(line)

    def _event(self, line: bytes) -> None:
        try:
            event = json.loads(line)
            kind = event["type"]
            obj = event["object"]
        except (ValueError, KeyError, TypeError) as error:
            msg = f"a watch line is not an event: {line[:200]!r}"
            raise WatchBrokenError(msg) from error
        if not isinstance(obj, dict):
            msg = f"a watch event carries no object: {line[:200]!r}"
            raise WatchBrokenError(msg)
        self._stream_events += 1
        self._failures = 0
        if kind == "ERROR":
            code = obj.get("code")
            if code in (_GONE, _TOO_LARGE):
                # Our version is compacted away (or ahead of this server): LIST again.
                self._need_list = True
                self._close_stream()
                return
            msg = f"watch ERROR event: {obj.get('code')} {obj.get('reason')}: {obj.get('message')}"
            raise WatchBrokenError(msg)
        version = _resource_version(obj)
        if kind == "BOOKMARK":  # only metadata.resourceVersion is meaningful
            self._rv = version or self._rv
            return
        if kind in ("ADDED", "MODIFIED"):
            self._put(object_key(obj), obj)
        elif kind == "DELETED":
            self._remove(object_key(obj))
        self._rv = version or self._rv

    def _stream_ended(self) -> None:
        short = anyio.current_time() - self._stream_started < _VERY_SHORT_WATCH
        empty = self._stream_events == 0
        self._close_stream()
        if short and empty and not self._need_list:
            self._backoff()

    def _stream_broken(self) -> None:
        self._close_stream()
        self._backoff()

    def _backoff(self) -> None:
        self._failures += 1
        ceiling = min(
            self.options.reconnect_max_delay,
            self.options.reconnect_min_delay * 2 ** (self._failures - 1),
        )
        self._retry_at = anyio.current_time() + _random.uniform(ceiling / 2, ceiling)

    def _close_stream(self) -> None:
        response, self._response = self._response, None
        self._buffer = b""
        if response is not None:
            response.close()

    # ------------------------------------------------------------------ cache changes
    def _put(self, key: ObjectKey, obj: dict[str, Any]) -> None:
        old = self._objects.get(key)
        if old is not None and _resource_version(old) == _resource_version(obj):
            return
        self._objects[key] = obj
        self._bump(key)

    def _remove(self, key: ObjectKey) -> None:
        if self._objects.pop(key, None) is not None:
            self._bump(key)

    def _bump(self, key: ObjectKey) -> None:
        self._counter += 1
        self._seq[key] = self._counter
        self._wake(key)

    def close(self) -> None:
        """Close the stream (synchronous: nothing to await, nothing to shield)."""
        self.closed = True
        self._close_stream()


@dataclass(slots=True)
class _Entry:
    watch: SharedWatch
    refs: int = 0


# One shared watch per (client, stream key) while anyone reads it; dropped with the client.
_STREAMS: PerClient[StreamKey, _Entry] = PerClient()


@contextlib.asynccontextmanager
async def subscribe(
    api: ApiClient, key: StreamKey, options: WatchOptions
) -> AsyncIterator[SharedWatch]:
    """The shared watch of ``(api, key)`` for the block; closed when its last subscriber leaves."""
    entry = _STREAMS.get_or_create(api, key, lambda: _Entry(SharedWatch(api, key, options)))
    entry.refs += 1
    try:
        yield entry.watch
    finally:
        entry.refs -= 1
        if entry.refs <= 0:
            _STREAMS.discard(api, key, entry)
            entry.watch.close()


def open_streams(api: ApiClient) -> int:
    """How many shared watches of ``api`` have subscribers (for tests and diagnostics)."""
    return _STREAMS.count(api)
