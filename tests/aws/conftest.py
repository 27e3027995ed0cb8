"""Fixtures for the AWS waiters: real aiobotocore clients over 127.0.0.1 (emulator, moto).

With ``WAITKIT_TEST_CLIENTS=aioboto3`` (the ``tests_aioboto3`` nox session) the clients
are made by ``aioboto3.Session`` instead, as many users make them.
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from typing import Any

import pytest
from aiobotocore.config import AioConfig
from aiobotocore.session import get_session

from waitkit import Policy

#: Fast enough for short scripted timelines; real deadlines, real clock.
FAST = Policy(min_delay=0.02, max_delay=0.1, timeout=10, call_timeout=5, throttle_min_delay=0.05)

ClientFactory = Callable[..., AbstractAsyncContextManager[Any]]

USING_AIOBOTO3 = os.environ.get("WAITKIT_TEST_CLIENTS") == "aioboto3"

# One attempt per call: botocore's own retries would hide what waitkit does. (botocore's
# `max_attempts` counts retries; `total_max_attempts` counts the first call too.)
ONE_ATTEMPT = {"total_max_attempts": 1, "mode": "standard"}


@asynccontextmanager
async def make_client(service: str, endpoint_url: str, **config: Any) -> AsyncIterator[Any]:
    """A real aiobotocore (or aioboto3) client with fake credentials, closed on exit."""
    retries = config.pop("retries", ONE_ATTEMPT)
    options = {
        "region_name": "us-east-1",
        "endpoint_url": endpoint_url,
        "aws_access_key_id": "testing",
        "aws_secret_access_key": "testing",
        "config": AioConfig(retries=retries, **config),
    }
    if USING_AIOBOTO3:
        import aioboto3

        async with aioboto3.Session().client(service, **options) as client:
            yield client
    else:
        async with get_session().create_client(service, **options) as client:
            yield client


@pytest.fixture
def aws_client() -> ClientFactory:
    """A factory of real clients: ``async with make(service, endpoint) as client``."""
    return make_client


@pytest.fixture(scope="session")
def moto_endpoint() -> Iterator[str]:
    """Moto's server mode on a free 127.0.0.1 port, for the session (tests use distinct names)."""
    from moto.server import ThreadedMotoServer  # heavy: only the tests that use moto load it

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    try:
        yield f"http://{host}:{port}"
    finally:
        server.stop()
