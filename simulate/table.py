"""The terminal view of a report (rich tables)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from rich.table import Table

from .report import iso

if TYPE_CHECKING:
    from .report import Report


def yen(n: int) -> str:
    return f"¥{n:,}" if n >= 0 else f"-¥{-n:,}"


def render(report: Report, console: Any) -> None:
    data = report.to_json()
    spec = report.spec
    console.print(
        f"[bold]{spec.meta.get('name_ja', spec.meta['name'])}[/bold] ({spec.meta['version']}) — "
        f"{data['customers']:,} customers × {data['months']} months = {data['customer_months']:,} "
        f"customer-months, {data['start']} to {data['end']}, seed {data['seed']}, engine {data['engine']}"
    )

    t = Table(title="Monitors (the property catalogue, checked on every step)", title_justify="left")
    t.add_column("property", no_wrap=True)
    t.add_column("articles", no_wrap=True)
    t.add_column("status", no_wrap=True)
    t.add_column("customers", justify="right", no_wrap=True)
    t.add_column("title")
    for f in report.findings:
        style = "bold red" if f.violation else ("green" if f.kind == "reachable" else "yellow")
        status = "VIOLATED" if f.violation else ("witnessed" if f.kind == "reachable" else "known finding")
        t.add_row(f.property, ", ".join(f.articles), f"[{style}]{status}[/{style}]",
                  f"{f.customers_affected:,}", f.title)  # fmt: skip
    quiet = [pid for pid, m in data["monitors"].items() if not m["customers"] and m["kind"] != "reachable"]
    t.add_row(f"{len(quiet)} others", "", "[green]never fired[/green]", "", ", ".join(quiet))
    for pid, m in data["monitors"].items():
        if m["kind"] == "reachable" and not m["customers"]:
            t.add_row(pid, "", "not witnessed", "", spec.properties[pid].title + " (no step of this run)")
    for p in data["not_monitored"]:
        t.add_row(p["property"], "", "not monitored", "", p["title"] + " (structural: yakkan verify)")
    console.print(t)
    for f in report.findings:
        if f.scenario:
            console.print(f"  {f.property}: customer {f.customer} ({f.profile}), step {f.step}, "
                          f"{iso(f.day)} → {f.scenario} ({f.scenario_events} events)")  # fmt: skip

    t = Table(title="Customer-months by state (state at each month end)", title_justify="left")
    t.add_column("state")
    t.add_column("customer-months", justify="right")
    t.add_column("share", justify="right")
    t.add_column("at the end", justify="right")
    total = max(1, data["customer_months"])
    for state, n in data["state_months"].items():
        t.add_row(state, f"{n:,}", f"{100 * n / total:.1f}%", f"{data['final_states'].get(state, 0):,}")
    console.print(t)

    m = data["money"]
    t = Table(title="Money (integer yen, as of the last day)", title_justify="left")
    t.add_column("")
    t.add_column("total", justify="right")
    for key in ("charged", "paid", "late_charges", "penalties", "outstanding", "credit", "refunded",
                "liability_awarded"):  # fmt: skip
        t.add_row(key, yen(m[key]))
    for key, value in m["deposits"].items():
        t.add_row(f"deposit {key}", yen(value))
    console.print(t)

    t = Table(title="How contracts ended", title_justify="left")
    t.add_column("ended by")
    t.add_column("contracts", justify="right")
    for how, n in data["ended_by"].items():
        t.add_row(how, f"{n:,}")
    t.add_row("rejected (never concluded)", f"{data['final_states'].get('rejected', 0):,}")
    s = data["suspensions"]
    t.add_row("", "")
    t.add_row("suspensions completed", f"{s['completed']:,}")
    t.add_row("  mean / median / p90 / max days", f"{s['mean_days']} / {s['median_days']} / {s['p90_days']} / "
              f"{s['max_days']}")  # fmt: skip
    t.add_row("still suspended at the end (longest days)", f"{s['ongoing_at_end']:,} ({s['ongoing_max_days']})")
    console.print(t)

    t = Table(title=f"Refused events ({data['refusals']['total']:,}), most frequent rules", title_justify="left")
    t.add_column("event")
    t.add_column("articles")
    t.add_column("rule")
    t.add_column("count", justify="right")
    for r in data["refusals"]["by_rule"][:10]:
        t.add_row(r["event"], r["articles"], r["rule"], f"{r['count']:,}")
    console.print(t)
