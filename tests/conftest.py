"""Suite-wide fixtures: a clean environment and the default async backend.

Async tests are marked ``@pytest.mark.anyio`` and run through anyio's pytest
plugin. The default backend is plain asyncio on the real clock: tests that talk
to the emulator over real sockets must not use virtual time (a socket
round-trip looks idle to a virtual clock). The engine's own tests override
``anyio_backend`` in ``tests/core/conftest.py`` to run on virtual clocks.
"""

from __future__ import annotations

import os

import pytest

_SCRUBBED_PREFIXES = ("AWS_", "KUBECONFIG", "HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "NO_PROXY")


@pytest.fixture(autouse=True)
def _clean_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """No test sees the developer's credentials, kubeconfig or proxies."""
    for name in list(os.environ):
        if name.upper().startswith(_SCRUBBED_PREFIXES):
            monkeypatch.delenv(name)


@pytest.fixture
def anyio_backend() -> str:
    """Real asyncio: the default for tests that use real sockets."""
    return "asyncio"
