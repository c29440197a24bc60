"""What every reader returns: a document's title, metadata and its blocks in reading order.

Readers know file formats and nothing about citations; `qa.structure` turns blocks into passages.
Also here: the text rules more than one reader needs (Markdown inline markup, heading lines,
list-item markers), so that a heading is a heading whichever format it came in.
"""

from __future__ import annotations

import html
import re
import unicodedata
from dataclasses import dataclass, field

from ..text import clean


@dataclass(frozen=True)
class Block:
    """One unit of a document in reading order.

    kind: "heading" (text: the heading), "paragraph" (text), "list" (text: its lead-in line, may be
    empty; items), "table" (text: its caption, may be empty; items: rows rendered "header: value；…").
    level: a heading's markup level (Markdown #s, Word's Heading N, PDF font rank); None for a plain
    text line recognised as a heading by its numbering.
    page: the 1-based PDF page the block starts on; None where the format has no pages.
    size: a PDF heading's type size, where known: an unnumbered heading closes an open numbered one
    set in smaller or the same type.
    font: the font of most of a PDF paragraph's Chinese characters, where known: a box (专栏 3：…) is set
    in a font of its own, and text in the body's font after it is past the box.
    """

    kind: str
    text: str = ""
    items: tuple[str, ...] = ()
    level: int | None = None
    page: int | None = None
    size: float | None = None
    font: str | None = None


@dataclass(frozen=True)
class Source:
    """A file as its reader understood it."""

    title: str  # "" when the file names none (the structure step then looks at its headings)
    blocks: tuple[Block, ...]
    meta: dict = field(default_factory=dict)  # date, source_url, author when the file says
    pages: int | None = None  # PDF page count
    pages_without_text: tuple[int, ...] = ()  # PDF pages with no text layer (scanned images)
    pages_read_by_ocr: tuple[int, ...] = ()  # PDF pages without a text layer whose pictures OCR read


# --------------------------------------------------------------------------- inline Markdown


# Each pattern stops at the next opener of its kind ([, (, <): a line of unclosed openers (「[[[[…」, 「*a *a…」, 「<!-- …」)
# is then read in linear time, not in the square of its length. An address may hold one pair of brackets
# (…/wiki/Foo_(bar)).
_ADDRESS = r"\((?:[^()]|\([^()]*\))*\)"
_IMAGE = re.compile(r"!\[([^\[\]]*)\]" + _ADDRESS)
_FOOTNOTE_REF = re.compile(r"\[\^[^\[\]\s]+\]")  # a Markdown footnote's mark: [^1]
_LINK = re.compile(r"\[([^\[\]]*)\]" + _ADDRESS + r"|\[([^\[\]]+)\]\[[^\[\]]*\]")  # [text](url), [text][ref]
_AUTOLINK = re.compile(r"<(?:https?|mailto):[^<>]*>")
_BREAK = re.compile(r"<br\s*/?>", re.I)
_TAG = re.compile(r"</?[a-zA-Z][^<>]*>")
_STRONG = re.compile(r"\*\*+|__+|~~")
# ==marked== (Obsidian, Typora), between spaces, Chinese text or its punctuation: not a formula's 「(𝑉#==𝑅)」 or
# 「a==b」. [^=] stops at the next =: linear.
_MARK_SIDE = r"\s\u3000-\u303f\u4e00-\u9fff\uff00-\uffef"
_HIGHLIGHT = re.compile(rf"(?<![^{_MARK_SIDE}])==(?=[^=\s])([^=\n]+)(?<=\S)==(?![^{_MARK_SIDE}])")
_EMPHASIS = re.compile(r"(?<![\w*])\*(?=\S)([^*]+?)(?<=\S)\*(?![\w*])")
_CODE = re.compile(r"`+")
_ESCAPE = re.compile(r"\\([\\`*_{}\[\]()#+\-.!|>~])")
_ESCAPED = 0xE000  # an escaped character is held as a private-use one while the markup goes
_HELD = re.compile("[\ue000-\ue07f]")


def without_comments(text: str) -> str:
    """HTML comments (<!-- … -->) removed; an unclosed one stays text."""
    out, at = [], 0
    while (start := text.find("<!--", at)) >= 0 and (end := text.find("-->", start + 4)) >= 0:
        out.append(text[at:start])
        at = end + 3
    return "".join(out) + text[at:]


