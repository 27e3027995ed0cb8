"""The context that timer callbacks of this package run in."""

from __future__ import annotations

import contextvars
from typing import Final

#: Timer callbacks here read no context variable: one empty context serves them all,
#: where asyncio would copy the caller's for each timer (one more object per pending wait).
NO_CONTEXT: Final = contextvars.Context()
