"""What a Logs Insights wait sees and returns: its statuses, states, results and verdict."""

from __future__ import annotations

import warnings
from typing import Any, Final, final

from pydantic import BaseModel, ConfigDict, Field, model_validator

from waitkit._core import ConfigurationError, State, Verdict

#: Statuses AWS documents while a query is working.
PENDING: Final = frozenset({"Scheduled", "Running"})
#: Terminal statuses other than ``Complete``.
FAILURE: Final = frozenset({"Failed", "Cancelled", "Timeout"})
#: Not an AWS status: the query waits for a :class:`QuerySlots` slot and is not started yet.
QUEUED: Final = "Queued"
# Less than this left before the deadline (a loop clock may wake a hair early): no time


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


def _renamed(model: str, old: str, new: str) -> None:
    warnings.warn(
        f"{model}.{old} was renamed {model}.{new}; the old name goes in the next release",
        DeprecationWarning,
        stacklevel=3,  # the line that used the old name
    )


def _accept_old_keyword(data: Any, model: str, old: str, new: str) -> Any:  # noqa: ANN401
    """Constructor input with the old keyword ``old`` read as ``new`` (with a warning)."""
    if isinstance(data, dict) and old in data and new not in data:
        warnings.warn(
            f"{model}({old}=...) was renamed {model}({new}=...); the old keyword goes in "
            "the next release",
            DeprecationWarning,
            stacklevel=4,  # past the validator and pydantic's __init__: the constructing line
        )
        data = {**data, new: data[old]}
        del data[old]
    return data


@final
class QueryStatistics(_Frozen):
    """The ``statistics`` of ``GetQueryResults`` (AWS sends doubles; 0 when absent).

    ``result_count`` is ``None`` on botocore versions that do not model it (absent on
    older botocore: 1.40.61, pinned by aioboto3 15.5, drops it from the answer).
    """

    records_matched: float = 0.0
    records_scanned: float = 0.0
    estimated_records_skipped: float = 0.0
    bytes_scanned: float = 0.0
    estimated_bytes_skipped: float = 0.0
    log_groups_scanned: float = 0.0
    result_count: float | None = None


@final
class QueryState(State):
    """One observation of a Logs Insights query.

    ``rows`` holds every row (all pages) once the status is ``Complete``; while the
    query runs it stays empty and ``row_count`` says how many partial rows AWS showed,
    so the wait's history stays small.

    Example:
        >>> QueryState(query_id="q-1", status="Running", row_count=3).summary()
        'Running, 3 rows'
    """

    #: The query id; ``None`` while waiting for a slot (status ``Queued``).
    query_id: str | None = None
    #: The AWS status, or ``Queued`` before the query is started.
    status: str
    #: Rows shown by the last answer (partial while ``Running``).
    row_count: int = 0
    #: Every row once ``Complete``: field name -> value, including ``@ptr``.
    rows: list[dict[str, str]] = Field(default_factory=list)
    statistics: QueryStatistics | None = None
    #: Which query of this wait this is: 1, then 2, 3, ... when ``min_rows`` starts the
    #: query again while rows arrive.
    query_number: int = 1
    #: The rows the wait wants (its ``min_rows``; 0: a complete query is enough).
    rows_wanted: int = 0

    @model_validator(mode="before")
    @classmethod
    def _old_keywords(cls, data: Any) -> Any:  # noqa: ANN401 - pydantic's raw input
        return _accept_old_keyword(data, "QueryState", "run", "query_number")

    @property
    def run(self) -> int:
        """Deprecated: the old name of :attr:`query_number` (goes in the next release)."""
        _renamed("QueryState", "run", "query_number")
        return self.query_number

    def summary(self) -> str:
        """Status, rows and records scanned, e.g. ``Running, 3 rows, 1200 records scanned``.

        A complete query with fewer rows than wanted says so: ``Complete, 1 row of 3
        wanted``; from the second query of a ``min_rows`` wait on, its number follows:
        ``Complete, 1 row of 3 wanted, query 2``.
        """
        rows = f"{self.row_count} row{'' if self.row_count == 1 else 's'}"
        if self.status == "Complete" and self.row_count < self.rows_wanted:
            rows += f" of {self.rows_wanted} wanted"
        parts = [self.status or "(empty status)", rows]
        if self.statistics is not None and self.statistics.records_scanned:
            parts.append(f"{self.statistics.records_scanned:g} records scanned")
        if self.query_number > 1:
            parts.append(f"query {self.query_number}")
        return ", ".join(parts)


@final
class QueryResults(_Frozen):
    """The rows and statistics of a completed query.

    Example:
        >>> results = QueryResults(query_id="q-1", rows=[{"@message": "hi", "@ptr": "p"}])
        >>> [row["@message"] for row in results.rows]
        ['hi']
    """

    query_id: str
    #: Field name -> value for each row, in the order AWS returned them (with ``@ptr``).
    rows: list[dict[str, str]]
    statistics: QueryStatistics = QueryStatistics()
    #: How many queries the wait started (more than 1 when ``min_rows`` started it again).
    query_count: int = 1

    @model_validator(mode="before")
    @classmethod
    def _old_keywords(cls, data: Any) -> Any:  # noqa: ANN401 - pydantic's raw input
        return _accept_old_keyword(data, "QueryResults", "runs", "query_count")

    @property
    def runs(self) -> int:
        """Deprecated: the old name of :attr:`query_count` (goes in the next release)."""
        _renamed("QueryResults", "runs", "query_count")
        return self.query_count

    @classmethod
    def from_state(cls, state: QueryState) -> QueryResults:
        """The results held by a ``Complete`` state (from ``wait()`` or ``wait_all``).

        Raises:
            ConfigurationError: the state is not ``Complete``.
        """
        if state.status != "Complete" or state.query_id is None:
            msg = f"state must be a Complete query state, got status {state.status!r}"
            raise ConfigurationError(msg)
        return cls(
            query_id=state.query_id,
            rows=state.rows,
            statistics=state.statistics or QueryStatistics(),
            query_count=state.query_number,
        )


def judge(state: QueryState, *, min_rows: int, unknown_grace: float, in_grace: bool) -> Verdict:
    """The verdict on one state (the status table above).

    ``in_grace``: whether this wait has seen ``Unknown`` for less than ``unknown_grace``
    (only a wait knows; a state judged on its own has no grace).
    """
    status = state.status
    if status == "Complete":
        return Verdict.SUCCESS if state.row_count >= min_rows else Verdict.PENDING
    if status in PENDING or status == QUEUED or (status == "Unknown" and in_grace):
        return Verdict.PENDING
    if status in FAILURE:
        return Verdict.failure(f"query {state.query_id} ended {status}")
    if status == "Unknown":
        return Verdict.failure(
            f"query {state.query_id} reported status Unknown for {unknown_grace:g}s (unknown_grace)"
        )
    return Verdict.unknown(status or "(empty status)")
