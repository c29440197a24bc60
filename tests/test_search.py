"""Retrieval on the real report with the real model: citations, abstention, highlights, bad questions."""

import pytest

from qa.answerable import NO_WORDS, refusal
from qa.errors import QuestionError
from qa.evaluate import evaluate, read_questions

from . import documents
from .conftest import ROOT, index_of, retriever_of

TRADITIONAL = [
    ("非銀行金融機構包括哪些類型？", "非银行金融机构包括哪些类型？"),
    ("互聯網金融存在哪些風險？", "互联网金融存在哪些风险？"),
    ("如何控制小微企業信用風險？", "如何控制小微企业信用风险？"),
    ("貸後管理要做什麼？", "贷后管理要做什么？"),
    ("西部大開發對青海小微企業有什麼影響？", "西部大开发对青海小微企业有什么影响？"),
]


@pytest.mark.parametrize(
    "name, floors",
    [
        # Floors a little under the measured values (README, "Retrieval quality"): a regression fails here.
        ("dev.jsonl", {"R@1": 0.97, "R@3": 0.98, "MRR": 0.98, "out_of_scope_abstained": 9, "in_scope_abstained": 1}),
        # Written after the dev set was frozen and never used to fit anything (README says what was read from them).
        ("extra.jsonl", {"R@1": 0.95, "R@3": 0.98, "MRR": 0.97, "out_of_scope_abstained": 3, "in_scope_abstained": 1}),
        # Its out-of-scope questions are about Qinghai (房价, 旅游业收入): the model fit to take colloquial
        # questions refuses 3 of 6 of them where the one fit on dev alone refused 6 (docs/retrieval.md).
        ("holdout.jsonl", {"R@1": 0.85, "R@3": 0.94, "MRR": 0.9, "out_of_scope_abstained": 3, "in_scope_abstained": 1}),
        # Training sets of the abstention model (in-sample; cross-validated: colloquial 1/26 refused).
        ("colloquial.jsonl", {"R@1": 0.5, "R@5": 0.76, "in_scope_abstained": 4}),
        ("near_miss.jsonl", {"out_of_scope_abstained": 11}),
        ("typo.jsonl", {"R@1": 0.8, "R@3": 1.0, "in_scope_abstained": 0}),
        # Written before the decision changed and measured only at the end (docs/retrieval.md).
        ("untouched.jsonl", {"R@1": 0.9, "out_of_scope_abstained": 6, "in_scope_abstained": 1}),
    ],
)
def test_quality_floors(retriever, name, floors):
    report = evaluate(retriever, read_questions(ROOT / "eval" / name))
    s = report.summary()
    for key, floor in floors.items():
        worse = s[key] > floor if key == "in_scope_abstained" else s[key] < floor
        assert not worse, (key, s[key], floor, report.misses())


def test_cites_the_paragraph_that_answers(retriever):
    answer = retriever.ask("小额贷款公司弥补了银行哪些不足？")
    assert answer.answered
    top = answer.hits[0]
    assert top.passage.cite == "2.3(1)"
    assert top.passage.section == "2.3 非银行金融机构在小微金融领域的作用"
    assert "弥补了传统银行在服务小微企业方面的不足" in top.highlight
    a, b = top.highlight_span
    assert top.passage.text[a:b] == top.highlight


def test_the_highlight_is_the_sentence_that_answers_not_the_one_repeating_the_subject(retriever):
    # The paragraph's first sentence repeats 非银行金融机构, whose nested dictionary words (非银行,
    # 金融, 机构) once made it outscore the sentence that lists the types (「这类金融机构包括…」,
    # which refers back to that first sentence).
    top = retriever.ask("非银行金融机构包括哪些类型？").hits[0]
    assert top.passage.cite == "2.3(1)"
    assert top.highlight.startswith("这类金融机构包括小额贷款公司")


def test_a_sentence_referring_back_carries_what_it_refers_to(retriever):
    # 「这些政策包括…」 lists the policies 「…政府出台了一系列支持政策…」 names: it answers, though
    # only the sentence before it says 支持 and 小微金融.
    top = retriever.ask("支持小微金融的政策包括哪些内容？").hits[0]
    assert top.passage.cite == "1.2(1)"
    assert top.highlight.startswith("这些政策包括但不限于")


def test_words_only_a_closing_summary_repeats_do_not_count_in_bm25(retriever):
    # 2.1(3) closes 「总之，银行在小微金融领域的地位与作用不可替代，将继续发挥其独特优势…」: it once outranked
    # the paragraphs that say what banks' strengths are (2.1(1), 1.3(2)) on 优势 alone.
    data = retriever.data
    i = next(i for i, sp in enumerate(data.passages) if sp.passage.cite == "2.1(3)")
    assert "独特优势" in data.passages[i].passage.text
    for word in ("独特", "优势"):
        assert data.bm25.get_scores([data.bm25.vocab_dict[word]])[i] == 0
    assert retriever.ask("银行在小微金融中有什么优势？").hits[0].passage.cite in {"2.1(1)", "1.3(2)"}


