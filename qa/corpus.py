"""Report text -> Document -> Chapter -> Section -> Paragraph, and the flat, citable Passage list.

Two input forms:
- PDF-extracted text (`.txt`): page headers and numbers, hard-wrapped lines, `(1)` markers
  alone on a line. `parse_extracted` removes the debris.
- Clean Markdown (`.md`, what `qa import` writes and people edit): `#` title, `##` chapter,
  `###` section, one paragraph per block, each starting with its `(n)` marker.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from .errors import CorpusError
from .text import clean

CORPUS_SUFFIXES = (".md", ".txt")

_CN_DIGITS = {"零": 0, "一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
_PAGE_NUMBER = re.compile(r"^[-–—]?\s*(第\s*)?\d{1,4}\s*(页)?\s*[-–—]?$|^\d{1,4}\s*/\s*\d{1,4}$")
_CHAPTER = re.compile(r"^([一二三四五六七八九十]{1,3})\s*[、.．]\s*(\S.*)$")
_SECTION = re.compile(r"^(\d{1,2})\s*[.．]\s*(\d{1,2})(?![.\d%])\s*(\S.*)$")
_MARKER = re.compile(r"^[(（]\s*(\d{1,3})\s*[)）]\s*(.*)$")
_SENTENCE_PUNCT = re.compile(r"[。，；！？,;!?]")
_HEADING_MAX = 60
_HEADER_MAX = 20


@dataclass(frozen=True)
class Paragraph:
    number: int
    text: str


@dataclass(frozen=True)
class Section:
    id: str  # "2.3"
    title: str  # "非银行金融机构在小微金融领域的作用"
    paragraphs: tuple[Paragraph, ...]

    @property
    def heading(self) -> str:
        return f"{self.id} {self.title}"


@dataclass(frozen=True)
class Chapter:
    number: int
    heading: str  # "二、青海省小微金融行业市场主体分析"
    sections: tuple[Section, ...]


@dataclass(frozen=True)
class Document:
    name: str  # the file name without suffix; hits name it
    title: str
    chapters: tuple[Chapter, ...]

    def passages(self) -> list["Passage"]:
        return [
            Passage(doc=self.name, cite=f"{s.id}({p.number})", chapter=c.heading, section=s.heading, text=p.text)
            for c in self.chapters
            for s in c.sections
            for p in s.paragraphs
        ]


@dataclass(frozen=True)
class Passage:
    """One citable paragraph: the unit that is indexed, retrieved and shown."""

    doc: str
    cite: str  # "2.3(1)"
    chapter: str
    section: str  # "2.3 非银行金融机构在小微金融领域的作用"
    text: str

    @property
    def key(self) -> str:
        return f"{self.doc}#{self.cite}"


# --------------------------------------------------------------------------- building blocks


def _cn_number(s: str) -> int:
    """一..九十九 as an int."""
    if s.startswith("十"):
        s = "一" + s
    if "十" in s:
        tens, _, ones = s.partition("十")
        return _CN_DIGITS[tens] * 10 + (_CN_DIGITS[ones] if ones else 0)
    return _CN_DIGITS[s]


def join_lines(parts: list[str]) -> str:
    """Join hard-wrapped lines: no space in Chinese text, one space between two Latin words."""
    out = ""
    for part in parts:
        part = clean(part)
        if not part:
            continue
        if out and out[-1].isascii() and out[-1].isalnum() and part[0].isascii() and part[0].isalnum():
            out += " "
        out += part
    return out


class _Builder:
    """Collects headings and paragraph lines in reading order, checking numbering as it goes."""

    def __init__(self, source: str):
        self.source = source
        self.title_parts: list[str] = []
        self.chapters: list[tuple[int, str, list]] = []  # (number, heading, sections)
        self._para_lines: list[str] | None = None
        self._para_number = 0

    def _sections(self) -> list:
        if not self.chapters:
            raise CorpusError(f"{self.source}: text before the first chapter heading (like `一、…`)")
        return self.chapters[-1][2]

    def chapter(self, number: int, heading: str) -> None:
        self.flush()
        self.chapters.append((number, heading, []))

    def section(self, sid: str, title: str) -> None:
        self.flush()
        self._sections().append((sid, title, []))

    def paragraph(self, number: int | None, line: str, lineno: int) -> None:
        self.flush()
        sections = self._sections()
        if not sections:  # text right under a chapter heading: give it a section of its own
            chapter_no, heading, _ = self.chapters[-1]
            sections.append((f"{chapter_no}.0", re.sub(r"^\S+?、", "", heading), []))
        paragraphs = sections[-1][2]
        if number is None:
            number = max((n for n, _ in paragraphs), default=0) + 1
        if any(n == number for n, _ in paragraphs):
            raise CorpusError(
                f"{self.source}, line {lineno}: paragraph ({number}) appears twice in section {sections[-1][0]}"
            )
        self._para_number = number
        self._para_lines = [line] if line else []
        paragraphs.append((number, self._para_lines))

    def text(self, line: str, lineno: int) -> None:
        if self._para_lines is None:
            self.paragraph(None, line, lineno)
        else:
            self._para_lines.append(line)

    def flush(self) -> None:
        self._para_lines = None

    def document(self, name: str) -> Document:
        self.flush()
        chapters = []
        for number, heading, sections in self.chapters:
            built = []
            for sid, title, paragraphs in sections:
                paras = tuple(Paragraph(n, join_lines(lines)) for n, lines in paragraphs)
                empty = [p.number for p in paras if not p.text]
                if empty:
                    raise CorpusError(f"{self.source}: paragraph {sid}({empty[0]}) has no text")
                built.append(Section(sid, title, paras))
            chapters.append(Chapter(number, heading, tuple(built)))
        doc = Document(name=name, title=join_lines(self.title_parts) or name, chapters=tuple(chapters))
        if not doc.passages():
            raise CorpusError(f"{self.source}: no paragraphs found (expected chapter `一、…`, section `1.1 …` headings and text)")
        return doc


def _is_heading_text(text: str) -> bool:
    return len(text) <= _HEADING_MAX and not _SENTENCE_PUNCT.search(text)


# --------------------------------------------------------------------------- PDF-extracted text


def _running_headers(lines: list[str]) -> set[str]:
    """Short lines that repeat next to page numbers: page headers and footers."""
    nonblank = [ln for ln in lines if ln]
    near_page = Counter()
    for i, ln in enumerate(nonblank):
        if _PAGE_NUMBER.match(ln):
            for j in range(max(0, i - 2), min(len(nonblank), i + 3)):
                near_page[nonblank[j]] += 1
    return {
        ln
        for ln, n in near_page.items()
        if n >= 2 and len(ln) <= _HEADER_MAX and not _PAGE_NUMBER.match(ln) and not _MARKER.match(ln)
        and not _SENTENCE_PUNCT.search(ln)
    }


def parse_extracted(text: str, name: str, source: str = "") -> Document:
    """Parse text extracted from the report's PDF, dropping page debris."""
    source = source or name
    lines = [clean(ln) for ln in text.splitlines()]
    headers = _running_headers(lines)
    b = _Builder(source)
    for lineno, line in enumerate(lines, 1):
        if not line or line in headers or _PAGE_NUMBER.match(line):
            continue
        chapter = _CHAPTER.match(line)
        if chapter and _is_heading_text(line):
            b.chapter(_cn_number(chapter.group(1)), f"{chapter.group(1)}、{chapter.group(2).strip()}")
            continue
        if not b.chapters:
            b.title_parts.append(line)
            continue
        section = _SECTION.match(line)
        if section and int(section.group(1)) == b.chapters[-1][0] and _is_heading_text(section.group(3)):
            b.section(f"{int(section.group(1))}.{int(section.group(2))}", section.group(3).strip())
            continue
        marker = _MARKER.match(line)
        if marker:
            b.paragraph(int(marker.group(1)), marker.group(2), lineno)
            continue
        b.text(line, lineno)
    return b.document(name)


