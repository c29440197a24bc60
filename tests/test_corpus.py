"""Parsing the PDF-extracted report and the Markdown corpus into citable paragraphs."""

import re
from pathlib import Path

import pytest

from qa.corpus import load_corpus, parse, read_document, to_markdown
from qa.errors import CorpusError

from . import documents
from .conftest import FIXTURES, ROOT

RAW = ROOT / "raw" / "qinghai_microfinance_report.txt"
SHIPPED = ROOT / "corpus" / "qinghai_microfinance_report.md"

EXPECTED_IDS = [
    f"{s}({n})"
    for s in ("1.1", "1.2", "1.3", "2.1", "2.2", "2.3", "3.1", "3.2", "3.3", "4.1", "4.2", "4.3")
    for n in (1, 2, 3)
] + ["5.1(1)"]

DEBRIS = [
    re.compile(r"研究报告"),  # the page header
    re.compile(r"-\s*\d+\s*-"),  # page numbers
    re.compile(r"[\r\n]"),  # hard line breaks
    re.compile(r"^\s"),  # stray leading spaces
    re.compile(r"[(（]\d+[)）]"),  # paragraph markers
]


@pytest.fixture(scope="module")
def report():
    return read_document(RAW)


def parse_markdown(text: str, name: str = "r"):
    return parse(text.encode("utf-8"), Path(f"{name}.md"), 600)


def test_real_report_has_the_reports_own_numbering(report):
    passages = report.passages
    assert [p.cite for p in passages] == EXPECTED_IDS
    assert len(EXPECTED_IDS) == 37
    assert len({p.section for p in passages}) == 13
    assert list(dict.fromkeys(p.chapter for p in passages)) == [
        "一、青海省小微金融行业市场概述",
        "二、青海省小微金融行业市场主体分析",
        "三、青海省小微金融行业产品与服务创新",
        "四、青海省小微金融行业风险与挑战",
        "五、青海省小微金融行业投资潜力分析",
    ]
    assert report.title == "中国青海省小微金融行业市场发展现状及投资方向研究报告"
    assert passages[15].section == "2.3 非银行金融机构在小微金融领域的作用"


@pytest.mark.parametrize("pattern", DEBRIS, ids=lambda p: p.pattern)
def test_no_paragraph_carries_debris(report, pattern):
    dirty = [p.cite for p in report.passages if pattern.search(p.text)]
    assert dirty == []


def test_wrapped_lines_join_without_spaces_and_markers_alone_on_a_line(report):
    by_id = {p.cite: p.text for p in report.passages}
    # "(1)" stood alone, then a page header and page number, then the text: all one paragraph.
    assert by_id["2.1(1)"].startswith("银行作为我国金融体系的核心，在小微金融领域扮演着举足轻重的角色。")
    assert "增长趋势也呈现出一些特点" in by_id["1.1(2)"]  # was split across two lines
    assert by_id["5.1(1)"].endswith("提供了丰富的创业土壤和市场需求。")  # the text stops inside 5.1
    assert "XX亿元" in by_id["1.1(1)"]  # placeholders kept as written


def test_shipped_corpus_is_the_import_of_the_raw_text(report):
    assert SHIPPED.read_text(encoding="utf-8") == to_markdown(report)
    shipped = read_document(SHIPPED)
    assert (shipped.title, shipped.passages) == (report.title, report.passages)


def test_markdown_round_trip(report):
    again = parse_markdown(to_markdown(report), report.name)
    assert (again.title, again.passages) == (report.title, report.passages)


