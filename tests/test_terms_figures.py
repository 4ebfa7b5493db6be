"""The figures the terms write, against the parameters that hold them (P67,
`figures_as_written`; terms/figures.py): 7-1's 満３ヶ月 is minimum_term_months = 3, and an
edit of the spec's figure alone, or a quotation that is not in the terms, turns the gate
red — the survivors `parameter.minimum_term_months.default+1` and
`parameter.abolition_notice_months.default+1` of `yakkan mutate` (2026-11-30)."""

from __future__ import annotations

from pathlib import Path

import pytest

from yakkan.cli import main
from yakkan.lang import translate
from yakkan.model.errors import SpecError
from yakkan.model.spec import load_spec
from yakkan.terms.figures import Figure, figure_of, load
from yakkan.verify.cli import verify
from yakkan.verify.dependencies import Fingerprints
from yakkan.verify.mutate import Context, MutateSettings, evaluate
from yakkan.verify.runner import Settings

from conftest import SPEC_PATH, copy_spec_folders


def edited(tmp_path: Path, old: str = "", new: str = "") -> Path:
    """The bundled spec (and what it reads beside it) in tmp_path, with one text edit (none
    when ``old`` is empty)."""
    folder = tmp_path / "spec"
    folder.mkdir(parents=True)
    copy_spec_folders(folder)
    text = SPEC_PATH.read_text(encoding="utf-8")
    if old:
        assert text.count(old) == 1, old
        text = text.replace(old, new)
    (folder / "spec.yaml").write_text(text, encoding="utf-8")
    return folder / "spec.yaml"


def test_every_figure_of_the_bundled_terms_is_as_written(spec) -> None:
    rows = [(f.parameter, f.value, f.citation, f.numbers, f.as_written) for f in load(spec)]
    assert rows == [
        ("late_rate_bp", 1460, "12-2", ("14.6",), True),  # 年14.6%: 1460 basis points
        ("minimum_term_months", 3, "7-1", ("3",), True),  # 満３ヶ月
        ("deposit_cap_months", 12, "11-2", ("12",), True),  # 月額合計額に12を乗じた金額
        ("abolition_notice_months", 3, "20-2", ("3",), True),  # 廃止日の３ヶ月前まで
        ("evasion_multiplier", 2, "12-1", ("2",), True),  # ２倍相当額
    ]
    # the terms leave these to the company, or write no figure: nothing is quoted
    assert {p.name for p in spec.parameters.values() if p.scope == "terms" and p.written is None} == {
        "tax_rate_percent", "late_admin_fee", "renewal_period_months", "records_retention_days"}


def test_the_revision_quotes_its_own_text() -> None:
    newer = load_spec(SPEC_PATH.parent / "2025-04-01" / "spec.yaml")
    rows = {f.parameter: (f.value, f.citation, f.written) for f in load(newer) if f.as_written}
    assert rows == {
        "late_rate_bp": (1000, "12-2", "年10%"), "minimum_term_months": (6, "7-1", "満６ヶ月"),
        "renewal_period_months": (1, "7-1", "１ヶ月間"), "deposit_cap_months": (6, "11-2", "６を乗じた"),
        "abolition_notice_months": (3, "20-2", "３ヶ月前"), "evasion_multiplier": (2, "12-1", "２倍相当額"),
        "suspension_max_months": (3, "17-4", "３ヶ月を超えない"),
    }


def test_a_figure_changed_in_the_spec_alone_turns_the_gate_red(tmp_path) -> None:
    path = edited(tmp_path, "minimum_term_months: {type: int, default: 3,",
                  "minimum_term_months: {type: int, default: 4,")
    (v,) = verify(path, ["P67"], Settings(), tmp_path / "out", use_cache=False, cache_dir=tmp_path / "c")[0]
    assert (v.verdict, v.matches) == ("violated", False)
    assert v.reason == "7-1 writes '満３ヶ月' (3), but parameter minimum_term_months is 4"
    assert translate(v.reason, "ja") == "7-1 は「満３ヶ月」（3）と定めているが、パラメータ minimum_term_months は 4"
    # the gate: exit 1
    assert main(["verify", str(path), "--property", "P67", "--no-cache", "--out", str(tmp_path / "o2")]) == 1


