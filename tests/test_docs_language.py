"""The Japanese pages hold no English sentence that is not marked as a name (issue 13).

The site is built with everything a reader may see: verdicts (a proof with the verifier's
mined lemmas, a counterexample, a witness), and a small simulation run. On each Japanese
page, the text outside the marked elements (`<code>`, `class="name"`, `lang="en"`) holds
no run of three or more English words (diagrams/langcheck.py).
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from yakkan.cli import main
from yakkan.diagrams import build_site
from yakkan.diagrams.langcheck import english_runs
from yakkan.model.spec import load_spec

ROOT = Path(__file__).resolve().parents[1]
SPEC = ROOT / "contracts/clara-msp/spec.yaml"
EXAMPLE = ROOT / "scenarios/issue-example.yaml"
pytestmark = pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz's dot is not installed")


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    base = tmp_path_factory.mktemp("lang")
    (base / "verify").mkdir()
    shutil.copyfile(EXAMPLE, base / "verify" / "P03.yaml")
    why = [{"lemma": "inductive on its own: every step preserves it", "articles": []},
           {"lemma": "state in {active, interrupted, restricted, suspended} → term_end >= today", "articles": []},
           {"lemma": "term_end is the last day of its month", "articles": []},
           {"lemma": "L01: Before the service starts there is no billing start date.", "articles": ["9-1"]}]
    (base / "verify/results.json").write_text(json.dumps({"ok": False, "properties": [
        {"id": "P03", "verdict": "violated", "expected": "holds", "matches": False, "counterexample": "P03.yaml"},
        {"id": "P04", "verdict": "proved", "expected": "holds", "matches": True, "why": why},
        {"id": "P18", "verdict": "reachable", "expected": "reachable", "matches": True},
        {"id": "P05", "verdict": "holds-to-depth", "expected": "holds", "matches": None, "depth": 12},
    ]}), encoding="utf-8")  # fmt: skip
    assert main(["simulate", "--customers", "12", "--months", "6", "--workers", "1",
                 "--out", str(base / "simulate")]) == 0  # fmt: skip
    out = base / "site"
    build_site(load_spec(SPEC), out, verify_results=base / "verify/results.json",
               simulate_report=base / "simulate/report.json")  # fmt: skip
    return out


PAGES = ("index", "terms", "states", "events", "transitions", "interpretations", "properties", "coverage",
         "simulation")  # fmt: skip


@pytest.mark.parametrize("page", PAGES)
def test_a_japanese_page_holds_no_english_sentence(site, page):
    html = (site / "ja" / f"{page}.html").read_text(encoding="utf-8")
    assert english_runs(html) == []


def test_the_check_finds_an_english_sentence_and_lets_names_pass():
    assert english_runs("<p>理由: the breach stands uncured</p>") == ["the breach stands uncured"]
    assert english_runs('<p>式 <code>not within_minimum_term or x</code></p>') == []
    assert english_runs('<p>原文 <span lang="en">no cancellation within the term</span></p>') == []
    assert english_runs('<p><span class="name">late fee policy</span> は…</p>') == []
    assert english_runs("<ul><li>cancel</li><li>pay</li><li>resume</li></ul>") == []  # three cells, not a sentence
    assert english_runs("<p>see clara-msp-terms-2024.ja.txt</p>") == []  # a file name


def test_japanese_pages_show_verdicts_kinds_and_plots_in_japanese(site):
    page = (site / "ja/properties.html").read_text(encoding="utf-8")
    assert "違反あり" in page and "証明済み" in page and "到達可能" in page and "一定の深さまで成立" in page
    assert "<dt>種類</dt><dd>不変条件（常に成り立つ）</dd>" in page
    assert '<span class="badge bad">期待と異なる判定あり</span>' in page
    sim = (site / "ja/simulation.html").read_text(encoding="utf-8")
    assert '<img src="../simulate/money.ja.svg" alt="請求額と支払額の累計">' in sim
    svg = (site / "simulate/money.ja.svg").read_text(encoding="utf-8")
    assert "<svg" in svg and (site / "simulate/money.en.svg").is_file()
    assert '<figcaption class="note">請求額と支払額の累計</figcaption>' in sim


def test_html_ids_are_unique_on_every_page(site):
    import collections
    import re

    for lang in ("ja", "en"):
        for page in PAGES:
            ids = re.findall(r'\sid="([^"]+)"', (site / lang / f"{page}.html").read_text(encoding="utf-8"))
            assert [k for k, n in collections.Counter(ids).items() if n > 1] == [], (lang, page)


def test_the_index_summarises_the_verdicts(site):
    page = (site / "ja/index.html").read_text(encoding="utf-8")
    summary = page[page.index('<h2 id="verdicts">'):page.index('<h2 id="lifecycle">')]
    assert '<a class="badge finding" href="properties.html">違反あり 1</a>' in summary
    assert '<a class="badge ok" href="properties.html">証明済み 1</a>' in summary
    unverified = len(load_spec(SPEC).properties) - 4  # four verdicts in the results above
    assert f'<span class="badge">未検証 {unverified}</span>' in summary
    assert '<li><a href="properties.html#P03">P03</a> 最低利用期間内に契約者の解約が効力を生じることはない' in summary


def test_the_search_index_is_static_and_the_same_each_build(site, tmp_path):
    import json as _json

    from yakkan.diagrams.docmodel import DocModel
    from yakkan.diagrams.site import search_script

    text = (site / "assets/search.ja.js").read_text(encoding="utf-8")
    assert text.startswith("window.YAKKAN_INDEX = [") and text.endswith("];\n")
    entries = _json.loads(text[len("window.YAKKAN_INDEX = "):-2])
    assert {"t": "P07 返還される保証金は、預託額から充当額を控除した額に等しい（無利息）", "k": "プロパティ",
            "h": "properties.html#P07"}.items() <= next(e for e in entries if e["h"] == "properties.html#P07").items()
    assert any(e["h"] == "terms.html#c11-4" and "保証金" in e["x"] for e in entries)
    assert search_script(DocModel(load_spec(SPEC), "ja")) == search_script(DocModel(load_spec(SPEC), "ja"))
    js = (site / "assets/search.js").read_text(encoding="utf-8")
    assert "fetch(" not in js and "XMLHttpRequest" not in js and "http" not in js  # no network


def test_print_styles_hide_the_navigation_and_open_the_text(site):
    css = (site / "assets/style.css").read_text(encoding="utf-8")
    block = css[css.index("@media print {"):]
    assert "header.site nav, header.site .lang, form.search, footer a { display: none; }" in block
    assert ".row > .text > .sticky { position: static; }" in block
    assert "break-inside: avoid" in block


def test_profiles_are_named_in_the_pages_language(site):
    """The profiles file gives each profile a Japanese title (`ja: {title: …}`): the ja
    simulation page's mix and money tables name the profiles so, the en page by their
    English titles' keys as before, and no profile key is left as a bare name on ja."""
    sim = (site / "ja/simulation.html").read_text(encoding="utf-8")
    assert "<th>期日どおりに支払う顧客</th>" in sim
    assert "<th>期日どおりに支払う顧客 · 請求額（税込）</th>" in sim
    assert '<span class="name">punctual</span>' not in sim and "(chronic)" not in sim and "(impatient)" not in sim
    en = (site / "en/simulation.html").read_text(encoding="utf-8")
    assert "期日どおり" not in en


