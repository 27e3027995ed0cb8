"""until(): the one-off wait for test code: poll a coroutine until a predicate holds."""

from __future__ import annotations

import contextlib
import inspect
from typing import TYPE_CHECKING, Final, Generic, TypeVar, final, overload

from waitkit._core._classify import GenericClassifier
from waitkit._core._durations import UNSET, _Unset
from waitkit._core._engine import ActiveWait
from waitkit._core._errors import ConfigurationError
from waitkit._core._policy import Policy, ensure_policy
from waitkit._core._summary import summarize
from waitkit._core._verdict import Verdict
from waitkit._core._waiter import resolve_deadline

if TYPE_CHECKING:
    from collections.abc import Awaitable, Callable
    from contextlib import AbstractAsyncContextManager

    from waitkit._core._classify import Classification, ErrorClassifier
    from waitkit._core._durations import Duration

T = TypeVar("T")

#: ``until`` polls faster than the service waiters: it is meant for test code and
#: in-process conditions, where a 2 s floor would only slow the test down.
UNTIL_POLICY: Final = Policy(min_delay=0.1, max_delay=5.0, timeout=60.0)

_GENERIC = GenericClassifier()


@overload
async def until(
    observe: Callable[[], Awaitable[T]],
    predicate: Callable[[T], bool],
    *,
    timeout: Duration | _Unset | None = ...,
    policy: Policy | None = ...,
    description: str | None = ...,
    classifier: ErrorClassifier | None = ...,
) -> T: ...


@overload
async def until(
    observe: Callable[[], T],
    predicate: Callable[[T], bool],
    *,
    timeout: Duration | _Unset | None = ...,
    policy: Policy | None = ...,
    description: str | None = ...,
    classifier: ErrorClassifier | None = ...,
) -> T: ...


async def until(
    observe: Callable[[], Awaitable[T] | T],
    predicate: Callable[[T], bool],
    *,
    timeout: Duration | _Unset | None = UNSET,
    policy: Policy | None = None,
    description: str | None = None,
    classifier: ErrorClassifier | None = None,
) -> T:
    """Call ``observe()`` until ``predicate(value)`` is true; return that value.

    On the same engine as the waiters: backoff with jitter, a strict deadline on the
    event loop's clock, transient errors (timeouts, connection errors) retried, the
    distinct values kept for the error message.

    Args:
        observe: a callable returning the current value: an async function (or any
            callable returning an awaitable), or a plain function, which is called
            directly on the event loop (keep it quick; wrap blocking code in
            ``lambda: anyio.to_thread.run_sync(fetch)``).
        predicate: true when the value is what you wait for.
        timeout: total seconds or timedelta; ``None`` for no bound; default 60 s.
        policy: delays and bounds; default ``Policy(min_delay=0.1, max_delay=5, timeout=60)``.
        description: what is awaited, for the error message (default: ``observe``'s name).
        classifier: how to treat errors ``observe`` raises (default: timeouts and
            connection errors are retried, anything else raises :class:`~waitkit.ProbeError`).

    Raises:
        WaitTimeoutError: the predicate never held; ``.state`` is the last value.
        ProbeError: ``observe`` raised a non-retryable error.

    Example:
        >>> import anyio
        >>> from waitkit import Policy, until
        >>> rows: list[int] = []
        >>> async def fetch_rows() -> list[int]:
        ...     rows.append(len(rows))
        ...     return list(rows)
        >>> anyio.run(lambda: until(fetch_rows, lambda r: len(r) >= 3, timeout=10))
        [0, 1, 2]
    """
    _ensure_callable("observe", observe)
    _ensure_callable("predicate", predicate)
    chosen = UNTIL_POLICY if policy is None else ensure_policy(policy)
    name = description or str(getattr(observe, "__name__", "condition"))
    target = _Predicate(observe, predicate, name, classifier or _GENERIC)
    active = ActiveWait(target, chosen, deadline=resolve_deadline(timeout, chosen))
    return (await active.run()).state


def _ensure_callable(name: str, value: object) -> None:
    if callable(value):
        return
    if inspect.iscoroutine(value):
        value.close()  # refused, never awaited: close it so Python does not warn
        msg = (
            f"until() argument {name!r} must be callable, got a coroutine object; "
            "pass the function itself (until(fetch, ...)), not its call (until(fetch(), ...))"
        )
    else:
        msg = f"until() argument {name!r} must be callable, got {type(value).__name__}"
    raise ConfigurationError(msg)


@final
class _Predicate(Generic[T]):
    """Adapts (observe, predicate) to the engine's target interface."""

    kind = "until"
    long_polls = False  # the delay runs between answers

    def __init__(
        self,
        observe: Callable[[], Awaitable[T] | T],
        predicate: Callable[[T], bool],
        description: str,
        classifier: ErrorClassifier,
    ) -> None:
        self._observe = observe
        self._predicate = predicate
        self._description = description
        self._classifier = classifier

    @property
    def resource_id(self) -> str:
        return self._description

    def describe(self) -> str:
        return f"until {self._description}"

    async def observe(self) -> T:
        value = self._observe()
        if inspect.isawaitable(value):
            return await value
        return value

    def verdict(self, state: T) -> Verdict:
        return Verdict.SUCCESS if self._predicate(state) else Verdict.PENDING

    def classify_error(self, error: Exception) -> Classification:
        return self._classifier.classify(error)

    def summarize(self, state: T) -> str:
        return summarize(state)

    def session(self) -> AbstractAsyncContextManager[object]:
        return contextlib.nullcontext()
