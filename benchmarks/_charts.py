"""Charts of the benchmarks' results: one SVG beside each JSON report, shown by the docs.

Each benchmark script calls :func:`render` through ``_common.write_report``; ``python
benchmarks/_charts.py`` redraws every chart from the JSON already in
``benchmarks/results/`` (after a change to a chart, without rerunning a benchmark).

The SVGs are committed, so they are written reproducibly: no date in their metadata and
a fixed salt for the ids matplotlib generates, so a rerun with the same numbers is no
diff.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

import matplotlib as mpl

mpl.use("Agg")  # files only, never a window
import matplotlib.pyplot as plt

if TYPE_CHECKING:
    from collections.abc import Callable

    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

RESULTS = Path(__file__).parent / "results"

plt.rcParams.update(
    {
        "svg.hashsalt": "waitkit-benchmarks",
        "svg.fonttype": "none",  # text stays text: smaller files, searchable
        "font.size": 9,
        "axes.spines.top": False,
        "axes.spines.right": False,
        "axes.grid": True,
        "grid.alpha": 0.3,
        "figure.dpi": 100,
    }
)

#: One colour per kind of contender, the same in every chart.
WAITKIT = "#1f6fb4"
ANCHOR = "#8c8c8c"
PEERS = {"backoff": "#e08a1e", "tenacity": "#c0392b", "stamina": "#7d4fb0", "kubectl": "#2e8b57"}


def colour(name: str) -> str:
    """Blue for waitkit, a named peer its own colour, every other anchor grey."""
    if name.startswith("waitkit"):
        return WAITKIT
    return next((c for peer, c in PEERS.items() if name.startswith(peer)), ANCHOR)


def caption(report: dict[str, Any]) -> str:
    """Where and when the numbers were taken: every chart says so."""
    measured = report.get("measured", {})
    cpu = measured.get("cpu_model") or report.get("machine", "?")
    parts = [
        f"{report.get('cpus', '?')} CPUs ({cpu})",
        f"Python {report.get('python', '?')}",
        f"{report.get('repeats', 1)} repeats",
    ]
    if measured:
        parts += [measured.get("date", ""), f"commit {measured.get('commit', '?')}"]
    return "; ".join(p for p in parts if p)


def _finish(fig: Figure, report: dict[str, Any], title: str, *, top: float = 0.95) -> Figure:
    """Title, the machine-and-commit footer, and the layout (plots below ``top``)."""
    fig.suptitle(title, fontsize=10, fontweight="bold")
    fig.text(0.5, 0.005, caption(report), ha="center", va="bottom", fontsize=7, color="#555")
    fig.tight_layout(rect=(0, 0.04, 1, top))
    return fig


def _ratio_bars(ax: Axes, rows: dict[str, dict[str, Any]], *, label: str) -> None:
    """Horizontal bars of median ratios with the spread over repeats as whiskers."""
    names = list(rows)
    medians = [rows[n]["cpu_ratio_to_bare"] for n in names]
    low = [rows[n]["cpu_ratio_range_to_bare"][0] for n in names]
    high = [rows[n]["cpu_ratio_range_to_bare"][1] for n in names]
    errors = [[m - lo for m, lo in zip(medians, low, strict=True)]]
    errors.append([hi - m for m, hi in zip(medians, high, strict=True)])
    ys = range(len(names))
    ax.barh(ys, medians, xerr=errors, color=[colour(n) for n in names], capsize=3)
    ax.set_yticks(ys, names)
    ax.invert_yaxis()
    ax.set_xscale("log")
    ax.set_xlabel(label)
    for y, m in zip(ys, medians, strict=True):
        ax.annotate(f"{m:.2f}x", (m, y), xytext=(4, -3), textcoords="offset points", fontsize=8)


def engine_overhead(report: dict[str, Any]) -> Figure:
    """CPU per observation of each contender against the bare loop's."""
    fig, ax = plt.subplots(figsize=(7, 3.2))
    _ratio_bars(ax, report["contenders"], label="CPU per observation, x bare loop (log)")
    ax.axvline(1, color=ANCHOR, linewidth=0.8)
    waits = report["waiters"]
    return _finish(fig, report, f"Engine overhead: {waits:,} waits, zero delay")


