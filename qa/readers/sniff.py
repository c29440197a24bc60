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
# Word's and Excel's XML formats of 2003, by the processing instruction Office writes or, where a generator left it out,
# the namespace of their root.
_OFFICE_XML = re.compile(rb'<\?mso-application\s+progid="(Word\.Document|Excel\.Sheet|PowerPoint\.Show)"'
                         rb'|<(?:w:)?wordDocument\b[^>]*"http://schemas\.microsoft\.com/office/word/2003/wordml"'
                         rb'|<(?:ss:)?Workbook\b[^>]*"urn:schemas-microsoft-com:office:spreadsheet"', re.IGNORECASE)
# Formats told by their bytes alone (BY_CONTENT in __init__.py): Office saves them as .xml, systems export them as .doc, .xls.
WORD_2003_XML, EXCEL_2003_XML = "word-2003-xml", "excel-2003-xml"
_OOXML_FOLDERS = {"word/": ".docx", "xl/": ".xlsx", "ppt/": ".pptx"}
_MIMETYPES = {b"application/vnd.oasis.opendocument.text": ".odt", b"application/vnd.oasis.opendocument.spreadsheet": ".ods",
              b"application/vnd.oasis.opendocument.presentation": ".odp", b"application/epub+zip": ".epub"}
_OLE_STREAMS = {"WordDocument": ".doc", "Workbook": ".xls", "Book": ".xls", "PowerPoint Document": ".ppt"}
_HEAD = 4096  # bytes looked at for a text format's opening


def format_of(data: bytes, suffix: str, source: str) -> str:
    """The suffix of the format `data` is in: `suffix` (lower case, with its dot) unless the bytes say otherwise for
    certain; WORD_2003_XML or EXCEL_2003_XML for Office's XML formats of 2003. Raises CorpusError for a format that
    cannot be read whatever the suffix (an encrypted Office file)."""
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
    if office:
        kind = (office.group(1) or office.group(0)).lower()
        if b"powerpoint" in kind:
            raise CorpusError(f"{source}: is a PowerPoint XML presentation, not a {suffix} file, and is not read; save it as .pptx")
        return WORD_2003_XML if b"word" in kind else EXCEL_2003_XML
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
            return kind  # WPS's .wps, .et and .dps are these formats too: read by the same readers
    return suffix


def _package(data: bytes, suffix: str) -> str:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as package:
            names = package.namelist()
            if "mimetype" in names and package.getinfo("mimetype").file_size < 256:
                return _MIMETYPES.get(package.read("mimetype").strip(), suffix)
    except Exception:  # noqa: BLE001 - a damaged package: the suffix's reader says what is wrong with it
        return suffix
    if "OFD.xml" in names:  # GB/T 33190's entry file
        return ".ofd"
    for folder, kind in _OOXML_FOLDERS.items():
        if any(name.startswith(folder) for name in names):
            return kind
    return suffix
