"""Word 2003 XML documents (WordprocessingML 2003, `<?mso-application progid="Word.Document"?>`): what many systems
export as a 「.doc」 (a Word template filled in by a server, FreeMarker's way), and what Word and LibreOffice save as
「Word 2003 XML」. One XML file: the style sheet, the list definitions and the body. Written out as a web page like
.doc and .rtf — headings by style or outline level, list items with the numbers Word shows, tables — and read by the
web page reader. Footnotes and endnotes are a 「脚注」 part at the end; deleted text, hidden text, comments and a typed-in
contents page are left out. The title is the stored one when meaningful, else the Title paragraph or a centred first
line like a title."""

from __future__ import annotations

import html
import re

from ..text import clean
from . import html as web_page
from .blocks import Source, meaningful_title, notes_part, title_like, with_number
from .doc_paragraphs import ListLevel, counted_number
from .docx_notes import numbered
from .ooxml import flat_xml
from .text_lines import join_lines

_W = "{http://schemas.microsoft.com/office/word/2003/wordml}"
_WX = "{http://schemas.microsoft.com/office/word/2003/auxHint}"
_AML = "{http://schemas.microsoft.com/aml/2001/core}"
_O = "{urn:schemas-microsoft-com:office:office}"
_V = "{urn:schemas-microsoft-com:vml}"
_HEADING_STYLE = re.compile(r"(?:heading|标题)\s*([1-9])", re.IGNORECASE)
_CONTENTS_STYLE = re.compile(r"(?:toc|contents|目录)\s*[1-9]", re.IGNORECASE)
_TITLE_STYLES = {"title", "标题"}
_BODY_LEVEL = 9  # an outline level of 9 is body text
_BASED_ON_MAX = 10  # styles followed up the based-on chain, at most (a damaged file's may loop)
_COLUMNS = 1_000  # cells of a row read, at most
# Not the document's text: deleted text, a field's instruction, properties, a comment's or deletion's annotation.
_LEFT_OUT = {_W + n for n in ("delText", "instrText", "rPr", "pPr", "tblPr", "trPr", "tcPr", "sectPr", "footnoteRef",
                              "endnoteRef", "annotationRef")}


def read(data: bytes, source: str) -> Source:
    root = flat_xml(data, source, "a Word 2003 XML document", _W + "wordDocument")
    page = _Page(_styles(root), _lists(root))
    body = root.find(_W + "body")
    if body is not None:
        page.block(body)
    read_as_page = web_page.read_written(page.page.body(), source)
    blocks = read_as_page.blocks + notes_part(numbered(page.footnotes, page.endnotes))
    stored = clean(root.findtext(f"{_O}DocumentProperties/{_O}Title") or "")
    title = stored if meaningful_title(stored) else page.page.title or read_as_page.title
    return Source(title=title, blocks=blocks, meta=read_as_page.meta)


class _Style:
    def __init__(self, level: int | None, titled: bool, contents: bool, list_entry: tuple[str, int] | None):
        self.level, self.titled, self.contents, self.list_entry = level, titled, contents, list_entry


