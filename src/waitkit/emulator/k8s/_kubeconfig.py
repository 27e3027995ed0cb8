"""Kubeconfig text that points kubectl and kubernetes_asyncio at the emulator."""

from __future__ import annotations

import yaml

CONTEXT = "waitkit-emulator"
TOKEN = "waitkit-emulator-token"  # noqa: S105 - a fake credential; the emulator accepts any token


def kubeconfig(server_url: str, *, namespace: str = "default") -> str:
    """A one-cluster, one-user kubeconfig (plain HTTP, fake bearer token)."""
    document = {
        "apiVersion": "v1",
        "kind": "Config",
        "clusters": [{"name": CONTEXT, "cluster": {"server": server_url}}],
        "users": [{"name": CONTEXT, "user": {"token": TOKEN}}],
        "contexts": [
            {
                "name": CONTEXT,
                "context": {"cluster": CONTEXT, "user": CONTEXT, "namespace": namespace},
            }
        ],
        "current-context": CONTEXT,
        "preferences": {},
    }
    return yaml.safe_dump(document, sort_keys=False)
