"""The log tail's pure parts: the bounded line buffer, the message's log block, the budget."""

from __future__ import annotations

import anyio
import pytest
from hypothesis import given
from hypothesis import strategies as st

from waitkit._core._explain import explain_budget
from waitkit._core._text import safe
from waitkit.k8s._logtail import (
    TailBuffer,
    fetch_log_tail,
    render_tail,
)

_TEXT = st.text(alphabet=st.sampled_from("ab\n\r\x1b\t é"), max_size=200)


def _reference(text: str, lines: int, width: int) -> tuple[str, ...]:
    """The tail computed the simple way: the whole text at once."""
    parts = text.split("\n")
    if parts[-1] == "":
        parts.pop()
    shown = []
    for line in parts:
        raw = line.removesuffix("\r")
        text_shown = safe(raw)
        if len(text_shown) > width:
            text_shown = f"{text_shown[:width]}... (line of {len(raw)} characters)"
        shown.append(text_shown)
    return tuple(shown[-lines:])


@given(text=_TEXT, cuts=st.lists(st.integers(0, 200), max_size=6), lines=st.integers(1, 5))
def test_the_tail_does_not_depend_on_how_the_stream_is_cut(
    text: str, cuts: list[int], lines: int
) -> None:
    """Fed in any pieces, the buffer keeps the same last lines as the whole text would give."""
    buffer = TailBuffer(lines, 1000)
    start = 0
    for cut in sorted(cuts):
        buffer.feed(text[start:cut])
        start = max(start, cut)
    buffer.feed(text[start:])
    assert buffer.finish() == _reference(text, lines, 1000)


def test_a_long_line_keeps_its_start_and_says_its_length() -> None:
    """A line beyond the width keeps its first characters and its full length."""
    buffer = TailBuffer(3, 10)
    for _ in range(100):
        buffer.feed("z" * 1000)
    buffer.feed("\nshort\n")
    assert buffer.finish() == ("z" * 10 + "... (line of 100000 characters)", "short")


def test_escapes_count_towards_the_width() -> None:
    """A line that fits raw but not escaped is cut too (the message never exceeds the width)."""
    buffer = TailBuffer(1, 8)
    buffer.feed("\x1b[31mred\n")
    assert buffer.finish() == ("\\x1b[31m... (line of 8 characters)",)


def test_the_message_shows_the_last_lines_that_fit() -> None:
    """Lines beyond the room left in the reason are left to the state; the header says so."""
    lines = tuple(f"{i:03d} " + "w" * 495 for i in range(20))
    block = render_tail("etl-x", lines, (), 3000 - 1000)
    assert len(block) <= 2000
    assert block.startswith("\n  last 3 of 20 log lines of pod etl-x (all in state.log_tail):\n")
    assert block.endswith(lines[-1])
    assert render_tail("etl-x", lines[-2:], (), 3000) == (
        f"\n  last log lines of pod etl-x:\n    {lines[-2]}\n    {lines[-1]}"
    )
    # However little room is left, the last line is shown.
    assert render_tail("etl-x", lines, (), 0).endswith(f"(all in state.log_tail):\n    {lines[-1]}")


def test_the_message_says_what_could_not_be_fetched() -> None:
    """Each missing detail on a line of its own, in parentheses; nothing when nothing is missing."""
    missing = ("log of pod etl-x unavailable: pod deleted",)
    assert render_tail("etl-x", (), missing, 3000) == (
        "\n  (log of pod etl-x unavailable: pod deleted)"
    )
    assert render_tail(None, (), (), 3000) == ""


@pytest.mark.anyio
async def test_no_time_left_fetches_nothing() -> None:
    """At the deadline the pods are not even listed: the failure is reported as it is."""

    async def list_pods() -> list[dict[str, object]]:
        raise AssertionError("no call may be made without time left")

    tail = await fetch_log_tail(
        None,  # type: ignore[arg-type]  # never used: no call is made
        "default",
        list_pods,
        lines=20,
        timeout=2.0,
        deadline=anyio.current_time(),
    )
    assert (tail.pod, tail.lines, tail.missing) == (
        None,
        (),
        "log unavailable: no time was left before the deadline",
    )


@pytest.mark.anyio
async def test_the_budget_is_the_cap_or_half_the_time_left() -> None:
    """Without a deadline the cap; with one, half of what is left, whichever is shorter."""
    now = anyio.current_time()
    assert explain_budget(2.0) == 2.0
    assert explain_budget(2.0, deadline=now + 100) == 2.0
    assert 0.4 < explain_budget(2.0, deadline=now + 1.0) <= 0.5
    assert explain_budget(2.0, deadline=now - 1) == 0.0
    with anyio.CancelScope(deadline=now + 0.6):  # noqa: ASYNC100 - the engine's call_timeout
        assert explain_budget(2.0) <= 0.3
        assert 0.5 < explain_budget(2.0, share=0.9) <= 0.54
