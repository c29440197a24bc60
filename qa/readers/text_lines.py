"""Lines of running text -> blocks: what plain text files and PDF pages have in common.

Text extracted from a PDF is hard-wrapped: a paragraph ends where a line is cut short after a
sentence end (or, after one that reached the margin, where the page's layout opens a paragraph:
Line.opens), where a heading or a numbered or bulleted line starts, or at a blank line where
blank lines are paragraph breaks (not where every line is followed by one, as some extractors
write).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, replace

from ..errors import CorpusError
from ..text import clean, normalize
from .blocks import BOX_TITLE, BULLET, SENTENCE_PUNCT, Block, article, label_opening, named_part, numbering, plain_heading

PAGE_NUMBER = re.compile(
    r"^(?:[-–—−]\s*)?(?:第\s*)?\d{1,4}\s*(?:页)?(?:\s*[-–—−])?$|^\d{1,4}\s*/\s*\d{1,4}\s*页?$|^(?:page|p\.)\s*\d{1,4}$"
    # Word's 「第 4 页 共 47 页」 either way round, 「Page 4 of 47」
    r"|^第\s*\d{1,4}\s*页\s*[,，/／]?\s*共\s*\d{1,4}\s*页$|^共\s*\d{1,4}\s*页\s*[,，/／]?\s*第\s*\d{1,4}\s*页$"
    r"|^page\s*\d{1,4}\s*(?:of|/)\s*\d{1,4}$",
    re.I,
)
# A contents entry's dot leader and page number (「（一）总体情况..........2」), and a contents page's title.
# (Possessive, and only where a run of dots starts: a line of 20,000 dots had taken seconds.)
DOT_LEADER = re.compile(r"(?<![.…·])(?:\.{4,}+|…{2,}+|·{4,}+|\. \. \. )\s*+\d{1,4}\s*$")
_CONTENTS_MIN = 3  # entries that make a contents list
_ENTRY_WRAP = 2  # lines of an entry wrapped before its page number
CONTENTS_TITLE = re.compile(r"^\s*((?:图\s*表|图|表)?\s*目\s*录|目\s*次|contents|table of contents)\s*$", re.I)
_MARKER = re.compile(r"^[(（]\s*\d{1,3}\s*[)）]|^\d{1,2}[)）]")
SENTENCE_END = ("。", "！", "？", "!", "?", "；", "：", ":", "”", "」")
# Text that opens like a figure's or table's caption (图 3, 表一, Figure 2): never a heading, nor an entry of
# the contents.
CAPTION_START = re.compile(r"^(?:图表|图|表|附图|附表|figure|fig\.|table|chart|exhibit)\s*[\d一二三四五六七八九十]", re.I)
# A caption line (图表 1：…, 图 | …): a line of its own, never glued to the text around it.
CAPTION_LINE = re.compile(r"^(?:图表|图|表|附图|附表)\s*(?:\d{1,3}(?:[-.－]\d{1,3}){0,2}(?:\s*[:：|｜]|\s)|[|｜])\s*\S")
# One with its words right after the number (「图1.3联邦算法与非联邦算法流程对比」) only when the line stops
# short of the margin and holds no sentence punctuation: a wrapped line may open with 「图1显示，…」.
_CAPTION_GLUED = re.compile(r"^(?:图表|图|表|附图|附表)\s*\d{1,3}(?:[-.－]\d{1,3}){0,2}[\u4e00-\u9fffA-Za-z]")
# A figure's or table's source note (资料来源：Wind…): a line of its own too, with its caption when one is next to it.
SOURCE_LINE = re.compile(r"^(?:资料来源|数据来源|来源)\s*[：:]")
_HEADER_MAX = 40


def decode(data: bytes, source: str) -> str:
    """UTF-8 (with or without BOM), UTF-16 with its BOM (Windows' 「Unicode」), else GB18030 (simplified
    Chinese Windows) or Big5 (traditional), whichever reads as Chinese; anything else is an error."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            data = data.decode("utf-16").encode("utf-8")
        except UnicodeDecodeError:
            raise CorpusError(f"{source}: cannot be decoded as the UTF-16 its first bytes announce; save it as UTF-8") from None
    if b"\x00" in data:
        raise CorpusError(f"{source}: looks like a binary file (NUL bytes), not text")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = _legacy_chinese(data, source)
    if not text.strip():
        raise CorpusError(f"{source}: the file is empty")
    return text


