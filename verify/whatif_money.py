"""What a what-if does to the money: the same portfolio and seed simulated on the terms as
written and on each variant (`yakkan what-if … --simulate`; issue 14's question from
product, "what does a 6-month minimum term do to revenue?").

    runs = simulate_variants(spec, own_values, variants, customers=200, months=36, seeds=range(5))
    data = with_money(whatif.report(...), runs)   # each variant's figures, differences, spread

Every variant runs the profiles beside the spec (the bundled ones where there are none)
and the same seeds, so a difference between two variants' figures is the terms' doing,
not the customers' (the customers' behaviour under other terms is what the profiles say
it is). Several seeds give each difference's spread: one that crosses zero is no answer.
The figures are those `yakkan review --simulate` compares (`terms.money.FIGURES`: integer
yen, suspension counts and days) and the contracts ended each way, read from each run's
report; with the properties the simulation's monitors found violated.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from yakkan.terms.money import FIGURES, difference, figure_at

from .whatif import Variant, folder_name

YEN_FIGURES = frozenset(name for name, path in FIGURES if path[0] == "money")  # the rest: counts and days
Values = tuple[tuple[str, int], ...]  # a variant's (name, value) pairs
HEADLINE = ("charged", "paid", "late_charges", "penalties", "outstanding")  # what the terms as written show


def figures_of(report: Mapping[str, Any]) -> dict[str, Any]:
    """The compared figures of one simulation report (its JSON), flat: each of
    `terms.money.FIGURES`, then ``ended_<way>`` for each way a contract ended."""
    out = {name: figure_at(report, path) for name, path in FIGURES}
    for way, n in report.get("ended_by", {}).items():
        out[f"ended_{way}"] = n
    return out


def simulate_variants(spec: Any, own: Values, variants: Sequence[Variant], customers: int, months: int,
                      seeds: Sequence[int], cluster: str | None = None, out_dir: Path | None = None,
                      specs: Mapping[Values, str | None] | None = None) -> dict[str, Any]:  # fmt: skip
    """The figures and violations for each seed (``runs``: one entry a seed, in the order of
    ``seeds``) of the terms as written (``own``: their values, simulated from the spec's
    file) and of each variant, from one simulation each of ``customers`` for ``months``;
    keyed by the values. ``specs``: a variant's spec file already written
    (`whatif.written`), simulated there so that its report (under ``out_dir``/<variant>/
    simulate, or simulate-<seed> for several seeds) names a file that stays; otherwise the
    variant's text is simulated from a private folder. ``cluster``: each simulation's
    customers on that Dask cluster (the same figures)."""
    from yakkan.simulate.cluster import SpecTexts
    from yakkan.simulate.engines import Model
    from yakkan.simulate.runner import run_portfolio
    from yakkan.terms.money import profiles_beside

    profiles = profiles_beside(Path(spec.path))
    texts = SpecTexts.read(spec, profiles)
    runs: dict[Values, list[dict[str, Any]]] = {}

    def simulated(values: Values, path: Path, profiles_path: Path) -> None:
        model = Model.load(path)  # once for the seeds: the engine is generated once
        for seed in seeds:
            name = "simulate" if len(seeds) == 1 else f"simulate-{seed}"
            folder = out_dir / folder_name(values) / name if out_dir is not None else None
            report = run_portfolio(spec_path=path, profiles_path=profiles_path, customers=customers, months=months,
                                   seed=seed, out=folder, shrink_findings=False, cluster=cluster,
                                   model=model).to_json()  # fmt: skip
            runs.setdefault(values, []).append({
                "seed": seed, "figures": figures_of(report),
                "violations": [f["property"] for f in report["violations"]]})  # fmt: skip

    simulated(own, Path(spec.path), profiles)
    for variant in variants:
        written = (specs or {}).get(variant.values)
        if written is not None:
            simulated(variant.values, Path(written), profiles)
            continue
        with texts.written() as (path, profiles_path):
            path.write_text(variant.text, encoding="utf-8")
            simulated(variant.values, path, profiles_path or profiles)
    return {"customers": customers, "months": months, "seeds": list(seeds), "profiles": str(profiles), "runs": runs}


def with_money(data: dict[str, Any], money: Mapping[str, Any]) -> dict[str, Any]:
    """The sweep's report (`whatif.report`) with the simulation: ``simulation`` (what was
    simulated), the terms as written's ``money`` on ``base``, and each variant's ``money``:
    ``figures`` (the mean over the seeds: a seed's own with one seed), ``delta`` (the mean
    of the seeds' differences from the terms as written on the same seed), ``spread``
    (with several seeds: each figure's least and greatest difference over the seeds), the
    properties the monitors found violated on some seed (``violations``), those the terms
    as written show on none (``new_violations``) and those of the terms as written the
    variant shows on none (``gone_violations``)."""
    runs = money["runs"]
    base = runs[tuple(data["base"]["values"].items())]
    data["base"]["money"] = {"figures": _mean([r["figures"] for r in base]), "violations": _violations(base)}
    for row in data["variants"]:
        own = runs[tuple(row["values"].items())]
        entry: dict[str, Any] = {"figures": _mean([r["figures"] for r in own]), "violations": _violations(own)}
        if not row["base"]:
            deltas = [{k: difference(v, b["figures"].get(k, 0)) for k, v in r["figures"].items()}
                      for r, b in zip(own, base, strict=True)]  # fmt: skip
            entry["delta"] = _mean(deltas)
            if len(deltas) > 1:
                entry["spread"] = {k: [min(d[k] for d in deltas), max(d[k] for d in deltas)] for k in deltas[0]}
            entry["new_violations"] = [p for p in entry["violations"] if p not in data["base"]["money"]["violations"]]
            entry["gone_violations"] = [p for p in data["base"]["money"]["violations"] if p not in entry["violations"]]
        row["money"] = entry
    data["simulation"] = {k: money[k] for k in ("customers", "months", "seeds", "profiles")}
    return data


def _mean(rows: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    """Each key's mean over ``rows``: whole numbers rounded half up to a whole number, the
    rest to one decimal (a single row: itself)."""
    out: dict[str, Any] = {}
    n = len(rows)
    for k in rows[0]:
        values = [r.get(k, 0) for r in rows]
        if all(isinstance(v, int) for v in values):
            out[k] = (2 * sum(values) + n) // (2 * n)
        else:
            out[k] = round(sum(values) / n, 1)
    return out


def _violations(runs: Sequence[Mapping[str, Any]]) -> list[str]:
    return list(dict.fromkeys(p for r in runs for p in r["violations"]))


def money_lines(row: Mapping[str, Any], lang: str) -> list[str]:
    """A variant's money for a reader, one figure a line: the headline figures of the terms
    as written; of a variant, each figure that differs, with its difference (nothing
    differs: one line), then the violations the simulation's monitors now find or no
    longer find."""
    from yakkan.lang import tr_in
    from yakkan.terms.review_render import figure_name

    money = row.get("money")
    if money is None:
        return []
    figures = money["figures"]
    if "delta" not in money:
        return [f"    {figure_name(k, lang)} {_amount(k, figures[k])}" for k in HEADLINE]
    spread = money.get("spread", {})
    changed = [k for k, d in money["delta"].items() if d or any(spread.get(k, ()))]
    out = ["  " + tr_in(lang, "money: as with the terms as written")] if not changed else \
        ["  " + tr_in(lang, "money:")] + [
            f"    {figure_name(k, lang)} {_amount(k, figures[k])}{_paren(_change(k, money, lang), lang)}"
            for k in changed]  # fmt: skip
    if money["new_violations"]:
        out.append("  " + tr_in(lang, "the simulation's monitors now find violated: {ids}",
                                ids=", ".join(money["new_violations"])))  # fmt: skip
    if money["gone_violations"]:
        out.append("  " + tr_in(lang, "no longer found violated in the simulation: {ids}",
                                ids=", ".join(money["gone_violations"])))  # fmt: skip
    return out


def _change(name: str, money: Mapping[str, Any], lang: str) -> str:
    """The difference from the terms as written; with several seeds, its least and greatest."""
    from yakkan.lang import tr_in

    delta = _amount(name, money["delta"][name], True)
    if "spread" not in money:
        return delta
    low, high = (_amount(name, v, True) for v in money["spread"][name])
    return tr_in(lang, "{delta}; {low} to {high}", delta=delta, low=low, high=high)


def _paren(text: str, lang: str) -> str:
    return f"（{text}）" if lang == "ja" else f" ({text})"


def _amount(name: str, value: Any, signed: bool = False) -> str:
    sign = "+" if signed and value > 0 else ""
    if isinstance(value, float):
        return f"{sign}{value:,.1f}"
    if name in YEN_FIGURES:
        return f"{'-' if value < 0 else sign}¥{abs(value):,}"
    return f"{sign}{value:,}"
