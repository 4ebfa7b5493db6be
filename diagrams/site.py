"""The static documentation site: ja/ and en/ pages, shared assets, and yakkan.md.

Layout of the output folder (everything relative, no network needed):

    index.html                 language choice
    ja/*.html, en/*.html       overview, terms, states, events, transitions,
                               interpretations, properties, coverage, simulation
    assets/style.css           the only stylesheet
    assets/search.js, search.<lang>.js   the search (a static index; every page reads without it)
    assets/lifecycle.<lang>.{svg,png,pdf,mmd,dot}
    assets/paths/<P>.<lang>.svg    a property's counterexample or witness, highlighted
    scenarios/<P>.yaml         that scenario, to download and `yakkan replay`
    simulate/…                 the simulator's plots and scenarios, when a run is given
    yakkan.md, yakkan.ja.md    the same content as Markdown (English / Japanese)
    review/index.html, review/en.html, review/lifecycle.<lang>.svg
                               with a review (`yakkan docs --review OLD`): the change from
                               an older version to this spec (terms/review_render.py), in
                               the site's pages, linked from the navigation and the index

The site is built in a temporary folder and swapped in (see `fsio.building`).
"""

from __future__ import annotations

import datetime as dt
import json
import shutil
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any

import jinja2
from markupsafe import Markup, escape

from yakkan.model.errors import InputError, clip
from yakkan.model.limits import read_input_bytes, safe_file_name
from yakkan.model.names import is_safe_id
from yakkan.model.scenario import scenario_from_data
from yakkan.model.spec import Spec
from yakkan.terms.structure import load_terms

from .analysis import Lifecycle
from .docmodel import KIND_NAMES, DocModel, anchor
from .errors import DiagramError
from .figures import breaking_step, figures_of
from .fsio import building
from .highlight import path_of_scenario
from .i18n import LANGS, SIM_KEYS_JA, state_name, ui
from .render import EXTENSIONS, render_diagram
from .results import PASSING, SIMULATE_LISTS, SimulateReport, VerifyResults, _warn

TEMPLATES = Path(__file__).resolve().parent / "templates"
MAX_DRAWN = 10  # scenarios of a simulation run drawn per list (all are offered as files)
PAGES = ("index", "terms", "states", "events", "transitions", "interpretations", "properties",
         "coverage", "simulation")  # fmt: skip
REVIEW_PAGES = {"ja": "index.html", "en": "en.html"}  # in review/, beside each other
REVIEW_PAGES_FROM_LANG = {lang: f"../review/{name}" for lang, name in REVIEW_PAGES.items()}  # from ja/, en/


def _cites(terms: Any) -> Any:
    def cites(articles: Iterable[str], page: str = "terms.html") -> Markup:
        """Citations as links to their place on the terms page."""
        out = []
        for c in articles:
            try:
                canon = terms.canonical(c)
            except Exception:  # noqa: BLE001 - an unknown citation is shown as written
                out.append(str(escape(c)))
                continue
            out.append(f'<a class="cite" href="{page}#{anchor(canon)}">{escape(c)}</a>')
        return Markup(", ".join(out))

    return cites


def _environment(terms: Any, markdown: bool = False) -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(TEMPLATES)),
        autoescape=not markdown, trim_blocks=True, lstrip_blocks=True,
        finalize=_markdown_text if markdown else None,
        undefined=jinja2.StrictUndefined, keep_trailing_newline=True,
    )  # fmt: skip
    env.filters["cites"] = _cites(terms)
    env.filters["yen"] = lambda v: f"¥{v:,}" if isinstance(v, int) else v
    env.filters["mdcell"] = lambda v: str(v).replace("|", "\\|").replace("\n", " ")
    env.filters["code"] = _code_span
    env.globals["anchor"] = anchor
    return env


def _markdown_text(value: Any) -> Any:
    """A value written into Markdown: `<` and `&` escaped, so raw HTML from a label
    (`<script>`) is shown as text, not run; Markup (made by a filter) is kept."""
    if isinstance(value, Markup) or value is None:
        return value
    return str(value).replace("&", "&amp;").replace("<", "&lt;")


