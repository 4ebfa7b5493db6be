"""`yakkan lint`: generic checks of a terms text, measured on copies with planted faults."""

from __future__ import annotations

import ast
import json
import re
from pathlib import Path

import pytest

from yakkan.cli import main
from yakkan.terms.lint import lint, typo_findings, variant_findings
from yakkan.terms.planted import CONFUSIONS, KINDS, measure, plant
from yakkan.terms.reviewed import Reviewed, load_reviewed
from yakkan.terms.structure import load_terms

REPO = Path(__file__).resolve().parents[1]
TERMS_PATH = REPO / "contracts/clara-msp/terms/clara-msp-terms-2024-04-01.ja.txt"
REVIEWED_PATH = REPO / "contracts/clara-msp/terms/clara-msp-terms-2024-04-01.findings.yaml"
TEXT = TERMS_PATH.read_text(encoding="utf-8")


def copy_with(tmp_path: Path, old: str, new: str, count: int = 1) -> Path:
    assert old in TEXT
    p = tmp_path / TERMS_PATH.name
    p.write_text(TEXT.replace(old, new, count), encoding="utf-8")
    return p


def new_findings(path: Path) -> list:
    """Findings of the copy at `path` that the original text does not have."""
    before = {f.finding.id for f in lint(load_terms(TERMS_PATH), Reviewed(None)).findings}
    return [f.finding for f in lint(load_terms(path), Reviewed(None)).findings if f.finding.id not in before]


# ----------------------------------------------------------------------------- recall on planted copies


@pytest.fixture(scope="module")
def planted():
    return measure(TERMS_PATH, per_kind=6, seed=0)


@pytest.mark.parametrize("kind", KINDS)
def test_recall_per_kind_on_planted_copies(planted, kind):
    assert planted.planted[kind] >= 5
    missed = [p.description for p in planted.missed.get(kind, [])]
    assert planted.recall(kind) >= 0.8, f"{kind}: {planted.found[kind]}/{planted.planted[kind]}; missed {missed}"


def test_typo_copies_draw_on_many_confusions():
    plants = plant(TEXT, "typo", 12, seed=0)
    pairs = {frozenset(p.pair) for p in plants}
    assert len(plants) == 12 and len(pairs) >= 8
    assert pairs <= {frozenset(x) for x in CONFUSIONS}
    assert all(p.word not in TEXT for p in plants)


@pytest.mark.parametrize(("old", "new"), [
    ("解除されているとき", "解徐されているとき"),
    ("最低利用期間経過前", "最低利用期間径過前"),
    ("当社と契約者が締結した", "当社と契約社が締結した"),
    ("保証金の預託を請求", "保障金の預託を請求"),
    ("損害賠償責任を負わない", "損害倍償責任を負わない"),
])  # fmt: skip
def test_the_kanji_typos_of_the_issue_are_found(tmp_path, old, new):
    typos = typo_findings(load_terms(copy_with(tmp_path, old, new)))
    wrong = next(w for w in re.findall(r"[\u4e00-\u9fff]+", new) if w not in TEXT)
    assert any(wrong in f.subject or f.subject in wrong for f in typos), [f.id for f in typos]


@pytest.mark.parametrize(("old", "new", "term"), [
    ("秘密情報によらず独自に", "機密情報によらず独自に", "秘密情報"),
    ("申込者に対し、別途", "申込人に対し、別途", "申込者"),
])  # fmt: skip
def test_defined_term_variants_are_found(tmp_path, old, new, term):
    found = variant_findings(load_terms(copy_with(tmp_path, old, new)))
    variant = new[:len(term)]
    [f] = [f for f in found if f.subject == variant]
    assert f"「{term}」" in f.message_en and "定義されていない" in f.message_ja


# ----------------------------------------------------------------------------- the real text


@pytest.fixture(scope="module")
def report():
    return lint(load_terms(TERMS_PATH))


def test_every_finding_on_the_real_text_is_reviewed(report):
    """The false positives on the real text: none is left unreviewed, each accepted one has a reason."""
    assert [f.finding.id for f in report.findings if f.status == "new"] == []
    accepted = [f for f in report.findings if f.status == "accepted"]
    assert accepted and all(f.reason for f in accepted)
    assert report.stale == ()


def test_the_known_typos_and_reviewer_findings(report):
    ids = {f.finding.id: f for f in report.findings}
    assert ids["typo@10-2(2):金融期関"].status == "open"
    assert "金融機関" in ids["typo@10-2(2):金融期関"].finding.message_ja
    assert ids["typo@24-2(2):自動ポルノ"].status == "open"
    assert "「児童ポルノ」が4回" in ids["typo@24-2(2):自動ポルノ"].finding.message_ja
    assert ids["wrong-reference@17-3:前項各号"].status == "open"
    assert "17-2には号がありません" in ids["wrong-reference@17-3:前項各号"].finding.message_ja
    assert all(f.finding.message_en and f.finding.message_ja for f in report.findings)


