"""What format a file's bytes are in, whatever its suffix says.

Files come named for another format than theirs: web systems export a 「.xls」 that is an HTML table and a 「.doc」 that
is a web page, an RTF file or a Word 2007 package; a file renamed by hand keeps its old bytes. Word, Excel and
LibreOffice open such files by what they hold, so the reader is picked the same way when the first bytes say for
certain what they are; otherwise by the suffix.
"""

from __future__ import annotations

import io
import re
import zipfile

from ..errors import CorpusError

_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ZIP = b"PK\x03\x04"
# Suffixes whose files are text of any content: a .txt or .md holding HTML is read as written, never as a page.
_TEXT_SUFFIXES = (".txt", ".md", ".markdown")
_HTML_START = re.compile(rb"<(?:!doctype\s+html|html|head|body|meta|table|title)\b", re.IGNORECASE)
_MIME_START = re.compile(rb"\s*(?:[\w-]+:[^\r\n]*\r?\n(?:[ \t][^\r\n]*\r?\n)*)*?MIME-Version:", re.IGNORECASE)
_OFFICE_XML = re.compile(rb'<\?mso-application\s+progid="(Word\.Document|Excel\.Sheet|PowerPoint\.Show)"', re.IGNORECASE)
_OFFICE_XML_NAMES = {b"excel.sheet": "Excel 2003 XML workbook", b"powerpoint.show": "PowerPoint XML presentation"}
WORD_2003_XML = "word-2003-xml"  # a format told by its bytes alone: Word saves it as .xml, systems export it as .doc
_OOXML_FOLDERS = {"word/": ".docx", "xl/": ".xlsx", "ppt/": ".pptx"}
_ODF_TEXT = b"application/vnd.oasis.opendocument.text"
_OLE_STREAMS = {"WordDocument": ".doc", "Workbook": ".xls", "Book": ".xls", "PowerPoint Document": ".ppt"}
_HEAD = 4096  # bytes looked at for a text format's opening


def format_of(data: bytes, suffix: str, source: str) -> str:
    """The suffix of the format `data` is in: `suffix` (lower case, with its dot) unless the bytes say otherwise for
    certain; WORD_2003_XML for a Word 2003 XML document. Raises CorpusError for a format that cannot be read whatever the suffix (an encrypted Office file)."""
    head = data[:_HEAD]
    if head.startswith(_OLE):
        return _compound_file(data, suffix, source)
    if head.startswith(_ZIP):
        return _package(data, suffix)
    if b"%PDF-" in data[:1024]:  # a PDF's header may follow up to 1 KB of other bytes
        return ".pdf"
    text = head.lstrip(b"\xef\xbb\xbf")
    if text.lstrip().startswith(b"{\\rtf"):
        return ".rtf"
    if suffix in _TEXT_SUFFIXES:
        return suffix
    if _MIME_START.match(text):
        return ".mht"
    office = _OFFICE_XML.search(text)
    if office and office.group(1).lower() == b"word.document":
        return WORD_2003_XML
    if office:
        raise CorpusError(f"{source}: is an {_OFFICE_XML_NAMES[office.group(1).lower()]}, not a {suffix} file, and is not "
                          "read; open it in Office or WPS and save it as .xlsx or .pptx")
    if _HTML_START.match(_past_prologue(text)):
        return ".html"
    return suffix


def _past_prologue(text: bytes) -> bytes:
    """`text` past the XML declaration and comments a page may open with."""
    text = text.lstrip()
    if text.startswith(b"<?xml"):
        text = text[text.find(b">") + 1 :].lstrip()
    while text.startswith(b"<!--"):
        end = text.find(b"-->")
        text = text[end + 3 :].lstrip() if end >= 0 else b""
    return text


def _compound_file(data: bytes, suffix: str, source: str) -> str:
    import olefile

    try:
        with olefile.OleFileIO(io.BytesIO(data)) as ole:
            streams = {"/".join(entry) for entry in ole.listdir()}
    except Exception:  # noqa: BLE001 - a damaged compound file: the suffix's reader says what is wrong with it
        return suffix
    if "EncryptedPackage" in streams:  # a Word, Excel or PowerPoint 2007 file saved with a password
        raise CorpusError(f"{source}: is password-protected; save it without a password")
    for stream, kind in _OLE_STREAMS.items():
        if stream in streams:
            return suffix if kind == ".doc" and suffix == ".wps" else kind
    return suffix


def _package(data: bytes, suffix: str) -> str:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as package:
            names = package.namelist()
            if "mimetype" in names and package.getinfo("mimetype").file_size < 256:
                return ".odt" if package.read("mimetype").strip() == _ODF_TEXT else suffix
    except Exception:  # noqa: BLE001 - a damaged package: the suffix's reader says what is wrong with it
        return suffix
    for folder, kind in _OOXML_FOLDERS.items():
        if any(name.startswith(folder) for name in names):
            return kind
    return suffix
