"""The `qa` command line, run as a real process: the JSON contract, exit codes and messages."""

import json
import shutil
import subprocess
import sys

import pytest

from .conftest import FIXTURES, ROOT, run_qa

HIT_KEYS = {"doc", "title", "cite", "page", "section", "headings", "text", "score", "highlight"}


@pytest.fixture(scope="module")
def env(report_index):
    return {"QA_INDEX": str(report_index)}


def test_ask_jsonl_contract(env, report_corpus):
    questions = "非银行金融机构包括哪些类型？\n\n今天天气怎么样？\n" + "长" * 600 + "\n互聯網金融存在哪些風險？\n"
    proc = run_qa("ask", "--jsonl", "-k", "3", stdin=questions, env=env)
    assert proc.returncode == 0, proc.stderr
    rows = [json.loads(line) for line in proc.stdout.splitlines()]
    assert len(rows) == 4
    first, oos, too_long, trad = rows
    assert first["question"] == "非银行金融机构包括哪些类型？" and first["answered"] is True
    assert len(first["hits"]) == 3 and HIT_KEYS <= set(first["hits"][0])
    hit = first["hits"][0]
    assert hit["cite"].startswith("2.3(") and hit["section"] == "2.3 非银行金融机构在小微金融领域的作用"
    assert hit["doc"] == "qinghai_microfinance_report"
    assert hit["highlight"] in hit["text"]
    corpus_text = (report_corpus / "qinghai_microfinance_report.md").read_text(encoding="utf-8")
    assert all(f"{h['text']}" in corpus_text for h in first["hits"])  # the whole paragraph, as in the corpus
    assert oos["answered"] is False and len(oos["hits"]) == 3
    assert "too long" in too_long["error"]
    assert trad["answered"] is True and trad["hits"][0]["cite"].startswith("2.2(")


def test_ask_jsonl_takes_a_follow_up_as_a_json_object(env):
    lines = [
        json.dumps({"question": "那互联网金融呢？", "previous": "非银行金融机构存在哪些风险？"}, ensure_ascii=False),
        '{"question": 5}',
        "{not json",
    ]
    proc = run_qa("ask", "--jsonl", "-k", "1", stdin="\n".join(lines) + "\n", env=env)
    assert proc.returncode == 0, proc.stderr
    follow, no_text, broken = [json.loads(line) for line in proc.stdout.splitlines()]
    assert follow["question"] == "那互联网金融呢？" and follow["searched"] == "互联网金融存在哪些风险？"
    assert follow["hits"][0]["cite"] == "2.2(3)"
    assert "question" in no_text["error"] and "JSON object" in broken["error"]


def test_ask_without_a_question_on_a_terminal_is_a_conversation(env):
    # A real pseudo-terminal: `qa ask` alone asks question after question, completing follow-ups.
    import os
    import pty
    import select
    import time

    main, child = pty.openpty()
    proc = subprocess.Popen(
        [sys.executable, "-m", "qa.cli", "ask", "-k", "1"], stdin=child, stdout=child, stderr=child,
        env={**os.environ, "HF_HUB_OFFLINE": "1", "NO_COLOR": "1", **env}, cwd=ROOT,
    )
    os.close(child)
    seen = b""

    def read_until(marker: str, timeout: float = 120) -> str:
        nonlocal seen
        end = time.monotonic() + timeout
        while marker.encode() not in seen and time.monotonic() < end:
            if select.select([main], [], [], 1)[0]:
                try:
                    seen += os.read(main, 65536)
                except OSError:  # the child closed the terminal
                    break
        text = seen.decode("utf-8", "replace")
        assert marker in text, text
        seen = b""
        return text

    try:
        read_until("问：")
        os.write(main, "非银行金融机构存在哪些风险？\n".encode())
        first = read_until("问：")
        assert "[1] 2.3(" in first or "[1] 2.2(" in first
        os.write(main, "那互联网金融呢？\n".encode())
        follow = read_until("问：")
        assert "检索的问题：互联网金融存在哪些风险？" in follow and "[1] 2.2(3)" in follow
        os.write(main, ("长" * 600 + "\n").encode())
        assert "too long" in read_until("问：")  # said, and the conversation goes on
        os.write(main, b"\x04")  # Ctrl-D
        assert proc.wait(timeout=60) == 0
    finally:
        proc.kill()
        os.close(main)


