"""The ``waitkit_policy`` fixture: a Policy whose timeout comes from ``--waitkit-timeout``."""

from __future__ import annotations

from typing import Final

import pytest

from waitkit._core import ConfigurationError, Policy, seconds
from waitkit.pytest_plugin._options import setting

_DEFAULT_TIMEOUT: Final = 600.0


@pytest.fixture
def waitkit_policy(pytestconfig: pytest.Config) -> Policy:
    """A :class:`waitkit.Policy` whose timeout comes from ``--waitkit-timeout`` or the ini file."""
    raw = setting(pytestconfig, "waitkit_timeout")
    if not raw:
        return Policy(timeout=_DEFAULT_TIMEOUT)
    try:
        value = float(raw)
    except ValueError:
        msg = f"--waitkit-timeout must be a number of seconds > 0, got {raw!r}"
        raise ConfigurationError(msg) from None
    return Policy(timeout=seconds("--waitkit-timeout", value, positive=True))
