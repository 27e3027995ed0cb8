"""`waitkit logs-query` end to end against the emulator: rows, statistics, times, errors."""

import argparse
import json
import re
import sys
from datetime import UTC, datetime

import pytest

from waitkit._cli._commands.logs_query import Moment, parse_moment, plain_table
from waitkit.emulator import Emulator, Scenario

from .conftest import FAST, advance_once, running
from .conftest import emulator_thread as emulator

CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
ROWS = [
    {
        "fields": {
            "@timestamp": "2024-05-01 12:00:01",
            "@message": "order 1 shipped",
            "level": "INFO",
        }
    },
    {
        "fields": {
            "@timestamp": "2024-05-01 12:00:02",
            "@message": "card declined",
            "level": "ERROR",
        }
    },
    {"fields": {"@timestamp": "2024-05-01 12:00:03", "@message": "bell\x07\x1b[31m", "level": "X"}},
]


def scenario() -> Scenario:
    """'doomed' queries fail, 'forever' ones never end, others end with 3 rows.

    Time stands still (a manual clock): the 'late' rows, ingested at 1 s, exist only
    once a test moves the clock on; the other timelines move with each read.
    """
    return Scenario.model_validate(
        {
            "clock": "manual",
            "logs": {
                "log_groups": ["/app", "/web"],
                "queries": [
                    {
                        "match": "doomed",
                        "timeline": [
                            {"after": 0, "status": "Running"},
                            {"after": 1, "status": "Failed"},
                        ],
                    },
                    {"match": "forever", "timeline": [{"after": 0, "status": "Running"}]},
                    {
                        "match": "late",
                        "timeline": [{"after": 0, "status": "Complete"}],
                        "rows": [
                            {"fields": {"@message": f"late {i}"}, "ingested_at": 1.0}
                            for i in range(2)
                        ],
                    },
                    {
                        "match": "",
                        "timeline": [
                            {"after": 0, "status": "Scheduled"},
                            {"after": 1, "status": "Running", "rows": 1},
                            {"after": 2, "status": "Complete", "rows": 3},
                        ],
                        "rows": ROWS,
                    },
                ],
            },
        }
    )


def query(endpoint: str, *argv: str) -> list[str]:
    """The logs-query arguments common to the tests."""
    return ["logs-query", "-g", "/app", "--start", "1h", "--endpoint-url", endpoint, *argv, *FAST]


def test_success_prints_the_rows_as_aligned_columns_and_the_statistics(cli, aws_env):
    """Not on a terminal: the final line, the statistics, then a plain table without @ptr."""
    with emulator(scenario()) as endpoint:
        run = cli(*query(endpoint, "--query", "fields @timestamp, @message, level"))
    assert run.code == 0, run.err
    lines = run.out.splitlines()
    final = next(i for i, line in enumerate(lines) if " after " in line)
    assert re.fullmatch(r"/app: succeeded after \d+\.\ds: Complete, 3 rows.*", lines[final])
    assert re.fullmatch(
        r"  statistics: 3 records matched, \d+ scanned \(.*\), 1 log group", lines[final + 1]
    )
    assert lines[final + 2 :] == [
        "@timestamp           @message          level",
        "2024-05-01 12:00:01  order 1 shipped   INFO",
        "2024-05-01 12:00:02  card declined     ERROR",
        "2024-05-01 12:00:03  bell\\x07\\x1b[31m  X",
    ]
    assert "@ptr" not in run.out
    assert not CONTROL.search(run.out + run.err)


def test_json_result_carries_the_rows_and_no_table(cli, aws_env):
    """--json: every line parses; the result's state holds every row, with @ptr."""
    with emulator(scenario()) as endpoint:
        run = cli(*query(endpoint, "--query", "fields @message", "--json", "-g", "/web"))
    assert run.code == 0, run.err
    objects = [json.loads(line) for line in run.out.splitlines()]
    result = objects[-1]
    assert result["event"] == "result"
    assert result["resource"] == "/app, /web"
    assert result["waiter"] == "logs_insights_query"
    assert [row["@message"] for row in result["state"]["rows"]] == [
        "order 1 shipped",
        "card declined",
        "bell\x07\x1b[31m",
    ]
    assert all("@ptr" in row for row in result["state"]["rows"])
    assert result["state"]["statistics"]["log_groups_scanned"] == 2


def test_quiet_prints_only_the_rows(cli, aws_env):
    """--quiet: no progress and no statistics, but the rows are the result and are printed."""
    with emulator(scenario()) as endpoint:
        run = cli(*query(endpoint, "--query", "fields @message", "-q"))
    assert run.code == 0, run.err
    assert run.out.splitlines()[0].startswith("@timestamp")
    assert len(run.out.splitlines()) == 4
    assert run.err == ""


def test_min_rows_runs_the_query_again_until_rows_arrive(cli, aws_env):
    """--min-rows 2: the first queries find nothing yet; the query is run again until they do."""

    def first_run_read(emu: Emulator) -> bool:
        return emu.counters.of("logs", "GetQueryResults") >= 1

    with running(scenario()) as emulator_:
        # The rows are ingested (time moves on) only once the first query has been read.
        with advance_once(emulator_, first_run_read, 1.0):
            late = "fields @message | filter late"
            run = cli(*query(emulator_.aws_endpoint, "--query", late, "--min-rows", "2"))
        starts = emulator_.counters.of("logs", "StartQuery")
    assert run.code == 0, run.err
    assert starts >= 2
    assert re.search(rf"  {starts} queries started \(--min-rows\)", run.out)
    assert run.out.splitlines()[-3:] == ["@message", "late 0", "late 1"]


