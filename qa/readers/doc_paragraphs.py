"""What a Word 97-2003 document says of each paragraph ([MS-DOC]): its outline level (its own, or its style's: Heading 1-9
or a style that sets one), its list and list level with the number Word shows (「1.」, 「（一）」; none for a bullet),
whether it lies in a table or ends a table's row, whether it is centred. Read from the FKPs of paragraph properties
(PlcBtePapx), the style sheet (STSH) and the list tables (PlfLst, PlfLfo), all in the file's table stream.

Any of these a damaged file garbles is left out: the paragraph keeps its text and loses the property."""

from __future__ import annotations

import bisect
import struct
from dataclasses import dataclass

from .docx_numbering import number_in

# The FIB's fc/lcb pairs (FibRgFcLcb97) read here: the style sheet, paragraph properties, list tables.
_FC_STSH, _FC_PAPX, _FC_LST, _FC_LFO = 1, 13, 73, 74
_PAGE = 512  # an FKP's size
# Paragraph sprms: outline level, list (ilfo, ilvl), in a table, a row's end, justification.
_OUTLINE, _ILFO, _ILVL, _IN_TABLE, _ROW_END, _JC, _JC_80 = 0x2640, 0x460B, 0x260A, 0x2416, 0x2417, 0x2461, 0x2403
_HUGE = 0x6646  # sprmPHugePapx: the paragraph's sprms are in the Data stream at its operand (a table row's end has many)
_BODY_LEVEL = 9  # an outline level of 9 is body text
_STYLES_MAX, _LISTS_MAX = 4_000, 4_000  # a style sheet or list table claiming more is damaged
# Word's number formats (nfc) as the names of its numbering in .docx (docx_numbering.number_in); 23 is a bullet.
NUMBER_FORMATS = {0: "decimal", 1: "upperRoman", 2: "lowerRoman", 3: "upperLetter", 4: "lowerLetter", 18: "decimalEnclosedCircle",
                  22: "decimalZero", 28: "decimalEnclosedCircleChinese", 30: "ideographTraditional", 33: "taiwaneseCounting",
                  35: "taiwaneseCountingThousand", 36: "taiwaneseDigital", 37: "chineseCounting", 38: "chineseLegalSimplified",
                  39: "chineseCountingThousand", 10: "ideographDigital", 14: "decimal", 15: "decimal"}
_BULLET, _NONE = 23, 255
_TITLE_STYLE = 62  # the sti of Word's built-in Title style
_CONTENTS_STYLES = range(19, 28)  # toc 1-9: a contents page's entries


@dataclass(frozen=True)
class Paragraph:
    """One paragraph's properties, as far as they are read."""

    level: int | None = None  # outline level, 0 a top heading; None for body text
    number: str = ""  # the list number Word shows before it
    listed: bool = False  # a list's item (numbered or bulleted)
    in_table: bool = False
    row_end: bool = False  # the mark that ends a table's row
    centred: bool = False
    titled: bool = False  # in Word's Title style: the document's title
    contents: bool = False  # a contents page's entry (toc 1-9 styles): not text


@dataclass(frozen=True)
class ListLevel:
    """One level of a Word list: its first number, its format (nfc) and its number's text."""

    start: int
    format: int
    text: str  # the number's text, a level's counter where a character below 9 stands


