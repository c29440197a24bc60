"""Office 97-2003 compound files (.doc, .xls, .ppt and WPS's .wps, .et, .dps) opened with olefile (BSD): one way to
open one and report what is wrong with it, and the title stored in its properties."""

from __future__ import annotations

import io
import struct
from collections.abc import Callable
from typing import TypeVar

from ..errors import CorpusError
from ..text import clean

T = TypeVar("T")


class Unreadable(Exception):
    """Why a compound file's content cannot be had; its message follows the file's name."""


def read_compound(data: bytes, source: str, kind: str, read: Callable[[object], T]) -> T:
    """`read` over the compound file; anything wrong reported as the file being unreadable as `kind` (Unreadable: with
    its own reason). The bytes are a stream: olefile takes bytes shorter than a compound file for a file name."""
    import olefile

    try:
        ole = olefile.OleFileIO(io.BytesIO(data))
    except Exception as e:  # noqa: BLE001 - olefile raises OSError and others for a file that is not OLE
        raise CorpusError(f"{source}: cannot be read as {kind} ({type(e).__name__}: {e})") from None
    try:
        return read(ole)
    except Unreadable as e:
        raise CorpusError(f"{source}: {e}") from None
    except CorpusError:
        raise
    except Exception as e:  # noqa: BLE001 - a damaged file fails in olefile or struct in many ways
        raise CorpusError(f"{source}: cannot be read as {kind} ({type(e).__name__}: {e})") from None
    finally:
        ole.close()


def stored_title(ole) -> str:
    """The title in the file's properties (File → Properties; its SummaryInformation property set, [MS-OLEPS]), ""
    when it has none. Read here, not by olefile's get_metadata, which a damaged property count keeps busy for hours."""
    if not ole.exists("\x05SummaryInformation"):
        return ""
    data = ole.openstream("\x05SummaryInformation").read()
    try:
        (section,) = struct.unpack_from("<I", data, 44)  # past the header (28 bytes) and the first FMTID (16)
        (count,) = struct.unpack_from("<I", data, section + 4)
        places = dict(struct.unpack_from("<II", data, section + 8 + 8 * i) for i in range(min(count, 64)))
        code_page = struct.unpack_from("<H", data, section + places[1] + 4)[0] if 1 in places else 0
        if 2 not in places:
            return ""
        kind, length = struct.unpack_from("<II", data, section + places[2])
        value = data[section + places[2] + 8 : section + places[2] + 8 + (2 * length if kind == 0x1F else length)]
    except struct.error:
        return ""
    if kind == 0x1F:  # VT_LPWSTR
        return clean(value.decode("utf-16-le", "replace").split("\0")[0])
    if kind != 0x1E:  # not VT_LPSTR: no title
        return ""
    value = value.split(b"\0")[0]
    for codec in ([f"cp{code_page}"] if code_page and code_page != 1200 else []) + ["utf-8", "gb18030"]:
        try:
            return clean(value.decode(codec))
        except (UnicodeDecodeError, LookupError):
            continue
    return ""
