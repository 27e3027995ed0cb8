"""``waitkit logs-query --log-group G... --query Q --start T [--end T]``: Logs Insights.

Times (``--start``, ``--end``) take a small grammar:

- ``now``;
- a time ago: a duration with a unit, ``15m``, ``1h30m``, ``90s``, optionally written
  ``-15m`` or ``now-15m`` (``--start=-15m``: argparse takes ``-15m`` for an option);
- an ISO 8601 time with its offset, ``2024-05-01T12:00:00Z``, ``2024-05-01T14:00+02:00``
  (one without an offset is refused: it is ambiguous);
- epoch seconds after an ``@``: ``@1714564800``.

On success the rows are printed after the wait (also with ``--quiet``): a rich table on
a terminal, plain aligned columns otherwise; with ``--json`` they are in the result
object's ``state.rows``.
"""

from __future__ import annotations

import argparse
import math
import sys
import time
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any, Final

from waitkit._cli._command import Example, WaitCommand, Watch
from waitkit._cli._durations import parse_duration
from waitkit._cli._errors import UsageError
from waitkit._cli._exit import ExitCode, worst
from waitkit._cli._report import write_line
from waitkit._cli._track import Ending
from waitkit._core import safe

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence

    from waitkit._cli._command import Context
    from waitkit._cli._track import Track

_HINT: Final = (
    "use now, a time ago with a unit (15m, 1h30m, now-2h), ISO 8601 with an offset "
    "(2024-05-01T12:00:00Z) or @EPOCH seconds"
)
#: Fields left out of the table: ``@ptr`` is a pointer for GetLogRecord, not data.
HIDDEN_FIELDS: Final = frozenset({"@ptr"})
_LABEL_GROUPS: Final = 2
_UNITS: Final = "smh"


@dataclass(frozen=True, slots=True)
class Moment:
    """A ``--start``/``--end`` value: absolute epoch seconds, or seconds before now."""

    text: str
    epoch: float | None = None
    ago: float = 0.0

    def at(self, now: float) -> float:
        """Epoch seconds, relative to ``now`` (one ``now`` for both ends)."""
        return self.epoch if self.epoch is not None else now - self.ago


def parse_moment(text: str) -> Moment:
    """A :class:`Moment` from the grammar in the module docstring.

    Raises:
        argparse.ArgumentTypeError: not a time in that grammar.
    """
    cleaned = text.strip()
    lower = cleaned.lower()
    if lower == "now":
        return Moment(cleaned)
    relative = _relative_part(lower)
    if relative is not None:
        return Moment(cleaned, ago=_ago(text, relative))
    if lower.startswith("@"):
        return Moment(cleaned, epoch=_epoch(text, lower[1:]))
    try:
        when = datetime.fromisoformat(cleaned)
    except ValueError:
        msg = f"invalid time {text!r}: {_HINT}"
        raise argparse.ArgumentTypeError(msg) from None
    if when.tzinfo is None:
        msg = f"invalid time {text!r}: give its offset, Z for UTC or +HH:MM (else it is ambiguous)"
        raise argparse.ArgumentTypeError(msg)
    return Moment(cleaned, epoch=when.timestamp())


def _relative_part(lower: str) -> str | None:
    """The duration of ``now-15m``, ``-15m`` or ``15m``; None when it is no time ago."""
    if lower.startswith("now-"):
        return lower[len("now-") :]
    if lower.startswith("-"):
        return lower[1:]
    if lower[-1:] in tuple(_UNITS) and lower[:1] in tuple("0123456789."):
        return lower
    return None


def _ago(text: str, duration: str) -> float:
    if duration[-1:] not in tuple(_UNITS):
        msg = f"invalid time {text!r}: a time ago needs a unit, s, m or h ({_HINT})"
        raise argparse.ArgumentTypeError(msg)
    try:
        return parse_duration(duration)
    except argparse.ArgumentTypeError:
        msg = f"invalid time {text!r}: {_HINT}"
        raise argparse.ArgumentTypeError(msg) from None


