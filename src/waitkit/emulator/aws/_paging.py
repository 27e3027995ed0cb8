"""Opaque page tokens (an offset into a sorted list, tagged with who issued it)."""

from __future__ import annotations

import base64
import binascii


def encode_token(issuer: str, offset: int) -> str:
    """The token for the page that starts at ``offset``."""
    return base64.urlsafe_b64encode(f"{issuer}:{offset}".encode()).decode()


def decode_token(issuer: str, token: object) -> int | None:
    """The offset a token points to, 0 for no token, ``None`` for a token that is not ours."""
    if token is None or token == "":
        return 0
    try:
        prefix, offset = base64.urlsafe_b64decode(str(token)).decode().split(":")
        value = int(offset)
    except (ValueError, binascii.Error, UnicodeDecodeError):
        return None
    return value if prefix == issuer and value >= 0 else None
