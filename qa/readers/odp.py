"""OpenDocument presentations (.odp: LibreOffice Impress's and WPS's decks): each draw:page of content.xml a slide, read
into what a .pptx gives (the slide, text box, contents-slide, notes and title rules of pptx.py): the title frame's text
a heading, the other frames' paragraphs (lists' items a line each) and tables under it, top to bottom, then left to
right; the speaker notes after; the date, footer, header and page number frames and hidden slides left out."""

from __future__ import annotations

import re
import zipfile

from ..text import clean
from .blocks import Block, Source
from .odt import stored_title
from .ooxml import part_keeping_spaces, read_package
from .pptx import deck_source, slide_blocks, text_box
from .tables import render_rows
from .text_lines import join_lines

_DRAW = "{urn:oasis:names:tc:opendocument:xmlns:drawing:1.0}"
_PRESENTATION = "{urn:oasis:names:tc:opendocument:xmlns:presentation:1.0}"
_OFFICE = "{urn:oasis:names:tc:opendocument:xmlns:office:1.0}"
_STYLE = "{urn:oasis:names:tc:opendocument:xmlns:style:1.0}"
_SVG = "{urn:oasis:names:tc:opendocument:xmlns:svg-compatible:1.0}"
_TABLE = "{urn:oasis:names:tc:opendocument:xmlns:table:1.0}"
_TEXT = "{urn:oasis:names:tc:opendocument:xmlns:text:1.0}"
_TITLES = ("title",)
_LEFT_OUT = ("date-time", "footer", "header", "page-number", "page")  # on every slide, or the notes page's slide image
_LENGTH = re.compile(r"(-?[\d.]+)\s*(cm|mm|in|pt|pc|px)?")
_IN_CM = {"cm": 1.0, "mm": 0.1, "in": 2.54, "pt": 2.54 / 72, "pc": 2.54 / 6, "px": 2.54 / 96, None: 1.0}
_GROUPS = 16  # groups in groups read to this depth


def read(data: bytes, source: str) -> Source:
    return read_package(data, source, "an OpenDocument .odp file", _read)


def _read(package: zipfile.ZipFile) -> Source:
    content = part_keeping_spaces(package, "content.xml")
    hidden = {style.get(_STYLE + "name") for style in content.iter(_STYLE + "style")
              if any(p.get(_PRESENTATION + "visibility") == "hidden" for p in style.iter(_STYLE + "drawing-page-properties"))}
    body = content.find(f"{_OFFICE}body/{_OFFICE}presentation")
    pages = list(body.iterfind(_DRAW + "page")) if body is not None else []
    blocks: list[Block] = []
    for number, page in enumerate(pages, 1):
        if page.get(_DRAW + "style-name") not in hidden:
            blocks += _slide(page, number)
    return deck_source(stored_title(package), blocks, len(pages))


def _slide(page, number: int) -> list[Block]:
    title, blocks = "", []
    for frame in _in_reading_order(page, 0):
        kind = frame.get(_PRESENTATION + "class") or ""
        if kind in _LEFT_OUT:
            continue
        table = frame.find(_TABLE + "table")
        if table is not None:
            rows = [[clean(" ".join(_paragraphs(cell))) for cell in row.iterfind(_TABLE + "table-cell")]
                    for row in table.iter(_TABLE + "table-row")]
            rendered = render_rows(rows)
            blocks += [Block("table", "", tuple(rendered), page=number)] if rendered else []
            continue
        lines = _paragraphs(frame)
        if kind in _TITLES and lines and not title:
            title = " ".join(lines)
        else:
            blocks += text_box(lines, number)
    notes = page.find(_PRESENTATION + "notes")
    said = [line for frame in (notes.iter(_DRAW + "frame") if notes is not None else ())
            if frame.get(_PRESENTATION + "class") == "notes" for line in _paragraphs(frame)]
    return slide_blocks(title, blocks, said, number)


def _in_reading_order(shapes, depth: int) -> list:
    """A slide's frames, a group's in its place, top to bottom, then left to right."""
    found = []
    for order, child in enumerate(shapes):
        if child.tag == _DRAW + "g" and depth < _GROUPS:
            inner = _in_reading_order(child, depth + 1)
            if inner:
                found.append((_place(inner[0]), order, inner))
        elif child.tag in (_DRAW + "frame", _DRAW + "custom-shape", _DRAW + "rect"):
            found.append((_place(child), order, [child]))
    found.sort(key=lambda f: (f[0], f[1]))
    return [frame for _, _, frames in found for frame in frames]


def _place(shape) -> tuple[float, float]:
    return (_cm(shape.get(_SVG + "y")), _cm(shape.get(_SVG + "x")))


def _cm(length: str | None) -> float:
    found = _LENGTH.match(length or "")
    try:
        return float(found.group(1)) * _IN_CM[found.group(2)] if found else 0.0
    except ValueError:
        return 0.0


def _paragraphs(shape) -> list[str]:
    """A shape's paragraphs (text:p and text:h, a list's items a paragraph each), as shown: spans, spaces, tabs, and line
    breaks joined as wrapped lines; the page number and date fields left out."""
    out = []
    for paragraph in shape.iter(_TEXT + "p", _TEXT + "h"):
        text = join_lines([clean(line) for line in _inline(paragraph).split("\n")])
        if text:
            out.append(text)
    return out


def _inline(element) -> str:
    parts = [element.text or ""]
    for child in element:
        tag = child.tag if isinstance(child.tag, str) else ""
        if tag == _TEXT + "s":
            parts.append(" ")
        elif tag == _TEXT + "tab":
            parts.append(" ")
        elif tag == _TEXT + "line-break":
            parts.append("\n")
        elif tag and tag not in (_TEXT + "page-number", _TEXT + "date", _TEXT + "time", _TEXT + "p", _TEXT + "h",
                                 _OFFICE + "annotation"):
            parts.append(_inline(child))
        parts.append(child.tail or "")
    return "".join(parts)
