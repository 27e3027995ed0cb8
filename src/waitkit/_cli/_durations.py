"""``--timeout 30m`` style durations: plain seconds, or numbers with ``s``, ``m``, ``h``."""

from __future__ import annotations

import argparse
import math
import re
from typing import Final

_UNITS: Final = {"s": 1.0, "m": 60.0, "h": 3600.0}
_PART: Final = re.compile(r"(\d+(?:\.\d*)?|\.\d+)([smh])")
_WHOLE: Final = re.compile(r"(?:(?:\d+(?:\.\d*)?|\.\d+)[smh])+")
_HINT: Final = "use seconds (90) or a number with s, m or h (90s, 30m, 1h30m)"


def parse_duration(text: str) -> float:
    """Seconds from ``"90"``, ``"90s"``, ``"30m"``, ``"1h30m"`` or ``"0.5s"``.

    Raises:
        argparse.ArgumentTypeError: not a duration, or negative, infinite or NaN.
    """
    cleaned = text.strip().lower()
    if _WHOLE.fullmatch(cleaned):
        return sum(float(number) * _UNITS[unit] for number, unit in _PART.findall(cleaned))
    try:
        value = float(cleaned)
    except ValueError:
        value = math.nan
    if not math.isfinite(value) or value < 0:
        msg = f"invalid duration {text!r}: {_HINT}"
        raise argparse.ArgumentTypeError(msg)
    return value


def positive_duration(text: str) -> float:
    """A duration > 0."""
    value = parse_duration(text)
    if value <= 0:
        msg = f"invalid duration {text!r}: must be more than 0"
        raise argparse.ArgumentTypeError(msg)
    return value


def timeout_duration(text: str) -> float | None:
    """A duration > 0, or ``none`` for no bound."""
    if text.strip().lower() == "none":
        return None
    return positive_duration(text)


def format_duration(value: float | None) -> str:
    """``600`` -> ``"10m"``, ``5400`` -> ``"1h30m"``, ``0.5`` -> ``"0.5s"``, None -> ``"none"``."""
    if value is None:
        return "none"
    if value < 60 or value != int(value):  # noqa: PLR2004 - a minute
        return f"{value:g}s"
    hours, rest = divmod(int(value), 3600)
    minutes, secs = divmod(rest, 60)
    parts = [(hours, "h"), (minutes, "m"), (secs, "s")]
    return "".join(f"{number}{unit}" for number, unit in parts if number)