def strip_inline(text: str) -> str:
    """Markdown inline markup, footnote marks and HTML tags removed, images replaced by their alt text, links by theirs.
    An escaped character (\\*) is that character, never markup."""
    text = _ESCAPE.sub(lambda m: chr(_ESCAPED + ord(m.group(1))), _HELD.sub("", text))
    text = without_comments(text)
    text = _IMAGE.sub(r"\1", text)
    text = _FOOTNOTE_REF.sub("", text)
    text = _LINK.sub(lambda m: m.group(1) if m.group(1) is not None else m.group(2), text)
    text = _AUTOLINK.sub("", text)
    text = _BREAK.sub(" ", text)
    text = _TAG.sub("", text)
    text = _HIGHLIGHT.sub(r"\1", text)
    text = _STRONG.sub("", text)
    text = _EMPHASIS.sub(r"\1", text)
    text = _CODE.sub("", text)
    text = _HELD.sub(lambda m: chr(ord(m.group()) - _ESCAPED), text)
    return clean(html.unescape(text))


_BOLD_LINE = re.compile(r"^\s*(\*\*|__)(?P<body>.+?)\1\s*$")


def bold_only(line: str) -> str | None:
    """The text of a line that is bold and nothing else (a heading written as `**二、…**`), or None."""
    m = _BOLD_LINE.match(line)
    if not m or "**" in m.group("body"):
        return None
    body = strip_inline(m.group("body"))
    if not body or len(body) > HEADING_MAX:
        return None  # a long bold line is an emphasised paragraph
    # So is a sentence: 「**被动去库存——主动补库存——被动补库存——主动去库存。**」 under 「库存周期分为四个阶段：」
    # states them. A numbered one is a heading even so (「**二、需求侧呈现结构性分化迹象。**」).
    if numbering(body) is None and _STATEMENT_END.search(body):
        return None
    return body


# --------------------------------------------------------------------------- headings


_CN = "零一二三四五六七八九十百〇"
# Units that only ever follow a figure; measure words such as 个 or 人 also begin headings (2.1人才培养).
_UNITS = "亿万千倍元"
_CN_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}

# (style, pattern): the numbering schemes of Chinese reports, most specific first. The style says
# which headings are siblings: a heading of a style already open closes everything opened after it.
NUMBERING: tuple[tuple[str, re.Pattern], ...] = (
    ("第章", re.compile(rf"^第\s*([{_CN}\d]+)\s*章\s*[、.．:：]?\s*")),
    ("第节", re.compile(rf"^第\s*([{_CN}\d]+)\s*节\s*[、.．:：]?\s*")),
    ("第部分", re.compile(rf"^第\s*([{_CN}\d]+)\s*部分\s*[、.．:：]?\s*")),
    ("一、", re.compile(rf"^([{_CN}]{{1,3}})\s*[、.．]\s*")),
    ("（一）", re.compile(rf"^[(（]\s*([{_CN}]{{1,3}})\s*[)）]\s*")),
    # A number run into one Latin letter is a term, not a section: 「2.5G+智慧采矿」 is item 2, 「5G+…」.
    # A number before a unit (_UNITS) is a quantity: 「12.3亿元…」 opens a wrapped line, no section.
    ("1.1", re.compile(rf"^(\d{{1,2}}(?:\s*[.．]\s*\d{{1,2}})+)(?![\d%％]|[A-Za-z](?![A-Za-z])|\s*[{_UNITS}])[.．、]?\s*")),
    ("1.", re.compile(rf"^(\d{{1,2}})(?:\s*[.．、]\s*|\s+(?![\s{_UNITS}]))(?![%％]|\d+(?:[.．]\d+)*(?:[%％]|(?![A-Za-z])))")),
    ("（1）", re.compile(r"^[(（]\s*(\d{1,2})\s*[)）]\s*")),
    ("1）", re.compile(r"^(\d{1,2})\s*[)）]\s*")),
    ("①", re.compile(r"^([①-⑳])\s*")),
)
_BRACKET = re.compile(r"^【([^】]{1,30})】$")
# A box's title (专栏 6：…, 案例 1：…): it opens a paragraph, never runs on from the one before, and is a
# sentence of its own in it (caict's ten 专栏 titles had run into the box's first sentence). A box sits in
# its section: the unnumbered case headings of the box before it do not hold it.
BOX_TITLE = re.compile(r"^(?:专栏|案例|box)\s*\d{1,2}\s*[:：]\s*\S", re.I)
SENTENCE_PUNCT = re.compile(r"[。！？；!?;，,]")
SENTENCE_STOP = re.compile(r"[。！？；!?;]")  # the same without commas: a heading may have two clauses
_STATEMENT_END = re.compile(r"[。！；!;]$")  # a statement's end; a heading may ask (「做短线投机需要看基本面吗？」)
HEADING_MAX = 40  # characters of a plain-text heading line; longer lines are text
# Type within 5 % is the same size (flex sets its 1.1 headings in 15.8 and 16.1 point).
SAME_SIZE = 0.95
# A section's heading may have two clauses (「（三）平衡安全与发展，释放数据资产价值」), up to this many
# characters; an enumerated item with a comma (（1）…，…) is text.
COMMA_HEADING_MAX = 30


