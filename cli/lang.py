"""The language of the command line's messages: which one, and how a message is put in it.

A Japanese reader of `yakkan` meets no English sentence (issue 13): the language is
`--lang ja|en` (before or after the subcommand), else the environment — `YAKKAN_LANG`,
then the first set of `LC_ALL`, `LC_MESSAGES`, `LANG` (POSIX order): a value starting
with `ja` is Japanese, anything else English. Same arguments and environment, same
language, same bytes.

The sentences themselves are in `yakkan.messages` (English message id → Japanese).
`Catalogue` is a `gettext.NullTranslations`, so the standard interface serves both
yakkan's own sentences and argparse's (argparse asks the `gettext` module; `argparse_in`
hands it the catalogue for the duration of a command). Bad-input errors keep their
English text in the exception (tests and callers read it); `render_error` puts them in
the chosen language when they are printed, through the catalogue's templates.
"""

from __future__ import annotations

import argparse
import contextlib
import gettext
import os
import re
from collections.abc import Iterator, Mapping, Sequence
from functools import cache

LANGS = ("ja", "en")
_current = "en"


def from_env(environ: Mapping[str, str] | None = None) -> str:
    """The language the environment asks for: YAKKAN_LANG, then LC_ALL, LC_MESSAGES, LANG."""
    env = os.environ if environ is None else environ
    chosen = env.get("YAKKAN_LANG", "").strip().lower()
    if chosen[:2] in LANGS:
        return chosen[:2]
    for name in ("LC_ALL", "LC_MESSAGES", "LANG"):
        value = env.get(name, "")
        if value:
            return "ja" if value.lower().startswith("ja") else "en"
    return "en"


def from_argv(argv: Sequence[str]) -> str | None:
    """The last `--lang ja|en` (or `--lang=…`) of a command line, before any `--`; None if none."""
    found = None
    for i, tok in enumerate(argv):
        if tok == "--":
            break
        if tok == "--lang" and i + 1 < len(argv) and argv[i + 1] in LANGS:
            found = argv[i + 1]
        elif tok.startswith("--lang=") and tok[7:] in LANGS:
            found = tok[7:]
    return found


def current() -> str:
    """The language of the messages now being printed ('ja' or 'en')."""
    return _current


@contextlib.contextmanager
def using(lang: str) -> Iterator[None]:
    """Print messages in `lang` inside the block (the command line sets it once per command)."""
    global _current
    before, _current = _current, lang if lang in LANGS else "en"
    try:
        yield
    finally:
        _current = before


def tr(msgid: str, /, **fields: object) -> str:
    """The sentence `msgid` (English, with `{field}`s) in the current language, filled in."""
    text = catalogue(_current).gettext(msgid)
    return text.format(**fields) if fields else text


def tr_in(lang: str, msgid: str, /, **fields: object) -> str:
    """`tr` in a given language (for text computed apart from the command, e.g. in a worker)."""
    text = catalogue(lang).gettext(msgid)
    return text.format(**fields) if fields else text


class Catalogue(gettext.NullTranslations):
    """yakkan's sentences in one language, through the standard gettext interface."""

    def __init__(self, lang: str) -> None:
        super().__init__()
        from .messages import ARGPARSE, MESSAGES

        self.lang = lang
        self._table: dict[str, str] = {**MESSAGES, **ARGPARSE} if lang == "ja" else {}

    def gettext(self, message: str) -> str:  # noqa: D102
        return self._table.get(message, message)

    def ngettext(self, msgid1: str, msgid2: str, n: int) -> str:  # noqa: D102
        return self.gettext(msgid1 if n == 1 else msgid2)


@cache
def catalogue(lang: str) -> Catalogue:
    return Catalogue(lang)


@contextlib.contextmanager
def argparse_in(lang: str) -> Iterator[None]:
    """argparse's own words (usage:, error:, the required arguments …) in `lang` inside the block."""
    cat = catalogue(lang)
    saved = argparse._, argparse.ngettext  # type: ignore[attr-defined]
    argparse._, argparse.ngettext = cat.gettext, cat.ngettext  # type: ignore[attr-defined]
    try:
        yield
    finally:
        argparse._, argparse.ngettext = saved  # type: ignore[attr-defined]


# -- bad-input errors: English text → Japanese, through templates ----------------------------

_HOLE = re.compile(r"(\{[=#]?\})")  # {} a hole; {=} a hole that always holds a name; {#} a number


