"""Plain text (.txt): typed text, or text extracted from a PDF with its page debris."""

from __future__ import annotations

import re

from .blocks import Source, space_articles
from .text_lines import (
    DOT_LEADER, PAGE_NUMBER, Line, blocks_from_lines, contents_rows, decode, mark_short_lines, running_headers,
)
from ..text import clean

_TITLE_MAX = 60
_PAGE_BREAK = re.compile(r"\s*\f\s*")


def read(data: bytes, source: str) -> Source:
    # A form feed is a page break (pdftotext writes one between pages), not a paragraph break.
    text = _PAGE_BREAK.sub("\n", decode(data, source))
    # Article numbers typed without a space are spaced before lines join: each opens a paragraph.
    raw = space_articles([clean(ln) for ln in text.splitlines()])
    debris = _page_debris(raw) | contents_rows(raw, lambda ln: bool(DOT_LEADER.search(ln)))
    lines = [Line(ln) for i, ln in enumerate(raw) if i not in debris]
    nonblank = [i for i, ln in enumerate(lines) if ln.text]
    # Some extractors write a blank line after every line: then blank lines say nothing.
    followed = sum(1 for i in nonblank if i + 1 < len(lines) and not lines[i + 1].text)
    blank_breaks = not (len(nonblank) >= 8 and followed >= 0.8 * len(nonblank))
    blocks = blocks_from_lines(mark_short_lines(lines), blank_breaks)
    title = ""
    if blocks and blocks[0].kind == "paragraph" and _title_like(blocks[0].text):
        title = blocks.pop(0).text  # a first short line that is no sentence: the title
    return Source(title=title, blocks=tuple(blocks))


def _page_debris(raw: list[str]) -> set[int]:
    """The rows of running headers and page numbers, with the blank lines around them: a page break,
    across which a paragraph may run on (「…谋篇布局、」, a header and a page number, 「把舵定向。…」);
    where it does is for the lines on either side to say, as anywhere else."""
    headers = running_headers(raw)
    out: set[int] = set()
    for i, ln in enumerate(raw):
        if ln and (ln in headers or PAGE_NUMBER.match(ln)):
            out.add(i)
            for step in (-1, 1):
                j = i + step
                while 0 <= j < len(raw) and not raw[j]:
                    out.add(j)
                    j += step
    return out


def _title_like(text: str) -> bool:
    return len(text) <= _TITLE_MAX and not any(p in text for p in "。！？；，,;")
