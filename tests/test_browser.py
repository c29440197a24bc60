"""End to end in real Chromium (Debian's, driven by Playwright): what a person sees in the chat."""

import shutil
from pathlib import Path

import pytest

from qa.index import build

from .conftest import ARTIFACTS
from .server import Server

CHROMIUM = "/usr/bin/chromium"
pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="Debian chromium not installed (make test installs it as root)"),
]
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
        "--disable-component-update", "--disable-sync"]
XSS = "<img src=x onerror=alert(1)><script>alert(2)</script>"


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield b
        b.close()


@pytest.fixture(scope="module")
def server(tmp_path_factory, report_corpus, settings, encoder):
    """The real report plus one paragraph carrying HTML, to check that corpus text is shown as text."""
    root = tmp_path_factory.mktemp("web")
    corpus = root / "corpus"
    shutil.copytree(report_corpus, corpus)
    # Plain text keeps markup as written (Markdown's tags are dropped when it is read): it must show as text.
    (corpus / "zz_html.txt").write_text(
        f"测试\n\n一、测试章\n\n1.1 标记测试\n\n(1) 量子纠缠防火墙的配置说明：{XSS} 请勿执行。\n", encoding="utf-8"
    )
    # A lead-in with its list: the answer line shows it as lines, as the card does.
    (corpus / "zz_list.md").write_text("# 检修手册\n\n星际跃迁引擎的检修步骤：\n\n- 断开主电源；\n- 检查冷却回路；\n- 更换滤芯。\n", encoding="utf-8")
    build(corpus, root / "index", settings, encoder=encoder)
    with Server(settings.replace(index_dir=root / "index")) as s:
        yield s


@pytest.fixture
def page(browser, server):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.dialogs = []
    page.on("dialog", lambda d: (page.dialogs.append(d.message), d.dismiss()))
    page.goto(server.url)
    page.wait_for_selector("#qa-input textarea", timeout=30_000)
    yield page
    context.close()


def ask(page, question: str, answers: int) -> None:
    page.fill("#qa-input textarea", question)
    page.keyboard.press("Enter")
    page.wait_for_function(f"document.querySelectorAll('.qa-answer').length >= {answers}", timeout=30_000)


def card(page, cite: str):
    """The card of a paragraph (the UI sanitizer drops data-* attributes: find it by its visible id)."""
    return page.locator(".qa-card", has=page.locator(".qa-cite", has_text=f"[{cite}]"))


def test_question_shows_the_cited_card_with_the_sentence_highlighted(page):
    ask(page, "小额贷款公司弥补了银行哪些不足？", 1)
    first = page.locator(".qa-card").first
    assert first.locator(".qa-cite").inner_text() == "[2.3(1)]"
    assert "2.3 非银行金融机构在小微金融领域的作用" in first.inner_text()
    assert "弥补了传统银行在服务小微企业方面的不足" in first.locator("mark").inner_text()
    assert "[2.3(1)]" in page.locator(".qa-answer").first.inner_text()
    assert "段落" in page.locator("#qa-status").inner_text()
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "answer.png"), full_page=True)


def test_follow_up_shows_the_searched_question(page):
    ask(page, "非银行金融机构包括哪些类型？", 1)
    ask(page, "它们面临哪些挑战？", 2)
    assert "非银行金融机构面临哪些挑战" in page.locator(".qa-searched").last.inner_text()
    assert card(page, "2.3(3)").count() >= 1
    ask(page, "那互联网金融呢？", 3)  # "what about …": the last question, asked about the new subject
    assert "互联网金融面临哪些挑战" in page.locator(".qa-searched").last.inner_text()
    assert "[2.2(3)]" in page.locator(".qa-answer").last.inner_text()
    page.click("#qa-clear")
    page.wait_for_function("document.querySelectorAll('.qa-answer').length == 0", timeout=10_000)


def test_out_of_scope_says_not_covered(page):
    ask(page, "今天天气怎么样？", 1)
    text = page.locator(".qa-answer").last.inner_text()
    assert "报告中未找到相关内容" in text
    assert "您可能在找" in page.content()
    page.locator(".qa-more summary").last.click()  # the nearest paragraphs are one click away
    assert page.locator(".qa-more").last.locator(".qa-card").first.is_visible()
    page.screenshot(path=str(ARTIFACTS / "not_covered.png"), full_page=True)


