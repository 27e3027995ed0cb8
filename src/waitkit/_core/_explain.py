"""Extra calls that explain an outcome, never at the cost of reporting it.

A waiter that has seen a terminal state sometimes makes one more call to say *why*
(a durable execution's history, a failed pod's log). That call must not turn a known
failure into a timeout or a :class:`~waitkit.ProbeError`: a missing permission, a hung
endpoint or the deadline must leave the verdict as it is, with a word on what could not
be fetched.

Each explaining call gets the smaller of its own cap and what is left of the scope the
observation runs in (the engine arms that scope at the call's and the wait's deadline,
so ``anyio.current_effective_deadline()`` is the time the whole look must end by),
minus a margin for the rest of the look.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Final, TypeVar

import anyio

from waitkit._core._text import bounded

if TYPE_CHECKING:
    from collections.abc import Awaitable, Callable

T = TypeVar("T")

#: Seconds one explaining call may take at most, whatever time is left.
EXPLAIN_CAP: Final = 5.0
# Kept back from the time left for the rest of the look (a fraction, at most this much).
_MARGIN_SHARE: Final = 0.1
_MARGIN_MAX: Final = 0.25


async def explain(
    fetch: Callable[[], Awaitable[T]],
    what: str,
    *,
    cap: float = EXPLAIN_CAP,
    describe: Callable[[Exception], str] | None = None,
) -> tuple[T | None, str | None]:
    """``(value, None)``, or ``(None, "<what> unavailable: <why>")`` if ``fetch`` could not say.

    Args:
        fetch: the explaining call.
        what: what it fetches, for the words ("history", "log").
        cap: seconds it may take at most.
        describe: how to name an error in a few words (default: its type and message).
    """
    left = max(0.0, anyio.current_effective_deadline() - anyio.current_time())
    bound = min(cap, left - min(_MARGIN_MAX, left * _MARGIN_SHARE))
    if bound <= 0:
        return None, f"{what} unavailable: no time was left before the deadline"
    try:
        with anyio.move_on_after(bound) as scope:
            return await fetch(), None
    except Exception as error:  # noqa: BLE001 - an explanation is a courtesy; cancellation passes
        why = describe(error) if describe is not None else _describe(error)
        return None, f"{what} unavailable: {why}"
    assert scope.cancelled_caught  # noqa: S101 - the only way here without a return
    return None, f"{what} unavailable: no answer within {bound:.1f}s"


def _describe(error: Exception) -> str:
    text = bounded(str(error), 200)
    return f"{type(error).__name__}: {text}" if text else type(error).__name__
