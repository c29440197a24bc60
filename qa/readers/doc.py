"""Word 97-2003 (.doc, and WPS Office's .wps, the same format): the text of the main document from its piece table
([MS-DOC]: the FIB names the table stream, whose CLX lists where each run of characters lies in the WordDocument
stream), read as Word saves it as text — a paragraph a line, a table's row a line of cells parted by tabs — by the
plain-text reader, whose heading lines (一、 （一） 1.1 第一章 …) give the sections. Styles are not read (the paragraph properties sit in another table):
a heading Word numbers automatically shows no number here."""

from __future__ import annotations

import re
import struct

from ..errors import CorpusError
from ..text import clean
from . import plaintext
from .blocks import Source, meaningful_title

_WORD_97 = 0x00C1  # nFib of Word 97 and later; Word 6 and 95 wrote a format of their own
_ENCRYPTED, _OBFUSCATED, _TABLE_1 = 0x0100, 0x8000, 0x0200  # FibBase flags
_COMPRESSED = 0x40000000  # a piece of 8-bit text (cp1252), at half its fc
_FC_CLX = 33  # the CLX's place in the FIB's fc/lcb pairs
# Marks in the text: a field's instruction runs from \x13 to \x14 (its shown result) or \x15; objects, notes'
# marks and annotations are \x01 \x02 \x05 \x08; \x0b a line break, \x0c a page or section break, \x0e a column's.
_FIELD_BEGIN, _FIELD_SEPARATOR, _FIELD_END = "\x13", "\x14", "\x15"
_CELL = "\x07"
_MARKS = str.maketrans({"\x0b": "\r", "\x0c": "\r", "\x0e": "\r", "\x1e": "-", "\x1f": None, "\x01": None, "\x02": None,
                        "\x03": None, "\x04": None, "\x05": None, "\x08": None})


class _Unreadable(Exception):
    """Why a file's text cannot be had."""


def read(data: bytes, source: str) -> Source:
    import olefile

    try:
        ole = olefile.OleFileIO(data)
    except Exception as e:  # noqa: BLE001 - olefile raises OSError and others for a file that is not OLE
        raise CorpusError(f"{source}: cannot be read as a Word 97-2003 .doc file ({type(e).__name__}: {e})") from None
    try:
        text = _document_text(ole)
        stored = stored_title(ole)
    except _Unreadable as e:
        raise CorpusError(f"{source}: {e}") from None
    except Exception as e:  # noqa: BLE001 - a damaged file fails in olefile or struct in many ways
        raise CorpusError(f"{source}: cannot be read as a Word 97-2003 .doc file ({type(e).__name__}: {e})") from None
    finally:
        ole.close()
    read_as_text = plaintext.read(text.encode("utf-8"), source)
    title = stored if meaningful_title(stored) else read_as_text.title
    return Source(title=title, blocks=read_as_text.blocks)


def stored_title(ole) -> str:
    """The title in the file's properties (File → Properties), "" when it has none."""
    if not ole.exists("\x05SummaryInformation"):
        return ""
    title = ole.get_metadata().title  # bytes in the file's code page, which olefile does not say
    if isinstance(title, bytes):
        for codec in ("utf-8", "gb18030"):
            try:
                return clean(title.decode(codec))
            except UnicodeDecodeError:
                continue
    return clean(title) if isinstance(title, str) else ""


def _document_text(ole) -> str:
    if not ole.exists("WordDocument"):
        raise _Unreadable("holds no Word 97-2003 document (a Microsoft Works or old WPS file?); save it as .docx")
    word = ole.openstream("WordDocument").read()
    ident, version = struct.unpack_from("<HH", word, 0)
    (flags,) = struct.unpack_from("<H", word, 0x0A)
    if ident != 0xA5EC:
        raise _Unreadable("is not a Word 97-2003 document; save it as .docx")
    if version < _WORD_97:
        raise _Unreadable("is a Word 6 or Word 95 document, which is not read; save it as .docx")
    if flags & (_ENCRYPTED | _OBFUSCATED):
        raise _Unreadable("is password-protected; save it without a password")
    table_name = "1Table" if flags & _TABLE_1 else "0Table"
    if not ole.exists(table_name):
        raise _Unreadable(f"lacks its {table_name} stream (damaged?); save it as .docx")
    table = ole.openstream(table_name).read()
    characters, clx, clx_size = _fib(word)
    pieces = _pieces(table[clx : clx + clx_size])
    # No more text than the stream holds: pieces of a hostile file may each point to all of it.
    limit, parts, length = min(characters, len(word)), [], 0
    for fc, count in pieces:
        if length >= limit:
            break
        parts.append(_piece_text(word, fc, min(count, limit - length)))
        length += len(parts[-1])
    return _as_saved_text("".join(parts)[:limit])


