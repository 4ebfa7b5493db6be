"""The review as a reader sees it: a terminal text, a Markdown report for a pull request
(Japanese, then English) and an HTML page per language.

The report is built once per language as a list of blocks (headings, paragraphs, tables,
redlines, folded parts) and each output renders the blocks; the ja report holds no
English sentence (model names and expressions are code). Output is deterministic: the
same review gives byte-identical files.
"""

from __future__ import annotations

import html
import os
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from yakkan.diagrams.i18n import verdict_word

from .redline import ArticleDiff, folded_runs
from .review_data import Review

T: dict[str, dict[str, str]] = {
    "ja": {
        "title": "約款改定レビュー：{name} {old} → {new}",
        "ok": "結果：問題はありません（終了コード 0）。成り立つと期待される性質はすべて成り立ち、"
              "陳腐化した符号化はありません。",
        "bad": "結果：対応が必要です（終了コード 1）。成り立つと期待される性質の破れ {breaks} 件、"
               "未証明 {unproved} 件、再読されていない陳腐化した条 {stale} 条。",
        "counts": "本文の変更 {text} 条、モデルの変更 {model} 件、検証結果の変化 {flips} 件。",
        "h_verdicts": "検証結果の変化",
        "no_verify": "検証は実行していません（--no-verify）。",
        "no_verify_site": "このページには検証結果の変化がありません。{what}の検証結果がキャッシュにないためです。"
                          "`{cmd}` を実行してから、同じフォルダで `yakkan docs` を実行し直すと、ここに検証結果の変化が"
                          "載ります。",
        "verdicts_partial": "次の性質は、{what}の検証結果がキャッシュにないため表にありません：{ids}。`{cmd}` を"
                            "実行すると作成されます。",
        "verdicts_source": "このページは検証を実行しません。表は実行済みの検証結果によるものです（{src}）。",
        "src_results": "新版は docs に渡された検証結果、旧版はキャッシュ",
        "src_cache": "両版ともキャッシュ `.yakkan-cache`",
        "side_old": "旧版", "side_new": "新版", "side_both": "両版",
        "verdict_cols": "ID|性質|条項|旧|新|区分",
        "same": "変化のない性質：{n} 件",
        "no_flip": "検証結果の変化はありません（{n} 件の性質）。",
        "story": "{id} の反例（{new}）。経過は次のコマンドで再生できます（英語の経過は English 版にあります）：",
        "story_ja": "{id} の反例（{new}）。新しい版で再生した経過：",
        "replay": "再生するコマンド：",
        "scenario": "シナリオ：",
        "h_stale": "陳腐化の確認（本文が変わった条とその符号化）",
        "no_text_change": "本文の変更はありません。",
        "copied": "{el} は、{param} の変更前の値 {old} を {written} と書いたままです（変更後の値は {new}）。",
        "reread_params": "（未再読：直したら、または確認したら、そのパラメータが引用する条を `--reread` で"
                         "記録してください）",
        "stale_unchanged": "{art}：本文が変わりましたが、この条を引用する次の要素は変わっていません：{els}",
        "stale_numbers": "{cit} の新しい本文は {nums} と書いていますが、この箇所を引用するパラメータ（{params}）は"
                         "この値を持っていません。",
        "stale_none": "{art}：本文が変わり、この条を引用する要素もすべて変更されています。",
        "reread_yes": "（再読済み：この条の新しい本文に対して符号化が確認されています）",
        "reread_no": "（未再読：符号化を確認したら `yakkan review {old} {new} --reread {n}` で記録してください）",
        "h_model": "モデルの変更",
        "no_model": "モデルの変更はありません。",
        "h_profiles": "行動プロファイルの変更",
        "h_lint": "新しい本文の指摘（旧本文にはないもの）",
        "h_text": "本文の赤字（条・項・号ごと）",
        "redline_above": "本文の赤字は日本語の部分にあります。",
        "unchanged_run": "{first}〜{last}：変更なし（{n} か条）",
        "unchanged_one": "{first}：変更なし",
        "unit_unchanged": "変更なし：{units}",
        "h_money": "料金への影響（同じポートフォリオ・同じシードでのシミュレーション）",
        "money_intro": "{customers} 契約 × {months} か月、シード {seed}。旧版のプロファイルで両版を実行しました。",
        "money_split": "新版のプロファイルは旧版と異なるため、差を約款による分とプロファイルによる分に分けて示します。",
        "money_cols": "項目|旧|新|差",
        "money_cols_split": "項目|旧|新|差|うち約款|うちプロファイル",
        "by_profile": "顧客プロファイル別",
        "profile_cols": "プロファイル|項目|旧|新|差",
        "plots": "グラフと報告：",
        "before": "変更前",
        "after": "変更後",
        "kind_added": "追加", "kind_removed": "削除", "kind_changed": "変更",
        "cat_breaks": "破れ（成り立つべき性質が成り立たない）",
        "cat_dropped": "削除（理由の記録なし：約束が検証されなくなる）",
        "retired": "{id} を検証しなくなった理由：{reason}",
        "dropped": "{id} は新しい版の仕様にありません。約束が検証されなくなります。意図した削除なら、"
                   "新しい版の仕様の retired: に理由を書いてください"
                   "（例：retired: {{{id}: {{reason: \"…\", ja: \"…\"}}}}）。",
        "cat_unproved": "未証明（上限に達し、証明も反例もない）",
        "cat_flip-expected": "変化（作成者が expect も変更）",
        "cat_flip": "変化（expect は変更なし）",
        "cat_expect-only": "expect のみ変更（検証結果は同じ）",
        "cat_mismatch": "期待と不一致",
        "cat_added": "追加", "cat_removed": "削除", "cat_same": "変化なし",
        "absent": "なし",
        "other_lang": "English",
        "expected": "期待",
        "h_diagram": "状態遷移図の変更",
        "diagram_intro": "新しい版の状態遷移図です。追加された遷移・状態を緑の太線「追加」、条件・効果・遷移先・条項や"
                         "呼び出す手続が変わったものを橙の太線「変更」、旧版にあって削除されたものを灰色の破線「削除」で"
                         "示します"
                         "（状態を変えない遷移は、状態の枠内の一覧で色と印が付きます）。",
        "diagram_alt": "状態遷移図（変更箇所に印）",
        "diagram_svg": "SVG 版：",
        "diagram_cols": "印|遷移|イベント|遷移元 → 遷移先|条項",
        "no_diagram_change": "遷移と状態に変更はありません。",
        "diagram_intro_md": "新しい版の状態遷移図です（GitHub が Mermaid で描きます）。状態を変えない遷移は、"
                            "状態の枠内の一覧に印付きで並びます。",
        "diagram_legend": "凡例：「追加」＝新しい版で追加された遷移・状態（状態は緑の枠）、「変更」＝条件・効果・"
                          "遷移先・条項、または呼び出す手続が変わった遷移・状態（状態は橙の枠）、「削除」＝旧版にあり"
                          "新しい版で削除された"
                          "遷移・状態（状態は灰色の破線の枠）。遷移の印はイベント名の前に付きます。",
        "full_run": "図とグラフを含む全体の報告（HTML 版）は、GitHub Actions の実行の成果物にあります：",
        "full_run_label": "実行 {run} の成果物",
        "full_dir": "図とグラフを含む全体の報告（HTML 版）：`{dir}/index.html`（英語版は `{dir}/en.html`）",
        "full_none": "図とグラフを含む全体の報告（HTML 版）は `--html DIR` で書き出せます。",
        "plots_md": "グラフは全体の報告（HTML 版）のシミュレーション結果にあります。",
    },
    "en": {
        "title": "Review of a change of the terms: {name} {old} → {new}",
        "ok": "Result: nothing to fix (exit 0). Every property expected to hold holds, and no encoding is stale.",
        "bad": "Result: action needed (exit 1): {breaks} property(ies) expected to hold break(s), {unproved} "
               "unproved, {stale} stale article(s) not re-read.",
        "counts": "{text} article(s) of the text changed, {model} change(s) of the model, {flips} verdict(s) changed.",
        "h_verdicts": "Verdicts",
        "no_verify": "The verifier was not run (--no-verify).",
        "no_verify_site": "No verdicts on this page: the cache holds no verdicts of {what}. Run `{cmd}`, then "
                          "`yakkan docs` again in the same folder, and this section shows the verdicts that changed.",
        "verdicts_partial": "Left out for want of {what}'s verdicts in the cache: {ids}. `{cmd}` produces them.",
        "verdicts_source": "This page does not run the verifier: the table shows verdicts already computed ({src}).",
        "src_results": "the new version's from the results given to docs, the old one's from the cache",
        "src_cache": "both versions' from the cache `.yakkan-cache`",
        "side_old": "the old version", "side_new": "the new version", "side_both": "either version",
        "verdict_cols": "id|property|articles|old|new|change",
        "same": "Properties with the same verdict: {n}",
        "no_flip": "No verdict changed ({n} properties).",
        "story": "Counterexample of {id} ({new}):",
        "scenario": "scenario: ",
        "h_stale": "Staleness (articles whose text changed, and their encoding)",
        "no_text_change": "The text did not change.",
        "copied": "{el} still writes {param}'s old value {old} as {written} (the new value is {new}).",
        "reread_params": "(not re-read: once fixed or checked, record the articles the parameter cites with "
                         "`--reread`)",
        "stale_unchanged": "{art}: the text changed, but these elements citing it did not: {els}",
        "stale_numbers": "{cit}'s new text writes {nums}, which none of the parameters citing it holds ({params}).",
        "stale_none": "{art}: the text changed, and every element citing it changed too.",
        "reread_yes": "(re-read: the encoding was checked against this article's new text)",
        "reread_no": "(not re-read: once the encoding is checked, record it with "
                     "`yakkan review {old} {new} --reread {n}`)",
        "h_model": "Changes of the model",
        "no_model": "The model did not change.",
        "h_profiles": "Changes of the behaviour profiles",
        "h_lint": "Findings of the new text (not in the old one)",
        "h_text": "Redline of the text (by article, paragraph and item)",
        "redline_above": "The redline of the (Japanese) text is in the Japanese part above.",
        "unchanged_run": "{first}–{last}: unchanged ({n} articles)",
        "unchanged_one": "{first}: unchanged",
        "unit_unchanged": "unchanged: {units}",
        "h_money": "Money (the same portfolio and seed simulated on both versions)",
        "money_intro": "{customers} contracts × {months} months, seed {seed}; both versions ran the old version's "
                       "profiles.",
        "money_split": "The new version's profiles differ from the old ones: each difference is split into the part "
                       "the terms make and the part the profiles make.",
        "money_cols": "figure|old|new|difference",
        "money_cols_split": "figure|old|new|difference|from the terms|from the profiles",
        "by_profile": "By customer profile",
        "profile_cols": "profile|figure|old|new|difference",
        "plots": "plots and reports: ",
        "before": "before",
        "after": "after",
        "kind_added": "added", "kind_removed": "removed", "kind_changed": "changed",
        "cat_breaks": "BREAKS (expected to hold, fails)",
        "cat_dropped": "DROPPED (no reason recorded: a promise no longer checked)",
        "retired": "{id} is no longer checked: {reason}",
        "dropped": "{id} is not in the new version's spec: the promise is no longer checked. If that is meant, "
                   "record why under the new spec's retired: "
                   "(e.g. retired: {{{id}: {{reason: \"…\", ja: \"…\"}}}}).",
        "cat_unproved": "UNPROVED (a bound or budget reached: no proof, no counterexample)",
        "cat_flip-expected": "flip (the author changed expect)",
        "cat_flip": "flip (expect unchanged)",
        "cat_expect-only": "expect changed only (same verdict)",
        "cat_mismatch": "differs from its expectation",
        "cat_added": "added", "cat_removed": "removed", "cat_same": "same",
        "absent": "none",
        "other_lang": "日本語",
        "expected": "expected",
        "h_diagram": "The lifecycle, changes marked",
        "diagram_intro": "The new version's lifecycle: a transition or state added is drawn green and bold "
                         "[added], one whose guard, effects, target, articles or called procedures changed orange "
                         "and bold [changed], and one of the old version that was removed dashed and grey [removed] "
                         "(a transition that keeps its state is marked in its state's list of events).",
        "diagram_alt": "the lifecycle with the changes marked",
        "diagram_svg": "SVG: ",
        "diagram_cols": "mark|transition|event|from → to|articles",
        "no_diagram_change": "No transition or state changed.",
        "diagram_intro_md": "The new version's lifecycle (drawn by GitHub from Mermaid). A transition that keeps its "
                            "state is listed, marked, inside its state.",
        "diagram_legend": "Legend: [added] = a transition or state the new version adds (a state framed green), "
                          "[changed] = its guard, effects, target, articles or a procedure it calls changed (framed "
                          "orange), [removed] = in the old version, removed by the new one (framed grey, dashed). "
                          "A transition's mark precedes its event's name.",
        "full_run": "The full report with its pictures and plots (HTML) is an artifact of the GitHub Actions run: ",
        "full_run_label": "run {run}, its artifacts",
        "full_dir": "The full report with its pictures and plots (HTML): `{dir}/index.html` (Japanese), "
                    "`{dir}/en.html`",
        "full_none": "`--html DIR` writes the full report with its pictures and plots (HTML).",
        "plots_md": "The plots are in the full report (HTML), with the simulation's results.",
    },
}

