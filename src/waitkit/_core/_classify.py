"""Error classification: how the engine treats an exception raised by an observation.

Providers implement :class:`ErrorClassifier` once (``aws/_errors.py``,
``k8s/_errors.py``); the engine never guesses from strings.

=============  ==================================================================
kind           what the engine does
=============  ==================================================================
THROTTLED      sleeps its own, longer backoff (or the server's ``retry_after``);
               does not count toward ``max_transient_errors``
TRANSIENT      retries on the polling schedule, up to ``max_transient_errors``
               consecutive errors, then raises :class:`~waitkit.ProbeError`
NOT_FOUND      raises :class:`~waitkit.ResourceNotFoundError` (retried while
               within the policy's ``not_found_grace``)
FATAL          raises :class:`~waitkit.ProbeError` at once
=============  ==================================================================
"""

from __future__ import annotations

import enum
import sys
from dataclasses import dataclass
from typing import Final, Protocol, final, runtime_checkable


class ErrorKind(enum.Enum):
    """How an observation error is treated (see the module docstring)."""

    THROTTLED = "throttled"
    TRANSIENT = "transient"
    NOT_FOUND = "not_found"
    FATAL = "fatal"


@final
@dataclass(frozen=True, slots=True)
class Classification:
    """The kind of an error, the server's retry-after hint in seconds, and a plain reason.

    ``reason``, when given, leads the message of the error that ends the wait (for
    example "the client is closed"), ahead of the original error's own text.
    """

    kind: ErrorKind
    retry_after: float | None = None
    reason: str | None = None


@runtime_checkable
class ErrorClassifier(Protocol):
    """Decides how the engine treats an exception raised by ``observe()``."""

    def classify(self, error: Exception) -> Classification:
        """The classification of ``error``."""
        ...


THROTTLED = Classification(ErrorKind.THROTTLED)
TRANSIENT = Classification(ErrorKind.TRANSIENT)
NOT_FOUND = Classification(ErrorKind.NOT_FOUND)
FATAL = Classification(ErrorKind.FATAL)


# Connection errors of client libraries that are not OSError subclasses:
# (module, class names). Looked up only when the module is already imported (an
# error of a library nobody imported cannot occur), so the core imports neither.
_LIBRARY_CONNECTION_ERRORS: Final = (
    ("botocore.exceptions", ("ConnectionError", "HTTPClientError")),
    ("aiohttp", ("ClientConnectionError", "ServerTimeoutError")),
    ("httpx", ("TransportError",)),
)


def _is_library_connection_error(error: Exception) -> bool:
    for module_name, names in _LIBRARY_CONNECTION_ERRORS:
        module = sys.modules.get(module_name)
        if module is None:
            continue
        for name in names:
            cls = getattr(module, name, None)
            if isinstance(cls, type) and isinstance(error, cls):
                return True
    return False


@final
class GenericClassifier:
    """The default: timeouts and connection errors are transient, everything else is fatal.

    Connection errors are :class:`OSError` and those of botocore (endpoint, connect and
    read timeouts, closed connections), aiohttp and httpx, when those are installed.

    Example:
        >>> from waitkit import ErrorKind
        >>> from waitkit.extend import GenericClassifier
        >>> GenericClassifier().classify(ConnectionResetError()).kind is ErrorKind.TRANSIENT
        True
    """

    def classify(self, error: Exception) -> Classification:
        """Transient for timeouts and connection errors, else fatal."""
        if isinstance(error, TimeoutError | OSError) or _is_library_connection_error(error):
            return TRANSIENT
        return FATAL
