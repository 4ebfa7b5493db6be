"""Behaviour profiles: what customers and the company do, month by month.

A profiles file (see contracts/clara-msp/profiles.yaml) is checked against the spec before
anything runs, like a spec or a scenario: an unknown event or argument, a calendar event,
a distribution that cannot be drawn, an expression that does not type-check, a mix that
names no profile — each is a `ProfileError` with the file, the line and a fix.

    version: 1
    start: 2024-04-01                  # the first month of the simulation
    arrival_month: {uniform: [0, 23]}  # the month (from start) in which a customer applies
    contract: {base_fee: {choice: [50000, 100000], weights: [1, 3]}}   # drawn per customer
    onboarding:                        # in order, each `after_days` after the one before
      - {do: apply, day: {uniform: [1, 28]}}
      - {do: accept, after_days: {uniform: [1, 5]}}
    profiles:
      punctual:
        title: Punctual payer
        ja: {title: 期日どおりに支払う顧客}  # the Japanese docs' title (and doc)
        rules:                         # tried every month
          - {do: pay, day: {uniform: [15, 27]}, when: "in_force", amount: {expr: "max(1, balance_due)"}}
    company: [...]                     # the company's policy, tried every month for each customer
    service: [...]                     # service-wide events (fee raises, abolition): drawn once
                                       # for the whole portfolio, sent to every customer
    mix: {punctual: 70, late: 30}      # portfolio weights

A rule: `do` (an event of the spec), `chance` (0..1 per month, default 1) or `rate`
(Poisson mean per month), `day` (day of month: a number, `last`, a distribution or a
list of them), `when` (an expression of the spec, checked on the day: the event is sent
only if it holds), `then` (follow-up rules `after_days` later), and the event's
arguments: a literal, a distribution (`{uniform: [a, b]}`, `{choice: [...], weights:
[...]}`) drawn when the event is sent, or `{expr: "..."}` evaluated when it is sent.
"""

from __future__ import annotations

import datetime as dt
import math
import random
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from yakkan.model.errors import InputError, did_you_mean
from yakkan.model.expr import BOOL, DATE, INT, MAX_LENGTH, Expr, ExprError, Type, parse_expr
from yakkan.model.limits import FIRST_YEAR, LAST_YEAR, MAX_YEN, clip, date_in_range, yen_problem
from yakkan.model.names import check_texts
from yakkan.model.records import Rewriter
from yakkan.model.scenario import parse_date
from yakkan.model.spec import Spec
from yakkan.model.yamlio import line_of, read_yaml

from .codegen import Specializer, compile_function

DEFAULT_PROFILES = Path(__file__).resolve().parent.parent / "contracts" / "clara-msp" / "profiles.yaml"

TOP_KEYS = ("version", "description", "start", "arrival_month", "contract", "onboarding", "profiles",
            "company", "service", "mix")  # fmt: skip
RULE_KEYS = ("do", "chance", "rate", "day", "after_days", "when", "then", "note")
PROFILE_KEYS = ("title", "doc", "ja", "contract", "rules")
DIST_KEYS = ("uniform", "choice", "weights", "step", "fixed")


class ProfileError(InputError):
    """A behaviour profiles file that cannot be used."""

    default_hint = ("correct this entry of the profiles file (its format: the docstring of "
                    "simulate/profiles.py; contracts/clara-msp/profiles.yaml is a complete example)")


# -- distributions -----------------------------------------------------------------------


