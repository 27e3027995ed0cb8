"""Discovery documents: what kubectl reads before it touches a resource.

kubectl first asks ``/api`` and ``/apis`` for aggregated discovery
(``as=APIGroupDiscoveryList``) and falls back to the plain lists when the answer
is a plain ``APIVersions`` / ``APIGroupList``, so only the plain forms are served.
"""

from __future__ import annotations

from typing import Any

VERSION: dict[str, str] = {
    "major": "1",
    "minor": "32",
    "gitVersion": "v1.32.0-waitkit-emulator",
    "gitCommit": "0000000000000000000000000000000000000000",
    "gitTreeState": "clean",
    "buildDate": "2026-01-01T00:00:00Z",
    "goVersion": "go1.23.0",
    "compiler": "gc",
    "platform": "linux/amd64",
}

_ALL_VERBS = ["create", "delete", "get", "list", "watch"]


def _resource(
    name: str, kind: str, *, namespaced: bool, verbs: list[str], short: list[str] | None = None
) -> dict[str, Any]:
    body: dict[str, Any] = {
        "name": name,
        "singularName": "" if "/" in name else kind.lower(),
        "namespaced": namespaced,
        "kind": kind,
        "verbs": verbs,
    }
    if short:
        body["shortNames"] = short
    if "/" not in name and name != "namespaces":
        body["categories"] = ["all"]
    return body


def api_versions(server_address: str) -> dict[str, Any]:
    """``GET /api``."""
    return {
        "kind": "APIVersions",
        "versions": ["v1"],
        "serverAddressByClientCIDRs": [
            {"clientCIDR": "0.0.0.0/0", "serverAddress": server_address}
        ],
    }


def api_groups() -> dict[str, Any]:
    """``GET /apis``: only the batch group is served."""
    version = {"groupVersion": "batch/v1", "version": "v1"}
    return {
        "kind": "APIGroupList",
        "apiVersion": "v1",
        "groups": [{"name": "batch", "versions": [version], "preferredVersion": version}],
    }


def batch_group() -> dict[str, Any]:
    """``GET /apis/batch``."""
    version = {"groupVersion": "batch/v1", "version": "v1"}
    return {
        "kind": "APIGroup",
        "apiVersion": "v1",
        "name": "batch",
        "versions": [version],
        "preferredVersion": version,
    }


def core_v1() -> dict[str, Any]:
    """``GET /api/v1``."""
    return {
        "kind": "APIResourceList",
        "groupVersion": "v1",
        "resources": [
            _resource(
                "namespaces", "Namespace", namespaced=False, verbs=["get", "list"], short=["ns"]
            ),
            _resource("pods", "Pod", namespaced=True, verbs=_ALL_VERBS, short=["po"]),
            _resource("pods/log", "Pod", namespaced=True, verbs=["get"]),
            _resource("pods/status", "Pod", namespaced=True, verbs=["get"]),
        ],
    }


def batch_v1() -> dict[str, Any]:
    """``GET /apis/batch/v1``."""
    return {
        "kind": "APIResourceList",
        "apiVersion": "v1",
        "groupVersion": "batch/v1",
        "resources": [
            _resource("jobs", "Job", namespaced=True, verbs=_ALL_VERBS),
            _resource("jobs/status", "Job", namespaced=True, verbs=["get"]),
        ],
    }
