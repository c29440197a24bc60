"""The web app: a Gradio chat and HTTP JSON routes (/api/ask, /api/health) on one FastAPI server.

The JSON routes are plain FastAPI handlers, so they never queue behind the chat UI, and they produce
the same objects as `qa ask --jsonl` (qa.schema). All text from the corpus or the user is HTML-escaped
before it reaches the page.
"""

from __future__ import annotations

import html
import json
import logging
import re
import warnings
from pathlib import Path
from urllib.parse import quote

from fastapi import FastAPI, Query, Request
from fastapi.responses import FileResponse, JSONResponse

from .answerable import NO_WORDS, refusal
from .errors import QAError, QuestionError
from .index import unreadable_files
from .live import LiveRetriever
from .schema import answer_json, documents_json
from .search import Answer, check_k, check_question
from .settings import Settings

log = logging.getLogger(__name__)

TITLE = "报告问答"
EXAMPLE_SLOTS = 8  # example-question buttons at most
SOURCE_ROUTE = "/api/source"
_MEDIA_TYPES = {
    ".pdf": "application/pdf",
    ".md": "text/plain; charset=utf-8",
    ".markdown": "text/plain; charset=utf-8",
    ".txt": "text/plain; charset=utf-8",
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ".doc": "application/msword",
    ".pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ".odt": "application/vnd.oasis.opendocument.text",
    ".ods": "application/vnd.oasis.opendocument.spreadsheet",
    ".odp": "application/vnd.oasis.opendocument.presentation",
    ".rtf": "application/rtf",
    ".epub": "application/epub+zip",
    ".ofd": "application/ofd",
    ".docm": "application/vnd.ms-word.document.macroEnabled.12",
    ".dotx": "application/vnd.openxmlformats-officedocument.wordprocessingml.template",
    ".dotm": "application/vnd.ms-word.template.macroEnabled.12",
    ".dot": "application/msword",
    ".pptm": "application/vnd.ms-powerpoint.presentation.macroEnabled.12",
    ".ppsx": "application/vnd.openxmlformats-officedocument.presentationml.slideshow",
    ".ppsm": "application/vnd.ms-powerpoint.slideshow.macroEnabled.12",
    ".potx": "application/vnd.openxmlformats-officedocument.presentationml.template",
    ".pps": "application/vnd.ms-powerpoint",
    ".pot": "application/vnd.ms-powerpoint",
    ".xlsm": "application/vnd.ms-excel.sheet.macroEnabled.12",
    ".xltx": "application/vnd.openxmlformats-officedocument.spreadsheetml.template",
    ".xltm": "application/vnd.ms-excel.template.macroEnabled.12",
    ".xlt": "application/vnd.ms-excel",
    ".xls": "application/vnd.ms-excel",
    ".et": "application/vnd.ms-excel",  # WPS's spreadsheet, in Excel 97's format
    ".ppt": "application/vnd.ms-powerpoint",
    ".dps": "application/vnd.ms-powerpoint",  # WPS's presentation, in PowerPoint 97's format
    ".wps": "application/vnd.ms-works",  # what browsers and mail clients take .wps for; WPS Office opens it
    # A saved web page as its source text: served as HTML from this origin its scripts would run here.
    ".html": "text/plain; charset=utf-8",
    ".htm": "text/plain; charset=utf-8",
    ".mht": "text/plain; charset=utf-8",  # a web archive likewise: its page's scripts never run from this origin
    ".mhtml": "text/plain; charset=utf-8",
}
# Placeholders the report prints instead of figures (XX亿元, XX%): flagged so nobody reads them as data.
PLACEHOLDER = re.compile(r"X{2,}\s*(?:%|％|亿元|万元|亿|万|元|家|个|倍)?")
SHOWN_CARDS = 2  # cards open under an answer; the rest are folded
PLACEHOLDER_NOTE = "注：XX 为报告原文中的占位符，报告在此处未给出具体数字。"

