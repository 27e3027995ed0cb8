import gc

import pytest

from waitkit._core._per_client import PerClient


class Client:
    """A stand-in for an SDK client: any weakly referenceable object."""


def test_values_are_kept_per_client_and_key_and_made_once() -> None:
    """get_or_create makes a value once per (client, key); clients do not share values."""
    registry: PerClient[str, list[int]] = PerClient()
    one, two = Client(), Client()
    first = registry.get_or_create(one, "a", list)
    assert registry.get_or_create(one, "a", list) is first
    assert registry.get_or_create(two, "a", list) is not first
    registry.get_or_create(one, "b", list)
    assert (registry.count(one), registry.count(two), len(registry)) == (2, 1, 3)
    assert registry.get(two, "b") is None


def test_discard_drops_only_the_value_still_registered() -> None:
    """A replaced value's clean-up never drops its successor."""
    registry: PerClient[str, object] = PerClient()
    client, old, new = Client(), object(), object()
    registry.set(client, "k", old)
    registry.set(client, "k", new)
    registry.discard(client, "k", old)
    assert registry.get(client, "k") is new
    registry.discard(client, "k", new)
    assert (registry.get(client, "k"), len(registry)) == (None, 0)


def test_a_collected_client_takes_its_values_with_it() -> None:
    """The client is held weakly: once it is gone, so are its values."""
    registry: PerClient[None, object] = PerClient()
    client = Client()
    registry.get_or_create(client, None, object)
    del client
    gc.collect()
    assert len(registry) == 0


def test_a_client_that_cannot_be_weakly_referenced_is_refused() -> None:
    """TypeError, so callers that can do without sharing fall back (budget_for returns None)."""
    registry: PerClient[None, object] = PerClient()
    with pytest.raises(TypeError):
        registry.get_or_create(42, None, object)
