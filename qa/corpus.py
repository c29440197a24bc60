"""The corpus folder -> Documents of citable Passages.

Each file is read by the reader for its suffix (`qa.readers`: Markdown, plain text, PDF, Word, OpenDocument, RTF, PowerPoint, Excel, web pages) and
its blocks become passages (`qa.structure`). A file whose bytes did not change since the last
build is not read again: its passages come from the index (`previous`). A file that cannot be read
is reported, never fatal to the others; if an earlier build indexed it, its earlier passages stay.
"""

from __future__ import annotations

import hashlib
import os
import re
from collections import Counter
from dataclasses import dataclass, field, replace
from pathlib import Path

from .errors import CorpusError
from .progress import show as progress_line
from .readers import BY_CONTENT, READERS, reads_scans
from .readers.blocks import plain_heading, strip_inline, undecorated
from .readers.sniff import format_of
from .readers.text_lines import caption
from .structure import ITEM_MAX, chunks, leads_in

CORPUS_SUFFIXES = tuple(READERS)
# Example questions the chat offers, one JSON list of strings in the corpus folder (not a document:
# .json has no reader). Without it, examples are made from the documents' headings.
EXAMPLES_FILE = "examples.json"
EXAMPLES_SHOWN = 4
EXAMPLE_TOPIC_SHORT = 8  # characters


@dataclass(frozen=True)
class Passage:
    """One citable passage: the unit that is indexed, retrieved and shown."""

    doc: str  # the document's name: its path in the corpus folder without the suffix
    cite: str  # "2.3(1)": unique within the document
    headings: tuple[str, ...]  # the section path: ("二、青海省小微金融行业市场主体分析", "2.3 非银行…")
    text: str  # list items and table rows on lines of their own
    page: int | None = None  # the 1-based PDF page it starts on; None where the format has no pages
    title: str = ""  # the document's title
    lead: bool = False  # its first line introduces the lines after it (a list's lead-in, a table's caption or heading)

    @property
    def chapter(self) -> str:
        return self.headings[0] if self.headings else ""

    @property
    def section(self) -> str:
        return self.headings[-1] if self.headings else ""

    @property
    def key(self) -> str:
        return f"{self.doc}#{self.cite}"

    def label(self, labels: dict[str, str] | None = None) -> str:
        """How answers call its document: `labels[doc]` (IndexData.labels), else its title, else its name."""
        return (labels or {}).get(self.doc) or self.title or self.doc


@dataclass(frozen=True)
class Document:
    name: str  # its path in the corpus folder without the suffix (年报, 2023/年报); hits name it
    file: str  # its path in the corpus folder (年报.pdf, 2023/年报.pdf)
    title: str
    passages: tuple[Passage, ...]
    meta: dict = field(default_factory=dict)  # date, source_url, author where the file says
    pages: int | None = None
    pages_without_text: tuple[int, ...] = ()  # PDF pages with no text layer: not indexed, reported
    pages_read_by_ocr: tuple[int, ...] = ()  # PDF pages with no text layer whose pictures OCR read: reported
    sha256: str = ""  # of the file's bytes
    size: int = 0
    mtime_ns: int = 0

    def record(self) -> dict:
        """What the index keeps of a document besides its passages (manifest.json)."""
        return {
            "name": self.name, "file": self.file, "title": self.title, "meta": self.meta, "pages": self.pages,
            "pages_without_text": list(self.pages_without_text), "pages_read_by_ocr": list(self.pages_read_by_ocr), "sha256": self.sha256, "size": self.size,
            "mtime_ns": self.mtime_ns, "passages": len(self.passages),
        }

    @classmethod
    def from_record(cls, record: dict, passages: list[Passage]) -> "Document":
        return cls(
            name=record["name"], file=record["file"], title=record["title"], passages=tuple(passages),
            meta=dict(record.get("meta") or {}), pages=record.get("pages"),
            pages_without_text=tuple(record.get("pages_without_text") or ()),
            pages_read_by_ocr=tuple(record.get("pages_read_by_ocr") or ()), sha256=record.get("sha256", ""),
            size=record.get("size", 0), mtime_ns=record.get("mtime_ns", 0),
        )