CSS = """
.qa-answer { font-size: 1.02rem; margin-bottom: .5rem; white-space: pre-line; }
.qa-card { border: 1px solid var(--border-color-primary); border-radius: 10px; padding: .6rem .8rem;
           margin: .5rem 0; background: var(--background-fill-secondary); max-width: 100%; overflow-wrap: anywhere; }
.qa-card-head { display: flex; flex-wrap: wrap; gap: .4rem; align-items: baseline; font-size: .85rem;
                color: var(--body-text-color-subdued); margin-bottom: .3rem; }
.qa-cite { font-weight: 700; color: var(--color-accent); }
.qa-score { margin-left: auto; }
.qa-text { line-height: 1.7; white-space: pre-line; }
.qa-source { font-size: .8rem; }
.qa-text mark { background: #fde68a; color: inherit; padding: 0 .1rem; border-radius: 3px; }
.qa-placeholder { border-bottom: 1px dashed #b45309; color: #b45309; cursor: help; }
.qa-ocr { color: #92400e; background: #fef3c7; border-radius: 3px; padding: 0 .3em; cursor: help; }
.qa-note { font-size: .8rem; color: #b45309; margin-top: .3rem; }
.qa-searched { font-size: .8rem; color: var(--body-text-color-subdued); }
.qa-none, .qa-related { font-weight: 600; }
.qa-more summary { cursor: pointer; color: var(--body-text-color-subdued); margin: .3rem 0; }
#qa-status { font-size: .8rem; color: var(--body-text-color-subdued); }
"""


# --------------------------------------------------------------------------- rendering (escaped)


def _text_html(text: str) -> tuple[str, bool]:
    """Escaped text with placeholders marked; True when there was a placeholder."""
    out, last, found = [], 0, False
    for m in PLACEHOLDER.finditer(text):
        found = True
        out.append(html.escape(text[last : m.start()]))
        out.append(f'<span class="qa-placeholder" title="报告未给出具体数字">{html.escape(m.group(0))}</span>')
        last = m.end()
    out.append(html.escape(text[last:]))
    return "".join(out), found


def card_html(hit, labels: dict[str, str] | None = None) -> str:
    """One hit as a card; labels: the documents' names -> how to call them (IndexData.labels)."""
    p = hit.passage
    a, b = hit.highlight_span
    before, f1 = _text_html(p.text[:a])
    middle, f2 = _text_html(p.text[a:b])
    after, f3 = _text_html(p.text[b:])
    note = f'<div class="qa-note">{PLACEHOLDER_NOTE}</div>' if (f1 or f2 or f3) else ""
    path = " › ".join(html.escape(x) for x in (p.label(labels), *p.headings))
    page = f" · 第 {p.page} 页" if p.page else ""
    page += ' · <span class="qa-ocr" title="这一页是扫描件，文字由 OCR 识别，可能有个别错字">扫描件·OCR</span>' if hit.ocr else ""
    page += f" · 另见 {'、'.join(html.escape(d) for d in hit.also)}" if hit.also else ""  # copies of this document
    link = f"{SOURCE_ROUTE}/{quote(p.doc)}" + (f"#page={p.page}" if p.page else "")
    return (
        f'<div class="qa-card" data-cite="{html.escape(p.cite)}" data-doc="{html.escape(p.doc)}">'
        f'<div class="qa-card-head"><span class="qa-cite">[{html.escape(p.cite)}]</span>'
        f'<span class="qa-path">{path}{page}</span>'
        f'<a class="qa-source" href="{html.escape(link)}" target="_blank">原文</a>'
        f'<span class="qa-score">相关度 {hit.score:.2f}</span></div>'
        f'<div class="qa-text">{before}<mark>{middle}</mark>{after}</div>{note}</div>'
    )


