"""Rich Text Format (.rtf: what an older office system exports, WordPad saves, a site offers beside a PDF): the
document's text read from its control words — paragraphs, tables (\\cell, \\row), headings by outline level (a
paragraph's own \\outlinelevel or its style's) — written out as a web page and read by the web page reader
(html.py), whose Markdown reader also finds heading lines (一、 （一） …) in paragraphs. Chinese text comes as \\uN
escapes or as bytes in the document's or the font's code page (\\ansicpg936, \\fcharset134: GBK). Left out: the font,
colour and style tables, pictures, objects' data, headers and footers, field instructions (a field reads as its
shown result), text boxes, hidden text and tracked deletions. Footnotes and endnotes are a 「脚注」 part at the end, as in Word.
The title is the one stored in \\info when meaningful."""

from __future__ import annotations

import codecs
import html
import re
from dataclasses import dataclass, replace

from ..errors import CorpusError
from ..text import clean
from . import html as web_page
from .blocks import Source, meaningful_title, notes_part, title_like
from .docx_notes import numbered
from .text_lines import join_lines

_TOKEN = re.compile(rb"\\([a-zA-Z]{1,32})(-?\d{1,10})? ?|\\'([0-9a-fA-F]{2})|\\([^a-zA-Z'])|([{}])|([\r\n]+)|([^\\{}\r\n]+)")
_GROUPS = 10_000  # groups open at once, at most: a file of nothing but 「{」 would otherwise fill the memory
# Destinations whose content is not the document's text; a destination marked \* is left out unless read here.
_LEFT_OUT = {"colortbl", "pict", "nonshppict", "objdata", "objclass", "objname", "header", "headerl", "headerr",
             "headerf", "footer", "footerl", "footerr", "footerf", "fldinst", "author", "operator", "keywords", "comment",
             "doccomm", "subject", "company", "category", "manager", "hlinkbase", "template", "userprops", "annotation",
             "atnid", "atnauthor", "xe", "tc", "txe", "falt", "panose", "printim", "creatim", "revtim", "buptim"}
_READ = {"footnote", "fonttbl", "stylesheet", "info", "title", "fldrslt", "field", "listtext", "pntext", "result", "upr", "ud"}
# Fonts' character sets (\fcharsetN) as code pages; 2 is a symbol font's (Wingdings' bullets): no text. 0 (ANSI) is
# the document's code page (\ansicpg): Chinese writers set it on every font.
_CHARSETS = {2: "", 128: "cp932", 129: "cp949", 134: "gbk", 136: "big5", 161: "cp1253", 162: "cp1254",
             163: "cp1258", 177: "cp1255", 178: "cp1256", 186: "cp1257", 204: "cp1251", 222: "cp874", 238: "cp1250"}
_SYMBOLS = {"emdash": "—", "endash": "–", "lquote": "‘", "rquote": "’", "ldblquote": "“", "rdblquote": "”", "bullet": "•",
            "emspace": " ", "enspace": " ", "qmspace": " ", "tab": " ", "line": "<br>", "~": " ", "_": "-", "-": "",
            "nestcell": " ", "nestrow": " "}
_PARAGRAPH_ENDS = {"par", "sect", "page", "column"}
_HEADING_STYLE = re.compile(r"^(?:heading|标题)\s*([1-9])", re.I)
_CONTENTS_STYLE = re.compile(r"^(?:toc|contents|目录)\s*[1-9]", re.I)  # a contents page's entries


@dataclass
class _Group:
    """What a group's control words set; a group starts with its parent's and loses its own at its end."""

    out: str = "body"  # where its text goes: body, note, title, fonts, styles, or elsewhere (info, upr, "": nowhere)
    resume: str = ""  # in {\upr{ANSI text}{\*\ud{Unicode text}}}: where the Unicode text goes
    font: int | None = None
    uc: int = 1  # characters of fallback after a \uN
    hidden: bool = False


