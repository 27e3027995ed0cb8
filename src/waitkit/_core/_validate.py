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
