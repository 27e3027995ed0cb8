"""The engine's tests run in virtual time, on asyncio (looptime) and on trio (MockClock)."""

from __future__ import annotations

from typing import Any

import pytest

from waitkit.testing import virtual_time_backend


@pytest.fixture(params=["asyncio", "trio"])
def anyio_backend(request: pytest.FixtureRequest) -> tuple[str, dict[str, Any]]:
    """Every engine test runs on both backends, on a clock that jumps when all tasks sleep."""
    return virtual_time_backend(request.param)
