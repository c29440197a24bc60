"""HTTP JSON API, Gradio client API and hot reload against a real server on loopback."""

import json
import re
import shutil
import subprocess
import sys
import threading
import time

import httpx
import pytest

from qa.index import build
from qa.schema import answer_json

from .conftest import retriever_of
from .server import Server

Q = "非银行金融机构包括哪些类型？"


@pytest.fixture(scope="module")
def server(report_index, settings, encoder):
    with Server(settings.replace(index_dir=report_index)) as s:
        yield s


@pytest.fixture(scope="module")
def http(server):
    with httpx.Client(base_url=server.url, timeout=30) as c:
        yield c


def test_health(http, retriever):
    body = http.get("/api/health").json()
    assert body["status"] == "ok"
    assert body["documents"] == ["qinghai_microfinance_report"]
    assert body["passages"] == 37 and body["model"] == "m3e-small"
    assert body["generation"] == retriever.data.generation and body["built_at"]


def test_get_and_post_return_the_cli_object(http, retriever):
    expected = answer_json(retriever.ask(Q, k=3))
    got = http.get("/api/ask", params={"q": Q, "k": 3})
    assert got.status_code == 200 and got.json() == expected
    posted = http.post("/api/ask", json={"question": Q, "k": 3})
    assert posted.status_code == 200 and posted.json() == expected
    assert len(http.get("/api/ask", params={"q": Q}).json()["hits"]) == 5  # default k
    related = http.get("/api/ask", params={"q": "青海省现在一共有多少家小额贷款公司？"}).json()
    assert (related["status"], related["answered"]) == ("related", False) and "数字" in related["reason"]


def test_a_follow_up_is_completed_from_previous(http):
    body = {"question": "那互联网金融呢？", "previous": "非银行金融机构存在哪些风险？", "k": 1}
    posted = http.post("/api/ask", json=body).json()
    assert posted["question"] == "那互联网金融呢？" and posted["searched"] == "互联网金融存在哪些风险？"
    assert posted["hits"][0]["cite"] == "2.2(3)"
    got = http.get("/api/ask", params={"q": "它们呢？", "previous": "非银行金融机构包括哪些类型？"}).json()
    assert "searched" not in got  # a reference with nothing to ask: left as asked


@pytest.mark.parametrize(
    "method, kwargs, status, message",
    [
        ("get", {"params": {"q": ""}}, 400, "empty"),
        ("get", {"params": {}}, 400, "missing question"),
        ("get", {"params": {"q": "风险", "k": "0"}}, 400, "k must be"),
        ("get", {"params": {"q": "风险", "k": "21"}}, 400, "k must be"),
        ("get", {"params": {"q": "风险", "k": "abc"}}, 400, "k must be"),
        ("get", {"params": {"q": "风" * 501}}, 413, "too long"),
        ("post", {"json": {"question": "\x00\u200f  "}}, 400, "empty"),
        ("post", {"json": {"question": 5}}, 400, "text"),
        ("post", {"json": {"question": "风险", "k": "3"}}, 400, "k must be"),
        ("post", {"json": ["风险"]}, 400, "JSON object"),
        ("post", {"content": b"{not json", "headers": {"content-type": "application/json"}}, 400, "JSON"),
        ("post", {"json": {"question": "风" * 5000}}, 413, "too long"),
        ("post", {"json": {"question": "那风险呢", "previous": 5}}, 400, "previous question must be text"),
        ("get", {"params": {"q": "那风险呢", "previous": "风" * 600}}, 400, "previous question is too long"),
    ],
)
def test_errors_are_json_never_500(http, method, kwargs, status, message):
    r = getattr(http, method)("/api/ask", **kwargs)
    assert r.status_code == status
    assert message in r.json()["error"]
    assert "Traceback" not in r.text


def test_file_routes_cannot_read_corpus_or_index(http, server, report_index, report_corpus):
    targets = [next(report_corpus.iterdir()), report_index / "CURRENT", "/etc/passwd"]
    for target in targets:
        for route in ("/gradio_api/file={}", "/file={}"):
            r = http.get(route.format(target))
            assert r.status_code in (403, 404), (route, target, r.status_code)
            assert "青海" not in r.text and "root:" not in r.text


