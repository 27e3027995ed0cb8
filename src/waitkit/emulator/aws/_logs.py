"""Emulated CloudWatch Logs Insights queries (JSON 1.1 protocol).

Operations: ``StartQuery``, ``GetQueryResults``, ``StopQuery``. A query is
*observed* by each GetQueryResults call for it. Its behaviour comes from the
first :class:`QueryScript` whose ``match`` is in the query string; rows
ingested after the query started are never part of its results.
"""

from __future__ import annotations

import base64
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from pydantic import BaseModel, ConfigDict

from waitkit.emulator.aws._cursor import TimelineCursor, soonest
from waitkit.emulator.aws._paging import decode_token, encode_token
from waitkit.emulator.aws._protocols import AwsError, Value
from waitkit.emulator.aws._scenario import (
    LogRow,
    LogsScenario,
    QueryPoint,
    QueryScript,
    QueryStatus,
    ScriptedQueryStatistics,
)
from waitkit.emulator.aws._service import ScriptedService

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence

    from waitkit.emulator.aws._service import Operation

TERMINAL: frozenset[str] = frozenset({"Complete", "Failed", "Cancelled", "Timeout"})
_ACTIVE: frozenset[str] = frozenset({"Scheduled", "Running"})
_MAX_PAGE = 10_000
# Commands of the Logs Insights query language (CWLI); a pipeline stage must start with one.
_COMMANDS = frozenset(
    {
        "anomaly",
        "dedup",
        "diff",
        "display",
        "fields",
        "filter",
        "filterindex",
        "limit",
        "lookup",
        "parse",
        "pattern",
        "sort",
        "source",
        "stats",
        "unmask",
        "unnest",
    }
)
_WORD = re.compile(r"\s*([A-Za-z]+)")
_OPENERS = {"(": ")", "[": "]", "{": "}"}


class _QueryState(BaseModel):
    model_config = ConfigDict(extra="forbid")

    status: QueryStatus = "Scheduled"
    rows: int | None = None
    statistics: ScriptedQueryStatistics | None = None


@dataclass
class _Query:
    id: str
    query_string: str
    language: str
    log_groups: list[str]
    started: float
    rows: list[LogRow]
    cursor: TimelineCursor[QueryPoint]

    def state(self, now: float) -> _QueryState:
        return _QueryState().model_copy(update=self.cursor.fields(now))


