"""Fixtures for the AWS waiters: real aiobotocore clients against the emulator over 127.0.0.1."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from typing import Any

import pytest
from aiobotocore.session import get_session

from waitkit import Policy

#: Fast enough for short scripted timelines; real deadlines, real clock.
FAST = Policy(min_delay=0.02, max_delay=0.1, timeout=10, call_timeout=5, throttle_min_delay=0.05)

ClientFactory = Callable[..., AbstractAsyncContextManager[Any]]


@pytest.fixture
def aws_client() -> ClientFactory:
    """A factory of real aiobotocore clients, used as ``async with make(service, endpoint)``.

    botocore's own retries are off (``max_attempts=1``) so the tests see what waitkit does.
    """
    from aiobotocore.config import AioConfig

    @asynccontextmanager
    async def make(service: str, endpoint_url: str, **config: Any) -> AsyncIterator[Any]:
        session = get_session()
        retries = config.pop("retries", {"max_attempts": 1, "mode": "standard"})
        async with session.create_client(
            service,
            region_name="us-east-1",
            endpoint_url=endpoint_url,
            aws_access_key_id="testing",
            aws_secret_access_key="testing",
            config=AioConfig(retries=retries, **config),
        ) as client:
            yield client

    return make
