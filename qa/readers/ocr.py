"""OCR of a PDF's scanned pages: the lines RapidOCR finds in a page's pictures (ocr_child.py, a bounded child process)
put in reading order and turned into the text runs pypdf gives of a text page (pdf_child.Runs), so the PDF's layout
rules read them as they read any page: running headers, page numbers, headings by type, paragraphs over pages, tables.

Optional: RapidOCR (`rapidocr`, Apache-2.0, with PaddleOCR's models in its wheel) is installed by `make
install`; without it, or with Settings.ocr off, a scanned page is reported as a page without text, as before.
"""

from __future__ import annotations

import importlib.util
import json
import math
import subprocess
from statistics import median

from ..errors import CorpusError
from .child import out_of_memory, run_bounded
from .pdf_child import Runs
from .text_lines import width

# A line's box is its type size and the padding the detector adds: a box this many times the size (when no line is long
# enough to measure it by).
_BOX_PER_SIZE = 1.2
_EMS_FOR_WIDTH = 4  # characters (ems) of a line, at least, for its width to give its type size
_SAME_SIZE = 1.15  # estimates within this ratio of a group's smallest are one type size
_SAME_BAND = 0.25  # of a box's height kept off its top and bottom when boxes are tested for sharing a line
_COLUMN_LINE = 6  # box heights: a column's longest line at least this long, or it is a table's cells
_LINE_SPACING = 0.8  # box heights between a column's lines; farther, a line is no part of the column
# Pages one OCR child reads: onnxruntime's memory grows with the pictures it has seen (a 40-page deck at 150 dpi: 0.65
# GB after 3 pages, 1.2 GB after 40); a new child every few pages keeps a long scan within the bound. Loading the models
# costs about half a second a child.
_PAGES_PER_CHILD = 8
_SPACE = 0.25  # a gap of a quarter of the type size or more between two boxes of a line is a space


def available() -> bool:
    return importlib.util.find_spec("rapidocr") is not None


def read_pages(data: bytes, pages: list[int], source: str, seconds_per_page: float, memory_mb: int) -> dict[int, Runs]:
    """The text runs of the given pages (1-based) as OCR reads them from their pictures (pages where it finds none left
    out), read _PAGES_PER_CHILD at a time, each child bounded to `memory_mb` and `seconds_per_page` a page."""
    found = {}
    for at in range(0, len(pages), _PAGES_PER_CHILD):
        found.update(_read_in_child(data, pages[at : at + _PAGES_PER_CHILD], source, seconds_per_page, memory_mb))
    size_of = type_sizes([box for page in found.values() for box in page["lines"]])
    return {n: page_runs(page["lines"], page["size"][1], size_of) for n, page in found.items()}


def _read_in_child(data: bytes, pages: list[int], source: str, seconds_per_page: float, memory_mb: int) -> dict[int, dict]:
    timeout = seconds_per_page * len(pages)
    try:
        done = run_bounded("ocr_child.py", [str(n) for n in pages], data, timeout, memory_mb)
    except subprocess.TimeoutExpired:
        raise CorpusError(f"{source}: reading its scanned page(s) {', '.join(map(str, pages))} by OCR took over {timeout:.0f} s; not indexed") from None
    if done.returncode != 0:
        stderr = done.stderr.decode("utf-8", "replace")
        tail = stderr.strip().splitlines()
        why = tail[-1] if tail else f"the OCR reader stopped (exit {done.returncode})"
        if done.returncode < 0 or out_of_memory(stderr):
            why = f"reading its scanned pages needed over {memory_mb} MB"
        raise CorpusError(f"{source}: cannot be read by OCR ({why})")
    return {int(n): page for n, page in json.loads(done.stdout)["pages"].items() if page["lines"]}


def type_sizes(boxes: list[list]) -> dict[int, float]:
    """Each box's type size (by id), estimated and then made one per kind of line. A line of text is as wide as its
    characters (a Chinese one an em, a Latin one half), which tells its size better than its box's height, padded by the
    detector and jittering with the letters' shapes; a short line goes by its height, over the ratio of height to size
    the document's longer lines show. The estimates, sorted, fall into groups none wider than _SAME_SIZE, and a box
    takes its group's median: the same headings get the same size."""
    by_width, heights = {}, {}
    for box in boxes:
        text, left, top, right, bottom = box
        ems = width(text.replace(" ", ""))
        heights[id(box)] = bottom - top
        if ems >= _EMS_FOR_WIDTH:
            by_width[id(box)] = (right - left) / ems
    ratios = [heights[key] / size for key, size in by_width.items() if size > 0]
    per_size = median(ratios) if ratios else _BOX_PER_SIZE
    estimates = {key: by_width.get(key) or height / per_size for key, height in heights.items()}
    groups: list[list[tuple[int, float]]] = []
    for key, size in sorted(estimates.items(), key=lambda kv: kv[1]):
        if groups and size <= groups[-1][0][1] * _SAME_SIZE:
            groups[-1].append((key, size))
        else:
            groups.append([(key, size)])
    return {key: round(median(s for _, s in group) * 2) / 2 for group in groups for key, _ in group}


