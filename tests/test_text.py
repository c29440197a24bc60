from qa.text import Tokenizer, asking_words, clean, heading_terms, normalize, split_sentences


def test_normalize_traditional_fullwidth_control_and_spaces():
    assert normalize("非銀行金融機構\u200f面臨　哪些挑戰？") == "非银行金融机构面临哪些挑战?"
    assert normalize("截至 2022 年底，ＸＸ％") == "截至2022年底,xx%"
    assert clean("a\x00b\u202ec\n\nd") == "a bc d"


def test_sentences_cover_the_paragraph():
    text = "第一句。第二句！第三句？没有句号的尾巴"
    spans = split_sentences(text)
    assert [text[a:b] for a, b in spans] == ["第一句。", "第二句！", "第三句？", "没有句号的尾巴"]


def test_tokens_drop_stopwords_and_expand_abbreviations():
    tok = Tokenizer(["非银行金融机构"])
    tokens = tok.tokens("非银机构如何与小贷公司合作？")
    assert "非银行" in tokens and "小额贷款" in tokens
    assert "如何" not in tokens and "?" not in tokens
    assert "非银行金融机构" in tok.tokens("非銀行金融機構")  # traditional input, user dictionary word kept whole


def test_heading_terms_are_noun_phrases_of_headings():
    terms = heading_terms(["2.3 非银行金融机构在小微金融领域的作用", "4.1 小微企业信用风险分析"])
    assert "非银行金融机构" in terms and "小微企业信用风险" in terms
    assert "作用" not in terms


def test_leading_fei_keeps_its_negated_word_out():
    tok = Tokenizer(["非银行金融机构"])
    tokens = tok.tokens("非银行金融机构的作用")
    assert "银行" not in tokens  # a 非银行金融机构 is not a 银行 ...
    assert {"非银行金融机构", "非银行", "金融", "机构"} <= set(tokens)  # ... but is a 金融机构
    assert "银行" in tok.tokens("银行与非银行金融机构")


def test_asking_words_are_how_a_question_asks():
    tok = Tokenizer()
    asking = asking_words(tok.tokens("融资租赁公司属于哪一类机构？好处来自哪里？"))
    assert {"属于", "一类", "好处", "来自"} <= asking
    assert not {"融资", "公司", "机构"} & asking
    assert not asking_words(tok.tokens("青海省的省会是哪个城市？GDP是多少？"))
