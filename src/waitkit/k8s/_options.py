"""How the watch-based waiters look: WatchOptions for the stream, WATCH_POLICY for the engine.

WatchOptions says how waitkit lists and watches (server and client timeouts, reconnects,
polling); WATCH_POLICY is the default policy of every waiter that reads a watch.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Final, final

from waitkit._core import ConfigurationError, Policy, require_int


@final
@dataclass(frozen=True, slots=True, kw_only=True)
class WatchOptions:
    """How a shared list+watch behaves. Immutable; one value may serve any number of waiters.

    The first waiter that opens a stream fixes its options; later waiters on the same
    stream (same client, namespace, kind and selector) share it as it is.

    Args:
        watch: ``False`` to poll with LIST calls instead (for proxies that break
            streaming); waiters then share one LIST per ``poll_interval``.
        server_timeout: ``timeoutSeconds`` asked of the server for each watch request
            (jittered up by to 25 %); the server then ends the stream cleanly and waitkit
            watches again from the last resourceVersion seen.
        read_timeout: the longest silence tolerated on a stream before it is taken for a
            dead connection and reopened with backoff (default: ``server_timeout`` * 1.25 + 10).
        connect_timeout: seconds to connect to the API server.
        long_poll: the longest one observation waits for a change of its object (also
            capped at half the policy's ``call_timeout``). It bounds how far a wait may
            overshoot its deadline.
        reconnect_min_delay / reconnect_max_delay: the backoff between reconnects after a
            dropped stream, doubling from one to the other, with jitter.
        poll_interval: poll mode only: how old a LIST may be and still answer.
        page_size: ``limit`` of each LIST page.

    Example:
        >>> WatchOptions(server_timeout=60).read_timeout_seconds
        85.0
    """

    watch: bool = True
    server_timeout: float = 300.0
    read_timeout: float | None = None
    connect_timeout: float = 10.0
    long_poll: float = 2.0
    reconnect_min_delay: float = 0.2
    reconnect_max_delay: float = 10.0
    poll_interval: float = 2.0
    page_size: int = 500

    def __post_init__(self) -> None:
        for name in (
            "server_timeout",
            "connect_timeout",
            "long_poll",
            "reconnect_min_delay",
            "reconnect_max_delay",
            "poll_interval",
        ):
            _positive(name, getattr(self, name))
        if self.read_timeout is not None:
            _positive("read_timeout", self.read_timeout)
        if self.server_timeout < 1:
            msg = (
                "WatchOptions.server_timeout must be >= 1 second (the API takes whole seconds),"
                f" got {self.server_timeout!r}"
            )
            raise ConfigurationError(msg)
        if self.reconnect_max_delay < self.reconnect_min_delay:
            msg = (
                "WatchOptions.reconnect_max_delay must be >= reconnect_min_delay, got "
                f"{self.reconnect_max_delay!r} < {self.reconnect_min_delay!r}"
            )
            raise ConfigurationError(msg)
        require_int("WatchOptions.page_size", self.page_size, 1)

    @property
    def read_timeout_seconds(self) -> float:
        """The read timeout in effect (explicit, or derived from ``server_timeout``)."""
        if self.read_timeout is not None:
            return self.read_timeout
        return self.server_timeout * 1.25 + 10.0


def _positive(name: str, value: object) -> None:
    if (
        isinstance(value, bool)
        or not isinstance(value, int | float)
        or not math.isfinite(value)
        or value <= 0
    ):
        msg = f"WatchOptions.{name} must be a finite number of seconds > 0, got {value!r}"
        raise ConfigurationError(msg)


DEFAULT_OPTIONS = WatchOptions()

#: The default policy of the Kubernetes waiters: a look at a watched object costs no API
#: call, so the engine looks often.
# A look at a watched object waits for news itself (a long-poll on the shared stream, or
# a shared LIST in poll mode), so the engine's sleep between looks only adds latency: an
# event that lands during a 1 s sleep was seen up to 1 s late (p99 610 ms with 1,000
# waiters in benchmarks/watch_latency.py). Keep the sleep short.
WATCH_POLICY: Final = Policy(min_delay=0.01, max_delay=0.05)
