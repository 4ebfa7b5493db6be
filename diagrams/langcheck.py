"""The Japanese pages' language check: no English sentence outside a marked name.

A Japanese reader meets English only where the page marks it: an identifier or formula as
written (`<code>`, `<span class="name">`), the spec's English original kept beside its
translation (`lang="en"`), or a file name. Anything else that reads as English — a run of
three or more English words in the page's text — is an untranslated sentence.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from html import escape
from html.parser import HTMLParser

_SKIP_TAGS = {"code", "pre", "script", "style", "svg", "kbd", "samp", "title"}
_WORDS = re.compile(r"[A-Za-z][A-Za-z'’]*(?:[ \t\n,;:()\-]+[A-Za-z][A-Za-z'’]*){2,}")
_URL = re.compile(r"(?:https?://|www\.)\S+|[\w.-]+\.(?:html|md|yaml|json|svg|png|pdf|txt|dot|mmd)\b")
_INLINE = {"a", "span", "em", "strong", "b", "i", "small", "sup", "sub", "abbr", "mark", "q", "time"}
_VOID = {"br", "img", "meta", "link", "input", "hr", "wbr", "source"}


class _Text(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[bool] = []  # per open element: is it a marked (skipped) one?
        self.chunks: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in _INLINE:
            self.chunks.append("\x00")  # a block (a cell, an item) ends a sentence
        if tag in _VOID:
            return
        a = dict(attrs)
        marked = tag in _SKIP_TAGS or a.get("lang", "ja") != "ja" or "name" in (a.get("class") or "").split()
        self.stack.append(marked)

    def handle_endtag(self, tag: str) -> None:
        if tag not in _INLINE:
            self.chunks.append("\x00")
        if tag in _VOID:
            return
        if self.stack:
            self.stack.pop()

    def handle_data(self, data: str) -> None:
        if not any(self.stack):
            self.chunks.append(data)


def english_runs(html: str) -> list[str]:
    """The runs of three or more English words in the unmarked text of `html`."""
    parser = _Text()
    parser.feed(html)
    text = _URL.sub(" ", "".join(parser.chunks))
    return [m.group(0) for m in _WORDS.finditer(text)]


_TERMINAL_MARKED = re.compile(
    r"`[^`\n]*`"  # code, as the messages quote it
    r"|'[^'\n]*'|\"[^\"\n]*\"|「[^」\n]*」"  # a name, a value or a title, quoted
    r"|(?<![\w-])--?[\w-]+"  # an option: --all-calendar
    r"|\S*/\S*"  # a path or a folder: /tmp/x.yaml, contracts/clara-msp/
    r"|\[[^\]\n]*\]"  # an argument in a usage line: [--lang {ja,en}], a citation: [7-2]
    r"|\{[^}\n]*\}"  # a choice or a YAML example: {ja,en}, {on: DATE, do: EVENT}
)


def english_runs_in_text(text: str, names: Iterable[str] = ()) -> list[str]:
    """The runs of three or more English words in a terminal message (the command line's
    `--lang ja` output): what the message marks as written — code in backquotes, a quoted
    name, value or title, an option, a path, a usage line's bracketed arguments — and the `names`
    given (a spec's states, events, parameters …) are names, not sentences; each line is a
    block of its own."""
    known = sorted({n for n in names if n}, key=len, reverse=True)
    out = []
    for line in text.splitlines():
        line = _TERMINAL_MARKED.sub(" ", _URL.sub(" ", line))
        if known:
            line = re.sub(r"(?<![\w-])(?:" + "|".join(map(re.escape, known)) + r")(?![\w-])", " ", line)
        out += english_runs(f"<p>{escape(line)}</p>")
    return out
