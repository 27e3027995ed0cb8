"""What a wait's exception says: bounded, on printable characters, and complete."""

from __future__ import annotations

import pytest

from waitkit import ProbeError, UnexpectedStateError, WaitFailedError, WaitTimeoutError
from waitkit.testing import ScriptedState, ScriptedWaiter

pytestmark = pytest.mark.anyio

HUGE = "card declined " + "x" * 200_000
ANSI = "\x1b[31mTraceback\x1b[0m\x07"


@pytest.mark.parametrize(
    ("script", "error", "expected", "absent"),
    [
        pytest.param(
            [ScriptedState(status="failed", detail=HUGE)],
            WaitFailedError,
            ["failed after", "card declined xxx", "more characters)"],
            ["x" * 5000],
            id="200KB-reason-is-cut",
        ),
        pytest.param(
            [ScriptedState(status="failed", detail=f"first line\n{ANSI}")],
            WaitFailedError,
            ["first line\n", "\\x1b[31mTraceback\\x1b[0m\\x07"],
            ["\x1b", "\x07"],
            id="controls-escaped-lines-kept",
        ),
        pytest.param(
            [RuntimeError("boom " + "y" * 100_000)],
            ProbeError,
            ["RuntimeError: boom yyy", "more characters)"],
            ["y" * 1000],
            id="huge-error-text-is-cut",
        ),
        pytest.param(
            ["Pending", ""],
            WaitTimeoutError,
            ["Pending -> +", "(empty)"],
            [],
            id="blank-status-is-named",
        ),
        pytest.param(
            [f"Pending{ANSI}"],
            WaitTimeoutError,
            ["Pending\\x1b[31m"],
            ["\x1b"],
            id="controls-escaped-in-history",
        ),
    ],
)
async def test_messages_are_bounded_and_printable(script, error, expected, absent):
    """Each message stays under 4 KiB, escapes controls and names a blank status."""
    waiter = ScriptedWaiter(script)
    with pytest.raises(error) as info:
        await waiter.wait(timeout=30)
    text = str(info.value)
    assert len(text) < 4096
    for part in expected:
        assert part in text
    for part in absent:
        assert part not in text


async def test_the_full_value_stays_on_the_state():
    """The message is cut; the state keeps every character the service sent."""
    waiter = ScriptedWaiter([ScriptedState(status="failed", detail=HUGE)])
    with pytest.raises(WaitFailedError) as info:
        await waiter.wait(timeout=30)
    assert info.value.state.detail == HUGE
    assert len(info.value.reason) < 4096


async def test_an_unknown_status_under_a_strict_policy_is_cut_too():
    """UnexpectedStateError quotes a 10,000-character status cut to 500."""
    from waitkit import Policy

    waiter = ScriptedWaiter(["z" * 10_000], known=["Pending"], policy=Policy(unknown_status="fail"))
    with pytest.raises(UnexpectedStateError) as info:
        await waiter.wait(timeout=30)
    assert len(str(info.value)) < 2048
