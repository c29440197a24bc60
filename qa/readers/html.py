"""Web pages (.html, .htm: a report published on a web page, 「政府工作报告」 on a government site, saved from the
browser): the page's text written out as Markdown — <h1>…<h6> headings, paragraphs, list items, data tables —
and read by the Markdown reader, whose plain-text heading lines (一、 （一） …) give the sections where the page
has no heading tags. What is not the page's text is left out: scripts and styles, the site's navigation,
header, footer, sidebars and forms, and blocks that are links (a menu, a breadcrumb); where the page
marks its <article> or <main>, only that. A table of tables, or of cells holding paragraphs, lays the page out:
its cells are read as text."""

from __future__ import annotations

import html
import math
import re
import unicodedata
from dataclasses import dataclass, field
from html.parser import HTMLParser

from ..text import clean
from . import markdown
from .blocks import Source
from .docx_numbering import number_in
from .text_lines import decode

# Elements whose content is not the page's text.
_SKIP = {"script", "style", "noscript", "template", "svg", "math", "head", "nav", "header", "footer", "aside", "form",
         "iframe", "button", "select", "textarea", "object", "canvas", "audio", "video"}
# Parts of a book or page, by their semantic type (EPUB's epub:type, DPUB-ARIA's role), that are not its text: a title
# page repeats the title, a contents list its headings, a note's mark in the text (noteref) its number.
_NOT_TEXT_PARTS = {"cover", "titlepage", "halftitlepage", "toc", "landmarks", "page-list", "loi", "lot", "noteref", "doc-cover",
                   "doc-toc", "doc-pagelist", "doc-noteref"}
_NOTES = {"footnote", "endnote", "rearnote", "note", "doc-footnote", "doc-endnote"}  # its types of a note
# Elements that end the text before them and start a block of their own.
_BLOCKS = {"p", "div", "section", "article", "main", "blockquote", "li", "dt", "dd", "figcaption", "pre", "address",
           "center", "ul", "ol", "dl", "figure", "tr", "hr", "body", "caption", "aside"}
_VOID = {"br", "img", "hr", "meta", "link", "input", "area", "base", "col", "embed", "source", "track", "wbr", "param"}
_HEADING = re.compile(r"^h([1-6])$")
_SOURCE_BREAK = "\u2029"  # a line break in the page's source, held until its block's text is known around it
_BREAK_RUN = re.compile(r"[ \t]*\u2029[ \t\u2029]*")
# An ordered list's number styles (<ol type>) by their name in Word's numbering (docx_numbering.number_in).
_NUMBER_STYLES = {"1": "decimal", "a": "lowerLetter", "A": "upperLetter", "i": "lowerRoman", "I": "upperRoman"}
_LETTERED_MAX = 1_000  # past it an item is numbered in digits: a letter or Roman numeral grows with the number
_TAG = re.compile(r"<[^>]*>")
_WORD = re.compile(r"\w")  # a letter, a digit or a Chinese character: what a block's share of links counts
_LINK_SHARE = 0.9  # of a block's words in links, at least: a menu, a breadcrumb 「首页 > 政策」, not text
# Tables in tables read as tables to this depth; deeper, their text is their outer cell's: a page nesting 200,000
# would otherwise copy each one's lines up through every table around it.
_NESTED_TABLES = 8
_CELL_TEXT = 200  # characters of a data table's cell, at most: a longer one holds the page's text (a layout table)
# What Markdown would read as markup at a line's start (a fence, a container, a footnote, a quote, a heading, a
# setext rule): its first character written as a character reference, which the Markdown reader reads as text.
# A list's marker (「1. 」, 「- 」) is left to the Markdown reader, as in a file typed so.
_MARKUP_START = re.compile(r"^(\s*)(`{3}|~{3}|:{3}|\[\^|>|#+(?=\s|$)|[=-]+\s*$)")


@dataclass
class _List:
    style: str | None  # an ordered list's number style (<ol type>: 1, a, A, i, I); None for a bulleted list
    number: int = 1  # the next item's
    in_item: bool = False  # an item of it is open (a page may leave out </li>: the next <li> or the list's end closes it)


@dataclass
class _Table:
    rows: list[list[str]] = field(default_factory=list)
    lines: list[str] = field(default_factory=list)  # what its cells hold, read as text (if it lays the page out)
    layout: bool = False


