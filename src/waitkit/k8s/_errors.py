"""kubernetes_asyncio and aiohttp errors -> waitkit's error kinds, decided once, here.

From HTTP statuses and exception types, never from message text:

=====================================  ===========
error                                  kind
=====================================  ===========
``ApiException`` 429                   throttled (``Retry-After`` or
                                       ``details.retryAfterSeconds`` honoured)
``ApiException`` 404                   not found
``ApiException`` 408, 5xx              transient
``ApiException`` 401, 403, other 4xx   fatal
``ApiException`` status 0              fatal (the client could not build the request)
aiohttp connection / payload errors,   transient
timeouts, a malformed body
:class:`ObjectMissingError`            not found (the list answered without the object)
anything else                          fatal
=====================================  ===========
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Final, final

import aiohttp
from kubernetes_asyncio.client.exceptions import ApiException
from kubernetes_asyncio.config.config_exception import ConfigException

from waitkit._core import FATAL, NOT_FOUND, TRANSIENT, Classification, ErrorKind

_TOO_MANY_REQUESTS: Final = 429
_NOT_FOUND: Final = 404
_REQUEST_TIMEOUT: Final = 408
_SERVER_ERRORS: Final = range(500, 600)


class ObjectMissingError(Exception):
    """The API answered, but the awaited object is not there (never listed, or deleted)."""


class MalformedResponseError(Exception):
    """The API sent a body that is not the JSON it should be (a truncated answer, a proxy page)."""


class WatchBrokenError(Exception):
    """A watch stream ended abnormally (an ERROR event other than 410, a bad line)."""


def api_status(error: ApiException) -> int:
    """The HTTP status of an ApiException (0 when the client failed before any answer)."""
    try:
        return int(error.status or 0)
    except (TypeError, ValueError):
        return 0


def retry_after(error: ApiException) -> float | None:
    """The server's hint in seconds: ``Retry-After``, else the Status' ``retryAfterSeconds``."""
    headers: object = error.headers
    raw = headers.get("Retry-After") if isinstance(headers, Mapping) else None
    if raw is not None:
        try:
            value = float(raw)
        except ValueError:
            value = -1.0  # an HTTP-date: fall back to the Status body, then to our own backoff
        if value >= 0:
            return value
    status = status_body(error)
    details = status.get("details")
    if isinstance(details, dict):
        seconds = details.get("retryAfterSeconds")
        if isinstance(seconds, int | float) and seconds >= 0:
            return float(seconds)
    return None


def status_body(error: ApiException) -> dict[str, object]:
    """The ``Status`` object the server sent with an error (empty when the body is not one)."""
    body: object = error.body  # bytes from the client, str once call_api decoded it
    if isinstance(body, bytes):
        body = body.decode("utf-8", "replace")
    if not isinstance(body, str) or not body:
        return {}
    try:
        parsed = json.loads(body)
    except ValueError:
        return {}
    return parsed if isinstance(parsed, dict) else {}


def describe_error(error: Exception) -> str:
    """A short one-line text for an error: the Status message rather than the headers dump."""
    if isinstance(error, ApiException):
        status = status_body(error)
        message = status.get("message") or error.reason or ""
        reason = status.get("reason") or ""
        return f"HTTP {api_status(error)} {reason}: {message}".strip()
    return f"{type(error).__name__}: {error}"


# Checked in order; the first matching type decides.
_BY_TYPE: Final[tuple[tuple[tuple[type[Exception], ...], Classification], ...]] = (
    ((ObjectMissingError,), NOT_FOUND),
    (
        (
            MalformedResponseError,
            WatchBrokenError,
            aiohttp.ClientConnectionError,  # refused, reset, server disconnected, read timeout
            aiohttp.ClientPayloadError,  # a body cut short
            TimeoutError,
            OSError,
        ),
        TRANSIENT,
    ),
    ((ConfigException, aiohttp.ClientError), FATAL),
)


@final
class KubernetesClassifier:
    """Classifies kubernetes_asyncio and aiohttp exceptions for the engine.

    Example:
        >>> from kubernetes_asyncio.client.exceptions import ApiException
        >>> from waitkit import ErrorKind
        >>> KubernetesClassifier().classify(ApiException(status=503)).kind is ErrorKind.TRANSIENT
        True
    """

    def classify(self, error: Exception) -> Classification:
        """Throttled, transient, not found or fatal; see the module docstring."""
        if isinstance(error, ApiException):
            return _classify_api_exception(error)
        for kinds, classification in _BY_TYPE:
            if isinstance(error, kinds):
                return classification
        return FATAL


def _classify_api_exception(error: ApiException) -> Classification:
    status = api_status(error)
    if status == _TOO_MANY_REQUESTS:
        return Classification(ErrorKind.THROTTLED, retry_after(error))
    if status == _NOT_FOUND:
        return NOT_FOUND
    if status == _REQUEST_TIMEOUT or status in _SERVER_ERRORS:
        return TRANSIENT
    return FATAL


KUBERNETES: Final = KubernetesClassifier()
