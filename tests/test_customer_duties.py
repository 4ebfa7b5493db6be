"""Issue 10, fault 15: every duty of the customer that articles 21–26, 31, 32 and 35–37 of
the terms state can be stated as a breach (``violate(ground)``): the duties are read from
the terms text (``yakkan.terms.structure``), not copied from the spec."""

from __future__ import annotations

import re

from yakkan.terms.structure import Terms, load_terms

from conftest import SPEC_PATH

ARTICLES = (21, 22, 23, 24, 25, 26, 31, 32, 35, 36, 37)

# The customer is bound: "契約者は" (also "当社および契約者は", "契約者（…）は") or
# "契約者の責任" (31-2: "…は契約者の責任と費用でご対応いただくものとします").
CUSTOMER = re.compile(r"(?:^|、)(?:当社および)?契約者(?:（.*?）)?は|契約者の責任")
# A duty: "…ものとします" (not "…できるものとします", a permission), "…なければなりません",
# "…てはならない", "…確約します" (37-1).
DUTY = re.compile(r"(?<!できる)ものとし|なければな[らり]|てはな[らり]|確約し")
# A lead whose items are the duties themselves (21: 以下の各号の義務, 23-1: 以下の行為).
ITEMS = re.compile(r"以下の(?:各号の義務|行為)")


def customer_duties(terms: Terms) -> list[str]:
    """The citations of the customer's duties in ARTICLES, in the terms' order: a paragraph
    that binds the customer (a voluntary one, "任意に", binds nobody: 36-3), or each of its
    items when its lead names them as the duties."""
    out: list[str] = []
    for n in ARTICLES:
        article = terms.article(n)
        for p in article.paragraphs:
            if not (CUSTOMER.search(p.text) and DUTY.search(p.text)) or "任意" in p.text:
                continue
            cite = f"{n}" if article.single_paragraph else f"{n}-{p.number}"
            if p.items and ITEMS.search(p.text):
                out += [f"{cite}({it.number})" for it in p.items]
            else:
                out.append(cite)
    return out


def not_breaches(duties: list[str], grounds: list[str]) -> list[str]:
    """The duties no ground of breach names (what fault 15 was: 36-7)."""
    return [d for d in duties if d not in grounds]


EXPECTED = [
    "21(1)", "21(2)", "21(3)", "21(4)", "21(5)", "21(6)", "22",
    *(f"23-1({i})" for i in range(1, 23)),
    "24-1", "24-3", "26", "31-1", "31-2", "31-3", "32-1", "32-2", "35-1", "35-4", "36-6", "36-7", "37-1",
]  # fmt: skip


def test_the_customer_duties_read_from_the_terms(spec) -> None:
    terms = load_terms(SPEC_PATH.parent / spec.meta["terms"])
    assert customer_duties(terms) == EXPECTED


def test_every_customer_duty_is_a_ground_of_breach(spec) -> None:
    terms = load_terms(SPEC_PATH.parent / spec.meta["terms"])
    assert not_breaches(customer_duties(terms), list(spec.enums["Breach"])) == []


def test_a_duty_missing_from_the_breaches_is_found(spec) -> None:
    """The old spec's fault: 36-7 (the customer obtains its users' consent to the logs)
    could not be stated as a breach."""
    terms = load_terms(SPEC_PATH.parent / spec.meta["terms"])
    old = [g for g in spec.enums["Breach"] if g != "36-7"]
    assert not_breaches(customer_duties(terms), old) == ["36-7"]