def _code_span(value: Any) -> Markup:
    """`value` as inline code: a Markdown code span (its text is never read as HTML), or,
    when the value holds a backtick that would end the span, HTML <code> with `&`, `<` and
    `>` escaped."""
    text = str(value).replace("\n", " ")
    if "`" not in text:
        return Markup(f"`{text}`")
    return Markup("<code>" + text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;") + "</code>")


class SiteBuilder:
    """Writes the site of one spec into a folder (see the module docstring)."""

    def __init__(self, spec: Spec, verify_results: VerifyResults | None = None,
                 simulate_report: SimulateReport | None = None, review: Any = None) -> None:  # fmt: skip
        self.review = review  # a terms.review_data.Review from an older version to `spec`, or None
        self.spec = spec
        self.verify = verify_results
        self.simulate = simulate_report
        self.life = Lifecycle(spec)
        self.terms = load_terms(spec.terms_path)
        self.html = _environment(self.terms)
        self.md = _environment(self.terms, markdown=True)

    # -- building ------------------------------------------------------------------------------

    def build(self, out: Path) -> Path:
        with building(out) as tmp:
            self._write_all(tmp)
        return out / "index.html"

    def _write_all(self, root: Path) -> None:
        (root / "assets" / "paths").mkdir(parents=True)
        shutil.copyfile(TEMPLATES / "style.css", root / "assets" / "style.css")
        for lang in LANGS:
            for fmt, ext in EXTENSIONS.items():
                (root / "assets" / f"lifecycle.{lang}.{ext}").write_bytes(
                    render_diagram(self.spec, fmt, lang, life=self.life, links=self._links(lang, "../")))
        verdicts = self._verdicts(root)
        simulation = self._simulation(root)
        models = {lang: DocModel(self.spec, lang, self.life, self.terms, verdicts) for lang in LANGS}
        shutil.copyfile(TEMPLATES / "search.js", root / "assets" / "search.js")
        for lang, model in models.items():
            (root / "assets" / f"search.{lang}.js").write_text(search_script(model), encoding="utf-8")
            (root / lang).mkdir()
            ctx = self._context(model, simulation)
            for page in PAGES:
                html = self.html.get_template(f"{page}.html.j2").render(page=page, **ctx)
                (root / lang / f"{page}.html").write_text(html, encoding="utf-8")
        if self.review is not None:
            self._review_pages(root, models, simulation)
        review = {"old": self.review.old_version, "new": self.review.new_version} if self.review else None
        top = self.html.get_template("root.html.j2").render(
            meta=self.spec.meta, ui_ja=ui("ja"), ui_en=ui("en"), summary=models["en"].summary, review=review)
        (root / "index.html").write_text(top, encoding="utf-8")
        for lang, name in (("en", "yakkan.md"), ("ja", "yakkan.ja.md")):
            ctx = self._context(models[lang], simulation)
            md = self.md.get_template("yakkan.md.j2").render(**ctx)
            (root / name).write_text(tidy_markdown(md), encoding="utf-8")

    def _context(self, model: DocModel, simulation: dict[str, Any] | None) -> dict[str, Any]:
        lang = model.lang
        model.profile_titles = dict(simulation["profile_titles"].get(lang, {})) if simulation else {}
        return {
            "lang": lang, "other": "en" if lang == "ja" else "ja", "ui": ui(lang), "m": model,
            "meta": self.spec.meta, "kinds": KIND_NAMES[lang], "pages": PAGES,
            "verify": self._verify_summary(), "simulation": simulation,
            "spec_name": self.spec.path.name, "terms_name": self.spec.terms_path.name,
            "mermaid": (Path("assets") / f"lifecycle.{lang}.mmd").as_posix(),
            "mermaid_text": render_diagram(self.spec, "mermaid", lang, life=self.life).decode("utf-8"),
            "review_pages": REVIEW_PAGES_FROM_LANG if self.review is not None else None,
        }  # fmt: skip

    def _review_pages(self, root: Path, models: Mapping[str, DocModel], simulation: dict[str, Any] | None) -> None:
        """review/index.html (ja) and review/en.html: the review's report in the site's pages,
        with the marked lifecycle beside them (review/lifecycle.<lang>.svg)."""
        from yakkan.terms.review_diagram import FILE, render_review_diagram
        from yakkan.terms.review_render import blocks, html_body

        r = self.review
        folder = root / "review"
        folder.mkdir()
        for c in r.verdicts or ():  # the counterexamples the page tells, beside it (the page links them by name)
            if c.new is not None and c.new.counterexample and c.new_outcome == "violated":
                source = Path(c.new.counterexample)
                text = getattr(c.new, "scenario_text", None) or (source.read_text(encoding="utf-8")
                                                                  if source.is_file() else None)  # fmt: skip
                if text:
                    (folder / source.name).write_text(text, encoding="utf-8")
        for lang in LANGS:
            svg = folder / FILE.format(lang=lang, ext="svg")
            svg.write_bytes(render_review_diagram(*r.specs, r.diagram, lang, "svg"))
            body = html_body(blocks(r, lang, lambda p: Path(p).name, diagram={"svg": svg}, site=True))
            other = "en" if lang == "ja" else "ja"
            ctx = {**self._context(models[lang], simulation), "page": "review", "nav_up": f"../{lang}/",
                   "search_base": f"../{lang}/", "other_href": REVIEW_PAGES[other],
                   "review_pages": REVIEW_PAGES}  # fmt: skip
            html = self.html.get_template("review.html.j2").render(review_body=Markup(body), **ctx)
            (folder / REVIEW_PAGES[lang]).write_text(html, encoding="utf-8")

    def _links(self, lang: str, up: str) -> Callable[[tuple[str, ...]], str | None]:
        """For the site's diagrams: a state's or transition's articles → the first one's place
        on the terms page of `lang`, relative to the SVG's folder (`up` to the site's root)."""

        def link(articles: tuple[str, ...]) -> str | None:
            for c in articles:
                try:
                    return f"{up}{lang}/terms.html#{anchor(self.terms.canonical(c))}"
                except Exception:  # noqa: BLE001 - a citation the terms do not resolve: the next
                    continue
            return None

        return link

    # -- the verifier's results ---------------------------------------------------------------------

    def _verify_summary(self) -> dict[str, Any] | None:
        if self.verify is None:
            return None
        return {"source": self.verify.source.name, "ok": self.verify.ok,
                "count": len(self.verify.verdicts)}  # fmt: skip

    def _verdicts(self, root: Path) -> dict[str, dict[str, Any]]:
        """Per property: the verdict, and its scenario copied and drawn highlighted."""
        if self.verify is None:
            return {}
        out: dict[str, dict[str, Any]] = {}
        for pid, v in sorted(self.verify.verdicts.items()):
            if not is_safe_id(pid):
                _warn(f"skipping the verdict of '{clip(pid, 40)}': not a property id")
                continue
            expected = v.expected or (self.spec.properties[pid].expect if pid in self.spec.properties else None)
            matches = v.matches
            if matches is None and expected is not None:
                matches = (v.verdict in PASSING) == (expected in ("holds", "reachable"))
            entry: dict[str, Any] = {
                "verdict": v.verdict, "expected": expected, "matches": matches, "depth": v.depth,
                "seconds": v.seconds, "detail": v.detail, "scenario": None, "diagrams": {},
                "why": [_why_item(w, self.spec) for w in v.why],
                "steps": [], "problem": None,
                "role": "witness" if v.verdict == "reachable" else "counterexample",
            }  # fmt: skip
            self._scenario(root, pid, v, entry)
            out[pid] = entry
        return out

    def _scenario(self, root: Path, pid: str, v: Any, entry: dict[str, Any]) -> None:
        if v.scenario is None and v.scenario_data is None:
            return
        target = root / "scenarios" / f"{pid}.yaml"
        target.parent.mkdir(exist_ok=True)
        try:
            if v.scenario is not None:  # copied only once it reads as a scenario of this spec
                path = path_of_scenario(self.spec, Path(v.scenario), self.life)
                target.write_bytes(read_input_bytes(v.scenario, DiagramError))
            else:
                target.write_text(_yaml_text(v.scenario_data), encoding="utf-8")
                path = path_of_scenario(self.spec, scenario_from_data(dict(v.scenario_data), self.spec, target),
                                        self.life)  # fmt: skip
        except FileNotFoundError:
            entry["problem"] = f"{v.scenario}: file not found"
            return
        except (InputError, OSError) as exc:
            entry["problem"] = str(exc)
            if target.exists():
                entry["scenario"] = f"../scenarios/{pid}.yaml"
            return
        entry["scenario"] = f"../scenarios/{pid}.yaml"
        for lang in LANGS:
            svg = render_diagram(self.spec, "svg", lang, path, legend=False, life=self.life,
                                 links=self._links(lang, "../../"))  # fmt: skip
            (root / "assets" / "paths" / f"{pid}.{lang}.svg").write_bytes(svg)
            entry["diagrams"][lang] = f"../assets/paths/{pid}.{lang}.svg"
        figures = figures_of(self.spec, pid)
        breaking = breaking_step(self.spec, pid, path) if entry["role"] == "counterexample" else None
        entry["figures"] = figures
        entry["breaking"] = breaking
        entry["steps"] = [{
            "n": s.n, "date": s.date, "event": s.event, "accepted": s.accepted, "by": s.by,
            "source": s.source, "target": s.target, "rule": s.rule, "rule_ja": s.rule_ja,
            "articles": s.articles, "args": s.args,
            "values": {f: s.after.get(f) for f in figures} if s.after else {},
            "changed": [f for f in figures if s.after and s.before and s.before.get(f) != s.after.get(f)],
        } for s in path.steps]  # fmt: skip
        entry["final_state"] = path.final_state
        entry["until"] = path.until_date

    # -- the simulator's report --------------------------------------------------------------------

    def _simulation(self, root: Path) -> dict[str, Any] | None:
        """The simulator's report: scalars, tables, runs of properties with scenarios, plots."""
        rep = self.simulate
        if rep is None:
            return None
        folder = root / "simulate"
        folder.mkdir()
        data = dict(rep.data)
        plots: list[dict[str, Any]] | dict[str, list[dict[str, Any]]] = self._plots(folder, data)
        if not plots:  # a report the docs cannot draw from: the simulator's own (English) plots
            plots = []
            for p in rep.plots:
                if not safe_file_name(p.name):
                    continue
                (folder / p.name).write_bytes(read_input_bytes(p, DiagramError))
                plots.append({"name": p.stem, "href": f"../simulate/{p.name}"})
        scalars = {k: v for k, v in data.items() if isinstance(v, int | float | str | bool) and k != "format"}
        tables = {}
        for k, v in data.items():
            flat = _flatten(v) if isinstance(v, Mapping) else None
            if flat and all(isinstance(x, int | float) and not isinstance(x, bool) for x in flat.values()):
                tables[k] = flat
        lists = {}
        for key in SIMULATE_LISTS:
            rows = []
            for n, v in enumerate(data.get(key) or ()):
                if isinstance(v, Mapping):
                    rows.append(self._simulated_case(folder, key, n, v, rep.scenarios))
            lists[key] = rows
        not_monitored = [v for v in data.get("not_monitored") or () if isinstance(v, Mapping)]
        return {"source": rep.source.name, "scalars": scalars, "tables": tables, "plots": plots,
                "lists": lists, "not_monitored": not_monitored,
                "profile_titles": profile_titles(data)}  # fmt: skip

    def _plots(self, folder: Path, data: Mapping[str, Any]) -> dict[str, list[dict[str, Any]]]:
        """The run's plots drawn anew from the report, in each language (SVG): per language,
        the plots' names and files; empty when the report lacks what they are drawn from."""
        from yakkan.simulate.plots import draw_plots

        out: dict[str, list[dict[str, Any]]] = {}
        for lang in LANGS:
            def name_of(kind: str, key: str, lang: str = lang) -> str:
                if kind == "state" and key in self.spec.states:
                    return state_name(self.spec, key, lang)
                entry = self.spec.names_ja.get(f"EndedBy.{key}") if lang == "ja" else None
                if entry:
                    return entry.name
                return SIM_KEYS_JA.get(key, key) if lang == "ja" else key

            try:
                files = draw_plots(data, folder, lang, f".{lang}", ("svg",), name_of)
            except (KeyError, TypeError, ValueError, AttributeError):
                return {}
            out[lang] = [{"name": f.name.split(".")[0], "href": f"../simulate/{f.name}"} for f in files]
        return out

    def _simulated_case(self, folder: Path, key: str, n: int, v: Mapping[str, Any],
                        scenarios: Mapping[str, Path]) -> dict[str, Any]:  # fmt: skip
        """One violation, known finding or witness of a run, with its scenario drawn."""
        ref = v.get("scenario") or v.get("path")
        row: dict[str, Any] = {
            "property": v.get("property") or v.get("id"), "title": v.get("title", ""),
            "customer": v.get("customer"), "profile": v.get("profile", ""), "step": v.get("step"),
            "date": v.get("date", ""), "href": None, "diagrams": {},
        }  # fmt: skip
        if isinstance(ref, str) and ref in scenarios and safe_file_name(Path(ref).name):
            try:  # copied only once it reads as a scenario of this spec
                path = path_of_scenario(self.spec, scenarios[ref], self.life)
            except InputError:
                return row
            dest = folder / "scenarios" / Path(ref).name
            dest.parent.mkdir(exist_ok=True)
            dest.write_bytes(read_input_bytes(scenarios[ref], DiagramError))
            row["href"] = f"../simulate/scenarios/{dest.name}"
            if n < MAX_DRAWN:
                for lang in LANGS:
                    svg = render_diagram(self.spec, "svg", lang, path, legend=False, life=self.life)
                    name = f"{dest.stem}.{lang}.svg"
                    (folder / "scenarios" / name).write_bytes(svg)
                    row["diagrams"][lang] = f"../simulate/scenarios/{name}"
        return row


def build_site(spec: Spec, out_dir: str | Path, verify_results: VerifyResults | str | Path | None = None,
               simulate_report: SimulateReport | str | Path | None = None, review: Any = None) -> Path:  # fmt: skip
    """Build the docs site of `spec` into `out_dir`; returns the path of its index.html.

    The results are loaded objects (`load_verify_results`, `load_simulate_report`) or the
    path of a results file or folder; None shows "not yet verified" / no simulation.
    `review`: a review (terms.review_data.build_review) from an older version to `spec`,
    written as review/index.html and review/en.html."""
    from .results import load_simulate_report, load_verify_results

    if isinstance(verify_results, str | Path):
        verify_results = load_verify_results(verify_results)
    if isinstance(simulate_report, str | Path):
        simulate_report = load_simulate_report(simulate_report)
    return SiteBuilder(spec, verify_results, simulate_report, review).build(Path(out_dir))


def tidy_markdown(text: str) -> str:
    """Blank lines around headings, tables, quotes and lists; hard breaks inside quotes."""
    out: list[str] = []
    fence = False
    for line in text.splitlines():
        if line.startswith("```"):
            fence = not fence
        if not fence and out and out[-1].strip():
            prev = out[-1]
            starts = line[:1]
            block = starts == "#" or prev.startswith("#")
            block |= starts == ">" and not prev.startswith(">")
            block |= starts == "|" and not prev.startswith("|")
            block |= line.startswith("- ") and not prev.lstrip().startswith("- ") and not prev.startswith("  ")
            plain = bool(line.strip()) and not line.startswith(("- ", "  ", ">", "|"))
            block |= plain and prev.startswith(("- ", "  -"))
            if block:
                out.append("")
            if starts == ">" and prev.startswith(">"):
                out[-1] = prev + "  "
        out.append(line)
    result = "\n".join(out)
    while "\n\n\n" in result:
        result = result.replace("\n\n\n", "\n\n")
    return result.strip("\n") + "\n"


def _flatten(data: Mapping[str, Any], prefix: str = "") -> dict[str, Any]:
    """One level of nesting flattened: {"deposits": {"paid": 1}} → {"deposits.paid": 1}."""
    out: dict[str, Any] = {}
    for k, v in data.items():
        if isinstance(v, Mapping) and not prefix:
            out.update(_flatten(v, f"{k}."))
        else:
            out[f"{prefix}{k}"] = v
    return out


def _yaml_text(data: Any) -> str:
    """An inline scenario as YAML text (block style, keys in their order)."""
    import io

    from ruamel.yaml import YAML

    yaml = YAML(typ="safe", pure=True)
    yaml.default_flow_style = False
    buf = io.StringIO()
    yaml.dump(_plain(data), buf)
    return buf.getvalue()


def _plain(data: Any) -> Any:
    if isinstance(data, Mapping):
        return {str(k): _plain(v) for k, v in data.items()}
    if isinstance(data, list | tuple):
        return [_plain(v) for v in data]
    if isinstance(data, dt.date):
        return data.isoformat()
    return data


def _why_item(w: Mapping[str, Any], spec: Spec) -> dict[str, Any]:
    """One lemma of a proof for the properties page: a spec lemma (``L06: …``) by its id,
    so that the page shows its text in the page's language; a mined one as written."""
    text = str(w.get("lemma", ""))
    head = text.split(":", 1)[0]
    return {"id": head if head in spec.lemmas else None, "lemma": text, "formula": str(w.get("formula") or ""),
            "articles": tuple(map(str, w.get("articles") or ()))}  # fmt: skip


def search_script(model: DocModel) -> str:
    """The search index of one language as a script (`window.YAKKAN_INDEX = [...]`): the
    articles' paragraphs and the model's elements, each its title, kind, link and the text
    searched (lower case). A script, not JSON, so that it loads from file:// too."""
    entries: list[dict[str, str]] = []
    kinds = KIND_NAMES[model.lang]

    def add(kind: str, title: str, href: str, *texts: Any) -> None:
        text = " ".join(str(x) for x in (title, *texts) if x)
        entries.append({"t": title, "k": kind, "h": href, "x": " ".join(text.lower().split())})

    for a in model.articles:
        for r in a.rows:
            body = [r.lead, *(" ".join(t) for _, _, t in r.items)]
            head = a.heading or a.title
            add(model.t("article"), f"{head} {r.number}" if r.number is not None and len(a.rows) > 1 else head,
                f"terms.html#{r.anchor}", *body)  # fmt: skip
    for st in model.states:
        add(kinds["state"], st["name"], f"states.html#s-{st['id']}", st["id"], st["en"], " ".join(st["articles"]))
    for e in model.events:
        add(kinds["event"], e["ja"] if model.lang == "ja" else e["name"], f"events.html#e-{e['name']}", e["name"],
            " ".join(e["articles"]))  # fmt: skip
    for tr in model.transitions:
        title = f"{tr['event_name']}: {tr['sources']} → {tr['target']}"
        add(kinds["transition"], title, f"transitions.html#t-{tr['id']}", tr["id"],
            *(g["rule"] for g in tr["guard"]), *(g["text"] for g in tr["guard"]), *tr["effects"])
    for i in model.interpretations:
        add(kinds["interpretation"], f"{i['id']} {i['title']}", f"interpretations.html#{i['id']}", i["text"],
            " ".join(i["articles"]))  # fmt: skip
    for p in model.properties:
        add(kinds["property"], f"{p['id']} {p['title']}", f"properties.html#{p['id']}", p["reviewer"], p["formula"],
            " ".join(p["articles"]))  # fmt: skip
    for p in model.parameters:
        add(kinds["parameter"], p["label"], f"states.html#p-{p['name']}", p["name"], p["doc"])
    for v in model.variables:
        add(kinds["variable"], v["label"], f"states.html#v-{v['name']}", v["name"], v["doc"])
    for pr in model.procedures:
        add(kinds["procedure"], pr["label"], f"transitions.html#pr-{pr['name']}", pr["name"], pr["doc"])
    return "window.YAKKAN_INDEX = " + json.dumps(entries, ensure_ascii=False, separators=(",", ":")) + ";\n"


def profile_titles(data: Mapping[str, Any]) -> dict[str, dict[str, str]]:
    """The profiles' titles in each language, as the simulator's report gives them
    (``profiles.titles``): {lang: {profile: title}}; empty for a report without them."""
    titles = (data.get("profiles") or {}).get("titles") if isinstance(data.get("profiles"), Mapping) else None
    out: dict[str, dict[str, str]] = {lang: {} for lang in LANGS}
    for name, entry in (titles or {}).items() if isinstance(titles, Mapping) else ():
        if isinstance(entry, Mapping):
            for lang in LANGS:
                if isinstance(entry.get(lang), str):
                    out[lang][str(name)] = entry[lang]
    return out
