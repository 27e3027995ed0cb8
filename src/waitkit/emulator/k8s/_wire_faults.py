"""Request accounting and fault injection, as an aiohttp middleware.

Every request is counted under service ``"kubernetes"`` and its verb
(``discovery``, ``get``, ``list``, ``watch``, ``create``, ``delete``, ``log``),
then the injector decides which faults fire (a fault names a verb, ``log``, or a
verb and a resource, ``list:pods``) and this module renders them the way a
Kubernetes API server (or a broken network) would:

- ``latency`` holds the answer back, and gives up when the client hangs up (the API
  server cancels a request whose client left), so a "hung" call costs the server
  nothing once the client stopped waiting; those are counted in the backend's
  ``requests`` as ``("abandoned", resource)``.
- ``error`` with 403 says what RBAC says: ``pods "p" is forbidden: User "..." cannot
  get resource "pods/log" in API group "" in the namespace "default"``.
"""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from collections.abc import Awaitable, Callable
from typing import Final

from aiohttp import web
from aiohttp.typedefs import Middleware

from waitkit.emulator._clock import ScenarioClock
from waitkit.emulator._counters import RequestCounters
from waitkit.emulator._faults import Fault, FaultInjector
from waitkit.emulator.k8s._status import error_response
from waitkit.emulator.k8s._watch import FAULTS_KEY, truthy

SERVICE = "kubernetes"
#: The user RBAC refuses in a 403 fault.
USER: Final = "system:serviceaccount:default:waitkit"
# How often a held answer checks whether its client is still there (real seconds).
_HANG_UP_CHECK: Final = 0.05
_FORBIDDEN: Final = 403
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def classify(request: web.Request) -> tuple[str, str]:
    """(verb, resource) of a request, from the name of the route it matched."""
    name = request.match_info.route.name
    if name is None:
        # Unknown paths (e.g. /openapi/v3) are things clients probe during discovery.
        return "discovery", ""
    family, _, rest = name.partition(":")
    resource = rest.split(":")[0]
    if family == "discovery":
        return "discovery", ""
    if family == "collection":
        return ("watch" if truthy(request.query.get("watch")) else "list"), resource
    if family in ("object", "status"):
        return "get", resource
    return family, resource


class FaultMiddleware:
    """Counts requests and applies injected faults around the handler."""

    def __init__(
        self,
        *,
        clock: ScenarioClock,
        faults: FaultInjector,
        counters: RequestCounters,
        requests: Counter[tuple[str, str]],
        on_request: Callable[[], None],
    ) -> None:
        self._clock = clock
        self._faults = faults
        self._counters = counters
        self._requests = requests
        self._on_request = on_request

    @property
    def middleware(self) -> Middleware:
        """The aiohttp middleware function."""
        handle = self._handle

        @web.middleware
        async def middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
            return await handle(request, handler)

        return middleware

    async def _handle(self, request: web.Request, handler: Handler) -> web.StreamResponse:
        self._on_request()
        verb, resource = classify(request)
        self._counters.count(SERVICE, verb)
        self._requests[verb, resource] += 1
        operation = f"{verb}:{resource}" if resource else verb
        fired = self._faults.decide(
            SERVICE, operation, scenario_now=self._clock.now(), real_now=time.monotonic()
        )
        for fault in fired:
            self._counters.count_fault(SERVICE, verb, fault.kind)
        for fault in fired:
            if fault.kind == "latency" and not await _held(request, fault.delay):
                self._requests["abandoned", resource] += 1
                return web.Response(status=499)  # nobody reads it: the client left
            answer = _answer(request, fault, verb, resource)
            if answer is not None:
                return answer
        truncate = any(fault.kind == "truncate" for fault in fired)
        request[FAULTS_KEY] = [f for f in fired if f.kind in ("gone", "cut_watch")]
        response = await handler(request)
        if truncate and isinstance(response, web.Response) and isinstance(response.body, bytes):
            return await _truncated(request, response)
        return response


def _answer(request: web.Request, fault: Fault, verb: str, resource: str) -> web.Response | None:
    """The answer a fault gives instead of the handler's (None: the handler answers)."""
    if fault.kind == "throttle":
        return error_response(
            429,
            "Too many requests, please try again later.",
            retry_after=fault.retry_after if fault.retry_after is not None else 1,
        )
    if fault.kind == "error":
        if fault.status == _FORBIDDEN:
            return _forbidden(request, verb, resource)
        return error_response(fault.status, f"injected fault: HTTP {fault.status}")
    if fault.kind == "drop":
        if request.transport is not None:
            request.transport.abort()
        return web.Response(status=500)
    return None


async def _held(request: web.Request, delay: float) -> bool:
    """Wait ``delay`` seconds; False as soon as the client hung up."""
    end = time.monotonic() + delay
    while (left := end - time.monotonic()) > 0:
        transport = request.transport
        if transport is None or transport.is_closing():
            return False
        await asyncio.sleep(min(left, _HANG_UP_CHECK))
    return True


def _forbidden(request: web.Request, verb: str, resource: str) -> web.Response:
    """403 as RBAC words it: who may not do what, to which resource, where."""
    if not resource:
        return error_response(
            _FORBIDDEN, f'forbidden: User "{USER}" cannot get path "{request.path}"'
        )
    name = request.match_info.get("name")
    namespace = request.match_info.get("namespace")
    group = "batch" if resource == "jobs" else ""
    action = {"log": "get", "watch": "watch", "list": "list"}.get(verb, verb)
    target = f"{resource}/log" if verb == "log" else resource
    qualified = f"{resource}.{group}" if group else resource
    subject = f'{qualified} "{name}"' if name and verb != "list" else qualified
    where = f' in the namespace "{namespace}"' if namespace else " at the cluster scope"
    message = (
        f'{subject} is forbidden: User "{USER}" cannot {action} resource "{target}"'
        f' in API group "{group}"{where}'
    )
    details: dict[str, object] = {"kind": resource}
    if group:
        details["group"] = group
    if name:
        details["name"] = name
    return error_response(_FORBIDDEN, message, details=details)


async def _truncated(request: web.Request, response: web.Response) -> web.StreamResponse:
    # Promise the whole body, send half, hang up: the client sees a short read.
    body = response.body
    assert isinstance(body, bytes)  # noqa: S101 - checked by the caller
    partial = web.StreamResponse(status=response.status)
    partial.content_type = response.content_type
    partial.content_length = len(body)
    await partial.prepare(request)
    await partial.write(body[: len(body) // 2])
    if request.transport is not None:
        request.transport.abort()
    return partial
