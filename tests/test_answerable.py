"""The third outcome: a passage on the topic that lacks the figure, date or name asked for is "related"."""

import json

import pytest

from qa import answerable
from qa.schema import answer_json

from .conftest import retriever_of


@pytest.mark.parametrize(
    "question, asks",
    [
        ("青海省有多少家小额贷款公司？", True),
        ("去年增长了百分之几？", True),
        ("互联网金融占比多少？", True),
        ("有几家外资银行？", True),
        ("主要有哪几类机构？", False),  # a list, not a count
        ("有几个方面的原因？", False),
        ("增长趋势有哪些特点？", False),
    ],
)
def test_questions_that_ask_for_a_quantity(question, asks):
    assert answerable.asks_quantity(question) is asks


@pytest.mark.parametrize(
    "words, asks",
    [
        (["科罗拉多", "大学", "在", "哪里"], False),  # 多大 across 科罗拉多 | 大学: a name's characters
        (["多伦多", "大学", "的", "学费", "是", "多少"], True),  # 多少 still asks
        (["当升", "科技", "计划", "建多大", "产能"], True),  # inside a word jieba's HMM made: it asks
        (["规模", "有", "多", "大"], True),
        (["球队", "获得", "了", "第几名"], True),
    ],
)
def test_a_question_word_across_a_word_boundary_is_a_names_characters(words, asks):
    question = "".join(words)
    assert answerable.asks_about_named(answerable.as_read_for_asking(question, lambda q: words)) is asks


@pytest.mark.parametrize(
    "text, gives",
    [
        ("市场规模已达到 XX亿元，较上一年增长 XX%", False),  # placeholders are no figure
        ("截至 2022 年底，规模逐年扩大", False),  # a year is a date, not a quantity
        ("一是国家政策的持续支持", False),
        ("贷款余额 356.2 亿元", True),
        ("共有三十家小额贷款公司", True),
        ("增长了两个百分点", True),
    ],
)
def test_passages_that_give_a_quantity(text, gives):
    assert answerable.gives_quantity(text) is gives


def test_names_are_proper_nouns_years_and_latin_terms_but_not_pieces_of_longer_words():
    question = "甘肃省2023年互联网金融esg发展"
    tokens = ["甘肃", "甘肃省", "2023", "年", "互联", "联网", "互联网", "金融", "esg", "发展"]
    nothing = lambda w: False  # noqa: E731 - documents that hold none of these words
    assert answerable.absent_names(question, tokens, nothing) == ["甘肃省", "2023", "esg"]
    assert answerable.absent_names(question, tokens, {"甘肃省", "2023"}.__contains__) == ["esg"]


def test_a_word_the_dictionary_lacks_is_a_name_where_posseg_finds_one_in_it():
    from qa import postag

    # 隆基绿能 is newer than jieba's dictionary; posseg's model reads 隆基绿 in it as a person's name.
    assert postag.names_in("隆基绿能") == ["隆基绿"] and postag.names_in("股会涨") == []  # 股会涨 of 「A股会涨还是跌」
    question = "隆基绿能2025年上半年亏损了多少"
    tokens = ["隆基绿能", "2025", "年", "上半年", "亏损"]
    held = {"2025", "年", "上半年", "亏损"}.__contains__
    assert answerable.absent_names(question, tokens, held, held, {"隆基绿能"}.__contains__) == ["隆基绿能"]
    # HMM's words across the documents' own: 侯景封 is the corpus's 侯景 and one more character.
    # jieba's HMM joins 建 and 多大 into one word, which posseg's model reads as a name: what asks is no name.
    assert postag.names_in("建多大") == ["建多大"]
    tokens = ["当升", "科技", "计划", "建多大", "产能", "固态", "电解质", "产线"]
    assert answerable.required_names("当升科技计划建多大产能的固态电解质产线", tokens, new_name={"建多大"}.__contains__) == []
    vocabulary = {"侯景", "宋子仙", "职位"}.__contains__
    assert answerable.absent_names("侯景封了宋子仙什么职位", ["侯景封", "宋子仙", "职位"], vocabulary, vocabulary, {"侯景封"}.__contains__) == []


def test_a_name_cut_across_the_corpus_words_is_no_name():
    # jieba's dictionary holds the person 于亚太; a corpus that says 相较 and 亚太 reads the question so.
    vocabulary = {"相较", "亚太", "版本"}.__contains__
    tokens = ["泰国", "版本", "相较", "于亚太"]
    assert answerable.absent_names("泰国版本相较于亚太版本", tokens, vocabulary, vocabulary) == ["泰国"]


@pytest.mark.parametrize(
    "question, text, status",
    [
        ("政策是哪一年发布的？", "政府发布了若干政策措施", "related"),
        ("政策是哪一年发布的？", "康熙二十年发布", "answered"),
        ("政策是什么时候发布的？", "清初发布", "answered"),  # 什么时候 takes too many forms to check
        ("有多少家公司？", "市场规模达到 XX亿元", "related"),
    ],
)
def test_a_year_or_a_figure_asked_for_must_be_given(question, text, status):
    assert answerable.judge(question, True, text).status == status


def test_a_figure_the_report_leaves_as_xx_is_related_not_answered(retriever):
    answer = retriever.ask("青海省现在一共有多少家小额贷款公司？")
    assert (answer.status, answer.answered) == ("related", False)
    assert "数字" in answer.reason and answer.hits
    out = answer_json(answer)
    assert (out["status"], out["answered"]) == ("related", False) and out["reason"] == answer.reason
    json.dumps(out, ensure_ascii=False)


def test_a_name_the_documents_never_mention_is_not_covered(retriever):
    answer = retriever.ask("甘肃省的小微金融发展情况怎么样？")
    assert answer.status == "not_covered" and "甘肃省" in answer.reason