def test_gradio_is_imported_without_rewriting_its_type_stubs():
    # gradio regenerates its components' .pyi stubs at every import: 1.5 s of a server's start.
    script = (
        "import sys, qa.web; gr = qa.web.import_gradio(); import gradio.component_meta as cm; "
        "print(cm.create_or_modify_pyi is qa.web._no_stubs, hasattr(gr, 'Blocks'), "
        "any(isinstance(h, qa.web._NoStubs) for h in sys.meta_path))"
    )
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["True", "True", "False"]  # patched, a working gradio, the hook gone


def test_gradio_client_api(server):
    from gradio_client import Client

    client = Client(server.url, verbose=False)
    result = json.loads(client.predict(Q, 2, "", api_name="/ask"))  # the answer object as JSON text
    assert result["answered"] is True and len(result["hits"]) == 2
    assert result["hits"][0]["cite"].startswith("2.3(")
    history, box, status = client.predict(Q, [], [], api_name="/chat")  # gr.State is not part of the client API
    assert box == ""
    content = history[-1]["content"]
    text = "".join(part["text"] for part in content) if isinstance(content, list) else content
    assert 'data-cite="2.3(' in text and "37" in status


def test_hot_reload_while_requests_run(tmp_path, report_corpus, settings, encoder):
    corpus = tmp_path / "corpus"
    shutil.copytree(report_corpus, corpus)
    index = tmp_path / "index"
    build(corpus, index, settings, encoder=encoder)
    statuses, stop = [], threading.Event()

    with Server(settings.replace(index_dir=index, reload_interval=0.2)) as server:
        def hammer():
            with httpx.Client(base_url=server.url, timeout=30) as c:
                while not stop.is_set():
                    statuses.append(c.get("/api/ask", params={"q": "贷后管理要做什么？", "k": 2}).status_code)

        workers = [threading.Thread(target=hammer) for _ in range(3)]
        for w in workers:
            w.start()
        before = httpx.get(f"{server.url}/api/health").json()["generation"]
        path = corpus / "qinghai_microfinance_report.md"
        path.write_text(path.read_text(encoding="utf-8").replace("加强贷后管理", "加强贷后管理与季度回访"), encoding="utf-8")
        report = build(corpus, index, settings, encoder=encoder)
        assert report.changed == 1 and report.embedded == 1
        published = time.monotonic()
        while httpx.get(f"{server.url}/api/health").json()["generation"] == before:
            assert time.monotonic() - published < 2.0, "new index not served within 2 s"
            time.sleep(0.05)
        stop.set()
        for w in workers:
            w.join()
        hits = httpx.get(f"{server.url}/api/ask", params={"q": "贷后管理要做什么？", "k": 3}).json()["hits"]
    assert statuses and set(statuses) == {200}
    assert any("季度回访" in h["text"] for h in hits)


def test_corrupt_new_generation_keeps_the_old_one_serving(tmp_path, report_corpus, settings, encoder):
    corpus = tmp_path / "corpus"
    shutil.copytree(report_corpus, corpus)
    index = tmp_path / "index"
    first = build(corpus, index, settings, encoder=encoder)
    with Server(settings.replace(index_dir=index, reload_interval=0.1)) as server:
        path = corpus / "qinghai_microfinance_report.md"
        path.write_text(path.read_text(encoding="utf-8").replace("贷后管理", "贷后检查"), encoding="utf-8")
        server.live.stop()  # freeze the watcher, build and damage the new generation, then let it look
        second = build(corpus, index, settings, encoder=encoder)
        faiss_file = index / second.generation / "dense.faiss"
        faiss_file.write_bytes(faiss_file.read_bytes()[:100])
        assert server.live.check() is False
        health = httpx.get(f"{server.url}/api/health").json()
        assert health["generation"] == first.generation and "checksum" in health["last_reload_error"]
        assert httpx.get(f"{server.url}/api/ask", params={"q": "贷后管理"}).status_code == 200


# --------------------------------------------------------------------------- several documents


