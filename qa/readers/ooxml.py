"""Office Open XML packages (.pptx, .xlsx) read with zipfile and lxml (python-docx's): their parts, each bounded in
size, the relationships between them, and the title stored with them. An OpenDocument file (.odt) is a zip package
too, read and bounded the same way; Office's one-file XML formats of 2003 are parsed here as well (flat_xml)."""

from __future__ import annotations

import io
import posixpath
import zipfile
from collections.abc import Callable

from ..errors import CorpusError
from ..text import clean
from .blocks import Source

PART_MAX = 64 * 2**20  # bytes of one part, inflated: past it the file is refused (a zip bomb)
_DC = "{http://purl.org/dc/elements/1.1/}"


def read_package(data: bytes, source: str, kind: str, read: Callable[[zipfile.ZipFile], Source]) -> Source:
    """`read` over the package; anything wrong with it reported as the file being unreadable as `kind`."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as package:
            return read(package)
    except CorpusError:
        raise
    except Exception as e:  # noqa: BLE001 - zipfile, lxml and a damaged part's content fail in many ways
        raise CorpusError(f"{source}: cannot be read as {kind} ({type(e).__name__}: {e})") from None


def flat_xml(data: bytes, source: str, kind: str, root_tag: str):
    """A one-file XML document of Office 2003 (Word's, Excel's) parsed, its root checked to be `root_tag`: entities are
    not resolved, nesting past lxml's 256 levels is refused."""
    from lxml import etree

    try:
        root = etree.fromstring(data, etree.XMLParser(resolve_entities=False, no_network=True))
    except etree.XMLSyntaxError as e:
        raise CorpusError(f"{source}: cannot be read as {kind} ({e})") from None
    if root.tag != root_tag:
        raise CorpusError(f"{source}: is XML but not {kind} (its root is <{etree.QName(root).localname}>)")
    return root


def part(package: zipfile.ZipFile, name: str):
    from docx.oxml import parse_xml

    return parse_xml(part_bytes(package, name))


def part_keeping_spaces(package: zipfile.ZipFile, name: str):
    """A part parsed by lxml keeping its spaces (a space between two spans is text in ODF; python-docx's parser, `part`,
    drops it), entities not resolved: OpenDocument's, an e-book's package files, an OFD's."""
    from lxml import etree

    return etree.fromstring(part_bytes(package, name), etree.XMLParser(resolve_entities=False, no_network=True))


def part_bytes(package: zipfile.ZipFile, name: str) -> bytes:
    if package.getinfo(name).file_size > PART_MAX:
        raise ValueError(f"{name} inflates to over {PART_MAX // 2**20} MB")
    return package.read(name)


def targets(package: zipfile.ZipFile, name: str) -> dict[str, str]:
    """A part's relationships: id → the path of the part it points to (relative to the part's folder, or from the
    package's root; external ones left out)."""
    folder, base = posixpath.split(name)
    rels = f"{folder}/_rels/{base}.rels"
    if rels not in package.namelist():
        return {}
    out = {}
    for rel in part(package, rels):
        target = rel.get("Target") or ""
        if rel.get("TargetMode") != "External" and target:
            out[rel.get("Id")] = target.lstrip("/") if target.startswith("/") else posixpath.normpath(posixpath.join(folder, target))
    return out


def stored_title(package: zipfile.ZipFile) -> str:
    """The title stored with the file (File → Properties), "" when it has none."""
    if "docProps/core.xml" not in package.namelist():
        return ""
    found = part(package, "docProps/core.xml").find(_DC + "title")
    return clean(found.text or "") if found is not None else ""
