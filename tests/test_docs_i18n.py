"""The spec's texts in Japanese: every element has its `ja`, and the Japanese docs use it.

Legal reviewers read the Japanese pages; a guard's rule is also what a refused event
reports (`reason_ja`). The English stays the spec's source text; the Japanese pages
fall back to it only where a `ja` field is empty, and then say so.
"""

from __future__ import annotations

import re
import shutil
from dataclasses import replace
from pathlib import Path

import pytest
from markupsafe import escape

from yakkan.diagrams import build_site
from yakkan.diagrams.docmodel import DocModel
from yakkan.diagrams.highlight import path_of_scenario
from yakkan.diagrams.render import render_diagram
from yakkan.model.spec import load_spec

ROOT = Path(__file__).resolve().parents[1]
SPEC = ROOT / "contracts/clara-msp/spec.yaml"
EXAMPLE = ROOT / "scenarios/issue-example.yaml"
JAPANESE = re.compile(r"[\u3040-\u30ff\u4e00-\u9fff]")
needs_dot = pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz's dot is not installed")

# Elements whose English line is pinned verbatim, as a mutation anchor, by tests outside the
# docs (tests/test_model_review.py, tests/test_simulate_run.py, tests/test_model_bad_input.py):
# adding `ja` to them changes that line. Their Japanese waits for those anchors to be updated;
# drop an entry here when its `ja` is added.
PINNED: set[str] = set()


@pytest.fixture(scope="module")
def spec():
    return load_spec(SPEC)


def _texts(spec):
    """(element, English, Japanese) for every text of the spec that has a Japanese field."""
    for t in spec.transitions:
        for n, c in enumerate(t.guard):
            yield f"rule {t.id}[{n}]", c.rule, c.rule_ja
    for i in spec.interpretations.values():
        yield f"interpretation {i.id} title", i.title, i.title_ja
        yield f"interpretation {i.id} text", i.text, i.text_ja
    for p in spec.properties.values():
        yield f"property {p.id} title", p.title, p.title_ja
        yield f"property {p.id} reviewer", p.reviewer, p.reviewer_ja
    for art, reason in spec.out_of_scope.items():
        yield f"out_of_scope {art}", reason, spec.out_of_scope_ja.get(art, "")
    for n, lim in enumerate(spec.limitations, 1):
        yield f"limitation {n}", lim["text"], lim["ja"]


def test_every_text_of_the_spec_has_its_japanese(spec):
    missing = {name for name, _, ja in _texts(spec) if not ja.strip()}
    assert missing == PINNED, f"no Japanese: {sorted(missing - PINNED)}; now translated: {sorted(PINNED - missing)}"
    # every kind is there: no section was skipped by the walk above
    assert sum(1 for t in spec.transitions for _ in t.guard) >= 30
    assert len(spec.interpretations) >= 28 and len(spec.properties) >= 28
    assert len(spec.out_of_scope) >= 15 and len(spec.limitations) >= 6


def test_the_japanese_is_japanese_and_clean(spec):
    for name, en, ja in _texts(spec):
        if not ja:
            continue
        assert JAPANESE.search(ja), (name, ja)
        assert ja != en and ja == ja.strip() and "\n" not in ja, name
        assert "TODO" not in ja and "??" not in ja, name


def test_refusals_report_the_rule_in_japanese(spec):
    from yakkan.model.machine import CompiledSpec
    from yakkan.model.replay import replay
    from yakkan.model.scenario import load_scenario

    result = replay(CompiledSpec(spec), load_scenario(EXAMPLE, spec))
    (refused,) = [s for s in result.contract.steps if not s.accepted]
    assert refused.rule == "no cancellation within the minimum term (I-06)"
    assert refused.rule_ja == "最低利用期間内は解約できません（I-06）"


def test_docmodel_uses_the_japanese_and_falls_back_to_the_english(spec):
    ja, en = DocModel(spec, "ja"), DocModel(spec, "en")
    cancel = ja.transition_by_id["cancel"]["guard"][1]
    assert cancel["rule"] == "最低利用期間内は解約できません（I-06）"
    assert cancel["rule_en"] == "no cancellation within the minimum term (I-06)"
    assert en.transition_by_id["cancel"]["guard"][1]["rule"] == cancel["rule_en"]
    i06 = next(i for i in ja.interpretations if i["id"] == "I-06")
    assert i06["title"] == spec.interpretations["I-06"].title_ja and i06["text"] == spec.interpretations["I-06"].text_ja
    i05 = next(i for i in ja.interpretations if i["id"] == "I-05")
    assert i05["finding"]  # the finding mark is read from the English text
    p13 = next(p for p in ja.properties if p["id"] == "P13")
    assert p13["title"] == spec.properties["P13"].title_ja and p13["reviewer"] == spec.properties["P13"].reviewer_ja
    assert ja.property_title("P13") == spec.properties["P13"].title_ja
    assert en.property_title("P13") == spec.properties["P13"].title
    assert ja.property_title("nothing", "as reported") == "as reported"
    assert ja.limitations[0]["text"] == spec.limitations[0]["ja"]
    assert ja.out_of_scope(1) == spec.out_of_scope_ja[1] and en.out_of_scope(1) == spec.out_of_scope[1]
    assert ja.out_of_scope(7) is None
    assert ja.tr("English", "") == "English" and ja.tr("English", "日本語") == "日本語"
    assert en.tr("English", "日本語") == "English"
    assert len(ja.untranslated) == len(PINNED) and en.untranslated == []


