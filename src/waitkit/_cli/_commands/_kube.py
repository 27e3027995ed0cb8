"""What the Kubernetes subcommands share: the client, the namespace, the watch policy."""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

from waitkit._cli._errors import MissingExtraError
from waitkit._core import DEFAULT_POLICY

if TYPE_CHECKING:
    import argparse

    from kubernetes_asyncio.client import ApiClient

    from waitkit._cli._command import Context
    from waitkit._core import Policy

#: What ``-n`` defaults to when the kubeconfig context names no namespace (as kubectl).
DEFAULT_NAMESPACE = "default"


def add_namespace(parser: argparse.ArgumentParser) -> None:
    """``--namespace/-n``; default: the kubeconfig context's namespace, else ``default``."""
    parser.add_argument(
        "--namespace",
        "-n",
        metavar="NS",
        help="the namespace (default: the kubeconfig context's, else 'default')",
    )


async def kube_api(context: Context, *, max_connections: int | None = None) -> ApiClient:
    """One ``ApiClient`` for the command (``--kubeconfig``, ``--context``), closed at its end.

    ``max_connections``: its pool (default kubernetes_asyncio's, 100); followed logs hold one
    each.
    """
    try:
        from waitkit.k8s import api_client  # noqa: PLC0415 - extra 'k8s'
    except ImportError as exc:
        raise MissingExtraError("k8s", "waiting on Kubernetes") from exc
    return await context.stack.enter_async_context(
        api_client(
            kubeconfig=context.kubeconfig,
            context=context.kube_context,
            max_connections=max_connections,
        )
    )


def namespace(args: argparse.Namespace, context: Context) -> str:
    """``-n``, else the namespace of the kubeconfig context in use, else ``default``.

    Like kubectl. Only the first file of ``KUBECONFIG`` is read (as :func:`api_client`
    does); an unreadable kubeconfig falls back to ``default`` and :func:`kube_api`
    reports the problem.
    """
    if args.namespace is not None:
        return str(args.namespace)
    path = _kubeconfig_file(context.kubeconfig)
    if path is None:
        return DEFAULT_NAMESPACE
    try:
        from kubernetes_asyncio.config.kube_config import (  # noqa: PLC0415 - extra 'k8s'
            list_kube_config_contexts,
        )

        contexts, current = list_kube_config_contexts(config_file=str(path))
    except Exception:  # noqa: BLE001 - any problem is reported when the client is built
        return DEFAULT_NAMESPACE
    wanted: Any = current
    if context.kube_context is not None:
        wanted = next((c for c in contexts if c.get("name") == context.kube_context), None)
    found = ((wanted or {}).get("context") or {}).get("namespace")
    return found if isinstance(found, str) and found else DEFAULT_NAMESPACE


def _kubeconfig_file(given: str | None) -> Path | None:
    if given is not None:
        path = Path(given).expanduser()
    else:
        env = os.environ.get("KUBECONFIG", "")
        first = next((part for part in env.split(os.pathsep) if part), None)
        path = Path(first).expanduser() if first else Path("~/.kube/config").expanduser()
    return path if path.is_file() else None


def watch_policy(policy: Policy) -> Policy:
    """``policy`` with the watch waiters' short pauses, unless --min/--max-delay were given.

    A Kubernetes observation reads a shared watch and long-polls it for news, so it
    costs no API call; the CLI's default pauses (2s growing to 2m) would only notice a
    change late. Pauses other than the defaults are the user's and are kept.
    """
    from waitkit.k8s import WATCH_POLICY  # noqa: PLC0415 - extra 'k8s'

    if (policy.min_delay, policy.max_delay) != (DEFAULT_POLICY.min_delay, DEFAULT_POLICY.max_delay):
        return policy
    return policy.replace(min_delay=WATCH_POLICY.min_delay, max_delay=WATCH_POLICY.max_delay)
