"""The raw HTTP calls waitkit makes through a kubernetes_asyncio ``ApiClient``.

waitkit reads JSON itself instead of deserialising into the generated models: the
waiters are generic over kinds, and a strict model choked on watch bookmarks
(kubernetes-client/python#1404, tomplus/kubernetes_asyncio#363). Requests still go
through ``ApiClient.call_api``, so the user's configuration applies (TLS, proxy,
bearer token and its refresh hook).

With ``_preload_content=False`` kubernetes_asyncio does not check the HTTP status,
so every non-2xx answer is turned into an ``ApiException`` here, with the headers
(``Retry-After``) and the ``Status`` body kept for the classifier.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any, Final

import aiohttp
from kubernetes_asyncio.client.exceptions import ApiException

from waitkit.k8s._errors import MalformedResponseError

if TYPE_CHECKING:
    from collections.abc import Sequence

    from kubernetes_asyncio.client import ApiClient

# The most of an error body kept for messages.
_ERROR_BODY_LIMIT: Final = 64 * 1024


async def open_get(
    api: ApiClient,
    path: str,
    query: Sequence[tuple[str, str]] = (),
    *,
    timeout: aiohttp.ClientTimeout | None = None,
    accept: str = "application/json",
) -> aiohttp.ClientResponse:
    """GET ``path``; the open response on 2xx (the caller closes it), else ``ApiException``."""
    response: aiohttp.ClientResponse = await api.call_api(
        path,
        "GET",
        query_params=list(query),
        header_params={"Accept": accept},
        auth_settings=["BearerToken"],
        _preload_content=False,
        _request_timeout=timeout,
    )
    if 200 <= response.status < 300:  # noqa: PLR2004 - the 2xx range
        return response
    try:
        body = await response.content.read(_ERROR_BODY_LIMIT)
    finally:
        response.close()
    error = ApiException(status=response.status, reason=response.reason)
    error.body = body
    error.headers = response.headers
    raise error


async def get_json(
    api: ApiClient,
    path: str,
    query: Sequence[tuple[str, str]] = (),
    *,
    timeout: aiohttp.ClientTimeout | None = None,
) -> dict[str, Any]:
    """GET ``path`` and parse its JSON object."""
    response = await open_get(api, path, query, timeout=timeout)
    try:
        raw = await response.read()
    finally:
        response.close()
    try:
        parsed = json.loads(raw)
    except ValueError as error:
        msg = f"GET {path} answered a body that is not JSON ({len(raw)} bytes)"
        raise MalformedResponseError(msg) from error
    if not isinstance(parsed, dict):
        msg = f"GET {path} answered JSON that is not an object"
        raise MalformedResponseError(msg)
    return parsed