# --------------------------------------------------------------------------- Markdown


def parse_markdown(text: str, name: str, source: str = "") -> Document:
    """Parse the clean Markdown form. Blank lines separate paragraphs; `(n)` numbers them."""
    source = source or name
    b = _Builder(source)
    in_block = False
    for lineno, raw in enumerate(text.splitlines(), 1):
        line = clean(raw)
        if not line:
            b.flush()
            in_block = False
            continue
        heading = re.match(r"^(#{1,6})\s+(.*)$", line)
        if heading:
            level, body = len(heading.group(1)), heading.group(2).strip()
            if level == 1:
                b.title_parts.append(body)
            elif level == 2:
                m = _CHAPTER.match(body)
                number = _cn_number(m.group(1)) if m else len(b.chapters) + 1
                b.chapter(number, f"{m.group(1)}、{m.group(2).strip()}" if m else body)
            else:
                m = _SECTION.match(body)
                sections = b._sections()
                if m:
                    b.section(f"{int(m.group(1))}.{int(m.group(2))}", m.group(3).strip())
                else:
                    b.section(f"{b.chapters[-1][0]}.{len(sections) + 1}", body)
            in_block = False
            continue
        marker = _MARKER.match(line)
        if not in_block:
            if marker:
                b.paragraph(int(marker.group(1)), marker.group(2), lineno)
            else:
                b.paragraph(None, line, lineno)
            in_block = True
        else:
            b.text(line, lineno)
    return b.document(name)


