"""Exit codes, and which one wins when several resources end differently."""

from __future__ import annotations

from enum import IntEnum
from typing import TYPE_CHECKING, Final

if TYPE_CHECKING:
    from collections.abc import Iterable


class ExitCode(IntEnum):
    """What ``waitkit`` exits with."""

    SUCCESS = 0
    FAILED = 1
    TIMED_OUT = 2
    USAGE = 3
    API_ERROR = 4
    INTERRUPTED = 130
    TERMINATED = 143


#: One line per code, for ``--help`` and the CLI reference.
MEANINGS: Final[dict[ExitCode, str]] = {
    ExitCode.SUCCESS: "every resource succeeded",
    ExitCode.FAILED: (
        "a resource failed: it reached a failure status, does not exist, "
        "or reported a status the waiter does not know"
    ),
    ExitCode.TIMED_OUT: "a resource did not finish within `--timeout`",
    ExitCode.USAGE: (
        "bad usage or configuration: an invalid option or duration, a missing extra, "
        "no region, an unknown profile, an invalid scenario file"
    ),
    ExitCode.API_ERROR: (
        "an API or auth error: no credentials, access denied, the endpoint unreachable, "
        "too many transient errors in a row"
    ),
    ExitCode.INTERRUPTED: "interrupted (Ctrl-C): the waits were cancelled and cleaned up",
    ExitCode.TERMINATED: (
        "terminated (SIGTERM, as sent by `timeout`, CI cancellation, pod shutdown): "
        "cleaned up as for Ctrl-C"
    ),
}

# Worst last. A failure outranks a timeout because waiting longer cannot fix it; not
# being able to look at all (API/auth) outranks both; bad usage means nothing valid
# was awaited; an interrupt says nothing about any resource, so it wins.
SEVERITY: Final = (
    ExitCode.SUCCESS,
    ExitCode.TIMED_OUT,
    ExitCode.FAILED,
    ExitCode.API_ERROR,
    ExitCode.USAGE,
    ExitCode.INTERRUPTED,
    ExitCode.TERMINATED,
)


def worst(codes: Iterable[ExitCode]) -> ExitCode:
    """The code that wins among several resources' codes (SUCCESS when there are none)."""
    return max(codes, key=SEVERITY.index, default=ExitCode.SUCCESS)
