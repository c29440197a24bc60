"""PowerPoint 97-2003 decks (.ppt; WPS Office's .dps is the same format): each slide in the deck's order, its title a
heading over its text boxes' paragraphs, its speaker notes after them, its number the page — as a .pptx (pptx.py).

The deck is a compound file (olefile) whose 「PowerPoint Document」 stream is a tree of records ([MS-PPT]). The
「Current User」 stream points to the last edit, whose persist directory (merged with the earlier edits') says where each
slide lies; the document's slide list gives their order, and holds the text of placeholders that a slide only refers
to (OutlineTextRefAtom), as PowerPoint writes it; LibreOffice writes the text in the slide's own text boxes. A slide's
text boxes are read top to bottom, then left to right; the date, footer and slide number placeholders are left out.
Tables (groups of cells) are read cell by cell as text boxes; pictures are not read."""

from __future__ import annotations

import struct

from ..text import clean
from .blocks import Block, Source
from .compound import Unreadable, read_compound, stored_title
from .pptx import deck_source, slide_blocks, text_box
from .tables import render_rows
from .text_lines import join_lines

_DOCUMENT, _SLIDE_LIST, _SLIDE_PERSIST, _SLIDE, _SLIDE_ATOM, _NOTES = 0x03E8, 0x0FF0, 0x03F3, 0x03EE, 0x03EF, 0x03F0
_TEXT_HEADER, _TEXT_CHARS, _TEXT_BYTES, _OUTLINE_REF = 0x0F9F, 0x0FA0, 0x0FA8, 0x0F9E
_SHAPE, _GROUP, _GROUP_SHAPE, _TEXT_BOX, _ANCHOR, _CHILD_ANCHOR = 0xF004, 0xF003, 0xF009, 0xF00D, 0xF010, 0xF00F
_PLACEHOLDER, _SLIDE_SHOW_INFO, _TERTIARY_OPTIONS = 0x0BC3, 0x03F9, 0xF122
_TABLE_PROPERTIES = 0x039F  # a group shape's property: its first bit says the group is a table
_TABLE = -1  # the text type given to a table's item
_USER_EDIT, _PERSIST_DIRECTORY = 0x0FF5, 0x1772
_TITLE_TYPES = {0, 6}  # Tx_TYPE_TITLE, Tx_TYPE_CENTERTITLE
_NOTES_TYPE = 2
_LEFT_OUT = {7, 8, 9, 10}  # the date, slide number, footer and header placeholders (PlaceholderEnum)
_TITLE_PLACEHOLDERS = {0x0D, 0x0F, 0x11}  # title, centred title, vertical title
_ENCRYPTED_TOKEN = 0xF3D1C4DF  # Current User's header token of a deck saved with a password
_DEPTH = 32  # records in records read to this depth
_EDITS = 1_000  # earlier edits followed, at most (a damaged chain may loop)
_RECORDS_MAX = 1_000_000  # records read in all, at most (a deck of text holds some thousands)


def read(data: bytes, source: str) -> Source:
    blocks, slides, stored = read_compound(data, source, "a PowerPoint 97-2003 .ppt file", _read)
    return deck_source(stored, blocks, slides)


def _read(ole) -> tuple[list[Block], int, str]:
    if not ole.exists("PowerPoint Document"):
        raise Unreadable("holds no PowerPoint 97-2003 deck; save it as .pptx")
    stream = ole.openstream("PowerPoint Document").read()
    current = ole.openstream("Current User").read() if ole.exists("Current User") else b""
    blocks, slides = _deck(stream, current)
    return blocks, slides, stored_title(ole)


class _Record:
    __slots__ = ("type", "instance", "start", "end", "children")

    def __init__(self, kind: int, instance: int, start: int, end: int):
        self.type, self.instance, self.start, self.end, self.children = kind, instance, start, end, []


