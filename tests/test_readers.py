"""Every format through one reader interface: Markdown, plain text, Word and PDF become clean,
uniquely cited passages (fixtures made here; the real documents are in test_real_documents.py)."""

from __future__ import annotations

import os
import re
import signal
import threading
import time
import zipfile
from collections import Counter
from dataclasses import replace
from pathlib import Path

import pytest

from qa.corpus import Document, Passage, parse, read_document, to_markdown
from qa.errors import CorpusError

from . import documents

MARKUP = re.compile(r"\*\*|\||!\[|\]\(|</?[a-zA-Z][^>]*>|[\u200b-\u200f\ue000-\uf8ff]")


def md(text: str, name: str = "r") -> Document:
    return parse(text.encode("utf-8"), Path(f"{name}.md"), 600)


def cites(doc: Document) -> list[tuple[str, str]]:
    return [(p.cite, p.text) for p in doc.passages]


def assert_clean(doc: Document) -> None:
    """What the issue asks of every document: unique cites, no markup, no empty or heading-only passage."""
    assert all(n == 1 for n in Counter(p.cite for p in doc.passages).values())
    headings = {h for p in doc.passages for h in p.headings}
    for p in doc.passages:
        assert p.text.strip() and p.text not in headings, p.cite
        assert not MARKUP.search(p.text), (p.cite, p.text)
    assert not MARKUP.search(doc.title)


FRONT_MATTER = """---
title: "2025.6.1 测试行业观察"
publishedAt: 2025-06-01
sourceUrl: http://example.com/articles/1
description: 行业景气度回升，龙头企业业绩超预期。
summary:
  - 行业景气度回升，龙头企业业绩超预期。
---
#### 一、行业表现

行业景气度回升，龙头企业业绩超预期。\u200b

**核心观点**

- **需求端**：消费复苏带动订单增长；
- **供给端**：产能出清接近尾声。
- 价格：[链接文字](http://example.com) 与 <span>标签</span> 只留文字

![图1：产能利用率](http://example.com/a.png)

#### 二、数据

主要公司数据如下：

| 公司 | **营收（亿元）** | ** ** |
|---|---|---|
| 甲公司 | 120 | |
| 公司 | **营收（亿元）** | |
| 乙公司 | 80 | |
"""


def test_markdown_front_matter_is_metadata_and_never_text():
    doc = md(FRONT_MATTER)
    assert doc.title == "2025.6.1 测试行业观察"
    assert doc.meta == {"title": "2025.6.1 测试行业观察", "date": "2025-06-01", "source_url": "http://example.com/articles/1"}
    texts = [p.text for p in doc.passages]
    assert sum("龙头企业业绩超预期" in t for t in texts) == 1  # the description is not indexed again
    assert_clean(doc)
    # YAML's folded and literal values: the title on the indented lines under 「title: >」, not 「>」.
    folded = md("---\ntitle: >\n  某市小微企业\n  融资调研报告\nsummary: |\n  摘要一。\nauthor: |-\n  张三\n---\n\n## 一、背景\n\n正文。\n")
    assert (folded.title, folded.meta) == ("某市小微企业融资调研报告", {"title": "某市小微企业融资调研报告", "author": "张三"})
    assert [p.text for p in folded.passages] == ["正文。"]


def test_markdown_lists_tables_images_and_emphasis():
    doc = md(FRONT_MATTER)
    by_cite = dict(cites(doc))
    # A document starting at ####: its 一、 is the first section; a bold-only line is a heading below it.
    assert list(by_cite) == ["1(1)", "1 › 核心观点(1)", "1 › 核心观点(2)", "2(1)"]
    assert by_cite["1(1)"] == "行业景气度回升，龙头企业业绩超预期。"  # zero-width space gone
    # A bullet run is one passage, an item a line (a sentence of its own for the highlight).
    assert by_cite["1 › 核心观点(1)"].split("\n") == [
        "需求端：消费复苏带动订单增长；", "供给端：产能出清接近尾声。", "价格：链接文字 与 标签 只留文字",
    ]
    assert by_cite["1 › 核心观点(2)"] == "图1：产能利用率"  # an image keeps its alt text
    # A table: its lead-in line, then a row a line as "header: value", the repeated header row and
    # the empty column dropped.
    assert by_cite["2(1)"].split("\n") == ["主要公司数据如下：", "公司：甲公司；营收（亿元）：120", "公司：乙公司；营收（亿元）：80"]


def test_markdown_html_blocks_are_paragraphs_items_and_captions():
    # A web page clipped to Markdown: <p> and <div> blocks on consecutive lines, an <img> with its caption
    # as alt text, an HTML list; a <br> inside a pipe table's cell stays the cell's.
    doc = md(
        "## 一、市场\n\n<div class=\"intro\">\n<p>这是第一段正文，<strong>重点</strong>内容。</p>\n<p>这是第二段正文。</p>\n</div>\n\n"
        "<p align=\"center\"><img src=\"a.png\" alt=\"图1：市场规模\"></p>\n\n<ul><li>甲项</li><li>乙项</li></ul>\n\n"
        "| 区域 | 说明 |\n|---|---|\n| 华东 | 增长<br>较快 |\n"
    )
    assert cites(doc) == [
        ("1(1)", "这是第一段正文，重点内容。"), ("1(2)", "这是第二段正文。"), ("1(3)", "图1：市场规模"), ("1(4)", "甲项\n乙项"),
        ("1(5)", "一、市场\n区域：华东；说明：增长 较快"),
    ]


def test_markdown_grid_and_simple_tables_as_pandoc_writes_them():
    # `pandoc -t markdown` (a Word file converted) writes grid tables — a cell may run over lines, columns
    # line up by display width, so a Chinese cell is narrower in characters — and simple tables.
    grid = "\n".join([
        "+--------+--------------+", "| 区域   | 收入         |", "+========+==============+",
        "| 华东   | 25亿元，同比 |", "|        | 增长12%      |", "+--------+--------------+",
        "| 华南   | 18亿元       |", "+--------+--------------+",
    ])
    headerless = "+------+------+\n| 华东 | 25   |\n+------+------+\n| 华南 | 18   |\n+------+------+"
    simple = "  区域   收入\n  ------ ------\n  华东   25\n  华南   18\n"
    doc = md(f"# 测试报告\n\n## 一、收入\n\n表1 区域收入\n\n{grid}\n\n## 二、说明\n\n{headerless}\n\n后文。\n\n## 三、附表\n\n{simple}")
    assert cites(doc) == [
        ("1(1)", "表1 区域收入\n区域：华东；收入：25亿元，同比增长12%\n区域：华南；收入：18亿元"),
        ("2(1)", "二、说明\n华东；25\n华南；18"),
        ("2(2)", "后文。"),
        ("3(1)", "三、附表\n区域：华东；收入：25\n区域：华南；收入：18"),
    ]


def test_a_caption_right_before_a_table_leads_it_and_an_empty_header_row_means_no_header(tmp_path):
    import docx

    doc = md(
        "## 一、市场概况\n\n规模扩大。\n\n表1：各类机构贷款情况\n\n| 机构 | 余额 |\n|---|---|\n| 银行 | 10 |\n| 小贷 | 2 |\n\n"
        "## 二、公告\n\n| |\n|---|\n| 甲公司增持 |\n| 乙公司减持 |\n"
    )
    assert [(p.cite, p.text, p.lead) for p in doc.passages] == [
        ("1(1)", "规模扩大。", False),
        ("1(2)", "表1：各类机构贷款情况\n机构：银行；余额：10\n机构：小贷；余额：2", True),
        ("2(1)", "二、公告\n甲公司增持\n乙公司减持", True),  # no caption: its heading leads it
    ]
    # Word sets a table's caption (表 1 …) as a paragraph above it.
    d = docx.Document()
    d.add_heading("市场概况", level=1)
    d.add_paragraph("规模扩大。")
    d.add_paragraph("表 1 各类机构贷款情况")
    table = d.add_table(rows=2, cols=2)
    for row, cells in zip(table.rows, (("机构", "余额"), ("银行", "10"))):
        for cell, text in zip(row.cells, cells):
            cell.text = text
    d.save(tmp_path / "w.docx")
    word = read_document(tmp_path / "w.docx")
    assert [(p.text, p.lead) for p in word.passages][-1] == ("表 1 各类机构贷款情况\n机构：银行；余额：10", True)


def test_markdown_footnotes_are_a_part_of_their_own():
    doc = md("## 一、概况\n\n规模扩大[^1]，增速较快[^n]。\n\n[^1]: 数据来源：国家统计局。\n[^n]: 按现价计算，\n    不含港澳台。\n\n## 二、展望\n\n保持增长。\n")
    assert cites(doc) == [
        ("1(1)", "规模扩大，增速较快。"), ("2(1)", "保持增长。"),
        ("脚注(1)", "[1] 数据来源：国家统计局。"), ("脚注(2)", "[n] 按现价计算，不含港澳台。"),
    ]


def test_markdown_contents_lists_are_left_out():
    # As converters and editors write them: links to the document's own headings, a [TOC] marker, or lines
    # with dot leaders and page numbers copied from a PDF or Word. As passages they would answer every
    # question about a heading with a line of the contents.
    body = "## 一、市场概述\n\n市场概述的正文。\n\n## 二、投资方向\n\n投资方向的正文。\n\n### （一）重点领域\n\n重点领域的正文。\n"
    expected = [("1(1)", "市场概述的正文。"), ("2(1)", "投资方向的正文。"), ("2.1(1)", "重点领域的正文。")]
    linked = "## 目录\n\n- [一、市场概述](#一市场概述)\n- [二、投资方向](#二投资方向)\n  - [（一）重点领域](#一重点领域)\n\n"
    dotted = "目录\n\n一、市场概述 ........ 1\n\n二、投资方向 ........ 2\n\n（一）重点领域 ........ 2\n\n"
    for contents in (linked, "[TOC]\n\n", dotted):
        assert cites(md(f"# 测试报告\n\n{contents}{body}")) == expected
    # A list of links elsewhere, and a lone dot leader, are text.
    links = md("## 一、资料\n\n- [统计局](https://stats.gov.cn)\n- [附表](#附表)\n\n见附表 ........ 12\n")
    assert cites(links) == [("1(1)", "统计局\n附表"), ("1(2)", "见附表 ........ 12")]


def test_markdown_bold_sentence_is_emphasis_but_a_bold_question_or_numbered_line_heads_a_section():
    doc = md(
        "#### 库存周期分为四个阶段：\n\n**被动去库存——主动补库存——被动补库存——主动去库存。**\n\n1）被动去库存阶段：需求回升。\n\n"
        "**做短线投机需要看基本面吗？**\n\n需要，但不完全决定。\n\n**二、需求侧呈现结构性分化迹象。**\n\n地产链需求偏弱。\n"
    )
    assert cites(doc) == [
        ("库存周期分为四个阶段(1)", "被动去库存——主动补库存——被动补库存——主动去库存。"),
        ("库存周期分为四个阶段(2)", "1）被动去库存阶段：需求回升。"),
        ("库存周期分为四个阶段 › 做短线投机需要看基本面吗？(1)", "需要，但不完全决定。"),
        ("库存周期分为四个阶段 › 2(1)", "地产链需求偏弱。"),
    ]


def test_a_long_unnumbered_heading_is_cut_in_its_cite_with_a_bracket_it_opens_closed():
    doc = md(
        "## 隐私计算技术子项——同态加密（HE）\n\n同态加密允许在密文上计算。\n\n## 利用不同期限牛熊指标的相对位置对宽基指数择时\n\n短期指标领先。\n\n"
        "## 技术增益：隐私计算技术蓬勃发展，为数据合规提供技术支持\n\n技术日趋成熟。\n"
    )
    assert [p.cite for p in doc.passages] == [
        "隐私计算技术子项——同态加密（HE）(1)", "利用不同期限牛熊指标的相对位置对…(1)", "技术增益：隐私计算技术蓬勃发展…(1)",
    ]
    assert doc.passages[1].headings == ("利用不同期限牛熊指标的相对位置对宽基指数择时",)  # the card shows it whole


def test_markdown_setext_headings_rules_and_blockquotes():
    doc = md("行业报告\n====\n\n市场概况\n----\n\n规模扩大。\n两行的段落\n---\n\n> 专家认为，增长可期。\n>\n> > 嵌套的引用。\n")
    assert doc.title == "行业报告"
    assert [(p.headings, p.text) for p in doc.passages] == [
        (("市场概况",), "规模扩大。两行的段落"), (("市场概况",), "专家认为，增长可期。"), (("市场概况",), "嵌套的引用。"),
    ]


def test_markdown_html_tables_reference_links_comments_and_escapes():
    doc = md(
        "## 概述 {#intro}\n\n详见[报告原文][1]，转义的\\*星号\\*留下。<!-- 编辑备注 -->\n\n[1]: http://example.com/r.pdf\n\n"
        "<table>\n  <tr><th>指标</th><th>数值</th></tr>\n  <tr><td>规模</td><td>200<b>亿元</b></td></tr>\n</table>\n\n"
        "<!--\n草稿：不发布\n-->\n- [x] 已完成的事项\n- [ ] 待办的事项\n\n<h2 id=\"next\">展望</h2>\n<p>继续增长。</p>\n"
    )
    assert cites(doc) == [
        ("概述(1)", "详见报告原文，转义的*星号*留下。"), ("概述(2)", "概述\n指标：规模；数值：200亿元"), ("概述(3)", "已完成的事项\n待办的事项"),
        ("展望(1)", "继续增长。"),
    ]


def test_headings_of_any_depth_give_numbered_or_named_unique_cites():
    doc = md(
        "# 报告\n\n## 1 总论\n\n### 1.1 背景\n\n背景段落。\n\n#### 1.1.1 细节\n\n细节段落。\n\n"
        "## 煤炭\n\n### 未来展望\n\n煤炭的展望。\n\n## 电力\n\n### 未来展望\n\n电力的展望。\n\n"
        "## 二、结论\n\n### （一）要点\n\n要点段落。\n\n1. 第一条\n\n结论段落。\n"
    )
    assert [(p.cite, p.headings[-1]) for p in doc.passages] == [
        ("1.1(1)", "1.1 背景"),
        ("1.1.1(1)", "1.1.1 细节"),
        ("煤炭 › 未来展望(1)", "未来展望"),
        ("电力 › 未来展望(1)", "未来展望"),  # the same heading under two industries: the path tells them apart
        ("2.1(1)", "（一）要点"),
        ("2.1.1(1)", "1. 第一条"),
    ]
    assert doc.passages[3].headings == ("电力", "未来展望")


def test_a_repeated_section_number_still_gets_unique_cites():
    doc = md("## 一、甲\n\n正文一。\n\n## 一、乙\n\n正文二。\n")
    assert [p.cite for p in doc.passages] == ["1(1)", "1-2(1)"]
    doc = md("## 第一章 甲\n\n### 1.1 概况\n\n正文一。\n\n## 第二章 乙\n\n### 1.1 概况\n\n正文二。\n\n### 1.2 趋势\n\n正文三。\n")
    assert [p.cite for p in doc.passages] == ["1.1(1)", "2 › 1.1(1)", "2 › 1.2(1)"]


def test_a_document_without_headings_and_text_before_the_first_heading():
    doc = md("第一段正文，没有标题。\n\n第二段正文。\n\n## 一、章\n\n章内正文。\n")
    assert cites(doc) == [("(1)", "第一段正文，没有标题。"), ("(2)", "第二段正文。"), ("1(1)", "章内正文。")]
    assert doc.title == "r"  # no title anywhere: the file's name


def test_long_paragraphs_split_at_sentence_ends():
    sentence = "这是一个用来测试切分的句子，长度大约三十个字符左右。"
    doc = parse(f"## 一、章\n\n{sentence * 40}\n".encode(), Path("long.md"), 200)
    assert len(doc.passages) > 5 and all(len(p.text) <= 200 for p in doc.passages)
    assert all(p.text.endswith("。") for p in doc.passages)
    assert "".join(p.text for p in doc.passages) == sentence * 40


def test_a_split_keeps_the_spaces_and_line_breaks_between_sentences():
    from qa.structure import split_long

    text = "专栏 4：矿山装备远程运维服务平台\n" + "平台接入设备两千台。 It keeps running. " * 12
    parts = split_long(text.strip(), 120)
    assert len(parts) > 2 and all(len(p) <= 120 for p in parts)
    assert parts[0].startswith("专栏 4：矿山装备远程运维服务平台\n平台接入")  # the box's title stays on its own line
    assert "running. 平台" in parts[1] and "两千台。 It" in parts[1]
    assert " ".join(parts).replace("\n", " ") == text.strip().replace("\n", " ")


def test_plain_text_headings_are_recognised():
    text = (
        "测试研究报告\n\n第一章 总论\n\n总论的正文。\n\n一、市场\n\n市场的正文。\n\n（一）规模\n\n规模的正文。\n\n"
        "1. 国内\n\n国内的正文。\n\n【风险提示】\n\n风险的正文。\n"
    )
    doc = parse(text.encode("utf-8"), Path("plain.txt"), 600)
    assert doc.title == "测试研究报告"
    assert [(p.cite, p.headings) for p in doc.passages] == [
        ("1(1)", ("第一章 总论",)),
        ("1.1(1)", ("第一章 总论", "一、市场")),
        ("1.1.1(1)", ("第一章 总论", "一、市场", "（一）规模")),
        ("1.1.1.1(1)", ("第一章 总论", "一、市场", "（一）规模", "1. 国内")),
        ("1.1.1.1 › 风险提示(1)", ("第一章 总论", "一、市场", "（一）规模", "1. 国内", "【风险提示】")),
    ]


def test_named_parts_and_two_clause_section_headings_in_wrapped_text():
    # Hard-wrapped text as extracted from a PDF: lines to the margin are one paragraph; 「前  言」 and
    # 「附录」 are parts beside the chapters; a section heading may have a comma, an enumerated item not.
    wrapped = "这一行是正文，它一直写到页面的右边距为止才换行继续写下去。"
    text = "\n".join([
        "测试白皮书", "前  言", wrapped, "前言的最后一行。", "四、发展建议", wrapped, "建议的最后一行。",
        "（一）强化顶层设计，落实管理体系", wrapped, "第一条建议的最后一行。",
        "（1）需求端，消费复苏", wrapped, "条目的最后一行。", "附录一：术语", wrapped, "附录的最后一行。",
    ])
    doc = parse(text.encode("utf-8"), Path("wrapped.txt"), 600)
    assert [(p.cite, p.headings) for p in doc.passages] == [
        ("前言(1)", ("前言",)),
        ("4(1)", ("四、发展建议",)),
        ("4.1(1)", ("四、发展建议", "（一）强化顶层设计，落实管理体系")),
        ("4.1(2)", ("四、发展建议", "（一）强化顶层设计，落实管理体系")),
        ("附录一：术语(1)", ("附录一：术语",)),
    ]
    assert doc.passages[3].text.startswith("（1）需求端，消费复苏这一行")


def test_a_lead_in_and_the_labelled_or_numbered_paragraphs_it_announces_are_one_list():
    lead = "为实现数据安全保障目标，明确责任划分，依据以下原则进行分级："
    text = "\n\n".join([
        "测试报告", "一、原则", lead,
        "合法合规：方法应遵循有关法律法规要求，对主管单位有明确管理要求的数据进行重点识别。",
        "统一维度：方法应明确思路，统一分类视角和颗粒度。",
        "此后的一段普通文字，不是条目。",
        "二、分层", "如图1所示，这套联邦协议实际上包括两层：",
        "1) 应用协议：这一层协议面向联邦算法，提供多方数据交换的应用支撑。",
        "2) 公共组件：上层应用协议所依赖的基础密码算法和安全协议。",
        "三、说明", "本章另有两点说明，分别写成完整的段落如下：",
        "（1）第一点说明的内容较长，写成一个完整的段落，讲清楚前因后果，并且用句号结束。",
        "（2）第二点说明的内容也较长，同样写成一个完整的段落，也用句号结束。",
    ])
    doc = parse(text.encode("utf-8"), Path("items.txt"), 600)
    texts = {p.cite: p.text for p in doc.passages}
    assert texts["1(1)"].split("\n") == [lead, "合法合规：方法应遵循有关法律法规要求，对主管单位有明确管理要求的数据进行重点识别。", "统一维度：方法应明确思路，统一分类视角和颗粒度。"]
    assert texts["1(2)"] == "此后的一段普通文字，不是条目。"
    assert texts["2(1)"].startswith("如图1所示，这套联邦协议实际上包括两层：\n1) 应用协议：") and texts["2(1)"].count("\n") == 2
    assert len(texts) == 6 and texts["3(1)"] == "本章另有两点说明，分别写成完整的段落如下："  # （1） is a paragraph's own number


def test_a_table_pasted_into_text_with_tabs_is_a_table():
    # Copied from Word or a spreadsheet: cells parted by tabs. A numbered line (Word's 「1.<tab>…」 pasted
    # as text), a label and its value, an indented line are text, not a table's rows.
    lines = [
        "测试报告", "", "一、收入", "", "表1 区域收入", "区域\t收入（亿元）\t增速", "华东\t25\t12%", "华南\t18\t8%", "",
        "二、说明", "", "1.\t第一点内容。", "2.\t第二点内容。", "", "电话：\t010-12345678", "邮箱：\tqa@example.com",
    ]
    doc = parse("\n".join(lines).encode("utf-8"), Path("tabs.txt"), 600)
    assert [(p.cite, p.text) for p in doc.passages][:3] == [
        ("1(1)", "表1 区域收入\n区域：华东；收入（亿元）：25；增速：12%\n区域：华南；收入（亿元）：18；增速：8%"),
        ("2(1)", "1. 第一点内容。"), ("2(2)", "2. 第二点内容。"),
    ]
    assert all("；" not in p.text and "电话：：" not in p.text for p in doc.passages[3:])  # no table of labels


def test_typed_lines_opening_with_labels_are_paragraphs_not_one_glued_line():
    # Typed in a text file, no sentence end: 「联系人：张三」 「电话：…」 had read 「联系人：张三电话：010-12345678邮箱：…」.
    lines = ["测试报告", "", "一、联系方式", "", "联系人：张三", "电话：010-12345678", "邮箱：qa@example.com"]
    doc = parse("\n".join(lines).encode("utf-8"), Path("contact.txt"), 600)
    assert [p.text for p in doc.passages] == ["联系人：张三", "电话：010-12345678", "邮箱：qa@example.com"]