def _epoch(text: str, number: str) -> float:
    try:
        epoch = float(number)
    except ValueError:
        epoch = math.nan
    if not math.isfinite(epoch) or epoch < 0:
        msg = f"invalid time {text!r}: @ takes epoch seconds >= 0, e.g. @1714564800"
        raise argparse.ArgumentTypeError(msg)
    return epoch


def _count(text: str) -> int:
    try:
        return int(text)
    except ValueError:
        msg = f"invalid count {text!r}: give a whole number"
        raise argparse.ArgumentTypeError(msg) from None


def _add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--log-group",
        "-g",
        dest="log_groups",
        action="extend",
        nargs="+",
        required=True,
        metavar="G",
        help="log group names or ARNs to search, 1 to 50 (repeat the option or list them)",
    )
    parser.add_argument(
        "--query", required=True, metavar="Q", help="the query, in the Logs Insights language"
    )
    parser.add_argument(
        "--start",
        type=parse_moment,
        required=True,
        metavar="TIME",
        help="the first moment searched: now, 15m or now-15m (ago), ISO 8601 with offset, @EPOCH",
    )
    parser.add_argument(
        "--end",
        type=parse_moment,
        default="now",
        metavar="TIME",
        help="the last moment searched, same forms (default: now)",
    )
    parser.add_argument(
        "--limit", type=_count, metavar="N", help="most rows returned, 1-100000 (default: AWS's)"
    )
    parser.add_argument(
        "--min-rows",
        type=_count,
        default=0,
        metavar="N",
        help="run the query again until at least N rows come back (logs still arriving)",
    )
    parser.add_argument(
        "--propagation-delay",
        type=parse_duration,
        default=0.0,
        metavar="DURATION",
        help="wait this long before starting the query, so fresh events are searchable",
    )


def label(groups: Sequence[str]) -> str:
    """``/app``, ``/app, /web``, ``/app, /web +3 more``."""
    shown = ", ".join(groups[:_LABEL_GROUPS])
    more = len(groups) - _LABEL_GROUPS
    return f"{shown} +{more} more" if more > 0 else shown


async def _build(args: argparse.Namespace, context: Context) -> Sequence[Watch]:
    from waitkit.aws import LogsInsightsQuery  # noqa: PLC0415 - extra 'aws'

    now = time.time()  # one "now" for both ends
    start: float = args.start.at(now)
    end: float = args.end.at(now)
    if end < start:
        msg = f"--end ({args.end.text}) is before --start ({args.start.text})"
        raise UsageError(msg)
    if start < 0:
        msg = f"--start ({args.start.text}) is before 1970"
        raise UsageError(msg)
    groups: list[str] = list(dict.fromkeys(args.log_groups))
    client = await context.aws.client("logs")
    query = LogsInsightsQuery(
        client, groups, args.query, start, end, limit=args.limit, policy=context.policy
    )
    waiter = query.waiter(min_rows=args.min_rows, propagation_delay=args.propagation_delay)
    return [Watch(label(groups), waiter)]


def _size(value: float) -> str:
    for unit in ("B", "kB", "MB", "GB"):
        if value < 1000:  # noqa: PLR2004 - SI steps
            return f"{value:.3g} {unit}"
        value /= 1000
    return f"{value:.3g} TB"


def _render(state: Any) -> Sequence[str]:  # noqa: ANN401 - a QueryState
    """The statistics line (and how many queries ``--min-rows`` started)."""
    stats = state.statistics
    lines = []
    if stats is not None:
        count = stats.log_groups_scanned
        groups = f", {count:g} log group{'' if count == 1 else 's'}" if count else ""
        lines.append(
            f"statistics: {stats.records_matched:g} records matched, "
            f"{stats.records_scanned:g} scanned ({_size(stats.bytes_scanned)}){groups}"
        )
    if state.query_number > 1:
        lines.append(f"{state.query_number} queries started (--min-rows)")
    return lines