def test_a_question_the_report_answers_is_answered(retriever):
    answer = retriever.ask("小微企业信用风险怎么控制？")
    assert (answer.status, answer.reason, answer.answered) == ("answered", "", True)
    assert answer.hits[0].passage.cite == "4.1(3)"


def test_units_after_a_figure_are_not_names():
    question = "全固态电池的能量密度能做到多少wh/kg"
    tokens = ["全固态", "固态", "电池", "能量", "密度", "能量密度", "做到", "多少", "wh", "kg"]
    assert answerable.required_names(question, tokens) == []
    assert answerable.required_names("esg投资规模有多少", ["esg", "投资", "规模"]) == ["esg"]


def test_a_figure_answers_only_for_what_the_question_names():
    question = "甘肃省小额贷款公司有多少家？"
    text = "小额贷款公司共有 120 家。"
    assert answerable.judge(question, True, text, unnamed=["甘肃省"]).status == "related"
    assert answerable.judge(question, True, text).status == "answered"
    # Asked when, in words any time answers: no date is required, but it is a time of what is named.
    when = "特斯拉的自动驾驶什么时候能在中国上线？"
    launch = "奥斯汀启动 Robotaxi 试运行（6/22）。"
    assert answerable.judge(when, True, launch, unnamed=["中国"]) == answerable.Verdict(
        "related", "文档讨论了相关内容，但没有给出「中国」的具体时间"
    )
    assert answerable.judge(when, True, "清初发布").status == "answered"
    # Without a figure or a time asked for, a name the passage lacks decides nothing here.
    assert answerable.judge("甘肃省小额贷款公司有什么特点？", True, text, unnamed=["甘肃省"]).status == "answered"


def test_a_missing_name_is_shown_as_the_question_writes_it():
    from qa.search import _as_written

    words = ["宁德", "时代", "2025", "年", "上半年", "净利润", "是", "多少", "？"]
    content = {"宁德", "时代", "2025", "上半年", "净利润"}.__contains__
    passage = "2025年上半年，该公司净利润 0.5 亿元。"
    # The corpus's words cut 宁德时代 into 宁德 | 时代; the reader asked about 宁德时代.
    assert answerable.as_asked("宁德", words, content, passage.__contains__) == "宁德时代"
    # Words the passage has, figures and stopwords end it; a year stays a year.
    assert answerable.as_asked("2025", words, content, "".__contains__) == "2025"
    assert answerable.as_asked("宁德", words, content, "时代".__contains__) == "宁德"
    # Matched lower-case, shown as typed.
    reason = "文档讨论了相关内容，但没有给出「trustzone」的具体时间"
    assert "「TrustZone」" in _as_written(reason, "ARM是哪一年推出TrustZone的？")
    words = ["甘肃省", "小额贷款", "公司", "有", "多少", "家"]
    assert answerable.as_asked("甘肃省", words, {"甘肃省", "小额贷款", "公司"}.__contains__, "小额贷款公司".__contains__) == "甘肃省"


def test_another_places_figure_is_related_not_an_answer(tmp_path, encoder, query_encoder, settings):
    retriever = retriever_of(tmp_path, {
        "qinghai.md": "# 青海省小额贷款\n\n截至年底，青海省小额贷款公司共有 120 家，贷款余额 35 亿元。\n",
        "gansu.md": "# 甘肃省小微金融\n\n甘肃省小微金融发展迅速，普惠金融政策支持力度不断加大。\n",
        "robots.md": "# 仓储机器人\n\n2025 年上半年，该仓储机器人公司实现净利润 0.5 亿元，同比转正。\n",
        "ningde.md": "# 宁德市产业概况\n\n宁德市是锂电池产业重镇，产业集群发展迅速。\n",
        "gout.md": "# 痛风\n\n我国 2021 年痛风人数接近 1500 万人，患者逐年增多。\n",
        "colorado.md": "# 科罗拉多大学\n\n科罗拉多大学位于美国科罗拉多州的博尔德市。\n",
    }, encoder, query_encoder, settings)

    asked_of_gansu = retriever.ask("甘肃省小额贷款公司有多少家？")
    assert asked_of_gansu.hits[0].passage.doc == "qinghai"  # the nearest figure is Qinghai's
    assert asked_of_gansu.status == "related" and "甘肃省" in asked_of_gansu.reason
    asked_of_qinghai = retriever.ask("青海省小额贷款公司有多少家？")
    assert (asked_of_qinghai.status, asked_of_qinghai.hits[0].passage.doc) == ("answered", "qinghai")
    # Another company's profit: 宁德 is in the documents, but not in the passage with the figure. The
    # reason names what was asked about, not the piece of it that the documents' words cut out.
    asked_of_a_company = retriever.ask("宁德时代2025年上半年净利润是多少？")
    assert asked_of_a_company.hits[0].passage.doc == "robots"
    assert asked_of_a_company.status == "related" and "「宁德时代」" in asked_of_a_company.reason
    # A company jieba's dictionary does not know, which no document mentions: not covered, by its name.
    unknown = retriever.ask("隆基绿能2025年上半年净利润是多少？")
    assert (unknown.status, unknown.reason) == ("not_covered", "文档中没有提到「隆基绿能」")
    # A Chinese document calls China 我国: that is where 中国's figure is.
    china = retriever.ask("2021年中国痛风患者有多少人？")
    assert (china.status, china.hits[0].passage.doc) == ("answered", "gout")
    # 多大 of 科罗拉多 | 大学 asks for no figure: a passage without one answers.
    where = retriever.ask("科罗拉多大学在哪里？")
    assert (where.status, where.hits[0].passage.doc) == ("answered", "colorado")