PRODUCTS = ("小额贷款", "融资租赁", "商业保理")
GROWTH = "据统计，2023年全省小微企业贷款余额达到1200亿元，同比增长15%。"


@pytest.mark.parametrize("name", ["typed.txt", "typed.md"])
def test_short_lines_typed_one_a_line_are_a_list_not_one_glued_sentence(name):
    # 「主要产品包括：」 over 「小额贷款」 「融资租赁」, a line each, no punctuation: had read 「…包括：小额贷款融资租赁商业保理」.
    title, heading = ("测试报告", "一、市场概况") if name.endswith(".txt") else ("# 测试报告", "## 一、市场概况")
    lines = [title, "", heading, "", "近年来发展较快。主要产品包括：", *PRODUCTS, "", GROWTH]
    doc = parse("\n".join(lines).encode("utf-8"), Path(name), 600)
    assert [(p.text, p.lead) for p in doc.passages] == [("近年来发展较快。主要产品包括：\n" + "\n".join(PRODUCTS), True), (GROWTH, False)]
    # With no lead-in, three or more such lines are a list too; not a narrow hard wrap (lines as wide as one another,
    # wider than a few words), nor a text file's opening lines, its title's.
    strengths = ["我们的优势", "服务网点多", "审批速度快", "利率较低"]
    wrap = ["近年来全省小微企业贷款规", "模持续增长各类金融机构积", "极参与服务覆盖面不断扩大", "融资成本稳步下降。"]
    doc = parse("\n".join([title, "", heading, "", GROWTH, "", *strengths, "", *wrap]).encode("utf-8"), Path(name), 600)
    assert [p.text for p in doc.passages] == [GROWTH, "\n".join(strengths), "".join(wrap)]
    if name.endswith(".txt"):
        assert parse("\n".join(["小微金融发展报告", "二零二三年版", "青海省金融学会", "", GROWTH]).encode("utf-8"), Path(name), 600).title == (
            "小微金融发展报告二零二三年版青海省金融学会"
        )
    # One such line ends the sentence; a line with a comma runs on, as a wrapped one does.
    for after, text in ((["用户ID。"], "输入：用户ID。"), (["小额贷款", "融资租赁，商业保理。"], "主要产品包括：小额贷款融资租赁，商业保理。")):
        doc = parse("\n".join([title, "", heading, "", "主要产品包括：", *after]).encode("utf-8"), Path(name), 600)
        assert [p.text for p in doc.passages] == [text if after[0] != "用户ID。" else "主要产品包括：用户ID。"]


def test_short_word_paragraphs_in_a_row_are_a_list_not_headings(tmp_path):
    # Typed as paragraphs of their own, 「小额贷款」 「融资租赁」 had each become a heading, the text after them under
    # 「商业保理」; parted by line breaks (Shift+Enter), one paragraph 「主要机构包括： 国有银行 农商行 小贷公司」.
    import docx

    word = docx.Document()
    word.add_heading("一、市场概况", 1)
    word.add_paragraph("主要产品包括：")
    for product in PRODUCTS:
        word.add_paragraph(product)
    word.add_paragraph(GROWTH)
    broken = word.add_paragraph("主要机构包括：")
    for name in ("国有银行", "农商行", "小贷公司"):
        broken.add_run().add_break()
        broken.add_run(name)
    word.add_paragraph(GROWTH.replace("2023", "2024"))
    # With no lead-in, three short labels or more in a row: a list, not a heading each (all but the last heading nothing,
    # their words lost); one alone still heads the text after it.
    for label in ("我们的优势", "服务网点多", "审批速度快", "利率较低", GROWTH.replace("2023", "2025"), "专业研判", GROWTH):
        word.add_paragraph(label)
    word.save(tmp_path / "items.docx")
    doc = read_document(tmp_path / "items.docx")
    assert [(p.cite, p.text, p.lead) for p in doc.passages] == [
        ("1(1)", "主要产品包括：\n" + "\n".join(PRODUCTS), True), ("1(2)", GROWTH, False),
        ("1(3)", "主要机构包括：\n国有银行\n农商行\n小贷公司", True), ("1(4)", GROWTH.replace("2023", "2024"), False),
        ("1(5)", "我们的优势\n服务网点多\n审批速度快\n利率较低", False), ("1(6)", GROWTH.replace("2023", "2025"), False),
        ("1 › 专业研判(1)", GROWTH, False),
    ]


def test_a_line_break_inside_a_word_paragraph_is_a_wrap(tmp_path):
    # Shift+Enter mid-sentence had left a space: 「我省小微企业 贷款余额」; between Latin words one stays.
    import docx

    word = docx.Document()
    word.add_heading("一、市场概况", 1)
    for first, rest in (("近年来，我省小微企业", "贷款余额持续增长。"), ("Smart", "lending grows fast.")):
        paragraph = word.add_paragraph(first)
        paragraph.add_run().add_break()
        paragraph.add_run(rest)
    word.save(tmp_path / "breaks.docx")
    doc = read_document(tmp_path / "breaks.docx")
    assert [p.text for p in doc.passages] == ["近年来，我省小微企业贷款余额持续增长。", "Smart lending grows fast."]


def test_a_word_equation_is_read_in_a_line(tmp_path):
    # Word's equations (m:oMath) hold their text in m:t, not w:t: a sentence had read 「损失函数定义为，其中y为标签。」.
    # A superscript, a subscript, a fraction, a sum and brackets show their marks; an equation on a line of its own is
    # no heading (「w=w-ηg」 had headed the paragraph after it).
    import docx
    from docx.oxml import parse_xml

    math = 'xmlns:m="http://schemas.openxmlformats.org/officeDocument/2006/math"'
    run = "<m:r><m:t>{}</m:t></m:r>".format
    inline = (
        f"<m:oMath {math}>{run('L=')}<m:sSup><m:e>{run('(y-ŷ)')}</m:e><m:sup>{run('2')}</m:sup></m:sSup>{run('=')}"
        f"<m:f><m:num>{run('1')}</m:num><m:den>{run('n')}</m:den></m:f>"
        f"<m:nary><m:naryPr><m:chr m:val=\"∑\"/></m:naryPr><m:sub>{run('i=1')}</m:sub><m:sup>{run('n')}</m:sup>"
        f"<m:e><m:sSub><m:e>{run('x')}</m:e><m:sub>{run('i')}</m:sub></m:sSub></m:e></m:nary>"
        f"<m:d><m:dPr><m:begChr m:val=\"[\"/><m:endChr m:val=\"]\"/></m:dPr><m:e>{run('a,b')}</m:e></m:d></m:oMath>"
    )
    word = docx.Document()
    word.add_heading("一、模型", 1)
    paragraph = word.add_paragraph("损失函数定义为")
    paragraph._p.append(parse_xml(inline))
    paragraph.add_run("，其中y为标签。")
    word.add_paragraph()._p.append(parse_xml(f"<m:oMathPara {math}><m:oMath>{run('w=w-ηg')}</m:oMath></m:oMathPara>"))
    word.add_paragraph("上式为梯度下降的更新规则。")
    word.save(tmp_path / "model.docx")
    doc = read_document(tmp_path / "model.docx")
    assert [(p.cite, p.text) for p in doc.passages] == [
        ("1(1)", "损失函数定义为L=(y-ŷ)^2=1/n∑_i=1^nx_i[a,b]，其中y为标签。"), ("1(2)", "上式为梯度下降的更新规则。"),
    ]


def test_a_word_smartart_diagrams_boxes_are_read_as_a_list(tmp_path):
    # SmartArt keeps its boxes' text in a part of its own that python-docx never reads: the steps were in no passage.
    lead, after = "隐私计算平台的联合建模分为以下几个步骤：", "模型训练完成后，由各方共同评审。"
    boxes = ["初始化", "数据准备", "隐私求交", "联合建模"]
    doc = read_document(documents.smartart_docx(tmp_path / "flow.docx", lead, boxes, after))
    assert [(p.text, p.lead) for p in doc.passages] == [("\n".join([lead, *boxes]), True), (after, False)]


def test_a_word_diagram_whose_part_is_damaged_is_left_out_and_the_rest_read(tmp_path):
    # A SmartArt data part that is not XML (a file cut short, a tool's bug) had made the whole file unreadable.
    lead, after = "联合建模分为以下几个步骤：", "模型训练完成后，由各方共同评审。"
    path = documents.smartart_docx(tmp_path / "flow.docx", lead, ["初始化", "数据准备"], after)
    with zipfile.ZipFile(path) as z:
        parts = {name: z.read(name) for name in z.namelist()}
    parts["word/diagrams/data1.xml"] = parts["word/diagrams/data1.xml"][:120]
    with zipfile.ZipFile(path, "w") as z:
        for name, data in parts.items():
            z.writestr(name, data)
    assert [p.text for p in read_document(path).passages] == [lead, after]


def test_a_word_charts_title_and_figures_are_a_table(tmp_path):
    # A chart keeps its title and the cells it plots in a part of its own that python-docx never reads: the figures
    # were in no passage. They are a table led by the title, a category a row, a percentage as the chart shows it.
    lead, after = "近年来青海小微企业贷款保持增长。", "贷款增速有所放缓。"
    path = documents.chart_docx(
        tmp_path / "chart.docx", lead, "2019-2021年小微企业贷款余额", "年份",
        [("贷款余额（亿元）", "General", [1203.5, 1389.9999999999998, 1562]), ("同比增速", "0.0%", [0.112, 0.155, 0.1237])],
        ["2019年", "2020年", "2021年"], after,
    )
    doc = read_document(path)
    assert [(p.text, p.lead) for p in doc.passages] == [
        (lead, False),
        ("\n".join([
            "2019-2021年小微企业贷款余额",
            "年份：2019年；贷款余额（亿元）：1203.5；同比增速：11.2%",
            "年份：2020年；贷款余额（亿元）：1390；同比增速：15.5%",
            "年份：2021年；贷款余额（亿元）：1562；同比增速：12.4%",
        ]), True),
        (after, False),
    ]


def test_a_word_97_doc_is_read_as_word_saves_it_as_text(tmp_path):
    # A .doc had been refused (「save it as .docx」). Its text lies in pieces the piece table lists, UTF-16 or 8-bit (a
    # Latin run, at half its offset); a field shows its result, not its instruction; a table's cells end at \x07, a
    # row at a second one; a page break parts lines. Headings come from their numbering, as in a text file.
    pieces = [
        ("一、市场概况\r青海省小微企业贷款余额持续增长，\x13 HYPERLINK \"http://example.com\" \x14详见附表\x15。", False),
        (" Fintech lending grew.\r", True),
        ("二、主要机构\r机构\x07数量\x07\x07银行\x0712\x07\x07小额贷款公司\x0730\x07\x07截至2023年末，全省共有小额贷款公司30家。"
         "\x0c三、展望\r预计小微金融将继续发展。\r", False),
    ]
    doc = read_document(documents.word97_doc(tmp_path / "旧报告.doc", pieces))
    saved_by_wps = read_document(documents.word97_doc(tmp_path / "旧报告.wps", pieces))  # WPS Office's .wps: the same format
    assert saved_by_wps.passages == doc.passages
    assert [(p.cite, p.text) for p in doc.passages] == [
        ("1(1)", "青海省小微企业贷款余额持续增长，详见附表。 Fintech lending grew."),
        ("2(1)", "二、主要机构\n机构：银行；数量：12\n机构：小额贷款公司；数量：30"),
        ("2(2)", "截至2023年末，全省共有小额贷款公司30家。"),
        ("3(1)", "预计小微金融将继续发展。"),
    ]
    assert [p.headings for p in doc.passages] == [("一、市场概况",), ("二、主要机构",), ("二、主要机构",), ("三、展望",)]


def test_a_doc_title_is_read_from_its_properties_and_a_damaged_property_count_costs_nothing(tmp_path):
    # olefile's get_metadata spent hours on a property that claims 3.4 billion values (one flipped byte in a mutated
    # file); the title is read here, in the file's code page, and nothing else.
    pieces = [("一、概况\r正文内容，这是一个句子。\r", False)]
    titled = documents.word97_doc(tmp_path / "a.doc", pieces, title="青海省小微金融报告")
    assert read_document(titled).title == "青海省小微金融报告"
    damaged = documents.word97_doc(tmp_path / "b.doc", pieces, title="青海省小微金融报告", damaged_properties=True)
    assert read_document(damaged).title == "青海省小微金融报告"


def test_a_doc_whose_bytes_name_another_file_is_not_read_from_that_file(tmp_path):
    # olefile takes bytes shorter than a compound file for a file name: a .doc holding 「/somewhere/secret.doc」 had been
    # read as that file, outside the corpus folder.
    (tmp_path / "elsewhere").mkdir()
    secret = documents.word97_doc(tmp_path / "elsewhere" / "secret.doc", [("一、机密\r不应被读到的内容。\r", False)])
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "pointer.doc").write_bytes(str(secret).encode())
    assert read_document(secret).passages  # the file it names can be read
    with pytest.raises(CorpusError, match="cannot be read as a Word 97-2003 .doc"):
        read_document(corpus / "pointer.doc")


@pytest.mark.parametrize("kind, expected", [
    ("encrypted", "password-protected"), ("word95", "Word 6 or Word 95"), ("not_ole", "cannot be read as a Word 97-2003 .doc"),
    ("no_table", "lacks its 0Table stream"),
])
def test_a_doc_that_cannot_be_read_says_why(tmp_path, kind, expected):
    path = tmp_path / "bad.doc"
    pieces = [("一、概况\r正文。\r", False)]
    if kind == "encrypted":
        documents.word97_doc(path, pieces, flags=0x0200 | 0x0100)
    elif kind == "word95":
        documents.word97_doc(path, pieces, version=0x0065)
    elif kind == "no_table":
        documents.word97_doc(path, pieces, flags=0)  # says 0Table, holds 1Table
    else:
        path.write_bytes(b"\xd0\xcf\x11\xe0 not really a compound file")
    with pytest.raises(CorpusError, match=re.escape(expected)):
        read_document(path)


_WEB_PAGE = """<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>2024年某省小微金融发展报告_某省金融局</title>
<style>p { color: red }</style><script>var a = "<p>不是正文</p>";</script></head>
<body>
<header><a href="/">首页</a> <a href="/news">新闻</a></header>
<nav><ul><li><a href="/a">机构概况</a></li><li><a href="/b">政策法规</a></li></ul></nav>
<div class="menu"><a href="/x">通知公告</a> | <a href="/y">办事服务</a></div>
<article>
<header><h1>2024年某省小微金融发展报告</h1><p>发布时间：2024-03-01</p></header>
<h2>一、总体情况</h2>
<p>2023年末，全省小微企业贷款余额&nbsp;1,562亿元，同比增长12.4%。<br>普惠小微贷款户数达到8.6万户。</p>
<p>详见<a href="/t">附表</a>。</p>
<h2>二、主要机构</h2>
<p>主要机构包括：</p>
<ul><li>国有商业银行</li><li>农村信用社</li><li>小额贷款公司</li></ul>
<table><tr><th>机构</th><th>数量</th></tr><tr><td>银行</td><td>12</td></tr><tr><td>小额贷款公司</td><td>30</td></tr></table>
<figure><img src="a.png" alt="图1 小微企业贷款余额变化"></figure>
<h2>三、展望</h2>
<table><tr><td><p>预计2024年小微金融将继续发展，服务覆盖面进一步扩大，融资成本稳中有降。各金融机构将加大首贷、信用贷投放力度，完善尽职免责机制，提升服务小微企业的能力和水平，推动普惠金融高质量发展。</p></td><td><a href="/p">上一篇</a></td></tr></table>
</article>
<aside><h3>相关阅读</h3><ul><li><a href="/r1">另一篇报告</a></li></ul></aside>
<footer>版权所有 © 某省金融局 <a href="/c">联系我们</a></footer>
</body></html>
"""


def test_a_web_page_is_read_as_its_article_without_the_sites_menus_and_footer(tmp_path):
    # A report published on a web page and saved from the browser had been passed over (「print it to PDF」). Its
    # article is read: headings, paragraphs (a <br> a wrap), a list under its lead-in, a data table, a figure's alt
    # text; the site's header, menus, sidebar, footer, scripts and a cell of links are not text.
    (tmp_path / "报告.html").write_text(_WEB_PAGE, encoding="utf-8")
    doc = read_document(tmp_path / "报告.html")
    assert doc.title == "2024年某省小微金融发展报告"
    assert [(p.cite, p.text) for p in doc.passages] == [
        ("(1)", "发布时间：2024-03-01"),
        ("1(1)", "2023年末，全省小微企业贷款余额 1,562亿元，同比增长12.4%。普惠小微贷款户数达到8.6万户。"),
        ("1(2)", "详见附表。"),
        ("2(1)", "主要机构包括：\n国有商业银行\n农村信用社\n小额贷款公司"),
        ("2(2)", "二、主要机构\n机构：银行；数量：12\n机构：小额贷款公司；数量：30"),
        ("2(3)", "图1 小微企业贷款余额变化"),
        ("3(1)", "预计2024年小微金融将继续发展，服务覆盖面进一步扩大，融资成本稳中有降。各金融机构将加大首贷、信用贷投放力度，完善尽职"
                 "免责机制，提升服务小微企业的能力和水平，推动普惠金融高质量发展。"),
    ]


def test_an_old_web_page_laid_out_in_tables_and_saved_in_gbk_is_read(tmp_path):
    # No <article>, no heading tags: a table lays out the page, its cells hold the menu, a breadcrumb and the text
    # (paragraphs whose 一、 lines are the headings; a sentence of links stays); the title is the <title> less the
    # site's name.
    page = """<html><head><meta http-equiv="Content-Type" content="text/html; charset=gb2312">
<title>2024年政府工作报告_中国政府网</title></head><body><table width="100%">
<tr><td><a href="/">首页</a> <a href="/y">要闻</a> <a href="/z">政策</a></td></tr>
<tr><td><div><a href="/">首页</a> &gt; <a href="/z">政策</a> &gt; <a href="/z/1">最新</a></div></td></tr>
<tr><td><table><tr><td><p>一、2023年工作回顾</p>
<p>过去一年，我们坚持稳中求进工作总基调，经济社会发展主要目标任务圆满完成，国内生产总值增长5.2%。</p>
<p>参见<a href="/1">《数据安全法》</a>和<a href="/2">《个人信息保护法》</a>。</p>
<p>二、2024年经济社会发展总体要求和政策取向</p>
<p>今年发展主要预期目标是：国内生产总值增长5%左右；城镇新增就业1200万人以上。</p></td></tr></table></td></tr>
</table></body></html>"""
    (tmp_path / "gov.htm").write_bytes(page.encode("gb18030"))
    doc = read_document(tmp_path / "gov.htm")
    assert doc.title == "2024年政府工作报告"
    assert [(p.cite, p.headings, p.text[:12]) for p in doc.passages] == [
        ("1(1)", ("一、2023年工作回顾",), "过去一年，我们坚持稳中求"),
        ("1(2)", ("一、2023年工作回顾",), "参见《数据安全法》和《个"),
        ("2(1)", ("二、2024年经济社会发展总体要求和政策取向",), "今年发展主要预期目标是："),
    ]


def test_a_web_pages_text_that_looks_like_markdown_or_html_stays_text(tmp_path):
    # The page is read through the Markdown reader: 「<div>」 in a sentence had split it, a 「|」 line made a table, and a
    # line of dashes under a <br> made the line above a heading.
    page = ("<html><body><h1>测试页</h1><p>公式 a &lt; b &amp;&amp; c，其中&lt;div&gt;是标签。</p>"
            "<p>第一行<br>------<br>第二行，这是正文。</p><p>| 不是表格 | 是一句话。 |</p><p>&gt; 不是引用。</p><p># 不是标题</p>"
            "<h2>二、小节 &lt;草稿&gt;</h2><p>正文句子。</p></body></html>")
    (tmp_path / "page.html").write_text(page, encoding="utf-8")
    assert [(p.headings, p.text) for p in read_document(tmp_path / "page.html").passages] == [
        ((), "公式 a < b && c，其中<div>是标签。"), ((), "第一行------第二行，这是正文。"), ((), "| 不是表格 | 是一句话。 |"),
        ((), "> 不是引用。"), ((), "# 不是标题"), (("二、小节 <草稿>",), "正文句子。"),
    ]


@pytest.mark.timeout(30)  # 4 s; ~100 s when each table's lines were copied up through every table around it
def test_a_web_page_nesting_200_000_tables_is_read_in_bounded_time(tmp_path):
    page = "<table><tr><td>" * 200_000 + "正文内容，这是一个句子。" + "</td></tr></table>" * 200_000
    (tmp_path / "deep.html").write_text(page, encoding="utf-8")
    assert [p.text for p in read_document(tmp_path / "deep.html").passages] == ["正文内容，这是一个句子。"]


def test_a_web_page_tables_dash_for_no_figure_is_a_value(tmp_path):
    # A cell of no words and no links (「-」, a broker's 「no figure」) had been taken for a cell of links and left out —
    # in web pages and in every format read through them (.doc, .odt, .rtf, Word 2003 XML, web archives).
    page = ("<html><body><h2>一、估值</h2><table><tr><td>公司</td><td>PE</td><td>EV/EBITDA</td></tr>"
            "<tr><td>燕京啤酒</td><td>16.30</td><td>-</td></tr></table></body></html>")
    (tmp_path / "t.html").write_text(page, encoding="utf-8")
    assert [p.text for p in read_document(tmp_path / "t.html").passages] == ["一、估值\n公司：燕京啤酒；PE：16.30；EV/EBITDA：-"]


