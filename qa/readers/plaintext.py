"""Plain text (.txt): typed text, or text extracted from a PDF with its page debris."""

from __future__ import annotations

from .blocks import Source, space_articles
from .text_lines import PAGE_NUMBER, Line, blocks_from_lines, decode, mark_short_lines, running_headers
from ..text import clean

_TITLE_MAX = 60


def read(data: bytes, source: str) -> Source:
    # Article numbers typed without a space are spaced before lines join: each opens a paragraph.
    raw = space_articles([clean(ln) for ln in decode(data, source).splitlines()])
    headers = running_headers(raw)
    lines = [Line("" if ln in headers or PAGE_NUMBER.match(ln) else ln) for ln in raw]
    nonblank = [i for i, ln in enumerate(lines) if ln.text]
    # Some extractors write a blank line after every line: then blank lines say nothing.
    followed = sum(1 for i in nonblank if i + 1 < len(lines) and not lines[i + 1].text)
    blank_breaks = not (len(nonblank) >= 8 and followed >= 0.8 * len(nonblank))
    blocks = blocks_from_lines(mark_short_lines(lines), blank_breaks)
    title = ""
    if blocks and blocks[0].kind == "paragraph" and _title_like(blocks[0].text):
        title = blocks.pop(0).text  # a first short line that is no sentence: the title
    return Source(title=title, blocks=tuple(blocks))


def _title_like(text: str) -> bool:
    return len(text) <= _TITLE_MAX and not any(p in text for p in "。！？；，,;")