def label_opening(longest: int) -> re.Pattern:
    """Text that opens with a short label, a colon and more (「合法合规：…」, 「特征：…」): the label 2 to
    `longest` characters, no punctuation or space in it."""
    return re.compile(rf"^[^。，；！？、：:,;!?()（）\s]{{2,{longest}}}[：:]\S")


def cn_number(s: str) -> int:
    """一..九百九十九 (and arabic digits) as an int."""
    if s.isdigit():
        return int(s)
    if s in ("十",):
        return 10
    total, current = 0, 0
    for ch in s:
        if ch == "百":
            total += (current or 1) * 100
            current = 0
        elif ch == "十":
            total += (current or 1) * 10
            current = 0
        else:
            current = _CN_DIGITS.get(ch, 0)
    return total + current


def numbering(text: str) -> tuple[str, str, str] | None:
    """(style, number, rest) of a heading's own numbering: 「二、市场」 -> ("一、", "2", "市场"),
    「2.3 作用」 -> ("1.1", "2.3", "作用"); None when it has none."""
    for style, pattern in NUMBERING:
        m = pattern.match(text)
        if not m:
            continue
        raw = m.group(1)
        if style == "①":
            number = str(ord(raw) - ord("①") + 1)
        elif style == "1.1":
            number = ".".join(str(int(x)) for x in re.split(r"\s*[.．]\s*", raw))
            style = f"1.1{'.1' * (number.count('.') - 1)}"  # 1.1 and 1.1.1 are different levels
        else:
            number = str(cn_number(raw))
        return style, number, text[m.end() :].strip()
    m = _BRACKET.match(text)
    if m:
        return "【】", "", m.group(1)
    return None


# A regulation's article: 「第三条　小额贷款公司应当…」, 「第十二条之一 …」; the number, then a space, then its text.
_ARTICLE = re.compile(rf"^(第\s*[{_CN}千两\d]+\s*条(?:\s*之\s*[{_CN}]+)?)\s+(?=\S)")
# A part's number the same way: 「第一章　总则」, 「第二节 …」, 「第三部分 …」, 「第一编 …」.
_PART = re.compile(rf"^(第\s*[{_CN}\d]+\s*(?:章|节|部分|编))\s+(?=\S)")


def article(text: str) -> tuple[str, str] | None:
    """(number as written, spaces out; the text after it) of a paragraph opening an article:
    「第 3 条 为规范…」 -> ("第3条", "为规范…"); None if it opens none."""
    return _number_and_rest(_ARTICLE, text)


# 「第一条为了…」: an article's number typed with no space after it; read as one only in a run (space_articles).
_UNSPACED_ARTICLE = re.compile(rf"^(第([{_CN}\d]+)条)(?=[^\s{_CN}\d条之])")


def space_articles(texts: list[str]) -> list[str]:
    """`texts` (lines or paragraphs) with a space put after article numbers typed without one
    (「第一条为了规范…」 -> 「第一条 为了规范…」, as `article` reads them), where they open 第一条, 第二条,
    第三条… in order, three at least: a report's 「第一条生产线…」 is text, and a wrapped line opening
    「第五条规定的…」 is no article unless 第四条 came right before."""
    expected, found = 1, []
    for i, text in enumerate(texts):
        spaced, unspaced = article(text), _UNSPACED_ARTICLE.match(text)
        number = spaced[0][1 : spaced[0].index("条")] if spaced else unspaced.group(2) if unspaced else None
        if number is not None and cn_number(number) == expected:
            expected += 1
            if unspaced:
                found.append((i, unspaced.end(1)))
    if expected <= 3 or not found:
        return texts
    out = list(texts)
    for i, end in found:
        out[i] = f"{out[i][:end]} {out[i][end:]}"
    return out


def part_number(text: str) -> tuple[str, str] | None:
    """The same of a line opening a part: 「第一章　总则」 -> ("第一章", "总则")."""
    return _number_and_rest(_PART, text)


def _number_and_rest(pattern: re.Pattern, text: str) -> tuple[str, str] | None:
    m = pattern.match(text)
    return (re.sub(r"\s+", "", m.group(1)), text[m.end() :]) if m else None


# Numbering that enumerates items more often than it heads sections: in Markdown, where headings
# have markup of their own, a line so numbered is text.
ENUMERATIONS = ("（1）", "1）", "①")
SECTIONS = ("第章", "第节", "第部分", "一、", "（一）")


# Titles authoring tools write for every file (Microsoft Word - x.docx, 无标题, Document1, a template's "Title"):
# not the document's.
_TOOL_TITLE = re.compile(
    r"^(microsoft\s+(word|powerpoint)\s*-|untitled|无标题|powerpoint\s*(演示文稿|presentation)|演示文稿|(document|文档|title|标题)\s*\d*$)|www\.|https?:|\.[a-z]{2,5}$",
    re.I,
)


