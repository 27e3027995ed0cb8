"""Reading ``GetQueryResults``: one answer, and every page of a complete one."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Final

from waitkit.aws._answers import answer_of, not_documented
from waitkit.aws._logs_insights._models import QueryState, QueryStatistics

if TYPE_CHECKING:
    from collections.abc import Mapping

    from types_aiobotocore_logs.client import CloudWatchLogsClient
    from types_aiobotocore_logs.type_defs import GetQueryResultsResponseTypeDef

_RESULTS: Final = "GetQueryResults"


async def read_results(
    client: CloudWatchLogsClient,
    query_id: str,
    *,
    query_number: int,
    page_size: int | None,
    rows_wanted: int,
) -> QueryState:
    """One GetQueryResults; when Complete, also every further page (``nextToken``)."""
    sized: dict[str, Any] = {} if page_size is None else {"maxItems": page_size}
    with answer_of(_RESULTS):
        answer = await client.get_query_results(queryId=query_id, **sized)
    if not answer.keys() - {"ResponseMetadata"}:
        # botocore reads a body that is not JSON (an HTML page) as an empty answer; a
        # null status alone is an unknown status (below), as AWS sends results with it.
        raise not_documented(_RESULTS)
    given: object = answer.get("status")
    status = given if isinstance(given, str) else ""
    statistics = _statistics(answer)
    if status != "Complete":
        return QueryState(
            query_id=query_id,
            status=status,
            row_count=len(answer.get("results") or []),
            statistics=statistics,
            query_number=query_number,
            rows_wanted=rows_wanted,
        )
    rows = _rows(answer)
    token = answer.get("nextToken")
    while token:  # absent on botocore versions (and services) without result paging
        with answer_of(_RESULTS):
            page = await client.get_query_results(queryId=query_id, nextToken=token, **sized)
        rows.extend(_rows(page))
        token = page.get("nextToken")
    return QueryState(
        query_id=query_id,
        status=status,
        row_count=len(rows),
        rows=rows,
        statistics=statistics,
        query_number=query_number,
        rows_wanted=rows_wanted,
    )


def _rows(answer: GetQueryResultsResponseTypeDef) -> list[dict[str, str]]:
    return [
        {cell["field"]: cell.get("value", "") for cell in row if "field" in cell}
        for row in answer.get("results", [])
    ]


def _statistics(answer: GetQueryResultsResponseTypeDef) -> QueryStatistics | None:
    raw: Mapping[str, Any] | None = answer.get("statistics")
    if raw is None:  # moto sends none
        return None
    result_count = raw.get("resultCount")
    return QueryStatistics(
        records_matched=float(raw.get("recordsMatched", 0.0)),
        records_scanned=float(raw.get("recordsScanned", 0.0)),
        estimated_records_skipped=float(raw.get("estimatedRecordsSkipped", 0.0)),
        bytes_scanned=float(raw.get("bytesScanned", 0.0)),
        estimated_bytes_skipped=float(raw.get("estimatedBytesSkipped", 0.0)),
        log_groups_scanned=float(raw.get("logGroupsScanned", 0.0)),
        result_count=None if result_count is None else float(result_count),
    )
