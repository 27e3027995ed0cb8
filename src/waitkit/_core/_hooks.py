"""Instrumentation hooks: code of yours that sees each wait start, change, retry and end.

Modelled on stamina's ``set_on_retry_hooks``: hooks are registered process-wide (or for
one block of code, :func:`using_hooks`), and cost nothing when none is registered: a
wait then looks once, when it starts, and keeps an empty tuple.

A hook is a :class:`WaitHooks`. Its :meth:`~WaitHooks.on_start` is called as each wait
starts and returns the object that gets that wait's other events: itself (the default;
one object sees every wait), a fresh object per wait (to keep per-wait state, such as
a tracing span), or ``None`` (not interested in this wait).

A hook runs inside the wait, on the event loop: it must be quick and must not block.
An exception it raises is logged (``wait.hook_failed``) and otherwise ignored: a
broken hook never breaks a wait.
"""

from __future__ import annotations

import contextlib
from contextvars import ContextVar
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal, final

from waitkit._core._errors import ConfigurationError

if TYPE_CHECKING:
    from collections.abc import Iterable, Iterator

    from waitkit._core._classify import ErrorKind

#: How a wait finished (not :class:`waitkit.Outcome`, a finished wait of ``as_completed``).
FinishKind = Literal["succeeded", "failed", "timed_out", "cancelled"]


@final
@dataclass(frozen=True, slots=True)
class WaitStarted:
    """A wait that starts: passed to every hook method. Created by waitkit."""

    #: The waiter's kind (``"instance_refresh"``, ``"logs_insights_query"``, ...).
    waiter: str
    #: The awaited resource's id at the start (never empty).
    resource: str
    #: What is awaited, for messages (``"instance refresh web-asg/r-1"``).
    description: str
    #: The wait's timeout in seconds (``None``: no bound).
    timeout: float | None


@final
@dataclass(frozen=True, slots=True)
class StateChanged:
    """A new distinct state. Created by waitkit."""

    #: The new state (the waiter's typed state).
    state: object
    #: Its one-line summary.
    summary: str
    #: The previous state's summary (``None`` for the first state).
    previous: str | None
    #: The resource's id now (a Logs Insights wait names its query once it has one).
    resource: str
    #: Seconds on the event loop's clock since the wait started.
    elapsed: float
    #: Observations so far.
    attempts: int


@final
@dataclass(frozen=True, slots=True)
class Retrying:
    """An observation failed and will be retried. Created by waitkit."""

    #: The error the observation raised.
    error: Exception
    #: How the engine treats it (throttled, transient, not found within its grace).
    kind: ErrorKind
    #: Seconds on the event loop's clock since the wait started.
    elapsed: float
    #: Observations so far (including the one that failed).
    attempts: int


@final
@dataclass(frozen=True, slots=True)
class WaitFinished:
    """The end of a wait, whatever ended it. Created by waitkit.

    Its ``outcome`` (a ``FinishKind``) is ``"succeeded"``, ``"failed"``, ``"timed_out"``
    or ``"cancelled"``.
    """

    #: ``"succeeded"``, ``"failed"``, ``"timed_out"`` or ``"cancelled"``.
    outcome: FinishKind
    #: The last state's summary (``None`` if no state was seen).
    summary: str | None
    #: The resource's id at the end.
    resource: str
    #: Seconds on the event loop's clock since the wait started.
    elapsed: float
    #: Observations made.
    attempts: int
    #: Why it failed (for ``"failed"``: the failure reason, "not found", "probe error").
    reason: str | None = None


class WaitHooks:
    """Base class of instrumentation hooks: override the methods you need.

    Example:
        >>> import waitkit
        >>> from waitkit.testing import ScriptedWaiter
        >>> class Changes(waitkit.WaitHooks):
        ...     def __init__(self) -> None:
        ...         self.seen: list[str] = []
        ...     def on_state_change(self, wait, change) -> None:
        ...         self.seen.append(f"{wait.resource}: {change.summary}")
        >>> changes = Changes()
        >>> with waitkit.using_hooks(changes):
        ...     quick = waitkit.Policy(min_delay=0.01)
        ...     script = ScriptedWaiter(["building", "done"], resource_id="b-1", policy=quick)
        ...     _ = waitkit.run(script)
        >>> changes.seen
        ['b-1: building', 'b-1: done']
    """

    def on_start(self, wait: WaitStarted) -> WaitHooks | None:
        """A wait starts: return the object that gets its other events (default: ``self``).

        Return a new object to keep per-wait state, or ``None`` to ignore the wait.
        """
        del wait  # the default treats every wait alike
        return self

    def on_state_change(self, wait: WaitStarted, change: StateChanged) -> None:
        """The wait saw a new distinct state."""

    def on_retry(self, wait: WaitStarted, retry: Retrying) -> None:
        """An observation failed and will be retried (called for every retry)."""

    def on_finish(self, wait: WaitStarted, finish: WaitFinished) -> None:
        """The wait ended (called exactly once per started wait)."""


_registered: tuple[WaitHooks, ...] = ()
_scoped: ContextVar[tuple[WaitHooks, ...]] = ContextVar("waitkit_hooks", default=())


def _checked(hooks: Iterable[object]) -> tuple[WaitHooks, ...]:
    checked: list[WaitHooks] = []
    for i, hook in enumerate(hooks):
        if not isinstance(hook, WaitHooks):
            msg = f"hooks[{i}] must be a waitkit.WaitHooks, got {type(hook).__name__}"
            raise ConfigurationError(msg)
        checked.append(hook)
    return tuple(checked)


def set_hooks(hooks: Iterable[WaitHooks]) -> None:
    """Register the hooks of every wait in the process (replacing those set before).

    ``set_hooks([])`` removes them. For hooks limited to a block of code (and the
    tasks it starts), use :func:`using_hooks`.

    Raises:
        ConfigurationError: an item is not a :class:`WaitHooks`.
    """
    global _registered  # noqa: PLW0603 - the process-wide registry, as stamina's
    _registered = _checked(hooks)


def get_hooks() -> tuple[WaitHooks, ...]:
    """The hooks registered with :func:`set_hooks`."""
    return _registered


@contextlib.contextmanager
def using_hooks(*hooks: WaitHooks) -> Iterator[None]:
    """Add ``hooks`` for the waits started inside the block (and in tasks it starts).

    The scope follows the code's context (a :class:`~contextvars.ContextVar`), so other
    tasks running meanwhile are not affected. Blocks nest.

    Raises:
        ConfigurationError: an item is not a :class:`WaitHooks`.
    """
    token = _scoped.set(_scoped.get() + _checked(hooks))
    try:
        yield
    finally:
        _scoped.reset(token)


def active_hooks() -> tuple[WaitHooks, ...]:
    """The hooks of a wait starting now: the process's, then the enclosing blocks'."""
    scoped = _scoped.get()
    return _registered + scoped if scoped else _registered
