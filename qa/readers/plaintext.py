"""Plain text (.txt): typed text, or text extracted from a PDF with its page debris."""

from __future__ import annotations

import re

from . import markdown
from .blocks import SENTENCE_PUNCT, Source, space_articles
from .tables import render_rows
from .text_lines import (
    PAGE_NUMBER, SENTENCE_END, Line, blocks_from_lines, contents_rows, decode, mark_short_lines, phrase_line, running_headers,
    width,
)
from ..text import clean

_TITLE_MAX = 60
# Lines only Markdown writes: a heading's #s, a line in bold, a table's rule, a code fence. Two make a text file Markdown.
_MARKDOWN_CUE = re.compile(r"^\s{0,3}(?:#{1,6}[ \t]+\S|\*\*[^*]+\*\*\s*$|\|?\s*:?-{3,}:?\s*\||```)")
_MARKDOWN_CUES = 2
_TAB_TABLE_LINES = 3  # a header and two rows
_HEADER_CELL_MAX = 30
_SET_APART_INDENT = 16  # half-width spaces before a line set apart (8 full-width ones)
_LABEL_NARROWER = 1.5  # a label line is narrower than the running text after it by this factor at least
_RUNNING_CHINESE = 8  # Chinese characters in a line of running text
_CHINESE = re.compile(r"[\u4e00-\u9fff]")
_NOT_A_CELL = re.compile(r"^$|.*[：:]$|^(?:[(（]?[\d一二三四五六七八九十]{1,3}[.．、)）]?|第[\d一二三四五六七八九十百]+[章节条]|[•·●○■□◆▪►*-]+)$")


def read(data: bytes, source: str) -> Source:
    decoded = decode(data, source)
    if sum(1 for ln in decoded.splitlines() if _MARKDOWN_CUE.match(ln)) >= _MARKDOWN_CUES:
        return markdown.read(data, source)  # Markdown saved as .txt (notes exported, a chat's answer pasted)
    # A form feed is a page break (pdftotext writes one between pages), not a paragraph break.
    text = "\n".join(page.strip() for page in decoded.split("\f"))
    # Article numbers typed without a space are spaced before lines join: each opens a paragraph.
    typed = text.splitlines()
    raw = space_articles([clean(ln) for ln in typed])
    debris = _page_debris(raw) | contents_rows(raw)
    rows = _tab_table_rows(typed)  # each row already one sentence 「header：value；…」: a line of one cell
    labels = _label_lines(raw)
    lines = [
        Line(ln, own_line=_set_apart(typed[i]) or i in labels, cells=(rows[i],) if i in rows else ())
        for i, ln in enumerate(raw) if i not in debris and rows.get(i) != ""
    ]
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


def _tab_table_rows(typed: list[str]) -> dict[int, str]:
    """A table typed or pasted with tabs between its cells (from Word or a spreadsheet): a header and two rows
    or more in a row, with as many cells each, two at least, the header's short and no sentence. Not where
    the first "cell" is empty (a tab indents the line), a list's marker (Word's 「1.<tab>…」 pasted as text)
    or a label (「地址：<tab>…」); nor a PDF's formulas, whose extracted lines hold tabs. Each row is the
    sentence 「header：value；…」, by the row's number; the header row is ""."""
    out: dict[int, str] = {}
    run: list[int] = []

    def cells(i: int) -> list[str]:
        found = [c.strip() for c in typed[i].split("\t")] if "\t" in typed[i].strip() else []
        return [] if not found or _NOT_A_CELL.match(found[0]) else found

    for i in [*range(len(typed)), None]:
        width = len(cells(i)) if i is not None else 0
        if width >= 2 and (not run or width == len(cells(run[0]))):
            run.append(i)
            continue
        header = cells(run[0]) if run else []
        if len(run) >= _TAB_TABLE_LINES and all(0 < len(c) <= _HEADER_CELL_MAX and not SENTENCE_PUNCT.search(c) for c in header):
            out[run[0]] = ""
            out.update({j: next(iter(render_rows([header, cells(j)])), "") for j in run[1:]})
        run = [i] if width >= 2 else []
    return out


def _set_apart(typed: str) -> bool:
    """A line pushed right or centred with spaces (a signature's 「某某省人民政府」 over its date): a line of its own, not
    a wrap of the one before, nor glued to the next (「某某省人民政府2024年3月1日」). A paragraph's indent is 2 full-width
    spaces."""
    indent = typed[: len(typed) - len(typed.lstrip(" \u3000\t"))]
    return indent.count(" ") + 2 * indent.count("\u3000") + 4 * indent.count("\t") >= _SET_APART_INDENT


def _label_lines(raw: list[str]) -> set[int]:
    """Lines that are a heading in words alone, typed with no blank line around them (Word saved as text: 「市场概况」
    over 「近年来，我省…。」): a phrase with no punctuation at all, after a sentence's end (not a colon's: after one it
    is an item, 「小额贷款」), first, or after the title's line, before a line of running text more than half again as
    wide. Set apart, not run into the paragraph after them; a wrapped paragraph's short first line is as wide as the next."""
    out: set[int] = set()
    filled = [i for i, ln in enumerate(raw) if ln]
    for before, i, after in zip([None, *filled], filled, [*filled[1:], None]):
        text = raw[i]
        if after is None or not phrase_line(text) or not text[-1].isalnum() or not SENTENCE_PUNCT.search(raw[after]):
            continue
        ended = raw[before].endswith(SENTENCE_END) and not raw[before].endswith(("：", ":")) if before is not None else True
        opens = ended or before == filled[0] and phrase_line(raw[before])
        running = len(_CHINESE.findall(raw[after])) >= _RUNNING_CHINESE  # not a formula's residue (「∇ w𝐿= 2𝑙#…，」)
        if opens and running and width(text) * _LABEL_NARROWER < width(raw[after]):
            out.add(i)
    return out


def _title_like(text: str) -> bool:
    return len(text) <= _TITLE_MAX and not any(p in text for p in "。！？；，,;")
