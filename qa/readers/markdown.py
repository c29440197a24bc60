"""Markdown (.md): front matter, headings at any level (# or underlined), paragraphs, blockquotes, lists,
GFM tables, and the plain-text headings many converted reports carry (一、 lines, 【…】, a bold-only line)."""

from __future__ import annotations

import itertools
import re

from .blocks import BULLET, FOOTNOTES, Block, Source, bold_only, is_list_item, plain_heading, strip_inline
from .tables import CELL_BORDER, GRID_BORDER, SIMPLE_RULE, GridRows, TableRows, html_table_rows, render_rows, simple_cells
from .text_lines import CAPTION_START, contents_rows, decode, join_lines, phrase_list

_ATX = re.compile(r"^\s{0,3}(#{1,6})(.*)$")  # its closing #s are stripped apart: in the pattern they made it quadratic
_BLOCK_SCALAR = re.compile(r"^[|>][+-]?\d?$")  # YAML's folded (>) or literal (|) value on the lines below
_FRONT = re.compile(r"\A\ufeff?---[ \t]*\n(.*?\n)---[ \t]*(?:\n|\Z)", re.S)
_META_KEYS = {"title": "title", "date": "date", "publishedat": "date", "published": "date", "sourceurl": "source_url",
              "url": "source_url", "link": "source_url", "source": "source", "author": "author"}
_ENUMERATED = re.compile(r"^\s*(?:\d{1,2}[)）]|[(（]\d{1,2}[)）]|[①-⑳])")
_MD_ITEM = re.compile(r"^\s*(?:[-*+•·]|\d{1,2}[.)、）])\s+")
_IMAGES = re.compile(r"\[?!\[[^\[\]]*\]\([^()]*\)(?:\]\([^()]*\))?")
# The alt text of a figure standing alone is a passage when it is a caption (图1：…, 表 2 …), not a
# placeholder such as 「历史图片暂不可用」.
_LEADING_BOLD = re.compile(r"^\s*\*\*(?P<head>[^*]{2,40}?)\*\*(?P<rest>\S.*)$")
_FOOTNOTE = re.compile(r"^\s{0,3}\[\^([^\]\s]+)\]:\s*(.*)$")  # [^1]: its text, further lines indented
_QUOTE = re.compile(r"^\s{0,3}(?:>\s?)+")  # a blockquote's markers: its text is text
_CALLOUT = re.compile(r"^\s*\[![A-Za-z]+\][+-]?\s*")  # > [!NOTE] (GitHub, Obsidian): the callout's kind; a title after it stays
_CONTAINER = re.compile(r"^\s{0,3}:{3,}")  # a custom container's fence, with its kind and title
_SUMMARY = re.compile(r"<summary\b[^<>]*>([^<]*)</summary>", re.I)  # [^<]: stops at the next tag, linear
_LINK_DEFINITION = re.compile(r"^\s{0,3}\[[^\]^][^\]]*\]:\s*\S+")  # [1]: http://… (where a reference link points)
_HEADING_ATTRIBUTES = re.compile(r"\s*\{[#.][^}]*\}\s*$")  # ## 概述 {#intro}
_TASK = re.compile(r"^\[[ xX]\]\s+")  # - [x] a task list's box
_HTML_TABLE = re.compile(r"^\s*<table\b", re.I)
_HTML_HEADING = re.compile(r"^\s*<h([1-6])\b[^>]*>(.*?)</h\1>\s*$", re.I)  # <h2>…</h2> on a line of its own
# A contents list: items that are links to the document's own headings (「- [一、概述](#一概述)」, as converters
# write them), a [TOC] marker; lines ending in dot leaders and page numbers are text_lines.contents_rows.
_ANCHOR_LINK = re.compile(r"\[[^\[\]]+\]\(#[^)]*\)(?:\s*+(?:(?:\.{2,}+|…++)\s*+)?\d{1,4})?")
_TOC_MARKER = re.compile(r"^\s*(?:\[TOC\]|\[\[_?TOC_?\]\]|\$\{toc\}|@\[toc\](?:\([^)]*\))?)\s*$", re.I)
# HTML blocks written into Markdown (a web page clipped to Markdown): each <p> or <div> a paragraph, each <li> an
# item, an <img>'s alt text as a Markdown image's. Not inside a pipe table's row, where <br> and tags are a cell's.
# (A tag runs to its > with no < inside: so a line of unclosed 「<img alt="」 is read in linear time.)
_HTML_BLOCK = re.compile(r"</?(?:p|div|section|article|ul|ol|li|figure|figcaption|center)\b[^<>]*>", re.I)
_HTML_IMAGE = re.compile(r"<img\b[^<>]*>", re.I)
_ALT = re.compile(r"""\balt\s*=\s*(?:"([^"]*)"|'([^']*)')""", re.I)
_SETEXT = re.compile(r"^\s{0,3}(=+|-{2,})\s*$")  # under a line of text: that line is a heading (= level 1, - level 2)