def test_a_web_pages_line_breaks_list_numbers_and_items_of_paragraphs_read_as_a_browser_shows_them(tmp_path):
    # A page wrapped in its source (pandoc's, an editor's) had a line break at each wrap: 「近 5 年」 ran into 「28.2%」,
    # and a wrapped line opening 「5 年」 could be taken for section 5. An <ol>'s numbers, which a browser shows, were
    # lost, and an item of paragraphs (<li><p>…</p></li>) was no item. An item left open (no </li>) ends at the list's end.
    page = ("<html><body><h2>一、估值</h2><p>板块 PE 处于近 5 年\n28.2% 分位，在中信一级行业\r\n中排第 15 位。</p>"
            '<p>三个看点：</p><ol start="2"><li>政策协同性</li><li>预期管理</li></ol>'
            '<p>风险：</p><ol type="a"><li>需求不及预期</li><li value="4">价格波动</li></ol>'
            "<p>本周事件：</p><ul><li><p>特斯拉试运行。</p><p>搭载 FSD。</p></li><li><p>零售数据发布。</p></li></ul>"
            "<p>合同约定如下。</p><ul><li>甲方承担费用<li>乙方承担责任</ul><p>这是正文段落，不是列表。</p></body></html>")
    (tmp_path / "page.html").write_text(page, encoding="utf-8")
    assert [p.text for p in read_document(tmp_path / "page.html").passages] == [
        "板块 PE 处于近 5 年 28.2% 分位，在中信一级行业中排第 15 位。", "三个看点：\n2. 政策协同性\n3. 预期管理",
        "风险：\na. 需求不及预期\nd. 价格波动", "本周事件：\n特斯拉试运行。\n搭载 FSD。\n零售数据发布。", "合同约定如下。", "甲方承担费用\n乙方承担责任",
        "这是正文段落，不是列表。",
    ]


def test_a_web_archive_reads_as_its_page(tmp_path):
    # A page saved as one file (.mht, .mhtml) had been passed over (「save the page as .html」). Word's writes the page in
    # a Chinese code page, quoted-printable; the picture after it is no text.
    (tmp_path / "page.html").write_text(_WEB_PAGE, encoding="utf-8")
    page = read_document(tmp_path / "page.html")
    word = read_document(documents.word_mht(_WEB_PAGE.replace('charset="utf-8"', 'charset="gb2312"'), tmp_path / "word.mht"))
    assert (word.title, word.passages) == (page.title, tuple(replace(p, doc="word") for p in page.passages))
    nested = b"MIME-Version: 1.0\r\n" + b"".join(b"Content-Type: multipart/mixed; boundary=b%d\r\n\r\n--b%d\r\n" % (i, i)
                                                  for i in range(20_000))
    (tmp_path / "nested.mht").write_bytes(nested)
    with pytest.raises(CorpusError, match="nested too deep"):  # the parser's recursion overran
        read_document(tmp_path / "nested.mht")
    if not Path(documents.CHROMIUM).exists():
        pytest.skip("Debian chromium not installed (make test installs it as root): no browser's web archive")
    browser = read_document(documents.chromium_mhtml(_WEB_PAGE, tmp_path / "saved.mhtml"))
    assert (browser.title, browser.passages) == (page.title, tuple(replace(p, doc="saved") for p in page.passages))


def test_a_file_named_for_another_format_is_read_as_what_its_bytes_are(tmp_path):
    # Web systems export a 「.xls」 that is an HTML table or a 「.doc」 that is a web archive, RTF or a Word 2007 package,
    # and a renamed file keeps its bytes: each had been refused (「cannot be read as a Word 97-2003 .doc file」). Word and
    # Excel open them by what they hold; so does the corpus.
    named = {
        "rtf.doc": documents.word_rtf(tmp_path / "a.rtf"),
        "docx.doc": documents.word_docx(tmp_path / "a.docx"),
        "doc.docx": documents.word97_doc(tmp_path / "a.doc", [("一、概况\r正文内容，这是一个句子。\r", False)]),
        "xls.xlsx": documents.xls_workbook(tmp_path / "a.xls", {"产值": [["地区", "产值"], ["西宁", 12]]}),
        "mht.doc": documents.word_mht(_WEB_PAGE, tmp_path / "a.mht"),
        "ppt.pptx": documents.powerpoint97_ppt(tmp_path / "a.ppt", _PPT_SLIDES),
    }
    gbk_table = "<meta charset=gb2312><table><tr><td>地区</td><td>产值（亿元）</td></tr><tr><td>西宁</td><td>12</td></tr></table>"
    (tmp_path / "a.html").write_bytes(gbk_table.encode("gb18030"))
    named["html.xls"] = tmp_path / "a.html"
    renamed = tmp_path / "renamed"
    renamed.mkdir()
    for name, source in named.items():
        (renamed / name).write_bytes(source.read_bytes())
        expected, got = read_document(source), read_document(renamed / name)
        assert [(p.cite, p.headings, p.text, p.page) for p in got.passages] == [
            (p.cite, p.headings, p.text, p.page) for p in expected.passages], name
        assert got.title == (expected.title if expected.title != "a" else name.split(".")[0]), name  # a file's stem when untitled
    assert [p.text for p in read_document(renamed / "html.xls").passages] == ["地区：西宁；产值（亿元）：12"]
    # A text file keeps what it holds: HTML typed in a .txt is its text.
    (renamed / "notes.txt").write_text("<html><body><p>网页源代码的例子，这是一个句子。</p></body></html>", encoding="utf-8")
    assert "<p>" in read_document(renamed / "notes.txt").passages[0].text


def test_a_word_2003_xml_document_exported_as_doc_is_read(tmp_path):
    # What many systems export as 「.doc」 (a Word template filled in by a server) is Word 2003 XML: it had been refused
    # (「not an OLE2 structured storage file」). Headings by style, the list numbers Word wrote, a link's and a field's
    # text, an insertion kept and a deletion, hidden text and the typed-in contents left out, a text box's paragraph
    # after its own, the table's rows, the footnote and the endnote a 「脚注」 part; the stored title.
    document = read_document(documents.word2003_xml(tmp_path / "导出.doc"))
    assert document.title == "某省小微金融发展报告（2023）"
    assert [(p.cite, p.text) for p in document.passages] == [
        ("发展现状(1)", "全省小微金融服务体系逐步完善，详见附表，服务覆盖面持续扩大。"),
        ("发展现状 › 贷款规模(1)", "截至2023年末，贷款余额1562亿元，同比增长12.4%。"),
        ("发展现状 › 贷款规模(2)", "专栏1：首贷户拓展行动。"),
        ("发展现状 › 贷款规模(3)", "主要做法包括：\n（一）扩大信用贷款投放。\n（二）降低小微企业融资成本。"),
        ("主要机构(1)", "主要机构\n机构：国有商业银行；数量：12\n机构：小额贷款公司；数量：30"),
        ("脚注(1)", "[1] 数据来源：某省金融局。"),
        ("脚注(2)", "[i] 统计口径见附录。"),  # an endnote numbered as Word numbers one (it had been [2])
    ]
    deep = ('<?xml version="1.0"?><?mso-application progid="Word.Document"?><w:wordDocument '
            'xmlns:w="http://schemas.microsoft.com/office/word/2003/wordml"><w:body>' + "<w:p>" * 100_000 + "</w:p>" * 100_000
            + "</w:body></w:wordDocument>")  # nested past lxml's bound of 256 levels
    (tmp_path / "deep.doc").write_text(deep)
    with pytest.raises(CorpusError, match="cannot be read as a Word 2003 XML document"):
        read_document(tmp_path / "deep.doc")


def test_a_password_protected_office_file_or_a_powerpoint_xml_one_says_why_it_is_not_read(tmp_path):
    from msoffcrypto.format.ooxml import OOXMLFile

    with documents.word_docx(tmp_path / "open.docx").open("rb") as source, (tmp_path / "locked.docx").open("wb") as locked:
        OOXMLFile(source).encrypt("secret", locked)  # as Word saves a file with a password: a compound file, not a zip
    with pytest.raises(CorpusError, match="is password-protected; save it without a password"):
        read_document(tmp_path / "locked.docx")
    (tmp_path / "deck.pptx").write_text('<?xml version="1.0"?>\n<?mso-application progid="PowerPoint.Show"?>'
                                        '<pkg:package xmlns:pkg="http://schemas.microsoft.com/office/2006/xmlPackage"/>')
    with pytest.raises(CorpusError, match=r"is a PowerPoint XML presentation, not a \.pptx file.*save it as \.pptx"):
        read_document(tmp_path / "deck.pptx")
    (tmp_path / "cnki.doc").write_bytes(documents.compound_file({"Workbook2": bytes(4096)}))  # a compound file of no known kind
    with pytest.raises(CorpusError, match=r"holds no Word 97-2003 document"):  # read by its suffix: no stream says otherwise
        read_document(tmp_path / "cnki.doc")


_PPT_SLIDES = [
    {"title": "2024年某省小微金融发展报告", "body": ["某省金融研究院 2024年3月"]},
    {"title": "市场概况", "body": ["贷款余额1562亿元，同比增长12.4%。", "Fintech lending grew."], "boxes": [(3000, "注：数据来源于某省金融局。")],
     "notes": "贷款余额增速高于各项贷款。", "date": "2024/3/1"},
    {"title": "草稿", "body": ["不应读取的内容。"], "hidden": True},
    {"title": "目录", "body": ["市场概况", "主要机构"]},
    {"title": "主要机构", "body": ["主要机构包括：", "国有商业银行", "小额贷款公司"]},
]


def test_a_powerpoint_97_deck_is_read_as_its_pptx_would_be(tmp_path):
    # A .ppt (and WPS's .dps, the same format) had been passed over (「save it as .pptx」). Laid out as PowerPoint writes
    # one — titles and bodies in the document's slide list, the slides' placeholders pointing to them — each slide's
    # title heads its text, a text box placed below follows, the speaker notes after; a hidden slide, a contents slide
    # and the date placeholder are left out; the number of a slide is its page; the cover's title the deck's.
    deck = read_document(documents.powerpoint97_ppt(tmp_path / "汇报.ppt", _PPT_SLIDES))
    assert (deck.title, deck.pages) == ("2024年某省小微金融发展报告", 5)
    assert [(p.cite, p.page, p.text) for p in deck.passages] == [
        ("(1)", 1, "某省金融研究院 2024年3月"),
        ("市场概况(1)", 2, "贷款余额1562亿元，同比增长12.4%。\nFintech lending grew."),
        ("市场概况(2)", 2, "注：数据来源于某省金融局。"),
        ("市场概况(3)", 2, "贷款余额增速高于各项贷款。"),
        ("主要机构(1)", 5, "主要机构包括：\n国有商业银行\n小额贷款公司"),
    ]
    titled = read_document(documents.powerpoint97_ppt(tmp_path / "titled.dps", _PPT_SLIDES, title="某省小微金融报告"))
    assert titled.title == "某省小微金融报告" and [p.text for p in titled.passages][1:] == [p.text for p in deck.passages][1:]
    with pytest.raises(CorpusError, match="is password-protected"):
        read_document(documents.powerpoint97_ppt(tmp_path / "locked.ppt", _PPT_SLIDES, encrypted=True))


@pytest.mark.skipif(bool(documents.NO_IMPRESS), reason=documents.NO_IMPRESS)
@pytest.mark.parametrize("suffix", [".ppt", ".odp"])
def test_a_deck_libreoffice_writes_as_powerpoint_97_or_opendocument_reads_as_its_pptx(suffix, tmp_path):
    # Another program's decks: pandoc writes one as .pptx, LibreOffice that as PowerPoint 97 (text in each slide's own
    # text boxes, a table a group of cells, notes pages) and as OpenDocument (.odp had been passed over too). Each reads
    # into the .pptx's passages.
    import pypandoc

    markdown = ("---\ntitle: 某省小微金融发展报告\n---\n\n# 发展现状\n\n全省小微金融服务体系逐步完善，服务覆盖面持续扩大。\n\n# 主要做法\n\n"
                "主要做法包括：\n\n- 扩大信用贷款投放。\n- 降低小微企业融资成本。\n\n::: notes\n贷款余额同比增长12.4%，高于各项贷款增速。\n:::\n\n"
                "# 主要机构\n\n| 机构 | 数量 |\n|---|---|\n| 国有商业银行 | 12 |\n| 小额贷款公司 | 30 |\n")
    source = tmp_path / "汇报.pptx"
    pypandoc.convert_text(markdown, "pptx", format="markdown", outputfile=str(source), extra_args=["--standalone"])
    written = documents.office_convert([source], suffix, tmp_path / "written")[0]
    pptx, ppt = read_document(source), read_document(written)
    assert (ppt.title, ppt.pages) == (pptx.title, pptx.pages) == ("某省小微金融发展报告", 4)
    assert [(p.cite, p.page, p.text) for p in ppt.passages] == [(p.cite, p.page, p.text) for p in pptx.passages] == [
        ("发展现状(1)", 2, "全省小微金融服务体系逐步完善，服务覆盖面持续扩大。"),
        ("主要做法(1)", 3, "主要做法包括：\n扩大信用贷款投放。\n降低小微企业融资成本。"),
        ("主要做法(2)", 3, "贷款余额同比增长12.4%，高于各项贷款增速。"),
        ("主要机构(1)", 4, "主要机构\n机构：国有商业银行；数量：12\n机构：小额贷款公司；数量：30"),
    ]


def test_office_files_with_macros_templates_and_slide_shows_read_as_their_documents(tmp_path):
    # A Word file with macros (.docm), a template (.dotx), a deck with macros or saved as a slide show (.pptm, .ppsx,
    # .pps) and a workbook with macros (.xlsm) are the formats they are named after; each had been passed over (and
    # python-docx refuses a .docm's content type). Each reads into its source's passages.
    source = documents.office_report_docx(tmp_path / "报告.docx")
    word = read_document(source)
    with zipfile.ZipFile(source) as docx, zipfile.ZipFile(tmp_path / "宏.docm", "w") as docm:  # Word's content type for one
        for name in docx.namelist():
            data = docx.read(name)
            if name == "[Content_Types].xml":
                data = data.replace(b"wordprocessingml.document.main+xml", b"dummy").replace(
                    b"application/vnd.openxmlformats-officedocument.dummy", b"application/vnd.ms-word.document.macroEnabled.main+xml")
                assert b"macroEnabled" in data
            docm.writestr(name, data)
    assert read_document(tmp_path / "宏.docm").passages == tuple(replace(p, doc="宏") for p in word.passages)
    if documents.NO_IMPRESS or documents.NO_CALC:
        pytest.skip(documents.NO_IMPRESS or documents.NO_CALC)
    import pypandoc

    deck = tmp_path / "汇报.pptx"
    pypandoc.convert_text("# 发展现状\n\n全省小微金融服务体系逐步完善。\n\n# 主要做法\n\n- 扩大信用贷款投放。\n- 降低融资成本。\n",
                          "pptx", format="markdown", outputfile=str(deck), extra_args=["--standalone"])
    workbook = documents.xls_workbook(tmp_path / "数据.xls", WORKBOOK, merged={"贷款情况": [(0, 0, 0, 3)], "机构": [(1, 2, 0, 0)]}, hidden=("草稿",))
    for original, suffixes in ((source, (".docm", ".dotx")), (deck, (".pptm", ".ppsx", ".pps")), (workbook, (".xlsm",))):
        expected = [(p.cite, p.page, p.text) for p in read_document(original).passages]
        for suffix in suffixes:
            written = documents.office_convert([original], suffix, tmp_path / suffix[1:])[0]
            assert [(p.cite, p.page, p.text) for p in read_document(written).passages] == expected, suffix


def test_a_powerpoint_deck_is_read_slide_by_slide(tmp_path):
    # A deck had been passed over (「save it as PDF」). Each slide's title heads its text, read top to bottom; a slide's
    # number is its page; the cover's title is the deck's (the stored one is PowerPoint's default); a hidden slide, a
    # contents slide and the slide number's placeholder are left out; a picture's caption kept, the speaker notes too;
    # a table and a chart as in Word.
    from .documents import chart_xml, pptx_deck, slide_chart, slide_picture, slide_table, slide_text

    slides = [
        slide_text(["2024年某省小微金融发展报告"], 100, "ctrTitle") + slide_text(["某省金融研究院 2024年3月"], 300, "subTitle"),
        slide_text(["主要结论："], 300) + slide_text(["市场概况"], 0, "title") + slide_text(["贷款余额1562亿元，同比\n增长12.4%，Fintech\nlending grew。"], 200)
        + slide_text(["2"], 900, "sldNum") + slide_picture("图1：2019-2023年贷款余额", 250) + slide_picture("图片 3", 260),
        "hidden:" + slide_text(["备用页"], 0, "title") + slide_text(["不在演示中的内容。"], 100),
        slide_text(["目 录"], 0, "title") + slide_text(["市场概况", "主要机构"], 100),
        slide_text(["主要机构"], 0, "title") + slide_text(["机构包括：", "国有商业银行", "小额贷款公司"], 100)
        + slide_table([["机构", "数量"], ["银行", "12"], ["小贷公司", "30"]], 400) + slide_chart(600),
    ]
    chart = chart_xml("贷款余额", "年份", [("余额（亿元）", "General", [1390, 1562])], ["2022年", "2023年"])
    notes = {"slide2.xml": slide_text(["2"], 0, "sldNum") + slide_text(["贷款增长主要来自普惠小微贷款的投放。"], 100, "body")}
    deck = pptx_deck(tmp_path / "deck.pptx", slides, title="PowerPoint 演示文稿", charts={"slide5.xml": chart}, notes=notes)
    doc = read_document(deck)
    assert (doc.title, doc.pages) == ("2024年某省小微金融发展报告", 5)
    assert [(p.cite, p.page, p.text) for p in doc.passages] == [
        ("(1)", 1, "某省金融研究院 2024年3月"),
        ("市场概况(1)", 2, "贷款余额1562亿元，同比增长12.4%，Fintech lending grew。"),  # line breaks: wrapped lines
        ("市场概况(2)", 2, "图1：2019-2023年贷款余额"),  # a picture's alt text when a caption; 「图片 3」 is none
        ("市场概况(3)", 2, "主要结论："),
        ("市场概况(4)", 2, "贷款增长主要来自普惠小微贷款的投放。"),  # the speaker notes, after the slide's content
        ("主要机构(1)", 5, "机构包括：\n国有商业银行\n小额贷款公司"),
        ("主要机构(2)", 5, "主要机构\n机构：银行；数量：12\n机构：小贷公司；数量：30"),
        ("主要机构(3)", 5, "贷款余额\n年份：2022年；余额（亿元）：1390\n年份：2023年；余额（亿元）：1562"),
    ]


def test_a_pptx_that_cannot_be_read_says_why(tmp_path):
    (tmp_path / "bad.pptx").write_bytes(b"PK\x03\x04 not a deck")
    with pytest.raises(CorpusError, match="cannot be read as a PowerPoint .pptx file"):
        read_document(tmp_path / "bad.pptx")


def test_a_damaged_slide_is_left_out_not_the_deck(tmp_path):
    from .documents import pptx_deck, slide_text

    slides = [slide_text(["市场概况"], 0, "title") + slide_text(["贷款余额1562亿元，同比增长12.4%。"], 100),
              slide_text(["主要机构"], 0, "title") + slide_text(["国有商业银行12家。"], 100),
              slide_text(["发展建议"], 0, "title") + slide_text(["扩大信用贷款投放。"], 100)]
    deck = pptx_deck(tmp_path / "deck.pptx", slides)
    with zipfile.ZipFile(deck) as z:
        parts = {name: z.read(name) for name in z.namelist()}
    parts["ppt/slides/slide2.xml"] = parts["ppt/slides/slide2.xml"][:150]  # cut off mid-element
    with zipfile.ZipFile(deck, "w") as z:
        for name, data in parts.items():
            z.writestr(name, data)
    doc = read_document(deck)
    assert [(p.page, p.text) for p in doc.passages] == [(1, "贷款余额1562亿元，同比增长12.4%。"), (3, "扩大信用贷款投放。")]


# A workbook's sheets (a cell: text, a number, or (number, style): 1 a percentage 0.0%, 2 a date) and what they read as,
# written as .xlsx and as .xls.
WORKBOOK = {
    "贷款情况": [["2023年各地区小微企业贷款情况"], ["地区", "贷款余额（亿元）", "同比增速", "统计日期"],
             ["西宁", 820.5, (0.1237, 1), (45291, 2)], ["海东", 1389.9999999999998, (0.089, 1), (45291, 2)],
             ["注：增速为名义增速。"]],
    "机构": [["类别", "机构", "数量"], ["银行业", "国有银行", 5], [None, "农商行", 30], ["非银行", "小贷公司", 30]],
    "草稿": [["不应读取", "的内容"], ["1", "2"]],
}
WORKBOOK_PASSAGES = [
    ("贷款情况(1)", "2023年各地区小微企业贷款情况\n地区：西宁；贷款余额（亿元）：820.5；同比增速：12.4%；统计日期：2023-12-31\n"
                 "地区：海东；贷款余额（亿元）：1390；同比增速：8.9%；统计日期：2023-12-31"),
    ("贷款情况(2)", "注：增速为名义增速。"),
    ("机构(1)", "机构\n类别：银行业；机构：国有银行；数量：5\n类别：银行业；机构：农商行；数量：30\n类别：非银行；机构：小贷公司；数量：30"),
]


def test_an_excel_workbook_is_read_a_sheet_a_section_its_table_led_by_its_title_row(tmp_path):
    # A workbook had been passed over (「put the table in a .docx」). Each visible sheet is a section; its table's rows
    # are sentences under the header, led by the title row above (merged across the table: one cell); the one-cell rows
    # under it are paragraphs; numbers as Excel shows them (a percentage, a date, no float noise); a category merged
    # down its rows names each of them.
    from .documents import xlsx_workbook

    path = xlsx_workbook(tmp_path / "数据.xlsx", WORKBOOK, merged={"贷款情况": ["A1:D1"], "机构": ["A2:A3"]}, hidden=("草稿",),
                         title="某省小微金融数据")
    doc = read_document(path)
    assert doc.title == "某省小微金融数据"
    assert [(p.cite, p.text) for p in doc.passages] == WORKBOOK_PASSAGES


