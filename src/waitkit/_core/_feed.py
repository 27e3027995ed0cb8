"""Feed: an async iterator whose items come from a task of its own, so it can be left early.

An async generator that yields from inside a task group or a cancel scope (as
``as_completed`` did around its waits, and ``states()`` does inside a waiter's session)
leaves that scope open in the *caller's* task while the loop body runs. A ``break``
abandons the generator there: the event loop closes it later, in another task, and
closing the scope from that task cancels the caller (asyncio) or corrupts the task's
(trio). ``async for`` tells an iterator nothing when it is left; all the iterator sees
is that it is dropped.

So a :class:`Feed` runs its producer in a task of its own, the *host*, and the caller's
task only ever waits for the next item: it enters no scope of ours, so nothing of ours
can cancel it. The host ends:

- when the producer returns: the iteration ends after the items it sent (or raises the
  producer's exception after them);
- on :meth:`Feed.aclose` (``contextlib.aclosing`` calls it): cancelled, and awaited;
- when waiting for an item is cancelled: cancelled, and awaited (shielded) before the
  cancellation goes on, as a task group would (an async iterator that raises is done);
- when the iterator is dropped unfinished (``break``, ``return`` or an exception in the
  loop body): cancelled at the event loop's next turn; its clean-up runs in the
  background, nobody waits for it. "Dropped" is the last reference going, at once on
  CPython; an iterator caught in a reference cycle waits for the cyclic collector, and
  one kept in a name lives as long as the name (it may be resumed);
- when the event loop ends (asyncio cancels the tasks left, trio its system tasks).

The host is spawned through the running loop (asyncio's ``create_task`` on the loop
that anyio's event-loop token holds, trio's ``spawn_system_task``): anyio offers no task
that outlives the scope that starts it, which is what a host must do.
"""

from __future__ import annotations

import contextlib
import contextvars
from collections import deque
from collections.abc import AsyncIterator
from typing import TYPE_CHECKING, Generic, TypeVar, final

import anyio
import anyio.lowlevel

T = TypeVar("T")

if TYPE_CHECKING:
    from collections.abc import Awaitable, Callable
    from typing import TypeAlias

    #: A producer: sends each item through the callable it is given; returns when done.
    Producer: TypeAlias = Callable[[Callable[[T], None]], Awaitable[None]]

# asyncio keeps only weak references to tasks: the running hosts are held here.
_RUNNING: set[object] = set()


@final
class _Host(Generic[T]):
    """The producing side: the items sent so far, the host task's scope and its end.

    It holds nothing of the :class:`Feed` (the task would keep the iterator alive, and
    dropping the iterator could not end it).
    """

    __slots__ = ("done", "error", "items", "loop", "scope", "wakeup")

    def __init__(self) -> None:
        self.items: deque[T] = deque()
        self.scope = anyio.CancelScope()
        self.done = anyio.Event()
        self.wakeup: anyio.Event | None = None
        self.error: Exception | None = None
        # asyncio: the loop; trio: its TrioToken. Both can schedule a call from anywhere.
        self.loop = anyio.lowlevel.current_token().native_token

    def put(self, item: T) -> None:
        """Add an item for the consumer (never blocks: the buffer is unbounded)."""
        self.items.append(item)
        self._wake()

    def _wake(self) -> None:
        wakeup, self.wakeup = self.wakeup, None
        if wakeup is not None:
            wakeup.set()

    async def run(self, produce: Producer[T]) -> None:
        """The host task: the producer, inside the scope that ends it early."""
        try:
            with self.scope:
                await produce(self.put)
        except Exception as error:  # noqa: BLE001 - the consumer raises it after the items
            self.error = error
        finally:
            self.done.set()
            self._wake()

    def cancel_soon(self) -> None:
        """Cancel the host at the loop's next turn; safe from a finalizer, in any thread."""
        loop = self.loop
        call_soon = getattr(loop, "call_soon_threadsafe", None)  # asyncio's loop
        if call_soon is None:
            call_soon = getattr(loop, "run_sync_soon", None)  # trio's token
        if call_soon is None:  # pragma: no cover - anyio's two backends have one of them
            return
        # RuntimeError: the loop has ended, and its end cancelled the host.
        with contextlib.suppress(RuntimeError):
            call_soon(self.scope.cancel)


def _spawn(host: _Host[T], produce: Producer[T], name: str) -> None:
    """Start the host task outside the caller's scopes, in a copy of its context."""
    create_task = getattr(host.loop, "create_task", None)
    if create_task is not None:  # asyncio (the task copies the current context itself)
        task = create_task(host.run(produce), name=name)
        _RUNNING.add(task)
        task.add_done_callback(_RUNNING.discard)
        return
    import trio.lowlevel  # noqa: PLC0415 - only on trio, which is then running

    trio.lowlevel.spawn_system_task(
        host.run, produce, name=name, context=contextvars.copy_context()
    )


@final
class Feed(AsyncIterator[T], Generic[T]):
    """An async iterator over the items a producer sends from its own task.

    Leaving ``async for`` early (``break``, ``return``, an exception) is safe: the
    producer is cancelled, and the caller never is. :meth:`aclose` also waits until the
    producer has cleaned up.
    """

    __slots__ = ("_closed", "_host", "_name", "_produce")

    def __init__(self, produce: Producer[T], *, name: str) -> None:
        self._produce: Producer[T] | None = produce
        self._name = name
        self._host: _Host[T] | None = None
        self._closed = False

    def __aiter__(self) -> Feed[T]:
        return self

    async def __anext__(self) -> T:
        if self._closed:
            raise StopAsyncIteration
        host = self._host if self._host is not None else self._start()
        while True:
            try:
                if host.items or host.done.is_set():
                    await anyio.lowlevel.checkpoint()
                else:
                    wakeup = host.wakeup
                    if wakeup is None:
                        wakeup = host.wakeup = anyio.Event()
                    await wakeup.wait()
            except BaseException:
                # An iterator that raises is done, as an async generator is: end the
                # producer too, and wait for its clean-up as a task group would.
                await self.aclose()
                raise
            if self._closed:  # closed by another task while this one waited
                raise StopAsyncIteration
            if host.items:
                return host.items.popleft()
            if host.done.is_set():
                self._closed = True
                error, host.error = host.error, None
                if error is not None:
                    raise error
                raise StopAsyncIteration

    async def aclose(self) -> None:
        """End the iteration: cancel the producer and wait until it has cleaned up."""
        self._closed = True
        self._produce = None
        host = self._host
        if host is None:
            return
        host.items.clear()
        if not host.done.is_set():
            host.scope.cancel()
            with anyio.CancelScope(shield=True):
                await host.done.wait()

    def __del__(self) -> None:
        # Left unfinished (break, return, an exception in the loop body): end the host.
        # Nothing can be awaited here, and this may run inside the loop's own code or in
        # another thread (the cyclic collector): the cancel is scheduled, not done here.
        host = self._host
        if host is not None and not host.done.is_set():
            host.cancel_soon()

    def _start(self) -> _Host[T]:
        produce, self._produce = self._produce, None
        assert produce is not None  # noqa: S101 - a Feed starts once
        host = self._host = _Host()
        _spawn(host, produce, self._name)
        return host
