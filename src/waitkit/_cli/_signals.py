"""SIGTERM handled like Ctrl-C: what ``timeout``, CI cancellation and pod shutdown send.

Ctrl-C reaches the command as a cancellation of its main task (asyncio's runner turns
SIGINT into one), so every wait's clean-up runs: a Logs Insights query is stopped, the
emulator's temporary files are removed. SIGTERM's default action kills the process
on the spot instead. :func:`terminable` gives SIGTERM the same path: the block is
cancelled, its clean-up runs, and then :class:`Terminated` is raised (exit 143,
128 + SIGTERM, as a shell reports a process ended by it). A second SIGTERM during the
clean-up kills at once, as a second Ctrl-C would.
"""

from __future__ import annotations

import contextlib
import signal
import sys
import threading
from typing import TYPE_CHECKING, final

import anyio
import anyio.abc

if TYPE_CHECKING:
    from collections.abc import AsyncIterator


@final
class Terminated(Exception):  # noqa: N818 - names the event, as KeyboardInterrupt does
    """The command received SIGTERM; what it started was cancelled and cleaned up."""


def _can_watch() -> bool:
    # Signal handlers belong to the main thread; Windows has no SIGTERM to catch here.
    return sys.platform != "win32" and threading.current_thread() is threading.main_thread()


@contextlib.asynccontextmanager
async def terminable() -> AsyncIterator[None]:
    """Run the block; SIGTERM cancels it (clean-up runs), then raises :class:`Terminated`."""
    if not _can_watch():
        yield
        return
    received = False
    # An error of the block is raised as itself after the watcher's task group, which
    # would otherwise wrap it in an ExceptionGroup.
    failure: Exception | None = None
    async with anyio.create_task_group() as group:

        async def watch(*, task_status: anyio.abc.TaskStatus[None]) -> None:
            nonlocal received
            with anyio.open_signal_receiver(signal.SIGTERM) as signals:
                task_status.started()  # the handler is installed: the block may start
                async for _ in signals:
                    received = True
                    group.cancel_scope.cancel()
                    return

        await group.start(watch)
        try:
            yield
        except Exception as error:  # noqa: BLE001 - re-raised below, unwrapped
            failure = error
        finally:
            group.cancel_scope.cancel()  # the block ended: stop watching
    if failure is not None:
        raise failure
    if received:
        raise Terminated
