"""Shared observation: one observation loop serves many waiters.

Waiters that one API call can serve (refreshes of one Auto Scaling group, durable
executions of one function) subscribe to an :class:`ObservationHub` under their key.
Each waiter still runs its own schedule and deadline; its ``observe()`` asks the hub,
and the hub answers from a *round*: one call of :meth:`SharedSource.fetch` for every
subscribed key.

Rounds are single-flight and started on demand, so the loop runs at the pace of
its most urgent subscriber and stops when nobody asks:

- freshness is per request: a request is served by the round in flight, or the last
  finished round, only if that round covered the key and started less than
  ``max_age`` seconds before the request (or after it). Each request names its own
  ``max_age`` (waiters pass their policy's ``min_delay``): a lenient waiter rides along
  in a strict one's rounds, and a strict one is never handed a lenient one's old answer;
- otherwise the requester leads a new round itself (no background task: nothing can
  outlive its caller); others join it. The round takes its keys when it sends its
  request, not when it was decided: the leader lets the loop run while new waits keep
  subscribing (bounded), so waits started together, a batch at a time, share one round.
  If the leader is cancelled, the joiners elect a new leader;
- when the last subscriber leaves, the source is closed (streams, sessions).

So N waiters polling every few seconds cost about one call per ``min_delay`` window
of the most urgent of them, not N.

Who uses it: the AWS waiters that poll (instance refreshes per group, durable
executions per function), each wait through a :class:`HubWait` target. Kubernetes
waiters do not: they share a watch stream (``waitkit.k8s._watch.SharedWatch``), which
is deliberately a mechanism of its own. A hub answers *rounds*, each fresh for a
``max_age``; a watch pushes *events*, each reader keeps its own cursor and long-polls
for news of its object, and a 410 means "list again". Made a hub source, a watch would
either be polled (losing the push) or its ``fetch`` would block until some key changed
(a round that answers one key's news and leaves the others waiting), so the two stay
apart, one contract each.
"""

from __future__ import annotations

import contextlib
import weakref
from collections import Counter
from collections.abc import AsyncIterator, Awaitable, Callable, Collection, Hashable, Mapping
from typing import Final, Generic, Protocol, TypeVar, final

import anyio

from waitkit._core._durations import seconds
from waitkit._core._per_client import PerClient
from waitkit._core._per_wait import PerWait, WaiterT

KeyT = TypeVar("KeyT", bound=Hashable)
ObsT = TypeVar("ObsT")
ObsT_co = TypeVar("ObsT_co", covariant=True)
StateT = TypeVar("StateT")

# Clean-up of a source after its last subscriber left: shielded, but bounded.
_CLOSE_TIMEOUT: Final = 5.0
# While a round is planned, the leader lets the loop run until _QUIET_TURNS turns in a
# row bring no new subscription (two, because a scheduler may run the leader before or
# after a turn's new waits; trio shuffles), for at most _PLAN_TURNS turns. wait_all
# starts 32 waits a turn, so up to 3,200 waits started together share their first
# round; a steady stream of subscriptions cannot hold a round back longer than this.
_QUIET_TURNS: Final = 2
_PLAN_TURNS: Final = 100


class SharedSource(Protocol[KeyT, ObsT_co]):
    """What a hub polls: one round fetches the observations of many keys."""

    async def fetch(self, keys: Collection[KeyT]) -> Mapping[KeyT, ObsT_co]:
        """Observe every key in one round; a key missing from the answer was not seen."""
        ...

    async def aclose(self) -> None:
        """Release what the source holds; called when the last subscriber leaves."""
        ...


@final
class _Round(Generic[KeyT, ObsT]):
    __slots__ = ("done", "error", "keys", "results", "started")

    def __init__(self) -> None:
        self.started = 0.0  # set when its request goes out
        # None while the round is planned: every key subscribed by then will be in it.
        self.keys: frozenset[KeyT] | None = None
        self.done = anyio.Event()
        self.results: Mapping[KeyT, ObsT] | None = None
        self.error: Exception | None = None

    def serves(self, key: KeyT, requested: float, max_age: float) -> bool:
        if self.keys is None or key not in self.keys:
            return False
        # A round that went out after the request is fresh for it; an older one must be
        # younger than max_age (so a waiter that slept exactly min_delay since its
        # previous round is not handed that round again).
        age = requested - self.started
        return age <= 0 or age < max_age