@dataclass(frozen=True)
class Skipped:
    """A file the build could not read."""

    file: str
    reason: str
    kept: bool  # its passages from the previous build are still served
    sha256: str = ""  # of the bytes that could not be parsed ("" when they could not even be read)


@dataclass(frozen=True)
class Corpus:
    documents: list[Document]
    skipped: list[Skipped]
    parsed: int  # files read and parsed this time (the others were unchanged)
    examples: list[str] = field(default_factory=list)  # example questions for the chat
    not_read: list[tuple[str, str]] = field(default_factory=list)  # (file, what to do): types no reader takes


def parse(data: bytes, path: Path, max_chars: int, file: str | None = None) -> Document:
    """One file's bytes -> its Document (CorpusError when it cannot be read). file: its path in the
    corpus folder (2023/年报.pdf), which names the document; the file name by default."""
    suffix = path.suffix.lower()
    if suffix not in READERS:
        raise CorpusError(f"{path}: files of type {path.suffix or '(none)'} cannot be read; use {', '.join(CORPUS_SUFFIXES)}")
    read_as = format_of(data, suffix, str(path))  # what the bytes are: a 「.xls」 a web system wrote may be a web page
    reader = READERS.get(read_as) or BY_CONTENT.get(read_as)
    if reader is None:
        raise CorpusError(f"{path}: {_NOT_READ.get(read_as, f'is a {read_as} file, not a {suffix} one, and cannot be read')}")
    file = file or path.name
    name = document_name(file)
    source = reader(data, str(path))
    found = chunks(source, max_chars)
    title = undecorated(source.title) or path.stem
    passages = tuple(Passage(name, c.cite, c.headings, c.text, c.page, title, c.lead) for c in found)
    if not passages:
        if source.pages and source.pages_without_text:
            why = "no text layer, and OCR found none in its pictures" if reads_scans() else (
                "no text layer (a scanned document: OCR reads one when installed, as `make install` does, and QA_OCR is not 0)")
        elif source.blocks:  # a title or headings alone, or lines too short to be a passage
            why = "no passage found: its text is only a title or headings, or too short (a passage needs two Chinese characters or a Latin word)"
        else:
            why = "no text found"
        raise CorpusError(f"{path}: {why}")
    return Document(
        name=name, file=file, title=title, passages=passages, meta=source.meta, pages=source.pages,
        pages_without_text=source.pages_without_text, pages_read_by_ocr=source.pages_read_by_ocr, sha256=hashlib.sha256(data).hexdigest(), size=len(data),
    )


def read_document(path: Path, max_chars: int | None = None) -> Document:
    from .settings import Settings

    path = Path(path)
    try:
        data = path.read_bytes()
    except OSError as e:
        raise CorpusError(f"{path}: cannot be read ({e.strerror})") from e
    return parse(data, path, max_chars or Settings().max_passage_chars)


def document_name(file: str) -> str:
    """A document's name: its path in the corpus folder without the suffix (2023/年报.pdf -> 2023/年报)."""
    return Path(file).with_suffix("").as_posix()


def relative_file(path: Path, corpus_dir: Path) -> str:
    """A file's path in the corpus folder, with / between folders: how the index records it."""
    return path.relative_to(corpus_dir).as_posix()


def files_under(folder: Path, unlisted: list[OSError] | None = None) -> list[Path]:
    """Every file in the folder and its subfolders, in path order, but hidden ones (.git/, .DS_Store)
    and office lock files (~$报告.docx: Word keeps one beside a document it has open). unlisted: gets
    the error of each folder that could not be listed (os.walk passes over it otherwise)."""
    found = []
    # Symlinked folders are not entered: no loops.
    for root, dirs, names in os.walk(folder, onerror=unlisted.append if unlisted is not None else None):
        dirs[:] = [d for d in dirs if not d.startswith(".")]
        found += [Path(root, n) for n in names if not n.startswith((".", "~$"))]
    return sorted((p for p in found if p.is_file()), key=lambda p: relative_file(p, folder))


# Document types people keep beside their reports that are not read, with what to do instead.
_NOT_READ = {
    ".caj": "CNKI's .caj is not read; download the article as PDF",
    ".kdh": "CNKI's .kdh is not read; download the article as PDF",
    ".nh": "CNKI's .nh is not read; download the thesis as PDF",
    ".pages": "Apple Pages files are not read; export as .docx or PDF",
    ".numbers": "Apple Numbers files are not read; export as .xlsx",
}


