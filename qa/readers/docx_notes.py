"""Word's footnotes and endnotes: a 「脚注」 part at the end of the document, a passage a note, as for
PDF and Markdown. Notes are numbered as Word shows them by default — footnotes 1, 2, 3 and endnotes
i, ii, iii in the order the body first refers to them; a note the body never refers to is left out
(Word does not show it either)."""

from __future__ import annotations

from ..text import clean
from .docx_numbering import roman

# Word's own notes that are not notes: the line above the notes and its continuation.
_NOT_NOTES = ("separator", "continuationSeparator", "continuationNotice")


def notes(document, qn, text_of) -> list[str]:
    """「[1] 数据来源：…」 for each footnote, then 「[i] …」 for each endnote. `text_of(paragraph element)`:
    a paragraph's text as Word shows it (the body's reader, docx._text)."""
    from docx.opc.constants import RELATIONSHIP_TYPE as RT
    from docx.oxml import parse_xml

    shown: dict[str, list[str]] = {"footnote": [], "endnote": []}
    for kind, reltype in (("footnote", RT.FOOTNOTES), ("endnote", RT.ENDNOTES)):
        part = next((r.target_part for r in document.part.rels.values() if r.reltype == reltype and not r.is_external), None)
        if part is None:
            continue
        texts = {}
        for note in parse_xml(part.blob).iterchildren(qn(f"w:{kind}")):
            if note.get(qn("w:type")) not in _NOT_NOTES:
                lines = (text_of(p) for p in note.iter(qn("w:p")))
                text = clean(" ".join(line.strip() for line in lines if line.strip()))
                if text:
                    texts[note.get(qn("w:id"))] = text
        referred = dict.fromkeys(ref.get(qn("w:id")) for ref in document.element.body.iter(qn(f"w:{kind}Reference")))
        shown[kind] = [texts[i] for i in referred if i in texts]
    return numbered(shown["footnote"], shown["endnote"])


def numbered(footnotes: list[str], endnotes: list[str]) -> list[str]:
    """Notes as Word numbers them by default, whatever the format they come in (.docx, .doc, .rtf): 「[1] …」 for each
    footnote, then 「[i] …」 for each endnote."""
    return [f"[{n}] {text}" for n, text in enumerate(footnotes, 1)] + [f"[{roman(n)}] {text}" for n, text in enumerate(endnotes, 1)]