@pytest.mark.skipif(bool(documents.NO_CALC), reason=documents.NO_CALC)
def test_an_opendocument_spreadsheet_calc_writes_is_read_as_an_xlsx_is(tmp_path):
    # An .ods had been passed over (「save it as .xlsx」). The workbook of the .xlsx test, written by xlwt and saved by
    # LibreOffice Calc as .ods, reads into the same passages: formats, the merged ranges, the hidden sheet, and the
    # million empty rows Calc repeats to a sheet's end (skipped, not made).
    from .documents import xls_workbook

    source = xls_workbook(tmp_path / "数据.xls", WORKBOOK, merged={"贷款情况": [(0, 0, 0, 3)], "机构": [(1, 2, 0, 0)]}, hidden=("草稿",))
    written = documents.office_convert([source], ".ods", tmp_path / "written")[0]
    assert [(p.cite, p.text) for p in read_document(written).passages] == WORKBOOK_PASSAGES
    with zipfile.ZipFile(written) as package:
        content = package.read("content.xml").decode("utf-8")
    assert 'table:number-rows-repeated="1048570"' in content  # what Calc wrote
    far = content.replace(
        '<table:table-row table:style-name="ro1"><table:table-cell table:style-name="ce1" office:value-type="string" '
        'calcext:value-type="string"><text:p>注', '<table:table-row table:style-name="ro1" table:number-rows-repeated="999999999">'
        '<table:table-cell table:style-name="ce1" office:value-type="string" calcext:value-type="string"><text:p>注', 1)
    assert far != content
    with zipfile.ZipFile(written) as package, zipfile.ZipFile(tmp_path / "far.ods", "w") as out:
        for item in package.infolist():
            out.writestr(item, far if item.filename == "content.xml" else package.read(item.filename))
    with pytest.raises(CorpusError, match="reaches row 1,000,000,003"):  # a row repeated a billion times: refused, not made
        read_document(tmp_path / "far.ods")


def test_an_excel_2003_xml_workbook_exported_as_xls_is_read_as_an_xlsx_is(tmp_path):
    # 「XML Spreadsheet 2003」, what many systems export as 「.xls」, had been refused (「Expected BOF record」). The
    # workbook of the .xlsx test written so reads into the same passages: formats, merged ranges, skipped cells and rows,
    # the hidden sheet, the stored title.
    from .documents import excel_2003_xml

    path = excel_2003_xml(tmp_path / "导出.xls", WORKBOOK, merged={"贷款情况": [(0, 0, 0, 3)], "机构": [(1, 2, 0, 0)]},
                          hidden=("草稿",), title="某省小微金融数据")
    document = read_document(path)
    assert document.title == "某省小微金融数据"
    assert [(p.cite, p.text) for p in document.passages] == WORKBOOK_PASSAGES
    far = path.read_text(encoding="utf-8").replace("<Row><Cell><ss:Data", '<Row ss:Index="900000"><Cell><ss:Data')  # the note's row
    (tmp_path / "far.xls").write_text(far, encoding="utf-8")
    with pytest.raises(CorpusError, match="reaches row 900,000"):
        read_document(tmp_path / "far.xls")


def test_an_excel_97_workbook_is_read_as_an_xlsx_is(tmp_path):
    # An .xls had been passed over (「save it as .xlsx」). The workbook of the .xlsx test, written by xlwt, reads into
    # the same passages: formats, merged ranges and the hidden sheet alike.
    from .documents import xls_workbook

    path = xls_workbook(tmp_path / "数据.xls", WORKBOOK, merged={"贷款情况": [(0, 0, 0, 3)], "机构": [(1, 2, 0, 0)]}, hidden=("草稿",))
    assert [(p.cite, p.text) for p in read_document(path).passages] == WORKBOOK_PASSAGES
    wps = tmp_path / "数据.et"  # WPS Office's spreadsheet: Excel 97's format under its own suffix
    wps.write_bytes(path.read_bytes())
    assert [(p.cite, p.text) for p in read_document(wps).passages] == WORKBOOK_PASSAGES
    (tmp_path / "bad.xls").write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1 not a workbook")
    with pytest.raises(CorpusError, match="cannot be read as an Excel 97-2003 .xls file"):
        read_document(tmp_path / "bad.xls")
    rows = [["地区", "数值"]] + [[f"地区{i}", i] for i in range(20_000)]
    with pytest.raises(CorpusError, match="sheet 「明细」 has 20,001 rows and 2 columns, more than a report's table"):
        read_document(xls_workbook(tmp_path / "big.xls", {"明细": rows}))


def test_an_excel_sheet_too_large_for_a_report_or_damaged_says_why(tmp_path):
    from qa.readers import sheets

    from .documents import xlsx_workbook

    rows = [["地区", "数值"]] + [[f"地区{i}", i] for i in range(sheets.ROWS_MAX + 1)]
    with pytest.raises(CorpusError, match="sheet 「明细」 has 20,002 rows"):
        read_document(xlsx_workbook(tmp_path / "big.xlsx", {"明细": rows}))
    wide = xlsx_workbook(tmp_path / "wide.xlsx", {"宽表": [["地区", "数值"], ["西宁", 1]]})
    with zipfile.ZipFile(wide) as z:
        parts = {name: z.read(name) for name in z.namelist()}
    parts["xl/worksheets/sheet1.xml"] = parts["xl/worksheets/sheet1.xml"].replace(b'<c r="B2"', b'<c r="XFD2"')
    with zipfile.ZipFile(wide, "w") as z:
        for name, data in parts.items():
            z.writestr(name, data)
    with pytest.raises(CorpusError, match="a row reaches column 16,384"):  # 20,000 such rows would fill the memory
        read_document(wide)
    (tmp_path / "bad.xlsx").write_bytes(b"PK\x03\x04 not a workbook")
    with pytest.raises(CorpusError, match="cannot be read as an Excel .xlsx file"):
        read_document(tmp_path / "bad.xlsx")


def test_an_opendocument_text_is_read_with_its_headings_lists_tables_frames_and_notes(tmp_path):
    # An .odt (LibreOffice's, WPS's, many a government office's) had been passed over (「save it as .docx」). The
    # paragraph in the Title style is the title; headings by outline level (a lone Heading 1 a chapter); a list led by
    # its lead-in, numbered as its list style numbers it; a table under its header (the empty cells LibreOffice repeats
    # to the edge dropped, a row repeated read once); a text frame's and an image's caption after their paragraph; a
    # footnote at the end; the contents index, a tracked deletion and a comment are not text; a space between two spans is.
    from .documents import odt_document

    def p(text: str) -> str:
        return f"<text:p>{text}</text:p>"

    def row(*cells: str, repeat: int = 1) -> str:
        written = "".join(f"<table:table-cell>{p(c)}</table:table-cell>" for c in cells)
        return f'<table:table-row table:number-rows-repeated="{repeat}">{written}<table:table-cell table:number-columns-repeated="1020"/></table:table-row>'

    body = (
        "<text:sequence-decls/>"
        '<text:p text:style-name="P9">青海省小微金融发展报告</text:p>'
        '<text:tracked-changes><text:changed-region text:id="c1"><text:deletion>' + p("已删除的旧数据") + "</text:deletion></text:changed-region></text:tracked-changes>"
        "<text:table-of-content><text:index-body>" + p("目录") + p("第一章 发展现状……1") + "</text:index-body></text:table-of-content>"
        '<text:h text:outline-level="1">第一章 发展现状</text:h>'
        '<text:h text:outline-level="2">贷款规模</text:h>'
        + p('截至2023年末，<text:span>贷款余额</text:span>1562亿元<text:note text:note-class="footnote"><text:note-citation>1</text:note-citation>'
            "<text:note-body>" + p("数据来源：人民银行西宁中心支行。") + '</text:note-body></text:note>，同比增长12.4%。<text:change-start text:change-id="c1"/>'
            "<office:annotation><dc:creator>审阅人</dc:creator>" + p("请核对数据") + "</office:annotation>")
        + p("<text:span>Micro</text:span> <text:span>finance</text:span> lending grew.")
        + p("主要做法包括：")
        + '<text:list text:style-name="L1"><text:list-item>' + p("扩大信用贷款投放。") + "</text:list-item><text:list-item>"
        + p("降低融资成本。") + "</text:list-item></text:list>"
        + '<text:h text:outline-level="2">主要机构</text:h>'
        + "<table:table><table:table-column/><table:table-header-rows>" + row("机构", "数量") + "</table:table-header-rows>"
        + row("银行", "12") + row("小贷公司", "30", repeat=3) + "</table:table>"
        + p('机构数量保持稳定。<draw:frame draw:name="框架1"><draw:text-box>' + p("专栏1：普惠金融服务站覆盖全部行政村。") + "</draw:text-box></draw:frame>"
            '<draw:frame draw:name="图像1"><draw:image xlink:href="Pictures/1.png"/><svg:desc>图1：2019-2023年贷款余额</svg:desc></draw:frame>')
    )
    styles = ('<style:style style:name="P9" style:family="paragraph" style:parent-style-name="Title"/>'
              '<text:list-style style:name="L1"><text:list-level-style-number text:level="1" style:num-format="1" '
              'style:num-prefix="(" style:num-suffix=")"/></text:list-style>')
    doc = read_document(odt_document(tmp_path / "报告.odt", body, styles=styles))
    assert doc.title == "青海省小微金融发展报告"
    assert [(p.cite, p.text) for p in doc.passages] == [
        ("1 › 贷款规模(1)", "截至2023年末，贷款余额1562亿元，同比增长12.4%。"),
        ("1 › 贷款规模(2)", "Micro finance lending grew."),
        ("1 › 贷款规模(3)", "主要做法包括：\n(1) 扩大信用贷款投放。\n(2) 降低融资成本。"),
        ("1 › 主要机构(1)", "主要机构\n机构：银行；数量：12\n机构：小贷公司；数量：30"),
        ("1 › 主要机构(2)", "机构数量保持稳定。"),
        ("1 › 主要机构(3)", "专栏1：普惠金融服务站覆盖全部行政村。"),
        ("1 › 主要机构(4)", "图1：2019-2023年贷款余额"),
        ("脚注(1)", "[1] 数据来源：人民银行西宁中心支行。"),
    ]


def test_an_epub_is_read_page_by_page_in_its_spines_order(tmp_path):
    # An e-book (.epub) had been passed over (「save it as PDF」). Its pages are read in the spine's order (the manifest
    # lists them in reverse), the contents page (the navigation document) and the title page left out, a page read apart
    # (linear="no": notes) after the others; each page's <main> is the book's as much as the rest of it, a table with a
    # long cell holds data all the same, and a line wrapped in the source is no line break. The title is the package's.
    pages = [
        ("notes.xhtml", '<section epub:type="endnotes"><h2>注释</h2><p>[1] 数据来源：国家金融监督管理总局。</p></section>'),
        ("title.xhtml", '<section epub:type="titlepage"><h1>某省小微金融发展报告</h1><p>某研究院 编</p></section>'),
        ("ch1.xhtml", "<section><h1>第一章 发展现状</h1><p>2023年末，全省小微企业贷款余额\n1,562亿元，同比增长12.4%。</p>"
                      "<h2>一、主要机构</h2><table><tr><th>机构</th><th>数量</th><th>说明</th></tr><tr><td>小额贷款公司</td>"
                      "<td>30</td><td>" + "主要服务于小微企业和个体工商户的融资需求，" * 8 + "</td></tr></table></section>"),
        ("ch2.xhtml", '<main><h1>第二章 发展建议</h1><p>主要建议：</p><ol type="a"><li><p>完善风险补偿机制。</p></li>'
                      "<li><p>加大首贷投放力度。</p></li></ol></main>"),
    ]
    book = read_document(documents.epub_book(tmp_path / "报告.epub", pages, title="某省小微金融发展报告（2023）", apart=("notes.xhtml",)))
    assert book.title == "某省小微金融发展报告（2023）"
    assert [(p.cite, p.text[:40]) for p in book.passages] == [
        ("1(1)", "2023年末，全省小微企业贷款余额 1,562亿元，同比增长12.4%。"),
        ("1.1(1)", "一、主要机构\n机构：小额贷款公司；数量：30；说明：主要服务于小微企业和个体工商"),
        ("2(1)", "主要建议：\na. 完善风险补偿机制。\nb. 加大首贷投放力度。"),
        ("2 › 注释(1)", "[1] 数据来源：国家金融监督管理总局。"),
    ]
    # Named for another format, it is read as what its bytes are.
    (tmp_path / "book.docx").write_bytes((tmp_path / "报告.epub").read_bytes())
    assert read_document(tmp_path / "book.docx").passages[0].text == book.passages[0].text


def test_an_epubs_headings_set_as_paragraphs_in_larger_type_are_headings(tmp_path):
    # LibreOffice's EPUB (and many a typesetting program's) marks no heading: each is a paragraph in a class its
    # stylesheet sets larger or bold. They had all been paragraphs of text under no section. A word set larger in a
    # sentence, a large sentence and a bold cell are no headings.
    css = (".title { font-size: 26pt } .h1, .h2 { font-weight: bold } .h1 { font-size: 14pt } .h2 { font-size: 13pt }"
           " .big { font-size: 20px } /* .body { font-size: 30pt } */ .quote { font-size: 1.5em }")
    body = ('<p class="x"><span class="title">某省小微金融发展报告</span></p><p><span class="h1">发展现状</span></p>'
            '<p>全省小微金融服务体系逐步完善，<span class="big">服务覆盖面</span>持续扩大。</p><p class="h2">贷款规模</p>'
            "<p>截至2023年末，全省小微企业贷款余额1562亿元。</p><table><tr><td><p class='h1'>机构</p></td><td><p>数量</p></td></tr>"
            "<tr><td><p>小额贷款公司</p></td><td><p>30</p></td></tr></table>"
            '<p class="quote">金融是实体经济的血脉。</p><p class="h1">政策建议</p><p>完善融资担保体系。</p>')
    book = read_document(documents.epub_book(tmp_path / "lo.epub", [("s1.xhtml", body)], title="某省小微金融发展报告", css=css))
    assert [(p.cite, p.text) for p in book.passages] == [
        ("发展现状(1)", "全省小微金融服务体系逐步完善，服务覆盖面持续扩大。"),
        ("发展现状 › 贷款规模(1)", "截至2023年末，全省小微企业贷款余额1562亿元。"),
        ("发展现状 › 贷款规模(2)", "贷款规模\n机构：小额贷款公司；数量：30"),
        ("发展现状 › 贷款规模(3)", "金融是实体经济的血脉。"),
        ("政策建议(1)", "完善融资担保体系。"),
    ]
    # A page that marks its headings itself is read by its marks alone: 贷款规模 is not under 发展现状 (a short line over
    # text, a heading as in any web page).
    marked = body.replace('<p class="h2">贷款规模</p>', "<h3>贷款规模</h3>")
    book = read_document(documents.epub_book(tmp_path / "marked.epub", [("s1.xhtml", marked)], title="某省小微金融发展报告", css=css))
    assert [p.cite for p in book.passages][:2] == ["发展现状(1)", "贷款规模(1)"]
    if documents.NO_OFFICE:
        pytest.skip(documents.NO_OFFICE)
    # LibreOffice's EPUB of a Word report: its sections those of the .docx (what it drops itself: the list's numbers
    # and the style of the contents page typed in, whose lines it writes as text).
    source = documents.office_report_docx(tmp_path / "报告.docx")
    written = read_document(documents.office_convert([source], ".epub", tmp_path / "written")[0])
    word = read_document(source)
    assert written.title == word.title
    assert [(p.cite, p.text.replace("1. ", "").replace("2. ", "")) for p in word.passages] == [
        (p.cite, p.text) for p in written.passages if p.headings]


def test_an_epubs_notes_are_read_and_their_marks_in_the_text_left_out(tmp_path):
    # EPUB 3 sets a footnote in an <aside epub:type="footnote"> (DPUB-ARIA: role="doc-endnote"), which had been left out
    # with the asides a web page's sidebars are, and its mark in the text (noteref) ran into the sentence: 「亿元。1」.
    pages = [("c1.xhtml", '<h1>第一章 概况</h1><p>贷款余额1562亿元。<a epub:type="noteref" href="#n1">1</a></p>'
                          '<aside epub:type="footnote" id="n1"><p>1 数据来源：某省金融局。</p></aside><p>第二段正文内容。</p>'
                          "<aside><p>相关阅读：另一本书。</p></aside>"),
             ("c2.xhtml", '<h1>第二章 建议</h1><p>完善风险补偿机制。<sup><a role="doc-noteref" href="#n2">[2]</a></sup></p>'
                          '<aside role="doc-endnote" id="n2"><p>[2] 见附表。</p></aside>')]
    book = read_document(documents.epub_book(tmp_path / "notes.epub", pages, title="某省小微金融发展报告"))
    assert [(p.cite, p.text) for p in book.passages] == [
        ("1(1)", "贷款余额1562亿元。"), ("1(2)", "1 数据来源：某省金融局。"), ("1(3)", "第二段正文内容。"),
        ("2(1)", "完善风险补偿机制。"), ("2(2)", "[2] 见附表。"),
    ]


def test_an_epubs_pages_that_are_not_xhtml_are_read_as_a_browser_reads_them(tmp_path):
    # XHTML must be well-formed XML; many a book's pages are not (an HTML entity with no DTD to define it, tags left
    # open, no <body>), and a page nested past lxml's 256 levels is read by the web page reader, which reads any depth.
    pages = [("deep.xhtml", "<div>" * 1000 + "正文内容，这是一个句子。" + "</div>" * 1000),
             ("html.xhtml", "<p>&nbsp;另一段<br>正文内容。</p><p>乙方承担全部费用。"),
             ("nobody.xhtml", "")]
    written = documents.epub_book(tmp_path / "written.epub", pages)
    book = tmp_path / "loose.epub"
    with zipfile.ZipFile(written) as source, zipfile.ZipFile(book, "w") as package:
        for name in source.namelist():  # a page with no <head> or <body>, left open
            package.writestr(name, "<html><p>无正文标签的一页。" if name.endswith("nobody.xhtml") else source.read(name))
    assert [p.text for p in read_document(book).passages] == ["正文内容，这是一个句子。", "另一段正文内容。", "乙方承担全部费用。", "无正文标签的一页。"]


def _ofd_line(text: str, x: float, y: float, size: float, font: str = "1", per_glyph: bool = False) -> str:
    """A line of an OFD page at (x, baseline y) mm: one TextCode, its glyphs' offsets as 「g N size」; or (per_glyph)
    one TextObject a glyph, as many writers store text (a Latin glyph half as wide)."""
    if per_glyph:
        lefts = [x + sum((0.5 if c.isascii() else 1.0) * size for c in text[:i]) for i in range(len(text))]
        return "".join(f'<ofd:TextObject ID="{i}" Boundary="{left:.2f} {y - size:.2f} {size} {size * 1.2}" Font="{font}" '
                       f'Size="{size}"><ofd:TextCode X="0" Y="{size}">{ch}</ofd:TextCode></ofd:TextObject>'
                       for i, (ch, left) in enumerate(zip(text, lefts)))
    return (f'<ofd:TextObject ID="1" Boundary="{x} {y - size} 170 {size * 1.2}" Font="{font}" Size="{size}">'
            f'<ofd:TextCode X="0" Y="{size}" DeltaX="g {len(text) - 1} {size}">{text}</ofd:TextCode></ofd:TextObject>')


def test_an_ofd_is_read_as_its_pages_draw_it(tmp_path):
    # An OFD (GB/T 33190, what government offices publish in) had been passed over (「save it as PDF」). Its pages' text
    # is read by the PDF rules: the footer's page numbers, the template's letterhead and a page of a scanned image are no
    # text (the page is reported); a line drawn a glyph at a time, or sized in points under a CTM inside a PageBlock (as
    # WPS writes), runs on the paragraph; the outline's entries are headings, DocInfo's title the title.
    first = "2023年末，全省小微企业贷款余额1562亿元，同比增长12.4%，"
    second = "普惠小微贷款户数达到8.6万户，较上年末增加1.2万户，"
    third = "服务覆盖面持续扩大，融资成本稳中有降。"
    scaled = (f'<ofd:PageBlock ID="50"><ofd:TextObject ID="51" Boundary="25 111 170 8" Font="1" Size="16" CTM="0.3528 0 0 0.3528 0 0">'
              f'<ofd:TextCode X="0" Y="16" DeltaX="g {len(third) - 1} 16">{third}</ofd:TextCode></ofd:TextObject></ofd:PageBlock>')
    pages = [
        "<!--template:9-->" + _ofd_line("关于2023年小微金融发展情况的报告", 30, 50, 7.76, "3") + _ofd_line("一、发展现状", 25, 80, 5.64, "2")
        + _ofd_line(first, 25, 95, 5.64) + _ofd_line(second, 25, 105, 5.64, per_glyph=True) + scaled + _ofd_line("— 1 —", 95, 280, 5.0),
        _ofd_line("二、主要做法", 25, 40, 5.64, "2") + _ofd_line("加大首贷和信用贷款投放力度，完善风险补偿机制。", 25, 55, 5.64)
        + _ofd_line("— 2 —", 95, 280, 5.0),
        '<ofd:ImageObject ID="60" Boundary="0 0 210 297" ResourceID="7"/>',
    ]
    fonts = '<ofd:Font ID="1" FontName="仿宋_GB2312"/><ofd:Font ID="2" FontName="黑体"/><ofd:Font ID="3" FontName="方正小标宋简体" Bold="true"/>'
    outline = "".join(f'<ofd:OutlineElem Title="{title}"><ofd:Actions><ofd:Action Event="CLICK"><ofd:Goto><ofd:Dest Type="XYZ" '
                      f'PageID="{page}"/></ofd:Goto></ofd:Action></ofd:Actions></ofd:OutlineElem>' for title, page in (("一、发展现状", 100), ("二、主要做法", 101)))
    path = documents.ofd_document(tmp_path / "公文.ofd", pages, title="关于2023年小微金融发展情况的报告", fonts=fonts, outline=outline,
                                  templates={"9": _ofd_line("某省地方金融监督管理局文件", 40, 30, 10, "3")})
    document = read_document(path)
    assert (document.title, document.pages_without_text) == ("关于2023年小微金融发展情况的报告", (3,))
    assert [(p.cite, p.page, p.headings, p.text) for p in document.passages] == [
        ("1(1)", 1, ("一、发展现状",), first + second + third),
        ("2(1)", 2, ("二、主要做法",), "加大首贷和信用贷款投放力度，完善风险补偿机制。"),
    ]
    # Named for another format, it is read as what its bytes are.
    (tmp_path / "公文.pdf").write_bytes(path.read_bytes())
    assert read_document(tmp_path / "公文.pdf").passages == tuple(replace(p, doc="公文") for p in document.passages)


