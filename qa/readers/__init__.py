"""One reader per file format, picked by suffix from READERS: bytes in, a `Source` (blocks) out.

A reader raises CorpusError naming the file and the reason when it cannot read one. The rest of
the code never asks which format a passage came from.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable

from .blocks import Block, Source

Reader = Callable[[bytes, str], Source]

# Bumped when what a reader or qa.structure makes of the same bytes changes: an index made by other
# rules is then parsed afresh instead of reusing its stored documents.
# 2, 3: a PDF's contents page names its headings; 4: 2.5G is item 2; 5: captions; 6: 12.3亿元 no
# section; 7: PDF headings by type size; 8: list items count up, contents labels; 9: smaller numbered
# lines are labels; 10: PDF footnote markers; 11: named parts (前言, 附录), two-clause section headings;
# 12, 13: pages set line by line (a cover), lines apart; 14: 1.1 restarting under a chapter; 15: PDF
# page titles drawn atop, wrapped titles, larger labels parent numbered headings; 16: lone lead-ins;
# 17: a diagram's words one passage; 18: symbol-font bullets, 图3.2.2 captions; 19: numbered short
# paragraphs a list, a caption with its source line; 20: PDF footnotes a part at the end; 21: a PDF label
# with no text after it left out; 22: Markdown footnotes; 23: box titles (专栏 6：…) open a paragraph;
# 24: PDF body text within 5 % of the body size; 25: a caption with its words right after the number (图1.3联邦算法…) on a line that stops short;
# 26: short 1、 paragraphs apart a list too; 27: lines ended by semicolons after a lone lead-in its items;
# 28: Markdown setext headings, rules and blockquotes; 29: HTML tables, reference links, comments, escapes;
# 30: Word headings by base style or outline level, its typed-in contents left out; 31: Markdown <h2> lines;
# 32: a long block split at a space keeps none at the ends of its parts, an escaped \| is no table border.
# 33: a PDF chapter divider (no body text, a display-type title) gives a heading, its list of sections dropped;
# 34: a box title right before a heading opens the paragraph after it; 35: Word headings with the numbers of
# Word's automatic numbering; 36: Word paragraphs numbered as sections are headings, items show their numbers;
# 37: Word content controls (w:sdt) read; 38: Word footnotes and endnotes a part at the end; 39: Word text boxes;
# 40: Word text in tracked insertions, inline content controls and simple fields; 41: a Word core title a
# tool wrote (Microsoft Word - x.docx, Document1) is none; 42: a Word note's text read as the body's is;
# 43: a Word table cell's content controls and nested tables read; 44: a long paragraph split keeps the
# space or line break between its sentences; 45: a lead-in and the labelled or numbered paragraphs it announces one list;
# 46: Big5 text read as Big5, not as GB18030 mojibake; 47: a wrapped line opening with a label after a sentence end
# starts a paragraph; 48: a regulation's article (第三条　…) one passage with its items, cited by its number;
# 49: an enumerated line after a colon or semicolon starts a line of its own; 50: articles Word numbers
# (第%1条) are paragraphs, not one list; 51: an article keeps its number in its text; 52: a PDF's 「第一章 总则」
# keeps its space; 53: article numbers typed without a space (第一条为了…) read in a run from 第一条; 54: a stored
# title that is a template's 「Title」 / 「标题」 is not the document's, and a file of only headings says so when skipped;
# 55: an unnumbered bold line ending a statement (。！；) is emphasised text, not a heading; 56: a cite's cut
# label closes its bracket and ends in …; 57: … and not in a comma before the …; 58: numbered 1. lines with a comma that
# count up with text between are headings, and a heading by form last in a document is text; 59: … unless a part's name;
# 60: a box title (专栏 5：…) is in its section, not under the last case of the box before it; 61: … nor taken out of
# the section whose heading comes right before the box before it; 62: a PDF heading written after the text it heads,
# above it, is put back before it, and a page's text a little smaller than the body's is body text; 63: a PDF cover's
# title may open with its year; 64: a PDF paragraph in the body's font after a box (set in a font of its own) is past
# the box, in its section again; 65: a PDF's title in heading type on a page of text is neither text nor a heading;
# 66: a PDF line indented from the one before, or after a wider gap than the page's line pitch, opens a paragraph
# after a sentence that reached the margin; 67: a PDF too short for its lines' widths to tell its margin wraps the
# lines that reach the page's; 68: a PDF chapter divider's title holds the sections after it (「Chapter 1 掘金：…」);
# 69: a PDF's lines whose cells line up in columns are a table, a row a line, never a heading; 70: a list's or
# table's passage says whether its first line leads the others (Passage.lead: its lines are encoded under it); 71: the
# line right above a PDF table's rows, as many words as they have cells, as close as they are, is its header row; 72:
# three or more PDF lines in a row of a short label and a shorter value lined up are a two-column table's rows; 73: a
# caption right before a table leads it in any format (Markdown, Word), and a pipe table's empty header row is no header;
# 74: a PDF line opening with a label like its paragraph's, numbers aside, after a line that stopped short, starts an item.
# 75-87: docs/documents.md and the commits that bumped it; 88: short phrases typed a line each after a colon are its items;
# 89: and three or more with no lead-in (Word's short paragraphs in a row: a list, not a heading each);
# 90: a line break inside a Word paragraph is a wrap (no space between Chinese characters); 91: a text file's line
# pushed right or centred with spaces is set apart (a signature's lines); 92: of lines set apart, one of running text cut
# mid-sentence (a comma in it, no sentence end) wraps on; 93: a Word table of one cell, or one column of sentences, is a
# box of text (its paragraphs read as the body's), and a box's title alone in Word or Markdown opens the text after it;
# 94: a text file with two lines only Markdown writes (# headings, bold lines, table rules, fences) is read as Markdown;
# 95: emoji and symbols at a heading's or title's ends are left out (「📊 一、市场概况」 is section 1); 96: Markdown's
# callouts (> [!NOTE]), custom containers (::: tip) and ==highlights== lose their markers; 97: a heading line is one
# with an emoji or symbol before its number (「📊 一、市场概况」 in a text file); 98: ==highlights== only between spaces,
# Chinese text or its punctuation (not a formula's ==); 99: a PDF's lines of about one width under a dozen characters are
# no narrow column (a slide's points), and a line cut mid-sentence wraps on only before running text; 100: a <details>
# block's <summary> is the first line of the paragraph after it, or the lead-in of its list or table; 101: a page
# footer with the page count (「第 4 页 共 47 页」, 「Page 4 of 47」) is a page number; 102: a text file's heading in words
# alone, typed with no blank line around it before running text (Word saved as text), is set apart; 103: a <summary>
# over a paragraph leads it (Passage.lead), as over a list; 104: two PDF lines in a row of four short cells or more, as
# many on both, are a table's rows though centred cells do not line up; 105: a PDF's label in bold at the text's size
# leads the paragraph under it (Passage.lead), not run into it; 106: … also in a bold made by stroking the regular face
# (Word's bold of KaiTi), up to a heading's length when it ends short of the line after it and of the margin; 107: a
# Word equation's text is read (m:oMath), and a formula on a line of its own is no label; 108: a Word SmartArt
# diagram's boxes are a list after its paragraph; 109: a PDF line of three cells or more is no heading, whatever its type;
# 110: a Word symbol from a symbol font (w:sym: Symbol's ≥, Wingdings' ✓) is read; 111: a Word chart's title and
# figures are a table after its paragraph, and a damaged diagram or chart part is left out, not the file; 112: a PDF
# label in bold wrapped over two lines is one line; 113: Word 97-2003 .doc (and WPS .wps) read (qa/readers/doc.py);
# 114: two PDF labels in bold stacked over their text are one label; 115: web pages (.html, .htm) read; 116: PowerPoint
# decks (.pptx) read; 117: Excel workbooks (.xlsx) read; 118: OpenDocument text (.odt) read;
# 119: Rich Text Format (.rtf) read, and an .odt's list numbers (its list styles) and Title paragraph; 120: Excel
# 97-2003 workbooks (.xls) read; 121: a damaged slide is left out of its deck, not the deck; 122: a .doc's paragraph
# properties read (headings by style or outline level, lists with their numbers, table rows, its Title paragraph), and
# a typed-in contents page left out of .doc, .odt and .rtf by its styles; 123: a .doc's bytes never taken for a file name;
# 124: a file read as what its bytes are (qa/readers/sniff.py), web archives (.mht, .mhtml) read; 125: Word 2003 XML read
# (qa/readers/wordml.py), and two equal values side by side in a Word table are two cells, not one merged cell; 126: Excel
# 2003 XML read (qa/readers/excel_xml.py); 127: PowerPoint 97-2003 decks (.ppt, .dps) read (qa/readers/ppt.py); 128:
# OpenDocument spreadsheets (.ods) read; 129: OpenDocument presentations (.odp) read; 130: a .doc's footnotes and endnotes
# read, an RTF endnote numbered as one (i, ii); 131: an RTF paragraph at outline level 5-8 a heading, as in Word's formats;
# 132: an .odt table's cell repeated is each column's value, and a cell of no words (「-」) is text, not a block of links;
# 133: a Word 2003 XML endnote numbered as one (i, ii); 134: a web page's source line breaks white space, an <ol>'s numbers
# kept, an item's paragraphs its lines, a title page or contents part (epub:type, role) left out; 135: e-books (.epub) read; 136: OFD
# documents (.ofd) read by the PDF's layout rules; 137: Office's files with macros, templates and slide shows read; 138: an
# aside that is a note read, a note's mark (noteref) left out; 139: a PDF's scanned pages read by OCR, a contents page without
# leaders, running headers compared width-folded.
RULES_VERSION = 139


def reader_rules() -> int | str:
    """The rules a build reads files by, as the index records them: RULES_VERSION, marked when a PDF's scanned pages are
    read by OCR, so that installing OCR (or turning it off) reads the corpus afresh instead of reusing what the last
    build made of those files."""
    return f"{RULES_VERSION}+ocr" if reads_scans() else RULES_VERSION


def reads_scans() -> bool:
    """Whether a PDF's scanned pages are read by OCR: it is installed and not turned off (QA_OCR=0)."""
    from ..settings import Settings
    from . import ocr

    return Settings.from_env().ocr and ocr.available()


