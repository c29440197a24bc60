"""OpenDocument text (.odt: LibreOffice's and WPS Office's own format, and what a government office often publishes):
content.xml written out as a web page — text:h headings at their outline level, paragraphs, lists, tables, a text
frame's paragraphs and an image's caption-like description after the paragraph holding them — and read by the web
page reader (html.py), whose Markdown reader finds plain-text heading lines (一、 （一） …) where a document has no
heading styles. Footnotes and endnotes are a 「脚注」 part at the end, as in Word; an index (the contents) and
tracked deletions are left out. The title is the one stored in meta.xml when meaningful."""

from __future__ import annotations

import html
import zipfile
from dataclasses import dataclass

from ..text import clean
from . import html as web_page
from .blocks import Source, meaningful_title, notes_part, with_number
from .docx_numbering import number_in
from .ooxml import part_keeping_spaces, read_package
from .text_lines import join_lines

_TEXT = "{urn:oasis:names:tc:opendocument:xmlns:text:1.0}"
_TABLE = "{urn:oasis:names:tc:opendocument:xmlns:table:1.0}"
_OFFICE = "{urn:oasis:names:tc:opendocument:xmlns:office:1.0}"
_DRAW = "{urn:oasis:names:tc:opendocument:xmlns:drawing:1.0}"
_SVG = "{urn:oasis:names:tc:opendocument:xmlns:svg-compatible:1.0}"
_STYLE = "{urn:oasis:names:tc:opendocument:xmlns:style:1.0}"
_DC = "{http://purl.org/dc/elements/1.1/}"
# A list style's number formats (style:num-format) by their name in Word's numbering (docx_numbering.number_in).
_FORMATS = {"1": "decimal", "a": "lowerLetter", "A": "upperLetter", "i": "lowerRoman", "I": "upperRoman",
            "一, 二, 三, ...": "chineseCounting", "①, ②, ③, ...": "decimalEnclosedCircle"}
_COLUMNS = 1_000  # cells of a row read, at most (a report's table has a few dozen)
# Not the document's text: indexes (a contents list), tracked deletions, declarations, annotations.
_LEFT_OUT = {_TEXT + n for n in ("table-of-content", "alphabetical-index", "illustration-index", "table-index", "object-index",
                                 "user-index", "bibliography", "tracked-changes", "sequence-decls", "variable-decls",
                                 "user-field-decls", "dde-connection-decls")} | {
    _OFFICE + "annotation", _OFFICE + "forms", _TABLE + "calculation-settings", _TABLE + "table-columns",
    _TABLE + "table-column", _TABLE + "table-column-group", _TABLE + "table-header-columns"}


def read(data: bytes, source: str) -> Source:
    return read_package(data, source, "an OpenDocument .odt file", _read)


def _read(package: zipfile.ZipFile) -> Source:
    content = part_keeping_spaces(package, "content.xml")
    styles = [content] + ([part_keeping_spaces(package, "styles.xml")] if "styles.xml" in package.namelist() else [])
    page = _Page(_list_numbers(styles), _parent_styles(styles))
    for child in content.find(f"{_OFFICE}body/{_OFFICE}text") if content.find(f"{_OFFICE}body/{_OFFICE}text") is not None else ():
        page.block(child)
    read_as_page = web_page.read_written("".join(page.out), "")
    blocks = read_as_page.blocks + notes_part(page.notes)
    stored = stored_title(package)
    title = stored if meaningful_title(stored) else clean(html.unescape(page.title)) or read_as_page.title
    return Source(title=title, blocks=blocks, meta=read_as_page.meta)


def stored_title(package: zipfile.ZipFile) -> str:
    """The title an OpenDocument file stores (meta.xml's dc:title), "" when it has none."""
    if "meta.xml" not in package.namelist():
        return ""
    found = part_keeping_spaces(package, "meta.xml").find(f"{_OFFICE}meta/{_DC}title")
    return clean(found.text or "") if found is not None else ""


@dataclass(frozen=True)
class _Numbering:
    """How a list style numbers the items of one level: 「(1)」 is prefix (, format decimal, suffix )."""

    format: str
    prefix: str
    suffix: str
    start: int


