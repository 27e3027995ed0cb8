"""The poll loop: one wait, driven one distinct state at a time.

Rules this module keeps (and the tests pin down):

- The deadline is computed once, on the event loop's clock (``anyio.current_time()``),
  so virtual-time loops (trio's MockClock, looptime) stop on time.
- A wait ends at its deadline whatever its observation is doing: the call in flight
  then is cancelled (a hung socket, a client retrying inside one call, no
  ``call_timeout``). ``Policy.call_timeout`` bounds each call inside the wait. A
  target's session set-up bounds itself by the deadline it was given (``for_wait``).
- No sleep crosses the deadline, and none is longer than ``max_delay``. When the next
  look would be the last, it is scheduled to *finish* by the deadline: it starts the
  last call's latency (and a quarter more) before it: Smithy's last-attempt clamp,
  with the call's own time reserved. After that final look the wait ends.
- Errors are classified by the target's classifier, never guessed: throttling sleeps its
  own backoff and does not count as a failed attempt; transient errors end a wait only
  once a streak of them is both longer than ``Policy.max_transient_errors`` and has lasted
  ``Policy.transient_grace`` (or, before any state was seen, has lasted the grace);
  not-found and fatal errors raise at once, from the original error.
- Cancellation is never caught: the engine catches ``Exception`` only.

Why one module of this length: :class:`ActiveWait` is one state machine, and these
rules hold across its steps, which share the wait's counters. What can stand apart
does: the call deadline (``_call_deadline.py``), the schedule (``_backoff.py``), the
messages (``_summary.py``), the events (``_logging.py``, ``_hooks.py``).
"""

from __future__ import annotations

import contextlib
from typing import TYPE_CHECKING, Any, Final, Generic, Protocol, TypeAlias, TypeVar, final

from waitkit._core._backoff import fit_to_deadline
from waitkit._core._call_deadline import DEADLINE_SLACK, CallDeadline
from waitkit._core._classify import ErrorKind
from waitkit._core._errors import (
    ProbeError,
    ResourceNotFoundError,
    UnexpectedStateError,
    WaitContext,
    WaitFailedError,
    WaitTimeoutError,
)
from waitkit._core._hooks import (
    FinishKind,
    Retrying,
    StateChanged,
    WaitFinished,
    WaitHooks,
    WaitStarted,
    active_hooks,
)
from waitkit._core._logging import INFO, WARNING, elapsed_seconds, logger
from waitkit._core._result import HistoryEntry, WaitResult
from waitkit._core._runtime import current_runtime
from waitkit._core._summary import render_history
from waitkit._core._text import bounded, error_in_words, multiline
from waitkit._core._verdict import Verdict, VerdictKind

if TYPE_CHECKING:
    from collections.abc import AsyncIterator, Callable, Coroutine
    from contextlib import AbstractAsyncContextManager

    from waitkit._core._classify import Classification
    from waitkit._core._policy import Policy
    from waitkit._core._runtime import Runtime
    from waitkit._core._throttle import ThrottleBudget

T = TypeVar("T")
_Event = TypeVar("_Event", StateChanged, Retrying, WaitFinished)
#: What one step returns: the state, its verdict, whether it differs from the previous one.
Observed: TypeAlias = "tuple[T, Verdict, bool]"

#: The session of a target that sets nothing up (nullcontext keeps no state: one serves
#: every wait). The engine does not enter it: an entered ``async with`` holds its exit
#: method for the whole wait, one more object per pending wait for the collector.
NO_SESSION: Final[contextlib.nullcontext[None]] = contextlib.nullcontext()


class Target(Protocol[T]):
    """What the engine drives during one wait: a :class:`~waitkit.Waiter` is one.

    A waiter that keeps per-wait state returns a fresh Target (a ``PerWait``) from
    :meth:`Waiter.for_wait <waitkit.Waiter.for_wait>` for each wait; nothing of a wait
    is kept anywhere else.
    """

    @property
    def kind(self) -> str:
        """A short snake_case name of the waiter, for logs."""
        ...

    @property
    def resource_id(self) -> str:
        """The id of the awaited resource, for logs."""
        ...

    @property
    def long_polls(self) -> bool:
        """Whether :meth:`observe` waits for news itself: its time then counts toward the delay."""
        ...

    def describe(self) -> str:
        """What is awaited, for messages: ``"instance refresh web-asg/0f1e..."``."""
        ...

    async def observe(self) -> T:
        """One look at the resource."""
        ...

    def verdict(self, state: T) -> Verdict:
        """Judge one state."""
        ...

    def classify_error(self, error: Exception) -> Classification:
        """How to treat an error raised by :meth:`observe`."""
        ...

    def summarize(self, state: T) -> str:
        """A one-line summary of a state."""
        ...

    def session(self) -> AbstractAsyncContextManager[object]:
        """Entered around the whole wait: set-up before the first observation, clean-up after."""
        ...


