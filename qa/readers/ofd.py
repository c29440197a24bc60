"""OFD (.ofd: GB/T 33190, China's fixed-layout format, what government offices publish and sign documents in): a zip of
XML parts. Its pages' text objects, in the order the pages draw them, are written out as a PDF's text is (lines with
their type size, place and font: pdf_child.Runs) and read by the PDF reader's layout rules (pdf.read_laid_out), so
running headers, page numbers, headings by type, paragraphs, tables and footnotes are found as in a PDF. The outline
(Outlines) gives headings, DocInfo the title, author and date. Left out: template pages (letterheads, backgrounds),
annotations (stamps, signatures), pictures; a page with no text is reported as a scanned PDF page is.
"""

from __future__ import annotations

import math
import posixpath
import re
import zipfile
from dataclasses import dataclass, field

from ..errors import CorpusError
from .blocks import Source
from .ooxml import PART_MAX, part_keeping_spaces, read_package
from .pdf import read_laid_out
from .pdf_child import Runs, largest_line

_POINTS_PER_MM = 72 / 25.4  # OFD measures in millimetres, the PDF rules in points
_PAGES_MAX = 4 * PART_MAX  # bytes of all pages' content, inflated
_SAME_LINE = 0.3  # type sizes a run's baseline may stray from its line's
_SPACE = 0.25  # type sizes of a gap between two runs of a line that is a space
_CELL_GAP = 1.0  # type sizes of a gap between two glyphs of a run that parts it in two (a table's cells)
_NUMBER = re.compile(r"[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?")
_BOLD_WEIGHT = 700


@dataclass
class _Document:
    package: zipfile.ZipFile
    names: set[str]  # the package's part names
    fonts: dict[str, tuple[str, bool]] = field(default_factory=dict)  # ID → (name, bold)
    inflated: int = 0


def read(data: bytes, source: str) -> Source:
    return read_package(data, source, "an OFD document", lambda package: _read(package, source))


def _read(package: zipfile.ZipFile, source: str) -> Source:
    names = set(package.namelist())
    if "OFD.xml" not in names:
        raise CorpusError(f"{source}: cannot be read as an OFD document (no OFD.xml in it)")
    entry = part_keeping_spaces(package, "OFD.xml")
    body = _child(entry, "DocBody")
    root_path = _path("", _text(_child(body, "DocRoot")))
    if root_path not in names:
        raise CorpusError(f"{source}: cannot be read as an OFD document (its document {root_path or '(none)'} is missing)")
    document = part_keeping_spaces(package, root_path)
    folder = posixpath.dirname(root_path)
    ofd = _Document(package, names)
    common = _child(document, "CommonData")
    for res in ("PublicRes", "DocumentRes"):
        for holder in (common.iterfind(f"{{*}}{res}") if common is not None else ()):
            path = _path(folder, _text(holder))
            if path in names:
                _read_fonts(ofd, part_keeping_spaces(package, path))
    default_box = _box(_text(_child(_child(common, "PageArea"), "PhysicalBox")) if common is not None else "")
    pages, ids = [], {}
    for page in _children(_child(document, "Pages"), "Page"):
        ids[page.get("ID")] = len(pages) + 1
        pages.append(_path(folder, page.get("BaseLoc") or ""))
    if not pages:
        raise CorpusError(f"{source}: an OFD document with no pages")
    texts, line_sizes, edges, first = [], [], [], []
    for path in pages:
        runs, width = _page_runs(ofd, path, default_box, source)
        texts.append(runs.text())
        line_sizes.append(runs.line_sizes())
        edges.append([0.0, width])
        if len(texts) == 1:
            first = runs.runs
    info = _child(body, "DocInfo")
    extracted = {
        "pages": texts, "line_sizes": line_sizes, "page_edges": edges,
        "title": _text(_child(info, "Title")),
        "meta": {"author": _text(_child(info, "Author")), "date": _text(_child(info, "CreationDate"))[:10]},
        "largest": largest_line(first),
        "outline": _outline(_child(document, "Outlines"), ids),
    }
    return read_laid_out(extracted)


def _page_runs(ofd: _Document, path: str, default_box: tuple[float, float, float, float], source: str) -> tuple[Runs, float]:
    """A page's text runs in the order the page draws them, in points, heights measured up from the page's foot (as in
    a PDF); and the page's width in points."""
    runs = Runs()
    if path not in ofd.names:
        return runs, default_box[2] * _POINTS_PER_MM  # a page whose content is missing: a page without text
    ofd.inflated += ofd.package.getinfo(path).file_size
    if ofd.inflated > _PAGES_MAX:
        raise CorpusError(f"{source}: its pages inflate to over {_PAGES_MAX // 2**20} MB")
    page = part_keeping_spaces(ofd.package, path)
    physical = _child(_child(page, "Area"), "PhysicalBox")
    box = _box(_text(physical)) if physical is not None else default_box
    page_height = box[3]
    line_y, line_end = None, -math.inf  # the open line's baseline and where its last run ends
    content = _child(page, "Content")
    for text_object in (content.iter("{*}TextObject") if content is not None else ()):
        for text, x, y, size, font in _object_runs(ofd, text_object):
            starts_line = line_y is not None and abs(y - line_y) > _SAME_LINE * size
            space = line_y is not None and not starts_line and x - line_end > _SPACE * size
            height, left, points = (page_height - y) * _POINTS_PER_MM, x * _POINTS_PER_MM, round(size * _POINTS_PER_MM, 1)
            if starts_line:  # a run of its own, as pypdf gives a line's end: the next run starts the line, at its left edge
                runs.add("\n", points, height, left, font)
            runs.add((" " if space else "") + text, points, height, left, font)
            line_y, line_end = y, x + _advance(text, size)
    return runs, box[2] * _POINTS_PER_MM