def test_a_passage_whose_document_never_names_the_subject_gives_way(tmp_path, encoder, query_encoder, settings):
    # The pig report names 生猪养殖 only in its title; the steel report's paragraph matches the rest of
    # the question better (推荐关注…龙头). Its document lacks the subject, so its passage gives way.
    import dataclasses

    from qa.index import load
    from qa.search import Retriever

    supply = "\n\n## 行业供需\n\n"
    index = index_of(tmp_path, {
        "pigs.md": "# 生猪养殖行业2025年展望\n\n## 投资建议\n\n建议关注具备穿越周期能力的龙头企业：牧原股份成本优势明显，温氏股份现金流稳健。"
        + supply + "能繁母猪存栏量持续下降，供给收缩，价格有望回升。\n",
        "steel.md": "# 钢铁行业2025年展望\n\n## 投资建议\n\n推荐关注龙头钢企宝钢股份，股息回报稳定。"
        + supply + "粗钢产量压减，钢铁企业供给收缩，钢价有望企稳。\n",
        "market.md": "# 市场周报\n\n## 一周回顾\n\n本周市场震荡，资金关注度下降。\n\n## 个股\n\n多家企业发布业绩预告。\n\n"
        "## 策略\n\n继续推荐高股息方向。\n\n## 行业\n\n各行业龙头表现分化。\n",
    }, encoder, settings)
    question = "生猪养殖推荐关注哪些龙头企业？"

    def first(document_weight: float) -> str:
        chosen = dataclasses.replace(settings, document_weight=document_weight)
        return Retriever(load(index, chosen), chosen, query_encoder).ask(question).hits[0].passage.doc

    assert first(settings.document_weight) == "pigs"
    assert first(0.0) == "steel"  # without the document's words, the steel paragraph wins


def test_an_english_question_matches_on_its_content_words_not_on_what_is(tmp_path, encoder, query_encoder, settings):
    # A Chinese report quotes English in its footnotes; "what is" of an English question once matched them.
    retriever = retriever_of(tmp_path, {
        "privacy.md": "# 隐私计算报告\n\n## 一、隐私计算\n\n隐私计算在保护数据隐私的前提下实现数据的流通与价值挖掘[4][5]。\n\n"
        "## 脚注\n\n[4] GDPR.EU. What is GDPR, the EU's new data protection law? https://gdpr.eu/what-is-gdpr/\n\n"
        "[5] Privacy Computing Alliance. (2021). 隐私计算白皮书.\n",
    }, encoder, query_encoder, settings)
    scores = retriever.scores("What is privacy computing?")
    bm25 = {retriever.data.passages[j].passage.text[:3]: float(b) for j, b in zip(scores.ids, scores.bm25)}
    assert bm25["[4]"] == 0 < bm25["[5]"]  # the GDPR note shares only "what is" with the question
    assert retriever.ask("What is privacy computing?").hits[0].passage.text.startswith("[5]")
    assert retriever.ask("What is GDPR?").hits[0].passage.text.startswith("[4]")


def test_a_passage_whose_subject_only_its_heading_names_is_found_read_in_its_section(tmp_path, encoder, query_encoder, settings):
    # Broker reports title a section with its subject and leave it out of the paragraphs: 痛风 is only in
    # the heading of the diet advice, which no sentence of it repeats.
    import dataclasses

    from qa.index import load
    from qa.search import Retriever

    index = index_of(tmp_path, {
        "gout.md": "# 医药行业专题报告\n\n## 1 痛风简介\n\n### 1.1 患病人数持续增加\n\n"
        "随着生活水平提高，高尿酸血症和痛风的发病人数呈增长趋势。我国成人高尿酸血症患病率达14%。\n\n"
        "### 1.2 痛风的非药物治疗总体原则是生活方式管理\n\n"
        "包括饮食控制、减少酒精摄入、规律运动和控制体重。饮食上限制高嘌呤动物性食品，如动物内脏、海鲜和肉汤。\n\n"
        "## 2 降尿酸药物\n\n降尿酸治疗常用药物包括别嘌醇、非布司他和苯溴马隆。\n",
    }, encoder, settings)

    def first(section_margin: float) -> str:
        chosen = dataclasses.replace(settings, section_margin=section_margin)
        return Retriever(load(index, chosen), chosen, query_encoder).ask("痛风患者饮食上要注意什么？").hits[0].passage.cite

    assert first(settings.section_margin) == "1.2(1)"
    assert first(1.0) == "1.1(1)"  # sentences alone: the paragraph about the number of patients, which says 痛风


