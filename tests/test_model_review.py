"""Reviewing a change of the terms: the changed elements, with their articles."""

from __future__ import annotations

from test_model_bad_input import mutant

from yakkan.model.spec import load_spec
from yakkan.terms.review import diff_specs, format_changes


def test_identical_specs_have_no_change(spec):
    assert diff_specs(spec, spec) == []
    assert format_changes([]) == "no change in the terms text or the model"


def test_a_shifted_deposit_cap_is_reported_with_its_article(tmp_path, spec):
    new = load_spec(
        mutant(tmp_path, "deposit_cap_months: {type: int, default: 12", "deposit_cap_months: {type: int, default: 13")
    )
    changes = diff_specs(spec, new)
    assert [(c.section, c.element, c.kind) for c in changes] == [("parameters", "deposit_cap_months", "changed")]
    assert changes[0].articles == ("11-2",)
    assert "int = 12 (terms)" in changes[0].before and "int = 13 (terms)" in changes[0].after


def test_a_removed_guard_and_an_edited_article_text(tmp_path, spec):
    path = mutant(
        tmp_path,
        '      - {when: "not termination_declared", rule: "the service is not restored once termination has been '
        'declared", articles: ["17-3"],\n'
        '         ja: "当社が解除の意思表示をした後は、本サービスの提供を回復できません"}\n',
        "",
    )
    terms = path.parent / "terms" / "clara-msp-terms-2024-04-01.ja.txt"
    terms.chmod(0o644)
    terms.write_text(terms.read_text(encoding="utf-8").replace("満３ヶ月", "満６ヶ月"), encoding="utf-8")
    changes = {(c.section, c.element): c for c in diff_specs(spec, load_spec(path))}
    assert changes[("terms", "第7条")].kind == "changed"
    assert "満６ヶ月" in changes[("terms", "第7条")].after
    # the first transition of `restore` (back to a restriction still in place) lost the clause
    restore = changes[("transitions", "restore_restricted")]
    assert "not termination_declared" in restore.before and "not termination_declared" not in restore.after
    assert set(changes) == {("terms", "第7条"), ("transitions", "restore_restricted")}


def test_a_changed_lemma_is_reported(tmp_path, spec):
    new = load_spec(mutant(tmp_path, "month_of(service_start) + 1\"", "month_of(service_start) + 2\""))
    changes = diff_specs(spec, new)
    assert [(c.section, c.element, c.kind) for c in changes] == [("lemmas", "L06", "changed")]
    assert changes[0].articles == ("9-1", "10-1")
    assert changes[0].before == (
        "service_start != FOREVER → months_billed == billed_through_month - month_of(service_start) + 1")