class _Records:
    """The records of the stream, each container read once (slides and notes pages may share one in a damaged file),
    and no more than _RECORDS_MAX of them in all."""

    def __init__(self, stream: bytes):
        self.stream, self.read, self.count, self.used = stream, {}, 0, set()

    def seen(self, offset: int) -> bool:
        """Whether the slide or notes page at `offset` was read before (and note it read now)."""
        if offset in self.used:
            return True
        self.used.add(offset)
        return False

    def at(self, offset: int) -> _Record:
        if offset not in self.read:
            self.read[offset] = self._record(offset, 0)
        return self.read[offset]

    def _record(self, at: int, depth: int) -> _Record:
        """The record at `at`, with its children when it is a container (read to _DEPTH, within the stream)."""
        self.count += 1
        if self.count > _RECORDS_MAX:
            raise Unreadable(f"holds over {_RECORDS_MAX:,} records (damaged?); save it as .pptx")
        version_instance, kind, length = struct.unpack_from("<HHI", self.stream, at)
        record = _Record(kind, version_instance >> 4, at + 8, min(at + 8 + length, len(self.stream)))
        if version_instance & 0x0F == 0x0F and depth < _DEPTH:
            inner = record.start
            while inner + 8 <= record.end:
                child = self._record(inner, depth + 1)
                record.children.append(child)
                inner = child.end
        return record


def _deck(stream: bytes, current: bytes) -> tuple[list[Block], int]:
    offsets, document_ref = _persist_directory(stream, current)
    records = _Records(stream)
    document = records.at(offsets[document_ref]) if document_ref in offsets else None
    if document is None or document.type != _DOCUMENT:
        raise Unreadable("has no document record where its last edit says (damaged?); save it as .pptx")
    blocks, number, pages = [], 0, _notes_pages(stream, document)
    for ref, outline in _slide_list(stream, document):
        if ref not in offsets:
            continue
        slide = records.at(offsets[ref])
        if slide.type != _SLIDE:
            continue
        number += 1
        if _hidden(stream, slide) or records.seen(offsets[ref]):  # a damaged list may name one slide many times
            continue
        title, boxes = "", []
        for kind, lines in _text_boxes(stream, slide, outline):
            if kind == _TABLE:
                rendered = render_rows(lines)
                boxes += [Block("table", "", tuple(rendered), page=number)] if rendered else []
            elif kind in _TITLE_TYPES and not title:
                title = " ".join(lines)
            else:
                boxes += text_box(lines, number)
        blocks += slide_blocks(title, boxes, _notes(records, slide, offsets, pages), number)
    return blocks, number