def front_matter(text: str) -> tuple[dict, str]:
    """YAML front matter as metadata (title, date, source URL, author), and the text after it.
    Only top-level `key: value` lines are read: its lists (summary, tags) repeat the body."""
    m = _FRONT.match(text)
    if not m:
        return {}, text
    meta = {}
    lines = m.group(1).splitlines()
    for i, line in enumerate(lines):
        kv = re.match(r"^([A-Za-z_]\w*)\s*:\s*(.*)$", line)
        if kv and kv.group(1).lower() in _META_KEYS and kv.group(2).strip():
            value = kv.group(2).strip()
            if _BLOCK_SCALAR.match(value):  # title: > (or |) and the value on the indented lines after it
                block = itertools.takewhile(lambda ln: not ln.strip() or ln[:1] in " \t", lines[i + 1 :])
                value = join_lines([ln.strip() for ln in block])
            if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
                value = value[1:-1]
            if value.strip():
                meta.setdefault(_META_KEYS[kv.group(1).lower()], value.strip())
    # keep the line count, so line numbers in messages still match the file
    return meta, "\n" * m.group(0).count("\n") + text[m.end() :]


def read(data: bytes, source: str) -> Source:
    meta, text = front_matter(decode(data, source))
    parser = _Parser()
    lines = text.splitlines()
    contents = contents_rows(lines)
    for row, raw in enumerate(lines):
        parser.line("" if row in contents else raw)
    blocks = parser.finish()
    title = meta.get("title", "")
    # A single level-1 heading above all others is the document's title, not a section.
    h1 = [i for i, b in enumerate(blocks) if b.kind == "heading" and b.level == 1]
    first_heading = next((i for i, b in enumerate(blocks) if b.kind == "heading"), None)
    if len(h1) == 1 and h1[0] == first_heading:
        title = title or blocks[h1[0]].text
        del blocks[h1[0]]
    return Source(title=strip_inline(title), blocks=tuple(blocks), meta=meta)