def test_a_figure_caption_gives_way_to_the_text_but_stays_findable(tmp_path, encoder, query_encoder, settings):
    # A PDF keeps only a figure's caption and the line pointing to it; both name the protocol in a few
    # words, so they out-matched every paragraph about it while saying nothing themselves.
    import dataclasses

    from qa.index import load
    from qa.search import Retriever

    index = index_of(tmp_path, {
        "flex.md": "# 联邦数据交换协议白皮书\n\n## 2.2 样本过滤\n\n样本过滤的目的是在数据样本量大时，快速滤除大量交集外样本，"
        "让后续的样本对齐更快完成。\n\n协议过程：参与方先把用户ID映射到布隆过滤器，再与随机二值向量按位比较，把结果发给第三方汇总。\n\n"
        "样本过滤协议对应的时序图如图2.2所示：\n\n图2.2 样本过滤协议时序图\n",
        "weekly.md": "# 周报\n\n## 市场\n\n本周市场震荡，资金关注度下降。\n\n## 行业\n\n各行业龙头表现分化。\n",
    }, encoder, settings)

    def hits(caption_penalty: float) -> list[str]:
        chosen = dataclasses.replace(settings, caption_penalty=caption_penalty)
        answer = Retriever(load(index, chosen), chosen, query_encoder).ask("样本过滤协议是怎么执行的？")
        return [h.passage.text for h in answer.hits]

    assert hits(0.0)[0] == "样本过滤协议对应的时序图如图2.2所示："  # what it was without the penalty
    shown = hits(settings.caption_penalty)
    assert shown[0].startswith("样本过滤的目的")
    assert "图2.2 样本过滤协议时序图" in shown  # ranked lower, never dropped


def test_a_word_only_a_heading_holds_is_no_evidence_the_question_is_off_topic(tmp_path, encoder, query_encoder, settings):
    # 白羽肉鸡 names the section, not its paragraph: BM25 (passages' text) cannot match it, and counted as
    # a word the documents lack it made this answerable question "not covered" (confidence 0.35).
    retriever = retriever_of(tmp_path, {
        "poultry.md": "# 畜禽养殖行业观察\n\n## 一、生猪：产能去化\n\n上半年猪价难言乐观，行业普遍难以盈利，产能继续去化。\n\n"
        "## 二、白羽肉鸡：引种受限，需求增长\n\n祖代引种受限，父母代存栏下降，上游种鸡企业优先受益。"
        "出栏量由 2014 年的 42 亿羽增至 2024 年的 70 亿羽。\n",
    }, encoder, query_encoder, settings)
    answer = retriever.ask("白羽肉鸡出栏量十年间增长了多少？")
    assert (answer.status, answer.hits[0].passage.cite) == ("answered", "2(1)")
    # A word no document holds anywhere still counts against the question.
    assert retriever.ask("黑羽肉鸭出栏量十年间增长了多少？").status != "answered"


def test_question_words_do_not_count_as_unmatched_content(retriever):
    # 哪类 (which kind) was a token the report lacks, so it lowered the share of the question the
    # best paragraph matched, and this answerable question was refused (confidence 0.36).
    answer = retriever.ask("利率水平变化属于哪类风险？")
    assert answer.answered and answer.hits[0].passage.cite == "4.3(2)"
    assert "利率水平" in answer.hits[0].highlight


def test_a_verb_the_documents_never_use_counts_against_the_question(retriever):
    # 下雪 is a verb: counted as how the question asks, it left 青海 as all the question is about, and
    # this was answered with confidence 0.90.
    answer = retriever.ask("青海冬天会下雪吗？")
    assert answer.status == "not_covered" and answer.confidence < 0.5