SECTIONS_JA = {"meta": "メタ情報", "enums": "列挙型", "sets": "集合", "records": "レコード", "constants": "定数",
               "parameters": "パラメータ", "derived": "導出量", "variables": "変数", "procedures": "手続",
               "time_advance": "時間の経過", "states": "状態", "events": "イベント", "transitions": "遷移",
               "interpretations": "解釈", "properties": "性質", "lemmas": "補題", "out_of_scope": "対象外",
               "limitations": "制限事項"}  # fmt: skip
FIGURES_JA = {"charged": "請求額", "paid": "入金額", "late_charges": "遅延損害金", "penalties": "違約金",
              "outstanding": "未収額", "refunded": "返金額", "deposits_paid": "保証金の預託",
              "deposits_applied": "保証金の充当", "deposits_returned": "保証金の返還",
              "liability_awarded": "損害賠償額", "suspensions_completed": "終了した一時停止（件）",
              "suspension_mean_days": "一時停止の平均日数", "suspension_max_days": "一時停止の最長日数",
              "suspensions_ongoing_at_end": "期間末に一時停止中（件）"}  # fmt: skip
ENDINGS_JA = {"cancelled": "解約", "not_renewed": "更新拒絶", "terminated": "当社からの解除", "abolished": "廃止",
              "terminated_by_customer": "契約者からの解除"}  # fmt: skip
