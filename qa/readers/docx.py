"""Word (.docx) with python-docx: heading styles (or outline levels) give headings, with the number Word's
automatic numbering shows (docx_numbering.py), list styles lists, tables come as tables, footnotes a
part at the end (docx_notes.py); a typed-in contents page is left out."""

from __future__ import annotations

import io
import itertools
import re
import zipfile

from ..errors import CorpusError
from ..text import clean
from .blocks import SECTIONS, Block, Source, article, meaningful_title, named_part, notes_part, numbering, plain_heading, title_like, with_number
from .charts import Chart, charts
from .docx_diagrams import diagram_boxes
from .docx_notes import notes
from .docx_symbols import symbol_text
from .docx_numbering import Numbering
from .tables import render_rows
from .text_lines import DOT_LEADER, contents_rows, join_lines, phrase_list

_HEADING_STYLE = re.compile(r"^(?:heading|标题)\s*(\d)$", re.I)
_FALLBACK = "{http://schemas.openxmlformats.org/markup-compatibility/2006}Fallback"
_NESTED_TABLES = 4  # tables in a cell's tables read as tables to this depth
_CONTENTS_STYLE = re.compile(r"^(?:toc|目录)\s*\d|^toc heading$", re.I)  # a typed-in contents page's entries
# A contents entry typed in plain paragraphs: its page number after a tab or a dot leader.
_PAGE_AT_END = re.compile(r"\d{1,4}$")
_FULL_STOP = re.compile(r"[。！？]")  # a sentence in a table's cell: a one-column table of them is a box of text


def _heading_level(paragraph, qn) -> int | None:
    """A heading's level: its style is Heading N (or 标题 N), or is based on one, or it or its style sets
    an outline level (custom styles such as 「一级标题」)."""
    style = paragraph.style
    for _ in range(10):  # a damaged file may base a style on itself
        if style is None:
            break
        m = _HEADING_STYLE.match(style.name or "")
        if m:
            return int(m.group(1))
        style = style.base_style
    for element in (paragraph._p, paragraph.style.element if paragraph.style is not None else None):
        ppr = element.find(qn("w:pPr")) if element is not None else None
        level = ppr.find(qn("w:outlineLvl")) if ppr is not None else None
        if level is not None and (level.get(qn("w:val")) or "").isdigit() and int(level.get(qn("w:val"))) < 9:
            return int(level.get(qn("w:val"))) + 1  # 9 means body text
    return None


def _body_blocks(body, qn, part):
    """The body's paragraphs and tables in order, those inside content controls too (a cover page,
    a section a template wraps in one; Word's own contents sits in one, its entries in toc styles),
    and after a paragraph what its text boxes hold (a sidebar, a box of figures), the boxes of its
    SmartArt diagrams, each diagram a tuple of their texts (docx_diagrams.py), and its charts (charts.py).
    A loop, not recursion: a hostile file may nest controls deeper than Python recurses."""
    stack = [body.iterchildren()]
    while stack:
        child = next(stack[-1], None)
        if child is None:
            stack.pop()
        elif child.tag == qn("w:sdt"):
            content = child.find(qn("w:sdtContent"))
            if content is not None:
                stack.append(content.iterchildren())
        elif child.tag == qn("w:tbl") and _text_box_table(child, qn):
            cells = (cell for row in child.findall(qn("w:tr")) for cell in row.findall(qn("w:tc")))
            stack.append(itertools.chain.from_iterable(cell.iterchildren() for cell in cells))
        else:
            yield child
            if child.tag == qn("w:p"):
                yield from diagram_boxes(child, part)
                yield from charts(child, part)
                boxes = _text_boxes(child, qn)
                if boxes:
                    stack.append(itertools.chain.from_iterable(box.iterchildren() for box in boxes))


def _text_box_table(table, qn) -> bool:
    """A table of one column used as a box around text (「专栏1：…」 over its paragraphs): one cell, or a column whose cells
    hold sentences. Its paragraphs are text, not one table row of them all joined. A table nested in it stays a table."""
    rows = table.findall(qn("w:tr"))
    if not rows or any(len(row.findall(qn("w:tc"))) != 1 for row in rows):
        return False
    if len(rows) == 1:
        return True
    return any(_FULL_STOP.search("".join(t.text or "" for t in row.iter(qn("w:t")))) for row in rows)


def _text_boxes(paragraph, qn) -> list:
    """The text boxes anchored in a paragraph, each once: Word writes a box twice, as a drawing and as
    its old VML copy under mc:Fallback; a box inside a box comes with the outer box's paragraphs."""
    box_tag = qn("w:txbxContent")

    def outermost(box) -> bool:
        for ancestor in box.iterancestors():
            if ancestor is paragraph:
                return True
            if ancestor.tag in (box_tag, _FALLBACK):
                return False
        return True

    return [box for box in paragraph.iter(box_tag) if outermost(box)]


