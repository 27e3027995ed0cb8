"""The plugin's command-line options, their ini twins, and how a fixture reads them."""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Final

import pytest

if TYPE_CHECKING:
    from types import ModuleType

#: (name, metavar, command-line help, ini help) of the options that take a value; each
#: ``--waitkit-<name>`` has an ini twin ``waitkit_<name>`` (the command line wins).
_VALUE_OPTIONS: Final = (
    (
        "timeout",
        "SECONDS",
        "timeout of the waitkit_policy fixture (default: ini waitkit_timeout, else 600)",
        "timeout of the waitkit_policy fixture, in seconds",
    ),
    (
        "endpoint_url",
        "URL",
        (
            "AWS endpoint of waitkit_aws_client, e.g. LocalStack's; 'aws' for AWS's own "
            "endpoints with your usual credentials (default: the in-process emulator)"
        ),
        "AWS endpoint of waitkit_aws_client ('aws': AWS's own)",
    ),
    (
        "region",
        "NAME",
        (
            "AWS region of waitkit_aws_client (default: us-east-1 for the emulator, "
            "else botocore's usual resolution)"
        ),
        "AWS region of waitkit_aws_client",
    ),
    (
        "aws_clients",
        "LIBRARY",
        (
            "library that makes waitkit_aws_client's clients: aiobotocore (default) or "
            "aioboto3 (an aioboto3.Session, as many applications hold one)"
        ),
        "library that makes waitkit_aws_client's clients: aiobotocore or aioboto3",
    ),
    (
        "kubeconfig",
        "PATH",
        "kubeconfig of waitkit_k8s_client (default: the in-process emulator's)",
        "kubeconfig of waitkit_k8s_client",
    ),
)


def pytest_addoption(parser: pytest.Parser) -> None:
    """Register waitkit's command-line options and their ini twins."""
    group = parser.getgroup("waitkit")
    for name, metavar, option_help, ini_help in _VALUE_OPTIONS:
        group.addoption(
            f"--waitkit-{name.replace('_', '-')}",
            action="store",
            default=None,
            metavar=metavar,
            help=option_help,
        )
        parser.addini(f"waitkit_{name}", ini_help)
    group.addoption(
        "--waitkit-full-trace",
        action="store_true",
        default=None,
        help="show pytest's full traceback for failed waits instead of waitkit's summary",
    )
    parser.addini(
        "waitkit_full_trace",
        "show pytest's full traceback for failed waits",
        type="bool",
        default=False,
    )


def setting(config: pytest.Config, name: str) -> str | None:
    """The command-line value of ``--waitkit-<name>``, else the ini value, else None."""
    value = config.getoption(name)
    if value is None:
        value = config.getini(name)
    return str(value) if value else None


def full_trace(config: pytest.Config) -> bool:
    """Whether failed waits keep pytest's traceback (``--waitkit-full-trace``, ini, ``-vv``)."""
    return bool(
        config.getoption("waitkit_full_trace")
        or config.getini("waitkit_full_trace")
        or config.get_verbosity() >= 2  # noqa: PLR2004 - -vv
    )


def require(module: str, extra: str, fixture: str) -> ModuleType:
    """Import an optional dependency, or fail the fixture with an install hint."""
    try:
        return importlib.import_module(module)
    except ImportError as error:
        missing = (error.name or module).partition(".")[0]
    # Outside the except block, so the report is the hint alone, not a chain of errors.
    pytest.fail(
        f"the {fixture} fixture needs {missing}, which is not installed: "
        f"pip install 'waitkit[{extra}]'",
        pytrace=False,
    )
