"""Word's symbols (w:sym): a character inserted from a symbol font (Insert → Symbol with Symbol or Wingdings) is no
text run but a font and a code, which python-docx never reads: 「年营业收入≥500万元」 read 「年营业收入500万元」 and
a table's ✓ marks were empty cells. Codes of a symbol font sit at U+F0xx; the tables map them to Unicode."""

from __future__ import annotations

# Adobe's Symbol encoding (the font Word's Insert → Symbol opens on): 0x20-0x7E, then 0xA1 on.
_SYMBOL_ASCII = " !∀#∃%&∋()∗+,−./0123456789:;<=>?≅ΑΒΧΔΕΦΓΗΙϑΚΛΜΝΟΠΘΡΣΤΥςΩΞΨΖ[∴]⊥_‾αβχδεφγηιϕκλμνοπθρστυϖωξψζ{|}∼"
_SYMBOL_HIGH = {
    code: ch
    for code, ch in zip(range(0xA1, 0xF3), "ϒ′≤⁄∞ƒ♣♦♥♠↔←↑→↓°±″≥×∝∂•÷≠≡≈…⏐⎯↵ℵℑℜ℘⊗⊕∅∩∪⊃⊇⊄⊂⊆∈∉∠∇®©™∏√⋅¬∧∨⇔⇐⇑⇒⇓◊〈®©™∑⎛⎜⎝⎡⎢⎣⎧⎨⎩⎪ 〉∫")
    if ch != " "  # 0xF0: no character
}
SYMBOLS: dict[str, dict[int, str]] = {
    "symbol": {**{0x20 + i: ch for i, ch in enumerate(_SYMBOL_ASCII)}, **_SYMBOL_HIGH},
    # Only marks that say something (yes, no, a ticked box); bullets and ornaments are left out as before.
    "wingdings": {0xFB: "✗", 0xFC: "✓", 0xFD: "☒", 0xFE: "☑"},
    "wingdings 2": {0x4F: "✗", 0x50: "✓", 0x52: "☑", 0x54: "☒", 0xA3: "☐"},
}


def symbol_text(font: str | None, code: str | None) -> str:
    """The character of a w:sym: a Unicode code as it is, a symbol font's (U+F0xx) by its table ("" if unknown)."""
    try:
        n = int(code or "", 16)
    except ValueError:
        return ""
    if not 0xF000 <= n <= 0xF0FF:
        return chr(n) if 0x20 <= n <= 0x10FFFF and not 0xD800 <= n <= 0xDFFF else ""
    return SYMBOLS.get((font or "").strip().lower(), {}).get(n - 0xF000, "")