def _set_as_title(paragraph, text: str) -> bool:
    """The document's first paragraph set as a title without the Title style: centred, short, no sentence,
    not numbered nor a part's name (「某市小微企业融资调研报告」 in bold over the text; not a centred 「第一章 总则」)."""
    from docx.enum.text import WD_ALIGN_PARAGRAPH

    style_format = paragraph.style.paragraph_format if paragraph.style is not None else None
    alignment = paragraph.alignment if paragraph.alignment is not None else style_format.alignment if style_format else None
    return alignment == WD_ALIGN_PARAGRAPH.CENTER and title_like(text)


def _contents_entry(raw: str) -> bool:
    text = raw.rstrip()
    page = _PAGE_AT_END.search(text)  # (not one pattern with the tab: a paragraph of tabs made that quadratic)
    return bool(page and (text[: page.start()].rstrip(" ").endswith("\t") or DOT_LEADER.search(text)))


def _text(paragraph, qn) -> str:
    """A paragraph's text as Word shows it. python-docx reads only the paragraph's own runs and links,
    so it drops what sits one level down: tracked insertions (w:ins), inline content controls, simple
    fields, smart tags, equations (m:oMath, written out in a line: 「L=(y-ŷ)^2」), and symbols (w:sym:
    「≥」 from the Symbol font; docx_symbols.py). Deleted text (w:delText) is no w:t; text boxes are
    read apart, and a drawing's VML copy (mc:Fallback) and text moved away (w:moveFrom) not at all."""
    skip = {qn("w:txbxContent"), qn("w:moveFrom"), qn("w:del"), _FALLBACK, _MATH + "dPr", _MATH + "naryPr"}
    text_tags, symbol_tag = {qn("w:t"), _MATH + "t"}, qn("w:sym")
    marks = {qn("w:tab"): "\t", qn("w:br"): "\n", qn("w:cr"): "\n", qn("w:noBreakHyphen"): "-"}
    out: list[str] = []
    stack: list = list(reversed(list(paragraph)))
    while stack:  # depth first, in document order; a string is text to write when it is reached
        element = stack.pop()
        if isinstance(element, str):
            out.append(element)
        elif element.tag in text_tags:
            out.append(element.text or "")
        elif element.tag in marks:
            out.append(marks[element.tag])
        elif element.tag == symbol_tag:
            out.append(symbol_text(element.get(qn("w:font")), element.get(qn("w:char"))))
        elif element.tag not in skip:
            opening, closing = _math_marks(element)  # "" but in an equation
            if opening:
                out.append(opening)
            if closing:
                stack.append(closing)
            stack.extend(reversed(list(element)))
    return "".join(out)


_MATH = "{http://schemas.openxmlformats.org/officeDocument/2006/math}"
# What an equation's structure shows that its text runs do not hold: a superscript's ^, a subscript's _, a
# fraction's bar, a root's sign, brackets (m:d: round unless it says otherwise), a sum's or integral's sign.
_MATH_MARKS = {_MATH + "sup": "^", _MATH + "sub": "_", _MATH + "den": "/", _MATH + "rad": "√"}


def _math_marks(element) -> tuple[str, str]:
    """The characters an equation's element shows before and after its content ("" for any other element)."""
    tag = element.tag
    if not tag.startswith(_MATH):
        return "", ""
    if tag == _MATH + "d":
        return _math_char(element, "dPr", "begChr", "("), _math_char(element, "dPr", "endChr", ")")
    if tag == _MATH + "nary":
        return _math_char(element, "naryPr", "chr", "∫"), ""
    return _MATH_MARKS.get(tag, ""), ""


def _math_char(element, properties: str, name: str, default: str) -> str:
    found = element.find(f"{_MATH}{properties}/{_MATH}{name}")
    return default if found is None else found.get(_MATH + "val", default)


def _section_number(text: str) -> bool:
    """Numbered as a section (第一章, 一、, （一）, 1.1), not as an item of a list (1., （1）, ①)."""
    found = numbering(text)
    return found is not None and (found[0] in SECTIONS or found[0].startswith("1.1"))


def _table_rows(table, document, qn, depth: int = 0) -> list[list[str]]:
    """A table's rows of cell texts."""
    from docx.table import Table

    rows = []
    for row in Table(table, document).rows:
        cells: list[str] = []
        previous = None
        for cell in row.cells:
            if cell._tc is not previous:  # a merged cell comes once per grid column it spans; two like values are two cells
                cells.append(_cell_text(cell._tc, document, qn, depth))
            previous = cell._tc
        rows.append(cells)
    return rows


def _cell_text(cell, document, qn, depth: int) -> str:
    """A cell's paragraphs in order, those in content controls and text boxes too, and a table nested
    in it as its rows (a layout table holding the data table). Nested deeper than a few tables, only
    the paragraphs' text: recursion stays bounded whatever a file holds."""
    parts = []
    for child in _body_blocks(cell, qn, document.part):
        if isinstance(child, tuple):  # a diagram's boxes
            parts.append(" ".join(child))
        elif isinstance(child, Chart):
            parts += [child.title, *child.rendered()]
        elif child.tag == qn("w:p"):
            parts.append(_text(child, qn))
        elif child.tag == qn("w:tbl"):
            if depth < _NESTED_TABLES:
                parts += render_rows(_table_rows(child, document, qn, depth + 1))
            else:
                parts += [_text(p, qn) for p in child.iter(qn("w:p"))]
    return clean("\n".join(parts))