def test_imported_markdown_reads_back_as_the_same_passages():
    """What `qa import` writes: short paragraphs without their numbers (numbered, a run of them reads as a list),
    a list split in parts as parts, markup characters in text escaped."""
    lines = [
        "测试报告", "一、概况", "图 9 数据等级的判断因素", "在影响对象层面，风险可能影响国家安全。", "矩阵A|B|C的`秘密`分享见[9]，*注*。",
        "二、产品", "主要产品包括：", *[f"- 第{i}类产品，面向小微企业的信用贷款" for i in range(1, 7)], "（注：以上不含历史数据）",
    ]
    doc = parse("\n".join(lines).encode("utf-8"), Path("t.txt"), 90)
    assert len([p for p in doc.passages if p.text.startswith("主要产品包括：")]) == 2  # the list in two parts
    again = parse_markdown(to_markdown(doc), "t")
    assert [(p.cite, p.text) for p in again.passages] == [(p.cite, p.text) for p in doc.passages]


def test_imported_markdown_keeps_what_leads_a_table_or_a_list():
    """A table led by its heading or its caption, and a lead-in over a list's last item alone, read back led:
    their lines are encoded under the lead (qa.index.sentence_texts), so an import must not lose it."""
    text = (
        "## 一、市场概况\n\n表1：各类机构贷款情况\n\n| 机构 | 余额 |\n|---|---|\n| 银行 | 10 |\n| 小贷 | 2 |\n\n"
        "## 二、公告\n\n| 公司 | 事件 |\n|---|---|\n| 甲公司 | 增持 |\n| 乙公司 | 减持 |\n\n"
        "## 三、产品\n\n主要产品包括：\n\n" + "".join(f"- 第{i}类产品，面向小微企业的信用贷款\n" for i in range(1, 6))
    )
    doc = parse(text.encode("utf-8"), Path("t.md"), 90)
    assert sum(p.lead for p in doc.passages) == 4 and len(doc.passages[-1].text.split("\n")) == 2  # 「主要产品包括：」 and one item
    again = parse_markdown(to_markdown(doc), "t")
    assert [(p.cite, p.text, p.lead) for p in again.passages] == [(p.cite, p.text, p.lead) for p in doc.passages]


def test_imported_markdown_keeps_a_label_over_its_paragraph(tmp_path):
    """A PDF's label in bold over its paragraph leads it: the import writes it as a <details> block's <summary>,
    which reads back as the lead of what it opens (as bullets, the lead was lost)."""
    doc = read_document(documents.bold_labels_pdf(tmp_path / "labels.pdf"))
    assert [p.text.split("\n")[0] for p in doc.passages if p.lead][:2] == ["DSAL1安全要求", "DSAL2安全要求"]
    markdown = to_markdown(doc)
    assert "<details open><summary>DSAL1安全要求</summary>" in markdown
    again = parse_markdown(markdown, "labels")
    assert [(p.cite, p.text, p.lead) for p in again.passages] == [(p.cite, p.text, p.lead) for p in doc.passages]


def test_fixture_with_the_same_debris():
    doc = read_document(FIXTURES / "mini_report.txt")
    cites = [p.cite for p in doc.passages]
    assert cites == ["1.1(1)", "1.1(2)", "1.2(1)", "1.2(2)", "1.2(3)", "2.1(1)", "2.1(2)", "2.2(1)", "2.2(2)", "2.2(3)"]
    assert doc.title == "某省小微金融测试报告"
    texts = {p.cite: p.text for p in doc.passages}
    assert texts["1.1(1)"] == "某省小微金融市场规模逐年扩大，截至 2022 年底已达到XX亿元。"
    assert texts["1.1(2)"].startswith("市场增长主要得益于")  # marker alone, text indented on the next line
    assert texts["2.2(3)"] == "此外，应建立 Python API 与 Open Banking 平台的数据接口。"  # Latin words keep a space
    assert not any("测试报告" in t or "- 2 -" in t for t in texts.values())


def test_markdown_edits_people_make(tmp_path):
    md = "# 报告\n\n## 一、概述\n\n### 1.1 规模\n\n(1) 第一段，\n换行续写。\n\n没有编号的第二段。\n\n### 第二节\n\n正文。\n"
    doc = parse_markdown(md, "r")
    assert [(p.cite, p.text) for p in doc.passages] == [
        ("1.1(1)", "第一段，换行续写。"),
        ("1.1(2)", "没有编号的第二段。"),
        ("1.2(1)", "正文。"),
    ]


