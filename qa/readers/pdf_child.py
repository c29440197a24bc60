"""The PDF reader's child process: pypdf's text of a PDF read from stdin, as JSON on stdout.

Run as a script (`python -I pdf_child.py`), so it imports pypdf and nothing of qa: the memory bound
the parent sets is spent on the file, not on numpy. Exits non-zero with one line saying why when
the file cannot be read.
"""

from __future__ import annotations

import json
import re
import sys


def extract(data: bytes) -> dict:
    """In the child: pypdf's text of every page, the type size of its lines, each page's left and right edges, the
    document's own title, the first page's largest-type line (the title on a cover), and the outline."""
    import io
    import logging

    from pypdf import PdfReader
    from pypdf.errors import FileNotDecryptedError, PyPdfError

    logging.disable(logging.WARNING)  # pypdf logs every repaired object: the build reports what matters
    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted and not reader.decrypt(""):
            raise SystemExit("password-protected: save it without a password to index it")
        pages, sizes, edges, first = [], [], [], []
        for page in reader.pages:
            runs = Runs()
            page.extract_text(visitor_text=runs.visit, visitor_operand_before=runs.operator)
            pages.append(runs.text())
            edges.append([float(page.mediabox.left), float(page.mediabox.right)])  # text is placed in the unrotated page
            sizes.append(runs.line_sizes())
            if len(pages) == 1:  # the cover's runs give its title (largest_line)
                first = runs.runs
    except FileNotDecryptedError:
        raise SystemExit("password-protected: save it without a password to index it") from None
    except (PyPdfError, ValueError, KeyError, TypeError, AttributeError, IndexError, RecursionError, OSError) as e:
        raise SystemExit(f"damaged, hostile or not a PDF: {type(e).__name__}: {e}") from None
    meta = reader.metadata or {}
    return {
        "pages": pages,
        "line_sizes": sizes,
        "page_edges": edges,
        "title": str(meta.get("/Title") or "").strip(),
        "meta": {"author": str(meta.get("/Author") or "").strip(), "date": _pdf_date(meta.get("/CreationDate"))},
        "largest": largest_line(first),
        "outline": _outline(reader),
    }


# A footnote marker: a number of up to three digits, set well below the text it follows (caict's
# 「增加 2.68 倍²，」 is 9 point after 14).
_MARKER = re.compile(r"\d{1,3}")
_MARKER_SIZE = 0.8
# ... right after Chinese text or punctuation: after a Latin or math letter it is a subscript (𝑇₃).
_CJK_END = re.compile(r"[\u4e00-\u9fff\u3000-\u303f\uff01-\uff0f\uff1a-\uff1f”’）》]$")
_SUBSET = re.compile(r"^/?(?:[A-Z]{6}\+)?")  # a font's leading slash and subset tag (/ABCDEE+KaiTi)
_CJK = re.compile(r"[\u4e00-\u9fff]")
# A glyph of a symbol font is a bullet, whatever letter its code is (Wingdings' ● is the code of "l").
_SYMBOL_FONT = re.compile(r"wingding|webding|dingbat|symbol", re.I)
_STROKED_BOLD = (2, 6)  # render modes that fill and stroke the glyphs: a bold made from the regular face


class Runs:
    """A page's text runs as pypdf's visitor gives them (joined, they are exactly what extract_text
    returns), with their type size; footnote markers left out. (An OFD's runs too: ofd.py adds them.)"""

    def __init__(self):
        self.runs: list[tuple[str, float]] = []
        self.heights: list[float] = []  # each run's baseline height on the page (PDF units, up is more)
        self.lefts: list[float] = []  # and where it starts across the page
        self.fonts: list[str] = []  # its font's name, without a subset's tag (KaiTi, not /ABCDEE+KaiTi)
        self.render_mode = 0  # the text render mode (Tr) in force, and those saved by q
        self.saved_modes: list[int] = []

    def operator(self, op, args, cm, tm):
        """Follows the text render mode: text filled and stroked (2, or 6 clipping too) is how Word sets in bold a
        font that has no bold face (KaiTi, SimSun: htsc's summary titles)."""
        if op == b"Tr" and args:
            try:
                self.render_mode = int(args[0])
            except (TypeError, ValueError):
                pass
        elif op == b"q":
            self.saved_modes.append(self.render_mode)
        elif op == b"Q" and self.saved_modes:
            self.render_mode = self.saved_modes.pop()

    def visit(self, text, cm, tm, font, size):
        scale = abs(tm[3] * cm[3]) or abs(tm[0] * cm[0]) or 1.0
        size = round(size * scale, 1)
        before = next((r for r in reversed(self.runs) if r[0]), None)  # on the same line: no "\n" between
        if before and _MARKER.fullmatch(text) and _CJK_END.search(before[0]) and size < _MARKER_SIZE * before[1]:
            return
        name = _SUBSET.sub("", str(font.get("/BaseFont", ""))) if font is not None else ""
        self.add(text, size, tm[4] * cm[1] + tm[5] * cm[3] + cm[5], tm[4] * cm[0] + tm[5] * cm[2] + cm[4],
                 f"{name},Bold" if name and self.render_mode in _STROKED_BOLD else name)

    def add(self, text: str, size: float, height: float, left: float, font: str) -> None:
        """A run: its text ("\n" where a line ends), type size, baseline height and left edge on the page (up and right is
        more), its font's name (",Bold" after a bold face's)."""
        glyph = text.strip()
        if len(glyph) == 1 and _SYMBOL_FONT.search(font):
            text = text.replace(glyph, "•")
        self.runs.append((text, size))
        self.heights.append(round(height, 1))
        self.lefts.append(round(left, 1))
        self.fonts.append(font)

    def text(self) -> str:
        return "".join(t for t, _ in self.runs)

    def line_sizes(self) -> list[list]:
        """[text, size, height, left, font, cells] of each line: the size of most of its characters, the height and
        the left edge of its first run on the page, the font of most of its Chinese characters ("" if none), its
        cells where it is a table's row (else [])."""
        lines, line = [], []
        for (text, size), height, left, font in zip(self.runs, self.heights, self.lefts, self.fonts):
            for i, part in enumerate(text.split("\n")):
                if i:
                    lines.append(line)
                    line = []
                if part:
                    line.append((part, size, height, left if i == 0 else None, font))
        lines.append(line)
        out = []
        for line in lines:
            text = "".join(run[0] for run in line)
            if text.strip():
                chars: dict[float, int] = {}
                fonts: dict[str, int] = {}
                for t, size, _, _, font in line:
                    chars[size] = chars.get(size, 0) + len(t.strip())
                    fonts[font] = fonts.get(font, 0) + len(_CJK.findall(t))
                first = next(run for run in line if run[0].strip())
                font = max(fonts, key=fonts.get) if any(fonts.values()) else ""
                left = first[3] if first[3] is not None else next((r[3] for r in line if r[3] is not None), 0.0)
                out.append([text, max(chars, key=chars.get), first[2], left, font, _cells(line)])
        return out


