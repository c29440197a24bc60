import gc
import os
import subprocess
import sys
import weakref

from qa.text import Tokenizer, clean, heading_terms, labels_a_figure, normalize, split_sentences


def test_normalize_traditional_fullwidth_control_and_spaces():
    assert normalize("非銀行金融機構\u200f面臨　哪些挑戰？") == "非银行金融机构面临哪些挑战?"
    assert normalize("截至 2022 年底，ＸＸ％") == "截至2022年底,xx%"
    assert clean("a\x00b\u202ec\n\nd") == "a bc d"


def test_sentences_cover_the_paragraph():
    text = "第一句。第二句！第三句？没有句号的尾巴"
    spans = split_sentences(text)
    assert [text[a:b] for a, b in spans] == ["第一句。", "第二句！", "第三句？", "没有句号的尾巴"]


def test_a_caption_or_a_line_pointing_to_a_figure_labels_it():
    # As the real PDFs print them: flex's 图2.2.1 and its lead-in, CB Insights' 表 |, a broker's 图表4：.
    for caption in ("图2.2.1 样本过滤协议时序图", "表 1 数据等级", "表 | 主要国家/地区的隐私相关法律法规（来源：CB Insights 中国）",
                    "图表4：上证综指收盘价与其对应的短期牛熊指标", "样本过滤协议对应的时序图如图2.2.1所示：", "协议对应的时序图如4.1.1所示：", "Figure 3 Market size"):
        assert labels_a_figure(caption), caption
    for text in ("图1显示，2021年数字经济规模达到45.5万亿元。", "如图1.2所示，FLEX协议实际上包括两层：\n1) 应用协议", "数据分级方法如表1所示。",
                 "图书出版业的收入增长较快", "主要包括以下三个方面："):
        assert not labels_a_figure(text), text


def test_bm25_leaves_out_a_closing_sentence_that_points_back():
    from qa.corpus import Passage
    from qa.index import bm25_text
    from qa.settings import Settings

    def closes(text, settings=Settings()):
        passage = Passage(doc="d", cite="1.1(1)", headings=("一、概述", "1.1 规模"), text=text)
        return bm25_text(passage, split_sentences(text), settings) != text

    assert closes("银行提供贷款。银行提供结算。总之，银行作用不可替代。")
    assert closes("措施一。措施二。通過這些措施，風險得到控制。")  # traditional, as normalised
    assert not closes("这些政策包括减税。银行提供贷款。")  # pointing back mid-paragraph is content
    assert not closes("总之，银行作用不可替代。")  # a lone sentence is the paragraph
    assert not closes("银行提供贷款。此外，银行还提供结算。")
    assert not closes("银行提供贷款。总之，银行作用不可替代。", Settings(summing_up_in_lexical=True))


def test_tokens_drop_stopwords_and_expand_abbreviations():
    tok = Tokenizer(["非银行金融机构"])
    tokens = tok.tokens("非银机构如何与小贷公司合作？")
    assert "非银行" in tokens and "小额贷款" in tokens
    assert "如何" not in tokens and "?" not in tokens
    assert "非银行金融机构" in tok.tokens("非銀行金融機構")  # traditional input, user dictionary word kept whole


def test_english_function_words_are_stopwords_but_latin_terms_are_not():
    tok = Tokenizer()
    assert tok.tokens("What is privacy computing?") == ["privacy", "computing"]
    # One-letter and short terms of Chinese reports stay: A股, I期, IT, US.
    assert {"a", "i", "it", "us"} <= set(tok.tokens("A股与I期临床、IT应用、US市场"))


def test_heading_terms_are_noun_phrases_of_headings():
    terms = heading_terms(["2.3 非银行金融机构在小微金融领域的作用", "4.1 小微企业信用风险分析"])
    assert "非银行金融机构" in terms and "小微企业信用风险" in terms
    assert "作用" not in terms


def test_a_latin_word_is_never_cut_by_a_short_latin_term():
    # A heading's 「联邦学习（FL）」 makes fl a corpus term; jieba then cut flex into fl + ex, the into t + he.
    tok = Tokenizer(["fl", "he", "flex协议"])
    assert tok.tokens("FLEX用到了哪些哈希函数？") == ["flex", "用到", "哈希", "函数"]
    assert tok.words("the heat") == ["the", " ", "heat"]
    assert tok.tokens("ethernet heat") == ["ethernet", "heat"]
    assert "".join(tok.words("FLEX协议 the heat")) == normalize("FLEX协议 the heat")  # every character kept
    assert {"flex协议", "flex", "协议"} <= set(tok.tokens("FLEX协议")) and "fl" not in tok.tokens("FLEX协议")
    assert "fl" in tok.tokens("联邦学习（FL）")


def test_heading_numbers_are_not_terms_but_5g_is():
    assert set(heading_terms(["一、生猪养殖：估值低位", "1.引言", "十四五规划的目标"])) == {"生猪养殖", "估值低位", "引言", "十四五规划", "目标"}
    assert heading_terms(["5G+智慧矿山"]) == ["5g+智慧矿山"]