FIGURES_EN = {"suspensions_completed": "suspensions completed", "suspension_mean_days": "suspension mean days",
              "suspension_max_days": "suspension max days", "suspensions_ongoing_at_end": "suspended at the end"}


# -- blocks --------------------------------------------------------------------------------


@dataclass
class Block:
    kind: str  # h2 h3 p code table redline model_redline fold link image mermaid
    text: str = ""
    rows: list[list[str]] = field(default_factory=list)
    segments: list[tuple[str, str]] = field(default_factory=list)
    children: list[Block] = field(default_factory=list)
    target: str = ""
    code: bool = False  # a redline of a formula or a name as written: code in the reports (no sentence)


def figure_name(name: str, lang: str) -> str:
    if name.startswith("ended_"):
        way = name.removeprefix("ended_")
        return f"終了：{ENDINGS_JA.get(way, way)}" if lang == "ja" else f"ended: {way}"
    return FIGURES_JA.get(name, name) if lang == "ja" else FIGURES_EN.get(name, name.replace("_", " "))


def _num(x: Any) -> str:
    if isinstance(x, float):
        return f"{x:,.1f}"
    return f"{x:,}" if isinstance(x, int) else str(x)


def _signed(x: Any) -> str:
    if isinstance(x, int | float) and x > 0:
        return "+" + _num(x)
    return _num(x)