def answer_html(answer: Answer, labels: dict[str, str] | None = None) -> str:
    parts = []
    if answer.searched != answer.question:
        parts.append(f'<div class="qa-searched">检索的问题：{html.escape(answer.searched)}</div>')
    if answer.answered:
        top = answer.hits[0].score
        # The answering sentences: the best hit's, and any other hit nearly as strong.
        lead = [h for h in answer.hits if h.score >= 0.9 * top][:2]
        # Sentences of two documents each say which: two 「[1(1)]」 would not tell them apart.
        several = len({h.passage.doc for h in lead}) > 1
        sentences = " ".join(f"{_text_html(h.highlight)[0]} [{html.escape(_cite(h.passage, labels, several))}]" for h in lead)
        parts.append(f'<div class="qa-answer"><b>答：</b>{sentences}</div>')
        parts += [card_html(h, labels) for h in answer.hits[:SHOWN_CARDS]]
        parts.append(_more(answer.hits[SHOWN_CARDS:], "其他相关段落", labels))
    elif answer.status == "related":
        parts.append(f'<div class="qa-answer qa-related">{html.escape(answer.reason)}。</div>')
        parts += [card_html(h, labels) for h in answer.hits[:1]]
        parts.append(_more(answer.hits[1:], "其他相关段落", labels))
    else:
        parts.append(f'<div class="qa-answer qa-none">{html.escape(refusal(answer.reason))}</div>')
        if answer.reason != NO_WORDS:  # nothing was looked for, so nothing is nearest either
            sections = list(dict.fromkeys(h.passage.section for h in answer.hits if h.passage.section))[:3]
            if sections:
                parts.append("<div>您可能在找：" + "；".join(html.escape(s) for s in sections) + "</div>")
            parts.append(_more(answer.hits, "最接近的段落", labels))
    return "".join(parts)


def _cite(p, labels: dict[str, str] | None, with_document: bool) -> str:
    """A passage's cite in the answer line. A cite made of a heading path (「各细分行业分析 › 煤炭：… ›
    未来展望(2)」, for headings without numbers) is cut to its last heading: its card, right below,
    shows the whole of it, and the path would bury the answer's sentences."""
    cite = p.cite.rsplit(" › ", 1)[-1]
    return f"《{p.label(labels)}》{cite}" if with_document else cite


def _more(hits, label: str, labels: dict[str, str] | None) -> str:
    """Further cards, folded so the answer and its best evidence stay on screen."""
    if not hits:
        return ""
    cards = "".join(card_html(h, labels) for h in hits)
    return f'<details class="qa-more"><summary>{label}（{len(hits)}）</summary>{cards}</details>'


def description(data) -> str:
    """What the chat is about: the one document's title, or how many documents."""
    docs = data.documents
    about = f"《{docs[0]['title']}》" if len(docs) == 1 else f"这 {len(docs)} 份文档"
    return f"就{about}提问：每个回答都引用原文段落（章节与段落编号，PDF 另有页码），并标出回答问题的句子。"


STATUS_TITLES = 3


def status_text(live: LiveRetriever) -> str:
    data = live.retriever.data
    # A few titles say what is indexed; thirty make a wall of text, and the document filter lists them.
    titles = "、".join(d["title"] for d in data.documents) if len(data.documents) <= STATUS_TITLES else ""
    text = (
        f"文档 {len(data.documents)}{f'（{titles}）' if titles else ''} · 段落 {len(data.passages)} · 模型 {data.model} · "
        f"索引构建于 {_when(data.built_at)} · {data.generation}"
    )
    if live.last_error:
        text += " · ⚠ 新索引未通过校验，仍在使用上一版"
    return html.escape(text)