class _Page(HTMLParser):
    """The page as Markdown lines."""

    def __init__(self, cell_text: float):
        super().__init__(convert_charrefs=True)
        self.cell_text = cell_text  # characters of a data table's cell, at most
        self.lines: list[str] = []
        self.title = ""  # the <title>'s text
        self.title_parts: list[str] | None = None  # while the <title> is read
        self.skipping: list[str] = []  # the elements left out that are open, outermost first
        self.text: list[str] = []  # the open block's text
        self.links = 0  # words of it (letters, digits, Chinese characters) inside links
        self.in_link = 0
        self.lists: list[_List] = []  # the open lists, outermost first
        self.marker: str | None = None  # the open list item's marker, until its first block of text takes it
        self.preformatted = 0  # <pre> elements open: their line breaks are the text's
        self.heading = 0  # the open block is a heading of this level
        self.tables: list[_Table] = []
        self.cell: list[str] | None = None  # the open cell's text, in a table's row
        self.cell_blocks = 0  # blocks of text in it
        self.deeper_tables = 0  # open tables nested past _NESTED_TABLES, read as their outer cell's text
        self.article: tuple[int, int | None] | None = None  # where the page's first <article> or <main> runs
        self.article_depth = 0

    def handle_starttag(self, tag, attrs):
        if tag == "title" and not self.title:
            self.title_parts = []
        kinds = set(" ".join(v or "" for k, v in attrs if k in ("epub:type", "role")).split())  # its semantic type
        # A header or footer inside the article is its own (its title, its date): kept; so is an aside that is a note
        # (an e-book's footnotes, <aside epub:type="footnote">), where the page has it.
        kept = (tag in ("header", "footer") and self.article_depth) or (tag == "aside" and kinds & _NOTES)
        if tag in _SKIP and (self.skipping or not kept):
            self.skipping.append(tag)
        elif self.skipping and tag in self.skipping and tag not in _VOID:
            self.skipping.append(tag)  # nested in one of its kind left out: its end is not the outer one's
        elif kinds & _NOT_TEXT_PARTS:
            self.skipping.append(tag)
        if self.skipping:
            return
        heading = _HEADING.match(tag)
        if heading or tag in _BLOCKS:
            self.end_block()
            self.heading = int(heading.group(1)) if heading else 0
        if tag in ("pre", "textarea", "listing", "plaintext", "xmp"):
            self.preformatted += 1
        if tag in ("ol", "ul", "menu"):
            given = dict(attrs)
            style = (given.get("type") or "1").strip() if tag == "ol" else None
            self.lists.append(_List(style if style in _NUMBER_STYLES else "1" if style else None, _int(given.get("start"), 1)))
        elif tag == "li":
            self.marker = self.item_marker(_int(dict(attrs).get("value"), None))
            if self.lists:
                self.lists[-1].in_item = True
        elif tag in ("article", "main"):
            if self.article is None:
                self.article = (len(self.lines), None)
            self.article_depth += 1
        elif tag == "a":
            self.in_link += 1
        elif tag == "br":
            self.text.append("\n")
        elif tag == "img":
            alt = clean(dict(attrs).get("alt") or "")
            if alt and self.cell is None:  # a figure's alt text (a data table's images say nothing)
                self.end_block()
                self.emit(f"![{alt}](image)")
        elif tag == "table" and len(self.tables) >= _NESTED_TABLES:
            self.deeper_tables += 1  # its cells' text is the outer table's cell's
            self.tables[-1].layout = True
        elif tag == "table":
            self.end_block()
            if self.tables and self.cell is not None:
                self.tables[-1].layout = True  # a table in a cell: the outer one lays out the page
            self.tables.append(_Table())
            self.cell = None
        elif tag == "tr" and self.tables and not self.deeper_tables:
            self.tables[-1].rows.append([])
        elif tag in ("td", "th") and self.tables and not self.deeper_tables:
            self.end_cell()
            if not self.tables[-1].rows:
                self.tables[-1].rows.append([])
            self.cell, self.cell_blocks = [], 0

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        if tag not in _VOID:
            self.handle_endtag(tag)

    def handle_endtag(self, tag):
        if tag == "title" and self.title_parts is not None:
            self.title, self.title_parts = clean("".join(self.title_parts)), None
        if self.skipping:
            if tag == self.skipping[-1]:
                self.skipping.pop()
            return
        if tag in ("pre", "textarea", "listing", "plaintext", "xmp") and self.preformatted:
            self.preformatted -= 1
        if tag == "a":
            self.in_link = max(0, self.in_link - 1)
        elif _HEADING.match(tag) or tag in _BLOCKS:
            self.end_block()
            if tag == "li":
                self.marker = None
                if self.lists:
                    self.lists[-1].in_item = False
            elif tag in ("ol", "ul", "menu") and self.lists:
                self.lists.pop()
        elif tag == "table" and self.deeper_tables:
            self.deeper_tables -= 1
        elif tag in ("td", "th") and not self.deeper_tables:
            self.end_cell()
        elif tag == "table" and self.tables:
            self.end_cell()
            self.end_table()
        if tag in ("article", "main") and self.article_depth:
            self.article_depth -= 1
            if self.article_depth == 0 and self.article is not None and self.article[1] is None:
                self.article = (self.article[0], len(self.lines))

    def handle_data(self, data):
        if self.title_parts is not None:
            self.title_parts.append(data)
        if self.skipping:
            return
        # A line break in the page's source is white space, as a browser shows it; only <br> and <pre> break lines.
        self.text.append(data if self.preformatted else data.replace("\r\n", "\n").replace("\r", "\n").replace("\n", _SOURCE_BREAK))
        if self.in_link:
            self.links += len(_WORD.findall(data))

    def end_block(self) -> None:
        """The open block's text as Markdown lines: a heading, a list item, or text; left out if mostly links."""
        lines = [line for line in (clean(x) for x in _unbroken("".join(self.text)).split("\n")) if line]
        # (A block of no words and no links, a table's 「-」 for no figure, is text.)
        mostly_links = 0 < self.links >= _LINK_SHARE * sum(len(_WORD.findall(x)) for x in lines) and not self.heading
        if lines and not mostly_links:
            continued = False
            if self.heading:
                written = ["#" * self.heading + " " + _as_text(" ".join(lines))]
            elif self.marker is not None:
                written = [(self.marker if i == 0 else "  ") + _escaped(x) for i, x in enumerate(lines)]
                self.marker = None
            else:
                # A list item's later paragraphs (<li><p>…</p><p>…</p></li>): lines of its own in the list, under it.
                continued = bool(self.lists) and self.lists[-1].in_item and self.cell is None
                written = [(("  - " if i == 0 else "    ") if continued else "") + _escaped(x) for i, x in enumerate(lines)]
            if self.cell is not None:
                self.cell += lines
                self.cell_blocks += 1
            self.emit(*written, apart=not continued)
        self.text, self.links, self.heading = [], 0, 0

    def item_marker(self, value: int | None) -> str:
        """A list item's Markdown marker: its number as the browser shows it in an ordered list (「3. 」, 「- b. 」)."""
        if not self.lists or self.lists[-1].style is None:
            return "- "
        numbered = self.lists[-1]
        number = numbered.number if value is None else value
        numbered.number = number + 1
        if numbered.style == "1" or not 1 <= number <= _LETTERED_MAX:
            return f"{number}. "  # as a Markdown list is typed
        return f"- {number_in(number, _NUMBER_STYLES[numbered.style])}. "

    def end_cell(self) -> None:
        self.end_block()
        if self.cell is None or not self.tables:
            return
        table, cell = self.tables[-1], " ".join(self.cell)
        table.layout = table.layout or len(cell) > self.cell_text or self.cell_blocks > 1  # paragraphs: the page's text
        table.rows[-1].append(cell)
        self.cell = None

    def end_table(self) -> None:
        table = self.tables.pop()
        rows = [row for row in table.rows if any(row)]
        self.cell = [] if self.tables else None  # back in the outer table's cell, which lays out the page
        if table.layout or not rows:
            self.emit(*table.lines)
        elif len(rows) == 1 or max(map(len, rows)) == 1:  # a row, or a column: its cells are text
            self.emit(*[line for row in rows for cell in row if cell for line in ("", _escaped(cell))])
        else:
            width = max(map(len, rows))
            cells = [[_as_text(c) for c in row] + [""] * (width - len(row)) for row in rows]
            self.emit("| " + " | ".join(cells[0]) + " |", "|" + "---|" * width, *("| " + " | ".join(r) + " |" for r in cells[1:]), "")
        if self.tables:
            self.tables[-1].layout = True

    def emit(self, *lines: str, apart: bool = True) -> None:
        """Lines written out, as a block of their own when `apart`, or held by the open table until it is known to be
        data or layout."""
        (self.tables[-1].lines if self.tables else self.lines).extend(["", *lines] if apart else lines)