def _art_label(n: int, lang: str) -> str:
    return f"第{n}条" if lang == "ja" else f"Article {n}"


def blocks(r: Review, lang: str, link: Callable[[str], str], redline: bool = True,
           diagram: Mapping[str, Path] | None = None, site: bool = False,
           comment: FullReport | None = None) -> list[Block]:  # fmt: skip
    """The report in `lang` as blocks; `link` turns a file path into the link a reader follows.
    Without `redline` the text's section only points to the redline of the other part (the
    terms text is Japanese in both: a pull-request comment carries it once). `diagram`: per
    format (svg, png), the marked lifecycle drawn in `lang` (review_diagram.py), shown and
    linked. `site`: a page of the docs site (`yakkan docs --review`), which runs no verifier.
    `comment`: the Markdown of a pull-request comment, where no file of the runner's can be
    shown — the diagram as a Mermaid block, no picture or plot linked, and where the full
    report (the HTML pages) is."""
    t = T[lang]
    name = r.name_ja if lang == "ja" else r.name
    out = [Block("h2", t["title"].format(name=name, old=r.old_version, new=r.new_version))]
    status = t["ok"] if r.exit_status == 0 else t["bad"].format(breaks=len(r.breaks), unproved=len(r.unproved),
                                                                 stale=len(r.stale_articles))
    out.append(Block("p", status))
    flips = sum(1 for c in r.verdicts or [] if c.category != "same")
    n_text = sum(1 for d in r.text if d.kind != "unchanged")
    out.append(Block("p", t["counts"].format(text=n_text, model=len(r.model), flips=flips)))
    if comment is not None:
        out.append(comment.block(lang))
    out += _verdict_blocks(r, lang, link, site)
    out += _stale_blocks(r, lang)
    out += _model_blocks(r, lang)
    out += _diagram_blocks(r, lang, link, diagram or {}, mermaid=comment is not None)
    out += _text_blocks(r, lang) if redline else [Block("h3", t["h_text"]), Block("p", t["redline_above"])]
    if r.money is not None:
        out += _money_blocks(r, lang, link, plots=comment is None)
    return out


@dataclass(frozen=True)
class FullReport:
    """Where a pull-request comment's reader finds the full report (the HTML pages with the
    pictures and plots): the GitHub Actions run whose artifacts hold it (`url`, from
    $GITHUB_SERVER_URL/$GITHUB_REPOSITORY/actions/runs/$GITHUB_RUN_ID), else the folder it
    was written to (`folder`), else neither."""

    url: str = ""
    run: str = ""
    folder: str = ""

    @classmethod
    def from_env(cls, env: Mapping[str, str], folder: str = "") -> FullReport:
        server, repo, run = (env.get(k, "") for k in ("GITHUB_SERVER_URL", "GITHUB_REPOSITORY", "GITHUB_RUN_ID"))
        if server and repo and run:
            return cls(url=f"{server.rstrip('/')}/{repo}/actions/runs/{run}", run=run, folder=folder)
        return cls(folder=folder)

    def block(self, lang: str) -> Block:
        t = T[lang]
        if self.url:
            return Block("link", t["full_run"], target=self.url, segments=[("=", t["full_run_label"].format(
                run=self.run))])  # fmt: skip
        if self.folder:
            return Block("p", t["full_dir"].format(dir=self.folder.rstrip("/")))
        return Block("p", t["full_none"])