def test_a_pdf_written_again_as_ofd_reads_into_the_pdfs_passages(tmp_path):
    # The same pages in the other fixed-layout format read alike: running headers, page numbers, headings by type,
    # a regulation's articles, a contents page.
    if documents.CANNOT_PRINT_PDF:
        pytest.skip(documents.CANNOT_PRINT_PDF)
    for make in (documents.report_pdf, documents.regulation_pdf, documents.unnumbered_headings_pdf):
        pdf = make(tmp_path / f"{make.__name__}.pdf")
        expected, document = read_document(pdf), read_document(documents.ofd_from_pdf(pdf, tmp_path / f"{make.__name__}.ofd"))
        assert document.title == expected.title
        assert [(p.cite, p.page, p.text) for p in document.passages] == [(p.cite, p.page, p.text) for p in expected.passages]


def test_an_ofd_that_cannot_be_read_says_why(tmp_path):
    with zipfile.ZipFile(tmp_path / "bare.ofd", "w") as bare:
        bare.writestr("Doc_0/Document.xml", "<ofd:Document/>")
    with pytest.raises(CorpusError, match=r"cannot be read as an OFD document \(no OFD.xml in it\)"):
        read_document(tmp_path / "bare.ofd")
    path = documents.ofd_document(tmp_path / "nodoc.ofd", ["<ofd:TextObject/>"])
    with zipfile.ZipFile(path) as source, zipfile.ZipFile(tmp_path / "missing.ofd", "w") as damaged:
        for name in source.namelist():
            if name != "Doc_0/Document.xml":
                damaged.writestr(name, source.read(name))
    with pytest.raises(CorpusError, match=r"its document Doc_0/Document.xml is missing"):
        read_document(tmp_path / "missing.ofd")
    with pytest.raises(CorpusError, match="an OFD document with no pages"):
        read_document(documents.ofd_document(tmp_path / "empty.ofd", []))
    with pytest.raises(CorpusError, match="no text layer"):
        read_document(documents.ofd_document(tmp_path / "scan.ofd", ['<ofd:ImageObject ID="1" Boundary="0 0 210 297" ResourceID="7"/>']))
    (tmp_path / "bad.ofd").write_bytes(b"PK\x03\x04 not a document")
    with pytest.raises(CorpusError, match="cannot be read as an OFD document"):
        read_document(tmp_path / "bad.ofd")


def test_an_epub_that_cannot_be_read_says_why(tmp_path):
    page = [("ch1.xhtml", "<h1>第一章</h1><p>正文内容，这是一个句子。</p>")]
    with pytest.raises(CorpusError, match=r"its text is encrypted \(a DRM-protected e-book\)"):
        read_document(documents.epub_book(tmp_path / "drm.epub", page, encrypted=("ch1.xhtml",)))
    with pytest.raises(CorpusError, match="an e-book with no text in its pages"):
        read_document(documents.epub_book(tmp_path / "empty.epub", [("ch1.xhtml", "<p> </p><img src='a.png'/>")]))
    with zipfile.ZipFile(tmp_path / "bare.epub", "w") as bare:
        bare.writestr("mimetype", "application/epub+zip")
        bare.writestr("ch1.xhtml", "<p>正文</p>")
    with pytest.raises(CorpusError, match=r"cannot be read as an EPUB e-book \(it names no package file\)"):
        read_document(tmp_path / "bare.epub")
    (tmp_path / "bad.epub").write_bytes(b"PK\x03\x04 not a book")
    with pytest.raises(CorpusError, match="cannot be read as an EPUB e-book"):
        read_document(tmp_path / "bad.epub")


def test_an_odt_that_cannot_be_read_says_why(tmp_path):
    (tmp_path / "bad.odt").write_bytes(b"PK\x03\x04 not a document")
    with pytest.raises(CorpusError, match="cannot be read as an OpenDocument .odt file"):
        read_document(tmp_path / "bad.odt")
    from .documents import odt_document

    deep = odt_document(tmp_path / "deep.odt", "<text:p>" + "<text:span>" * 5000 + "深层嵌套" + "</text:span>" * 5000 + "</text:p>")
    with pytest.raises(CorpusError, match="Excessive depth"):
        read_document(deep)
    # A cell repeated a billion times (the attribute LibreOffice writes for runs of like cells) fills the row's bound,
    # 1,000 columns, and no more (it had taken 339 s).
    cell = '<table:table-cell table:number-columns-repeated="1000000000"><text:p>{}</text:p></table:table-cell>'
    rows = "".join(f"<table:table-row>{cell.format(f'地区{i}')}{cell.format(i)}</table:table-row>" for i in range(200))
    wide = read_document(odt_document(tmp_path / "wide.odt", f"<table:table>{rows}</table:table>"))
    assert wide.passages[0].text.startswith("地区0：地区1；地区0：地区1；")


def test_an_odt_tables_like_cells_side_by_side_are_each_a_columns_value(tmp_path):
    # LibreOffice writes two like cells side by side (5%, 5%) as one cell repeated: it had been read once, and every
    # value after it moved under the header before its own (as Word's reader had done with two equal cells).
    from .documents import odt_document

    def cells(*values: str, repeat: int = 1) -> str:
        return "".join(f'<table:table-cell table:number-columns-repeated="{repeat}"><text:p>{v}</text:p></table:table-cell>' for v in values)

    table = ("<table:table><table:table-row>" + cells("指标", "2023年", "2024年", "2025年") + "</table:table-row><table:table-row>"
             + cells("增速") + cells("5%", repeat=2) + cells("6%") + "</table:table-row></table:table>")
    document = read_document(odt_document(tmp_path / "t.odt", '<text:h text:outline-level="1">一、增长情况</text:h>' + table))
    assert [p.text for p in document.passages] == ["一、增长情况\n指标：增速；2023年：5%；2024年：5%；2025年：6%"]


def test_a_rich_text_file_is_read_as_word_writes_one(tmp_path):
    # An .rtf had been passed over (「save it as .docx」). GBK bytes and \uN escapes read alike; headings by the style
    # sheet (an outline level, or a style named 「heading 2」); a field by its shown text; the header, a picture, an
    # object's binary data (braces in it), hidden text and a tracked deletion left out; a bullet's symbol dropped; a
    # table under its header (a cell of two paragraphs one value); the footnote at the end; \info's title.
    from .documents import word_rtf

    doc = read_document(word_rtf(tmp_path / "报告.rtf"))
    assert doc.title == "青海省小微金融发展报告"
    assert [(p.cite, p.text) for p in doc.passages] == [
        ("发展现状 › 贷款规模(1)", "截至2023年末，贷款余额1562亿元，同比增长12.4%。"),
        ("发展现状 › 贷款规模(2)", "Micro finance lending grew – fast."),
        ("发展现状 › 贷款规模(3)", "主要做法包括：\n扩大信用贷款投放。\n降低融资成本。"),
        ("发展现状 › 主要机构(1)", "主要机构\n机构：银行；数量：12\n机构：小贷公司；数量：30"),
        ("发展现状 › 主要机构(2)", "对象结果文字，内容完整。"),
        ("发展现状 › 主要机构(3)", "机构数量保持稳定。"),
        ("脚注(1)", "[1] 数据来源：人民银行西宁中心支行。"),
    ]


def test_an_rtf_heading_at_a_deep_outline_level_is_a_heading_as_in_word(tmp_path):
    # Outline levels 5-8 (Word's Heading 6-9) had been read as body text in RTF only; .doc, .docx, .odt and Word 2003 XML
    # read them as headings.
    (tmp_path / "deep.rtf").write_bytes(rb"{\rtf1\ansi\pard\outlinelevel0 Overview\par\pard\outlinelevel6 How the figures were "
                                        rb"counted.\par\pard Body text of the report here.\par}")
    assert [(p.headings, p.text) for p in read_document(tmp_path / "deep.rtf").passages] == [
        (("Overview", "How the figures were counted."), "Body text of the report here.")]


def test_an_rtf_that_cannot_be_read_says_why(tmp_path):
    (tmp_path / "bad.rtf").write_bytes(b"PK\x03\x04 not rich text")
    with pytest.raises(CorpusError, match="cannot be read as an RTF file"):
        read_document(tmp_path / "bad.rtf")
    (tmp_path / "deep.rtf").write_bytes(b"{\\rtf1 " + b"{" * 200_000 + b"text" + b"}" * 200_000 + b"}")
    with pytest.raises(CorpusError, match="groups nest deeper than 10,000"):
        read_document(tmp_path / "deep.rtf")


@pytest.mark.skipif(bool(documents.NO_OFFICE), reason=documents.NO_OFFICE)
@pytest.mark.parametrize("suffix", [".doc", ".odt", ".rtf", ".xml"])
def test_a_report_libreoffice_writes_again_reads_as_its_word_file(suffix, tmp_path):
    # Another program's files: LibreOffice writes a Word report as Word 97, OpenDocument, RTF and Word 2003 XML (named
    # .doc, as systems export it). Each reads into the passages of the .docx, word for word and cited alike — the Title
    # paragraph the title, the typed-in contents left out, headings by their styles, the numbered list's numbers, the
    # table's rows. (.doc had been read as its text alone: no headings but 一、 lines, no list numbers.)
    source = documents.office_report_docx(tmp_path / "报告.docx")
    written = documents.office_convert([source], suffix, tmp_path / "written")[0]
    if suffix == ".xml":
        written = written.rename(written.with_suffix(".doc"))
    word, again = read_document(source), read_document(written)
    assert again.title == word.title == "某省小微金融发展报告"
    assert [(p.cite, p.text) for p in again.passages] == [(p.cite, p.text) for p in word.passages] == [
        ("发展现状(1)", "全省小微金融服务体系逐步完善，服务覆盖面持续扩大。"),
        ("发展现状 › 贷款规模(1)", "截至2023年末，全省小微企业贷款余额1562亿元，同比增长12.4%。"),
        ("发展现状 › 贷款规模(2)", "主要做法包括：\n1. 扩大信用贷款投放。\n2. 降低小微企业融资成本。"),
        ("发展现状 › 主要机构(1)", "主要机构\n机构：国有商业银行；数量：12\n机构：小额贷款公司；数量：30"),
        ("政策建议(1)", "下一步应重点做好以下工作：\n完善融资担保体系\n加强信用信息共享"),
    ]


@pytest.mark.skipif(bool(documents.NO_OFFICE), reason=documents.NO_OFFICE)
def test_footnotes_and_endnotes_read_alike_in_every_word_processor_format(tmp_path):
    # A .doc's notes had been left out (they lie after the main text, where its PlcffndTxt and PlcfendTxt say), and an
    # RTF endnote (ftnalt) was numbered as a footnote. An RTF file with a footnote and an endnote, and LibreOffice's
    # .doc, .docx and .odt of it, all give the 「脚注」 part Word shows: 「[1] …」, then 「[i] …」.
    def rtf(text: str) -> str:
        return "".join(ch if ord(ch) < 128 else f"\\u{ord(ch) if ord(ch) < 32768 else ord(ch) - 65536}?" for ch in text)

    source = tmp_path / "报告.rtf"
    source.write_text(
        "{\\rtf1\\ansi\\deff0{\\fonttbl{\\f0\\fnil\\fcharset134 SimSun;}}\\aenddoc\\pard\\plain "
        + rtf("截至2023年末，贷款余额1562亿元") + "{\\super\\chftn{\\footnote\\pard\\plain{\\super\\chftn} "
        + rtf("数据来源：人民银行西宁中心支行。") + "}}" + rtf("，同比增长12.4%。") + "\\par\\pard\\plain " + rtf("小额贷款公司30家")
        + "{\\super\\chftn{\\footnote\\ftnalt\\pard\\plain{\\super\\chftn} " + rtf("统计口径见附录。") + "}}" + rtf("。")
        + "\\par}", encoding="ascii")
    notes = ["[1] 数据来源：人民银行西宁中心支行。", "[i] 统计口径见附录。"]
    for path in [source, *(documents.office_convert([source], suffix, tmp_path / suffix[1:])[0] for suffix in (".doc", ".docx", ".odt"))]:
        passages = read_document(path).passages
        assert [p.text for p in passages if p.headings == ("脚注",)] == notes, path.name
        assert [p.text for p in passages if p.headings != ("脚注",)] == ["截至2023年末，贷款余额1562亿元，同比增长12.4%。", "小额贷款公司30家。"]


def test_a_word_symbol_inserted_from_a_symbol_font_is_read(tmp_path):
    # Insert → Symbol with the Symbol or Wingdings font writes no text but a font and a code (w:sym): 「≥」 was lost from
    # 「年营业收入≥500万元」, and a table's ✓ marks were empty cells. A bullet-like ornament is still left out.
    import docx
    from docx.oxml import parse_xml

    def symbol(paragraph, font: str, code: str) -> None:
        w = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
        paragraph._p.append(parse_xml(f'<w:r xmlns:w="{w}"><w:sym w:font="{font}" w:char="{code}"/></w:r>'))

    word = docx.Document()
    word.add_heading("一、认定标准", 1)
    paragraph = word.add_paragraph("年营业收入")
    symbol(paragraph, "Symbol", "F0B3")
    paragraph.add_run("500万元的企业，增速")
    symbol(paragraph, "Symbol", "F0B1")
    paragraph.add_run("2%以内")
    symbol(paragraph, "Wingdings", "F0D8")  # an arrowhead, as a bullet
    paragraph.add_run("。")
    table = word.add_table(rows=3, cols=2)
    for row, (name, mark) in zip(table.rows, (("条件", "是否满足"), ("信用良好", ("Wingdings", "F0FC")), ("有抵押", ("Wingdings 2", "F04F")))):
        row.cells[0].text = name
        if isinstance(mark, tuple):
            symbol(row.cells[1].paragraphs[0], *mark)
        else:
            row.cells[1].text = mark
    word.save(tmp_path / "symbols.docx")
    texts = [p.text for p in read_document(tmp_path / "symbols.docx").passages]
    assert texts[0] == "年营业收入≥500万元的企业，增速±2%以内。"
    assert texts[1].split("\n")[1:] == ["条件：信用良好；是否满足：✓", "条件：有抵押；是否满足：✗"]


def test_a_typed_notices_signature_pushed_right_with_spaces_is_its_lines_apart():
    # Paragraphs indented by two full-width spaces, CRLF, and a signature right-aligned with spaces: its lines had
    # read 「某某省人民政府2024年3月1日」.
    pad = "\u3000" * 20
    lines = ["关于促进小微企业融资的若干意见", "", "\u3000\u3000一、总体要求", "\u3000\u3000坚持市场化原则，发挥金融机构主体作用，",
             "强化政策引导。", "\u3000\u3000各地要加强组织领导，抓好工作落实。", "", pad + "某某省人民政府", pad + "2024年3月1日"]
    doc = parse("\r\n".join(lines).encode("utf-8"), Path("意见.txt"), 600)
    assert [p.text for p in doc.passages] == [
        "坚持市场化原则，发挥金融机构主体作用，强化政策引导。", "各地要加强组织领导，抓好工作落实。", "某某省人民政府 2024年3月1日",
    ]


def test_a_word_table_used_as_a_box_around_text_is_text(tmp_path):
    # A one-cell table (or a column of sentences) framing 「专栏1：…」 and its paragraphs had been one table row of them
    # all joined by spaces, led by the section's heading; a one-column table of values, and a table inside the box,
    # stay tables.
    import docx

    word = docx.Document()
    word.add_heading("一、市场概况", 1)
    box = word.add_table(rows=1, cols=1).cell(0, 0)
    box.text = "专栏1：数字普惠金融"
    box.add_paragraph("近年来，数字普惠金融快速发展，服务效率显著提升。")
    box.add_paragraph("以某银行为例，其线上小微贷款余额三年增长了五倍。")
    inner = box.add_table(rows=2, cols=2)
    for r, (a, b) in enumerate((("指标", "数值"), ("贷款余额", "1200亿元"))):
        inner.cell(r, 0).text, inner.cell(r, 1).text = a, b
    column = word.add_table(rows=2, cols=1)
    column.cell(0, 0).text, column.cell(1, 0).text = "案例2：某农商行", "该行推出线上信用贷款，审批时间缩短至一天。"
    values = word.add_table(rows=3, cols=1)
    for r, text in enumerate(("机构名称", "工商银行", "农业银行")):
        values.cell(r, 0).text = text
    word.save(tmp_path / "box.docx")
    assert [p.text for p in read_document(tmp_path / "box.docx").passages] == [
        "专栏1：数字普惠金融\n近年来，数字普惠金融快速发展，服务效率显著提升。", "以某银行为例，其线上小微贷款余额三年增长了五倍。",
        "一、市场概况\n指标：贷款余额；数值：1200亿元", "案例2：某农商行\n该行推出线上信用贷款，审批时间缩短至一天。",
        "一、市场概况\n机构名称：工商银行\n机构名称：农业银行",
    ]
    # In Markdown too, a box's title a paragraph of its own opens the text after it.
    typed = "# 报告\n\n## 一、市场概况\n\n专栏1：数字普惠金融\n\n近年来，数字普惠金融快速发展。\n"
    assert [p.text for p in parse(typed.encode("utf-8"), Path("box.md"), 600).passages] == ["专栏1：数字普惠金融\n近年来，数字普惠金融快速发展。"]


def test_markdown_saved_as_text_is_read_as_markdown():
    # Notes exported or a chat's answer pasted into a .txt: its title had been 「# 小微金融报告」, 「## 一、市场概况」 a passage
    # and 「**风险提示**」 a heading with its asterisks. Two lines only Markdown writes make it Markdown.
    typed = "# 小微金融报告\n\n## 一、市场概况\n\n据统计，2023年全省小微企业贷款余额达到1200亿元。\n\n**风险提示**\n\n经济下行风险。\n"
    as_text, as_markdown = (parse(typed.encode("utf-8"), Path(name), 600) for name in ("notes.txt", "notes.md"))
    assert as_text.title == as_markdown.title == "小微金融报告"
    assert [(p.cite, p.text) for p in as_text.passages] == [(p.cite, p.text) for p in as_markdown.passages] == [
        ("1(1)", "据统计，2023年全省小微企业贷款余额达到1200亿元。"), ("1 › 风险提示(1)", "经济下行风险。"),
    ]
    # One such line is not enough: a typed 「# 」 stays text.
    assert [p.text for p in parse("报告\n\n# 说明：以下为正文。\n".encode("utf-8"), Path("one.txt"), 600).passages] == ["# 说明：以下为正文。"]


def test_emoji_decorating_headings_and_titles_are_left_out():
    # As a chat's answer or a Notion export writes them: 「## 📊 一、市场概况」 had been cited 📊 一、市场概况(1), its number unread.
    typed = "# 小微金融市场分析 🚀\n\n## 📊 一、市场概况\n\n市场稳步发展。\n\n## ■ 二、发展建议\n\n加强政策支持。\n\n## ✨\n\n仅供参考。\n"
    doc = parse(typed.encode("utf-8"), Path("chat.md"), 600)
    assert doc.title == "小微金融市场分析"
    assert [(p.cite, p.headings) for p in doc.passages] == [
        ("1(1)", ("一、市场概况",)), ("2(1)", ("二、发展建议",)), ("2(2)", ("二、发展建议",)),
    ]
    # A heading line of a text file, an emoji before its number: a heading all the same.
    typed = "小微金融报告\n\n📊 一、市场概况\n\n市场稳步发展。\n\n■ 二、发展建议\n\n加强政策支持。\n"
    assert [(p.cite, p.text) for p in parse(typed.encode("utf-8"), Path("chat.txt"), 600).passages] == [
        ("1(1)", "市场稳步发展。"), ("2(1)", "加强政策支持。"),
    ]


def test_note_apps_markup_never_reaches_a_passage():
    # Obsidian's and GitHub's callouts, a VuePress or Yuque container, ==highlight==: had read 「[!NOTE]小微贷款…」,
    # 「:::tip 提示普惠金融…:::」, 「重点关注==信用贷款==产品」.
    typed = ("# 笔记\n\n## 一、要点\n\n> [!NOTE]\n> 小微贷款余额持续增长。\n\n:::tip 提示\n普惠金融政策持续加码。\n:::\n\n"
             "重点关注==信用贷款==产品，公式(V==R)与W==S不变。\n")
    assert [p.text for p in parse(typed.encode("utf-8"), Path("notes.md"), 600).passages] == [
        "小微贷款余额持续增长。", "普惠金融政策持续加码。", "重点关注信用贷款产品，公式(V==R)与W==S不变。",
    ]


def test_a_details_blocks_summary_is_the_first_line_of_what_it_opens():
    # A FAQ written with <details><summary>: the question had been a passage of its own, saying only what to click, and
    # its answer a passage without it.
    typed = ("# 常见问题\n\n## 一、申请\n\n<details>\n<summary>如何申请小微贷款？</summary>\n\n登录银行App填写企业信息后提交申请。\n\n"
             "</details>\n\n<details><summary>需要哪些材料？</summary>\n\n- 营业执照\n- 法人身份证\n\n</details>\n\n其他问题请致电客服。\n")
    doc = parse(typed.encode("utf-8"), Path("faq.md"), 600)
    assert [(p.text, p.lead) for p in doc.passages] == [
        ("如何申请小微贷款？\n登录银行App填写企业信息后提交申请。", True), ("需要哪些材料？\n营业执照\n法人身份证", True), ("其他问题请致电客服。", False),
    ]
    # Its question matched, the highlight takes in the answer under it: the question leads the passage.
    from qa.highlight import with_what_it_labels
    from qa.text import split_sentences

    faq = doc.passages[0]
    assert with_what_it_labels(faq.text, split_sentences(faq.text), 0, faq.lead) == (0, len(faq.text))


@pytest.mark.parametrize("footer", ["第 1 页 共 2 页", "第1页/共2页", "共2页 第1页", "Page 1 of 2", "1/2页"])
def test_a_page_footer_with_the_page_count_is_no_text(footer):
    # Word's 「第 X 页 共 Y 页」 (and the like) in text saved from a PDF, a paragraph running on over it.
    lines = ["测试报告", "", "一、概况", "", "近年来小微企业贷款规模持续增长，各类金融机构积极参与，", "", footer, "", "\f服务覆盖面不断扩大。"]
    doc = parse("\n".join(lines).encode("utf-8"), Path("pages.txt"), 600)
    assert [p.text for p in doc.passages] == ["近年来小微企业贷款规模持续增长，各类金融机构积极参与，服务覆盖面不断扩大。"]