@final
class ObservationHub(Generic[KeyT, ObsT]):
    """Serves many subscribers from single-flight rounds of one :class:`SharedSource`.

    Freshness is per request: ``observe(key, max_age=...)`` is answered from a round
    that started less than ``max_age`` seconds before the request (or after it), so a
    waiter polling every 0.1 s is never handed the answer a waiter polling every 30 s
    fetched. Waits that subscribe while a round is being planned are included in it.

    Args:
        source: what to poll.
        max_age: the default for requests that name none: an answer serves a request
            if its round started less than ``max_age`` seconds before it (or after it).

    Example:
        >>> import anyio
        >>> from waitkit.extend import ObservationHub
        >>> class Squares:
        ...     calls = 0
        ...     async def fetch(self, keys):
        ...         Squares.calls += 1
        ...         return {k: k * k for k in keys}
        ...     async def aclose(self):
        ...         pass
        >>> async def main():
        ...     hub = ObservationHub(Squares(), max_age=1.0)
        ...     async with hub.subscribe(2), hub.subscribe(3):
        ...         answers = await hub.observe(2), await hub.observe(3, max_age=5)
        ...         return answers, Squares.calls
        >>> anyio.run(main)
        ((4, 9), 1)
    """

    def __init__(self, source: SharedSource[KeyT, ObsT], *, max_age: float = 1.0) -> None:
        self._source = source
        self._max_age = seconds("max_age", max_age)
        self._subscribers: Counter[KeyT] = Counter()
        # Subscriptions ever made: a planned round waits until this stops growing.
        self._joined = 0
        self._current: _Round[KeyT, ObsT] | None = None
        self._last: _Round[KeyT, ObsT] | None = None
        self._on_empty: list[Callable[[], None]] = []
        #: Rounds fetched so far (each is one ``source.fetch`` call).
        self.rounds = 0

    @property
    def subscribers(self) -> int:
        """How many subscriptions are open."""
        return sum(self._subscribers.values())

    @contextlib.asynccontextmanager
    async def subscribe(self, key: KeyT) -> AsyncIterator[None]:
        """Subscribe ``key`` for the duration of the block (usually a waiter's session)."""
        self._subscribers[key] += 1
        self._joined += 1
        try:
            yield
        finally:
            self._subscribers[key] -= 1
            if self._subscribers[key] <= 0:
                del self._subscribers[key]
            if not self._subscribers:
                self._last = None
                for callback in self._on_empty:
                    callback()
                with anyio.move_on_after(_CLOSE_TIMEOUT, shield=True):
                    await self._source.aclose()

    async def observe(self, key: KeyT, *, max_age: float | None = None) -> ObsT | None:
        """``key``'s observation from a fresh-enough round; ``None`` if the round did not see it.

        Args:
            key: a subscribed key.
            max_age: the answer's round must have started less than this many seconds
                before the request (or after it); a waiter passes its policy's
                ``min_delay``. Default: the hub's ``max_age``.

        Raises whatever the round's ``fetch`` raised, so each waiter classifies it.
        """
        if key not in self._subscribers:
            msg = f"observe({key!r}) outside subscribe({key!r})"
            raise RuntimeError(msg)
        limit = self._max_age if max_age is None else seconds("max_age", max_age)
        requested = anyio.current_time()
        while True:
            current = self._current
            if current is not None:
                await current.done.wait()
                if current.error is not _ABANDONED and current.serves(key, requested, limit):
                    return self._answer(current, key)
                continue  # stale, not ours, or abandoned: look again (maybe lead)
            last = self._last
            if last is not None and last.serves(key, requested, limit):
                return self._answer(last, key)
            return await self._lead(key)

    async def _lead(self, key: KeyT) -> ObsT | None:
        # Published before the first await: whoever asks from now on joins this round.
        current: _Round[KeyT, ObsT] = _Round()
        self._current = current
        try:
            await self._plan()
            current.keys = frozenset(self._subscribers)
            current.started = anyio.current_time()
            self.rounds += 1
            current.results = await self._source.fetch(current.keys)
        except Exception as error:  # noqa: BLE001 - handed to every waiter of the round
            current.error = error
        finally:
            if current.results is None and current.error is None:
                current.error = _ABANDONED  # the leader was cancelled; joiners retry
            elif current.error is None:
                self._last = current
            self._current = None
            current.done.set()
        return self._answer(current, key)

    async def _plan(self) -> None:
        """Let waits that are subscribing now join the round before its keys are fixed."""
        quiet = 0
        for _ in range(_PLAN_TURNS):
            joined = self._joined
            await anyio.lowlevel.checkpoint()
            quiet = quiet + 1 if self._joined == joined else 0
            if quiet == _QUIET_TURNS:
                return

    @staticmethod
    def _answer(current: _Round[KeyT, ObsT], key: KeyT) -> ObsT | None:
        if current.error is not None:
            raise current.error
        assert current.results is not None  # noqa: S101 - a round has a result or an error
        return current.results.get(key)


