"""Shared parts of the reliability tests: real clients, a scripted DynamoDB server, leak checks.

Everything talks over real sockets on 127.0.0.1: the emulator for the four waitkit
waiters, and a small aiohttp server of our own that speaks DynamoDB's JSON 1.0 wire
shape (with its own faults) for ``botocore_waiter``, because the emulator serves no
operation that a botocore waiter model polls.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

import anyio
from aiobotocore.config import AioConfig
from aiobotocore.session import get_session
from aiohttp import web

from waitkit import Policy
from waitkit._core._throttle import _BUDGETS
from waitkit.emulator import Emulator
from waitkit.extend import ThrottleBudget

#: Fast delays, a bounded wait and a short per-call timeout.
FAST = Policy(
    min_delay=0.02,
    max_delay=0.1,
    timeout=8,
    call_timeout=2,
    throttle_min_delay=0.05,
    throttle_max_delay=0.2,
    max_transient_errors=5,
    transient_grace=0.5,  # a persistent fault ends the wait in half a second, not five
)

#: botocore's own retries off: one HTTP attempt per call, so waitkit's handling is what is tested.
ONE_ATTEMPT = {"total_max_attempts": 1, "mode": "standard"}

FAKE_KEY_ID = "testing"
FAKE_SECRET = "testing"

#: One botocore session for every client: it loads each service model once per process
#: (a fresh session per client costs 0.1-0.2 s of JSON loading). Credentials are always
#: passed explicitly, so nothing a session caches from the environment is used.
_SESSION = get_session()

#: The pace of :func:`fast_throttle_budget`, in calls a second.
FAST_THROTTLE_RATE = 20.0


@asynccontextmanager
async def aws_client(
    service: str,
    endpoint_url: str,
    *,
    key_id: str = FAKE_KEY_ID,
    secret: str = FAKE_SECRET,
    token: str | None = None,
) -> AsyncIterator[Any]:
    """A real aiobotocore client on ``endpoint_url`` with explicit (fake) credentials."""
    async with _SESSION.create_client(
        service,
        region_name="us-east-1",
        endpoint_url=endpoint_url,
        aws_access_key_id=key_id,
        aws_secret_access_key=secret,
        aws_session_token=token,
        config=AioConfig(retries=ONE_ATTEMPT, connect_timeout=5, read_timeout=10),
    ) as client:
        yield client


def fast_throttle_budget(client: object) -> ThrottleBudget:
    """Make ``client``'s shared throttle budget one paced for tests, and return it.

    The library's budget (``budget_for``) falls to 0.5 calls a second when a wait's very
    first call is throttled (nothing was accepted yet to measure a rate from), so every
    later poll on that client waits 2 s. Same budget, same code path, a faster floor.
    There is no public way to choose the budget of a client: this fills the library's
    private per-client map, which ``budget_for`` reads.
    """
    budget = ThrottleBudget(min_rate=FAST_THROTTLE_RATE)
    _BUDGETS.set(client, None, budget)
    return budget


def running_tasks() -> int:
    """Tasks alive on the event loop now."""
    return len(anyio.get_running_tasks())


async def settle(before: int, emu: Emulator | None = None) -> int:
    """Wait (briefly) until the loop has ``before`` tasks and no watch is open; return the count."""
    with anyio.move_on_after(3):
        while running_tasks() > before or (emu is not None and emu.counters.watches_open):  # noqa: ASYNC110
            await anyio.sleep(0.01)
    return running_tasks()


# --------------------------------------------------------------------- scripted DynamoDB

#: Fault kinds the scripted DynamoDB server understands (the emulator's names).
DYNAMO_FAULTS = ("throttle", "error", "drop", "latency", "truncate", "malformed")


@dataclass
class DynamoFault:
    """One fault of the scripted DynamoDB server, fired on the next ``count`` requests."""

    kind: str
    count: int | None = 1
    retry_after: float | None = None
    status: int = 503
    delay: float = 0.0


@dataclass
class DynamoTable:
    """The table the server describes: ``CREATING`` for ``active_after`` answers, then ACTIVE.

    Counted in answered reads, not seconds, so a fault injected after the first state
    lands while the table is still CREATING however slow the machine is.
    ``deleted`` makes every DescribeTable a ``ResourceNotFoundException``.
    """

    active_after: int
    deleted: bool = False
    faults: list[DynamoFault] = field(default_factory=list)
    received: int = 0
    described: int = 0
    fired: dict[str, int] = field(default_factory=dict)

    def add(self, fault: DynamoFault) -> None:
        """Add a fault at run time."""
        self.faults.append(fault)


def _dynamo_error(code: str, status: int, headers: dict[str, str] | None = None) -> web.Response:
    body = {"__type": f"com.amazonaws.dynamodb.v20120810#{code}", "message": code}
    return web.Response(
        status=status,
        body=json.dumps(body).encode(),
        headers={"Content-Type": "application/x-amz-json-1.0", **(headers or {})},
    )


@asynccontextmanager
async def scripted_dynamodb(table: DynamoTable) -> AsyncIterator[str]:  # noqa: C901
    """A real HTTP server answering DescribeTable for ``table``, with its faults; yields the URL."""

    async def handle(request: web.Request) -> web.StreamResponse:  # noqa: PLR0911
        await request.read()
        table.received += 1
        fault = next((f for f in table.faults if f.count is None or f.count > 0), None)
        if fault is not None:
            if fault.count is not None:
                fault.count -= 1
            table.fired[fault.kind] = table.fired.get(fault.kind, 0) + 1
        kind = fault.kind if fault is not None else None
        if fault is not None and kind == "latency":
            await asyncio.sleep(fault.delay)
        if fault is not None and kind == "throttle":
            headers = {} if fault.retry_after is None else {"Retry-After": f"{fault.retry_after:g}"}
            return _dynamo_error("ThrottlingException", 400, headers)
        if fault is not None and kind == "error":
            return _dynamo_error("InternalServerError", fault.status)
        if kind == "drop":
            assert request.transport is not None
            request.transport.close()
            return web.Response(status=500)  # never sent: the connection is gone
        if table.deleted:
            return _dynamo_error("ResourceNotFoundException", 400)
        status = "ACTIVE" if table.described >= table.active_after else "CREATING"
        table.described += 1
        body = json.dumps({"Table": {"TableName": "orders", "TableStatus": status}}).encode()
        headers = {"Content-Type": "application/x-amz-json-1.0"}
        if kind == "malformed":
            return web.Response(status=200, body=b'{"Table": {"TableStatus": ', headers=headers)
        if kind == "truncate":
            response = web.StreamResponse(status=200, headers=headers)
            response.content_length = len(body)
            await response.prepare(request)
            await response.write(body[: len(body) // 2])
            assert request.transport is not None
            request.transport.close()
            return response
        return web.Response(status=200, body=body, headers=headers)

    async with post_server(handle) as url:
        yield url


@asynccontextmanager
async def post_server(
    handle: Callable[[web.Request], Awaitable[web.StreamResponse]],
) -> AsyncIterator[str]:
    """A real HTTP server on 127.0.0.1 answering every POST / with ``handle``; yields its URL."""
    app = web.Application()
    app.router.add_post("/", handle)
    runner = web.AppRunner(app, shutdown_timeout=1)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    try:
        yield f"http://127.0.0.1:{runner.addresses[0][1]}"
    finally:
        await runner.cleanup()
