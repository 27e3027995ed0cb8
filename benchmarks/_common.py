"""What every benchmark script shares: noise summaries, percentiles, reports, log configs."""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import json
import logging
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
from collections.abc import AsyncIterator
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


def measured() -> dict[str, Any]:
    """When, on what code and on what machine a report was measured.

    Absolute figures hold for that machine only; the ratios are what carry across machines.
    """
    head = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"],  # noqa: S607 - a developer's checkout
        capture_output=True,
        text=True,
        check=False,
        cwd=Path(__file__).parent,
    ).stdout.strip()
    return {
        "date": dt.datetime.now(dt.UTC).strftime("%Y-%m-%d"),
        "commit": head or "unknown",
        "cpu_model": _cpu_model(),
        "load_avg_1_5_15": list(os.getloadavg()),
    }


def _cpu_model() -> str:
    """The CPU's model name (Linux), else the architecture."""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.machine()


def write_report(path: Path, report: dict[str, Any]) -> None:
    """Write a benchmark's JSON report (creating its folder), stamped and charted.

    The report gets a ``measured`` stamp (:func:`measured`), and its chart is drawn beside
    it (``_charts.render``) for docs/performance.md.
    """
    from _charts import render  # noqa: PLC0415 - matplotlib only once a report is done

    path.parent.mkdir(parents=True, exist_ok=True)
    report = {**report, "measured": measured()}
    path.write_text(json.dumps(report, indent=2) + "\n")
    chart = render(path)
    if chart is not None:
        print(f"wrote {chart}")


def ms_spread(stat: dict[str, float]) -> str:
    """A :func:`spread` of seconds as ``min/median/max`` milliseconds, for the console."""
    return "/".join(f"{stat[k] * 1e3:.1f}" for k in ("min", "median", "max"))


#: kubectl as found on the PATH (the Kubernetes benchmarks run it beside waitkit).
KUBECTL = shutil.which("kubectl") or "kubectl"


def kubectl_command(
    kubeconfig: Path, cache: Path, *args: str, namespace: str | None = None
) -> list[str]:
    """The argv of one kubectl run against the emulator, with the warm discovery cache."""
    scope = [] if namespace is None else ["--namespace", namespace]
    return [KUBECTL, "--kubeconfig", str(kubeconfig), "--cache-dir", str(cache), *scope, *args]


@contextlib.asynccontextmanager
async def kube_emulator(warm: str) -> AsyncIterator[tuple[Any, Path]]:
    """The Kubernetes emulator, and a kubectl cache directory whose discovery is warm.

    ``kubectl get WARM`` runs once first, so no measured round pays for discovery.
    """
    from waitkit.emulator import Emulator, Scenario  # noqa: PLC0415 - Kubernetes benchmarks only

    scenario = Scenario.model_validate({"kubernetes": {"history": 100_000}})
    with tempfile.TemporaryDirectory(prefix="waitkit-bench-kubectl-") as cache_dir:
        async with Emulator(scenario) as emu:
            cache = Path(cache_dir)
            await asyncio.to_thread(
                subprocess.run,
                kubectl_command(emu.kubeconfig_path, cache, "get", warm),
                check=True,
                capture_output=True,
            )
            yield emu, cache
