"""Request counters: how many calls each operation received, and how many watch streams are open.

Tests and benchmarks assert on these ("sharing really shares": 1,000 waiters, 2 calls a round).
"""

from __future__ import annotations

from collections import Counter


class RequestCounters:
    """Per-(service, operation) request counts plus watch-stream bookkeeping."""

    def __init__(self) -> None:
        self.requests: Counter[tuple[str, str]] = Counter()
        self.faults: Counter[tuple[str, str, str]] = Counter()
        self.watches_opened = 0
        self.watches_open = 0

    def count(self, service: str, operation: str) -> None:
        """Record one request."""
        self.requests[service, operation] += 1

    def count_fault(self, service: str, operation: str, kind: str) -> None:
        """Record one injected fault."""
        self.faults[service, operation, kind] += 1

    def of(self, service: str, operation: str | None = None) -> int:
        """Requests received by one operation, or by a whole service when ``operation`` is None."""
        if operation is not None:
            return self.requests[service, operation]
        return sum(n for (svc, _), n in self.requests.items() if svc == service)

    def watch_opened(self) -> None:
        """A watch stream started."""
        self.watches_opened += 1
        self.watches_open += 1

    def watch_closed(self) -> None:
        """A watch stream ended (for any reason)."""
        self.watches_open -= 1

    def reset(self) -> None:
        """Forget all counts (open watches stay counted as open)."""
        self.requests.clear()
        self.faults.clear()
        self.watches_opened = 0

    def snapshot(self) -> dict[str, int]:
        """Counts as a flat JSON-able mapping ``"service:operation" -> n``."""
        return {f"{svc}:{op}": n for (svc, op), n in sorted(self.requests.items())}