def test_word_saved_as_text_keeps_its_unnumbered_headings_apart():
    # A paragraph a line, no blank lines, headings in words alone: 「市场概况」 had run into the paragraph after it
    # (「小微金融调查报告市场概况近年来，…」). A wrapped paragraph's short first line, as wide as the next, still runs on.
    lines = ["小微金融调查报告", "市场概况", "近年来，我省小微企业贷款余额持续增长，同比增长15%。", "各类金融机构积极参与，服务覆盖面不断扩大。",
             "发展建议", "建议设立风险补偿基金，分担银行风险。", "近年来我省小微企业贷款", "余额持续增长，增速较快。"]
    doc = parse("\n".join(lines).encode("utf-8"), Path("saved.txt"), 600)
    assert doc.title == "小微金融调查报告"
    assert [(p.cite, p.text) for p in doc.passages] == [
        ("市场概况(1)", lines[2]), ("市场概况(2)", lines[3]), ("发展建议(1)", lines[5]), ("发展建议(2)", lines[6] + lines[7]),
    ]


def test_a_lead_in_whose_items_are_formula_residue_is_still_text():
    # flex's 「…迭代更新策略是：」 over two formulas, read as its items: no item has words, and the lead-in had gone with them.
    lines = ["# 测试白皮书", "", "## 一、协议", "", "在实际计算过程中，模型参数迭代更新策略是：", "- θ←θ−η∇L", "- φ←φ−η∇L", "", GROWTH]
    doc = parse("\n".join(lines).encode("utf-8"), Path("formula.md"), 600)
    assert [p.text for p in doc.passages] == ["在实际计算过程中，模型参数迭代更新策略是：", GROWTH]


def test_text_extracted_from_a_pdf_keeps_no_contents_list_and_runs_on_over_page_breaks():
    # What pdftotext or a copy from a viewer gives: a contents list with dot leaders (one entry wrapped
    # before its leader), then pages parted by a form feed or by a running header and a page number,
    # each with the blank lines an extractor leaves around them, a paragraph running on across both.
    wrapped = "这一行是正文，它一直写到页面的右边距为止才换行继续写下去，写到"
    lines = [
        "测试研究报告", "", "目  录", "一、市场规模............................ 1",
        "（一）国内市场的规模与结构以及它在近年来的变化", "................ 2", "二、投资方向............................ 3", "",
        "一、市场规模", wrapped, "这里。第二句也写到页面的右边距为止才换行，继续写下去直到", "", "\f", "",
        "页尾。", "二、投资方向", wrapped, "", "研究报告", "- 2 -", "", "这里。", "", "研究报告", "3", "",
    ]
    doc = parse("\n".join(lines).encode("utf-8"), Path("extracted.txt"), 600)
    assert doc.title == "测试研究报告"
    assert [(p.cite, p.text) for p in doc.passages] == [
        ("1(1)", f"{wrapped}这里。第二句也写到页面的右边距为止才换行，继续写下去直到页尾。"),
        ("2(1)", f"{wrapped}这里。"),
    ]


def test_a_line_opening_with_a_label_after_a_sentence_end_starts_a_paragraph():
    # Hard-wrapped text (a PDF's): the first item's last line runs to the margin and ends a sentence, so
    # only the next line's label (「统一维度：」) says a new item starts there.
    first = "合法合规：数据分类分级方法应遵循有关法律法规要求，对国家和地方主管单位有明确管理要求的数据进行重点识别和管理，并配套相应的数据安全管理办法，满足合法合规要求。"
    second = "统一维度：数据分类分级方法应明确思路，统一分类视角和颗粒度，确保各部门实施工作的连贯性，并使分级结果能够直接支持各部门明确管理责任边界，便于落实。"
    lines = ["测试白皮书", "一、原则", first[:40], first[40:], second[:40], second[40:]]
    assert len(first[40:]) == 39  # to the margin, not short of it
    doc = parse("\n".join(lines).encode("utf-8"), Path("wrapped.txt"), 600)
    assert [p.text for p in doc.passages] == [first, second]


def test_a_lone_lead_in_opens_the_text_after_it():
    # 「输入：」 alone on its line is never a passage; after a sentence end it starts one.
    wrapped = "这一行是正文，它一直写到页面的右边距为止才换行继续写下去，直到。"
    text = "\n".join(["测试白皮书", "一、协议", wrapped, "输入：", "用户ID；", "具体步骤：", "Step1：发起查询。"])
    doc = parse(text.encode("utf-8"), Path("lines.txt"), 600)
    assert [p.text for p in doc.passages] == [wrapped, "输入：用户ID；", "具体步骤：Step1：发起查询。"]
    typed = parse("标题\n\n安全要求：\n\n只能获得查询结果。\n".encode("utf-8"), Path("typed.txt"), 600)
    assert [p.text for p in typed.passages] == ["安全要求：只能获得查询结果。"]
    # A caption numbered like its section (表3.2.2) is a line of its own, so the lead-in after it still opens the items.
    caption = parse("\n".join(["测试白皮书", "一、协议", "表3.2.2 IV-FFS协议流程", "输入：", "用户ID；"]).encode("utf-8"), Path("c.txt"), 600)
    assert [p.text for p in caption.passages] == ["表3.2.2 IV-FFS协议流程", "输入：用户ID；"]
    # So is one with its words right after the number, when the line stops short; a wrapped line that opens
    # with 「图1显示，…」 is not one.
    lines = ["测试白皮书", "一、协议", wrapped, wrapped, "表2.2.1样本过滤协议流程", "输入：", "用户ID。",
             "规模说明：下面的图中可以看出，它一直写到页面的右边距为止才换行继", "图1显示，规模逐年扩大，这一行同样写到页面的右边距为止才换行继", "续写下去。"]
    glued = parse("\n".join(lines).encode("utf-8"), Path("g.txt"), 600)
    assert [p.text for p in glued.passages][1:] == ["表2.2.1样本过滤协议流程", "输入：用户ID。", "".join(lines[7:])]


def test_lines_ended_by_semicolons_after_a_lone_lead_in_are_its_items():
    # A protocol table as a PDF gives it: 「输入：」 and its 𝑢：…； lines, 「具体步骤：」 and its steps, one
    # wrapping at the margin; the list ends at an item ended by a full stop.
    wrapped = "这一行是正文，它一直写到页面的右边距为止才换行继续写下去，直到。"
    steps = ["Step1：查询方提出查询请求，并按照对应的用户编号生成规则将待查询", "的编号随机扩充为n个；", "Step2：服务方返回查询结果。"]
    lines = ["测试白皮书", "一、协议", wrapped, wrapped, wrapped, "输入：", "u：查询方提供的用户ID；", "n：用于混淆扩充的ID数；",
             "具体步骤：", *steps, "注：这一段是协议之后的说明。"]
    doc = parse("\n".join(lines).encode("utf-8"), Path("p.txt"), 600)
    assert [p.text for p in doc.passages][1:] == [
        "输入：\nu：查询方提供的用户ID；\nn：用于混淆扩充的ID数；",
        "具体步骤：\n" + steps[0] + steps[1] + "\n" + steps[2],
        "注：这一段是协议之后的说明。",
    ]
    body = ["首先，规模持续扩大，这一行也一直写到页面的右边距为止才换", "行继续写下去，直到这一句话结束的时候为止才停下来的。"]
    # A box's title opens a paragraph, even after a sentence that reached the margin, as a sentence of its own.
    boxed = ["测试报告", "一、规模", wrapped, wrapped, "专栏 6：数字化推动服务业变革", *body]
    box = parse("\n".join(boxed).encode("utf-8"), Path("b.txt"), 600)
    assert [p.text for p in box.passages] == [wrapped, wrapped, "专栏 6：数字化推动服务业变革\n" + "".join(body)]
    # Right before a heading, it opens the paragraph after the heading: never a passage of its own.
    boxed = ["测试报告", "一、规模", wrapped, wrapped, "专栏 4：山西省推动数字技术应用", "（一）矿山装备平台", *body]
    box = parse("\n".join(boxed).encode("utf-8"), Path("b.txt"), 600)
    assert [(p.headings[-1], p.text) for p in box.passages][2:] == [("（一）矿山装备平台", "专栏 4：山西省推动数字技术应用\n" + "".join(body))]
    # A figure's source note is a line of its own, with the caption next to it (either order).
    lines = ["测试报告", "一、规模", wrapped, wrapped, "图表4：行业规模", "资料来源：Wind，测试研究所", *body, "数据来源：统计局", "图 5 企业数量"]
    sourced = parse("\n".join(lines).encode("utf-8"), Path("s.txt"), 600)
    assert [p.text for p in sourced.passages] == [
        wrapped, wrapped, "图表4：行业规模 资料来源：Wind，测试研究所", "".join(body), "图 5 企业数量 数据来源：统计局"
    ]


def test_a_symbol_font_bullet_is_a_bullet_not_a_letter(tmp_path):
    doc = read_document(documents.symbol_bullets_pdf(tmp_path / "bullets.pdf"))
    assert [p.text for p in doc.passages] == ["安全分析：\n数据不会离开本地；\n只交换密文。"]


def test_numbered_lines_in_a_row_are_a_list_not_headings():
    doc = md("## 风险提示\n\n1）需求不及预期\n2）政策变化\n3）竞争加剧\n")
    assert cites(doc) == [("风险提示(1)", "1）需求不及预期\n2）政策变化\n3）竞争加剧")]
    # Paragraphs apart too, when short and ended by semicolons until the last; not numbered sentences.
    apart = md("## 风险提示\n\n1）政策落地不及预期的风险；\n\n2）行业竞争加剧的风险。\n")
    assert cites(apart) == [("风险提示(1)", "1）政策落地不及预期的风险；\n2）行业竞争加剧的风险。")]
    decimal = md("## 风险提示\n\n1、模型基于历史规律总结，历史规律可能失效；\n\n2、市场发生特殊事件时，模型可能失效。\n")
    assert cites(decimal) == [("风险提示(1)", "1、模型基于历史规律总结，历史规律可能失效；\n2、市场发生特殊事件时，模型可能失效。")]
    sentences = md("## 分级\n\n（1）无损害是指不存在负面影响。\n\n（2）一般损害是指存在一定的负面影响。\n")
    assert cites(sentences) == [("分级(1)", "无损害是指不存在负面影响。"), ("分级(2)", "一般损害是指存在一定的负面影响。")]


def test_numbered_lines_with_text_between_them_are_sections_and_a_last_line_is_never_lost():
    # Markdown makes each 「1. …」 a list of one item; counting up with text between they are the report's sections.
    doc = md(
        "1. 回顾与展望：板块估值处于较低水平，以AI为主攻\n\n通信指数上涨32.1%。\n\n"
        "2. 赛道一：全球AI共振，聚焦四大主线\n\n光模块放量。\n\n5.风险提示：AI发展不及预期、卫星发展低于预期\n"
    )
    assert [(c, t[:8]) for c, t in cites(doc)] == [("1(1)", "通信指数上涨32"), ("2(1)", "光模块放量。"), ("5(1)", "风险提示：AI发")]
    assert doc.passages[0].headings == ("1. 回顾与展望：板块估值处于较低水平，以AI为主攻",)
    # A one-item list at the end is text, not a heading with nothing under it.
    risks = md("## 五、风险提示\n\n- 供给侧减产政策落地\n")
    assert cites(risks) == [("5(1)", "供给侧减产政策落地")]
    assert cites(md("## 五、展望\n\n需求回升。\n\n**结语**\n")) == [("5(1)", "需求回升。")]  # a part's name alone is no text
    # One such line alone, or lines in a row, stay text or a list.
    alone = md("## 展望\n\n1. 估值处于较低水平，以AI为主攻\n\n通信指数上涨。\n")
    assert [c for c, _ in cites(alone)] == ["展望(1)", "展望(2)"]


REGULATION = (
    "小额贷款公司管理办法\n\n第一章　总则\n\n第一条　为规范小额贷款公司经营行为，制定本办法。\n\n"
    "第二条　小额贷款公司应当遵循小额、分散的原则。\n\n第二章　设立\n\n第三条　设立小额贷款公司，应当具备下列条件：\n\n"
    "（一）有符合规定的章程\n\n（二）注册资本不低于一亿元。\n\n第四条　变更名称的，应当报批。\n\n"
    "监督管理部门应当在二十日内作出决定。\n\n第十二条之一　本办法自发布之日起施行。\n"
)


def test_a_regulations_articles_are_cited_by_their_numbers():
    doc = parse(REGULATION.encode("utf-8"), Path("办法.txt"), 600)
    assert [(p.cite, p.headings[-1], p.text) for p in doc.passages] == [
        ("第一条", "第一章 总则", "第一条 为规范小额贷款公司经营行为，制定本办法。"),
        ("第二条", "第一章 总则", "第二条 小额贷款公司应当遵循小额、分散的原则。"),
        # an article's items and second clause are its lines, so the highlight can pick one
        ("第三条", "第二章 设立", "第三条 设立小额贷款公司，应当具备下列条件：\n（一）有符合规定的章程\n（二）注册资本不低于一亿元。"),
        ("第四条", "第二章 设立", "第四条 变更名称的，应当报批。\n监督管理部门应当在二十日内作出决定。"),
        ("第十二条之一", "第二章 设立", "第十二条之一 本办法自发布之日起施行。"),
    ]
    assert_clean(doc)
    assert cites(md(to_markdown(doc))) == cites(doc)  # qa import's Markdown reads back the same
    # Typed line by line: the lead-in is as long as the lines after it, so it looked wrapped, and the
    # first item ran on from it; an enumerated line after a colon starts a line of its own.
    typed = "第一条 为规范小额贷款公司经营行为，制定本办法。\n第二条 设立小额贷款公司，应当具备下列条件：\n（一）有符合规定的章程；\n（二）注册资本不得低于人民币一亿元；\n"
    assert cites(parse(typed.encode("utf-8"), Path("办法.txt"), 600))[1] == (
        "第二条", "第二条 设立小额贷款公司，应当具备下列条件：\n（一）有符合规定的章程；\n（二）注册资本不得低于人民币一亿元；"
    )


def test_a_word_regulation_cites_its_articles(tmp_path):
    import docx

    word = docx.Document()
    word.add_heading("小额贷款公司管理办法", 0)
    for line in REGULATION.split("\n\n")[1:]:
        word.add_paragraph(line.strip())
    word.save(tmp_path / "办法.docx")
    doc = read_document(tmp_path / "办法.docx")
    assert doc.title == "小额贷款公司管理办法"
    assert [(p.cite, p.text) for p in doc.passages] == [
        (p.cite, p.text) for p in parse(REGULATION.encode("utf-8"), Path("办法.txt"), 600).passages
    ]
    # Numbered by Word's list (第%1条), the text holding none: the same articles, not one list of them.
    paragraphs = [line.strip() for line in REGULATION.split("\n\n")[1:] if "之一" not in line]
    numbered = read_document(documents.numbered_regulation_docx(tmp_path / "编号.docx", paragraphs))
    assert [(p.cite, p.text) for p in numbered.passages] == [(p.cite, p.text) for p in doc.passages][:4]


def test_article_numbers_typed_without_a_space_are_read_in_a_run_from_the_first():
    # Copied from a web page or typed, 「第一条为了…」: line by line, and in paragraphs.
    unspaced = [line.replace("　", "", 1) if line.startswith("第") and "条　" in line[:6] else line for line in REGULATION.split("\n")]
    assert "第一条为规范小额贷款公司经营行为，制定本办法。" in unspaced
    spaced = [(p.cite, p.text) for p in parse(REGULATION.encode("utf-8"), Path("办法.txt"), 600).passages]
    assert [(p.cite, p.text) for p in parse("\n".join(unspaced).encode("utf-8"), Path("办法.txt"), 600).passages] == spaced
    lines = "第一条为规范经营行为，制定本办法。\n第二条本办法适用于小额贷款公司。\n第三条小额贷款公司应当依法经营。\n"
    assert [p.cite for p in parse(lines.encode("utf-8"), Path("办法.txt"), 600).passages] == ["第一条", "第二条", "第三条"]
    # Not a run from 第一条: a report's lines opening so are its text.
    report = md("## 一、产能\n\n第一条生产线已投产。\n\n第二条生产线在建，第三条尚在规划。\n")
    assert [(p.cite, p.text) for p in report.passages] == [("1(1)", "第一条生产线已投产。"), ("1(2)", "第二条生产线在建，第三条尚在规划。")]


def test_articles_met_again_or_long_keep_unique_cites_and_one_is_text():
    twice = md("## 甲办法\n\n第一条 甲的目的。\n\n第二条 甲的范围。\n\n## 乙细则\n\n第一条 乙的目的。\n")
    assert [p.cite for p in twice.passages] == ["第一条", "第二条", "乙细则 › 第一条"]
    clause = "借款人应当按照合同约定的期限和方式归还贷款本息。"
    long = parse(f"第一条 {clause * 30}\n\n第二条 {clause}\n".encode("utf-8"), Path("长.txt"), 200)
    assert [p.cite for p in long.passages][:2] == ["第一条", "第一条-2"] and long.passages[-1].cite == "第二条"
    assert all(len(p.text) <= 200 for p in long.passages)
    assert cites(parse(to_markdown(long).encode("utf-8"), Path("长.md"), 200)) == cites(long)
    # one paragraph opening so is a report's text, not an article
    report = md("## 一、建议\n\n第一条 建议是降低融资成本。\n\n其次是扩大覆盖面。\n")
    assert [p.cite for p in report.passages] == ["1(1)", "1(2)"]


@pytest.mark.parametrize("title, names_it", [
    ("中国数字经济发展报告", True), ("Title Insurance Market Report", True), ("标题党现象研究", True),
    ("Microsoft Word - 方案.docx", False), ("PowerPoint 演示文稿", False), ("无标题", False), ("Document1", False),
    ("Title", False), ("标题", False), ("untitled", False), ("", False),
])
def test_a_title_an_authoring_tool_stores_for_every_file_is_not_the_documents(title, names_it):
    from qa.readers.blocks import meaningful_title

    assert meaningful_title(title) is names_it


def test_a_word_tables_equal_neighbouring_values_are_two_cells_and_a_merged_cell_one(tmp_path):
    # Two cells of one value side by side (5%, 5%; -, -) had been read as one merged cell: every value after them moved
    # under the header before its own (a broker's 「25E PE：16.00」 was 26E PE's). A cell merged across columns is one.
    import docx

    document = docx.Document()
    document.add_heading("一、增长情况", level=1)
    table = document.add_table(rows=3, cols=4)
    for r, values in enumerate([["指标", "2023年", "2024年", "2025年"], ["增速", "5%", "5%", "6%"], ["就业", "1200万", "", ""]]):
        for c, value in enumerate(values):
            table.cell(r, c).text = value
    table.cell(2, 2).merge(table.cell(2, 3)).text = "未公布"
    document.save(tmp_path / "t.docx")
    assert [p.text for p in read_document(tmp_path / "t.docx").passages] == [
        "一、增长情况\n指标：增速；2023年：5%；2024年：5%；2025年：6%\n指标：就业；2023年：1200万；2024年：未公布"]


def test_word_document(tmp_path):
    doc = read_document(documents.word_docx(tmp_path / "annual.docx"))
    assert doc.title == "测试公司年度经营报告"
    assert [(p.cite, p.headings, p.text) for p in doc.passages] == [
        ("(1)", (), "本报告总结测试公司全年的经营情况。"),
        ("经营概况 › 收入(1)", ("经营概况", "收入"), "全年营业收入 58 亿元，同比增长 12%。"),
        ("经营概况 › 收入(2)", ("经营概况", "收入"), "云服务客户超过 2 万家，续费率 92%。"),  # its text box, once
        ("经营概况 › 收入(3)", ("经营概况", "收入"), "主要收入来源如下：\n云服务收入 30 亿元\n软件授权收入 20 亿元\n咨询收入 8 亿元"),
        ("经营概况 › 区域分布(1)", ("经营概况", "区域分布"),
         "区域分布\n区域：华东；收入（亿元）：25；占比：43%\n区域：华南；收入（亿元）：18；占比：31%\n"
         "区域：其他；收入（亿元）：15；占比：26%\n"  # 15 sits in a content control in its cell
         "区域：说明；收入（亿元）：明细： 项目：政府项目；金额：5 亿元"),  # a table nested in the cell
        ("风险(1)", ("风险",), "主要风险是市场竞争加剧和人才流失。"),
        ("附录(1)", ("附录",), "云服务指按需提供的计算资源（含存储），见第 3 页。"),
        ("脚注(1)", ("脚注",), "[1] 数据来源：公司年报。"),
        ("脚注(2)", ("脚注",), "[i] 云服务收入含政府项目。"),
    ]
    assert all(p.page is None for p in doc.passages)


def test_word_headings_numbered_by_word_cite_their_numbers(tmp_path):
    # The numbers are Word's automatic numbering (a list linked to the heading styles): the text holds
    # none, Word shows 第一章 and 1.1, and so do the cites. The list (（1）, restarted) counts apart.
    doc = read_document(documents.numbered_word_docx(tmp_path / "rules.docx"))
    assert [(p.cite, p.headings) for p in doc.passages] == [
        ("1.1(1)", ("第一章 总则", "1.1 目的")),
        ("1.2(1)", ("第一章 总则", "1.2 适用范围")),
        ("1.2(2)", ("第一章 总则", "1.2 适用范围")),
        ("2.1.1(1)", ("第二章 市场", "2.1 规模", "2.1.1 增速")),
    ]


def test_word_paragraphs_numbered_as_sections_are_headings(tmp_path):
    # Normal paragraphs Word numbers 一、 二、 head sections; a numbered list of sentences stays a list.
    doc = read_document(documents.numbered_sections_docx(tmp_path / "plan.docx"))
    assert doc.title == "小微企业金融服务方案"  # the Title paragraph, not the tool's "Microsoft Word - 方案.docx"
    assert [(p.cite, p.headings, p.text) for p in doc.passages] == [
        ("1(1)", ("一、总体要求",), "坚持服务实体经济，支持小微企业发展。"),
        ("2(1)", ("二、主要任务",), "(1) 扩大信用贷款投放。\n(2) 降低小微企业融资成本。"),
    ]



