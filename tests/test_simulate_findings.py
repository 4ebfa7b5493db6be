"""Monitor findings on the bundled spec that the simulator turned up, kept as tests.

Each is a shrunk scenario written by `yakkan simulate`; the test states what the property
expects. The P06 gap below was fixed in the spec; its scenario stays as a regression test.
"""

from __future__ import annotations

from pathlib import Path

from yakkan.model.machine import CompiledSpec
from yakkan.model.replay import replay
from yakkan.model.scenario import scenario_from_data
from yakkan.model.spec import load_spec
from yakkan.simulate.monitors import MonitorSet

SPEC = Path(__file__).resolve().parents[1] / "contracts" / "clara-msp" / "spec.yaml"

# From `yakkan simulate` with a chaos profile (every event, arbitrary arguments), seed 2,
# shrunk from 70 events to 7. The 11-2 cap (12 months of base, option and other fees) is
# checked when the deposit is requested (request_deposit's guard) but not when it is paid
# (pay_deposit checks only deposit_held + amount <= deposit_requested). A downgrade between
# the request and the payment lowers the cap; the payment then takes the deposit held past
# it: 500,000 yen held against a cap of 12 x (1 + 10,000 + 0) = 120,012 yen.
P06_DEPOSIT_ABOVE_CAP = {
    "name": "P06-customer-731",
    "contract": {"initial_fee": 50000, "option_fee": 10000},
    "until": "2025-02-11",
    "events": [
        {"on": "2024-07-22", "do": "apply"},
        {"on": "2024-08-01", "do": "accept"},
        {"on": "2024-08-05", "do": "pay", "amount": 176000},
        {"on": "2024-08-06", "do": "start_service"},
        {"on": "2024-10-19", "do": "request_deposit", "amount": 1200000},
        {"on": "2024-11-14", "do": "change_plan", "base_fee": 1},
        {"on": "2025-02-11", "do": "pay_deposit", "amount": 500000},
    ],
}


def _replay(data: dict):
    spec = load_spec(SPEC)
    scenario = scenario_from_data(data, spec)
    result = replay(CompiledSpec(spec), scenario)
    monitor = MonitorSet(spec).start()
    for step in result.contract.steps:
        monitor(step)
    return result, set(monitor.finish(scenario.until))


def test_P06_deposit_paid_after_a_downgrade_stays_within_the_cap():
    """Fixed in the spec: pay_deposit re-checks the 11-2 cap at the fees in force."""
    result, fired = _replay(P06_DEPOSIT_ABOVE_CAP)
    payment = result.event_steps[-1]
    assert not payment.accepted and payment.articles == ("11-2",)
    assert result.ledger()["deposit_held"] == 0
    assert "P06" not in fired
