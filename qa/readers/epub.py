"""E-books (.epub: a report or book published for e-readers, what pandoc, Calibre, Sigil and LibreOffice write): a zip
of web pages in the order its package file's spine gives. Their bodies are read, one after another, as one web page
(html.py): headings, paragraphs, lists, tables, pictures' alt text. The contents page (the navigation document) is
left out; pages the spine marks as read apart (linear="no": notes, answers) come after the others, as a notes part
comes after a document's text. Where no page marks a heading (LibreOffice's books), paragraphs set in larger type are
headings (epub_headings.py). The title is the one the package stores. A book whose pages are encrypted (DRM) is
refused with that reason; fonts obfuscated by the publisher are no matter, they are not read."""

from __future__ import annotations

import posixpath
import zipfile
from urllib.parse import unquote

from ..errors import CorpusError
from ..text import clean
from . import html as web_page
from .blocks import Source, meaningful_title
from .epub_headings import class_types, mark_headings
from .ooxml import PART_MAX, part_bytes, part_keeping_spaces, read_package
from .text_lines import decode

_CONTAINER = "META-INF/container.xml"
_ENCRYPTION = "META-INF/encryption.xml"
_PAGE_TYPES = {"application/xhtml+xml", "text/html", "application/x-dtbook+xml"}


def read(data: bytes, source: str) -> Source:
    return read_package(data, source, "an EPUB e-book", lambda package: _read(package, source))


def _read(package: zipfile.ZipFile, source: str) -> Source:
    names = set(package.namelist())
    opf_name = _package_file(package, names)
    if opf_name is None:
        raise CorpusError(f"{source}: cannot be read as an EPUB e-book (it names no package file)")
    opf = part_keeping_spaces(package, opf_name)
    folder = posixpath.dirname(opf_name)
    manifest = {}  # id → (path in the zip, media type, properties)
    for item in _children(opf, "manifest", "item"):
        href = unquote((item.get("href") or "").split("#")[0])
        path = posixpath.normpath(posixpath.join(folder, href)) if href else ""
        manifest[item.get("id")] = (path, item.get("media-type") or "", (item.get("properties") or "").split())
    linear, apart = [], []
    for ref in _children(opf, "spine", "itemref"):
        path, media_type, properties = manifest.get(ref.get("idref"), ("", "", []))
        if path in names and media_type in _PAGE_TYPES and "nav" not in properties:
            (apart if ref.get("linear") == "no" else linear).append(path)
    pages = list(dict.fromkeys(linear + apart))  # a page the spine lists twice is read once
    encrypted = _encrypted(package, names) & set(pages)
    if encrypted:
        raise CorpusError(f"{source}: its text is encrypted (a DRM-protected e-book) and cannot be read")
    bodies, size = [], 0
    for path in pages:
        size += package.getinfo(path).file_size
        if size > PART_MAX:
            raise CorpusError(f"{source}: its pages inflate to over {PART_MAX // 2**20} MB")
        bodies.append(_body(part_bytes(package, path), f"{source}: {path}"))
    parsed = [body for body in bodies if not isinstance(body, str)]
    mark_headings(parsed, class_types(_stylesheets(package, names, manifest, parsed)))
    read_as_page = web_page.read_book("".join(_as_html(body) for body in bodies), source)
    if not read_as_page.blocks:
        raise CorpusError(f"{source}: an e-book with no text in its pages")
    stored = _stored_title(opf)
    title = stored if meaningful_title(stored) else read_as_page.title
    return Source(title=title, blocks=read_as_page.blocks, meta=read_as_page.meta)


def _body(page: bytes, source: str):
    """A page's <body> as an lxml element: parsed as the XHTML it should be, else (an HTML entity such as &nbsp; with no
    DTD to define it, a tag left open, no <body>) as HTML is by a browser. A page nested past lxml's 256 levels (which
    its HTML parser would cut off unsaid) is given as its text, for the web page reader, which reads any depth."""
    from lxml import etree, html

    try:
        root = etree.fromstring(page, etree.XMLParser(resolve_entities=False, no_network=True))
        body = next(root.iter("{*}body", "body"), None)
        return body if body is not None else ""
    except etree.XMLSyntaxError as e:
        too_deep = "depth" in str(e).lower()
    text = decode(page, source) if page.strip() else ""
    if text.lstrip().startswith("<?xml"):  # lxml takes no text that declares its encoding
        text = text[text.find(">") + 1 :]
    if too_deep:
        head_end = text.lower().rfind("</head")
        return text[text.find(">", head_end) + 1 :] if head_end >= 0 else text
    try:
        body = html.document_fromstring(text).body
    except etree.ParserError:  # no element in it at all (only a comment)
        return ""
    return body if body is not None else ""


def _as_html(body) -> str:
    from lxml import etree

    if isinstance(body, str):
        return f"<div>{body}</div>"
    body.tail = None
    return f"<div>{etree.tostring(body, encoding='unicode')}</div>"


def _stylesheets(package: zipfile.ZipFile, names: set[str], manifest: dict, bodies: list) -> list[str]:
    """The book's stylesheets' text: its CSS files (the manifest's) and its pages' <style> elements."""
    sheets = [part_bytes(package, path).decode("utf-8", "replace") for path, media_type, _ in manifest.values()
              if media_type == "text/css" and path in names]
    for body in bodies:
        head = body.getparent()
        sheets += ["".join(style.itertext()) for style in (head.iter("{*}style", "style") if head is not None else ())]
    return sheets


def _package_file(package: zipfile.ZipFile, names: set[str]) -> str | None:
    """The package file (.opf) container.xml names; the first one in the zip where it names none that is there."""
    if _CONTAINER in names:
        for rootfile in part_keeping_spaces(package, _CONTAINER).iter("{*}rootfile"):
            path = unquote(rootfile.get("full-path") or "").lstrip("/")
            if path in names:
                return path
    return next((name for name in package.namelist() if name.lower().endswith(".opf")), None)


def _encrypted(package: zipfile.ZipFile, names: set[str]) -> set[str]:
    """The zip's files encryption.xml lists as encrypted."""
    if _ENCRYPTION not in names:
        return set()
    return {unquote(ref.get("URI") or "").lstrip("/") for ref in part_keeping_spaces(package, _ENCRYPTION).iter("{*}CipherReference")}


def _stored_title(opf) -> str:
    found = next(iter(_children(opf, "metadata", "title")), None)
    return clean(found.text or "") if found is not None else ""


def _children(root, parent: str, child: str) -> list:
    """`child` elements of the root's `parent` element, in any namespace (EPUB 2's and 3's, Dublin Core's)."""
    holder = root.find(f"{{*}}{parent}")
    return [] if holder is None else list(holder.iterfind(f"{{*}}{child}"))
