"""Fixtures for the CLI: an emulator on its own thread, fake credentials, a runner of main()."""

from __future__ import annotations

import os
import sys
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import pytest

import waitkit.aws
import waitkit.k8s
from waitkit._cli import main
from waitkit.emulator import Emulator, Scenario
from waitkit.pytest_plugin import EmulatorThread

# The commands import these on first use; loaded here, at collection, their import time
# (seconds for kubernetes_asyncio) is not charged to whichever test comes first.
_PRELOADED = (waitkit.aws, waitkit.k8s)

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


@pytest.fixture
def terminal(monkeypatch: pytest.MonkeyPatch) -> Callable[..., Run]:
    """Run ``main(argv)`` in-process with stdout and stderr on a pseudo-terminal.

    ``out`` is everything the terminal received (each newline arrives as CR LF).
    """
    import fcntl  # POSIX only, like the tests that use it
    import pty
    import struct
    import termios

    def run(*argv: str, columns: int = 120, lines: int = 30) -> Run:
        master, slave = pty.openpty()
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", lines, columns, 0, 0))
        chunks: list[bytes] = []

        def drain() -> None:  # the terminal's buffer is small: read while main() writes
            while True:
                try:
                    data = os.read(master, 65536)
                except OSError:  # EIO: the slave side is closed and everything was read
                    return
                if not data:
                    return
                chunks.append(data)

        reader = threading.Thread(target=drain, name="pty-reader", daemon=True)
        reader.start()
        try:
            with os.fdopen(slave, "w", encoding="utf-8") as tty, monkeypatch.context() as patch:
                patch.setenv("TERM", "xterm-256color")
                patch.setenv("COLUMNS", str(columns))
                patch.setenv("LINES", str(lines))
                for name in ("NO_COLOR", "FORCE_COLOR", "TTY_COMPATIBLE", "TTY_INTERACTIVE"):
                    patch.delenv(name, raising=False)
                patch.setattr(sys, "stdout", tty)
                patch.setattr(sys, "stderr", tty)
                code = main(list(argv))
        finally:
            reader.join(10)
            os.close(master)
        assert not reader.is_alive(), "the terminal was not closed"
        return Run(code, b"".join(chunks).decode(), "")

    return run


@contextmanager
def advance_once(
    emulator: EmulatorThread, seen: Callable[[Emulator], bool], seconds: float
) -> Iterator[None]:
    """While the block runs, advance the manual clock by ``seconds`` once ``seen(emu)`` holds.

    ``seen`` runs on the emulator's loop (it may read the counters); ``main()`` blocks
    the test's thread, so a helper thread watches and moves time, once.
    """
    stop = threading.Event()

    def watch() -> None:
        while not stop.is_set():
            if emulator.call(seen):
                emulator.advance(seconds)
                return
            stop.wait(0.005)

    helper = threading.Thread(target=watch, name="advance-once", daemon=True)
    helper.start()
    try:
        yield
    finally:
        stop.set()
        helper.join(10)


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
