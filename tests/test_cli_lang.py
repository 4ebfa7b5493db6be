"""A Japanese user of the command line meets no English sentence (issue 13).

Every subcommand runs with `--lang ja` on good and bad input (a bad spec, a bad scenario,
bad profiles, a bad terms text, bad arguments); stdout and stderr hold no run of three or
more English words outside what the message marks as written (diagrams/langcheck.py:
code in backquotes, quoted names, options, paths, the spec's names). Exit statuses are
the same in both languages. A few messages are asserted exactly in both languages, the
language's choice (`--lang`, `YAKKAN_LANG`, the locale) is asserted, and every template
of a bad-input error raised in the sources has its Japanese in the catalogue.
"""

from __future__ import annotations

import ast
import contextlib
import io
import shutil
from pathlib import Path

import pytest

from yakkan.cli import main
from yakkan.diagrams.langcheck import english_runs_in_text
from yakkan.lang import from_argv, from_env, render_error, translate
from yakkan.model.errors import InputError, ScenarioError
from yakkan.model.scenario import load_scenario
from yakkan.model.shape import SPEC as SHAPE
from yakkan.model.spec import load_spec
from yakkan.simulate.profiles import DIST_KEYS, PROFILE_KEYS, RULE_KEYS, TOP_KEYS, load_profiles

ROOT = Path(__file__).resolve().parents[1]
SPEC = ROOT / "contracts/clara-msp/spec.yaml"
TERMS = ROOT / "contracts/clara-msp/terms/clara-msp-terms-2024-04-01.ja.txt"
EXAMPLE = ROOT / "scenarios/issue-example.yaml"
LOCALE = ("YAKKAN_LANG", "LC_ALL", "LC_MESSAGES", "LANG")


@pytest.fixture(autouse=True)
def english_locale(monkeypatch):
    for name in LOCALE:
        monkeypatch.delenv(name, raising=False)


@pytest.fixture(scope="module")
def names() -> set[str]:
    """What a message may name as written: the spec's names, the ledger's keys, the CLI's words."""
    spec = load_spec(SPEC)
    out = {*spec.states, *spec.events, *spec.parameters, *spec.variables, *spec.properties, *spec.enums}
    out |= {a.name for e in spec.events.values() for a in e.args}
    out |= {v for values in spec.enums.values() for v in values}
    out |= {p.stem for p in (ROOT / "scenarios").glob("*.yaml")}  # a scenario's name is its file's
    out |= _schema_keys(SHAPE)  # the spec's own keys, as a list of allowed keys names them
    out |= {*TOP_KEYS, *RULE_KEYS, *PROFILE_KEYS, *DIST_KEYS}  # and the profiles'
    out |= set(load_profiles(SPEC.parent / "profiles.yaml", spec).profiles)
    out |= {"charged", "late_charges", "penalties", "paid", "refunded", "deposit_held", "deposit_returned",
            "balance_due", "outstanding", "credit", "liability_awarded", "overdue", "applied", "returned",
            "held", "service_start", "minimum_term_end", "term_end", "end_date", "ended_by", "yakkan",
            "fast", "reference", "compiled", "python", "off", "svg", "png", "pdf", "dot", "mermaid"}  # fmt: skip
    return out


def _schema_keys(shape: object) -> set[str]:
    if isinstance(shape, dict):
        return set(shape) | {k for v in shape.values() for k in _schema_keys(v)}
    if isinstance(shape, tuple | list):
        return {k for v in shape for k in _schema_keys(v)}
    return set()


def run(capsys, *argv: str) -> tuple[int, str, str]:
    """Status, stdout and stderr of `yakkan ARGV` (argparse's errors end with SystemExit(2), as before)."""
    try:
        code = main(list(argv))
    except SystemExit as exc:
        code = int(exc.code or 0)
    out, err = capsys.readouterr()
    return code, out, err