def test_a_big5_file_is_read_as_big5_not_as_the_gb18030_it_also_decodes_as(tmp_path):
    text = "臺灣報告\n\n一、概況\n\n臺灣的小微金融發展迅速，小額貸款公司數量增加，銀行積極參與。\n"
    (tmp_path / "tw.txt").write_bytes(text.encode("big5"))
    doc = read_document(tmp_path / "tw.txt")
    assert doc.title == "臺灣報告" and doc.passages[0].text == "臺灣的小微金融發展迅速，小額貸款公司數量增加，銀行積極參與。"


@pytest.mark.parametrize("encoding", ["gb18030", "utf-16", "utf-8-sig"])  # utf-16: Windows Notepad's 「Unicode」, with its BOM
def test_gb18030_and_utf16_files_are_decoded(tmp_path, encoding):
    path = tmp_path / f"{encoding}.txt"
    path.write_bytes((FIXTURES / "mini_report.txt").read_text(encoding="utf-8").encode(encoding))
    expected = read_document(FIXTURES / "mini_report.txt")
    assert [(p.cite, p.headings, p.text) for p in read_document(path).passages] == [
        (p.cite, p.headings, p.text) for p in expected.passages
    ]


@pytest.mark.parametrize(
    "content, message",
    [
        (b"", "is empty"),
        (b"   \n\n", "is empty"),
        (b"\x00\x01binary\x00", "binary"),
        (b"\xfa\x80\x81\xff" * 10, "UTF-8, GB18030 or Big5"),
        ("こんにちは、世界の皆さん。テキストです。".encode("shift_jis"), "UTF-8, GB18030 or Big5"),  # no mojibake indexed
        (b"\xff\xfe\x00\xd8", "UTF-16"),
        ("# 标题\n\n## 一、章\n\n### 1.1 节\n".encode(), "only a title or headings"),
        ("---\ntitle: 只有元数据\n---\n".encode(), "no text found"),
    ],
)
def test_bad_files_raise_corpus_error_naming_the_file(tmp_path, content, message):
    path = tmp_path / ("bad.md" if content.startswith((b"#", b"---")) else "bad.txt")
    path.write_bytes(content)
    with pytest.raises(CorpusError, match=message) as err:
        load_corpus(tmp_path)
    assert str(path) in str(err.value)


def test_missing_or_empty_corpus_folder(tmp_path):
    with pytest.raises(CorpusError, match="does not exist"):
        load_corpus(tmp_path / "nope")
    with pytest.raises(CorpusError, match="has no reports"):
        load_corpus(tmp_path)


def test_several_files_are_several_documents(tmp_path):
    (tmp_path / "a.txt").write_text((FIXTURES / "mini_report.txt").read_text(encoding="utf-8"), encoding="utf-8")
    (tmp_path / "b.md").write_text(SHIPPED.read_text(encoding="utf-8"), encoding="utf-8")
    docs = load_corpus(tmp_path)
    assert [d.name for d in docs] == ["a", "b"]
    assert len({p.key for d in docs for p in d.passages}) == 10 + 37


