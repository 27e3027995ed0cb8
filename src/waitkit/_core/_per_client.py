"""PerClient: what the library keeps per client (a pace, hubs, watches, log slots, discovery).

Every process-wide registry keyed by client is one of these, so each answers the same
questions the same way:

- the client is held weakly: a closed and collected client takes its values with it,
  and the library never keeps a caller's client alive;
- under a client, values are kept by a key (a group, a function, a watched
  collection; ``None`` when a client has one value);
- a value is dropped only if it is still the one registered (:meth:`PerClient.discard`),
  so a value that was replaced meanwhile is never dropped by its predecessor's clean-up.

A registry serves one event loop at a time, like the values it holds.
"""

from __future__ import annotations

import weakref
from collections.abc import Callable, Hashable
from typing import Generic, TypeVar, final

KeyT = TypeVar("KeyT", bound=Hashable | None)
ValueT = TypeVar("ValueT")


@final
class PerClient(Generic[KeyT, ValueT]):
    """Values per (client, key), the client held through a weak reference.

    Raises ``TypeError`` (from :mod:`weakref`) for a client that cannot be weakly
    referenced; callers that can do without sharing catch it.

    Example:
        >>> class Client: ...
        >>> paces: PerClient[None, list[float]] = PerClient()
        >>> client = Client()
        >>> paces.get_or_create(client, None, list) is paces.get_or_create(client, None, list)
        True
        >>> paces.count(client), len(paces)
        (1, 1)
    """

    __slots__ = ("_by_client",)

    def __init__(self) -> None:
        self._by_client: weakref.WeakKeyDictionary[object, dict[KeyT, ValueT]]
        self._by_client = weakref.WeakKeyDictionary()

    def get(self, client: object, key: KeyT) -> ValueT | None:
        """The value of ``(client, key)``, or ``None``."""
        values = self._by_client.get(client)
        return None if values is None else values.get(key)

    def get_or_create(self, client: object, key: KeyT, factory: Callable[[], ValueT]) -> ValueT:
        """The value of ``(client, key)``, made by ``factory`` when there is none."""
        values = self._by_client.get(client)
        if values is None:
            values = self._by_client[client] = {}
        value = values.get(key)
        if value is None:
            value = values[key] = factory()
        return value

    def set(self, client: object, key: KeyT, value: ValueT) -> None:
        """Register ``value`` for ``(client, key)``, replacing any other."""
        self._by_client.setdefault(client, {})[key] = value

    def discard(self, client: object, key: KeyT, value: ValueT) -> None:
        """Drop ``(client, key)`` if ``value`` is still the one registered there."""
        values = self._by_client.get(client)
        if values is not None and values.get(key) is value:
            del values[key]
            if not values:
                del self._by_client[client]

    def count(self, client: object) -> int:
        """How many values ``client`` has."""
        return len(self._by_client.get(client, {}))

    def __len__(self) -> int:
        return sum(len(values) for values in self._by_client.values())
