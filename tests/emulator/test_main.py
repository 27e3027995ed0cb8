"""``python -m waitkit.emulator serve``: standalone serving until Ctrl-C or SIGTERM."""

from __future__ import annotations

import signal
import socket
import subprocess
import sys
from pathlib import Path

import anyio
import pytest

from waitkit.emulator.__main__ import main

pytestmark = pytest.mark.anyio

SCENARIO = "autoscaling:\n  groups:\n    - name: web\n"
#: A child interpreter imports the emulator (aiohttp, pydantic; under coverage when
#: measured): seconds of CPU, more on a loaded machine. The bound only stops a hung child.
CHILD_BOUND = 45


async def _read_announcement(stream) -> dict[str, str]:
    """The ``key: value`` lines printed once the emulator listens."""
    lines: dict[str, str] = {}
    buffer = b""
    with anyio.fail_after(CHILD_BOUND):
        while "kubeconfig" not in lines:
            chunk = await stream.receive()
            buffer += chunk
            *complete, buffer = buffer.split(b"\n")
            for line in complete:
                key, _, value = line.decode().partition(": ")
                lines[key] = value
    return lines


@pytest.mark.timeout(2 * CHILD_BOUND + 10)
@pytest.mark.parametrize(("sent", "exit_code"), [(signal.SIGINT, 130), (signal.SIGTERM, 143)])
async def test_serve_until_interrupted(tmp_path, aws_client, sent, exit_code) -> None:
    """It serves real clients; Ctrl-C (130) or SIGTERM (143) stop it and remove its files."""
    scenario = tmp_path / "cloud.yaml"
    scenario.write_text(SCENARIO)
    command = [sys.executable, "-m", "waitkit.emulator", "serve", "--scenario", str(scenario)]
    async with await anyio.open_process(command, stdout=subprocess.PIPE) as process:
        announced = await _read_announcement(process.stdout)
        kubeconfig = Path(announced["kubeconfig"])
        assert await anyio.Path(kubeconfig).exists()
        assert announced["Kubernetes endpoint"].startswith("http://127.0.0.1:")
        async with aws_client(announced["AWS endpoint"], "autoscaling") as client:
            answer = await client.describe_instance_refreshes(AutoScalingGroupName="web")
        assert answer["InstanceRefreshes"] == []
        process.send_signal(sent)
        with anyio.fail_after(CHILD_BOUND):
            code = await process.wait()
    assert code == exit_code
    assert not await anyio.Path(kubeconfig.parent).exists()


def test_invalid_scenario_exits_3(tmp_path, capsys) -> None:
    """An invalid scenario file is bad configuration: exit 3 (as `waitkit`), the field named."""
    scenario = tmp_path / "bad.yaml"
    scenario.write_text("speed: -1\n")
    assert main(["serve", "--scenario", str(scenario)]) == 3
    err = capsys.readouterr().err
    assert err.startswith("waitkit-emulator: error: ")
    assert "speed: Input should be greater than 0" in err


def test_a_missing_scenario_file_exits_3(tmp_path, capsys) -> None:
    """A scenario file that cannot be read is bad configuration too."""
    assert main(["serve", "--scenario", str(tmp_path / "missing.yaml")]) == 3
    assert "missing.yaml" in capsys.readouterr().err


def test_a_port_in_use_exits_3(capsys) -> None:
    """An address that cannot be listened on is reported in one line, exit 3."""
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        assert main(["serve", "--port-aws", str(port)]) == 3
    assert capsys.readouterr().err.startswith("waitkit-emulator: error: ")


def test_serve_needs_a_command(capsys) -> None:
    """Without a subcommand the CLI prints usage and exits 3 (bad usage, as `waitkit`)."""
    with pytest.raises(SystemExit) as caught:
        main([])
    assert caught.value.code == 3
    assert "usage: waitkit-emulator" in capsys.readouterr().err