def meaningful_title(title: str) -> bool:
    """Whether a file's stored title (a PDF's /Title, a Word file's core title) names the document."""
    title = title.strip()
    return bool(title) and len(title) <= 80 and not _TOOL_TITLE.search(title)


def plain_heading(line: str, emphasised: bool = False, enumerations: bool = True) -> bool:
    """Whether a line of running text is a heading by its form: numbered (一、 （一） 1. 1.1 第一章 …)
    or 【bracketed】, short, and not a sentence (a bold one may end with 。); an emoji before it aside (「📊 一、市场概况」)."""
    line = undecorated(line)
    found = numbering(line)
    if found is None or len(line) > HEADING_MAX or (not enumerations and found[0] in ENUMERATIONS):
        return False
    rest = found[2]
    if not rest or not re.search(r"[\w\u4e00-\u9fff]", rest):
        return False
    rest = rest.rstrip("。：:" if emphasised else "：:")
    two_clauses = found[0] in SECTIONS and len(rest) <= COMMA_HEADING_MAX  # 「（一）强化顶层设计，落实数据安全管理体系」
    return not (SENTENCE_STOP if two_clauses else SENTENCE_PUNCT).search(rest)


# The parts a report names instead of numbering: a line that is only one of them heads a part of the
# document of its own, beside the chapters (「前  言」 of a PDF, 「附件数据分类分级列表」 after chapter 四).
# The part at a document's end that holds its footnotes (PDF and Markdown), one passage a note.
FOOTNOTES = "脚注"


def notes_part(notes: list[str]) -> tuple[Block, ...]:
    """The 「脚注」 part at a document's end: its heading, then a paragraph a note; nothing for a document without notes."""
    return (Block("heading", FOOTNOTES), *(Block("paragraph", note) for note in notes)) if notes else ()
NAMED_PARTS = frozenset(
    "前言 引言 序言 导言 摘要 内容摘要 执行摘要 概要 提要 结语 结束语 结论 附录 附件 参考文献 致谢 后记 "
    "编写说明 编制说明 编者按 版权声明 免责声明 法律声明 声明 注释 脚注".split()
)
_APPENDIX = re.compile(r"^附[录件]")


def named_part(line: str) -> str | None:
    """The heading of a named part (「前  言」 -> 「前言」; 「附录一：术语」), or None for any other line."""
    compact = re.sub(r"\s+", "", line)
    if compact in NAMED_PARTS:
        return compact
    if _APPENDIX.match(compact) and len(compact) <= 20 and not SENTENCE_PUNCT.search(compact):
        return line.strip()
    return None


# --------------------------------------------------------------------------- list items


LIST_ITEM = re.compile(r"^\s*(?:[-*+](?=\s)|[•·●▪■◆◇○]|\d{1,2}[.．、)）](?!\d)|[(（]\d{1,2}[)）]|[①-⑳])\s*")
BULLET = re.compile(r"^\s*(?:[-*+](?=\s)|[•·●▪■◆◇○])\s*")


def is_list_item(line: str) -> bool:
    m = LIST_ITEM.match(line)
    return bool(m) and (m.end() < len(line.rstrip()))


def undecorated(text: str) -> str:
    """A heading or title without the emoji or symbols that decorate its ends (「📊 一、市场概况」, 「■ 发展建议」,
    「…分析 🚀」): its numbering is then read, and a cite says 1(1), not 📊 一、市场概况(1)."""
    start, end = 0, len(text)
    while start < end and _decoration(text[start]):
        start += 1
    while end > start and _decoration(text[end - 1]):
        end -= 1
    return text[start:end]


def _decoration(ch: str) -> bool:
    # So: emoji, ■ ◆ ★; non-ASCII Sk: skin tones; U+FE0F asks for an emoji's colour form, U+20E3 keys a digit.
    category = unicodedata.category(ch)
    return ch.isspace() or category == "So" or category == "Sk" and not ch.isascii() or ch in "\ufe0f\u20e3"


TITLE_MAX = 60  # characters of a title set as a first paragraph, at most


def title_like(text: str) -> bool:
    """A first paragraph set apart (centred) that names the document: short, no sentence, not numbered nor a part's name
    (「某市小微企业融资调研报告」; not a centred 「第一章 总则」)."""
    return len(text) <= TITLE_MAX and not SENTENCE_PUNCT.search(text) and not numbering(text) and not named_part(text)


def with_number(number: str, text: str) -> str:
    """A paragraph as its word processor shows it with its list number: 「1. 政策基调」, 「一、总体要求」 (no space after a
    full-width mark); the text as it is when it has none or already starts with it."""
    if not number or text.startswith(number):
        return text
    return f"{number}{'' if number[-1] in '、）】：' else ' '}{text}"
