"""Verdicts: what a waiter concludes from one observed state."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import ClassVar, final


class VerdictKind(enum.Enum):
    """The kinds of verdict."""

    PENDING = "pending"
    SUCCESS = "success"
    FAILURE = "failure"
    UNKNOWN = "unknown"


@final
@dataclass(frozen=True, slots=True)
class Verdict:
    """What a waiter's ``verdict(state)`` returns.

    Use the constants :attr:`PENDING` and :attr:`SUCCESS`, :meth:`failure` with a
    reason, or :meth:`unknown` for a status the waiter does not recognise (the
    policy's ``unknown_status`` decides what happens then).

    Example:
        >>> from waitkit import Verdict
        >>> Verdict.failure("RollbackFailed: health checks").reason
        'RollbackFailed: health checks'
        >>> Verdict.PENDING.is_terminal
        False
    """

    kind: VerdictKind
    reason: str | None = None

    PENDING: ClassVar[Verdict]
    SUCCESS: ClassVar[Verdict]
    FAILURE: ClassVar[Verdict]

    @classmethod
    def failure(cls, reason: str) -> Verdict:
        """The resource reached a failure state, for ``reason``."""
        return cls(VerdictKind.FAILURE, reason)

    @classmethod
    def unknown(cls, status: str) -> Verdict:
        """The waiter does not know ``status``."""
        return cls(VerdictKind.UNKNOWN, status)

    @property
    def is_terminal(self) -> bool:
        """Whether the wait ends here (success or failure)."""
        return self.kind is VerdictKind.SUCCESS or self.kind is VerdictKind.FAILURE


Verdict.PENDING = Verdict(VerdictKind.PENDING)
Verdict.SUCCESS = Verdict(VerdictKind.SUCCESS)
Verdict.FAILURE = Verdict(VerdictKind.FAILURE)