@cache
def _patterns() -> list[tuple[re.Pattern[str], str, tuple[bool, ...]]]:
    """The catalogue's error templates as anchored patterns, the most specific first, each
    with which of its holes hold a name (quoted, or part of a dotted path or a call: never
    translated) rather than a nested sentence."""
    from .messages import ERRORS

    out = []
    for en, ja in ERRORS.items():
        pieces = _HOLE.split(en)
        parts, holes = pieces[0::2], pieces[1::2]
        # a number, a name (never across the "; " that joins two messages), or anything
        hole = {"{#}": "([0-9][0-9,.]*)", "{=}": "([^;]*?)"}
        regex = re.escape(parts[0]) + "".join(
            hole.get(h, "(.*?)") + re.escape(parts[i + 1]) for i, h in enumerate(holes))
        names = tuple(h in ("{=}", "{#}") or _is_name(parts[i][-1:], parts[i + 1][:1]) for i, h in enumerate(holes))
        out.append((sum(map(len, parts)), re.compile(f"^{regex}$", re.S), ja, names))
    out.sort(key=lambda x: -x[0])
    return [(p, ja, names) for _, p, ja, names in out]


_SUFFIX = re.compile(r" — did you mean (['\"]).*\1\?$| \(known: [^()]*\)$")


def _is_name(before: str, after: str) -> bool:
    """Whether a hole between these characters holds a name: 'x', `x`, "x", a.x, x(…), [x]."""
    return (before in ("'", '"', "`") and after == before) or before == "." or after == "(" or \
        (before == "[" and after == "]")  # fmt: skip


def translate(text: str, lang: str | None = None, depth: int = 0) -> str:
    """An English sentence of an error (a message or a fix) in `lang`: the catalogue's
    template that matches it whole is filled with its holes, each hole that is not a name
    translated in turn (a nested message, a type, a did-you-mean); text no template
    matches is left as it is."""
    lang = lang or _current
    if lang == "en" or not text or depth > 6:
        return text
    from .messages import ERRORS, MESSAGES

    if depth == 0 and text in MESSAGES:
        return MESSAGES[text]
    suffix = _SUFFIX.search(text)  # a did-you-mean or a list of the names known, after any message
    if suffix and suffix.start() > 0:
        return translate(text[: suffix.start()], lang, depth + 1) + translate(suffix.group(), lang, depth + 1)
    if "{}" not in text and text in ERRORS:
        return ERRORS[text]
    for pattern, ja, names in _patterns():
        m = pattern.match(text)
        if m:
            holes = [g if name else translate(g, lang, depth + 1) for g, name in zip(m.groups(), names, strict=True)]
            return _fill(ja, holes)
    return text


def _fill(template: str, holes: list[str]) -> str:
    return re.sub(r"\{(\d+)\}", lambda h: holes[int(h.group(1))], template)


def render_error(exc: BaseException, lang: str | None = None) -> str:
    """An InputError as printed: `file:line: where: what` and its `fix:` line, in `lang`."""
    lang = lang or _current
    if lang == "en":
        return str(exc)
    place = ""
    path, line, column = getattr(exc, "path", None), getattr(exc, "line", None), getattr(exc, "column", None)
    if path is not None:
        place = str(path)
        if line is not None:
            place += f":{line}"
            if column is not None:
                place += f":{column}"
        place += ": "
    where = getattr(exc, "where", None)
    message = getattr(exc, "message", str(exc))
    text = place + (f"{where}: " if where else "") + translate(str(message), lang)
    hint = getattr(exc, "hint", None)
    if hint:
        text += "\n  " + catalogue(lang).gettext("fix:") + " " + translate(str(hint), lang)
    return text


# -- texts of the spec: its own Japanese -----------------------------------------------------

_SPEC_TABLES: list[tuple[object, dict[str, str]]] = []


def spec_text(spec: object, text: str) -> str:
    """A text of the spec (a refusal rule, a property title, an out-of-scope reason) in the
    language of the messages: the spec's own `ja` when it has one, else the text as written
    (the spec is the one source of its sentences; DocModel.tr does the same for the docs)."""
    if _current != "ja" or not text:
        return text
    for known, table in _SPEC_TABLES:
        if known is spec:
            return table.get(text) or text
    table: dict[str, str] = {}
    for tr_ in getattr(spec, "transitions", ()):
        for clause in tr_.guard:
            if clause.rule_ja:
                table.setdefault(clause.rule, clause.rule_ja)
    for p in getattr(spec, "properties", {}).values():
        if p.title_ja:
            table.setdefault(p.title, p.title_ja)
    ja = getattr(spec, "out_of_scope_ja", {})
    for art, reason in getattr(spec, "out_of_scope", {}).items():
        if ja.get(art):
            table.setdefault(reason, ja[art])
    _SPEC_TABLES[:] = [*_SPEC_TABLES[-3:], (spec, table)]
    return table.get(text) or text
