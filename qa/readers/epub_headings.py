"""Headings of an e-book whose pages mark none (no <h1>…<h6>), told by their type as in a PDF: LibreOffice's EPUB (and
many a typesetting program's) sets each heading as a paragraph in a class its stylesheet gives a larger or bold font.
A paragraph set wholly larger than the book's body text (or in bold and larger at all: Word's 13-point Heading 2 over
12-point text), short and no sentence, is a heading; the larger its type, the higher its level."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

_CLASS_SELECTOR = re.compile(r"\s*[a-zA-Z0-9]*\.([\w-]+)\s*")  # 「.span1」, 「p.title」: one class, no context
_FONT_SIZE = re.compile(r"font-size\s*:\s*([\d.]+)\s*(pt|px|em|rem|%)", re.IGNORECASE)
_FONT_WEIGHT = re.compile(r"font-weight\s*:\s*(\w+)", re.IGNORECASE)
_POINTS = {"pt": 1.0, "px": 0.75, "em": 12.0, "rem": 12.0, "%": 0.12}  # a size relative to the default, 12 pt, as set in it
_DEFAULT = 12.0  # points: a browser's default size, a paragraph's that no class sizes
_LARGER = 1.15  # times the body text's size, at least: a heading's type
_HEADING_MAX = 60  # characters of a heading, at most
_SENTENCE_END = re.compile(r"[。！？；!?;]$")
_NOT_BODY = {"table", "li", "dt", "dd", "h1", "h2", "h3", "h4", "h5", "h6", "nav", "aside", "header", "footer"}


@dataclass(frozen=True)
class TypeSet:
    """What a class sets of the type: its size in points, whether bold; None where it leaves it as it was."""

    size: float | None = None
    bold: bool | None = None


def class_types(stylesheets: list[str]) -> dict[str, TypeSet]:
    """The type each class sets, from the rules that name one class alone (a later rule's setting wins, as in CSS)."""
    types: dict[str, TypeSet] = {}
    for css in stylesheets:
        for selectors, declarations in _rules(css):
            size, weight = _FONT_SIZE.search(declarations), _FONT_WEIGHT.search(declarations)
            if not (size or weight):
                continue
            points = float(size.group(1)) * _POINTS[size.group(2).lower()] if size else None
            bold = (weight.group(1).lower() in ("bold", "bolder") or weight.group(1) in ("600", "700", "800", "900")) if weight else None
            for selector in selectors.split(","):
                named = _CLASS_SELECTOR.fullmatch(selector)
                if named:
                    before = types.get(named.group(1), TypeSet())
                    types[named.group(1)] = TypeSet(points if points is not None else before.size, bold if bold is not None else before.bold)
    return types


def _rules(css: str):
    """(selectors, declarations) of each rule of a stylesheet, comments left out; in time linear in its length, whatever
    it holds (a rule in an @media block has the block's opening in its selectors: it is no class's)."""
    text, start = [], 0
    while True:
        comment = css.find("/*", start)
        text.append(css[start : comment if comment >= 0 else len(css)])
        if comment < 0:
            break
        end = css.find("*/", comment + 2)
        if end < 0:
            break  # a comment left open runs to the end
        start = end + 2
    for rule in "".join(text).split("}"):
        selectors, brace, declarations = rule.rpartition("{")
        if brace:
            yield selectors, declarations


def mark_headings(bodies: list, types: dict[str, TypeSet]) -> None:
    """Paragraphs of the pages' `bodies` (lxml elements) set as headings made <h1>…<h6>, in place; nothing changes
    where a page marks a heading itself or no class sets the type."""
    if not types or any(_local(e) in ("h1", "h2", "h3", "h4", "h5", "h6") for body in bodies for e in body.iter()):
        return
    paragraphs = [(p, *_type_of(p, types)) for body in bodies for p in body.iter("{*}p", "p") if not _in_other_block(p)]
    characters: Counter[float] = Counter()
    for _, (size, _bold), count in paragraphs:
        characters[size] += count
    if not characters:
        return
    body_size = characters.most_common(1)[0][0]
    headings = []
    for p, (size, bold), _ in paragraphs:
        text = "".join(p.itertext()).strip()
        larger = size >= body_size * _LARGER or (bold and size > body_size)
        if larger and 0 < len(text) <= _HEADING_MAX and not _SENTENCE_END.search(text):
            headings.append((p, (size, bold)))
    ranks = sorted({kind for _, kind in headings}, reverse=True)
    for p, kind in headings:
        level = min(ranks.index(kind) + 1, 6)
        p.tag = f"{{{p.nsmap[None]}}}h{level}" if p.nsmap.get(None) else f"h{level}"


def _type_of(p, types: dict[str, TypeSet]) -> tuple[tuple[float, bool], int]:
    """A paragraph's type, (size in points, bold) — a run's by its own class, else its parent's; in a paragraph of mixed
    type (a word set larger or bold in a sentence) the smallest size, not bold — and how many characters it holds."""
    counts: Counter[tuple[float, bool]] = Counter()

    def walk(element, kind: tuple[float, bool]) -> None:
        kind = _set_by(element, types, kind)
        counts[kind] += len((element.text or "").strip())
        for child in element:
            walk(child, kind)
            counts[kind] += len((child.tail or "").strip())

    walk(p, (_DEFAULT, False))
    set_in = {kind: count for kind, count in counts.items() if count}
    if not set_in:
        return (_DEFAULT, False), 0
    if len(set_in) == 1:
        return next(iter(set_in)), sum(set_in.values())
    return (min(size for size, _ in set_in), False), sum(set_in.values())


def _set_by(element, types: dict[str, TypeSet], inherited: tuple[float, bool]) -> tuple[float, bool]:
    size, bold = inherited
    if _local(element) in ("b", "strong"):
        bold = True
    for name in (element.get("class") or "").split():
        kind = types.get(name)
        if kind is not None:
            size = kind.size if kind.size is not None else size
            bold = kind.bold if kind.bold is not None else bold
    return size, bold


def _in_other_block(p) -> bool:
    """Whether the paragraph lies in a table, a list item or the like: a cell's text is no heading."""
    parent = p.getparent()
    while parent is not None:
        if _local(parent) in _NOT_BODY:
            return True
        parent = parent.getparent()
    return False


def _local(element) -> str:
    tag = element.tag
    return tag.rsplit("}", 1)[-1].lower() if isinstance(tag, str) else ""