@pytest.fixture(scope="module")
def library(tmp_path_factory, report_corpus, settings, encoder):
    """The shipped report, the fixture report as text, and a PDF printed by Chromium in a subfolder, served."""
    from . import documents
    from .conftest import FIXTURES

    if documents.CANNOT_PRINT_PDF:
        pytest.skip(f"{documents.CANNOT_PRINT_PDF}: no PDF fixture")
    root = tmp_path_factory.mktemp("library")
    corpus = root / "corpus"
    shutil.copytree(report_corpus, corpus)
    shutil.copy(FIXTURES / "mini_report.txt", corpus)
    (corpus / "行业").mkdir()
    documents.report_pdf(corpus / "行业" / "industry.pdf")
    build(corpus, root / "index", settings, encoder=encoder)
    with Server(settings.replace(index_dir=root / "index", corpus_dir=corpus)) as s:
        with httpx.Client(base_url=s.url, timeout=30) as c:
            yield s, c, corpus


@pytest.mark.slow
def test_health_names_every_document_with_its_title(library):
    _, http, _ = library
    body = http.get("/api/health").json()
    assert body["documents"] == ["mini_report", "qinghai_microfinance_report", "行业/industry"]
    assert body["titles"] == {
        "行业/industry": "2024年测试行业发展报告",
        "mini_report": "某省小微金融测试报告",
        "qinghai_microfinance_report": "中国青海省小微金融行业市场发展现状及投资方向研究报告",
    }


@pytest.mark.slow
def test_the_status_line_names_a_few_documents_and_counts_many(library, tmp_path, settings, encoder):
    from qa.live import LiveRetriever
    from qa.web import description, status_text

    from .conftest import FIXTURES

    server, _, _ = library
    few = status_text(server.live)
    assert few.startswith("文档 3（") and "测试行业发展报告" in few
    assert re.search(r"索引构建于 \d{4}-\d\d-\d\d \d\d:\d\d UTC · gen-", few)  # a time people read, not ISO 8601
    assert description(server.live.retriever.data).startswith("就这 3 份文档提问")
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for name in "abcd":
        shutil.copy(FIXTURES / "mini_report.txt", corpus / f"{name}.txt")
    build(corpus, tmp_path / "index", settings, encoder=encoder)
    many = status_text(LiveRetriever(tmp_path / "index", settings))
    assert many.startswith("文档 4 · 段落 40 · ") and "某省小微金融测试报告" not in many  # the filter lists them


def test_documents_of_one_title_are_told_apart_in_the_filter_and_on_cards(tmp_path, settings, encoder):
    from qa.live import LiveRetriever
    from qa.web import answer_html

    corpus = tmp_path / "corpus"
    for year, income in (("2023", "十亿元"), ("2024", "十二亿元")):
        (corpus / year).mkdir(parents=True)
        (corpus / year / "年报.md").write_text(f"# 年报\n\n## 一、经营\n\n公司{year}年营业收入为{income}。\n", encoding="utf-8")
    (corpus / "说明.md").write_text("# 编制说明\n\n## 一、口径\n\n本年报按合并口径编制。\n", encoding="utf-8")
    build(corpus, tmp_path / "index", settings, encoder=encoder)
    retriever = LiveRetriever(tmp_path / "index", settings).retriever
    labels = retriever.data.labels
    assert labels == {"2023/年报": "年报（2023/年报）", "2024/年报": "年报（2024/年报）", "说明": "编制说明"}
    card = answer_html(retriever.ask("2024年营业收入是多少？", k=1), labels)
    assert '<span class="qa-path">年报（2024/年报） › 一、经营</span>' in card
    both = answer_html(retriever.ask("公司的营业收入是多少？", k=2), labels)  # two documents' sentences answer
    assert "。 [《年报（2023/年报）》1(1)]" in both and "。 [《年报（2024/年报）》1(1)]" in both
    # A copy of a report (the same bytes saved twice) is no second card: the one card names it.
    (corpus / "下载").mkdir()
    (corpus / "下载" / "年报(1).md").write_bytes((corpus / "2024" / "年报.md").read_bytes())
    build(corpus, tmp_path / "index", settings, encoder=encoder)
    copied = LiveRetriever(tmp_path / "index", settings).retriever
    card = answer_html(copied.ask("2024年营业收入是多少？", k=2), copied.data.labels)
    assert card.count('class="qa-card"') == 2 and card.count("· 另见 ") == 1
    assert "年报（2024/年报） › 一、经营 · 另见 下载/年报(1)</span>" in card