class LogsService(ScriptedService[LogsScenario, dict[str, Value]]):
    """Logs Insights queries and the scripts that drive them.

    Run-time methods: :meth:`add_script`, :meth:`add_rows`, :meth:`add_log_group`.
    """

    name = "logs"
    protocol = "json"
    unknown_operation = ("UnknownOperationException", "Unknown operation {operation}")

    def _load(self, scenario: LogsScenario) -> None:
        self.max_concurrent_queries = scenario.max_concurrent_queries
        self._malformed = set(scenario.malformed_queries)
        self._log_groups = None if scenario.log_groups is None else set(scenario.log_groups)
        self._scripts = list(scenario.queries)
        self._queries: dict[str, _Query] = {}

    # ------------------------------------------------------------ run-time controls

    def add_script(self, script: QueryScript, *, first: bool = True) -> None:
        """Add a query script; by default it takes precedence over the existing ones."""
        if first:
            self._scripts.insert(0, script)
        else:
            self._scripts.append(script)

    def add_rows(self, match: str, rows: Sequence[LogRow]) -> None:
        """Ingest rows for the script whose ``match`` is ``match``; only later queries see them."""
        for i, script in enumerate(self._scripts):
            if script.match == match:
                self._scripts[i] = script.model_copy(update={"rows": [*script.rows, *rows]})
                return
        raise KeyError(match)

    def add_log_group(self, name: str) -> None:
        """Make a log group known (only matters when the scenario lists log groups)."""
        if self._log_groups is not None:
            self._log_groups.add(name)

    def next_due(self, now: float) -> float | None:
        """The next scenario time a query moves, or rows are ingested, by time alone."""
        rows = (row.ingested_at for script in self._scripts for row in script.rows)
        queries = (q.cursor.next_due(now) for q in self._queries.values())
        return soonest(now, [*rows, *queries])

    def status(self, query_id: str) -> str:
        """A query's current status (without counting an observation)."""
        return self._get(query_id).state(self._clock.now()).status

    # ------------------------------------------------------------ operations

    def _operations(self) -> Mapping[str, Operation[dict[str, Value]]]:
        return {
            "StartQuery": self._start,
            "GetQueryResults": self._results,
            "StopQuery": self._stop,
        }

    def _start(self, params: dict[str, Value]) -> dict[str, Value]:
        query_string = params.get("queryString")
        if not isinstance(query_string, str):
            raise AwsError("InvalidParameterException", "queryString is required")
        language = str(params.get("queryLanguage") or "CWLI")
        groups = _log_groups(params, query_string)
        _check_times(params)
        if self._log_groups is not None:
            for group in groups:
                if group not in self._log_groups:
                    raise AwsError(
                        "ResourceNotFoundException", f"Log group '{group}' does not exist"
                    )
        self._check_syntax(query_string, language)
        now = self._clock.now()
        running = sum(1 for q in self._queries.values() if q.state(now).status in _ACTIVE)
        if running >= self.max_concurrent_queries:
            raise AwsError(
                "LimitExceededException",
                "Account maximum query concurrency limit of "
                f"[{self.max_concurrent_queries}] reached.",
            )
        script = next((s for s in self._scripts if s.match in query_string), QueryScript())
        query_id = f"{self._rng.getrandbits(128):032x}"
        query_id = (
            f"{query_id[:8]}-{query_id[8:12]}-{query_id[12:16]}-{query_id[16:20]}-{query_id[20:]}"
        )
        self._queries[query_id] = _Query(
            id=query_id,
            query_string=query_string,
            language=language,
            log_groups=groups,
            started=now,
            rows=[row for row in script.rows if row.ingested_at <= now],
            cursor=TimelineCursor(script.timeline, origin=now),
        )
        return {"queryId": query_id}

    def _results(self, params: dict[str, Value]) -> dict[str, Value]:
        query = self._get(params.get("queryId"))
        state = query.state(self._clock.now())
        query.cursor.observe()  # after reading: this read shows the points reached before it
        shown = state.rows
        if shown is None:
            shown = len(query.rows) if state.status == "Complete" else 0
        rows = [self._row(query, i) for i in range(min(shown, len(query.rows)))]
        max_items = int(str(params.get("maxItems") or _MAX_PAGE))
        if not 0 <= max_items <= _MAX_PAGE:
            raise AwsError("InvalidParameterException", f"maxItems must be 0..{_MAX_PAGE}")
        max_items = max_items or _MAX_PAGE
        offset = _offset(params.get("nextToken"))
        result: dict[str, Value] = {
            "queryLanguage": query.language,
            "status": state.status,
            "results": rows[offset : offset + max_items],
            "statistics": _statistics(state.statistics, rows, query),
        }
        if offset + max_items < len(rows):
            result["nextToken"] = encode_token("logs", offset + max_items)
        return result

    def _stop(self, params: dict[str, Value]) -> dict[str, Value]:
        query = self._get(params.get("queryId"))
        now = self._clock.now()
        if query.state(now).status not in _ACTIVE:
            raise AwsError("InvalidParameterException", f"Query {query.id} is not running")
        query.cursor.switch([QueryPoint(at=0, status="Cancelled")], now=now)
        return {"success": True}

    # ------------------------------------------------------------ helpers

    def _get(self, query_id: Value) -> _Query:
        query = self._queries.get(str(query_id))
        if query is None:
            raise AwsError("ResourceNotFoundException", f"Query {query_id} does not exist")
        return query

    def _check_syntax(self, query_string: str, language: str) -> None:
        if query_string in self._malformed:
            _malformed(0, len(query_string), "unexpected symbol found")
        if language != "CWLI":
            return
        _check_brackets(query_string)
        offset = 0
        for stage in query_string.split("|"):
            word = _WORD.match(stage)
            if word is None or word.group(1).lower() not in _COMMANDS:
                _malformed(offset, offset + len(stage), "unexpected symbol found")
            offset += len(stage) + 1

    def _row(self, query: _Query, index: int) -> list[Value]:
        row = query.rows[index]
        fields: list[Value] = [{"field": k, "value": v} for k, v in row.fields.items()]
        if "@ptr" not in row.fields:
            ptr = base64.b64encode(f"{query.id}/{index}".encode()).decode()
            fields.append({"field": "@ptr", "value": ptr})
        return fields


