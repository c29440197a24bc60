"""PowerPoint (.pptx: a deck a research team presents its report with): each slide, in the deck's order (hidden ones
left out), its title a heading and its text, tables and charts the passages under it, a slide's number its page (a
hit cites 「第 N 页」 as for a PDF). A slide's shapes are read top to bottom, then left to right; a text box's
paragraphs are a list (a slide's points), led by a first line that ends in a colon. The slide number, date and
footer placeholders are left out, and so is a contents slide (目录, Contents); a picture is read by its alt text
when that is a caption; the speaker notes are paragraphs after the slide's content. Read as an Office Open XML package (ooxml.py), no
PowerPoint library."""

from __future__ import annotations

import zipfile

from ..text import clean
from .blocks import Block, Source, meaningful_title
from .charts import read_chart
from .ooxml import PART_MAX, part, read_package, stored_title, targets
from .tables import render_rows
from .text_lines import CAPTION_START, CONTENTS_TITLE, join_lines

_P = "{http://schemas.openxmlformats.org/presentationml/2006/main}"
_A = "{http://schemas.openxmlformats.org/drawingml/2006/main}"
_C = "{http://schemas.openxmlformats.org/drawingml/2006/chart}"
_R = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
_TITLES = ("title", "ctrTitle")
_LEFT_OUT = ("sldNum", "dt", "ftr", "hdr")  # placeholders that repeat on every slide
_GROUPS = 16  # groups in groups read to this depth; deeper, left out


def read(data: bytes, source: str) -> Source:
    return read_package(data, source, "a PowerPoint .pptx file", _read)


def _read(package: zipfile.ZipFile) -> Source:
    presentation = "ppt/presentation.xml"
    slide_parts = targets(package, presentation)
    slides = [slide_parts[s.get(_R + "id")] for s in part(package, presentation).iter(_P + "sldId") if s.get(_R + "id") in slide_parts]
    from lxml.etree import XMLSyntaxError

    blocks: list[Block] = []
    for number, slide in enumerate(slides, 1):
        try:
            blocks += _slide(package, slide, number)
        except (XMLSyntaxError, KeyError, zipfile.BadZipFile):  # a damaged or missing slide is left out, not the deck
            continue
    return deck_source(stored_title(package), blocks, len(slides))


def _slide(package: zipfile.ZipFile, name: str, number: int) -> list[Block]:
    root = part(package, name)
    if root.get("show") == "0":  # hidden
        return []
    tree = root.find(f"{_P}cSld/{_P}spTree")
    if tree is None:
        return []
    related = targets(package, name)
    title, blocks = "", []
    for shape in _in_reading_order(tree, 0):
        placeholder = shape.find(f"{_P}nvSpPr/{_P}nvPr/{_P}ph")
        kind = placeholder.get("type", "body") if placeholder is not None else ""
        if kind in _LEFT_OUT:
            continue
        if shape.tag == _P + "sp":
            lines = _paragraphs(shape.find(_P + "txBody"))
            if kind in _TITLES and lines and not title:
                title = " ".join(lines)
            else:
                blocks += text_box(lines, number)
        elif shape.tag == _P + "graphicFrame":
            blocks += _frame(package, shape, related, number)
        elif shape.tag == _P + "pic":
            names = shape.find(f"{_P}nvPicPr/{_P}cNvPr")
            described = clean(names.get("descr") or "") if names is not None else ""
            if CAPTION_START.match(described):  # a picture says something only in a caption as its alt text (「图1：…」)
                blocks.append(Block("paragraph", described, page=number))
    return slide_blocks(title, blocks, _notes(package, related), number)


def text_box(lines: list[str], number: int) -> list[Block]:
    """A text box's paragraphs on slide `number`: one a paragraph, several a list (a slide's points), led by a first line
    that ends in a colon."""
    if len(lines) == 1:
        return [Block("paragraph", lines[0], page=number)]
    if not lines:
        return []
    led = lines[0].endswith(("：", ":"))
    return [Block("list", lines[0] if led else "", tuple(lines[1:] if led else lines), page=number)]


def slide_blocks(title: str, blocks: list[Block], notes: list[str], number: int) -> list[Block]:
    """A slide's blocks: its title a heading over its content, then its speaker notes' paragraphs; none for a contents
    slide (the deck's section titles again, as a PDF's contents page)."""
    if CONTENTS_TITLE.match(title):
        return []
    blocks = blocks + [Block("paragraph", line, page=number) for line in notes]
    return ([Block("heading", title, level=1, page=number)] if title else []) + blocks


