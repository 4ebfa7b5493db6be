"""What if the terms said otherwise? The catalogue verified again for other values of the
terms' parameters (issue 14 §2: a verification sweep over what-if parameters).

    variants = variants_of(spec.path, [parse_assignment("minimum_term_months=1,3,6,12", spec)])
    report = sweep(spec, variants, properties=None, settings=Settings())

A variant is the spec's own text with the `default:` of one or more `scope: terms`
parameters rewritten in place (every other byte as it is), loaded by the same checked
loader as any spec. The check that every figure is as the terms text writes it (P67,
`figures_as_written`) is left out unless asked for by ``--property``: a variant's value
differs from the text by design. Each variant is verified on the fast path of an edit (verify/
incremental.py: the base's last proofs and witnesses checked again for the steps the new
value changes), with the base's verdicts as the last ones: a sweep of a parameter costs
about what an edit of it costs in a pull request, not a cold catalogue per value.

``cluster``: the variants run on the workers of a Dask cluster (``simulate.cluster``), one
task per variant; the spec, its scenarios and terms are sent as text, the base's verdicts
as data. The report is the same as a local sweep's (nothing in it depends on where or
when a variant ran).
"""

from __future__ import annotations

import itertools
import re
import threading
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from yakkan.model import limits
from yakkan.model.errors import InputError

MAX_VARIANTS = 64  # a sweep is a question asked at a desk, not a search
MAX_SEEDS = 20  # seeds simulated per variant (--simulate --seeds)
SIMULATION_DEFAULTS = {**limits.SIMULATION_DEFAULTS, "seeds": 1}  # --simulate's options
MAX_VALUES = 1_000_000_000  # a terms parameter's value (months, basis points, yen)
_ASSIGNMENT = re.compile(r"\s*([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*)")
_RANGE = re.compile(r"(-?\d+)\s*\.\.\s*(-?\d+)")


@dataclass(frozen=True)
class Assignment:
    """The values a sweep gives one terms parameter (in the order asked, no repeats)."""

    name: str
    values: tuple[int, ...]


@dataclass(frozen=True)
class Variant:
    """The spec with these terms parameters' defaults: ``values`` ((name, value), …)."""

    values: tuple[tuple[str, int], ...]
    text: str

    @property
    def label(self) -> str:
        return ", ".join(f"{n}={v}" for n, v in self.values)


def parse_assignment(text: str, spec: Any) -> Assignment:
    """``NAME=V1,V2,…`` (or ``NAME=A..B``, both ends included) for a terms parameter of
    ``spec``; bad input raises InputError saying what to write."""
    m = _ASSIGNMENT.fullmatch(text)
    example = "e.g. minimum_term_months=1,3,6 or minimum_term_months=1..12"
    if m is None:
        raise InputError(f"'{text}' is not NAME=VALUES", where="what-if", hint=example)
    name, rest = m.group(1), m.group(2)
    terms = [n for n, p in spec.parameters.items() if p.scope == "terms"]
    if name not in spec.parameters:
        from yakkan.model.errors import did_you_mean

        raise InputError(f"unknown parameter '{name}'{did_you_mean(name, terms)}", where="what-if",
                         hint=f"the terms' parameters: {', '.join(terms)}")  # fmt: skip
    param = spec.parameters[name]
    if param.scope != "terms":
        raise InputError(f"'{name}' is set per contract, not by the terms: the verifier already covers each of its "
                         "values", where="what-if", hint=f"the terms' parameters: {', '.join(terms)}")  # fmt: skip
    if param.type.kind != "int":
        raise InputError(f"'{name}' is not a whole number: a what-if sweeps whole numbers only", where="what-if",
                         hint=f"the terms' parameters: {', '.join(terms)}")  # fmt: skip
    values: list[int] = []
    for part in rest.split(","):
        part = part.strip()
        r = _RANGE.fullmatch(part)
        if r is not None:
            low, high = int(r.group(1)), int(r.group(2))
            if high < low or high - low >= MAX_VARIANTS:
                raise InputError(f"'{part}' is not a range of at most {MAX_VARIANTS} values", where="what-if",
                                 hint=example)  # fmt: skip
            values += range(low, high + 1)
        elif re.fullmatch(r"-?\d{1,30}", part):  # a longer number is outside any domain below
            values.append(int(part))
        else:
            raise InputError(f"'{part}' is not a whole number", where=f"what-if {name}", hint=example)
    low = param.minimum if param.minimum is not None else -MAX_VALUES
    for v in values:
        if not low <= v <= MAX_VALUES:
            raise InputError(f"{name}={v} is outside its domain ({low} to {MAX_VALUES:,})", where="what-if",
                             hint=f"give values of at least {low}")  # fmt: skip
    return Assignment(name, tuple(dict.fromkeys(values)))


