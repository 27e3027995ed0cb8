"""The shared source of one function's durable executions: a listing of them per round.

Once every awaited execution has been seen, a round is one listing of all statuses
since the oldest of them. A first look lists the running ones, then the finished ones
newest first; only the few names those pages did not find (older, or not listed yet)
are looked up alone.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, Final, final

from waitkit.aws._answers import answer_of, field
from waitkit.aws._durable_state import FAILURE, RUNNING, SUCCEEDED

if TYPE_CHECKING:
    from types_aiobotocore_lambda.client import LambdaClient

_FINISHED: Final = (SUCCEEDED, *sorted(FAILURE))  # the Statuses filter of finished ones
#: MaxItems of ListDurableExecutionsByFunction: 0-1000.
PAGE: Final = 1000
# Executions listed by start time: look a little before the oldest one awaited, as
# timestamps on the wire have second precision.
_START_SLACK: Final = timedelta(seconds=1)
_LIST: Final = "ListDurableExecutionsByFunction"


@final
class FunctionExecutions:
    """The shared source of one function: a listing of its executions per round."""

    def __init__(self, client: LambdaClient, function: str) -> None:
        self._client = client
        self._function = function
        self._starts: dict[str, datetime] = {}

    async def fetch(self, names: Collection[str]) -> Mapping[str, Mapping[str, Any]]:
        wanted = set(names)
        starts = [self._starts[name] for name in wanted if name in self._starts]
        found: dict[str, Mapping[str, Any]] = {}
        if starts and len(starts) == len(wanted):
            # Every awaited execution has been seen: one listing of all statuses since
            # the oldest of them finds the running and the finished alike.
            await self._list(found, wanted, StartedAfter=min(starts) - _START_SLACK)
        if wanted - found.keys():
            # A first look: the running ones ...
            await self._list(found, wanted, Statuses=[RUNNING])
        if wanted - found.keys():
            # ... then the finished ones, newest first (the awaited ones are usually the
            # newest): a thousand already finished cost a page, not a call each. Names
            # still missing once they are no more than the pages read (older than those
            # pages, or not listed yet) are looked up alone, which costs no more.
            read_all = await self._list(found, wanted, Statuses=list(_FINISHED), by_name=True)
            if not read_all:
                await self._by_name(found, wanted - found.keys())
        for name, listed in found.items():
            start = listed.get("StartTimestamp")
            if isinstance(start, datetime):
                self._starts[name] = start
        return found

    async def _by_name(self, found: dict[str, Mapping[str, Any]], names: set[str]) -> None:
        """Look each name up alone: older than the pages read, or not listed yet."""
        for name in sorted(names):
            with answer_of(_LIST):
                named = await self._client.list_durable_executions_by_function(
                    FunctionName=self._function, DurableExecutionName=name, MaxItems=1
                )
            records = named.get("DurableExecutions", [])
            if records:
                found[name] = records[0]

    async def _list(
        self,
        found: dict[str, Mapping[str, Any]],
        wanted: set[str],
        *,
        by_name: bool = False,
        **filters: Any,  # noqa: ANN401
    ) -> bool:
        """Page a listing into ``found`` until every wanted name is in it; True if all read.

        With ``by_name``, paging also stops once no more names are missing than pages
        were read: looking those up one by one costs no more than paging on.
        """
        kwargs: dict[str, Any] = {"FunctionName": self._function, "MaxItems": PAGE, **filters}
        pages = 0
        while True:
            with answer_of(_LIST):
                page = await self._client.list_durable_executions_by_function(**kwargs)
            pages += 1
            for record in page.get("DurableExecutions", []):
                name = field(record, "DurableExecutionName", _LIST)
                if name in wanted and name not in found:
                    found[name] = record
            marker = page.get("NextMarker")
            if not marker:
                return True
            missing = len(wanted) - len(found)  # found holds wanted names only
            if not missing or (by_name and missing <= pages):
                return False
            kwargs["Marker"] = marker

    async def aclose(self) -> None:
        """Forget the start times; the client belongs to the caller."""
        self._starts.clear()