def bad_spec(tmp_path: Path) -> Path:
    text = SPEC.read_text(encoding="utf-8").replace("    event: cancel\n", "    event: cancle\n", 1)
    assert "event: cancle" in text
    path = tmp_path / "spec" / "spec.yaml"
    path.parent.mkdir()
    for name in ("terms", "witnesses"):
        shutil.copytree(SPEC.parent / name, path.parent / name)
    path.write_text(text, encoding="utf-8")
    return path


def cases(tmp: Path) -> list[tuple[list[str], int]]:
    """(arguments, exit status) of every subcommand on good and bad input."""
    (tmp / "fly.yaml").write_text("events:\n  - {on: 2024-04-01, do: fly}\n", encoding="utf-8")
    (tmp / "late.yaml").write_text("contract: {base_fee: 100000}\nevents:\n  - {on: 2024-04-01, do: apply}\n"
                                   "  - {on: 2024-03-01, do: accept}\n", encoding="utf-8")  # fmt: skip
    (tmp / "expect.yaml").write_text(EXAMPLE.read_text(encoding="utf-8").replace("state: active", "state: ended"),
                                     encoding="utf-8")  # fmt: skip
    (tmp / "profiles.yaml").write_text("version: 1\nprofiles: {}\n", encoding="utf-8")
    (tmp / "sjis.ja.txt").write_bytes("第１条（適用）\n本文。\n".encode("shift_jis"))
    (tmp / "file.txt").write_text("x", encoding="utf-8")
    spec = str(bad_spec(tmp))
    return [
        (["check"], 0),
        (["check", spec], 2),
        (["check", str(tmp / "missing.yaml")], 2),
        (["replay", str(EXAMPLE)], 0),
        (["replay", str(tmp / "expect.yaml")], 1),
        (["replay", str(tmp / "fly.yaml")], 2),
        (["replay", str(tmp / "late.yaml")], 2),
        (["replay", str(EXAMPLE), "--spec", spec], 2),
        (["verify", "--property", "P13", "--property", "P18", "--out", str(tmp / "verify")], 0),
        (["verify", "--depth", "0"], 2),
        (["verify", "--property", "P99"], 2),
        (["simulate", "--customers", "12", "--months", "6", "--workers", "1", "--out", str(tmp / "sim")], 0),
        (["simulate", "--months", "0"], 2),
        (["simulate", "--profiles", str(tmp / "profiles.yaml"), "--customers", "5", "--workers", "1"], 2),
        (["diagram", "--format", "dot", "-o", str(tmp / "life.dot")], 0),
        (["diagram", "--format", "dot", "--highlight", str(tmp / "fly.yaml"), "-o", str(tmp / "x.dot")], 2),
        (["diagram", "-o", str(tmp)], 2),
        (["docs", "-o", str(tmp / "file.txt")], 2),
        (["review", str(SPEC), str(SPEC), "--no-verify", "--out", str(tmp / "review")], 0),
        (["review", str(tmp / "nowhere"), str(SPEC)], 2),
        (["review", str(SPEC), str(SPEC), "--no-verify", "--months", "12"], 2),  # nothing is simulated
        (["what-if", "evasion_multiplier=2,1", "--property", "P05"], 0),
        (["what-if", "base_fee=1"], 2),
        (["what-if", "minimum_term_months=1..99"], 2),
        (["what-if", "late_rate_bp=0", "--property", "P05", "--simulate", "--customers", "8", "--months", "3",
          "--seeds", "2"], 0),
        (["what-if", "late_rate_bp=0", "--seeds", "2"], 2),
        (["lint", str(TERMS)], 0),
        (["lint", str(tmp / "sjis.ja.txt")], 2),
        (["demo", "--bogus"], 2),
        (["simulate", "--engine", "foo"], 2),
        (["simulate", "--customers", "many"], 2),
        (["replay"], 2),
        (["verify", "--property"], 2),
        (["frobnicate"], 2),
        (["--help"], 0),
        *[([command, "--help"], 0) for command in ("check", "replay", "verify", "simulate", "diagram", "docs",
                                                  "review", "lint", "demo", "what-if")],
    ]


