"""A PDF's lines by their type and place on the page, as the PDF child reports them (size, baseline height,
left edge, font, cells): which lines are headings by type size, a chapter divider's title, footnotes, a title
wrapped over two lines, where the layout opens a paragraph, which lines reach the margin, which are a table's
rows. `Layout` holds the per-line tables the reader looks lines up in (by `line_key`, the line without spaces).
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter

from ..text import clean
from .blocks import BULLET, HEADING_MAX, SAME_SIZE, SENTENCE_STOP, Block, article, numbering, part_number
from .text_lines import CAPTION_START, PAGE_NUMBER, SENTENCE_END, Line, join_lines, width

_SPACED_CJK = re.compile(r"(?<=[\u4e00-\u9fff\u3000-\u303f\uff00-\uffef]) (?=[\u4e00-\u9fff\u3000-\u303f\uff00-\uffef])")
_SUPERSCRIPTS = str.maketrans("", "", "⁰¹²³⁴⁵⁶⁷⁸⁹")
# A line set this much larger than the body text may be a heading (caict's 16-point 一、 over 14-point
# text is 1.14x: numbered, found by its numbering anyway; cbi's 14.1 over 9.5, 1.48x).
_HEADING_SIZE = 1.15
_FONT_LINE = 6  # characters of a line that tells a paragraph's font (a shorter one may be found in any text)
_BODY_LOW = 0.9  # body text a little smaller than most (CB Insights' last page: 9 points against 9.5)
# A chapter divider's title opens with a line this many times the body size and runs on over the
# lines after it set at least _DIVIDER_LINE times (cbi: 「Chapter 2」 「利器：」 at 2.95, its subtitle at
# 1.89; its contents page, 1.48, is no divider; bj_av's 「编制背景」 at 3.21 over prose at 1.2).
_DIVIDER = 2.0
_DIVIDER_LINE = 1.5
_WRAPPED_TITLE = 10  # characters of a title's first line, at least, when it wraps
# A footnote: a line opening with a note number, set under this times the body's size (cbi's 6 over 9.5).
_FOOTNOTE_SIZE = 0.8
_NOTE = re.compile(r"^\[\d{1,3}\]\s*\S")
# A paragraph's first line indented this many body sizes from the line before (两个字符 is 2); a gap
# above it this many times the page's line pitch (caict and htsc: 2x), under _PITCH_MAX (a figure between).
_INDENT_MIN, _INDENT_MAX = 1.5, 3.0
_GAP = 1.3
_PITCH_MAX = 3.0
_ALIGNED = 0.2  # type sizes apart that two cells' left edges may be and still line up
_HEADER_WORD = 12  # characters of a table header's word, at most
_HEADER_PITCH = 1.5  # times the rows' pitch that a header may be set above the first row
_CLAUSE_MARK = re.compile(r"[。！？；!?;，,：:]")  # a header has none (「单位：亿元」 over a table is a note)
_GRID_CELLS = 4  # cells of each of two lines that make a table's rows by their count alone (centred cells)
_PAIR_LABEL, _PAIR_VALUE, _PAIR_RUN = 20, 8, 3  # a two-column table: label and value characters, lines in a row
_BOLD = re.compile(r"bold|heavy|black|semibold|demibold|simhei|黑体", re.I)  # a bold face's name
_RUNNING_LINE = 15  # characters of a line of running text, at least
_SHORT_OF = 0.5  # type sizes short of the line after it that a label ends, at least (a wrapped line reaches as far)
_MARGIN_SLACK = 2.5  # characters short of the body's right margin that a line may end and still reach it


def line_key(text: str) -> str:
    """A line as the tables know it: NFKC, no spaces (pypdf's spacing of a line differs from run to run)."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text))


class Layout:
    """The lines of each page by their type and place. Headings by type size: a short line, not a sentence,
    set at least _HEADING_SIZE times the body size (the size most characters have), on a page with body text."""

    def __init__(self, line_sizes: list[list], title: str, page_edges: list[list[float]] = ()):
        chars: Counter = Counter()
        self.sizes: list[dict[str, float]] = []
        self.heights: list[dict[str, float]] = []
        self.lefts: list[dict[str, float]] = []
        self.fonts: list[dict[str, str]] = []
        self.rights: list[dict[str, float]] = []  # where each line ends, by its characters' widths
        self.cells: list[dict[str, list[list]]] = []  # a line's cells, [text, left edge], where it has two or more
        self.words: list[dict[str, list[str]]] = []  # a line's words as pypdf spaced them (a header's, run together)
        for page in line_sizes:
            sizes, heights, lefts, fonts, rights, cells, words = {}, {}, {}, {}, {}, {}, {}
            for text, size, height, left, font, *row in page:
                key = line_key(fix_chars(clean(text)))
                chars[size] += len(key)
                sizes.setdefault(key, size)
                heights.setdefault(key, height)
                lefts.setdefault(key, left)
                rights.setdefault(key, left + width(text.strip()) * size)
                if font:
                    fonts.setdefault(key, font)
                if row and row[0]:
                    cells.setdefault(key, row[0])
                words.setdefault(key, text.split())
            self.sizes.append(sizes)
            self.heights.append(heights)
            self.lefts.append(lefts)
            self.fonts.append(fonts)
            self.rights.append(rights)
            self.cells.append(cells)
            self.words.append(words)
        self.body = chars.most_common(1)[0][0] if chars else 0.0
        # A page's body text: enough characters at about the body size, not in a bullet list (a cover or
        # a divider page has none, a divider's list of its sections aside; CB Insights sets some pages'
        # text at 10 points, its last at 9, against 9.5).
        self.has_body = [
            sum(len(k) for k, v in sizes.items() if self._body_size(v) and not BULLET.match(k)) >= 50 for sizes in self.sizes
        ]
        self.page_edges = list(page_edges)  # each page's left and right x
        self.rows: list[dict[str, tuple[str, ...]]] = [{} for _ in self.sizes]  # find_rows' table rows
        self.title = line_key(title)
        self.last: dict[float, str] = {}  # the unnumbered heading open at each type size
        self.dividers: set[str] = set()  # chapter dividers' titles: headings on pages without body text
        body_fonts: Counter = Counter()
        for sizes, fonts in zip(self.sizes, self.fonts):
            for key, font in fonts.items():
                if self._body_size(sizes.get(key, 0.0)):
                    body_fonts[font] += len(key)
        self.body_font = body_fonts.most_common(1)[0][0] if body_fonts else ""
        self.body_lefts: dict[int, float | None] = {}  # each page's left margin of body text (reaches_margin)
        self.wrapped_labels: set[str] = set()  # bold lines joined as a label wrapped over two (join_wrapped_labels)

    def _body_size(self, size: float) -> bool:
        return _BODY_LOW * self.body <= size < _HEADING_SIZE * self.body

    def page_title(self, page: int, lines: list[str]) -> str | None:
        """A line in heading type that the page's text stream gives after its body text but that is
        set above all of it: the page's running section title (CB Insights prints 「隐私计算技术子项——
        同态加密（HE）」 atop the page and writes it last). None when there is none."""
        if not self.body or page > len(self.sizes):
            return None
        sizes, heights = self.sizes[page - 1], self.heights[page - 1]
        body = [heights[k] for k in map(line_key, lines) if k in sizes and self.body <= sizes[k] < _HEADING_SIZE * self.body]
        seen_body = False
        for line in lines:
            key = line_key(line)
            size = sizes.get(key)
            if size is not None and self.body <= size < _HEADING_SIZE * self.body:
                seen_body = True
            elif seen_body and self._heading_type(page, key) and heading_like(line) and heights[key] > max(body):
                return line
        return None

    def headings_before_their_text(self, page: int, lines: list[str]) -> list[str]:
        """Lines in heading type that the page's text stream gives after the text they head, set above
        it and no further right: each put back before that text. CB Insights' last page writes
        「关于 CB Insights 中国」 after its two paragraphs; a heading of a second column (further right)
        stays where it is."""
        if not self.body or page > len(self.sizes) or not self.has_body[page - 1]:
            return lines
        heights, lefts = self.heights[page - 1], self.lefts[page - 1]
        out: list[str] = []
        start = 0  # where the text since the last heading begins in `out`
        for line in lines:
            key = line_key(line)
            if not (self._heading_type(page, key) and heading_like(line) and key in heights):
                out.append(line)
                continue
            run = [line_key(t) for t in out[start:] if line_key(t) in heights]
            if run and heights[key] > max(heights[k] for k in run) and lefts[key] <= min(lefts[k] for k in run) + self.body:
                out.insert(start, line)
            else:
                out.append(line)
            start = len(out)
        return out

    def divider(self, page: int, lines: list[str]) -> list[str]:
        """A chapter divider page's lines: its title (display-type lines in a row, joined) first,
        its bullet list of the chapter's sections dropped, any prose kept. Other pages' as they are."""
        if not self.body or page == 1 or page > len(self.sizes) or self.has_body[page - 1]:
            return lines
        sizes = self.sizes[page - 1]
        ratio = [(sizes.get(line_key(line)) or 0) / self.body for line in lines]
        start = next((i for i, r in enumerate(ratio) if r >= _DIVIDER and not BULLET.match(lines[i])), None)
        if start is None:
            return lines
        end = start + 1
        while end < len(lines) and ratio[end] >= _DIVIDER_LINE and not BULLET.match(lines[end]):
            end += 1
        title = lines[start]
        for line in lines[start + 1 : end]:  # 「Chapter 1」 「掘金：…数据迎来」 「政策红利，…」: a space after a Latin line
            title += (" " if title[-1].isascii() and title[-1].isalnum() else "") + line
        key = line_key(title)
        if not heading_like(title) or key in self.title:
            return lines
        self._joined(page, key, line_key(lines[start]), line_key(lines[end - 1]))
        self.dividers.add(key)
        rest = [line for line in lines[:start] + lines[end:] if not BULLET.match(line)]
        return [title, *rest]

    def reaches_margin(self, line: Line) -> bool:
        """Whether a line of body text, starting at the body's left margin (or indented), ends at the right
        margin, taken as far from the page's right edge as the left margin is from its left (within
        _MARGIN_SLACK characters: its end is reckoned from its characters, CJK 1 em, Latin 0.5). A right-aligned
        line (a notice's 「省金融局」) starts elsewhere."""
        page = line.page
        if not self.body or page is None or page > min(len(self.sizes), len(self.page_edges)):
            return False
        sizes, lefts, rights = self.sizes[page - 1], self.lefts[page - 1], self.rights[page - 1]
        if page not in self.body_lefts:  # once a page: every line of a page may ask
            self.body_lefts[page] = min((lefts[k] for k, v in sizes.items() if self._body_size(v) and k in lefts), default=None)
        left = self.body_lefts[page]
        key = line_key(line.text)
        if left is None or key not in rights or not self._body_size(sizes[key]):
            return False
        starts_left = lefts[key] <= left + _INDENT_MAX * self.body
        page_left, page_right = self.page_edges[page - 1]
        return starts_left and rights[key] >= page_right - (left - page_left) - _MARGIN_SLACK * self.body

    def find_rows(self, page: int, lines: list[str]) -> None:
        """The page's table rows (self.rows: each row's cells by its line): lines of three or more cells (runs apart by a
        gap) next to each other whose cells start at the same places, two at least after the first, or that have as
        many short cells, four or more (cells centred in their columns start where their widths put them), and runs
        of a label and a short value (`_pairs`); then the lines of two or more cells next to those rows that line up with
        them in one place (a header with cells joined), and a header whose words run together (`_header`).
        Aligned cells, not gaps alone: a justified line's runs (a figure set in another font) have gaps too. A row
        is never a heading, whatever its type (a table set larger than the text)."""
        if page > len(self.cells):
            return
        found, sizes = self.cells[page - 1], self.sizes[page - 1]
        keys = [line_key(line) for line in lines]
        cells = [found.get(k, []) for k in keys]
        starts = [[x for _, x in c[1:] if x is not None] for c in cells]
        near_by = [_ALIGNED * sizes.get(k, self.body) for k in keys]  # how far apart two cells' edges may be and line up

        def aligned(i: int, j: int) -> int:
            return sum(1 for x in starts[i] if any(abs(x - y) <= near_by[i] for y in starts[j]))

        near = lambda i: [j for j in (i - 1, i + 1) if 0 <= j < len(lines)]  # noqa: E731

        def grid(i: int, j: int) -> bool:  # as many short cells on both lines, wherever they start
            return len(cells[i]) == len(cells[j]) >= _GRID_CELLS and all(len(t) <= _HEADER_WORD for t, _ in cells[i] + cells[j])

        table = {
            i for i, c in enumerate(cells) if len(c) >= 3 and any(len(cells[j]) >= 3 and (aligned(i, j) >= 2 or grid(i, j)) for j in near(i))
        }
        table |= self._pairs(cells, aligned)
        grown = True
        while grown:
            more = {j for i in table for j in near(i) if j not in table and len(cells[j]) >= 2 and aligned(j, i) >= 1}
            table |= more
            grown = bool(more)
        rows = {keys[i]: tuple(fix_chars(clean(text)) for text, _ in cells[i]) for i in table}
        for i in sorted(table):
            if 0 < i < len(keys) - 1 and i - 1 not in table and i + 1 in table and self._header(page, keys[i - 1 : i + 2], len(cells[i])):
                rows[keys[i - 1]] = tuple(fix_chars(clean(w)) for w in self.words[page - 1][keys[i - 1]])
        self.rows[page - 1] = rows

    @staticmethod
    def _pairs(cells: list[list[list]], aligned) -> set[int]:
        """Lines of a two-column table: _PAIR_RUN or more lines in a row of two cells, a short label and a shorter
        value, the values starting at the same place (bj_av's appendix: 「车辆航向角 DL2」, 「横摆角速度 DL2」…). Text set
        in two columns has long cells on both sides."""
        pair = [len(c) == 2 and len(c[0][0]) <= _PAIR_LABEL and len(c[1][0]) <= _PAIR_VALUE for c in cells]
        out: set[int] = set()
        run: list[int] = []
        for i in range(len(cells) + 1):
            if i < len(cells) and pair[i] and (not run or aligned(i, run[-1]) >= 1):
                run.append(i)
                continue
            if len(run) >= _PAIR_RUN:
                out.update(run)
            run = [i] if i < len(cells) and pair[i] else []
        return out

    def _header(self, page: int, keys: list[str], width: int) -> bool:
        """Whether the line right above a table's first two rows (keys: the three lines) is its header, its words
        run together into one or two cells (htsc's 「类别 年化收益 年化波动率 … 交易盈亏比」, centred over its columns):
        at least as many words, pypdf's spacing, as the first row has cells less one, each short, no sentence or
        caption, and as close above the first row as the rows are to each other (a heading is set further apart)."""
        key, first, second = keys
        words, heights = self.words[page - 1].get(key, []), self.heights[page - 1]
        pitch = heights.get(first, 0.0) - heights.get(second, 0.0)
        return (
            len(words) >= max(3, width - 1)
            and all(len(w) <= _HEADER_WORD for w in words)
            and not _CLAUSE_MARK.search(key)
            and not CAPTION_START.match(key)
            and 0 < pitch
            and 0 < heights.get(key, 0.0) - heights.get(first, 0.0) <= _HEADER_PITCH * pitch
        )

    def row(self, page: int, line: str) -> tuple[str, ...]:
        return self.rows[page - 1].get(line_key(line), ()) if 0 < page <= len(self.rows) else ()

    def bold_labels(self, page: int, lines: list[str]) -> set[str]:
        """Labels set in the body's size in a bold face, each over the paragraph it names (bj_av's 「DSAL1安全要求」,
        cbi's steps 「初始化」, 「数据准备」 …, htsc's summary titles), whose text had run on into that paragraph
        (「初始化医疗机构 A 和…」): a line that is no sentence (heading_like), between a sentence's end (or a heading, a
        table, the page's top) and a line of running text in a face that is not bold, or a clause (the paragraph's
        first sentence may be in bold too), ending short of that line and of the margin (a bold first line that
        wraps on reaches as far). A bold face by its name, or filled and stroked (pdf_child: Word's bold of a font
        without one). Bold lines of words alone in a row are a diagram's."""
        if not self.body_font or page > len(self.fonts) or not self.has_body[page - 1]:
            return set()
        fonts, sizes, rows, rights = self.fonts[page - 1], self.sizes[page - 1], self.rows[page - 1], self.rights[page - 1]
        bold = self._bold(page)
        keys = [line_key(line) for line in lines]
        labels = set()
        for i, key in enumerate(keys[:-1]):
            after, before = keys[i + 1], keys[i - 1] if i else ""
            if (
                bold(key) and self._body_size(sizes.get(key, 0.0)) and key not in rows
                and heading_like(lines[i], lines=2 if key in self.wrapped_labels else 1)
                and rights.get(key, 0.0) < rights.get(after, 0.0) - _SHORT_OF * self.body and not self.reaches_margin(Line(lines[i], page))
                and fonts.get(after) and (not bold(after) or _CLAUSE_MARK.search(after))
                and len(after) >= _RUNNING_LINE and after not in rows and (not before or self._block_ends(page, before))
            ):
                labels.add(key)
        return labels

    def join_wrapped_labels(self, page: int, lines: list[str]) -> list[str]:
        """A label in bold wrapped over two lines, one line (cbi's 「案例：保障数据合规应用、…洞见科技助力国内首个省级政务数据
        隐私计」 「算平台建设」 over 「案例背景：…」, which it had run into): a bold line of body type to the margin, no
        sentence in it, and a shorter one in the same face after it; bold_labels then decides whether it is a label.
        So are two short labels stacked over their text, parted by a space."""
        if not self.body_font or page > len(self.fonts) or not self.has_body[page - 1]:
            return lines
        fonts, sizes, rows = self.fonts[page - 1], self.sizes[page - 1], self.rows[page - 1]
        bold = self._bold(page)

        def alike(a: str, b: str) -> bool:  # two lines of text in one bold face at the body's size, neither a row
            return (
                bold(a) and fonts.get(a) == fonts.get(b) and sizes.get(a) == sizes.get(b)
                and self._body_size(sizes.get(a, 0.0)) and a not in rows and b not in rows
            )

        def wrapped(first: str, line: str) -> bool:
            before = line_key(first)
            return (
                alike(before, line_key(line)) and before not in self.wrapped_labels and len(line) < len(first)
                and self.reaches_margin(Line(first, page)) and heading_like(first + line, lines=2)
            )

        # Two short labels stacked (htsc's 「针对美国司法管辖区的声明」 「美国法律法规要求之一般披露」 over its text): the only
        # two bold lines between a sentence's end (or a heading, a table, the page's top) and running text not in bold,
        # joined by a space. More in a row, or between fragments, are a diagram's boxes.
        keys = [line_key(line) for line in lines]
        stacked = {
            keys[i] for i in range(len(keys) - 2)
            if alike(keys[i], keys[i + 1]) and not bold(keys[i + 2]) and len(keys[i + 2]) >= _RUNNING_LINE
            and not (i and bold(keys[i - 1])) and (not i or self._block_ends(page, keys[i - 1]))
            and heading_like(lines[i]) and heading_like(lines[i + 1]) and not self.reaches_margin(Line(lines[i], page))
        }
        out = self._join_pairs(page, lines, wrapped)
        out = self._join_pairs(page, out, lambda first, line: line_key(first) in stacked, " ")
        unjoined = set(lines)
        self.wrapped_labels.update(line_key(line) for line in out if line not in unjoined)
        return out

    def _block_ends(self, page: int, key: str) -> bool:
        """Whether a line ends what came before a label: a sentence's end, a table's row or a heading."""
        return key.endswith(SENTENCE_END) or key in self.rows[page - 1] or self._heading_type(page, key)

    def _bold(self, page: int):
        """Whether a line of the page is set in a bold face, one not the body's."""
        fonts = self.fonts[page - 1]
        return lambda key: bool(_BOLD.search(fonts.get(key, ""))) and fonts.get(key) != self.body_font

    def _heading_type(self, page: int, key: str) -> bool:
        size = self.sizes[page - 1].get(key)
        row = key in self.rows[page - 1] or len(self.cells[page - 1].get(key, ())) >= 3  # a row whose others did not line up
        return bool(size and size >= _HEADING_SIZE * self.body and not row)

    def paragraph_starts(self, page: int, lines: list[str]) -> list[bool]:
        """Whether each line opens a paragraph by the page's layout: body text indented from the line before
        (首行缩进, 1.5 to 3 characters) or set after a gap wider than the page's usual line pitch. A sentence
        that ends at the margin ends no paragraph by its text alone (htsc's 「…进行过拟合测试。」 then 「在华泰
        金工…」, twice its lines' pitch further down; caict indents by two characters)."""
        starts = [False] * len(lines)
        if not self.body or page > len(self.sizes):
            return starts
        sizes, heights, lefts = self.sizes[page - 1], self.heights[page - 1], self.lefts[page - 1]
        keys = [line_key(line) for line in lines]
        body = [k in heights and self._body_size(sizes[k]) for k in keys]
        drops = [heights[a] - heights[b] for i, (a, b) in enumerate(zip(keys, keys[1:])) if body[i] and body[i + 1]]
        counts = Counter(round(d) for d in drops if 0 < d < _PITCH_MAX * self.body)
        pitch = min(counts, key=lambda d: (-counts[d], d), default=0)  # as many gaps as lines apart: the smaller
        for i in range(1, len(lines)):
            if not (body[i - 1] and body[i]):
                continue
            a, b = keys[i - 1], keys[i]
            indent = lefts[b] - lefts[a]
            drop = heights[a] - heights[b]
            starts[i] = (
                _INDENT_MIN * self.body <= indent <= _INDENT_MAX * self.body
                or pitch > 0 and _GAP * pitch < drop < _PITCH_MAX * pitch
            )
        return starts

    def _join_pairs(self, page: int, lines: list[str], wrapped, separator: str = "") -> list[str]:
        """Each line joined to the one before when `wrapped(before, line)`."""
        out: list[str] = []
        for line in lines:
            if out and wrapped(out[-1], line):
                joined = f"{out[-1].rstrip() if separator else out[-1]}{separator}{line}"
                self._joined(page, line_key(joined), line_key(out[-1]), line_key(line))
                out[-1] = joined
                continue
            out.append(line)
        return out

    def _joined(self, page: int, key: str, first: str, last: str) -> None:
        """Lines joined into one (`key`) take the type, place and face of their first line and the end of their last:
        every table a heading or a label is looked up in knows them."""
        for table in (self.sizes, self.heights, self.lefts, self.fonts):
            if first in table[page - 1]:
                table[page - 1][key] = table[page - 1][first]
        self.rights[page - 1][key] = self.rights[page - 1].get(last, 0.0)

    def font(self, page: int | None, text: str) -> str | None:
        """The font of most of the lines of a paragraph that starts on `page`: those of its lines found there
        and on the next page, weighted by length."""
        if page is None or not 0 < page <= len(self.fonts):
            return None
        key = line_key(text)
        found: Counter = Counter()
        for fonts in self.fonts[page - 1 : page + 1]:
            for line, font in fonts.items():
                if len(line) >= _FONT_LINE and line in key:
                    found[font] += len(line)
        return found.most_common(1)[0][0] if found else None

    def size(self, page: int | None, text: str) -> float | None:
        return self.sizes[page - 1].get(line_key(text)) if page is not None and 0 < page <= len(self.sizes) else None

    def heading(self, line: Line) -> tuple[str, int | None] | None:
        """A line in heading type as (its text, None); a chapter divider's title as (its text, 1): the chapter
        holds the sections after it, found by type or numbering, up to the next divider."""
        if not self.body or line.page is None or line.page > len(self.sizes):
            return None
        key = line_key(line.text)
        if key in self.dividers:
            return (line.text, 1)
        if not self.has_body[line.page - 1]:
            return None
        if not self._heading_type(line.page, key) or not heading_like(line.text):
            return None
        size = self.sizes[line.page - 1][key]
        if self.title and (key == self.title or len(key) >= 4 and (self.title.startswith(key) or self.title.endswith(key))):
            return ("", None)  # the document's title (or a line of it) on a page of text: every hit shows it
        if self.title and key in self.title:
            return None
        if key in self.last.values():
            return ("", None)  # a section's title again, as a running header: no heading, no text
        if numbering(line.text) is None:  # the section a running header repeats is an unnumbered one
            # It closes the sections in the same or smaller type: their titles may head text again.
            self.last = {s: k for s, k in self.last.items() if SAME_SIZE * s > size}
            self.last[size] = key
        return (line.text, None)

    def footnotes(self, page: int, lines: list[str]) -> list[Block]:
        """The page's footnotes, taken out of `lines`: a line opening with a note number ([1]) in type
        under _FOOTNOTE_SIZE times the body's, and the lines after it in that type. They sit between
        the text of one page and the next, so CB Insights' 「[8] Royal Society (Great Britain).
        (2019). Protecting…」 had been read into the middle of the paragraph that runs on."""
        if not self.body or page > len(self.sizes):
            return []
        sizes = self.sizes[page - 1]
        small = lambda line: (sizes.get(line_key(line)) or self.body) < _FOOTNOTE_SIZE * self.body  # noqa: E731
        notes: list[list[str]] = []
        kept: list[str] = []
        in_note = False  # the line before went to a note: a note ends at the first line in other type
        for line in lines:
            opens = small(line) and _NOTE.match(line)
            in_note = bool(opens or in_note and small(line))
            if opens:
                notes.append([])
            (notes[-1] if in_note else kept).append(line)
        lines[:] = kept
        return [Block("paragraph", join_lines(note), page=page) for note in notes]

    def join_wrapped(self, page: int, lines: list[str]) -> list[str]:
        """A title in heading type wrapped over two lines, one line (「1.隐私计算底层技术…，产品化能力成」
        「为核心竞争力」), on a page with body text."""
        if not self.body or page > len(self.sizes) or not self.has_body[page - 1]:
            return lines
        sizes = self.sizes[page - 1]

        def wrapped(first: str, line: str) -> bool:
            before, key = line_key(first), line_key(line)
            return (
                sizes.get(before) == sizes.get(key) and self._heading_type(page, before) and self._heading_type(page, key)
                and len(first) >= _WRAPPED_TITLE and len(line) < len(first) and not first.endswith(SENTENCE_END)
                and heading_like(first + line)
            )

        return self._join_pairs(page, lines, wrapped)


def heading_like(text: str, lines: int = 1) -> bool:
    # A title in heading type may have two clauses (「强化监管：促进数据合规利用，守护基本价值」); `lines`: a title's
    # lines, each up to a heading line's length.
    return (
        len(text) <= lines * HEADING_MAX
        and bool(re.search(r"[\u4e00-\u9fffA-Za-z]{2}", text))
        and not SENTENCE_STOP.search(text.rstrip("：:"))
        and not BULLET.match(text)
        and not PAGE_NUMBER.match(text)
        and not CAPTION_START.match(text)
    )


def fix_chars(text: str) -> str:
    """CJK radicals and compatibility ideographs some PDF fonts map to (⼤, 﨑) as the usual characters;
    superscript footnote markers dropped."""
    if any("\u2e80" <= ch <= "\u2fdf" or "\uf900" <= ch <= "\ufaff" for ch in text):
        text = "".join(
            unicodedata.normalize("NFKC", ch) if "\u2e80" <= ch <= "\u2fdf" or "\uf900" <= ch <= "\ufaff" else ch for ch in text
        )
    text = text.translate(_SUPERSCRIPTS)
    found = article(text) or part_number(text)
    if found:  # 「第三条　为规范…」, 「第一章　总则」: the space after the number is how they are written (for
        # an article, what says it opens one)
        return f"{found[0]} {_SPACED_CJK.sub('', found[1])}"
    # Letter-spaced type (「为 隐 私 计 算」) comes out with a space between every character.
    return _SPACED_CJK.sub("", text)
