import math
import pickle
from datetime import timedelta
from itertools import islice

import pytest

from waitkit import ConfigurationError, Policy

BAD_POLICIES = [
    ({"min_delay": -1}, "Policy.min_delay", "> 0"),
    ({"min_delay": 0}, "Policy.min_delay", "> 0"),
    ({"min_delay": 0, "max_delay": 0.1}, "Policy.min_delay", "> 0"),
    ({"throttle_min_delay": 0}, "Policy.throttle_min_delay", "> 0"),
    ({"transient_grace": -1}, "Policy.transient_grace", ">= 0"),
    ({"min_delay": math.nan}, "Policy.min_delay", "finite"),
    ({"max_delay": math.inf}, "Policy.max_delay", "finite"),
    ({"min_delay": 10, "max_delay": 5}, "Policy.max_delay", ">= min_delay"),
    ({"timeout": 0}, "Policy.timeout", "> 0"),
    ({"timeout": -5}, "Policy.timeout", "> 0"),
    ({"timeout": "10"}, "Policy.timeout", "number of seconds"),
    ({"call_timeout": 0}, "Policy.call_timeout", "> 0"),
    ({"jitter": "random"}, "Policy.jitter", "'smithy'"),
    ({"unknown_status": "ignore"}, "Policy.unknown_status", "'pending', 'fail'"),
    ({"max_transient_errors": -1}, "Policy.max_transient_errors", ">= 0"),
    ({"max_transient_errors": 1.5}, "Policy.max_transient_errors", "integer"),
    ({"history_limit": 0}, "Policy.history_limit", ">= 1"),
    ({"throttle_min_delay": 5, "throttle_max_delay": 1}, "Policy.throttle_max_delay", ">="),
    ({"not_found_grace": -0.1}, "Policy.not_found_grace", ">= 0"),
    ({"seed": "abc"}, "Policy.seed", "integer"),
    ({"min_delay": True}, "Policy.min_delay", "number of seconds"),
]


@pytest.mark.parametrize(("kwargs", "field", "range_text"), BAD_POLICIES)
def test_invalid_values_name_the_field_and_range(kwargs, field, range_text):
    """Every invalid value raises ConfigurationError naming the field and the allowed range."""
    with pytest.raises(ConfigurationError) as info:
        Policy(**kwargs)
    assert field in str(info.value)
    assert range_text in str(info.value)
    assert isinstance(info.value, ValueError)


def test_durations_accept_timedelta_and_none():
    """Durations are float seconds or timedelta; None means no bound."""
    policy = Policy(timeout=timedelta(minutes=2), min_delay=timedelta(milliseconds=500))
    assert policy.timeout == 120.0
    assert policy.min_delay == 0.5
    assert Policy(timeout=None, call_timeout=None).timeout is None


def test_policy_is_immutable_and_replace_validates():
    """A policy cannot be changed in place; replace() returns a validated copy."""
    policy = Policy()
    with pytest.raises(AttributeError, match="immutable"):
        policy.min_delay = 5  # type: ignore[misc]
    faster = policy.replace(min_delay=0.5)
    assert faster.min_delay == 0.5
    assert policy.min_delay == 2.0
    with pytest.raises(ConfigurationError, match="no field"):
        policy.replace(min_dealy=1)
    with pytest.raises(ConfigurationError, match=r"Policy\.max_delay"):
        policy.replace(max_delay=1)


def test_an_unknown_field_is_a_configuration_error_naming_the_fields():
    """Policy(bogus=1) is refused like any bad value, with the fields it does have."""
    with pytest.raises(
        ConfigurationError, match=r"no field\(s\) \['bogus'\]; fields are .*'timeout'"
    ):
        Policy(bogus=1)  # type: ignore[call-arg]


def test_policy_equality_hash_repr_and_pickle():
    """Policies compare by value, hash, repr their fields and survive pickling."""
    a, b = Policy(min_delay=1), Policy(min_delay=1)
    assert a == b
    assert hash(a) == hash(b)
    assert a != Policy(min_delay=2)
    assert a != "policy"
    assert "min_delay=1.0" in repr(a)
    assert pickle.loads(pickle.dumps(a)) == a


def test_delays_show_the_schedule_without_waiting():
    """delays() yields the un-clamped polling schedule: doubling from min_delay to max_delay."""
    policy = Policy(min_delay=1, max_delay=10, jitter="none")
    assert list(islice(policy.delays(), 6)) == [1.0, 2.0, 4.0, 8.0, 10.0, 10.0]


def test_seeded_policy_repeats_its_jitter():
    """Two waits under a seeded policy sleep the same jittered delays."""
    policy = Policy(min_delay=1, max_delay=60, seed=7)
    assert list(islice(policy.delays(), 10)) == list(islice(policy.delays(), 10))