@pytest.fixture(scope="module")
def runs(tmp_path_factory) -> list[tuple[list[str], int, int, str, str, int, str, str]]:
    """Each case run in Japanese and in English: (argv, expected, status ja, out ja, err ja, status en, …)."""
    tmp = tmp_path_factory.mktemp("lang")
    out = []
    for argv, expected in cases(tmp):
        row: list = [argv, expected]
        for lang in ("ja", "en"):
            o, e = io.StringIO(), io.StringIO()
            with contextlib.redirect_stdout(o), contextlib.redirect_stderr(e):
                try:
                    code = main(["--lang", lang, *argv])
                except SystemExit as exc:  # --help
                    code = exc.code
            row += [code, o.getvalue(), e.getvalue()]
        out.append(tuple(row))
    return out


def test_every_subcommand_speaks_japanese_with_lang_ja(runs, names):
    problems = []
    for argv, expected, code, out, err, *_ in runs:
        if code != expected:
            problems.append(f"{argv}: exit {code}, expected {expected}\n{err}")
        for stream, text in (("stdout", out), ("stderr", err)):
            found = english_runs_in_text(text, names)
            if found:
                problems.append(f"{argv} {stream}: {found[:5]}")
        assert "Traceback" not in err
    assert problems == [], "\n".join(problems)


def test_exit_statuses_are_the_same_in_english(runs):
    assert [(argv, en) for argv, _, _, _, _, en, _, _ in runs] == [(argv, ja) for argv, _, ja, *_ in runs]


def test_the_check_flags_an_english_sentence_in_a_terminal_message(names):
    assert english_runs_in_text("yakkan: エラー: the file cannot be read: x.yaml", names) == ["the file cannot be read"]
    assert english_runs_in_text("yakkan: エラー: 不明なイベント 'fly'", names) == []
    assert english_runs_in_text("修正: `yakkan replay --lang ja x.yaml` を実行", names) == []
    assert english_runs_in_text("修正: イベント: apply, pay, cancel, object_to_renewal", names) == []
    assert english_runs_in_text("使い方: yakkan replay [-h] [--lang {ja,en}] [--all-calendar]", names) == []


# ------------------------------------------------------------------------ exact messages


def test_a_bad_scenario_in_both_languages(tmp_path, capsys):
    bad = tmp_path / "fly.yaml"
    bad.write_text("events:\n  - {on: 2024-04-01, do: fly}\n", encoding="utf-8")
    code, _, err = run(capsys, "--lang", "ja", "replay", str(bad))
    assert code == 2
    assert err.startswith(f"yakkan: エラー: {bad}:2: events[0]: 不明なイベント 'fly'\n  修正: イベント: apply, ")
    code, _, err = run(capsys, "replay", str(bad), "--lang", "en")
    assert code == 2
    assert err.startswith(f"yakkan: error: {bad}:2: events[0]: unknown event 'fly'\n  fix: events: apply, ")


def test_a_misspelt_name_in_a_spec_in_both_languages(tmp_path, capsys):
    spec = bad_spec(tmp_path)
    code, _, err = run(capsys, "check", str(spec), "--lang", "ja")
    assert code == 2
    line = next(n for n, text in enumerate(spec.read_text(encoding="utf-8").splitlines(), 1) if "cancle" in text)
    assert f"{spec}:{line}: " in err and ".event: 不明なイベント 'cancle'（'cancel' の誤りでは？）\n" in err
    assert "\n  修正: 仕様のこの要素を直してください（各セクションの説明: README.md の「The contract spec」、" in err
    code, _, err = run(capsys, "check", str(spec))
    assert ".event: unknown event 'cancle' — did you mean 'cancel'?\n  fix: correct this element of the spec" in err