def scaling(report: dict[str, Any]) -> Figure:
    """Cost per observation and memory per pending wait from 1,000 to 50,000 waits."""
    sizes = sorted(report["sizes"], key=int)
    xs = [int(s) for s in sizes]
    names = list(report["sizes"][sizes[0]])
    fig, (cpu_ax, mem_ax) = plt.subplots(1, 2, figsize=(8, 3.4))
    for name in names:
        rows = [report["sizes"][s][name] for s in sizes]
        cpu = [r["cpu_us_per_observation"] for r in rows]
        mem = [r["rss_bytes_per_pending_wait"] for r in rows]
        style = {"color": colour(name), "marker": "o", "label": name}
        if name == "waitkit_wait":
            style["linestyle"] = "--"
        cpu_ax.errorbar(
            xs,
            [c["median"] for c in cpu],
            yerr=_whiskers(cpu),
            capsize=3,
            **style,  # type: ignore[arg-type]
        )
        mem_ax.errorbar(
            xs,
            [m["median"] / 1024 for m in mem],
            yerr=_whiskers(mem, scale=1 / 1024),
            capsize=3,
            **style,  # type: ignore[arg-type]
        )
    for ax in (cpu_ax, mem_ax):
        ax.set_xscale("log")
        ax.set_xticks(xs, [f"{x:,}" for x in xs])
        ax.set_xlabel("waits in one process")
    cpu_ax.set_ylabel("CPU per observation (µs)")
    mem_ax.set_ylabel("RSS per pending wait (KiB)")
    mem_ax.set_ylim(bottom=0)
    cpu_ax.set_ylim(bottom=0)
    handles, labels = cpu_ax.get_legend_handles_labels()
    fig.legend(
        handles,
        labels,
        loc="upper center",
        ncol=len(names),
        fontsize=7,
        bbox_to_anchor=(0.5, 0.93),
        frameon=False,
    )
    return _finish(fig, report, "Scaling: waits polling every second", top=0.86)


def _whiskers(spreads: list[dict[str, float]], scale: float = 1.0) -> list[list[float]]:
    """Error bars from min / median / max spreads."""
    return [
        [(s["median"] - s["min"]) * scale for s in spreads],
        [(s["max"] - s["median"]) * scale for s in spreads],
    ]


def deadline_accuracy(report: dict[str, Any]) -> Figure:
    """Overshoot percentiles per contender in both scenarios (median over repeats)."""
    scenarios = report["summary_over_repeats"]
    fig, axes = plt.subplots(1, len(scenarios), figsize=(8, 3.4), sharey=True)
    marks = ("p50", "p90", "p99", "max")
    for ax, (scenario, by_name) in zip(axes, scenarios.items(), strict=True):
        for name, row in by_name.items():
            if "p50" not in row:  # a contender that never ended (reported, not charted)
                continue
            values = [max(row[m]["median"], 1e-4) * 1e3 for m in marks]
            ax.plot(marks, values, marker="o", color=colour(name), label=name)
        ax.set_yscale("log")
        ax.set_title(scenario, fontsize=9)
        ax.set_xlabel("percentile of the overshoot")
        ax.legend(fontsize=7)
    axes[0].set_ylabel("end - deadline (ms, log; early ends at 0.1)")
    return _finish(fig, report, f"Deadline accuracy: {report['waits']:,} waits")


