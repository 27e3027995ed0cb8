"""Which API collection a kind lives in, found through discovery (as kubectl finds it)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Final

import anyio

from waitkit._core import PerClient
from waitkit.k8s._client import get_json
from waitkit.k8s._errors import ObjectMissingError

if TYPE_CHECKING:
    from kubernetes_asyncio.client import ApiClient


@dataclass(frozen=True, slots=True)
class Resource:
    """An API collection: ``group``/``version``/``plural``, and whether it is namespaced."""

    group: str
    version: str
    plural: str
    kind: str
    namespaced: bool = True

    def path(self, namespace: str | None) -> str:
        """The collection's URL path, in ``namespace`` when the kind is namespaced."""
        base = f"/api/{self.version}" if not self.group else f"/apis/{self.group}/{self.version}"
        if self.namespaced and namespace is not None:
            return f"{base}/namespaces/{namespace}/{self.plural}"
        return f"{base}/{self.plural}"

    @property
    def display(self) -> str:
        """``jobs.batch`` / ``pods``, as kubectl prints a resource."""
        return f"{self.plural}.{self.group}" if self.group else self.plural


JOBS: Final = Resource("batch", "v1", "jobs", "Job")
PODS: Final = Resource("", "v1", "pods", "Pod")

_WELL_KNOWN: Final = {
    name: resource
    for resource in (JOBS, PODS)
    for name in (
        resource.plural,
        resource.kind.lower(),
        f"{resource.plural}.{resource.group}" if resource.group else resource.plural,
        f"{resource.kind.lower()}.{resource.group}" if resource.group else resource.kind.lower(),
    )
}


class UnknownKindError(ObjectMissingError):
    """Discovery does not know the kind (a missing CRD is "not found", as in kubectl)."""


def _matches(entry: dict[str, Any], name: str) -> bool:
    if "/" in str(entry.get("name", "")):
        return False  # subresources such as jobs/status
    names = {
        str(entry.get("name", "")).lower(),
        str(entry.get("singularName", "")).lower(),
        str(entry.get("kind", "")).lower(),
    }
    names.update(str(short).lower() for short in entry.get("shortNames", []) or [])
    return name in names


class _Discovery:
    """The discovery documents of one client, fetched once each."""

    def __init__(self) -> None:
        self.lock = anyio.Lock()
        self.groups: list[tuple[str, str]] | None = None  # (group, preferred version)
        self.resources: dict[tuple[str, str], list[dict[str, Any]]] = {}

    async def group_versions(self, api: ApiClient) -> list[tuple[str, str]]:
        if self.groups is None:
            core = await get_json(api, "/api")
            groups = [("", str(version)) for version in core.get("versions", ["v1"])[:1]]
            listed = await get_json(api, "/apis")
            for group in listed.get("groups", []):
                preferred = group.get("preferredVersion") or (group.get("versions") or [{}])[0]
                version = str(preferred.get("version", ""))
                if version:
                    groups.append((str(group.get("name", "")), version))
            self.groups = groups
        return self.groups

    async def resource_list(self, api: ApiClient, group: str, version: str) -> list[dict[str, Any]]:
        key = (group, version)
        if key not in self.resources:
            path = f"/api/{version}" if not group else f"/apis/{group}/{version}"
            self.resources[key] = list((await get_json(api, path)).get("resources", []))
        return self.resources[key]


# One discovery cache per client, dropped with the client.
_CACHE: PerClient[None, _Discovery] = PerClient()


async def resolve(api: ApiClient, kind: str) -> Resource:
    """The collection of ``kind`` (``job``, ``jobs.batch``, ``deployments.v1.apps``, ``po``...).

    Raises:
        UnknownKindError: discovery does not serve it (classified as not found).
    """
    name, _, qualifier = kind.strip().lower().partition(".")
    if kind.strip().lower() in _WELL_KNOWN:
        return _WELL_KNOWN[kind.strip().lower()]
    discovery = _CACHE.get_or_create(api, None, _Discovery)
    async with discovery.lock:
        for group, version in await _candidates(api, discovery, qualifier):
            for entry in await discovery.resource_list(api, group, version):
                if _matches(entry, name):
                    return Resource(
                        group=group,
                        version=version,
                        plural=str(entry["name"]),
                        kind=str(entry.get("kind", "")),
                        namespaced=bool(entry.get("namespaced", True)),
                    )
    msg = f'the server does not serve a resource type "{kind}"'
    raise UnknownKindError(msg)


async def _candidates(
    api: ApiClient, discovery: _Discovery, qualifier: str
) -> list[tuple[str, str]]:
    groups = await discovery.group_versions(api)
    if not qualifier:
        return groups  # core first, as /api comes first
    head, _, tail = qualifier.partition(".")
    if tail and head.startswith("v") and head[1:2].isdigit():  # "v1.apps": version.group
        return [(tail, head)]
    return [(group, version) for group, version in groups if group == qualifier]
