"""The third outcome: a passage on the topic that lacks the figure, date or name asked for is "related"."""

import json

import pytest

from qa import answerable
from qa.schema import answer_json


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
    tokens = ["甘肃", "甘肃省", "小微", "金融", "互联", "联网", "互联网", "2023", "esg", "发展"]
    assert answerable.required_names(tokens, frozenset()) == ["甘肃省", "2023", "esg"]
    assert answerable.required_names(["青海省", "发展"], frozenset({"青海省"})) == []  # a corpus term is a topic


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