def _unbroken(text: str) -> str:
    """`text` with its source's line breaks as a browser shows them (CSS Text 3's segment breaks): gone between two
    wide characters (Chinese text wrapped in the source), a space elsewhere (「年\n28.2%」 is 「年 28.2%」)."""
    if _SOURCE_BREAK not in text:
        return text
    return _BREAK_RUN.sub(lambda m: "" if _wide(text[m.start() - 1 : m.start()]) and _wide(text[m.end() : m.end() + 1]) else " ", text)


def _wide(ch: str) -> bool:
    return bool(ch) and unicodedata.east_asian_width(ch) in ("W", "F") and not "\uac00" <= ch <= "\ud7a3"  # Hangul keeps its spaces


def _as_text(text: str) -> str:
    """Text that Markdown reads as itself: 「a &lt; b」, 「<div>」 and 「|」 in a sentence are no markup."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace("|", "\\|")


def _escaped(line: str) -> str:
    return _MARKUP_START.sub(lambda m: f"{m.group(1)}&#{ord(m.group(2)[0])};{m.group(2)[1:]}", _as_text(line))


def read(data: bytes, source: str) -> Source:
    return _read(data, source, _CELL_TEXT)


class WrittenPage:
    """A word processor's document written out paragraph by paragraph as a page's body for read_written (doc.py,
    rtf.py): list items in a row one list, a table's rows one table, and the first paragraph, when set as a title, the
    title. Texts are HTML."""

    def __init__(self):
        self.title = ""  # as text
        self._parts: list[str] = []
        self._items: list[str] = []  # the open list's items
        self._rows: list[str] = []  # the open table's rows
        self._cells: list[str] = []  # the open row's cells

    def paragraph(self, text: str, level: int | None = None, listed: bool = False, titled: bool = False) -> None:
        """A paragraph: a heading at outline `level` (0 the top one), a list's item when `listed` (a heading is a heading
        though numbered), the title when `titled` and nothing came before it."""
        if not text:
            return
        if titled and not (self._parts or self._items or self._rows or self._cells or self.title):
            self.title = clean(html.unescape(text.replace("<br>", " ")))
            return
        self._end_table()
        if listed and level is None:
            self._items.append(f"<li>{text}</li>")
            return
        self._end_list()
        # Outline level 0 as <h2>: a lone top heading is a chapter, not the title the web page reader would take it for.
        heading = min(level + 2, 6) if level is not None else 0
        self._parts.append(f"<h{heading}>{text}</h{heading}>" if heading else f"<p>{text}</p>")

    def cell(self, text: str) -> None:
        self._cells.append(f"<td>{text}</td>")

    def end_row(self) -> None:
        self._end_list()
        if any(cell != "<td></td>" for cell in self._cells):
            self._rows.append("<tr>" + "".join(self._cells) + "</tr>")
        self._cells = []

    def body(self) -> str:
        """The page's body, with a row, list or table the document left open closed."""
        self.end_row()
        self._end_list()
        self._end_table()
        return "".join(self._parts)

    def _end_list(self) -> None:
        if self._items:
            self._parts.append("<ul>" + "".join(self._items) + "</ul>")
            self._items = []

    def _end_table(self) -> None:
        if self._rows:
            self._parts.append("<table>" + "".join(self._rows) + "</table>")
            self._rows = []


