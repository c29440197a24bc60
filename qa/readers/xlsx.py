"""Excel workbooks (.xlsx: the data tables a report comes with): each visible sheet a section named by the sheet, its
table a passage of rows — the first row of two cells or more the header, a row a sentence 「header：value；…」 — led by
the title row above it (one cell: 「2023年各地区小微企业贷款情况」), with the one-cell rows under it (「注：…」,
「数据来源：…」) a paragraph after. Cells read as Excel shows them: a percentage with its format's decimals, a date as a
date, a merged cell's value in every cell it covers (a category spanning rows names each of them). Read as an
Office Open XML package (ooxml.py), no spreadsheet library."""

from __future__ import annotations

import datetime
import re
import zipfile

from ..errors import CorpusError
from ..text import clean
from .blocks import Block, Source, meaningful_title
from .ooxml import part, read_package, stored_title, targets
from .tables import render_rows

_S = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_R = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
_ROWS_MAX = 20_000  # rows of a sheet: a larger one is data to query, not a report's table to read
_COLUMNS_MAX = 1_000  # columns likewise (and rows of blanks up to column XFD would fill the memory)
_CELL = re.compile(r"^([A-Z]{1,3})(\d{1,7})$")
_DATE_FORMATS = {14, 15, 16, 17, 22, 27, 28, 29, 30, 31, 34, 35, 36, 50, 51, 52, 53, 54, 55, 56, 57, 58}  # built in
_PERCENT_FORMATS = {9: 0, 10: 2}  # built in: 0%, 0.00%
_DATE_CODE = re.compile(r"[yd]|(?<![hs:])m(?![m]*\s*:)", re.I)  # y, d or a month's m (a minute's m follows h or :)
_QUOTED = re.compile(r'"[^"]*"|\[[^\]]*\]|\\.')  # literal text, colours and conditions in a format code
_PERCENT = re.compile(r"0(?:\.(0+))?%")
_DEFAULT_SHEET = re.compile(r"^(?:sheet|工作表)\s*\d+$", re.I)  # a sheet left with its default name


def read(data: bytes, source: str) -> Source:
    return read_package(data, source, "an Excel .xlsx file", lambda package: _read(package, source))


def _read(package: zipfile.ZipFile, source: str) -> Source:
    names = set(package.namelist())
    workbook = part(package, "xl/workbook.xml")
    sheet_parts = targets(package, "xl/workbook.xml")
    strings = _shared_strings(package) if "xl/sharedStrings.xml" in names else []
    formats = _cell_formats(package) if "xl/styles.xml" in names else []
    properties = workbook.find(_S + "workbookPr")
    epoch = datetime.datetime(1904, 1, 1) if properties is not None and properties.get("date1904") in ("1", "true") else datetime.datetime(1899, 12, 30)
    sheets = [s for s in workbook.iter(_S + "sheet") if s.get("state", "visible") == "visible" and sheet_parts.get(s.get(_R + "id")) in names]
    blocks: list[Block] = []
    for sheet in sheets:
        name = clean(sheet.get("name") or "")
        rows = _rows(part(package, sheet_parts[sheet.get(_R + "id")]), strings, formats, epoch)
        if len(rows) > _ROWS_MAX:
            raise CorpusError(f"{source}: sheet 「{name}」 has {len(rows):,} rows, more than a report's table ({_ROWS_MAX:,}); "
                              "keep the tables the report needs in a workbook of their own")
        sheet_blocks = _sheet_blocks(rows)
        if sheet_blocks and not (len(sheets) == 1 and _DEFAULT_SHEET.match(name)):
            blocks.append(Block("heading", name, level=1))
        blocks += sheet_blocks
    stored = stored_title(package)
    return Source(title=stored if meaningful_title(stored) else "", blocks=tuple(blocks))