def test_argparse_speaks_japanese(capsys):
    code, _, err = run(capsys, "--lang", "ja", "simulate", "--engine", "foo")
    assert code == 2
    assert err.startswith("使い方: yakkan simulate [-h] [--lang {ja,en}]")
    assert err.endswith("yakkan simulate: エラー: 引数 --engine: 選べない値 'foo'（選択肢: 'fast', 'reference'）\n"
                        "  修正: `yakkan simulate --help` を参照してください\n")  # fmt: skip
    code, _, err = run(capsys, "replay", "--lang", "ja")
    assert err.endswith("yakkan replay: エラー: 次の引数が必要です: scenario\n"
                        "  修正: `yakkan replay --help` を参照してください\n")  # fmt: skip
    code, _, err = run(capsys, "simulate", "--engine", "foo")
    assert err.endswith("yakkan simulate: error: argument --engine: invalid choice: 'foo' (choose from 'fast', "
                        "'reference')\n  fix: see `yakkan simulate --help`\n")  # fmt: skip


def test_help_in_japanese(capsys):
    with pytest.raises(SystemExit) as exc:
        main(["--lang", "ja", "replay", "--help"])
    out = capsys.readouterr().out
    assert exc.value.code == 0
    assert "位置引数:\n  scenario" in out and "オプション:\n  -h, --help" in out
    assert "日付付きシナリオを再生" not in out  # the subcommand's own help shows its options
    assert "何も変えない暦のステップもすべて表示" in out


def test_replay_trace_in_japanese(capsys):
    code, out, _ = run(capsys, "replay", str(EXAMPLE), "--lang", "ja")
    assert code == 0
    assert out.startswith("クララ株式会社 MSPサービス約款（2024-04-01）— シナリオ issue-example\n"
                          "契約条件: 基本利用料=100000、オプションサービス利用料=0、初期費用=50000\n")  # fmt: skip
    assert "2024-06-15  契約者  解約（cancel）\n            拒否: 最低利用期間内は解約できません（I-06） [7-2]\n" in out
    # every name in the spec's own Japanese: states, events (their identifier beside), the
    # arguments, the variables a step changed, the ledger (the key `expect:` writes beside)
    assert "\n2024-04-03  当社　  承諾通知（accept）  申込中 → 契約成立（初回入金待ち） [6-1, 8-2]\n" \
           "            請求額の累計（税込） +¥165,000\n" in out  # 100,000 + 50,000 + 10 % tax
    assert "\n2024-04-10  契約者  支払い（pay）：金額=165000、送金手数料=0 [10-1, 10-2, 12-2]\n" in out
    assert "\n            提供開始日 2024-05-01、最低利用期間の末日 2024-07-31、現在の期間の末日 2024-07-31\n" in out
    assert "\n2024-09-30 時点: 状態 提供中\n" in out and out.endswith("期待値: すべて一致\n")
    assert "\n  請求額の累計（税込）        ¥715,000  charged\n" in out  # ¥165,000 + 5 months × ¥110,000
    code, out, _ = run(capsys, "replay", str(EXAMPLE))
    assert "2024-06-15  customer  cancel\n            REFUSED: no cancellation within the minimum term (I-06) [7-2]\n" \
        in out and out.endswith("expectations: all met\n")  # fmt: skip


