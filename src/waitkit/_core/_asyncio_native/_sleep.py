"""A wait's sleep and clock on asyncio: the future ``asyncio.sleep`` awaits, the loop's time."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

from waitkit._core._asyncio_native._context import NO_CONTEXT


def sleep(delay: float) -> Awaitable[None]:
    """``asyncio.sleep(delay)`` without its coroutine: a future the loop's timer resolves.

    A sleeping wait then holds one object fewer for the garbage collector. Cancelling
    the awaiting task cancels the future, as it would ``asyncio.sleep``'s; the timer is
    left to fall due and finds the future done (cancelling it would cost a callback
    object per sleep; left alone it holds only that done future, for the rest of the
    sleep).
    """
    if delay <= 0:
        return asyncio.sleep(0)  # one turn of the loop, as asyncio.sleep(0) gives
    loop = asyncio.get_running_loop()
    future = loop.create_future()
    loop.call_later(delay, _wake, future, context=NO_CONTEXT)
    return future


def _wake(future: asyncio.Future[None]) -> None:
    if not future.done():  # cancelled meanwhile: its task has moved on
        future.set_result(None)


def loop_clock() -> Callable[[], float]:
    """The running loop's ``time``: a wait reads its clock through it, with no lookup."""
    return asyncio.get_running_loop().time