def test_ask_readable_and_json(env):
    proc = run_qa("ask", "贷后管理要做什么？", env=env)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.startswith("答：") and "4.1(3)" in proc.stdout and "4.1 小微企业信用风险分析" in proc.stdout
    assert "\033[" not in proc.stdout  # a pipe gets no colour
    out = run_qa("ask", "--json", "-k", "2", "今天天气怎么样？", env=env)
    answer = json.loads(out.stdout)
    assert answer["answered"] is False and len(answer["hits"]) == 2
    refused = run_qa("ask", "-k", "1", "？？？", env=env)  # the reason, when it says more than "not found"
    assert refused.stdout.startswith("报告中未找到相关内容（问题里没有可以检索的词语）。最接近的段落：")


def test_a_terminal_sees_each_highlight_marked_in_its_passage(retriever):
    from qa.cli import format_answer

    answer = retriever.ask("贷后管理要做什么？", k=3)
    shown = format_answer(answer, marked=True)
    assert all(f"\033[1;33m{h.highlight}\033[0m" in shown for h in answer.hits)
    assert format_answer(answer) == shown.replace("\033[1;33m", "").replace("\033[0m", "")
    assert "\033[" not in format_answer(retriever.ask("今天天气怎么样？", k=2), marked=True)  # nothing answers there


def test_eval_json(env):
    proc = run_qa("eval", str(ROOT / "eval" / "dev.jsonl"), "--json", env=env)
    assert proc.returncode == 0, proc.stderr
    report = json.loads(proc.stdout)
    assert report["questions"] == 75 and report["out_of_scope"] == 10
    assert {"R@1", "R@3", "R@5", "MRR", "out_of_scope_abstained", "in_scope_abstained"} <= set(report)
    assert report["R@3"] >= 0.97


def test_build_json_contract(tmp_path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "mini.txt").write_text((FIXTURES / "mini_report.txt").read_text(encoding="utf-8"), encoding="utf-8")
    proc = run_qa("build", "--corpus", str(corpus), "--index", str(tmp_path / "index"), "--json")
    assert proc.returncode == 0, proc.stderr
    assert "reading files" not in proc.stderr and "encoding sentences" not in proc.stderr  # --json: no progress lines
    report = json.loads(proc.stdout)
    assert list(report) == [
        "documents", "passages", "added", "changed", "removed", "reused", "embedded", "parsed", "seconds",
        "parse_seconds", "encode_seconds", "generation", "published", "skipped", "pages_without_text", "pages_read_by_ocr", "not_read",
        "copies",
    ]
    assert (report["documents"], report["passages"], report["embedded"], report["parsed"]) == (1, 10, 10, 1)
    assert (report["skipped"], report["published"]) == ([], True)
    again = json.loads(run_qa("build", "--corpus", str(corpus), "--index", str(tmp_path / "index"), "--json").stdout)
    assert (again["embedded"], again["reused"], again["parsed"], again["published"]) == (0, 10, 0, False)
    (corpus / "下载").mkdir()  # the same report saved twice: indexed, and said
    shutil.copy(corpus / "mini.txt", corpus / "下载" / "mini(1).txt")
    proc = run_qa("build", "--corpus", str(corpus), "--index", str(tmp_path / "index"))
    assert proc.returncode == 0 and "2 document(s), 20 passages" in proc.stdout
    assert "qa: note: 下载/mini(1).txt: the same file as mini.txt; both are indexed, a hit in one names the other (keep one)" in proc.stderr
    again = json.loads(run_qa("build", "--corpus", str(corpus), "--index", str(tmp_path / "index"), "--json").stdout)
    assert again["copies"] == [{"file": "下载/mini(1).txt", "same_as": "mini.txt"}]
    # Each passage is found once, naming its copy; the hits are five different passages.
    hits = json.loads(run_qa("ask", "--index", str(tmp_path / "index"), "--json", "小微企业融资难的原因是什么？").stdout)["hits"]
    assert [h["also"] for h in hits] == [["下载/mini(1)"]] * 5 and len({h["cite"] for h in hits}) == 5


def test_import_writes_clean_markdown(tmp_path):
    out = tmp_path / "report.md"
    proc = run_qa("import", str(ROOT / "raw" / "qinghai_microfinance_report.txt"), "-o", str(out))
    assert proc.returncode == 0, proc.stderr
    assert out.read_text(encoding="utf-8") == (ROOT / "corpus" / "qinghai_microfinance_report.md").read_text(encoding="utf-8")
    again = run_qa("import", str(ROOT / "raw" / "qinghai_microfinance_report.txt"), "-o", str(out))
    assert again.returncode == 1 and "--force" in again.stderr