# A gap between two runs of a line this many type sizes wide (its first run's end reckoned from its characters:
# CJK 1 em, Latin 0.5, text_lines.width's measure, which the child cannot import) parts two cells of a table's row;
# a narrower one where pypdf wrote a space for it.
_CELL_GAP, _SPACED_CELL_GAP = 1.0, 0.3
_ROW_CELLS = 2  # cells of a line, at least, that may make it a table's row (a header; the reader decides)


def _cells(line: list[tuple]) -> list[list]:
    """A line's cells, [text, left edge], where gaps part its runs into two or more (perhaps a table's row:
    the reader sees whether the lines around it line up); [] for any other line."""
    runs, space = [], False  # (text, size, left, whether a space comes before it)
    for text, size, _, left, _ in line:
        if not text.strip():
            space = space or bool(text)  # a run of spaces alone, between two
            continue
        runs.append((text, size, left, space or text[:1].isspace()))
        space = text[-1:].isspace()
    cells = [[runs[0][0], runs[0][2]]] if runs else []
    for (t1, size, x1, _), (t2, _, x2, space) in zip(runs, runs[1:]):
        gap = x2 - (x1 + sum(0.5 if ch.isascii() else 1.0 for ch in t1) * size) if x1 is not None and x2 is not None and x2 > x1 else 0.0
        if gap >= _CELL_GAP * size or gap >= _SPACED_CELL_GAP * size and space:
            cells.append([t2, x2])
        else:  # pypdf's space between two runs of a cell stays (「1.0672 -27.09%」 is two figures, not a range)
            cells[-1][0] += (" " if space and not t2[:1].isspace() else "") + t2
    cells = [[text.strip(), x] for text, x in cells if text.strip()]
    return cells if len(cells) >= _ROW_CELLS else []


def _pdf_date(value) -> str:
    m = re.match(r"D:(\d{4})(\d{2})?(\d{2})?", str(value or ""))
    return "-".join(x for x in m.groups() if x) if m else ""


_TITLE_RUNS = 3  # text runs of a cover that is its title alone (a title over two lines, a subtitle)


def largest_line(runs: list[tuple[str, float]]) -> str:
    """The text set in the largest type among a page's runs (a cover's title), as one line."""
    cjk = [(s, t) for t, s in runs if _CJK.search(t)]
    if not cjk:
        return ""
    top = max(s for s, _ in cjk)
    large = [s >= 0.9 * top for s, _ in cjk]
    if all(large) and len(cjk) > _TITLE_RUNS:
        return ""  # many lines all in one type (a contents page): nothing stands out as a title
    if sum(a and not b for a, b in zip(large, [False, *large])) > 1:
        return ""  # the largest type again after smaller text: a page's section headings, not one title
    text = "".join(t for (_, t), big in zip(cjk, large) if big)
    text = re.sub(r"\s+", " ", text).strip()
    text = re.sub(r"(?<=[\u4e00-\u9fff]) (?=[\u4e00-\u9fff])", "", text)
    # A cover's title is a short phrase; a block of names, dates or a page number is not one, but a title
    # may open with its year (「2024年中国数字经济发展报告」, not 「2022年9月」).
    dated = re.match(r"\d{4}\s*年度?\s*[\u4e00-\u9fff]{4}", text)
    return text if 4 <= len(text) <= 40 and not re.search(r"[：:。，]", text) and (dated or not text[0].isdigit()) else ""


def _outline(reader) -> list:
    out = []

    def walk(items, level):
        for item in items:
            if isinstance(item, list):
                walk(item, level + 1)
                continue
            try:
                out.append((str(item.title), level, reader.get_destination_page_number(item) + 1))
            except Exception:  # noqa: BLE001 - an outline entry without a page is just left out
                continue

    try:
        walk(reader.outline, 1)
    except Exception:  # noqa: BLE001
        return []
    return out


if __name__ == "__main__":
    result = extract(sys.stdin.buffer.read())
    sys.stdout.write(json.dumps(result, ensure_ascii=False))
