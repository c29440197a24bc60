"""Word 97-2003 (.doc, and WPS Office's .wps, the same format): the text of the main document from its piece table
([MS-DOC]: the FIB names the table stream, whose CLX lists where each run of characters lies in the WordDocument
stream), each paragraph with what its properties say (doc_paragraphs.py: a heading's outline level, by its style or its
own; a list item and the number Word shows; a table's cells and rows; centred), written out as a web page for the web page
reader (html.py), whose Markdown reader also finds heading lines (一、 （一） 1.1 第一章 …) in paragraphs. A file with no
paragraph properties is read as Word saves it as text — a paragraph a line, a row a line of cells parted by tabs — by
the plain-text reader. Fields read as their shown results."""

from __future__ import annotations

import bisect
import html
import re
import struct
from dataclasses import dataclass

from ..text import clean
from . import html as web_page
from . import plaintext
from .blocks import Source, meaningful_title, notes_part, title_like, with_number
from .compound import Unreadable, read_compound, stored_title
from .doc_paragraphs import Paragraph, Properties
from .docx_notes import numbered

_WORD_97 = 0x00C1  # nFib of Word 97 and later; Word 6 and 95 wrote a format of their own
_ENCRYPTED, _OBFUSCATED, _TABLE_1 = 0x0100, 0x8000, 0x0200  # FibBase flags
_COMPRESSED = 0x40000000  # a piece of 8-bit text (cp1252), at half its fc
_FC_CLX = 33  # the CLX's place in the FIB's fc/lcb pairs
_FC_FOOTNOTES, _FC_ENDNOTES = 3, 47  # PlcffndTxt's and PlcfendTxt's: where each note's text starts in its story
_NOTES_MAX = 100_000  # notes of a story read, at most
# Marks in the text: a field's instruction runs from \x13 to \x14 (its shown result) or \x15; objects, notes'
# marks and annotations are \x01 \x02 \x05 \x08; \x0b a line break, \x0c a page or section break, \x0e a column's.
_FIELD_BEGIN, _FIELD_SEPARATOR, _FIELD_END = "\x13", "\x14", "\x15"
_CELL = "\x07"
_MARKS = str.maketrans({"\x0b": "\r", "\x0c": "\r", "\x0e": "\r", "\x1e": "-", "\x1f": None, "\x01": None, "\x02": None,
                        "\x03": None, "\x04": None, "\x05": None, "\x08": None})
# … and as a web page's paragraph keeps them: a line break a <br> (after escaping), the others a space or nothing.
_IN_PAGE = str.maketrans({"\x0c": " ", "\x0e": " ", "\x1e": "-", "\x1f": None, "\x01": None, "\x02": None, "\x03": None,
                          "\x04": None, "\x05": None, "\x08": None})


@dataclass(frozen=True)
class _Read:
    text: str  # the main document as a web page's body, or (as_text) as Word saves it as text
    as_text: bool  # the file has no paragraph properties
    title: str  # a centred first line set as a title, or ""
    notes: list[str]  # 「[1] …」 a footnote, 「[i] …」 an endnote


def read(data: bytes, source: str) -> Source:
    document, stored = read_compound(data, source, "a Word 97-2003 .doc file", lambda ole: (_document(ole), stored_title(ole)))
    if document.as_text:
        read_as = plaintext.read(document.text.encode("utf-8"), source)
    else:
        read_as = web_page.read_written(document.text, source)
    title = stored if meaningful_title(stored) else document.title or read_as.title
    return Source(title=title, blocks=read_as.blocks + notes_part(document.notes))