def watch_latency(report: dict[str, Any]) -> Figure:
    """Flip-to-return latency: empirical CDFs of waitkit and kubectl wait, pooled."""
    fig, ax = plt.subplots(figsize=(7, 3.4))
    series = {
        "kubectl wait (one process per Job)": ("paired", "kubectl_latency_s"),
        "waitkit, the same Jobs": ("paired", "waitkit_latency_s"),
        f"waitkit, {report['waiters']:,} waiters": ("waitkit_1000", "latency_s"),
    }
    for label, (key, field) in series.items():
        values = sorted(v * 1e3 for r in report["rounds"] for v in r[key][field])
        if not values:
            continue
        fractions = [(i + 1) / len(values) for i in range(len(values))]
        name = "kubectl" if label.startswith("kubectl") else "waitkit"
        style = "--" if "same" in label else "-"
        ax.step(values, fractions, where="post", color=colour(name), linestyle=style, label=label)
    ax.set_xscale("log")
    ax.set_xlabel("latency from the Job's change to the wait's return (ms, log)")
    ax.set_ylabel("fraction of changes")
    ax.legend(fontsize=7, loc="lower right")
    return _finish(fig, report, "Watch latency: JobWaiter vs kubectl wait")


def api_calls_per_round(report: dict[str, Any]) -> Figure:
    """Calls per polling round: waitkit's shared observation against a per-resource loop."""
    durable = report["durable"]
    refresh = report["instance_refresh"]
    cases = {
        f"{durable['executions']:,} durable executions": (
            durable["waitkit_polling_calls_per_round"],
            durable["naive_calls_per_round"],
        ),
        f"{refresh['waiters']} refresh waiters, {refresh['groups']} groups": (
            refresh["waitkit_calls_per_round"],
            refresh["naive_calls_per_round"],
        ),
    }
    fig, ax = plt.subplots(figsize=(7, 2.8))
    ys = range(len(cases))
    ours = [w for w, _ in cases.values()]
    theirs = [n for _, n in cases.values()]
    ax.barh([y - 0.2 for y in ys], ours, height=0.4, color=WAITKIT, label="waitkit")
    ax.barh([y + 0.2 for y in ys], theirs, height=0.4, color=ANCHOR, label="per-resource loop")
    for y, (w, n) in zip(ys, cases.values(), strict=True):
        ax.annotate(f"{w:.1f}", (w, y - 0.2), xytext=(4, -3), textcoords="offset points")
        ax.annotate(f"{n:.0f}", (n, y + 0.2), xytext=(4, -3), textcoords="offset points")
    ax.set_yticks(ys, list(cases))
    ax.invert_yaxis()
    ax.set_xscale("log")
    ax.set_xlabel("API calls per polling round (log)")
    ax.legend(fontsize=7, loc="lower right")
    return _finish(fig, report, "API calls per round")


def throttling(report: dict[str, Any]) -> Figure:
    """Failed waits and total time against the ideal, under a throttled API."""
    summary = report["summary"]
    names = list(summary)
    fig, (fail_ax, time_ax) = plt.subplots(1, 2, figsize=(8, 3.0), sharey=True)
    ys = range(len(names))
    colours = [colour(n) for n in names]
    fail_ax.barh(ys, [summary[n]["failures"]["median"] for n in names], color=colours)
    fail_ax.set_xlabel(f"failed waits (of {report['waiters']})")
    ratios = [summary[n]["ratio_to_ideal"] for n in names]
    time_ax.barh(
        ys,
        [r["median"] for r in ratios],
        xerr=_whiskers(ratios),
        color=colours,
        capsize=3,
    )
    time_ax.axvline(1, color=ANCHOR, linewidth=0.8)
    time_ax.set_xlabel("time until the last wait returned, x ideal")
    fail_ax.set_yticks(ys, names)
    fail_ax.invert_yaxis()
    title = f"Throttling: {report['waiters']} waits, API limited to {report['rate_per_s']:g}/s"
    return _finish(fig, report, title)


