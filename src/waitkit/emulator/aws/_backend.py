"""AwsBackend: one aiohttp application that answers Auto Scaling, Lambda and Logs.

Every request is told apart by its protocol (an ``X-Amz-Target`` header for
JSON 1.1, a known path for rest-json, an ``Action`` form field for query),
counted, passed through the fault injector, and answered by its service.
Signatures are accepted without being checked, and headers are never logged.
"""

from __future__ import annotations

import asyncio
import json
import math
import random
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from aiohttp import web
from pydantic import BaseModel, ConfigDict, Field

from waitkit.emulator.aws import _durable
from waitkit.emulator.aws._autoscaling import AutoScalingService
from waitkit.emulator.aws._durable import DurableService
from waitkit.emulator.aws._logs import LogsService
from waitkit.emulator.aws._protocols import (
    AUTOSCALING_XMLNS,
    LOGS_TARGET_PREFIX,
    AwsError,
    Protocol,
    Reply,
    Value,
    json_error,
    json_response,
    query_error,
    query_response,
    rest_json_error,
    rest_json_response,
    unflatten_form,
)
from waitkit.emulator.aws._scenario import AutoScalingScenario, DurableScenario, LogsScenario
from waitkit.emulator.aws._service import ScriptedService

if TYPE_CHECKING:
    from waitkit.emulator._clock import ScenarioClock
    from waitkit.emulator._counters import RequestCounters
    from waitkit.emulator._faults import Fault, FaultInjector

# Invoke payloads can be up to 6 MB; aiohttp's default cap is 1 MiB.
_MAX_BODY = 8 * 1024 * 1024
_LAMBDA_HEADERS = {
    "X-Amz-Durable-Execution-Name": "DurableExecutionName",
    "X-Amz-Invocation-Type": "InvocationType",
}