def _verdict_blocks(r: Review, lang: str, link: Callable[[str], str], site: bool = False) -> list[Block]:
    t = T[lang]
    out = [Block("h3", t["h_verdicts"])]
    if r.verdicts is None:
        if not site:
            return out + [Block("p", t["no_verify"])]
        what, cmd = _missing_command(r, lang, set(r.verdicts_missing) or {"old", "new"})
        return out + [Block("p", t["no_verify_site"].format(what=what, cmd=cmd))]
    if site:
        out.append(Block("p", t["verdicts_source"].format(src=t[f"src_{r.verdicts_source or 'cache'}"])))
    order = ["breaks", "dropped", "unproved", "mismatch", "flip", "flip-expected", "expect-only", "added", "removed"]
    shown = sorted((c for c in r.verdicts if c.category != "same"), key=lambda c: order.index(c.category))
    same = [c for c in r.verdicts if c.category == "same"]
    if not shown:
        out.append(Block("p", t["no_flip"].format(n=len(same))))
    else:
        rows = [t["verdict_cols"].split("|")]
        for c in shown:
            title = (c.new or c.old).title
            if lang == "ja":
                title = r.titles_ja.get(c.id) or c.id
            rows.append([c.id, title, ", ".join(c.articles), _side(c.old, lang), _side(c.new, lang),
                         t[f"cat_{c.category}"]])  # fmt: skip
        out.append(Block("table", rows=rows))
    for c in shown:
        if c.category == "unproved":
            out += _unproved_blocks(r, c, lang)
        if c.category == "dropped":
            out.append(Block("p", t["dropped"].format(id=c.id)))
        if c.category == "removed" and c.retired:
            out.append(Block("p", t["retired"].format(id=c.id, reason=c.retired_ja if lang == "ja" else c.retired)))
        if c.new is not None and c.new_outcome == "violated" and c.category in ("breaks", "flip", "mismatch"):
            told_ja = r.stories_ja.get(c.id) if lang == "ja" else None
            head = t["story_ja" if told_ja else "story"].format(id=c.id, new=verdict_word(c.new.verdict, lang))
            out.append(Block("p", head))
            if c.new.story and lang == "en":  # the verifier tells the story in English
                out.append(Block("code", c.new.story))
            else:
                if told_ja:  # … and review_data.stories_ja in Japanese (diagrams/story.py)
                    out += [*(Block("p", line) for line in told_ja), Block("p", t["replay"])]
                if c.new.counterexample:
                    shown = link(c.new.counterexample) if site else c.new.counterexample
                    out.append(Block("code", f"yakkan replay {shown} --spec {r.new_path}"))
            if c.new.counterexample:
                out.append(Block("link", t["scenario"], target=link(c.new.counterexample),
                                 segments=[("=", Path(c.new.counterexample).name)]))  # fmt: skip
    # a witness scenario the new terms no longer allow as written (verify/routes.py): the
    # file the change has to update too
    from yakkan.verify.report import moved_witnesses

    out += [Block("p", line) for line in moved_witnesses((c.new for c in r.verdicts if c.new is not None), None, lang)]
    if same and shown:
        listed = ", ".join(f"{c.id} {verdict_word(c.new.verdict, lang)}" for c in same)
        out.append(Block("fold", t["same"].format(n=len(same)), children=[Block("p", listed)]))
    if site and r.verdicts_missing:
        what, cmd = _missing_command(r, lang, set(r.verdicts_missing))
        ids = list(dict.fromkeys(p for side in ("old", "new") for p in r.verdicts_missing.get(side, ())))
        sep = "、" if lang == "ja" else ", "
        out.append(Block("p", t["verdicts_partial"].format(what=what, ids=sep.join(ids), cmd=cmd)))
    return out


def _unproved_blocks(r: Review, c: Any, lang: str) -> list[Block]:
    """Why a promise expected to hold is no longer proved: the verifier's reason, and the
    induction step no lemma set closed (verify/failed_step.py), where the proof failed."""
    from yakkan.lang import translate
    from yakkan.verify.failed_step import describe

    out = []
    if c.new.reason:
        out.append(Block("p", f"{c.id}: {translate(c.new.reason, lang)}"))
    step = getattr(c.new, "induction_step", None)
    if step:
        event = r.specs[1].events[step["event"]].ja if r.specs and step["event"] in r.specs[1].events else None
        out.append(Block("code", "\n".join(line[4:] for line in describe(step, lang, event))))
    return out


def _missing_command(r: Review, lang: str, sides: set[str]) -> tuple[str, str]:
    """Which version's verdicts are missing, in words, and the command that produces them:
    `yakkan verify` of that version, or `yakkan review` for both (each caches its verdicts)."""
    t = T[lang]
    if sides >= {"old", "new"}:
        return t["side_both"], f"yakkan review {r.old_path} {r.new_path}"
    side = next(iter(sides))
    return t[f"side_{side}"], f"yakkan verify {r.old_path if side == 'old' else r.new_path}"


def _side(v: Any, lang: str) -> str:
    if v is None:
        return T[lang]["absent"]
    if lang == "ja":
        return f"{verdict_word(v.verdict, lang)}（{T[lang]['expected']} {verdict_word(v.expected, lang, 'expect')}）"
    return f"{v.verdict} ({T[lang]['expected']} {v.expected})"


def _stale_blocks(r: Review, lang: str) -> list[Block]:
    t = T[lang]
    out = [Block("h3", t["h_stale"])]
    for c in r.constants:
        line = t["copied"].format(el=c.element, written=c.written, param=c.parameter, old=c.old, new=c.new)
        out.append(Block("p", line + " " + (t["reread_yes"] if c.reread else t["reread_params"])))
    if not r.stale:
        return out + [Block("p", t["no_text_change"])]
    for s in r.stale:
        art = _art_label(s.article, lang)
        if s.unchanged:
            line = t["stale_unchanged"].format(art=art, els=", ".join(e.label for e in s.unchanged))
        else:
            line = t["stale_none"].format(art=art)
        if s.unchanged or s.numbers:
            line += " " + (t["reread_yes"] if s.reread else t["reread_no"].format(
                old=r.old_path, new=r.new_path, n=s.article))
        out.append(Block("p", line))
        for m in s.numbers:
            sep = "、" if lang == "ja" else ", "
            params = sep.join(f"{k} = {v}" for k, v in m.parameters)
            out.append(Block("p", "　" + t["stale_numbers"].format(cit=m.citation, nums=sep.join(m.numbers),
                                                                  params=params)))  # fmt: skip
    return out