class Properties:
    """Paragraph properties by the file offset (FC) of a paragraph's last character."""

    def __init__(self, word: bytes, table: bytes, data: bytes, pairs: list[tuple[int, int]]):
        self._runs: list[tuple[int, int, int, bytes]] = []  # (fc start, fc end, istd, grpprl), sorted
        self._style_levels: dict[int, int] = {}
        self._title_styles: set[int] = set()
        self._contents_styles: set[int] = set()
        self._lists: dict[int, list[ListLevel]] = {}  # lsid → its levels
        self._instances: list[int] = []  # ilfo - 1 → lsid
        self._counts: dict[int, list[int]] = {}  # lsid → the counter of each level
        self._data = data
        for read in (lambda: self._read_runs(word, table, pairs), lambda: self._read_styles(table, pairs),
                     lambda: self._read_lists(table, pairs)):
            try:
                read()
            except (struct.error, IndexError, ValueError, UnicodeDecodeError):
                continue  # damaged: that property is not read
        self._starts = [run[0] for run in self._runs]

    @property
    def found(self) -> bool:
        """Whether the file had paragraph properties to read (every file Word writes has)."""
        return bool(self._runs)

    def of(self, fc: int) -> Paragraph:
        """The properties of the paragraph whose last character (its mark) lies at `fc`; numbers count up as called, so
        call it for each paragraph in order."""
        at = bisect.bisect_right(self._starts, fc) - 1
        if at < 0 or not self._runs[at][0] <= fc < self._runs[at][1]:
            return Paragraph()
        _, _, istd, grpprl = self._runs[at]
        sprms = _sprms(grpprl)
        if _HUGE in sprms and sprms[_HUGE] + 2 <= len(self._data):
            (size,) = struct.unpack_from("<H", self._data, sprms[_HUGE])
            sprms |= _sprms(self._data[sprms[_HUGE] + 2 : sprms[_HUGE] + 2 + size])
        level = sprms.get(_OUTLINE, self._style_levels.get(istd, _BODY_LEVEL))
        ilfo = sprms.get(_ILFO, 0)
        listed = 0 < ilfo <= len(self._instances)
        number = self._number(self._instances[ilfo - 1], sprms.get(_ILVL, 0)) if listed else ""
        return Paragraph(level=level if level < _BODY_LEVEL else None, number=number, listed=listed,
                         in_table=bool(sprms.get(_IN_TABLE)), row_end=bool(sprms.get(_ROW_END)),
                         centred=sprms.get(_JC, sprms.get(_JC_80, 0)) == 1, titled=istd in self._title_styles,
                         contents=istd in self._contents_styles)

    def _number(self, lsid: int, ilvl: int) -> str:
        levels = self._lists.get(lsid)
        if not levels:
            return ""
        return counted_number(levels, self._counts.setdefault(lsid, [level.start - 1 for level in levels]), ilvl)

    def _read_runs(self, word: bytes, table: bytes, pairs: list[tuple[int, int]]) -> None:
        fc, size = pairs[_FC_PAPX]
        count = (size - 4) // 8
        if count <= 0:
            return
        plc = table[fc : fc + size]
        pages = struct.unpack_from(f"<{count}I", plc, 4 * (count + 1))
        for pn in dict.fromkeys(p & 0x3FFFFF for p in pages):  # each FKP once
            page = word[pn * _PAGE : (pn + 1) * _PAGE]
            if len(page) < _PAGE:
                continue
            crun = page[_PAGE - 1]
            bounds = struct.unpack_from(f"<{crun + 1}I", page, 0)
            for i in range(crun):
                offset = 2 * page[4 * (crun + 1) + 13 * i]
                if offset == 0:
                    self._runs.append((bounds[i], bounds[i + 1], 0, b""))
                    continue
                cb = page[offset]
                start, length = (offset + 1, 2 * cb - 1) if cb else (offset + 2, 2 * page[offset + 1])
                data = page[start : start + length]
                if len(data) >= 2:
                    self._runs.append((bounds[i], bounds[i + 1], struct.unpack_from("<H", data)[0], bytes(data[2:])))
        self._runs.sort()

    def _read_styles(self, table: bytes, pairs: list[tuple[int, int]]) -> None:
        fc, size = pairs[_FC_STSH]
        stsh = table[fc : fc + size]
        (header,) = struct.unpack_from("<H", stsh, 0)
        styles, base_size = struct.unpack_from("<HH", stsh, 2)
        at, bases, own = 2 + header, {}, {}
        for istd in range(min(styles, _STYLES_MAX)):
            (std_size,) = struct.unpack_from("<H", stsh, at)
            std = stsh[at + 2 : at + 2 + std_size]
            at += 2 + std_size
            if std_size < 10:
                continue
            sti, kind_base, upx_count = struct.unpack_from("<HHH", std, 0)
            sti &= 0x0FFF
            bases[istd] = kind_base >> 4
            if sti == _TITLE_STYLE:
                self._title_styles.add(istd)
            elif sti in _CONTENTS_STYLES:
                self._contents_styles.add(istd)
            if 1 <= sti <= 9:  # Heading 1-9 (Word's built-in styles, whatever their names in Chinese Word: 标题 1)
                own[istd] = sti - 1
                continue
            (name_length,) = struct.unpack_from("<H", std, base_size)
            upx_at = base_size + 2 + 2 * (name_length + 1)
            if kind_base & 0x0F == 1 and upx_count & 0x0F:  # a paragraph style: its first UPX holds its paragraph sprms
                (upx_size,) = struct.unpack_from("<H", std, upx_at)
                level = _sprms(std[upx_at + 4 : upx_at + 2 + upx_size]).get(_OUTLINE)
                if level is not None:
                    own[istd] = level
        for istd in bases:  # a style based on a heading style heads at its level
            seen, at_style = 0, istd
            while at_style not in own and at_style in bases and bases[at_style] != 0x0FFF and seen < 11:
                at_style, seen = bases[at_style], seen + 1
            if at_style in own:
                self._style_levels[istd] = own[at_style]

    def _read_lists(self, table: bytes, pairs: list[tuple[int, int]]) -> None:
        fc, size = pairs[_FC_LST]
        if size >= 2:
            (count,) = struct.unpack_from("<h", table, fc)
            at, lists = fc + 2 + 28 * count, []
            for i in range(min(max(count, 0), _LISTS_MAX)):
                lsid = struct.unpack_from("<i", table, fc + 2 + 28 * i)[0]
                simple = table[fc + 2 + 28 * i + 26] & 1
                lists.append((lsid, 1 if simple else 9))
            for lsid, levels in lists:
                read = []
                for _ in range(levels):
                    start, nfc = struct.unpack_from("<iB", table, at)
                    papx, chpx = table[at + 25], table[at + 24]
                    at += 28 + papx + chpx
                    (length,) = struct.unpack_from("<H", table, at)
                    text = table[at + 2 : at + 2 + 2 * length].decode("utf-16-le")
                    at += 2 + 2 * length
                    read.append(ListLevel(start, nfc, text))
                self._lists[lsid] = read
        fc, size = pairs[_FC_LFO]
        if size >= 4:
            (count,) = struct.unpack_from("<i", table, fc)
            self._instances = [struct.unpack_from("<i", table, fc + 4 + 16 * i)[0] for i in range(min(max(count, 0), _LISTS_MAX))]