def _string_literals(path: Path) -> set[str]:
    """The string constants of a module, docstrings left out."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    docs = {id(n.body[0].value) for n in ast.walk(tree)
            if isinstance(n, ast.Module | ast.ClassDef | ast.FunctionDef) and n.body
            and isinstance(n.body[0], ast.Expr) and isinstance(n.body[0].value, ast.Constant)}  # fmt: skip
    return {n.value for n in ast.walk(tree) if isinstance(n, ast.Constant) and isinstance(n.value, str)
            and id(n) not in docs}  # fmt: skip


def test_no_table_of_this_texts_strings_in_the_code():
    literals = set().union(*(_string_literals(p) for p in (REPO / "terms").glob("*.py")))
    for s in ("金融期関", "自動ポルノ", "画像および営業", "第５条の申込み", "本利用契約者", "限度額として", "本契約"):
        assert not [x for x in literals if s in x]
    reviewed = REVIEWED_PATH.read_text(encoding="utf-8")
    assert "第５条の申込み" in reviewed and "画像および営業" in reviewed  # what is true of this text is data


# ----------------------------------------------------------------------------- generic checks


def test_numbering_faults_are_findings_with_lines(tmp_path):
    p = copy_with(tmp_path, "第１０条（料金の支払方法）", "第１１条（料金の支払方法）")
    found = [f for f in new_findings(p) if f.kind == "numbering"]
    assert [(f.citation, f.line) for f in found][:2] == [("11", 117), ("11", 150)]
    assert "欠番" in found[0].message_ja and "重複" in found[1].message_ja


def test_item_number_widths(tmp_path):
    p = copy_with(tmp_path, "(2)料金の支払いを現に遅滞", "（２）料金の支払いを現に遅滞")
    [f] = [f for f in new_findings(p) if f.kind == "digit-width"]
    assert f.citation == "11-1(2)" and f.line == 155 and "（２）" in f.message_ja


def test_citations_that_do_not_resolve(tmp_path):
    p = copy_with(tmp_path, "前条第１項①の基本利用料", "第４５条第１項①の基本利用料")
    [f] = [f for f in new_findings(p) if f.kind == "dangling-reference"]
    assert f.citation == "9-2" and "第４５条第１項①" in f.message_ja
    p = copy_with(tmp_path, "前各項の料金", "前三項の料金")
    assert [f.citation for f in new_findings(p) if f.kind == "dangling-reference"] == ["8-3"]


# ----------------------------------------------------------------------------- command line


def test_lint_command(capsys):
    assert main(["lint", str(TERMS_PATH)]) == 0
    out = capsys.readouterr().out
    assert "10-2(2) typo [reviewed]" in out and "「金融期関」は「金融機関」の誤り" in out
    assert "typo@23-1(16)" not in out and "accepted not shown" in out
    assert main(["lint", str(TERMS_PATH), "--json", "--all"]) == 0
    data = json.loads(capsys.readouterr().out)
    statuses = {f["id"]: f["status"] for f in data["findings"]}
    assert statuses["typo@23-1(16):他社"] == "accepted" and statuses["typo@10-2(2):金融期関"] == "open"
    assert all(f["message_en"] and f["message_ja"] for f in data["findings"])


def test_lint_exits_1_on_unreviewed_findings(tmp_path, capsys):
    p = copy_with(tmp_path, "解除されているとき", "解徐されているとき")
    assert main(["lint", str(p), "--reviewed", str(REVIEWED_PATH), "--lang", "en"]) == 1
    captured = capsys.readouterr()
    assert "「解徐」 should probably read 「解除」" in captured.out and "not reviewed" in captured.err


def test_bad_input_exits_2_without_traceback(tmp_path, capsys):
    assert main(["lint", str(tmp_path / "missing.txt")]) == 2
    err = capsys.readouterr().err
    assert "missing.txt: file not found" in err and "fix:" in err and "Traceback" not in err
    bad = tmp_path / "t.ja.txt"
    bad.write_bytes("第１条（適用）\n本文。\n".encode("shift_jis"))
    assert main(["lint", str(bad)]) == 2
    err = capsys.readouterr().err
    assert f"{bad}:1: " in err and "not UTF-8 text" in err and "fix:" in err
    good = tmp_path / "u.ja.txt"
    good.write_text("第１条（適用）\n本文。\n", encoding="utf-8")
    (tmp_path / "u.findings.yaml").write_text("findings:\n  - id: x@1:y\n    status: acepted\n", encoding="utf-8")
    assert main(["lint", str(good)]) == 2
    err = capsys.readouterr().err
    assert "u.findings.yaml:3: findings[0]: status must be one of open, accepted" in err and "fix:" in err


def test_reviewed_file_needs_a_reason_for_accepted(tmp_path):
    from yakkan.model.errors import InputError

    t = tmp_path / "v.ja.txt"
    t.write_text("第１条（適用）\n本文。\n", encoding="utf-8")
    (tmp_path / "v.findings.yaml").write_text("findings:\n  - id: x@1:y\n    status: accepted\n", encoding="utf-8")
    with pytest.raises(InputError, match="needs a reason"):
        load_reviewed(t)


def test_review_shows_the_new_texts_lint_findings(tmp_path):
    from yakkan.terms.cli import _new_lint_findings

    p = copy_with(tmp_path, "解除されているとき", "解徐されているとき")
    (tmp_path / REVIEWED_PATH.name).write_text(REVIEWED_PATH.read_text(encoding="utf-8"), encoding="utf-8")
    assert [f.finding.id for f in _new_lint_findings(TERMS_PATH, p)] == ["typo@5(2):解徐"]
    assert _new_lint_findings(TERMS_PATH, TERMS_PATH) == []


def test_check_lists_the_lint_findings(capsys):
    assert main(["check"]) == 0
    out = capsys.readouterr().out
    assert "terms lint: 26 findings in the terms text (0 not reviewed, 2 accepted not shown)" in out
    assert "10-2(2)" in out and "「金融期関」" in out
