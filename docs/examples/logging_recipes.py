"""waitkit's events in an application's logging: quiet, human-readable, JSON, structlog.

Each recipe is a function that sets logging up and runs one wait of a scripted waiter
(pending twice, then done). The test suite runs each on a virtual clock;
``python docs/examples/logging_recipes.py human`` (or ``json``, ``structlog``,
``quiet``) runs one for real.
"""

from __future__ import annotations

import contextlib
import sys

import anyio

from waitkit import Policy, WaitFailedError
from waitkit.testing import ScriptedWaiter

POLICY = Policy(min_delay=0.01, max_delay=0.01)


async def one_wait() -> None:
    """A wait with two distinct states: started, two changes, succeeded."""
    waiter = ScriptedWaiter(["building", "building", "done"], resource_id="build-42")
    await waiter.wait(timeout=60, policy=POLICY)


async def one_failure() -> None:
    """A wait that fails: its ``wait.failed`` event is a warning."""
    with contextlib.suppress(WaitFailedError):
        await ScriptedWaiter(["building", "failed"], resource_id="build-43").wait(policy=POLICY)


def quiet() -> None:
    """No logging configured: waitkit prints nothing, not even its warnings."""
    # docs-start quiet
    anyio.run(one_wait)  # no output
    anyio.run(one_failure)  # no output either: the exception is the report
    # docs-end quiet


def human() -> None:
    """Plain stdlib logging: one readable line per event."""
    # docs-start human
    import logging

    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s %(message)s")
    anyio.run(one_wait)
    # INFO waitkit wait.started waiter=scripted resource=build-42 timeout=60.0
    # INFO waitkit wait.state_changed waiter=scripted resource=build-42 state=building ...
    # docs-end human


def json_lines() -> None:
    """One JSON object per event, built from the record's fields."""
    # docs-start json
    import json
    import logging

    # What every record has; anything else on a waitkit record is one of the event's fields.
    standard = {*vars(logging.makeLogRecord({})), "message", "asctime"}

    class JsonFormatter(logging.Formatter):
        def format(self, record: logging.LogRecord) -> str:
            data = {"level": record.levelname.lower(), "logger": record.name}
            data |= {k: v for k, v in vars(record).items() if k not in standard}
            return json.dumps(data)

    handler = logging.StreamHandler(sys.stdout)
    handler.setFormatter(JsonFormatter())
    waitkit_logger = logging.getLogger("waitkit")
    waitkit_logger.addHandler(handler)
    waitkit_logger.setLevel(logging.INFO)
    anyio.run(one_wait)
    # {"level": "info", "logger": "waitkit", "event": "wait.started", "waiter": ...}
    # docs-end json


def structlog_pipeline() -> None:
    """An application that configured structlog gets waitkit's events through it."""
    # docs-start structlog
    import structlog

    structlog.configure(
        processors=[
            structlog.processors.add_log_level,
            structlog.processors.JSONRenderer(sort_keys=True),
        ],
        logger_factory=structlog.PrintLoggerFactory(sys.stdout),
    )
    anyio.run(one_wait)
    # {"attempts": 1, "elapsed": 0.0, "event": "wait.state_changed", "level": "info", ...}
    # docs-end structlog


RECIPES = {"quiet": quiet, "human": human, "json": json_lines, "structlog": structlog_pipeline}

if __name__ == "__main__":
    RECIPES[sys.argv[1] if len(sys.argv) > 1 else "quiet"]()
