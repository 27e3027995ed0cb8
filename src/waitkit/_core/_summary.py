"""One-line summaries of states, for error messages and log events."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from pydantic import BaseModel

from waitkit._core._text import one_line

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence

    from waitkit._core._result import HistoryEntry

_MAX_SUMMARY = 120
_SHOWN_STATES = 5


def status_of(model: BaseModel) -> object:
    """``getattr(model, "status", None)``, without pydantic's costly miss.

    A model without a ``status`` makes pydantic's ``__getattr__`` build and raise an
    ``AttributeError`` (about 4 us); the places a status can be are looked at instead:
    the fields' values, the class (a property), the extra fields.
    """
    values = model.__dict__
    if "status" in values:
        return values["status"]
    if hasattr(type(model), "status"):
        return getattr(model, "status", None)
    extra = model.__pydantic_extra__
    return extra.get("status") if extra else None


def summarize(state: object) -> str:
    """A short description of ``state``.

    Uses the state's own ``summary()`` when it has one, else its ``status`` field,
    else its fields (or ``repr``), on one line (controls escaped), cut to 120
    characters. A blank summary (an empty status) reads ``(empty)``.
    """
    summary = getattr(state, "summary", None)
    if callable(summary):
        text = str(summary())
    elif isinstance(state, BaseModel):
        status = status_of(state)
        if status is not None:
            text = str(getattr(status, "value", status))
        else:
            text = " ".join(f"{k}={v!r}" for k, v in state.model_dump(exclude_none=True).items())
    else:
        text = repr(state)
    text = one_line(text) if text.strip() else "(empty)"
    if len(text) > _MAX_SUMMARY:
        text = text[: _MAX_SUMMARY - 3] + "..."
    return text


def render_history(
    history: Sequence[HistoryEntry[Any]], summarize_state: Callable[[Any], str]
) -> str:
    """``+0.0s Pending -> +12.3s InProgress 40%``, the last few distinct states."""
    if not history:
        return "no state observed"
    shown = history[-_SHOWN_STATES:]
    text = " -> ".join(f"+{entry.elapsed:.1f}s {summarize_state(entry.state)}" for entry in shown)
    hidden = len(history) - len(shown)
    return f"({hidden} earlier) {text}" if hidden else text