def variants_of(spec_path: Path, assignments: Sequence[Assignment], doc: Any = None) -> list[Variant]:
    """One variant per combination of the values (the spec's own values among them are
    variants too: they are the base, verified as it is); each checked by the loader on the
    spec's document with the defaults set in memory (as `yakkan mutate` checks a mutant).
    ``doc``: the spec's document as `read_yaml` read it (else read here)."""
    from yakkan.model.errors import SpecError
    from yakkan.model.limits import read_input_text
    from yakkan.model.spec import load_spec_document
    from yakkan.model.yamlio import read_yaml

    names = [a.name for a in assignments]
    if len(set(names)) != len(names):
        twice = next(n for n in names if names.count(n) > 1)
        raise InputError(f"'{twice}' is given twice", where="what-if", hint=f"give all its values once: {twice}=3,6")
    combos = list(itertools.product(*[a.values for a in assignments]))
    if len(combos) > MAX_VARIANTS:
        raise InputError(f"{len(combos)} combinations of values: at most {MAX_VARIANTS} are verified in one sweep",
                         where="what-if", hint="give fewer values, or sweep one parameter at a time")  # fmt: skip
    text = read_input_text(spec_path, SpecError)
    doc = read_yaml(spec_path, SpecError) if doc is None else doc
    entries = {n: doc["parameters"][n] for n in names}
    at = {n: default_position(entries[n]) for n in names}
    old = {n: entries[n]["default"] for n in names}
    out = []
    for combo in combos:
        values = tuple(zip(names, combo, strict=True))
        try:
            for n, v in values:
                entries[n]["default"] = v
            load_spec_document(spec_path, doc)
        finally:
            for n in names:
                entries[n]["default"] = old[n]
        out.append(Variant(values, with_defaults(text, {at[n]: v for n, v in values})))
    return out


def default_position(entry: Any) -> tuple[int, int, str]:
    """(line, column, text) of the literal of a parameter's ``default:`` in the spec's text
    (0-based, as ruamel keeps them)."""
    from yakkan.model.yamlio import value_position

    at = value_position(entry, "default")
    assert at is not None  # the loader accepted the spec: every parameter has its default
    return at[0], at[1], str(entry["default"])


def with_defaults(text: str, edits: Mapping[tuple[int, int, str], int]) -> str:
    """``text`` with each literal at (line, column, old text) replaced by its new value (the
    rightmost first, so that the columns of the others on its line still hold)."""
    lines = text.splitlines(keepends=True)
    for (line, col, old), value in sorted(edits.items(), reverse=True):
        row = lines[line]
        if row[col : col + len(old)] != old:
            raise AssertionError(f"line {line + 1}: {old!r} not at column {col + 1}")
        lines[line] = row[:col] + str(value) + row[col + len(old) :]
    return "".join(lines)


# -- the sweep -------------------------------------------------------------------------------