def test_an_element_without_japanese_is_shown_in_english_and_listed(spec):
    restore = next(t for t in spec.transitions if t.id == "restore")
    blank = replace(restore, guard=(restore.guard[0], replace(restore.guard[1], rule_ja="")))
    oos_ja = {k: v for k, v in spec.out_of_scope_ja.items() if k != 38}
    lims = (*spec.limitations[:-1], {**spec.limitations[-1], "ja": ""})
    props = {**spec.properties, "P05": replace(spec.properties["P05"], reviewer_ja="")}
    changed = replace(spec, transitions=tuple(blank if t is restore else t for t in spec.transitions),
                      out_of_scope_ja=oos_ja, limitations=lims, properties=props)  # fmt: skip
    ja = DocModel(changed, "ja")
    rule = ja.transition_by_id["restore"]["guard"][1]
    assert rule["rule"] == rule["rule_en"] == restore.guard[1].rule
    assert ja.out_of_scope(38) == spec.out_of_scope[38] and ja.limitations[-1]["text"] == spec.limitations[-1]["text"]
    p05 = next(p for p in ja.properties if p["id"] == "P05")
    assert p05["reviewer"] == spec.properties["P05"].reviewer and p05["title"] == spec.properties["P05"].title_ja
    added = [x for x in ja.untranslated if x not in DocModel(spec, "ja").untranslated]
    assert added == ["遷移 restore の条件2", "P05", "第38条のモデル対象外の理由", f"モデルの限界{len(lims)}"]


@pytest.fixture(scope="module")
def site(spec, tmp_path_factory):
    if shutil.which("dot") is None:
        pytest.skip("Graphviz's dot is not installed")
    out = tmp_path_factory.mktemp("docs-i18n") / "site"
    build_site(spec, out)
    return out


def _page(site: Path, lang: str, page: str) -> str:
    return (site / lang / f"{page}.html").read_text(encoding="utf-8")


def test_japanese_pages_show_the_japanese(spec, site):
    terms, transitions = _page(site, "ja", "terms"), _page(site, "ja", "transitions")
    interpretations, properties = _page(site, "ja", "interpretations"), _page(site, "ja", "properties")
    coverage = _page(site, "ja", "coverage")
    for t in spec.transitions:
        for c in t.guard:
            if c.rule_ja:
                assert str(escape(c.rule_ja)) in transitions, t.id
                assert str(escape(c.rule)) in transitions  # the English original beside it
    for i in spec.interpretations.values():
        assert str(escape(i.title_ja)) in interpretations and str(escape(i.text_ja)) in interpretations, i.id
    for p in spec.properties.values():
        assert str(escape(p.title_ja)) in properties and str(escape(p.reviewer_ja)) in properties, p.id
    for art, ja in spec.out_of_scope_ja.items():
        assert str(escape(ja)) in terms and str(escape(ja)) in coverage, art
    for lim in spec.limitations:
        assert str(escape(lim["ja"])) in coverage
    # an element without Japanese is shown in English and listed in the footer
    untranslated = DocModel(spec, "ja").untranslated
    if untranslated:
        assert "英語のまま表示しています：" + "、".join(untranslated) + "。" in terms
    else:
        assert "英語のまま表示しています" not in terms


def test_english_pages_stay_english(spec, site):
    transitions, properties = _page(site, "en", "transitions"), _page(site, "en", "properties")
    terms = _page(site, "en", "terms")
    assert "no cancellation within the minimum term (I-06)" in transitions
    assert "最低利用期間内は解約できません" not in transitions and "最低利用期間内は解約できません" not in terms
    assert str(escape(spec.properties["P13"].title)) in properties and spec.properties["P13"].title_ja not in properties
    assert "Shown in English" not in terms and "仕様の原文" not in properties


def test_japanese_markdown_uses_the_japanese(spec, site):
    md = (site / "yakkan.ja.md").read_text(encoding="utf-8")
    assert "✗ 最低利用期間内は解約できません（I-06）" in md
    assert spec.interpretations["I-20"].text_ja in md and spec.properties["P15"].reviewer_ja in md
    assert spec.limitations[-1]["ja"] in md and spec.out_of_scope_ja[38] in md
    assert "| P13 | " + spec.properties["P13"].title_ja in md and "成り立たない" in md
    en = (site / "yakkan.md").read_text(encoding="utf-8")
    assert "✗ no cancellation within the minimum term (I-06)" in en and "最低利用期間内は解約できません" not in en


@needs_dot
def test_refused_step_in_the_diagram_in_either_language(spec):
    path = path_of_scenario(spec, EXAMPLE)
    ja = render_diagram(spec, "dot", "ja", path).decode()
    en = render_diagram(spec, "dot", "en", path).decode()
    assert "最低利用期間内は解約できません（I-06）" in ja and "no cancellation" not in ja
    assert "no cancellation within the minimum term" in en and "最低利用期間内" not in en