def _legacy_chinese(data: bytes, source: str) -> str:
    """GB18030 decodes almost any bytes, so Big5 read as GB18030 is text of rare characters, not an
    error: the decoding whose Chinese characters are common ones (GB2312's, once simplified) wins. A
    right decoding scored 0.999-1.0 on the 25 real reports, Big5 read as GB18030 0.47-0.66."""
    best, best_share = None, 0.0
    for encoding in ("gb18030", "big5hkscs"):
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        share = _common_share(text)
        if share > best_share:
            best, best_share = text, share
    if best is None or best_share < _COMMON_SHARE:
        raise CorpusError(f"{source}: cannot be decoded as UTF-8, GB18030 or Big5; save it as UTF-8")
    return best


_COMMON_SHARE = 0.75  # a short text may hold a rare name or two; Big5 read as GB18030 scored at most 0.66
_SAMPLE = 20_000  # Chinese characters looked at: simplifying a whole 10 MB file twice took seconds


def _common_share(text: str) -> float:
    """The share of the Chinese characters of `text` (its first _SAMPLE) that GB2312 holds once
    simplified (1 when there are none)."""
    chinese = re.findall(r"[\u4e00-\u9fff]", normalize("".join(re.findall(r"[\u4e00-\u9fff]", text)[:_SAMPLE])))
    if not chinese:
        return 1.0
    common = 0
    for ch in chinese:
        try:
            ch.encode("gb2312")
            common += 1
        except UnicodeEncodeError:
            pass
    return common / len(chinese)


def join_lines(parts: list[str]) -> str:
    """Join hard-wrapped lines: no space in Chinese text, one space between two Latin words or digits."""
    out = ""
    for part in parts:
        part = clean(part)
        if not part:
            continue
        if out and out[-1].isascii() and out[-1].isalnum() and part[0].isascii() and part[0].isalnum():
            out += " "
        out += part
    return out


@dataclass(frozen=True)
class Line:
    text: str  # cleaned
    page: int | None = None
    cut_short: bool = False  # ends well before the text's usual right margin
    own_line: bool = False  # set line by line (a cover, a divider, a figure): never joined to the next
    opens: bool = False  # the page's layout opens a paragraph here: an indented first line, a wider gap above
    cells: tuple[str, ...] = ()  # a table's row, cell by cell (a PDF's lines that line up in columns)
    label: bool = False  # names the paragraph after it (a PDF's line in bold): leads it, not run into it


def width(text: str) -> float:
    """Display width: a CJK character 1, a Latin one 0.5."""
    return sum(0.5 if ch.isascii() else 1.0 for ch in text)


def at_margin(widths: list[float], margin: float) -> int:
    """How many of the lines end at this margin (within 8 % and a character)."""
    return sum(1 for w in widths if abs(w - margin) <= 0.08 * margin + 1)


def mark_short_lines(lines: list[Line]) -> list[Line]:
    """Flag lines that end before the usual margin (the 80th percentile of line widths)."""
    widths = sorted(width(ln.text) for ln in lines if ln.text)
    if not widths:
        return lines
    margin = widths[int(len(widths) * 0.8)]
    # Hard-wrapped text has many lines at the margin; where few are, every line is a paragraph of its own.
    wrapped = margin >= 20 and at_margin(widths, margin) >= 0.3 * len(widths)
    return [replace(ln, cut_short=not wrapped or width(ln.text) < 0.85 * margin) for ln in lines]


def running_headers(lines: list[str]) -> set[str]:
    """Short lines that repeat next to page numbers: page headers and footers of extracted text."""
    nonblank = [ln for ln in lines if ln]
    near_page: Counter = Counter()
    for i, ln in enumerate(nonblank):
        if PAGE_NUMBER.match(ln):
            for j in range(max(0, i - 2), min(len(nonblank), i + 3)):
                near_page[nonblank[j]] += 1
    return {
        ln
        for ln, n in near_page.items()
        if n >= 2 and len(ln) <= 20 and not PAGE_NUMBER.match(ln) and not _MARKER.match(ln)
        and not re.search(r"[。，；！？,;!?]", ln)
    }


