"""What every benchmark script shares: noise summaries, percentiles, reports, log configs."""

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


def percentiles(values: list[float]) -> dict[str, float]:
    """Count, min, p50, p90, p99, max and mean of ``values`` (nearest rank; all 0 if empty)."""
    if not values:  # e.g. a phase that did not happen in this run
        return dict.fromkeys(("n", "min", "p50", "p90", "p99", "max", "mean"), 0.0)
    ordered = sorted(values)

    def pick(q: float) -> float:
        return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]

    return {
        "n": len(ordered),
        "min": ordered[0],
        "p50": pick(0.50),
        "p90": pick(0.90),
        "p99": pick(0.99),
        "max": ordered[-1],
        "mean": statistics.fmean(ordered),
    }


def quiet_structlog() -> None:
    """Structlog as a service runs it: events below WARNING filtered, the logger cached.

    structlog's stock development config prints every event to the console, which would
    measure the terminal instead of the engine.
    """
    structlog.configure(
        wrapper_class=structlog.make_filtering_bound_logger(logging.WARNING),
        cache_logger_on_first_use=True,
    )


def json_warnings_to_devnull() -> None:
    """As a service logs: JSON lines at WARNING and above, rendered, to a file (/dev/null).

    For benchmarks whose waits log warnings (timeouts): rendering them is part of the
    cost measured, printing them to a terminal would not be, and stdout stays free for
    a contender's JSON result.
    """
    structlog.configure(
        processors=[
            structlog.processors.add_log_level,
            structlog.processors.TimeStamper(fmt="iso"),
            structlog.processors.JSONRenderer(),
        ],
        wrapper_class=structlog.make_filtering_bound_logger(logging.WARNING),
        logger_factory=structlog.PrintLoggerFactory(
            file=Path(os.devnull).open("w")  # noqa: SIM115 - lives as long as the process
        ),
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
