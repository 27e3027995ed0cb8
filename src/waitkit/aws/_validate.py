"""Argument checks shared by the AWS waiters: clear ConfigurationErrors before any call."""

from __future__ import annotations

import unicodedata

from waitkit._core import ConfigurationError


def require_name(argument: str, value: object, *, max_length: int = 1024) -> str:
    """``value`` if it is a non-empty string of printable characters up to ``max_length``."""
    if not isinstance(value, str):
        msg = f"{argument} must be a string, got {type(value).__name__}"
        raise ConfigurationError(msg)
    if not value or len(value) > max_length:
        msg = f"{argument} must be 1 to {max_length} characters long, got {len(value)}"
        raise ConfigurationError(msg)
    if value != value.strip() or any(unicodedata.category(ch).startswith("C") for ch in value):
        msg = f"{argument} must not contain control characters or surrounding spaces, got {value!r}"
        raise ConfigurationError(msg)
    return value


def require_client(client: object, service: str, waiter: str) -> None:
    """``client`` must be an aiobotocore client of ``service`` (checked before any call).

    A client of another service would fail later with a confusing attribute error (or,
    worse, call an operation of the same name on the wrong service).
    """
    model = getattr(getattr(client, "meta", None), "service_model", None)
    got = getattr(model, "service_name", None)
    if got != service:
        described = repr(got) if got is not None else type(client).__name__
        msg = f"{waiter} needs an aiobotocore {service!r} client, got {described}"
        raise ConfigurationError(msg)