def test_the_bundled_figures_are_proved_with_each_one_named(tmp_path) -> None:
    (v,) = verify(SPEC_PATH, ["P67"], Settings(), tmp_path / "out", use_cache=False, cache_dir=tmp_path / "c",
                  hints=False)[0]  # fmt: skip
    assert (v.verdict, v.matches, v.engine) == ("proved", True, "the terms text")
    assert [w["lemma"] for w in v.why][1:3] == ["12-2 writes '年14.6%': parameter late_rate_bp is 1460",
                                                "7-1 writes '満３ヶ月': parameter minimum_term_months is 3"]


@pytest.mark.parametrize("ids", [["P67"], ["P01", "P67"]])
def test_the_terms_text_is_checked_without_a_random_run(tmp_path, monkeypatch, ids) -> None:
    """P67 reads the terms text alone: neither on its own nor beside a property its proof
    hint settles does it sample the runs a proof reads (until 2026-11-30 it did: 2.7 s of
    sampling after the fast path had ended, when every other property came from its hint)."""
    from yakkan.verify import runner

    def no_runs(self):
        raise AssertionError("random runs sampled for the terms text")

    monkeypatch.setattr(runner.Verifier, "runs", no_runs)
    got = verify(SPEC_PATH, ids, Settings(), tmp_path / "out", use_cache=False, cache_dir=tmp_path / "c",
                 in_process=True)[0]  # fmt: skip
    expected = [("P01", "proved", "hint"), ("P67", "proved", "full")]
    assert [(v.id, v.verdict, v.route) for v in got] == expected[-len(ids) :]


def test_words_no_longer_in_the_article_turn_the_gate_red(tmp_path, capsys) -> None:
    """A new text of 7-1 (満６ヶ月) beside a spec that still quotes the old one: the spec
    loads (a review reads it), and P67 says which quotation the text no longer holds."""
    path = edited(tmp_path)
    terms = next((path.parent / "terms").glob("*.ja.txt"))
    terms.write_text(terms.read_text(encoding="utf-8").replace("満３ヶ月", "満６ヶ月"), encoding="utf-8")
    (v,) = verify(path, ["P67"], Settings(), tmp_path / "out", use_cache=False, cache_dir=tmp_path / "c")[0]
    assert v.verdict == "violated"
    assert v.reason == "the words '満３ヶ月' of parameter minimum_term_months are not in 7-1"
    assert main(["--lang", "ja", "verify", str(path), "--property", "P67", "--no-cache"]) == 1
    assert "パラメータ minimum_term_months が引用する文言「満３ヶ月」は 7-1 にない" in capsys.readouterr().out


@pytest.mark.parametrize(("old", "new", "message"), [
    ('written: "満３ヶ月"', 'written: "満ヶ月"',
     "written: quotes the words of the article that write the value, with its one number"),
    ('initial_fee: {type: int, default: 0, scope: contract,', 'initial_fee: {type: int, default: 0, scope: contract, '
     'written: "初期料金3",', "only a parameter of the terms (scope: terms) quotes the words that write its value"),
    ('annual_plan: {type: bool, default: false, scope: contract,', 'annual_plan: {type: bool, default: false, '
     'scope: contract, written: "1年",', "only an integer parameter quotes the words that write its value"),
])  # fmt: skip
def test_what_written_quotes(tmp_path, old, new, message) -> None:
    with pytest.raises(SpecError) as e:
        load_spec(edited(tmp_path, old, new))
    assert str(e.value.message) == message


