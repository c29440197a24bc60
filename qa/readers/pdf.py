"""PDF (.pdf) with pypdf: text page by page, then the page debris removed.

pypdf runs in a child process bounded in time and memory (Settings.pdf_timeout, pdf_memory_mb), so a
truncated, looping or bomb-like file fails alone, reported like any unreadable file.

Debris: running headers and footers (lines that repeat at the top or bottom of many pages once
digits are masked), page numbers in any style, contents pages (dot leaders), a tracking string
stamped on every page, lines of bare chart numbers, CJK radicals and compatibility ideographs
(⼤ -> 大). A page without a text layer is counted in Source.pages_without_text, never indexed.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import unicodedata
from collections import Counter
from pathlib import Path

from ..errors import CorpusError
from ..text import clean
from .blocks import Block, Source, numbering, plain_heading
from .text_lines import PAGE_NUMBER, Line, blocks_from_lines, mark_short_lines

_EDGE = 3  # lines at the top and bottom of a page where headers, footers and page numbers sit
_DOT_LEADER = re.compile(r"(?:\.{4,}|…{2,}|·{4,}|\. \. \. )\s*\d{1,4}\s*$")
_CHART_NUMBERS = re.compile(r"^[\d\s.,%％+\-–/:()（）]+$")
_CONTENTS_TITLE = re.compile(r"^\s*(目\s*录|目\s*次|contents|table of contents)\s*$", re.I)
_CAPTION = re.compile(r"^(图表|图|表|附图|附表|figure|fig\.|table|exhibit)\s*[\d一二三四五六七八九十]", re.I)
_SPACED_CJK = re.compile(r"(?<=[\u4e00-\u9fff\u3000-\u303f\uff00-\uffef]) (?=[\u4e00-\u9fff\u3000-\u303f\uff00-\uffef])")
_SUPERSCRIPTS = str.maketrans("", "", "⁰¹²³⁴⁵⁶⁷⁸⁹")
# Titles authoring tools write for every file: not the document's.
_BAD_TITLE = re.compile(r"^(microsoft\s+(word|powerpoint)\s*-|untitled|无标题|powerpoint\s*演示文稿|演示文稿)|www\.|https?:|\.[a-z]{2,5}$", re.I)


def read(data: bytes, source: str) -> Source:
    from ..settings import Settings

    settings = Settings.from_env()
    extracted = _extract_in_child(data, source, settings.pdf_timeout, settings.pdf_memory_mb)
    pages = [[_fix_chars(clean(ln)) for ln in (text or "").splitlines()] for text in extracted["pages"]]
    without_text = tuple(i + 1 for i, lines in enumerate(pages) if not any(re.search(r"\w", ln) for ln in lines))
    lines = _without_debris(pages)
    outline = {_key(t): level for t, level, _ in extracted.get("outline", [])}
    contents = {} if outline else _contents_headings(_contents_entries(pages))
    blocks: list[Block] = []
    flat = [Line(text, page) for page, texts in enumerate(lines, 1) for text in texts]
    for b in blocks_from_lines(mark_short_lines(flat), blank_breaks=False, known_heading=lambda t: contents.get(_key(t))):
        level = outline.get(_key(b.text)) if b.kind in ("paragraph", "heading") else None
        if level is not None:  # the PDF's own outline names this line a heading
            b = Block("heading", b.text, level=level, page=b.page)
        blocks.append(b)
    title = extracted.get("title") or ""
    if not title or _BAD_TITLE.search(title) or len(title) > 80:
        title = extracted.get("largest") or ""
    meta = {k: v for k, v in extracted.get("meta", {}).items() if v}
    return Source(title=clean(title), blocks=tuple(blocks), meta=meta, pages=len(pages), pages_without_text=without_text)


def _key(text: str) -> str:
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text))


def _fix_chars(text: str) -> str:
    """CJK radicals and compatibility ideographs some PDF fonts map to (⼤, 﨑) as the usual characters;
    superscript footnote markers dropped."""
    if any("\u2e80" <= ch <= "\u2fdf" or "\uf900" <= ch <= "\ufaff" for ch in text):
        text = "".join(
            unicodedata.normalize("NFKC", ch) if "\u2e80" <= ch <= "\u2fdf" or "\uf900" <= ch <= "\ufaff" else ch for ch in text
        )
    # Letter-spaced type (「为 隐 私 计 算」) comes out with a space between every character.
    return _SPACED_CJK.sub("", text.translate(_SUPERSCRIPTS))


def _contents_lines(content: list[str]) -> list[str] | None:
    """A contents page's entry lines, or None when the page is not one: three or more dot-leader
    lines, or a page titled 目录 whose lines are mostly numbered headings (page numbers apart)."""
    leaders = [ln for ln in content if _DOT_LEADER.search(ln)]
    if len(leaders) >= 3 and len(leaders) >= 0.3 * len(content):
        return leaders
    if not any(_CONTENTS_TITLE.match(ln) for ln in content):
        return None
    words = [ln for ln in content if not PAGE_NUMBER.match(ln) and not _CONTENTS_TITLE.match(ln)]
    headings = [ln for ln in words if plain_heading(ln)]
    return headings if len(headings) >= 5 and len(headings) >= 0.6 * len(words) else None


def _contents_entries(pages: list[list[str]]) -> list[str]:
    """The entries of the contents pages, page numbers removed; not those of a list of figures or
    tables (图表 16：…), which are captions."""
    entries = []
    for lines in pages:
        for ln in _contents_lines([ln for ln in lines if ln]) or ():
            entry = _DOT_LEADER.sub("", ln).strip()
            if entry and not _CAPTION.match(entry):
                entries.append(entry)
    return entries


def _contents_headings(entries: list[str]) -> dict[str, tuple[str, int | None]]:
    """Body lines the contents page names as headings, by key: (the heading as listed, its level).
    An unnumbered entry is a heading of level 1; a numbered one is found by its numbering already,
    but its words alone (「编制背景」 where the contents list 「一、编制背景」) are that heading too, and
    take the entry's number, so the cites follow the document's own numbering."""
    out: dict[str, tuple[str, int | None]] = {}
    for entry in entries:
        found = numbering(entry) if plain_heading(entry) else None
        if found is None:
            out.setdefault(_key(entry), (entry, 1))
        elif found[2]:
            out.setdefault(_key(found[2]), (entry, None))
    return out


def _without_debris(pages: list[list[str]]) -> list[list[str]]:
    n = len(pages)
    masked = lambda s: re.sub(r"\d+", "#", re.sub(r"\s+", "", s))  # noqa: E731
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
            if _DOT_LEADER.search(ln) or _CHART_NUMBERS.match(ln):
                continue
            kept.append(ln)
        out.append(kept)
    return out


# --------------------------------------------------------------------------- the child process


def _extract_in_child(data: bytes, source: str, timeout: float, memory_mb: int) -> dict:
    def limits():  # in the child, before it runs: a bound on its address space
        import resource

        limit = memory_mb * 2**20
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))

    try:
        done = subprocess.run(
            [sys.executable, "-I", str(Path(__file__).with_name("pdf_child.py"))],
            input=data,
            capture_output=True,
            timeout=timeout,
            preexec_fn=limits if os.name == "posix" else None,
            env={**os.environ, "PYTHONWARNINGS": "ignore"},
        )
    except subprocess.TimeoutExpired:
        raise CorpusError(f"{source}: reading this PDF took over {timeout:.0f} s (malformed or hostile file); not indexed") from None
    if done.returncode != 0:
        tail = done.stderr.decode("utf-8", "replace").strip().splitlines()
        why = tail[-1] if tail else f"the PDF reader stopped (exit {done.returncode})"
        if done.returncode < 0 or re.search(r"MemoryError|[Mm]emory allocation|Cannot allocate", done.stderr.decode("utf-8", "replace")):
            why = f"reading it needed over {memory_mb} MB (malformed or hostile file)"
        raise CorpusError(f"{source}: cannot be read as a PDF ({why})")
    return json.loads(done.stdout)
