"""The ``unique_execution_name`` fixture: durable-execution names derived from the test."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Final

import pytest

from waitkit.pytest_plugin._options import require

# unique_execution_name accepts 1-34 characters of [a-zA-Z0-9_-].
_NAME_LIMIT: Final = 34


@pytest.fixture
def unique_execution_name(request: pytest.FixtureRequest) -> Callable[..., str]:
    """Fresh durable-execution names: ``test-{test name}-{UTC time}-{8 hex}``.

    Call it with no argument for a name derived from the test's name (cut to 34 of
    ``[a-zA-Z0-9_-]``), or with your own label instead. Every call is unique.
    """
    aws = require("waitkit.aws", "aws", "unique_execution_name")
    default = _name_part(request.node.name)

    def make(name: str | None = None) -> str:
        return str(aws.unique_execution_name(default if name is None else _name_part(name)))

    return make


def _name_part(raw: str) -> str:
    """``test_refresh[web-1]`` -> ``refresh-web-1``: the allowed characters, at most 34."""
    name = raw.removeprefix("test_") or raw
    name = re.sub(r"[^a-zA-Z0-9_-]+", "-", name).strip("-_")
    return name[:_NAME_LIMIT].rstrip("-_") or "test"