def test_a_highlighted_label_takes_in_what_it_labels():
    from qa.highlight import with_what_it_labels
    from qa.text import split_sentences

    def highlight(text: str, first: str, lead: bool = False) -> str:
        spans = split_sentences(text)
        row = next(i for i, (a, b) in enumerate(spans) if text[a:b].startswith(first))
        a, b = with_what_it_labels(text, spans, row, lead)
        return text[a:b]

    listed = "数据折射出当前经济运行的三个深层次特征：\n1. 政策驱动型增长模式持续强化\n2. 私人部门资产负债表修复仍需时日"
    assert highlight(listed, "数据折射") == listed  # a lead-in with its list
    long_list = "重点关注的龙头：\n" + "\n".join(f"公司{i}：成本优势明显，现金流强，扩张稳健，负债结构较优" for i in range(9))
    assert highlight(long_list, "重点关注").count("\n") == 6  # up to 200 characters, whole lines
    titled = "1. G7峰会（6/15-17）\n分歧焦点：美国关税政策、乌克兰问题。专家认为G7难达成联合公报。\n2. 中国-中亚峰会"
    assert highlight(titled, "1. G7") == "1. G7峰会（6/15-17）\n分歧焦点：美国关税政策、乌克兰问题。"
    # A title over another label, a sentence that is content, a colon inside a line: as they are.
    assert highlight("1. 市场回顾\n2. 市场环境：\n需求偏弱。", "1. 市场") == "1. 市场回顾"
    assert highlight("银行贷款门槛较高。\n发展普惠金融可以缓解融资难。", "银行") == "银行贷款门槛较高。"
    assert highlight("原因如下：成本高。其次是风险大。", "原因") == "原因如下：成本高。"
    # A table's caption leads its rows (Passage.lead) as a lead-in does: it brings them; a row alone is itself.
    table = "图表13：沪深 300 直接牛熊策略绩效表现\n类别 年化收益 夏普比率\n直接牛熊 15.30% 0.9124\n双均线 11.06% 0.6355"
    assert highlight(table, "图表13", lead=True) == table and highlight(table, "图表13") == "图表13：沪深 300 直接牛熊策略绩效表现"
    assert highlight(table, "直接牛熊", lead=True) == "直接牛熊 15.30% 0.9124"


def test_an_article_is_found_by_its_number_and_an_item_that_answers_is_highlighted(tmp_path, encoder, query_encoder, settings):
    # The lead-in repeats the question's subject, so it won the highlight and brought its whole list;
    # the item that holds the question's other words answers it. Asked for the list, the list it is.
    retriever = retriever_of(tmp_path, {
        "办法.txt": "小额贷款公司管理办法\n\n第一章 总则\n\n第一条 为规范小额贷款公司经营行为，制定本办法。\n\n"
        "第二条 设立小额贷款公司，应当具备下列条件：\n（一）有符合规定的章程；\n（二）注册资本不得低于人民币一亿元；\n"
        "（三）有具备任职专业知识的董事、高级管理人员。\n",
    }, encoder, query_encoder, settings)
    answer = retriever.ask("小额贷款公司的注册资本最低是多少？")
    assert (answer.hits[0].passage.cite, answer.hits[0].highlight) == ("第二条", "（二）注册资本不得低于人民币一亿元；")
    listed = retriever.ask("设立小额贷款公司要满足哪些条件？").hits[0]
    assert listed.highlight == listed.passage.text  # the lead-in with its items
    # The article's number is in its text as well as its cite: asked for by number, found by it.
    assert retriever.ask("第一条是怎么规定的？").hits[0].passage.cite == "第一条"


def test_a_question_asking_when_or_how_much_highlights_the_sentence_that_gives_it(tmp_path, encoder, query_encoder, settings):
    # The sentence repeating the question's subject matched best and was shown as the answer; the
    # one with the year (or the figure) answers. From the real broker report's 「…什么时候能量产？」.
    retriever = retriever_of(tmp_path, {
        "固态电池.md": "# 固态电池行业跟踪\n\n## 核心观点\n\n"
        "全固态电池的量产进度是行业最关心的问题；全固态电池具备高能量密度、高安全性等优势。"
        "多家企业已开始布局干法工艺设备。预计全固态电池2027年小批量装车，2030年后规模化应用。"
        "届时设备需求有望超过200亿元。\n",
    }, encoder, query_encoder, settings)
    assert retriever.ask("全固态电池什么时候能量产？").hits[0].highlight == "预计全固态电池2027年小批量装车，2030年后规模化应用。"
    assert retriever.ask("固态电池设备需求有多少？").hits[0].highlight == "届时设备需求有望超过200亿元。"
    # Not asking for one, a sentence without a figure is as good as any.
    assert retriever.ask("全固态电池有什么优势？").hits[0].highlight == "全固态电池具备高能量密度、高安全性等优势。"


