"""A PDF's scanned pages read by OCR (qa/readers/ocr.py): the real RapidOCR models on pages Chromium drew and a scanner's
way of saving them (a picture a page, no text layer), read into the passages the same report gives as a text PDF."""

from __future__ import annotations

import json
import re

import pytest

from qa.cli import main
from qa.corpus import read_document
from qa.errors import CorpusError
from qa.index import load
from qa.readers import ocr
from qa.search import Retriever
from qa.web import card_html

from . import documents

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(bool(documents.CANNOT_PRINT_PDF), reason=documents.CANNOT_PRINT_PDF or "-"),
    pytest.mark.skipif(not ocr.available(), reason="RapidOCR is not installed (make install installs the ocr extra)"),
]


@pytest.fixture(scope="module")
def scanned(tmp_path_factory):
    return documents.scanned_pdf(documents.report_pages_html(), tmp_path_factory.mktemp("scan") / "扫描件.pdf")


def _words(text: str) -> str:
    return re.sub(r"\s+", "", text)


def test_a_scanned_report_reads_as_its_text_pdf_does(scanned, tmp_path):
    text = read_document(documents.report_pdf(tmp_path / "text.pdf"))
    scan = read_document(scanned)
    assert scan.pages_read_by_ocr == (1, 2, 3, 4, 5) and scan.pages_without_text == ()
    # Headings, paragraphs over a page break, two columns in reading order, running headers, page numbers and the
    # contents page (its dot leaders are not read) all as the text PDF gives them; spaces apart (OCR writes
    # 「2023年」 where Chromium's text has 「2023 年」).
    assert [(p.cite, p.page, p.headings, _words(p.text)) for p in scan.passages] == [
        (p.cite, p.page, p.headings, _words(p.text)) for p in text.passages if "sQrMr" not in p.text  # no tracking stamp on paper
    ]
    assert scan.title == "2024年测试行业发展报告"  # the cover's largest line: the scanner wrote no title


def test_without_ocr_a_scanned_report_is_refused_saying_why(scanned, monkeypatch):
    monkeypatch.setenv("QA_OCR", "0")
    with pytest.raises(CorpusError, match=r"扫描件.pdf: no text layer \(a scanned document: OCR reads one when installed"):
        read_document(scanned)


def test_the_build_reports_the_pages_ocr_read_and_reads_again_when_ocr_is_turned_off(scanned, tmp_path, capsys, monkeypatch):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / scanned.name).write_bytes(scanned.read_bytes())
    (corpus / "说明.md").write_text("# 说明\n\n本文件夹收录测试行业的扫描报告。\n", encoding="utf-8")
    args = ["build", "--corpus", str(corpus), "--index", str(tmp_path / "index"), "--json"]
    assert main(args) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["pages_read_by_ocr"] == {"扫描件.pdf": [1, 2, 3, 4, 5]} and out["documents"] == 2
    assert main(["docs", "--index", str(tmp_path / "index")]) == 0
    assert "5 pages, 5 read by OCR" in capsys.readouterr().out
    # A hit on a scanned page says so (JSON "ocr", 「扫描件·OCR」 on its card); one from the text file does not.
    assert main(["ask", "--index", str(tmp_path / "index"), "--json", "2023年测试行业的市场规模有多大？"]) == 0
    hits = json.loads(capsys.readouterr().out)["hits"]
    assert (hits[0]["doc"], hits[0]["page"], hits[0]["ocr"]) == ("扫描件", 3, True)
    assert all(h["ocr"] == (h["doc"] == "扫描件") for h in hits)
    retriever = Retriever(load(tmp_path / "index"))
    cards = [card_html(hit) for hit in retriever.ask("2023年测试行业的市场规模有多大？").hits]
    assert "扫描件·OCR" in cards[0] and not any("扫描件·OCR" in c for c in cards if 'data-doc="说明"' in c)
    # The index records that its scans were read by OCR: turned off, the file is read afresh (and refused), not reused.
    monkeypatch.setenv("QA_OCR", "0")
    assert main(args) == 3
    out = json.loads(capsys.readouterr().out)
    assert [s["file"] for s in out["skipped"]] == ["扫描件.pdf"] and "no text layer" in out["skipped"][0]["reason"]
    assert out["documents"] == 1 and out["pages_read_by_ocr"] == {}


@pytest.mark.parametrize("bound, why", [("QA_OCR_MEMORY_MB", r"cannot be read by OCR \(reading its scanned pages needed over 200 MB\)"),
                                        ("QA_OCR_PAGE_TIMEOUT", r"reading its scanned page\(s\) 1, 2, 3, 4, 5 by OCR took over 1 s")])
def test_ocr_is_bounded_in_memory_and_time_like_the_pdf_reader(scanned, monkeypatch, bound, why):
    monkeypatch.setenv(bound, "200" if bound == "QA_OCR_MEMORY_MB" else "0.2")  # 0.2 s a page: less than loading the models
    with pytest.raises(CorpusError, match="扫描件.pdf: " + why):
        read_document(scanned)


def test_a_picture_without_words_is_still_a_page_without_text(tmp_path):
    with pytest.raises(CorpusError, match="scan.pdf: no text layer, and OCR found none in its pictures"):
        read_document(documents.image_only_pdf(tmp_path / "scan.pdf"))


def test_reading_order_keeps_a_tables_rows_and_reads_columns_one_after_the_other():
    # Boxes as [text, left, top, right, bottom] in points from the page's top-left corner.
    line = lambda text, left, top, width: [text, left, top, left + width, top + 12]  # noqa: E731
    table = [line("指标", 40, 100, 40), line("2023年", 200, 101, 50), line("营收", 40, 120, 40), line("1200亿元", 200, 119, 60)]
    assert [[b[0] for b in row] for row in ocr.reading_order(table)] == [["指标", "2023年"], ["营收", "1200亿元"]]
    # Two columns whose lines do not line up (the right one is half a line lower), a title over them and a footer.
    left = [line(f"左栏第{i}行的文字写满了这一栏", 40, 150 + 16 * i, 150) for i in range(4)]
    right = [line(f"右栏第{i}行的文字写满了这一栏", 220, 158 + 16 * i, 150) for i in range(3)]
    page = [line("二、竞争格局", 40, 120, 80), *right, *left, line("第3页", 180, 560, 30)]
    order = [b[0] for row in ocr.reading_order(page) for b in row]
    assert order == ["二、竞争格局", *[b[0] for b in left], *[b[0] for b in right], "第3页"]
