"""waitkit's pytest plugin (registered through the ``pytest11`` entry point).

Every fixture is a plain (sync) fixture, so it works the same under pytest-asyncio
(strict or auto mode), anyio's plugin, or no async plugin at all. The clients
themselves are created by async context managers inside the test's own event loop.

Options (each also an ini setting with the same name, without ``--`` and with ``_``):
    ``--waitkit-timeout SECONDS``: the timeout of the ``waitkit_policy`` fixture.
    ``--waitkit-endpoint-url URL``: an external AWS endpoint (LocalStack, or ``aws``
    for AWS's own endpoints) used by ``waitkit_aws_client`` instead of the emulator.
    ``--waitkit-region NAME``: the AWS region of ``waitkit_aws_client``.
    ``--waitkit-aws-clients aiobotocore|aioboto3``: the library that makes the clients
    of ``waitkit_aws_client`` (default aiobotocore; aioboto3 needs ``waitkit[aioboto3]``).
    ``--waitkit-kubeconfig PATH``: a kubeconfig used by ``waitkit_k8s_client``
    instead of the emulator's.
    ``--waitkit-full-trace``: keep pytest's usual traceback for failed waits
    (``-vv`` does too).

Fixtures:
    ``waitkit_policy``: a :class:`waitkit.Policy` with that timeout.
    ``waitkit_scenario``: the emulator's scenario (override it; default: empty).
    ``emulator``: an :class:`EmulatorThread`, the emulator serving from a background thread.
    ``waitkit_aws_client``: ``async with waitkit_aws_client("autoscaling") as client``
    (an aiobotocore client, or aioboto3's with ``--waitkit-aws-clients aioboto3``).
    ``waitkit_k8s_client``: ``async with waitkit_k8s_client() as api`` (an ``ApiClient``).
    ``unique_execution_name``: fresh durable-execution names derived from the test's name.

A test that fails with a :class:`waitkit.WaitError` or :class:`waitkit.ProbeError`
is reported as a short block (what was awaited, elapsed time, attempts, the states
seen and the cause) instead of a traceback chain.
"""

# pytest finds a plugin's hooks and fixtures among the attributes of the module it
# registers (this one), so each is re-exported here (``as`` itself) from the module
# that does its job:
# _options (command line and ini), _policy and _names (small fixtures), _emulator (the
# emulator thread), _clients (client factories), _failure (the report of a failed wait).

from __future__ import annotations

import contextlib

from waitkit.pytest_plugin._clients import AwsClientFactory, K8sClientFactory
from waitkit.pytest_plugin._clients import waitkit_aws_client as waitkit_aws_client
from waitkit.pytest_plugin._clients import waitkit_k8s_client as waitkit_k8s_client
from waitkit.pytest_plugin._emulator import EmulatorThread
from waitkit.pytest_plugin._emulator import emulator as emulator
from waitkit.pytest_plugin._emulator import waitkit_scenario as waitkit_scenario
from waitkit.pytest_plugin._failure import pytest_runtest_makereport as pytest_runtest_makereport
from waitkit.pytest_plugin._names import unique_execution_name as unique_execution_name
from waitkit.pytest_plugin._options import pytest_addoption as pytest_addoption
from waitkit.pytest_plugin._policy import waitkit_policy as waitkit_policy

__all__ = (
    "AwsClientFactory",
    "EmulatorThread",
    "K8sClientFactory",
)

# Public objects say they live in `waitkit.pytest_plugin`, not in a private module.
for _name in __all__:
    with contextlib.suppress(AttributeError, TypeError):
        globals()[_name].__module__ = __name__
del _name