def columns(rows: Sequence[Mapping[str, str]]) -> list[str]:
    """Every field of the rows, in order of first appearance, without ``@ptr``."""
    seen: dict[str, None] = {}
    for row in rows:
        seen.update((field, None) for field in row if field not in HIDDEN_FIELDS)
    return list(seen)


def plain_table(rows: Sequence[Mapping[str, str]]) -> list[str]:
    """The rows as aligned columns under a header, each cell made safe; no control characters."""
    fields = columns(rows)
    if not fields:
        return [f"({len(rows)} row{'' if len(rows) == 1 else 's'}, no fields)"]
    cells = [[safe(row.get(field, "")) for field in fields] for row in rows]
    widths = [max(len(field), *(len(line[i]) for line in cells)) for i, field in enumerate(fields)]
    return [
        "  ".join(cell.ljust(width) for cell, width in zip(line, widths, strict=True)).rstrip()
        for line in [fields, *cells]
    ]


def _print_rich_table(rows: Sequence[Mapping[str, str]]) -> bool:
    """The rows as a rich table on stdout; False when rich is not installed."""
    try:
        from rich import box  # noqa: PLC0415 - extra 'cli'
        from rich.console import Console  # noqa: PLC0415
        from rich.table import Table  # noqa: PLC0415
        from rich.text import Text  # noqa: PLC0415
    except ImportError:
        return False
    table = Table(box=box.SIMPLE_HEAD, header_style="bold", pad_edge=False)
    fields = columns(rows)
    for field in fields:
        table.add_column(Text(field), overflow="fold")
    for row in rows:
        # Text, not markup: a log line must not be able to style or break the table.
        table.add_row(*(Text(safe(row.get(field, ""))) for field in fields))
    Console(file=sys.stdout, highlight=False).print(table)
    return True


def _finish(tracks: Sequence[Track], args: argparse.Namespace) -> ExitCode:
    """Print each successful query's rows (not with --json: they are in the result object)."""
    if not args.json:
        for track in tracks:
            if track.outcome is not Ending.SUCCEEDED:
                continue
            rows: list[dict[str, str]] = track.state.rows
            if not rows:
                write_line(sys.stdout, "(no rows)")
            elif not (sys.stdout.isatty() and columns(rows) and _print_rich_table(rows)):
                for line in plain_table(rows):
                    write_line(sys.stdout, line)
        sys.stdout.flush()
    return worst(ExitCode.INTERRUPTED if t.exit_code is None else t.exit_code for t in tracks)


COMMAND = WaitCommand(
    name="logs-query",
    help="run a CloudWatch Logs Insights query and print its rows",
    description=(
        "Start a Logs Insights query, await it, and print its rows: a table on a terminal, "
        "aligned columns otherwise (also with --quiet), the result's state.rows with --json; "
        "then the statistics. Failed, Cancelled and Timeout are failures. Times are now, a "
        "time ago with a unit (15m, 1h30m, now-2h; write --start=-15m for the minus form), "
        "ISO 8601 with an offset (2024-05-01T12:00:00Z) or @EPOCH seconds. --min-rows runs "
        "the query again until enough rows arrived. A query that times out or is "
        "interrupted is stopped (StopQuery)."
    ),
    add_arguments=_add_arguments,
    build=_build,
    render=_render,
    finish=_finish,
    examples=(
        Example(
            "The last hour's errors of a function, as a table:",
            "waitkit logs-query -g /aws/lambda/orders --start 1h "
            "--query 'fields @timestamp, @message | filter level = \"ERROR\"'",
        ),
        Example(
            "Wait (up to 5 minutes) for a freshly written event to be searchable:",
            "waitkit logs-query -g /app --start now-15m --min-rows 1 --propagation-delay 30s "
            "--query 'filter @message like /deploy-42/' --timeout 5m",
        ),
        Example(
            "A fixed window over two groups, the rows as JSON:",
            "waitkit logs-query -g /app /web --start 2024-05-01T12:00:00Z "
            "--end 2024-05-01T13:00:00Z --query 'stats count(*) by bin(5m)' --json -q "
            "| jq '.state.rows'",
        ),
    ),
)
