"""Kubernetes waiters over kubernetes_asyncio: Jobs, and any condition ``kubectl wait`` knows.

Waiters share one list+watch stream per (client, namespace, kind, selector); waitkit
owns the watch loop (re-list on 410, re-watch on server timeouts, reconnect with
backoff on drops, client read timeout, poll fallback).

Example:
    >>> from waitkit.k8s import JobWaiter, api_client
    >>> async def main() -> None:
    ...     async with api_client(kubeconfig="~/.kube/config") as api:
    ...         await JobWaiter(api, "etl").wait(timeout=600)
"""

from __future__ import annotations

import contextlib

from waitkit.k8s._condition import ConditionMatch, ConditionState, ConditionWaiter
from waitkit.k8s._config import api_client
from waitkit.k8s._errors import KubernetesClassifier
from waitkit.k8s._job import JobWaiter
from waitkit.k8s._job_state import JobCondition, JobPhase, JobState
from waitkit.k8s._logstream import LogLine
from waitkit.k8s._options import WATCH_POLICY, WatchOptions
from waitkit.k8s._pods import PERMANENT_CAUSES, PodCause

__all__ = (
    "PERMANENT_CAUSES",
    "WATCH_POLICY",
    "ConditionMatch",
    "ConditionState",
    "ConditionWaiter",
    "JobCondition",
    "JobPhase",
    "JobState",
    "JobWaiter",
    "KubernetesClassifier",
    "LogLine",
    "PodCause",
    "WatchOptions",
    "api_client",
)

# Public objects say they live in `waitkit.k8s`, not in a private module (docs, reprs).
for _name in __all__:
    _obj = globals()[_name]
    if getattr(_obj, "__module__", "").startswith("waitkit.k8s._"):
        with contextlib.suppress(AttributeError, TypeError):  # e.g. frozensets
            _obj.__module__ = __name__
del _name, _obj