def _styles(root) -> dict[str, _Style]:
    """Paragraph styles by id, each with what it or a style it is based on says: its outline level (a heading's), the
    Title style, a contents entry's style, the list it numbers (a style linked to a list)."""
    own, bases = {}, {}
    for style in root.iterfind(f"{_W}styles/{_W}style"):
        if style.get(_W + "type") != "paragraph":
            continue
        sid = style.get(_W + "styleId")
        name = (style.find(_W + "name").get(_W + "val") or "") if style.find(_W + "name") is not None else ""
        name = name.replace("_20_", " ")  # LibreOffice writes a space in a name as _20_ (Heading_20_1)
        level = _int(_val(style, f"{_W}pPr/{_W}outlineLvl"))
        heading = _HEADING_STYLE.fullmatch(name.strip())
        if heading and level is None:
            level = int(heading.group(1)) - 1
        listed = style.find(f"{_W}pPr/{_W}listPr")
        own[sid] = _Style(level if level is not None and level < _BODY_LEVEL else None, name.strip().lower() in _TITLE_STYLES,
                          bool(_CONTENTS_STYLE.fullmatch(name.strip())), _list_entry(listed))
        bases[sid] = _val(style, _W + "basedOn")
    out = {}
    for sid, style in own.items():
        level, titled, contents, entry, at = style.level, style.titled, style.contents, style.list_entry, bases.get(sid)
        for _ in range(_BASED_ON_MAX):
            if at not in own:
                break
            base = own[at]
            level = level if level is not None else base.level
            titled, contents, entry = titled or base.titled, contents or base.contents, entry or base.list_entry
            at = bases.get(at)
        out[sid] = _Style(level, titled, contents, entry)
    return out


def _lists(root) -> dict[str, tuple[str, list[ListLevel]]]:
    """Each list instance (ilfo) → its definition's id and levels (numbers are counted per definition, as in Word)."""
    definitions = {}
    for definition in root.iterfind(f"{_W}lists/{_W}listDef"):
        levels = []
        for level in definition.iterfind(_W + "lvl"):
            text = re.sub(r"%([1-9])", lambda m: chr(int(m.group(1)) - 1), _val(level, _W + "lvlText") or "")
            start = _int(_val(level, _W + "start"))
            levels.append(ListLevel(1 if start is None else start, _int(_val(level, _W + "nfc")) or 0, text))
        definitions[definition.get(_W + "listDefId")] = levels
    return {item.get(_W + "ilfo"): (_val(item, _W + "ilst"), definitions.get(_val(item, _W + "ilst"), []))
            for item in root.iterfind(f"{_W}lists/{_W}list")}


def _list_entry(list_properties) -> tuple[str, int] | None:
    if list_properties is None or _val(list_properties, _W + "ilfo") in (None, "0"):
        return None
    return _val(list_properties, _W + "ilfo"), _int(_val(list_properties, _W + "ilvl")) or 0


