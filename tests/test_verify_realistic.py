"""Counterexamples a lawyer believes (issue 12 §7, issue 13): minimal, usual fees, round
amounts, dates near the terms' effective date (2024-04-01), responses replayed one day past
the deadline, the blame on the calendar event that did not happen; still replayed by the
executable model and still violating the property; byte-identical when verified twice."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from ruamel.yaml import YAML
from test_verify_mutants import MUTANTS, mutant

from yakkan.model import calendar_math as cm
from yakkan.model.machine import CompiledSpec
from yakkan.model.replay import replay
from yakkan.model.scenario import load_scenario
from yakkan.model.spec import load_spec
from yakkan.verify.cli import verify
from yakkan.verify.properties import obligation
from yakkan.verify.realistic import Polisher, Story, ddmin
from yakkan.verify.runner import Settings

from conftest import SPEC_PATH, day

EFFECTIVE = dt.date(2024, 4, 1)


def dates_in(path: Path) -> list[dt.date]:
    data = YAML(typ="safe").load(path.read_text(encoding="utf-8"))
    out = [e["on"] for e in data["events"]] + [data["until"]]
    out += [v for e in data["events"] for v in e.values() if isinstance(v, dt.date)]
    out += [v for v in data["contract"].values() if isinstance(v, dt.date)]
    return out


def test_ddmin_keeps_only_what_is_needed() -> None:
    tried: list[list[int]] = []

    def keeps(sub: list[int]) -> bool:
        tried.append(sub)
        return {2, 5} <= set(sub)

    assert ddmin(list(range(8)), keeps) == [2, 5]
    assert ddmin([3], lambda sub: True) == []


def test_a_raw_story_is_told_near_the_terms_with_usual_fees(spec, compiled) -> None:
    """P13 (27-2's cap) from an odd story: the years 2061-2063, a base fee of ¥1, a claim
    that plays no part, ¥50,001 of damages. Told again: a year after the terms, the
    default ¥100,000 base fee, damages ¥150,000, three events."""
    ob = obligation(spec, spec.properties["P13"])
    params = {n: p.default for n, p in spec.parameters.items() if p.scope == "contract"} | {"base_fee": 1}
    raw = Story(params, ((day("2061-09-06"), "apply", {}), (day("2062-05-15"), "accept", {}),
                         (day("2062-07-01"), "claim_damages", {"amount": 30000, "cause": "27-1(1)"}),
                         (day("2063-01-27"), "claim_damages", {"amount": 50001, "cause": "gross_negligence"})),
                day("2063-01-27"))  # fmt: skip
    polisher = Polisher(compiled, ob.prop, ob.violation)
    assert polisher.settle(raw) is not None
    new, result = polisher.polish(raw)
    assert dict(new.parameters) == {n: p.default for n, p in spec.parameters.items() if p.scope == "contract"}
    assert [(dt.date.fromordinal(d).isoformat(), e, dict(a)) for d, e, a in new.events] == [
        ("2024-09-06", "apply", {}), ("2024-10-15", "accept", {}),
        ("2024-11-27", "claim_damages", {"amount": 150000, "cause": "gross_negligence"})]
    assert dt.date.fromordinal(new.until) == dt.date(2024, 11, 27)
    assert (result.contract.values["liability_awarded"], result.contract.values["base_fee"]) == (150000, 100000)
    assert len(new.events) < len(raw.events)


def test_p13_counterexample_is_realistic_replays_and_is_deterministic(tmp_path) -> None:
    files = []
    for run in ("a", "b"):
        verdicts, _ = verify(SPEC_PATH, ["P13"], Settings(), tmp_path / run, use_cache=False,
                             cache_dir=tmp_path / f"c{run}")  # fmt: skip
        (v,) = verdicts
        assert (v.verdict, v.matches) == ("violated", True)
        files.append(Path(v.counterexample))
    text = files[0].read_text(encoding="utf-8")
    assert files[1].read_text(encoding="utf-8") == text  # byte-identical
    assert "9999" not in text
    data = YAML(typ="safe").load(text)
    assert data["contract"] == {"annual_plan": False, "base_fee": 100000, "option_fee": 0, "other_fee": 0,
                                "initial_fee": 0, "support_cap": 10, "restriction_fee": 10000}  # fmt: skip
    # the application, its acceptance and the damages claimed, on the random run's dates
    # (moved into the year after the terms): round amounts, together above the month's base
    # fee, the cap P13 states (one claim or, as the random runs of the spec draw now, two)
    claims = data["events"][2:]
    assert [{k: v for k, v in e.items() if k != "on"} for e in data["events"][:2]] == [{"do": "apply"},
                                                                                      {"do": "accept"}]
    assert 1 <= len(claims) <= 2 and all(c["do"] == "claim_damages" and c["cause"] == "gross_negligence"
                                         and c["amount"] % 10000 == 0 for c in claims)  # fmt: skip
    assert sum(c["amount"] for c in claims) > 100000
    assert all(EFFECTIVE <= d <= dt.date(2026, 4, 1) for d in dates_in(files[0]))
    assert all(v > 0 for k, v in data["contract"].items() if k == "base_fee")
    spec = load_spec(SPEC_PATH)
    result = replay(CompiledSpec(spec), load_scenario(files[0], spec))
    assert result.expectation_mismatches() == []
    assert result.contract.values["liability_awarded"] > result.contract.values["base_fee"]  # P13 broken


def test_blame_on_the_month_ends_that_did_not_happen(tmp_path) -> None:
    """17-1 mutant: a suspended contract is not billed. P02 breaks when the month passes:
    the blame is the refused month_ends of 30 June (bill_next_month is not possible while
    suspended), not the month_starts of 1 July that finds the month unbilled."""
    old, new, pid = MUTANTS["suspension-stops-charging"]
    path = mutant(tmp_path, old, new)
    verdicts, _ = verify(path, [pid], Settings(samples=80), tmp_path / "out", use_cache=False,
                         cache_dir=tmp_path / "c")  # fmt: skip
    (v,) = verdicts
    assert v.verdict == "violated"
    cex = Path(v.counterexample)
    data = YAML(typ="safe").load(cex.read_text(encoding="utf-8"))
    kinds = [e["do"] for e in data["events"]]
    assert kinds[:2] == ["apply", "accept"] and "start_service" in kinds and kinds[-1] == "suspend"
    # the blame: the last day of the month of the suspension, whose month_ends was refused
    suspended = data["events"][-1]["on"]
    month_end = dt.date.fromordinal(cm.month_end(cm.month_of(suspended.toordinal())))
    line = next(t.line for t in load_spec(path).transitions if t.id == "bill_next_month")
    assert v.fault == {"transition": "bill_next_month", "line": line, "event": "month_ends",
                       "date": month_end.isoformat(), "articles": ["10-1", "9-2", "9-1", "17-1", "18", "8-1"],
                       "happened": False, "state": "suspended"}  # fmt: skip
    assert f"P02 broken on {month_end}: the calendar's month_ends did not happen in state suspended" in v.story
    assert data["until"] == month_end + dt.timedelta(days=1)
    assert all(EFFECTIVE <= d <= dt.date(2027, 4, 1) for d in dates_in(cex))
    mspec = load_spec(path)
    result = replay(CompiledSpec(mspec), load_scenario(cex, mspec))
    assert result.expectation_mismatches() == []
    values = result.contract.values
    assert result.state == "suspended" and values["billed_through_month"] < cm.month_of(values["today"])


def test_a_response_is_replayed_one_day_past_its_deadline(tmp_path) -> None:
    """P15 (17: a suspension ends within 6 months): suspended on day D, the deadline is D
    plus 6 calendar months and the counterexample runs to the day after it (2025-04-14:
    deadline 2025-10-14, run to 2025-10-15)."""
    verdicts, _ = verify(SPEC_PATH, ["P15"], Settings(), tmp_path / "out", use_cache=False,
                         cache_dir=tmp_path / "c")  # fmt: skip
    (v,) = verdicts
    assert (v.verdict, v.matches) == ("violated", True)
    cex = Path(v.counterexample)
    data = YAML(typ="safe").load(cex.read_text(encoding="utf-8"))
    last = data["events"][-1]
    assert last["do"] == "suspend"
    assert data["until"] == dt.date.fromordinal(cm.add_months(last["on"].toordinal(), 6) + 1)
    assert "9999" not in cex.read_text(encoding="utf-8")
    spec = load_spec(SPEC_PATH)
    result = replay(CompiledSpec(spec), load_scenario(cex, spec))
    assert result.expectation_mismatches() == [] and result.state == "suspended"


def test_a_usual_fee_gets_the_payment_it_needs(compiled) -> None:
    """P18's witness as Z3 may tell it: every fee ¥0, so the service starts unpaid, and the
    raise is ¥10,000. Told with the usual base fee of ¥100,000 the start is refused until the
    initial payment is in (6-2, I-09): the payment of what is billed, ¥100,000 + 10% tax =
    ¥110,000, is put before it, and the raise goes above the usual fee (¥150,000)."""
    spec = compiled.spec
    prop = spec.properties["P18"]
    zeros = {"annual_plan": False, "base_fee": 0, "option_fee": 0, "other_fee": 0, "initial_fee": 0,
             "support_cap": 10, "restriction_fee": 10000}
    events = ((day("2024-06-25"), "apply", {}), (day("2024-07-18"), "accept", {}),
              (day("2024-08-19"), "start_service", {}),
              (day("2024-09-19"), "raise_fee", {"base_fee": 10000, "effective_on": day("2024-10-19")}))
    got = Polisher(compiled, prop, obligation(spec, prop).violation).polish(Story(zeros, events, day("2024-09-19")))
    assert got is not None
    story, _ = got
    assert story.parameters["base_fee"] == 100000
    assert [(dt.date.fromordinal(d).isoformat(), e, dict(a)) for d, e, a in story.events] == [
        ("2024-06-25", "apply", {}), ("2024-07-18", "accept", {}),
        ("2024-08-19", "pay", {"amount": 110000}), ("2024-08-19", "start_service", {}),
        ("2024-09-19", "raise_fee", {"base_fee": 150000, "effective_on": day("2024-10-19")}),
    ]


def test_a_far_date_that_cannot_move_keeps_the_story(spec, compiled) -> None:
    """A story in 2020 with an abolition announced for 9998-06-01: moving it by whole years
    toward 2024 would put that date past 9999 (a crash, counted by `yakkan mutate` as a
    kill). The move is skipped and the story kept as it was, still violating P13."""
    ob = obligation(spec, spec.properties["P13"])
    params = {n: p.default for n, p in spec.parameters.items() if p.scope == "contract"}
    raw = Story(params, ((day("2020-09-06"), "apply", {}), (day("2020-10-15"), "accept", {}),
                         (day("2020-11-02"), "announce_abolition",
                          {"part": "whole", "effective_on": day("9998-06-01")}),
                         (day("2021-01-27"), "claim_damages", {"amount": 150000, "cause": "gross_negligence"})),
                day("2021-01-27"))  # fmt: skip
    polisher = Polisher(compiled, ob.prop, ob.violation)
    settled = polisher.settle(raw)
    assert settled is not None
    story, result = polisher.near_effective(*settled)
    assert [dt.date.fromordinal(d).isoformat() for d, _, _ in story.events] == [
        "2020-09-06", "2020-10-15", "2020-11-02", "2021-01-27"]
    assert result.contract.values["liability_awarded"] == 150000
