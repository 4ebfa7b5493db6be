"""Plots of a portfolio run, as PNG and SVG, byte-identical for the same report.

matplotlib runs on the Agg backend; the SVG hash salt is fixed and the date left out of
the metadata, so the same seed draws the same bytes.
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .report import Report

STATE_COLOURS = {
    "applied": "#c6dbef", "documents_requested": "#9ecae1", "concluded": "#6baed6",
    "active": "#31a354", "restricted": "#fdae6b", "suspended": "#e6550d", "interrupted": "#fdd0a2",
    "ended": "#969696", "rejected": "#636363", "pre_application": "#f0f0f0",
}  # fmt: skip


def _setup():
    import matplotlib

    matplotlib.use("Agg", force=True)
    import matplotlib.pyplot as plt

    matplotlib.rcParams.update({
        "svg.hashsalt": "yakkan-simulate",
        "svg.fonttype": "path",
        "font.family": "DejaVu Sans",
        "font.size": 9,
        "figure.dpi": 100,
        "axes.spines.top": False,
        "axes.spines.right": False,
    })  # fmt: skip
    return plt


def _save(plt, fig, out: Path, name: str) -> list[Path]:
    from yakkan.model.limits import write_in

    paths = []
    for ext, meta in (("png", {"Software": "yakkan"}), ("svg", {"Date": None, "Creator": "yakkan"})):
        buf = io.BytesIO()
        fig.savefig(buf, format=ext, metadata=meta, bbox_inches="tight")
        paths.append(write_in(out, f"{name}.{ext}", buf.getvalue()))
    plt.close(fig)
    return paths


def write_plots(report: Report, out: Path) -> list[Path]:
    """occupancy, money, suspensions, endings and refusals plots under `out`."""
    plt = _setup()
    data = report.to_json()
    months = report.months
    labels = [report.month_label(k) for k in range(months)]
    ticks = list(range(0, months, max(1, months // 10)))
    files: list[Path] = []

    # 1. state occupancy over time
    fig, ax = plt.subplots(figsize=(9, 4.5))
    occ = data["occupancy"]
    states = [s for s in occ if any(occ[s])]
    ax.stackplot(range(months), *[occ[s] for s in states], labels=states,
                 colors=[STATE_COLOURS.get(s, "#cccccc") for s in states])  # fmt: skip
    ax.set_title(f"Contracts by state at each month end ({report.customers} customers, seed {report.seed})")
    ax.set_ylabel("customers")
    ax.set_xticks(ticks, [labels[k] for k in ticks], rotation=45, ha="right")
    ax.set_xlim(0, max(1, months - 1))
    ax.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0), frameon=False)
    files += _save(plt, fig, out, "occupancy")

    # 2. money billed and paid, cumulative (millions of yen)
    fig, ax = plt.subplots(figsize=(9, 4))
    billed = data["billed_by_month"]
    ax.plot(range(months), [x / 1e6 for x in billed["charged"]], label="charged (tax incl.)", color="#3182bd")
    ax.plot(range(months), [x / 1e6 for x in billed["paid"]], label="paid", color="#31a354")
    ax.fill_between(range(months), [x / 1e6 for x in billed["paid"]], [x / 1e6 for x in billed["charged"]],
                    color="#e6550d", alpha=0.2, label="charged, not paid")  # fmt: skip
    ax.set_title("Money charged and paid, cumulative")
    ax.set_ylabel("million yen")
    ax.set_xticks(ticks, [labels[k] for k in ticks], rotation=45, ha="right")
    ax.legend(frameon=False)
    files += _save(plt, fig, out, "money")

    # 3. suspension lengths
    fig, ax = plt.subplots(figsize=(7, 4))
    hist = data["suspensions"]["histogram"]
    ax.bar(range(len(hist)), list(hist.values()), color="#e6550d")
    ax.set_xticks(range(len(hist)), list(hist.keys()), rotation=45, ha="right")
    s = data["suspensions"]
    ax.set_title(f"Suspension lengths (days, completed: {s['completed']}; still suspended at the end: "
                 f"{s['ongoing_at_end']})")  # fmt: skip
    ax.set_ylabel("suspensions")
    files += _save(plt, fig, out, "suspensions")

    # 4. how and when contracts ended
    fig, ax = plt.subplots(figsize=(9, 4))
    bottom = [0] * months
    colours = {"cancelled": "#3182bd", "not_renewed": "#9ecae1", "terminated": "#e6550d", "abolished": "#636363"}
    for how, row in data["ended_in_month"].items():
        ax.bar(range(months), row, bottom=bottom, label=f"{how} ({sum(row)})", color=colours.get(how))
        bottom = [a + b for a, b in zip(bottom, row, strict=True)]
    ax.set_title("Contracts ended, by month and by how")
    ax.set_ylabel("contracts")
    ax.set_xticks(ticks, [labels[k] for k in ticks], rotation=45, ha="right")
    ax.legend(frameon=False)
    files += _save(plt, fig, out, "endings")

    # 5. refusals by article
    fig, ax = plt.subplots(figsize=(7, 4))
    by_article = list(data["refusals"]["by_article"].items())[:15]
    ax.barh([a for a, _ in reversed(by_article)], [n for _, n in reversed(by_article)], color="#756bb1")
    ax.set_title("Refused events by article")
    ax.set_xlabel("refusals")
    files += _save(plt, fig, out, "refusals")
    return files
