"""OpenDocument spreadsheets (.ods: LibreOffice Calc's and WPS's workbooks): each visible sheet's cells from
content.xml — repeated rows and cells (a sheet ends in a million repeated empty rows), merged ranges, numbers, dates
and percentages — become what sheets.py makes of any workbook's, as for an .xlsx."""

from __future__ import annotations

import zipfile

from ..errors import CorpusError
from ..text import clean
from .blocks import Source, meaningful_title
from .odt import stored_title
from .ooxml import part_keeping_spaces, read_package
from .sheets import COLUMNS_MAX, EPOCH_1900, ROWS_MAX, past_bounds, sheet_rows, shown_number, workbook_blocks

_TABLE = "{urn:oasis:names:tc:opendocument:xmlns:table:1.0}"
_OFFICE = "{urn:oasis:names:tc:opendocument:xmlns:office:1.0}"
_STYLE = "{urn:oasis:names:tc:opendocument:xmlns:style:1.0}"
_TEXT = "{urn:oasis:names:tc:opendocument:xmlns:text:1.0}"
_CELLS_MAX = 1_000_000  # cells of text in a sheet: repeated rows and cells could otherwise make billions from a few bytes


def read(data: bytes, source: str) -> Source:
    return read_package(data, source, "an OpenDocument .ods file", lambda package: _read(package, source))


def _read(package: zipfile.ZipFile, source: str) -> Source:
    content = part_keeping_spaces(package, "content.xml")
    hidden = {style.get(_STYLE + "name") for style in content.iter(_STYLE + "style")
              if any(p.get(_TABLE + "display") == "false" for p in style.iter(_STYLE + "table-properties"))}
    body = content.find(f"{_OFFICE}body/{_OFFICE}spreadsheet")
    sheets = []
    for table in body.iterfind(_TABLE + "table") if body is not None else ():
        if table.get(_TABLE + "style-name") not in hidden:
            name = clean(table.get(_TABLE + "name") or "")
            sheets.append((name, _rows(table, name, source)))
    stored = stored_title(package)
    return Source(title=stored if meaningful_title(stored) else "", blocks=tuple(workbook_blocks(sheets, source)))


def _rows(table, name: str, source: str) -> list[list[str]]:
    """A sheet's rows of cell texts; a merged range's value in each of its cells. A repeated row or cell with nothing in
    it is skipped over, not made."""
    cells: dict[tuple[int, int], str] = {}
    merged = []
    r = 0
    for row in table.iter(_TABLE + "table-row"):
        repeated = _int(row.get(_TABLE + "number-rows-repeated"), 1)
        texts, c = [], 0
        for cell in row:
            if cell.tag not in (_TABLE + "table-cell", _TABLE + "covered-table-cell"):
                continue
            columns = _int(cell.get(_TABLE + "number-columns-repeated"), 1)
            text = _cell_text(cell) if cell.tag == _TABLE + "table-cell" else ""
            if text:
                texts += [(c + k + 1, text) for k in range(min(columns, COLUMNS_MAX + 1))]
                across, down = _int(cell.get(_TABLE + "number-columns-spanned"), 1), _int(cell.get(_TABLE + "number-rows-spanned"), 1)
                if across > 1 or down > 1:
                    merged.append((r + 1, c + 1, r + down, c + across))
            c += columns
        if texts:
            if r + repeated > ROWS_MAX or texts[-1][0] > COLUMNS_MAX:
                raise past_bounds(source, name, r + repeated, texts[-1][0])
            if len(cells) + repeated * len(texts) > _CELLS_MAX:
                raise CorpusError(f"{source}: sheet 「{name}」 holds over {_CELLS_MAX:,} cells of text, more than a report's tables; "
                                  "keep the tables the report needs in a workbook of their own")
            for k in range(repeated):
                cells.update(((r + k + 1, column), text) for column, text in texts)
        r += repeated
    try:
        return sheet_rows(cells, merged)
    except ValueError as e:
        raise CorpusError(f"{source}: sheet 「{name}」: {e}") from None


def _cell_text(cell) -> str:
    """A cell as Calc shows it — its paragraphs' text — but a number without float noise and a date as a date."""
    kind = cell.get(_OFFICE + "value-type")
    if kind == "float" and cell.get(_OFFICE + "value") is not None:
        return shown_number(cell.get(_OFFICE + "value"), "", EPOCH_1900)
    if kind == "date" and cell.get(_OFFICE + "date-value"):
        value = cell.get(_OFFICE + "date-value")
        return value[:10] if value[10:].strip("T0:.") == "" else value[:16].replace("T", " ")
    return clean(" ".join("".join(p.itertext()) for p in cell.iterfind(_TEXT + "p")))


def _int(value: str | None, default: int) -> int:
    try:
        return max(int(value), 1) if value is not None else default
    except ValueError:
        return default
