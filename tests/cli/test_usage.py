import sys

import pytest

from waitkit._cli._durations import format_duration, parse_duration, timeout_duration
from waitkit._cli._exit import ExitCode, worst
from waitkit._cli._report import PlainReporter
from waitkit._cli._views import make_reporter
from waitkit._core._text import redact, safe


def test_help_exits_0_and_lists_the_commands_and_exit_codes(cli):
    """`waitkit --help` lists every subcommand and the exit codes."""
    run = cli("--help")
    assert run.code == 0
    for word in ("asg-refresh", "durable", "emulator", "exit codes:", "130"):
        assert word in run.out


@pytest.mark.parametrize(
    ("argv", "fragment"),
    [
        ((), "the following arguments are required: COMMAND"),
        (("asg-refresh",), "the following arguments are required: GROUP"),
        (("asg-refresh", "web", "--timeout", "5x"), "invalid duration '5x'"),
        (("asg-refresh", "web", "--timeout", "0"), "must be more than 0"),
        (("asg-refresh", "web", "--min-delay", "-1"), "invalid duration '-1'"),
        (("nope",), "invalid choice: 'nope'"),
    ],
)
def test_usage_errors_exit_3_with_one_line(cli, argv, fragment):
    """Parser errors and bad durations exit 3 with a single line on stderr."""
    run = cli(*argv)
    assert run.code == 3
    assert run.out == ""
    assert len(run.err.splitlines()) == 1
    assert fragment in run.err


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (
            ("asg-refresh", "a", "b", "--refresh-id", "r-1", "--region", "us-east-1"),
            "--refresh-id needs exactly one GROUP",
        ),
        (
            ("asg-refresh", "a", "--min-delay", "5s", "--max-delay", "1s"),
            "--min-delay (5s) is longer than --max-delay (1s)",
        ),
        (("asg-refresh", "a"), "no AWS region: give --region"),
        (("asg-refresh", "a", "--region", "us-east-1", "--profile", "nope"), "nope"),
        (("asg-refresh", "a", "--endpoint-url", "localhost:1"), "must start with http://"),
    ],
)
def test_configuration_errors_exit_3_with_one_line(cli, aws_env, argv, message):
    """Options that are wrong together, no region and an unknown profile exit 3."""
    run = cli(*argv)
    assert run.code == 3
    assert len(run.err.splitlines()) == 1
    assert run.err.startswith("waitkit: error: ")
    assert message in run.err


def test_configuration_errors_are_json_objects_too(cli, aws_env):
    """With --json an error that is no one resource's is also an object on stdout."""
    run = cli("asg-refresh", "a", "--json")
    assert run.code == 3
    assert '"event":"error"' in run.out


def test_debug_adds_the_traceback(cli, aws_env):
    """--debug prints the traceback of an error after its line."""
    run = cli("asg-refresh", "a", "--debug")
    assert run.code == 3
    assert "Traceback (most recent call last)" in run.err


@pytest.mark.parametrize(
    ("text", "seconds"),
    [
        ("90", 90),
        ("0.5", 0.5),
        ("90s", 90),
        ("30m", 1800),
        ("1h", 3600),
        ("1h30m", 5400),
        (" 2M ", 120),
    ],
)
def test_durations_take_plain_seconds_or_units(text, seconds):
    """Durations are seconds, or numbers with s, m or h (combined too)."""
    assert parse_duration(text) == seconds


def test_durations_format_back_and_none_means_no_bound():
    """format_duration reads like the input; 'none' is no timeout."""
    assert [format_duration(v) for v in (600, 5400, 0.5, 2, None)] == [
        "10m",
        "1h30m",
        "0.5s",
        "2s",
        "none",
    ]
    assert timeout_duration("none") is None


def test_worst_outcome_order():
    """Success < timeout < failure < API error < usage < interrupt."""
    assert worst([ExitCode.TIMED_OUT, ExitCode.FAILED]) is ExitCode.FAILED
    assert worst([ExitCode.FAILED, ExitCode.API_ERROR]) is ExitCode.API_ERROR
    assert worst([ExitCode.API_ERROR, ExitCode.INTERRUPTED]) is ExitCode.INTERRUPTED
    assert worst([]) is ExitCode.SUCCESS


def test_redaction_and_one_line_text():
    """Key ids, signatures and tokens are redacted; control characters escaped."""
    text = (
        "AKIAABCDEFGHIJKLMNOP Signature=" + "ab" * 32 + " X-Amz-Security-Token=tok123 "
        "aws_secret_access_key = s3cr3t"
    )
    cleaned = redact(text)
    for secret in ("AKIAABCDEFGHIJKLMNOP", "ab" * 32, "tok123", "s3cr3t"):
        assert secret not in cleaned
    assert safe("a\nb\x1b[31mc") == "a b\\x1b[31mc"


def test_help_and_plain_output_work_without_rich(cli, monkeypatch, capsys):
    """Without rich, --help works and a terminal gets plain lines plus an install hint."""
    for name in [n for n in sys.modules if n == "rich" or n.startswith("rich.")]:
        monkeypatch.setitem(sys.modules, name, None)
    monkeypatch.setitem(sys.modules, "rich", None)
    monkeypatch.delitem(sys.modules, "waitkit._cli._live", raising=False)
    assert cli("--help").code == 0
    reporter = make_reporter(json_lines=False, quiet=False, terminal=True)
    assert type(reporter) is PlainReporter
    assert "pip install 'waitkit[cli]'" in capsys.readouterr().err