def _persist_directory(stream: bytes, current: bytes) -> tuple[dict[int, int], int]:
    """Where each persistent object lies (persist id → offset in the stream), newest edit first, and the document's
    persist id."""
    if len(current) < 20:
        raise Unreadable("lacks its Current User stream (damaged?); save it as .pptx")
    token, edit_at = struct.unpack_from("<II", current, 12)
    if token == _ENCRYPTED_TOKEN:
        raise Unreadable("is password-protected; save it without a password")
    offsets: dict[int, int] = {}
    document_ref, seen = None, set()
    while edit_at and edit_at not in seen and len(seen) < _EDITS and edit_at + 36 <= len(stream):
        seen.add(edit_at)
        _, kind, length = struct.unpack_from("<HHI", stream, edit_at)
        if kind != _USER_EDIT:
            break
        last_edit, directory_at, doc_ref = struct.unpack_from("<III", stream, edit_at + 16)
        if length >= 0x20:  # an encryptSessionPersistIdRef: the deck is encrypted
            raise Unreadable("is password-protected; save it without a password")
        document_ref = doc_ref if document_ref is None else document_ref
        _, kind, length = struct.unpack_from("<HHI", stream, directory_at)
        if kind == _PERSIST_DIRECTORY:
            at, end = directory_at + 8, min(directory_at + 8 + length, len(stream))
            while at + 4 <= end:
                (entry,) = struct.unpack_from("<I", stream, at)
                first, count = entry & 0xFFFFF, entry >> 20
                for i in range(min(count, (end - at - 4) // 4)):
                    offsets.setdefault(first + i, struct.unpack_from("<I", stream, at + 4 + 4 * i)[0])
                at += 4 + 4 * count
        edit_at = last_edit
    if document_ref is None:
        raise Unreadable("has no edit record where its Current User stream says (damaged?); save it as .pptx")
    return {ref: at for ref, at in offsets.items() if at + 8 <= len(stream)}, document_ref


def _slide_list(stream: bytes, document: _Record) -> list[tuple[int, list[tuple[int, list[str]]]]]:
    """The slides in the deck's order: each one's persist id and the placeholder texts the list holds for it."""
    out: list[tuple[int, list[tuple[int, list[str]]]]] = []
    for child in document.children:
        if child.type != _SLIDE_LIST or child.instance != 0:  # 0: the slides (1: masters, 2: notes)
            continue
        kind = 4
        for atom in child.children:
            if atom.type == _SLIDE_PERSIST and atom.end - atom.start >= 4:
                out.append((struct.unpack_from("<I", stream, atom.start)[0], []))
            elif atom.type == _TEXT_HEADER and atom.end - atom.start >= 4:
                (kind,) = struct.unpack_from("<I", stream, atom.start)
            elif atom.type in (_TEXT_CHARS, _TEXT_BYTES) and out:
                out[-1][1].append((kind, _lines(stream, atom)))
    return out


def _text_boxes(stream: bytes, container: _Record, outline: list[tuple[int, list[str]]]) -> list[tuple[int, list[str] | list[list[str]]]]:
    """A slide's (or notes page's) text boxes, (text type, paragraphs), and tables, (_TABLE, rows of cell texts), in
    reading order: top to bottom, then left to right, a group's shapes in its place."""
    drawing = next(_all(container, _GROUP), None)
    return [item for _, item in _group(stream, drawing, outline, 0)] if drawing is not None else []


def _group(stream: bytes, group: _Record, outline, depth: int) -> list[tuple[tuple[int, int], tuple]]:
    """A group's items in reading order, each with the group's place (its own shape, the first, says where it is)."""
    shapes = [child for child in group.children if child.type in (_SHAPE, _GROUP)]
    # The group's own shape comes first and holds the group's coordinates (FSPGR).
    own = shapes[0] if shapes and shapes[0].type == _SHAPE and any(c.type == _GROUP_SHAPE for c in shapes[0].children) else None
    place = _place(stream, own) if own is not None else (0, 0)
    if own is not None and _is_table(stream, own):
        return [(place, (_TABLE, _table_rows(stream, shapes[1:], outline)))]
    found = []
    for order, shape in enumerate(shapes[1:] if own is not None else shapes):
        if shape.type == _GROUP and depth < _DEPTH:
            found.append((_place(stream, _first_shape(shape)), order, [item for _, item in _group(stream, shape, outline, depth + 1)]))
        elif shape.type == _SHAPE:
            text = _shape_text(stream, shape, outline)
            if text is not None:
                found.append((_place(stream, shape), order, [text]))
    found.sort(key=lambda f: (f[0], f[1]))
    return [(place, item) for _, _, items in found for item in items]


def _first_shape(group: _Record) -> _Record:
    return next((child for child in group.children if child.type == _SHAPE), group)


def _shape_text(stream: bytes, shape: _Record, outline) -> tuple[int, list[str]] | None:
    """A shape's text box: its text type and paragraphs; None for a shape without text or a date, footer or slide number
    placeholder."""
    placeholder = next(_all(shape, _PLACEHOLDER), None)
    placed = stream[placeholder.start + 4] if placeholder is not None and placeholder.end - placeholder.start >= 5 else None
    if placed in _LEFT_OUT:
        return None
    kind, lines = 4, []
    for box in (child for child in shape.children if child.type == _TEXT_BOX):
        for atom in box.children:
            if atom.type == _TEXT_HEADER and atom.end - atom.start >= 4:
                (kind,) = struct.unpack_from("<I", stream, atom.start)
            elif atom.type in (_TEXT_CHARS, _TEXT_BYTES):
                lines += _lines(stream, atom)
            elif atom.type == _OUTLINE_REF and atom.end - atom.start >= 4:
                (index,) = struct.unpack_from("<I", stream, atom.start)
                if index < len(outline):
                    kind, referred = outline[index]
                    lines += referred
    if placed in _TITLE_PLACEHOLDERS:  # a title placeholder whose text says another type
        kind = 0
    return (kind, lines) if lines else None


def _is_table(stream: bytes, shape: _Record) -> bool:
    """Whether a group's own shape marks the group a table (the tableProperties property, its first bit)."""
    for options in (child for child in shape.children if child.type == _TERTIARY_OPTIONS):
        for i in range(min(options.instance, (options.end - options.start) // 6)):
            pid, value = struct.unpack_from("<HI", stream, options.start + 6 * i)
            if pid & 0x3FFF == _TABLE_PROPERTIES:
                return bool(value & 1)
    return False


def _table_rows(stream: bytes, cells: list[_Record], outline) -> list[list[str]]:
    """A table's cells (shapes placed in the group) as rows: cells with the same top a row, left to right."""
    rows: dict[int, list[tuple[int, str]]] = {}
    for cell in cells:
        if cell.type != _SHAPE:
            continue
        top, left = _place(stream, cell)
        text = _shape_text(stream, cell, outline)
        rows.setdefault(top, []).append((left, " ".join(text[1]) if text else ""))
    return [[text for _, text in sorted(row)] for _, row in sorted(rows.items())]


def _notes_pages(stream: bytes, document: _Record) -> dict[int, int]:
    """The notes pages' persist ids by their slide id (the notes list's SlidePersistAtoms: persistIdRef, flags, cTexts,
    slideId)."""
    out = {}
    for child in document.children:
        if child.type == _SLIDE_LIST and child.instance == 2:
            for atom in child.children:
                if atom.type == _SLIDE_PERSIST and atom.end - atom.start >= 16:
                    ref, _, _, slide_id = struct.unpack_from("<IIII", stream, atom.start)
                    out[slide_id] = ref
    return out


def _notes(records: _Records, slide: _Record, offsets: dict[int, int], pages: dict[int, int]) -> list[str]:
    """The slide's speaker notes: the body text of the notes page its SlideAtom names (geom, placeholder types,
    masterIdRef, notesIdRef: a slide id)."""
    stream = records.stream
    atom = next((child for child in slide.children if child.type == _SLIDE_ATOM), None)
    if atom is None or atom.end - atom.start < 20:
        return []
    (notes_id,) = struct.unpack_from("<I", stream, atom.start + 16)
    if pages.get(notes_id) not in offsets or records.seen(offsets[pages[notes_id]]):
        return []
    notes = records.at(offsets[pages[notes_id]])
    if notes.type != _NOTES:
        return []
    return [line for kind, lines in _text_boxes(stream, notes, []) if kind == _NOTES_TYPE for line in lines]


def _hidden(stream: bytes, slide: _Record) -> bool:
    info = next((child for child in slide.children if child.type == _SLIDE_SHOW_INFO), None)
    # SlideShowSlideInfoAtom: slideTime, soundIdRef, effectDirection, effectType, then its flags (fHidden the third bit).
    return info is not None and info.end - info.start >= 12 and bool(struct.unpack_from("<H", stream, info.start + 10)[0] & 0x0004)


def _place(stream: bytes, shape: _Record) -> tuple[int, int]:
    """Where a shape's top left corner is (y, x): its client anchor (top, left: 16-bit or 32-bit values) on a slide,
    its child anchor (left, top) in a group."""
    for anchor in shape.children:
        size = anchor.end - anchor.start
        if anchor.type == _ANCHOR and size >= 16:
            return struct.unpack_from("<ii", stream, anchor.start)
        if anchor.type == _ANCHOR and size >= 8:
            return struct.unpack_from("<hh", stream, anchor.start)
        if anchor.type == _CHILD_ANCHOR and size >= 16:
            left, top = struct.unpack_from("<ii", stream, anchor.start)
            return (top, left)
    return (0, 0)


def _lines(stream: bytes, atom: _Record) -> list[str]:
    """A text atom's paragraphs (parted by \\r; a \\v line break inside one joined as a wrap); a lone 「*」, a field's
    stand-in (the slide number), left out."""
    raw = stream[atom.start : atom.end]
    text = raw.decode("utf-16-le", "replace") if atom.type == _TEXT_CHARS else raw.decode("latin-1")
    out = []
    for paragraph in text.split("\r"):
        line = join_lines([clean(part) for part in paragraph.split("\x0b")])
        if line and line != "*":
            out.append(line)
    return out


def _all(record: _Record, kind: int):
    """Records of `kind` within `record`, in order (depth first)."""
    for child in record.children:
        if child.type == kind:
            yield child
        yield from _all(child, kind)
