"""Web archives (.mht, .mhtml): a web page and its pictures saved as one MIME message (a browser's 「save page as a
single file」, Word's 「single file web page」, many office systems' 「export to Word」). Its first HTML part, the page
itself, is read as a web page; the pictures and frames after it are not."""

from __future__ import annotations

import email
import email.policy

from ..errors import CorpusError
from . import html as web_page
from .blocks import Source


_NESTING_MAX = 50  # multiparts within multiparts; a browser's or Word's archive nests one or two


def read(data: bytes, source: str) -> Source:
    try:
        message = email.message_from_bytes(data, policy=email.policy.compat32)
    except RecursionError:  # the parser recurses into each multipart
        raise CorpusError(f"{source}: a web archive nested too deep to read") from None
    for part in _parts(message, source):
        page = part.get_payload(decode=True) or b""  # quoted-printable or base64 undone
        charset = part.get_content_charset()
        if charset:
            try:
                page = page.decode(charset).encode("utf-8")
            except (LookupError, UnicodeDecodeError):
                pass  # a charset Python lacks or the bytes break: decoded as any web page's bytes are
        return web_page.read(page, source)
    raise CorpusError(f"{source}: a web archive with no web page in it")


def _parts(message, source: str):
    """The message's HTML parts in order: walked here, not by Message.walk, whose recursion a deep nesting overruns."""
    stack = [(message, 0)]
    while stack:
        part, depth = stack.pop()
        if part.is_multipart():
            if depth >= _NESTING_MAX:
                raise CorpusError(f"{source}: a web archive nested over {_NESTING_MAX} levels deep")
            stack.extend((inner, depth + 1) for inner in reversed(part.get_payload()))
        elif part.get_content_type() == "text/html":
            yield part
