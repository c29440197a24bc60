"""Excel 2003 XML workbooks (SpreadsheetML 2003, `<?mso-application progid="Excel.Sheet"?>`): what many systems export
as an 「.xls」. One XML file of styles and worksheets: each visible worksheet's cells (a row's or cell's ss:Index skipping
ahead, ss:MergeAcross/ss:MergeDown ranges, number formats by style) become what sheets.py makes of any workbook's."""

from __future__ import annotations

import datetime

from ..errors import CorpusError
from ..text import clean
from .blocks import Source, meaningful_title
from .ooxml import flat_xml
from .sheets import COLUMNS_MAX, EPOCH_1900, ROWS_MAX, number_kind, past_bounds, sheet_rows, shown_number, workbook_blocks

_SS = "{urn:schemas-microsoft-com:office:spreadsheet}"
_X = "{urn:schemas-microsoft-com:office:excel}"
_O = "{urn:schemas-microsoft-com:office:office}"
# Excel's named number formats: the percentage and date ones (the rest show a number as it is).
_NAMED_FORMATS = {"percent": "percent:2", "short date": "date", "medium date": "date", "long date": "date", "general date": "date"}


def read(data: bytes, source: str) -> Source:
    root = flat_xml(data, source, "an Excel 2003 XML workbook", _SS + "Workbook")
    formats = {style.get(_SS + "ID"): _kind(style.find(_SS + "NumberFormat")) for style in root.iterfind(f"{_SS}Styles/{_SS}Style")}
    sheets = []
    for sheet in root.iterfind(_SS + "Worksheet"):
        shown = sheet.findtext(f"{_X}WorksheetOptions/{_X}Visible") or ""
        if shown not in ("SheetHidden", "SheetVeryHidden"):
            table = sheet.find(_SS + "Table")
            name = clean(sheet.get(_SS + "Name") or "")
            sheets.append((name, _rows(table, formats, name, source) if table is not None else []))
    stored = clean(root.findtext(f"{_O}DocumentProperties/{_O}Title") or "")
    return Source(title=stored if meaningful_title(stored) else "", blocks=tuple(workbook_blocks(sheets, source)))


def _kind(number_format) -> str:
    code = number_format.get(_SS + "Format") if number_format is not None else None
    if not code:
        return ""
    return _NAMED_FORMATS.get(code.lower(), number_kind(-1, code))


def _rows(table, formats: dict[str, str], name: str, source: str) -> list[list[str]]:
    """A worksheet's rows of cell texts, as Excel shows them; a merged range's value in each of its cells."""
    cells: dict[tuple[int, int], str] = {}
    merged = []
    r = 0
    for row in table.iterfind(_SS + "Row"):
        r = _index(row, r + 1)
        c = 0
        for cell in row.iterfind(_SS + "Cell"):
            c = _index(cell, c + 1)
            if r > ROWS_MAX or c > COLUMNS_MAX:
                raise past_bounds(source, name, r, c)
            across, down = _int(cell.get(_SS + "MergeAcross")), _int(cell.get(_SS + "MergeDown"))
            if across or down:
                merged.append((r, c, r + down, c + across))
            text = _cell_text(cell, formats)
            if text:
                cells[(r, c)] = text
            c += across
    try:
        return sheet_rows(cells, merged)
    except ValueError as e:
        raise CorpusError(f"{source}: sheet 「{name}」: {e}") from None


def _cell_text(cell, formats: dict[str, str]) -> str:
    data = cell.find(_SS + "Data")
    if data is None:
        return ""
    value = clean("".join(data.itertext()))  # a string may carry HTML formatting (<B>, <Font>) inside
    kind = data.get(_SS + "Type")
    if kind == "Number":
        return shown_number(value, formats.get(cell.get(_SS + "StyleID"), ""), EPOCH_1900)
    if kind == "DateTime":
        try:
            moment = datetime.datetime.fromisoformat(value[:19])
        except ValueError:
            return value
        return moment.strftime("%Y-%m-%d %H:%M" if moment.time() != datetime.time() else "%Y-%m-%d")
    if kind == "Boolean":
        return "TRUE" if value == "1" else "FALSE"
    return value


def _index(element, following: int) -> int:
    """A row's or cell's place (1-based): its ss:Index when it skips ahead, else the one after the last."""
    return max(_int(element.get(_SS + "Index")), following)


def _int(value: str | None) -> int:
    try:
        return max(int(value), 0) if value is not None else 0
    except ValueError:
        return 0