def sweep(spec: Any, variants: Sequence[Variant], properties: list[str] | None, settings: Any,
          use_cache: bool = True, cluster: str | None = None, out_dir: Path | None = None,
          cache_dir: Path | None = None,
          on_done: Callable[[Variant, list[Any]], None] | None = None) -> dict[str, Any]:  # fmt: skip
    """The base's verdicts (``spec``: the spec as loaded from its file), then each
    variant's (on the fast path from the base's), as the report `text` prints: for each
    variant the verdicts that differ from the base's."""
    from yakkan.model.spec import FIGURES_AS_WRITTEN

    from .cli import verify
    from .dependencies import Fingerprints

    if properties is None:
        # a variant's value is, by design, not the figure the terms text writes: the check
        # of the figures as written (P67) would only say so; the rest is the question
        properties = [pid for pid, p in spec.properties.items() if p.check != FIGURES_AS_WRITTEN]
    spec_path = Path(spec.path)
    base, info = verify(spec_path, properties, settings, None, use_cache=use_cache, cache_dir=cache_dir)
    fingerprints = Fingerprints(spec)
    last = {v.id: {"own": fingerprints.own(v.id), "verdict": v.to_data()} for v in base}
    own_values = tuple((n, spec.parameters[n].default) for n, _ in variants[0].values) if variants else ()
    results: dict[tuple[tuple[str, int], ...], tuple[list[dict[str, Any]], str | None]] = {}
    todo = [v for v in variants if v.values != own_values]
    for v in variants:
        if v.values == own_values:
            results[v.values] = ([b.to_data() for b in base], None)
    from yakkan.simulate.cluster import SpecTexts

    texts = SpecTexts.read(spec)

    def finished(variant: Variant, data: list[dict[str, Any]]) -> None:
        results[variant.values] = written(texts, variant, data, out_dir)
        if on_done:
            on_done(variant, data)

    if cluster is not None and todo:
        from yakkan.simulate.cluster import Cluster

        with Cluster(cluster) as on:
            for variant, data in on.map(remote_variant, todo, texts, settings, last, properties):
                finished(variant, data)
    else:
        for variant in todo:
            finished(variant, verify_variant(texts, variant, properties, settings, last, use_cache, cache_dir))
    titles = {pid: (p.title, p.title_ja) for pid, p in spec.properties.items()}
    return report(info, base, own_values, [(v, *results[v.values]) for v in variants], titles)


def written(texts: Any, variant: Variant, data: list[dict[str, Any]],
            out_dir: Path | None) -> tuple[list[dict[str, Any]], str | None]:  # fmt: skip
    """``data`` with its scenarios written under ``out_dir``/<variant>/, and beside them the
    variant's spec (with its scenarios and terms, in ``spec/``: `yakkan replay SCENARIO --spec
    SPEC` replays a counterexample on the terms it breaks): (data, the spec's path); as it
    is without ``out_dir``. Written here, not where the variant ran: a cluster's report is
    a local one."""
    if out_dir is None:  # the private folder they were written to is gone
        return [{**d, "counterexample": None, "witnesses": []} for d in data], None
    from .runner import Verdict

    folder = out_dir / folder_name(variant.values)
    spec_path, _ = texts.write(folder)
    spec_path.write_text(variant.text, encoding="utf-8")
    out = []
    for d in data:
        v = Verdict.from_data(d)
        v.restore(folder)
        out.append(v.to_data())
    return out, str(spec_path)


def folder_name(values: tuple[tuple[str, int], ...]) -> str:
    """The folder of a variant's files under ``--out``: NAME=VALUE[,NAME=VALUE…]."""
    return ",".join(f"{n}={v}" for n, v in values)


def verify_variant(texts: Any, variant: Variant, properties: list[str] | None, settings: Any,
                   last: Mapping[str, Any], use_cache: bool = True, cache_dir: Path | None = None,
                   in_process: bool = False) -> list[dict[str, Any]]:  # fmt: skip
    """The verdicts (as data) of ``variant``: the spec's texts (a `simulate.cluster.SpecTexts`:
    the spec, the scenarios it names, its terms) written to a private folder with the spec's
    text replaced by the variant's, verified with ``last`` as the last verdicts (the fast
    path); the folder removed afterwards."""
    from .cli import verify

    with texts.written() as (path, _):
        path.write_text(variant.text, encoding="utf-8")
        # the scenarios' texts are kept in the verdicts; `written` puts them where the sweep's are
        verdicts, _ = verify(path, properties, settings, path.parent.parent / "out", use_cache=use_cache,
                             cache_dir=cache_dir, last=last, in_process=in_process,
                             jobs=1 if in_process else None)  # fmt: skip
    return [v.to_data() for v in verdicts]