class AwsScenario(BaseModel):
    """The AWS half of a scenario."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    autoscaling: AutoScalingScenario = Field(default_factory=AutoScalingScenario)
    durable: DurableScenario = Field(default_factory=DurableScenario)
    logs: LogsScenario = Field(default_factory=LogsScenario)


@dataclass
class _Call:
    service: str
    operation: str
    protocol: Protocol
    params: dict[str, Value]


class AwsBackend:
    """The emulated AWS endpoint.

    Attributes:
        app: the aiohttp application to serve.
        autoscaling: the Auto Scaling service (run-time methods to add groups and refreshes).
        durable: the Lambda durable-execution service.
        logs: the Logs Insights service.
    """

    def __init__(
        self,
        scenario: AwsScenario | None = None,
        *,
        clock: ScenarioClock,
        faults: FaultInjector,
        counters: RequestCounters,
        seed: int | None = None,
    ) -> None:
        scenario = scenario or AwsScenario()
        self._clock = clock
        self._faults = faults
        self._counters = counters
        # Scenario time reads as wall-clock time from the moment the backend was built.
        self._wall_origin = datetime.now(UTC) - timedelta(seconds=clock.now())
        rng = random.Random(seed)
        self.autoscaling = AutoScalingService(
            scenario.autoscaling, clock=clock, wall=self.wall, rng=rng
        )
        self.durable = DurableService(scenario.durable, clock=clock, wall=self.wall, rng=rng)
        self.logs = LogsService(scenario.logs, clock=clock, wall=self.wall, rng=rng)
        self._services: dict[str, ScriptedService[Any, Any]] = {}
        for service in (self.autoscaling, self.durable, self.logs):
            self._services[service.name] = service
            clock.add_due_source(service.next_due)
        self.app = web.Application(client_max_size=_MAX_BODY)
        self.app.router.add_route("*", "/{tail:.*}", self._handle)

    def wall(self, scenario_seconds: float) -> datetime:
        """The wall-clock time shown for a moment of scenario time."""
        return self._wall_origin + timedelta(seconds=scenario_seconds)

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        try:
            call = await _identify(request)
        except AwsError as error:
            return _error_response(_protocol_of(request), error)
        self._counters.count(call.service, call.operation)
        fired = self._faults.decide(
            call.service, call.operation, scenario_now=self._clock.now(), real_now=time.monotonic()
        )
        for fault in fired:
            self._counters.count_fault(call.service, call.operation, fault.kind)
            if fault.kind == "latency":
                await asyncio.sleep(fault.delay)
        kinds = {fault.kind for fault in fired}
        if "drop" in kinds:
            return _drop(request)
        response = self._answer(call, fired)
        if "truncate" in kinds:
            return await _truncate(request, response)
        return response

    def _answer(self, call: _Call, fired: list[Fault]) -> web.Response:
        try:
            for fault in fired:
                if fault.kind in ("throttle", "error"):
                    raise _fault_error(call.service, fault)
                if fault.kind == "body":
                    return web.Response(body=fault.body, content_type=fault.content_type)
            reply = self._services[call.service].reply(call.operation, call.params)
            if reply.result is not None:
                reply.result = _edited(reply.result, [f for f in fired if f.kind == "edit"])
            return _success_response(call, reply)
        except AwsError as error:
            return _error_response(call.protocol, error)


def _edited(result: dict[str, Value], edits: list[Fault]) -> dict[str, Value]:
    """The answer as ``edit`` faults change it (a malformed answer on purpose)."""
    for fault in edits:
        result = fault.edited(result)  # type: ignore[assignment,arg-type] # JSON either way
    return result


def _protocol_of(request: web.Request) -> Protocol:
    """The protocol a request speaks, even when it cannot be parsed."""
    if "X-Amz-Target" in request.headers:
        return "json"
    if _durable.match_route(request.method, request.raw_path.split("?", 1)[0]) is not None:
        return "rest-json"
    return "query"


def _success_response(call: _Call, reply: Reply) -> web.Response:
    if call.protocol == "query":
        return query_response(call.operation, reply.result or {}, xmlns=AUTOSCALING_XMLNS)
    if call.protocol == "json":
        return json_response(reply.result or {})
    return rest_json_response(reply)


def _error_response(protocol: Protocol, error: AwsError) -> web.Response:
    if protocol == "query":
        return query_error(error, xmlns=AUTOSCALING_XMLNS)
    if protocol == "json":
        return json_error(error)
    return rest_json_error(error)


async def _identify(request: web.Request) -> _Call:
    """Which service and operation a request is for, with its parameters."""
    target = request.headers.get("X-Amz-Target", "")
    if target.startswith(LOGS_TARGET_PREFIX):
        body = await request.read()
        try:
            params = json.loads(body or b"{}")
        except ValueError as exc:
            raise AwsError("SerializationException", "The request body is not JSON") from exc
        if not isinstance(params, dict):
            raise AwsError("SerializationException", "The request body is not a JSON object")
        return _Call("logs", target.removeprefix(LOGS_TARGET_PREFIX), "json", params)
    route = _durable.match_route(request.method, request.raw_path.split("?", 1)[0])
    if route is not None:
        operation, labels = route
        params = await _lambda_params(request, operation, labels)
        return _Call("lambda", operation, "rest-json", params)
    if request.method == "POST":
        form = await request.post()
        action = form.get("Action")
        if isinstance(action, str):
            fields = {k: v for k, v in form.items() if isinstance(v, str)}
            return _Call("autoscaling", action, "query", unflatten_form(fields))
    raise AwsError("UnknownOperationException", f"No operation at {request.method} {request.path}")


async def _lambda_params(
    request: web.Request, operation: str, labels: dict[str, str]
) -> dict[str, Value]:
    params: dict[str, Value] = dict(labels)
    for key in set(request.query):
        values = request.query.getall(key)
        # Lists arrive as repeated keys; Statuses is the only list parameter we serve.
        params[key] = list(values) if key == "Statuses" else values[-1]
    for header, name in _LAMBDA_HEADERS.items():
        if header in request.headers:
            params[name] = request.headers[header]
    body = await request.read()
    if operation == "Invoke":
        # Invoke's payload is a blob: the body as sent.
        params["Payload"] = body.decode("utf-8", errors="replace")
    elif body:
        try:
            decoded = json.loads(body)
        except ValueError as exc:
            raise AwsError(
                "InvalidRequestContentException", "Could not parse request body"
            ) from exc
        # StopDurableExecution's body *is* its Error member (the operation's payload).
        params["Error"] = decoded
    return params


def _fault_error(service: str, fault: Fault) -> AwsError:
    """The error an injected throttle or 5xx looks like on this service's wire."""
    headers = {}
    if fault.retry_after is not None or (fault.kind == "throttle" and service == "lambda"):
        headers["Retry-After"] = str(
            math.ceil(fault.retry_after if fault.retry_after is not None else 1)
        )
    if fault.kind == "throttle":
        if service == "lambda":
            return AwsError(
                "TooManyRequestsException",
                "Rate exceeded",
                status=429,
                fields={"Reason": "CallerRateLimitExceeded"},
                headers=headers,
            )
        code = "Throttling" if service == "autoscaling" else "ThrottlingException"
        return AwsError(code, "Rate exceeded", headers=headers)
    codes = {
        "autoscaling": "ServiceUnavailable" if fault.status == 503 else "InternalFailure",
        "lambda": "ServiceException",
        "logs": "ServiceUnavailableException" if fault.status == 503 else "InternalFailure",
    }
    if fault.code is not None:
        return AwsError(
            fault.code,
            f"Injected fault: {fault.code}",
            status=fault.status,
            sender=fault.status < 500,
            headers=headers,
        )
    return AwsError(
        codes.get(service, "InternalFailure"),
        "Injected fault: the service is unavailable",
        status=fault.status,
        sender=fault.status < 500,
        headers=headers,
    )


def _drop(request: web.Request) -> web.StreamResponse:
    """Close the connection without answering."""
    if request.transport is not None:
        request.transport.close()
    return web.Response(status=500)


async def _truncate(request: web.Request, response: web.Response) -> web.StreamResponse:
    """Send the headers and half the body, announce the full length, then hang up."""
    body = bytes(response.body or b"")  # type: ignore[arg-type]
    stream = web.StreamResponse(status=response.status, headers=response.headers)
    stream.content_length = len(body)
    await stream.prepare(request)
    await stream.write(body[: len(body) // 2])
    if request.transport is not None:
        request.transport.close()
    return stream
