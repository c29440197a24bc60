"""Word (.docx) with python-docx: heading styles give headings, list styles lists, tables come as tables."""

from __future__ import annotations

import io
import re
import zipfile

from ..errors import CorpusError
from ..text import clean
from .blocks import Block, Source, named_part, plain_heading
from .tables import render_rows

_HEADING_STYLE = re.compile(r"^(?:heading|标题)\s*(\d)$", re.I)


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
        text = clean(paragraph.text)
        if not text:
            continue
        style = (paragraph.style.name if paragraph.style is not None else "") or ""
        heading = _HEADING_STYLE.match(style)
        if style.lower() == "title":
            end_list()
            title = title or text
            continue
        if heading:
            end_list()
            blocks.append(Block("heading", text, level=int(heading.group(1))))
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
