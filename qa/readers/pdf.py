"""PDF (.pdf) with pypdf: text page by page, then the page debris removed.

pypdf runs in a child process bounded in time and memory (Settings.pdf_timeout, pdf_memory_mb), so a
truncated, looping or bomb-like file fails alone, reported like any unreadable file.

Debris: running headers and footers (lines that repeat at the top or bottom of many pages once
digits are masked), page numbers in any style, contents pages (dot leaders), a tracking string
stamped on every page, lines of bare chart numbers, CJK radicals and compatibility ideographs
(⼤ -> 大). A page without a text layer is counted in Source.pages_without_text, never indexed.

Headings: the PDF's outline when it has one, else its contents page; lines numbered as headings
(一、 （一） 1.1 …); and short lines set in larger type than the body text, on pages that have body
text (a cover's large type is not a section). A chapter divider — a page past the first with no
body text and a title in display type — gives its title as a heading and drops the bullet list of
the chapter's sections it shows, which the chapter's own headings repeat. An unnumbered heading found by its
type heads the text after it like a label: the next numbered heading closes it, so it never
re-numbers a document's own sections; the same line again (a section's running header) is dropped.
"""

from __future__ import annotations

import dataclasses
import json
import re
import subprocess
import unicodedata
from collections import Counter

from ..errors import CorpusError
from ..text import clean
from . import ocr, reads_scans
from .blocks import FOOTNOTES, HEADING_MAX, Block, Source, meaningful_title, numbering, plain_heading
from .child import out_of_memory, run_bounded
from .pdf_child import largest_line
from .pdf_layout import Layout, fix_chars, line_key
from .text_lines import (
    CAPTION_START, CONTENTS_TITLE, DOT_LEADER, PAGE_NUMBER, SENTENCE_END, Line, at_margin, blocks_from_lines, caption,
    mark_short_lines, width,
)

_EDGE = 3  # lines at the top and bottom of a page where headers, footers and page numbers sit
_CHART_NUMBERS = re.compile(r"^[\d\s.,%％+\-–/:()（）]+$")
# Lines ending at one margin of a page's own that make it wrapped text (two columns, larger type);
# a cover's or a divider's lines end where their words do.
_WRAPPED_LINES = 3
_COLUMN_MIN = 12  # characters of the narrowest column whose lines wrap
_FRAGMENT_MAX = 40  # characters of a diagram's line of words
_PAGED_ENTRY = re.compile(r"\s+\d{1,3}$")  # a contents entry's page number, after its words


def read(data: bytes, source: str) -> Source:
    from ..settings import Settings

    settings = Settings.from_env()
    extracted = _extract_in_child(data, source, settings.pdf_timeout, settings.pdf_memory_mb)
    if reads_scans():
        try:
            _read_scanned_pages(extracted, data, source, settings)
        except CorpusError:
            if not any(re.search(r"\w", text or "") for text in extracted["pages"]):
                raise  # nothing to index but what OCR could not read: the file is refused, saying why
            # else the rest is indexed, and the scanned pages are reported as pages without text
    return read_laid_out(extracted)


def _read_scanned_pages(extracted: dict, data: bytes, source: str, settings) -> None:
    """The pages without a text layer read by OCR, in place: their text and lines as pypdf would give them."""
    scanned = [i + 1 for i, text in enumerate(extracted["pages"]) if not re.search(r"\w", text or "")]
    read = ocr.read_pages(data, scanned, source, settings.ocr_page_timeout, settings.ocr_memory_mb)
    for number, runs in read.items():
        extracted["pages"][number - 1] = runs.text()
        extracted["line_sizes"][number - 1] = runs.line_sizes()
        if number == 1:
            extracted["largest"] = largest_line(runs.runs)
    extracted["ocr_pages"] = sorted(read)