def _on_use(module: str) -> Reader:
    """The reader of `qa.readers.<module>`, imported when a file of its kind is first read."""

    def read(data: bytes, source: str) -> Source:
        return importlib.import_module(f"{__name__}.{module}").read(data, source)

    return read


# Imported on use: pypdf, python-docx, olefile and xlrd load only for a corpus that has such files. WPS Office saves .wps
# in Word 97's binary format, .et in Excel 97's (BIFF8) and .dps in PowerPoint 97's.
READERS: dict[str, Reader] = {
    ".md": _on_use("markdown"), ".markdown": _on_use("markdown"), ".txt": _on_use("plaintext"), ".pdf": _on_use("pdf"),
    ".docx": _on_use("docx"), ".doc": _on_use("doc"), ".wps": _on_use("doc"), ".html": _on_use("html"),
    ".htm": _on_use("html"), ".pptx": _on_use("pptx"), ".xlsx": _on_use("xlsx"), ".odt": _on_use("odt"),
    ".rtf": _on_use("rtf"), ".xls": _on_use("xls"), ".et": _on_use("xls"), ".mht": _on_use("mht"), ".mhtml": _on_use("mht"),
    ".ppt": _on_use("ppt"), ".dps": _on_use("ppt"), ".ods": _on_use("ods"), ".odp": _on_use("odp"), ".epub": _on_use("epub"),
    ".ofd": _on_use("ofd"),
    # Office's files with macros, its templates and its slide shows: the same formats.
    ".docm": _on_use("docx"), ".dotx": _on_use("docx"), ".dotm": _on_use("docx"), ".dot": _on_use("doc"),
    ".pptm": _on_use("pptx"), ".ppsx": _on_use("pptx"), ".ppsm": _on_use("pptx"), ".potx": _on_use("pptx"), ".pps": _on_use("ppt"),
    ".pot": _on_use("ppt"), ".xlsm": _on_use("xlsx"), ".xltx": _on_use("xlsx"), ".xltm": _on_use("xlsx"), ".xlt": _on_use("xls"),
}

# Formats told by their bytes alone (sniff.py), under another format's suffix: no suffix of their own is listed.
BY_CONTENT: dict[str, Reader] = {"word-2003-xml": _on_use("wordml"), "excel-2003-xml": _on_use("excel_xml")}

__all__ = ["BY_CONTENT", "READERS", "RULES_VERSION", "Block", "Reader", "Source"]