def test_a_tables_value_is_highlighted_in_its_own_row(tmp_path, encoder, query_encoder, settings):
    # A row's cells are sentences, so 「周涨跌幅：34.85%；」 of another company's row could win for 香农芯创's (r13's
    # real table): the answer line gave a wrong figure. A cell counts its row's words and is shown with its row.
    rows = [("300475.SZ", "香农芯创", "71.74%", "73.83"), ("688593.SH", "新相微", "34.85%", "22.52"), ("300857.SZ", "协创数据", "32.98%", "138.30")]
    table = "| 证券代码 | 证券简称 | 周涨跌幅 | 收盘价（元） |\n|---|---|---|---|\n" + "".join(f"| {' | '.join(r)} |\n" for r in rows)
    retriever = retriever_of(tmp_path, {"电子周报.md": f"# 电子行业周度点评\n\n## 涨幅前五名个股\n\n{table}"}, encoder, query_encoder, settings)
    for code, name, change, close in rows:
        hit = retriever.ask(f"{name}的周涨跌幅是多少？").hits[0]
        assert hit.highlight == f"证券代码：{code}；证券简称：{name}；周涨跌幅：{change}；收盘价（元）：{close}"


@pytest.mark.skipif(bool(documents.CANNOT_PRINT_PDF), reason=documents.CANNOT_PRINT_PDF)
def test_a_pdf_cover_ranks_below_the_text_that_answers(tmp_path, encoder, query_encoder, settings):
    # caict's cover, 「No.202209 中国信息通信研究院 2022年7月 中国数字经济发展报告 (2022 年)」, holds the title's words
    # in a few characters and came first for 「2022年中国数字经济规模是多少？」: it loses what a caption alone does.
    from qa.index import build, load
    from qa.search import Retriever

    (tmp_path / "corpus").mkdir()
    documents.chromium_pdf(
        "<div style='page-break-after: always'><p>No.202209</p><p>某某通信研究院</p><p>2022年7月</p>"
        "<p style='font-size: 28pt'>中国数字经济发展报告（2022年）</p></div>"
        "<h1>一、总体情况</h1><p>2021年，我国数字经济规模达到45.5万亿元，同比名义增长16.2%，占GDP比重达到39.8%。</p>"
        "<h1>二、产业数字化</h1><p>产业数字化规模达到37.2万亿元，占数字经济比重为81.7%，服务业数字化转型持续领先。</p>",
        tmp_path / "corpus" / "report.pdf",
    )
    build(tmp_path / "corpus", tmp_path / "index", settings, encoder=encoder)
    retriever = Retriever(load(tmp_path / "index", settings), settings, query_encoder)
    hits = retriever.ask("2022年中国数字经济规模是多少？").hits
    assert [h.passage.cite for h in hits][:2] == ["1(1)", "(1)"]
    assert retriever.ask("这份报告是哪个单位编写的？").hits[0].passage.cite == "(1)"  # asked for, the cover answers


def test_a_diagrams_words_rank_below_the_text_that_answers(tmp_path, encoder, query_encoder, settings):
    # A PDF's diagram comes as short fragments the reader joins with spaces (CB Insights' 「确定了体系化隐 私计算理论体系
    # 引入多场景数据 …」): no sentence, the topic's words packed close, and it came first for 「隐私计算有哪三类技术路线？」.
    retriever = retriever_of(tmp_path, {"隐私计算.md": (
        "# 隐私计算行业研究\n\n## 隐私计算技术综述\n\n"
        "确定了体系化隐 私计算理论体系 引入多场景数据 集普适性算法框架、倡导多种技术路线组合\n\n"
        "本报告将上述技术分为三大路径：以安全多方计算为代表的密码学路径、以可信任执行环境为代表的硬件路径和以联邦学习为代表的人工智能路径。"
        "在法律法规、产业落地多维趋势之前，三大路径的隐私计算研究应用早已开启，并且按照各自技术路径呈现了各自发展脉络。\n"
    )}, encoder, query_encoder, settings)
    assert retriever.ask("隐私计算有哪三类技术路线？").hits[0].passage.text.startswith("本报告将上述技术分为三大路径")


def test_a_question_asking_who_or_where_prefers_a_sentence_naming_a_person_or_place_it_does_not():
    # A tie-breaker on CMRC 2018's answers (inside the highlight 0.843 -> 0.850), so tested on the
    # choice itself: two sentences a little apart in meaning, the second naming whom or where.
    from qa.answerable import asks_name
    from qa.highlight import best_sentence
    from qa.text import Tokenizer

    names = Tokenizer().names
    assert names("相传其创始人是张三丰，他在武当山修道多年。", "person") == {"张三丰"}
    assert names("其主要产区集中在云南省西双版纳和临沧一带。", "place") >= {"云南省", "临沧"}
    assert [asks_name(q) for q in ("太极拳是谁创立的", "普洱茶主要产在哪里", "普洱茶有什么特点")] == ["person", "place", None]
    text = "太极拳是中国传统武术的重要流派。相传其创始人是张三丰，他在武当山修道多年。"
    spans = [(0, 16), (16, len(text))]
    assert best_sentence(text, spans, [0.80, 0.77], "太极拳是谁创立的", set(), names) == 1
    assert best_sentence(text, spans, [0.80, 0.77], "太极拳是谁创立的", set()) == 0  # without names, meaning decides
    assert best_sentence(text, spans, [0.80, 0.77], "太极拳有什么特点", set(), names) == 0  # not asking who
    # A name the question holds is no answer to it.
    assert best_sentence(text, spans, [0.80, 0.77], "张三丰是谁", set(), names) == 0
    text = "普洱茶是以晒青毛茶为原料加工而成的茶类。其主要产区集中在云南省西双版纳和临沧一带。"
    spans = [(0, 20), (20, len(text))]
    assert best_sentence(text, spans, [0.80, 0.77], "普洱茶主要产在哪里", set(), names) == 1