_LEAD_IN_MAX = 12  # characters of a lone lead-in line such as 「具体步骤：」
_PHRASE_MAX = 20  # characters of a typed list's item without a marker (「小额贷款」)
_PHRASE_BREAK = re.compile(r"[。！？；!?;，,：:]")
_PHRASE_RUN = 3  # phrases a line each that are a list with no lead-in
_CLAUSE_LINE = 15  # characters of a line of running text cut mid-sentence, set apart or not
_PHRASE_WRAP = 10  # display width past which lines as wide as one another are a hard wrap, not phrases
_ITEM_END = ("；", ";")
_FULL_STOP = ("。", "！", "？", "!", "?")
_ITEM_LABEL = re.compile(r"^[^\s，。；：:,;]{1,8}[：:]")  # 「Step4：」, 「𝑛：」
_LABEL_START = label_opening(10)  # a paragraph opening with its label: 「特征：…」


def _dot_leader(line: str) -> bool:
    return bool(DOT_LEADER.search(line))


def contents_rows(lines: list[str], entry: Callable[[str], bool] = _dot_leader) -> set[int]:
    """The rows of a contents list copied with the text: three or more lines in a row that are `entry`s
    (their page number after a dot leader, or for Word after a tab too), the lines an entry wrapped onto before its page
    number, the blank lines among them and the list's 目录 title. As passages they would answer every
    question about a heading with a line of the contents; as headings they would open each chapter twice."""
    out: set[int] = set()
    run: list[int] = []
    for i in [*(i for i, ln in enumerate(lines) if entry(ln)), None]:
        between = [] if i is None or not run else [ln.strip() for ln in lines[run[-1] + 1 : i] if ln.strip()]
        if i is not None and run and len(between) <= _ENTRY_WRAP and not any(ln.endswith(SENTENCE_END) for ln in between):
            run.append(i)
            continue
        if len(run) >= _CONTENTS_MIN:
            above = run[0] - 1
            while above >= 0 and not lines[above].strip():
                above -= 1
            first = above if above >= 0 and CONTENTS_TITLE.match(lines[above]) else run[0]
            out.update(range(first, run[-1] + 1))
        run = [] if i is None else [i]
    return out


def _lead_in(text: str) -> bool:
    return len(text) <= _LEAD_IN_MAX and text.endswith(("：", ":")) and not SENTENCE_PUNCT.search(text)


def phrase_line(text: str) -> bool:
    """A short line with no punctuation but at its end, no label and no caption: a typed list's item without a
    marker (「小额贷款」), where a line ending in a colon leads it."""
    return len(text) <= _PHRASE_MAX and not _PHRASE_BREAK.search(text[:-1]) and not text.endswith(("：", ":")) and not caption(text)


def phrase_list(lines: list[str]) -> int | None:
    """Where the items begin of a paragraph its writer typed as a list of short lines, one a line (None: it is no
    such list): after a line ending in a colon, two phrase_lines or more (「主要产品包括：」 「小额贷款」 「融资租赁」);
    or, with no lead-in, three or more (「我们的优势」 「服务网点多」 「审批速度快」), unless all but the last are as wide
    as one another and wider than a phrase of a few words: a narrow hard wrap."""
    for i in range(len(lines) - 2, 0, -1):
        if lines[i - 1].endswith(("：", ":")):
            return i if all(phrase_line(x) for x in lines[i:]) else None
    widths = {round(width(x)) for x in lines[:-1]}
    wrapped = len(widths) == 1 and min(widths) > _PHRASE_WRAP
    return 0 if len(lines) >= _PHRASE_RUN and not wrapped and all(phrase_line(x) for x in lines) else None


def _enumerated(text: str) -> bool:
    found = numbering(text)
    return bool(found and found[0] in ("一、", "（一）", "（1）", "1）", "①"))


def caption(text: str, cut_short: bool = True) -> bool:
    """Whether a line (`cut_short`: ending short of the margin) is a figure's or table's caption."""
    glued = cut_short and _CAPTION_GLUED.match(text) and not SENTENCE_PUNCT.search(text) and not text.endswith(SENTENCE_END)
    return bool(CAPTION_LINE.match(text) or glued)


