"""The terminal view of a report (rich tables)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from rich.table import Table

from yakkan.lang import spec_text, tr

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
        + tr("{customers:,} customers × {months} months = {cm:,} customer-months, {start} to {end}, seed {seed}, "
             "engine {engine}", customers=data["customers"], months=data["months"], cm=data["customer_months"],
             start=data["start"], end=data["end"], seed=data["seed"], engine=data["engine"])
    )  # fmt: skip

    t = Table(title=tr("Monitors (the property catalogue, checked on every step)"), title_justify="left")
    t.add_column(tr("property"), no_wrap=True)
    t.add_column(tr("articles"), no_wrap=True)
    t.add_column(tr("status"), no_wrap=True)
    t.add_column(tr("customers"), justify="right", no_wrap=True)
    t.add_column(tr("title"))
    for f in report.findings:
        style = "bold red" if f.violation else ("green" if f.kind == "reachable" else "yellow")
        status = tr("VIOLATED") if f.violation else (tr("witnessed") if f.kind == "reachable" else tr("known finding"))
        t.add_row(f.property, ", ".join(f.articles), f"[{style}]{status}[/{style}]",
                  f"{f.customers_affected:,}", spec_text(spec, f.title))  # fmt: skip
    quiet = [pid for pid, m in data["monitors"].items() if not m["customers"] and m["kind"] != "reachable"]
    t.add_row(tr("{n} others", n=len(quiet)), "", f"[green]{tr('never fired')}[/green]", "", ", ".join(quiet))
    for pid, m in data["monitors"].items():
        if m["kind"] == "reachable" and not m["customers"]:
            t.add_row(pid, "", tr("not witnessed"), "",
                      spec_text(spec, spec.properties[pid].title) + tr(" (no step of this run)"))  # fmt: skip
    for p in data["not_monitored"]:
        t.add_row(p["property"], "", tr("not monitored"), "",
                  spec_text(spec, p["title"]) + tr(" (structural: yakkan verify)"))  # fmt: skip
    console.print(t)
    for f in report.findings:
        if f.scenario:
            console.print(tr("  {property}: customer {customer} ({profile}), step {step}, {day} → {scenario} "
                             "({events} events)", property=f.property, customer=f.customer, profile=f.profile,
                             step=f.step, day=iso(f.day), scenario=f.scenario, events=f.scenario_events))  # fmt: skip

    t = Table(title=tr("Customer-months by state (state at each month end)"), title_justify="left")
    t.add_column(tr("state"))
    t.add_column(tr("customer-months"), justify="right")
    t.add_column(tr("share"), justify="right")
    t.add_column(tr("at the end"), justify="right")
    total = max(1, data["customer_months"])
    for state, n in data["state_months"].items():
        t.add_row(state, f"{n:,}", f"{100 * n / total:.1f}%", f"{data['final_states'].get(state, 0):,}")
    console.print(t)

    m = data["money"]
    t = Table(title=tr("Money (integer yen, as of the last day)"), title_justify="left")
    t.add_column("")
    t.add_column(tr("total"), justify="right")
    for key in ("charged", "paid", "late_charges", "penalties", "outstanding", "credit", "refunded",
                "liability_awarded"):  # fmt: skip
        t.add_row(key, yen(m[key]))
    for key, value in m["deposits"].items():
        t.add_row(tr("deposit {key}", key=key), yen(value))
    console.print(t)

    t = Table(title=tr("How contracts ended"), title_justify="left")
    t.add_column(tr("ended by"))
    t.add_column(tr("contracts"), justify="right")
    for how, n in data["ended_by"].items():
        t.add_row(how, f"{n:,}")
    t.add_row(tr("rejected (never concluded)"), f"{data['final_states'].get('rejected', 0):,}")
    s = data["suspensions"]
    t.add_row("", "")
    t.add_row(tr("suspensions completed"), f"{s['completed']:,}")
    t.add_row(tr("  mean / median / p90 / max days"), f"{s['mean_days']} / {s['median_days']} / {s['p90_days']} / "
              f"{s['max_days']}")  # fmt: skip
    t.add_row(tr("still suspended at the end (longest days)"), f"{s['ongoing_at_end']:,} ({s['ongoing_max_days']})")
    console.print(t)

    t = Table(title=tr("Refused events ({n:,}), most frequent rules", n=data["refusals"]["total"]),
              title_justify="left")  # fmt: skip
    t.add_column(tr("event"))
    t.add_column(tr("articles"))
    t.add_column(tr("rule"))
    t.add_column(tr("count"), justify="right")
    for r in data["refusals"]["by_rule"][:10]:
        t.add_row(r["event"], r["articles"], spec_text(spec, r["rule"]), f"{r['count']:,}")
    console.print(t)
