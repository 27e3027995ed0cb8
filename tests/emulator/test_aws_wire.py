"""Requests no SDK would send, and what the emulator never writes to its logs."""

from __future__ import annotations

import logging

import aiohttp
import pytest

pytestmark = pytest.mark.anyio


@pytest.mark.parametrize("data", [b"{not json", b"[1, 2]"])
async def test_bad_json_body_is_a_json_error(emulator, data) -> None:
    """A JSON-protocol request whose body is not a JSON object gets a JSON-shaped error."""
    async with emulator() as emu, aiohttp.ClientSession() as session:
        response = await session.post(
            emu.aws_endpoint,
            data=data,
            headers={"X-Amz-Target": "Logs_20140328.StartQuery"},
        )
        body = await response.json(content_type=None)
    assert response.status == 400
    assert body["__type"] == "SerializationException"


async def test_unknown_route_is_a_query_error(emulator) -> None:
    """A request for no known service gets an XML error, not a hang or a crash."""
    async with emulator() as emu, aiohttp.ClientSession() as session:
        response = await session.get(f"{emu.aws_endpoint}/nothing/here")
        text = await response.text()
    assert response.status == 400
    assert "<Code>UnknownOperationException</Code>" in text
    assert emu.counters.snapshot() == {}


async def test_bad_lambda_body(emulator) -> None:
    """A Stop request whose body is not JSON is InvalidRequestContentException."""
    arn = "arn%3Aaws%3Alambda%3Aus-east-1%3A123456789012%3Afunction%3Af%3A%24LATEST%2Fx"
    async with emulator() as emu, aiohttp.ClientSession() as session:
        response = await session.post(
            f"{emu.aws_endpoint}/2025-12-01/durable-executions/{arn}/stop", data=b"{oops"
        )
    assert response.status == 400
    assert response.headers["x-amzn-ErrorType"] == "InvalidRequestContentException"


async def test_signed_headers_never_logged(emulator, aws_client, caplog) -> None:
    """Neither the emulator nor its aiohttp server logs the Authorization header."""
    caplog.set_level(logging.DEBUG)
    async with emulator() as emu, aws_client(emu, "logs") as client:
        await client.start_query(logGroupName="/a", startTime=0, endTime=1, queryString="fields a")
    server_side = [
        r.getMessage() for r in caplog.records if r.name.startswith(("aiohttp", "waitkit"))
    ]
    assert not any("Credential=" in line or "Authorization" in line for line in server_side)
