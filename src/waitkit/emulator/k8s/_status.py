"""Kubernetes ``Status`` objects: the shape of every error answer and watch ERROR event."""

from __future__ import annotations

import json
import math
from typing import Any

from aiohttp import web

REASONS: dict[int, str] = {
    400: "BadRequest",
    401: "Unauthorized",
    403: "Forbidden",
    404: "NotFound",
    405: "MethodNotAllowed",
    409: "Conflict",
    410: "Expired",
    415: "UnsupportedMediaType",
    422: "Invalid",
    429: "TooManyRequests",
    500: "InternalError",
    503: "ServiceUnavailable",
    504: "Timeout",
}


def status_body(
    code: int,
    message: str,
    *,
    reason: str | None = None,
    details: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """A failure ``Status`` as a dict."""
    body: dict[str, Any] = {
        "kind": "Status",
        "apiVersion": "v1",
        "metadata": {},
        "status": "Failure",
        "message": message,
        "reason": reason or REASONS.get(code, "Unknown"),
        "code": code,
    }
    if details is not None:
        body["details"] = details
    return body


def dumps(obj: object) -> str:
    """Compact one-line JSON, as the API server writes it (clients parse watch lines one by one)."""
    return json.dumps(obj, separators=(",", ":"))


def json_response(
    obj: object, *, status: int = 200, headers: dict[str, str] | None = None
) -> web.Response:
    """A JSON answer with a trailing newline."""
    return web.Response(
        text=dumps(obj) + "\n", status=status, content_type="application/json", headers=headers
    )


def error_response(
    code: int,
    message: str,
    *,
    reason: str | None = None,
    details: dict[str, Any] | None = None,
    retry_after: float | None = None,
) -> web.Response:
    """A failure ``Status`` answer; ``retry_after`` adds ``Retry-After`` and retryAfterSeconds."""
    headers: dict[str, str] = {}
    if retry_after is not None:
        seconds = max(1, math.ceil(retry_after))
        headers["Retry-After"] = str(seconds)
        details = {**(details or {}), "retryAfterSeconds": seconds}
    return json_response(
        status_body(code, message, reason=reason, details=details), status=code, headers=headers
    )


def not_found(resource: str, name: str, *, group: str = "") -> web.Response:
    """``jobs.batch "x" not found``, as the API server words it."""
    qualified = f"{resource}.{group}" if group else resource
    return error_response(
        404,
        f'{qualified} "{name}" not found',
        details={"name": name, "group": group, "kind": resource}
        if group
        else {"name": name, "kind": resource},
    )
