"""Fixtures for the CLI: an emulator on its own thread, fake credentials, a runner of main()."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import pytest

from waitkit._cli import main
from waitkit.emulator import Scenario
from waitkit.pytest_plugin import EmulatorThread

#: Fast polling for the scripted timelines, on the real clock.
FAST = ["--min-delay", "0.02", "--max-delay", "0.1", "--region", "us-east-1"]
ACCESS_KEY = "AKIAFAKEFAKEFAKE1234"
SECRET_KEY = "fake/secret+key/never-printed"


@contextmanager
def running(scenario: Scenario) -> Iterator[EmulatorThread]:
    """An emulator on its own thread and event loop (``main()`` runs a loop of its own)."""
    emulator = EmulatorThread(scenario)
    emulator.start()
    try:
        yield emulator
    finally:
        emulator.stop()


@contextmanager
def emulator_thread(scenario: Scenario) -> Iterator[str]:
    """An emulator on its own thread; yields its AWS endpoint."""
    with running(scenario) as emulator:
        yield emulator.aws_endpoint


@pytest.fixture
def aws_env(monkeypatch: pytest.MonkeyPatch, tmp_path) -> None:
    """Fake credentials in the environment; no config files, no instance metadata."""
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", ACCESS_KEY)
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", SECRET_KEY)
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "no-config"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "no-credentials"))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")


@dataclass
class Run:
    """What one run of ``main()`` printed and returned."""

    code: int
    out: str
    err: str


@pytest.fixture
def cli(capsys: pytest.CaptureFixture[str]) -> Callable[..., Run]:
    """Run ``main(argv)`` in-process and capture its output."""

    def run(*argv: str) -> Run:
        capsys.readouterr()
        code = main(list(argv))
        captured = capsys.readouterr()
        return Run(code, captured.out, captured.err)

    return run


def asg_scenario(**groups: list[dict]) -> Scenario:
    """Groups with one scripted refresh each (``name=[points]``); refresh ids are ``r-<name>``."""
    return Scenario.model_validate(
        {
            "autoscaling": {
                "groups": [
                    {"name": name, "refreshes": [{"id": f"r-{name}", "timeline": points}]}
                    for name, points in groups.items()
                ]
            }
        }
    )


ROLLING = [
    {"after": 0, "status": "Pending", "percentage_complete": 0, "instances_to_update": 4},
    {"after": 2, "status": "InProgress", "percentage_complete": 50, "instances_to_update": 2},
    {"after": 3, "status": "Successful", "percentage_complete": 100, "instances_to_update": 0},
]
FAILING = [
    {"after": 0, "status": "InProgress", "percentage_complete": 10},
    {"after": 2, "status": "Failed", "status_reason": "instances failed health checks"},
]
STUCK = [{"after": 0, "status": "InProgress", "percentage_complete": 30}]
