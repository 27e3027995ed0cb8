"""Emulated Lambda durable executions (rest-json under ``/2025-12-01/``) and durable ``Invoke``.

Operations: ``ListDurableExecutionsByFunction``, ``GetDurableExecution``,
``GetDurableExecutionHistory``, ``StopDurableExecution`` and ``Invoke`` (which
starts an execution and answers its ARN in ``X-Amz-Durable-Execution-Arn``).
An execution is *observed* by a GetDurableExecution or GetDurableExecutionHistory
call for it, and by each ListDurableExecutionsByFunction page that includes it.

Why one module of this length: one service, its five operations and the validation
each applies as Lambda does; the shared skeleton (``_service.py``) and the timelines
(``_scenario.py``) are apart.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, TypeVar
from urllib.parse import unquote

from pydantic import BaseModel, ConfigDict

from waitkit.emulator.aws._cursor import TimelineCursor, soonest
from waitkit.emulator.aws._paging import decode_token, encode_token
from waitkit.emulator.aws._protocols import AwsError, Reply, Value
from waitkit.emulator.aws._scenario import (
    DurableScenario,
    ExecutionPoint,
    ExecutionScenario,
    ExecutionStatus,
    FunctionScenario,
    HistoryEvent,
    ScriptedExecutionError,
)
from waitkit.emulator.aws._service import ScriptedService

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping

    from waitkit.emulator.aws._service import Operation

TERMINAL: frozenset[str] = frozenset({"SUCCEEDED", "FAILED", "TIMED_OUT", "STOPPED"})
_CLOSING_EVENT = {
    "SUCCEEDED": "ExecutionSucceeded",
    "FAILED": "ExecutionFailed",
    "TIMED_OUT": "ExecutionTimedOut",
    "STOPPED": "ExecutionStopped",
}
_T = TypeVar("_T")
_DEFAULT_ITEMS = 100
_MAX_ITEMS = 1000
_ROUTES: list[tuple[str, re.Pattern[str], str]] = [
    (
        "GET",
        re.compile(r"^/2025-12-01/functions/(?P<FunctionName>[^/]+)/durable-executions/?$"),
        "ListDurableExecutionsByFunction",
    ),
    (
        "GET",
        re.compile(r"^/2025-12-01/durable-executions/(?P<DurableExecutionArn>[^/]+)/history/?$"),
        "GetDurableExecutionHistory",
    ),
    (
        "POST",
        re.compile(r"^/2025-12-01/durable-executions/(?P<DurableExecutionArn>[^/]+)/stop/?$"),
        "StopDurableExecution",
    ),
    (
        "GET",
        re.compile(r"^/2025-12-01/durable-executions/(?P<DurableExecutionArn>[^/]+)/?$"),
        "GetDurableExecution",
    ),
    (
        "POST",
        re.compile(r"^/2015-03-31/functions/(?P<FunctionName>[^/]+)/invocations/?$"),
        "Invoke",
    ),
]


def match_route(method: str, raw_path: str) -> tuple[str, dict[str, str]] | None:
    """The Lambda operation and its path labels for a request, or ``None``.

    Matching is done on the still-encoded path: botocore percent-encodes the
    ``/`` inside an ARN label, and decoding first would split the label.
    """
    for route_method, pattern, operation in _ROUTES:
        found = pattern.match(raw_path)
        if found is not None and method == route_method:
            return operation, {k: unquote(v) for k, v in found.groupdict().items()}
    return None


class _ExecutionState(BaseModel):
    model_config = ConfigDict(extra="forbid")

    status: ExecutionStatus = "RUNNING"
    result: str | None = None
    error: ScriptedExecutionError | None = None


@dataclass
class _Execution:
    arn: str
    name: str
    function: str
    function_arn: str
    started: float
    order: int
    input: str | None
    cursor: TimelineCursor[ExecutionPoint]
    history: list[dict[str, Value]] = field(default_factory=list)
    seen_points: int = 0
    closed_at: float | None = None

    def state(self, now: float) -> _ExecutionState:
        return _ExecutionState().model_copy(update=self.cursor.fields(now))


class DurableService(ScriptedService[DurableScenario, Reply]):
    """Durable functions and their executions.

    Run-time methods: :meth:`add_function`, :meth:`add_execution`, :meth:`set_timeline`.
    """

    name = "lambda"
    protocol = "rest-json"
    unknown_operation = ("UnknownOperationException", "Unknown operation {operation}")

    def _load(self, scenario: DurableScenario) -> None:
        self._region = scenario.region
        self._account = scenario.account_id
        self._functions: dict[str, FunctionScenario] = {}
        self._executions: dict[str, _Execution] = {}
        for function in scenario.functions:
            self.add_function(function)

    # ------------------------------------------------------------ run-time controls

    def add_function(self, function: FunctionScenario) -> None:
        """Add (or replace) a function and create its scripted executions."""
        self._functions[function.name] = function
        for execution in function.executions:
            self.add_execution(function.name, execution)

    def add_execution(self, function: str, execution: ExecutionScenario) -> str:
        """Create an execution of an existing function.

        Returns:
            The DurableExecutionArn.
        """
        if function not in self._functions:
            raise KeyError(function)
        execution_id = execution.id or self._new_uuid()
        function_arn = self._function_arn(function)
        arn = f"{function_arn}/durable-execution/{execution.name}/{execution_id}"
        record = _Execution(
            arn=arn,
            name=execution.name,
            function=function,
            function_arn=function_arn,
            started=execution.started,
            order=len(self._executions),
            input=execution.input,
            cursor=TimelineCursor(execution.timeline, origin=execution.started),
        )
        record.history.append(
            self._event(
                record,
                HistoryEvent(
                    event_type="ExecutionStarted",
                    name=execution.name,
                    details={"Input": {"Payload": execution.input, "Truncated": False}},
                ),
                execution.started,
            )
        )
        self._executions[arn] = record
        return arn

    def set_timeline(self, arn: str, timeline: list[ExecutionPoint]) -> None:
        """Make an execution follow ``timeline`` from now on (e.g. to finish it)."""
        self._switch(self._executions[arn], timeline, self._clock.now())

    def _switch(self, execution: _Execution, timeline: list[ExecutionPoint], now: float) -> None:
        self._sync(execution, now)
        execution.cursor.switch(timeline, now=now)
        execution.seen_points = 0

    def next_due(self, now: float) -> float | None:
        """The next scenario time an execution starts or moves by time alone."""
        return soonest(
            now,
            [t for e in self._executions.values() for t in (e.started, e.cursor.next_due(now))],
        )

    def status(self, arn: str) -> str:
        """An execution's current status (without counting an observation)."""
        return self._executions[arn].state(self._clock.now()).status

    # ------------------------------------------------------------ operations

    def _operations(self) -> Mapping[str, Operation[Reply]]:
        return {
            "ListDurableExecutionsByFunction": _as_reply(self._list),
            "GetDurableExecution": _as_reply(self._get),
            "GetDurableExecutionHistory": _as_reply(self._history),
            "StopDurableExecution": _as_reply(self._stop),
            "Invoke": self._invoke,
        }

    def _list(self, params: dict[str, Value]) -> dict[str, Value]:
        function = self._function(params.get("FunctionName"))
        now = self._clock.now()
        executions = [
            e for e in self._executions.values() if e.function == function.name and e.started <= now
        ]
        name = params.get("DurableExecutionName")
        if name is not None:
            executions = [e for e in executions if e.name == name]
        after, before = _timestamp(params, "StartedAfter"), _timestamp(params, "StartedBefore")
        if after is not None:
            executions = [e for e in executions if self._wall(e.started) >= after]
        if before is not None:
            executions = [e for e in executions if self._wall(e.started) <= before]
        statuses = params.get("Statuses")
        if isinstance(statuses, list):
            executions = [e for e in executions if e.state(now).status in statuses]
        # Newest first unless ReverseOrder asks for the oldest first.
        reverse = params.get("ReverseOrder") != "true"
        executions.sort(key=lambda e: (e.started, e.order), reverse=reverse)
        page, marker = _page(executions, params)
        listed: list[Value] = []
        for execution in page:
            self._sync(execution, now)
            listed.append(
                {
                    "DurableExecutionArn": execution.arn,
                    "DurableExecutionName": execution.name,
                    "FunctionArn": execution.function_arn,
                    "Status": execution.state(now).status,
                    "StartTimestamp": self._wall(execution.started),
                    "EndTimestamp": self._end(execution),
                }
            )
            # Counted after reading: this read shows the points reached before it.
            execution.cursor.observe()
        return {"DurableExecutions": listed, "NextMarker": marker}

    def _get(self, params: dict[str, Value]) -> dict[str, Value]:
        execution = self._execution(params.get("DurableExecutionArn"))
        now = self._clock.now()
        self._sync(execution, now)
        state = execution.state(now)
        execution.cursor.observe()  # after reading: this read shows the points reached before it
        status = state.status
        with_data = params.get("IncludeExecutionData") != "false"
        return {
            "DurableExecutionArn": execution.arn,
            "DurableExecutionName": execution.name,
            "FunctionArn": execution.function_arn,
            "Status": status,
            "StartTimestamp": self._wall(execution.started),
            "EndTimestamp": self._end(execution),
            "InputPayload": execution.input if with_data else None,
            "Result": state.result if with_data and status == "SUCCEEDED" else None,
            "Error": _error(state.error, with_data=with_data) if status != "SUCCEEDED" else None,
            "Version": "$LATEST",
            "ExecutionDataIncluded": with_data,
        }

    def _history(self, params: dict[str, Value]) -> dict[str, Value]:
        execution = self._execution(params.get("DurableExecutionArn"))
        now = self._clock.now()
        self._sync(execution, now)
        events = list(execution.history)
        execution.cursor.observe()  # after reading: this read shows the points reached before it
        if params.get("ReverseOrder") == "true":
            events.reverse()
        page, marker = _page(events, params)
        return {"Events": list(page), "NextMarker": marker}

    def _stop(self, params: dict[str, Value]) -> dict[str, Value]:
        execution = self._execution(params.get("DurableExecutionArn"))
        now = self._clock.now()
        self._sync(execution, now)
        if execution.state(now).status in TERMINAL:
            raise AwsError(
                "InvalidParameterValueException",
                f"Durable execution {execution.arn} is not running",
            )
        given = params.get("Error")
        error = ScriptedExecutionError(
            error_message=_str(given, "ErrorMessage") or "Execution stopped by the user",
            error_type=_str(given, "ErrorType"),
            error_data=_str(given, "ErrorData"),
        )
        self._switch(execution, [ExecutionPoint(at=0, status="STOPPED", error=error)], now)
        self._sync(execution, now)
        return {"StopTimestamp": self._wall(now)}

    def _invoke(self, params: dict[str, Value]) -> Reply:
        function = self._function(params.get("FunctionName"))
        invocation_type = params.get("InvocationType") or "RequestResponse"
        if invocation_type == "DryRun":
            # A dry run only checks the request; nothing starts.
            return Reply(raw=b"", status=204)
        payload = params.get("Payload")
        payload_text = payload if isinstance(payload, str) and payload else None
        name = params.get("DurableExecutionName")
        arn: str | None = None
        if isinstance(name, str):
            for execution in self._executions.values():
                if execution.function == function.name and execution.name == name:
                    if execution.input != payload_text:
                        raise AwsError(
                            "DurableExecutionAlreadyStartedException",
                            f"Durable execution {name} already started with a different payload",
                            status=409,
                        )
                    arn = execution.arn
        if arn is None:
            scenario = ExecutionScenario(
                name=name
                if isinstance(name, str)
                else str(uuid.UUID(int=self._rng.getrandbits(128))),
                started=self._clock.now(),
                input=payload_text,
                timeline=function.on_invoke,
            )
            arn = self.add_execution(function.name, scenario)
        headers = {"X-Amz-Durable-Execution-Arn": arn, "X-Amz-Executed-Version": "$LATEST"}
        if invocation_type == "Event":
            return Reply(raw=b"", status=202, headers=headers)
        # A synchronous invoke answers the result if the execution already finished, else null:
        # the emulator does not hold the connection open until the end.
        execution = self._executions[arn]
        state = execution.state(self._clock.now())
        result = state.result if state.status == "SUCCEEDED" else None
        return Reply(raw=(result or "null").encode(), headers=headers)

    # ------------------------------------------------------------ helpers

    def _function(self, value: Value) -> FunctionScenario:
        raw = str(value or "")
        name = (
            raw.rsplit(":function:", maxsplit=1)[-1].split(":", maxsplit=1)[0]
            if ":function:" in raw
            else raw.split(":", maxsplit=1)[0]
        )
        function = self._functions.get(name)
        if function is None:
            raise AwsError(
                "ResourceNotFoundException",
                f"Function not found: {self._function_arn(name)}",
                status=404,
            )
        return function

    def _execution(self, arn: Value) -> _Execution:
        execution = self._executions.get(str(arn))
        # An execution a scenario starts later does not exist yet.
        if execution is None or execution.started > self._clock.now():
            raise AwsError(
                "ResourceNotFoundException", f"Durable execution not found: {arn}", status=404
            )
        return execution

    def _function_arn(self, name: str) -> str:
        return f"arn:aws:lambda:{self._region}:{self._account}:function:{name}:$LATEST"

    def _end(self, execution: _Execution) -> datetime | None:
        return None if execution.closed_at is None else self._wall(execution.closed_at)

    def _sync(self, execution: _Execution, now: float) -> None:
        """Append the history events of points reached since the last look."""
        reached = execution.cursor.reached(now)
        for point, when in reached[execution.seen_points :]:
            for event in point.events:
                execution.history.append(self._event(execution, event, when))
            if point.status in _CLOSING_EVENT and execution.closed_at is None:
                execution.closed_at = when
                details: dict[str, Value]
                if point.status == "SUCCEEDED":
                    details = {"Result": {"Payload": point.result, "Truncated": False}}
                else:
                    details = {
                        "Error": {
                            "Payload": _error(point.error, with_data=True),
                            "Truncated": False,
                        }
                    }
                closing = HistoryEvent(event_type=_CLOSING_EVENT[point.status], name=execution.name)
                execution.history.append(self._event(execution, closing, when, details))
        execution.seen_points = len(reached)

    def _event(
        self,
        execution: _Execution,
        event: HistoryEvent,
        when: float,
        details: dict[str, Value] | None = None,
    ) -> dict[str, Value]:
        return {
            "EventType": event.event_type,
            "SubType": event.sub_type,
            "EventId": len(execution.history) + 1,
            "Id": f"{self._rng.getrandbits(64):016x}",
            "Name": event.name,
            "EventTimestamp": self._wall(when),
            f"{event.event_type}Details": details if details is not None else dict(event.details),
        }