def test_the_words_of_a_documents_title_do_not_pick_the_highlight(tmp_path, encoder, query_encoder, settings):
    # An article opens by naming its subject, the title; that sentence shared the question's words and
    # was highlighted for every question about the subject. (CMRC 2018: answer inside the highlight
    # 0.723 -> 0.831.)
    from qa.highlight import _in_title

    retriever = retriever_of(tmp_path, {
        "裸鲤.md": "---\ntitle: 青海湖裸鲤\n---\n\n青海湖裸鲤是鲤科裸鲤属的一种鱼类，俗称湟鱼，是青海湖特有的鱼类。"
        "体长而侧扁，体表几乎无鳞，体色背部灰褐色，腹部浅黄色。每年夏季溯河产卵，冬季回到湖中越冬。\n",
    }, encoder, query_encoder, settings)
    assert retriever.ask("青海湖裸鲤的体色是怎样的？").hits[0].highlight == "体长而侧扁，体表几乎无鳞，体色背部灰褐色，腹部浅黄色。"
    assert retriever.ask("青海湖裸鲤在哪里产卵？").hits[0].highlight == "每年夏季溯河产卵，冬季回到湖中越冬。"
    assert retriever.ask("青海湖裸鲤俗称什么？").hits[0].highlight.startswith("青海湖裸鲤是鲤科裸鲤属")  # where it answers
    assert _in_title("5g", "5g行业跟踪") and not _in_title("ai", "taiwan semiconductor")  # Latin words whole


def test_a_long_run_without_sentence_ends_is_highlighted_only_where_it_answers(tmp_path, encoder, query_encoder, settings):
    # A PDF table's rows come out as one "sentence" of hundreds of characters: highlighted whole, the
    # highlight said nothing. It narrows to the clauses with the question's words, grown to 40 characters.
    from qa.index import load
    from qa.search import Retriever

    rows = [("停车次数", "平均停车次数"), ("交通拥堵指数", "统计交通拥堵指数"), ("第三方生活服务", "美食、影视、酒店、外卖服务"),
            ("电商", "电商服务"), ("车辆服务", "维保预约、维修保养服务"), ("违章查询", "违章信息"), ("天气预报", "行政区划、当地天气"),
            ("商业保险", "保险服务"), ("加油服务", "加油站地址、联系方式、油价"), ("路侧设备", "摄像头、雷达等设备编号"),
            ("高精地图", "道路线、道路边界、道路拓扑"), ("出行服务", "网约车、共享单车、公交到站信息")]
    table = " ".join(f"DL{1 + i % 3}{name}{example}" for i, (name, example) in enumerate(rows))
    assert len(table) > 200 and not any(mark in table for mark in "。！？；")
    index = index_of(tmp_path, {"grading.md": f"# 数据分类分级\n\n## 附件：分级列表\n\n{table}\n"}, encoder, settings)
    hit = Retriever(load(index, settings), settings, query_encoder).ask("天气预报数据是什么等级？").hits[0]
    assert "天气预报" in hit.highlight and 40 <= len(hit.highlight) < 80
    assert hit.passage.text[slice(*hit.highlight_span)] == hit.highlight
    assert "停车次数" not in hit.highlight and "出行服务" not in hit.highlight


def test_the_highlight_is_not_the_closing_sentence_that_sums_up(retriever):
    # 4.1(3) closes with 「通过这些措施，…小微企业信用风险…取得了一定的成效。」: it restates the topic,
    # so its cosine is the paragraph's highest, but the measures are in the sentences before it.
    top = retriever.ask("怎样防范小微企业的信用风险").hits[0]
    assert top.passage.cite == "4.1(3)"
    assert top.highlight.startswith("为了有效控制小微企业信用风险，金融机构采取了一系列措施")