def read_laid_out(extracted: dict) -> Source:
    """A fixed-layout document's text as pdf_child.extract gives it (a PDF's; an OFD's, ofd.py) read into blocks: the
    debris removed, headings, paragraphs, lists, tables and footnotes found from the lines' type and place."""
    pages = [[fix_chars(clean(ln)) for ln in (text or "").splitlines()] for text in extracted["pages"]]
    without_text = tuple(i + 1 for i, lines in enumerate(pages) if not any(re.search(r"\w", ln) for ln in lines))
    lines = _without_debris(pages)
    title = extracted.get("title") or ""
    if not meaningful_title(title):
        title = extracted.get("largest") or ""
    outline = {line_key(t): level for t, level, _ in extracted.get("outline", [])}
    contents = {} if outline else _contents_headings(_contents_entries(pages))
    layout = Layout(extracted.get("line_sizes") or [], title, extracted.get("page_edges") or [])

    def known_heading(line: Line):
        return contents.get(line_key(line.text)) or layout.heading(line)

    scanned = set(extracted.get("ocr_pages", ()))
    notes: list[Block] = []
    labels: list[set[str]] = []
    for page, texts in enumerate(lines, 1):
        layout.find_rows(page, texts)
        texts[:] = layout.divider(page, texts)
        notes += layout.footnotes(page, texts)
        texts[:] = layout.join_wrapped(page, texts)
        first = layout.page_title(page, texts)
        if first is not None:
            texts.remove(first)
            texts.insert(0, first)
        texts[:] = layout.headings_before_their_text(page, texts)
        texts[:] = layout.join_wrapped_labels(page, texts)
        labels.append(layout.bold_labels(page, texts))

    blocks: list[Block] = []
    flat = [
        Line(text, page, opens=opens, cells=layout.row(page, text), label=line_key(text) in labels[page - 1])
        for page, texts in enumerate(lines, 1)
        for text, opens in zip(texts, layout.paragraph_starts(page, texts))
    ]
    marked = _line_by_line(mark_short_lines(flat))
    if all(ln.cut_short for ln in marked):  # too few lines for their widths to tell the margin (a one-page notice)
        marked = [dataclasses.replace(ln, cut_short=not layout.reaches_margin(ln)) for ln in marked]
    for b in blocks_from_lines(marked, blank_breaks=False, known_heading=known_heading):
        level = outline.get(line_key(b.text)) if b.kind in ("paragraph", "heading") else None
        if level is not None:  # the PDF's own outline names this line a heading
            b = Block("heading", b.text, level=level, page=b.page)
        if b.kind == "heading":
            # A size OCR estimated is too rough to rank numbered headings against each other: their numbers do
            estimated = b.page in scanned and numbering(b.text) is not None
            b = dataclasses.replace(b, size=None if estimated else layout.size(b.page, b.text))
        elif b.kind == "paragraph":
            b = dataclasses.replace(b, font=layout.font(b.page, b.text))
        if _fragment(b) and blocks and _fragment(blocks[-1]) and blocks[-1].page == b.page:
            before = blocks.pop()
            b = dataclasses.replace(before, text=f"{before.text} {b.text}")  # a diagram's words
        blocks.append(b)
    if notes:  # a part of their own at the end, where they break no paragraph that runs over a page
        blocks += [Block("heading", FOOTNOTES), *notes]
    meta = {k: v for k, v in extracted.get("meta", {}).items() if v}
    return Source(title=clean(title), blocks=tuple(blocks), meta=meta, pages=len(pages), pages_without_text=without_text,
                  pages_read_by_ocr=tuple(extracted.get("ocr_pages", ())))


def _fragment(block: Block) -> bool:
    """A few words that are no sentence, as a diagram's boxes give them (「针对体系化需求」, 「立场景」):
    such paragraphs in a row on a page are one passage, not one each."""
    text = block.text
    return block.kind == "paragraph" and len(text) < _FRAGMENT_MAX and not text.endswith(SENTENCE_END) and not caption(text)


def _line_by_line(lines: list[Line]) -> list[Line]:
    """Lines of a page set line by line are kept apart: a cover's 「No.202209 / 中国信息通信研究院 /
    2022年7月」, a chapter divider's list, a figure's labels. Such a page has no line to the text's
    margin, nor several lines ending at a margin of its own (columns, text in larger type)."""
    by_page: dict[int | None, list[Line]] = {}
    for ln in lines:
        if ln.text:
            by_page.setdefault(ln.page, []).append(ln)
    apart = set()
    for page, on_page in by_page.items():
        widths = [width(ln.text) for ln in on_page]
        # (a "column" narrower than a dozen characters is a slide's or a figure's short lines, alike by chance)
        narrower = max(widths) >= _COLUMN_MIN and at_margin(widths, max(widths)) >= _WRAPPED_LINES
        if all(ln.cut_short for ln in on_page) and not narrower:
            apart.add(page)
    return [dataclasses.replace(ln, own_line=True) if ln.page in apart else ln for ln in lines]


def _contents_lines(content: list[str]) -> list[str] | None:
    """A contents page's entry lines, or None when the page is not one: three or more dot-leader
    lines, or a page titled 目录 whose lines are mostly numbered headings (page numbers apart), or
    whose lines are all short and none a sentence (unnumbered chapter titles; its entries are then
    the numbered ones only, since its titles may wrap over two lines)."""
    leaders = [ln for ln in content if DOT_LEADER.search(ln)]
    if len(leaders) >= 3 and len(leaders) >= 0.3 * len(content):
        return leaders
    # Entries with their page numbers but no leaders (OCR drops the dots; some contents pages set none): numbered
    # headings, most of the page's lines, three at least ending in a page number.
    words = [ln for ln in content if not PAGE_NUMBER.match(ln)]
    entries = [ln for ln in words if plain_heading(_PAGED_ENTRY.sub("", ln)) and numbering(_PAGED_ENTRY.sub("", ln))]
    if sum(bool(_PAGED_ENTRY.search(ln)) for ln in entries) >= 3 and len(entries) >= 0.6 * len(words):
        return entries
    if not any(CONTENTS_TITLE.match(ln) for ln in content):
        return None
    words = [ln for ln in content if not PAGE_NUMBER.match(ln) and not CONTENTS_TITLE.match(ln)]
    headings = [ln for ln in words if plain_heading(ln)]
    if len(headings) >= 5 and len(headings) >= 0.6 * len(words):
        return headings
    titles = len(words) >= 3 and all(len(ln) <= HEADING_MAX and not ln.endswith(("。", "；", ";")) for ln in words)
    return headings if titles else None