class _Abandoned(Exception):  # noqa: N818 - a private marker, never raised to users
    """The round's leader was cancelled before the round finished."""


_ABANDONED: Final = _Abandoned()


@final
class HubRegistry(Generic[KeyT, ObsT]):
    """Finds the hub for a (client, key) pair, so waiters built separately share one.

    Hubs are held per owner (for example an aiobotocore client) in a ``PerClient``
    registry, through a weak reference: a closed and collected client takes its hubs
    with it. A hub leaves the registry when its last subscriber leaves.

    Example:
        >>> from waitkit.extend import HubRegistry
        >>> registry: HubRegistry[str, int] = HubRegistry()
    """

    def __init__(self) -> None:
        self._hubs: PerClient[Hashable, ObservationHub[KeyT, ObsT]] = PerClient()

    def get(
        self,
        owner: object,
        key: Hashable,
        factory: Callable[[], ObservationHub[KeyT, ObsT]],
    ) -> ObservationHub[KeyT, ObsT]:
        """The hub of ``(owner, key)``, created by ``factory`` when there is none."""
        hub = self._hubs.get(owner, key)
        if hub is None:
            hub = factory()
            self._hubs.set(owner, key, hub)
            # Weakly: the registry must not keep the owner alive through its hub.
            owner_ref = weakref.ref(owner)
            hub._on_empty.append(lambda: self._forget(owner_ref, key, hub))  # noqa: SLF001 - same module
        return hub

    def _forget(
        self, owner_ref: weakref.ref[object], key: Hashable, hub: ObservationHub[KeyT, ObsT]
    ) -> None:
        owner = owner_ref()
        if owner is not None:
            self._hubs.discard(owner, key, hub)

    def __len__(self) -> int:
        return len(self._hubs)


@final
class HubWait(PerWait[WaiterT, StateT], Generic[WaiterT, StateT, KeyT, ObsT]):
    """One wait served by a hub: subscribed for the whole wait, each look one hub answer.

    The wait's state is the hub it subscribed to: found when the session opens (so a
    hub that closed since ``for_wait`` is never joined), read by every look of the wait.

    Args:
        waiter: the waiter (kind, verdict, classifier, ...).
        hub: finds the hub, usually through a :class:`HubRegistry`.
        key: what this wait subscribes to.
        max_age: how old an answer may be (the waiter's ``min_delay``).
        read: turns the hub's answer for ``key`` (``None``: not seen) into a state.

    Example:
        >>> # class GroupWaiter(Waiter[GroupState]):
        >>> #     def for_wait(self, deadline):
        >>> #         return HubWait(self, hub=self._hub, key=self._group,
        >>> #                        max_age=self.policy.min_delay, read=self._read)
    """

    def __init__(
        self,
        waiter: WaiterT,
        *,
        hub: Callable[[], ObservationHub[KeyT, ObsT]],
        key: KeyT,
        max_age: float,
        read: Callable[[ObsT | None], Awaitable[StateT]],
    ) -> None:
        super().__init__(waiter)
        self._find_hub = hub
        self._key = key
        self._max_age = max_age
        self._read = read
        self._hub: ObservationHub[KeyT, ObsT] | None = None

    @contextlib.asynccontextmanager
    async def session(self) -> AsyncIterator[None]:
        """Subscribe to the hub for the wait."""
        hub = self._find_hub()
        async with hub.subscribe(self._key):
            self._hub = hub
            try:
                yield
            finally:
                self._hub = None

    async def observe(self) -> StateT:
        """The key's answer from a round younger than ``max_age``, read into a state."""
        if self._hub is None:
            msg = "observe() outside the wait's session"
            raise RuntimeError(msg)
        return await self._read(await self._hub.observe(self._key, max_age=self._max_age))
