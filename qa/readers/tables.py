"""Tables as text: one sentence per row, `header: value；header: value`, for any reader; pipe, grid, simple and HTML
tables' cells."""

from __future__ import annotations

import re
from html.parser import HTMLParser

from .blocks import strip_inline
from .text_lines import join_lines

_SEPARATOR = re.compile(r"^\|?\s*:?-{2,}:?\s*(\|\s*:?-{2,}:?\s*)*\|?$")
CELL_BORDER = re.compile(r"(?<!\\)\|")  # a table's cell border; an escaped one (\|) is text
GRID_BORDER = re.compile(r"^\s*\+(?:[-=:]+\+)+\s*$")  # +------+======+ (pandoc's grid tables)
SIMPLE_RULE = re.compile(r"^\s*-{2,}(?:\s+-{2,})+\s*$")  # ------ ------ under a simple table's header
_SIMPLE_GAP = re.compile(r"\s{2,}")  # between a simple table's cells


def render_rows(rows: list[list[str]]) -> list[str]:
    """Rows of cells (the first is the header) as sentences. Empty columns are dropped, and so are
    repeats of the header row; a cell under an empty header is given alone, and so is every cell of a table
    whose header row is left empty (a table without a header, as `qa import` writes one)."""
    rows = [[strip_inline(c) for c in row] for row in rows]
    rows = rows[:1] + [r for r in rows[1:] if any(r)]
    if not any(map(any, rows)):
        return []
    width = max(len(r) for r in rows)
    rows = [r + [""] * (width - len(r)) for r in rows]
    keep = [j for j in range(width) if any(r[j] for r in rows)]
    rows = [[r[j] for j in keep] for r in rows]
    header, body = rows[0], rows[1:]
    if not body:
        return ["；".join(c for c in header if c)]
    out = []
    for row in body:
        if row == header:
            continue
        pairs = []
        for h, v in zip(header, row):
            if not v:
                continue
            pairs.append(v if not h or h == v else f"{h}：{v}")
        if pairs:
            out.append("；".join(pairs))
    return out


def html_table_rows(markup: str) -> list[list[str]]:
    """The rows of cells of an HTML table (<tr>, <th>, <td>; a cell's markup inside is its text)."""

    class Cells(HTMLParser):
        def __init__(self):
            super().__init__(convert_charrefs=True)
            self.rows: list[list[str]] = []
            self.cell: list[str] | None = None

        def handle_starttag(self, tag, attrs):
            if tag == "tr":
                self.rows.append([])
            elif tag in ("td", "th"):
                if not self.rows:
                    self.rows.append([])
                self.cell = []
            elif tag == "br" and self.cell is not None:
                self.cell.append(" ")

        def handle_endtag(self, tag):
            if tag in ("td", "th") and self.cell is not None:
                self.rows[-1].append(" ".join("".join(self.cell).split()))
                self.cell = None

        def handle_data(self, data):
            if self.cell is not None:
                self.cell.append(data)

    parser = Cells()
    parser.feed(markup)
    parser.close()
    return [row for row in parser.rows if row]


class TableRows:
    """The lines of a pipe table as they come (separator rows skipped)."""

    def __init__(self):
        self.rows: list[list[str]] = []

    def add(self, line: str) -> None:
        line = line.strip()
        if _SEPARATOR.match(line):
            return
        if line.startswith("|"):
            line = line[1:]
        if line.endswith("|") and not line.endswith("\\|"):
            line = line[:-1]
        self.rows.append([c.strip() for c in CELL_BORDER.split(line)])

    def rendered(self) -> list[str]:
        return render_rows(self.rows)


class GridRows:
    """The lines of a grid table (pandoc's): rows between +---+ borders, the header above a +===+ one. A row's
    cell may run over several lines, joined as wrapped text. Cells are told apart by their | borders, not by
    column: the columns line up by display width, which a Chinese character counts twice."""

    def __init__(self):
        self.rows: list[list[str]] = []
        self.lines: list[list[str]] = []  # the open row's lines, cell by cell
        self.header = False

    def add(self, line: str) -> bool:
        """Take a line of the table; False when the line is not one (the table ended before it)."""
        line = line.strip()
        if GRID_BORDER.match(line):
            self._end_row()
            self.header = self.header or ("=" in line and len(self.rows) == 1)
            return True
        if not line.startswith("|"):
            return False
        self.lines.append([c.strip() for c in CELL_BORDER.split(line.strip("|"))])
        return True

    def _end_row(self) -> None:
        if self.lines:
            width = max(len(cells) for cells in self.lines)
            self.rows.append([join_lines([cells[j] for cells in self.lines if j < len(cells)]) for j in range(width)])
            self.lines = []

    def rendered(self) -> list[str]:
        self._end_row()
        if not self.rows:
            return []
        return render_rows(self.rows if self.header else [[""] * len(self.rows[0]), *self.rows])


def simple_cells(line: str) -> list[str]:
    """A simple table's row (pandoc's: cells set apart by two spaces or more, under a header and a rule of dashes)."""
    return _SIMPLE_GAP.split(line.strip())