def test_the_verify_summary_for_a_pull_request_in_japanese(tmp_path, capsys, names):
    """`yakkan verify --markdown` (and $GITHUB_STEP_SUMMARY) in the language of the reports:
    verdicts, titles and the reason a verdict differs, in Japanese."""
    md = tmp_path / "summary.md"
    code, _, _ = run(capsys, "--lang", "ja", "verify", "--property", "P13", "--property", "P18",
                     "--out", str(tmp_path / "v"), "--markdown", str(md))  # fmt: skip
    assert code == 0
    lines = md.read_text(encoding="utf-8").splitlines()
    assert lines[:6] == ["### yakkan verify — clara-msp-2024-04-01", "", "✅ すべての判定が期待どおり", "",
                         "| ID | 判定 | 期待 | | 時間 | プロパティ |", "|---|---|---|---|---|---|"]  # fmt: skip
    assert lines[6].startswith("| P13 | 違反あり | 成り立たない | ✅ | ")
    assert lines[6].endswith("秒 | 当社の損害賠償責任が基本利用料1か月分を超えることはない — "
                             f"[シナリオ]({tmp_path / 'v' / 'P13-counterexample.yaml'}) |")  # fmt: skip
    assert lines[7].startswith("| P18 | 到達可能 | 到達可能 | ✅ | ")
    assert "当社は最低利用期間内に料金を値上げできる" in lines[7]
    assert english_runs_in_text(md.read_text(encoding="utf-8"), names) == []
    # the terms say 満３ヶ月 (7-1) and the spec 6 months: P67 differs, and says why in Japanese
    folder = tmp_path / "spec"
    shutil.copytree(SPEC.parent, folder)
    text = (folder / "spec.yaml").read_text(encoding="utf-8")
    old = "minimum_term_months: {type: int, default: 3,"
    assert text.count(old) == 1
    (folder / "spec.yaml").write_text(text.replace(old, "minimum_term_months: {type: int, default: 6,"), "utf-8")
    code, _, _ = run(capsys, "--lang", "ja", "verify", str(folder / "spec.yaml"), "--property", "P67", "--json",
                     "--out", str(tmp_path / "v2"), "--markdown", str(md), "--no-cache")  # fmt: skip
    assert code == 1
    text = md.read_text(encoding="utf-8")
    assert "\n❌ 一覧の期待と異なる判定があります\n" in text and "\n#### 期待と異なる判定\n" in text
    assert ("\n- **P67** 違反あり（期待 成り立つ）: 7-1 は「満３ヶ月」（3）と定めているが、"
            "パラメータ minimum_term_months は 6\n") in text
    assert english_runs_in_text(text, names) == []
    code, _, _ = run(capsys, "--lang", "en", "verify", str(folder / "spec.yaml"), "--property", "P67", "--json",
                     "--out", str(tmp_path / "v2"), "--markdown", str(md))  # fmt: skip
    assert ("\n#### What differs\n\n- **P67** violated (expected holds): 7-1 writes '満３ヶ月' (3), but parameter "
            "minimum_term_months is 6\n") in md.read_text(encoding="utf-8")


def test_check_summary_in_japanese(capsys):
    code, out, _ = run(capsys, "--lang", "ja", "check")
    assert code == 0
    lines = out.splitlines()
    assert lines[0] == f"クララ株式会社 MSPサービス約款（2024-04-01）: 仕様に問題なし — {SPEC}"
    assert lines[1].startswith("  状態 9、イベント ")
    assert lines[2].startswith("  条文カバレッジ: 全 39 条のうち ")
    assert "第2条 約款の追加・変更                 モデル対象外 — 約款自体の追加・変更：" in out


# ------------------------------------------------------------------------ the choice of language


@pytest.mark.parametrize(("env", "lang"), [
    ({}, "en"),
    ({"LANG": "ja_JP.UTF-8"}, "ja"),
    ({"LANG": "en_US.UTF-8"}, "en"),
    ({"LC_ALL": "C", "LANG": "ja_JP.UTF-8"}, "en"),  # LC_ALL comes first
    ({"LC_MESSAGES": "ja_JP.UTF-8", "LANG": "C"}, "ja"),
    ({"YAKKAN_LANG": "ja", "LC_ALL": "C"}, "ja"),
    ({"YAKKAN_LANG": "en", "LANG": "ja_JP.UTF-8"}, "en"),
    ({"YAKKAN_LANG": "fr", "LANG": "ja_JP.UTF-8"}, "ja"),  # not a language of yakkan: the locale decides
])  # fmt: skip
def test_the_language_of_the_environment(env, lang):
    assert from_env(env) == lang


def test_lang_on_the_command_line_wins_and_the_last_one_counts():
    assert from_argv(["--lang", "ja", "check"]) == "ja"
    assert from_argv(["--lang", "ja", "check", "--lang=en"]) == "en"
    assert from_argv(["check", "--", "--lang", "ja"]) is None
    assert from_argv(["check", "--lang", "fr"]) is None


