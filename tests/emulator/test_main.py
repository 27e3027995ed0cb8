"""``python -m waitkit.emulator serve``: standalone serving until Ctrl-C."""

from __future__ import annotations

import signal
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
async def test_serve_until_interrupted(tmp_path, aws_client) -> None:
    """The CLI prints its endpoints, serves real clients, and exits 0 on Ctrl-C, cleaning up."""
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
        process.send_signal(signal.SIGINT)
        with anyio.fail_after(CHILD_BOUND):
            code = await process.wait()
    assert code == 0
    assert not await anyio.Path(kubeconfig).exists()


def test_invalid_scenario_exits_2(tmp_path, capsys) -> None:
    """An invalid scenario file is reported on stderr with the bad field, exit status 2."""
    scenario = tmp_path / "bad.yaml"
    scenario.write_text("speed: -1\n")
    assert main(["serve", "--scenario", str(scenario)]) == 2
    assert "speed: Input should be greater than 0" in capsys.readouterr().err


def test_serve_needs_a_command(capsys) -> None:
    """Without a subcommand the CLI prints usage and exits 2."""
    with pytest.raises(SystemExit) as caught:
        main([])
    assert caught.value.code == 2
    assert "usage: waitkit-emulator" in capsys.readouterr().err