def test_leading_fei_keeps_its_negated_word_out():
    tok = Tokenizer(["非银行金融机构"])
    tokens = tok.tokens("非银行金融机构的作用")
    assert "银行" not in tokens  # a 非银行金融机构 is not a 银行 ...
    assert {"非银行金融机构", "非银行", "金融", "机构"} <= set(tokens)  # ... but is a 金融机构
    assert "银行" in tok.tokens("银行与非银行金融机构")


def test_asking_words_are_how_a_question_asks():
    tok = Tokenizer()
    asking = tok.asking_words(tok.tokens("融资租赁公司属于哪一类机构？好处来自哪里？"))
    assert {"一类", "好处"} <= asking
    assert not {"融资", "公司", "机构"} & asking
    # A verb is content: 下雨 is what the question is about (属于 and 来自 count as well).
    assert not {"属于", "来自"} & asking
    assert tok.asking_words(tok.tokens("明天北京会下雨吗？")) == {"明天"}
    assert not tok.asking_words(tok.tokens("青海省的省会是哪个城市？GDP是多少？"))
    # Words jieba's HMM makes from single characters: 中有 is 中/f 有/v, 小微 a noun.
    tokens = tok.tokens("银行在小微金融中有什么优势？")
    assert {"中有", "小微"} <= set(tokens) and not tok._jieba.FREQ.get("中有")
    assert tok.asking_words(tokens) == {"中有"}


def test_topic_is_the_first_noun_run_as_jieba_posseg_cuts_it():
    tok = Tokenizer(["非银行金融机构", "小微企业"])
    assert tok.topic("非银行金融机构包括哪些类型？") == "非银行金融机构"
    # posseg's model splits 为/对 off a run the dictionary lacks; jieba.cut's would keep 为小微 together.
    assert tok.topic("银行为小微企业提供哪些金融服务？") == "银行"
    assert tok.topic("国家对小微企业有哪些税收优惠？") == "国家"
    assert tok.topic("截至2022年底青海省小微金融市场规模有多大？") == "青海省小微金融市场规模"
    assert tok.topic("怎么样？") == ""


def test_cut_nouns_match_jieba_posseg_without_loading_its_tag_table():
    # jieba.posseg itself is the reference; a fresh process shows topic() never imports it (~45 MB).
    script = r"""
import sys
import weakref
from qa import postag
from qa.text import Tokenizer, normalize
tok = Tokenizer(["非银行金融机构", "小微金融"])
texts = ["截至2022年底青海省小微金融市场规模有多大？", "银行为小微企业提供哪些金融服务？", "贷后管理包括哪些工作？",
         "智能投顾在小微企业理财中有什么用？", "西部大開發對青海小微企業有什麼影響？", "2023年ABC银行的P2P网贷 AI技术",
         "3.5%的利率和C++", "民族文化对小微企业有什么帮助？", "减税降费对竞争格局有什么作用？"]
ours = [list(postag.cut_nouns(normalize(t), tok._jieba, tok._is_noun)) for t in texts]
topics = [tok.topic(t) for t in texts]
assert "jieba.posseg" not in sys.modules
import jieba.posseg
pos = jieba.posseg.POSTokenizer(tok._jieba)
for text, mine in zip(texts, ours):
    theirs = [(p.word, postag.is_noun_tag(p.flag)) for p in pos.cut(normalize(text))]
    assert mine == theirs, (text, mine, theirs)
print(topics)
"""
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert "'银行'" in result.stdout and "'贷后管理'" in result.stdout


def test_tag_tables_are_made_once_and_kept_in_the_model_cache(tmp_path):
    """Reading jieba's dictionary for its tags was most of a cold `qa ask`: a later process reads the
    tables the first one cached (it never looks at a tag), and a damaged cache file is made again."""
    script = r"""
import sys
from qa import postag, text
if sys.argv[1] == "cached":
    postag.is_noun_tag = None  # any reading of the dictionary's tags fails
print(text.tagged(["北京", "青海省", "银行", "非常"], "name"), text.tagged(["非常", "银行"], "non_noun"))
"""
    env = {**os.environ, "XDG_CACHE_HOME": str(tmp_path)}

    def run(mode: str) -> str:
        result = subprocess.run([sys.executable, "-c", script, mode], capture_output=True, text=True, env=env, timeout=120)
        assert result.returncode == 0, result.stderr
        return result.stdout

    assert run("fresh") == "[True, True, False, False] [True, False]\n"
    (cache,) = (tmp_path / "qa").glob("jieba-tags-*.npz")
    assert run("cached") == "[True, True, False, False] [True, False]\n"
    cache.write_bytes(b"not an npz")
    assert run("fresh") == "[True, True, False, False] [True, False]\n"
    assert cache.read_bytes()[:2] == b"PK"  # written again, whole


def test_a_dictionary_is_shared_while_an_index_uses_it_and_freed_after():
    # A server reloading after a heading edit gets a tokenizer with new terms; the old one's jieba
    # dictionary (~60 MB) must go with the old index, not stay cached.
    from qa import text

    first = text.tokenizer_for(("术语甲",))
    assert text.tokenizer_for(("术语甲",)) is first
    second = text.tokenizer_for(("术语乙",))
    assert text.tokenizer_for(("术语甲",)) is first  # still in use: shared
    text.tokenizer_for(("术语丙",))
    gone = weakref.ref(first)
    del first
    gc.collect()
    assert gone() is None
    assert text.tokenizer_for(("术语乙",)) is second
