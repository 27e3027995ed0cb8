"""A group's bookkeeping: its results in order, its first failure, and the words added to it.

:class:`GroupOutcomes` is shared by both ways ``wait_all`` runs its waits (anyio task
group, plain asyncio tasks), so what a result or a failure does is written once.

What a group of waits had done when one of them failed: the words added to its error.

A failure inside :func:`~waitkit.wait_all` or :func:`~waitkit.as_completed` is raised
(or delivered) as the waiter's own exception, so ``except WaitTimeoutError`` still
works; its message gains one line about the group, for example::

    in wait_all of 25 waits (timeout 3.0s), 3.0s after it started: 20 succeeded,
    1 failed (Job default/etl-23), 4 still pending (Job default/etl-1, ...)

Counts are kept as the waits end (constant time each); names are listed up to
``_NAMES`` per kind, so a group of 50,000 costs no more to describe than one of 50.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Final, Generic, TypeVar, final

from waitkit._core._errors import _WaitContextError

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence

    from waitkit._core._waiter import Waiter

_NAMES: Final = 3
#: Waits started between two yields to the loop. Each new wait makes its first
#: observation as soon as the loop gets to it; 10,000 started at once held the loop for
#: about half a second (benchmarks/loop_lag.py); 32 at a time, for a few ms.
START_BATCH: Final = 32

T = TypeVar("T")


@final
class GroupTally:
    """Which waits of a group succeeded, failed or are still pending."""

    __slots__ = (
        "_clock",
        "_ended",
        "_failed",
        "_function",
        "_pending",
        "_started",
        "_succeeded",
        "_timeout",
        "_waiters",
    )

    def __init__(
        self,
        function: str,
        waiters: Sequence[Waiter[Any]],
        timeout: float | None,
        clock: Callable[[], float],
    ) -> None:
        self._function = function
        self._waiters = waiters
        self._timeout = timeout
        # The loop's clock, read where a wait's outcome is recorded: on asyncio that is a
        # task's done callback, outside any task, where anyio cannot tell the backend.
        self._clock = clock
        self._started = self._clock()
        # One byte a wait (1: ended): a dict of pending indices cost ~60 bytes a wait, the
        # pending are named only in a failure's message, and find() scans bytes in C.
        self._ended = bytearray(len(waiters))
        self._pending = len(waiters)
        self._succeeded = 0
        self._failed: list[int] = []

    def succeeded(self, index: int) -> None:
        """Wait ``index`` succeeded."""
        self._end(index)
        self._succeeded += 1

    def failed(self, index: int, error: Exception) -> None:
        """Wait ``index`` ended with ``error``: note it, and tell the error about the group."""
        self._end(index)
        self._failed.append(index)
        line = self._describe()
        if isinstance(error, _WaitContextError) and error.args and isinstance(error.args[0], str):
            error.args = (f"{error.args[0]}\n  {line}", *error.args[1:])
        else:  # not ours: its message is left alone, the note shows in tracebacks
            error.add_note(line)

    def _describe(self) -> str:
        total = len(self._waiters)
        bound = "" if self._timeout is None else f" (timeout {self._timeout:.1f}s)"
        elapsed = self._clock() - self._started
        failed = self._failed
        parts = [
            f"{self._succeeded} succeeded",
            # The latest failures: the one being raised is among them.
            f"{len(failed)} failed{self._names(failed[-_NAMES:], len(failed))}",
        ]
        if self._pending:
            parts.append(
                f"{self._pending} still pending{self._names(self._first_pending(), self._pending)}"
            )
        return (
            f"in {self._function} of {total} wait{'' if total == 1 else 's'}{bound}, "
            f"{elapsed:.1f}s after it started: {', '.join(parts)}"
        )

    def _end(self, index: int) -> None:
        if not self._ended[index]:
            self._ended[index] = 1
            self._pending -= 1

    def _first_pending(self) -> list[int]:
        """The indices of the first few waits still pending."""
        found: list[int] = []
        index = self._ended.find(0)
        while index != -1 and len(found) < _NAMES:
            found.append(index)
            index = self._ended.find(0, index + 1)
        return found

    def _names(self, shown: Sequence[int], count: int) -> str:
        if not shown:
            return ""
        names = ", ".join(self._waiters[i].describe() for i in shown)
        more = count - len(shown)
        return f" ({names}{f', and {more} more' if more > 0 else ''})"


@final
class GroupOutcomes(Generic[T]):
    """The results of a group in input order, and the failure that ends it.

    With a ``tally`` (``wait_all`` without ``return_exceptions``) the first failure ends
    the group and gets the group's line; without one, failures are results.
    """

    __slots__ = ("error", "results", "tally")

    def __init__(self, count: int, tally: GroupTally | None) -> None:
        self.results: list[T | Exception | None] = [None] * count
        self.tally = tally
        #: The failure that ends the group, once there is one.
        self.error: BaseException | None = None

    def succeeded(self, index: int, value: T) -> None:
        """Wait ``index`` returned ``value``."""
        self.results[index] = value
        if self.tally is not None:
            self.tally.succeeded(index)

    def failed(self, index: int, error: Exception) -> bool:
        """Wait ``index`` raised ``error``; True if that ends the group (cancel the rest)."""
        if self.tally is None:
            self.results[index] = error
            return False
        if self.error is not None:
            return False  # the group is ending already: later errors are its cancellations
        self.tally.failed(index, error)
        self.error = error
        return True
