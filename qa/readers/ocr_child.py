"""The OCR child process: the text of a PDF's scanned pages (pages without a text layer), read from their pictures by
RapidOCR (PaddleOCR's PP-OCRv6 small models, shipped in its wheel, run by onnxruntime), as JSON on stdout.

Run as a script (`python -I ocr_child.py PAGE…`, the PDF on stdin), as pdf_child.py is, under the memory and time bounds
the parent sets. Exits non-zero with one line saying why when the pages cannot be read.

Out: {"pages": {"N": {"size": [width, height], "lines": [[text, left, top, right, bottom], …]}}} for each page asked:
the page's size and every recognised line's box in its own units (points), measured from its top-left corner.
"""

from __future__ import annotations

import json
import sys

_PICTURE_MIN = 0.1  # of the page's area: a smaller picture on a scanned page (a logo stamped on it) is not read
_PIXELS_MIN = 32  # a picture narrower or lower than this holds no line of text
_SCORE_MIN = 0.5  # the recogniser's confidence below which a line is noise (a smudge read as 「一」)


def extract(data: bytes, pages: list[int]) -> dict:
    import io
    import logging

    import numpy as np
    from pypdf import PdfReader
    from pypdf.errors import PyPdfError
    from rapidocr import RapidOCR

    logging.disable(logging.WARNING)
    engine = None  # loaded when a page has a picture to read
    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted:
            reader.decrypt("")
        out = {}
        for number in pages:
            page = reader.pages[number - 1]
            box = page.mediabox
            left, bottom, width, height = float(box.left), float(box.bottom), float(box.width), float(box.height)
            top = bottom + height  # the page's top edge; a box's place is measured down from it
            lines = []
            for (x0, y0, x1, y1), picture in _pictures(page, left, bottom, width, height):
                if engine is None:
                    engine = RapidOCR(params={"Global.log_level": "error"})
                found = engine(np.asarray(picture))
                sx, sy = (x1 - x0) / picture.width, (y1 - y0) / picture.height
                for corners, text, score in zip(found.boxes if found.boxes is not None else (), found.txts or (), found.scores or ()):
                    if float(score) < _SCORE_MIN or not text.strip():
                        continue
                    xs, ys = [float(c[0]) for c in corners], [float(c[1]) for c in corners]
                    lines.append([text, x0 + min(xs) * sx - left, top - (y1 - min(ys) * sy),
                                  x0 + max(xs) * sx - left, top - (y1 - max(ys) * sy)])
            out[str(number)] = {"size": [width, height], "lines": lines}
    except (PyPdfError, ValueError, KeyError, TypeError, AttributeError, IndexError, RecursionError, OSError) as e:
        raise SystemExit(f"its scanned pages cannot be read: {type(e).__name__}: {e}") from None
    return {"pages": out}


def _pictures(page, left: float, bottom: float, width: float, height: float):
    """The page's pictures large enough to hold its text, as RGB images, each with where the page draws it. A picture
    that cannot be decoded (a filter Pillow lacks, damaged data, too many pixels) is passed over: the page may have
    others, and a page without any stays a page without text."""
    try:
        placed = _placements(page)
        images = list(page.images)
    except Exception:  # noqa: BLE001 - a page whose pictures cannot even be listed has none to read
        return
    for image in images:
        x0, y0, x1, y1 = placed.get(_key(image.name), (left, bottom, left + width, bottom + height))
        if (x1 - x0) * (y1 - y0) < _PICTURE_MIN * width * height:
            continue
        try:
            picture = image.image.convert("RGB")
        except Exception:  # noqa: BLE001 - see above
            continue
        if min(picture.size) >= _PIXELS_MIN:
            yield (x0, y0, x1, y1), picture


def _placements(page) -> dict[str, tuple[float, float, float, float]]:
    """Where the page draws each picture, by name: the unit square under the matrix in force at its Do, as (left,
    bottom, right, top). A picture drawn by a form (or not found) is taken to fill the page."""
    placed = {}

    def visit(op, args, cm, tm):
        if op == b"Do" and args:
            xs = (cm[4], cm[4] + cm[0], cm[4] + cm[2], cm[4] + cm[0] + cm[2])
            ys = (cm[5], cm[5] + cm[1], cm[5] + cm[3], cm[5] + cm[1] + cm[3])
            placed[_key(str(args[0]))] = (min(xs), min(ys), max(xs), max(ys))

    page.extract_text(visitor_operand_before=visit)
    return placed


def _key(name: str) -> str:
    """A picture's resource name as the content stream and pypdf's page.images both give it: /Im0 and Im0.jpg alike."""
    return name.lstrip("/").rsplit(".", 1)[0]


if __name__ == "__main__":
    result = extract(sys.stdin.buffer.read(), [int(n) for n in sys.argv[1:]])
    sys.stdout.write(json.dumps(result, ensure_ascii=False))
