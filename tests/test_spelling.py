"""Homophone typos, corrected to the corpus's own word with the same pinyin (real jieba, real index)."""

import pytest

from qa.spelling import Homophones, pronounce, sounds_in, swapped_in

from .conftest import retriever_of


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


@pytest.mark.parametrize(
    "name, text, same",
    [
        ("赛斯纳", "由塞斯纳公司研制", True),  # sài / sāi: a transliteration variant
        ("黄帝", "出任罗马皇帝", True),
        ("敬仰", "受人景仰", True),
        ("毕加索", "毕卡索的好友", False),  # jiā / kǎ: another sound
        ("河南省", "河北省的经济", False),
        ("甘肃省", "青海省", False),
        ("贷款", "代宽", False),  # one character at least must be the same
    ],
)
def test_a_name_written_with_same_sounding_characters(name, text, same):
    assert sounds_in(name, text) is same


@pytest.mark.parametrize(
    "name, text, swapped",
    [
        ("元龙", "沈龙元，是中国职业足球运动员", True),
        ("trustzone", "arm 的 trsutzone 技术", True),
        ("沈元龙", "沈元龙", False),  # the same is not a swap: the caller looks for that first
        ("青海", "海青", True),
        ("青海省", "海省青", False),  # one swap of neighbours only
        ("esg", "seg", False),  # three Latin letters swapped are another word
    ],
)
def test_a_name_written_with_two_characters_swapped(name, text, swapped):
    assert swapped_in(name, text) is swapped


def test_a_name_the_top_passage_spells_another_way_is_not_missing(tmp_path, encoder, query_encoder, settings):
    retriever = retriever_of(tmp_path, {
        "planes.md": "# 轻型飞机\n\n塞斯纳170是由塞斯纳飞机公司研制的单发轻型飞机，1948年首飞，共生产了五千多架。\n\n"
        "轻型飞机常用于飞行训练和私人飞行，维护成本较低。\n\n试飞员沈龙元驾驶塞斯纳170完成了首次高原起降试验。\n",
    }, encoder, query_encoder, settings)
    answer = retriever.ask("赛斯纳170是哪家公司研制的？")
    assert answer.status == "answered" and "塞斯纳" in answer.hits[0].highlight
    assert retriever.ask("波音747是哪家公司研制的？").status == "not_covered"  # another name is still missing
    swapped = retriever.ask("沈元龙驾驶塞斯纳170完成了什么试验？")  # the documents write 沈龙元
    assert swapped.status == "answered" and "沈龙元" in swapped.hits[0].passage.text
