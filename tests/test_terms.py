"""Structure, citations and drafting findings of the Clara MSP terms (2024-04-01)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from yakkan.terms.findings import find_references, find_text_findings
from yakkan.terms.lint import lint, typo_findings
from yakkan.terms.structure import (
    Citation,
    CitationError,
    TermsError,
    format_citation,
    load_terms,
    parse_citation,
    to_int,
)

TERMS_PATH = (Path(__file__).resolve().parents[1]
              / "contracts/clara-msp/terms/clara-msp-terms-2024-04-01.ja.txt")


@pytest.fixture(scope="module")
def terms():
    return load_terms(TERMS_PATH)


@pytest.fixture(scope="module")
def findings(terms):
    """Every finding of `yakkan lint --all`: the checks' and the reviewers' (kept beside the text)."""
    return [x.finding for x in lint(terms).findings]


def write(tmp_path: Path, text: str) -> Path:
    p = tmp_path / "terms.txt"
    p.write_text(text, encoding="utf-8")
    return p


# ----------------------------------------------------------------------------- structure


def test_articles_and_chapters(terms):
    assert len(terms.articles) == 39
    assert [a.number for a in terms.articles] == list(range(1, 40))
    assert [(c.number, c.title) for c in terms.chapters] == [
        (1, "総則"),
        (2, "契約の成立および支払い"),
        (3, "当社の措置"),
        (4, "契約者の義務"),
        (5, "損害賠償および契約の終了"),
        (6, "その他"),
    ]
    by_chapter = {c.number: [a.number for a in terms.chapter_articles(c.number)]
                  for c in terms.chapters}
    assert by_chapter == {1: [1, 2, 3], 2: list(range(4, 15)), 3: list(range(15, 21)),
                          4: list(range(21, 27)), 5: list(range(27, 31)), 6: list(range(31, 40))}
    assert [c.line for c in terms.chapters] == [4, 45, 196, 264, 431, 502]


@pytest.mark.parametrize(("n", "title", "line"), [
    (1, "約款の適用", 6),
    (2, "約款の追加・変更", 19),
    (7, "最低利用期間", 84),
    (10, "料金の支払方法", 117),
    (17, "本サービスの一時停止", 213),
    (28, "当社からの解除", 461),
    (34, "権利義務の譲渡禁止", 535),
    (38, "準拠法および合意管轄", 631),
    (39, "協議", 637),
])
def test_article_titles_and_lines(terms, n, title, line):
    a = terms.article(n)
    assert (a.title, a.line) == (title, line)
    assert a.heading.startswith("第")


def test_paragraph_counts(terms):
    counts = {a.number: len(a.paragraphs) for a in terms.articles}
    assert counts[1] == 3
    assert counts[10] == 5
    assert counts[36] == 7
    single = [n for n, c in counts.items() if c == 1]
    assert single == [5, 13, 14, 15, 18, 19, 21, 22, 26, 29, 30, 39]


def test_article_7(terms):
    assert terms.resolve("7-2") == (
        "契約者は、前項に定める最低利用期間内に本利用契約を解約することはできません。"
    )
    assert terms.resolve("7-1") == (
        "本サービスの最低利用期間は、課金開始月から満３ヶ月となります。最低利用期間の満了前に、"
        "当社または契約者が継続に異議を申し出ない限り、本利用契約は自動継続します。")
    assert terms.article(7).text() == f"1. {terms.resolve('7-1')}\n2. {terms.resolve('7-2')}"
    assert terms.resolve("7") == terms.article(7).text()


def test_lines_joined_across_blank_runs(terms):
    # 2-1 and 2-2 continue after a blank line
    assert terms.resolve("2-1") == (
        "当社は、契約者の承諾を得ることなく、合理的な範囲で、この約款の条項を追加・変更できるものとします。")
    assert terms.resolve("2-2").endswith(
        "掲示するものとします。契約者は、掲示の時点"
        "で変更後の約款に同意したものとみなします。")
    # 12-3 and 29 run over a page break
    assert "かつ当該利用契約に前払金がある場合" in terms.resolve("12-3")
    assert terms.resolve("29").endswith("全額を支払う義務を負うものとします。")
    # no blank, no stray whitespace, no newline inside a joined unit
    for c in terms.citations():
        for line in terms.resolve(c).split("\n"):
            assert line == line.strip() and line


def test_article_17(terms):
    p = terms.article(17).paragraph(1)
    assert [i.number for i in p.items] == [1, 2, 3, 4]
    assert terms.resolve("17-1(1)") == "支払期限を経過しても料金の支払いがなされないとき"
    assert terms.resolve("17-1(2)") == (
        "第４章に定める契約者の義務に違反したとき（契約者または利用者の従業員が第２３条に反したときも含む）")
    assert p.text.startswith("当社は、契約者が以下の各号のいずれかに該当するときは")
    assert terms.resolve("17-1").split("\n")[1] == (
        "(1)支払期限を経過しても"
        "料金の支払いがなされないとき")


def test_single_paragraph_article_items(terms):
    a5 = terms.article(5)
    assert a5.single_paragraph
    assert [i.number for i in a5.paragraphs[0].items] == [1, 2, 3, 4]
    assert [c for c in terms.citations() if c.startswith("5")] == ["5", "5(1)", "5(2)", "5(3)",
                                                                   "5(4)"]
    assert terms.resolve("5(1)") == (
        "契約の申込みの際に当社に届け出た事項"
        "に虚偽、誤記または記入漏れがあったとき")
    assert terms.canonical("5-1(2)") == "5(2)"
    assert terms.resolve("5-1(2)") == terms.resolve("5(2)")
    assert terms.canonical("5-1") == "5"
    assert a5.paragraphs[0].text == (
        "当社は、申込者が以下の各号のいずれかに該当す"
        "るときは、申込みを承諾しないことがあります。")
    assert a5.text().startswith("当社は、申込者が") and "\n(4)その他当社が" in a5.text()


@pytest.mark.parametrize(("n", "count"), [(15, 2), (18, 5), (21, 6)])
def test_dot_items_of_single_paragraph_articles(terms, n, count):
    items = terms.article(n).paragraphs[0].items
    assert [i.number for i in items] == list(range(1, count + 1))


def test_article_18(terms):
    assert [c for c in terms.citations() if c.startswith("18")] == [
        "18", "18(1)", "18(2)", "18(3)", "18(4)", "18(5)"]
    assert terms.resolve("18(4)") == (
        "当社の電気通信設備への第三者の侵入または第三者からの攻撃により、当社、契約者または第三者に"
        "損害が生じているとき、または生じるおそれがあるとき")
    assert terms.resolve("21(3)").endswith("当社に対しすみやかに連絡すること")


def test_dot_paragraphs_with_paren_items(terms):
    # 第３条: "1." and "2." are paragraphs (headings of a kind), each with (1)(2) items
    a3 = terms.article(3)
    assert [p.number for p in a3.paragraphs] == [1, 2]
    assert a3.paragraphs[0].text == "当社から契約者に対する通知"
    assert [len(p.items) for p in a3.paragraphs] == [2, 2]
    assert terms.resolve("3-2(1)").startswith("契約者から当社に対する通知は")


def test_article_23_28_10(terms):
    assert len(terms.article(23).paragraph(1).items) == 22
    assert terms.resolve("23-1(12)") == (
        "無断で他者に広告、宣伝もしくは勧誘のメールを送信する行為、または社会通念上他者に嫌悪感を"
        "抱かせるメールを送信する行為")
    assert terms.resolve("23-1(22)") == (
        "その他、当社のサービス利用者とし"
        "て不適切であると当社が判断する行為")
    assert len(terms.article(23).paragraph(2).items) == 5
    assert len(terms.article(28).paragraph(1).items) == 6
    assert terms.resolve("28-1(6)") == "その他利用契約を継続しがたい重大な事由が生じたとき"
    assert len(terms.article(10).paragraph(2).items) == 4
    assert terms.resolve("10-2(1)") == (
        "銀行口座への振込み(当社指定の銀行口座に振込み送金することにより支払う方法)"
        "送金手数料は、契約者の負担とします。")


def test_subitems(terms):
    item = terms.article(24).paragraph(3).item(1)
    assert len(item.subitems) == 4
    assert item.subitems[1] == (
        "閲覧者に年齢を入力させる等の方法により、18歳以上"
        "の者のみが当該情報を閲覧しうるシステムを整備する。")
    assert terms.resolve("24-3(1)").split("\n")[1] == (
        "ⅰ.18歳以上を対象とした情報を発信"
        "していることを分かりやすく周知する。")
    assert len(terms.article(24).paragraph(3).items) == 4


def test_article_34_unnumbered_second_paragraph(terms):
    a = terms.article(34)
    assert [p.number for p in a.paragraphs] == [1, 2]
    assert terms.resolve("34-1").endswith(
        "当社のグループ会社に譲渡しまたは承"
        "継させることができるものとします。")
    assert terms.resolve("34-2") == (
        "前項の定めに拘らず、当社は、本利用契約に基づく金銭の給付を目的とする債権の全部若しくは"
        "一部を第三者に譲渡することができるものとします。")
    assert a.text().startswith("1. 契約者および当社は") and "\n2. 前項の定めに拘らず" in a.text()
    assert [(n.citation, n.kind, n.line) for n in terms.notes] == [
        ("34-2", "unnumbered-paragraph", 541)]


def test_preamble_title_supplementary(terms):
    assert terms.preamble.startswith("クララ株式会社（以下「当社」といいます）は、")
    assert "MSP（Managed Service Provider）サービス（以下「本サービス」" in terms.preamble
    assert terms.title == "クララ株式会社 MSP（Managed Service Provider）サービス約款"
    assert terms.supplementary == (
        "（実施日）\nこの約款は、2024年1月1日から実施します。\nこの約款は、2024年4月1日から改定実施します。")
    assert terms.effective_dates == (date(2024, 1, 1), date(2024, 4, 1))
    assert terms.path == TERMS_PATH


def test_article_text_keeps_original_characters(terms):
    # NFKC is applied to heading numbers only, never to the text
    assert "ＩＴインフラストラクチャ" in terms.resolve("1-2")
    assert "（消費税等を含みます。）" in terms.resolve("12-1")
    assert terms.article(10).heading == "第１０条（料金の支払方法）"


# ----------------------------------------------------------------------------- citations


def test_citations_cover_everything_and_resolve(terms):
    cits = terms.citations()
    assert cits[:6] == ["1", "1-1", "1-2", "1-3", "2", "2-1"]
    assert cits[-1] == "39"
    assert len(cits) == len(set(cits)) == 211
    for c in cits:
        assert terms.exists(c)
        assert terms.canonical(c) == c
        assert terms.resolve(c)


@pytest.mark.parametrize(("cite", "message"), [
    ("17-4", "17-4: article 17 has paragraphs 1–3"),
    ("40", "40: there is no article 40; articles are 1–39"),
    ("5-2", "5-2: article 5 has a single paragraph: cite it as 5 and its items as 5(1)–5(4)"),
    ("5(5)", "5(5): article 5 has items (1)–(4)"),
    ("17-1(5)", "17-1(5): paragraph 17-1 has items (1)–(4)"),
    ("17-2(1)", "17-2(1): paragraph 17-2 has no items"),
    ("17(1)", "17(1): article 17 has paragraphs 1–3"),
    ("13(1)", "13(1): article 13 has no items"),
])
def test_resolve_errors(terms, cite, message):
    with pytest.raises(CitationError) as e:
        terms.resolve(cite)
    assert str(e.value).startswith(message)
    assert isinstance(e.value, ValueError)
    assert not terms.exists(cite)


@pytest.mark.parametrize("bad", ["17-1(", "x", "", "17-", "(1)", "17--1", "0", "17-0", "1.2"])
def test_parse_citation_rejects_malformed(bad):
    with pytest.raises(CitationError):
        parse_citation(bad)


@pytest.mark.parametrize(("text", "expected"), [
    ("7", Citation(7)),
    ("7-2", Citation(7, 2)),
    ("17-1(1)", Citation(17, 1, 1)),
    ("23-1(12)", Citation(23, 1, 12)),
    ("5(1)", Citation(5, None, 1)),
    (" １７－１（２） ", Citation(17, 1, 2)),
    ("第１７条第１項第２号", Citation(17, 1, 2)),
    ("第十七条", Citation(17)),
])
def test_parse_citation(text, expected):
    assert parse_citation(text) == expected


def test_format_citation():
    assert format_citation(Citation(17, 1, 1)) == "17-1(1)"
    assert format_citation(Citation(5, None, 2)) == "5(2)"
    assert format_citation((7, 2, None)) == "7-2"
    assert str(Citation(7)) == "7"


@given(st.integers(1, 999), st.none() | st.integers(1, 99), st.none() | st.integers(1, 99))
def test_citation_round_trip(a, p, i):
    c = Citation(a, p, i)
    assert parse_citation(format_citation(c)) == c


def test_to_int():
    numbers = ("7", "１０", "十", "十二", "二十一", "百")
    assert [to_int(x) for x in numbers] == [7, 10, 10, 12, 21, 100]


# ----------------------------------------------------------------------------- errors


def test_missing_file(tmp_path):
    with pytest.raises(TermsError) as e:
        load_terms(tmp_path / "nope.txt")
    assert e.value.line == 0 and "file not found" in e.value.message and e.value.hint


def test_no_articles(tmp_path):
    p = write(tmp_path, "前文だけの文書です。\n\n")
    with pytest.raises(TermsError) as e:
        load_terms(p)
    err = e.value
    assert isinstance(err, ValueError)
    assert err.path == p and "no articles" in err.message
    assert "第N条" in err.hint and "fix:" in str(err)


def test_articles_out_of_sequence_are_findings_not_errors(tmp_path):
    p = write(tmp_path, "第１章　総則\n第１条（適用）\n本文。\n\n第３条（変更）\n本文。\n第３条（重複）\n本文。\n")
    t = load_terms(p)
    assert [a.number for a in t.articles] == [1, 3, 3]
    notes = [(n.line, n.citation, n.kind) for n in t.notes]
    assert notes == [(5, "3", "numbering"), (7, "3", "numbering")]
    assert "expected 第2条" in t.notes[0].message and "skips" in t.notes[0].message
    assert "欠番" in t.notes[0].message_ja and "重複" in t.notes[1].message_ja
    found = [f for f in find_text_findings(t) if f.kind == "numbering"]
    assert [(f.citation, f.line) for f in found] == [("3", 5), ("3", 7)]
    assert found[1].excerpt == "第３条（重複）"


def test_chapters_out_of_sequence_are_findings(tmp_path):
    p = write(tmp_path,
              "第１章　総則\n第１条（適用）\n本文。\n第３章　雑則\n第２条（変更）\n本文。\n")
    t = load_terms(p)
    assert [(n.line, n.citation) for n in t.notes] == [(4, "2")]
    assert "第2章" in t.notes[0].message


def test_text_between_chapter_and_article(tmp_path):
    p = write(tmp_path, "第１章　総則\nこの章の説明。\n第１条（適用）\n本文。\n")
    with pytest.raises(TermsError) as e:
        load_terms(p)
    assert e.value.line == 2


def test_subitem_outside_item_is_a_finding(tmp_path):
    p = write(tmp_path, "第１条（適用）\n本文。\nⅰ.迷子の細目\n")
    t = load_terms(p)
    assert (t.notes[0].line, t.notes[0].kind) == (3, "numbering")
    assert "sub-item" in t.notes[0].message and "ⅰ.迷子の細目" in t.resolve("1")


# ----------------------------------------------------------------------------- parser rules


def test_paragraph_versus_item_rules(tmp_path):
    text = "\n".join([
        "前文。",
        "第1条（単一項）",
        "当社は、以下の各号のいずれかに該当するときは、承諾しないことがありま",
        "す。",
        "1. 一つ目",
        "2. 二つ目で、行が",
        "",
        "続く",
        "第２条（番号付き）",
        "1. 第一項は以下のとおり。",
        "(1)号その一",
        "(2)号その二",
        "2. 第二項。",
        "第３条（番号なし第一項と第２項）",
        "本文一。",
        "2. 本文二。",
    ])
    t = load_terms(write(tmp_path, text))
    assert t.citations() == ["1", "1(1)", "1(2)", "2", "2-1", "2-1(1)", "2-1(2)", "2-2",
                             "3", "3-1", "3-2"]
    assert t.resolve("1(2)") == "二つ目で、行が続く"
    assert t.resolve("1").split("\n")[0] == (
        "当社は、以下の各号のいずれかに該当す"
        "るときは、承諾しないことがあります。")
    assert t.resolve("3-2") == "本文二。"
    assert t.notes == ()
    assert t.chapters == () and t.article(1).chapter == 0


def test_numbering_jump_is_a_note(tmp_path):
    t = load_terms(write(tmp_path, "第１条（a）\n1. 一。\n3. 三。\n(1)x\n(3)y\n"))
    assert [p.number for p in t.article(1).paragraphs] == [1, 3]
    assert [(n.citation, n.kind) for n in t.notes] == [("1-3", "numbering"), ("1-3", "numbering")]
    findings = find_text_findings(t)
    assert {f.kind for f in findings} >= {"numbering"}


# ----------------------------------------------------------------------------- findings


def _by(findings, citation, kind):
    return [f for f in findings if f.citation == citation and f.kind == kind]


def test_finding_27_2_cap_on_excluded_item(findings):
    [f] = _by(findings, "27-2", "semantic")
    assert "27-1(1) excludes all liability" in f.message_en
    assert "27-1(4)" in f.message_en
    assert "前項第１号に基づき損害賠償責任を負う" in f.excerpt


def test_finding_17_3_wrong_reference(findings):
    [f] = _by(findings, "17-3", "wrong-reference")
    assert "17-2, which has no items" in f.message_en
    assert "17-1" in f.message_en and "第１項各号" in f.message_en
    assert "前項各号の事由" in f.excerpt


def test_finding_27_1_3_chapter_reference(findings):
    [f] = _by(findings, "27-1(3)", "wrong-reference")
    assert "chapter 5" in f.message_en and "第３章" in f.message_en
    assert "第５章に定める当社の措置" in f.excerpt


def test_finding_24_3_references(findings):
    [f] = _by(findings, "24-3(2)", "wrong-reference")
    assert "24-2" in f.message_en and "「前号」" in f.message_en
    [g] = _by(findings, "24-3(1)", "wrong-reference")
    assert "article 1" in g.message_en and "24-1" in g.message_en


def test_typo_findings(terms, findings):
    [f] = _by(typo_findings(terms), "10-2(2)", "typo")  # found by the analyser, not from a table
    assert "金融期関" in f.message_en and "金融機関" in f.message_en and "金融期関" in f.excerpt
    assert "「金融期関」は「金融機関」の誤り" in f.message_ja and f.line == 127
    [g] = _by(typo_findings(terms), "24-2(2)", "typo")  # reads ジドウポルノ like the text's 児童ポルノ
    assert "自動ポルノ" in g.message_en and "児童ポルノ" in g.message_en and g.line == 380


def test_heading_findings(findings):
    [f] = _by(findings, "38", "heading-style")
    assert f.excerpt == "第３８条（準拠法および合意管轄)"
    assert "half-width )" in f.message_en
    assert not _by(findings, "28", "heading-style")
    widths = [f.citation for f in findings if f.kind == "digit-width"]
    assert widths == ["2", "3", "7"]


def test_other_findings(findings):
    assert _by(findings, "34-2", "numbering")
    assert _by(findings, "28-1(5)", "title-mismatch")
    assert _by(findings, "preamble", "bracket")
    assert _by(findings, "6-1", "wrong-reference")
    assert not [f for f in findings if f.kind == "dangling-reference"]
    assert not [f for f in findings if f.citation in ("7-2", "9-2", "11-2", "20-2", "25-1")]


def test_findings_are_data_in_document_order(terms, findings):
    order = ["preamble", *terms.citations(), "supplementary"]
    positions = [order.index(f.citation) for f in findings]
    assert positions == sorted(positions)
    for f in findings:
        assert f.kind and f.message_en and f.excerpt
        if f.citation == "preamble":
            assert f.excerpt in terms.preamble
        elif f.kind not in ("heading-style", "digit-width"):
            assert f.excerpt in terms.resolve(f.citation) or f.excerpt in terms.article(
                int(f.citation.split("-")[0].split("(")[0])).title + terms.resolve(f.citation)


def test_references_resolve(terms):
    refs = {(r.source, r.raw): r for r in find_references(terms)}
    assert refs[("8-3", "前各項")].targets == ("8-1", "8-2")
    assert refs[("9-2", "前条第１項①")].targets == ("8-1",)
    assert refs[("20-2", "前条")].targets == ("19",)
    assert refs[("25-1", "前二条")].targets == ("23", "24")
    assert refs[("27-1(4)", "前三号")].targets == ("27-1(1)", "27-1(2)", "27-1(3)")
    assert refs[("34-2", "前項")].targets == ("34-1",)
    assert refs[("10-2", "本項第４号")].targets == ("10-2(4)",)
    assert refs[("24-3", "第２１条")].external            # 同法第２１条
    assert refs[("24-3", "第２条第11項")].external        # …整備法」といいます）第２条第11項
    assert refs[("24-1", "第122号")].external             # 法律第122号
    assert all(not r.problem for r in refs.values())


def test_same_article_reference_follows_statute(tmp_path):
    text = "第１条（a）\n1. 本文。\n2. 同法第２１条および同条第２項に従い、第１項による。\n"
    refs = find_references(load_terms(write(tmp_path, text)))
    assert [(r.raw, r.external, r.targets) for r in refs] == [
        ("第２１条", True, ()), ("同条第２項", True, ()), ("第１項", False, ("1-1",))]


@settings(max_examples=25, deadline=None)
@given(st.lists(st.integers(0, 648), max_size=20), st.integers(1, 3))
def test_blank_runs_do_not_change_the_structure(tmp_path_factory, where, run):
    lines = TERMS_PATH.read_text(encoding="utf-8").split("\n")
    for k in sorted(where, reverse=True):
        lines[k:k] = [""] * run
    p = tmp_path_factory.mktemp("blank") / "t.txt"
    p.write_text("\n".join(lines), encoding="utf-8")
    reference = load_terms(TERMS_PATH)
    t = load_terms(p)
    assert t.citations() == reference.citations()
    assert [a.text() for a in t.articles] == [a.text() for a in reference.articles]
    assert t.preamble == reference.preamble and t.supplementary == reference.supplementary


def test_generic_reference_checks(tmp_path):
    text = "\n".join([
        "第１条（適用）",
        "1. 前項の規定は第９条に従う。",
        "2. 当社は、第１項第３号の場合に限る。",
        "第２条（変更）",
        "1. 当社は、以下の各号のいずれかに該当するときは、解除できる。",
        "(1)甲",
        "(2)乙",
        "2. 当社は、前項の措置をとる。",
        "3. 前項各号の事由が解消したときは、回復する。",
    ])
    findings = find_text_findings(load_terms(write(tmp_path, text)))
    kinds = {(f.citation, f.kind) for f in findings}
    assert ("1-1", "dangling-reference") in kinds        # 前項 in paragraph 1, 第９条
    assert ("1-2", "dangling-reference") in kinds        # 1-1 has no items
    assert ("2-3", "wrong-reference") in kinds
    assert len([f for f in findings if f.citation == "1-1"]) == 2
