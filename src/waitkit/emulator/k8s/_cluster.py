"""The emulated cluster's state: objects, their timelines, and moving them along.

Each scripted object remembers when it was born (scenario seconds) and how often a
client looked at it. :meth:`Cluster.refresh` re-renders an object when its
timeline index moved, which bumps its resourceVersion and tells the watchers.
Reads refresh first (so a poller sees a due point at once); the backend's ticker
refreshes everything when the next ``at`` point falls due (so watchers see it).
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from waitkit.emulator._clock import ScenarioClock
from waitkit.emulator._timeline import current_index
from waitkit.emulator.k8s._kinds import Resource
from waitkit.emulator.k8s._render import render_job, render_pod, timestamp
from waitkit.emulator.k8s._scenario import (
    JobPoint,
    JobScenario,
    KubernetesScenario,
    PodPoint,
    PodScenario,
)
from waitkit.emulator.k8s._store import Key, Store


class AlreadyExistsError(Exception):
    """An object with that name already exists."""


class MissingError(Exception):
    """No such object (or namespace)."""


@dataclass
class _Entry:
    spec: JobScenario | PodScenario
    uid: str
    created: str
    born: float
    observations: int = 0
    index: int = -1
    points: Sequence[JobPoint | PodPoint] = field(default_factory=list)


class Cluster:
    """Namespaces, Jobs and Pods, with their timelines, on top of a :class:`Store`."""

    def __init__(self, scenario: KubernetesScenario, clock: ScenarioClock) -> None:
        self.store = Store(scenario.history)
        self._clock = clock
        #: Nanoseconds since the epoch at scenario time 0: log lines are timestamped from it.
        self.epoch = time.time_ns()
        self._entries: dict[Key, _Entry] = {}
        # Called after every change so the ticker can recompute when to wake up.
        self.on_change: Callable[[], None] = lambda: None
        for name in scenario.namespaces:
            self.add_namespace(name)
        # Scenario objects are born at scenario time 0, whenever the clock is (re)started.
        for job in scenario.jobs:
            self._add("jobs", job, born=0.0)
        for pod in scenario.pods:
            self._add("pods", pod, born=0.0)

    # ------------------------------------------------------------ creation

    def add_namespace(self, name: str) -> dict[str, Any]:
        """Create a namespace (no-op answer if it exists)."""
        existing = self.store.get(("namespaces", "", name))
        if existing is not None:
            return existing
        return self.store.put(
            "namespaces",
            {
                "apiVersion": "v1",
                "kind": "Namespace",
                "metadata": {
                    "name": name,
                    "uid": str(uuid.uuid4()),
                    "creationTimestamp": timestamp(),
                    "labels": {"kubernetes.io/metadata.name": name},
                },
                "spec": {"finalizers": ["kubernetes"]},
                "status": {"phase": "Active"},
            },
        )

    def _add(
        self, resource: Resource, spec: JobScenario | PodScenario, *, born: float | None = None
    ) -> dict[str, Any]:
        if self.store.get(("namespaces", "", spec.namespace)) is None:
            raise MissingError(f'namespaces "{spec.namespace}" not found')
        key: Key = (resource, spec.namespace, spec.name)
        if key in self._entries:
            raise AlreadyExistsError(f'{_qualified(resource)} "{spec.name}" already exists')
        self._entries[key] = _Entry(
            spec=spec,
            uid=str(uuid.uuid4()),
            created=timestamp(),
            born=self._clock.now() if born is None else born,
            points=spec.timeline,
        )
        obj = self._refresh(key, force=True)
        self.on_change()
        return obj

    def add_job(self, spec: JobScenario) -> dict[str, Any]:
        """Create a Job; its timeline starts now."""
        return self._add("jobs", spec)

    def add_pod(self, spec: PodScenario) -> dict[str, Any]:
        """Create a Pod; its timeline starts now."""
        return self._add("pods", spec)

    def delete(self, resource: Resource, namespace: str, name: str) -> dict[str, Any]:
        """Delete an object (DELETED to watchers) and return its last state."""
        key: Key = (resource, namespace, name)
        self._entries.pop(key, None)
        obj = self.store.remove(key)
        if obj is None:
            raise MissingError(f'{_qualified(resource)} "{name}" not found')
        self.on_change()
        return obj

    def set_timeline(
        self, resource: Resource, namespace: str, name: str, points: Sequence[JobPoint | PodPoint]
    ) -> dict[str, Any]:
        """Replace an object's timeline; ``at``/``after`` count from now."""
        key: Key = (resource, namespace, name)
        entry = self._entries.get(key)
        if entry is None:
            raise MissingError(f'{_qualified(resource)} "{name}" not found')
        entry.points = list(points)
        entry.born = self._clock.now()
        entry.observations = 0
        entry.index = -2  # forces a re-render even when the new index equals the old one
        obj = self._refresh(key)
        self.on_change()
        return obj

    # ------------------------------------------------------------ time

    def _refresh(self, key: Key, *, force: bool = False) -> dict[str, Any]:
        entry = self._entries[key]
        index = current_index(entry.points, self._clock.now() - entry.born, entry.observations)
        if index == entry.index and not force:
            obj = self.store.get(key)
            assert obj is not None  # noqa: S101 - every entry has a stored object
            return obj
        previous = self.store.get(key)
        entry.index = index
        if isinstance(entry.spec, JobScenario):
            point = entry.points[index] if index >= 0 else None
            assert point is None or isinstance(point, JobPoint)  # noqa: S101 - jobs hold JobPoints
            obj = render_job(
                entry.spec, uid=entry.uid, created=entry.created, point=point, previous=previous
            )
            return self._save(key, obj, previous)
        point_p = entry.points[index] if index >= 0 else None
        assert point_p is None or isinstance(point_p, PodPoint)  # noqa: S101 - pods hold PodPoints
        owner = (
            self.store.get(("jobs", entry.spec.namespace, entry.spec.job))
            if entry.spec.job
            else None
        )
        obj = render_pod(
            entry.spec, uid=entry.uid, created=entry.created, point=point_p, owner=owner
        )
        return self._save(key, obj, previous)

    def _save(
        self, key: Key, obj: dict[str, Any], previous: dict[str, Any] | None
    ) -> dict[str, Any]:
        if previous is not None:
            version = previous["metadata"].get("resourceVersion")
            obj["metadata"]["resourceVersion"] = version
            if obj == previous:
                # A no-op update keeps the version and tells no watcher, as on a real server.
                return previous
        return self.store.put(key[0], obj)

    def refresh_all(self) -> None:
        """Re-render every object whose timeline moved."""
        for key in list(self._entries):
            self._refresh(key)

    def read(self, key: Key) -> dict[str, Any] | None:
        """The object as a client reading it now sees it (timeline brought up to date)."""
        if key in self._entries:
            return self._refresh(key)
        return self.store.get(key)

    def observed(self, keys: Sequence[Key]) -> None:
        """Clients have read these objects: count it, so ``after=n`` shows from read n+1 on.

        Called after the answer was built, so a list's resourceVersion predates any
        change this causes, and a watch from it still sees that change.
        """
        for key in keys:
            entry = self._entries.get(key)
            if entry is not None:
                entry.observations += 1
                self._refresh(key)

    def next_due(self, now: float) -> float | None:
        """The scenario time the next ``at`` point of any object falls due (None: none pending)."""
        dues = (self.next_due_of(entry, now) for entry in self._entries.values())
        return min((due for due in dues if due is not None), default=None)

    def next_due_of(self, entry: _Entry | Key, now: float) -> float | None:
        """The scenario time the next ``at`` point of one object falls due (None: none)."""
        if not isinstance(entry, _Entry):
            found = self._entries.get(entry)
            if found is None:
                return None
            entry = found
        following = current_index(entry.points, now - entry.born, entry.observations) + 1
        if following < len(entry.points):
            at = entry.points[following].at
            if at is not None:
                return entry.born + at
        return None

    def next_line_due(self, now: float) -> float | None:
        """The scenario time the next scripted log line of any pod is written (None: none)."""
        soonest: float | None = None
        for entry in self._entries.values():
            if isinstance(entry.spec, PodScenario):
                for point in entry.spec.log_lines:
                    due = entry.born + point.at
                    if due > now and (soonest is None or due < soonest):
                        soonest = due
        return soonest

    def born(self, key: Key) -> float:
        """The scenario time an object was created (its timeline counts from it)."""
        entry = self._entries.get(key)
        if entry is None:
            raise MissingError(f'{_qualified(key[0])} "{key[2]}" not found')
        return entry.born

    def spec(self, resource: Resource, namespace: str, name: str) -> JobScenario | PodScenario:
        """The scenario entry behind an object."""
        entry = self._entries.get((resource, namespace, name))
        if entry is None:
            raise MissingError(f'{_qualified(resource)} "{name}" not found')
        return entry.spec


def _qualified(resource: str) -> str:
    return "jobs.batch" if resource == "jobs" else resource
