"""One review of a change of the terms, as data: what `yakkan review` reports.

`build_review` resolves the two versions (a spec file, or a version folder holding
spec.yaml), diffs the model and the text, checks staleness, and — as asked — runs the
verifier on both versions and simulates the same portfolio on both. Rendering is
`review_render`'s job.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from yakkan.model.errors import InputError
from yakkan.model.spec import Spec

from .money import MoneyComparison
from .redline import ArticleDiff
from .review import Change
from .review_diagram import DiagramChanges
from .staleness import StaleArticle
from .verdicts import Comparison


def resolve_version(path: Path) -> Path:
    """A spec file, or a version folder with spec.yaml in it (contracts/clara-msp/2025-04-01/)."""
    if path.is_dir():
        spec = path / "spec.yaml"
        if not spec.is_file():
            raise InputError(f"{path}: the folder holds no spec.yaml",
                             hint="give a spec file, or a version folder with its spec.yaml")  # fmt: skip
        return spec
    if not path.exists():  # a device or a FIFO is refused by the reader, by what it is
        raise InputError(f"{path}: no such spec file or version folder",
                         hint="give a spec file, or a version folder (contracts/clara-msp/2025-04-01/)")
    return path


@dataclass
class Review:
    old_path: Path
    new_path: Path
    name: str
    name_ja: str
    old_version: str
    new_version: str
    model: list[Change]
    profiles: list[Change]
    text: list[ArticleDiff]
    stale: list[StaleArticle]
    lint: list[Any] = field(default_factory=list)  # LintFinding of the new text the old one lacks
    verdicts: list[Comparison] | None = None
    money: MoneyComparison | None = None
    titles_ja: dict[str, str] = field(default_factory=dict)  # property id -> its Japanese title
    constants: list[Any] = field(default_factory=list)  # CopiedConstant: a changed parameter's old value kept
    diagram: DiagramChanges | None = None  # the transitions and states the diagram marks
    specs: tuple[Spec, Spec] | None = field(default=None, repr=False)  # the loaded old and new specs
    stories_ja: dict[str, list[str]] = field(default_factory=dict)  # property id -> its counterexample told in ja
    # the docs site's review page (no verifier run): per version, properties left out for want of a verdict,
    # and where the new version's verdicts came from ("results", "cache"; "" when none are shown)
    verdicts_missing: dict[str, list[str]] = field(default_factory=dict)
    verdicts_source: str = ""

    @property
    def breaks(self) -> list[Comparison]:
        """Promises that fail on the new version, or that it dropped without a reason."""
        return [c for c in self.verdicts or [] if c.category in ("breaks", "dropped")]

    @property
    def unproved(self) -> list[Comparison]:
        return [c for c in self.verdicts or [] if c.category == "unproved"]

    @property
    def stale_articles(self) -> list[StaleArticle]:
        return [s for s in self.stale if s.stale]

    @property
    def exit_status(self) -> int:
        """0 when nothing expected to hold breaks or goes unproved and no encoding is stale, else 1."""
        return 1 if self.breaks or self.unproved or self.stale_articles or self.stale_constants else 0

    @property
    def stale_constants(self) -> list[Any]:
        return [c for c in self.constants if not c.reread]

    def to_json(self) -> dict[str, Any]:
        return {
            "old": {"path": str(self.old_path), "version": self.old_version},
            "new": {"path": str(self.new_path), "version": self.new_version},
            "ok": self.exit_status == 0,
            "verdicts": [{**c.to_json(), **({"story_ja": "\n".join(self.stories_ja[c.id])} if c.id in self.stories_ja
                                            else {})} for c in self.verdicts] if self.verdicts is not None else None,
            "model": [c.to_json() for c in self.model],
            "profiles": [c.to_json() for c in self.profiles],
            "text": [d.to_json() for d in self.text if d.kind != "unchanged"],
            "staleness": [s.to_json() for s in self.stale],
            "copied_constants": [c.to_json() for c in self.constants],
            "lint": [f.to_json() for f in self.lint],
            "money": self.money.to_json() if self.money else None,
            "diagram": self.diagram.to_json() if self.diagram else None,
        }  # fmt: skip


def build_review(old: Path, new: Path, *, verify: bool = True, properties: list[str] | None = None,
                 simulate: bool = False, customers: int = 200, months: int = 36, seed: int = 0,
                 out: Path | None = None, use_cache: bool = True) -> Review:  # fmt: skip
    from yakkan.model.spec import load_spec

    from .cli import _new_lint_findings
    from .redline import redline
    from .review import _raw, diff_model, diff_profiles
    from .review_diagram import diagram_changes
    from .staleness import copied_constants, staleness
    from .structure import load_terms

    old_path, new_path = resolve_version(old), resolve_version(new)
    a, b = load_spec(old_path), load_spec(new_path)
    model = diff_model(a, b)
    if properties:
        unknown = [p for p in properties if p not in a.properties and p not in b.properties]
        if unknown:
            raise InputError(f"--property {unknown[0]}: neither version has such a property",
                             path=new_path, hint=f"properties: {', '.join(b.properties)}")  # fmt: skip
    terms_a, terms_b = load_terms(a.terms_path), load_terms(b.terms_path)
    text = redline(terms_a, terms_b)
    from .money import profiles_beside

    review = Review(
        old_path=old_path, new_path=new_path, name=str(b.meta.get("name", "")),
        name_ja=str(b.meta.get("name_ja", b.meta.get("name", ""))),
        old_version=str(a.meta["version"]), new_version=str(b.meta["version"]),
        model=model, profiles=diff_profiles(profiles_beside(old_path), profiles_beside(new_path)),
        text=text, stale=staleness(_raw(a), _raw(b), terms_b, text, b.reread),
        constants=copied_constants(_raw(a), _raw(b), terms_b, b.reread),
        lint=_new_lint_findings(a.terms_path, b.terms_path),
        titles_ja={p.id: p.title_ja or p.title for spec in (a, b) for p in spec.properties.values()},
        diagram=diagram_changes(a, b, model), specs=(a, b),
    )  # fmt: skip
    if verify:
        from .verdicts import compare

        review.verdicts = compare(old_path, new_path, properties, out, use_cache)
        review.stories_ja = stories_ja(b, review.verdicts)
    if simulate:
        from .money import compare_money

        review.money = compare_money(old_path, new_path, customers, months, seed, out)
    return review


def told(c: Comparison) -> bool:
    """A comparison whose new verdict is a violation the report tells: a promise broken, a flip
    to violated, a violation not expected."""
    return c.new is not None and c.new_outcome == "violated" and c.category in ("breaks", "flip", "mismatch")


def stories_ja(spec: Any, verdicts: list[Comparison]) -> dict[str, list[str]]:
    """Each told violation's counterexample, replayed on the new version and told in Japanese
    (diagrams/story.py): the ja report's story, where the verifier's own is English. A
    counterexample file that cannot be read is left to the report's replay command."""
    from yakkan.diagrams.docmodel import DocModel
    from yakkan.diagrams.story import story_lines

    wanted = [c for c in verdicts if told(c) and c.new.counterexample and Path(c.new.counterexample).is_file()]
    if not wanted:
        return {}
    doc = DocModel(spec, "ja")
    out = {}
    for c in wanted:
        try:
            out[c.id] = story_lines(spec, c.id, Path(c.new.counterexample), "ja", doc)
        except InputError:
            continue
    return out
