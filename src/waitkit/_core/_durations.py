"""Validation of user-given durations: float seconds or timedelta, None for "no bound"."""

from __future__ import annotations

import math
from datetime import timedelta
from typing import Final, final

from waitkit._core._errors import ConfigurationError

Duration = float | timedelta


@final
class _Unset:
    """Marker for "not given": use the policy's value (``None`` means "no bound")."""

    _instance: _Unset | None = None

    def __new__(cls) -> _Unset:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "UNSET"

    def __bool__(self) -> bool:
        return False


UNSET: Final = _Unset()


def seconds(
    name: str,
    value: object,
    *,
    positive: bool = False,
) -> float:
    """``value`` as finite seconds, or :class:`ConfigurationError` naming ``name`` and the range.

    Args:
        name: how the user spells the argument, e.g. ``"Policy.min_delay"``.
        value: a number of seconds or a :class:`~datetime.timedelta`.
        positive: require ``> 0`` instead of ``>= 0``.
    """
    bound = "> 0" if positive else ">= 0"
    if isinstance(value, timedelta):
        number = value.total_seconds()
    elif isinstance(value, int | float) and not isinstance(value, bool):
        number = float(value)
    else:
        msg = f"{name} must be a number of seconds {bound} or a timedelta, got {value!r}"
        raise ConfigurationError(msg)
    if not math.isfinite(number) or number < 0 or (positive and number == 0):
        msg = f"{name} must be a finite number of seconds {bound}, got {value!r}"
        raise ConfigurationError(msg)
    return number


def optional_seconds(name: str, value: object, *, positive: bool = False) -> float | None:
    """Like :func:`seconds`, but ``None`` (no bound) is allowed."""
    if value is None:
        return None
    return seconds(name, value, positive=positive)
