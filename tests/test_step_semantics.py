"""One step semantics for every backend (issue 12 §1): `time_advance` first, the guard read
on the advanced values, an accepted event always runs its effects. The executable model
(python-statemachine), the fast engine and the Z3 encoding take the same steps — on the
bundled spec and on generated specs whose guards read accrued values — and a backend that
parts from the spec's semantics fails the run instead of leaving a log entry."""

from __future__ import annotations

import random
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from yakkan.model.machine import BackendDisagreement, CompiledSpec
from yakkan.model.replay import replay
from yakkan.model.scenario import load_scenario
from yakkan.model.spec import load_spec
from yakkan.simulate.engines import Model
from yakkan.verify import engines
from yakkan.verify.cli import verify
from yakkan.verify.runner import Settings, Verifier
from yakkan.verify.sampling import random_run

from conftest import SPEC_PATH, copy_spec_folders, day

DETECT_EVASION = """    source: [concluded, in_force, ended]
    target: same
    articles: ["12-1"]
    effects:
      - "penalties += evasion_multiplier * amount\""""


def with_guard(tmp_path: Path, transition_site: str, clause: str, name: str = "spec") -> Path:
    """The bundled spec in tmp_path with one guard clause added to one transition."""
    folder = tmp_path / name
    folder.mkdir()
    copy_spec_folders(folder)
    text = SPEC_PATH.read_text(encoding="utf-8")
    assert text.count(transition_site) == 1, transition_site
    head, effects = transition_site.split("    effects:\n", 1)
    guarded = head + f"    guard:\n      - {{when: \"{clause}\", rule: \"generated\", articles: [\"12-2\"]}}\n" \
        + "    effects:\n" + effects
    path = folder / "spec.yaml"
    path.write_text(text.replace(transition_site, guarded), encoding="utf-8")
    return path


PROBE = """name: evasion detected while late charges run
contract: {base_fee: 100000, initial_payment_due: 2024-04-10}
until: 2024-04-30
events:
  - {on: 2024-04-01, do: apply}
  - {on: 2024-04-03, do: accept}
  - {on: 2024-04-20, do: detect_evasion, amount: 50000}
"""


def test_a_guard_reads_the_accrued_values_in_every_backend(tmp_path) -> None:
    """The probe of the false proof: `detect_evasion` guarded by `late_charges == late_paid`.
    On 2024-04-20 the initial payment (¥110,000) has been overdue since 04-10: 10 days ×
    ¥110,000 × 0.04 % = ¥440 of late charges ≠ ¥0 paid, so every backend refuses the event
    (before, the statechart accepted it without running its effects: penalty ¥0, while the
    encoding and the fast engine added ¥100,000); P24 is then proved, and true."""
    path = with_guard(tmp_path, DETECT_EVASION, "late_charges == late_paid")
    spec = load_spec(path)
    compiled = CompiledSpec(spec)
    (tmp_path / "probe.yaml").write_text(PROBE, encoding="utf-8")
    result = replay(compiled, load_scenario(tmp_path / "probe.yaml", spec))
    data = result.to_json()
    evasion = data["events"][-1]
    assert evasion["do"] == "detect_evasion" and not evasion["accepted"], evasion
    assert data["ledger"]["penalties"] == 0
    assert data["ledger"]["late_charges"] == 110000 * 20 * 4 // 10000  # 04-11 … 04-30: ¥880
    # the fast engine takes the same steps
    model = Model(spec)
    runs = []
    for engine in ("fast", "reference"):
        c = model.contract(engine, {**model.default_parameters(), "initial_payment_due": day("2024-04-10")})
        for on, event, args in ((day("2024-04-01"), "apply", {}), (day("2024-04-03"), "accept", {}),
                                (day("2024-04-20"), "detect_evasion", {"amount": 50000})):  # fmt: skip
            c.send(event, on, args)
        c.settle_to(day("2024-04-30"))
        runs.append((c.trace, c.values["penalties"]))
    assert runs[0] == runs[1] and runs[0][1] == 0
    # and the verifier's proof is a proof of what the executable model does
    verdicts, _ = verify(path, ["P24"], Settings(), tmp_path / "out", use_cache=False,
                         cache_dir=tmp_path / "c")  # fmt: skip
    assert verdicts[0].verdict == "proved", (verdicts[0].verdict, verdicts[0].reason)


def test_a_statechart_that_parts_from_the_spec_fails_the_run(compiled) -> None:
    """The statechart runs `pay`'s effects where the spec's semantics selects another
    transition: the run stops with BackendDisagreement, it is not logged and passed."""
    from yakkan.model.contract import Contract

    c = Contract(compiled, {n: p.default for n, p in compiled.spec.parameters.items()})
    c.send("apply", day("2024-04-01"))
    other = next(ct for ct in compiled.transitions if ct.spec.id == "notify_details_change")
    c.compiled = _Forcing(compiled, other)
    with pytest.raises(BackendDisagreement, match="notify_details_change"):
        c.send("pay", day("2024-04-02"), {"amount": 1000})


class _Forcing:
    """A compiled spec whose semantics (wrongly) selects `forced` for every event."""

    def __init__(self, compiled: CompiledSpec, forced) -> None:
        self._compiled, self._forced = compiled, forced

    def __getattr__(self, name: str):
        return getattr(self._compiled, name)

    def select(self, event, state, advanced):
        return self._forced, None


# guards over what time_advance changes (late charges) and what it does not
ACCRUED_GUARDS = [
    "late_charges == late_paid", "late_charges > 0", "late_charges < 500", "yen_days <= 2000000",
    "arrears == 0 or late_charges > 100", "balance_due < 300000", "last_day == today",
    "late_charges - late_paid <= overdue // 100",
]

@settings(max_examples=6, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(guard=st.sampled_from(ACCRUED_GUARDS), seed=st.integers(0, 10**6))
def test_three_backends_agree_on_generated_specs(tmp_path_factory, guard, seed) -> None:
    """A spec whose `detect_evasion` reads accrued values in its guard: random histories
    of the executable model are taken step for step by the fast engine and by the Z3
    encoding (exact calendar, every variable)."""
    tmp = tmp_path_factory.mktemp("gen")
    spec = load_spec(with_guard(tmp, DETECT_EVASION, guard))
    verifier = Verifier(spec, Settings(), None)
    model = Model(spec)
    rng = random.Random(seed)
    for _ in range(3):
        run = random_run(verifier.compiled, rng, 30)
        fast = model.contract("fast", dict(run.parameters))
        for on, event, args in run.events:
            fast.send(event, on, args)
        ref = [(s.day, s.event, s.transition, s.state_after) for s in run.steps]
        assert [(d, e, t, s) for d, e, t, s, _ in fast.trace] == ref
        trace = verifier.run_trace(list(run.steps), dict(run.parameters), engines.Budget())
        assert trace is not None
