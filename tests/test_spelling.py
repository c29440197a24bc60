"""Homophone typos, corrected to the corpus's own word with the same pinyin (real jieba, real index)."""

import pytest

from qa.spelling import Homophones, pronounce


def test_pronunciation_is_each_characters_first_reading_with_its_tone():
    assert pronounce("贷款") == pronounce("代款") == ("dài", "kuǎn")
    assert pronounce("分析") != pronounce("分系")  # xī against xì: a different word, left alone


@pytest.mark.parametrize(
    "typed, meant",
    [
        ("小微企业代款产品有什么创新？", "小微企业贷款产品有什么创新?"),
        ("非银行金荣机构包括哪些？", "非银行金融机构包括哪些?"),
        ("政策丰险主要指什么？", "政策风险主要指什么?"),
    ],
)
def test_a_homophone_typo_is_searched_as_the_corpus_word(retriever, typed, meant):
    answer = retriever.ask(typed)
    assert answer.searched == meant and answer.answered


def test_questions_without_typos_are_searched_as_asked(retriever):
    for question in ("小额贷款公司弥补了银行哪些不足？", "互联网金融存在哪些风险？", "今天天气怎么样？"):
        assert retriever.ask(question).searched == question


def test_a_run_across_real_words_or_a_common_word_is_never_rewritten():
    frequency = {"企业": 5000, "代": 3000, "互连网": 3, "互联网": 1813, "实施": 9000, "事实": 9000}.get
    homophones = Homophones(["业代", "互联网", "实施"], lambda w: frequency(w) or 0)
    assert homophones.correct(["小微", "企业", "代", "表"]) == "小微企业代表"  # 业代 straddles 企业
    assert homophones.correct(["互连网", "金融"]) == "互联网金融"  # rare next to the corpus word
    assert homophones.correct(["事实", "上"]) == "事实上"  # a common word of its own (and other tones)