@pytest.mark.parametrize(
    "args, env, message",
    [
        (["ask", "风险"], {"QA_INDEX": "/nonexistent/index"}, "run `qa build`"),
        (["docs"], {"QA_INDEX": "/nonexistent/index"}, "run `qa build`"),
        (["ask", "   "], {}, "empty"),
        (["ask"], {}, "give a question"),
        (["build", "--corpus", "/nonexistent/corpus", "--index", "/tmp/qa-never"], {}, "does not exist"),
        (["eval", "/nonexistent/q.jsonl"], {}, "cannot read question file"),
        (["import", "/nonexistent/raw.txt"], {}, "cannot be read"),
        (["ask", "风险"], {"QA_K": "abc"}, "QA_K must be a whole number, not 'abc'"),
        (["ask", "风险"], {"QA_DENSE_WEIGHT": "2"}, "QA_DENSE_WEIGHT must be from 0 to 1"),
        (["build"], {"QA_QUESTION_ENCODER": "maybe"}, "QA_QUESTION_ENCODER must be one of"),
        (["serve"], {"QA_PORT": "70000"}, "QA_PORT must be from 0 to 65535"),
    ],
)
def test_user_errors_exit_1_with_one_line_and_no_traceback(args, env, message):
    proc = run_qa(*args, env=env)
    assert proc.returncode == 1
    assert message in proc.stderr
    assert "Traceback" not in proc.stderr and len(proc.stderr.strip().splitlines()) == 1


def test_usage_errors_exit_2():
    assert run_qa("ask", "-k", "99", "风险").returncode == 2
    assert run_qa("frobnicate").returncode == 2


def test_help_is_instant_and_imports_no_torch():
    code = "import sys, qa.cli; qa.cli.parser().format_help(); print(sorted(m for m in ('torch', 'numpy', 'faiss', 'gradio') if m in sys.modules))"
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT)
    assert proc.stdout.strip() == "[]"
    assert run_qa("--help").returncode == 0


@pytest.mark.slow
def test_build_watch_rebuilds_on_edit(tmp_path):
    corpus, index = tmp_path / "corpus", tmp_path / "index"
    corpus.mkdir()
    path = corpus / "mini.txt"
    path.write_text((FIXTURES / "mini_report.txt").read_text(encoding="utf-8"), encoding="utf-8")
    proc = subprocess.Popen(
        [sys.executable, "-m", "qa.cli", "build", "--watch", "--corpus", str(corpus), "--index", str(index)],
        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, cwd=ROOT, env={**__import__("os").environ, "HF_HUB_OFFLINE": "1"},
    )
    try:
        assert proc.stdout.readline().startswith("built ")
        path.write_text(path.read_text(encoding="utf-8").replace("分散风险。", "分散和转移风险。"), encoding="utf-8")
        line = proc.stdout.readline()
        assert "changed 1" in line and "embedded 1" in line
        # The encoder loaded for the first edit is kept and serves the next one.
        path.write_text(path.read_text(encoding="utf-8").replace("分散和转移风险。", "转移风险。"), encoding="utf-8")
        line = proc.stdout.readline()
        assert "changed 1" in line and "embedded 1" in line
        (corpus / "2024").mkdir()  # a report saved into a new subfolder
        (corpus / "2024" / "note.txt").write_text("一、说明\n本附件说明年报的编制口径。\n", encoding="utf-8")
        line = proc.stdout.readline()
        assert "added 1" in line and "embedded 1" in line
    finally:
        proc.kill()
        proc.wait()


def test_build_reports_every_unreadable_file_and_exits_3(tmp_path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "mini.txt").write_text((FIXTURES / "mini_report.txt").read_text(encoding="utf-8"), encoding="utf-8")
    (corpus / "bad.txt").write_bytes(b"\xfa\x80\x81\xff" * 8)
    (corpus / "fake.pdf").write_bytes(b"%PDF-1.4 this is no PDF")
    for twin in ("twin.md", "twin.txt"):  # one name, two files: neither is indexed, and `qa docs` says why
        (corpus / twin).write_text("# 孪生\n\n同名的两个文件。\n", encoding="utf-8")
    proc = run_qa("build", "--corpus", str(corpus), "--index", str(tmp_path / "index"))
    assert proc.returncode == 3, proc.stderr
    assert "skipped" in proc.stderr and "bad.txt" in proc.stderr and "fake.pdf" in proc.stderr
    assert "reading files: 5/5 (3 parsed)\n" in proc.stderr  # progress while parsing; the twins are not parsed
    assert "\r" not in proc.stderr  # not a terminal: the last count of each step, a line each
    assert "built gen-" in proc.stdout and "10 passages" in proc.stdout
    report = json.loads(run_qa("build", "--corpus", str(corpus), "--index", str(tmp_path / "index"), "--json").stdout)
    assert [s["file"] for s in report["skipped"]] == ["bad.txt", "fake.pdf", "twin.md", "twin.txt"]
    assert all(s["reason"] and s["kept_previous"] is False for s in report["skipped"])
    assert report["parsed"] == 0  # the same bad bytes are not parsed again: the last build's reasons stand
    docs = run_qa("docs", "--index", str(tmp_path / "index"))
    assert docs.returncode == 0, docs.stderr
    assert docs.stdout.startswith("1 document(s), 10 passages") and "  mini  " in docs.stdout and "mini.txt: 10 passages" in docs.stdout
    assert "not read by the last build" in docs.stderr and "bad.txt" in docs.stderr and "fake.pdf" in docs.stderr
    listed = json.loads(run_qa("docs", "--index", str(tmp_path / "index"), "--json").stdout)
    assert [(d["name"], d["file"], d["passages"]) for d in listed["documents"]] == [("mini", "mini.txt", 10)]
    assert [u["file"] for u in listed["unreadable"]] == ["bad.txt", "fake.pdf", "twin.md", "twin.txt"] and listed["passages"] == 10
    assert "same name" in listed["unreadable"][2]["reason"]


