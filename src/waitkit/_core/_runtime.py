"""The event loop's clock, sleep and cancel scopes, looked up once per wait.

anyio's public functions (``anyio.sleep``, ``anyio.current_time``, ``anyio.CancelScope``)
look the running backend up on every call, about a microsecond each; a
poll loop needs several per observation, which at 10,000 concurrent waits is most of
the engine's own cost. A wait looks the backend up once and calls it directly. The
lookup is anyio's ``get_async_backend``, the function its public API calls itself
(stable through anyio 4; the engine's tests fail loudly should it move).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import final

import anyio
from anyio._core._eventloop import get_async_backend

from waitkit._core import _asyncio_native


@final
@dataclass(frozen=True, slots=True)
class Runtime:
    """The running backend's primitives."""

    #: The running loop's clock: a callable taken once per wait and read directly (on
    #: asyncio the loop's own ``time``: 100 ns a read, where ``anyio.current_time`` is 250).
    clock: Callable[[], Callable[[], float]]
    sleep: Callable[[float], Awaitable[None]]
    cancel_scope: Callable[[], anyio.CancelScope]
    #: Whether the loop is asyncio's (plain asyncio tasks may then stand in for a task group).
    asyncio: bool = False


# One Runtime per backend class, shared by every wait: a Runtime per wait was four more
# objects (it and three bound methods) for the garbage collector to walk per pending wait.
_BY_BACKEND: dict[object, Runtime] = {}


def current_runtime() -> Runtime:
    """The primitives of the backend running the calling task."""
    backend = get_async_backend()
    runtime = _BY_BACKEND.get(backend)
    if runtime is None:
        on_asyncio = backend.__name__ == "AsyncIOBackend"
        runtime = _BY_BACKEND[backend] = Runtime(
            clock=_asyncio_native.loop_clock if on_asyncio else _returning(backend.current_time),
            # anyio's asyncio sleep only awaits asyncio.sleep: called directly, a pending
            # wait holds one coroutine fewer for the garbage collector to walk.
            sleep=_asyncio_native.sleep if on_asyncio else backend.sleep,
            # On asyncio, a scope that costs a fraction of anyio's (see _asyncio_native).
            cancel_scope=_asyncio_native.NativeCancelScope  # type: ignore[arg-type]
            if on_asyncio
            else backend.create_cancel_scope,
            asyncio=on_asyncio,
        )
    return runtime


def _returning(clock: Callable[[], float]) -> Callable[[], Callable[[], float]]:
    return lambda: clock
