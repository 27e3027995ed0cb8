"""Policy: how long and how often to wait. Immutable, validated, safe to share across waits."""

from __future__ import annotations

import random
from typing import TYPE_CHECKING, Any, Final, Literal, Never, final, get_args

from waitkit._core._backoff import JITTERS, Jitter, Schedule
from waitkit._core._durations import optional_seconds, seconds
from waitkit._core._errors import ConfigurationError
from waitkit._core._validate import require_int

if TYPE_CHECKING:
    from collections.abc import Iterator, Mapping

    from waitkit._core._durations import Duration

UnknownStatus = Literal["pending", "fail"]

# Shared by every unseeded wait; seeded policies get a Random of their own per wait.
_SHARED_RANDOM: Final = random.Random()


@final
class Policy:
    """How long and how often a wait observes its resource.

    A policy is immutable and holds no per-wait state, so one instance can serve
    thousands of concurrent waits. Change one field with :meth:`replace`.

    Args:
        timeout: total seconds a wait may take (float or timedelta); ``None`` for no bound.
            Default 600 s, the median budget of botocore's waiters.
        min_delay: the shortest sleep between observations, > 0 (a zero floor would never
            back off: the exponential of zero is zero). Default 2 s (Smithy's default).
        max_delay: the longest sleep between observations. Default 120 s (Smithy's default).
        jitter: ``"smithy"`` (default), ``"full"``, ``"equal"``, ``"decorrelated"`` or ``"none"``;
            the formulas are on the Concepts page, under Backoff.
        call_timeout: the longest one observation (one API call) may take before it is
            cancelled and counted as a transient error; ``None`` for no bound. The wait's
            deadline cuts a call in any case. Default 30 s. (Calls share one armed timer;
            one it cuts early is made again at once, within the same ``call_timeout``
            from its first start.)
        max_transient_errors: how many *consecutive* transient errors (5xx, connection
            failures, call timeouts) are retried before the wait raises
            :class:`~waitkit.ProbeError`, once they have also lasted ``transient_grace``.
            Throttling does not count. Default 5.
        transient_grace: for how long a streak of transient errors is survived, whatever
            their count: a wait fails on them only after they have lasted this long *and*
            exceeded ``max_transient_errors``, so a short outage is ridden out even by a
            fast-polling waiter. Before any state was seen, errors that have lasted this
            long fail the wait whatever their count (an endpoint that never answered).
            Default 5 s.
        throttle_min_delay: the first sleep after a throttling error without a
            ``Retry-After`` hint, > 0; it doubles on each consecutive throttle. Default 1 s.
        throttle_max_delay: the cap of the throttling backoff. Default 60 s.
        unknown_status: what to do with a status the waiter does not know: ``"pending"``
            (keep waiting; services add intermediate states) or ``"fail"`` (raise
            :class:`~waitkit.UnexpectedStateError`). Default ``"pending"``.
        not_found_grace: for how many seconds after the wait starts a "not found" answer
            means "not visible yet" (eventual consistency right after a create) rather
            than :class:`~waitkit.ResourceNotFoundError`. Default 0.
        history_limit: how many distinct states a wait keeps (the most recent). Default 100.
        seed: seed the jitter for a reproducible schedule (tests); ``None`` for random.

    Raises:
        ConfigurationError: a value is out of range; the message names the field.

    Example:
        >>> from waitkit import Policy
        >>> fast = Policy(min_delay=0.5, max_delay=5, timeout=60)
        >>> fast.replace(jitter="none").jitter
        'none'
    """

    __slots__ = (
        "call_timeout",
        "history_limit",
        "jitter",
        "max_delay",
        "max_transient_errors",
        "min_delay",
        "not_found_grace",
        "seed",
        "throttle_max_delay",
        "throttle_min_delay",
        "timeout",
        "transient_grace",
        "unknown_status",
    )

    timeout: float | None
    min_delay: float
    max_delay: float
    jitter: Jitter
    call_timeout: float | None
    max_transient_errors: int
    transient_grace: float
    throttle_min_delay: float
    throttle_max_delay: float
    unknown_status: UnknownStatus
    not_found_grace: float
    history_limit: int
    seed: int | None

    def __init__(
        self,
        *,
        timeout: Duration | None = 600.0,
        min_delay: Duration = 2.0,
        max_delay: Duration = 120.0,
        jitter: Jitter = "smithy",
        call_timeout: Duration | None = 30.0,
        max_transient_errors: int = 5,
        transient_grace: Duration = 5.0,
        throttle_min_delay: Duration = 1.0,
        throttle_max_delay: Duration = 60.0,
        unknown_status: UnknownStatus = "pending",
        not_found_grace: Duration = 0.0,
        history_limit: int = 100,
        seed: int | None = None,
        **unknown: Never,
    ) -> None:
        # An unknown field is a ConfigurationError like any bad value (and a type error
        # for mypy, through Never), not Python's bare TypeError.
        _refuse_unknown(unknown)
        values: dict[str, Any] = {
            "timeout": optional_seconds("Policy.timeout", timeout, positive=True),
            "min_delay": seconds("Policy.min_delay", min_delay, positive=True),
            "max_delay": seconds("Policy.max_delay", max_delay),
            "jitter": _choice("Policy.jitter", jitter, JITTERS),
            "call_timeout": optional_seconds("Policy.call_timeout", call_timeout, positive=True),
            "max_transient_errors": require_int(
                "Policy.max_transient_errors", max_transient_errors, 0
            ),
            "transient_grace": seconds("Policy.transient_grace", transient_grace),
            "throttle_min_delay": seconds(
                "Policy.throttle_min_delay", throttle_min_delay, positive=True
            ),
            "throttle_max_delay": seconds("Policy.throttle_max_delay", throttle_max_delay),
            "unknown_status": _choice(
                "Policy.unknown_status", unknown_status, get_args(UnknownStatus)
            ),
            "not_found_grace": seconds("Policy.not_found_grace", not_found_grace),
            "history_limit": require_int("Policy.history_limit", history_limit, 1),
            "seed": _seed(seed),
        }
        if values["max_delay"] < values["min_delay"]:
            msg = (
                f"Policy.max_delay must be >= min_delay ({values['min_delay']} s), "
                f"got {values['max_delay']} s"
            )
            raise ConfigurationError(msg)
        if values["throttle_max_delay"] < values["throttle_min_delay"]:
            msg = (
                f"Policy.throttle_max_delay must be >= throttle_min_delay "
                f"({values['throttle_min_delay']} s), got {values['throttle_max_delay']} s"
            )
            raise ConfigurationError(msg)
        for name, value in values.items():
            object.__setattr__(self, name, value)

    def replace(self, **changes: Any) -> Policy:  # noqa: ANN401 - validated like __init__
        """A copy with some fields changed (validated like the constructor).

        Raises:
            ConfigurationError: an unknown field or an invalid value.
        """
        _refuse_unknown(changes)
        return Policy(**{**self._fields(), **changes})

    def schedule(self) -> Schedule:
        """A fresh per-wait :class:`Schedule` (its own counters; seeded when the policy is)."""
        rng = _SHARED_RANDOM if self.seed is None else random.Random(self.seed)
        return Schedule(
            jitter=self.jitter,
            min_delay=self.min_delay,
            max_delay=self.max_delay,
            throttle_min_delay=self.throttle_min_delay,
            throttle_max_delay=self.throttle_max_delay,
            rng=rng,
        )

    def delays(self) -> Iterator[float]:
        """The polling delays this policy would sleep, without a deadline (endless).

        Useful to see or test a schedule without waiting for it.

        Example:
            >>> from itertools import islice
            >>> from waitkit import Policy
            >>> list(islice(Policy(min_delay=1, max_delay=8, jitter="none").delays(), 5))
            [1.0, 2.0, 4.0, 8.0, 8.0]
        """
        schedule = self.schedule()
        while True:
            yield schedule.next()

    def _fields(self) -> dict[str, Any]:
        return {name: getattr(self, name) for name in self.__slots__}

    def __setattr__(self, name: str, value: object) -> None:
        msg = f"Policy is immutable; use policy.replace({name}=...)"
        raise AttributeError(msg)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Policy):
            return NotImplemented
        return self._fields() == other._fields()

    def __hash__(self) -> int:
        return hash(tuple(self._fields().values()))

    def __repr__(self) -> str:
        fields = ", ".join(f"{name}={value!r}" for name, value in self._fields().items())
        return f"Policy({fields})"

    def __reduce__(self) -> tuple[Any, ...]:
        return (_from_fields, (self._fields(),))


def _refuse_unknown(fields: Mapping[str, object]) -> None:
    unknown = set(fields) - set(Policy.__slots__)
    if unknown:
        msg = f"Policy has no field(s) {sorted(unknown)}; fields are {sorted(Policy.__slots__)}"
        raise ConfigurationError(msg)


def _from_fields(fields: dict[str, Any]) -> Policy:
    return Policy(**fields)


def _choice(name: str, value: object, allowed: tuple[str, ...]) -> str:
    if value not in allowed:
        msg = f"{name} must be one of {', '.join(map(repr, allowed))}, got {value!r}"
        raise ConfigurationError(msg)
    return str(value)


def _seed(value: object) -> int | None:
    if value is not None and (not isinstance(value, int) or isinstance(value, bool)):
        msg = f"Policy.seed must be an integer or None, got {value!r}"
        raise ConfigurationError(msg)
    return value


DEFAULT_POLICY: Final = Policy()


def ensure_policy(value: object) -> Policy:
    """``value`` if it is a :class:`Policy`, else :class:`ConfigurationError`."""
    if not isinstance(value, Policy):
        msg = f"policy must be a waitkit.Policy, got {type(value).__name__}"
        raise ConfigurationError(msg)
    return value
