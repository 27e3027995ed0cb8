"""How many pod logs one client may follow at once: its connection pool, less a reserve.

A followed log holds an HTTP/1.1 connection while its container runs (aiohttp does not
multiplex), and kubernetes_asyncio's pool is bounded (``connection_pool_maxsize``, 100 by
default). With every connection held by a stream, the Jobs' own watch and LISTs would
wait behind them: so the log streams of one client take turns for its pool less
:data:`RESERVED` connections.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Final

import anyio

from waitkit._core import PerClient

if TYPE_CHECKING:
    from kubernetes_asyncio.client import ApiClient

#: Connections of a client's pool kept for its watches, LISTs and log-tail reads.
RESERVED: Final = 8


@dataclass(slots=True)
class StreamPool:
    """The log streams one client may hold at once, and whether waiting for one was said."""

    slots: anyio.Semaphore
    limit: int
    told: bool = False

    def full(self) -> bool:
        """Whether a new stream would wait for one to end."""
        return self.slots.value == 0

    def full_text(self) -> str:
        """The notice of a stream that waits its turn."""
        return (
            f"log streams wait for a connection: the client opens {self.limit} at most"
            f" (connection_pool_maxsize), {RESERVED} kept for the Jobs' watches; each followed"
            " log holds one while its container runs. They take turns and lose no line;"
            " api_client(max_connections=...) makes room"
        )


_POOLS: PerClient[None, StreamPool] = PerClient()


def stream_pool(api: ApiClient) -> StreamPool | None:
    """The stream slots of ``api`` (``None``: its pool is unbounded)."""
    limit = getattr(getattr(api, "configuration", None), "connection_pool_maxsize", None)
    if not isinstance(limit, int) or limit <= 0:
        return None
    return _POOLS.get_or_create(
        api, None, lambda: StreamPool(anyio.Semaphore(max(1, limit - RESERVED)), limit)
    )
