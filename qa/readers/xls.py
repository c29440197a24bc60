"""Excel 97-2003 workbooks (.xls: a statistics office's tables, a report's data appendix from before 2007): each
visible sheet's cells as Excel shows them (number formats, merged ranges), read with xlrd (BSD); what they become is
sheets.py's, as for an .xlsx. The title is the one in the file's properties when meaningful."""

from __future__ import annotations

import io

from ..errors import CorpusError
from ..text import clean
from .blocks import Source, meaningful_title
from .compound import read_compound, stored_title
from .sheets import COLUMNS_MAX, EPOCH_1900, EPOCH_1904, ROWS_MAX, number_kind, sheet_rows, shown_number, workbook_blocks


def read(data: bytes, source: str) -> Source:
    import xlrd

    try:
        book = xlrd.open_workbook(file_contents=data, formatting_info=True, on_demand=True, logfile=io.StringIO())
    except Exception as e:  # noqa: BLE001 - xlrd raises XLRDError, struct and index errors for a damaged file
        raise CorpusError(f"{source}: cannot be read as an Excel 97-2003 .xls file ({type(e).__name__}: {e})") from None
    try:
        epoch = EPOCH_1904 if book.datemode == 1 else EPOCH_1900
        kinds = {key: number_kind(key, f.format_str or "") for key, f in book.format_map.items()}
        sheets = []
        for index in range(book.nsheets):
            sheet = book.sheet_by_index(index)
            if sheet.visibility == 0:
                sheets.append((clean(sheet.name), _rows(book, sheet, kinds, epoch, source)))
            book.unload_sheet(index)
    except CorpusError:
        raise
    except Exception as e:  # noqa: BLE001 - a damaged sheet fails in xlrd in many ways
        raise CorpusError(f"{source}: cannot be read as an Excel 97-2003 .xls file ({type(e).__name__}: {e})") from None
    finally:
        book.release_resources()
    try:
        stored = read_compound(data, source, "an Excel 97-2003 .xls file", stored_title)
    except CorpusError:  # the title is a nicety: a file xlrd read whose properties olefile cannot has none
        stored = ""
    return Source(title=stored if meaningful_title(stored) else "", blocks=tuple(workbook_blocks(sheets, source)))


def _rows(book, sheet, kinds: dict[int, str], epoch, source: str) -> list[list[str]]:
    import xlrd

    if sheet.nrows > ROWS_MAX or sheet.ncols > COLUMNS_MAX:
        raise CorpusError(f"{source}: sheet 「{clean(sheet.name)}」 has {sheet.nrows:,} rows and {sheet.ncols:,} columns, more than a "
                          f"report's table ({ROWS_MAX:,} rows, {COLUMNS_MAX:,} columns); keep the tables the report needs in a workbook of their own")
    cells: dict[tuple[int, int], str] = {}
    for r in range(sheet.nrows):
        for c, cell in enumerate(sheet.row(r)):
            if cell.ctype == xlrd.XL_CELL_TEXT:
                text = clean(cell.value)
            elif cell.ctype in (xlrd.XL_CELL_NUMBER, xlrd.XL_CELL_DATE):
                kind = kinds.get(book.xf_list[cell.xf_index].format_key, "") if cell.xf_index < len(book.xf_list) else ""
                text = shown_number(cell.value, kind, epoch)
            elif cell.ctype == xlrd.XL_CELL_BOOLEAN:
                text = "TRUE" if cell.value else "FALSE"
            elif cell.ctype == xlrd.XL_CELL_ERROR:
                text = xlrd.error_text_from_code.get(cell.value, "")
            else:
                text = ""
            if text:
                cells[(r + 1, c + 1)] = text
    merged = [(top + 1, left + 1, bottom, right) for top, bottom, left, right in sheet.merged_cells]  # xlrd's ends are past the range
    return sheet_rows(cells, merged)