def test_a_word_title_set_by_hand_is_the_title(tmp_path):
    # No Title style, no core property: a centred bold first line is how many set a title. A centred 第一章
    # is a chapter, and a bold line at the left a section's label.
    import docx
    from docx.enum.text import WD_ALIGN_PARAGRAPH

    def document(first: str, centred: bool):
        d = docx.Document()
        run = d.add_paragraph().add_run(first)
        run.bold = True
        if centred:
            d.paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.CENTER
        d.add_paragraph("本报告基于2024年的调研。")
        d.save(tmp_path / "调研.docx")
        doc = read_document(tmp_path / "调研.docx")
        return doc.title, [(p.cite, p.text) for p in doc.passages]

    assert document("某市小微企业融资调研报告", True) == ("某市小微企业融资调研报告", [("(1)", "本报告基于2024年的调研。")])
    assert document("某市小微企业融资调研报告", False) == ("调研", [("某市小微企业融资调研报告(1)", "本报告基于2024年的调研。")])
    assert document("第一章 总则", True) == ("调研", [("1(1)", "本报告基于2024年的调研。")])


@pytest.mark.timeout(10)
def test_a_word_paragraph_of_tabs_is_read_in_linear_time(tmp_path):
    import docx

    document = docx.Document()
    document.add_paragraph("正文一句。")
    document.add_paragraph("\t" * 50_000 + "x")
    document.save(tmp_path / "tabs.docx")
    assert [p.text for p in read_document(tmp_path / "tabs.docx").passages][0] == "正文一句。"


def test_a_contents_list_typed_in_word_paragraphs_is_left_out(tmp_path):
    # Not Word's own contents (its entries in toc styles) but one typed or pasted in Normal paragraphs, page
    # numbers after a tab or a dot leader: read as headings they had made chapters 一 and 二 twice.
    import docx

    for leader in ("\t", " ........ "):
        document = docx.Document()
        document.add_paragraph("测试报告", style="Title")
        document.add_paragraph("目录")
        for entry, page in (("一、市场概述", 1), ("二、投资方向", 2), ("（一）重点领域", 2)):
            document.add_paragraph(f"{entry}{leader}{page}")
        for heading, level, text in (("一、市场概述", 1, "市场概述的正文。"), ("二、投资方向", 1, "投资方向的正文。"),
                                     ("（一）重点领域", 2, "重点领域的正文。")):
            document.add_heading(heading, level)
            document.add_paragraph(text)
        document.add_paragraph("附表见第三页\t3")  # one such line alone is text
        document.save(tmp_path / "plan.docx")
        doc = read_document(tmp_path / "plan.docx")
        assert [(p.cite, p.text) for p in doc.passages] == [
            ("1(1)", "市场概述的正文。"), ("2(1)", "投资方向的正文。"), ("2.1(1)", "重点领域的正文。"), ("2.1(2)", "附表见第三页 3"),
        ]

def test_word_numbers_are_counted_as_word_counts():
    from qa.readers.docx_numbering import _chinese, number_in

    assert [_chinese(n) for n in (1, 10, 11, 20, 105, 110, 1005)] == ["一", "十", "十一", "二十", "一百零五", "一百一十", "一千零五"]
    assert [number_in(n, f) for n, f in ((3, "upperLetter"), (14, "lowerRoman"), (4, "ideographTraditional"), (2, "decimalEnclosedCircle"))] == [
        "C", "xiv", "丁", "②"
    ]


def test_damaged_word_file(tmp_path):
    path = tmp_path / "broken.docx"
    path.write_bytes(b"PK\x03\x04 not really a zip")
    with pytest.raises(CorpusError, match="broken.docx.*Word"):
        read_document(path)