def _as_reply(operation: Callable[[dict[str, Value]], dict[str, Value]]) -> Operation[Reply]:
    """An operation whose JSON result is the whole reply."""
    return lambda params: Reply(operation(params))


def _page(items: list[_T], params: dict[str, Value]) -> tuple[list[_T], str | None]:
    raw = params.get("MaxItems")
    try:
        max_items = int(str(raw)) if raw is not None else _DEFAULT_ITEMS
    except ValueError as exc:
        raise AwsError(
            "InvalidParameterValueException", f"MaxItems is not a number: {raw}"
        ) from exc
    if not 0 <= max_items <= _MAX_ITEMS:
        raise AwsError("InvalidParameterValueException", f"MaxItems must be 0..{_MAX_ITEMS}")
    max_items = max_items or _DEFAULT_ITEMS
    offset = decode_token("lambda", params.get("Marker"))
    if offset is None:
        raise AwsError("InvalidParameterValueException", "The Marker is not valid")
    end = offset + max_items
    return items[offset:end], encode_token("lambda", end) if end < len(items) else None


def _timestamp(params: dict[str, Value], name: str) -> datetime | None:
    raw = params.get(name)
    if raw is None:
        return None
    try:
        return datetime.fromisoformat(str(raw))
    except ValueError as exc:
        raise AwsError(
            "InvalidParameterValueException", f"{name} is not a timestamp: {raw}"
        ) from exc


def _error(error: ScriptedExecutionError | None, *, with_data: bool) -> dict[str, Value] | None:
    if not isinstance(error, ScriptedExecutionError):
        return None
    return {
        "ErrorMessage": error.error_message,
        "ErrorType": error.error_type,
        "ErrorData": error.error_data if with_data else None,
        "StackTrace": list(error.stack_trace) or None,
    }


def _str(value: Value, key: str) -> str | None:
    if isinstance(value, dict):
        found = value.get(key)
        return found if isinstance(found, str) else None
    return None