def _shared_strings(package: zipfile.ZipFile) -> list[str]:
    """The workbook's strings, each cell of text points to one: its runs' text (not a phonetic guide's, rPh)."""
    out = []
    for item in part(package, "xl/sharedStrings.xml").iter(_S + "si"):
        out.append("".join(t.text or "" for t in item.iter(_S + "t") if t.getparent().tag != _S + "rPh"))
    return out


def _cell_formats(package: zipfile.ZipFile) -> list[str]:
    """Each cell style's number format, as "percent:N" (N decimals), "date", or "" (a number as it is)."""
    styles = part(package, "xl/styles.xml")
    codes = {int(f.get("numFmtId", -1)): f.get("formatCode") or "" for f in styles.iter(_S + "numFmt")}
    out = []
    cell_styles = styles.find(_S + "cellXfs")
    for style in cell_styles.iter(_S + "xf") if cell_styles is not None else ():
        number = int(style.get("numFmtId", 0) or 0)
        code = _QUOTED.sub("", codes.get(number, ""))
        percent = _PERCENT.search(code)
        if number in _PERCENT_FORMATS:
            out.append(f"percent:{_PERCENT_FORMATS[number]}")
        elif percent:
            out.append(f"percent:{len(percent.group(1) or '')}")
        elif number in _DATE_FORMATS or code and _DATE_CODE.search(code):
            out.append("date")
        else:
            out.append("")
    return out


def _rows(sheet, strings: list[str], formats: list[str], epoch: datetime.datetime) -> list[list[str]]:
    """A sheet's rows of cell texts, as Excel shows them; a merged range's value in each of its cells."""
    cells: dict[tuple[int, int], str] = {}
    for row_number, row in enumerate(sheet.iter(_S + "row"), 1):
        at_row = int(row.get("r") or row_number)
        for column_number, cell in enumerate(row.iter(_S + "c"), 1):
            place = _CELL.match(cell.get("r") or "")
            column = _column(place.group(1)) if place else column_number
            text = _cell_text(cell, strings, formats, epoch)
            if text:
                cells[(at_row, column)] = text
    for merged in sheet.iter(_S + "mergeCell"):
        corners = [_CELL.match(corner) for corner in (merged.get("ref") or "").split(":")]
        if len(corners) == 2 and all(corners):
            (top, left), (bottom, right) = [(int(m.group(2)), _column(m.group(1))) for m in corners]
            value = cells.get((top, left), "")
            if value and (bottom - top + 1) * (right - left + 1) <= _ROWS_MAX:
                for r in range(top, bottom + 1):
                    for c in range(left, right + 1):
                        cells[(r, c)] = value
    width = max((c for _, c in cells), default=0)
    if width > _COLUMNS_MAX:
        raise ValueError(f"a row reaches column {width:,}, past the {_COLUMNS_MAX:,} a report's table may have")
    rows: dict[int, list[str]] = {}
    for (r, c), text in cells.items():
        rows.setdefault(r, [""] * width)[c - 1] = text
    return [rows[r] for r in sorted(rows)]


def _column(letters: str) -> int:
    number = 0
    for letter in letters:
        number = number * 26 + ord(letter) - 64
    return number


def _cell_text(cell, strings: list[str], formats: list[str], epoch: datetime.datetime) -> str:
    kind, value = cell.get("t", "n"), cell.findtext(_S + "v")
    if kind == "inlineStr":
        return clean("".join(t.text or "" for t in cell.iter(_S + "t")))
    if value is None:
        return ""
    if kind == "s":
        index = int(value) if value.isdigit() else -1
        return clean(strings[index]) if 0 <= index < len(strings) else ""
    if kind in ("str", "e"):
        return clean(value)
    if kind == "b":
        return "TRUE" if value == "1" else "FALSE"
    style = int(cell.get("s") or 0)
    return _number(value, formats[style] if 0 <= style < len(formats) else "", epoch)


def _number(value: str, kind: str, epoch: datetime.datetime) -> str:
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
