"""What a change of the terms costs: the same portfolio and seed simulated on both versions.

Three runs at most: the old spec with its profiles (A), the new spec with the *old*
profiles (B) and, when the new version's profiles differ, the new spec with its own (C).
B − A is what the terms change; C − B what the profile parameters change. Figures are
integer yen (and days, and contracts), read from each run's report (simulate/report.py).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

# (key in the report's JSON, path inside it); yen unless named otherwise
FIGURES: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("charged", ("money", "charged")),
    ("paid", ("money", "paid")),
    ("late_charges", ("money", "late_charges")),
    ("penalties", ("money", "penalties")),
    ("outstanding", ("money", "outstanding")),
    ("refunded", ("money", "refunded")),
    ("deposits_paid", ("money", "deposits", "paid")),
    ("deposits_applied", ("money", "deposits", "applied")),
    ("deposits_returned", ("money", "deposits", "returned")),
    ("liability_awarded", ("money", "liability_awarded")),
    ("suspensions_completed", ("suspensions", "completed")),
    ("suspension_mean_days", ("suspensions", "mean_days")),
    ("suspension_max_days", ("suspensions", "max_days")),
    ("suspensions_ongoing_at_end", ("suspensions", "ongoing_at_end")),
)
PROFILE_FIGURES = ("charged", "paid", "late_charges", "penalties", "outstanding")


def profiles_beside(spec: Path) -> Path:
    """The profiles `yakkan simulate` uses for a spec: profiles.yaml beside it, else the bundled ones."""
    from yakkan.simulate.runner import DEFAULT_PROFILES

    beside = spec.parent / "profiles.yaml"
    return beside if beside.exists() else Path(DEFAULT_PROFILES)


@dataclass
class MoneyComparison:
    customers: int
    months: int
    seed: int
    runs: dict[str, dict[str, Any]] = field(default_factory=dict)  # "old", "new_old_profiles", "new"
    files: dict[str, str] = field(default_factory=dict)  # run -> folder of its report and plots

    def figure(self, run: str, path: tuple[str, ...]) -> Any:
        return figure_at(self.runs.get(run, {}), path)

    @property
    def profiles_differ(self) -> bool:
        return "new" in self.runs

    def rows(self) -> list[dict[str, Any]]:
        """One row a figure: old, new, the difference, and its parts (terms, profiles)."""
        out = []
        for name, path in FIGURES:
            a, b = self.figure("old", path), self.figure("new_old_profiles", path)
            c = self.figure("new", path) if self.profiles_differ else b
            out.append({"figure": name, "old": a, "new": c, "delta": difference(c, a), "terms": difference(b, a),
                        "profiles": difference(c, b)})  # fmt: skip
        for w in self._ways():
            path = ("ended_by", w)
            a, b = self.figure("old", path), self.figure("new_old_profiles", path)
            c = self.figure("new", path) if self.profiles_differ else b
            out.append({"figure": f"ended_{w}", "old": a, "new": c, "delta": difference(c, a),
                        "terms": difference(b, a), "profiles": difference(c, b)})  # fmt: skip
        return out

    def profile_rows(self) -> list[dict[str, Any]]:
        """Per customer profile: the money figures on both versions."""
        run_new = "new" if self.profiles_differ else "new_old_profiles"
        names = list(dict.fromkeys([*self.runs["old"].get("money_by_profile", {}),
                                    *self.runs[run_new].get("money_by_profile", {})]))  # fmt: skip
        out = []
        for p in names:
            for f in PROFILE_FIGURES:
                a = self.figure("old", ("money_by_profile", p, f))
                c = self.figure(run_new, ("money_by_profile", p, f))
                out.append({"profile": p, "figure": f, "old": a, "new": c, "delta": difference(c, a)})
        return out

    def _ways(self) -> list[str]:
        ways: dict[str, None] = {}
        for run in self.runs.values():
            ways.update(dict.fromkeys(run.get("ended_by", {})))
        return list(ways)

    def to_json(self) -> dict[str, Any]:
        return {"customers": self.customers, "months": self.months, "seed": self.seed,
                "profiles_differ": self.profiles_differ, "rows": self.rows(), "by_profile": self.profile_rows(),
                "files": self.files}  # fmt: skip


def figure_at(report: Mapping[str, Any], path: tuple[str, ...]) -> Any:
    """The figure at ``path`` (one of FIGURES') in a simulation report's JSON; 0 where absent."""
    node: Any = report
    for k in path:
        node = node.get(k, 0) if isinstance(node, Mapping) else 0
    return node


def difference(a: Any, b: Any) -> Any:
    """a - b; a float difference rounded to one decimal (the reports show one)."""
    d = a - b
    return round(d, 1) if isinstance(d, float) else d


def compare_money(old_spec: Path, new_spec: Path, customers: int, months: int, seed: int,
                  out: Path | None) -> MoneyComparison:  # fmt: skip
    """Simulate the same portfolio (the old version's profiles) and seed on both versions,
    and the new version with its own profiles when they differ."""
    from yakkan.simulate.runner import run_portfolio

    old_profiles, new_profiles = profiles_beside(old_spec), profiles_beside(new_spec)
    plan = [("old", old_spec, old_profiles), ("new_old_profiles", new_spec, old_profiles)]
    if new_profiles.read_bytes() != old_profiles.read_bytes():
        plan.append(("new", new_spec, new_profiles))
    result = MoneyComparison(customers, months, seed)
    for name, spec, profiles in plan:
        folder = (out / name / "simulate") if out else None
        report = run_portfolio(spec_path=spec, profiles_path=profiles, customers=customers, months=months,
                               seed=seed, workers=1, out=folder, shrink_findings=False)  # fmt: skip
        result.runs[name] = report.to_json()
        if folder is not None:
            result.files[name] = str(folder)
    return result