def read_written(body: str, source: str) -> Source:
    """A word processor's document its reader wrote out as a page's body (odt.py, rtf.py): every table holds data,
    whatever its cells' length; a document with no text has no blocks (not 「the file is empty」)."""
    if not clean(html.unescape(_TAG.sub(" ", body))):
        return Source(title="", blocks=())
    return _read(f"<html><body>{body}</body></html>".encode("utf-8"), source, math.inf)


def read_book(body: str, source: str) -> Source:
    """An e-book's pages, their bodies one after another (epub.py): each page's <article> or <main> is the book's as
    much as the rest of it, and every table holds data, whatever its cells' length (a book's pages are not laid out
    with tables); a book with no text has no blocks."""
    if not clean(html.unescape(_TAG.sub(" ", body))):
        return Source(title="", blocks=())
    return _read(f"<html><body>{body}</body></html>".encode("utf-8"), source, math.inf, whole=True)


def _read(data: bytes, source: str, cell_text: float, whole: bool = False) -> Source:
    """`cell_text`: characters of a data table's cell, at most; `whole`: every part of the page read, not only its
    <article> or <main> where it marks one."""
    page = _Page(cell_text)
    page.feed(decode(data, source))
    page.close()
    page.end_block()
    while page.tables:  # tables the page left open
        page.end_cell()
        page.end_table()
    lines = page.lines
    if page.article is not None and not whole:
        start, end = page.article
        if any(lines[start:end]):
            lines = lines[start:end]
    if whole and not any(line.strip() for line in lines):
        return Source(title="", blocks=())  # a book's pages with no text: its reader says so
    read_as_markdown = markdown.read("\n".join(lines).encode("utf-8"), source)
    stored = clean(re.split(r"\s[-|–—]\s|_", page.title)[0])  # 「2024年政府工作报告_中国政府网」: the site's name after it
    return Source(title=read_as_markdown.title or stored, blocks=read_as_markdown.blocks, meta=read_as_markdown.meta)


def _int(value: str | None, default: int | None) -> int | None:
    """An attribute's whole number (<ol start>, <li value>); `default` where it gives none that is one."""
    try:
        number = int((value or "").strip())
    except ValueError:
        return default
    return number if abs(number) < 10**9 else default