def loop_lag(report: dict[str, Any]) -> Figure:
    """Event-loop lag p99 (whole run and steady state) per contender."""
    summary = report["summary_over_repeats"]
    names = list(summary)
    fig, ax = plt.subplots(figsize=(7, 3.2))
    ys = range(len(names))
    for offset, key, hatch in ((-0.2, "all_p99", ""), (0.2, "steady_p99", "//")):
        spreads = [summary[n][key] for n in names]
        ax.barh(
            [y + offset for y in ys],
            [s["median"] * 1e3 for s in spreads],
            height=0.4,
            xerr=_whiskers(spreads, scale=1e3),
            color=[colour(n) for n in names],
            hatch=hatch,
            edgecolor="white",
            capsize=3,
            label="p99, whole run" if not hatch else "p99, steady state",
        )
    ax.set_yticks(ys, names)
    ax.invert_yaxis()
    ax.set_xlabel("event-loop lag (ms)")
    ax.legend(fontsize=7, loc="lower right")
    return _finish(fig, report, f"Event-loop lag: {report['waits']:,} waits")


def job_logs(report: dict[str, Any]) -> Figure:
    """Log line latency percentiles and memory per stream: waitkit's on_log vs kubectl."""
    fig, (lat_ax, mem_ax) = plt.subplots(1, 2, figsize=(8, 3.2))
    marks = ("p50", "p90", "p99", "max")
    for name, key in (
        ("waitkit on_log", "waitkit_latency"),
        ("kubectl logs -f", "kubectl_latency"),
    ):
        pooled = report[key]["pooled"]
        lat_ax.plot(
            marks, [pooled[m] * 1e3 for m in marks], marker="o", color=colour(name), label=name
        )
    lat_ax.set_ylabel("line written -> delivered (ms)")
    lat_ax.set_xlabel("percentile, pooled over repeats")
    lat_ax.set_ylim(bottom=0)
    lat_ax.legend(fontsize=7)
    per_stream = {
        "waitkit, per stream": report["streaming_rss_cost_mib_per_stream"],
        "kubectl, per process": report["kubectl_max_rss_mib_per_process"]["median"],
    }
    ys = range(len(per_stream))
    mem_ax.barh(ys, list(per_stream.values()), color=[WAITKIT, PEERS["kubectl"]])
    for y, value in zip(ys, per_stream.values(), strict=True):
        mem_ax.annotate(f"{value:.2f} MiB", (value, y), xytext=(4, -3), textcoords="offset points")
    mem_ax.set_yticks(ys, list(per_stream))
    mem_ax.invert_yaxis()
    mem_ax.set_xscale("log")
    mem_ax.set_xlabel("memory of one followed log (MiB, log)")
    return _finish(fig, report, f"Job logs: {report['jobs']} Jobs streamed")


#: The chart of each report, by the report's file stem.
CHARTS: dict[str, Callable[[dict[str, Any]], Figure]] = {
    "engine_overhead": engine_overhead,
    "scaling": scaling,
    "deadline_accuracy": deadline_accuracy,
    "watch_latency": watch_latency,
    "api_calls_per_round": api_calls_per_round,
    "throttling": throttling,
    "loop_lag": loop_lag,
    "job_logs": job_logs,
}


def render(report_path: Path) -> Path | None:
    """Draw the chart of one JSON report beside it; ``None`` for a report without one."""
    draw = CHARTS.get(report_path.stem)
    if draw is None:
        return None
    figure = draw(json.loads(report_path.read_text()))
    chart = report_path.with_suffix(".svg")
    figure.savefig(chart, format="svg", metadata={"Date": None})
    plt.close(figure)
    return chart


def main() -> None:
    """Redraw every chart from the reports in ``benchmarks/results/``."""
    paths = [Path(p) for p in sys.argv[1:]] or sorted(RESULTS.glob("*.json"))
    for path in paths:
        chart = render(path)
        if chart is not None:
            print(f"wrote {chart}")


if __name__ == "__main__":
    main()