def _list_numbers(roots) -> dict[tuple[str, int], _Numbering]:
    """The numbered levels of every list style: (style name, level) → its numbering. A bullet level has none."""
    out = {}
    for root in roots:
        for style in root.iter(_TEXT + "list-style"):
            for level in style.iter(_TEXT + "list-level-style-number"):
                written = level.get(_STYLE + "num-format") or ""
                if written in _FORMATS:
                    out[(style.get(_STYLE + "name"), _int(level.get(_TEXT + "level"), 1))] = _Numbering(
                        _FORMATS[written], level.get(_STYLE + "num-prefix") or "", level.get(_STYLE + "num-suffix") or "",
                        _int(level.get(_TEXT + "start-value"), 1))
    return out


def _parent_styles(roots) -> dict[str, str]:
    """Paragraph style name → the style it is based on (an automatic style P1 → 「Title」)."""
    return {s.get(_STYLE + "name"): s.get(_STYLE + "parent-style-name") for root in roots for s in root.iter(_STYLE + "style")
            if s.get(_STYLE + "parent-style-name")}


class _Page:
    """The document as HTML: block-level elements in `out`, notes' text in `notes`, the paragraph in the Title style
    in `title`."""

    def __init__(self, numbers: dict[tuple[str, int], _Numbering], parents: dict[str, str]):
        self.out: list[str] = []
        self.notes: list[str] = []
        self.title = ""
        self.numbers, self.parents = numbers, parents
        self.counted: dict[str, int] = {}  # list style → the last number it gave (a list may continue another's)

    def block(self, element) -> None:
        tag = element.tag
        if not isinstance(tag, str) or tag in _LEFT_OUT:  # a comment or processing instruction has no str tag
            return
        if tag == _TEXT + "h":
            # One level down: a lone Heading 1 is a chapter, not the title the web page reader would take it for.
            level = min(max(_int(element.get(_TEXT + "outline-level"), 1), 1) + 1, 6)
            after: list[str] = []
            self.out += [f"<h{level}>{self.inline(element, after)}</h{level}>", *after]
        elif tag == _TEXT + "p" and not self.title and self.styled(element.get(_TEXT + "style-name")) == "Title":
            self.title = self.inline(element, [])
        elif tag == _TEXT + "p" and self.styled(element.get(_TEXT + "style-name")).startswith("Contents_20_"):
            return  # a contents page typed in (its entries in the Contents styles), as the index is left out
        elif tag == _TEXT + "p":
            after = []
            self.out += [f"<p>{self.inline(element, after)}</p>", *after]
        elif tag == _TEXT + "list":
            self.list(element, 1, None)
        elif tag == _TABLE + "table":
            self.table(element)
        elif tag == _DRAW + "frame" or tag == _DRAW + "a":
            after = []
            self.inline(element, after)
            self.out += after
        else:  # a section, a numbered paragraph, a table's row group…: what it holds
            for child in element:
                self.block(child)

    def styled(self, style: str | None) -> str:
        """The named style a paragraph style is or is based on: LibreOffice's 「Title」, 「Contents_20_1」; "" for none."""
        for _ in range(10):  # a damaged file's styles may loop
            if style is None or style == "Title" or style.startswith("Contents_20_"):
                return style or ""
            style = self.parents.get(style)
        return ""

    def list(self, element, level: int, style: str | None) -> None:
        """A list's items with the numbers its style gives them (「1.」, 「（一）」), as LibreOffice shows them."""
        style = element.get(_TEXT + "style-name") or style
        numbering = self.numbers.get((style, level))
        continued = element.get(_TEXT + "continue-numbering") == "true" or element.get(_TEXT + "continue-list")
        n = self.counted.get(style, 0) if continued else (numbering.start - 1 if numbering else 0)
        self.out.append("<ul>")
        for item in element:
            if item.tag == _TEXT + "list-item":
                n = _int(item.get(_TEXT + "start-value"), n + 1)
                label = f"{numbering.prefix}{number_in(n, numbering.format)}{numbering.suffix}" if numbering else ""
                self.item(item, label, level, style)
            elif item.tag == _TEXT + "list-header":
                self.item(item, "", level, style)
        self.out.append("</ul>")
        if numbering:
            self.counted[style] = n

    def item(self, item, label: str, level: int, style: str | None) -> None:
        """A list item: its paragraphs one item (a line each), its number before the first, a list inside it after."""
        lines, after = [], []
        for child in item:
            if child.tag in (_TEXT + "p", _TEXT + "h"):
                lines.append(self.inline(child, after))
        lines = [line for line in lines if line.strip()]
        if lines:
            lines[0] = with_number(html.escape(label), lines[0])
        self.out.append("<li>" + "<br>".join(lines) + "</li>")
        self.out += after
        for child in item:
            if child.tag == _TEXT + "list":
                self.list(child, level + 1, style)
            elif child.tag not in (_TEXT + "p", _TEXT + "h"):
                self.block(child)

    def table(self, table) -> None:
        self.out.append("<table>")
        for row in table.iter(_TABLE + "table-row"):
            if _in_nested_table(row, table):
                continue
            cells: list[str] = []
            for cell in row:
                if cell.tag not in (_TABLE + "table-cell", _TABLE + "covered-table-cell"):
                    continue
                # Like cells side by side are one element repeated (「5%」「5%」, 「-」「-」): each is a column's value, up to
                # the row's bound (10⁹ of them would fill the memory).
                repeated = _int(cell.get(_TABLE + "number-columns-repeated"), 1)
                cells += [self.cell(cell)] * max(1, min(repeated, _COLUMNS - len(cells)))
                if len(cells) >= _COLUMNS:
                    break
            while cells and cells[-1] == "<td></td>":  # the empty cells to the table's edge
                cells.pop()
            if cells:  # a row repeated is read once: the same row again says nothing new
                self.out.append("<tr>" + "".join(cells) + "</tr>")
        self.out.append("</table>")

    def cell(self, cell) -> str:
        """A cell as one <td>: its paragraphs run together (a cell of several paragraphs is still one value), a
        table in it as a table."""
        held, self.out = self.out, []
        parts, after = [], []
        for child in cell:
            if child.tag in (_TEXT + "p", _TEXT + "h"):
                parts.append(self.inline(child, after))
            elif child.tag == _TEXT + "list":
                parts += [self.inline(p, after) for p in child.iter(_TEXT + "p")]
            else:
                self.block(child)
        nested, self.out = self.out, held
        return "<td>" + join_lines(parts) + "".join(after + nested) + "</td>"

    def inline(self, element, after: list[str]) -> str:
        """A paragraph's text as HTML; a text frame's paragraphs and a described image go to `after`, notes to
        self.notes."""
        parts = [html.escape(element.text or "")]
        for child in element:
            tag = child.tag if isinstance(child.tag, str) else ""
            if tag == _TEXT + "s":
                parts.append(" " * min(_int(child.get(_TEXT + "c"), 1), 100))
            elif tag == _TEXT + "tab":
                parts.append(" ")
            elif tag == _TEXT + "line-break":
                parts.append("<br>")
            elif tag == _TEXT + "note":
                self.note(child)
            elif tag == _DRAW + "frame":
                self.frame(child, after)
            elif tag and tag not in _LEFT_OUT and not tag.startswith((_TEXT + "change", _OFFICE + "annotation")):
                parts.append(self.inline(child, after))  # a span, a link, a field's shown value, a number
            parts.append(html.escape(child.tail or ""))
        return "".join(parts)

    def frame(self, frame, after: list[str]) -> None:
        box = frame.find(_DRAW + "text-box")
        if box is not None:  # a text frame: its paragraphs, read as the body's
            held, self.out = self.out, []
            for child in box:
                self.block(child)
            after += self.out
            self.out = held
        elif frame.find(_DRAW + "image") is not None:
            described = clean(" ".join(e.text or "" for e in (frame.find(_SVG + "title"), frame.find(_SVG + "desc")) if e is not None))
            if described:
                after.append(f'<img alt="{html.escape(described)}">')

    def note(self, note) -> None:
        mark = clean("".join(note.find(_TEXT + "note-citation").itertext())) if note.find(_TEXT + "note-citation") is not None else ""
        body = note.find(_TEXT + "note-body")
        lines = [clean("".join(p.itertext())) for p in body.iter(_TEXT + "p")] if body is not None else []
        text = " ".join(line for line in lines if line)
        if text:
            self.notes.append(f"[{mark}] {text}" if mark else text)


def _in_nested_table(row, table) -> bool:
    """Whether a row found under `table` belongs to a table inside one of its cells."""
    parent = row.getparent()
    while parent is not None and parent is not table:
        if parent.tag == _TABLE + "table":
            return True
        parent = parent.getparent()
    return False


def _int(value: str | None, default: int) -> int:
    try:
        return int(value) if value is not None else default
    except ValueError:
        return default
