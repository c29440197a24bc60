"""Tables as text: one sentence per row, `header: value；header: value`, for any reader; pipe and HTML tables' cells."""

from __future__ import annotations

import re
from html.parser import HTMLParser

from .blocks import strip_inline

_SEPARATOR = re.compile(r"^\|?\s*:?-{2,}:?\s*(\|\s*:?-{2,}:?\s*)*\|?$")


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
        self.rows.append([c.strip() for c in re.split(r"(?<!\\)\|", line)])

    def rendered(self) -> list[str]:
        return render_rows(self.rows)
