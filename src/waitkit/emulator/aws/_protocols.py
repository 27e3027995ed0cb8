"""The three AWS wire protocols the emulator speaks: parse requests, render answers and errors.

- *query* (Auto Scaling): form-encoded ``Action=...`` POST, XML answer wrapped in
  ``<{Action}Response><{Action}Result>``, errors as ``<ErrorResponse><Error>``.
- *json 1.1* (CloudWatch Logs): ``X-Amz-Target: Logs_20140328.<Op>``, JSON in and out,
  errors as ``{"__type": code, "message": ...}``.
- *rest-json* (Lambda): the operation is in the method and path, JSON bodies,
  errors named by the ``x-amzn-ErrorType`` header.

Nothing here knows an operation's meaning; the service modules do.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Literal, TypeAlias
from xml.etree import ElementTree as ET

from aiohttp import web

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence

Protocol = Literal["query", "json", "rest-json"]

AUTOSCALING_XMLNS = "http://autoscaling.amazonaws.com/doc/2011-01-01/"
LOGS_TARGET_PREFIX = "Logs_20140328."

# The parsed value of one request parameter: query-protocol inputs arrive as
# strings, nested through dotted names; JSON inputs keep their JSON types.
Value: TypeAlias = (
    "str | int | float | bool | datetime | Sequence[Value] | Mapping[str, Value] | None"
)


@dataclass
class Reply:
    """A rest-json answer: a JSON body (``result``) or raw bytes, a status and headers."""

    result: dict[str, Value] | None = None
    raw: bytes | None = None
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)


@dataclass
class AwsError(Exception):
    """An AWS error answer; each protocol renders it in its own shape.

    Attributes:
        code: the error code (``ValidationError``, ``ResourceNotFoundException``...).
        message: the human text.
        status: the HTTP status.
        sender: whether the caller is at fault (the query protocol's ``Type``).
        fields: extra members of the error body (``Reason``, ``queryCompileError``...).
        headers: extra response headers (``Retry-After``).
    """

    code: str
    message: str
    status: int = 400
    sender: bool = True
    fields: dict[str, Value] = field(default_factory=dict)
    headers: dict[str, str] = field(default_factory=dict)

    def __str__(self) -> str:
        return f"{self.code}: {self.message}"


def new_request_id() -> str:
    """A fresh request id, as AWS puts on every answer."""
    return str(uuid.uuid4())


def iso_timestamp(moment: datetime) -> str:
    """ISO 8601 in UTC with milliseconds, the form AWS writes in XML."""
    return (
        moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"
    )


# ---------------------------------------------------------------- query protocol


def unflatten_form(form: dict[str, str]) -> dict[str, Value]:
    """Turn query-protocol names (``A.member.1.B=x``) into nested dicts and lists.

    Values stay strings: the XML answer carries text anyway, and the service
    modules convert the few numbers they need.
    """
    root: dict[str, Value] = {}
    for name, value in form.items():
        if name in ("Action", "Version"):
            continue
        # ``member`` only marks list items; the index after it is what matters.
        parts = [part for part in name.split(".") if part != "member"]
        node = root
        for part in parts[:-1]:
            child = node.setdefault(part, {})
            assert isinstance(child, dict)  # noqa: S101 - only dicts are created above
            node = child
        node[parts[-1]] = value
    converted = _lists_from_indexes(root)
    assert isinstance(converted, dict)  # noqa: S101 - the root has named keys
    return converted


def _lists_from_indexes(node: Value) -> Value:
    """Dicts whose keys are all 1-based indexes (from ``member.N``) become lists."""
    if not isinstance(node, dict):
        return node
    converted = {k: _lists_from_indexes(v) for k, v in node.items()}
    if converted and all(k.isdigit() for k in converted):
        return [converted[k] for k in sorted(converted, key=int)]
    return converted


def _xml_value(parent: ET.Element, value: Value) -> None:
    if isinstance(value, dict):
        for key, item in value.items():
            if item is None:
                continue
            _xml_value(ET.SubElement(parent, key), item)
    elif isinstance(value, list):
        for item in value:
            _xml_value(ET.SubElement(parent, "member"), item)
    elif isinstance(value, bool):
        parent.text = "true" if value else "false"
    elif isinstance(value, datetime):
        parent.text = iso_timestamp(value)
    elif value is not None:
        parent.text = str(value)


def query_response(action: str, result: dict[str, Value], *, xmlns: str) -> web.Response:
    """A query-protocol success answer."""
    root = ET.Element(f"{action}Response", xmlns=xmlns)
    _xml_value(ET.SubElement(root, f"{action}Result"), result)
    metadata = ET.SubElement(root, "ResponseMetadata")
    ET.SubElement(metadata, "RequestId").text = new_request_id()
    return web.Response(body=ET.tostring(root, xml_declaration=False), content_type="text/xml")


def query_error(error: AwsError, *, xmlns: str) -> web.Response:
    """A query-protocol error answer (``<ErrorResponse><Error><Type><Code><Message>``)."""
    root = ET.Element("ErrorResponse", xmlns=xmlns)
    node = ET.SubElement(root, "Error")
    ET.SubElement(node, "Type").text = "Sender" if error.sender else "Receiver"
    ET.SubElement(node, "Code").text = error.code
    ET.SubElement(node, "Message").text = error.message
    ET.SubElement(root, "RequestId").text = new_request_id()
    return web.Response(
        status=error.status,
        body=ET.tostring(root),
        content_type="text/xml",
        headers=error.headers,
    )


# ---------------------------------------------------------------- json 1.1


def json_response(result: dict[str, Value]) -> web.Response:
    """A JSON 1.1 success answer."""
    return web.Response(
        body=_dumps(result),
        content_type="application/x-amz-json-1.1",
        headers={"x-amzn-RequestId": new_request_id()},
    )


def json_error(error: AwsError) -> web.Response:
    """A JSON 1.1 error answer: ``__type`` names the code, ``message`` the text."""
    body: dict[str, Value] = {"__type": error.code, "message": error.message, **error.fields}
    return web.Response(
        status=error.status,
        body=_dumps(body),
        content_type="application/x-amz-json-1.1",
        headers={"x-amzn-RequestId": new_request_id(), **error.headers},
    )


# ---------------------------------------------------------------- rest-json


def rest_json_response(reply: Reply) -> web.Response:
    """A rest-json success answer."""
    body = reply.raw if reply.result is None else _dumps(reply.result)
    return web.Response(
        status=reply.status,
        body=body or b"",
        content_type="application/json",
        headers={"x-amzn-RequestId": new_request_id(), **reply.headers},
    )


def rest_json_error(error: AwsError) -> web.Response:
    """A rest-json error answer; the code in ``x-amzn-ErrorType``, ``Type`` + message."""
    body: dict[str, Value] = {
        "Type": "User" if error.sender else "Service",
        "Message": error.message,
        **error.fields,
    }
    return web.Response(
        status=error.status,
        body=_dumps(body),
        content_type="application/json",
        headers={
            "x-amzn-RequestId": new_request_id(),
            "x-amzn-ErrorType": error.code,
            **error.headers,
        },
    )


def _dumps(value: dict[str, Value]) -> bytes:
    return json.dumps(_drop_none(value), default=_json_default).encode()


def _drop_none(value: Value) -> Value:
    # An absent member, not a null, is how AWS says "not set".
    if isinstance(value, dict):
        return {k: _drop_none(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [_drop_none(v) for v in value]
    return value


def _json_default(value: object) -> object:
    # rest-json and json 1.1 default to epoch seconds for timestamps.
    if isinstance(value, datetime):
        return value.timestamp()
    msg = f"not JSON-serialisable: {type(value).__name__}"
    raise TypeError(msg)
