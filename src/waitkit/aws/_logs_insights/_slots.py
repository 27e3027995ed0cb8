"""Admission: a first-come, first-served gate on how many queries run at once."""

from __future__ import annotations

from collections import deque
from typing import Final, final

import anyio

from waitkit._core import require_int

_DEFAULT_SLOTS: Final = 30


@final
class QuerySlots:
    """A first-come, first-served gate: at most ``limit`` queries of this gate run at once.

    Every :class:`LogsInsightsQuery` without its own ``slots`` shares the process-wide
    :data:`DEFAULT_QUERY_SLOTS` (30 slots, the documented account quota of older
    accounts). Give several queries one ``QuerySlots`` to bound them separately, for
    example per account. A slot is held from before ``StartQuery`` until the wait ends.
    The gate serves one event loop at a time (it is not thread-safe).

    Args:
        limit: how many queries may run at once (>= 1).

    Example:
        >>> slots = QuerySlots(2)
        >>> slots.limit, slots.in_use, slots.waiting
        (2, 0, 0)
    """

    def __init__(self, limit: int = _DEFAULT_SLOTS) -> None:
        self._limit = require_int("QuerySlots limit", limit, 1)
        self._in_use = 0
        self._queue: deque[anyio.Event] = deque()

    @property
    def limit(self) -> int:
        """How many queries may run at once; raising it admits waiting queries at once."""
        return self._limit

    @limit.setter
    def limit(self, value: int) -> None:
        self._limit = require_int("QuerySlots limit", value, 1)
        while self._queue and self._in_use < self._limit:
            self._in_use += 1
            self._queue.popleft().set()

    def __repr__(self) -> str:
        return f"QuerySlots({self._limit})"

    @property
    def in_use(self) -> int:
        """Slots held now."""
        return self._in_use

    @property
    def waiting(self) -> int:
        """Queries waiting for a slot."""
        return len(self._queue)

    async def acquire(self) -> None:
        """Wait for a slot, in arrival order."""
        if self._in_use < self._limit and not self._queue:
            self._in_use += 1
            return
        event = anyio.Event()
        self._queue.append(event)
        admitted = False
        try:
            await event.wait()
            admitted = True
        finally:
            if not admitted:
                if event.is_set():
                    self.release()  # handed a slot just as we were cancelled: pass it on
                else:
                    self._queue.remove(event)

    def release(self) -> None:
        """Give a slot back (to the longest-waiting query, if any)."""
        if self._queue and self._in_use <= self._limit:
            self._queue.popleft().set()  # the slot changes hands; in_use stays
        else:
            self._in_use -= 1


#: The gate shared by every query of the process that names no ``slots`` of its own.
DEFAULT_QUERY_SLOTS: Final = QuerySlots(_DEFAULT_SLOTS)
