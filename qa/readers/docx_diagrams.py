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
    out, seen = [], set()
    for ids in paragraph.iter(_DIAGRAM + "relIds"):
        rid = ids.get(_DATA)
        if not rid or rid in seen or rid not in part.rels or part.rels[rid].is_external:
            continue
        seen.add(rid)
        boxes = _boxes(part.rels[rid].target_part.blob)
        if boxes:
            out.append(boxes)
    return out


@functools.lru_cache(maxsize=16)  # a file may draw one diagram's data many times: it is read once
def _boxes(data: bytes) -> tuple[str, ...]:
    from docx.oxml import parse_xml

    boxes = []
    for point in parse_xml(data).iter(_DIAGRAM + "pt"):
        text = point.find(_DIAGRAM + "t")
        if point.get("type", "node") in _BOXES and text is not None:
            lines = ("".join(t.text or "" for t in line.iter(_DRAWING + "t")) for line in text.iter(_DRAWING + "p"))
            box = clean(" ".join(filter(None, map(clean, lines))))
            if box:
                boxes.append(box)
    return tuple(boxes)
