"""A workbook's sheets as blocks, whatever file they come in (.xlsx: xlsx.py, .xls: xls.py): cells as Excel shows them, a
merged range's value in each of its cells, each visible sheet a section named by the sheet, its table a passage of
rows — the first row of two cells or more the header, a row a sentence 「header：value；…」 — led by the title row above
it (one cell: 「2023年各地区小微企业贷款情况」), with the one-cell rows under it (「注：…」, 「数据来源：…」) a paragraph after."""

from __future__ import annotations

import datetime
import re

from ..errors import CorpusError
from ..text import clean
from .blocks import Block
from .tables import render_rows

ROWS_MAX = 20_000  # rows of a sheet: a larger one is data to query, not a report's table to read
COLUMNS_MAX = 1_000  # columns likewise (and rows of blanks up to column XFD would fill the memory)
EPOCH_1900, EPOCH_1904 = datetime.datetime(1899, 12, 30), datetime.datetime(1904, 1, 1)  # day 0 of a workbook's dates
_DATE_FORMATS = {14, 15, 16, 17, 22, 27, 28, 29, 30, 31, 34, 35, 36, 50, 51, 52, 53, 54, 55, 56, 57, 58}  # built in
_PERCENT_FORMATS = {9: 0, 10: 2}  # built in: 0%, 0.00%
_DATE_CODE = re.compile(r"[yd]|(?<![hs:])m(?![m]*\s*:)", re.I)  # y, d or a month's m (a minute's m follows h or :)
_QUOTED = re.compile(r'"[^"]*"|\[[^\]]*\]|\\.')  # literal text, colours and conditions in a format code
_PERCENT = re.compile(r"0(?:\.(0+))?%")
_DEFAULT_SHEET = re.compile(r"^(?:sheet|工作表)\s*\d+$", re.I)  # a sheet left with its default name


def number_kind(format_id: int, code: str) -> str:
    """A number format (its id, its code) as "percent:N" (N decimals), "date", or "" (a number as it is)."""
    code = _QUOTED.sub("", code)
    percent = _PERCENT.search(code)
    if format_id in _PERCENT_FORMATS:
        return f"percent:{_PERCENT_FORMATS[format_id]}"
    if percent:
        return f"percent:{len(percent.group(1) or '')}"
    if format_id in _DATE_FORMATS or code and _DATE_CODE.search(code):
        return "date"
    return ""


def shown_number(value: str | float, kind: str, epoch: datetime.datetime) -> str:
    """A cell's number as Excel shows it: 0.124 as 12.4% under a percentage format, 45291 as 2023-12-31 under a date
    format, else without float noise (1389.9999999999998 → 1390)."""
    try:
        number = float(value)
    except ValueError:
        return clean(value)
    if kind.startswith("percent:"):
        return f"{number * 100:.{int(kind.split(':')[1])}f}%"
    if kind == "date" and 0 <= number < 2_958_466:  # up to 9999-12-31
        moment = epoch + datetime.timedelta(days=number)
        return moment.strftime("%Y-%m-%d %H:%M" if number % 1 else "%Y-%m-%d")
    return f"{number:.10g}"


def past_bounds(source: str, name: str, row: int, column: int) -> CorpusError:
    """The error for a sheet whose cells reach past a report's table (a workbook that places cells by index or repeats
    them: Excel 2003 XML, .ods)."""
    return CorpusError(f"{source}: sheet 「{name}」 reaches row {row:,}, column {column:,}, past a report's table ({ROWS_MAX:,} rows, "
                       f"{COLUMNS_MAX:,} columns); keep the tables the report needs in a workbook of their own")


def sheet_rows(cells: dict[tuple[int, int], str], merged: list[tuple[int, int, int, int]]) -> list[list[str]]:
    """A sheet's rows of cell texts from its cells ((row, column) → text, 1-based) and merged ranges (top, left,
    bottom, right, inclusive): a merged range's value in each of its cells. Raises ValueError for a sheet wider than
    a report's table."""
    for top, left, bottom, right in merged:
        value = cells.get((top, left), "")
        if value and (bottom - top + 1) * (right - left + 1) <= ROWS_MAX:
            for r in range(top, bottom + 1):
                for c in range(left, right + 1):
                    cells[(r, c)] = value
    width = max((c for _, c in cells), default=0)
    if width > COLUMNS_MAX:
        raise ValueError(f"a row reaches column {width:,}, past the {COLUMNS_MAX:,} a report's table may have")
    rows: dict[int, list[str]] = {}
    for (r, c), text in cells.items():
        rows.setdefault(r, [""] * width)[c - 1] = text
    return [rows[r] for r in sorted(rows)]


def workbook_blocks(sheets: list[tuple[str, list[list[str]]]], source: str) -> list[Block]:
    """The visible sheets (name, rows) as blocks: a heading a sheet (none for a workbook's only sheet left with its
    default name), its tables and notes under it. A sheet of too many rows refuses the file."""
    blocks: list[Block] = []
    for name, rows in sheets:
        if len(rows) > ROWS_MAX:
            raise CorpusError(f"{source}: sheet 「{name}」 has {len(rows):,} rows, more than a report's table ({ROWS_MAX:,}); "
                              "keep the tables the report needs in a workbook of their own")
        found = _sheet_blocks(rows)
        if found and not (len(sheets) == 1 and _DEFAULT_SHEET.match(name)):
            blocks.append(Block("heading", name, level=1))
        blocks += found
    return blocks


def _sheet_blocks(rows: list[list[str]]) -> list[Block]:
    """A sheet's rows as blocks: its tables, each led by the one-cell title row above it, with the one-cell rows
    under it a paragraph after (notes, sources); one-cell rows with no table are paragraphs."""
    blocks: list[Block] = []
    title, table, notes = "", [], []

    def end() -> None:
        nonlocal title, table, notes
        if table:
            rendered = render_rows(table)
            if rendered:
                blocks.append(Block("table", title, tuple(rendered)))
            title = ""
        if title:
            blocks.append(Block("paragraph", title))
        blocks.extend(Block("paragraph", note) for note in notes)
        title, table, notes = "", [], []

    for row in rows:
        filled = list(dict.fromkeys(cell for cell in row if cell))  # a title merged across the table is one cell
        if not filled:
            continue
        if len(filled) > 1:
            if notes:  # a second table after the notes of the first
                end()
            table.append(row)
        elif table:
            notes.append(filled[0])
        else:
            if title:
                end()
            title = filled[0]
    end()
    return blocks
