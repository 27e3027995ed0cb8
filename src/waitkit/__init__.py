"""waitkit: await long-running infrastructure operations from asyncio.

One engine (backoff with jitter, strict deadlines on the event loop's clock, typed
states) for AWS and Kubernetes waiters, and for many waits at once.

This namespace holds what users of the waiters need; the contracts for writing
providers and shared sources are in :mod:`waitkit.extend`.
"""

from __future__ import annotations

import contextlib
import warnings
from importlib.metadata import PackageNotFoundError, version

from waitkit import extend
from waitkit._core._backoff import Jitter
from waitkit._core._classify import ErrorKind
from waitkit._core._errors import (
    ConfigurationError,
    ProbeError,
    ResourceNotFoundError,
    UnexpectedStateError,
    WaitError,
    WaitFailedError,
    WaitkitError,
    WaitTimeoutError,
)
from waitkit._core._group import Outcome, as_completed, wait_all
from waitkit._core._hooks import (
    Retrying,
    StateChanged,
    WaitFinished,
    WaitHooks,
    WaitStarted,
    get_hooks,
    set_hooks,
    using_hooks,
)
from waitkit._core._policy import Policy
from waitkit._core._result import HistoryEntry, WaitResult
from waitkit._core._until import until
from waitkit._core._verdict import Verdict, VerdictKind
from waitkit._core._waiter import State, Waiter
from waitkit._progress import progress
from waitkit._sync import run

try:
    __version__ = version("waitkit")
except PackageNotFoundError:  # pragma: no cover - running from a source tree without metadata
    __version__ = "0+unknown"

__all__ = (
    "ConfigurationError",
    "ErrorKind",
    "HistoryEntry",
    "Jitter",
    "Outcome",
    "Policy",
    "ProbeError",
    "ResourceNotFoundError",
    "Retrying",
    "State",
    "StateChanged",
    "UnexpectedStateError",
    "Verdict",
    "VerdictKind",
    "WaitError",
    "WaitFailedError",
    "WaitFinished",
    "WaitHooks",
    "WaitResult",
    "WaitStarted",
    "WaitTimeoutError",
    "Waiter",
    "WaitkitError",
    "__version__",
    "as_completed",
    "get_hooks",
    "progress",
    "run",
    "set_hooks",
    "until",
    "using_hooks",
    "wait_all",
)

# Public objects say they live in `waitkit`, not in a private module (docs, reprs, pickles
# keep working if the private layout changes).
for _name in __all__:
    _obj = globals()[_name]
    if getattr(_obj, "__module__", "").startswith(
        ("waitkit._core", "waitkit._sync", "waitkit._progress")
    ):
        with contextlib.suppress(AttributeError, TypeError):  # e.g. typing aliases
            _obj.__module__ = __name__
del _name, _obj

#: Names that moved to :mod:`waitkit.extend`; still importable from here, with a
#: DeprecationWarning, until the next release.
_MOVED_TO_EXTEND = frozenset(
    {
        "UNSET",
        "Classification",
        "ErrorClassifier",
        "GenericClassifier",
        "HubRegistry",
        "ObservationHub",
        "SharedSource",
        "Target",
        "ThrottleBudget",
        "budget_for",
    }
)


def __getattr__(name: str) -> object:
    """The old spellings of the names that moved to :mod:`waitkit.extend` (deprecated)."""
    if name in _MOVED_TO_EXTEND:
        warnings.warn(
            f"waitkit.{name} moved to waitkit.extend.{name}; the old spelling goes in the "
            "next release",
            DeprecationWarning,
            stacklevel=2,
        )
        return getattr(extend, name)
    msg = f"module {__name__!r} has no attribute {name!r}"
    raise AttributeError(msg)
