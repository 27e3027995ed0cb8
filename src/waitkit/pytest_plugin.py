"""waitkit's pytest plugin (registered through the ``pytest11`` entry point).

Options:
    ``--waitkit-timeout SECONDS`` (ini: ``waitkit_timeout``): the timeout of the
    ``waitkit_policy`` fixture's policy, so CI can give waits more time than a laptop.

Fixtures:
    ``waitkit_policy``: a :class:`waitkit.Policy` with that timeout.
"""

from __future__ import annotations

import pytest

from waitkit._core._durations import seconds
from waitkit._core._errors import ConfigurationError
from waitkit._core._policy import Policy

_DEFAULT_TIMEOUT = 600.0


def pytest_addoption(parser: pytest.Parser) -> None:
    """Register ``--waitkit-timeout`` and its ini twin."""
    group = parser.getgroup("waitkit")
    group.addoption(
        "--waitkit-timeout",
        action="store",
        default=None,
        metavar="SECONDS",
        help="timeout of the waitkit_policy fixture (default: ini waitkit_timeout, else 600)",
    )
    parser.addini("waitkit_timeout", "timeout of the waitkit_policy fixture, in seconds")


@pytest.fixture
def waitkit_policy(pytestconfig: pytest.Config) -> Policy:
    """A :class:`waitkit.Policy` whose timeout comes from ``--waitkit-timeout`` or the ini file."""
    raw = pytestconfig.getoption("waitkit_timeout") or pytestconfig.getini("waitkit_timeout")
    if not raw:
        return Policy(timeout=_DEFAULT_TIMEOUT)
    try:
        value = float(raw)
    except ValueError:
        msg = f"--waitkit-timeout must be a number of seconds > 0, got {raw!r}"
        raise ConfigurationError(msg) from None
    return Policy(timeout=seconds("--waitkit-timeout", value, positive=True))