def page_runs(boxes: list[list], height: float, size_of: dict[int, float]) -> Runs:
    """A page's recognised lines ([text, left, top, right, bottom], from its top-left corner) as text runs: in reading
    order, a line's boxes one run each, of their type size (type_sizes), baselines measured up from the foot."""
    runs = Runs()
    for line in reading_order(boxes):
        end = None
        for i, box in enumerate(line):
            text, left, _, right, bottom = box
            size = size_of[id(box)]
            if i == 0 and runs.runs:
                runs.add("\n", size, height - bottom, left, "")  # a line's end, as pypdf gives it: the next run starts a line
            space = end is not None and left - end > _SPACE * size
            runs.add((" " if space else "") + text, size, height - bottom, left, "")
            end = right
    return runs


def reading_order(boxes: list[list]) -> list[list[list]]:
    """The boxes as lines in reading order, each line's boxes left to right. Boxes whose middles share a height are a
    line (a table's row is one, its cells runs of it). Lines side by side in columns of text — runs of lines that a
    gutter parts, wide boxes on both sides — are read column by column, whether or not their lines line up."""
    lines = [sorted(line, key=lambda b: b[1]) for line in _split(boxes, lambda b: _core(b[2], b[4]))]
    if not lines:
        return []
    usual = median(b[4] - b[2] for b in boxes)
    out, i = [], 0
    while i < len(lines):
        first, last, gutter = _columns(lines, i, usual)
        if gutter is None:
            out.append(lines[i])
            i += 1
            continue
        out += lines[i:first]
        block = [b for line in lines[first:last + 1] for b in line]
        left = [b for b in block if b[3] <= gutter]
        out += reading_order(left) + reading_order([b for b in block if b[3] > gutter])
        i = last + 1
    return out


def _columns(lines: list[list[list]], start: int, usual: float) -> tuple[int, int, float | None]:
    """Where a block of text columns starts and ends among the lines from `start` on, and its gutter's left edge (None
    when the lines from `start` do not begin one): lines that one gap parts, two lines at least on each side of it
    where both sides have lines, each side holding a line of text (a table's short cells are no column), and next to
    them the lines of one column alone that run on from it, no farther than a line's spacing."""
    free = [(-math.inf, math.inf)]
    end = start
    while end < len(lines):
        narrowed = [g for g in _intersect(free, _gaps(lines[end])) if g[1] - g[0] >= usual]
        if not narrowed or any(map(_finite, free)) and not any(map(_finite, narrowed)):
            break  # no gap left, or none left between boxes (a line across the gutter)
        free = narrowed
        end += 1
    inner = [g for g in free if _finite(g)]
    if not inner:
        return start, start, None
    gutter = max(inner, key=lambda g: g[1] - g[0])
    lefts = [j for j in range(start, end) if any(b[3] <= gutter[0] for b in lines[j])]
    rights = [j for j in range(start, end) if any(b[1] >= gutter[1] for b in lines[j])]
    if not lefts or not rights:
        return start, start, None
    first, last = max(lefts[0], rights[0]), min(lefts[-1], rights[-1])  # where both sides have lines
    if sum(first <= j <= last for j in lefts) < 2 or sum(first <= j <= last for j in rights) < 2:
        return start, start, None
    sides = [b for j in range(first, last + 1) for b in lines[j]]
    widest = lambda side: max((b[3] - b[1] for b in side), default=0.0)  # noqa: E731
    if min(widest([b for b in sides if b[3] <= gutter[0]]), widest([b for b in sides if b[1] >= gutter[1]])) < _COLUMN_LINE * usual:
        return start, start, None
    while first > start and _top(lines[first]) - _bottom(lines[first - 1]) < _LINE_SPACING * usual:
        first -= 1
    while last + 1 < end and _top(lines[last + 1]) - _bottom(lines[last]) < _LINE_SPACING * usual:
        last += 1
    return first, last, gutter[0]


def _finite(gap: tuple[float, float]) -> bool:
    return math.isfinite(gap[0]) and math.isfinite(gap[1])


def _gaps(line: list[list]) -> list[tuple[float, float]]:
    """The stretches across the page that no box of a line covers."""
    gaps, reach = [], -math.inf
    for b in sorted(line, key=lambda b: b[1]):
        if b[1] > reach:
            gaps.append((reach, b[1]))
        reach = max(reach, b[3])
    return [*gaps, (reach, math.inf)]


def _intersect(a: list[tuple[float, float]], b: list[tuple[float, float]]) -> list[tuple[float, float]]:
    return [(max(x0, y0), min(x1, y1)) for x0, x1 in a for y0, y1 in b if max(x0, y0) < min(x1, y1)]


def _top(line: list[list]) -> float:
    return min(b[2] for b in line)


def _bottom(line: list[list]) -> float:
    return max(b[4] for b in line)


def _core(top: float, bottom: float) -> tuple[float, float]:
    cut = (bottom - top) * _SAME_BAND
    return top + cut, bottom - cut


def _split(boxes: list[list], span) -> list[list[list]]:
    """The boxes in groups whose spans (along one axis) overlap, ordered along it; a gap between groups is free of boxes."""
    ordered = sorted(boxes, key=lambda b: span(b)[0])
    groups, reach = [], None
    for box in ordered:
        start, end = span(box)
        if reach is None or start > reach:
            groups.append([box])
            reach = end
        else:
            groups[-1].append(box)
            reach = max(reach, end)
    return groups