def _change_line(c: Any, lang: str) -> list[Block]:
    t = T[lang]
    sec = SECTIONS_JA.get(c.section, c.section) if lang == "ja" else c.section
    arts = f" [{', '.join(c.articles)}]" if c.articles else ""
    head = f"{t['kind_' + c.kind]}：{sec} {c.element}{arts}" if lang == "ja" else \
        f"{c.kind}: {sec} {c.element}{arts}"  # fmt: skip
    before = (c.before_ja or c.before) if lang == "ja" else c.before
    after = (c.after_ja or c.after) if lang == "ja" else c.after
    if lang == "ja" and _english(before) and not c.before_ja:
        before = ""
    if lang == "ja" and _english(after) and not c.after_ja:
        after = ""
    if lang == "ja" and not before and not after:
        return [Block("p", head + "（英語の記述のみの変更。English 版を参照）")]
    if c.kind == "changed" and before and after:
        return [Block("p", head), Block("model_redline", segments=_word_diff(before, after))]
    body = after or before
    return [Block("p", head)] + ([Block("code", body)] if body else [])


_JAPANESE = re.compile(r"[぀-ヿ一-鿿]")


def _english(text: str) -> bool:
    """A text that reads as an English sentence (kept off the ja report)."""
    return bool(re.search(r"[A-Za-z]{3,} [A-Za-z]{2,} [A-Za-z]{2,}", text)) and not re.search(r"[぀-ヿ一-鿿]", text)


def _word_diff(a: str, b: str) -> list[tuple[str, str]]:
    from .redline import char_diff

    return char_diff(a, b)


def _model_blocks(r: Review, lang: str) -> list[Block]:
    t = T[lang]
    out = [Block("h3", t["h_model"])]
    if not r.model:
        out.append(Block("p", t["no_model"]))
    for c in r.model:
        out += _change_line(c, lang)
    if r.profiles:
        out.append(Block("h3", t["h_profiles"]))
        for c in r.profiles:
            out += _change_line(c, lang)
    if r.lint:
        out.append(Block("h3", t["h_lint"]))
        for f in r.lint:
            x = f.finding
            msg = x.message_ja if lang == "ja" and x.message_ja else x.message_en
            out.append(Block("p", f"{x.citation} {x.kind}：{msg}「{x.excerpt}」" if lang == "ja" else
                             f"{x.citation} {x.kind}: {msg} 「{x.excerpt}」"))  # fmt: skip
    return out


def _diagram_blocks(r: Review, lang: str, link: Callable[[str], str], files: Mapping[str, Path],
                    mermaid: bool = False) -> list[Block]:  # fmt: skip
    """The marked lifecycle: the picture (PNG where drawn, else SVG), the SVG's link, and the
    marked transitions as a table; with `mermaid`, the lifecycle as a Mermaid block with its
    legend instead of the picture (a pull-request comment)."""
    from .review_diagram import render_review_mermaid, transition_rows

    t = T[lang]
    if r.diagram is None or r.specs is None:
        return []
    out = [Block("h3", t["h_diagram"])]
    if not r.diagram.transitions and not r.diagram.states:
        out.append(Block("p", t["no_diagram_change"]))
    else:
        out.append(Block("p", t["diagram_intro_md" if mermaid else "diagram_intro"]))
    if mermaid:
        out += [Block("p", t["diagram_legend"]), Block("mermaid", render_review_mermaid(*r.specs, r.diagram, lang))]
    picture = None if mermaid else files.get("png") or files.get("svg")
    if picture is not None:
        out.append(Block("image", t["diagram_alt"], target=link(str(picture))))
        if "png" in files and "svg" in files:
            out.append(Block("link", t["diagram_svg"], target=link(str(files["svg"])),
                             segments=[("=", Path(files["svg"]).name)]))  # fmt: skip
    if r.diagram.transitions:
        out.append(Block("table", rows=[t["diagram_cols"].split("|"),
                                        *transition_rows(*r.specs, r.diagram, lang)]))  # fmt: skip
    sep = "、" if lang == "ja" else ", "
    if r.diagram.states:
        from yakkan.diagrams.marks import TAGS

        out.append(Block("p", sep.join(f"{TAGS[lang][k]} {s}" for s, k in r.diagram.states)))
    return out


def _article_head(d: ArticleDiff, lang: str) -> str:
    label = d.label if lang == "ja" else d.label_en
    title = d.title_new or d.title_old
    return f"{label}（{title}）" if title else label


def _text_blocks(r: Review, lang: str) -> list[Block]:
    t = T[lang]
    out = [Block("h3", t["h_text"])]
    for item in folded_runs(r.text):
        if isinstance(item, list):
            first = item[0].label if lang == "ja" else item[0].label_en
            last = item[-1].label if lang == "ja" else item[-1].label_en
            n = sum(1 for d in item if d.number > 0)
            text = t["unchanged_one"].format(first=first) if len(item) == 1 else \
                t["unchanged_run"].format(first=first, last=last, n=n)  # fmt: skip
            out.append(Block("p", text))
            continue
        out.append(Block("h4", _article_head(item, lang)))
        quiet: list[str] = []
        for u in item.units:
            if u.kind == "unchanged":
                quiet.append(u.citation)
                continue
            out.append(Block("redline", text=_unit(u.citation, lang), segments=u.segments))
        if quiet:
            out.append(Block("p", t["unit_unchanged"].format(units=", ".join(_unit(q, lang) for q in quiet))))
    return out