def _wrapped_on(lines: list[Line]) -> list[str]:
    """Lines set one by one, but a line that reached the margin joined to the next as a wrap (a one-page
    notice's paragraph: 「…同比增」 「长15%…」), and so is running text cut mid-sentence: a line of a clause or more
    (a full-width comma in it, no sentence end after it; a narrow column's 「…积极参与，服务覆盖面」) before a line
    of running text (「不断扩大，…。」), not before a slide's next point, which has no punctuation."""
    out: list[str] = []
    for before, ln in zip([None, *lines], lines):
        if before is not None and (not before.cut_short or _mid_sentence(before.text) and SENTENCE_PUNCT.search(ln.text)):
            out[-1] = join_lines([out[-1], ln.text])
        else:
            out.append(ln.text)
    return out


def _mid_sentence(text: str) -> bool:
    return len(text) >= _CLAUSE_LINE and "，" in text[:-1] and not text.endswith(SENTENCE_END)


def blocks_from_lines(lines: list[Line], blank_breaks: bool, known_heading=None) -> list[Block]:
    """Paragraphs, headings and bullet lists from lines ("" is a blank line). `known_heading(line)`:
    for a line the document itself marks as a heading (a PDF's contents page, its type size), the
    heading's text as listed (with its number, where the body leaves it out) and its level or None;
    ("", None) for a heading line to drop (a running repeat); else None."""
    reader = _LineReader(blank_breaks, known_heading)
    for ln in lines:
        reader.line(ln)
    reader.end()
    return reader.blocks


def _typed_items(para: list[Line], opening: bool) -> int | None:
    """Where a typed text's paragraph's items begin, if its writer set it as a list of short lines (phrase_list), its
    lead-in and items each ending short of the margin. Not on a PDF's page, whose line breaks are its layout's; nor,
    with no lead-in, in the `opening` lines, a title's (「小微金融发展报告」 「（2023年）」 「青海省金融学会」)."""
    found = phrase_list([ln.text for ln in para]) if para[0].page is None else None
    if found is None or found == 0 and opening:
        return None
    return found if all(ln.cut_short for ln in para[max(found - 1, 0) :]) else None


def _labelled_alike(first: str, text: str) -> bool:
    """Whether two lines both open with a label (「电话：」 and 「邮箱：」)."""
    a, b = _LABEL_START.match(first), _LABEL_START.match(text)
    return bool(a and b and a.group(0) != b.group(0))


_DIGITS = re.compile(r"\d+")


def _numbered_alike(first: str, text: str) -> bool:
    """Whether two lines open with labels that differ only in their numbers (「DL2级：」, 「DL3级：」)."""
    a, b = _LABEL_START.match(first), _LABEL_START.match(text)
    if not (a and b and a.group(0) != b.group(0) and _DIGITS.search(a.group(0))):
        return False
    return _DIGITS.sub("#", a.group(0)) == _DIGITS.sub("#", b.group(0))