class _Document:
    """The parse: the page's HTML, the notes, the title, and the tables of fonts and styles it needs on the way."""

    def __init__(self):
        self.code_page = "cp1252"
        self.default_font: int | None = None
        self.fonts: dict[int, str] = {}  # font number → code page
        self.style_levels: dict[int, int] = {}  # paragraph style number → outline level (0: a top heading)
        self.contents_styles: set[int] = set()
        self.title_styles: set[int] = set()  # styles named Title
        self.contents = False  # the open paragraph is a contents page's entry
        self.titled = False  # … in a style named Title
        self.entry: int | None = None  # the font or style the font table or style sheet is defining
        self.style_name: list[str] = []
        self.title: list[str] = []
        self.notes: list[list[str]] = []
        self.endnotes: set[int] = set()  # the notes (by index) marked \ftnalt: endnotes
        self.page = web_page.WrittenPage()
        self.text: list[str] = []  # the open paragraph's (or cell's) text, HTML
        self.level: int | None = None  # the open paragraph's outline level
        self.centred = False  # the open paragraph is centred (\qc)
        self.in_table = False
        self.in_list = False  # the open paragraph is a list's (\lsN)

    def add(self, group: _Group, text: str) -> None:
        if group.hidden or not text:
            return
        if group.out == "body":
            self.text.append(text)
        elif group.out == "number":  # a list item's number as written ({\listtext 1.\tab}); a bullet in a symbol font is none
            self.text.append(text.strip() + " " if text.strip() else "")
        elif group.out == "note" and self.notes:
            self.notes[-1].append(text)
        elif group.out == "title":
            self.title.append(text)
        elif group.out == "styles":
            self.style_name.append(text)

    def end_paragraph(self) -> None:
        if self.in_table:  # a cell's paragraphs run on: one value
            self.text.append("\n")
            return
        text = _joined(self.text).strip()
        self.text = []
        if text and not self.contents:
            level = self.level
            titled = self.titled or self.centred and title_like(clean(html.unescape(text)))
            self.page.paragraph(text, level, self.in_list and self.level is None, titled)

    def end_cell(self) -> None:
        paragraphs = _joined(self.text).split("\n")
        self.page.cell(join_lines(paragraphs))
        self.text = []

    def end_style(self) -> None:
        """A style sheet entry ends: a style named 「heading 2」 (「标题 2」) heads at that level if it set none."""
        name = clean("".join(self.style_name))
        heading = _HEADING_STYLE.match(name)
        if self.entry is not None and _CONTENTS_STYLE.match(name):
            self.contents_styles.add(self.entry)
        if self.entry is not None and name.rstrip(";").strip().lower() == "title":
            self.title_styles.add(self.entry)
        if self.entry is not None and heading and self.entry not in self.style_levels:
            self.style_levels[self.entry] = int(heading.group(1)) - 1
        self.entry, self.style_name = None, []


def read(data: bytes, source: str) -> Source:
    if not data.lstrip().startswith(b"{\\rtf"):
        raise CorpusError(f"{source}: cannot be read as an RTF file (it does not open with {{\\rtf)")
    try:
        document = _parse(data)
    except _TooDeep:
        raise CorpusError(f"{source}: cannot be read as an RTF file (groups nest deeper than {_GROUPS:,})") from None
    read_as_page = web_page.read_written(document.page.body(), source)
    texts = [(i in document.endnotes, _as_text(note)) for i, note in enumerate(document.notes)]
    notes = numbered([text for endnote, text in texts if text and not endnote], [text for endnote, text in texts if text and endnote])
    blocks = read_as_page.blocks + notes_part(notes)
    stored = _as_text(document.title)
    title = stored if meaningful_title(stored) else document.page.title or read_as_page.title
    return Source(title=title, blocks=blocks)


class _TooDeep(Exception):
    pass


def _parse(data: bytes) -> _Document:
    document, group, stack = _Document(), _Group(), []
    held = bytearray()  # text bytes in a code page (\'hh escapes, 8-bit text), decoded when other text comes
    skip = 0  # fallback characters after a \uN still to pass over
    opened = ignorable = False  # a group has just opened (its first control word may name a destination), marked \*

    def flush() -> None:
        if held:
            font = group.font if group.font is not None else document.default_font
            code_page = document.fonts.get(font, document.code_page) if font is not None else document.code_page
            document.add(group, html.escape(held.decode(code_page, "replace")) if code_page else "")
            held.clear()

    at = 0
    while at < len(data):
        token = _TOKEN.match(data, at)
        if token is None:  # a backslash ending the file
            break
        at = token.end()
        word, parameter, hex_byte, symbol, brace, _, run = token.groups()
        first = opened and symbol != b"*"
        opened = opened and not first
        if hex_byte:
            if skip:
                skip -= 1
            else:
                held.append(int(hex_byte, 16))
            continue
        flush()
        if brace == b"{":
            if len(stack) >= _GROUPS:
                raise _TooDeep
            stack.append(group)
            group, opened, ignorable, skip = replace(group, out="" if group.out == "upr" else group.out), True, False, 0
            continue
        if brace == b"}":
            if group.out == "styles" and stack and stack[-1].out == "styles":
                document.end_style()
            if stack:
                group = stack.pop()
            skip = 0
            continue
        if run is not None:
            if skip:
                passed = min(skip, len(run))
                run, skip = run[passed:], skip - passed
            if run.isascii():
                document.add(group, html.escape(run.decode("ascii")))
            else:
                held += run
            continue
        if word is None and symbol is None:  # a line break in the file: no text
            continue
        name = (word or symbol).decode("latin-1")
        if name == "*":
            ignorable = True
            continue
        if first and (name in _LEFT_OUT or (ignorable and name not in _READ)):
            group.out = ""
            continue
        if name == "bin":  # binary data of that many bytes
            at += max(int(parameter or 0), 0)
            continue
        if skip:
            skip -= 1
            continue
        value = int(parameter) if parameter else None
        if name == "u" and value is not None:
            document.add(group, html.escape(chr(value % 65536)))
            skip = group.uc
        else:
            _control(document, group, name, value)
    flush()
    document.in_table = False  # a row the file left open
    document.page.end_row()
    document.end_paragraph()
    return document