def test_a_failed_query_exits_1_and_a_running_one_times_out_with_2(cli, aws_env):
    """Failed is a failure (exit 1, no table); a query that does not end in time exits 2."""
    with emulator(scenario()) as endpoint:
        failed = cli(*query(endpoint, "--query", "fields @message | filter doomed"))
        slow = cli(*query(endpoint, "--query", "fields forever", "--timeout", "1.5s"))
    assert failed.code == 1
    assert re.search(r"/app: failed after \d+\.\ds: query \S+ ended Failed", failed.out)
    assert "@message" not in failed.out
    assert slow.code == 2
    assert re.search(r"/app: timed out after \d+\.\ds: last state: Running", slow.out)


def test_empty_results_say_so(cli, aws_env):
    """A Complete query without rows prints '(no rows)' instead of a table."""
    with emulator(scenario()) as endpoint:  # the clock stands still: no 'late' row exists
        run = cli(*query(endpoint, "--query", "fields late", "--end", "now"))
    assert run.code == 0, run.err
    assert run.out.splitlines()[-1] == "(no rows)"


@pytest.mark.parametrize(
    ("argv", "fragment"),
    [
        (["--start", "yesterday"], "invalid time 'yesterday'"),
        (["--start", "2024-05-01T12:00:00"], "give its offset"),
        (["--start", "now-15"], "needs a unit"),
        (["--start", "@-5"], "epoch seconds >= 0"),
        (["--start", "5m", "--end", "1h"], "--end (1h) is before --start (5m)"),
        (["--start", "1h", "--min-rows", "x"], "invalid count 'x'"),
        (["--start", "1h", "--limit", "0"], "limit must be an integer from 1 to 100000"),
    ],
)
def test_bad_times_and_counts_exit_3(cli, aws_env, argv, fragment):
    """Times outside the grammar, an end before the start and bad counts exit 3, one line."""
    run = cli("logs-query", "-g", "/app", "--query", "fields @message", *argv, *FAST)
    assert run.code == 3
    assert fragment in run.err
    assert len(run.err.splitlines()) == 1


def test_a_malformed_query_and_an_unknown_group(cli, aws_env):
    """A query StartQuery refuses exits 3; a log group that does not exist is not found (1)."""
    with emulator(scenario()) as endpoint:
        malformed = cli(*query(endpoint, "--query", "nonsense @message"))
        unknown = cli(*query(endpoint, "--query", "fields @message", "-g", "/nope"))
    assert malformed.code == 3
    assert "query was refused by StartQuery" in malformed.out + malformed.err
    assert unknown.code == 1
    assert "not found after" in unknown.out


def test_time_grammar():
    """now, a time ago (15m, -15m, now-15m), ISO 8601 with an offset and @epoch."""
    now = 1_000_000.0
    assert parse_moment("now").at(now) == now
    for text in ("15m", "-15m", "now-15m", "NOW-15M", "900s"):
        assert parse_moment(text).at(now) == now - 900, text
    assert parse_moment("1h30m").at(now) == now - 5400
    assert parse_moment("@1714564800").at(now) == 1714564800
    iso = parse_moment("2024-05-01T14:00:00+02:00")
    assert iso == Moment(
        "2024-05-01T14:00:00+02:00", epoch=datetime(2024, 5, 1, 12, tzinfo=UTC).timestamp()
    )
    assert parse_moment("2024-05-01T12:00:00Z").at(now) == iso.epoch
    for bad in ("", "15", "now-", "now+1h", "1d", "2024-05-01", "@x", "@inf"):
        with pytest.raises(argparse.ArgumentTypeError):
            parse_moment(bad)


def test_the_minus_form_needs_an_equals_sign(cli, aws_env):
    """--start=-1h works (argparse reads a bare -1h as an option, exit 3 with a hint)."""
    with emulator(scenario()) as endpoint:
        run = cli("logs-query", "-g", "/app", "--query", "fields @message", "--start=-1h",
                  "--endpoint-url", endpoint, "-q", *FAST)  # fmt: skip
    assert run.code == 0, run.err
    bare = cli("logs-query", "-g", "/app", "--query", "fields @message", "--start", "-1h", *FAST)
    assert bare.code == 3


def test_plain_table_pads_every_column_but_the_last():
    """Columns are as wide as their widest cell; missing fields are blank; lines are stripped."""
    rows = [{"a": "1", "bb": "x"}, {"a": "333", "c": "tail"}]
    assert plain_table(rows) == ["a    bb  c", "1    x", "333      tail"]


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX terminals")
def test_a_terminal_gets_a_rich_table(terminal, aws_env):
    """On a terminal the rows are drawn as a rich table, with control characters made safe."""
    with emulator(scenario()) as endpoint:
        run = terminal(*query(endpoint, "--query", "fields @message"), columns=100)
    assert run.code == 0, run.out
    table = run.out.rsplit("statistics:", 1)[1]
    for text in ("@timestamp", "@message", "level", "order 1 shipped", "card declined", "ERROR"):
        assert text in table
    assert "bell\\x07\\x1b[31m" in table
    assert "\x07" not in table
    assert "─" in table  # rich's header rule