class _LineReader:
    """A line at a time: a paragraph or list is open until a line ends it."""

    def __init__(self, blank_breaks: bool, known_heading):
        self.blank_breaks = blank_breaks
        self.known_heading = known_heading
        self.blocks: list[Block] = []
        self.para: list[Line] = []
        self.items: list[list[Line]] = []
        self.lead: list[Line] = []  # a lone lead-in whose items are lines ended by semicolons
        self.rows: list[Line] = []  # a table's rows
        self.previous: Line | None = None

    def line(self, ln: Line) -> None:
        text = ln.text
        if not text:
            if self.blank_breaks and not self.led():
                self.end()
            self.previous = None if self.blank_breaks else self.previous
            return
        if ln.cells:
            self.row(ln)
            return
        self.end_table()
        known = self.known_heading(ln) if self.known_heading else None
        if known is not None and not known[0]:
            return
        named = named_part(text) if ln.cut_short else None
        if known is not None or named or (ln.cut_short and plain_heading(text)):  # a line to the margin is wrapped text
            self.heading(ln, *(known or (named or text, None)))
        elif (BOX_TITLE.match(text) or ln.label) and not ln.own_line:
            self.end()
            self.para.append(ln)
            self.previous = ln
        elif caption(text, ln.cut_short) or SOURCE_LINE.match(text):
            self.caption(ln)
        elif BULLET.match(text) and BULLET.sub("", text):
            self.end_paragraph()
            self.items.append([Line(BULLET.sub("", text), ln.page, ln.cut_short)])
            self.previous = ln
        # Lines ended by semicolons after a lone lead-in are its items (a protocol table's 「输入：」 and
        # its 𝑆：…； lines, 「具体步骤：」 and its Step1：…； Step2：…；), up to an item ended by a full stop.
        elif self.led() and (text.endswith(_ITEM_END) or not ln.cut_short):  # a wrapped line: decided at its end
            self.lead.append(self.para.pop())
            self.items.append([ln])
            self.previous = ln
        elif not (self.lead and self.previous is not None and self.lead_item(ln)):
            self.text(ln)

    def row(self, ln: Line) -> None:
        """A table's row: the rows in a row are one table, each row a line of its cells."""
        if not self.rows:
            self.end()
        self.rows.append(ln)
        self.previous = None

    def end_table(self) -> None:
        """The table's block (structure._lead_ins gives it the caption right before it on its page)."""
        rows = self.rows
        if rows:
            self.blocks.append(Block("table", "", tuple(" ".join(ln.cells) for ln in rows), page=rows[0].page))
            rows.clear()

    def heading(self, ln: Line, heading: str, level: int | None) -> None:
        # A box's title right before a heading (caict's 「专栏 4：…」 over 「矿山装备远程运维服务平台」)
        # opens the paragraph after that heading, as it opens the one after it elsewhere: alone
        # it was a passage that said nothing but the box's name.
        para = self.para
        box = para.pop() if len(para) == 1 and not self.items and BOX_TITLE.match(para[0].text) else None
        self.end()
        self.blocks.append(Block("heading", heading, level=level, page=ln.page))
        self.previous = None
        if box is not None:
            para.append(box)
            self.previous = box

    def caption(self, ln: Line) -> None:
        """A caption or a source note, a paragraph of its own; joined with its partner (a caption and its source,
        in either order, the caption first) when that is the paragraph before it on the page."""
        self.end()
        text, blocks = ln.text, self.blocks
        last = blocks[-1] if blocks else None
        source = bool(SOURCE_LINE.match(text))
        partner = caption if source else SOURCE_LINE.match
        if last and last.kind == "paragraph" and last.page == ln.page and partner(last.text):
            first, second = (last.text, text) if source else (text, last.text)
            blocks[-1] = Block("paragraph", f"{first} {second}", page=last.page)
        else:
            blocks.append(Block("paragraph", text, page=ln.page))
        self.previous = None

    def lead_item(self, ln: Line) -> bool:
        """A line after a lead-in's items: the next item, a wrap of the last, or the list's end. True if the
        list is still open (the line is taken); False if the line ended it and is text."""
        text, previous, items = ln.text, self.previous, self.items
        # An item ends at a semicolon that ends a short line, or that the next item's number or
        # label follows (「2) …」, 「Step4：…」). Otherwise a line runs on from one that reached the
        # margin or ended no sentence, as in a paragraph (which a lone item is), except after an
        # item of several ended by a full stop.
        next_item = previous.cut_short or ln.opens or _MARKER.match(text) or _ITEM_LABEL.match(text)
        if previous.cut_short or ln.opens:
            runs_on = not previous.text.endswith(SENTENCE_END)
        else:
            runs_on = len(items) == 1 or not previous.text.endswith(_FULL_STOP)
        if _lead_in(text) or previous.own_line != ln.own_line:
            self.end_list()
        elif previous.text.endswith(_ITEM_END) and next_item:
            items.append([ln])
        elif runs_on:
            items[-1].append(ln)
        else:
            self.end_list()
        if not self.lead:
            return False
        if ln.cut_short and text.endswith(_FULL_STOP):
            self.end_list()
        self.previous = ln
        return True

    def text(self, ln: Line) -> None:
        """A line of running text: it starts a paragraph, or runs on from the line before."""
        text, previous = ln.text, self.previous
        # A lone lead-in (「输入：」, 「具体步骤：」) opens the text after it, never a passage of its own; one
        # after a sentence end starts a paragraph even when that sentence reached the margin.
        opened = self.led()
        starts = (
            (_MARKER.match(text) and not opened)
            or (previous is not None and (previous.cut_short or ln.opens) and previous.text.endswith(SENTENCE_END)
                and not opened and not (ln.own_line and previous.text.endswith(("：", ":")))  # a lead-in set line by line
                and not (ln.page is None and phrase_line(text) and previous.text.endswith(("：", ":"))))  # a typed item
            or (_lead_in(text) and previous is not None and previous.text.endswith(("。", "！", "？", "；")))
            # 「科学合理：…」 after a sentence that ran to the margin: the next item of a run, not its wrap.
            or (_LABEL_START.match(text) and previous is not None and previous.text.endswith(_FULL_STOP))
            # 「DL3级：…」 after a line that stopped short in 「DL2级：…」, its full stop forgotten: the next of a run
            # labelled alike, numbers aside, not a wrap. In a text file, where a line break is the writer's, any label
            # will do (「邮箱：…」 after 「电话：…」); a PDF's short line may be a title's (cbi's 「案例：…平台建设」 over
            # 「案例背景：…」), which a label must not part from what it heads.
            or (previous is not None and previous.cut_short and self.para
                and (_labelled_alike if ln.page is None else _numbered_alike)(self.para[0].text, text))
            # 「第五条　…」 after a sentence end: a regulation's next article, even after a line to the margin;
            # 「（一）…」 after a colon or semicolon: an item (「…应当具备下列条件：」 reached the margin).
            or (article(text) and previous is not None and previous.text.endswith(SENTENCE_END))
            or (_enumerated(text) and previous is not None and previous.text.endswith(("：", ":", "；", ";")))
            or (previous is not None and (previous.own_line != ln.own_line or ln.own_line and previous.page != ln.page))
        )
        if self.items and (starts or not previous or previous.cut_short):
            self.end_list()
        if starts:
            self.end_paragraph()
        (self.items[-1] if self.items else self.para).append(ln)
        self.previous = ln

    def led(self) -> bool:
        """The paragraph so far is a lone lead-in line."""
        return len(self.para) == 1 and not self.items and _lead_in(self.para[0].text)

    def end(self) -> None:
        self.end_paragraph()
        self.end_list()
        self.end_table()

    def end_paragraph(self) -> None:
        para = self.para
        if not para:
            return
        # Lines set one by one stay apart by a space: readable, and still one sentence, since a
        # sentence of 「邮编：100191」 alone would match any short question about as well as anything.
        if para[0].own_line:
            text = " ".join(filter(None, map(clean, _wrapped_on(para))))
        elif len(para) > 1 and para[0].label:  # the label leads its paragraph, as a list's lead-in leads it
            self.blocks.append(Block("list", clean(para[0].text), (join_lines([ln.text for ln in para[1:]]),), page=para[0].page))
            para.clear()
            return
        elif len(para) > 1 and BOX_TITLE.match(para[0].text):
            text = f"{clean(para[0].text)}\n{join_lines([ln.text for ln in para[1:]])}"
        elif (items := _typed_items(para, opening=not self.blocks)) is not None:  # 「主要产品包括：」 「小额贷款」 「融资租赁」, a line each
            if items:
                self.blocks.append(Block("paragraph", join_lines([ln.text for ln in para[:items]]), page=None))
            self.blocks.append(Block("list", "", tuple(clean(ln.text) for ln in para[items:]), page=None))
            para.clear()
            return
        else:
            text = join_lines([ln.text for ln in para])
        if text:
            self.blocks.append(Block("paragraph", text, page=para[0].page))
        para.clear()

    def end_list(self) -> None:
        items, lead = self.items, self.lead
        if not items:
            return
        texts = [join_lines([ln.text for ln in item]) for item in items]
        if lead:  # one item: the lead-in's sentence (「输入：用户ID；」); more: the lead-in and its list
            if len(texts) == 1:
                texts = [join_lines([lead[0].text, texts[0]])]
            else:
                self.blocks.append(Block("paragraph", clean(lead[0].text), page=lead[0].page))
            lead.clear()
        if len(texts) == 1:
            self.blocks.append(Block("paragraph", texts[0], page=items[0][0].page))
        else:
            self.blocks.append(Block("list", "", tuple(texts), page=items[0][0].page))
        items.clear()