def test_the_figures_fingerprint_reads_every_default_and_the_terms(tmp_path, spec) -> None:
    """A cached verdict of P67 is not reused after an edit of a figure or of the terms text;
    P01's fingerprint does not read the terms text (its citations are checked on loading).
    (Every property reads every figure: the guards read them all.)"""
    base = Fingerprints(spec)
    changed = load_spec(edited(tmp_path / "a", "evasion_multiplier: {type: int, default: 2,",
                               "evasion_multiplier: {type: int, default: 3,"))  # fmt: skip
    assert Fingerprints(changed).of("P67") != base.of("P67")
    folder = edited(tmp_path / "b").parent
    terms = next((folder / "terms").glob("*.ja.txt"))
    terms.write_text(terms.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    retext = load_spec(folder / "spec.yaml")
    assert Fingerprints(retext).of("P67") != base.of("P67")
    assert Fingerprints(retext).of("P01") == base.of("P01")


@pytest.mark.parametrize("mutant", ["parameter.minimum_term_months.default+1",
                                    "parameter.abolition_notice_months.default+1"])
def test_mutate_kills_a_figure_edited_alone(mutant) -> None:
    out = evaluate(Context.load(SPEC_PATH, MutateSettings()), mutant)
    assert (out["outcome"], out["stage"], out["by"], out["how"]) == ("killed", "terms", "P67", "terms text")


def test_a_figure_is_read_in_the_unit_its_words_write() -> None:
    """年14.6% is 1460 basis points, not 14.6 nor 146000; 満３ヶ月 is 3, not 300 (a value
    a hundred times the figure is not as written)."""
    assert (figure_of(1460, "年14.6%"), figure_of(1000, "年10％"), figure_of(3, "満３ヶ月")) == ("14.6", "10", "3")

    def held(value: int, words: str, numbers: tuple[str, ...]) -> bool:
        return Figure("p", value, words, ("7-1",), "7-1", numbers).as_written

    assert held(1460, "年14.6%", ("14.6",)) and not held(14, "年14.6%", ("14.6",))
    assert not held(10, "年10%", ("10",)) and held(1000, "年10%", ("10",))
    assert held(3, "満３ヶ月", ("3",)) and not held(300, "満３ヶ月", ("3",))


@pytest.mark.parametrize(("text_old", "text_new", "parameter", "article"), [
    ("廃止日の３ヶ月前", "廃止日の１３ヶ月前", "abolition_notice_months", "20-2"),
    ("の２倍相当額", "の１２倍相当額", "evasion_multiplier", "12-1"),
    ("月額合計額に12を乗じた", "月額合計額に112を乗じた", "deposit_cap_months", "11-2"),
])  # fmt: skip
def test_a_longer_number_in_the_terms_is_not_the_quoted_one(tmp_path, text_old, text_new, parameter, article) -> None:
    path = edited(tmp_path)
    terms = next((path.parent / "terms").glob("*.ja.txt"))
    text = terms.read_text(encoding="utf-8")
    assert text.count(text_old) == 1
    terms.write_text(text.replace(text_old, text_new), encoding="utf-8")
    (wrong,) = [f for f in load(load_spec(path)) if not f.as_written]
    assert (wrong.parameter, wrong.citation) == (parameter, None)
    assert wrong.problem().endswith(f"of parameter {parameter} are not in {article}")


def test_two_figures_wrong_are_both_said_in_japanese(tmp_path) -> None:
    path = edited(tmp_path, "minimum_term_months: {type: int, default: 3,",
                  "minimum_term_months: {type: int, default: 4,")
    text = path.read_text(encoding="utf-8").replace("evasion_multiplier: {type: int, default: 2,",
                                                     "evasion_multiplier: {type: int, default: 3,")  # fmt: skip
    path.write_text(text, encoding="utf-8")
    (v,) = verify(path, ["P67"], Settings(), tmp_path / "out", use_cache=False, cache_dir=tmp_path / "c")[0]
    assert translate(v.reason, "ja") == (
        "7-1 は「満３ヶ月」（3）と定めているが、パラメータ minimum_term_months は 4。"
        "12-1 は「２倍相当額」（2）と定めているが、パラメータ evasion_multiplier は 3")


def test_a_cached_verdict_is_not_reused_after_the_articles_quoted_change(tmp_path) -> None:
    """The words are looked for in the articles the parameter cites: citing another one is
    an edit of what P67 reads (it never takes a recipe or a hint either)."""
    path = edited(tmp_path)
    cache = tmp_path / "cache"
    (v,) = verify(path, ["P67"], Settings(), tmp_path / "o1", use_cache=True, cache_dir=cache)[0]
    assert v.verdict == "proved"
    text = path.read_text(encoding="utf-8")
    old = 'abolition_notice_months: {type: int, default: 3, min: 0, scope: terms, articles: ["20-2"],'
    assert text.count(old) == 1
    path.write_text(text.replace(old, old.replace('"20-2"', '"20-1"')), encoding="utf-8")
    (v,) = verify(path, ["P67"], Settings(), tmp_path / "o2", use_cache=True, cache_dir=cache)[0]
    assert (v.verdict, v.cached, v.route) == ("violated", False, "full")
    assert v.reason == "the words '３ヶ月前' of parameter abolition_notice_months are not in 20-1"


@pytest.mark.parametrize("version", ["", "2025-04-01"])
def test_p67_cites_the_articles_whose_figures_it_reads(version) -> None:
    spec = load_spec(SPEC_PATH.parent / version / "spec.yaml")
    quoted = {a for p in spec.parameters.values() if p.written is not None for a in p.articles}
    assert set(spec.properties["P67"].articles) == quoted