def test_each_plot_opens_full_size_from_its_page(site):
    """A plot is a link to its own SVG, so a reader can enlarge it (issue 13, "plots that can
    be read and enlarged"); the caption says what it shows in the page's language."""
    sim = (site / "ja/simulation.html").read_text(encoding="utf-8")
    assert ('<figure class="plot"><a href="../simulate/money.ja.svg"><img src="../simulate/money.ja.svg" '
            'alt="請求額と支払額の累計"></a><figcaption class="note">請求額と支払額の累計</figcaption></figure>') in sim
    plots = sim.count('<figure class="plot">')
    assert plots == 5 and sim.count('<figure class="plot"><a href="../simulate/') == plots
    en = (site / "en/simulation.html").read_text(encoding="utf-8")
    assert en.count('<figure class="plot"><a href="../simulate/') == plots and "money.en.svg" in en


def test_effects_are_listed_whole_never_cut(site):
    """Issue 13: effects were cut to `··· (+9)`. Every transition's box on the ja and en
    transitions pages lists each effect the spec writes, and no page shortens a list."""
    import re

    spec = load_spec(SPEC)
    for lang in ("ja", "en"):
        page = (site / lang / "transitions.html").read_text(encoding="utf-8")
        for t in spec.transitions:
            start = page.index(f'id="t-{t.id}"')
            box = page[start:page.find('id="t-', start + 4)]
            shown = re.search(r'<ul class="effects">(.*?)</ul>', box, re.S)
            items = shown.group(1).count("<li>") if shown else 0
            assert items == len(t.effect_texts), (lang, t.id, items, len(t.effect_texts))
        for name in PAGES:
            text = (site / lang / f"{name}.html").read_text(encoding="utf-8")
            assert "···" not in text and not re.search(r"…\s*\(\+\d+\)", text), (lang, name)
