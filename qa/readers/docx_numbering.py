"""Word's automatic numbering: the number Word shows before a paragraph (第一章, 1.1, 一、), which the
paragraph's text does not hold, counted from the document's numbering definitions as Word counts.

A heading numbered by a multi-level list reads 「1.1 市场规模」 in Word and 「市场规模」 in python-docx;
with its number, the cite is the document's own numbering (`1.1(2)`), as for any other format.
Each paragraph's number comes from its own numbering properties or its style's (a heading style linked
to a list); counters belong to the list definition, a deeper level restarts when a shallower one
counts, and a `startOverride` restarts a list where its numbering instance first appears.
"""

from __future__ import annotations

from dataclasses import dataclass

_LEVELS = 9
_CHINESE_DIGITS = "零一二三四五六七八九"
_HEAVENLY_STEMS = "甲乙丙丁戊己庚辛壬癸"
_CIRCLED = "①②③④⑤⑥⑦⑧⑨⑩⑪⑫⑬⑭⑮⑯⑰⑱⑲⑳"
_ROMAN = ((1000, "m"), (900, "cm"), (500, "d"), (400, "cd"), (100, "c"), (90, "xc"), (50, "l"), (40, "xl"), (10, "x"), (9, "ix"), (5, "v"), (4, "iv"), (1, "i"))


@dataclass(frozen=True)
class Level:
    start: int
    fmt: str  # w:numFmt: decimal, chineseCounting, upperLetter, bullet, …
    text: str  # w:lvlText: "第%1章", "%1.%2"
    legal: bool  # w:isLgl: every level's number shown in decimal (1.1 under 第一章)
    style: str | None  # w:pStyle: the paragraph style linked to this level


class Numbering:
    """The numbers of one document's paragraphs; `label` must see every paragraph in document order."""

    def __init__(self, document, qn):
        self._qn = qn
        self._abstract: dict[str, dict[int, Level]] = {}
        self._instances: dict[str, tuple[str, dict[int, int]]] = {}  # numId -> (abstractNumId, {level: start})
        self._counts: dict[str, list[int | None]] = {}
        self._started: set[str] = set()
        try:
            root = document.part.numbering_part.element
        except (KeyError, NotImplementedError, AttributeError):
            return
        for abstract in root.findall(qn("w:abstractNum")):
            levels = {}
            for lvl in abstract.findall(qn("w:lvl")):
                index = _int(lvl.get(qn("w:ilvl")))
                start = _int(self._val(lvl, "w:start"))
                if index is not None and 0 <= index < _LEVELS:
                    levels[index] = Level(
                        start=1 if start is None else start,
                        fmt=self._val(lvl, "w:numFmt") or "decimal",
                        text=self._val(lvl, "w:lvlText") or "",
                        legal=lvl.find(qn("w:isLgl")) is not None,
                        style=self._val(lvl, "w:pStyle"),
                    )
            self._abstract[abstract.get(qn("w:abstractNumId"))] = levels
        for num in root.findall(qn("w:num")):
            overrides = {}
            for override in num.findall(qn("w:lvlOverride")):
                level, start = _int(override.get(qn("w:ilvl"))), _int(self._val(override, "w:startOverride"))
                if level is not None and start is not None:
                    overrides[level] = start
            self._instances[num.get(qn("w:numId"))] = (self._val(num, "w:abstractNumId"), overrides)

    def label(self, paragraph) -> str:
        """The number Word shows before this paragraph ("" for none or a bullet), counting it."""
        found = self._numbering_of(paragraph)
        if found is None:
            return ""
        num_id, level = found
        abstract_id, overrides = self._instances[num_id]
        levels = self._abstract.get(abstract_id, {})
        if level not in levels:
            return ""
        counts = self._counts.setdefault(abstract_id, [None] * _LEVELS)
        if num_id not in self._started:  # a numbering instance that restarts its list
            self._started.add(num_id)
            for lvl, start in overrides.items():
                if 0 <= lvl < _LEVELS:
                    counts[lvl] = start - 1
        counts[level] = levels[level].start if counts[level] is None else counts[level] + 1
        counts[level + 1 :] = [None] * (_LEVELS - level - 1)
        shown = levels[level]
        if shown.fmt in ("bullet", "none"):
            return ""
        text = shown.text
        for k in range(_LEVELS, 0, -1):  # %10 is no placeholder; count down so %1 never eats %1x
            if f"%{k}" in text:
                of = levels.get(k - 1)
                n = counts[k - 1] if counts[k - 1] is not None else (of.start if of else 1)
                fmt = "decimal" if shown.legal and k - 1 < level else (of.fmt if of else "decimal")
                text = text.replace(f"%{k}", number_in(n, fmt))
        return text.strip()

    def _numbering_of(self, paragraph) -> tuple[str, int] | None:
        """(numId, level) from the paragraph's numbering properties, else its style's (up its base styles)."""
        qn = self._qn
        num_id = level = None
        element = paragraph._p
        style = paragraph.style
        for _ in range(11):  # the paragraph, then its style chain (a damaged file may loop)
            ppr = element.find(qn("w:pPr")) if element is not None else None
            numpr = ppr.find(qn("w:numPr")) if ppr is not None else None
            if numpr is not None:
                level = level if level is not None else _int(self._val(numpr, "w:ilvl"))
                num_id = num_id or self._val(numpr, "w:numId")
            if num_id is not None or style is None:
                break
            element, style = style.element, style.base_style
        if num_id is None or num_id == "0" or num_id not in self._instances:
            return None  # numId 0 takes a style's numbering away
        if level is None:  # a style linked to a list: the level that names the style
            style_id = paragraph.style.style_id if paragraph.style is not None else None
            levels = self._abstract.get(self._instances[num_id][0], {})
            level = next((i for i, lv in levels.items() if lv.style and lv.style == style_id), 0)
        return (num_id, level) if 0 <= level < _LEVELS else None

    def _val(self, element, tag: str) -> str | None:
        child = element.find(self._qn(tag))
        return child.get(self._qn("w:val")) if child is not None else None


