"""What every benchmark script shares: the noise summary and a service-like log config."""

from __future__ import annotations

import logging
import statistics

import structlog


def spread(values: list[float]) -> dict[str, float]:
    """Min / median / max over repeats: the machine's noise, reported with every number."""
    return {"min": min(values), "median": statistics.median(values), "max": max(values)}


def quiet_structlog() -> None:
    """Structlog as a service runs it: events below WARNING filtered, the logger cached.

    structlog's stock development config prints every event to the console, which would
    measure the terminal instead of the engine.
    """
    structlog.configure(
        wrapper_class=structlog.make_filtering_bound_logger(logging.WARNING),
        cache_logger_on_first_use=True,
    )
