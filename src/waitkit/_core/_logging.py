"""The structlog events of a wait: one per *change*, never one per poll.

Events: ``wait.started``, ``wait.state_changed``, ``wait.retrying``, ``wait.succeeded``,
``wait.failed``, ``wait.timed_out``. Each carries ``waiter`` (the waiter's kind) and
``resource`` (its id), and only flat, JSON-able values. The logger is named
``"waitkit"``, so with structlog routed to the standard library the records land on
the stdlib logger ``waitkit``.
"""

from __future__ import annotations

from typing import Final

import structlog

logger: Final = structlog.get_logger("waitkit")


def elapsed_seconds(value: float) -> float:
    """Durations in events are rounded to the millisecond: exact enough, and easy to read."""
    return round(value, 3)
