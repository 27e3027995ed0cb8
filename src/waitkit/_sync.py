"""waitkit.run(): the facade for scripts that are not async."""

from __future__ import annotations

import inspect
from collections.abc import Awaitable, Coroutine
from typing import Any, TypeVar, overload

import anyio

from waitkit._core import (
    UNSET,
    ConfigurationError,
    Waiter,
    WaitResult,
    WaitTimeoutError,
    optional_seconds,
)
from waitkit._core import Unset as _Unset

T = TypeVar("T")


@overload
def run(
    target: Waiter[Any], *, timeout: float | _Unset | None = ..., backend: str = ...
) -> WaitResult[Any]: ...


@overload
def run(
    target: Coroutine[Any, Any, T], *, timeout: float | _Unset | None = ..., backend: str = ...
) -> T: ...


def run(
    target: Waiter[Any] | Coroutine[Any, Any, T],
    *,
    timeout: float | _Unset | None = UNSET,
    backend: str = "asyncio",
) -> WaitResult[Any] | T:
    """Run a wait (or any coroutine) to its end from synchronous code.

    Args:
        target: a waiter (``waiter.wait(timeout=timeout)`` is run) or a coroutine, for
            example ``wait_all([...])`` or ``until(...)``.
        timeout: for a waiter, its timeout (default: its policy's); for a coroutine, a
            bound after which it is cancelled and :class:`~waitkit.WaitTimeoutError` is
            raised (default: none).
        backend: the anyio backend to run on (``"asyncio"`` or ``"trio"``).

    Raises:
        RuntimeError: called from a running event loop; ``await`` the waiter there.
        WaitError, ProbeError, ConfigurationError: whatever the wait raises.

    Example:
        >>> import waitkit
        >>> from waitkit.testing import ScriptedWaiter
        >>> quick = waitkit.Policy(min_delay=0.01)
        >>> waitkit.run(ScriptedWaiter(["Pending", "done"], policy=quick), timeout=60).state.status
        'done'
    """
    _ensure_runnable(target)
    try:
        bound = (
            None
            if isinstance(timeout, _Unset)
            else optional_seconds("timeout", timeout, positive=True)
        )
        _require_backend(backend)
        _refuse_inside_a_loop()
    except (ConfigurationError, RuntimeError):
        if inspect.iscoroutine(target):
            target.close()  # never awaited: close it so Python does not warn
        raise
    if isinstance(target, Waiter):
        waiter = target
        return anyio.run(lambda: waiter.wait(timeout=timeout), backend=backend)
    return anyio.run(_bounded, target, bound, backend=backend)


#: The anyio backends waitkit runs on.
_BACKENDS = ("asyncio", "trio")


def _require_backend(backend: object) -> None:
    if backend not in _BACKENDS:
        msg = f"backend must be one of {', '.join(map(repr, _BACKENDS))}, got {backend!r}"
        raise ConfigurationError(msg)


def _refuse_inside_a_loop() -> None:
    try:
        anyio.get_current_task()
    except anyio.NoEventLoopError:
        return
    msg = (
        "waitkit.run() was called from a running event loop; "
        "use `await waiter.wait()` there instead"
    )
    raise RuntimeError(msg)


def _ensure_runnable(target: object) -> None:
    if not isinstance(target, Waiter) and not inspect.isawaitable(target):
        msg = f"waitkit.run() needs a Waiter or a coroutine, got {type(target).__name__}"
        raise ConfigurationError(msg)


async def _bounded(awaitable: Awaitable[T], bound: float | None) -> T:
    if bound is None:
        return await awaitable
    with anyio.move_on_after(bound) as scope:
        return await awaitable
    assert scope.cancelled_caught  # noqa: S101 - the only way out without a return
    msg = (
        f"{getattr(awaitable, '__qualname__', 'the coroutine')} did not finish within {bound:.1f}s"
    )
    raise WaitTimeoutError(
        msg, waiter=str(getattr(awaitable, "__qualname__", "coroutine")), elapsed=bound
    )
