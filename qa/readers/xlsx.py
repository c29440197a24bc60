"""Excel workbooks (.xlsx: the data tables a report comes with): the cells of each visible sheet, their number formats
and merged ranges, read from the Office Open XML package (ooxml.py, no spreadsheet library); what they become is
sheets.py's, as for an .xls."""

from __future__ import annotations

import datetime
import re
import zipfile

from ..text import clean
from .blocks import Source, meaningful_title
from .ooxml import part, read_package, stored_title, targets
from .sheets import EPOCH_1900, EPOCH_1904, number_kind, sheet_rows, shown_number, workbook_blocks

_S = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_R = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
_CELL = re.compile(r"^([A-Z]{1,3})(\d{1,7})$")


def read(data: bytes, source: str) -> Source:
    return read_package(data, source, "an Excel .xlsx file", lambda package: _read(package, source))


def _read(package: zipfile.ZipFile, source: str) -> Source:
    names = set(package.namelist())
    workbook = part(package, "xl/workbook.xml")
    sheet_parts = targets(package, "xl/workbook.xml")
    strings = _shared_strings(package) if "xl/sharedStrings.xml" in names else []
    formats = _cell_formats(package) if "xl/styles.xml" in names else []
    properties = workbook.find(_S + "workbookPr")
    epoch = EPOCH_1904 if properties is not None and properties.get("date1904") in ("1", "true") else EPOCH_1900
    sheets = [s for s in workbook.iter(_S + "sheet") if s.get("state", "visible") == "visible" and sheet_parts.get(s.get(_R + "id")) in names]
    read_sheets = [(clean(s.get("name") or ""), _rows(part(package, sheet_parts[s.get(_R + "id")]), strings, formats, epoch)) for s in sheets]
    stored = stored_title(package)
    return Source(title=stored if meaningful_title(stored) else "", blocks=tuple(workbook_blocks(read_sheets, source)))


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
    cell_styles = styles.find(_S + "cellXfs")
    numbers = [int(style.get("numFmtId", 0) or 0) for style in (cell_styles.iter(_S + "xf") if cell_styles is not None else ())]
    return [number_kind(number, codes.get(number, "")) for number in numbers]


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
    merged = []
    for merge in sheet.iter(_S + "mergeCell"):
        corners = [_CELL.match(corner) for corner in (merge.get("ref") or "").split(":")]
        if len(corners) == 2 and all(corners):
            (top, left), (bottom, right) = [(int(m.group(2)), _column(m.group(1))) for m in corners]
            merged.append((top, left, bottom, right))
    return sheet_rows(cells, merged)


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
    return shown_number(value, formats[style] if 0 <= style < len(formats) else "", epoch)