def test_the_locale_sets_the_language_without_lang(monkeypatch, capsys, tmp_path):
    monkeypatch.setenv("LANG", "ja_JP.UTF-8")
    code, _, err = run(capsys, "check", str(tmp_path / "missing.yaml"))
    assert (code, err) == (2, f"yakkan: エラー: {tmp_path / 'missing.yaml'}: ファイルが見つからない\n"
                              "  修正: パスを確認してください\n")  # fmt: skip
    code, _, err = run(capsys, "check", str(tmp_path / "missing.yaml"), "--lang", "en")
    assert err == f"yakkan: error: {tmp_path / 'missing.yaml'}: file not found\n  fix: check the path\n"


def test_diagram_review_and_lint_keep_their_japanese_report_by_default(capsys):
    """They wrote Japanese before `--lang` was global: without --lang their report stays Japanese."""
    code, out, _ = run(capsys, "lint", str(TERMS))
    assert "「金融期関」は「金融機関」の誤り" in out
    code, out, _ = run(capsys, "lint", str(TERMS), "--lang", "en")
    assert "「金融期関」 should probably read 「金融機関」" in out


# ------------------------------------------------------------------------ the catalogue


def test_an_error_is_rendered_with_its_holes_translated():
    exc = ScenarioError("in `today + x`: unknown name 'x' — did you mean 'xs'?", path="s.yaml", line=3,
                        where="events[1]")  # fmt: skip
    assert render_error(exc, "ja") == ("s.yaml:3: events[1]: `today + x` の中: 不明な名前 'x'（'xs' の誤りでは？）\n"
                                       "  修正: シナリオのこの項目を直してください（形式: README.md の「Scenarios」、"
                                       "完全な例: scenarios/issue-example.yaml）")  # fmt: skip
    assert render_error(exc, "en") == str(exc)
    assert translate("'+' needs an int or date target, but 'x' is a bool", "ja") == \
        "'+' の代入先は整数か日付でなければならないが、'x' は真偽値"
    # a name in a hole stays as written, even when it is a word the catalogue knows
    assert translate("unknown key 'status' — did you mean 'state'?", "ja") == \
        "不明なキー 'status'（'state' の誤りでは？）"
    assert translate("expect.state is one name", "ja") == "expect.state は名前一つ"
    assert translate("value 'date' is not a int", "ja") == "値 'date' は整数ではない"
    assert translate("cannot compare int 'a' with enum Breach 'b'", "ja") == \
        "整数 の 'a' と 列挙型 Breach の 'b' は比較できない"


def _templates() -> list[tuple[str, int, str]]:
    """The English template of every bad-input error raised in the sources (message and fix)."""

    def text(node: ast.AST) -> str | None:
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            return node.value
        if isinstance(node, ast.JoinedStr):
            return "".join(v.value if isinstance(v, ast.Constant) else "{}" for v in node.values)
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
            a, b = text(node.left), text(node.right)
            return a + b if a is not None and b is not None else None
        return None

    raisers = {"InputError", "SpecError", "ScenarioError", "ProfileError", "DiagramError", "_LimitError",
               "CitationError", "fail", "_fail", "error"}  # fmt: skip
    out = []
    for folder in ("model", "simulate", "verify", "diagrams", "terms"):
        for path in sorted((ROOT / folder).rglob("*.py")):
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if not isinstance(node, ast.Call):
                    continue
                f = node.func
                name = f.id if isinstance(f, ast.Name) else f.attr if isinstance(f, ast.Attribute) else ""
                if name not in raisers:
                    continue
                first = node.args[:1]
                if first and text(first[0]) is None and isinstance(first[0], ast.Name | ast.Attribute | ast.Constant):
                    args = node.args[1:3] if name == "error" else node.args[1:2]  # fail(node, message), error(line, …)
                else:
                    args = node.args[:1] + (node.args[2:3] if name == "_LimitError" else [])
                args += [k.value for k in node.keywords if k.arg == "hint"]
                for a in args:
                    t = text(a)
                    if t and any(c.isalpha() for c in t) and t.strip() != "{}":
                        out.append((f"{folder}/{path.name}", node.lineno, t))
    return out