@dataclass(frozen=True)
class Listing:
    """What the corpus folder holds, walked once: the files a reader takes, in path order; document
    files no reader takes, (file, what to do) for a note; the subfolders that could not be listed."""

    files: list[Path]
    not_read: list[tuple[str, str]]
    unlisted: list[OSError]


def list_corpus(corpus_dir: Path) -> Listing:
    """The corpus folder's Listing, or CorpusError when it is missing, unreadable or holds no report."""
    corpus_dir = Path(corpus_dir)
    if not corpus_dir.is_dir():
        raise CorpusError(f"corpus folder {corpus_dir} does not exist; create it and put the reports there ({', '.join(CORPUS_SUFFIXES)})")
    unlisted: list[OSError] = []
    found = files_under(corpus_dir, unlisted)
    top = next((e for e in unlisted if Path(e.filename) == corpus_dir), None)
    if top is not None:
        raise CorpusError(f"corpus folder {corpus_dir} cannot be read ({top.strerror})")
    files = [p for p in found if p.suffix.lower() in CORPUS_SUFFIXES]
    if not files:
        raise CorpusError(f"corpus folder {corpus_dir} has no reports ({', '.join(CORPUS_SUFFIXES)} files)")
    not_read = [(relative_file(p, corpus_dir), _NOT_READ[p.suffix.lower()]) for p in found if p.suffix.lower() in _NOT_READ]
    return Listing(files, not_read, unlisted)


def read_corpus(
    corpus_dir: Path, max_chars: int, previous: dict[str, Document] | None = None, unreadable: list[Skipped] = (),
    progress: bool = False,
) -> Corpus:
    """Every readable file of the folder and its subfolders, one Document each, in path order, and
    what was skipped.

    previous: the documents of the last build by file (path in the folder); a file with the same
    bytes is not parsed again, and an unreadable one keeps its earlier passages. unreadable: the
    files the last build skipped; with the same bytes they are skipped again for the same reason,
    unparsed. progress: a line on stderr counting the files read while any is parsed (a first build
    of a few hundred PDFs parses for minutes). Raises CorpusError only when nothing at all can be served."""
    previous = previous or {}
    failed = {s.file: s for s in unreadable if s.sha256}
    listing = list_corpus(corpus_dir)
    files = listing.files
    documents: list[Document] = []
    skipped: list[Skipped] = []
    parsed = 0
    for error in listing.unlisted:  # a subfolder it may not list: its documents of the last build stay
        folder = relative_file(Path(error.filename), Path(corpus_dir)) + "/"
        kept = [d for file, d in previous.items() if file.startswith(folder)]
        documents += kept
        skipped.append(Skipped(folder, f"{error.filename}: the folder cannot be read ({error.strerror})", kept=bool(kept)))
    relative = {path: relative_file(path, Path(corpus_dir)) for path in files}
    names = Counter(document_name(f) for f in relative.values())
    for at, (path, file) in enumerate(relative.items(), 1):
        old = previous.get(file)
        digest = ""
        try:
            if names[document_name(file)] > 1:
                others = sorted(f for f in relative.values() if document_name(f) == document_name(file))
                raise CorpusError(f"{path}: {' and '.join(others)} have the same name; keep one (a document is named by its path without the suffix)")
            stat = path.stat()
            if old is not None and (old.size, old.mtime_ns) == (stat.st_size, stat.st_mtime_ns):
                documents.append(old)
                continue
            try:
                data = path.read_bytes()
            except OSError as e:
                raise CorpusError(f"{path}: cannot be read ({e.strerror})") from e
            digest = hashlib.sha256(data).hexdigest()
            if old is not None and old.sha256 == digest:
                documents.append(_restamped(old, stat))
                continue
            if file in failed and failed[file].sha256 == digest:
                raise CorpusError(failed[file].reason)  # the same bytes failed last time
            parsed += 1
            if progress:
                progress_line(f"reading files: {at}/{len(files)}")
            documents.append(_restamped(parse(data, path, max_chars, file), stat))
        except CorpusError as e:
            skipped.append(Skipped(file, str(e), kept=old is not None, sha256=digest))
            if old is not None:
                documents.append(old)
    if progress and parsed:
        progress_line(f"reading files: {len(files)}/{len(files)} ({parsed} parsed)", last=True)
    if not documents:
        raise CorpusError("no document could be read:\n" + "\n".join(f"  {s.reason}" for s in skipped))
    documents.sort(key=lambda d: d.file)
    return Corpus(documents, skipped, parsed, example_questions(Path(corpus_dir), documents), listing.not_read)


