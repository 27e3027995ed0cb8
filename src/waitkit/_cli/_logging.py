"""structlog for the command line: waitkit's events stay off stdout.

Without ``--debug`` only events at error level and above reach stderr: waitkit's
warnings (``wait.failed``, ``wait.timed_out``) say what the CLI's own result lines
already say. With ``--debug`` every event goes to stderr, redacted. botocore's own
debug logging is never switched on: it prints request signatures and headers.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable, MutableMapping
from typing import Any, final

import structlog

from waitkit._core import safe


@final
class _StderrLogger:
    """Writes each rendered event to whatever ``sys.stderr`` is *now* (a live view swaps it)."""

    def msg(self, message: str) -> None:
        """Write one event."""
        sys.stderr.write(message + "\n")
        sys.stderr.flush()

    debug = info = warning = warn = error = critical = exception = fatal = msg


def _stderr_logger(*_args: object) -> _StderrLogger:
    return _StderrLogger()


def _redact(
    _logger: object, _method: str, event: MutableMapping[str, Any]
) -> MutableMapping[str, Any]:
    """Every string value one line, without credentials."""
    for key, value in event.items():
        if isinstance(value, str):
            event[key] = safe(value)
    return event


def configure_logging(*, debug: bool) -> Callable[[], None]:
    """Route structlog to stderr (everything with ``debug``, errors only without).

    Returns:
        A function that restores the previous structlog configuration.
    """
    was_configured = structlog.is_configured()
    previous = structlog.get_config()
    structlog.configure(
        processors=[
            structlog.processors.add_log_level,
            structlog.processors.TimeStamper(fmt="iso", utc=True),
            _redact,
            structlog.processors.KeyValueRenderer(
                key_order=["timestamp", "level", "event"], drop_missing=True
            ),
        ],
        wrapper_class=structlog.make_filtering_bound_logger(
            logging.DEBUG if debug else logging.ERROR
        ),
        logger_factory=_stderr_logger,
        cache_logger_on_first_use=False,
    )

    def restore() -> None:
        if was_configured:
            structlog.configure(**previous)
        else:
            structlog.reset_defaults()

    return restore