def counted_number(levels: list[ListLevel], counts: list[int], ilvl: int) -> str:
    """The number Word shows for the next item at level `ilvl` of a list whose counters are `counts` (counted up here;
    deeper levels restart): 「1.」, 「（一）」, 「1.2」; "" for a bullet or an unnumbered level."""
    if not 0 <= ilvl < len(levels):
        return ""
    counts[ilvl] += 1
    for deeper in range(ilvl + 1, len(levels)):  # a level restarts under its parent
        counts[deeper] = levels[deeper].start - 1
    if levels[ilvl].format in (_BULLET, _NONE):
        return ""
    out = []
    for ch in levels[ilvl].text:
        k = ord(ch)
        if k < len(levels):
            out.append(number_in(max(counts[k], levels[k].start), NUMBER_FORMATS.get(levels[k].format, "decimal")))
        else:
            out.append(ch)
    return "".join(out).strip()


def _sprms(grpprl: bytes) -> dict[int, int]:
    """The one-, two- and four-byte operands of a run of sprms (the others skipped), by sprm."""
    out, at = {}, 0
    while at + 2 <= len(grpprl):
        (sprm,) = struct.unpack_from("<H", grpprl, at)
        at += 2
        size = {0: 1, 1: 1, 2: 2, 3: 4, 4: 2, 5: 2, 7: 3}.get(sprm >> 13)
        if size is None:  # variable: its size in its first byte (sprmTDefTable's in two)
            if at >= len(grpprl):
                break
            size = (struct.unpack_from("<H", grpprl, at)[0] + 1) if sprm in (0xD608, 0xD606) and at + 2 <= len(grpprl) else grpprl[at] + 1
            at += size
            continue
        if at + size > len(grpprl):
            break
        out[sprm] = int.from_bytes(grpprl[at : at + size], "little") if size != 3 else 0
        at += size
    return out