@pytest.mark.parametrize("traditional, simplified", TRADITIONAL)
def test_traditional_questions_find_the_same_paragraphs(retriever, traditional, simplified):
    t, s = retriever.ask(traditional, k=3), retriever.ask(simplified, k=3)
    assert [h.passage.cite for h in t.hits] == [h.passage.cite for h in s.hits]
    assert t.answered == s.answered


def test_out_of_scope_abstains_but_lists_nearest(retriever):
    answer = retriever.ask("今天天气怎么样？", k=3)
    assert not answer.answered
    assert len(answer.hits) == 3 and answer.confidence < 0.5


def test_k_and_hit_order(retriever):
    answer = retriever.ask("互联网金融存在哪些风险？", k=7)
    assert len(answer.hits) == 7
    scores = [h.score for h in answer.hits]
    assert scores == sorted(scores, reverse=True)
    assert len({h.passage.cite for h in answer.hits}) == 7


@pytest.mark.parametrize("question", ["", "   ", "\x00\x01\u200f", "？" * 0])
def test_empty_questions_are_refused(retriever, question):
    with pytest.raises(QuestionError, match="empty"):
        retriever.ask(question)


def test_long_question_and_bad_k_are_refused(retriever):
    with pytest.raises(QuestionError, match="too long"):
        retriever.ask("风险" * 400)
    with pytest.raises(QuestionError, match="too long"):
        retriever.ask("风" * 100_000)
    for k in (0, 21, -1, "5", 2.5, True):
        with pytest.raises(QuestionError, match="k must be"):
            retriever.ask("风险", k=k)


def test_punctuation_only_and_foreign_questions_still_answer(retriever):
    for q in ("？？？", "🙂🙂", "How do I cook noodles?", "מה שלומך"):
        answer = retriever.ask(q, k=2)
        assert len(answer.hits) == 2 and not answer.answered


@pytest.mark.parametrize("question", ["？？？", "……", "🙂🙂", "请问？", "是什么呢？"])
def test_a_question_with_no_word_to_look_for_is_not_covered_whatever_its_cosine(retriever, question):
    # Over 30 real reports 「……」 and 「请问？」 had cosines the coverage model took for an answer (0.89, 0.76).
    answer = retriever.ask(question, k=2)
    assert (answer.status, answer.reason, answer.confidence) == ("not_covered", NO_WORDS, 0.0)
    assert len(answer.hits) == 2
    assert refusal(answer.reason) == f"报告中未找到相关内容（{NO_WORDS}）。"
    assert refusal(retriever.ask("明天北京会下雨吗？").reason) == "报告中未找到相关内容。"


def test_followup_is_completed_from_the_previous_question(retriever):
    from qa.conversation import resolve_followup

    tok = retriever.data.tokenizer
    searched = resolve_followup("它们面临哪些挑战？", "非银行金融机构包括哪些类型？", tok)
    assert searched == "非银行金融机构面临哪些挑战？"
    answer = retriever.ask("它们面临哪些挑战？", previous="非银行金融机构包括哪些类型？")
    assert answer.searched == searched
    assert answer.hits[0].passage.cite == "2.3(3)"
    assert resolve_followup("贷款和保险怎样结合？", "非银行金融机构包括哪些类型？", tok) == "贷款和保险怎样结合？"
    assert resolve_followup("这个怎么解决？", "小额贷款公司面临哪些风险？", tok) == "小额贷款公司怎么解决？"
    assert resolve_followup("这些机构有什么风险？", "非银行金融机构包括哪些类型？", tok) == "非银行金融机构有什么风险？"
    assert resolve_followup("那个行业前景如何？", "小额贷款公司面临哪些风险？", tok) == "小额贷款公司行业前景如何？"
    assert resolve_followup("这个月增长了多少？", "小额贷款公司面临哪些风险？", tok) == "这个月增长了多少？"  # a time, not a reference