def duplicate_files(documents: list[Document]) -> list[tuple[str, str]]:
    """(file, the earlier file with the same bytes): a report saved twice (年报.pdf and 年报(1).pdf)
    answers every question twice, each copy taking a hit's place."""
    first: dict[str, str] = {}
    found = []
    for d in documents:
        if d.sha256 in first:
            found.append((d.file, first[d.sha256]))
        else:
            first[d.sha256] = d.file
    return found


def example_questions(corpus_dir: Path, documents: list[Document]) -> list[str]:
    """The corpus's examples.json if it has one, else one question per document from its first headings."""
    import json

    path = corpus_dir / EXAMPLES_FILE
    if path.is_file():
        try:
            listed = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as e:
            raise CorpusError(f"{path}: expected a JSON list of questions ({e})") from e
        if not isinstance(listed, list) or not all(isinstance(q, str) and q.strip() for q in listed):
            raise CorpusError(f'{path}: expected a JSON list of questions, like ["…？", "…？"]')
        return [q.strip() for q in listed]
    out: list[str] = []
    for depth in (1, 0):  # sections first, then chapters
        for doc in documents:
            topics = [_topic(p.headings[depth]) for p in doc.passages if len(p.headings) > depth]
            fresh = [t for t in dict.fromkeys(topics) if t and f"关于{t}，文档是怎么说的？" not in out]
            # A short heading names a subject (数据隐私, 联邦生态); a long one is often a statement
            # (数据安全已上升至国家层面), which reads badly after 关于.
            topic = next((t for t in fresh if len(t) <= EXAMPLE_TOPIC_SHORT), fresh[0] if fresh else "")
            if topic:
                out.append(f"关于{topic}，文档是怎么说的？")
            if len(out) >= EXAMPLES_SHOWN:
                return out
    return out


# The chapters every regulation has (第一章 总则 … 附则): they name no subject to ask about.
_RULES_PARTS = frozenset({"总则", "分则", "附则"})


def _topic(heading: str) -> str:
    import re

    from .readers.blocks import named_part, numbering

    found = numbering(heading)
    topic = (found[2] if found else heading).strip(" ：:。")
    # A broker's 「煤炭：超产核查修复煤价，盈利筑底」 names its subject before the colon, its view after it.
    subject = re.split(r"[：:]", topic, maxsplit=1)[0].strip()
    if subject != topic and 2 <= len(subject) <= 12:
        topic = subject
    if named_part(topic) or topic in _RULES_PARTS:  # 前言, 版权声明, 总则: a part, not what it is about
        return ""
    return topic if 2 <= len(topic) <= 24 and not re.search(r"[，。；！？]", topic) else ""


def _restamped(doc: Document, stat) -> Document:
    return replace(doc, size=stat.st_size, mtime_ns=stat.st_mtime_ns)


def load_corpus(corpus_dir: Path, max_chars: int | None = None) -> list[Document]:
    """Every file of the folder parsed; CorpusError on the first file that cannot be read (for scripts
    and tests that want all or nothing; a build uses read_corpus)."""
    from .settings import Settings

    max_chars = max_chars or Settings().max_passage_chars
    corpus = read_corpus(corpus_dir, max_chars)
    if corpus.skipped:
        raise CorpusError(corpus.skipped[0].reason)
    return corpus.documents


