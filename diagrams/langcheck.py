"""The Japanese pages' language check: no English sentence outside a marked name.

A Japanese reader meets English only where the page marks it: an identifier or formula as
written (`<code>`, `<span class="name">`), the spec's English original kept beside its
translation (`lang="en"`), or a file name. Anything else that reads as English — a run of
three or more English words in the page's text — is an untranslated sentence.
"""

from __future__ import annotations

import re
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
