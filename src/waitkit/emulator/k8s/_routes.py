"""HTTP handlers: discovery, get/list/create/delete for namespaces, Jobs and Pods, and pod logs.

Watches live in :mod:`._watch`; every error is a one-line ``Status`` (see :mod:`._status`).
"""

from __future__ import annotations

import json
from typing import Any

from aiohttp import web
from pydantic import TypeAdapter, ValidationError

from waitkit.emulator.k8s import _discovery
from waitkit.emulator.k8s._cluster import AlreadyExistsError, Cluster, MissingError
from waitkit.emulator.k8s._kinds import KINDS, Kind
from waitkit.emulator.k8s._logs import LogStreams
from waitkit.emulator.k8s._scenario import JobPoint, JobScenario, PodPoint, PodScenario
from waitkit.emulator.k8s._selectors import Predicate, SelectorError, selector_predicate
from waitkit.emulator.k8s._status import error_response, json_response, not_found
from waitkit.emulator.k8s._store import Key
from waitkit.emulator.k8s._tables import table, wants_table
from waitkit.emulator.k8s._watch import WatchHub, truthy

TIMELINE_ANNOTATION = "emulator.waitkit.dev/timeline"
"""A Job or Pod created through the API may carry its timeline (JSON list of points) here."""


_JOB_POINTS = TypeAdapter(list[JobPoint])
_POD_POINTS = TypeAdapter(list[PodPoint])


class Routes:
    """The request handlers, bound to one cluster."""

    def __init__(self, cluster: Cluster, hub: WatchHub, logs: LogStreams) -> None:
        self.cluster = cluster
        self.hub = hub
        self.logs = logs

    def add_to(self, app: web.Application) -> None:
        """Register every route (names say the verb family, used to classify requests)."""
        add = app.router.add_route
        for path, handler in (
            ("/version", self.version),
            ("/api", self.api),
            ("/apis", self.apis),
            ("/apis/batch", self.batch),
            ("/api/v1", self.core_v1),
            ("/apis/batch/v1", self.batch_v1),
        ):
            add(
                "GET",
                path,
                handler,
                name=f"discovery:{path.strip('/').replace('/', '.') or 'root'}",
            )
        for prefix, resource in (("/api/v1", "pods"), ("/apis/batch/v1", "jobs")):
            add("GET", f"{prefix}/{resource}", self.collection, name=f"collection:{resource}:all")
            base = f"{prefix}/namespaces/{{namespace}}/{resource}"
            add("GET", base, self.collection, name=f"collection:{resource}:ns")
            add("POST", base, self.create, name=f"create:{resource}")
            add("GET", f"{base}/{{name}}", self.get, name=f"object:{resource}")
            add("GET", f"{base}/{{name}}/status", self.get, name=f"status:{resource}")
            add("DELETE", f"{base}/{{name}}", self.delete, name=f"delete:{resource}")
        add("GET", "/api/v1/namespaces", self.collection, name="collection:namespaces:all")
        add("GET", "/api/v1/namespaces/{name}", self.get, name="object:namespaces")
        add("GET", "/api/v1/namespaces/{namespace}/pods/{name}/log", self.log, name="log:pods")

    # ------------------------------------------------------------ discovery

    async def version(self, _request: web.Request) -> web.Response:
        """``GET /version``."""
        return json_response(_discovery.VERSION)

    async def api(self, request: web.Request) -> web.Response:
        """``GET /api``."""
        return json_response(_discovery.api_versions(request.host))

    async def apis(self, _request: web.Request) -> web.Response:
        """``GET /apis``."""
        return json_response(_discovery.api_groups())

    async def batch(self, _request: web.Request) -> web.Response:
        """``GET /apis/batch``."""
        return json_response(_discovery.batch_group())

    async def core_v1(self, _request: web.Request) -> web.Response:
        """``GET /api/v1``."""
        return json_response(_discovery.core_v1())

    async def batch_v1(self, _request: web.Request) -> web.Response:
        """``GET /apis/batch/v1``."""
        return json_response(_discovery.batch_v1())

    # ------------------------------------------------------------ read

    @staticmethod
    def _kind(request: web.Request) -> Kind:
        name = request.match_info.route.name or ""
        return KINDS[name.split(":")[1]]

    async def collection(self, request: web.Request) -> web.StreamResponse:
        """List, or watch when ``watch`` is true."""
        kind = self._kind(request)
        namespace = request.match_info.get("namespace")
        try:
            wants = selector_predicate(
                request.query.get("labelSelector"), request.query.get("fieldSelector"), kind.fields
            )
        except SelectorError as exc:
            return error_response(400, str(exc))
        if truthy(request.query.get("watch")):
            return await self.hub.serve(request, kind, namespace, wants)
        return self._list(request, kind, namespace, wants)

    def _list(
        self, request: web.Request, kind: Kind, namespace: str | None, wants: Predicate
    ) -> web.Response:
        keys: list[Key] = []
        items: list[dict[str, Any]] = []
        for obj in list(self.cluster.store.items(kind.resource, namespace)):
            meta = obj["metadata"]
            key: Key = (kind.resource, meta.get("namespace", ""), meta["name"])
            current = self.cluster.read(key)
            if current is not None and wants(current):
                keys.append(key)
                items.append(current)
        version = str(self.cluster.store.resource_version)
        if wants_table(request.headers.get("Accept", "")):
            body = table(kind.resource, items, version)
        else:
            body = {
                "kind": f"{kind.kind}List",
                "apiVersion": kind.api_version,
                "metadata": {"resourceVersion": version},
                "items": items,
            }
        response = json_response(body)
        self.cluster.observed(keys)
        return response

    async def get(self, request: web.Request) -> web.Response:
        """Get one object (also its ``/status``)."""
        kind = self._kind(request)
        name = request.match_info["name"]
        key: Key = (kind.resource, request.match_info.get("namespace", ""), name)
        obj = self.cluster.read(key)
        if obj is None:
            return not_found(kind.resource, name, group=kind.group)
        if wants_table(request.headers.get("Accept", "")):
            response = json_response(
                table(kind.resource, [obj], obj["metadata"]["resourceVersion"])
            )
        else:
            response = json_response(obj)
        self.cluster.observed([key])
        return response

    # ------------------------------------------------------------ write

    async def create(self, request: web.Request) -> web.Response:
        """Create a Job or Pod from its manifest (a timeline may ride in an annotation)."""
        kind = self._kind(request)
        namespace = request.match_info["namespace"]
        try:
            body = await request.json()
            spec = _spec_from_manifest(kind.resource, namespace, body)
        except (json.JSONDecodeError, ValidationError, KeyError, TypeError, ValueError) as exc:
            return error_response(422, f"{kind.kind} is invalid: {exc}")
        try:
            if isinstance(spec, JobScenario):
                obj = self.cluster.add_job(spec)
            else:
                obj = self.cluster.add_pod(spec)
        except AlreadyExistsError as exc:
            return error_response(409, str(exc), reason="AlreadyExists")
        except MissingError as exc:
            return error_response(404, str(exc))
        return json_response(obj, status=201)

    async def delete(self, request: web.Request) -> web.Response:
        """Delete a Job or Pod; a Background/Foreground Job deletion takes its pods along."""
        kind = self._kind(request)
        namespace = request.match_info["namespace"]
        name = request.match_info["name"]
        policy = request.query.get("propagationPolicy")
        if request.can_read_body:
            try:
                options = await request.json()
            except json.JSONDecodeError:
                options = {}
            if isinstance(options, dict):
                policy = options.get("propagationPolicy", policy)
        try:
            obj = self.cluster.delete(kind.resource, namespace, name)
        except MissingError:
            return not_found(kind.resource, name, group=kind.group)
        if kind.resource == "jobs" and policy in ("Background", "Foreground"):
            for pod in list(self.cluster.store.items("pods", namespace)):
                if pod["metadata"].get("labels", {}).get("batch.kubernetes.io/job-name") == name:
                    self.cluster.delete("pods", namespace, pod["metadata"]["name"])
        return json_response(obj)

    # ------------------------------------------------------------ logs

    async def log(self, request: web.Request) -> web.StreamResponse:
        """``GET .../pods/NAME/log``, read once or followed (see :mod:`._logs`)."""
        return await self.logs.serve(request)


