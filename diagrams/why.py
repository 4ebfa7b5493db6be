"""A proof's "why" as sentences: the verifier's lemmas read in the page's language.

The verifier explains a proof by the lemmas it used (`verify/lemmas.py`): a spec lemma
(``L03: …``, shown by the docs from the spec), a sentence of its own ("inductive on its
own: every step preserves it"), or a mined lemma written as a formula label such as
``state in {active, suspended} → term_end >= today``. Each is turned into a sentence here:
「状態が「提供中」・「一時停止中」のいずれかならば、本日 ≤ 現在の期間の末日。」; what
cannot be read is shown as written, marked as a name.
"""

from __future__ import annotations

import re

from markupsafe import Markup, escape

from yakkan.model.expr import BOOL, DATE, parse_expr

from .formula import _Render
from .i18n import t
from .readable import Readable

_STATE_IN = re.compile(r"\bstate in \{([^}]*)\}")
_STATE_IS = re.compile(r"\bstate is (\w+)")
_MONTH_END = re.compile(r"^(\w+) is the (last|first) day of its month$")
_AHEAD = re.compile(r"^(\w+) on (.+) is (still ahead|not past)$")
_FIGURE = re.compile(r"^(\S+) writes '(.+)': parameter (\w+) is (\S+)$")
_SENTENCES = {
    "every figure the terms write is the value of the parameter that quotes it": "why_figures",
    "inductive on its own: every step preserves it": "why_inductive",
    "every state is left by some transition in a replayed run (witness per state)": "why_every_left",
    "every state is reached in a replayed run (witness per state)": "why_every_reached",
}
_MONITOR = {"mon_armed": BOOL, "mon_deadline": DATE}


def _citation_ja(cite: str) -> str:
    """``7-1`` as 第7条第1項, ``17-1(3)`` as 第17条第1項第3号."""
    m = re.fullmatch(r"(\d+)(?:-(\d+))?(?:\((\d+)\))?", cite)
    if m is None:
        return cite
    a, p, i = m.groups()
    return f"第{a}条" + (f"第{p}項" if p else "") + (f"第{i}号" if i else "")


class Why:
    """Reads the verifier's lemma labels of one spec as sentences."""

    def __init__(self, readable: Readable) -> None:
        self.r = readable
        self.spec = readable.spec
        f = readable.formula
        for name, key in (("mon_armed", "monitor_armed"), ("mon_deadline", "monitor_deadline")):
            f.extra.setdefault(name, {(lang, html): str(escape(t(lang, key))) if html else t(lang, key)
                                      for lang in ("ja", "en") for html in (False, True)})  # fmt: skip

    def _expr(self, text: str, lang: str) -> Markup | None:
        """A formula of a lemma label in HTML (bracketed when compound); None: not a formula."""
        text = _STATE_IN.sub(lambda m: "state in (" + ", ".join(repr(s.strip()) for s in m.group(1).split(",")) + ")",
                             text)  # fmt: skip
        text = _STATE_IS.sub(lambda m: f"state == '{m.group(1)}'", text)
        r = self.r
        try:
            e = parse_expr(r.quant.rewrite(text, None), r.env_for(None) | r.quant.env | _MONITOR, self.spec.enums)
        except Exception:  # noqa: BLE001 - not a formula: shown as written
            return None
        return Markup(_Render(r.formula, lang, html=True).sub(e))

    def _clause(self, text: str, lang: str) -> Markup | None:
        """One side of a lemma: a calendar moment still ahead, or a formula."""
        m = _AHEAD.match(text)
        if m and m.group(1) in self.spec.events:
            at = self._expr(m.group(2), lang)
            ev = self.spec.events[m.group(1)].ja if lang == "ja" else m.group(1)
            if at is not None:
                said = Markup(escape(t(lang, "why_ahead"))).replace("{ev}", escape(ev)).replace("{at}", at)
                return Markup(said.rstrip("。."))
        return self._expr(text, lang)

    def sentence(self, label: str, lang: str) -> Markup:
        """One lemma label of the verifier as a sentence in `lang` (HTML)."""
        label = label.strip()
        if label in _SENTENCES:
            return Markup(escape(t(lang, _SENTENCES[label])))
        m = _FIGURE.match(label)
        if m:
            name = self._expr(m.group(3), lang)
            cite = _citation_ja(m.group(1)) if lang == "ja" else m.group(1)
            said = Markup(escape(t(lang, "why_figure"))).replace("{cite}", escape(cite))
            return said.replace("{words}", escape(m.group(2))).replace("{name}", name or escape(m.group(3))) \
                .replace("{value}", escape(m.group(4)))
        m = _MONTH_END.match(label)
        if m and m.group(2) == "last":
            a = self._expr(m.group(1), lang)
            if a is not None:
                return Markup(escape(t(lang, "why_month_end"))).replace("{a}", a)
        when, arrow, holds = label.partition(" → ")
        if arrow:
            a, b = self._expr(when, lang), self._clause(holds, lang)
            if a is not None and b is not None:
                return Markup(escape(t(lang, "why_implies"))).replace("{a}", a).replace("{b}", b)
        else:
            b = self._clause(label, lang)
            if b is not None:
                return Markup(escape(t(lang, "why_fact"))).replace("{a}", b)
        return Markup('{}: <code class="name">{}</code>').format(t(lang, "why_mined"), label)
