"""Suite-wide fixtures: a clean environment and the default async backend.

Async tests are marked ``@pytest.mark.anyio`` and run through anyio's pytest
plugin. The default backend is plain asyncio on the real clock: tests that talk
to the emulator over real sockets must not use virtual time (a socket
round-trip looks idle to a virtual clock). The engine's own tests override
``anyio_backend`` in ``tests/core/conftest.py`` to run on virtual clocks.
"""

from __future__ import annotations

import asyncio
import os
import signal
import socket
from collections.abc import AsyncIterator, Iterator

import pytest
import structlog


def pytest_configure(config: pytest.Config) -> None:
    """Let SIGINT through to the child processes the Ctrl-C tests interrupt.

    A run started in the background of a non-interactive shell (``nox -s stress &``)
    inherits SIGINT ignored, and every child process would inherit that too: the tests
    that interrupt a child would then wait for an exit that never comes.
    """
    if signal.getsignal(signal.SIGINT) is signal.SIG_IGN:
        signal.signal(signal.SIGINT, signal.default_int_handler)


_SCRUBBED_PREFIXES = ("AWS_", "KUBECONFIG", "HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "NO_PROXY")


@pytest.fixture(autouse=True)
def _clean_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """No test sees the developer's credentials, kubeconfig or proxies."""
    for name in list(os.environ):
        if name.upper().startswith(_SCRUBBED_PREFIXES):
            monkeypatch.delenv(name)


@pytest.fixture(autouse=True)
def _structlog_unconfigured() -> Iterator[None]:
    """Each test starts with structlog as an application that never configured it.

    ``structlog.testing.capture_logs`` leaves structlog marked configured, and waitkit
    routes its events by that mark (structlog when configured, else stdlib logging).
    """
    structlog.reset_defaults()
    yield
    structlog.reset_defaults()


@pytest.fixture
def anyio_backend() -> str:
    """Real asyncio: the default for tests that use real sockets."""
    return "asyncio"


@pytest.fixture
async def silent_endpoint() -> AsyncIterator[str]:
    """``http://127.0.0.1:PORT`` of a TCP server that accepts, reads, and never answers."""
    held: list[asyncio.StreamWriter] = []

    async def swallow(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        held.append(writer)
        while await reader.read(65536):
            pass

    server = await asyncio.start_server(swallow, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        for writer in held:
            writer.close()
        server.close()
        await server.wait_closed()


@pytest.fixture
def refused_endpoint() -> str:
    """``http://127.0.0.1:PORT`` of a port nobody listens on (connections are refused)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"http://127.0.0.1:{port}"


def pytest_collection_finish(session: pytest.Session) -> None:
    """Import moto's server and its heaviest backends now, if any collected test uses moto.

    They take seconds to import (EC2 alone about 2 s on an idle machine, several under
    load); imported lazily, that time lands on whichever test of the worker touches moto
    first. Importing them here, before any test runs, charges it to collection instead.
    """
    if any("moto_endpoint" in getattr(item, "fixturenames", ()) for item in session.items):
        import moto.awslambda.models
        import moto.ec2.models
        import moto.server  # noqa: F401


@pytest.fixture(scope="session")
def moto_endpoint() -> Iterator[str]:
    """Moto's server mode on a free 127.0.0.1 port, for the session (tests use distinct names).

    For the tests that check a waiter or an example against a second implementation of
    AWS besides the emulator.
    """
    from moto.server import ThreadedMotoServer  # heavy: only the tests that use moto load it

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    try:
        yield f"http://{host}:{port}"
    finally:
        server.stop()
