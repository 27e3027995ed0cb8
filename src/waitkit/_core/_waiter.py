"""Waiter: the public base of every waiter, and State, the base of typed states."""

from __future__ import annotations

import contextlib
from abc import ABC, abstractmethod
from typing import TYPE_CHECKING, ClassVar, Generic, TypeVar, cast

import anyio
from pydantic import BaseModel, ConfigDict

from waitkit._core._classify import ErrorClassifier, GenericClassifier
from waitkit._core._durations import UNSET, _Unset, seconds
from waitkit._core._engine import NO_SESSION, ActiveWait, Target
from waitkit._core._feed import Feed
from waitkit._core._policy import DEFAULT_POLICY, Policy, ensure_policy
from waitkit._core._runtime import Runtime, current_runtime
from waitkit._core._summary import status_of, summarize

if TYPE_CHECKING:
    from collections.abc import AsyncGenerator, AsyncIterator, Callable
    from contextlib import AbstractAsyncContextManager

    from waitkit._core._classify import Classification
    from waitkit._core._durations import Duration
    from waitkit._core._result import WaitResult
    from waitkit._core._throttle import ThrottleBudget
    from waitkit._core._verdict import Verdict


class State(BaseModel):
    """Base for typed states: a frozen pydantic model with a one-line :meth:`summary`.

    Subclasses declare the fields they observe. States are compared by value: the
    engine records and logs a state only when it differs from the previous one.

    Example:
        >>> from waitkit import State
        >>> class Build(State):
        ...     status: str
        ...     percent: int = 0
        ...     def summary(self) -> str:
        ...         return f"{self.status} {self.percent}%"
        >>> Build(status="Running", percent=40).summary()
        'Running 40%'
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    def summary(self) -> str:
        """One line for messages and logs; by default the ``status`` field, else the fields."""
        status = status_of(self)
        if status is not None:
            return str(getattr(status, "value", status))
        return " ".join(f"{k}={v!r}" for k, v in self.model_dump(exclude_none=True).items())


StateT = TypeVar("StateT", bound=BaseModel)

_GENERIC_CLASSIFIER = GenericClassifier()


class Waiter(ABC, Generic[StateT]):
    """Base class of every waiter: implement :meth:`observe` and :meth:`verdict`.

    A waiter holds what to watch and a :class:`Policy`; it keeps no per-wait state, so
    it may be awaited several times (each :meth:`wait` is independent).

    Class attributes subclasses set:

    - ``kind``: a short snake_case name for logs (``"instance_refresh"``).
    - ``classifier``: the :class:`ErrorClassifier` for the provider's exceptions.
    - ``long_polls``: ``True`` when :meth:`observe` itself waits for news (a long-poll on a
      watch, for example). The time an observation took then counts toward the policy's
      delay: after a long-poll that found nothing the next one starts at once, and an
      answer that came at once still waits out the delay. Default ``False``: the delay
      runs from the end of each observation, as in botocore's waiters.

    Example:
        >>> import anyio
        >>> from waitkit import Policy, State, Verdict, Waiter
        >>> class Counter(State):
        ...     value: int
        >>> class CountTo(Waiter[Counter]):
        ...     kind = "count"
        ...     def __init__(self, target: int) -> None:
        ...         super().__init__(policy=Policy(min_delay=0.01, max_delay=0.01))
        ...         self.target, self.value = target, 0
        ...     async def observe(self) -> Counter:
        ...         self.value += 1
        ...         return Counter(value=self.value)
        ...     def verdict(self, state: Counter) -> Verdict:
        ...         return Verdict.SUCCESS if state.value >= self.target else Verdict.PENDING
        >>> anyio.run(lambda: CountTo(3).wait(timeout=5)).state
        Counter(value=3)
    """

    kind: ClassVar[str] = "waiter"
    classifier: ClassVar[ErrorClassifier] = _GENERIC_CLASSIFIER
    long_polls: ClassVar[bool] = False

    def __init__(self, *, policy: Policy | None = None) -> None:
        self.policy: Policy = DEFAULT_POLICY if policy is None else ensure_policy(policy)

    # ------------------------------------------------------------------ to implement
    @abstractmethod
    async def observe(self) -> StateT:
        """One look at the resource (one API call, or one read of a shared source)."""

    @abstractmethod
    def verdict(self, state: StateT) -> Verdict:
        """Judge a state: PENDING, SUCCESS, ``Verdict.failure(why)`` or ``.unknown(status)``."""

    # ------------------------------------------------------------------ may override
    @property
    def resource_id(self) -> str:
        """The id of the awaited resource, for logs (override in subclasses)."""
        return ""

    def describe(self) -> str:
        """What is awaited, for messages (default: kind and resource id)."""
        kind = self.kind.replace("_", " ")
        return f"{kind} {self.resource_id}" if self.resource_id else kind

    def summarize(self, state: StateT) -> str:
        """A one-line summary of ``state`` (default: its ``summary()``, else its status)."""
        return summarize(state)

    def classify_error(self, error: Exception) -> Classification:
        """How the engine treats ``error`` (default: the class's ``classifier``)."""
        return self.classifier.classify(error)

    def session(self) -> AbstractAsyncContextManager[object]:
        """Entered around a whole wait: set up before the first observation, clean up after.

        A waiter's own session opens nothing that belongs to one wait (it would be
        shared by every wait of the waiter). A wait that subscribes to a shared source,
        starts a query or opens a stream does so in the session of the per-wait target
        :meth:`for_wait` returns, which holds what it opened (clean-up shielded and
        time-bounded).
        """
        return NO_SESSION

    def for_wait(self, deadline: float | None) -> Target[StateT]:
        """What one wait observes through: by default the waiter itself.

        **The one rule for per-wait state**: a waiter is shared by its waits, so it
        keeps nothing of any one wait, not even in a context variable. A waiter that
        needs something per wait (the hub it subscribed to, a query id, an ``Unknown``
        timer, the deadline that bounds a long-poll) returns a fresh target here that
        holds it: a :class:`~waitkit.extend.PerWait` subclass, which answers everything
        but ``observe()`` (and ``session()``) from the waiter. The engine drives that
        object for the wait and drops it after. Such a waiter's own ``observe()`` is
        ``one_look(self.for_wait(None))`` (:func:`~waitkit.extend.one_look`): one look
        through a fresh target, its session opened and closed around it.

        Args:
            deadline: the wait's deadline on the event loop's clock (``None``: unbounded).
        """
        del deadline  # a stateless waiter needs nothing from the wait
        return self

    def throttle_budget(self) -> ThrottleBudget | None:
        """The pace shared with other waits on the same client (default: none, back off alone).

        Waiters that call a rate-limited API through a client return
        ``budget_for(client)``: a throttled answer to one wait then slows every wait on
        that client (see :class:`~waitkit.extend.ThrottleBudget`).
        """
        return None

    # ------------------------------------------------------------------ public API
    async def wait(
        self, *, timeout: Duration | _Unset | None = UNSET, policy: Policy | None = None
    ) -> WaitResult[StateT]:
        """Observe until the resource succeeds; return the last state and the history.

        Args:
            timeout: total seconds (or timedelta); ``None`` for no bound; default the policy's.
            policy: use this policy instead of the waiter's.

        Raises:
            WaitTimeoutError: the deadline passed (also a builtin ``TimeoutError``).
            WaitFailedError: the resource reached a failure state.
            ResourceNotFoundError: the resource does not exist.
            UnexpectedStateError: an unknown status under ``unknown_status="fail"``.
            ProbeError: observing failed in a way retrying will not fix.
            ConfigurationError: an invalid argument (before any observation).
        """
        return await self.start(timeout=timeout, policy=policy).run()

    def states(
        self, *, timeout: Duration | _Unset | None = UNSET, policy: Policy | None = None
    ) -> AsyncIterator[StateT]:
        """Each *distinct* state, until terminal; raises like :meth:`wait` on failure.

        The terminal state is yielded before a failure is raised. The wait runs in a task
        of its own, at its policy's pace whatever the loop body does: states that arrive
        while the body runs are kept, in order, for the next iterations.

        Leaving the loop early (``break``, ``return``, an exception in its body) ends
        the wait and never cancels your task; the wait's clean-up (its session's exit)
        then runs in the background. To wait until it has finished, close the
        iterator: ``async with contextlib.aclosing(waiter.states()) as states: ...``.
        Cancelling the task while it waits for the next state ends the wait the same
        way, after the clean-up.

        Example:
            >>> # async for state in waiter.states(timeout=1800):
            >>> #     if state.status == "Baking":
            >>> #         break  # the wait ends; the loop's task goes on
        """
        active = self.start(timeout=timeout, policy=policy)
        return Feed(lambda put: _follow(active, put), name=f"waitkit.states {self.kind}")

    def start(
        self,
        *,
        timeout: Duration | _Unset | None = UNSET,
        policy: Policy | None = None,
        deadline: float | _Unset | None = UNSET,
        runtime: Runtime | None = None,
    ) -> ActiveWait[StateT]:
        """Validate the arguments and create the wait, without observing yet (engine use).

        ``runtime``: the running backend's, when the caller has it (a group of waits).
        """
        chosen = self.policy if policy is None else ensure_policy(policy)
        if runtime is None:
            runtime = current_runtime()
        started = None
        if isinstance(deadline, _Unset):
            # The wait starts when its deadline is set: its timeout then reads as given
            # (30 s, not 29.996 s after a slow for_wait on a loaded machine).
            started = runtime.clock()()
            deadline = resolve_deadline(timeout, chosen, now=started)
        return ActiveWait(
            self.for_wait(deadline),
            chosen,
            deadline=deadline,
            budget=self.throttle_budget(),
            started=started,
            runtime=runtime,
        )


async def _follow(active: ActiveWait[StateT], put: Callable[[StateT], None]) -> None:
    """Run one wait through its states, handing each to ``put`` (a Feed's producer)."""
    # iterate() is an async generator: closed here, in the task that runs it.
    states = cast("AsyncGenerator[StateT, None]", active.iterate())
    async with contextlib.aclosing(states):
        async for state in states:
            put(state)


def resolve_deadline(
    timeout: Duration | _Unset | None, policy: Policy, *, now: float | None = None
) -> float | None:
    """The absolute deadline on the loop clock for ``timeout`` (``UNSET``: the policy's).

    Counted from ``now`` (default: the loop's current time).
    """
    if isinstance(timeout, _Unset):
        bound = policy.timeout
    elif timeout is None:
        bound = None
    else:
        bound = seconds("timeout", timeout, positive=True)
    if bound is None:
        return None
    return (anyio.current_time() if now is None else now) + bound
