"""Plots of a portfolio run, as PNG and SVG, byte-identical for the same report.

matplotlib runs on the Agg backend; the SVG hash salt is fixed and the date left out of
the metadata, so the same seed draws the same bytes. `draw_plots` draws from the report's
JSON in English or Japanese (the docs site draws both, with Noto Sans CJK JP); the
simulator writes the English ones beside report.json.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .report import Report

STATE_COLOURS = {
    "applied": "#c6dbef", "documents_requested": "#9ecae1", "concluded": "#6baed6",
    "active": "#31a354", "restricted": "#fdae6b", "suspended": "#e6550d", "interrupted": "#fdd0a2",
    "ended": "#969696", "rejected": "#636363", "pre_application": "#f0f0f0",
}  # fmt: skip


_TEXT: Mapping[str, Mapping[str, str]] = {
    "en": {
        "occupancy": "Contracts by state at each month end ({customers} customers, seed {seed})",
        "customers": "customers", "money": "Money charged and paid, cumulative", "million_yen": "million yen",
        "charged": "charged (tax incl.)", "paid": "paid", "unpaid": "charged, not paid",
        "suspensions": "Suspension lengths (days, completed: {completed}; still suspended at the end: {ongoing})",
        "n_suspensions": "suspensions", "endings": "Contracts ended, by month and by how", "contracts": "contracts",
        "refusals": "Refused events by article", "n_refusals": "refusals", "days": "days",
    },
    "ja": {
        "occupancy": "各月末の状態別の契約数（顧客{customers}件、シード{seed}）",
        "customers": "契約数", "money": "請求額と支払額の累計", "million_yen": "百万円",
        "charged": "請求額（税込）", "paid": "支払額", "unpaid": "請求済み・未払い",
        "suspensions": "一時停止の期間（日数。終了した一時停止 {completed}件、期間末に一時停止中 {ongoing}件）",
        "n_suspensions": "一時停止の件数", "endings": "月別・事由別の契約の終了", "contracts": "契約数",
        "refusals": "条項別の拒否されたイベント", "n_refusals": "拒否の件数", "days": "日数",
    },
}  # fmt: skip


def _setup(lang: str = "en"):
    import matplotlib

    matplotlib.use("Agg", force=True)
    import matplotlib.pyplot as plt

    matplotlib.rcParams.update({
        "svg.hashsalt": "yakkan-simulate",
        "svg.fonttype": "path",
        "font.family": ["Noto Sans CJK JP", "DejaVu Sans"] if lang == "ja" else "DejaVu Sans",
        "font.size": 9,
        "figure.dpi": 100,
        "axes.spines.top": False,
        "axes.spines.right": False,
    })  # fmt: skip
    return plt


def _save(plt, fig, out: Path, name: str, exts: tuple[str, ...] = ("png", "svg")) -> list[Path]:
    from yakkan.model.limits import write_in

    paths = []
    for ext, meta in (("png", {"Software": "yakkan"}), ("svg", {"Date": None, "Creator": "yakkan"})):
        if ext not in exts:
            continue
        buf = io.BytesIO()
        fig.savefig(buf, format=ext, metadata=meta, bbox_inches="tight")
        paths.append(write_in(out, f"{name}.{ext}", buf.getvalue()))
    plt.close(fig)
    return paths


def write_plots(report: Report, out: Path) -> list[Path]:
    """occupancy, money, suspensions, endings and refusals plots under `out`."""
    return draw_plots(report.to_json(), out)


def _month_labels(data: Mapping[str, Any], months: int) -> list[str]:
    y0, m0 = (int(x) for x in str(data.get("start", "2000-01-01"))[:7].split("-"))
    out = []
    for k in range(months):
        y, m = divmod(y0 * 12 + m0 - 1 + k, 12)
        out.append(f"{y}-{m + 1:02d}")
    return out


def draw_plots(data: Mapping[str, Any], out: Path, lang: str = "en", suffix: str = "",
               exts: tuple[str, ...] = ("png", "svg"),
               name_of: Callable[[str, str], str] | None = None) -> list[Path]:  # fmt: skip
    """The five plots of a report's JSON under `out`, as `<plot><suffix>.<ext>`, their words
    in `lang`; `name_of(kind, key)` names a state ("state") or an ending ("ended_by")."""
    plt = _setup(lang)
    w = _TEXT[lang]
    name = name_of or (lambda _kind, key: key)
    months = int(data["months"])
    labels = _month_labels(data, months)
    ticks = list(range(0, months, max(1, months // 10)))
    files: list[Path] = []

    # 1. state occupancy over time
    fig, ax = plt.subplots(figsize=(9, 4.5))
    occ = data["occupancy"]
    states = [s for s in occ if any(occ[s])]
    ax.stackplot(range(months), *[occ[s] for s in states], labels=[name("state", s) for s in states],
                 colors=[STATE_COLOURS.get(s, "#cccccc") for s in states])  # fmt: skip
    ax.set_title(w["occupancy"].format(customers=data["customers"], seed=data["seed"]))
    ax.set_ylabel(w["customers"])
    ax.set_xticks(ticks, [labels[k] for k in ticks], rotation=45, ha="right")
    ax.set_xlim(0, max(1, months - 1))
    ax.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0), frameon=False)
    files += _save(plt, fig, out, f"occupancy{suffix}", exts)

    # 2. money billed and paid, cumulative (millions of yen)
    fig, ax = plt.subplots(figsize=(9, 4))
    billed = data["billed_by_month"]
    ax.plot(range(months), [x / 1e6 for x in billed["charged"]], label=w["charged"], color="#3182bd")
    ax.plot(range(months), [x / 1e6 for x in billed["paid"]], label=w["paid"], color="#31a354")
    ax.fill_between(range(months), [x / 1e6 for x in billed["paid"]], [x / 1e6 for x in billed["charged"]],
                    color="#e6550d", alpha=0.2, label=w["unpaid"])  # fmt: skip
    ax.set_title(w["money"])
    ax.set_ylabel(w["million_yen"])
    ax.set_xticks(ticks, [labels[k] for k in ticks], rotation=45, ha="right")
    ax.legend(frameon=False)
    files += _save(plt, fig, out, f"money{suffix}", exts)

    # 3. suspension lengths
    fig, ax = plt.subplots(figsize=(7, 4))
    hist = data["suspensions"]["histogram"]
    ax.bar(range(len(hist)), list(hist.values()), color="#e6550d")
    ax.set_xticks(range(len(hist)), list(hist.keys()), rotation=45, ha="right")
    s = data["suspensions"]
    ax.set_title(w["suspensions"].format(completed=s["completed"], ongoing=s["ongoing_at_end"]))
    ax.set_ylabel(w["n_suspensions"])
    ax.set_xlabel(w["days"])
    files += _save(plt, fig, out, f"suspensions{suffix}", exts)

    # 4. how and when contracts ended
    fig, ax = plt.subplots(figsize=(9, 4))
    bottom = [0] * months
    colours = {"cancelled": "#3182bd", "not_renewed": "#9ecae1", "terminated": "#e6550d", "abolished": "#636363"}
    for how, row in data["ended_in_month"].items():
        ax.bar(range(months), row, bottom=bottom, label=f"{name('ended_by', how)} ({sum(row)})",
               color=colours.get(how))  # fmt: skip
        bottom = [a + b for a, b in zip(bottom, row, strict=True)]
    ax.set_title(w["endings"])
    ax.set_ylabel(w["contracts"])
    ax.set_xticks(ticks, [labels[k] for k in ticks], rotation=45, ha="right")
    ax.legend(frameon=False)
    files += _save(plt, fig, out, f"endings{suffix}", exts)

    # 5. refusals by article
    fig, ax = plt.subplots(figsize=(7, 4))
    by_article = list(data["refusals"]["by_article"].items())[:15]
    ax.barh([a for a, _ in reversed(by_article)], [n for _, n in reversed(by_article)], color="#756bb1")
    ax.set_title(w["refusals"])
    ax.set_xlabel(w["n_refusals"])
    files += _save(plt, fig, out, f"refusals{suffix}", exts)
    return files