def test_build_notes_document_files_it_does_not_read(tmp_path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "mini.txt").write_text((FIXTURES / "mini_report.txt").read_text(encoding="utf-8"), encoding="utf-8")
    (corpus / "paper.caj").write_bytes(b"CAJ 1.0 an article")
    (corpus / "notes.pages").write_bytes(b"PK\x03\x04 a document")
    proc = run_qa("build", "--corpus", str(corpus), "--index", str(tmp_path / "index"))
    assert proc.returncode == 0, proc.stderr  # a note, not a failure: the reports were built
    assert "paper.caj: CNKI's .caj is not read; download the article as PDF" in proc.stderr and "notes.pages: Apple Pages files are not read; export as .docx or PDF" in proc.stderr
    report = json.loads(run_qa("build", "--corpus", str(corpus), "--index", str(tmp_path / "index"), "--json").stdout)
    assert [n["file"] for n in report["not_read"]] == ["notes.pages", "paper.caj"] and report["skipped"] == []


def test_ask_with_a_document_filter(tmp_path, env, report_corpus):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "mini.txt").write_text((FIXTURES / "mini_report.txt").read_text(encoding="utf-8"), encoding="utf-8")
    (corpus / "report.md").write_text((report_corpus / "qinghai_microfinance_report.md").read_text(encoding="utf-8"), encoding="utf-8")
    index = str(tmp_path / "index")
    assert run_qa("build", "--corpus", str(corpus), "--index", index).returncode == 0
    proc = run_qa("ask", "--index", index, "--json", "--doc", "mini", "-k", "3", "小微企业信用风险")
    assert proc.returncode == 0, proc.stderr
    assert {h["doc"] for h in json.loads(proc.stdout)["hits"]} == {"mini"}
    names = [d["name"] for d in json.loads(run_qa("docs", "--index", index, "--json").stdout)["documents"]]
    assert names == ["mini", "report"]  # what --doc takes
    bad = run_qa("ask", "--index", index, "--doc", "nope", "小微企业信用风险")
    assert bad.returncode == 1 and "no document named 'nope'" in bad.stderr


def test_import_turns_word_and_pdf_into_markdown_with_the_same_cites(tmp_path):
    from qa.corpus import read_document

    from . import documents

    sources = [documents.word_docx(tmp_path / "annual.docx")]
    if not documents.CANNOT_PRINT_PDF:
        sources.append(documents.report_pdf(tmp_path / "industry.pdf"))
    for source in sources:
        out = tmp_path / f"{source.stem}.md"
        proc = run_qa("import", str(source), "-o", str(out))
        assert proc.returncode == 0, proc.stderr
        original, imported = read_document(source), read_document(out)
        assert imported.title == original.title
        assert [(p.cite, p.headings, p.text) for p in imported.passages] == [
            (p.cite, p.headings, p.text) for p in original.passages
        ]


def test_progress_is_rewritten_in_place_only_on_a_terminal(monkeypatch):
    import os

    from qa.progress import show

    main, secondary = os.openpty()
    with os.fdopen(secondary, "w") as terminal:
        monkeypatch.setattr(sys, "stderr", terminal)
        show("reading files: 1/2")
        show("reading files: 2/2", last=True)
    written = b""
    while True:  # everything written, however the pty hands it over; EIO once it is drained and closed
        try:
            chunk = os.read(main, 1000)
        except OSError:
            break
        if not chunk:
            break
        written += chunk
    os.close(main)
    assert written.decode() == "\rreading files: 1/2\rreading files: 2/2\r\n"  # the pty writes \n as \r\n
