"""What extension authors need: the engine's contracts for new waiters and shared sources.

:mod:`waitkit` holds what a user of the waiters needs (waiters' base classes included,
to write one's own). This module holds the rest of the engine's contracts: the
:class:`Target` protocol the engine drives, :class:`PerWait` for a waiter whose waits
keep state, shared observation (:class:`ObservationHub`, :class:`SharedSource`,
:class:`HubRegistry`, :class:`HubWait`), the shared throttle pace
(:class:`ThrottleBudget`, :func:`budget_for`), error classification
(:class:`ErrorClassifier`, :class:`Classification`, :class:`GenericClassifier`), the
deadline the look in flight must end by (:func:`current_call_deadline`, for an
observation that budgets its own time) and the ``UNSET`` sentinel.

Example:
    >>> from waitkit.extend import ObservationHub, PerWait, budget_for
"""

from __future__ import annotations

import contextlib

from waitkit._core._call_deadline import current_call_deadline
from waitkit._core._classify import Classification, ErrorClassifier, GenericClassifier
from waitkit._core._durations import UNSET
from waitkit._core._engine import Target
from waitkit._core._per_wait import PerWait, one_look
from waitkit._core._shared import HubRegistry, HubWait, ObservationHub, SharedSource
from waitkit._core._throttle import ThrottleBudget, budget_for

__all__ = (
    "UNSET",
    "Classification",
    "ErrorClassifier",
    "GenericClassifier",
    "HubRegistry",
    "HubWait",
    "ObservationHub",
    "PerWait",
    "SharedSource",
    "Target",
    "ThrottleBudget",
    "budget_for",
    "current_call_deadline",
    "one_look",
)

# Public objects say they live here, not in a private module (docs, reprs, pickles).
for _name in __all__:
    with contextlib.suppress(AttributeError, TypeError):
        globals()[_name].__module__ = __name__
del _name