def deck_source(stored: str, blocks: list[Block], slides: int) -> Source:
    """A deck's Source: its stored title when meaningful, else the cover slide's title (then no section)."""
    title = stored if meaningful_title(stored) else ""
    if not title and blocks and blocks[0].kind == "heading" and blocks[0].page == 1:
        title, blocks = blocks[0].text, blocks[1:]
    return Source(title=title, blocks=tuple(blocks), pages=slides)


def _notes(package: zipfile.ZipFile, related: dict[str, str]) -> list[str]:
    """The speaker notes' paragraphs (the notes page's body placeholder): what the presenter says of the slide, often
    the sentences its points abbreviate."""
    out = []
    for name in related.values():
        if name.startswith("ppt/notesSlides/") and name in package.namelist():
            tree = part(package, name).find(f"{_P}cSld/{_P}spTree")
            for shape in tree.iter(_P + "sp") if tree is not None else ():
                placeholder = shape.find(f"{_P}nvSpPr/{_P}nvPr/{_P}ph")
                if placeholder is not None and placeholder.get("type") == "body":
                    out += _paragraphs(shape.find(_P + "txBody"))
    return out


def _in_reading_order(tree, depth: int) -> list:
    """A slide's shapes, a group's in its place, top to bottom, then left to right (where a shape says where it is)."""
    shapes = []
    for child in tree:
        if child.tag == _P + "grpSp" and depth < _GROUPS:
            shapes.append((_place(child), _in_reading_order(child, depth + 1)))
        elif child.tag in (_P + "sp", _P + "graphicFrame", _P + "pic"):
            shapes.append((_place(child), [child]))
    shapes.sort(key=lambda shape: shape[0])
    return [s for _, group in shapes for s in group]


# Where each kind of shape keeps its place on the slide.
_OFFSETS = {_P + "sp": f"{_P}spPr/{_A}xfrm/{_A}off", _P + "grpSp": f"{_P}grpSpPr/{_A}xfrm/{_A}off",
            _P + "graphicFrame": f"{_P}xfrm/{_A}off", _P + "pic": f"{_P}spPr/{_A}xfrm/{_A}off"}


def _place(shape) -> tuple[int, int]:
    """Where a shape's top left corner is (y, x); (0, 0) where it takes it from the slide's layout (a title)."""
    offset = shape.find(_OFFSETS[shape.tag])
    try:
        return (int(offset.get("y", 0)), int(offset.get("x", 0))) if offset is not None else (0, 0)
    except ValueError:
        return (0, 0)


def _paragraphs(body) -> list[str]:
    """A text body's paragraphs, as shown: runs, and line breaks joined as wrapped lines (no space between Chinese
    characters); the slide number and date fields left out."""
    if body is None:
        return []
    out = []
    for paragraph in body.iter(_A + "p"):
        parts = []
        for element in paragraph:
            if element.tag == _A + "r":
                parts.append("".join(t.text or "" for t in element.iter(_A + "t")))
            elif element.tag == _A + "br":
                parts.append("\n")
            elif element.tag == _A + "fld" and not (element.get("type") or "").startswith(("slidenum", "datetime")):
                parts.append("".join(t.text or "" for t in element.iter(_A + "t")))
        text = join_lines([clean(line) for line in "".join(parts).split("\n")])
        if text:
            out.append(text)
    return out


def _frame(package: zipfile.ZipFile, frame, related: dict[str, str], number: int) -> list[Block]:
    """A graphic frame's table (a row a sentence) or chart (its figures, led by its title; `related`: the slide's
    relationships, one of which is the chart's part)."""
    table = frame.find(f".//{_A}tbl")
    if table is not None:
        rows = [
            [" ".join(_paragraphs(cell.find(_A + "txBody"))) for cell in row.findall(_A + "tc") if not cell.get("hMerge")]
            for row in table.findall(_A + "tr")
        ]
        rendered = render_rows(rows)
        return [Block("table", "", tuple(rendered), page=number)] if rendered else []
    chart = frame.find(f".//{_C}chart")
    target = related.get(chart.get(_R + "id")) if chart is not None else None
    if target and target in package.namelist() and package.getinfo(target).file_size <= PART_MAX:
        found = read_chart(package.read(target))
        if found is not None:
            return [Block("table", found.title, tuple(found.rendered()), page=number)]
    return []