def _when(iso: str) -> str:
    """2026-12-06T20:17:16+00:00 -> 2026-12-06 20:17 UTC: read by people; the JSON keeps the ISO form."""
    import datetime as dt

    try:
        return dt.datetime.fromisoformat(iso).astimezone(dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    except (TypeError, ValueError):
        return str(iso)


# --------------------------------------------------------------------------- HTTP JSON


def _api_routes(app: FastAPI, live: LiveRetriever, settings: Settings) -> None:
    def error(status: int, message: str) -> JSONResponse:
        return JSONResponse({"error": message}, status_code=status)

    def run(question, k, previous=None, docs=None) -> JSONResponse:
        if question is None:
            return error(400, "missing question: use ?q=… or {\"question\": \"…\"}")
        if not isinstance(question, str):
            return error(400, "the question must be text")
        if len(question) > settings.max_question_chars:
            return error(413, f"the question is too long (at most {settings.max_question_chars} characters)")
        try:
            k = check_k(k, settings)
            if isinstance(docs, str):
                docs = [docs]
            return JSONResponse(answer_json(live.retriever.ask(question, k=k, previous=previous, docs=docs)))
        except QuestionError as e:
            return error(400, str(e))
        except QAError as e:
            return error(503, str(e))

    @app.get("/api/ask")
    def ask_get(
        q: str | None = None, k: str | None = None, previous: str | None = None, doc: list[str] | None = Query(None)
    ):
        if k is None:
            kk = settings.k
        else:
            try:
                kk = int(k)
            except ValueError:
                return error(400, f"k must be a whole number from 1 to {settings.max_k}")
        return run(q, kk, previous, doc)

    @app.post("/api/ask")
    async def ask_post(request: Request):
        try:
            body = await request.json()
        except ValueError:
            return error(400, "the body must be JSON: {\"question\": \"…\", \"k\": 5}")
        if not isinstance(body, dict):
            return error(400, "the body must be a JSON object: {\"question\": \"…\", \"k\": 5}")
        from starlette.concurrency import run_in_threadpool

        return await run_in_threadpool(
            run, body.get("question"), body.get("k", settings.k), body.get("previous"), body.get("doc")
        )

    @app.get(SOURCE_ROUTE + "/{name:path}")  # a document in a subfolder is named 2023/年报
    def source(name: str):
        """A document of the index, read-only, by its name: no path from the request reaches the disk."""
        data = live.retriever.data
        record = next((d for d in data.documents if d["name"] == name), None)
        if record is None:
            return error(404, f"no document named {name!r} in the index")
        folder = Path(settings.corpus_dir).resolve()
        path = (folder / record["file"]).resolve()
        if not path.is_relative_to(folder) or not path.is_file():
            return error(404, f"the file of document {name!r} is no longer in the corpus folder")
        kind = _MEDIA_TYPES.get(path.suffix.lower(), "application/octet-stream")
        return FileResponse(path, media_type=kind, content_disposition_type="inline", filename=record["file"])

    @app.get("/api/health")
    def health():
        data = live.retriever.data
        return {
            "status": "ok",
            "documents": [d["name"] for d in data.documents],
            "titles": {d["name"]: d["title"] for d in data.documents},
            "passages": len(data.passages),
            "model": data.model,
            "built_at": data.built_at,
            "generation": data.generation,
            "last_reload_error": live.last_error,
        }

    @app.exception_handler(Exception)
    async def unexpected(request, exc):  # never a traceback on the wire
        log.exception("unexpected error on %s", request.url.path)
        return JSONResponse({"error": "internal error"}, status_code=500)


# --------------------------------------------------------------------------- chat UI


def build_ui(live: LiveRetriever, settings: Settings):
    gr = import_gradio()

    def respond(message: str, history: list, previous: str | None, docs: list | None = None):
        history = list(history or [])
        try:
            question = check_question(message, settings)
            answer = live.retriever.ask(question, previous=previous, docs=docs or None)
            reply, previous = answer_html(answer, live.retriever.data.labels), answer.searched
        except QAError as e:
            shown = (message or "")[: settings.max_question_chars]  # echo at most what could be asked
            said = e.chinese if isinstance(e, QuestionError) else str(e)
            question, reply = shown, f'<div class="qa-none">{html.escape(said)}</div>'
        history += [
            {"role": "user", "content": html.escape(question)},
            {"role": "assistant", "content": reply},
        ]
        return history, previous, "", status_text(live)

    def clear():
        return [], None, "", status_text(live)

    data = live.retriever.data
    examples = data.examples[:EXAMPLE_SLOTS]

    def doc_choices():
        return [(label, name) for name, label in live.retriever.data.labels.items()]

    with gr.Blocks(title=TITLE) as demo:
        heading = gr.Markdown(f"# {TITLE}\n{description(data)}", elem_id="qa-description")
        chatbot = gr.Chatbot(
            show_label=False,
            height=640,
            elem_id="qa-chat",
            sanitize_html=True,
            feedback_options=None,
            buttons=["copy"],
            placeholder=f"请输入关于文档的问题，例如：{examples[0]}" if examples else "请输入关于文档的问题",
        )
        previous = gr.State(None)
        with gr.Row():
            box = gr.Textbox(
                placeholder="输入问题，按 Enter 提问",
                show_label=False,
                scale=8,
                max_length=settings.max_question_chars,
                elem_id="qa-input",
                submit_btn="提问",
            )
            clear_btn = gr.Button("清空对话", scale=1, elem_id="qa-clear")
        docs = gr.Dropdown(
            choices=doc_choices(),
            value=[],
            multiselect=True,
            label="只在这些文档中查找（不选则查找全部）",
            elem_id="qa-docs",
            visible=len(data.documents) > 1,
        )
        # A fixed number of slots, relabelled on every page load: a rebuilt index brings its own examples.
        with gr.Row(visible=bool(examples)) as example_row:
            gr.Markdown("示例问题：")
            buttons = [
                gr.Button(examples[i] if i < len(examples) else "", visible=i < len(examples), size="sm", elem_classes=["qa-example"])
                for i in range(EXAMPLE_SLOTS)
            ]
        status = gr.Markdown(status_text(live), elem_id="qa-status")

        outputs = [chatbot, previous, box, status]
        # The chat turn is the page's own (HTML); the documented API and MCP tool is search_report.
        box.submit(respond, [box, chatbot, previous, docs], outputs, api_name="chat", concurrency_limit=8,
                   api_visibility="undocumented")
        for b in buttons:  # the button's label is the question
            b.click(respond, [b, chatbot, previous, docs], outputs, api_visibility="private")
        clear_btn.click(clear, None, outputs, api_visibility="private")

        def on_load():  # a reloaded index may have other documents, titles and examples
            current = live.retriever.data
            shown = current.examples[:EXAMPLE_SLOTS]
            return (
                status_text(live),
                gr.Dropdown(choices=doc_choices(), visible=len(current.documents) > 1),
                gr.Markdown(f"# {TITLE}\n{description(current)}"),
                gr.Row(visible=bool(shown)),
                *(gr.Button(shown[i] if i < len(shown) else "", visible=i < len(shown)) for i in range(EXAMPLE_SLOTS)),
            )

        demo.load(on_load, None, [status, docs, heading, example_row, *buttons], api_visibility="private")

        _api_tools(gr, live, settings)
    return demo


def _api_tools(gr, live: LiveRetriever, settings: Settings) -> None:
    """The documented API of the page, and its MCP tools: ask (search_report) and documents (list_documents)."""

    def search_report(question: str, k: int = 5, doc: str = "", previous: str = "") -> str:
        """Search the indexed Chinese reports for the passages that answer a question.

        Returns JSON text: {"answered", "status", "reason", "confidence", "hits"}. "status" is "answered";
        "related" when the documents discuss the topic but the best passage lacks what was asked (a figure,
        a date, a name: "reason" says which; say so, and quote the passage only as related); or
        "not_covered" when the documents do not cover the question (the hits are then only the nearest
        passages: say the documents do not answer it). "answered" is true only for "answered".
        Hits come best first, each with "title" (the document's title), "doc" (its name), "cite" (the
        passage's citation in the document's own numbering, e.g. "2.3(1)": section 2.3, paragraph 1),
        "page" (the PDF page, or null), "headings" (the section path), "text" (the whole passage),
        "highlight" (the sentence that answers) and "ocr" (true when the page is a scan read by OCR: a character
        may be misread; say so when quoting a figure from it). Quote or paraphrase the highlight and cite every claim
        as 《title》 cite, adding the page when there is one, e.g. 《…报告》 2.3(1), 第 11 页.

        Args:
            question: the question, in Chinese, at most 500 characters.
            k: how many passages to return, from 1 to 20.
            doc: optional: a document name (as in "doc" of a hit) to search only that document; empty searches all.
            previous: optional: for a follow-up that leans on the question before (「那互联网金融呢？」, 「它们面临哪些
                挑战？」), that question ("searched" of its answer, else "question"); the answer's "searched" says
                what was looked for. Empty for a question that stands alone.
        """
        try:
            docs = [doc] if doc and doc.strip() else None
            out = answer_json(live.retriever.ask(question, k=int(k), docs=docs, previous=previous or None))
        except QAError as e:
            out = {"question": question, "error": str(e)}
        return json.dumps(out, ensure_ascii=False)  # JSON, not the Python repr Gradio would make of a dict

    gr.api(search_report, api_name="ask", concurrency_limit=8)

    def list_documents() -> str:
        """List the documents the index holds: their names (for the `doc` argument of search_report) and titles.

        Returns JSON text: {"documents": [{"name", "title", "file", "passages", "pages"}, …], "passages",
        "model", "built_at", "generation", "unreadable"}. "pages" is a PDF's page count, or null.
        """
        unreadable = unreadable_files(settings.index_location, settings)
        return json.dumps(documents_json(live.retriever.data, unreadable), ensure_ascii=False)

    gr.api(list_documents, api_name="documents")


# --------------------------------------------------------------------------- server


def import_gradio():
    """gradio, imported without its stub writer: at every import it regenerates the .pyi type stubs of
    its components inside site-packages (`component_meta.create_or_modify_pyi`, a development aid),
    1.5 s of a server's 5 s start. The function is replaced as soon as its module has run, before any
    component class exists; a gradio laid out otherwise imports as it is."""
    import importlib
    import sys

    if "gradio" in sys.modules:
        return sys.modules["gradio"]
    hook = _NoStubs()
    sys.meta_path.insert(0, hook)
    try:
        return importlib.import_module("gradio")
    finally:
        if hook in sys.meta_path:
            sys.meta_path.remove(hook)


class _NoStubs:
    """An import hook for gradio.component_meta only (see import_gradio)."""

    def find_spec(self, name, path, target=None):
        if name != "gradio.component_meta":
            return None
        import importlib.util
        import sys

        sys.meta_path.remove(self)
        spec = importlib.util.find_spec(name)
        if spec is None or spec.loader is None or not hasattr(spec.loader, "exec_module"):
            return spec
        run = spec.loader.exec_module

        def exec_module(module):
            run(module)
            if hasattr(module, "create_or_modify_pyi"):
                module.create_or_modify_pyi = _no_stubs

        spec.loader.exec_module = exec_module
        return spec


def _no_stubs(*args, **kwargs) -> None:
    return None


def create_app(settings: Settings, live: LiveRetriever | None = None):
    """The FastAPI app with the JSON routes and the chat mounted at /."""
    gr = import_gradio()

    if live is None:
        from .index import load
        from .question_encoder import BatchingEncoder, question_encoder
        from .search import Retriever

        # The index names its model; questions from concurrent requests are encoded by one worker.
        data = load(settings.index_location, settings)
        encoder = BatchingEncoder(question_encoder(data.model, settings.question_encoder, settings.server_threads))
        encoder.warm()
        live = LiveRetriever(settings.index_location, settings, Retriever(data, settings, encoder).warm()).start()
    app = FastAPI(title=TITLE, docs_url=None, redoc_url=None, openapi_url=None)
    _api_routes(app, live, settings)
    demo = build_ui(live, settings)
    blocked = [str(Path(p).resolve()) for p in (settings.corpus_dir, settings.index_dir, *([settings.store] if settings.store.endswith(".db") else []))]
    app = gr.mount_gradio_app(
        app,
        demo,
        path="/",
        ssr_mode=False,
        allowed_paths=[],
        blocked_paths=blocked,
        footer_links=["api"],
        mcp_server=True,  # search_report as a Model Context Protocol tool at /gradio_api/mcp/
        css=CSS,
        theme=gr.themes.Soft(),
    )
    app.state.live = live
    return app


def _limit_malloc_arenas() -> None:
    """glibc gives each of the server's threads its own malloc arena; two arenas save ~100 MB of RSS."""
    import ctypes

    try:
        ctypes.CDLL("libc.so.6").mallopt(-8, 2)  # M_ARENA_MAX
    except (OSError, AttributeError):
        pass


def serve(settings: Settings) -> None:
    import os

    import uvicorn

    _limit_malloc_arenas()
    os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
    if settings.host in ("0.0.0.0", "::"):
        warnings.warn(f"binding {settings.host}: the app is reachable from the network, with no authentication", stacklevel=1)
        print(f"warning: binding {settings.host} exposes the app to the network (no authentication)", flush=True)
    app = create_app(settings)
    print(f"serving 报告问答 on http://{settings.host}:{settings.port}", flush=True)
    uvicorn.run(app, host=settings.host, port=settings.port, log_level="warning")