def _log_groups(params: dict[str, Value], query_string: str) -> list[str]:
    given = [
        name
        for name in ("logGroupName", "logGroupNames", "logGroupIdentifiers")
        if params.get(name) is not None
    ]
    if len(given) > 1:
        raise AwsError(
            "InvalidParameterException",
            "Only one of logGroupName, logGroupNames or logGroupIdentifiers may be given",
        )
    if not given:
        if "SOURCE" in query_string:
            return []
        raise AwsError(
            "InvalidParameterException",
            "One of logGroupName, logGroupNames or logGroupIdentifiers is required",
        )
    value = params[given[0]]
    if isinstance(value, list):
        return [str(v) for v in value]
    return [str(value)]


def _check_times(params: dict[str, Value]) -> None:
    start, end = params.get("startTime"), params.get("endTime")
    if not isinstance(start, int) or not isinstance(end, int):
        raise AwsError("InvalidParameterException", "startTime and endTime are required")
    if end < start:
        raise AwsError("InvalidParameterException", "endTime must be at or after startTime")


def _check_brackets(query_string: str) -> None:
    stack: list[tuple[str, int]] = []
    quote: tuple[str, int] | None = None
    for i, char in enumerate(query_string):
        if quote is not None:
            if char == quote[0]:
                quote = None
        elif char in "\"'`":
            quote = (char, i)
        elif char in _OPENERS:
            stack.append((_OPENERS[char], i))
        elif char in _OPENERS.values() and (not stack or stack.pop()[0] != char):
            _malformed(i, i, f"unexpected '{char}'")
    if quote is not None:
        _malformed(quote[1], len(query_string), "unterminated string")
    if stack:
        _malformed(stack[-1][1], len(query_string), "unclosed bracket")


def _malformed(start: int, end: int, message: str) -> None:
    raise AwsError(
        "MalformedQueryException",
        f"Query could not be compiled: {message}",
        fields={
            "queryCompileError": {
                "location": {"startCharOffset": start, "endCharOffset": end},
                "message": message,
            }
        },
    )


def _statistics(
    scripted: ScriptedQueryStatistics | None, rows: list[list[Value]], query: _Query
) -> dict[str, Value]:
    given = scripted or ScriptedQueryStatistics()
    matched = float(len(rows))
    return {
        "recordsMatched": given.records_matched if given.records_matched is not None else matched,
        "recordsScanned": given.records_scanned if given.records_scanned is not None else matched,
        "estimatedRecordsSkipped": given.estimated_records_skipped or 0.0,
        "bytesScanned": given.bytes_scanned
        if given.bytes_scanned is not None
        else float(sum(len(str(row)) for row in rows)),
        "estimatedBytesSkipped": given.estimated_bytes_skipped or 0.0,
        "logGroupsScanned": given.log_groups_scanned
        if given.log_groups_scanned is not None
        else float(len(query.log_groups)),
        "resultCount": matched,
    }


def _offset(token: Value) -> int:
    offset = decode_token("logs", token)
    if offset is None:
        raise AwsError("InvalidParameterException", "The next token is not valid")
    return offset