def _unit(citation: str, lang: str) -> str:
    return citation.replace(" (title)", "（見出し）") if lang == "ja" else citation


def _money_blocks(r: Review, lang: str, link: Callable[[str], str], plots: bool = True) -> list[Block]:
    t = T[lang]
    m = r.money
    assert m is not None
    out = [Block("h3", t["h_money"]), Block("p", t["money_intro"].format(customers=m.customers, months=m.months,
                                                                          seed=m.seed))]  # fmt: skip
    split = m.profiles_differ
    if split:
        out.append(Block("p", t["money_split"]))
    rows = [t["money_cols_split" if split else "money_cols"].split("|")]
    for row in m.rows():
        cells = [figure_name(row["figure"], lang), _num(row["old"]), _num(row["new"]), _signed(row["delta"])]
        if split:
            cells += [_signed(row["terms"]), _signed(row["profiles"])]
        rows.append(cells)
    out.append(Block("table", rows=rows))
    prow = [t["profile_cols"].split("|")]
    for row in m.profile_rows():
        prow.append([row["profile"], figure_name(row["figure"], lang), _num(row["old"]), _num(row["new"]),
                     _signed(row["delta"])])  # fmt: skip
    out.append(Block("fold", t["by_profile"], children=[Block("table", rows=prow)]))
    if not plots:  # a pull-request comment: the plots are files of the runner's, in the full report
        return out + [Block("p", t["plots_md"])] if m.files else out
    runs = {"old": r.old_version, "new_old_profiles": r.new_version, "new": f"{r.new_version} (profiles)"}
    for run, folder in sorted(m.files.items(), key=lambda kv: list(runs).index(kv[0])):
        for plot in ("money.svg", "endings.svg", "suspensions.svg"):
            if (Path(folder) / plot).is_file():
                out.append(Block("link", f"{t['plots']}{runs[run]} ", target=link(Path(folder) / plot),
                                 segments=[("=", plot)]))  # fmt: skip
    return out


# -- renderers ---------------------------------------------------------------------------------


def render_text(bs: list[Block], indent: str = "") -> str:
    out: list[str] = []
    for b in bs:
        if b.kind in ("h2", "h3", "h4"):
            mark = {"h2": "", "h3": "■ ", "h4": "□ "}[b.kind]
            out += ["", f"{indent}{mark}{b.text}"] if b.kind != "h2" else [f"{indent}{b.text}"]
        elif b.kind == "p":
            out.append(indent + b.text)
        elif b.kind == "code":
            out += [f"{indent}    {ln}" for ln in b.text.splitlines()]
        elif b.kind == "table":
            widths = [max(_width(row[i]) for row in b.rows) for i in range(len(b.rows[0]))]
            for row in b.rows:
                out.append(indent + "  ".join(_pad(c, widths[i]) for i, c in enumerate(row)).rstrip())
        elif b.kind in ("redline", "model_redline"):
            body = "".join(s if op == "=" else f"[-{s}-]" if op == "-" else f"{{+{s}+}}" for op, s in b.segments)
            out.append(f"{indent}  {b.text + '  ' if b.text else ''}{body}")
        elif b.kind == "fold":
            out.append(indent + b.text)
            out.append(render_text(b.children, indent + "  "))
        elif b.kind == "link":
            out.append(f"{indent}{b.text}{b.target}")
        elif b.kind == "image":
            out.append(f"{indent}{b.text}: {b.target}")
    return "\n".join(out)


def _width(s: str) -> int:
    import unicodedata

    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in s)


def _pad(s: str, w: int) -> str:
    return s + " " * (w - _width(s))


def _md_escape(s: str) -> str:
    s = html.escape(s, quote=False)
    return re.sub(r"([\\`*_\[\]|#])", r"\\\1", s)


def render_markdown(bs: list[Block]) -> str:
    out: list[str] = []
    for b in bs:
        if b.kind in ("h2", "h3", "h4"):
            out += [{"h2": "##", "h3": "###", "h4": "####"}[b.kind] + " " + _md_escape(b.text), ""]
        elif b.kind == "p":
            out += [_md_inline(b.text), ""]
        elif b.kind == "code":
            out += ["```text", b.text, "```", ""]
        elif b.kind == "table":
            out.append("| " + " | ".join(_md_escape(c) for c in b.rows[0]) + " |")
            out.append("|" + "|".join("---" for _ in b.rows[0]) + "|")
            out += ["| " + " | ".join(_md_escape(c) for c in row) + " |" for row in b.rows[1:]]
            out.append("")
        elif b.kind in ("redline", "model_redline"):
            body = "".join(_md_escape(s) if op == "=" else f"<del>{html.escape(s)}</del>" if op == "-"
                           else f"<ins>{html.escape(s)}</ins>" for op, s in b.segments)  # fmt: skip
            body = f"<code>{body}</code>" if b.code or b.kind == "model_redline" else body
            out += [(f"**{_md_escape(b.text)}** " if b.text else "") + body, ""]
        elif b.kind == "fold":
            out += ["<details>", f"<summary>{html.escape(b.text)}</summary>", "", render_markdown(b.children),
                    "</details>", ""]  # fmt: skip
        elif b.kind == "link":
            label = b.segments[0][1] if b.segments else b.target
            out += [f"{_md_escape(b.text)}[{_md_escape(label)}]({b.target})", ""]
        elif b.kind == "image":
            out += [f"![{_md_escape(b.text)}]({b.target})", ""]
        elif b.kind == "mermaid":
            out += ["```mermaid", b.text.rstrip("\n"), "```", ""]
    return "\n".join(out).rstrip("\n") + "\n"


