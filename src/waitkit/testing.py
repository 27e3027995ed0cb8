"""Helpers for testing code that waits: a scripted waiter, scripted errors, virtual-time backends.

``ScriptedWaiter`` follows a script instead of calling a service, on the real engine,
so a test can pin what *your* code does when a wait succeeds, fails, times out, is
throttled or hangs, in virtual time.

Example:
    >>> import anyio
    >>> from waitkit import ErrorKind, Policy
    >>> from waitkit.testing import ScriptedError, ScriptedWaiter
    >>> waiter = ScriptedWaiter(
    ...     ["Pending", ScriptedError(ErrorKind.THROTTLED, retry_after=1), "Running", "done"],
    ...     policy=Policy(min_delay=0.01, max_delay=0.01),
    ... )
    >>> result = anyio.run(lambda: waiter.wait(timeout=10))
    >>> [entry.state.status for entry in result.history]
    ['Pending', 'Running', 'done']
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, final

import anyio

from waitkit._core import (
    Classification,
    ErrorKind,
    GenericClassifier,
    Policy,
    State,
    Verdict,
    Waiter,
)

__all__ = (
    "Hang",
    "ScriptedError",
    "ScriptedState",
    "ScriptedWaiter",
    "virtual_time_backend",
)


@final
class ScriptedState(State):
    """The state a :class:`ScriptedWaiter` reports."""

    status: str
    detail: str | None = None


@final
class ScriptedError(Exception):
    """An observation error of a chosen kind (throttled, transient, not found, fatal)."""

    def __init__(
        self, kind: ErrorKind, message: str = "", *, retry_after: float | None = None
    ) -> None:
        super().__init__(message or f"scripted {kind.value} error")
        self.kind = kind
        self.retry_after = retry_after


@final
@dataclass(frozen=True, slots=True)
class Hang:
    """An observation that takes ``seconds`` (forever by default) before the script goes on."""

    seconds: float = math.inf


ScriptItem = str | ScriptedState | BaseException | Hang


@final
class _ScriptedClassifier:
    _generic = GenericClassifier()

    def classify(self, error: Exception) -> Classification:
        if isinstance(error, ScriptedError):
            return Classification(error.kind, error.retry_after)
        return self._generic.classify(error)


@final
class ScriptedWaiter(Waiter[ScriptedState]):
    """A waiter whose observations follow ``script``; the last item repeats forever.

    Items: a status string or :class:`ScriptedState` (observed), an exception (raised
    by the observation; :class:`ScriptedError` chooses its kind), or :class:`Hang`
    (the observation blocks, then the script goes on).

    Args:
        script: the items, in order.
        success: statuses that end the wait successfully.
        failure: statuses that end it with :class:`~waitkit.WaitFailedError`.
        known: every status the waiter knows; any other is ``Verdict.unknown``. ``None``:
            every status not in ``success``/``failure`` is pending.
        policy: the waiter's policy.
        resource_id: the id shown in messages and logs.
    """

    kind = "scripted"
    classifier = _ScriptedClassifier()

    def __init__(
        self,
        script: Iterable[ScriptItem],
        *,
        success: Iterable[str] = ("done",),
        failure: Iterable[str] = ("failed",),
        known: Iterable[str] | None = None,
        policy: Policy | None = None,
        resource_id: str = "script",
    ) -> None:
        super().__init__(policy=policy)
        self._script: list[ScriptItem] = list(script)
        if not self._script:
            msg = "script must have at least one item"
            raise ValueError(msg)
        self._success = frozenset(success)
        self._failure = frozenset(failure)
        self._known = None if known is None else frozenset(known) | self._success | self._failure
        self._resource_id = resource_id
        self._position = 0
        #: Loop-clock times at which each observation started.
        self.observed_at: list[float] = []
        #: How many observations are running right now (for concurrency tests).
        self.in_flight = 0

    @property
    def resource_id(self) -> str:
        """The id given at construction."""
        return self._resource_id

    async def observe(self) -> ScriptedState:
        """Take the next script item."""
        self.observed_at.append(anyio.current_time())
        self.in_flight += 1
        try:
            while True:
                item = self._script[min(self._position, len(self._script) - 1)]
                self._position += 1
                if isinstance(item, Hang):
                    await anyio.sleep(item.seconds)
                    continue
                if isinstance(item, BaseException):
                    raise item
                return item if isinstance(item, ScriptedState) else ScriptedState(status=item)
        finally:
            self.in_flight -= 1

    def verdict(self, state: ScriptedState) -> Verdict:
        """Success, failure, pending or unknown, from the sets given at construction."""
        if state.status in self._success:
            return Verdict.SUCCESS
        if state.status in self._failure:
            return Verdict.failure(state.detail or state.status)
        if self._known is not None and state.status not in self._known:
            return Verdict.unknown(state.status)
        return Verdict.PENDING


def virtual_time_backend(name: str) -> tuple[str, dict[str, Any]]:
    """An anyio backend whose clock jumps when every task sleeps (a fresh clock per call).

    ``"asyncio"`` uses looptime's loop; ``"trio"`` trio's ``MockClock`` with autojump.
    Use it in an ``anyio_backend`` fixture to run waits of minutes in milliseconds::

        @pytest.fixture(params=["asyncio", "trio"])
        def anyio_backend(request):
            return virtual_time_backend(request.param)

    Needs ``looptime`` (asyncio) or ``trio`` installed. Don't combine virtual time with
    real sockets: a network round-trip looks idle, and the clock jumps past it.
    """
    if name == "trio":
        from trio.testing import MockClock  # noqa: PLC0415 - optional test dependency

        return ("trio", {"clock": MockClock(autojump_threshold=0)})
    if name == "asyncio":
        import asyncio  # noqa: PLC0415 - only this helper needs the concrete loop

        import looptime  # noqa: PLC0415 - optional test dependency

        def looptime_loop() -> asyncio.AbstractEventLoop:
            loop: asyncio.AbstractEventLoop = looptime.patch_event_loop(
                asyncio.new_event_loop(),  # type: ignore[arg-type] # it is a BaseEventLoop
                start=0.0,
            )
            return loop

        return ("asyncio", {"loop_factory": looptime_loop})
    msg = f"name must be 'asyncio' or 'trio', got {name!r}"
    raise ValueError(msg)
