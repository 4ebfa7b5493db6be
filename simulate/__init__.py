"""yakkan.simulate — randomized customer portfolios with every property monitored.

    from yakkan.simulate import run_portfolio
    report = run_portfolio("contracts/clara-msp/spec.yaml", customers=10_000, months=60, seed=0,
                           workers=2, out="out/simulate")
    report.to_json()      # the report.json object (see yakkan.simulate.report)
    report.violations     # monitors of properties expected to hold that fired
    report.exit_status    # 0, or 1 when there is a violation

Modules: profiles (behaviour profiles file), driver (one customer's life), engines (the
reference Contract and the fast engine behind one interface), fast + codegen (the fast
engine generated from the spec), monitors (the property catalogue at run time), stats
(tallies), shrink (findings to scenario files), report / table / plots (output),
runner (run_portfolio), cluster (`--cluster`: the chunks on a Dask cluster, the spec
sent as text), cli (`yakkan simulate`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .report import Report

__all__ = ["Report", "run_portfolio"]


def run_portfolio(*args: Any, **kwargs: Any) -> Report:
    """See `yakkan.simulate.runner.run_portfolio`."""
    from .runner import run_portfolio as run

    return run(*args, **kwargs)


def __getattr__(name: str) -> Any:
    if name == "Report":
        from .report import Report

        return Report
    raise AttributeError(name)