def _md_inline(text: str) -> str:
    """Plain text with `code` spans kept as code."""
    parts = re.split(r"(`[^`]+`)", text)
    return "".join(p if p.startswith("`") and p.endswith("`") and len(p) > 1 else _md_escape(p) for p in parts)


CSS = """body{font-family:system-ui,'Hiragino Sans','Noto Sans CJK JP',sans-serif;max-width:60rem;margin:2rem auto;
padding:0 1rem;line-height:1.7;color:#222}table{border-collapse:collapse;margin:.5rem 0}td,th{border:1px solid #ccc;
padding:.2rem .5rem;text-align:left;vertical-align:top}del{background:#fdd;color:#900}ins{background:#dfd;color:#060;
text-decoration:none}pre{background:#f6f6f6;padding:.5rem;overflow-x:auto}.cit{font-weight:bold;margin-right:.5rem}
nav{float:right}figure.diagram{margin:.5rem 0}figure.diagram img{max-width:100%;height:auto}"""


def render_html(bs: list[Block], lang: str, other: str) -> str:
    """A page of its own (`--html DIR`): the report's body with its own small stylesheet."""
    title = bs[0].text if bs else ""
    nav = f'<nav><a href="{other}">{html.escape(T[lang]["other_lang"])}</a></nav>'
    return ("<!DOCTYPE html>\n" f'<html lang="{lang}"><head><meta charset="utf-8"><title>{html.escape(title)}</title>'
            f"<style>{CSS}</style></head><body>{nav}\n" + html_body(bs) + "\n</body></html>\n")


def html_body(bs: list[Block]) -> str:
    """The report's blocks as HTML elements (the docs site puts them in its own page)."""

    def body(items: list[Block]) -> list[str]:
        out: list[str] = []
        for b in items:
            e = html.escape
            if b.kind in ("h2", "h3", "h4"):
                tag = {"h2": "h1", "h3": "h2", "h4": "h3"}[b.kind]
                out.append(f"<{tag}>{e(b.text)}</{tag}>")
            elif b.kind == "p":
                out.append("<p>" + re.sub(r"`([^`]+)`", r"<code>\1</code>", e(b.text)) + "</p>")
            elif b.kind == "code":
                out.append(f"<pre>{e(b.text)}</pre>")
            elif b.kind == "table":
                out.append("<table><tr>" + "".join(f"<th>{e(c)}</th>" for c in b.rows[0]) + "</tr>")
                out += ["<tr>" + "".join(f"<td>{e(c)}</td>" for c in row) + "</tr>" for row in b.rows[1:]]
                out.append("</table>")
            elif b.kind == "redline":  # the terms text: an English phrase in it (MSP's expansion) marked
                text = "".join(_latin(e(s)) if op == "=" else f"<del>{_latin(e(s))}</del>" if op == "-" else
                               f"<ins>{_latin(e(s))}</ins>" for op, s in b.segments)  # fmt: skip
                cit = f'<span class="cit">{e(b.text)}</span>' if b.text else ""
                out.append(f"<p>{cit}{text}</p>")
            elif b.kind == "model_redline":  # a model element as written: code, with the change marked
                text = "".join(e(s) if op == "=" else f"<del>{e(s)}</del>" if op == "-" else f"<ins>{e(s)}</ins>"
                               for op, s in b.segments)  # fmt: skip
                out.append(f'<p class="model"><code>{text}</code></p>')
            elif b.kind == "fold":
                out += [f"<details><summary>{e(b.text)}</summary>", *body(b.children), "</details>"]
            elif b.kind == "link":
                label = b.segments[0][1] if b.segments else b.target
                out.append(f'<p>{e(b.text)}<a href="{e(b.target)}">{e(label)}</a></p>')
            elif b.kind == "image":
                out.append(f'<figure class="diagram"><a href="{e(b.target)}"><img src="{e(b.target)}" '
                           f'alt="{e(b.text)}"></a></figure>')
        return out

    return "\n".join(body(bs))


_LATIN_RUN = re.compile(r"[A-Za-z][A-Za-z'’]*(?:[ ,\-]+[A-Za-z][A-Za-z'’]*){2,}")


def _latin(escaped: str) -> str:
    """An escaped run of the terms text with its English phrases (three words or more, such
    as 「MSP（Managed Service Provider）」) marked `lang="en"`: the text's own English."""
    return _LATIN_RUN.sub(lambda m: f'<span lang="en">{m.group(0)}</span>', escaped)


def relative_link(target: str | Path, base_dir: Path) -> str:
    """`target` relative to the folder of the file that links to it (a PR comment's links)."""
    return Path(os.path.relpath(Path(target).resolve(), base_dir.resolve())).as_posix()
