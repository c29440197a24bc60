"""Word's SmartArt diagrams: the text of their boxes, which Word keeps in a part of its own
(word/diagrams/dataN.xml) that the body only points to, so python-docx never reads it (a process's
「初始化 → 数据准备 → 隐私求交」 was in no passage)."""

from __future__ import annotations

import functools

from ..text import clean

_DIAGRAM = "{http://schemas.openxmlformats.org/drawingml/2006/diagram}"
_DRAWING = "{http://schemas.openxmlformats.org/drawingml/2006/main}"
_DATA = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}dm"
# The points of a diagram's data that are its boxes; the others are the diagram itself, the lines between boxes
# and how they are drawn.
_BOXES = ("node", "asst")


def diagram_boxes(paragraph, part) -> list[tuple[str, ...]]:
    """For each SmartArt diagram drawn in a paragraph (each once: a copy for older Word points to the same data),
    the text of its boxes in the order the diagram lists them; `part`: the part the paragraph is in."""
    return [boxes for data in drawn_parts(paragraph, part, _DIAGRAM + "relIds", _DATA) if (boxes := _boxes(data))]


def drawn_parts(paragraph, part, tag: str, attribute: str) -> list[bytes]:
    """The bytes of each part a paragraph's drawings point to (each once) by `attribute` of their `tag` element: a
    diagram's data, a chart."""
    out, seen = [], set()
    for element in paragraph.iter(tag):
        rid = element.get(attribute)
        if not rid or rid in seen or rid not in part.rels or part.rels[rid].is_external:
            continue
        seen.add(rid)
        out.append(part.rels[rid].target_part.blob)
    return out


@functools.lru_cache(maxsize=16)  # a file may draw one diagram's data many times: it is read once
def _boxes(data: bytes) -> tuple[str, ...]:
    from docx.oxml import parse_xml
    from lxml.etree import XMLSyntaxError

    try:
        model = parse_xml(data)
    except XMLSyntaxError:  # a damaged diagram is none: the rest of the file is read
        return ()
    boxes = []
    for point in model.iter(_DIAGRAM + "pt"):
        text = point.find(_DIAGRAM + "t")
        if point.get("type", "node") in _BOXES and text is not None:
            lines = ("".join(t.text or "" for t in line.iter(_DRAWING + "t")) for line in text.iter(_DRAWING + "p"))
            box = clean(" ".join(filter(None, map(clean, lines))))
            if box:
                boxes.append(box)
    return tuple(boxes)
