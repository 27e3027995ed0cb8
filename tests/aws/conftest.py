"""Fixtures for the AWS waiters: real aiobotocore clients against the emulator over 127.0.0.1.

With ``WAITKIT_TEST_CLIENTS=aioboto3`` (the ``tests_aioboto3`` nox session) the clients
are made by ``aioboto3.Session`` instead, as many users make them.
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from typing import Any

import pytest
from aiobotocore.session import get_session

from waitkit import Policy

#: Fast enough for short scripted timelines; real deadlines, real clock.
FAST = Policy(min_delay=0.02, max_delay=0.1, timeout=10, call_timeout=5, throttle_min_delay=0.05)

ClientFactory = Callable[..., AbstractAsyncContextManager[Any]]

USING_AIOBOTO3 = os.environ.get("WAITKIT_TEST_CLIENTS") == "aioboto3"


@pytest.fixture
def aws_client() -> ClientFactory:
    """A factory of real aiobotocore clients, used as ``async with make(service, endpoint)``.

    botocore's own retries are off (``max_attempts=1``) so the tests see what waitkit does.
    """
    from aiobotocore.config import AioConfig

    @asynccontextmanager
    async def make(service: str, endpoint_url: str, **config: Any) -> AsyncIterator[Any]:
        retries = config.pop("retries", {"max_attempts": 1, "mode": "standard"})
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

    return make
