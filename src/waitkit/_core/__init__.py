"""The engine: policy, backoff, deadline, waiter, groups, shared observation, errors, logging.

Knows no provider: nothing here imports aiobotocore, kubernetes_asyncio or asyncio.
Users get the public names from :mod:`waitkit` (and :mod:`waitkit.extend`).

This package's own namespace is the engine's one face for the providers: ``aws`` and
``k8s`` import what they need from ``waitkit._core``, never from a ``waitkit._core._*``
module (an import-linter contract in ``pyproject.toml`` holds them to it), so the
engine's modules can move without touching a waiter. A name a provider needs is added
here.
"""

from __future__ import annotations

from waitkit._core._call_deadline import current_call_deadline
from waitkit._core._classify import (
    FATAL,
    NOT_FOUND,
    TRANSIENT,
    Classification,
    ErrorKind,
    GenericClassifier,
)
from waitkit._core._durations import UNSET, Duration, optional_seconds, seconds
from waitkit._core._durations import _Unset as Unset
from waitkit._core._engine import Target
from waitkit._core._errors import (
    ConfigurationError,
    ProbeError,
    ResourceNotFoundError,
    UnexpectedStateError,
    WaitError,
    WaitFailedError,
    WaitTimeoutError,
)
from waitkit._core._explain import explain, explain_budget, in_seconds
from waitkit._core._hooks import (
    Retrying,
    StateChanged,
    WaitFinished,
    WaitHooks,
    WaitStarted,
    using_hooks,
)
from waitkit._core._logging import logger
from waitkit._core._per_client import PerClient
from waitkit._core._per_wait import PerWait, one_look
from waitkit._core._policy import DEFAULT_POLICY, Policy, ensure_policy
from waitkit._core._result import WaitResult
from waitkit._core._shared import HubRegistry, HubWait, ObservationHub
from waitkit._core._summary import summarize
from waitkit._core._text import FIELD_LIMIT, bounded, clip, error_in_words, redact, safe
from waitkit._core._throttle import ThrottleBudget, budget_for
from waitkit._core._validate import require_int, require_text
from waitkit._core._verdict import Verdict
from waitkit._core._waiter import State, Waiter

__all__ = (
    "DEFAULT_POLICY",
    "FATAL",
    "FIELD_LIMIT",
    "NOT_FOUND",
    "TRANSIENT",
    "UNSET",
    "Classification",
    "ConfigurationError",
    "Duration",
    "ErrorKind",
    "GenericClassifier",
    "HubRegistry",
    "HubWait",
    "ObservationHub",
    "PerClient",
    "PerWait",
    "Policy",
    "ProbeError",
    "ResourceNotFoundError",
    "Retrying",
    "State",
    "StateChanged",
    "Target",
    "ThrottleBudget",
    "UnexpectedStateError",
    "Unset",
    "Verdict",
    "WaitError",
    "WaitFailedError",
    "WaitFinished",
    "WaitHooks",
    "WaitResult",
    "WaitStarted",
    "WaitTimeoutError",
    "Waiter",
    "bounded",
    "budget_for",
    "clip",
    "current_call_deadline",
    "ensure_policy",
    "error_in_words",
    "explain",
    "explain_budget",
    "in_seconds",
    "logger",
    "one_look",
    "optional_seconds",
    "redact",
    "require_int",
    "require_text",
    "safe",
    "seconds",
    "summarize",
    "using_hooks",
)
