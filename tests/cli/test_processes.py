"""The CLI on a pseudo-terminal, and as a process: Ctrl-C and `emulator serve`."""

import json
import signal
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager

import pytest

from .conftest import FAST, ROLLING, STUCK, asg_scenario
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
def test_ctrl_c_cancels_the_waits_and_exits_130(aws_env):
    """SIGINT cancels every wait (each reports 'cancelled') and the command exits 130."""
    args = ["asg-refresh", "db", "web", "--json", "--timeout", "none", *FAST]
    with (
        emulator(asg_scenario(db=STUCK, web=STUCK)) as endpoint,
        child([*COMMAND, *args, "--endpoint-url", endpoint]) as process,
    ):
        assert process.stdout is not None
        first = json.loads(process.stdout.readline())  # both waits are running
        assert first["event"] == "state"
        process.send_signal(signal.SIGINT)
        out, err = process.communicate(timeout=CHILD_BOUND)
    assert process.returncode == 130
    results = [json.loads(line) for line in out.splitlines() if '"result"' in line]
    assert sorted((r["resource"], r["outcome"]) for r in results) == [
        ("db", "cancelled"),
        ("web", "cancelled"),
    ]
    assert err.strip() == "waitkit: interrupted"


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


def test_emulator_serve_with_an_invalid_scenario_exits_3(cli, tmp_path):
    """An invalid scenario file is bad configuration: exit 3, the field named."""
    bad = tmp_path / "bad.json"
    bad.write_text('{"autoscaling": {"groups": [{"nme": "web"}]}}')
    run = cli("emulator", "serve", "--scenario", str(bad))
    assert run.code == 3
    assert run.err.startswith("waitkit: error: ")
    assert "nme" in run.err
    assert len(run.err.splitlines()) == 1