def to_markdown(doc: Document) -> str:
    """The editable form of a document; parse_markdown(to_markdown(d)) == d."""
    out = [f"# {doc.title}", ""]
    for chapter in doc.chapters:
        out += [f"## {chapter.heading}", ""]
        for section in chapter.sections:
            out += [f"### {section.heading}", ""]
            for p in section.paragraphs:
                out += [f"({p.number}) {p.text}", ""]
    return "\n".join(out)


# --------------------------------------------------------------------------- files


def decode(data: bytes, source: str) -> str:
    """UTF-8 (with or without BOM), else GB18030 (common for Chinese text); anything else is an error."""
    if b"\x00" in data:
        raise CorpusError(f"{source}: looks like a binary file (NUL bytes), not text")
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        if not text.strip():
            raise CorpusError(f"{source}: the file is empty")
        return text
    raise CorpusError(f"{source}: cannot be decoded as UTF-8 or GB18030; save it as UTF-8")


def read_document(path: Path) -> Document:
    try:
        data = path.read_bytes()
    except OSError as e:
        raise CorpusError(f"{path}: cannot be read ({e.strerror})") from e
    text = decode(data, str(path))
    parse = parse_markdown if path.suffix.lower() == ".md" else parse_extracted
    return parse(text, name=path.stem, source=str(path))


def corpus_files(corpus_dir: Path) -> list[Path]:
    corpus_dir = Path(corpus_dir)
    if not corpus_dir.is_dir():
        raise CorpusError(f"corpus folder {corpus_dir} does not exist; create it and put the report's .md or .txt files there")
    files = sorted(p for p in corpus_dir.iterdir() if p.is_file() and p.suffix.lower() in CORPUS_SUFFIXES and not p.name.startswith("."))
    if not files:
        raise CorpusError(f"corpus folder {corpus_dir} has no .md or .txt files")
    stems = Counter(p.stem for p in files)
    twice = [s for s, n in stems.items() if n > 1]
    if twice:
        raise CorpusError(f"corpus folder {corpus_dir}: two files are named {twice[0]} (.md and .txt); keep one")
    return files


def load_corpus(corpus_dir: Path) -> list[Document]:
    """Every .md and .txt file of the folder, one Document each, in file-name order."""
    return [read_document(p) for p in corpus_files(corpus_dir)]
