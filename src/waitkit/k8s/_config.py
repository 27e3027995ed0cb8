"""Building (and closing) an ApiClient from a kubeconfig or the in-cluster service account."""

from __future__ import annotations

import contextlib
import os
from pathlib import Path
from typing import TYPE_CHECKING, Final

import anyio
from kubernetes_asyncio import config as k8s_config
from kubernetes_asyncio.client import ApiClient, Configuration
from kubernetes_asyncio.config.config_exception import ConfigException

from waitkit._core import ConfigurationError

if TYPE_CHECKING:
    from collections.abc import AsyncIterator

_CLOSE_TIMEOUT: Final = 5.0


def _default_kubeconfig() -> Path | None:
    # Read at call time: kubernetes_asyncio reads KUBECONFIG once, at import.
    env = os.environ.get("KUBECONFIG", "")
    first = next((part for part in env.split(os.pathsep) if part), None)
    path = Path(first).expanduser() if first else Path("~/.kube/config").expanduser()
    return path if path.is_file() else None


def _kubeconfig_path(
    kubeconfig: str | os.PathLike[str] | None, context: str | None, *, in_cluster: bool | None
) -> Path | None:
    """The kubeconfig to load (``None``: use the in-cluster service account)."""
    if in_cluster is True:
        if kubeconfig is not None or context is not None:
            msg = "api_client(): in_cluster=True excludes kubeconfig and context"
            raise ConfigurationError(msg)
        return None
    if kubeconfig is not None:
        path = Path(kubeconfig).expanduser()
        if not path.is_file():
            msg = f"api_client(): kubeconfig {str(path)!r} is not a file"
            raise ConfigurationError(msg)
        return path
    found = _default_kubeconfig()
    if found is None and (in_cluster is False or context is not None):
        msg = "api_client(): no kubeconfig given and none found (KUBECONFIG, ~/.kube/config)"
        raise ConfigurationError(msg)
    return found


async def _build(
    kubeconfig: str | os.PathLike[str] | None,
    context: str | None,
    *,
    in_cluster: bool | None,
    max_connections: int | None,
) -> ApiClient:
    path = _kubeconfig_path(kubeconfig, context, in_cluster=in_cluster)
    try:
        # As new_client_from_config() does (a fresh Configuration, not the global default),
        # so that the pool size can be set before the client builds its connection pool.
        configuration = type.__call__(Configuration)
        if path is not None:
            await k8s_config.load_kube_config(
                config_file=str(path),
                context=context,
                client_configuration=configuration,
                persist_config=False,
            )
        else:
            k8s_config.load_incluster_config(client_configuration=configuration)  # type: ignore[no-untyped-call]
        if max_connections is not None:
            configuration.connection_pool_maxsize = max_connections
        return ApiClient(configuration)
    except ConfigException as error:
        msg = f"api_client(): cannot load the Kubernetes configuration: {error}"
        raise ConfigurationError(msg) from error


@contextlib.asynccontextmanager
async def api_client(
    *,
    kubeconfig: str | os.PathLike[str] | None = None,
    context: str | None = None,
    in_cluster: bool | None = None,
    max_connections: int | None = None,
) -> AsyncIterator[ApiClient]:
    """An ``ApiClient`` for the duration of the block, closed on exit (even on cancellation).

    Args:
        kubeconfig: a kubeconfig file; default ``KUBECONFIG`` (first entry) or
            ``~/.kube/config``, else the in-cluster service account.
        context: a context of the kubeconfig (default: its current context).
        in_cluster: ``True`` to use only the service account, ``False`` to use only a
            kubeconfig, ``None`` (default) to try the kubeconfig first, like kubectl.
        max_connections: the most connections the client opens at once (default:
            kubernetes_asyncio's, 100). A followed log (``JobWaiter(on_log=...)``) holds
            one while its container runs (HTTP/1.1 does not multiplex): streaming the
            logs of N containers at once needs N and a few more.

    Raises:
        ConfigurationError: no usable configuration.

    Example:
        >>> from waitkit.k8s import JobWaiter, api_client
        >>> async def main() -> None:
        ...     async with api_client(context="kind-dev") as api:
        ...         await JobWaiter(api, "etl").wait(timeout=600)
    """
    limit: object = max_connections  # checked as what a caller may really pass
    if limit is not None and (isinstance(limit, bool) or not isinstance(limit, int) or limit < 1):
        msg = f"api_client(): max_connections must be an int >= 1, got {max_connections!r}"
        raise ConfigurationError(msg)
    client = await _build(
        kubeconfig, context, in_cluster=in_cluster, max_connections=max_connections
    )
    try:
        yield client
    finally:
        with anyio.move_on_after(_CLOSE_TIMEOUT, shield=True):
            await client.close()
