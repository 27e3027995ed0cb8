"""Extra calls that explain an outcome, never at the cost of reporting it.

A waiter that has seen a terminal state sometimes makes one more call to say *why*
(a durable execution's history, a failed pod's log). That call must not turn a known
failure into a timeout or a :class:`~waitkit.ProbeError`: a missing permission, a hung
endpoint or the deadline must leave the verdict as it is, with a word on what could not
be fetched.

Each explaining call gets the smaller of its own cap and half of what is left of the
scope the observation runs in (the engine arms that scope at the call's and the wait's
deadline, so :func:`current_call_deadline` is the time the whole look must end by):
the other half is kept for the look to deliver its verdict on a slow machine.
The Kubernetes Job waiter's log tail (``k8s/_logtail.py``) takes its budget here too.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Final, TypeVar

import anyio

from waitkit._core._call_deadline import current_call_deadline
from waitkit._core._text import error_in_words

if TYPE_CHECKING:
    from collections.abc import Awaitable, Callable

T = TypeVar("T")

#: Seconds one explaining call may take at most, whatever time is left.
EXPLAIN_CAP: Final = 5.0
#: The share of the time left that one explanation may use: the rest is kept for the
#: look to deliver its verdict, even on a slow machine.
EXPLAIN_SHARE: Final = 0.5


def explain_budget(
    cap: float, *, deadline: float | None = None, share: float = EXPLAIN_SHARE
) -> float:
    """Seconds one explaining call may take: ``cap``, and ``share`` of the time left.

    The time left runs to the look's effective deadline (the engine's call deadline or
    the wait's, whichever is armed) or ``deadline``, whichever comes first; 0 when none
    is left.
    """
    now = anyio.current_time()
    left = current_call_deadline() - now
    if deadline is not None:
        left = min(left, deadline - now)
    return max(0.0, min(cap, left * share))


def in_seconds(value: float) -> str:
    """``2.0s``, ``0.5s``, ``0.047s``: a budget as a message shows it."""
    return f"{value:.1f}s" if value >= 0.1 else f"{value:.2g}s"  # noqa: PLR2004 - 0.1 s


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
    bound = explain_budget(cap)
    if bound <= 0:
        return None, f"{what} unavailable: no time was left before the deadline"
    try:
        with anyio.move_on_after(bound) as scope:
            return await fetch(), None
    except Exception as error:  # noqa: BLE001 - an explanation is a courtesy; cancellation passes
        why = describe(error) if describe is not None else error_in_words(error, 200)
        return None, f"{what} unavailable: {why}"
    assert scope.cancelled_caught  # noqa: S101 - the only way here without a return
    return None, f"{what} unavailable: no answer within {in_seconds(bound)}"