_ONE_AT_A_TIME = threading.Lock()  # a worker's threads share Z3's context: one check at a time


def remote_variant(texts: Any, settings: Any, last: Mapping[str, Any], properties: list[str] | None,
                   variant: Variant) -> list[dict[str, Any]]:  # fmt: skip
    """`verify_variant` on a cluster's worker: the checks in the worker's process, one
    variant at a time whatever its threads, no cache (the worker's disk is not ours)."""
    with _ONE_AT_A_TIME:
        return verify_variant(texts, variant, properties, settings, last, use_cache=False, in_process=True)


def report(info: Mapping[str, Any], base: list[Any], own_values: tuple[tuple[str, int], ...],
           results: Iterable[tuple[Variant, list[dict[str, Any]], str | None]],
           titles: Mapping[str, tuple[str, str | None]]) -> dict[str, Any]:  # fmt: skip
    """The sweep as data (``--json``): nothing in it depends on where or when it ran."""
    before = {v.id: v for v in base}
    rows = []
    for variant, data, spec_path in results:
        changed = []
        for d in data:
            b = before[d["id"]]
            if d["verdict"] != b.verdict:
                changed.append({"id": d["id"], "title": titles[d["id"]][0], "title_ja": titles[d["id"]][1],
                                "before": b.verdict, "after": d["verdict"], "expected": d["expected"],
                                "matches": d["matches"], "articles": d["articles"],
                                "counterexample": d.get("counterexample")})  # fmt: skip
        routes = {"reused": 0, "fast": 0, "hint": 0, "full": 0}  # ("hint": the terms as written, no cache)
        for d in data:
            routes["reused" if d["cached"] else d.get("route") or "full"] += 1
        rows.append({"values": dict(variant.values), "label": variant.label, "base": variant.values == own_values,
                     "spec": spec_path, "routes": routes,
                     "as_expected": sum(1 for d in data if d["matches"]), "properties": len(data),
                     "changed": changed,
                     "not_as_expected": [d["id"] for d in data if not d["matches"]]})  # fmt: skip
    return {"spec": dict(info), "base": {"values": dict(own_values),
                                         "as_expected": sum(1 for v in base if v.matches), "properties": len(base)},
            "variants": rows}  # fmt: skip


def text(data: Mapping[str, Any], lang: str) -> str:
    """The sweep for a reader: one block per variant, the verdicts that change named."""
    from yakkan.diagrams.i18n import verdict_word
    from yakkan.lang import tr_in

    out = [tr_in(lang, "what-if: {id} {version}, {n} properties; as written ({values}): {ok} as expected",
                 id=data["spec"]["id"], version=data["spec"]["version"], n=data["base"]["properties"],
                 values=", ".join(f"{k}={v}" for k, v in data["base"]["values"].items()),
                 ok=data["base"]["as_expected"])]  # fmt: skip
    simulation = data.get("simulation")
    if simulation is not None:
        from .whatif_money import money_lines

        seeds = simulation["seeds"]
        if len(seeds) == 1:
            out.append(tr_in(lang, "money: {customers} customers over {months} months (seed {seed}), the same "
                                   "portfolio on every variant", seed=seeds[0], **simulation))  # fmt: skip
        else:
            out.append(tr_in(lang, "money: {customers} customers over {months} months, the mean of seeds {first} to "
                                   "{last} (in brackets: the mean difference; its least and greatest over the seeds), "
                                   "the same portfolio on every variant", first=seeds[0], last=seeds[-1],
                             **simulation))  # fmt: skip
        out += money_lines(data["base"], lang)
    for row in data["variants"]:
        head = tr_in(lang, "{label}: {ok}/{n} as expected", label=row["label"], ok=row["as_expected"],
                     n=row["properties"])  # fmt: skip
        if row["base"]:
            head += tr_in(lang, " (the terms as written)")
        else:
            head += tr_in(lang, " — {fast} re-checked from the terms as written, {full} in full, {reused} reused",
                          **row["routes"])
        out.append("")
        out.append(head)
        if simulation is not None:
            out += money_lines(row, lang)
        if not row["changed"]:
            out.append("  " + tr_in(lang, "no verdict changes"))
        for c in row["changed"]:
            title = c["title_ja"] if lang == "ja" and c["title_ja"] else c["title"]
            mark = tr_in(lang, "as expected") if c["matches"] else tr_in(lang, "NOT as expected (expected {e})",
                                                                         e=verdict_word(c["expected"], lang, "expect"))
            out.append(f"  {c['id']} {title}: {verdict_word(c['before'], lang)} → {verdict_word(c['after'], lang)}"
                       f" — {mark}")  # fmt: skip
            if c["counterexample"] and row["spec"]:
                out.append("    " + tr_in(lang, "replay it on these terms: yakkan replay {scenario} --spec {spec}",
                                          scenario=c["counterexample"], spec=row["spec"]))  # fmt: skip
    return "\n".join(out)