def _matches(template: str) -> bool:
    """Whether the catalogue renders this source template (its holes filled with a name) in
    Japanese, with no English sentence left."""
    sample = template.replace("{}", "x1")
    ja = translate(sample, "ja")
    return ja != sample and english_runs_in_text(ja, {"x1"}) == []


def test_every_bad_input_template_in_the_sources_has_its_japanese():
    templates = _templates()
    assert len(templates) > 300  # the scan finds the raise sites
    missing = [f"{where}:{line}: {t}" for where, line, t in templates if not _matches(t)]
    assert missing == []


def test_the_demo_replays_in_japanese(tmp_path, capsys, names):
    """The demo's stages print through the catalogue (its replay stage here; the whole demo is
    the main job, run by `make demo`)."""
    from yakkan.demo import replay_examples
    from yakkan.lang import using

    with using("ja"):
        assert replay_examples(load_spec(SPEC), tmp_path) == 0
    out = capsys.readouterr().out
    assert out.startswith("\n== 2. 再生: シナリオ例 ")
    assert "   一致 issue-example                    active     請求   ¥715,000  残高   ¥563,420  拒否 1\n" in out
    assert english_runs_in_text(out, names) == []


def test_the_bad_input_tests_read_in_japanese(tmp_path, names):
    """Every bad spec and bad scenario of tests/test_model_bad_input.py, rendered in Japanese:
    no English sentence (messages built at run time, which the scan of the sources misses)."""
    from test_model_bad_input import SCENARIO_CASES, SPEC_MUTANTS, mutant

    spec = load_spec(SPEC)
    found = []
    for n, (case, old, new, _) in enumerate(SPEC_MUTANTS):
        with pytest.raises(InputError) as err:
            load_spec(mutant(tmp_path / f"m{n}", old, new))
        found += [(case, run_) for run_ in english_runs_in_text(render_error(err.value, "ja"), names)]
    for n, (case, old, new, _) in enumerate(SCENARIO_CASES):
        path = tmp_path / f"s{n}.yaml"
        path.write_text(EXAMPLE.read_text(encoding="utf-8").replace(old, new, 1), encoding="utf-8")
        with pytest.raises(InputError) as err:
            load_scenario(path, spec)
        found += [(case, run_) for run_ in english_runs_in_text(render_error(err.value, "ja"), names)]
    assert len(SPEC_MUTANTS) + len(SCENARIO_CASES) > 25
    assert found == []


def test_the_bad_profiles_tests_read_in_japanese(tmp_path, names):
    """Every bad profiles file of tests/test_simulate_profiles.py, rendered in Japanese."""
    from test_simulate_profiles import CASES, _bad

    spec = load_spec(SPEC)
    found = []
    for n, (old, new, *_) in enumerate(CASES):
        (tmp_path / f"p{n}").mkdir()
        err = _bad(tmp_path / f"p{n}", spec, old, new)
        found += [(old, run_) for run_ in english_runs_in_text(render_error(err, "ja"), names)]
    assert len(CASES) > 10
    assert found == []


def test_json_is_the_same_in_both_languages(capsys):
    """`--json` is a stable interface: the language changes no byte of it."""
    for argv in (["replay", str(EXAMPLE), "--json"], ["check", "--json"]):
        ja, en = run(capsys, "--lang", "ja", *argv), run(capsys, "--lang", "en", *argv)
        assert ja == en and ja[0] == 0 and ja[1].startswith("{")