def test_a_question_with_no_word_to_look_for_says_so_and_lists_no_passage(page):
    ask(page, "……", 1)
    assert page.locator(".qa-answer").last.inner_text().strip() == "报告中未找到相关内容（问题里没有可以检索的词语）。"
    assert page.locator(".qa-card, .qa-more").count() == 0 and "您可能在找" not in page.content()


def test_an_empty_question_is_answered_in_chinese_and_asks_nothing(page):
    page.fill("#qa-input textarea", "   ")
    page.keyboard.press("Enter")
    page.wait_for_selector(".qa-none", timeout=30_000)
    assert page.locator(".qa-none").last.inner_text().strip() == "问题是空的：请输入一个关于文档的问题"
    assert page.locator(".qa-card, .qa-answer").count() == 0


def test_a_figure_the_report_does_not_give_is_shown_as_related(page):
    ask(page, "青海省现在一共有多少家小额贷款公司？", 1)
    text = page.locator(".qa-answer").last.inner_text()
    assert "没有给出具体数字" in text and "报告中未找到相关内容" not in text
    assert page.locator(".qa-related").count() >= 1 and page.locator(".qa-card").count() >= 1  # the nearest passage


def test_a_lead_in_with_its_list_shows_as_lines_in_the_answer(page):
    ask(page, "星际跃迁引擎的检修步骤有哪些？", 1)
    assert "星际跃迁引擎的检修步骤：\n断开主电源；\n检查冷却回路；\n更换滤芯。" in page.locator(".qa-answer").last.inner_text()


def test_html_in_corpus_and_question_shows_as_text(page):
    ask(page, f"量子纠缠防火墙怎么配置？{XSS}", 1)
    html_card = page.locator(".qa-card", has_text="量子纠缠防火墙").first
    assert XSS in html_card.inner_text()
    assert page.locator(".qa-card img, .qa-card script").count() == 0
    page.wait_for_timeout(500)
    assert page.dialogs == []
    page.screenshot(path=str(ARTIFACTS / "escaped_html.png"), full_page=True)


def test_placeholders_are_flagged(page):
    ask(page, "截至2022年底青海省小微金融市场规模有多大？", 1)
    first = page.locator(".qa-card").first
    assert first.locator(".qa-placeholder").count() >= 1
    assert "报告在此处未给出具体数字" in first.inner_text()


def test_phone_width_cards_fit(browser, server):
    context = browser.new_context(viewport={"width": 390, "height": 844})
    page = context.new_page()
    page.goto(server.url)
    page.wait_for_selector("#qa-input textarea", timeout=30_000)
    ask(page, "互联网金融存在哪些风险？", 1)
    box = page.locator(".qa-card").first.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= 390
    page.screenshot(path=str(ARTIFACTS / "phone.png"))
    context.close()


def test_example_questions_follow_a_rebuilt_index(browser, tmp_path, report_corpus, settings, encoder):
    import json

    corpus = tmp_path / "corpus"
    shutil.copytree(report_corpus, corpus)
    (corpus / "examples.json").write_text(json.dumps(["互联网金融存在哪些风险？"], ensure_ascii=False), encoding="utf-8")
    build(corpus, tmp_path / "index", settings, encoder=encoder)
    with Server(settings.replace(index_dir=tmp_path / "index", reload_interval=0.1)) as server:
        context = browser.new_context(viewport={"width": 1280, "height": 900})
        page = context.new_page()
        page.goto(server.url)
        page.wait_for_selector(".qa-example", timeout=30_000)
        assert [b.inner_text() for b in page.locator(".qa-example").all() if b.is_visible()] == ["互联网金融存在哪些风险？"]
        new = ["非银行金融机构包括哪些类型？", "如何控制小微企业信用风险？"]
        (corpus / "examples.json").write_text(json.dumps(new, ensure_ascii=False), encoding="utf-8")
        generation = build(corpus, tmp_path / "index", settings, encoder=encoder).generation
        server.live.check()
        assert server.live.retriever.data.generation == generation
        page.reload()
        page.wait_for_function("[...document.querySelectorAll('.qa-example')].filter(b => b.offsetParent).length == 2",
                               timeout=30_000)
        assert [b.inner_text() for b in page.locator(".qa-example").all() if b.is_visible()] == new
        page.locator(".qa-example", has_text="非银行金融机构").click()  # the label is what is asked
        page.wait_for_function("document.querySelectorAll('.qa-answer').length >= 1", timeout=30_000)
        assert "[2.3(1)]" in page.locator(".qa-answer").last.inner_text()
        context.close()
