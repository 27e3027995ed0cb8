"""How each served resource appears on the wire (group, kind, selectable fields)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Resource = Literal["jobs", "pods", "namespaces"]


@dataclass(frozen=True)
class Kind:
    """One resource type."""

    resource: Resource
    group: str
    kind: str
    api_version: str
    fields: frozenset[str]


_COMMON_FIELDS = frozenset({"metadata.name", "metadata.namespace"})
KINDS: dict[str, Kind] = {
    "jobs": Kind("jobs", "batch", "Job", "batch/v1", _COMMON_FIELDS | {"status.successful"}),
    "pods": Kind("pods", "", "Pod", "v1", _COMMON_FIELDS | {"status.phase", "spec.nodeName"}),
    "namespaces": Kind("namespaces", "", "Namespace", "v1", _COMMON_FIELDS | {"status.phase"}),
}