@pytest.mark.parametrize("part", ["word/footnotes.xml", "word/numbering.xml", "word/document.xml"])
def test_a_word_file_with_a_damaged_part_is_unreadable_not_a_crash(tmp_path, part):
    import io
    import zipfile

    good = documents.word_docx(tmp_path / "good.docx")
    damaged = io.BytesIO()
    with zipfile.ZipFile(good) as source, zipfile.ZipFile(damaged, "w") as out:
        for item in source.infolist():
            data = source.read(item.filename)
            out.writestr(item, data[: len(data) // 2] if item.filename == part else data)
    path = tmp_path / "damaged.docx"
    path.write_bytes(damaged.getvalue())
    with pytest.raises(CorpusError, match="damaged.docx.*Word"):
        read_document(path)


@pytest.mark.parametrize("depth", [50, 300])
def test_tables_nested_in_tables_are_read_to_any_depth_the_xml_parser_takes(tmp_path, depth):
    import docx

    d = docx.Document()
    d.add_paragraph("嵌套表格测试。")
    cell = d.add_table(rows=1, cols=1).cell(0, 0)
    for level in range(depth):
        cell.text = f"第{level}层"
        cell = cell.add_table(rows=1, cols=1).cell(0, 0)
    cell.text = "最里层的数据"
    path = d.save(tmp_path / "nested.docx") or tmp_path / "nested.docx"
    if depth > 60:  # past lxml's 256 levels of XML: the file is unreadable, reported as any damaged file
        with pytest.raises(CorpusError, match="nested.docx.*Word.*depth"):
            read_document(path)
        return
    text = "\n".join(p.text for p in read_document(path).passages)
    assert "第0层" in text and f"第{depth - 1}层" in text and "最里层的数据" in text


# --------------------------------------------------------------------------- PDF

needs_chromium = pytest.mark.skipif(bool(documents.CANNOT_PRINT_PDF), reason=documents.CANNOT_PRINT_PDF)


@pytest.fixture(scope="module")
def report_pdf(tmp_path_factory) -> Path:
    if documents.CANNOT_PRINT_PDF:
        pytest.skip(f"{documents.CANNOT_PRINT_PDF}: no PDF fixtures")
    return documents.report_pdf(tmp_path_factory.mktemp("pdf") / "report.pdf")


@pytest.mark.slow
@needs_chromium
def test_a_pdf_regulations_articles_are_cited_by_their_numbers(tmp_path):
    doc = read_document(documents.regulation_pdf(tmp_path / "办法.pdf"))
    assert [p.cite for p in doc.passages] == ["第一条", "第二条", "第三条", "第四条", "第五条"]
    by_cite = {p.cite: p for p in doc.passages}
    assert by_cite["第三条"].text.split("\n")[1:] == ["（一）有符合《中华人民共和国公司法》和本办法规定的章程；", "（二）注册资本不低于人民币一亿元，且为实缴货币资本；"]
    # 并说明理由。 reaches the margin: the next line's 「第五条　」 still opens an article, not a wrap
    assert by_cite["第四条"].text.endswith("并说明理由。") and by_cite["第五条"].text.startswith("第五条 为规范")
    assert all(p.page == 1 for p in doc.passages)
    assert by_cite["第三条"].headings == ("第二章 设立",)  # the space after 第二章 kept, as after 第三条


@pytest.mark.slow
@needs_chromium
def test_a_pdf_title_on_a_page_of_text_is_neither_text_nor_a_heading(tmp_path):
    aim = "为贯彻落实国家关于支持小微企业发展的决策部署，进一步提升金融服务质效，现就有关事项通知如下，请各单位认真贯彻执行。"
    notice = documents.chromium_pdf(
        f"<h1>关于加强小微企业金融服务的通知</h1><p>各市州人民政府，省政府各部门：</p><p>{aim}{aim}</p>", tmp_path / "notice.pdf"
    )
    doc = read_document(notice)
    assert doc.title == "关于加强小微企业金融服务的通知"
    assert [p.text for p in doc.passages] == ["各市州人民政府，省政府各部门：", aim + aim]  # not 「…的通知各市州人民政府…」



@pytest.mark.slow
@needs_chromium
def test_a_pdf_paragraph_whose_last_line_reaches_the_margin_ends_where_the_layout_says(tmp_path):
    # Each paragraph is exactly two lines of a 22-character measure and ends with 。 at the margin, so its text
    # alone cannot tell whether the next line wraps it or starts another: the layout can (a gap, an indent).
    first = "小微企业贷款余额持续增长，普惠金融的覆盖面正在不断扩大，服务质效也在稳步提升，成效明显。"
    second = "担保机构分担风险的作用更加明显，银行放贷的意愿随之增强，小微企业融资也比过去便利了许多。"
    third = "数字技术降低了获客和风控的成本，线上信用贷款产品的数量正在快速增加，审批也快了许多。"  # after a 2-character indent
    fourth = "地方政府设立风险补偿资金池，对银行发放的首笔贷款都给予部分损失补偿，分担了银行风险。"
    assert [len(p) for p in (first, second, third, fourth)] == [44, 44, 42, 42]
    gapped = "".join(f"<p style='width: 22em; margin: 1em 0'>{p}</p>" for p in (first, second))
    indented = "".join(f"<p style='width: 22em; margin: 0; text-indent: 2em'>{p}</p>" for p in (third, fourth))
    doc = read_document(documents.chromium_pdf(f"<h2>一、融资环境</h2>{gapped}<h2>二、政策支持</h2>{indented}", tmp_path / "brief.pdf"))
    assert [p.text for p in doc.passages] == [first, second, third, fourth]
    # Its largest type is its two headings, apart: no title (the file's name), and they stay headings.
    assert doc.title == "brief" and [p.cite for p in doc.passages] == ["1(1)", "1(2)", "2(1)", "2(2)"]


@pytest.mark.slow
@needs_chromium
def test_a_one_page_pdf_paragraph_wraps_without_a_space_and_its_signature_lines_stay_apart(tmp_path):
    # Too few lines for their widths to tell the text's margin: where the page has it, the wrapped line (cut
    # inside 百分之十五) reaches the page's right margin, and the right-aligned signature lines start elsewhere.
    aim = "为全面了解小微企业融资情况，据统计全省小微企业贷款余额同比增长了百分之十五，现决定开展年度调查，请认真填报。"
    notice = documents.chromium_pdf(
        f"<h2>关于开展小微企业融资情况调查的通知</h2><p>各有关单位：</p><p>{aim}</p><p>特此通知。</p>"
        "<p style='text-align: right'>省金融局</p><p style='text-align: right'>2024年6月1日</p>",
        tmp_path / "notice.pdf",
    )
    doc = read_document(notice)
    assert [p.text for p in doc.passages] == [f"各有关单位：{aim}", "特此通知。", "省金融局 2024年6月1日"]  # not 「…增长了百 分之十五…」


@pytest.mark.slow
@needs_chromium
def test_a_one_page_pdf_paragraph_in_a_narrow_box_wraps_without_a_space(tmp_path):
    # Set narrower than the page, its first line reaches no margin the page shows: 「…服务覆盖面 不断扩大…」 had kept
    # the wrap as a space. A line of running text cut mid-sentence (a comma in it, no sentence end) wraps on.
    text = "近年来小微企业贷款规模持续增长，各类金融机构积极参与，服务覆盖面不断扩大，融资成本稳步下降，整体呈现良好态势。"
    for width in (32, 38):
        body = f"<h1>小微金融报告</h1><h2>一、市场概况</h2><p style='width: {width}em'>{text}</p><p>特此报告。</p>"
        doc = read_document(documents.chromium_pdf(body, tmp_path / f"narrow{width}.pdf"))
        assert [p.text for p in doc.passages] == [text, "特此报告。"]


@pytest.mark.slow
@needs_chromium
def test_a_one_page_pdfs_footer_with_the_page_count_is_no_passage(tmp_path):
    # One page: no repeat tells the footer; 「第 1 页 共 1 页」 had been a passage.
    text = "近年来小微企业贷款规模持续增长，各类金融机构积极参与，服务覆盖面不断扩大，融资成本稳步下降，整体呈现良好态势。"
    body = (f"<div style='height: 10in; position: relative'><h1>小微金融报告</h1><h2>一、市场概况</h2><p>{text}</p>"
            "<div style='position: absolute; bottom: 0; width: 100%; text-align: center'>第 1 页 共 1 页</div></div>")
    assert [p.text for p in read_document(documents.chromium_pdf(body, tmp_path / "footer.pdf")).passages] == [text]


@pytest.mark.slow
@needs_chromium
def test_a_slide_decks_points_stay_apart(tmp_path):
    # Slides printed to PDF: short points, no bullet in the text layer, no full stops. Three of about the same width had
    # read as a narrow column's wrapped text (「融资成本仍然偏高信用信息共享不足…」), and a point with a comma ran on
    # into the next (「…同比增长15%普惠型…」).
    slides = (("一、市场概况", ("小微贷款余额达到1200亿元，同比增长15%", "普惠型小微企业贷款户数超过5万户", "线上贷款占比提升至35%")),
              ("二、主要问题", ("融资成本仍然偏高", "信用信息共享不足", "风险分担机制不健全")))
    style = ("<style>@page { size: 13.33in 7.5in; margin: 0 } .s { height: 7.5in; padding: 0.6in; box-sizing: border-box;"
             " page-break-after: always } h1 { font-size: 36pt } li { font-size: 22pt; margin: 12pt 0 }</style>")
    cover = "<div class='s'><h1>小微金融发展报告</h1><p>2024年3月</p></div>"
    body = "".join(f"<div class='s'><h1>{t}</h1><ul>{''.join(f'<li>{x}</li>' for x in points)}</ul></div>" for t, points in slides)
    doc = read_document(documents.chromium_pdf(style + cover + body, tmp_path / "slides.pdf"))
    assert [(p.cite, p.text) for p in doc.passages][1:] == [(f"{n}(1)", " ".join(points)) for n, (_, points) in enumerate(slides, 1)]


@pytest.mark.slow
@needs_chromium
def test_a_pdf_table_is_one_passage_a_row_a_line_with_its_caption(tmp_path):
    text = "近年来小微企业贷款规模持续增长，各类金融机构积极参与，服务覆盖面不断扩大，融资成本稳步下降，整体呈现良好态势。"
    rows = (("国有大型银行", "1200", "15%"), ("股份制银行", "800", "12%"), ("城市商业银行", "650", "18%"), ("农村金融机构", "900", "20%"))
    # Set in 12 points against the text's 10 (a table's type is not the text's): rows, not headings.
    cell = "<{tag} style='padding: 2pt 8pt; font-size: 12pt'>{text}</{tag}>"
    table = "<table style='border-spacing: 0'><tr>" + "".join(cell.format(tag="th", text=h) for h in ("机构类型", "贷款余额（亿元）", "同比增速"))
    table += "</tr>" + "".join("<tr>" + "".join(cell.format(tag="td", text=c) for c in row) + "</tr>" for row in rows) + "</table>"
    report = documents.chromium_pdf(
        f"<h1>小微金融报告</h1><h2>一、市场概况</h2><p>{text}</p><p>表 1 各类机构小微贷款情况</p>{table}<p>{text}</p>",
        tmp_path / "table.pdf",
    )
    passages = read_document(report).passages
    assert [p.text for p in passages][0] == [p.text for p in passages][2] == text  # the text after it is not glued on
    lines = passages[1].text.split("\n")
    assert lines == ["表 1 各类机构小微贷款情况", "机构类型 贷款余额（亿元） 同比增速", *(" ".join(row) for row in rows)]

def test_a_pdf_label_in_bold_leads_its_paragraph(tmp_path):
    # bj_av's 「DSAL1安全要求」 in bold at the text's size: it had run into the paragraph under it (「DSAL1安全要求在数据采集
    # 方面…」), and that into the paragraph before it; the second label's paragraph opens with a sentence in bold too;
    # the third is bold as Word makes it of a font without a bold face (filled and stroked: htsc's summary titles); the
    # next wraps over two lines (cbi's case titles: 「案例：…平台建设」 had run into 「案例背景：…」); the last two are stacked
    # (htsc's 「针对美国司法管辖区的声明」 「美国法律法规要求之一般披露」, which had run into the text under them).
    passages = read_document(documents.bold_labels_pdf(tmp_path / "labels.pdf")).passages
    assert [(p.text.split("\n"), p.lead) for p in passages] == [
        (["数据安全等级保障是以最大限度消除数据安全问题可能产生的危害为目的，依据数据等级制定不同强度的保障等级，并对不同等级的数据分别使用对应的保障手段。"], False),
        (["DSAL1安全要求", "在数据采集方面，应遵循最小化采集原则，仅采集业务必须的最少数据。对数据源进行身份鉴别，防止数据源假冒或伪造。"], True),
        (["DSAL2安全要求", "在数据采集方面与DSAL1安全要求相同。在数据存储方面，除满足DSAL1安全要求外还需在云端和终端设备上对数据进行加密。"], True),
        (["指数配置策略利用牛熊指标对成分股择时结果确定配置比例，效果较好", "将牛熊择时策略使用在同一指数下的所有成分股之上，并根据策略所给出的做多成分股占所有成分股比例决定指标配置仓位。"], True),
        (["在数字化投入体量方面，从投入规模看，二产数字化投入规模明显大于一产、三产，其中，数字化投入规模最大。"], False),
        (["案例：保障数据合规应用、挖掘数据要素红利，洞见科技助力国内首个省级政务数据隐私计算平台建设工作与运营实践", "案例背景：国内各地数据平台、数据交易中心处于蓬勃建设热潮中。"], True),
        (["针对美国司法管辖区的声明 美国法律法规要求之一般披露", "本研究报告由华泰证券股份有限公司编制，在美国由其联营公司向机构投资者分发。"], True),
    ]


def test_a_pdf_tables_cells_a_space_apart_stay_apart(tmp_path):
    # htsc's 「1.0672-27.09%」 read as a range: a Sharpe ratio and a drawdown less than a type size apart, the
    # space between them a text object of its own, which the cells' gap measure had left out.
    passages = read_document(documents.spaced_cells_pdf(tmp_path / "cells.pdf")).passages
    assert passages[0].text.split("\n") == [
        "类别 夏普比率 最大回撤 交易盈亏比", "直接牛熊 1.0672 -27.09% 3.0894", "双均线 0.7494 -37.08% 1.9131", "指数本身 0.5386 -52.60% 2.4490",
    ]


@pytest.mark.slow
@needs_chromium
def test_a_pdf_item_whose_full_stop_was_forgotten_ends_where_the_next_label_alike_begins(tmp_path):
    # bj_av's 「DL2级：…不影响国家安全和公众利益」 stops short without its 。, and 「DL3级：…」 had run on from it.
    lead = "根据数据遭到破坏、泄露、损毁后对国家安全、公众利益、个人权益和企业合法权益的危害程度，将数据等级分为如下3级："
    items = ["DL1级：数据被泄露、破坏或非法利用后，对国家安全、公众利益、个人权益和企业合法权益均无危害。",
             "DL2级：数据被泄露后，对个人权益造成一般损害", "DL3级：数据被泄露后，对个人权益造成严重损害。"]
    text = "近年来小微企业贷款规模持续增长，各类金融机构积极参与，服务覆盖面不断扩大，融资成本稳步下降，整体呈现良好态势。"
    report = documents.chromium_pdf(
        f"<h1>数据分级指南</h1><h2>一、数据分级</h2><p>{text}</p><p>{lead}<br>{'<br>'.join(items)}</p>", tmp_path / "levels.pdf"
    )
    passages = read_document(report).passages
    assert passages[1].text.split("\n") == [lead, *items] and passages[1].lead


@pytest.mark.slow
@needs_chromium
def test_a_pdf_tables_header_centred_over_its_columns_is_its_first_row(tmp_path):
    # Centred, the header's words start nowhere near the rows' cells, so they do not line up with them: the line
    # right above the rows, as many words as the rows have cells, is the header all the same.
    rows = (("国有大型银行", "1200", "15%"), ("股份制银行", "800", "12%"), ("城市商业银行", "650", "18%"))
    cell = "<{tag} style='width: 9em; padding: 2pt 0; text-align: {align}'>{text}</{tag}>"
    header = "".join(cell.format(tag="th", align="center", text=h) for h in ("机构", "余额", "增速"))
    body = "".join("<tr>" + "".join(cell.format(tag="td", align="left", text=c) for c in row) + "</tr>" for row in rows)
    text = "近年来小微企业贷款规模持续增长，各类金融机构积极参与，服务覆盖面不断扩大，融资成本稳步下降，整体呈现良好态势。"
    report = documents.chromium_pdf(
        f"<h1>小微金融报告</h1><h2>一、市场概况</h2><p>{text}</p><p>表 1 各类机构小微贷款情况</p>"
        f"<table style='border-spacing: 0'><tr>{header}</tr>{body}</table><p>{text}</p>",
        tmp_path / "centred.pdf",
    )
    passages = read_document(report).passages
    assert passages[1].text.split("\n") == ["表 1 各类机构小微贷款情况", "机构 余额 增速", *(" ".join(row) for row in rows)]
    assert passages[1].lead and [p.text for p in passages][0::2] == [text, text]


@pytest.mark.slow
@needs_chromium
def test_a_pdf_table_set_larger_than_the_text_keeps_its_words_when_a_cell_wraps(tmp_path):
    # In 12 points over 10-point text a table's lines are in heading type; 「安全保障等级」 wrapped in its cell, so no
    # two rows line up and neither is a table's row. A line of three cells or more is no heading all the same: as
    # headings heading nothing the rows' words had been in no passage.
    rows = (("数据等级", "DL5", "DL4", "DL3", "DL2", "DL1"), ("安全保障等级", "DSAL3", "DSAL3", "DSAL2", "DSAL1", "QM"))
    cell = "<td style='width: 6em; text-align: center'>{}</td>"
    table = "<table>" + "".join("<tr>" + "".join(cell.format(c) for c in row) + "</tr>" for row in rows) + "</table>"
    text = "在数据采集方面，应遵循最小化采集原则，仅采集业务必须的最少数据，并对数据源进行身份鉴别，防止数据源假冒或伪造。"
    report = documents.chromium_pdf(f"<h1>数据分级指南</h1><h2>一、保障要求</h2><p>{text}</p>{table}<p>{text}</p>", tmp_path / "large.pdf")
    passages = read_document(report).passages
    assert "数据等级 DL5 DL4 DL3 DL2 DL1" in [p.text for p in passages]
    assert any("DSAL3 DSAL3 DSAL2 DSAL1 QM" in p.text for p in passages)


_DATA_LEVELS = (("数据等级", "DL5", "DL4", "DL3", "DL2", "DL1"), ("安全保障等级", "DSAL3", "DSAL3", "DSAL2", "DSAL1", "QM"))
_GRADED_ITEMS = (("车灯喇叭状态", "DL2"), ("制动标志", "DL2"), ("驾驶证信息", "DL3"), ("安全员人脸", "DL4"))


@pytest.mark.slow
@needs_chromium
@pytest.mark.parametrize(
    "lead, rows, cell",
    [
        # Two cells a line, a label and a short value lined up (bj_av's data-grading appendix): rows, led by the
        # label above them.
        ("零部件状态数据", _GRADED_ITEMS, "<td style='width: 14em'>{}</td>"),
        # bj_av's 「表2 数据安全保障等级」: a header and one row, each cell centred in its column, so no cell of one
        # row starts where the other's does; both rows had run into the paragraph after them.
        ("表2 数据安全保障等级", _DATA_LEVELS, "<td style='width: 8em; font-size: 10pt; text-align: center'>{}</td>"),
    ],
    ids=["labels-and-short-values", "two-centred-rows"],
)
def test_a_short_pdf_table_is_rows_under_its_lead(tmp_path, lead, rows, cell):
    table = "<table>" + "".join("<tr>" + "".join(cell.format(c) for c in row) + "</tr>" for row in rows) + "</table>"
    text = "本附件列出示范区各类数据的建议等级，供数据处理者在开展数据分类分级工作时参考，并应结合实际业务场景确定。"
    report = documents.chromium_pdf(
        f"<h1>数据分级指南</h1><h2>一、分级列表</h2><p>{text}</p><p>{lead}</p>{table}<p>{text}</p>", tmp_path / "grading.pdf"
    )
    passages = read_document(report).passages
    assert [p.text for p in passages] == [text, "\n".join([lead, *(" ".join(row) for row in rows)]), text]
    assert passages[1].lead


@pytest.mark.slow
@needs_chromium
def test_a_pdf_contents_page_names_its_unnumbered_headings(tmp_path):
    doc = read_document(documents.unnumbered_headings_pdf(tmp_path / "broker.pdf"))
    by_text = {p.text[:6]: p for p in doc.passages}
    assert by_text["我们利用短期"].headings == ("市场回顾与本文概述",)
    index = next(p for p in doc.passages if "在上证 50" in p.text)
    assert index.headings == ("策略在多个指数上表现更优",)  # the listed figure caption is no heading
    assert index.text.startswith("在上证 50")  # nor glued to the text: a passage of its own
    assert any(p.text == "图表 1：策略净值对比" for p in doc.passages)
    assert by_text["按月度指标变"].cite == "行业轮动中的应用(1)"
    assert not any(p.text.startswith(("市场回顾", "行业轮动")) for p in doc.passages)  # not glued to the text


@pytest.mark.slow
@needs_chromium
def test_a_contents_page_without_leaders_gives_the_body_headings_their_numbers(tmp_path):
    doc = read_document(documents.numbered_contents_pdf(tmp_path / "paper.pdf"))
    cites = {p.text[:4]: p.cite for p in doc.passages}
    assert cites == {"国家出台": "1.1(1)", "测试示范": "1.2(1)", "数据分类": "2.1(1)"}
    assert doc.passages[0].headings == ("一、编制背景", "（一）政策要求")
    assert not any("目 录" in p.text or "01" in p.text for p in doc.passages)  # the contents page is gone
    assert doc.title == "paper"  # its first page, a contents page all in one type, has no title to give: the file's name


@pytest.mark.slow
@needs_chromium
def test_pdf_headings_by_type_size(tmp_path):
    doc = read_document(documents.large_type_pdf(tmp_path / "slides.pdf"))
    sections = {p.text[:5]: p.headings for p in doc.passages}
    chapter = "掘金新型生产要素数据迎来政策红利"  # a divider's title: the chapter of the sections after it
    assert sections["数据隐私日"] == (chapter, "底层价值：应对数据隐私挑战")
    # A numbered heading in smaller type than the label before it is a section of that label.
    assert sections["数据安全指"] == sections["数据安全实"] == (chapter, "底层价值：应对数据隐私挑战", "2.数据安全：价值底座")
    # The repeat of the section title at a page's foot is neither a heading nor text; the next
    # larger-type heading closes the smaller numbered one.
    assert sections["隐私计算赛"] == (chapter, "市场回响：投融资势头强劲")
    assert not any("底层价值" in p.text for p in doc.passages)
    # A cover's and a divider's large type is no section; a short figure line on a page is no label.
    assert not any(h in ("隐私计算行业研究报告", "掘金", "为隐私计算理论") for p in doc.passages for h in p.headings)
    assert [p.cite for p in doc.passages if p.text.startswith("数据安全指")] == [f"{chapter} › 底层价值：应对数据隐私挑战 › 2(1)"]
    # A diagram's words are one passage, not one a box.
    assert [p.text for p in doc.passages if "体系化" in p.text] == ["针对体系化需求 场景，提出隐私计算理论 关键技术体系包 含框架、形式化定义"]
    # The title drawn atop page 6 heads all of its text; the wrapped title is one heading.
    assert sections["应用正在多"] == (chapter, "前景展望：应用加速落地")
    assert sections["产品化能力"] == (chapter, "前景展望：应用加速落地", "1.底层技术相对成熟，产品化能力成为核心竞争力")
    # Headings written after the text they head, set above it, head it (CB Insights' last page).
    assert sections["测试研究院"] == (chapter, "关于测试研究院") and sections["本报告所载"] == ("免责声明",)
    # A cover's lines are kept apart, not run together (「…报告测试研究院」). A divider's title is a
    # heading (a chapter's, holding the sections after it) and its list of the chapter's sections is dropped.
    assert [p.text for p in doc.passages if p.page in (1, 2)] == ["隐私计算行业研究报告 测试研究院"]
    # A footnote in small type at a page's foot is a part of its own at the end, never in the text.
    assert [(p.cite, p.page, p.text) for p in doc.passages if "Royal" in p.text] == [("脚注(1)", 3, documents.FOOTNOTE)]
    # A footnote marker set small right after Chinese text is dropped; a subscript after a letter stays.
    assert any("增加 2.68 倍，其中 H2O 项目" in p.text for p in doc.passages)
    assert_clean(doc)


def test_a_wrapped_title_written_after_its_text_is_put_back_before_it():
    from qa.readers.pdf_layout import Layout

    body = "这一段是正文，字号与其他正文相同，包含足够多的汉字以便被识别为正文内容。"
    # [text, size, height, left, font]: each title heads the text below it and is written after it, as CB Insights'
    # last page writes them; the second wraps over two lines (joined first).
    page = [
        ["关于测试研究院", 16.0, 700.0, 40.0, "SimHei"], [body, 10.0, 680.0, 40.0, "SimSun"],
        ["数据来源与免责声明：本报告所载", 16.0, 560.0, 40.0, "SimHei"], ["资料仅供参考", 16.0, 540.0, 40.0, "SimHei"],
        [body + "一", 10.0, 520.0, 40.0, "SimSun"], [body + "二", 10.0, 500.0, 40.0, "SimSun"],
    ]
    written = [page[1], page[0], page[4], page[5], page[2], page[3]]
    large = Layout([written], "")
    lines = large.join_wrapped(1, [line[0] for line in written])
    assert large.headings_before_their_text(1, lines) == [
        "关于测试研究院", body, "数据来源与免责声明：本报告所载资料仅供参考", body + "一", body + "二",
    ]


def test_numbered_items_count_up_and_a_restart_is_a_heading():
    from qa.readers.blocks import Block, Source
    from qa.structure import chunks

    blocks = [Block("heading", t, page=5) for t in ("1. A：发起方", "2. B：服务方", "3. C：协调方")]
    blocks += [Block("heading", "1.引言", page=6), Block("paragraph", "近年来联邦学习成为重点。", page=6)]
    blocks += [Block("heading", "1.1 联邦生态", page=6), Block("paragraph", "数据分散在不同的机构。", page=6)]
    out = chunks(Source("t", tuple(blocks)), 600)
    assert [(c.cite, c.headings) for c in out] == [
        ("(1)", ()),  # the symbols' list
        ("1(1)", ("1.引言",)),
        ("1.1(1)", ("1.引言", "1.1 联邦生态")),
    ]
    assert out[0].text.splitlines() == ["1. A：发起方", "2. B：服务方", "3. C：协调方"]


def test_a_numbered_line_set_smaller_than_its_numberings_sections_is_a_label():
    from qa.readers.blocks import Block, Source
    from qa.structure import chunks

    blocks = (
        Block("heading", "1.市场规模", page=3, size=16.0), Block("paragraph", "规模持续扩大。", page=3),
        Block("heading", "2.竞争格局", page=4, size=16.0), Block("paragraph", "头部企业占六成。", page=4),
        Block("heading", "1.某公司数字化转型案例", page=4, size=14.0), Block("paragraph", "该公司上线了新平台。", page=4),
    )
    assert [c.cite for c in chunks(Source("t", blocks), 600)] == ["1(1)", "2(1)", "2 › 某公司数字化转型案例(1)"]


def test_a_box_is_in_its_section_not_under_the_last_case_of_the_box_before():
    from qa.readers.blocks import Block, Source
    from qa.structure import chunks

    # caict's boxes: a box title (专栏 N：…) and its cases, numbered 1. 2. in smaller type than the sections.
    blocks = (
        Block("heading", "1.产业数字化", page=18, size=16.0), Block("paragraph", "工业互联网是核心。", page=18),
        Block("heading", "1.矿山装备平台", page=19, size=14.0),  # the reader puts a box's first case before its title
        Block("paragraph", "专栏 4：山西推动数字技术应用\n平台接入设备。", page=19),
        Block("heading", "2.智慧采矿应用", page=20, size=14.0), Block("paragraph", "井下装了基站。", page=20),
        Block("paragraph", "专栏 5：数字化转型提升管理\n企业开展数字化管理。", page=20),
        Block("heading", "1.国药集团流程自动化", page=20, size=14.0), Block("paragraph", "上线了机器人。", page=20),
        Block("heading", "2.数字治理", page=25, size=16.0), Block("paragraph", "数字政府加快建设。", page=25),
    )
    assert [c.cite for c in chunks(Source("t", blocks), 600)] == [
        "1(1)", "1 › 矿山装备平台(1)", "1 › 智慧采矿应用(1)", "1(2)", "1 › 国药集团流程自动化(1)", "2(1)",
    ]
    assert [c.headings for c in chunks(Source("t", blocks), 600)][3] == ("1.产业数字化",)
    # A box right after a section's heading opens in that section, which the next box leaves open.
    blocks = (
        Block("heading", "产业数字化", level=2), Block("paragraph", "专栏 3：宝安区示范基地\n依托龙头企业。"),
        Block("heading", "案例一", level=3), Block("paragraph", "平台接入设备。"),
        Block("paragraph", "专栏 4：数字化转型\n企业开展数字化管理。"),
    )
    assert [c.cite for c in chunks(Source("t", blocks), 600)] == ["产业数字化(1)", "产业数字化 › 案例一(1)", "产业数字化(2)"]
    # In a PDF a box is set in a font of its own: text back in the body's font after its last case is past the box.
    body, box = "FangSong", "KaiTi"
    blocks = (
        Block("heading", "1.产业数字化", page=20, size=16.0), Block("paragraph", "工业互联网加快发展，平台体系不断完善。", page=20, font=body),
        Block("paragraph", "专栏 5：数字化转型提升管理\n企业开展数字化管理。", page=20, font=box),
        Block("heading", "1.国药集团流程自动化", page=20, size=14.0), Block("paragraph", "上线了机器人。", page=20, font=box),
        Block("paragraph", "服务业数字化转型领先发展，线上线下加快融合。", page=21, font=body),
        Block("heading", "2.数字治理", page=25, size=16.0), Block("paragraph", "数字政府加快建设。", page=25, font=body),
    )
    assert [c.cite for c in chunks(Source("t", blocks), 600)] == ["1(1)", "1(2)", "1 › 国药集团流程自动化(1)", "1(3)", "2(1)"]
    # Its editable Markdown says so by the section's heading again, which reads back as that section, not a new one.
    passages = tuple(Passage("caict", c.cite, c.headings, c.text, c.page, "t") for c in chunks(Source("t", blocks), 600))
    doc = Document("caict", "caict.pdf", "t", passages)
    again = parse(to_markdown(doc).encode("utf-8"), Path("caict.md"), 600)
    assert [(p.cite, p.text) for p in again.passages] == [(p.cite, p.text) for p in doc.passages]


def test_a_short_line_on_a_page_is_no_label_heading():
    from qa.readers.blocks import Block, Source
    from qa.structure import chunks

    def headings(page):
        blocks = (Block("paragraph", "行业要闻", page=page), Block("paragraph", "本周行业运行平稳，需求回升。", page=page))
        return [c.headings for c in chunks(Source("t", blocks), 600)]

    assert headings(None) == [("行业要闻",)]  # a label in a text or Markdown file heads what follows
    assert headings(3) == [(), ()]  # on a PDF page it is text (mostly a figure's words)
    # With no text after it before the next heading it is a heading alone: no passage.
    alone = (Block("paragraph", "相关研究", page=1), Block("heading", "1.引言", page=2), Block("paragraph", "本文讨论牛熊指标。", page=2))
    assert [c.cite for c in chunks(Source("t", alone), 600)] == ["1(1)"]
    # ... but right before a list it is the list's lead-in.
    listed = (Block("paragraph", "重要披露信息", page=3), Block("list", "", ("未担任经办人。", "未收取报酬。"), page=3))
    assert [c.text for c in chunks(Source("t", listed), 600)] == ["重要披露信息\n未担任经办人。\n未收取报酬。"]


@pytest.mark.slow
def test_pdf_passages_have_pages_and_no_debris(report_pdf):
    doc = read_document(report_pdf)
    assert doc.title == "2024年测试行业发展报告"  # a cover title may open with its year
    assert doc.pages == 5 and doc.pages_without_text == ()
    assert_clean(doc)
    text = "\n".join(p.text for p in doc.passages)
    # Running header, tracking stamp, page numbers of every style, the contents page: all gone.
    for debris in (documents.HEADER, documents.STAMP, "- 1 -", "第 2 页", "3/5", "......", "目录"):
        assert debris not in text, debris
    by_text = {p.text: p for p in doc.passages}
    assert documents.WRAPPED in by_text  # joined across the page break, no spaces between CJK
    assert by_text[documents.WRAPPED].page == 3 and by_text[documents.WRAPPED].cite == "1.1(2)"
    first = next(p for p in doc.passages if p.text.startswith("2023 年"))
    assert (first.cite, first.page, first.headings) == ("1.1(1)", 3, ("一、行业概况", "（一）市场规模"))
    left, right = (next(p for p in doc.passages if p.text.startswith(s)) for s in ("左栏", "右栏"))
    assert (left.cite, right.cite, left.page) == ("2(1)", "2(2)", 4)  # two columns in reading order
    assert "Open Source" in right.text  # a space between Latin words is kept
    assert any("大模型技术" in p.text for p in doc.passages)  # ⼤ (a Kangxi radical) read as 大


@pytest.mark.slow
def test_scanned_pdf_is_reported_not_indexed(tmp_path):
    if documents.CANNOT_PRINT_PDF:
        pytest.skip(documents.CANNOT_PRINT_PDF)
    path = documents.image_only_pdf(tmp_path / "scan.pdf")
    with pytest.raises(CorpusError, match="scan.pdf: no text layer"):
        read_document(path)


@pytest.mark.slow
def test_password_protected_pdf(report_pdf, tmp_path):
    path = documents.encrypted_pdf(report_pdf, tmp_path / "locked.pdf")
    with pytest.raises(CorpusError, match="locked.pdf.*password-protected"):
        read_document(path)


@pytest.mark.timeout(10)  # each takes well under a second; quadratic, they took 20 s to minutes
@pytest.mark.parametrize("line", ["[" * 50_000, "#" * 50_000 + "x", "." * 50_000 + "x", "[a](#b)" + " " * 50_000 + "x",
                                  ("\u3000" * 20 + "\n") * 5_000 + "x", "![" * 25_000, "*a " * 20_000, "[^" * 40_000,
                                  "<!-- " * 30_000, '<img alt="' * 6_000, "<a " * 70_000, "[a](" * 50_000, "==a " * 30_000,
                                  "<summary>a</summary>" * 10_000],
                         ids=["brackets", "hashes", "dots", "anchor-spaces", "spaces", "images", "emphasis", "notes",
                              "comments", "image-tags", "tags", "links", "highlights", "summaries"])
@pytest.mark.parametrize("suffix", [".md", ".txt"])
def test_a_hostile_line_of_text_is_read_in_linear_time(line, suffix):
    # Each had taken seconds to minutes in a regular expression that backtracked (a link's text or address, an image's,
    # a heading's closing #s, a dot leader, the blank around a page break, emphasis, a footnote mark, a comment, a tag):
    # the time grew with the square of the line, or worse.
    text = f"# 测试\n\n正文一句。\n\n{line}\n"
    doc = parse(text.encode("utf-8"), Path(f"hostile{suffix}"), 600)
    assert "正文一句。" in [p.text for p in doc.passages]


@pytest.mark.timeout(10)  # 0.1 s; when each line looked for the page's margin afresh, 29 s
def test_a_pdf_page_of_many_bold_labels_is_read_in_linear_time():
    from qa.readers.pdf_layout import Layout

    page, lines = [], []
    for i in range(10_000):  # a label in bold over a line of running text, 20,000 lines on one page
        label, text = f"第{i}步操作", f"这是第{i}段正文，说明这一步要做的事情和要求，长度足够。"
        page += [[label, 10.0, 800 - i, 50.0, "SimSun,Bold", []], [text, 10.0, 800 - i - 0.5, 50.0, "SimSun", []]]
        lines += [label, text]
    assert len(Layout([page], "", [[0.0, 595.0]]).bold_labels(1, lines)) == 10_000


@pytest.mark.slow
@pytest.mark.parametrize(
    "make",
    [lambda p: p.write_bytes(b"%PDF-1.7\n" + b"\x00garbage" * 100), documents.looping_pdf, documents.bomb_pdf,
     documents.enormous_page_pdf],
    ids=["garbage", "looping-references", "decompression-bomb", "enormous-page"],
)
def test_hostile_pdfs_fail_alone_within_bounds(make, tmp_path, monkeypatch):
    import time

    monkeypatch.setenv("QA_PDF_TIMEOUT", "20")
    path = tmp_path / "hostile.pdf"
    make(path)
    started = time.monotonic()
    with pytest.raises(CorpusError, match="hostile.pdf: (cannot be read as a PDF|no text)"):
        read_document(path)
    assert time.monotonic() - started < 25


@pytest.mark.slow
def test_pdf_reading_is_bounded_in_time_and_memory(tmp_path, monkeypatch):
    path = documents.enormous_page_pdf(tmp_path / "slow.pdf")
    monkeypatch.setenv("QA_PDF_TIMEOUT", "2")
    with pytest.raises(CorpusError, match=r"slow.pdf: reading this PDF took over 2 s"):
        read_document(path)
    monkeypatch.setenv("QA_PDF_TIMEOUT", "60")
    monkeypatch.setenv("QA_PDF_MEMORY_MB", "64")
    with pytest.raises(CorpusError, match=r"slow.pdf: cannot be read as a PDF \(reading it needed over 64 MB"):
        read_document(path)


def _kill_pdf_readers(times: int, stop: threading.Event) -> None:
    """SIGKILL this process's PDF reader children as they start, `times` of them, until `stop` is set."""
    killed: set[int] = set()
    while len(killed) < times and not stop.is_set():
        for entry in Path("/proc").iterdir():
            try:
                if entry.name.isdigit() and int(entry.name) not in killed and b"pdf_child.py" in (entry / "cmdline").read_bytes():
                    if int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1]) == os.getpid():
                        os.kill(int(entry.name), signal.SIGKILL)
                        killed.add(int(entry.name))
            except (OSError, ValueError, IndexError):
                continue  # a process that ended meanwhile
        time.sleep(0.005)


@pytest.mark.slow
def test_a_pdf_reader_killed_from_outside_is_run_once_more(report_pdf):
    # A full test run once refused the test's own report (「needed over 2048 MB」): its reader had been stopped by a
    # signal, which had been taken for running out of memory. A kill from outside (the system's out-of-memory killer)
    # says nothing of the file: the reader is run once more; killed twice, the file is refused saying so.
    expected = read_document(report_pdf)
    for times, refused in ((1, False), (2, True)):
        stop = threading.Event()
        killer = threading.Thread(target=_kill_pdf_readers, args=(times, stop))
        killer.start()
        try:
            if refused:
                with pytest.raises(CorpusError, match=r"report.pdf: cannot be read as a PDF \(the PDF reader was stopped by signal 9 twice"):
                    read_document(report_pdf)
            else:
                assert read_document(report_pdf).passages == expected.passages
        finally:
            stop.set()
            killer.join()


@pytest.mark.slow
def test_truncated_pdf(report_pdf, tmp_path):
    path = tmp_path / "cut.pdf"
    path.write_bytes(report_pdf.read_bytes()[: len(report_pdf.read_bytes()) // 3])
    try:
        doc = read_document(path)  # pypdf may recover the pages before the cut
    except CorpusError as e:
        assert "cut.pdf" in str(e)
    else:
        assert_clean(doc)


@pytest.mark.parametrize(
    "line, found",
    [
        ("2.5G+智慧采矿应用", ("1.", "2", "5G+智慧采矿应用")),  # 5G is a term, not section 2.5
        ("2.3D打印", ("1.", "2", "3D打印")),
        ("1.2FLEX协议", ("1.1", "1.2", "FLEX协议")),  # a word, not one letter, after the number
        ("1.2.1基础架构约定", ("1.1.1", "1.2.1", "基础架构约定")),
        ("3.5%的增长", None),
        ("12.3亿元的贷款余额", None),  # a figure opening a wrapped line, not section 12.3
        ("1.5 倍于上年", None),
        ("3 万家小微企业", None),
        ("3.2小微企业融资", ("1.1", "3.2", "小微企业融资")),
        ("2.1人才培养", ("1.1", "2.1", "人才培养")),  # 人 also begins words
        ("1、万家灯火工程", ("1.", "1", "万家灯火工程")),  # after 、 a heading, whatever follows
    ],
)
def test_numbering_tells_sections_from_terms_and_figures(line, found):
    from qa.readers.blocks import numbering

    assert numbering(line) == found

