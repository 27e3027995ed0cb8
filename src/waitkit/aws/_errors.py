"""botocore errors -> waitkit's error kinds, decided once, here, from codes and types.

Never from message text: the only place a message is read is where AWS gives no other
signal (a missing Auto Scaling group is a 400 ``ValidationError``), and that is the
waiter's own ``not_found`` rule, not this module's.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Final, final

from botocore.exceptions import (
    BotoCoreError,
    ClientError,
    ConnectionError,  # noqa: A004 - botocore's, not the builtin
    HTTPClientError,
    IncompleteReadError,
    NoCredentialsError,
)
from botocore.parsers import ResponseParserError

from waitkit._core import (
    FATAL,
    NOT_FOUND,
    TRANSIENT,
    Classification,
    ErrorKind,
    bounded,
    error_in_words,
)

#: botocore's standard-mode throttling codes (``retries/standard.py``), plus the
#: legacy ones. ``LimitExceededException`` is Logs Insights' "no free query slot".
THROTTLING_CODES: Final = frozenset(
    {
        "Throttling",
        "ThrottlingException",
        "ThrottledException",
        "RequestThrottledException",
        "TooManyRequestsException",
        "ProvisionedThroughputExceededException",
        "TransactionInProgressException",
        "RequestLimitExceeded",
        "BandwidthLimitExceeded",
        "LimitExceededException",
        "RequestThrottled",
        "SlowDown",
        "PriorRequestNotComplete",
        "EC2ThrottledException",
    }
)

#: Codes that mean "try again" whatever their HTTP status.
TRANSIENT_CODES: Final = frozenset(
    {
        "RequestTimeout",
        "RequestTimeoutException",
        "InternalError",
        "InternalFailure",
        "InternalServerError",
        "ServiceUnavailable",
        "ServiceUnavailableException",
        "ServiceException",
        "ResourceContention",  # Auto Scaling: a 500 for "you already have a pending update"
    }
)

_TRANSIENT_STATUSES: Final = frozenset({500, 502, 503, 504, 509})

#: Codes that mean the resource is not there.
NOT_FOUND_CODES: Final = frozenset(
    {"ResourceNotFoundException", "ResourceNotFound", "NotFound", "NoSuchEntity"}
)


def error_code(error: ClientError) -> str:
    """The AWS error code of a ClientError (empty when the service sent none)."""
    return str(error.response.get("Error", {}).get("Code", ""))


def error_message(error: ClientError) -> str:
    """The AWS error message of a ClientError."""
    return str(error.response.get("Error", {}).get("Message", ""))


def describe_error(error: Exception) -> str:
    """An error in a few words: ``AccessDeniedException: User ... is not authorized``."""
    if isinstance(error, ClientError):
        code, message = error_code(error), bounded(error_message(error), 200)
        return f"{code}: {message}" if message else code or f"HTTP {http_status(error)}"
    return error_in_words(error, 200)


def http_status(error: ClientError) -> int:
    """The HTTP status of a ClientError (0 when unknown)."""
    return int(error.response.get("ResponseMetadata", {}).get("HTTPStatusCode", 0) or 0)


def retry_after(error: ClientError) -> float | None:
    """The server's retry hint in seconds: ``Retry-After`` (s) or ``x-amz-retry-after`` (ms).

    botocore ignores ``Retry-After``; waitkit honours it.
    """
    headers: Mapping[str, str] = error.response.get("ResponseMetadata", {}).get("HTTPHeaders", {})
    lowered = {key.lower(): value for key, value in headers.items()}
    for header, scale in (("retry-after", 1.0), ("x-amz-retry-after", 0.001)):
        raw = lowered.get(header)
        if raw is None:
            continue
        try:
            value = float(raw) * scale
        except ValueError:
            continue  # an HTTP-date; rare for AWS, and the own backoff is a safe fallback
        if value >= 0:
            return value
    return None


class ResourceMissingError(Exception):
    """Raised by a waiter's observe() when the service answered but did not list the resource."""


# Checked in order; the first matching type decides. Never from message text.
_BY_TYPE: Final[
    tuple[tuple[type[Exception] | tuple[type[Exception], ...], Classification], ...]
] = (
    (ResourceMissingError, NOT_FOUND),
    # timeouts, resets, refused connections, truncated or malformed bodies
    ((HTTPClientError, ConnectionError, IncompleteReadError, ResponseParserError), TRANSIENT),
    ((NoCredentialsError, BotoCoreError), FATAL),  # no credentials, no region, bad config
    ((TimeoutError, OSError), TRANSIENT),
)


# What an aiobotocore client raises (wrapped in HTTPClientError) before any byte is sent
# when it is no longer usable: aiobotocore 3 drops its HTTP sessions on close (an
# AttributeError inside), aiohttp refuses a closed session (RuntimeError). Neither is
# a network fault, and no retry can help.
_CLIENT_STATE_ERRORS: Final = (AttributeError, RuntimeError)
_CLIENT_CLOSED: Final = Classification(
    ErrorKind.FATAL,
    reason=(
        "the client cannot send requests (is it closed? a client made with `async with` "
        "is usable only inside that block)"
    ),
)


@final
class AwsClassifier:
    """Classifies botocore and aiobotocore exceptions for the engine.

    Args:
        not_found: an extra rule for services that say "not found" without a not-found
            code (Auto Scaling answers a missing group with ``ValidationError``).
    """

    def __init__(self, *, not_found: Callable[[ClientError], bool] | None = None) -> None:
        self._not_found = not_found

    def classify(self, error: Exception) -> Classification:
        """Throttled, transient, not found or fatal; see the module docstring."""
        if isinstance(error, ClientError):
            return self._classify_client_error(error)
        if isinstance(error, HTTPClientError) and isinstance(
            error.kwargs.get("error"), _CLIENT_STATE_ERRORS
        ):
            return _CLIENT_CLOSED
        for kinds, classification in _BY_TYPE:
            if isinstance(error, kinds):
                return classification
        return FATAL

    def _classify_client_error(self, error: ClientError) -> Classification:
        code = error_code(error)
        if code in THROTTLING_CODES or http_status(error) == 429:  # noqa: PLR2004 - Too Many Requests
            return Classification(ErrorKind.THROTTLED, retry_after(error))
        if code in NOT_FOUND_CODES or (self._not_found is not None and self._not_found(error)):
            return NOT_FOUND
        if code.startswith("KMS"):
            return FATAL  # Lambda's KMS errors are 502s that no retry fixes
        if code in TRANSIENT_CODES or http_status(error) in _TRANSIENT_STATUSES:
            return TRANSIENT
        return FATAL


GENERIC_AWS: Final = AwsClassifier()