def run(args: Any) -> int:
    """The `yakkan what-if` command: exit 0 when every variant was verified, 1 when two
    backends disagreed on one (a bug in yakkan: never a result), 2 for bad input."""
    import json
    import sys

    from yakkan.lang import current, tr
    from yakkan.model.errors import SpecError
    from yakkan.model.limits import check_output_folder
    from yakkan.model.spec import load_spec_document
    from yakkan.model.yamlio import read_yaml

    from .cli import _select, settings_from

    spec_path = Path(args.spec)
    if not spec_path.is_file():
        raise InputError(f"no spec at {spec_path}", hint="give the path of a spec.yaml")
    doc = read_yaml(spec_path, SpecError)
    spec = load_spec_document(spec_path, doc)
    properties = list(args.property) if getattr(args, "property", None) else None
    if properties:
        _select(spec, properties)
    settings = settings_from(None, None, None)
    out_dir = check_output_folder(args.out) if getattr(args, "out", None) is not None else None
    cluster = getattr(args, "cluster", None)
    if cluster is not None:
        from yakkan.simulate.cluster import check_address

        cluster = check_address(cluster, reach=True)
    limits.simulation_options(args, SIMULATION_DEFAULTS)  # checked before anything runs: bad input writes nothing
    simulate = args.simulate
    if simulate:
        limits.check_count(args.seeds, "--seeds", 1, MAX_SEEDS, "5")
    variants = variants_of(spec_path, [parse_assignment(a, spec) for a in args.assignments], doc)
    live = sys.stderr.isatty() and not args.json
    done = [0]

    def progress(variant: Variant, data: list[dict[str, Any]]) -> None:
        done[0] += 1
        if live:
            print("\r" + tr("{done}/{n} variants verified", done=done[0], n=len(variants)), end="",
                  file=sys.stderr, flush=True)  # fmt: skip

    data = sweep(spec, variants, properties, settings, use_cache=not args.no_cache, cluster=cluster,
                 out_dir=out_dir, on_done=progress)  # fmt: skip
    if live and done[0]:
        print(file=sys.stderr)
    if simulate:
        from .whatif_money import simulate_variants, with_money

        own = tuple(data["base"]["values"].items())
        specs = {tuple(row["values"].items()): row["spec"] for row in data["variants"]}
        others = [v for v in variants if v.values != own]
        seeds = range(args.seed, args.seed + args.seeds)
        if live:
            print(tr("simulating {n} variants", n=len(others) + 1), file=sys.stderr, flush=True)
        data = with_money(data, simulate_variants(spec, own, others, args.customers, args.months, seeds,
                                                  cluster=cluster, out_dir=out_dir, specs=specs))  # fmt: skip
    if args.json:
        print(json.dumps(data, ensure_ascii=False, indent=2))
    else:
        print(text(data, current()))
    sys.stdout.flush()
    broken = any(c["after"] == "error" for row in data["variants"] for c in row["changed"])
    return 1 if broken else 0
