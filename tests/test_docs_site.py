"""The docs site: every article with its text and model elements, results, Markdown, safety."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from markupsafe import escape

from yakkan.cli import main
from yakkan.diagrams import build_site, load_simulate_report, load_verify_results
from yakkan.diagrams.errors import DiagramError
from yakkan.model.spec import load_spec
from yakkan.terms.structure import load_terms

ROOT = Path(__file__).resolve().parents[1]
SPEC = ROOT / "contracts/clara-msp/spec.yaml"
EXAMPLE = ROOT / "scenarios/issue-example.yaml"
TEXT_7_2 = "契約者は、前項に定める最低利用期間内に本利用契約を解約することはできません。"
pytestmark = pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz's dot is not installed")


@pytest.fixture(scope="module")
def spec():
    return load_spec(SPEC)


@pytest.fixture(scope="module")
def site(spec, tmp_path_factory):
    out = tmp_path_factory.mktemp("docs") / "site"
    build_site(spec, out)
    return out


def test_site_files(site):
    for lang in ("ja", "en"):
        for page in ("index", "terms", "states", "events", "transitions", "interpretations",
                     "properties", "coverage", "simulation"):  # fmt: skip
            assert (site / lang / f"{page}.html").is_file()
        for ext in ("svg", "png", "pdf", "dot", "mmd"):
            assert (site / "assets" / f"lifecycle.{lang}.{ext}").stat().st_size > 500
    assert (site / "index.html").is_file() and (site / "assets/style.css").is_file()
    assert (site / "yakkan.md").is_file() and (site / "yakkan.ja.md").is_file()


def test_every_article_has_its_text_and_its_model_or_a_reason(spec, site):
    terms = load_terms(spec.terms_path)
    for lang in ("ja", "en"):
        page = (site / lang / "terms.html").read_text(encoding="utf-8")
        for art in terms.articles:
            start = page.index(f'<article class="law" id="c{art.number}">')
            end = page.index("</article>", start)
            block = page[start:end]
            assert str(escape(art.heading)) in block
            for para in art.paragraphs:
                assert str(escape(para.text)) in block, (art.number, para.number)
                for item in para.items:
                    assert str(escape(item.text)) in block
            encoded = 'class="ref k-' in block
            reason = spec.out_of_scope.get(art.number)
            if lang == "ja" and spec.out_of_scope_ja.get(art.number):
                reason = spec.out_of_scope_ja[art.number]
            assert encoded or (reason and str(escape(reason)) in block), art.number
            if reason:
                assert str(escape(reason)) in block, (lang, art.number)


def test_article_7_2_beside_its_model(site):
    page = (site / "ja/terms.html").read_text(encoding="utf-8")
    row = page[page.index('id="c7-2"'):]
    row = row[: row.index('<div class="row"') if '<div class="row"' in row else len(row)]
    assert TEXT_7_2 in row
    assert 'href="transitions.html#t-cancel"' in row and "I-06" in row and "P03" in row
    assert "最低利用期間内は解約できません（I-06）" in row  # the rule in Japanese (its `ja`)
    assert "no cancellation within the minimum term" not in row
    en = (site / "en/terms.html").read_text(encoding="utf-8")
    assert "no cancellation within the minimum term (I-06)" in en.split('id="c7-2"', 1)[1]


def test_guards_and_effects_are_rendered_readably(site):
    page = (site / "ja/transitions.html").read_text(encoding="utf-8")
    box = page[page.index('id="t-cancel"'):page.index('id="t-change_plan"')]
    assert '<span class="f-leaf">最低利用期間内ではない</span>' in box  # a derived name by its Japanese name
    assert "終了日 ← 本日の月の末日" in box  # an effect by the names
    assert "請求済みの最終月 ← （請求済みの最終月、解約時に料金を負う期間の末日の月のうち大きい方）" in box
    assert ("即時に請求する（年額プラン ならば ⌊期間のうち未請求の月数 × 翌月からの1回の請求期間の料金の合計 ÷ 12⌋、"
            "そうでなければ 期間のうち未請求の月数 × 翌月からの1回の請求期間の料金の合計）") in box  # grouped
    assert '<code class="src name">not within_minimum_term</code>' in box  # the spec's text, marked
    en = (site / "en/transitions.html").read_text(encoding="utf-8")
    assert "not within_minimum_term" in en


def test_parameters_show_their_domain(site):
    """Each parameter's domain (the spec's ``min:``) beside its default: a minimum term of
    at least a month (7-1), a fee never negative; none for a yes/no or a date."""
    ja = (site / "ja/states.html").read_text(encoding="utf-8")
    assert ('<code class="name">minimum_term_months</code></td><td class="num">3</td>'
            '<td class="domain">1 以上</td><td>約款で固定</td>') in ja  # fmt: skip
    assert '<code class="name">annual_plan</code></td><td class="num">false</td><td class="domain"></td>' in ja
    en = (site / "en/states.html").read_text(encoding="utf-8")
    assert ('<code class="name">base_fee</code></td><td class="num">100,000</td>'
            '<td class="domain">at least 0</td><td>per contract</td>') in en  # fmt: skip
    assert "<th>値域</th>" in ja and "<th>Domain</th>" in en


def test_pages_link_each_other_and_the_other_language(site):
    page = (site / "ja/index.html").read_text(encoding="utf-8")
    assert 'href="../en/index.html"' in page and 'data="../assets/lifecycle.ja.svg"' in page
    assert "https://" not in page and "http://" not in page.replace("http://www.w3.org", "")


def test_not_verified_without_results(site):
    page = (site / "en/properties.html").read_text(encoding="utf-8")
    assert "not yet verified" in page
    assert "未検証" in (site / "ja/properties.html").read_text(encoding="utf-8")
    assert "No simulation results yet" in (site / "en/simulation.html").read_text(encoding="utf-8")


def test_findings_include_text_checks_and_interpretations(site):
    page = (site / "en/coverage.html").read_text(encoding="utf-8")
    assert "金融期関" in page  # 10-2(2) typo found by the text check
    assert "I-05" in page and "I-08" in page and "I-20" in page  # interpretations marked (finding)
    assert "P13" in page and "P15" in page


def test_markdown_has_the_same_content(spec, site):
    md = (site / "yakkan.md").read_text(encoding="utf-8")
    assert md.startswith("# ") and "```mermaid\nstateDiagram-v2" in md
    assert TEXT_7_2 in md
    for art in load_terms(spec.terms_path).articles:
        assert f"### {art.heading}" in md
    assert "\n\n\n" not in md
    assert "## 検証プロパティ" in (site / "yakkan.ja.md").read_text(encoding="utf-8")


def test_builds_are_deterministic(spec, site, tmp_path):
    again = tmp_path / "again"
    build_site(spec, again)
    for p in sorted(site.rglob("*")):
        if p.is_file():
            assert (again / p.relative_to(site)).read_bytes() == p.read_bytes(), p


# -- results ------------------------------------------------------------------------------


def _verify_json(folder: Path, counterexample: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    data = {"ok": False, "properties": [
        {"id": "P03", "verdict": "violated", "expected": "holds", "matches": False, "depth": 12,
         "seconds": 0.5, "articles": ["7-2"], "counterexample": counterexample},
        {"id": "P05", "verdict": "proved", "expected": "holds", "matches": True, "depth": None,
         "seconds": 0.1, "articles": ["14"], "counterexample": None},
    ]}  # fmt: skip
    path = folder / "results.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


def test_verdicts_with_a_highlighted_counterexample(spec, tmp_path):
    shutil.copyfile(EXAMPLE, tmp_path / "P03.yaml")
    results = load_verify_results(_verify_json(tmp_path, "P03.yaml"))
    assert results is not None and results.verdicts["P03"].scenario == tmp_path / "P03.yaml"
    out = tmp_path / "site"
    build_site(spec, out, verify_results=results)
    assert (out / "scenarios/P03.yaml").read_bytes() == EXAMPLE.read_bytes()
    svg = (out / "assets/paths/P03.ja.svg").read_text(encoding="utf-8")
    assert "✗ 5." in svg and "解約" in svg
    page = (out / "en/properties.html").read_text(encoding="utf-8")
    assert 'href="../scenarios/P03.yaml" download' in page and "../assets/paths/P03.en.svg" in page
    assert "differs from expectation" in page and "proved" in page


def test_a_proofs_lemmas_are_listed_in_the_pages_language(spec, tmp_path):
    data = {"ok": True, "properties": [
        {"id": "P04", "verdict": "proved", "expected": "holds", "matches": True, "depth": None, "seconds": 0.3,
         "articles": ["29"], "counterexample": None, "why": [
             {"lemma": "L06: Every month from the billing start month to the last billed month was billed once.",
              "formula": "(service_start != FOREVER) → months_billed == billed_through_month - 1",
              "articles": ["9-1", "10-1"]},
             {"lemma": "state is ended → end_date != FOREVER", "formula": "", "articles": ["9-1"]}]}]}  # fmt: skip
    (tmp_path / "results.json").write_text(json.dumps(data), encoding="utf-8")
    out = tmp_path / "site"
    build_site(spec, out, verify_results=load_verify_results(tmp_path / "results.json"))
    ja = (out / "ja/properties.html").read_text(encoding="utf-8")
    assert '<a href="#L06">L06</a> 課金開始月から請求済みの最後の月まで、各月がちょうど1回請求されています。' in ja
    assert "<li>状態が「終了」ならば、終了日が設定済み。" in ja  # a mined lemma as a sentence
    assert 'id="L06"' in ja  # the lemma the link points at
    en = (out / "en/properties.html").read_text(encoding="utf-8")
    assert '<a href="#L06">L06</a> Every month from the billing start month to the last billed month' in en
    assert ('<li>If <code class="name">state</code> = <code class="name">&#34;ended&#34;</code>, then '
            '<code class="name">end_date</code> is set.') in en


def test_results_are_found_next_to_the_docs_folder(spec, tmp_path):
    _verify_json(tmp_path / "verify", "missing.yaml")
    found = load_verify_results(None, near=tmp_path / "docs")
    assert found is not None and "P05" in found.verdicts
    out = tmp_path / "docs"
    assert main(["docs", str(SPEC), "-o", str(out)]) == 0
    page = (out / "en/properties.html").read_text(encoding="utf-8")
    assert "missing.yaml: file not found" in page and "proved" in page


def test_broken_results_are_skipped_when_found_and_refused_when_given(tmp_path, capsys):
    (tmp_path / "verify").mkdir()
    (tmp_path / "verify/results.json").write_text("{not json", encoding="utf-8")
    assert load_verify_results(None, near=tmp_path / "docs") is None
    assert "ignoring" in capsys.readouterr().err
    with pytest.raises(DiagramError, match="not valid JSON"):
        load_verify_results(tmp_path / "verify/results.json")
    assert load_verify_results(None, near=tmp_path / "nowhere" / "docs") is None


def test_simulation_report_and_plots(spec, tmp_path):
    sim = tmp_path / "simulate"
    sim.mkdir()
    (sim / "report.json").write_text(json.dumps({
        "customers": 10, "months": 12, "seed": 0, "customer_months": 120, "engine": "fast",
        "violations": [{"property": "P13", "customer": 3, "step": 7, "scenario": "v1.yaml"}],
        "known_findings": [{"property": "P15", "title": "t", "customer": 4, "profile": "chronic", "step": 9,
                            "date": "2024-12-31", "scenario": str(sim / "v1.yaml")}],
        "ended_by": {"cancelled": 2, "not_renewed": 1}, "state_months": {"active": 100},
        "money": {"charged": 1000, "paid": 900, "late_charges": 0, "penalties": 0, "outstanding": 100,
                  "deposits": {"paid": 5, "held": 0}},
    }), encoding="utf-8")  # fmt: skip
    shutil.copyfile(EXAMPLE, sim / "v1.yaml")
    (sim / "states.svg").write_text('<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"/>')
    report = load_simulate_report(None, near=tmp_path / "docs")
    assert report is not None and report.plots == (sim / "states.svg",)
    out = tmp_path / "docs"
    build_site(spec, out, simulate_report=report)
    page = (out / "en/simulation.html").read_text(encoding="utf-8")
    assert "¥1,000" in page and "../simulate/states.svg" in page and "../simulate/scenarios/v1.yaml" in page
    assert (out / "simulate/states.svg").is_file()
    assert "deposits.paid" in page and "¥5" in page  # a nested table, flattened
    ja = (out / "ja/simulation.html").read_text(encoding="utf-8")
    assert "<tr><th>保証金（受領）</th>" in ja and "<tr><th>終了事由 · 継続拒絶</th>" not in ja
    assert "<tr><th>継続拒絶</th>" in ja  # how contracts ended, by the names of the spec
    assert "../simulate/scenarios/v1.en.svg" in page  # a known finding's scenario, drawn
    assert "✗ 5." in (out / "simulate/scenarios/v1.ja.svg").read_text(encoding="utf-8")


# -- writing safely -----------------------------------------------------------------------


def test_a_foreign_folder_is_not_replaced(spec, tmp_path):
    (tmp_path / "mine.txt").write_text("keep me")
    with pytest.raises(DiagramError, match="not made by"):
        build_site(spec, tmp_path)
    assert (tmp_path / "mine.txt").read_text() == "keep me"


def test_a_failed_build_leaves_nothing(spec, tmp_path, monkeypatch):
    import yakkan.diagrams.site as site_mod

    out = tmp_path / "docs"
    build_site(spec, out)
    before = sorted(p.relative_to(out) for p in out.rglob("*"))

    def boom(*a, **k):
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(site_mod.SiteBuilder, "_context", boom)
    with pytest.raises(RuntimeError):
        build_site(spec, out)
    assert sorted(p.relative_to(out) for p in out.rglob("*")) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["docs"]


def test_build_site_takes_result_paths(spec, tmp_path):
    shutil.copyfile(EXAMPLE, tmp_path / "P03.yaml")
    results = _verify_json(tmp_path, "P03.yaml")
    out = tmp_path / "site"
    index = build_site(spec, out, verify_results=results)
    assert index == out / "index.html" and (out / "scenarios/P03.yaml").is_file()
    with pytest.raises(DiagramError, match="file not found"):
        build_site(spec, tmp_path / "other", verify_results=tmp_path / "missing.json")
    assert not (tmp_path / "other").exists()


def test_write_diagrams(spec, tmp_path):
    from yakkan.diagrams import write_diagrams

    written = write_diagrams(spec, tmp_path / "d")
    assert sorted(p.name for p in written) == sorted(
        f"lifecycle.{lang}.{ext}" for lang in ("ja", "en") for ext in ("svg", "png", "pdf", "dot", "mmd"))
    assert all(p.stat().st_size > 500 for p in written)


def test_internal_event_matrix(spec):
    from yakkan.diagrams.docmodel import DocModel

    matrix = DocModel(spec, "en").internal_matrix
    assert [c["id"] for c in matrix["columns"]][0] == "applied"
    rows = {r["event"]: r["states"] for r in matrix["rows"]}
    assert rows["pay"]["ended"] == ["pay"] and "rejected" not in rows["pay"]
    assert set(rows["cancel"]) == {"concluded", "active", "restricted", "suspended", "interrupted"}
    # a new month lifts a restriction for support requests (drawn as an edge), not one under 23
    assert rows["month_starts"]["restricted"] == ["month_starts"]


def test_verify_results_from_another_folder_find_their_counterexamples(spec, tmp_path, monkeypatch):
    # `yakkan verify --out ver` in run/ names `ver/P03-counterexample.yaml` and writes ver/results.json
    run = tmp_path / "run"
    _verify_json(run / "ver", "ver/P03-counterexample.yaml")
    shutil.copyfile(EXAMPLE, run / "ver/P03-counterexample.yaml")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    assert main(["docs", str(SPEC), "-o", "site", "--verify-results", str(run / "ver/results.json")]) == 0
    assert (elsewhere / "site/scenarios/P03.yaml").read_bytes() == EXAMPLE.read_bytes()
    assert (elsewhere / "site/assets/paths/P03.ja.svg").is_file()


def test_verify_results_given_whose_counterexample_is_missing_exit_2(spec, tmp_path, monkeypatch, capsys):
    _verify_json(tmp_path / "ver", "ver/P03-counterexample.yaml")  # the file is nowhere
    monkeypatch.chdir(tmp_path)
    assert main(["docs", str(SPEC), "-o", "site", "--verify-results", str(tmp_path / "ver/results.json")]) == 2
    err = capsys.readouterr().err
    assert "1 scenario file(s) the results name are not found: P03: " in err and "fix: run `yakkan docs`" in err
    assert "Traceback" not in err and not (tmp_path / "site").exists()


def test_no_absolute_machine_path_in_captions_pages_or_markdown(spec, tmp_path):
    sim = tmp_path / "simulate"
    (sim / "scenarios").mkdir(parents=True)
    head, rest = EXAMPLE.read_text(encoding="utf-8").split("description: >\n", 1)
    rest = rest.split("\ncontract:", 1)[1]  # the example's folded description left out
    described = f"description: Replay with yakkan replay {sim}/scenarios/P15-customer-4.yaml --spec {SPEC}\n"
    (sim / "scenarios/P15-customer-4.yaml").write_text(head + described + "contract:" + rest, encoding="utf-8")
    (sim / "report.json").write_text(json.dumps({
        "customers": 1, "months": 1, "seed": 0, "customer_months": 1, "engine": "fast", "violations": [],
        "known_findings": [{"property": "P15", "customer": 4, "step": 9, "date": "2024-12-31",
                            "scenario": str(sim / "scenarios/P15-customer-4.yaml")}]}), encoding="utf-8")  # fmt: skip
    out = tmp_path / "docs"
    build_site(spec, out, simulate_report=sim / "report.json")
    en_svg = (out / "simulate/scenarios/P15-customer-4.en.svg").read_text(encoding="utf-8")
    assert "P15&#45;customer&#45;4.yaml &#45;&#45;spec spec.yaml" in en_svg  # the caption names the files only
    for f in out.rglob("*"):
        if f.suffix in (".html", ".md", ".svg", ".mmd", ".dot"):
            body = f.read_text(encoding="utf-8").replace("&#45;", "-")  # Graphviz escapes the hyphens
            assert str(tmp_path) not in body and str(ROOT) not in body, f


def test_a_counterexample_shows_each_steps_arguments_money_and_the_breaking_figures(spec, tmp_path):
    scenario = {"name": "P13-counterexample", "contract": {"base_fee": 100000},
                "until": "2027-02-24", "events": [
                    {"on": "2024-10-13", "do": "apply"}, {"on": "2025-11-18", "do": "accept"},
                    {"on": "2027-02-24", "do": "claim_damages", "amount": 150000, "cause": "gross_negligence"}]}
    (tmp_path / "results.json").write_text(json.dumps({"ok": True, "properties": [
        {"id": "P13", "verdict": "violated", "expected": "violated", "matches": True, "counterexample": scenario},
    ]}), encoding="utf-8")  # fmt: skip
    out = tmp_path / "site"
    build_site(spec, out, verify_results=load_verify_results(tmp_path / "results.json"))
    ja = (out / "ja/properties.html").read_text(encoding="utf-8")
    box = ja[ja.index('<div class="box" id="P13">'):ja.index('<div class="box" id="P14">')]
    assert ('<p class="breaking-note">手順3で約束が破られます：\n<span class="breaking">基本利用料 ¥100,000</span>、'
            '<span class="breaking">当社の損害賠償額 ¥150,000</span></p>') in box
    assert ('<span class="args">金額 <strong>¥150,000</strong>、'
            '損害の原因 <strong>当社の故意または重過失</strong></span>') in box
    assert '<td class="num changed breaking">¥150,000</td>' in box  # the damages, the figure that breaks 27-2
    assert '<th class="num">請求額の累計（税込）</th>' in box and '<td class="num changed">¥110,000</td>' in box
    en = (out / "en/properties.html").read_text(encoding="utf-8")
    assert "The promise breaks at step 3:" in en and '<strong>gross_negligence</strong>' in en