def test_a_run_in_japanese_reads_the_spec_once(tmp_path, capsys, monkeypatch):
    """The Japanese titles of the terminal's table come from the spec `verify` loaded (read
    a second time, they took a quarter of a second after each edit); a folder changed since
    is read again."""
    import yakkan.model.spec as spec_module
    from yakkan.verify import cli as verify_cli

    folder = tmp_path / "spec"
    shutil.copytree(SPEC.parent, folder)
    read = []
    monkeypatch.setattr(spec_module, "load_spec", lambda *a, **k: read.append(a) or load_spec(*a, **k))
    code, out, _ = run(capsys, "--lang", "ja", "verify", str(folder / "spec.yaml"), "--property", "P13",
                       "--out", str(tmp_path / "v"), "--no-cache")  # fmt: skip
    assert code == 0 and read == []
    assert "当社の損害賠償責任が基本利用料1か月分を超えることはない" in out
    with (folder / "spec.yaml").open("a", encoding="utf-8") as f:
        f.write("# an edit\n")
    assert verify_cli._loaded(folder / "spec.yaml").properties["P13"].title_ja.startswith("当社の損害賠償責任")
    assert len(read) == 1


def test_the_junit_and_sarif_reports_in_japanese(tmp_path, capsys, names):
    """`yakkan verify --junit --sarif` in the language of the reports: what a CI shows a
    reviewer (a test case's name and output, a SARIF rule's descriptions, a result's
    message beside the spec's line) in Japanese; the ids and verdict fields a CI reads as
    they are. In English, the same sentences as before."""
    import json
    import xml.etree.ElementTree as ET

    junit, sarif = tmp_path / "j.xml", tmp_path / "s.sarif"
    code, _, _ = run(capsys, "--lang", "ja", "verify", "--property", "P13", "--property", "P17", "--json",
                     "--out", str(tmp_path / "v"), "--junit", str(junit), "--sarif", str(sarif))  # fmt: skip
    assert code == 0
    cases = {c.get("name").split()[0]: c for c in ET.parse(junit).getroot()}
    assert cases["P13"].get("name") == "P13 当社の損害賠償責任が基本利用料1か月分を超えることはない"
    assert cases["P13"].find("system-out").text.splitlines() == [
        "判定: 違反あり、期待: 成り立たない、条項: 27-2", f"シナリオ: {tmp_path / 'v' / 'P13-counterexample.yaml'}"]
    assert cases["P17"].find("system-out").text.splitlines()[1].startswith("根拠: L17: 終了した契約の電磁的記録は")
    run_ = json.loads(sarif.read_text(encoding="utf-8"))["runs"][0]
    rule = next(r for r in run_["tool"]["driver"]["rules"] if r["id"] == "P13")
    assert rule["fullDescription"]["text"] == ("当社の損害賠償責任が基本利用料1か月分を超えることはない［27-2］"
                                               "— 期待: 成り立たない")
    (result,) = run_["results"]
    assert result["message"]["text"] == ("P13 違反あり（期待 成り立たない）: 当社の損害賠償責任が基本利用料1か月分を"
                                         f"超えることはない 反例: {tmp_path / 'v' / 'P13-counterexample.yaml'}")
    assert result["locations"][0]["message"]["text"] == "プロパティ P13"
    assert result["relatedLocations"][0]["message"]["text"] == "遷移 claim_damages"
    assert (result["ruleId"], result["properties"]["verdict"], result["level"]) == ("P13", "violated", "note")
    told = [c.get("name") + "\n" + c.find("system-out").text for c in cases.values()]
    told += [rule["shortDescription"]["text"], rule["fullDescription"]["text"], result["message"]["text"]]
    assert english_runs_in_text("\n".join(told), names) == []
    code, _, _ = run(capsys, "--lang", "en", "verify", "--property", "P13", "--json", "--out", str(tmp_path / "v"),
                     "--sarif", str(sarif))  # fmt: skip
    (result,) = json.loads(sarif.read_text(encoding="utf-8"))["runs"][0]["results"]
    scenario = tmp_path / "v" / "P13-counterexample.yaml"
    assert result["message"]["text"] == ("P13 violated (expected violated): The company's liability never exceeds "
                                         f"one month's base fee Counterexample: {scenario}")