class _Page:
    """The body written out paragraph by paragraph (`page`); notes' texts in `footnotes` and `endnotes`."""

    def __init__(self, styles: dict[str, _Style], lists: dict[str, tuple[str, list[ListLevel]]]):
        self.page = web_page.WrittenPage()
        self.footnotes: list[str] = []
        self.endnotes: list[str] = []
        self.styles, self.lists = styles, lists
        self.counts: dict[str, list[int]] = {}  # list definition → the counter of each level
        self.first = True

    def block(self, element) -> None:
        tag = element.tag if isinstance(element.tag, str) else ""
        if tag == _W + "p":
            self.paragraph(element)
        elif tag == _W + "tbl":
            self.table(element)
        elif tag == _AML + "annotation" and element.get(_W + "type") != "Word.Insertion":
            return  # a deletion, a comment, a bookmark
        elif tag and tag not in _LEFT_OUT:  # a section (wx:sect, wx:sub-section), an insertion: what it holds
            for child in element:
                self.block(child)

    def paragraph(self, p) -> None:
        after: list[str] = []
        text = self.inline(p, after).strip()
        properties = p.find(_W + "pPr")
        style = self.styles.get(_val(properties, _W + "pStyle") if properties is not None else None) or _Style(None, False, False, None)
        level = _int(_val(properties, f"{_W}outlineLvl")) if properties is not None else None
        level = style.level if level is None else (level if level < _BODY_LEVEL else None)
        entry = _list_entry(properties.find(_W + "listPr")) if properties is not None else None
        entry = entry or style.list_entry
        number = self.number(entry, properties) if entry else ""
        if text and not style.contents:
            centred = properties is not None and _val(properties, _W + "jc") in ("center", "centre")
            plain = clean(html.unescape(text.replace("<br>", " ")))
            self.page.paragraph(with_number(html.escape(number), text), level, bool(entry),
                                style.titled or self.first and centred and title_like(plain))
            self.first = False
        for box in after:
            self.page.paragraph(box)

    def number(self, entry: tuple[str, int], properties) -> str:
        shown = properties.find(f"{_W}listPr/{_WX}t") if properties is not None else None
        definition, levels = self.lists.get(entry[0], ("", []))
        counted = counted_number(levels, self.counts.setdefault(definition, [lv.start - 1 for lv in levels]), entry[1]) if levels else ""
        if shown is not None and shown.get(_WX + "val") is not None:  # Word writes the number it shows beside the list
            return clean(shown.get(_WX + "val"))
        return counted

    def table(self, table) -> None:
        for row in table.iterfind(_W + "tr"):
            cells = 0
            for cell in row.iterfind(_W + "tc"):
                after: list[str] = []
                parts = [self.inline(p, after) for p in cell.iter(_W + "p") if not _in_note_or_box(p, cell)]
                self.page.cell(join_lines([part for part in parts + after if part.strip()]))
                cells += 1
                if cells >= _COLUMNS:
                    break
            self.page.end_row()

    def inline(self, element, after: list[str]) -> str:
        """A paragraph's or run's text as HTML; a text box's paragraphs go to `after`, notes to self.footnotes and
        self.endnotes."""
        parts = []
        for child in element:
            tag = child.tag if isinstance(child.tag, str) else ""
            if not tag or tag in _LEFT_OUT:
                continue
            if tag == _W + "t":
                parts.append(html.escape(child.text or ""))
            elif tag == _W + "tab":
                parts.append(" ")
            elif tag in (_W + "br", _W + "cr"):
                parts.append(" " if child.get(_W + "type") == "page" else "<br>")
            elif tag == _W + "sym":
                parts.append(html.escape(_symbol(child.get(_W + "char"))))
            elif tag in (_W + "footnote", _W + "endnote"):
                note = " ".join(clean(html.unescape(re.sub(r"<[^>]+>", " ", self.inline(p, [])))) for p in child.iter(_W + "p"))
                if note.strip():
                    (self.footnotes if tag == _W + "footnote" else self.endnotes).append(clean(note))
            elif tag == _W + "r" and _hidden(child):
                continue
            elif tag == _AML + "annotation" and child.get(_W + "type") != "Word.Insertion":
                continue
            elif tag == _W + "pict":
                for box in child.iter(_W + "txbxContent"):
                    for p in box.iter(_W + "p"):
                        text = self.inline(p, after).strip()
                        if text:
                            after.append(text)
            else:  # a run, a link, a simple field's result, an insertion, a smart tag: what it holds
                parts.append(self.inline(child, after))
        return "".join(parts)


def _in_note_or_box(p, cell) -> bool:
    """Whether a paragraph found in a table's cell belongs to a note or a text box in it (read as such, not as the cell's)."""
    parent = p.getparent()
    while parent is not None and parent is not cell:
        if parent.tag in (_W + "footnote", _W + "endnote", _W + "pict"):
            return True
        parent = parent.getparent()
    return False


def _hidden(run) -> bool:
    vanish = run.find(f"{_W}rPr/{_W}vanish")
    return vanish is not None and vanish.get(_W + "val") not in ("off", "0", "false")


def _symbol(code: str | None) -> str:
    """A w:sym's character: its code point (F0xx, a symbol font's, is left out: what it draws depends on the font)."""
    value = _int(code, 16)
    return chr(value) if value and not 0xF000 <= value <= 0xF0FF and value < 0x110000 else ""


def _val(element, path: str) -> str | None:
    found = element.find(path)
    return found.get(_W + "val") if found is not None else None


def _int(value: str | None, base: int = 10) -> int | None:
    try:
        return int(value, base) if value is not None else None
    except ValueError:
        return None