def test_reports_in_subfolders_are_documents_named_by_their_path(tmp_path):
    from qa.corpus import read_corpus

    report = "# 年报\n\n## 一、经营\n\n公司{}年营业收入为十亿元。\n"
    for year in ("2023", "2024"):  # one file name in two folders: two documents
        (tmp_path / year).mkdir()
        (tmp_path / year / "年报.md").write_text(report.format(year), encoding="utf-8")
    (tmp_path / "2024" / "附件").mkdir()
    (tmp_path / "2024" / "附件" / "说明.txt").write_text("一、说明\n本附件说明年报的编制口径。\n", encoding="utf-8")
    (tmp_path / "2024" / "附件" / "说明.pages").write_bytes(b"PK\x03\x04")
    (tmp_path / "2024" / "~$年报.docx").write_bytes(b"\x05Word's lock file")  # beside a document open in Word
    (tmp_path / ".git").mkdir()
    (tmp_path / ".git" / "README.md").write_text("# not a report\n\n版本库的文件。\n", encoding="utf-8")
    corpus = read_corpus(tmp_path, 1200)
    assert not corpus.skipped
    assert [(d.name, d.file) for d in corpus.documents] == [
        ("2023/年报", "2023/年报.md"), ("2024/年报", "2024/年报.md"), ("2024/附件/说明", "2024/附件/说明.txt")
    ]
    assert corpus.documents[1].passages[0].key == "2024/年报#1(1)" and corpus.documents[1].title == "年报"
    assert corpus.not_read == [("2024/附件/说明.pages", "Apple Pages files are not read; export as .docx or PDF")]
    (tmp_path / "2023" / "年报.txt").write_text("一、经营\n另一份。\n", encoding="utf-8")
    clash = read_corpus(tmp_path, 1200)
    assert [s.file for s in clash.skipped] == ["2023/年报.md", "2023/年报.txt"] and "same name" in clash.skipped[0].reason
    assert [d.name for d in clash.documents] == ["2024/年报", "2024/附件/说明"]


def test_text_without_chapters_and_a_repeated_marker_are_documents_too():
    doc = parse(
        "只是一些文字，没有章节。".encode(), Path("plain.txt"), 600
    )
    assert [(p.cite, p.headings, p.text) for p in doc.passages] == [("(1)", (), "只是一些文字，没有章节。")]
    doc = parse_markdown("# 标题\n\n## 一、章\n\n### 1.1 节\n\n(1) 一段。\n\n(1) 报告自己的编号。\n")
    # The second (1) is the report's own item, not the paragraph's number: kept in the text, cited (2).
    assert [(p.cite, p.text) for p in doc.passages] == [("1.1(1)", "一段。"), ("1.1(2)", "(1) 报告自己的编号。")]


def test_example_questions_come_from_section_headings_never_from_named_parts(tmp_path):
    from qa.corpus import example_questions

    text = "测试白皮书\n\n版权声明\n\n本白皮书版权属于测试研究院。\n\n前  言\n\n近年来行业发展迅速。\n\n一、市场规模\n\n市场规模持续扩大。\n"
    doc = parse(text.encode("utf-8"), Path("paper.txt"), 600)
    assert [p.headings[0] for p in doc.passages] == ["版权声明", "前言", "一、市场规模"]
    assert example_questions(tmp_path, [doc]) == ["关于市场规模，文档是怎么说的？"]
    rules = "管理办法\n\n第一章 总则\n\n第一条 为规范管理，制定本办法。\n\n第二章 贷款管理\n\n第二条 贷款应当审慎发放。\n"
    doc = parse(rules.encode("utf-8"), Path("办法.txt"), 600)
    assert example_questions(tmp_path, [doc]) == ["关于贷款管理，文档是怎么说的？"]  # not 总则, which every regulation has
    views = parse_markdown("# 周报\n\n## 煤炭：超产核查修复煤价，盈利筑底\n\n煤价企稳。\n\n## 电力\n\n电价下行。\n")
    assert example_questions(tmp_path, [views]) == ["关于煤炭，文档是怎么说的？"]  # its subject, not its view
    statement = parse_markdown("# 白皮书\n\n## 一、背景\n\n### 1.1 数据安全已上升至国家层面\n\n数据安全立法加快。\n\n### 1.2 数据隐私\n\n隐私保护受到重视。\n")
    assert example_questions(tmp_path, [statement])[0] == "关于数据隐私，文档是怎么说的？"  # a subject, not a statement
