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
    """In the child: pypdf's text of every page, the type size of its lines, the document's own
    title, the first page's largest-type line (the title on a cover), and the outline."""
    import io
    import logging

    from pypdf import PdfReader
    from pypdf.errors import FileNotDecryptedError, PyPdfError

    logging.disable(logging.WARNING)  # pypdf logs every repaired object: the build reports what matters
    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted and not reader.decrypt(""):
            raise SystemExit("password-protected: save it without a password to index it")
        pages, sizes = [], []
        for page in reader.pages:
            lines = _LineSizes()
            pages.append(page.extract_text(visitor_text=lines.visit) or "")
            sizes.append(lines.result())
    except FileNotDecryptedError:
        raise SystemExit("password-protected: save it without a password to index it") from None
    except (PyPdfError, ValueError, KeyError, TypeError, AttributeError, IndexError, RecursionError, OSError) as e:
        raise SystemExit(f"damaged, hostile or not a PDF: {type(e).__name__}: {e}") from None
    meta = reader.metadata or {}
    return {
        "pages": pages,
        "line_sizes": sizes,
        "title": str(meta.get("/Title") or "").strip(),
        "meta": {"author": str(meta.get("/Author") or "").strip(), "date": _pdf_date(meta.get("/CreationDate"))},
        "largest": _largest_line(reader.pages[0]) if reader.pages else "",
        "outline": _outline(reader),
    }


class _LineSizes:
    """The type size of each line a page's text runs make: [text, size], the size being that of
    most of its characters."""

    def __init__(self):
        self.lines: list[list] = []
        self.runs: list[tuple[str, float]] = []

    def visit(self, text, cm, tm, font, size):
        scale = abs(tm[3] * cm[3]) or abs(tm[0] * cm[0]) or 1.0
        for i, part in enumerate(text.split("\n")):
            if i:
                self._end_line()
            if part:
                self.runs.append((part, round(size * scale, 1)))

    def _end_line(self):
        text = "".join(t for t, _ in self.runs)
        if text.strip():
            chars: dict[float, int] = {}
            for t, size in self.runs:
                chars[size] = chars.get(size, 0) + len(t.strip())
            self.lines.append([text, max(chars, key=chars.get)])
        self.runs = []

    def result(self) -> list[list]:
        self._end_line()
        return self.lines


def _pdf_date(value) -> str:
    m = re.match(r"D:(\d{4})(\d{2})?(\d{2})?", str(value or ""))
    return "-".join(x for x in m.groups() if x) if m else ""


def _largest_line(page) -> str:
    """The text set in the largest type on a page (a cover's title), as one line."""
    runs: list[tuple[float, str]] = []

    def visit(text, cm, tm, font, size):
        scale = abs(tm[3] * cm[3]) or abs(tm[0] * cm[0]) or 1.0
        if text.strip():
            runs.append((round(size * scale, 1), text))

    try:
        page.extract_text(visitor_text=visit)
    except Exception:  # noqa: BLE001 - a title guess is never worth failing the file for
        return ""
    cjk = [(s, t) for s, t in runs if re.search(r"[\u4e00-\u9fff]", t)]
    if not cjk:
        return ""
    top = max(s for s, _ in cjk)
    text = "".join(t for s, t in cjk if s >= 0.9 * top)
    text = re.sub(r"\s+", " ", text).strip()
    text = re.sub(r"(?<=[\u4e00-\u9fff]) (?=[\u4e00-\u9fff])", "", text)
    # A cover's title is a short phrase; a block of names, dates or a page number is not one.
    return text if 4 <= len(text) <= 40 and not re.search(r"[：:。，]|^\d", text) else ""


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
