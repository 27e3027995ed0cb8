"""Request accounting and fault injection, as an aiohttp middleware.

Every request is counted under service ``"kubernetes"`` and its verb
(``discovery``, ``get``, ``list``, ``watch``, ``create``, ``delete``, ``log``),
then the injector decides which faults fire and this module renders them the way
a Kubernetes API server (or a broken network) would.
"""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from collections.abc import Awaitable, Callable

from aiohttp import web
from aiohttp.typedefs import Middleware

from waitkit.emulator._clock import ScenarioClock
from waitkit.emulator._counters import RequestCounters
from waitkit.emulator._faults import FaultInjector
from waitkit.emulator.k8s._status import error_response
from waitkit.emulator.k8s._watch import FAULTS_KEY, truthy

SERVICE = "kubernetes"
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
        fired = self._faults.decide(
            SERVICE, verb, scenario_now=self._clock.now(), real_now=time.monotonic()
        )
        truncate = False
        for fault in fired:
            self._counters.count_fault(SERVICE, verb, fault.kind)
        for fault in fired:
            if fault.kind == "latency":
                await asyncio.sleep(fault.delay)
            elif fault.kind == "throttle":
                return error_response(
                    429,
                    "Too many requests, please try again later.",
                    retry_after=fault.retry_after if fault.retry_after is not None else 1,
                )
            elif fault.kind == "error":
                return error_response(fault.status, f"injected fault: HTTP {fault.status}")
            elif fault.kind == "drop":
                if request.transport is not None:
                    request.transport.abort()
                return web.Response(status=500)
            elif fault.kind == "truncate":
                truncate = True
        request[FAULTS_KEY] = [f for f in fired if f.kind in ("gone", "cut_watch")]
        response = await handler(request)
        if truncate and isinstance(response, web.Response) and isinstance(response.body, bytes):
            return await _truncated(request, response)
        return response


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