def test_the_answer_line_cites_a_heading_path_by_its_last_heading(tmp_path, settings, encoder):
    from qa.web import answer_html

    retriever = retriever_of(tmp_path, {
        "周报.md": "# 大宗周报\n\n## 各行业分析\n\n### 煤炭：煤价企稳\n\n#### 未来展望\n\n焦煤价格有望随钢厂补库而上行。\n\n"
        "### 钢铁：供给收缩\n\n#### 未来展望\n\n钢价将随减产落地而企稳。\n",
    }, encoder, encoder, settings)
    answer = retriever.ask("焦煤价格会上行吗？", k=1)
    cite = answer.hits[0].passage.cite
    assert cite == "各行业分析 › 煤炭：煤价企稳 › 未来展望(1)"  # unique in the document: the path says which 未来展望
    page = answer_html(answer)
    assert "焦煤价格有望随钢厂补库而上行。 [未来展望(1)]</div>" in page  # the card below shows the whole cite
    assert f'<span class="qa-cite">[{cite}]</span>' in page


@pytest.mark.slow
def test_a_document_filter_and_pdf_pages_in_hits(library):
    _, http, _ = library
    everywhere = http.get("/api/ask", params={"q": "小微企业信用风险", "k": 5}).json()
    assert {h["doc"] for h in everywhere["hits"]} >= {"mini_report", "qinghai_microfinance_report"}
    only = http.get("/api/ask", params={"q": "小微企业信用风险", "k": 5, "doc": "mini_report"}).json()
    assert {h["doc"] for h in only["hits"]} == {"mini_report"}
    two = http.post("/api/ask", json={"question": "市场规模", "doc": ["行业/industry", "mini_report"]}).json()
    assert {h["doc"] for h in two["hits"]} <= {"行业/industry", "mini_report"}
    pdf = http.get("/api/ask", params={"q": "测试行业的市场规模有多大？", "doc": "行业/industry", "k": 1}).json()["hits"][0]
    assert (pdf["title"], pdf["page"], pdf["cite"]) == ("2024年测试行业发展报告", 3, "1.1(1)")
    assert pdf["headings"] == ["一、行业概况", "（一）市场规模"]
    unknown = http.get("/api/ask", params={"q": "市场规模", "doc": "nope"})
    assert unknown.status_code == 400 and "no document named 'nope'" in unknown.json()["error"]


def test_every_format_read_has_a_media_type_to_be_served_with():
    # A card's link opens its file in the browser: a .doc served as application/octet-stream would only download.
    from qa.readers import READERS
    from qa.web import _MEDIA_TYPES

    assert sorted(set(READERS) - set(_MEDIA_TYPES)) == []


@pytest.mark.slow
def test_a_card_links_to_its_source_served_read_only_by_document_name(library):
    from qa.web import answer_html

    server, http, corpus = library
    answer = server.live.retriever.ask("测试行业的市场规模有多大？", docs=["行业/industry"])
    assert 'href="/api/source/%E8%A1%8C%E4%B8%9A/industry#page=3"' in answer_html(answer)
    got = http.get("/api/source/行业/industry")
    assert got.status_code == 200 and got.headers["content-type"] == "application/pdf"
    assert got.content == (corpus / "行业" / "industry.pdf").read_bytes()
    text = http.get("/api/source/mini_report")
    assert text.headers["content-type"].startswith("text/plain") and "某省小微金融测试" in text.text
    for name in ("nope", "..%2F..%2Fetc%2Fpasswd", "行业/industry.pdf", "%2Fetc%2Fpasswd", "行业/../../../etc/passwd", "industry"):
        assert http.get(f"/api/source/{name}").status_code == 404, name