def _int(value: str | None) -> int | None:
    try:
        return int(value) if value is not None else None
    except ValueError:
        return None


def number_in(n: int, fmt: str) -> str:
    """n written in a Word numbering format (decimal, chineseCounting, upperRoman…)."""
    if fmt in ("chineseCounting", "chineseCountingThousand", "chineseLegalSimplified", "japaneseCounting", "taiwaneseCounting"):
        return _chinese(n)
    if fmt in ("ideographDigital", "taiwaneseDigital", "japaneseDigitalTenThousand"):
        return "".join(_CHINESE_DIGITS[int(d)] for d in str(n))
    if fmt in ("ideographTraditional",) and 1 <= n <= len(_HEAVENLY_STEMS):
        return _HEAVENLY_STEMS[n - 1]
    if fmt in ("decimalEnclosedCircle", "decimalEnclosedCircleChinese") and 1 <= n <= len(_CIRCLED):
        return _CIRCLED[n - 1]
    if fmt in ("upperLetter", "lowerLetter") and n >= 1:
        letter = chr(ord("a") + (n - 1) % 26) * ((n - 1) // 26 + 1)
        return letter.upper() if fmt == "upperLetter" else letter
    if fmt in ("upperRoman", "lowerRoman") and n >= 1:
        return roman(n).upper() if fmt == "upperRoman" else roman(n)
    if fmt == "decimalZero":
        return f"{n:02d}"
    return str(n)


def roman(n: int) -> str:
    """xiv for 14: lower-case Roman numerals (Word's endnotes, lowerRoman lists)."""
    out = ""
    for value, digits in _ROMAN:
        while n >= value:
            out, n = out + digits, n - value
    return out


def _chinese(n: int) -> str:
    """一 … 十, 十一, 二十, 一百零五: Chinese counting up to 9,999 (beyond, the digits)."""
    if not 0 < n < 10_000:
        return str(n)
    out, zero = "", False
    for value, unit in ((1000, "千"), (100, "百"), (10, "十"), (1, "")):
        digit, n = divmod(n, value)
        if digit:
            if zero and out:
                out += "零"
            out += ("" if value == 10 and digit == 1 and not out else _CHINESE_DIGITS[digit]) + unit
            zero = False
        elif out:
            zero = True
    return out