def test_what_about_followup_asks_the_previous_question_about_the_new_subject(retriever):
    from qa.conversation import resolve_followup

    tok = retriever.data.tokenizer
    searched = resolve_followup("市场风险呢？", "怎样应对政策风险？", tok)
    assert searched == "怎样应对市场风险？"
    answer = retriever.ask("市场风险呢？", previous="怎样应对政策风险？")
    assert answer.searched == searched and answer.hits[0].passage.cite == "4.3(3)"
    assert resolve_followup("那互联网金融呢？", "银行在小微金融中有什么优势？", tok) == "互联网金融在小微金融中有什么优势？"
    assert resolve_followup("那么，其他机构呢", "非银行金融机构包括哪些类型？", tok) == "其他机构包括哪些类型？"
    assert resolve_followup("那互聯網金融呢？", "非銀行金融機構包括哪些類型？", tok) == "互联网金融包括哪些类型？"
    # Traditional characters follow up alike (它們 had become 「非银行金融机构們…」).
    assert resolve_followup("它們面臨哪些挑戰？", "非銀行金融機構包括哪些類型？", tok) == "非银行金融机构面临哪些挑战？"
    assert resolve_followup("詳細說說", "非銀行金融機構包括哪些類型？", tok) == "非银行金融机构包括哪些类型？详细说说"
    # What X stands for in the previous question (follow-up, previous question, searched as).
    what_about = [
        # by the model, its subject or what it asked of it; a date or count of the same form; what
        # follows the same preposition
        ("那互联网金融呢？", "银行在小微金融中有什么优势？", "互联网金融在小微金融中有什么优势？"),
        ("那劣势呢？", "银行在小微金融中有什么优势？", "银行在小微金融中有什么劣势？"),
        ("2024年呢？", "2023年青海小微企业贷款余额是多少？", "2024年青海小微企业贷款余额是多少？"),
        ("二季度呢？", "一季度贷款增长了多少？", "二季度贷款增长了多少？"),
        # a period the previous question does not have narrows it, after its year if it has one
        ("上半年呢？", "宁德时代净利润是多少？", "上半年宁德时代净利润是多少？"),
        ("二季度呢？", "2023年小额贷款公司的贷款增长了多少？", "2023年二季度小额贷款公司的贷款增长了多少？"),
        ("对小额贷款公司呢？", "互联网金融对银行有什么影响？", "互联网金融对小额贷款公司有什么影响？"),
        ("它们的风险呢？", "非银行金融机构包括哪些类型？", "非银行金融机构的风险包括哪些类型？"),
        # a subject led by a name keeps the name for a new subject without one, the rest for a name alone
        ("融资担保公司呢？", "青海省小额贷款公司有多少家？", "青海省融资担保公司有多少家？"),
        ("甘肃省呢？", "青海省小额贷款公司有多少家？", "甘肃省小额贷款公司有多少家？"),
        ("甘肃省担保公司呢？", "青海省小额贷款公司有多少家？", "甘肃省担保公司有多少家？"),
        # a place for the previous question's scope: 「青海是多少？」 had lost what was asked
        ("那青海呢？", "全国小微企业贷款余额是多少？", "青海小微企业贷款余额是多少？"),
        ("那青海呢？", "我国数字经济规模多大？", "青海数字经济规模多大？"),
        # a name is a new subject, whatever the model's cosine of two lone words (比亚迪 is nearer 净利润 than 宁德时代)
        ("那比亚迪呢？", "宁德时代2025年上半年净利润是多少？", "比亚迪2025年上半年净利润是多少？"),
        # far from the subject, and not nearer to what was asked: an aspect of the subject, which the
        # previous question's words may not fit (「成本什么时候能量产？」 had been searched); a peer is near it
        ("那成本呢？", "固态电池什么时候能量产？", "固态电池的成本"),
        ("那发展前景呢？", "小额贷款公司面临哪些风险？", "小额贷款公司的发展前景"),
        ("那钠离子电池呢？", "固态电池什么时候能量产？", "钠离子电池什么时候能量产？"),
    ]
    similar, aspect = retriever.similarity, retriever.settings.aspect_similarity
    assert [resolve_followup(q, p, tok, similar, aspect) for q, p, _ in what_about] == [searched for _, _, searched in what_about]
    answer = retriever.ask("那劣势呢？", previous="银行在小微金融中有什么优势？")
    assert answer.searched == "银行在小微金融中有什么劣势？"
    assert retriever.ask("那发展前景呢？", previous="小额贷款公司面临哪些风险？").searched == "小额贷款公司的发展前景"
    # A request for more on the same: the previous question, then the request.
    for more in ("为什么呢？", "详细说说", "还有呢？", "能举个例子吗？", "那么，具体一点"):
        assert resolve_followup(more, "银行在小微金融中有什么优势？", tok) == f"银行在小微金融中有什么优势？{more}"
    assert resolve_followup("为什么？", "银行在小微金融中有什么优势？详细说说", tok) == "银行在小微金融中有什么优势？为什么？"
    assert resolve_followup("详细说说", "银行在小微金融中有什么优势？为什么？", tok) == "银行在小微金融中有什么优势？详细说说"
    more = retriever.ask("详细说说", previous="非银行金融机构包括哪些类型？")  # as asked, it found nothing
    assert more.answered and more.hits[0].passage.section.startswith("2.3 非银行金融机构")
    # A reference word only: left as asked.
    assert resolve_followup("那它们呢？", "银行在小微金融中有什么优势？", tok) == "那它们呢？"
    assert resolve_followup("市场风险呢？", None, tok) == "市场风险呢？"