class _Parser:
    """Line by line: a block ends at a blank line, a heading, or where a list or table starts."""

    def __init__(self):
        self.blocks: list[Block] = []
        self.para: list[str] = []
        self.items: list[list[str]] | None = None
        self.table: TableRows | None = None
        self.grid: GridRows | None = None  # a grid table's rows so far
        self.simple: list[list[str]] | None = None  # a simple table's rows so far, its header first
        self.gap = False  # a blank line since the open list or table's last line
        self.fence = False
        self.notes: list[list[str]] = []  # footnotes, a part of their own at the end
        self.in_note = False
        self.html_table: list[str] | None = None  # the lines of an HTML table until </table>
        self.comment = False  # inside an HTML comment running over lines
        self.summaries: set[int] = set()  # the blocks that are a <details> block's <summary>

    def line(self, raw: str) -> None:
        if raw.strip().startswith(("```", "~~~")):
            self.fence = not self.fence
            return
        if self.fence:
            self.text(raw)
            return
        if self.comment or "<!--" in raw:  # an HTML comment is no text, on one line or several
            raw, self.comment = _without_comments(raw, self.comment)
            if self.comment and not raw.strip():
                return
        if self.html_table is not None or _HTML_TABLE.match(raw):
            self.html_line(raw)
            return
        if "<summary" in raw.lower() and _SUMMARY.search(raw):  # <details><summary>…: what a collapsed block is about
            at = 0
            for summary in _SUMMARY.finditer(raw):
                self.line(raw[at : summary.start()])  # holds no summary: one level down at most
                self.flush()
                text = strip_inline(summary.group(1))
                if text:
                    self.summaries.add(len(self.blocks))
                    self.blocks.append(Block("paragraph", text))
                at = summary.end()
            self.line(raw[at:])
            return
        if (_HTML_BLOCK.search(raw) or _HTML_IMAGE.search(raw)) and not CELL_BORDER.search(raw):
            for part in _html_block_lines(raw):
                self.line(part)
            return
        quoted = _QUOTE.match(raw)
        raw = _CALLOUT.sub("", _QUOTE.sub("", raw)) if quoted else raw
        if _CONTAINER.match(raw):  # ::: tip 提示 … ::: (VuePress, Docusaurus, Yuque): its text is text, the markers not
            self.flush()
            return
        if _LINK_DEFINITION.match(raw) or _TOC_MARKER.match(raw):
            return
        stripped = raw.strip()
        if self.grid is not None and self.grid.add(raw) or self.simple is not None and self.simple_row(stripped):
            return
        if self.grid is not None or self.simple is not None:
            self.flush()  # the line after the table
            if not stripped or SIMPLE_RULE.match(raw):  # the table's closing rule
                return
        if GRID_BORDER.match(raw):
            self.flush()
            self.grid = GridRows()
            self.grid.add(raw)
            return
        if SIMPLE_RULE.match(raw) and len(self.para) == 1 and self.items is None and self.table is None:
            self.simple = [simple_cells(self.para.pop())]  # the line above the rule is the header
            return
        setext = _SETEXT.match(raw)
        if setext and len(self.para) == 1 and self.items is None and self.table is None:
            heading, self.para = self.para[0], []
            self.heading(heading, 1 if setext.group(1)[0] == "=" else 2)
            return
        if setext:  # a rule between blocks
            self.flush()
            return
        note = _FOOTNOTE.match(raw)
        if note or self.in_note and stripped and raw[:1] in (" ", "\t"):
            if note:
                self.flush()
                self.notes.append([f"[{note.group(1)}]", note.group(2)])
            else:
                self.notes[-1].append(stripped)
            self.in_note = True
            return
        self.in_note = False
        if not stripped or not strip_inline(stripped) and "|" not in stripped:
            self.end_paragraph()
            self.gap = True
            return
        heading = _ATX.match(raw)
        text = heading.group(2).strip().rstrip("#").rstrip() if heading else ""
        if text:
            self.flush()
            self.heading(text, len(heading.group(1)))
            return
        heading = _HTML_HEADING.match(raw)
        if heading and strip_inline(heading.group(2)):
            self.flush()
            self.heading(heading.group(2), int(heading.group(1)))
            return
        pipes = len(CELL_BORDER.findall(stripped))
        if self.table is not None and pipes and (not self.gap or pipes >= 2):
            self.table.add(stripped)
            self.gap = False
            return
        if stripped.startswith("|") or (pipes >= 2 and not self.para):
            self.flush()
            self.table = TableRows()
            self.table.add(stripped)
            self.gap = False
            return
        if _MD_ITEM.match(raw) or BULLET.match(raw) and is_list_item(raw):
            self.item(raw)
            return
        bold = bold_only(stripped)
        if bold:
            self.flush()
            self.heading(bold, None)
            return
        glued = _LEADING_BOLD.match(stripped)
        if glued and plain_heading(strip_inline(glued.group("head")), emphasised=True):
            self.flush()  # 「**三、…。**2025年11月…」: the heading, then its text
            self.heading(glued.group("head"), None)
            stripped = glued.group("rest")
        elif plain_heading(strip_inline(stripped), enumerations=False):
            self.flush()
            self.heading(stripped, None)
            return
        elif self.items is not None and not self.gap:
            self.items[-1].append(stripped)  # a wrapped item's next line
            return
        if self.items is not None or self.table is not None:
            self.flush()
        self.text(stripped)

    def text(self, line: str) -> None:
        self.para.append(line)

    def simple_row(self, line: str) -> bool:
        """Take a line of a simple table; False at its end (a blank line or its closing rule)."""
        if not line or SIMPLE_RULE.match(line):
            return False
        self.simple.append(simple_cells(line))
        return True

    def html_line(self, raw: str) -> None:
        if self.html_table is None:
            self.flush()
            self.html_table = []
        self.html_table.append(raw)
        if "</table>" in raw.lower():
            rows = render_rows(html_table_rows("\n".join(self.html_table)))
            self.html_table = None
            if rows:
                self.blocks.append(Block("table", "", tuple(rows)))

    def heading(self, text: str, level: int | None) -> None:
        text = strip_inline(_HEADING_ATTRIBUTES.sub("", text))
        if text:
            self.blocks.append(Block("heading", text, level=level))

    def item(self, raw: str) -> None:
        self.end_paragraph()
        if self.table is not None:
            self.flush()
        if self.items is None:
            self.items = []
        self.items.append([_TASK.sub("", BULLET.sub("", raw.strip(), count=1))])
        self.gap = False

    def end_paragraph(self) -> None:
        stripped = [strip_inline(x) for x in self.para]  # once: the checks below and the text all read it
        if len(self.para) > 1 and all(_ENUMERATED.match(x) for x in self.para):
            self.para = []  # 「1）…」 lines in a row: a list
            self.blocks.append(Block("list", "", tuple(i for i in stripped if i)))
            return
        lead = phrase_list(stripped)
        if lead is not None:  # 「主要产品包括：」 over 「小额贷款」 「融资租赁」, a line each: its list, not 「…包括：小额贷款融资租赁」
            self.para = self.para[:lead]
            self.end_paragraph()
            self.blocks.append(Block("list", "", tuple(i for i in stripped[lead:] if i)))
            return
        if self.para:
            text = join_lines(stripped)
            only_images = not _IMAGES.sub("", " ".join(self.para)).strip()
            self.para = []
            # A figure alone keeps its caption (alt text) when it has one worth reading; 「图片暂不可用」 is none.
            if text and not (only_images and not CAPTION_START.match(text)):
                self.blocks.append(Block("paragraph", text))

    def flush(self) -> None:
        self.end_paragraph()
        if self.items is not None:
            contents = len(self.items) > 1 and all(len(item) == 1 and _ANCHOR_LINK.fullmatch(item[0].strip()) for item in self.items)
            items = [] if contents else [join_lines([strip_inline(x) for x in item]) for item in self.items]
            items = [i for i in items if i]
            self.items = None
            if len(items) == 1 and plain_heading(items[0]) or len(items) == 1 and _label(items[0]):
                self.blocks.append(Block("heading", items[0]))  # 「1. **高端酒**」 alone: a label
            elif len(items) == 1:
                self.blocks.append(Block("paragraph", items[0]))
            elif items:
                self.blocks.append(Block("list", "", tuple(items)))
        rendered = [t.rendered() for t in (self.table, self.grid) if t is not None]
        if self.simple is not None:
            rendered.append(render_rows(self.simple))
        self.table = self.grid = self.simple = None
        for rows in filter(None, rendered):
            self.blocks.append(Block("table", "", tuple(rows)))
        self.gap = False

    def finish(self) -> list[Block]:
        if self.html_table is not None:  # never closed: what there is
            self.html_line("</table>")
        self.flush()
        notes = [Block("paragraph", f"{mark} {join_lines([strip_inline(x) for x in lines])}") for mark, *lines in self.notes]
        return self.summarised() + ([Block("heading", FOOTNOTES), *notes] if notes else [])

    def summarised(self) -> list[Block]:
        """The blocks, each <summary> joined to the block after it as its lead-in: of a paragraph (a FAQ's 「如何申请？」
        over its answer, which the highlight then takes in), a list or a table. Alone it was a passage that said only what
        to click."""
        out: list[Block] = []
        for i, b in enumerate(self.blocks):
            if out and i - 1 in self.summaries and b.kind == "paragraph":
                out[-1] = Block("list", out[-1].text, (b.text,))
            elif out and i - 1 in self.summaries and b.kind in ("list", "table") and not b.text:
                out[-1] = Block(b.kind, out[-1].text, b.items)
            else:
                out.append(b)
        return out


