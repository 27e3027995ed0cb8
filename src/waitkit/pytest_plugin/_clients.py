"""The client fixtures: factories of aiobotocore (or aioboto3) and kubernetes_asyncio clients.

Each points at ``--waitkit-endpoint-url`` / ``--waitkit-kubeconfig`` when given, else at
the ``emulator`` fixture; each client is made and closed inside the test's event loop.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final, Protocol

import anyio
import pytest

from waitkit._core import ConfigurationError
from waitkit.pytest_plugin._options import require, setting

if TYPE_CHECKING:
    from collections.abc import AsyncIterator
    from contextlib import AbstractAsyncContextManager

    from kubernetes_asyncio.client import ApiClient

    from waitkit.pytest_plugin._emulator import EmulatorThread

# Fake credentials and a fixed region for the emulator only: it accepts any key, and
# a test pointed at it must never read (or send) the developer's real credentials.
_EMULATOR_KEY: Final = "testing"
_EMULATOR_REGION: Final = "us-east-1"
# --waitkit-endpoint-url=aws: AWS's own endpoints, resolved by botocore as usual.
_REAL_AWS: Final = "aws"
# --waitkit-aws-clients: the libraries that can make waitkit_aws_client's clients.
_AWS_CLIENT_LIBRARIES: Final = ("aiobotocore", "aioboto3")
# Closing a client never holds up a test's teardown longer than this.
_CLOSE_BOUND: Final = 5.0


class AwsClientFactory(Protocol):
    """The ``waitkit_aws_client`` fixture: makes aiobotocore (or aioboto3) clients in your loop."""

    def __call__(
        self, service: str, /, **kwargs: object
    ) -> AbstractAsyncContextManager[Any]:  # the client's type depends on the service name
        """``async with factory("autoscaling") as client``; kwargs go to ``create_client``."""
        ...


class K8sClientFactory(Protocol):
    """The ``waitkit_k8s_client`` fixture: makes kubernetes_asyncio ApiClients."""

    def __call__(self, *, context: str | None = None) -> AbstractAsyncContextManager[ApiClient]:
        """``async with factory() as api``; ``context`` picks a kubeconfig context."""
        ...


@pytest.fixture
def waitkit_aws_client(request: pytest.FixtureRequest) -> AwsClientFactory:
    """Make aiobotocore clients for ``--waitkit-endpoint-url``, else for the ``emulator``.

    Against the emulator the clients get fake credentials and ``us-east-1``; against an
    external endpoint, your usual credential chain. Each ``async with`` makes and closes
    one client in the running event loop (aiobotocore needs asyncio)::

        async def test_refresh(waitkit_aws_client):
            async with waitkit_aws_client("autoscaling") as client:
                ...

    With ``--waitkit-aws-clients aioboto3`` (or the ini setting) the clients come from
    an ``aioboto3.Session`` instead, made for the test as ``aioboto3.Session().client``.
    """
    create_client = _client_maker(setting(request.config, "waitkit_aws_clients"))
    endpoint = setting(request.config, "waitkit_endpoint_url")
    region = setting(request.config, "waitkit_region")
    defaults: dict[str, object] = {}
    if endpoint is None:
        # Only now, so a run against an external endpoint never starts an emulator.
        running: EmulatorThread = request.getfixturevalue("emulator")
        defaults = {
            "endpoint_url": running.aws_endpoint,
            "region_name": region or _EMULATOR_REGION,
            "aws_access_key_id": _EMULATOR_KEY,
            "aws_secret_access_key": _EMULATOR_KEY,
        }
    else:
        if endpoint != _REAL_AWS:
            defaults["endpoint_url"] = endpoint
        if region is not None:
            defaults["region_name"] = region

    def make(service: str, /, **kwargs: object) -> AbstractAsyncContextManager[Any]:
        _require_asyncio("waitkit_aws_client", "aiobotocore")
        client: AbstractAsyncContextManager[Any] = create_client(service, **{**defaults, **kwargs})
        return client

    return make


def _client_maker(library: str | None) -> Callable[..., Any]:
    """``create_client`` of a fresh aiobotocore session, or ``client`` of an aioboto3 one."""
    if library in (None, "aiobotocore"):
        session_module = require("aiobotocore.session", "aws", "waitkit_aws_client")
        return session_module.get_session().create_client  # type: ignore[no-any-return]
    if library == "aioboto3":
        # aioboto3 pins its own aiobotocore (2.x with aioboto3 15.5): an extra of its own.
        aioboto3 = require("aioboto3", "aioboto3", "waitkit_aws_client")
        return aioboto3.Session().client  # type: ignore[no-any-return]
    msg = (
        f"--waitkit-aws-clients must be one of {', '.join(_AWS_CLIENT_LIBRARIES)}, got {library!r}"
    )
    raise ConfigurationError(msg)


@pytest.fixture
def waitkit_k8s_client(request: pytest.FixtureRequest) -> K8sClientFactory:
    """Make kubernetes_asyncio ApiClients from ``--waitkit-kubeconfig``, else the ``emulator``.

    Your own ``KUBECONFIG`` is never used unless you pass it, so a test cannot reach a
    real cluster by accident. Each ``async with`` makes and closes one client::

        async def test_job(waitkit_k8s_client):
            async with waitkit_k8s_client() as api:
                batch = kubernetes_asyncio.client.BatchV1Api(api)
    """
    config_module = require("kubernetes_asyncio.config", "k8s", "waitkit_k8s_client")
    kubeconfig = setting(request.config, "waitkit_kubeconfig")
    if kubeconfig is None:
        running: EmulatorThread = request.getfixturevalue("emulator")
        path = running.kubeconfig_path
    else:
        path = Path(kubeconfig).expanduser()

    @contextlib.asynccontextmanager
    async def make(*, context: str | None = None) -> AsyncIterator[ApiClient]:
        _require_asyncio("waitkit_k8s_client", "kubernetes_asyncio")
        # persist_config=False: never write refreshed tokens back into the user's file.
        api: ApiClient = await config_module.new_client_from_config(
            config_file=str(path), context=context, persist_config=False
        )
        try:
            yield api
        finally:
            # Close even when the test is being cancelled, but never hang its teardown.
            with anyio.CancelScope(shield=True), anyio.move_on_after(_CLOSE_BOUND):
                await api.close()

    return make


def _require_asyncio(fixture: str, library: str) -> None:
    """Fail clearly when a client is made outside asyncio (e.g. on anyio's trio backend)."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        pass
    else:
        return
    pytest.fail(
        f"{fixture} makes {library} clients, which need a running asyncio event loop: "
        "use it inside an async test on asyncio (with anyio's plugin, an anyio_backend "
        "fixture that returns 'asyncio')",
        pytrace=False,
    )