def _spec_from_manifest(
    resource: str, namespace: str, body: dict[str, Any]
) -> JobScenario | PodScenario:
    meta = body.get("metadata") or {}
    if meta.get("namespace") not in (None, namespace):
        raise ValueError("the namespace of the object does not match the namespace of the request")
    name = meta["name"]
    labels = meta.get("labels") or {}
    annotations = meta.get("annotations") or {}
    timeline_text = annotations.get(TIMELINE_ANNOTATION)
    spec = body.get("spec") or {}
    if resource == "jobs":
        pod_spec = (spec.get("template") or {}).get("spec") or {}
        containers = pod_spec.get("containers") or [{}]
        return JobScenario(
            name=name,
            namespace=namespace,
            labels=labels,
            completions=spec.get("completions", 1),
            parallelism=spec.get("parallelism", 1),
            backoff_limit=spec.get("backoffLimit", 6),
            suspend=bool(spec.get("suspend", False)),
            image=containers[0].get("image", "busybox:1.36"),
            timeline=_JOB_POINTS.validate_json(timeline_text) if timeline_text else [],
        )
    containers = spec.get("containers") or [{"name": "main"}]
    return PodScenario(
        name=name,
        namespace=namespace,
        labels=labels,
        containers=[c["name"] for c in containers],
        image=containers[0].get("image", "busybox:1.36"),
        timeline=_POD_POINTS.validate_json(timeline_text) if timeline_text else [],
    )