def _fib(word: bytes) -> tuple[int, int, int]:
    """The main document's length in characters (ccpText) and where its CLX lies in the table stream (fcClx, lcbClx),
    found past the FIB's variable-length parts."""
    at = 0x20
    (words,) = struct.unpack_from("<H", word, at)
    at += 2 + 2 * words
    (longs,) = struct.unpack_from("<H", word, at)
    (characters,) = struct.unpack_from("<i", word, at + 2 + 4 * 3)
    at += 2 + 4 * longs
    (pairs,) = struct.unpack_from("<H", word, at)
    if pairs <= _FC_CLX + 1:
        raise _Unreadable("has no piece table (damaged?); save it as .docx")
    clx, clx_size = struct.unpack_from("<II", word, at + 2 + 8 * _FC_CLX)
    return max(characters, 0), clx, clx_size


def _pieces(clx: bytes) -> list[tuple[int, int]]:
    """Each piece's file offset and length in characters, in text order: the CLX's property runs (Prc, 0x01) skipped,
    its piece table (Pcdt, 0x02) read."""
    at = 0
    while at < len(clx) and clx[at] == 0x01:
        (size,) = struct.unpack_from("<h", clx, at + 1)
        at += 3 + max(size, 0)
    if at >= len(clx) or clx[at] != 0x02:
        raise _Unreadable("has no piece table (damaged?); save it as .docx")
    (size,) = struct.unpack_from("<I", clx, at + 1)
    table = clx[at + 5 : at + 5 + size]
    count = (len(table) - 4) // 12
    positions = struct.unpack_from(f"<{count + 1}I", table, 0)
    return [
        (struct.unpack_from("<I", table, 4 * (count + 1) + 8 * i + 2)[0], positions[i + 1] - positions[i])
        for i in range(count) if positions[i + 1] > positions[i]
    ]


def _piece_text(word: bytes, fc: int, length: int) -> str:
    if fc & _COMPRESSED:
        start = (fc & ~_COMPRESSED) // 2
        return word[start : start + length].decode("cp1252", "replace")
    return word[fc : fc + 2 * length].decode("utf-16-le", "replace")


def _as_saved_text(text: str) -> str:
    """The text as Word saves it as text: fields shown by their results, marks of objects and notes dropped, a
    paragraph a line and a table's row a line of cells parted by tabs (a cell ends at \\x07, a row at a second one)."""
    shown, fields = [], []  # fields: for each open field, whether its result is being read
    for part in re.split(r"([\x13\x14\x15])", text):
        if part == _FIELD_BEGIN:
            fields.append(False)
        elif part == _FIELD_SEPARATOR and fields:
            fields[-1] = True
        elif part == _FIELD_END and fields:
            fields.pop()
        elif all(fields):
            shown.append(part)
    lines, cells, cell = [], [], []
    for part in re.split(r"([\r\x07])", "".join(shown).translate(_MARKS)):
        if part == "\r" and cells:  # a paragraph's end inside a row's cell
            cell.append(" ")
        elif part == "\r":
            lines.append("".join(cell))
            cell.clear()
        elif part == _CELL:
            if not "".join(cell).strip() and cells:  # the row's end mark
                lines.append("\t".join(cells))
                cells = []
            else:
                cells.append(clean("".join(cell)))
            cell.clear()
        else:
            cell.append(part)
    if cells:
        lines.append("\t".join(cells))
    lines.append("".join(cell))
    return "\n".join(lines)
