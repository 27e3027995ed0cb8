"""What every benchmark script shares: the noise summary, the report, a service-like log config."""

from __future__ import annotations

import json
import logging
import os
import platform
import statistics
import sys
from pathlib import Path
from typing import Any

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


def machine_facts() -> dict[str, Any]:
    """The interpreter and machine a report was measured on."""
    return {
        "python": sys.version.split()[0],
        "machine": platform.machine(),
        "cpus": os.cpu_count(),
    }


def write_report(path: Path, report: dict[str, Any]) -> None:
    """Write a benchmark's JSON report (creating its folder)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(report, indent=2) + "\n")


def ms_spread(stat: dict[str, float]) -> str:
    """A :func:`spread` of seconds as ``min/median/max`` milliseconds, for the console."""
    return "/".join(f"{stat[k] * 1e3:.1f}" for k in ("min", "median", "max"))
