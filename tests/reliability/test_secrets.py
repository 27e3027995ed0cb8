"""No secret leaks: credentials never appear in waitkit's logs, errors or CLI output.

Distinctive AWS credentials (key id, secret, session token) and a Kubernetes bearer
token are given to real clients; every waiter then runs, through faults, to a success
and to an error, with structlog at debug level routed to the stdlib logger ``waitkit``
(captured at DEBUG). Every event, every log record, every exception's ``str`` and
``repr`` (and the ``repr`` of its state) is searched for the secrets. botocore's own
DEBUG logs are not waitkit's and are not enabled.
"""

from __future__ import annotations

import logging
import subprocess
import sys
from collections.abc import Iterator
from typing import Any

import anyio
import pytest
import structlog

from waitkit import WaitkitError
from waitkit._cli import main

from ._arms import ARMS, WAITERS
from .conftest import FAST
from .test_fault_matrix import FAULTS, _hurt

KEY_ID = "ASIAWKRELIABILITY0042"
SECRET = "wk-Secret/R3liab1lity+Do-Not-Print"
SESSION_TOKEN = "wk-SessionToken-Qx7Zr2Vb9Lm4"
BEARER = "wk-Bearer-Token-Hq3Kp8Wn5Jt1"
SECRETS = (KEY_ID, SECRET, SESSION_TOKEN, BEARER)
CREDS = {"key_id": KEY_ID, "secret": SECRET, "token": SESSION_TOKEN, "bearer": BEARER}


@pytest.fixture
def debug_logs(caplog: pytest.LogCaptureFixture) -> Iterator[list[dict[str, Any]]]:
    """Structlog at debug level, each event kept and then sent to the stdlib logger ``waitkit``."""
    events: list[dict[str, Any]] = []

    def keep(_logger: object, _name: str, event: dict[str, Any]) -> dict[str, Any]:
        events.append(dict(event))
        return event

    structlog.configure(
        processors=[structlog.stdlib.add_log_level, keep, structlog.processors.KeyValueRenderer()],
        logger_factory=structlog.stdlib.LoggerFactory(),
        wrapper_class=structlog.stdlib.BoundLogger,
        cache_logger_on_first_use=False,
    )
    caplog.set_level(logging.DEBUG, logger="waitkit")
    try:
        yield events
    finally:
        structlog.reset_defaults()


def leaks(text: str) -> list[str]:
    """Which secrets (by position) appear in ``text``."""
    return [f"secret #{i}" for i, secret in enumerate(SECRETS) if secret in text]


@pytest.mark.anyio
@pytest.mark.parametrize("waiter", WAITERS)
@pytest.mark.parametrize("column", ["5xx burst", "5xx persistent"])
async def test_no_secret_in_logs_or_errors(
    waiter: str, column: str, debug_logs: list[dict[str, Any]], caplog: pytest.LogCaptureFixture
) -> None:
    """With secret credentials, a wait's events, log records and errors never show them."""
    _, mid_wait = FAULTS[column]
    hurt = False
    error: WaitkitError | None = None
    async with ARMS[waiter](FAST, creds=CREDS) as arm:
        if not mid_wait:
            _hurt(arm, waiter, column)
        with anyio.fail_after(15):
            try:
                async for _state in arm.waiter.states():
                    if not mid_wait:
                        arm.step()  # on to the next scripted point, until success
                    elif not hurt:
                        # Scenario time stands still: the resource is pending when it breaks.
                        _hurt(arm, waiter, column)
                        hurt = True
            except WaitkitError as caught:
                error = caught
    assert debug_logs, "the wait logged nothing: the capture is not working"
    assert caplog.records, "nothing reached the stdlib logger 'waitkit'"
    texts = [repr(event) for event in debug_logs]
    texts += [record.getMessage() for record in caplog.records]
    if error is not None:
        texts += [str(error), repr(error), repr(error.state), repr(error.history)]
    assert [(t[:80], leaks(t)) for t in texts if leaks(t)] == []
    assert (error is not None) == (column == "5xx persistent")


# --------------------------------------------------------------------- the CLI
SCENARIO = {
    "autoscaling": {
        "groups": [
            {
                "name": "web",
                "refreshes": [
                    {
                        "id": "r-1",
                        "timeline": [
                            {"after": 0, "status": "InProgress"},
                            {"after": 2, "status": "Successful"},
                        ],
                    }
                ],
            }
        ]
    },
    # A 5xx, retried: error paths run too. (A throttled answer would slow the client's
    # shared budget to 0.5 calls a second, seconds of test for nothing said about secrets.)
    "faults": [{"kind": "error", "service": "autoscaling", "count": 1, "status": 503}],
}


@pytest.fixture
def waitkit_scenario() -> dict[str, Any]:
    """The emulator fixture's cloud: one refresh, one 503 on the way."""
    return SCENARIO


@pytest.fixture
def secret_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Any) -> None:
    """The distinctive credentials in the environment, and no config files."""
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", KEY_ID)
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", SECRET)
    monkeypatch.setenv("AWS_SESSION_TOKEN", SESSION_TOKEN)
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "no-config"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "no-credentials"))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")


def _argv(emulator: Any, *argv: str) -> list[str]:
    return [
        *argv,
        "--debug",
        "--endpoint-url",
        emulator.aws_endpoint,
        "--region",
        "us-east-1",
        "--min-delay",
        "0.02",
        "--max-delay",
        "0.1",
        "--timeout",
        "5",
    ]


CLI_RUNS = [
    ("asg-refresh", "web", "--refresh-id", "r-1"),  # succeeds through a 5xx
    ("asg-refresh", "nope"),  # not found: an error report with --debug's traceback
    ("durable", "--function", "missing", "--name", "x"),  # not found
    ("asg-refresh", "web", "--refresh-id", "r-1", "--json"),
]


@pytest.mark.parametrize("argv", CLI_RUNS, ids=" ".join)
def test_no_secret_in_cli_output_with_debug(
    argv: tuple[str, ...],
    emulator: Any,
    secret_env: None,
    capsys: pytest.CaptureFixture[str],
    caplog: pytest.LogCaptureFixture,
) -> None:
    """`waitkit ... --debug` with secret credentials prints none of them, in-process."""
    caplog.set_level(logging.DEBUG, logger="waitkit")
    code = main(_argv(emulator, *argv))
    out, err = capsys.readouterr()
    assert code in (0, 1, 4), (code, err)
    records = "\n".join(record.getMessage() for record in caplog.records)
    assert leaks(out + err + records) == []


@pytest.mark.timeout(60)
def test_no_secret_in_cli_output_of_a_subprocess(emulator: Any, secret_env: None) -> None:
    """A real `python -m waitkit asg-refresh --debug` process prints no secret either."""
    # The bound only stops a hung child: its start-up is seconds of CPU under coverage,
    # more on a loaded machine (subprocess.run kills it when the bound passes).
    done = subprocess.run(  # noqa: S603 - our own interpreter and module, fixed arguments
        [sys.executable, "-m", "waitkit", *_argv(emulator, "asg-refresh", "nope")],
        capture_output=True,
        text=True,
        timeout=45,
        check=False,
    )
    assert done.returncode == 1, done.stderr
    assert "Traceback" in done.stderr  # --debug really shows the details
    assert leaks(done.stdout + done.stderr) == []
