"""Reading YAML: libyaml's fast path builds exactly what ruamel.yaml's round-trip loader
builds (values, their types, every position an error message points at), and anything it
would build differently is left to ruamel.yaml (model/yamlio.py)."""

from __future__ import annotations

import datetime
from pathlib import Path
from typing import Any

import pytest
from ruamel.yaml.comments import CommentedMap, CommentedSeq

from yakkan.model import yamlio
from yakkan.model.errors import InputError
from yakkan.model.yamlio import line_of, read_yaml, value_position

ROOT = Path(__file__).resolve().parent.parent
BUNDLED = sorted(
    p for folder in ("contracts", "scenarios", "model", "simulate", "terms")
    for p in (ROOT / folder).rglob("*.yaml")
)  # fmt: skip


def same(fast: Any, slow: Any, where: str = "") -> None:
    """``fast`` equals ``slow`` value for value, type for type (ruamel.yaml's int and float
    subclasses count as int and float), with the same positions."""
    base = {bool: bool, int: int, float: float, str: str, datetime.date: datetime.date, type(None): type(None)}
    kind = next((k for k in (bool, CommentedMap, CommentedSeq, datetime.date, int, float, str, type(None))
                 if isinstance(slow, k)), type(slow))  # fmt: skip
    assert isinstance(fast, kind), f"{where}: {type(fast).__name__} where ruamel.yaml has {type(slow).__name__}"
    if kind in base and kind is not str:
        assert fast == slow, where
        return
    if kind is str:
        assert (fast, type(fast)) == (slow, type(slow)), where
        return
    assert (fast.lc.line, fast.lc.col) == (slow.lc.line, slow.lc.col), f"{where}: position"
    if isinstance(slow, CommentedMap):
        assert list(fast) == list(slow), where
        for k in slow:
            assert fast.lc.key(k) == slow.lc.key(k), f"{where}/{k}: key position"
            assert fast.lc.value(k) == slow.lc.value(k), f"{where}/{k}: value position"
            same(fast[k], slow[k], f"{where}/{k}")
    else:
        assert len(fast) == len(slow), where
        for i, (a, b) in enumerate(zip(fast, slow, strict=True)):
            assert fast.lc.item(i) == slow.lc.item(i), f"{where}[{i}]: position"
            same(a, b, f"{where}[{i}]")


def test_every_bundled_file_reads_the_same_both_ways():
    assert len(BUNDLED) >= 35
    for path in BUNDLED:
        fast = yamlio._fast_document(path.read_text(encoding="utf-8"))
        assert fast is not yamlio._NOT_FAST, f"{path}: not read by the fast path"
        same(fast, read_yaml(path, round_trip=True), str(path.relative_to(ROOT)))


TRICKY = """\
# a comment
title: 約款の変更（第6条）   # after a value
plain: yes
also: on
zero: 0
negative: -12
float: 0.5
date: 2024-10-01
tilde: ~
flag: True
quoted: "2024-10-01"
single: '3'
literal: |
  第1条
    字下げ
folded: >
  一行目
  二行目
flow: {a: 1, b: [x, "y", 2025-04-01]}
list:
  - 一
  - {name: 解約, days: 30}
  -
    - nested
multi: this plain scalar
  goes on
anchor: &base {k: 1}
alias: *base
"キー": 値
12: an int key
"""


def test_tricky_document_reads_the_same_both_ways(tmp_path):
    path = tmp_path / "tricky.yaml"
    path.write_text(TRICKY, encoding="utf-8")
    fast = yamlio._fast_document(TRICKY)
    assert fast is not yamlio._NOT_FAST
    slow = read_yaml(path, round_trip=True)
    same(fast, slow)
    # YAML 1.2, as ruamel.yaml reads it: `yes` and `on` are not YAML 1.1's bool
    assert (fast["plain"], fast["also"]) == ("yes", "on")
    assert fast["date"] == datetime.date(2024, 10, 1) and fast["quoted"] == "2024-10-01"
    assert fast["literal"] == "第1条\n  字下げ\n" and fast["folded"] == "一行目 二行目\n"
    assert fast["alias"] is fast["anchor"]
    assert line_of(fast, "キー") == 29 and value_position(fast, "list") == (20, 2)


@pytest.mark.parametrize("text", [
    "a: 0x1F\n",  # hexadecimal
    "a: 0o17\n",  # octal
    "a: 010\n",  # a leading zero
    "a: 1_000\n",  # underscores
    "a: 1e3\n",  # exponent
    "a: 2024-10-01 10:00:00\n",  # a timestamp with a time
    "base: &b {x: 1}\nm:\n  <<: *b\n  y: 2\n",  # a merge key
    "%YAML 1.1\n---\na: yes\n",  # a version directive
    "a: !!set {x, y}\n",  # a tag ruamel.yaml builds as its own type
    "a:\nb: 1\n",  # an empty value (ruamel.yaml places it at the next token)
    "a0: &a0 [1, 1, 1, 1, 1, 1, 1, 1, 1]\n"  # an alias bomb: 9**6 values once expanded
    + "".join(f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 9) + "]\n" for i in range(1, 6)),
])  # fmt: skip
def test_what_the_fast_path_does_not_build_is_left_to_ruamel(tmp_path, text):
    assert yamlio._fast_document(text) is yamlio._NOT_FAST
    path = tmp_path / "f.yaml"
    path.write_text(text, encoding="utf-8")
    try:
        expected: Any = read_yaml(path, round_trip=True)
    except InputError as exc:
        expected = str(exc)
    try:
        got: Any = read_yaml(path)
    except InputError as exc:
        got = str(exc)
    assert got == expected


@pytest.mark.parametrize("text, line", [
    ("a: 1\nb: [1, 2\nc: 3\n", 3),  # an unclosed bracket
    ("a: 1\na: 2\n", 2),  # a duplicate key
    ("a: 2024-04-31\n", 1),  # no such day
    ("a: !foo 1\n", 1),  # a tag that is not allowed
    ("a: 1\n b: 2\n", 2),  # bad indentation
])  # fmt: skip
def test_bad_yaml_is_reported_by_ruamel_with_its_line(tmp_path, text, line):
    path = tmp_path / "bad.yaml"
    path.write_text(text, encoding="utf-8")
    assert yamlio._fast_document(text) is yamlio._NOT_FAST
    with pytest.raises(InputError) as fast:
        read_yaml(path)
    with pytest.raises(InputError) as slow:
        read_yaml(path, round_trip=True)
    assert str(fast.value) == str(slow.value)
    assert fast.value.line == line
