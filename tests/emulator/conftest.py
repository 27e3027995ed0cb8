"""Fixtures for the emulator's AWS tests: a running emulator and real aiobotocore clients for it."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from typing import Any

import pytest
from aiobotocore.session import get_session
from botocore.config import Config

from waitkit.emulator import Emulator, Scenario

# One attempt per call: the tests look at exactly what the emulator answered,
# not at botocore's retries of it.
NO_RETRIES = Config(retries={"total_max_attempts": 1}, connect_timeout=5, read_timeout=5)

ClientFactory = Callable[..., AbstractAsyncContextManager[Any]]
EmulatorFactory = Callable[..., AbstractAsyncContextManager[Emulator]]

#: One botocore session for the whole run: it loads each service model once (a fresh
#: session per test spends 0.1-0.2 s a client on that). Every client gets explicit
#: credentials and region, so nothing the session reads from the environment is used.
_SESSION = get_session()


@pytest.fixture
def aws_client() -> ClientFactory:
    """``aws_client(emu, "logs")``: a real aiobotocore client for an emulator or endpoint URL."""

    def make(emu: Emulator | str, service: str, *, config: Config = NO_RETRIES) -> Any:
        return _SESSION.create_client(
            service,
            region_name="us-east-1",
            endpoint_url=emu if isinstance(emu, str) else emu.aws_endpoint,
            aws_access_key_id="testing",
            aws_secret_access_key="testing",
            config=config,
        )

    return make


@pytest.fixture
def emulator() -> EmulatorFactory:
    """``emulator({...scenario data...})``: a running emulator for the given scenario mapping."""

    @asynccontextmanager
    async def run(data: dict[str, Any] | None = None) -> AsyncIterator[Emulator]:
        async with Emulator(Scenario.from_data(data or {})) as emu:
            yield emu

    return run