def _document(ole) -> _Read:
    """The main document as a web page's body and the title set over it (a centred first line, or ""), or, for a file
    with no paragraph properties, as Word saves it as text; and its notes."""
    if not ole.exists("WordDocument"):
        raise Unreadable("holds no Word 97-2003 document (a Microsoft Works or old WPS file?); save it as .docx")
    word = ole.openstream("WordDocument").read()
    ident, version = struct.unpack_from("<HH", word, 0)
    (flags,) = struct.unpack_from("<H", word, 0x0A)
    if ident != 0xA5EC:
        raise Unreadable("is not a Word 97-2003 document; save it as .docx")
    if version < _WORD_97:
        raise Unreadable("is a Word 6 or Word 95 document, which is not read; save it as .docx")
    if flags & (_ENCRYPTED | _OBFUSCATED):
        raise Unreadable("is password-protected; save it without a password")
    table_name = "1Table" if flags & _TABLE_1 else "0Table"
    if not ole.exists(table_name):
        raise Unreadable(f"lacks its {table_name} stream (damaged?); save it as .docx")
    table = ole.openstream(table_name).read()
    stories, pairs = _fib(word)
    characters = stories[0]
    clx, clx_size = pairs[_FC_CLX]
    pieces = _pieces(table[clx : clx + clx_size])
    # No more text than the stream holds: pieces of a hostile file may each point to all of it.
    limit, parts, length = min(sum(stories), len(word)), [], 0
    starts, places = [], []  # each piece's first character (CP) and where it lies in the stream (its byte, its width)
    for fc, count in pieces:
        if length >= limit:
            break
        parts.append(_piece_text(word, fc, min(count, limit - length)))
        starts.append(length)
        places.append(((fc & ~_COMPRESSED) // 2, 1) if fc & _COMPRESSED else (fc, 2))
        length += len(parts[-1])
    everything = "".join(parts)[:limit]
    text = everything[:characters]
    notes = _notes(everything, stories, table, pairs)
    properties = Properties(word, table, ole.openstream("Data").read() if ole.exists("Data") else b"", pairs)
    if not properties.found:
        return _Read(_as_saved_text(text), True, "", notes)

    def place(cp: int) -> int:  # a character's offset in the WordDocument stream (its FC)
        i = bisect.bisect_right(starts, cp) - 1
        start, width = places[i]
        return start + (cp - starts[i]) * width

    page = _as_page([(line, properties.of(place(end))) for line, end in _paragraphs(text)])
    return _Read(page.body(), False, page.title, notes)


def _notes(text: str, stories: list[int], table: bytes, pairs: list[tuple[int, int]]) -> list[str]:
    """The footnotes, then the endnotes, numbered as Word shows them: each note's text lies in its story (after the main
    document's) where the story's PlcffndTxt / PlcfendTxt says."""
    main, footnotes, headers, comments, endnotes = stories[:5]
    endnotes_start = main + footnotes + headers + comments
    return numbered(_story_notes(text, main, footnotes, table, pairs, _FC_FOOTNOTES),
                    _story_notes(text, endnotes_start, endnotes, table, pairs, _FC_ENDNOTES))


def _story_notes(text: str, start: int, length: int, table: bytes, pairs: list[tuple[int, int]], plc: int) -> list[str]:
    """The texts of a story's notes: the story runs `length` characters from `start`; its PLC (the pair `plc`) holds
    where each note starts in it."""
    if not length or plc >= len(pairs):
        return []
    fc, size = pairs[plc]
    ends = struct.unpack_from(f"<{min(size // 4, _NOTES_MAX)}I", table, fc) if fc + size <= len(table) else ()
    out = []
    for first, last in zip(ends, ends[1:]):
        note = _shown(text[start + first : start + min(last, length)]).replace("\x00", "").translate(_MARKS)
        note = clean(" ".join(part.strip() for part in note.split("\r") if part.strip()))
        if note:
            out.append(note)
    return out


def _fib(word: bytes) -> tuple[list[int], list[tuple[int, int]]]:
    """The length in characters of each story — the main document (ccpText), footnotes, headers, comments, endnotes,
    text boxes, header text boxes — and the FIB's fc/lcb pairs (where the CLX, the style sheet and the rest lie in the
    table stream), found past the FIB's variable-length parts."""
    at = 0x20
    (words,) = struct.unpack_from("<H", word, at)
    at += 2 + 2 * words
    (longs,) = struct.unpack_from("<H", word, at)
    stories = [max(struct.unpack_from("<i", word, at + 2 + 4 * i)[0], 0) if i < longs else 0 for i in (3, 4, 5, 7, 8, 9, 10)]
    at += 2 + 4 * longs
    (pairs,) = struct.unpack_from("<H", word, at)
    if pairs <= _FC_CLX + 1:
        raise Unreadable("has no piece table (damaged?); save it as .docx")
    pairs = [struct.unpack_from("<II", word, at + 2 + 8 * i) for i in range(min(pairs, 93))]
    return stories, pairs


def _pieces(clx: bytes) -> list[tuple[int, int]]:
    """Each piece's file offset and length in characters, in text order: the CLX's property runs (Prc, 0x01) skipped,
    its piece table (Pcdt, 0x02) read."""
    at = 0
    while at < len(clx) and clx[at] == 0x01:
        (size,) = struct.unpack_from("<h", clx, at + 1)
        at += 3 + max(size, 0)
    if at >= len(clx) or clx[at] != 0x02:
        raise Unreadable("has no piece table (damaged?); save it as .docx")
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


def _shown(text: str) -> str:
    """The text with each field shown by its result (its instruction, from \\x13 to \\x14, left out), each character
    where it was: a left-out one is \\x00."""
    shown, fields = [], []  # fields: for each open field, whether its result is being read
    for ch in text:
        if ch == _FIELD_BEGIN:
            fields.append(False)
        elif ch == _FIELD_SEPARATOR and fields:
            fields[-1] = True
        elif ch == _FIELD_END and fields:
            fields.pop()
        elif all(fields):
            shown.append(ch)
            continue
        shown.append("\x00")
    return "".join(shown)


def _paragraphs(text: str) -> list[tuple[str, int]]:
    """Each paragraph's shown text, its mark included (\\r, \\x07 a cell's or row's end, \\x0c a section's), and the
    position of its mark."""
    out, start = [], 0
    shown = _shown(text)
    for mark in re.finditer(r"[\r\x07\x0c]", shown):
        out.append((shown[start : mark.end()].replace("\x00", ""), mark.start()))
        start = mark.end()
    if start < len(shown):
        out.append((shown[start:].replace("\x00", "") + "\r", len(shown) - 1))
    return out


def _as_page(paragraphs: list[tuple[str, Paragraph]]) -> web_page.WrittenPage:
    """The paragraphs as a web page's body (headings, lists, tables, paragraphs) and the title set over them."""
    page, cell, cells_open = web_page.WrittenPage(), [], False
    for raw, paragraph in paragraphs:
        mark, body = raw[-1], raw[:-1].translate(_IN_PAGE)
        plain = clean(body.replace("\x0b", " "))
        text = "<br>".join(html.escape(clean(part)) for part in body.split("\x0b")) if plain else ""
        # A row's end: its mark says so, or (where it does not) an empty mark outside the cells, after them.
        if mark == _CELL and (paragraph.row_end or cells_open and not cell and not text and not paragraph.in_table):
            page.end_row()
            cells_open = False
        elif mark == _CELL:
            cell.append(text)
            page.cell(" ".join(t for t in cell if t))
            cell, cells_open = [], True
        elif paragraph.in_table:  # a cell's paragraph that goes on
            cell.append(text)
        elif text and not paragraph.contents:
            page.paragraph(with_number(html.escape(paragraph.number), text), paragraph.level, paragraph.listed,
                           paragraph.titled or paragraph.centred and title_like(plain))
    return page


def _as_saved_text(text: str) -> str:
    """The text as Word saves it as text: fields shown by their results, marks of objects and notes dropped, a
    paragraph a line and a table's row a line of cells parted by tabs (a cell ends at \\x07, a row at a second one)."""
    lines, cells, cell = [], [], []
    for part in re.split(r"([\r\x07])", _shown(text).replace("\x00", "").translate(_MARKS)):
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
