"""Objects, the global resourceVersion counter, the bounded event history and the watchers.

One integer counter orders every change in the cluster, as etcd's revision does.
Each change becomes an event that is kept in a bounded ring (the history a watch
can resume from) and pushed to every open watcher's queue. A watch asking for a
version whose later events were dropped from the ring gets 410 Expired.
"""

from __future__ import annotations

import asyncio
import copy
from collections import deque
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

EventType = Literal["ADDED", "MODIFIED", "DELETED"]
Key = tuple[str, str, str]
"""(resource, namespace, name); the namespace is "" for cluster-scoped objects."""


@dataclass(frozen=True)
class Event:
    """One change: the object after it (before it, for DELETED) and, for MODIFIED, before it."""

    rv: int
    type: EventType
    resource: str
    obj: dict[str, Any]
    old: dict[str, Any] | None = None


@dataclass(eq=False)
class Watcher:
    """An open watch stream's subscription: which objects it wants and where its events go."""

    resource: str
    namespace: str | None
    wants: Callable[[Mapping[str, Any]], bool]
    queue: asyncio.Queue[Event | None] = field(default_factory=asyncio.Queue)

    def translate(self, event: Event) -> Event | None:
        """The event this watcher sees (None: not for it).

        An update that moves an object into or out of the selection is ADDED or DELETED.
        """
        if event.resource != self.resource or (
            self.namespace is not None and event.obj["metadata"].get("namespace") != self.namespace
        ):
            return None
        now = self.wants(event.obj)
        before = self.wants(event.old) if event.type == "MODIFIED" and event.old else now
        if now and before:
            return event
        if now:
            return Event(event.rv, "ADDED", event.resource, event.obj)
        if before:
            # The real server reports the object leaving a filtered watch as DELETED.
            return Event(event.rv, "DELETED", event.resource, event.obj)
        return None


class Store:
    """Every emulated object, keyed by (resource, namespace, name)."""

    def __init__(self, history: int) -> None:
        self._objects: dict[Key, dict[str, Any]] = {}
        self._history: deque[Event] = deque(maxlen=history)
        self._watchers: set[Watcher] = set()
        self._rv = 1
        # Events with rv <= this have been dropped: a watch from an older rv cannot resume.
        self._compacted = 0

    @property
    def resource_version(self) -> int:
        """The latest version in the cluster."""
        return self._rv

    @property
    def watchers(self) -> frozenset[Watcher]:
        """Open watch subscriptions."""
        return frozenset(self._watchers)

    def get(self, key: Key) -> dict[str, Any] | None:
        """A copy of one object, or None."""
        obj = self._objects.get(key)
        return copy.deepcopy(obj) if obj is not None else None

    def items(self, resource: str, namespace: str | None = None) -> Iterator[dict[str, Any]]:
        """Copies of a resource's objects (in one namespace, or all), in name order."""
        for key in sorted(self._objects):
            res, ns, _ = key
            if res == resource and (namespace is None or ns == namespace):
                yield copy.deepcopy(self._objects[key])

    def put(self, resource: str, obj: dict[str, Any]) -> dict[str, Any]:
        """Create or replace an object: bump the version, record and broadcast the change."""
        meta = obj["metadata"]
        key = (resource, meta.get("namespace", ""), meta["name"])
        old = self._objects.get(key)
        self._rv += 1
        meta["resourceVersion"] = str(self._rv)
        stored = copy.deepcopy(obj)
        self._objects[key] = stored
        self._record(Event(self._rv, "MODIFIED" if old else "ADDED", resource, stored, old))
        return copy.deepcopy(stored)

    def remove(self, key: Key) -> dict[str, Any] | None:
        """Delete an object (DELETED carries its last state, at a new version); None if absent."""
        obj = self._objects.pop(key, None)
        if obj is None:
            return None
        self._rv += 1
        obj = copy.deepcopy(obj)
        obj["metadata"]["resourceVersion"] = str(self._rv)
        self._record(Event(self._rv, "DELETED", key[0], obj))
        return copy.deepcopy(obj)

    def _record(self, event: Event) -> None:
        if len(self._history) == self._history.maxlen:
            self._compacted = self._history[0].rv
        self._history.append(event)
        for watcher in self._watchers:
            seen = watcher.translate(event)
            if seen is not None:
                watcher.queue.put_nowait(seen)

    def compact(self) -> None:
        """Forget the whole history (every watch resuming from an older version gets 410)."""
        self._history.clear()
        self._compacted = self._rv

    @property
    def oldest_resumable(self) -> int:
        """The oldest version a watch can still resume from."""
        return self._compacted

    def since(self, rv: int) -> list[Event] | None:
        """Events after ``rv`` (oldest first), or None when some of them were compacted away."""
        if rv < self._compacted:
            return None
        return [event for event in self._history if event.rv > rv]

    def subscribe(self, watcher: Watcher) -> None:
        """Start pushing matching events to a watcher."""
        self._watchers.add(watcher)

    def unsubscribe(self, watcher: Watcher) -> None:
        """Stop pushing events to a watcher."""
        self._watchers.discard(watcher)