# The main part's content type of a Word file with macros (.docm) or a template (.dotx, .dotm): the same document
# format, which python-docx opens only under the .docx type.
_WORD_MAIN_TYPES = (
    "application/vnd.ms-word.document.macroEnabled.main+xml",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.template.main+xml",
    "application/vnd.ms-word.template.macroEnabledTemplate.main+xml",
)


def read(data: bytes, source: str) -> Source:
    try:
        return _read(_word_document(data))
    except (zipfile.BadZipFile, KeyError, ValueError) as e:
        raise CorpusError(f"{source}: cannot be read as a Word .docx file ({e})") from None
    except Exception as e:  # noqa: BLE001 - python-docx raises many kinds for a damaged package, some only as a part is read
        raise CorpusError(f"{source}: cannot be read as a Word .docx file ({type(e).__name__}: {e})") from None


def _word_document(data: bytes):
    """python-docx's Document of a Word package (.docx, and .docm, .dotx, .dotm alike); ValueError for another package."""
    from docx.opc.constants import CONTENT_TYPE
    from docx.opc.part import PartFactory
    from docx.package import Package
    from docx.parts.document import DocumentPart

    for content_type in _WORD_MAIN_TYPES:
        PartFactory.part_type_for.setdefault(content_type, DocumentPart)
    part = Package.open(io.BytesIO(data)).main_document_part
    if part.content_type != CONTENT_TYPE.WML_DOCUMENT_MAIN and part.content_type not in _WORD_MAIN_TYPES:
        raise ValueError(f"not a Word file, content type is '{part.content_type}'")
    return part.document


def _read(document) -> Source:
    from docx.oxml.ns import qn
    from docx.text.paragraph import Paragraph

    title = clean(document.core_properties.title or "")
    title = title if meaningful_title(title) else ""  # else the Title paragraph, if any
    numbering = Numbering(document, qn)
    blocks: list[Block] = []
    items: list[str] = []

    def end_list():
        if items:
            blocks.append(Block("list", "", tuple(items)) if len(items) > 1 else Block("paragraph", items[0]))
            items.clear()

    children = list(_body_blocks(document.element.body, qn, document.part))
    texts = [_text(c, qn) if not isinstance(c, (tuple, Chart)) and c.tag == qn("w:p") else "" for c in children]
    contents = contents_rows(texts, _contents_entry)
    for row, child in enumerate(children):
        if isinstance(child, tuple):  # a diagram's boxes: a list of them, or the one box's text (never a label heading)
            end_list()
            blocks.append(Block("list", "", child) if len(child) > 1 else Block("paragraph", child[0]))
            continue
        if isinstance(child, Chart):  # a table of its figures, led by its title
            end_list()
            blocks.append(Block("table", child.title, tuple(child.rendered())))
            continue
        if child.tag == qn("w:tbl"):
            end_list()
            rendered = render_rows(_table_rows(child, document, qn))
            if rendered:
                blocks.append(Block("table", "", tuple(rendered)))
            continue
        if child.tag != qn("w:p"):
            continue
        paragraph = Paragraph(child, document)
        number = numbering.label(paragraph)  # every numbered paragraph counts, shown or not
        lines = [clean(x) for x in texts[row].split("\n")]  # parted by line breaks (Shift+Enter)
        text = join_lines(lines)  # a line break is a wrap: no space in Chinese text
        if not text or row in contents:
            continue
        style = (paragraph.style.name if paragraph.style is not None else "") or ""
        opening = not blocks and not items  # nothing read before it
        if style.lower() == "title" or opening and not title and _set_as_title(paragraph, text):
            end_list()
            title = title or text
            continue
        if _CONTENTS_STYLE.match(style):
            continue
        level = _heading_level(paragraph, qn)
        if level is not None:
            end_list()
            blocks.append(Block("heading", with_number(number, text), level=level))
            continue
        numbered = child.pPr is not None and child.pPr.numPr is not None
        sectioned = with_number(number, text) if number else ""
        if numbered and _section_number(sectioned) and plain_heading(sectioned):  # 一、总体要求, numbered by Word
            end_list()
            blocks.append(Block("heading", sectioned))
            continue
        if numbered and article(sectioned):  # 「第三条 …」 numbered by Word: an article, no list item
            end_list()
            blocks.append(Block("paragraph", sectioned))
            continue
        if numbered or "list" in style.lower():
            items.append(with_number(number, text))  # as Word shows it: 「(1) 扩大信用贷款投放。」
            continue
        end_list()
        lead = phrase_list(lines)
        if lead is not None:  # 「主要机构包括：」 and its items a line each, parted by line breaks
            blocks += [Block("paragraph", join_lines(lines[:lead]))] if lead else []
            blocks.append(Block("list", "", tuple(lines[lead:])))
            continue
        named = named_part(text)
        blocks.append(Block("heading", named or text) if named or plain_heading(text) else Block("paragraph", text))
    end_list()
    blocks += notes_part(notes(document, qn, lambda p: _text(p, qn)))
    return Source(title=title, blocks=tuple(blocks))
