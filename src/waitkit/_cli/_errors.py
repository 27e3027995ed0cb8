"""Exceptions -> (exit code, one line): the one place the CLI decides what an error means."""

from __future__ import annotations

from typing import Final

from waitkit._cli._exit import ExitCode
from waitkit._core import (
    ConfigurationError,
    ProbeError,
    WaitError,
    WaitTimeoutError,
    safe,
)


class MissingExtraError(Exception):
    """A feature needs an extra that is not installed."""

    def __init__(self, extra: str, what: str) -> None:
        super().__init__(f"{what} needs the '{extra}' extra: pip install 'waitkit[{extra}]'")


class UsageError(Exception):
    """The arguments are valid one by one but not together (exit 3)."""


# botocore's configuration problems are the user's to fix (exit 3); every other
# botocore error means talking to AWS failed (exit 4).
_BOTOCORE_CONFIGURATION: Final = frozenset(
    {
        "NoRegionError",
        "ProfileNotFound",
        "ConfigNotFound",
        "ConfigParseError",
        "InvalidConfigError",
        "InvalidRegionError",
        "InvalidEndpointConfigurationError",
        "UnknownServiceError",
        "ParamValidationError",
    }
)
_NO_REGION: Final = "no AWS region: give --region, or set AWS_REGION or a region in the profile"


def exit_code_for(error: BaseException) -> ExitCode:
    """The exit code an exception ends the command with."""
    if isinstance(error, WaitTimeoutError):
        return ExitCode.TIMED_OUT
    if isinstance(error, WaitError):
        return ExitCode.FAILED
    if isinstance(error, ConfigurationError | MissingExtraError | UsageError):
        return ExitCode.USAGE
    if isinstance(error, ProbeError):
        return ExitCode.API_ERROR
    if _botocore_name(error) in _BOTOCORE_CONFIGURATION:
        return ExitCode.USAGE
    return ExitCode.API_ERROR


def describe(error: BaseException) -> str:
    """One safe line for ``error``: no traceback, no newline, no credentials."""
    if _botocore_name(error) == "NoRegionError":
        return _NO_REGION
    text = str(error) or type(error).__name__
    if not isinstance(
        error, WaitError | ProbeError | ConfigurationError | MissingExtraError | UsageError
    ):
        # Foreign exceptions say what they are; waitkit's own messages already do.
        text = f"{type(error).__name__}: {text}"
    return safe(text)


def _botocore_name(error: BaseException) -> str | None:
    """The class name of a botocore exception (matched by name: botocore may be absent)."""
    for cls in type(error).__mro__:
        if cls.__module__.startswith("botocore.") and cls.__name__ in _BOTOCORE_CONFIGURATION:
            return cls.__name__
    return None
