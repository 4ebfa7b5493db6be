"""17-4 of the proposed revision (2025-04-01): a suspension lasts at most 3 months (I-42).

Worked by hand: the service starts on 2025-04-01 with the initial payment (¥100,000 + 10%
tax = ¥110,000) paid; May's fees, billed on 2025-04-30 and due that day, are never paid, so
the company suspends for non-payment (17-1(1)) on 2025-05-10. Three months from 10 May
elapse at the end of 10 August (民法 140, 143): the suspension ends then, and the service
comes back unless termination was declared. On 10 August (not the day before) the company
may terminate at once under 17-4. The monthly bills keep running through the suspension
(17-1): May–August, 4 × ¥110,000, so ¥550,000 is charged in all by 12 August.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from yakkan.model.machine import CompiledSpec
from yakkan.model.replay import replay
from yakkan.model.scenario import load_scenario
from yakkan.model.spec import load_spec

from conftest import SPEC_PATH

REVISION = SPEC_PATH.parent / "2025-04-01" / "spec.yaml"

SUSPENDED = [
    {"on": "2025-04-01", "do": "apply"},
    {"on": "2025-04-01", "do": "accept"},
    {"on": "2025-04-01", "do": "pay", "amount": 110000},
    {"on": "2025-04-01", "do": "start_service"},
    {"on": "2025-05-10", "do": "suspend", "ground": "17-1(1)"},
]


@pytest.fixture(scope="module")
def revision() -> CompiledSpec:
    return CompiledSpec(load_spec(REVISION))


def run(tmp_path: Path, compiled: CompiledSpec, events: list[dict], version: str) -> dict:
    data = {"name": "17-4", "terms": version, "contract": {"base_fee": 100000}, "until": "2025-08-12",
            "events": events}
    path = tmp_path / "scenario.yaml"
    path.write_text(json.dumps(data), encoding="utf-8")
    return replay(compiled, load_scenario(path, compiled.spec)).to_json()


def test_the_suspension_ends_when_its_three_months_elapse(tmp_path, revision) -> None:
    out = run(tmp_path, revision, SUSPENDED, "2025-04-01")
    lapses = [c for c in out["calendar"] if c["event"] == "suspension_lapses"]
    assert lapses == [{"on": "2025-08-10", "event": "suspension_lapses", "transition": "suspension_lapses",
                       "state": "active"}]
    assert out["state"] == "active"
    assert out["ledger"]["charged"] == 550000  # suspended or not, every month is billed (17-1)


def test_17_4_termination_only_on_the_day_the_months_elapse(tmp_path, revision) -> None:
    terminate = [{"on": day, "do": "terminate", "ground": "17-4", "effective_on": day, "part": "whole"}
                 for day in ("2025-08-09", "2025-08-10")]
    out = run(tmp_path, revision, SUSPENDED + terminate, "2025-04-01")
    assert [e["accepted"] for e in out["events"][-2:]] == [False, True]
    assert (out["state"], out["ended_by"]) == ("ended", "terminated")
    # the termination declared, the suspension lasts until the contract ends that day
    assert [c["event"] for c in out["calendar"] if c["on"] == "2025-08-10"] == ["contract_ends",
                                                                                 "records_deletion_due"]
    assert out["ledger"]["charged"] == 550000


def test_under_the_2024_terms_the_suspension_has_no_end(tmp_path, compiled) -> None:
    """17 of 2024-04-01 sets no maximum (P15, a finding): the same customer is still
    suspended, and billed, on 12 August."""
    out = run(tmp_path, compiled, SUSPENDED, "2024-04-01")
    assert out["state"] == "suspended"
    assert out["ledger"]["charged"] == 550000


def test_the_response_monitor_is_given_what_it_is_by_construction(revision) -> None:
    """A response proof starts from what its monitor is by definition: armed only while
    the response does not hold, and armed on a day no earlier than the dates the calendar
    times its events from, so its deadline is the window after them or later."""
    from yakkan.verify.encoding import Model
    from yakkan.verify.lemmas import AtomFactory, monitor_lemmas
    from yakkan.verify.properties import obligation

    spec = revision.spec
    ob = obligation(spec, spec.properties["P15"])
    lemmas = [c.formula for c in monitor_lemmas(Model(spec), AtomFactory(spec), ob.monitor)]
    assert lemmas[0] == "(mon_armed) → not (state != 'suspended' or termination_declared)"
    assert "(mon_armed) and (suspended_on != FOREVER) → mon_deadline >= add_months(suspended_on, 6) + 0" in lemmas
    assert monitor_lemmas(Model(spec), AtomFactory(spec), obligation(spec, spec.properties["P62"]).monitor) == []


def test_p15_is_proved_on_the_revision_and_violated_on_2024(compiled, revision) -> None:
    """17-4 repairs the finding P15: every suspension ends within 6 months (proved, not
    only up to a depth); under 2024-04-01 a suspension can last for ever (violated)."""
    from yakkan.verify.runner import Settings, Verifier

    new = Verifier(revision.spec, Settings(), None, jobs=1)
    new.prepare()
    verdict = new.check("P15")
    assert (verdict.verdict, verdict.matches) == ("proved", True)
    assert any("mon_deadline >= add_months(suspended_on, 6)" in str(w) for w in verdict.why)
    old = Verifier(compiled.spec, Settings(), None, jobs=1)
    old.prepare()
    assert old.check("P15").verdict == "violated"
