"""What a group of waits had done when one of them failed: the words added to its error.

A failure inside :func:`~waitkit.wait_all` or :func:`~waitkit.as_completed` is raised
(or delivered) as the waiter's own exception, so ``except WaitTimeoutError`` still
works; its message gains one line about the group, for example::

    in wait_all of 25 waits (timeout 3.0s), 3.0s after it started: 20 succeeded,
    1 failed (Job default/etl-23), 4 still pending (Job default/etl-1, ...)

Counts are kept as the waits end (constant time each); names are listed up to
``_NAMES`` per kind, so a group of 50,000 costs no more to describe than one of 50.
"""

from __future__ import annotations

from itertools import islice
from typing import TYPE_CHECKING, Any, Final, final

import anyio

from waitkit._core._errors import _WaitContextError

if TYPE_CHECKING:
    from collections.abc import Sequence

    from waitkit._core._waiter import Waiter

_NAMES: Final = 3


@final
class GroupTally:
    """Which waits of a group succeeded, failed or are still pending."""

    __slots__ = (
        "_failed",
        "_function",
        "_pending",
        "_started",
        "_succeeded",
        "_timeout",
        "_waiters",
    )

    def __init__(
        self, function: str, waiters: Sequence[Waiter[Any]], timeout: float | None
    ) -> None:
        self._function = function
        self._waiters = waiters
        self._timeout = timeout
        self._started = anyio.current_time()
        # Insertion-ordered: the first few pending are found without a scan.
        self._pending: dict[int, None] = dict.fromkeys(range(len(waiters)))
        self._succeeded = 0
        self._failed: list[int] = []

    def succeeded(self, index: int) -> None:
        """Wait ``index`` succeeded."""
        self._pending.pop(index, None)
        self._succeeded += 1

    def failed(self, index: int, error: Exception) -> None:
        """Wait ``index`` ended with ``error``: note it, and tell the error about the group."""
        self._pending.pop(index, None)
        self._failed.append(index)
        line = self._describe()
        if isinstance(error, _WaitContextError) and error.args and isinstance(error.args[0], str):
            error.args = (f"{error.args[0]}\n  {line}", *error.args[1:])
        else:  # not ours: its message is left alone, the note shows in tracebacks
            error.add_note(line)

    def _describe(self) -> str:
        total = len(self._waiters)
        bound = "" if self._timeout is None else f" (timeout {self._timeout:.1f}s)"
        elapsed = anyio.current_time() - self._started
        failed = self._failed
        parts = [
            f"{self._succeeded} succeeded",
            # The latest failures: the one being raised is among them.
            f"{len(failed)} failed{self._names(failed[-_NAMES:], len(failed))}",
        ]
        if self._pending:
            pending = list(islice(self._pending, _NAMES))
            parts.append(
                f"{len(self._pending)} still pending{self._names(pending, len(self._pending))}"
            )
        return (
            f"in {self._function} of {total} wait{'' if total == 1 else 's'}{bound}, "
            f"{elapsed:.1f}s after it started: {', '.join(parts)}"
        )

    def _names(self, shown: Sequence[int], count: int) -> str:
        if not shown:
            return ""
        names = ", ".join(self._waiters[i].describe() for i in shown)
        more = count - len(shown)
        return f" ({names}{f', and {more} more' if more > 0 else ''})"
