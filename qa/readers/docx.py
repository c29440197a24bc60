"""Word (.docx) with python-docx: heading styles (or outline levels) give headings, with the number Word's
automatic numbering shows (docx_numbering.py), list styles lists, tables come as tables; a typed-in
contents page is left out."""

from __future__ import annotations

import io
import re
import zipfile

from ..errors import CorpusError
from ..text import clean
from .blocks import Block, Source, named_part, plain_heading
from .docx_numbering import Numbering
from .tables import render_rows

_HEADING_STYLE = re.compile(r"^(?:heading|标题)\s*(\d)$", re.I)
_CONTENTS_STYLE = re.compile(r"^(?:toc|目录)\s*\d|^toc heading$", re.I)  # a typed-in contents page's entries


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


def read(data: bytes, source: str) -> Source:
    import docx
    from docx.oxml.ns import qn
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    try:
        document = docx.Document(io.BytesIO(data))
    except (zipfile.BadZipFile, KeyError, ValueError) as e:
        raise CorpusError(f"{source}: cannot be read as a Word .docx file ({e})") from None
    except Exception as e:  # noqa: BLE001 - python-docx raises many kinds for a damaged package
        raise CorpusError(f"{source}: cannot be read as a Word .docx file ({type(e).__name__}: {e})") from None
    title = clean(document.core_properties.title or "")
    numbering = Numbering(document, qn)
    blocks: list[Block] = []
    items: list[str] = []

    def end_list():
        if items:
            blocks.append(Block("list", "", tuple(items)) if len(items) > 1 else Block("paragraph", items[0]))
            items.clear()

    for child in document.element.body.iterchildren():
        if child.tag == qn("w:tbl"):
            end_list()
            rows = []
            for row in Table(child, document).rows:
                cells: list[str] = []
                for cell in row.cells:
                    text = clean(cell.text)
                    if not cells or text != cells[-1]:  # a merged cell comes once per grid column
                        cells.append(text)
                rows.append(cells)
            rendered = render_rows(rows)
            if rendered:
                blocks.append(Block("table", "", tuple(rendered)))
            continue
        if child.tag != qn("w:p"):
            continue
        paragraph = Paragraph(child, document)
        number = numbering.label(paragraph)  # every numbered paragraph counts, shown or not
        text = clean(paragraph.text)
        if not text:
            continue
        style = (paragraph.style.name if paragraph.style is not None else "") or ""
        if style.lower() == "title":
            end_list()
            title = title or text
            continue
        if _CONTENTS_STYLE.match(style):
            continue
        level = _heading_level(paragraph, qn)
        if level is not None:
            end_list()
            numbered_text = f"{number} {text}" if number and not text.startswith(number) else text
            blocks.append(Block("heading", numbered_text, level=level))
            continue
        numbered = child.pPr is not None and child.pPr.numPr is not None
        if numbered or "list" in style.lower():
            items.append(text)
            continue
        end_list()
        named = named_part(text)
        blocks.append(Block("heading", named or text) if named or plain_heading(text) else Block("paragraph", text))
    end_list()
    return Source(title=title, blocks=tuple(blocks))
