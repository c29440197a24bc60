"""A reader's blocks -> the citable passages of one document.

Headings of any depth form a path. A heading's own numbering (一、 （一） 1. 1.1 第一章 …) says
which headings are siblings: one of a style already open closes everything opened after it; a
Markdown or Word heading level closes the levels at or below it. Every content block under the
innermost heading becomes one passage, or several when long, cited `<section>(<n>)`:

- the section is the document's own numbering where it has one, composed down the path
  (二、 → 2, its （一） → 2.1, its 1. → 2.1.1; a dotted 2.3 is taken as written), otherwise the
  heading's words (`电力 › 未来展望`); text before the first heading has none: `(1)`, `(2)`, …
- n counts the passages of that section, so an edit elsewhere never changes a cite.
A regulation's article (「第三条　…」, where two paragraphs at least open so) is one passage with its
clauses and items, cited by its own number, `第三条` (parts of a long one `第三条-2`, …), which its
text keeps.
A section id met twice in one document gets `-2`, `-3`: cites are unique within a document.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, replace

from .readers.blocks import (
    BOX_TITLE, ENUMERATIONS, HEADING_MAX, SAME_SIZE, SENTENCE_STOP, Block, Source, article, label_opening, named_part,
    numbering, space_articles, undecorated,
)
from .readers.text_lines import caption, phrase_line
from .text import split_sentences

_MARKER = re.compile(r"^[(（]\s*(\d{1,3})\s*[)）]\s*")
_CONTENT = re.compile(r"[\u4e00-\u9fff][^\u4e00-\u9fff]*[\u4e00-\u9fff]|[A-Za-z]{3}")
_LEAD_END = ("：", ":")
# A numbered paragraph is a list's item when short and, but for the last, not ended by a full stop
# (「1）总长11位；」 … 「4）最后4位为随机数。」); 「（1）无损害是指…。」 「（2）…」 are paragraphs of their own.
ITEM_MAX = 80
_FULL_STOP = ("。", "！", "？", ".", "!", "?")
LABEL_MAX = 16  # characters of an unnumbered heading used in a cite
_BRACKET_MAX = 8  # characters past LABEL_MAX a cite's label runs on to close a bracket
_LABEL_END = "。：:，,；;、 "  # punctuation a cite's label does not end with
_LEAD_IN_MAX = 200  # characters of a paragraph ending with a colon that leads the list or table after it
_LABEL_RUN = 3  # short labels in a row that are a list, not headings


@dataclass(frozen=True)
class Chunk:
    """One passage-to-be: its section path and cite, its text (list items and table rows on lines of
    their own) and page."""

    cite: str
    headings: tuple[str, ...]
    text: str
    page: int | None
    lead: bool = False  # its first line introduces the lines after it: a list's lead-in, a table's caption or heading


@dataclass
class _Open:
    style: str | None  # numbering style, "plain" for an unnumbered plain-text heading, None for markup
    level: int | None  # markup level; None for a plain-text heading
    id: str
    heading: str
    numeric: bool  # id is digits and dots: a child's number extends it
    size: float | None = None  # a PDF heading's type size


def chunks(source: Source, max_chars: int) -> list[Chunk]:
    """The passages of a document, in reading order, with unique cites."""
    stack: list[_Open] = []
    used: set[str] = set()
    ordinals: dict[str, int] = {}
    out: list[Chunk] = []
    headings = (replace(b, text=undecorated(b.text)) if b.kind == "heading" else b for b in source.blocks)
    blocks = tuple(b for b in headings if b.text or b.kind != "heading")
    blocks = _articles(_lead_ins(_label_runs(_item_runs(_lists_from_heading_runs(_numbered_titles(blocks))))))
    top = _top_sizes(blocks)
    body_font = _body_font(blocks)
    box: _Box | None = None  # the last box (专栏 3：…) met, while its section lasts
    for i, block in enumerate(blocks):
        if block.kind == "heading" and i + 1 == len(blocks) and _last_heading_is_text(block):
            found = numbering(block.text)
            if found:  # its own section's text, the number in the cite: 「5.风险提示：…」 after 4. is 5(1) 「风险提示：…」
                _open(stack, block, used, top)
            block = Block("paragraph", found[2] if found else block.text, page=block.page)
        elif block.kind == "heading":
            _open(stack, block, used, top)
            if box is not None and len(stack) <= box.depth:
                box = None  # the box's section has ended
            continue
        elif BOX_TITLE.match(block.text or (block.items[0] if block.kind == "list" and block.items else "")):
            # a paragraph; in imported Markdown, a list whose first line is the box's title
            box = _open_box(stack, box, _follows_heading(blocks, i), block.font)
        elif box is not None and block.font is not None and block.font == body_font != box.font:
            _close_box(stack, box)  # back in the body's font: past the box, in its section again
            box = None
        section = stack[-1].id if stack else ""
        path = tuple(o.heading for o in stack)
        if block.kind == "article":
            number = article(block.text)[0]
            # Articles are numbered through the whole document; one met again (a second regulation
            # quoted in an annex) is told apart by its section.
            base = _unique(number if number not in used or not section else f"{section} › {number}", used)
            for k, text in enumerate(_article_texts((block.text, *block.items), max_chars)):
                out.append(Chunk(base if k == 0 else _unique(f"{base}-{k + 1}", used), path, text, block.page))
            continue
        for text, lead in _texts(block, ordinals.get(section, 0) + 1, stack, max_chars):
            if not _has_content(text) or (path and text == path[-1]):
                continue
            n = ordinals[section] = ordinals.get(section, 0) + 1
            out.append(Chunk(f"{section}({n})", path, text, block.page, lead))
    return out


@dataclass(frozen=True)
class _Box:
    """A box met (专栏 3：…): how many headings were open around it, and the heading right before its title, if any —
    its first case (the PDF reader moves a box's title after it) or the section it opens in, which the next box
    tells apart by whether that heading is still open."""

    depth: int
    first: _Open | None
    font: str | None = None  # a PDF box's font, where known


def _open_box(stack: list[_Open], before: _Box | None, after_heading: bool, font: str | None = None) -> _Box:
    """Close the case headings of the box before (unnumbered headings opened inside it: caict's 「专栏 5：…」 came
    under 专栏 4's last case, 「5G+智慧采矿应用」, set smaller than the sections and so a label; in its imported
    Markdown a `####` heading) and say where this box opens."""
    first = stack.pop() if after_heading and stack else None
    if before is not None:
        _close_box(stack, before)
    box = _Box(len(stack), first, font)
    if first is not None:
        stack.append(first)
    return box


def _close_box(stack: list[_Open], box: _Box) -> None:
    """Close the unnumbered headings opened inside the box: its cases."""
    still_open = [k for k, o in enumerate(stack) if o is box.first]
    depth = still_open[0] + 1 if still_open else box.depth  # still open: it was the section, not a case
    while len(stack) > depth and stack[-1].style in ("plain", None):
        stack.pop()


def _body_font(blocks: list[Block]) -> str | None:
    """The font of most of a PDF's paragraph text (None for other formats)."""
    fonts: Counter = Counter()
    for b in blocks:
        if b.kind == "paragraph" and b.font:
            fonts[b.font] += len(b.text)
    return fonts.most_common(1)[0][0] if fonts else None


def _follows_heading(blocks: list[Block], i: int) -> bool:
    """Whether the block before blocks[i] is a heading, past a bare paragraph number (imported Markdown's
    「(1)」 line before a list)."""
    i -= 1
    while i >= 0 and blocks[i].kind == "paragraph" and not _MARKER.sub("", blocks[i].text):
        i -= 1
    return i >= 0 and blocks[i].kind == "heading"


def _top_sizes(blocks: list[Block]) -> dict[str, float]:
    """For each numbering style, the type size its sections are set in, where a PDF says: the
    largest size that at least two of its headings have."""
    sizes: dict[str, list[float]] = {}
    for b in blocks:
        found = numbering(b.text) if b.kind == "heading" and b.size else None
        if found:
            sizes.setdefault(found[0], []).append(b.size)
    top = {}
    for style, got in sizes.items():
        largest = max(got)
        if sum(1 for x in got if x >= SAME_SIZE * largest) >= 2:
            top[style] = largest
    return top


def _larger(size: float | None, than: float | None) -> bool:
    return bool(size and than and than < SAME_SIZE * size)


def _open(stack: list[_Open], block: Block, used: set[str], top: dict[str, float]) -> None:
    back = [k for k, o in enumerate(stack[:-1]) if block.level is not None and (o.level, o.heading) == (block.level, block.text)]
    if back:  # a marked-up heading open above the current one, again: back in that section (`qa import` writes one after a box)
        del stack[back[-1] + 1 :]
        return
    found = numbering(block.text)
    if found and block.size and block.size < SAME_SIZE * top.get(found[0], 0):
        # Numbered like the sections but set smaller: a box's or a table's own numbering (caict's
        # case studies 「1.国药集团…」 in body type under 16-point 「1.我国数字经济…」), so a label.
        block = Block("heading", found[2] or block.text, page=block.page, size=block.size)
        found = None
    style = found[0] if found else (None if block.level is not None else "plain")
    number = found[1] if found else ""
    if style not in (None, "plain") and any(o.style == style for o in stack):
        while stack[-1].style != style:
            stack.pop()
        stack.pop()  # a sibling: it takes the place of the one of its style
    elif block.level is None and not found and named_part(block.text):
        stack.clear()  # 前言, 附录: a part of the document beside the chapters, never inside one
    elif block.level is not None:
        keep = next((i for i, o in enumerate(stack) if o.level is not None and o.level >= block.level), len(stack))
        del stack[keep:]
        while stack and stack[-1].style == "plain":
            stack.pop()  # nor a heading the document marks up as one
    elif style == "plain" or number:
        # An unnumbered label heads the text after it, not a numbered heading — unless the label is
        # set in larger type: CB Insights' 14-point 「强化监管：…」 is the section of its 12-point 1. 2.
        while stack and stack[-1].style == "plain" and not (style != "plain" and _larger(stack[-1].size, block.size)):
            stack.pop()
        # A label in larger (or the same) type than the numbered headings open is above them (a PDF's
        # 「市场回响：…」 in 14-point closes its 12-point 「2.数据安全：…」).
        while style == "plain" and block.size and stack and stack[-1].size and stack[-1].size <= block.size:
            stack.pop()
    parent = stack[-1] if stack else None
    heading = block.text
    if number and found[0].startswith("1.1"):
        heading = f"{number} {found[2]}".strip()  # 「1.1市场规模」 as 「1.1 市场规模」
    if number:
        dotted = "." in number
        if parent is None:
            sid = number
        elif parent.numeric:
            sid = number if dotted else f"{parent.id}.{number}"
            if dotted and not sid.startswith(f"{parent.id}.") and any(u.startswith(f"{number.split('.')[0]}.") for u in used):
                sid = f"{parent.id} › {number}"  # a document restarting 1.1 in each chapter: 2 › 1.1, not 1.1-2
        else:
            sid = f"{parent.id} › {number}"
        numeric = parent is None or parent.numeric
    else:
        label = _cite_label(found[2] if found else heading) or _cite_label(heading)
        sid = f"{parent.id} › {label}" if parent else label
        numeric = False
    unique = _unique(sid, used)
    stack.append(_Open(style, block.level, unique, heading, numeric and unique == sid, block.size))


def _cite_label(heading: str) -> str:
    """An unnumbered heading as a cite shows it: up to LABEL_MAX characters, a bracket it opens closed
    (「隐私计算技术子项——同态加密（HE）」, not 「…同态加密（H」), and 「…」 where it is cut (after a comma
    the cut leaves, not before it: 「技术增益：隐私计算技术蓬勃发展…」)."""
    heading = heading.rstrip(_LABEL_END)
    if len(heading) <= LABEL_MAX:
        return heading
    label = heading[:LABEL_MAX]
    if label.count("（") + label.count("(") > label.count("）") + label.count(")"):
        close = re.search(r"[）)]", heading[LABEL_MAX:LABEL_MAX + _BRACKET_MAX])
        if close:
            label = heading[: LABEL_MAX + close.end()]
    return label if label == heading else f"{label.rstrip(_LABEL_END)}…"


def _unique(sid: str, used: set[str]) -> str:
    """sid, or sid-2, sid-3 … when taken; marked as taken."""
    unique, k = sid, 1
    while unique in used:
        k += 1
        unique = f"{sid}-{k}"
    used.add(unique)
    return unique


def _last_heading_is_text(block: Block) -> bool:
    """Whether a heading with nothing after it, at the document's end, is text: a line read as a heading by its
    form only (a last 「- 供给侧减产政策落地」 under 「五、风险提示」, r07's 「5.风险提示：AI发展不及预期…」), and not a
    part's name alone (「结语」)."""
    found = numbering(block.text)
    return block.level is None and not named_part(found[2] if found else block.text)


def _numbered_titles(blocks: tuple[Block, ...]) -> tuple[Block, ...]:
    """Short numbered lines read as text for a comma in them (「2. 2026年赛道一：全球AI共振，聚焦…四大主线」) are
    headings where they count up from 1 with text between each and the next, and no other heading: a
    report's numbered sections (a list's items follow one another)."""
    out = list(blocks)
    run: list[int] = []  # indices of the run's lines so far
    gap = False  # text since the run's last line

    def close():
        if len(run) >= 2:
            for k in run:
                out[k] = replace(out[k], kind="heading")
        run.clear()

    for i, b in enumerate(blocks):
        number = _title_number(b)
        if number is not None and (number == 1 or (run and gap and number == len(run) + 1)):
            if number == 1:
                close()
            run.append(i)
            gap = False
        elif b.kind == "heading":
            close()
        else:
            gap = True
    close()
    return tuple(out)


def _title_number(b: Block) -> int | None:
    """The number of a paragraph that could be a numbered section's title (1. numbering, short, no sentence end),
    or of a heading so numbered that its form made one."""
    plain = b.kind == "paragraph" or b.kind == "heading" and b.level is None
    found = numbering(b.text) if plain and len(b.text) <= HEADING_MAX else None
    if found is None or found[0] != "1." or not found[2] or SENTENCE_STOP.search(found[2].rstrip("：:")):
        return None
    return int(found[1])


def _lists_from_heading_runs(blocks: tuple[Block, ...]) -> list[Block]:
    """Plain-text "headings" of one numbering style in a row, counting up, with nothing between
    them, are the items of a list (1）需求不及预期 / 2）政策风险 …), not a heading each. A number
    that does not follow on (a list's 21. and then 1.引言) starts a heading of its own."""
    out: list[Block] = []
    i = 0
    while i < len(blocks):
        b = blocks[i]
        style = _plain_style(b)
        j = i + 1
        while (
            style and j < len(blocks) and _plain_style(blocks[j]) == style and _follows(blocks[j - 1], blocks[j])
            and not (blocks[j - 1].kind == "paragraph" and blocks[j - 1].text.endswith(_FULL_STOP))
        ):
            j += 1
        if j - i >= 2:
            out.append(Block("list", "", tuple(x.text for x in blocks[i:j]), page=b.page))
        else:
            out.append(b)
        i = j
    return out


# An item a lead-in's colon announces: a short label and a colon (「合法合规：…」, 「DL1级：…」), or a number that
# enumerates (1） 1) ①; not （1）, which in our Markdown form is the paragraph's own number).
_LABELLED_ITEM = label_opening(15)


def _item_kind(b: Block) -> str | None:
    if b.kind != "paragraph":
        return None
    found = numbering(b.text)
    if found and found[1] and found[0] in ("1）", "①"):
        return found[0]
    if _LABELLED_ITEM.match(b.text):
        return "label"
    # A short phrase, no punctuation (「小额贷款」), as typed in Word or a text file: a PDF's short lines are mostly
    # the words of its figures.
    return "phrase" if b.page is None and phrase_line(b.text) else None


def _item_runs(blocks: list[Block]) -> list[Block]:
    """A paragraph ending with a colon (「…依据以下原则进行数据分类分级：」) and the paragraphs after it that
    are its items, all labelled (「合法合规：…」 「统一维度：…」), numbered in a row (1) … 2) …) or short phrases
    (「小额贷款」 「融资租赁」), are one list: the lead-in, then an item a line."""
    out: list[Block] = []
    i = 0
    while i < len(blocks):
        b, j = blocks[i], i + 1  # blocks[i + 1 : j] are its items
        kind = _item_kind(blocks[j]) if b.kind == "paragraph" and leads_in(b.text) and j < len(blocks) else None
        while kind and j < len(blocks) and _item_kind(blocks[j]) == kind and (j == i + 1 or kind in ("label", "phrase") or _follows(blocks[j - 1], blocks[j])):
            j += 1
        if j - i >= 3:  # a lead-in and two items at least
            out.append(Block("list", b.text, tuple(x.text for x in blocks[i + 1 : j]), page=b.page))
            i = j
        else:
            out.append(b)
            i += 1
    return out


def _follows(a: Block, b: Block) -> bool:
    """b's number is the one after a's (2 after 1, 2.4 after 2.3)."""
    *head_a, last_a = numbering(a.text)[1].split(".")
    *head_b, last_b = numbering(b.text)[1].split(".")
    return head_a == head_b and int(last_b) == int(last_a) + 1


def _plain_style(b: Block) -> str | None:
    """The numbering style of a block that can be a list item: a plain-text heading, or a short
    paragraph numbered as an item (1）, （1）, ①, or 1、 / 1. that reads as a sentence, so no heading)."""
    if b.kind == "paragraph" and len(b.text) <= ITEM_MAX:
        found = numbering(b.text)
        return found[0] if found and found[1] and found[0] in (*ENUMERATIONS, "1.") else None
    if b.kind != "heading" or b.level is not None:
        return None
    found = numbering(b.text)
    return found[0] if found and found[1] else None


_LABEL = re.compile(r"^[^。，；！？、：:,.;!?()（）\d=＝<>^√∑∫≤≥]{2,15}$")  # no sentence, number or formula (w=w-ηg)


def _label_runs(blocks: list[Block]) -> list[Block]:
    """Three or more short labels in a row, each a paragraph of its own (「我们的优势」 「服务网点多」 「审批速度快」, typed
    in Word), are a list: as headings (_lead_ins) all but the last would head nothing, and their words were lost.
    Not on a PDF's page, whose short lines are mostly its figures' words."""
    out: list[Block] = []
    run: list[Block] = []
    for b in [*blocks, None]:
        if b is not None and b.kind == "paragraph" and b.page is None and _LABEL.match(b.text):
            run.append(b)
            continue
        out += [Block("list", "", tuple(x.text for x in run))] if len(run) >= _LABEL_RUN else run
        run = []
        if b is not None:
            out.append(b)
    return out


def _lead_ins(blocks: list[Block]) -> list[Block]:
    """A paragraph ending with a colon, or a short label, introduces the list or table after it: one passage; so does
    a caption (表1 …, 图表 3：…) the table right after it on its page, in any format. A short
    label on its own before more text (「专业研判」, 「行业要闻」) is a heading, except on a page: a
    PDF's short lines are mostly the text of its figures (all 12 such lines of the real PDFs were,
    「为隐私计算理论」 among them), and its headings come from its outline, contents and type size.
    There, a label with no text after it before the next heading (a cover's 「证券研究报告」, a sidebar's
    「相关研究」 whose list is an image) is a heading alone, never a passage: it is left out."""
    out: list[Block] = []
    for i, b in enumerate(blocks):
        label = b.kind == "paragraph" and _LABEL.match(b.text)
        last = i + 1 == len(blocks) or blocks[i + 1].kind == "heading"
        if label and b.page is not None and last:
            continue
        if label and b.page is None and not last:
            b = Block("heading", b.text, page=b.page)
        prev = out[-1] if out else None
        if (
            b.kind in ("list", "table")
            and not b.text
            and prev is not None
            and prev.kind == "paragraph"
            and (leads_in(prev.text) or _LABEL.match(prev.text) or b.kind == "table" and _caption_of(prev, b))
        ):
            out[-1] = Block(b.kind, prev.text, b.items, page=prev.page)
        elif b.kind == "paragraph" and prev is not None and _box_title(prev) and prev.page is None:
            # A box's title, a paragraph of its own in Word or Markdown (「专栏1：数字普惠金融」), opens the text after
            # it, as the line readers join it (text_lines): alone it was a passage saying only the box's name.
            out[-1] = Block("paragraph", f"{prev.text}\n{b.text}", page=prev.page)
        else:
            out.append(b)
    return out


def _box_title(b: Block) -> bool:
    return b.kind == "paragraph" and "\n" not in b.text and bool(BOX_TITLE.match(b.text)) and not SENTENCE_STOP.search(b.text)


def _caption_of(paragraph: Block, table: Block) -> bool:
    # A whole paragraph, so a caption glued to its number (「表2.1匿踪查询协议流程」) is one too: no wrapped line's start.
    return paragraph.page == table.page and "\n" not in paragraph.text and caption(paragraph.text)


def _articles(blocks: list[Block]) -> list[Block]:
    """A regulation's articles: a paragraph opening 「第三条　…」 (or a list it leads in) and the paragraphs
    and lists after it up to the next article, heading or table — its clauses and items （一）…； — as
    one block of kind "article" (this module's own; no reader makes one), the rest a line each. Only
    where two paragraphs at least open an article: a report's one 「第一条 …」 is text. Numbers typed without
    a space (「第一条为了…」) count in a run from 第一条 (`space_articles`)."""
    spaced = space_articles([b.text if b.kind in ("paragraph", "list") else "" for b in blocks])
    blocks = [b if text in ("", b.text) else replace(b, text=text) for b, text in zip(blocks, spaced)]
    if sum(1 for b in blocks if b.kind in ("paragraph", "list") and article(b.text)) < 2:
        return blocks
    out: list[Block] = []
    for b in blocks:
        if b.kind in ("paragraph", "list") and article(b.text):
            out.append(Block("article", b.text, b.items, page=b.page))
        elif b.kind == "heading" and b.level is None and out and out[-1].kind == "article" and _item_line(b.text):
            # 「（一）欺诈」 without a stop reads as a heading line; in an article it is an item: a
            # regulation's parts are its 第…章 and 第…节, and what it numbers 一、 （一） 1. inside
            # an article are items.
            last = out[-1]
            out[-1] = Block("article", last.text, (*last.items, b.text), page=last.page)
        elif b.kind in ("paragraph", "list") and out and out[-1].kind == "article":
            last = out[-1]
            out[-1] = Block("article", last.text, (*last.items, *filter(None, (b.text,)), *b.items), page=last.page)
        else:
            out.append(b)
    return out


def _item_line(text: str) -> bool:
    found = numbering(text)
    return bool(found and found[0] not in ("第章", "第节", "第部分", "【】"))


def _article_texts(lines: tuple[str, ...], max_chars: int) -> list[str]:
    """An article's passages: its lines, split at lines, then at sentence ends, when long. Its number
    stays in its text, as a regulation is read and asked about (「第三条规定了什么？」)."""
    pieces = [part for line in lines if _has_content(line) for part in split_long(line, max_chars)]
    return ["\n".join(group) for group in pack(pieces, max_chars)]


def leads_in(text: str) -> bool:
    """Whether a paragraph ending with a colon introduces the list or table right after it (one passage)."""
    return text.endswith(_LEAD_END) and len(text) <= _LEAD_IN_MAX


def _texts(block: Block, ordinal: int, stack: list[_Open], max_chars: int) -> list[tuple[str, bool]]:
    """A block's passage texts, each with whether its first line leads the lines after it."""
    if block.kind == "paragraph":
        text = block.text
        m = _MARKER.match(text)
        if m and int(m.group(1)) == ordinal:  # the paragraph's own number, as the cite will say
            text = text[m.end() :]
        return [(t, False) for t in split_long(text, max_chars)]
    items = [i for i in block.items if _has_content(i)]
    if not items:  # formula residue under a lead-in (「…更新策略是：」): the lead-in is still text
        return [(t, False) for t in split_long(block.text, max_chars)] if block.text else []
    lead = block.text
    if block.kind == "table" and not lead and stack:
        lead = stack[-1].heading  # a table says what it is about through its heading
    return [("\n".join(filter(None, (lead, *group))), bool(lead)) for group in pack(items, max_chars - len(lead))]


def split_long(text: str, max_chars: int) -> list[str]:
    """A long paragraph split at sentence ends into parts of at most max_chars (a sentence longer
    than that stays whole)."""
    if len(text) <= max_chars:
        return [text]
    spans = split_sentences(text)
    ends = [a for a, _ in spans[1:]] + [len(text)]
    sentences = [text[a:end] for (a, _), end in zip(spans, ends)]  # each with the space or line break after it
    pieces = [part for s in sentences for part in _hard_split(s, max_chars)]
    return ["".join(group).strip() for group in pack(pieces, max_chars, sep=0)]  # a cut at a space leaves none at the ends


def _hard_split(sentence: str, max_chars: int) -> list[str]:
    """A "sentence" longer than max_chars (a table or list flattened without punctuation) cut at
    commas or spaces, else every max_chars."""
    out = []
    while len(sentence) > max_chars:
        window = sentence[:max_chars]
        cut = max(window.rfind(c) for c in "，,、 ") + 1
        cut = cut if cut > max_chars // 3 else max_chars
        out.append(sentence[:cut])
        sentence = sentence[cut:]
    return out + [sentence] if sentence else out


def pack(pieces: list[str], max_chars: int, sep: int = 1) -> list[list[str]]:
    """Consecutive pieces grouped greedily into groups of at most max_chars (sep: joiner length)."""
    groups: list[list[str]] = []
    size = 0
    for piece in pieces:
        if groups and size + sep + len(piece) <= max_chars:
            groups[-1].append(piece)
            size += sep + len(piece)
        else:
            groups.append([piece])
            size = len(piece)
    return groups


def _has_content(text: str) -> bool:
    """Two Chinese characters or a Latin word: not a bare number, symbol or formula residue."""
    return bool(_CONTENT.search(text))