def _advance(text: str, size: float) -> float:
    return sum(0.5 if ch.isascii() else 1.0 for ch in text) * size


def _object_runs(ofd: _Document, text_object):
    """A text object's runs: (text, x, baseline y, type size, font) in millimetres on the page, each TextCode one run,
    cut in two where its glyphs stand a type size or more apart (a table's cells drawn as one code)."""
    boundary = _box(text_object.get("Boundary") or "")
    a, b, c, d, e, f = _numbers(text_object.get("CTM") or "", 6) or [1.0, 0.0, 0.0, 1.0, 0.0, 0.0]
    scale = math.sqrt(abs(a * d - b * c)) or 1.0
    size = _number(text_object.get("Size"), 0.0) * scale
    if size <= 0:
        return
    name, bold = ofd.fonts.get(text_object.get("Font") or "", ("", False))
    bold = bold or _number(text_object.get("Weight"), 400) >= _BOLD_WEIGHT
    font = f"{name},Bold" if bold and name else ("Bold" if bold else name)
    x = y = 0.0
    for code in text_object.iterfind("{*}TextCode"):
        text = code.text or ""
        x, y = _number(code.get("X"), x), _number(code.get("Y"), y)
        if not text.strip():
            continue
        deltas = _deltas(code.get("DeltaX") or "", len(text) - 1)
        glyph_x = [x]
        for delta in deltas:
            glyph_x.append(glyph_x[-1] + delta)
        start = 0
        for i in range(1, len(text) + 1):
            if i == len(text) or (i <= len(deltas) and deltas[i - 1] * scale >= size * (_CELL_GAP + 1) and text[i - 1] != " "):
                piece = text[start:i]
                if piece.strip():
                    px, py = glyph_x[start], y
                    yield piece, boundary[0] + a * px + c * py + e, boundary[1] + b * px + d * py + f, size, font
                start = i
        x = glyph_x[-1] + (deltas[-1] if deltas else _advance(text[-1:], size / scale))  # where a code without X goes on


def _deltas(value: str, count: int) -> list[float]:
    """DeltaX's offsets between glyphs, its 「g N v」 (v N times) spelled out; at most `count` of them."""
    out: list[float] = []
    parts = value.split()
    i = 0
    while i < len(parts) and len(out) < count:
        if parts[i] == "g" and i + 2 < len(parts):
            out += [_number(parts[i + 2], 0.0)] * max(0, min(int(_number(parts[i + 1], 0)), count - len(out)))
            i += 3
        else:
            out.append(_number(parts[i], 0.0))
            i += 1
    return out


def _read_fonts(ofd: _Document, res) -> None:
    for font in res.iter("{*}Font"):
        bold = (font.get("Bold") or "").lower() == "true"
        ofd.fonts[font.get("ID") or ""] = (font.get("FontName") or font.get("FamilyName") or "", bold)


def _outline(outlines, page_numbers: dict[str, int]) -> list:
    """(title, level, page) of each outline entry, in order."""
    out: list = []

    def walk(holder, level: int) -> None:
        for element in _children(holder, "OutlineElem"):
            dest = next(element.iter("{*}Dest"), None)
            page = page_numbers.get(dest.get("PageID")) if dest is not None else None
            title = (element.get("Title") or "").strip()
            if title:
                out.append((title, level, page or 1))
            walk(element, level + 1)

    if outlines is not None:
        walk(outlines, 1)
    return out


def _path(folder: str, location: str) -> str:
    """A part's path in the zip: BaseLoc and the like are relative to the part naming them, or from the root (/…)."""
    location = location.strip().replace("\\", "/")
    if not location:
        return ""
    return posixpath.normpath(location.lstrip("/") if location.startswith("/") else posixpath.join(folder, location))


def _box(value: str) -> tuple[float, float, float, float]:
    numbers = _numbers(value, 4)
    return tuple(numbers) if numbers else (0.0, 0.0, 210.0, 297.0)  # an A4 page where none is given


def _numbers(value: str, count: int) -> list[float] | None:
    found = [float(n) for n in _NUMBER.findall(value)[:count]]
    return found if len(found) == count and all(math.isfinite(n) for n in found) else None


def _number(value, default: float) -> float:
    try:
        number = float(value)
    except (TypeError, ValueError):
        return default
    return number if math.isfinite(number) else default


def _text(element) -> str:
    return (element.text or "").strip() if element is not None else ""


def _child(element, name: str):
    return element.find(f"{{*}}{name}") if element is not None else None


def _children(element, name: str) -> list:
    return list(element.iterfind(f"{{*}}{name}")) if element is not None else []