def _html_block_lines(raw: str) -> list[str]:
    """A line holding HTML blocks as Markdown lines: a blank line where a block opens or closes, 「- 」 before
    an item, an image's alt text as `![alt]()`."""
    raw = _HTML_IMAGE.sub(lambda m: f"![{_alt_text(m.group(0))}]()", raw)
    out: list[str] = []
    at = 0
    for m in _HTML_BLOCK.finditer(raw):
        out += [raw[at : m.start()], ""]
        if m.group(0).lower().startswith("<li"):
            out.append("- ")
        at = m.end()
    out.append(raw[at:])
    lines: list[str] = []
    for part in out:  # an item's text joins its 「- 」
        if lines and lines[-1] == "- " and part.strip():
            lines[-1] += part.strip()
        elif part.strip() or not lines or lines[-1].strip():
            lines.append(part if part.strip() else "")
    return lines


def _alt_text(tag: str) -> str:
    found = _ALT.search(tag)
    return (found.group(1) or found.group(2) or "") if found else ""


def _without_comments(line: str, inside: bool) -> tuple[str, bool]:
    """The line without its HTML comments, and whether a comment is still open at its end."""
    out = []
    while line:
        if inside:
            end = line.find("-->")
            if end < 0:
                return "".join(out), True
            line, inside = line[end + 3 :], False
        else:
            start = line.find("<!--")
            if start < 0:
                out.append(line)
                break
            out.append(line[:start])
            line, inside = line[start + 4 :], True
    return "".join(out), inside


def _label(text: str) -> bool:
    """A short line with no sentence in it: 「高端酒」, 「1. 需求端：」."""
    return len(text) <= 20 and not re.search(r"[。！？；，,;!?]", text)