def to_markdown(doc: Document) -> str:
    """The editable Markdown form of a document: its title, headings by depth, one block per passage
    (a paragraph keeps its number, `(2) …`, where that cannot make it a list item; a list or table is
    its number on a line, then a bullet a line), so that reading it back gives the same cites and texts."""
    out = [f"# {doc.title}", ""]
    path: tuple[str, ...] = ()
    for p in doc.passages:
        if p.headings != path:
            common = 0
            while common < min(len(path), len(p.headings)) and path[common] == p.headings[common]:
                common += 1
            if common == len(p.headings) and common:
                common -= 1  # back in a section from one inside it (past a PDF's box): its heading again
            for depth in range(common, len(p.headings)):
                out += [f"{'#' * min(depth + 2, 6)} {p.headings[depth]}", ""]
            path = p.headings
        lines = p.text.split("\n")
        if _ARTICLE_CITE.search(p.cite):  # a paragraph a line, its number opening the first; a later part runs on
            for line in lines:
                out += [_escaped(_as_text(line)), ""]
            continue
        number = p.cite[p.cite.rindex("(") :]
        if len(lines) > 1:  # a list or table: its number, then a line each, read back as one passage
            # 「输入：」 on a line of its own before two items or more (a lone item reads back as a paragraph).
            lead_in = len(lines) > 2 and _lead_in(lines[0])
            if p.lead and not lead_in and _table_lead(lines[0], p.headings):
                # Led by its heading, a caption, or a lead-in over one line: a table of one column, which reads back led.
                lead = lines.pop(0)
                out += [number, ""] + ([] if p.headings and lead == p.headings[-1] else [_as_text(lead), ""])
                out += ["| |", "|---|", *(f"| {_as_text(line)} |" for line in lines), ""]
            elif p.lead and not lead_in and "<" not in lines[0]:  # a label over its lines (a PDF's bold label, a
                # short one over a table's rows): a <details> block's <summary> leads what it opens, and reads back
                # so (a line of its own would be a heading); open, so that it shows.
                summary = f"<details open><summary>{_as_text(lines.pop(0))}</summary>"
                out += [number, "", summary, "", *(f"- {_as_text(line)}" for line in lines), "", "</details>", ""]
            else:  # bullets
                lead = [_as_text(lines.pop(0))] if lead_in else []
                out += [number, "", *lead, *(f"- {_as_text(line)}" for line in lines), ""]
        else:
            out += [_paragraph(number, p.text), ""]
    return "\n".join(out)


_ARTICLE_CITE = re.compile(r"第[^›\s]*条(?:之\S+?)?(?:-\d+)?$")  # 第三条, 乙细则 › 第一条, 第三条-2
# A line start Markdown reads as something else than text: a heading, quote, table, HTML, list item, rule.
_BLOCK_START = re.compile(r"^(?:(\d{1,9})(?=[.)](?:\s|$))|[#>|<*+\-=`~\[_])")


def _paragraph(number: str, text: str) -> str:
    """A short numbered paragraph reads as a list item (`(2) 图 9 …` then `(3) …` would be one list), so
    a short paragraph is written bare, its first character escaped where Markdown would take it for markup."""
    text = _as_text(text)
    if len(text) > ITEM_MAX or plain_heading(text, enumerations=False):  # numbered, no heading line either
        return f"{number} {text}"
    return _escaped(text)


def _escaped(text: str) -> str:
    """A line's first character escaped where Markdown would take it for markup."""
    m = _BLOCK_START.match(text)
    if not m:
        return text
    end = m.end()
    return f"{text[:end]}\\{text[end:]}" if m.group(1) else f"\\{text}"


def _table_lead(line: str, headings: tuple[str, ...]) -> bool:
    """A led passage's first line that reads back as its table's lead: the section's heading (a table without a
    caption is led by it), a caption or a lead-in, written as a line of text before the table."""
    if headings and line == headings[-1]:
        return True
    return (_lead_in(line) or caption(line, cut_short=False)) and not plain_heading(line) and strip_inline(line) == line


def _lead_in(line: str) -> bool:
    """A list's first line that reads back as its lead-in when written as a line of text before it
    (qa.structure joins a paragraph ending with a colon to the list after it)."""
    return leads_in(line) and not plain_heading(line) and not _BLOCK_START.match(line) and strip_inline(line) == line


_MARKUP = re.compile(r"[\\`*_\[\]>!~|]")


def _as_text(text: str) -> str:
    """Text that Markdown would read otherwise (`a` in backticks, **, [x](y), <tag>, &amp;, two |s
    making a table row) with its markup characters escaped, so that it reads back as itself."""
    if "|" not in text and strip_inline(text) == text:
        return text
    return _MARKUP.sub(r"\\\g<0>", text.replace("&", "&amp;")).replace("<", "&lt;")