@dataclass(frozen=True)
class Dist:
    """A value drawn per use: fixed, uniform over integers (a step apart), or a choice."""

    kind: str  # fixed | uniform | choice
    values: tuple[Any, ...]
    weights: tuple[float, ...] = ()
    step: int = 1

    def draw(self, rng: random.Random) -> Any:
        if self.kind == "fixed":
            return self.values[0]
        if self.kind == "uniform":
            lo, hi = self.values
            return lo + self.step * int(rng.random() * ((hi - lo) // self.step + 1))
        if self.weights:
            return rng.choices(self.values, self.weights)[0]
        return self.values[rng.randrange(len(self.values))]

    def describe(self) -> str:
        if self.kind == "fixed":
            return str(self.values[0])
        if self.kind == "uniform":
            return f"{self.values[0]}..{self.values[1]}" + (f" step {self.step}" if self.step != 1 else "")
        return "one of " + ", ".join(map(str, self.values))


Cond = Callable[[dict, int], Any]


@dataclass(frozen=True)
class ArgSpec:
    """An event argument: a drawn value (`dist`) or an expression evaluated when sent."""

    name: str
    dist: Dist | None = None
    expr: Cond | None = None
    text: str = ""
    minimum: int | None = None


@dataclass(frozen=True)
class Rule:
    """One behaviour: an event tried each month (or after its parent), if `when` holds."""

    event: str
    chance: float = 1.0
    rate: float | None = None
    days: tuple[Any, ...] = ()  # per entry: int, "last" or Dist
    after_days: Dist | None = None
    when: Cond | None = None
    when_text: str = ""
    args: tuple[ArgSpec, ...] = ()
    then: tuple[Rule, ...] = ()
    creates: bool = False
    dead_in: frozenset[str] = frozenset()  # states in which `when` is false whatever the values
    dist_args: tuple[ArgSpec, ...] = ()  # the arguments drawn when sent
    expr_args: tuple[ArgSpec, ...] = ()  # the arguments evaluated when sent
    where: str = ""
    line: int | None = None

    def count(self, rng: random.Random) -> int:
        """How many times the rule happens this month."""
        if self.rate is not None:
            return _poisson(rng, self.rate)
        return 1 if self.chance >= 1.0 or rng.random() < self.chance else 0


def _poisson(rng: random.Random, mean: float) -> int:
    """Knuth's method (means here are small)."""
    limit, k, p = math.exp(-mean), 0, rng.random()
    while p > limit:
        k += 1
        p *= rng.random()
    return k


@dataclass(frozen=True)
class Profile:
    name: str
    title: str
    doc: str
    title_ja: str  # the Japanese docs' title (``ja: {title: …, doc: …}``); else the name
    doc_ja: str
    contract: Mapping[str, Dist]
    rules: tuple[Rule, ...]


@dataclass(frozen=True)
class Portfolio:
    """A checked profiles file."""

    path: Path | None
    start: int
    contract: Mapping[str, Dist]
    onboarding: tuple[Rule, ...]
    profiles: Mapping[str, Profile]
    company: tuple[Rule, ...]
    service: tuple[Rule, ...]
    mix: tuple[tuple[str, float], ...]
    arrival: Dist = Dist("fixed", (0,))  # month of the run (0-based) in which a customer applies
    description: str = ""
    digest: str = field(default="", compare=False)

    def draw_profile(self, rng: random.Random) -> Profile:
        names = [n for n, _ in self.mix]
        return self.profiles[rng.choices(names, [w for _, w in self.mix])[0]]

    def draw_contract(self, profile: Profile, rng: random.Random) -> dict[str, Any]:
        """Contract parameters for one customer (the profile's own distributions win)."""
        dists = {**self.contract, **profile.contract}
        return {name: dists[name].draw(rng) for name in sorted(dists)}


# -- loading ------------------------------------------------------------------------------


def load_profiles(path: str | Path, spec: Spec) -> Portfolio:
    """Read and check the profiles file at `path` against `spec`."""
    path = Path(path)
    doc = read_yaml(path, ProfileError)
    check_texts(doc, path, ProfileError, "profiles file")
    portfolio = _Checker(spec, path).portfolio(doc)
    import hashlib

    from yakkan.model.limits import read_input_bytes

    digest = hashlib.sha256(read_input_bytes(path, ProfileError)).hexdigest()[:16]
    return Portfolio(**{**portfolio.__dict__, "digest": digest})


class _Checker:
    def __init__(self, spec: Spec, path: Path | None) -> None:
        self.spec = spec
        self.path = path
        self._loader = _expression_loader(spec)

    def fail(self, message: str, node: Any = None, key: Any = None, where: str | None = None,
             hint: str | None = None) -> Any:  # fmt: skip
        raise ProfileError(message, path=self.path, line=line_of(node, key), where=where, hint=hint)

    def mapping(self, node: Any, where: str, parent: Any = None, key: Any = None) -> Mapping:
        if not isinstance(node, Mapping):
            self.fail("expected a mapping (key: value)", parent if parent is not None else node, key, where,
                      hint="write `key: value` entries here")  # fmt: skip
        return node

    def keys(self, node: Mapping, allowed: tuple[str, ...], where: str) -> None:
        for k in node:
            if k not in allowed:
                self.fail(f"unknown key '{k}'{did_you_mean(str(k), allowed)}", node, k, where,
                          hint=f"allowed keys: {', '.join(allowed)}")  # fmt: skip

    # -- top level ------------------------------------------------------------------------

    def portfolio(self, doc: Any) -> Portfolio:
        root = self.mapping(doc, "profiles file")
        self.keys(root, TOP_KEYS, "profiles file")
        for key in ("start", "onboarding", "profiles", "mix"):
            if key not in root:
                self.fail(f"missing key '{key}'", root, None, "profiles file",
                          hint="see contracts/clara-msp/profiles.yaml for a complete example")  # fmt: skip
        if root.get("version", 1) != 1:
            self.fail("unsupported version (this yakkan reads version 1)", root, "version", "version",
                      hint="write version: 1")  # fmt: skip
        start = self.date(root["start"], root, "start", "start")
        if dt.date.fromordinal(start).day != 1:
            self.fail("the simulation starts on the first day of a month", root, "start", "start",
                      hint=f"write {dt.date.fromordinal(start).replace(day=1)}")  # fmt: skip
        arrival = self.dist(root.get("arrival_month", 0), INT, "arrival_month", root, "arrival_month")
        if any(v < 0 for v in arrival.values):
            self.fail("arrival_month counts months from `start`: 0 or more", root, "arrival_month", "arrival_month",
                      hint="e.g. arrival_month: {uniform: [0, 23]}")  # fmt: skip
        contract = self.contract(root.get("contract") or {}, "contract", root)
        onboarding = self.rules(root["onboarding"], "onboarding", root, sequence=True)
        creators = [r for r in onboarding if r.creates]
        if not onboarding or not onboarding[0].creates or len(creators) != 1:
            creator = self.spec.creating_event.name
            hint = f"make the first entry {{do: {creator}, day: {{uniform: [1, 28]}}}}"
            self.fail(f"onboarding must begin with the application `{creator}`, once", root, "onboarding",
                      "onboarding", hint=hint)  # fmt: skip
        profiles_node = self.mapping(root["profiles"], "profiles", root, "profiles")
        if not profiles_node:
            self.fail("at least one profile is needed", root, "profiles", "profiles",
                      hint="e.g. profiles: {punctual: {title: Punctual payer, rules: []}}")  # fmt: skip
        profiles = {str(n): self.profile(str(n), body, profiles_node) for n, body in profiles_node.items()}
        company = self.rules(root.get("company") or [], "company", root)
        service = self.rules(root.get("service") or [], "service", root)
        mix = self.mix(root["mix"], profiles, root)
        return Portfolio(path=self.path, start=start, contract=contract, onboarding=onboarding,
                         profiles=profiles, company=company, service=service, mix=mix, arrival=arrival,
                         description=str(root.get("description", "")))  # fmt: skip

    def mix(self, node: Any, profiles: Mapping[str, Profile], root: Any) -> tuple[tuple[str, float], ...]:
        mix = self.mapping(node, "mix", root, "mix")
        out = []
        for name, weight in mix.items():
            if name not in profiles:
                self.fail(f"unknown profile '{name}'{did_you_mean(str(name), profiles)}", mix, name, "mix",
                          hint=f"profiles: {', '.join(profiles)}")  # fmt: skip
            if isinstance(weight, bool) or not isinstance(weight, (int, float)) or weight < 0:
                self.fail(f"the weight of '{name}' must be a number >= 0", mix, name, "mix", hint=f"e.g. {name}: 10")
            out.append((str(name), float(weight)))
        if not out or sum(w for _, w in out) <= 0:
            self.fail("the mix needs at least one profile with a positive weight", root, "mix", "mix",
                      hint="e.g. mix: {punctual: 70, late: 30}")  # fmt: skip
        return tuple(out)

    def profile(self, name: str, body: Any, parent: Any) -> Profile:
        where = f"profiles.{name}"
        body = self.mapping(body, where, parent, name)
        self.keys(body, PROFILE_KEYS, where)
        if "rules" not in body:
            self.fail("a profile needs `rules` (a list; may be empty)", parent, name, where, hint="add `rules: []`")
        ja = self.mapping(body.get("ja") or {}, f"{where}.ja", body, "ja")
        self.keys(ja, ("title", "doc"), f"{where}.ja")
        return Profile(
            name=name, title=str(body.get("title", name)), doc=str(body.get("doc", "")),
            title_ja=str(ja.get("title", name)), doc_ja=str(ja.get("doc", "")),
            contract=self.contract(body.get("contract") or {}, f"{where}.contract", body),
            rules=self.rules(body["rules"], f"{where}.rules", body),
        )  # fmt: skip

    def contract(self, node: Any, where: str, parent: Any) -> dict[str, Dist]:
        node = self.mapping(node, where, parent, "contract")
        out = {}
        for name, raw in node.items():
            p = self.spec.parameters.get(str(name))
            if p is None:
                self.fail(f"unknown contract parameter '{name}'{did_you_mean(str(name), self.spec.parameters)}",
                          node, name, where, hint="contract parameters: " + ", ".join(
                              n for n, q in self.spec.parameters.items() if q.scope == "contract"))  # fmt: skip
            if p.scope != "contract":
                self.fail(f"'{name}' is fixed by the terms ({', '.join(p.articles)}), not drawn per customer",
                          node, name, where, hint="change it in the spec, as a change of the terms")  # fmt: skip
            dist = self.dist(raw, p.type, f"{where}.{name}", node, name)
            for v in dist.values:
                if p.minimum is not None and v < p.minimum:
                    self.fail(f"{name} must be at least {p.minimum}", node, name, where,
                              hint=f"draw values of {p.minimum} or more")  # fmt: skip
            out[str(name)] = dist
        return out

    # -- rules ------------------------------------------------------------------------------

    def rules(self, node: Any, where: str, parent: Any, sequence: bool = False) -> tuple[Rule, ...]:
        if not isinstance(node, list):
            self.fail("expected a list of rules {do: EVENT, ...}", parent, where.split(".")[-1], where,
                      hint="e.g. - {do: pay, day: 25, amount: {expr: \"balance_due\"}}")  # fmt: skip
        return tuple(self.rule(body, f"{where}[{i}]", node, i, sequence) for i, body in enumerate(node))

    def rule(self, body: Any, where: str, parent: Any, index: int, sequence: bool, follow: bool = False) -> Rule:
        body = self.mapping(body, where, parent, index)
        if "do" not in body:
            self.fail("missing 'do' (the event)", body, None, where, hint="add `do: EVENT`, e.g. do: pay")
        name = str(body["do"])
        ev = self.spec.events.get(name)
        if ev is None:
            events = ", ".join(e for e, d in self.spec.events.items() if d.by != "calendar")
            self.fail(f"unknown event '{name}'{did_you_mean(name, self.spec.events)}", body, "do", where,
                      hint=f"events: {events}")  # fmt: skip
        if ev.by == "calendar":
            self.fail(f"'{name}' is raised by the calendar, not by a behaviour", body, "do", where,
                      hint="remove it: the calendar raises it on its own date")  # fmt: skip
        arg_names = [a.name for a in ev.args]
        for k in body:
            if k not in RULE_KEYS and k not in arg_names:
                self.fail(f"'{k}' is neither a rule key nor an argument of '{name}'"
                          f"{did_you_mean(str(k), (*RULE_KEYS, *arg_names))}", body, k, where,
                          hint=f"rule keys: {', '.join(RULE_KEYS)}; '{name}' takes: "
                               f"{', '.join(arg_names) or 'no arguments'}")  # fmt: skip
        chance = body.get("chance", 1.0)
        if isinstance(chance, bool) or not isinstance(chance, (int, float)) or not 0 <= chance <= 1:
            self.fail("chance is a probability between 0 and 1", body, "chance", where, hint="e.g. chance: 0.05")
        rate = body.get("rate")
        if rate is not None:
            if "chance" in body:
                self.fail("give either `chance` (once a month at most) or `rate` (times a month), not both",
                          body, "rate", where, hint="remove one of them")  # fmt: skip
            if isinstance(rate, bool) or not isinstance(rate, (int, float)) or not 0 <= rate <= 50:
                self.fail("rate is the mean number of times a month, between 0 and 50", body, "rate", where,
                          hint="e.g. rate: 1.5")  # fmt: skip
        relative = sequence or follow
        days: tuple[Any, ...] = ()
        after = None
        if relative:
            if "day" in body and not (sequence and index == 0):
                self.fail("a step of a sequence is timed by `after_days`, not `day`", body, "day", where,
                          hint="e.g. after_days: {uniform: [1, 5]}")  # fmt: skip
            if sequence and index == 0:
                days = self.days(body.get("day", 1), body, where)
            else:
                after = self.dist(body.get("after_days", 0), INT, f"{where}.after_days", body, "after_days")
                if any(v < 0 for v in after.values):
                    self.fail("after_days cannot be negative", body, "after_days", where,
                              hint="give 0 or more days")  # fmt: skip
        else:
            if "after_days" in body:
                self.fail("`after_days` times a follow-up (`then`) or an onboarding step; a monthly rule "
                          "has `day`", body, "after_days", where, hint="use `day: …` here")  # fmt: skip
            days = self.days(body.get("day", 1), body, where)
        when, when_text, dead_in = None, "", frozenset()
        if "when" in body:
            when_text = body["when"]
            when = self.expression(when_text, BOOL, f"{where}.when", body, "when")
            dead_in = dead_states(self._loader.parse(when_text, BOOL), self.spec)
        args = []
        for a in ev.args:
            if a.name in body:
                args.append(self.arg(a.name, a.type, a.minimum, body[a.name], f"{where}.{a.name}", body))
            elif a.default is None:
                self.fail(f"event '{name}' needs the argument '{a.name}' ({a.type.enum or a.type.kind})",
                          body, None, where, hint=f"add `{a.name}: …` (a value, a distribution, {{expr: …}})",
                          )  # fmt: skip
        then = ()
        if "then" in body:
            if not isinstance(body["then"], list):
                self.fail("`then` is a list of follow-up rules", body, "then", where,
                          hint="e.g. then: [{do: pay, after_days: 3, amount: 1000}]")  # fmt: skip
            then = tuple(self.rule(b, f"{where}.then[{j}]", body["then"], j, False, follow=True)
                         for j, b in enumerate(body["then"]))  # fmt: skip
        if ev.creates and not (sequence and index == 0):
            self.fail(f"`{name}` creates the contract: it belongs first in `onboarding`", body, "do", where,
                      hint="move it to the start of `onboarding`")  # fmt: skip
        return Rule(event=name, chance=float(chance), rate=None if rate is None else float(rate),
                    days=days, after_days=after, when=when, when_text=str(when_text), args=tuple(args),
                    then=then, creates=ev.creates, dead_in=dead_in, where=where,
                    dist_args=tuple(a for a in args if a.dist is not None),
                    expr_args=tuple(a for a in args if a.expr is not None),
                    line=line_of(parent, index))  # fmt: skip

    def days(self, raw: Any, body: Any, where: str) -> tuple[Any, ...]:
        entries = raw if isinstance(raw, list) else [raw]
        if not entries:
            self.fail("day needs at least one entry", body, "day", where, hint="e.g. day: 25, or day: [10, last]")
        out: list[Any] = []
        for entry in entries:
            if entry == "last":
                out.append("last")
                continue
            d = self.dist(entry, INT, f"{where}.day", body, "day")
            if any(not 1 <= v <= 31 for v in d.values):
                self.fail("a day of the month is 1..31 (or `last`)", body, "day", where,
                          hint="days past the month's end fall on its last day")  # fmt: skip
            out.append(d.values[0] if d.kind == "fixed" else d)
        return tuple(out)

    def arg(self, name: str, typ: Type, minimum: int | None, raw: Any, where: str, body: Any) -> ArgSpec:
        if isinstance(raw, Mapping) and "expr" in raw:
            if len(raw) != 1:
                self.fail("an expression argument is {expr: \"...\"} alone", body, name, where,
                          hint="remove the other keys beside `expr`")  # fmt: skip
            fn = self.expression(raw["expr"], typ, where, body, name)
            self.constant(raw["expr"], typ, minimum, name, where, body)
            return ArgSpec(name, expr=fn, text=str(raw["expr"]), minimum=minimum)
        dist = self.dist(raw, typ, where, body, name)
        for v in dist.values:
            if minimum is not None and v < minimum:
                self.fail(f"{name} must be at least {minimum}", body, name, where,
                          hint=f"give {minimum} or more")  # fmt: skip
        return ArgSpec(name, dist=dist, text=dist.describe(), minimum=minimum)

    def constant(self, text: str, typ: Type, minimum: int | None, name: str, where: str, body: Any) -> None:
        """An expression without names has one value: it is checked like a literal (a negative
        payment would never be sent, silently)."""
        expr = self._loader.parse(text, typ)
        if expr.names() or typ != INT:
            return
        try:
            value = expr.compile()({})
        except (ArithmeticError, ValueError):
            return
        if minimum is not None and value < minimum:
            self.fail(f"{name} is always {clip(value, 40)}, below its minimum {minimum}: the event would never be sent",
                      body, name, where, hint=f"give an amount of at least {minimum}")  # fmt: skip
        self.yen(value, body, name, where)

    def yen(self, value: int, node: Any, key: Any, where: str) -> None:
        """An amount within the model's range (limits.MAX_YEN)."""
        problem = yen_problem(value)
        if problem:
            self.fail(problem, node, key, where, hint=f"give an amount of at most ¥{MAX_YEN:,}")

    def dist(self, raw: Any, typ: Type, where: str, node: Any, key: Any) -> Dist:
        if not isinstance(raw, Mapping):
            return Dist("fixed", (self.value(raw, typ, where, node, key),))
        self.keys(raw, DIST_KEYS, where)
        kinds = [k for k in ("uniform", "choice", "fixed") if k in raw]
        if len(kinds) != 1:
            self.fail("a distribution is one of {fixed: v}, {uniform: [lo, hi]}, {choice: [...], weights: [...]}",
                      node, key, where)  # fmt: skip
        kind = kinds[0]
        if kind == "fixed":
            return Dist("fixed", (self.value(raw["fixed"], typ, where, raw, "fixed"),))
        if kind == "uniform":
            if typ != INT:
                self.fail(f"uniform draws whole numbers; this value is a {typ.enum or typ.kind}", raw, "uniform",
                          where, hint="use {choice: [...]}")  # fmt: skip
            bounds = raw["uniform"]
            if not (isinstance(bounds, list) and len(bounds) == 2
                    and all(isinstance(b, int) and not isinstance(b, bool) for b in bounds)
                    and bounds[0] <= bounds[1]):  # fmt: skip
                self.fail("uniform takes [lo, hi], two whole numbers with lo <= hi", raw, "uniform", where,
                          hint="e.g. uniform: [1, 28]")  # fmt: skip
            for b in bounds:
                self.yen(b, raw, "uniform", where)
            step = raw.get("step", 1)
            if isinstance(step, bool) or not isinstance(step, int) or step < 1:
                self.fail("step is a whole number >= 1", raw, "step", where, hint="e.g. step: 1000")
            if "weights" in raw:
                self.fail("weights go with choice, not uniform", raw, "weights", where, hint="remove `weights`")
            return Dist("uniform", (int(bounds[0]), int(bounds[1])), step=step)
        options = raw["choice"]
        if not isinstance(options, list) or not options:
            self.fail("choice takes a non-empty list of values", raw, "choice", where, hint="e.g. choice: [1, 2]")
        values = tuple(self.value(o, typ, where, raw, "choice") for o in options)
        weights: tuple[float, ...] = ()
        if "weights" in raw:
            w = raw["weights"]
            if not (isinstance(w, list) and len(w) == len(values)
                    and all(isinstance(x, (int, float)) and not isinstance(x, bool) and x >= 0 for x in w)
                    and sum(w) > 0):  # fmt: skip
                self.fail(f"weights is a list of {len(values)} numbers >= 0 (one per choice), not all 0",
                          raw, "weights", where, hint="give one weight per choice")  # fmt: skip
            weights = tuple(float(x) for x in w)
        if "step" in raw:
            self.fail("step goes with uniform, not choice", raw, "step", where, hint="remove `step`")
        return Dist("choice", values, weights)

    def value(self, raw: Any, typ: Type, where: str, node: Any, key: Any) -> Any:
        if typ == INT:
            if isinstance(raw, int) and not isinstance(raw, bool):
                self.yen(raw, node, key, where)
                return raw
            self.fail(f"{clip(repr(raw))} is not a whole number", node, key, where,
                      hint="write 100000, not 100,000 or 1e5")  # fmt: skip
        if typ == BOOL:
            if isinstance(raw, bool):
                return raw
            self.fail(f"{clip(repr(raw))} is not true or false", node, key, where, hint="write true or false")
        if typ == DATE:
            return self.date(raw, node, key, where)
        values = self.spec.enums[typ.enum]
        if str(raw) in values:
            return str(raw)
        self.fail(f"{clip(repr(raw))} is not one of: {', '.join(values)}{did_you_mean(str(raw), values)}", node,
                  key, where, hint="write one of the values listed")  # fmt: skip

    def date(self, raw: Any, node: Any, key: Any, where: str) -> int:
        day = parse_date(raw)
        if day is None:
            self.fail(f"'{clip(raw)}' is not a date", node, key, where, hint="write YYYY-MM-DD, e.g. 2024-04-01")
        if not date_in_range(dt.date.fromordinal(day)):
            self.fail(f"{dt.date.fromordinal(day)} is outside {FIRST_YEAR}–{LAST_YEAR}", node, key, where,
                      hint="write a date such as 2024-04-01")  # fmt: skip
        return day

    def expression(self, text: Any, typ: Type, where: str, node: Any, key: Any) -> Cond:
        if not isinstance(text, str):
            self.fail("an expression is a string in the spec's expression language", node, key, where,
                      hint='e.g. {expr: "balance_due"}')  # fmt: skip
        try:
            expr = self._loader.parse(text, typ)
        except ExprError as exc:
            self.fail(f"in `{text}`: {exc.message}", node, key, where,
                      hint="expressions use the spec's variables, parameters, derived names, "
                           "`state` and `today`")  # fmt: skip
        return compile_condition(expr, self.spec)


class _expression_loader:
    """Parses profile expressions in the spec's state environment, derived names expanded."""

    def __init__(self, spec: Spec) -> None:
        from yakkan.model.spec import _Loader

        loader = _Loader(spec.path)
        loader.derived, loader.variables = dict(spec.derived), dict(spec.variables)
        loader.parameters, loader.constants = dict(spec.parameters), dict(spec.constants)
        loader.states, loader.enums = dict(spec.states), dict(spec.enums)
        loader.sets, loader.records = dict(spec.sets), dict(spec.records)
        loader.rewriter = Rewriter(loader.enums, loader.sets, loader.records)
        self.loader = loader
        self.env = loader.state_env()

    def parse(self, text: str, typ: Type) -> Expr:
        """The spec's own reading of an expression: derived names, sets and records."""
        rewritten = self.loader.rewriter.expr(self.loader.expand(text))
        return parse_expr(rewritten, self.env, self.loader.enums, typ, limit=max(MAX_LENGTH, len(rewritten)))


def dead_states(expr: Expr, spec: Spec) -> frozenset[str]:
    """Leaf states in which a condition is false whatever the other values are."""
    out = set()
    for s in spec.leaf_states:
        c = Specializer(lambda n: n, {**spec.constants, "state": s}).code(expr)
        if c.const and not c.value:
            out.add(s)
    return frozenset(out)


def compile_condition(expr: Expr, spec: Spec) -> Cond:
    """`f(values, today)` evaluating a profile expression on a contract's values."""
    sp = Specializer(lambda n: "today" if n == "today" else f"v[{n!r}]", dict(spec.constants))
    src = sp.src(expr)
    fn = compile_function("cond", f"def cond(v, today):\n    return {src}\n")
    fn.expr = expr  # the checked tree, for the fused customer loop (simulate.fused)
    return fn
