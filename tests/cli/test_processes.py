"""The CLI on a pseudo-terminal, and as a process: Ctrl-C, SIGTERM and `emulator serve`."""

import json
import signal
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from waitkit.emulator import Scenario

from .conftest import FAST, ROLLING, STUCK, asg_scenario, running
from .conftest import emulator_thread as emulator

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="POSIX terminals and signals")

COMMAND = [sys.executable, "-m", "waitkit._cli"]
#: A child interpreter imports waitkit, botocore and aiohttp (under coverage when measured):
#: seconds of CPU, many more on a loaded machine. The bound only stops a hung child.
CHILD_BOUND = 45


@contextmanager
def child(args: list[str]) -> Iterator[subprocess.Popen[str]]:
    """A child process with piped output, killed and reaped however the test ends."""
    process = subprocess.Popen(  # noqa: S603 - this interpreter, fixed arguments
        args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    try:
        yield process
    finally:
        if process.poll() is None:
            process.kill()
        process.communicate()


def test_a_terminal_gets_the_live_table(terminal, aws_env):
    """On a terminal the live view draws a table with the resource and its final status."""
    with emulator(asg_scenario(web=ROLLING)) as endpoint:
        run = terminal("asg-refresh", "web", "--endpoint-url", endpoint, *FAST)
    output = run.out
    assert run.code == 0, output
    assert "\x1b[" in output  # drawn with terminal control sequences
    for header in ("resource", "status", "progress", "elapsed", "last change"):
        assert header in output
    last_frame = output.rsplit("resource", 1)[1]
    assert "web" in last_frame
    assert "Successful" in last_frame
    assert "100%" in last_frame


@pytest.mark.timeout(CHILD_BOUND + 15)
@pytest.mark.parametrize(
    ("sent", "exit_code", "said"),
    [(signal.SIGINT, 130, "waitkit: interrupted"), (signal.SIGTERM, 143, "waitkit: terminated")],
)
def test_ctrl_c_and_sigterm_cancel_the_waits(aws_env, sent, exit_code, said):
    """SIGINT (exit 130) or SIGTERM (exit 143) cancels every wait; each reports 'cancelled'."""
    args = ["asg-refresh", "db", "web", "--json", "--timeout", "none", *FAST]
    with (
        emulator(asg_scenario(db=STUCK, web=STUCK)) as endpoint,
        child([*COMMAND, *args, "--endpoint-url", endpoint]) as process,
    ):
        assert process.stdout is not None
        first = json.loads(process.stdout.readline())  # both waits are running
        assert first["event"] == "state"
        process.send_signal(sent)
        out, err = process.communicate(timeout=CHILD_BOUND)
    assert process.returncode == exit_code
    results = [json.loads(line) for line in out.splitlines() if '"result"' in line]
    assert sorted((r["resource"], r["outcome"]) for r in results) == [
        ("db", "cancelled"),
        ("web", "cancelled"),
    ]
    assert err.strip() == said


@pytest.mark.timeout(CHILD_BOUND + 15)
def test_sigterm_stops_the_query_logs_query_started(aws_env):
    """SIGTERM to `logs-query` stops the query it started (StopQuery) before exiting 143."""
    scenario = Scenario.model_validate(
        {
            "logs": {
                "log_groups": ["/app"],
                "queries": [{"match": "", "timeline": [{"after": 0, "status": "Running"}]}],
            }
        }
    )
    args = ["logs-query", "-g", "/app", "--query", "fields @message", "--start", "1h"]
    args += ["--json", "--timeout", "none", *FAST]
    with (
        running(scenario) as emu,
        child([*COMMAND, *args, "--endpoint-url", emu.aws_endpoint]) as process,
    ):
        assert process.stdout is not None
        first = json.loads(process.stdout.readline())  # the query runs
        assert first["event"] == "state"
        process.send_signal(signal.SIGTERM)
        out, err = process.communicate(timeout=CHILD_BOUND)
        stopped = emu.call(lambda e: e.counters.of("logs", "StopQuery"))
        statuses = emu.call(lambda e: [e.logs.status(q) for q in e.logs._queries])
    assert process.returncode == 143, err
    assert stopped == 1
    assert statuses == ["Cancelled"]
    result = next(json.loads(line) for line in out.splitlines() if '"result"' in line)
    assert result["outcome"] == "cancelled"
    assert err.strip() == "waitkit: terminated"


@pytest.mark.timeout(CHILD_BOUND + 15)
def test_emulator_serve_runs_a_scenario_the_other_commands_can_use(cli, aws_env, tmp_path):
    """`waitkit emulator serve` prints its endpoint; asg-refresh succeeds against it; Ctrl-C 130."""
    scenario = tmp_path / "cloud.json"
    scenario.write_text(json.dumps(asg_scenario(web=ROLLING).model_dump(mode="json")))
    with child([*COMMAND, "emulator", "serve", "--scenario", str(scenario)]) as server:
        assert server.stdout is not None
        line = server.stdout.readline()
        assert line.startswith("AWS endpoint: http://127.0.0.1:")
        endpoint = line.split(": ", 1)[1].strip()
        run = cli("asg-refresh", "web", "--endpoint-url", endpoint, *FAST)
        assert run.code == 0, run.err
        assert "web: succeeded after" in run.out
        server.send_signal(signal.SIGINT)
        server.communicate(timeout=CHILD_BOUND)
    assert server.returncode == 130


@pytest.mark.timeout(CHILD_BOUND + 15)
def test_emulator_serve_on_sigterm_removes_its_files_and_exits_143():
    """SIGTERM stops `waitkit emulator serve` as Ctrl-C does: temporary directory removed."""
    with child([*COMMAND, "emulator", "serve"]) as server:
        assert server.stdout is not None
        lines = [server.stdout.readline() for _ in range(3)]
        kubeconfig = Path(lines[2].split(": ", 1)[1].strip())
        assert kubeconfig.exists()
        server.send_signal(signal.SIGTERM)
        server.communicate(timeout=CHILD_BOUND)
    assert server.returncode == 143
    assert not kubeconfig.parent.exists()


def test_emulator_serve_with_an_invalid_scenario_exits_3(cli, tmp_path):
    """An invalid scenario file is bad configuration: exit 3, the field named."""
    bad = tmp_path / "bad.json"
    bad.write_text('{"autoscaling": {"groups": [{"nme": "web"}]}}')
    run = cli("emulator", "serve", "--scenario", str(bad))
    assert run.code == 3
    assert run.err.startswith("waitkit: error: ")
    assert "nme" in run.err
    assert len(run.err.splitlines()) == 1


def test_sigterm_is_only_watched_from_the_main_thread():
    """Off the main thread (no signal handlers there) the block simply runs."""
    import threading

    import anyio

    from waitkit._cli._signals import terminable

    ran: list[bool] = []

    async def block() -> None:
        async with terminable():
            ran.append(True)

    worker = threading.Thread(target=anyio.run, args=(block,))
    worker.start()
    worker.join(CHILD_BOUND)
    assert ran == [True]