def _control(document: _Document, group: _Group, name: str, value: int | None) -> None:
    """What a control word other than \\uN and \\bin does."""
    if name in ("fonttbl", "stylesheet", "info"):
        group.out = {"fonttbl": "fonts", "stylesheet": "styles", "info": "info"}[name]
    elif name == "title" and group.out == "info":
        group.out = "title"
    elif name == "upr":  # the ANSI text (its first group) is left out for the Unicode text in \ud
        group.out, group.resume = "upr", group.out
    elif name == "ud":
        group.out = group.resume
    elif name in ("listtext", "pntext") and group.out == "body":  # its \pard is the number's, not the paragraph's
        group.out = "number"
    elif name == "footnote":
        group.out = "note"
        document.notes.append([])
    elif name == "ftnalt" and group.out == "note" and document.notes:  # this note is an endnote
        document.endnotes.add(len(document.notes) - 1)
    elif name == "ansicpg" and value is not None:
        document.code_page = _code_page(f"cp{value}") or document.code_page
    elif name == "mac":
        document.code_page = "mac_roman"
    elif name == "deff" and value is not None:
        document.default_font = value
    elif name == "uc" and value is not None:
        group.uc = max(value, 0)
    elif name == "f" and value is not None:
        if group.out == "fonts":
            document.entry = value
        else:
            group.font = value
    elif name == "fcharset" and group.out == "fonts" and document.entry is not None and value in _CHARSETS:
        document.fonts[document.entry] = _CHARSETS[value]
    elif name == "cpg" and group.out == "fonts" and document.entry is not None and value is not None:
        document.fonts[document.entry] = _code_page(f"cp{value}") or document.fonts.get(document.entry, "")
    elif name == "s" and value is not None:
        if group.out == "styles":
            document.entry = value
        elif group.out == "body":
            document.level = document.style_levels.get(value)
            document.contents = value in document.contents_styles
            document.titled = value in document.title_styles
    elif name == "outlinelevel" and value is not None:
        if group.out == "styles" and document.entry is not None:
            document.style_levels[document.entry] = value
        elif group.out == "body":
            document.level = value if value < 9 else None  # 9: body text
    elif name in ("v", "deleted"):
        group.hidden = value != 0
    elif group.out not in ("body", "note"):
        return
    elif name in _SYMBOLS:
        document.add(group, _SYMBOLS[name])
    elif name in ("{", "}", "\\"):
        document.add(group, html.escape(name))
    elif name in _PARAGRAPH_ENDS or name in ("\n", "\r"):
        if group.out == "note":
            document.add(group, " ")
        else:
            document.end_paragraph()
    elif name == "pard":
        document.level, document.in_table, document.centred, document.in_list = None, False, False, False
        document.contents = document.titled = False
    elif name == "ls":
        document.in_list = True
    elif name in ("qc", "ql", "qr", "qj", "qd"):
        document.centred = name == "qc"
    elif name == "intbl":
        document.in_table = True
    elif name == "cell":
        document.end_cell()
    elif name == "row":
        document.page.end_row()
        document.in_table = False


def _code_page(name: str) -> str:
    try:
        return codecs.lookup(name).name
    except LookupError:
        return ""


def _as_text(parts: list[str]) -> str:
    """HTML parts (a note's, the title's) as the text they show."""
    return clean(html.unescape(_joined(parts).replace("<br>", " ")))


def _joined(parts: list[str]) -> str:
    """Text parts as one string, a \\uN surrogate pair (an emoji, a rare character) as the character it halves."""
    return "".join(parts).encode("utf-16-le", "surrogatepass").decode("utf-16-le", "replace")
