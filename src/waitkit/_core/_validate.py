"""Argument checks every layer shares: one ``ConfigurationError`` wording per kind of value."""

from __future__ import annotations

from waitkit._core._errors import ConfigurationError


def require_int(
    argument: str, value: object, low: int, high: int | None = None, *, or_none: bool = False
) -> int:
    """``value`` if it is an ``int`` (not a ``bool``) from ``low`` to ``high`` (``None``: no top).

    The message names the argument and the range: ``limit must be an integer from 1 to
    10, got 0`` (``or_none`` adds "or None", for arguments where ``None`` means "no bound",
    which the caller handles before calling).

    Example:
        >>> require_int("limit", 3, 1, 10)
        3
    """
    if (
        isinstance(value, int)
        and not isinstance(value, bool)
        and low <= value
        and (high is None or value <= high)
    ):
        return value
    allowed = f">= {low}" if high is None else f"from {low} to {high}"
    nullable = " or None" if or_none else ""
    msg = f"{argument} must be an integer {allowed}{nullable}, got {value!r}"
    raise ConfigurationError(msg)


def require_text(
    argument: str, value: object, *, max_length: int | None = None, or_none: bool = False
) -> str:
    """``value`` if it is a string with something besides spaces, up to ``max_length``.

    For free text (a query, a query id, a label selector), where newlines and tabs are
    fine. The message names the argument and what it takes: ``query must be a non-blank
    string of at most 10000 characters, got ''`` (a long string is described by its
    length, not echoed; ``or_none`` as for :func:`require_int`).

    Example:
        >>> require_text("query", "fields @message", max_length=10_000)
        'fields @message'
    """
    if (
        isinstance(value, str)
        and value.strip()
        and (max_length is None or len(value) <= max_length)
    ):
        return value
    bound = "" if max_length is None else f" of at most {max_length} characters"
    nullable = " or None" if or_none else ""
    msg = f"{argument} must be a non-blank string{bound}{nullable}, got {_described(value)}"
    raise ConfigurationError(msg)


#: Longest string a message shows as it is; a longer one is described by its length.
_SHOWN_LENGTH = 20


def _described(value: object) -> str:
    if isinstance(value, str) and len(value) > _SHOWN_LENGTH:
        return f"{len(value)} characters"
    return repr(value)