def _contents_entries(pages: list[list[str]]) -> list[str]:
    """The entries of the contents pages, page numbers removed; not those of a list of figures or
    tables (图表 16：…), which are captions."""
    entries = []
    for lines in pages:
        for ln in _contents_lines([ln for ln in lines if ln]) or ():
            entry = _PAGED_ENTRY.sub("", DOT_LEADER.sub("", ln)).strip()
            if entry and not CAPTION_START.match(entry):
                entries.append(entry)
    return entries


def _contents_headings(entries: list[str]) -> dict[str, tuple[str, int | None]]:
    """Body lines the contents page names as headings, by key: (the heading as listed, None). An
    unnumbered entry heads the text after it like a label, up to the next heading: numbered
    chapters listed beside it (flex's 「常用符号」 before 「1.引言」) are its siblings, not its
    children. A numbered entry is found by its numbering already, but its words alone (「编制背景」
    where the contents list 「一、编制背景」) are that heading too, and take the entry's number, so the
    cites follow the document's own numbering."""
    out: dict[str, tuple[str, int | None]] = {}
    for entry in entries:
        found = numbering(entry) if plain_heading(entry) else None
        if found is None:
            out.setdefault(line_key(entry), (entry, None))
        elif found[2]:
            out.setdefault(line_key(found[2]), (entry, None))
    return out


def _without_debris(pages: list[list[str]]) -> list[list[str]]:
    n = len(pages)
    # (folded to one width: OCR reads a header's brackets full-width on one page and half-width on the next)
    masked = lambda s: re.sub(r"\d+", "#", re.sub(r"\s+", "", unicodedata.normalize("NFKC", s)))  # noqa: E731
    edge_counts: Counter = Counter()
    all_counts: Counter = Counter()
    for lines in pages:
        content = [ln for ln in lines if ln]
        edge_counts.update({masked(ln) for ln in content[:_EDGE] + content[-_EDGE:]})
        all_counts.update(set(content))
    repeated_edge = {k for k, c in edge_counts.items() if n >= 4 and c >= max(3, 0.3 * n)}
    stamped = {k for k, c in all_counts.items() if n >= 4 and c >= max(3, 0.5 * n)}
    out = []
    for lines in pages:
        content = [ln for ln in lines if ln]
        if _contents_lines(content) is not None:
            out.append([])  # a contents page
            continue
        kept = []
        for i, ln in enumerate(content):
            at_edge = i < _EDGE or i >= len(content) - _EDGE
            if ln in stamped or (at_edge and (masked(ln) in repeated_edge or PAGE_NUMBER.match(ln))):
                continue
            if DOT_LEADER.search(ln) or _CHART_NUMBERS.match(ln):
                continue
            kept.append(ln)
        out.append(kept)
    return out


# --------------------------------------------------------------------------- the child process


def _extract_in_child(data: bytes, source: str, timeout: float, memory_mb: int) -> dict:
    # A child stopped by a signal is run once more: a kill from outside (the system's out-of-memory killer making room
    # for another program) says nothing of the file. Stopped again, the file is refused.
    for attempt in range(2):
        try:
            done = run_bounded("pdf_child.py", [], data, timeout, memory_mb)
        except subprocess.TimeoutExpired:
            raise CorpusError(f"{source}: reading this PDF took over {timeout:.0f} s (malformed or hostile file); not indexed") from None
        if done.returncode >= 0:
            break
    if done.returncode != 0:
        stderr = done.stderr.decode("utf-8", "replace")
        tail = stderr.strip().splitlines()
        why = tail[-1] if tail else f"the PDF reader stopped (exit {done.returncode})"
        if out_of_memory(stderr):
            why = f"reading it needed over {memory_mb} MB (malformed or hostile file)"
        elif done.returncode < 0:
            why = f"the PDF reader was stopped by signal {-done.returncode} twice (over {memory_mb} MB, or a malformed or hostile file)"
        raise CorpusError(f"{source}: cannot be read as a PDF ({why})")
    return json.loads(done.stdout)
