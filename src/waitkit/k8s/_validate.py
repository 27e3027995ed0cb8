"""Argument checks of the Kubernetes waiters: the value if valid, else ConfigurationError."""

from __future__ import annotations

import math
import re
from typing import Final, TypeVar

from waitkit._core import ConfigurationError, require_int, require_text
from waitkit.k8s._options import DEFAULT_OPTIONS, WatchOptions

# RFC 1123 subdomain (names) and label (namespaces), as the API server validates them.
_NAME: Final = re.compile(r"^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$")
_NAMESPACE: Final = re.compile(r"^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$")


def check_name(owner: str, argument: str, value: object) -> str:
    """``value`` if it is a valid object name, else :class:`ConfigurationError`."""
    if not isinstance(value, str) or not _NAME.match(value):
        msg = (
            f"{owner}: {argument} must be a Kubernetes object name (lowercase letters, digits,"
            f" '-' and '.', 1-253 characters), got {value!r}"
        )
        raise ConfigurationError(msg)
    return value


def check_namespace(owner: str, value: object) -> str:
    """``value`` if it is a valid namespace name, else :class:`ConfigurationError`."""
    if not isinstance(value, str) or not _NAMESPACE.match(value):
        msg = (
            f"{owner}: namespace must be a DNS label (lowercase letters, digits and '-',"
            f" 1-63 characters), got {value!r}"
        )
        raise ConfigurationError(msg)
    return value


def check_api(owner: str, api: object) -> None:
    """``api`` must look like a kubernetes_asyncio ``ApiClient`` (it has ``call_api``)."""
    if not callable(getattr(api, "call_api", None)):
        msg = f"{owner}: api must be a kubernetes_asyncio ApiClient, got {type(api).__name__}"
        raise ConfigurationError(msg)


T = TypeVar("T")


def check_choice(owner: str, argument: str, value: T, choices: tuple[T, ...]) -> T:
    """``value`` if it is one of ``choices``, else :class:`ConfigurationError`."""
    if value not in choices:
        allowed = " or ".join(repr(choice) for choice in choices)
        msg = f"{owner}: {argument} must be {allowed}, got {value!r}"
        raise ConfigurationError(msg)
    return value


def check_seconds(owner: str, argument: str, value: object) -> float:
    """``value`` as seconds if it is a finite number >= 0, else :class:`ConfigurationError`."""
    if (
        isinstance(value, bool)
        or not isinstance(value, int | float)
        or not math.isfinite(value)
        or value < 0
    ):
        msg = f"{owner}: {argument} must be a finite number of seconds >= 0, got {value!r}"
        raise ConfigurationError(msg)
    return float(value)


def check_int(owner: str, argument: str, value: object, low: int, high: int) -> int:
    """``value`` if it is an int from ``low`` to ``high``, else :class:`ConfigurationError`."""
    return require_int(f"{owner}: {argument}", value, low, high)


def check_selector(owner: str, argument: str, value: object) -> str | None:
    """``value`` if it is ``None`` or a non-blank string, else :class:`ConfigurationError`."""
    if value is None:
        return None
    return require_text(f"{owner}: {argument}", value, or_none=True)


def check_options(owner: str, watch: object) -> WatchOptions:
    """``watch`` if it is a :class:`WatchOptions` (``None``: the defaults)."""
    if watch is None:
        return DEFAULT_OPTIONS
    if not isinstance(watch, WatchOptions):
        msg = f"{owner}: watch must be a WatchOptions or None, got {type(watch).__name__}"
        raise ConfigurationError(msg)
    return watch
