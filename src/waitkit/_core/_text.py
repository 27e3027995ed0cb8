"""Making text safe to print: one line, no control characters, no credentials, bounded.

Every message built from what a service said goes through :func:`bounded`: the
service's words may be long (a 200 KB ``StatusReason``), multi-line, coloured, or
carry a signature; the full value stays on the exception's state.
"""

from __future__ import annotations

import re
from typing import Final

# C0 and C1 control characters (ESC among them): service data must not move the
# cursor, colour a CI log or inject terminal escapes.
_CONTROL: Final = re.compile(r"[\x00-\x1f\x7f-\x9f]")
_SPACES: Final = re.compile(r"[\t\r\n]+")
# The same, but keeping line breaks: a reason may be laid out on lines (a log tail).
_CONTROL_BUT_NEWLINE: Final = re.compile(r"[\x00-\x09\x0b-\x1f\x7f-\x9f]")
#: Characters of one service-provided value (a reason, an error, a log line) in a message.
FIELD_LIMIT: Final = 500
#: Characters of a whole failure reason in a message (it may hold a few lines of log).
REASON_LIMIT: Final = 3000

# What must never be printed, whatever an error message or a log event carries:
# access key ids, SigV4 signatures and credentials, session tokens, and the canonical
# request AWS echoes back in SignatureDoesNotMatch (it may hold the token header).
_SECRETS: Final = (
    (re.compile(r"\b(?:AKIA|ASIA|AIDA|AROA)[A-Z0-9]{12,}\b"), "<redacted-key-id>"),
    (re.compile(r"(?i)(signature[=:]\s*)[0-9a-f]{16,}"), r"\1<redacted>"),
    (re.compile(r"(?i)(credential[=:]\s*)[^\s,;]+"), r"\1<redacted>"),
    (re.compile(r"(?i)(x-amz-security-token[=:]\s*)[^\s,;&]+"), r"\1<redacted>"),
    (
        re.compile(r"(?i)(aws_secret_access_key|aws_session_token)(\s*[=:]\s*)\S+"),
        r"\1\2<redacted>",
    ),
    (re.compile(r"(?is)the canonical string for this request should have been.*"), "<redacted>"),
)


def redact(text: str) -> str:
    """``text`` with anything that looks like a credential or a signature replaced."""
    for pattern, replacement in _SECRETS:
        text = pattern.sub(replacement, text)
    return text


def one_line(text: str) -> str:
    r"""``text`` on one line: whitespace runs become a space, other controls ``\xNN``."""
    return _CONTROL.sub(_escape, _SPACES.sub(" ", text))


def clip(text: str, limit: int) -> str:
    """``text`` cut to ``limit`` characters, saying how much was left out."""
    if len(text) <= limit:
        return text
    left_out = len(text) - limit
    return f"{text[:limit]}... ({left_out} more characters)"


def bounded(text: str, limit: int = FIELD_LIMIT) -> str:
    """A service-provided value as it appears in a message: safe, then cut to ``limit``.

    Example:
        >>> bounded("declined: " + "x" * 600, limit=20)
        'declined: xxxxxxxxxx... (590 more characters)'
    """
    return clip(safe(text), limit)


def multiline(text: str, limit: int = REASON_LIMIT) -> str:
    r"""Redacted, controls escaped but line breaks kept, cut to ``limit``: a reason's layout."""
    text = redact(text).replace("\r\n", "\n")
    return clip(_CONTROL_BUT_NEWLINE.sub(_escape, text), limit)


def _escape(match: re.Match[str]) -> str:
    return f"\\x{ord(match.group()):02x}"


def error_in_words(error: BaseException, limit: int = FIELD_LIMIT) -> str:
    """``Type: message`` of an error, its message made :func:`bounded` to ``limit``."""
    text = bounded(str(error), limit)
    return f"{type(error).__name__}: {text}" if text else type(error).__name__


def safe(text: str) -> str:
    """Redacted and on one line: how every message from outside is printed."""
    return one_line(redact(text))