@final
class ActiveWait(Generic[T]):
    """One wait in progress: its deadline, counters, history and schedule.

    Created by the waiter for each call of ``wait()`` or ``states()``; all per-wait state
    lives here so the :class:`~waitkit.Policy` and the waiter stay shareable.
    """

    __slots__ = (
        "_budget",
        "_call_timeout",
        "_calls",
        "_cut_call",
        "_delay",
        "_ended",
        "_final",
        "_has_state",
        "_info",
        "_last_error",
        "_last_error_key",
        "_latency",
        "_long_polls",
        "_min_delay",
        "_now",
        "_observers",
        "_policy",
        "_runtime",
        "_schedule",
        "_state",
        "_timed_out",
        "_transient_since",
        "_transient_streak",
        "attempts",
        "deadline",
        "history",
        "started",
        "target",
    )

    def __init__(
        self,
        target: Target[T],
        policy: Policy,
        *,
        deadline: float | None,
        budget: ThrottleBudget | None = None,
        started: float | None = None,
        runtime: Runtime | None = None,
    ) -> None:
        self.target = target
        # Shared with the other waits on the same client: throttling slows them all.
        self._budget = budget
        self._runtime = current_runtime() if runtime is None else runtime
        # The loop's clock, read several times per observation.
        self._now = self._runtime.clock()
        self._policy = policy
        self._schedule = policy.schedule()
        self._call_timeout = policy.call_timeout
        # Policy.call_timeout, kept on the loop's cancel scope (see _call_deadline.py).
        self._calls = CallDeadline(policy.call_timeout, deadline, self._now)
        self._min_delay = policy.min_delay
        self._long_polls = target.long_polls
        # When the wait began: when its deadline was set, if the caller says so.
        self.started = self._now() if started is None else started
        self.deadline = deadline
        self.attempts = 0
        # The distinct states, oldest first, at most policy.history_limit: a list (a few
        # entries, ~90 bytes) where a bounded deque allocated a 760-byte block per wait.
        self.history: list[HistoryEntry[T]] = []
        self._state: T | None = None
        self._has_state = False
        self._delay: float | None = None
        self._timed_out = False
        # Whether the wait's closing event (succeeded, failed, timed out) was emitted.
        self._ended = False
        # Instrumentation: the hooks that follow this wait (none: nothing is done).
        self._observers: tuple[WaitHooks, ...] = ()
        self._info: WaitStarted | None = None
        # The planned look is the last one that can finish before the deadline.
        self._final = False
        # How long the last answered call took: reserved before the deadline for a final look.
        self._latency = 0.0
        # Seconds a call had been running when the deadline cut it (for the message).
        self._cut_call: float | None = None
        self._transient_streak = 0
        self._transient_since = 0.0
        self._last_error: Exception | None = None
        self._last_error_key: tuple[ErrorKind, type[Exception]] | None = None

    # ------------------------------------------------------------------ public
    def step(self, *, until_terminal: bool = False) -> Coroutine[Any, Any, Observed[T]]:
        """Observe, sleeping in between, until a new state appears or the verdict is terminal.

        With ``until_terminal``, go on through new states to the terminal one: one call
        (one cancel scope, one coroutine) then serves a whole wait, where returning on
        each change cost a scope and a coroutine per change.

        Returns the state, its verdict, and whether the state differs from the previous one.

        Raises:
            WaitTimeoutError: the deadline passed.
            ResourceNotFoundError, ProbeError, UnexpectedStateError: see the classifier table.
        """
        return self._drive(until_terminal=until_terminal, whole=False)  # type: ignore[return-value]

    async def _drive(  # noqa: C901 - one coroutine for the whole loop, by design (below)
        self, *, until_terminal: bool, whole: bool
    ) -> Observed[T] | WaitResult[T]:
        """The poll loop; with ``whole``, the whole wait: its start, its end and its result."""
        # One coroutine holds the whole loop (no helper coroutine per segment or per
        # observation, and none around it for a wait without a session): each is one
        # more object per pending wait, or per observation, for the garbage collector,
        # which at 10,000 waits is what the event loop's tail latency is made of
        # (benchmarks/loop_lag.py).
        if whole:
            self._log_started()
        sleep, calls = self._runtime.sleep, self._calls
        try:
            while True:
                # One cancel scope serves many observations: its deadline bounds the calls
                # (cheaper than a new scope per call). When it fires, a new scope starts.
                with self._runtime.cancel_scope() as scope:
                    calls.use(scope)
                    while True:
                        if self._timed_out:
                            raise self._timeout_error()  # noqa: TRY301 - the except only notes it
                        if self._delay is not None:
                            calls.disarm_before(self._delay)
                            await sleep(self._delay)
                        if self._budget is not None:
                            await self._take_slot()
                        self.attempts += 1
                        calls.arm()
                        try:
                            state = await self.target.observe()
                        except Exception as error:  # noqa: BLE001 - classified; cancellation is not an Exception
                            calls.ended()
                            self._on_error(error)
                            continue
                        started = calls.ended()
                        outcome = self._take(state, started, until_terminal=until_terminal)
                        if outcome is not None:
                            calls.use(None)
                            return self.finish(outcome[0], outcome[1]) if whole else outcome
                calls.use(None)
                # Only our scope's deadline ends the inner loop without an outcome; any
                # other cancellation propagates through the `with`.
                self._after_cut()
        except BaseException as error:  # re-raised: only noted when it is a cancellation
            if whole:
                self._note_abandoned(error)
            raise

    def _after_cut(self) -> None:
        """Our scope's deadline fired: the wait's deadline, or a call's call_timeout."""
        if self._past_deadline():
            started = self._calls.ended()
            if started is not None:
                self._cut_call = self._now() - started
            raise self._timeout_error()
        if self._calls.cut_short():
            self._delay = None  # look again at once, within the same call_timeout
            return
        self._on_transient(
            TimeoutError(f"observation took longer than Policy.call_timeout={self._call_timeout}s")
        )

    def _take(
        self, state: T, started: float | None, *, until_terminal: bool
    ) -> tuple[T, Verdict, bool] | None:
        """Record one observed state; the step's outcome if it ends here, else plan the next.

        ``started`` is when the observation began (``None`` if unknown).
        """
        now = self._now()  # the clock is read once per answer
        if self._budget is not None:
            self._budget.accepted(now)
        if started is not None and not self._long_polls:
            # Reserved before the deadline for a final look: the last call's time and a
            # quarter more, so a call as slow as the last one still ends in time.
            self._latency = 1.25 * (now - started)
        if self._last_error_key is not None:  # an answer ends a streak of errors
            self._last_error = None
            self._last_error_key = None
            self._transient_streak = 0
        changed = self._record(state, now)
        verdict = self._judge(state)
        if verdict.is_terminal:
            return state, verdict, changed
        if self._final:  # that was the last look that could finish in time
            self._timed_out = True
            return (state, verdict, changed) if changed and not until_terminal else None
        delay = self._schedule.next()
        if self._long_polls and started is not None:
            # The observation already waited for news (a long-poll): that wait counts toward
            # the delay, so a long-poll that ended without news is followed at once by the
            # next, and an answer that came at once still waits out the delay (no spinning).
            delay = max(0.0, delay - (now - started))
        self._plan(delay, now)
        return (state, verdict, changed) if changed and not until_terminal else None

    def finish(self, state: T, verdict: Verdict) -> WaitResult[T]:
        """The result of a terminal verdict: a :class:`WaitResult`, or :class:`WaitFailedError`."""
        elapsed = self._now() - self.started
        if verdict.kind is VerdictKind.SUCCESS:
            self._ended = True
            if self._observers:
                self._finished("succeeded")
            if logger.enabled(INFO):
                logger.info(
                    "wait.succeeded",
                    waiter=self.target.kind,
                    resource=self._resource(),
                    state=self.target.summarize(state),
                    elapsed=elapsed_seconds(elapsed),
                    attempts=self.attempts,
                )
            return WaitResult(
                state=state, history=tuple(self.history), attempts=self.attempts, elapsed=elapsed
            )
        # Service words, bounded and with controls escaped (the full value is on the state).
        reason = multiline(verdict.reason or self.target.summarize(state))
        self._log_failed(reason)
        message = (
            f"{self.target.describe()} failed after {elapsed:.1f}s: {reason} "
            f"({self._observations()}); states: {self._rendered_history()}"
        )
        raise WaitFailedError(message, reason=reason, **self._context())

    def run(self) -> Coroutine[Any, Any, WaitResult[T]]:
        """Drive the wait to its end inside the target's session."""
        session = self.target.session()
        if session is NO_SESSION:  # nothing to hold open: the poll loop is the whole wait
            return self._drive(until_terminal=True, whole=True)  # type: ignore[return-value]
        return self._run_in(session)

    async def _run_in(self, session: AbstractAsyncContextManager[object]) -> WaitResult[T]:
        self._log_started()
        try:
            async with session:
                state, verdict, _ = await self.step(until_terminal=True)
                return self.finish(state, verdict)
        except BaseException as error:  # re-raised: only noted when it is a cancellation
            self._note_abandoned(error)
            raise

    async def iterate(self) -> AsyncIterator[T]:
        """Yield each distinct state until terminal (inside the target's session)."""
        self._log_started()
        try:
            async with self.target.session():
                while True:
                    state, verdict, changed = await self.step()
                    if changed:
                        yield state
                    if verdict.is_terminal:
                        self.finish(state, verdict)
                        return
        except BaseException as error:  # re-raised: only noted when it is a cancellation
            self._note_abandoned(error)
            raise

    # ------------------------------------------------------------------ observation
    def _past_deadline(self) -> bool:
        deadline = self.deadline
        return deadline is not None and self._now() >= deadline - DEADLINE_SLACK

    async def _take_slot(self) -> None:
        """Wait for this call's slot in the shared throttle budget, never past the deadline."""
        assert self._budget is not None  # noqa: S101 - checked by the caller
        now = self._now()
        pause = self._budget.pause(now)
        if self.deadline is not None:
            pause = min(pause, max(0.0, self.deadline - now))
        if pause > 0:
            self._calls.disarm_before(pause)
            await self._runtime.sleep(pause)

    def _on_error(self, error: Exception) -> None:
        """Plan the retry of a failed observation, or raise what ends the wait."""
        classification = self.target.classify_error(error)
        kind = classification.kind
        if kind is ErrorKind.THROTTLED:
            # Throttling is the service asking us to slow down, not a failed attempt.
            self._note_retry(error, kind)
            retry_after = classification.retry_after
            if self._budget is None:
                self._plan(self._schedule.throttled(retry_after))
            else:
                # The shared budget slows every wait on the client (and holds them all
                # for a Retry-After); this wait keeps its polling pace.
                self._budget.throttled(self._now(), retry_after)
                self._plan(self._schedule.next() if retry_after is None else retry_after)
            return
        if kind is ErrorKind.TRANSIENT:
            self._on_transient(error)
            return
        if kind is ErrorKind.NOT_FOUND:
            if self._now() - self.started < self._policy.not_found_grace:
                self._note_retry(error, kind)
                self._plan(self._schedule.next())
                return
            message = (
                f"{self.target.describe()} was not found after {self._elapsed():.1f}s "
                f"({self._observations()}): {error_in_words(error)}"
            )
            self._log_failed("not found")
            raise ResourceNotFoundError(message, **self._context()) from error
        reason = f"{classification.reason}: " if classification.reason else ""
        message = f"observing {self.target.describe()} failed: {reason}{error_in_words(error)}"
        self._log_failed("probe error")
        raise ProbeError(message, **self._context()) from error

    def _on_transient(self, error: Exception) -> None:
        now = self._now()
        if self._transient_streak == 0:
            self._transient_since = now
        self._transient_streak += 1
        policy = self._policy
        lasted = now - self._transient_since
        # Before any state, two errors that span the grace are an endpoint that never answered.
        never_answered = not self._has_state and self._transient_streak > 1
        if lasted >= policy.transient_grace and (
            self._transient_streak > policy.max_transient_errors or never_answered
        ):
            if self._has_state:
                why = (
                    f"failed {self._transient_streak} times in a row over {lasted:.1f}s "
                    f"(Policy.max_transient_errors={policy.max_transient_errors}, "
                    f"transient_grace={policy.transient_grace}s)"
                )
            else:
                attempts = self._transient_streak
                why = (
                    f"failed for {lasted:.1f}s before any state was seen "
                    f"({attempts} attempt{'' if attempts == 1 else 's'}; "
                    f"Policy.transient_grace={policy.transient_grace}s)"
                )
            message = (
                f"observing {self.target.describe()} {why}; last error: {error_in_words(error)}"
            )
            self._log_failed("too many transient errors")
            raise ProbeError(message, **self._context()) from error
        self._note_retry(error, ErrorKind.TRANSIENT)
        self._plan(self._schedule.next())

    def _note_retry(self, error: Exception, kind: ErrorKind) -> None:
        self._last_error = error
        if self._observers:
            retry = Retrying(
                error=error, kind=kind, elapsed=self._elapsed(), attempts=self.attempts
            )
            for hooks in self._observers:
                self._call(hooks.on_retry, retry)
        key = (kind, type(error))
        if key != self._last_error_key:  # one event per change of error, not per retry
            self._last_error_key = key
            if logger.enabled(INFO):
                logger.info(
                    "wait.retrying",
                    waiter=self.target.kind,
                    resource=self._resource(),
                    error_kind=kind.value,
                    error=error_in_words(error),
                    attempts=self.attempts,
                    elapsed=elapsed_seconds(self._elapsed()),
                )

    # ------------------------------------------------------------------ states
    def _record(self, state: T, now: float) -> bool:
        # Identity first: a shared source hands every wait the same object until it
        # changes, and pydantic's __eq__ is a Python-level field comparison.
        if self._has_state and (state is self._state or state == self._state):
            return False
        previous = self._state
        had_state = self._has_state
        self._state = state
        self._has_state = True
        history = self.history
        history.append(HistoryEntry(at=now, elapsed=now - self.started, state=state))
        if len(history) > self._policy.history_limit:
            del history[0]
        if self._observers:
            change = StateChanged(
                state=state,
                summary=self.target.summarize(state),
                previous=self.target.summarize(previous) if had_state else None,  # type: ignore[arg-type]
                resource=self._resource(),
                elapsed=now - self.started,
                attempts=self.attempts,
            )
            for hooks in self._observers:
                self._call(hooks.on_state_change, change)
        if logger.enabled(INFO):
            logger.info(
                "wait.state_changed",
                waiter=self.target.kind,
                resource=self._resource(),
                state=self.target.summarize(state),
                previous=self.target.summarize(previous) if had_state else None,  # type: ignore[arg-type]
                elapsed=elapsed_seconds(now - self.started),
                attempts=self.attempts,
            )
        return True

    def _judge(self, state: T) -> Verdict:
        verdict = self.target.verdict(state)
        if verdict.kind is VerdictKind.UNKNOWN and self._policy.unknown_status == "fail":
            status = bounded(verdict.reason or self.target.summarize(state))
            message = (
                f"{self.target.describe()} reported a status the waiter does not know: "
                f"{status!r} (Policy.unknown_status='fail'); states: {self._rendered_history()}"
            )
            self._log_failed(f"unknown status {status}")
            raise UnexpectedStateError(message, **self._context())
        return verdict

    # ------------------------------------------------------------------ time
    def _plan(self, delay: float, now: float | None = None) -> None:
        if self.deadline is None:
            self._delay = delay
            return
        remaining = self.deadline - (self._now() if now is None else now)
        if remaining <= DEADLINE_SLACK or self._final:
            self._timed_out = True
            return
        self._delay, self._final = fit_to_deadline(
            delay,
            remaining,
            min_delay=self._min_delay,
            max_delay=self._policy.max_delay,
            reserve=self._latency,
        )

    def _elapsed(self) -> float:
        return self._now() - self.started

    def _timeout_error(self) -> WaitTimeoutError:
        timeout = (self.deadline or self.started) - self.started
        message = (
            f"{self.target.describe()} did not finish within {timeout:.1f}s "
            f"({self._observations()}); last states: {self._rendered_history()}"
        )
        if self._cut_call is not None:
            message += (
                f"; an observation still running after {self._cut_call:.1f}s "
                "was cancelled at the deadline"
            )
        if self._last_error is not None:
            message += f"; last error: {error_in_words(self._last_error)}"
        self._ended = True
        if self._observers:
            self._finished("timed_out")
        if logger.enabled(WARNING):
            logger.warning(
                "wait.timed_out",
                waiter=self.target.kind,
                resource=self._resource(),
                state=self.target.summarize(self._state) if self._has_state else None,  # type: ignore[arg-type]
                elapsed=elapsed_seconds(self._elapsed()),
                attempts=self.attempts,
            )
        error = WaitTimeoutError(message, **self._context())
        error.__cause__ = self._last_error
        return error

    # ------------------------------------------------------------------ reporting
    def _context(self) -> WaitContext:
        return {
            "waiter": self.target.describe(),
            "state": self._state,
            "history": tuple(self.history),
            "elapsed": self._elapsed(),
            "attempts": self.attempts,
        }

    def _observations(self) -> str:
        return f"{self.attempts} observation{'' if self.attempts == 1 else 's'}"

    def _rendered_history(self) -> str:
        return render_history(tuple(self.history), self.target.summarize)

    def _log_started(self) -> None:
        hooks = active_hooks()
        if hooks:
            self._start_hooks(hooks)
        if logger.enabled(INFO):
            logger.info(
                "wait.started",
                waiter=self.target.kind,
                resource=self._resource(),
                timeout=None
                if self.deadline is None
                else elapsed_seconds(self.deadline - self.started),
            )

    # ------------------------------------------------------------------ instrumentation
    def _start_hooks(self, hooks: tuple[WaitHooks, ...]) -> None:
        deadline = self.deadline
        info = self._info = WaitStarted(
            waiter=self.target.kind,
            resource=self._resource(),
            description=self.target.describe(),
            timeout=None if deadline is None else elapsed_seconds(deadline - self.started),
        )
        observers: list[WaitHooks] = []
        for hook in hooks:
            try:
                observer = hook.on_start(info)
            except Exception as error:  # noqa: BLE001 - a broken hook never breaks a wait
                self._hook_failed(hook.on_start, error)
                continue
            if observer is not None:
                observers.append(observer)
        self._observers = tuple(observers)

    def _call(self, method: Callable[[WaitStarted, _Event], None], event: _Event) -> None:
        assert self._info is not None  # noqa: S101 - set with the observers
        try:
            method(self._info, event)
        except Exception as error:  # noqa: BLE001 - a broken hook never breaks a wait
            self._hook_failed(method, error)

    def _finished(self, outcome: FinishKind, reason: str | None = None) -> None:
        finish = WaitFinished(
            outcome=outcome,
            summary=self.target.summarize(self._state) if self._has_state else None,  # type: ignore[arg-type]
            resource=self._resource(),
            elapsed=self._elapsed(),
            attempts=self.attempts,
            reason=reason,
        )
        for hooks in self._observers:
            self._call(hooks.on_finish, finish)

    def _hook_failed(self, method: Callable[..., object], error: Exception) -> None:
        if logger.enabled(WARNING):
            logger.warning(
                "wait.hook_failed",
                waiter=self.target.kind,
                resource=self._resource(),
                hook=f"{type(getattr(method, '__self__', method)).__name__}.{method.__name__}",
                error=error_in_words(error),
            )

    def _resource(self) -> str:
        # Never empty: a waiter without an id (a one-off, a query not started yet) is
        # named by its description, so every event of a wait can be told apart.
        return self.target.resource_id or self.target.describe()

    def _note_abandoned(self, error: BaseException) -> None:
        """``wait.cancelled`` for a wait ended from outside before its own closing event.

        From outside: cancelled by ``wait_all``, a scope, Ctrl-C, or an iteration closed early.
        """
        if self._ended or isinstance(error, Exception):
            return
        self._ended = True
        if self._observers:
            self._finished("cancelled")
        if logger.enabled(INFO):
            logger.info(
                "wait.cancelled",
                waiter=self.target.kind,
                resource=self._resource(),
                state=self.target.summarize(self._state) if self._has_state else None,  # type: ignore[arg-type]
                elapsed=elapsed_seconds(self._elapsed()),
                attempts=self.attempts,
            )

    def _log_failed(self, reason: str) -> None:
        self._ended = True
        if self._observers:
            self._finished("failed", reason)
        if logger.enabled(WARNING):
            logger.warning(
                "wait.failed",
                waiter=self.target.kind,
                resource=self._resource(),
                reason=reason,
                elapsed=elapsed_seconds(self._elapsed()),
                attempts=self.attempts,
            )
