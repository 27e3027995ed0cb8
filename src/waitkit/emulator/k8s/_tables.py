"""Server-side printing: the ``meta.k8s.io/v1`` Table kubectl asks for in ``kubectl get``.

kubectl sends ``Accept: application/json;as=Table;v=v1;g=meta.k8s.io, ...`` and
prints whatever columns the server returns, so these mirror the real server's
printers (``Status`` for Jobs is the 1.31+ column).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

_COLUMNS: dict[str, list[tuple[str, str, str]]] = {
    "jobs": [
        ("Name", "string", "name"),
        ("Status", "string", ""),
        ("Completions", "string", ""),
        ("Duration", "string", ""),
        ("Age", "string", ""),
    ],
    "pods": [
        ("Name", "string", "name"),
        ("Ready", "string", ""),
        ("Status", "string", ""),
        ("Restarts", "string", ""),
        ("Age", "string", ""),
    ],
    "namespaces": [("Name", "string", "name"), ("Status", "string", ""), ("Age", "string", "")],
}


def wants_table(accept: str) -> bool:
    """Whether the client prefers a Table answer."""
    first = accept.split(",", maxsplit=1)[0]
    return "as=Table" in first


def _parse(stamp: str | None) -> datetime | None:
    if not stamp:
        return None
    return datetime.strptime(stamp, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)


def _human(seconds: float) -> str:
    seconds = max(0, int(seconds))
    if seconds < 120:
        return f"{seconds}s"
    if seconds < 3600:
        return f"{seconds // 60}m{seconds % 60}s" if seconds < 600 else f"{seconds // 60}m"
    return f"{seconds // 3600}h{(seconds % 3600) // 60}m"


def _age(obj: dict[str, Any], now: datetime) -> str:
    created = _parse(obj["metadata"].get("creationTimestamp"))
    return _human((now - created).total_seconds()) if created else "<unknown>"


def _job_status(status: dict[str, Any]) -> str:
    true = {c["type"] for c in status.get("conditions", []) if c.get("status") == "True"}
    for kind in ("Failed", "Complete", "Suspended", "FailureTarget", "SuccessCriteriaMet"):
        if kind in true:
            return kind
    if status.get("terminating"):
        return "Terminating"
    return "Running"


def _job_cells(obj: dict[str, Any], now: datetime) -> list[Any]:
    status = obj.get("status", {})
    completions = obj["spec"].get("completions")
    done = f"{status.get('succeeded', 0)}/{completions if completions is not None else 1}"
    start = _parse(status.get("startTime"))
    end = _parse(status.get("completionTime")) or now
    duration = _human((end - start).total_seconds()) if start else ""
    return [obj["metadata"]["name"], _job_status(status), done, duration, _age(obj, now)]


def _pod_cells(obj: dict[str, Any], now: datetime) -> list[Any]:
    status = obj.get("status", {})
    containers = status.get("containerStatuses", [])
    ready = sum(1 for c in containers if c.get("ready"))
    shown = status.get("reason") or status.get("phase", "Pending")
    for container in containers:
        state = container.get("state", {})
        reason = (state.get("waiting") or state.get("terminated") or {}).get("reason")
        if reason and reason != "Completed":
            shown = reason
        elif reason == "Completed" and shown == "Succeeded":
            shown = "Completed"
    if obj["metadata"].get("deletionTimestamp"):
        shown = "Terminating"
    restarts = sum(c.get("restartCount", 0) for c in containers)
    total = len(obj["spec"].get("containers", []))
    return [obj["metadata"]["name"], f"{ready}/{total}", shown, str(restarts), _age(obj, now)]


def _namespace_cells(obj: dict[str, Any], now: datetime) -> list[Any]:
    return [obj["metadata"]["name"], obj.get("status", {}).get("phase", "Active"), _age(obj, now)]


_CELLS = {"jobs": _job_cells, "pods": _pod_cells, "namespaces": _namespace_cells}


def table(resource: str, objects: list[dict[str, Any]], resource_version: str) -> dict[str, Any]:
    """A Table of ``objects``, each row with its metadata (``includeObject=Metadata``)."""
    now = datetime.now(UTC)
    return {
        "kind": "Table",
        "apiVersion": "meta.k8s.io/v1",
        "metadata": {"resourceVersion": resource_version},
        "columnDefinitions": [
            {"name": name, "type": kind, "format": fmt, "description": name, "priority": 0}
            for name, kind, fmt in _COLUMNS[resource]
        ],
        "rows": [
            {
                "cells": _CELLS[resource](obj, now),
                "object": {
                    "kind": "PartialObjectMetadata",
                    "apiVersion": "meta.k8s.io/v1",
                    "metadata": obj["metadata"],
                },
            }
            for obj in objects
        ],
    }
