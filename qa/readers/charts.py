"""Charts (DrawingML, as Word and PowerPoint write them): their title and the figures they plot, kept in a part of
their own (word/charts/chartN.xml, ppt/charts/chartN.xml: a cache of the workbook's cells beside the chart's drawing)
that the text only points to, so python-docx never reads it (「2017-2021年市场规模」 and its five bars were in no
passage)."""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

from ..text import clean
from .docx_diagrams import drawn_parts
from .tables import render_rows

_CHART = "{http://schemas.openxmlformats.org/drawingml/2006/chart}"
_DRAWING = "{http://schemas.openxmlformats.org/drawingml/2006/main}"
_ID = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"
# A series' labels (categories; a scatter chart's x values) and its values (y values).
_LABELS = (_CHART + "cat", _CHART + "xVal")
_VALUES = (_CHART + "val", _CHART + "yVal")
# Where a series keeps its cells: cached from the workbook, or typed into the chart (a literal).
_NUMBERS = (_CHART + "numCache", _CHART + "numLit")
_CACHES = (*_NUMBERS, _CHART + "strCache", _CHART + "strLit", _CHART + "multiLvlStrCache")
_PERCENT = re.compile(r"0(?:\.(0+))?%")  # 0%, 0.0%: the cell holds 0.123 and the chart shows 12.3%


@dataclass(frozen=True)
class Chart:
    """A chart as a table: its title (the series' name when it has none and plots one), and its rows of cells, the
    first the header (the category axis' title, then each series' name), then a row per category."""

    title: str
    rows: tuple[tuple[str, ...], ...]

    def rendered(self) -> list[str]:
        """Its rows as a table's sentences, 「header：value；…」."""
        return render_rows([list(row) for row in self.rows])


def charts(paragraph, part) -> list[Chart]:
    """The charts drawn in a paragraph, each once; `part`: the part the paragraph is in. A chart whose part is damaged,
    or that holds no figures (its cache left empty by the tool that wrote it), is none: the rest of the file is read."""
    return [chart for data in drawn_parts(paragraph, part, _CHART + "chart", _ID) if (chart := read_chart(data))]


@functools.lru_cache(maxsize=16)  # a file may draw one chart's part many times: it is read once
def read_chart(data: bytes) -> Chart | None:
    """A chart part (DrawingML, as Word and PowerPoint write it) as a table; None if damaged or without figures."""
    from docx.oxml import parse_xml
    from lxml.etree import XMLSyntaxError

    try:
        space = parse_xml(data)
    except XMLSyntaxError:
        return None
    names, labels, columns = [], {}, []
    for series in space.iter(_CHART + "ser"):
        values = _points(series, _VALUES)
        if not values:
            continue
        names.append(_text(series.find(_CHART + "tx")))
        columns.append(values)
        for index, label in _points(series, _LABELS).items():
            labels.setdefault(index, label)
    if not columns:
        return None
    title = _text(space.find(f"{_CHART}chart/{_CHART}title")) or (names[0] if len(names) == 1 else "")
    header = (_axis_title(space), *names)
    indexes = sorted(set(labels).union(*columns))
    rows = tuple((labels.get(i, ""), *(values.get(i, "") for values in columns)) for i in indexes)
    return Chart(title, (header, *rows))


def _points(series, tags: tuple[str, ...]) -> dict[int, str]:
    """A series' cached cells by their index: its labels (text, or numbers as shown) or values."""
    for tag in tags:
        element = series.find(tag)
        if element is None:
            continue
        out = {}
        for cache in element.iter(*_CACHES):
            code = cache.findtext(_CHART + "formatCode") or ""
            for point in cache.iter(_CHART + "pt"):
                index, value = point.get("idx", ""), point.findtext(_CHART + "v")
                if index.isdigit() and value is not None:
                    shown = _number(value, point.get("formatCode") or code) if cache.tag in _NUMBERS else clean(value)
                    out.setdefault(int(index), shown)  # a multi-level label: its finest level, listed first
        return out
    return {}


def _number(value: str, code: str) -> str:
    """A cached number as the chart shows it: a percentage with its format's decimals, else without float noise
    (45.499999999999993 → 45.5)."""
    try:
        number = float(value)
    except ValueError:
        return clean(value)
    percent = _PERCENT.search(code)
    if percent:
        return f"{number * 100:.{len(percent.group(1) or '')}f}%"
    return f"{number:.10g}"


def _text(element) -> str:
    """A title's or series name's text: rich text runs, or the cached cell it refers to."""
    if element is None:
        return ""
    runs = [t.text or "" for t in element.iter(_DRAWING + "t")]
    if not runs:
        runs = [v.text or "" for v in element.iter(_CHART + "v")]
    return clean("".join(runs))


def _axis_title(space) -> str:
    """The category axis' title (「年份」), the header of the labels' column; "" when it has none."""
    for axis in (_CHART + "catAx", _CHART + "dateAx"):
        found = space.find(f"{_CHART}chart/{_CHART}plotArea/{axis}/{_CHART}title")
        if found is not None:
            return _text(found)
    return ""
