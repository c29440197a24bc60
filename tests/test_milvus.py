"""The Milvus store, against the embedded milvus-lite 2.5 engine (the Milvus C++ core): the same answers
as the local store on every question set, and the same guarantees (incremental, atomic, locked,
validated, hot reload across processes). With QA_TEST_MILVUS_URI set, the parity test also runs on
that Milvus server or cluster."""

import importlib.util
import json
import os
import random
import shutil
import subprocess
import sys
import time
import uuid

import httpx
import numpy as np
import pytest

from qa.errors import BuildLocked, IndexCorrupt, IndexMismatch, IndexNotFound
from qa.evaluate import read_questions
from qa.index import build, load
from qa.search import Retriever
from qa.settings import Settings

from .conftest import ROOT, run_qa
from .server import Server
from .test_index import RecordingEncoder

pytestmark = pytest.mark.skipif(
    importlib.util.find_spec("pymilvus") is None or importlib.util.find_spec("milvus_lite") is None,
    reason="the Milvus store needs the milvus extra: pip install -e '.[milvus]' (make install does)",
)

# Question sets about the shipped report (eval/reports*.jsonl are about ../shared's documents).
QUESTION_SETS = sorted(p.name for p in (ROOT / "eval").glob("*.jsonl") if not p.name.startswith("reports"))


@pytest.fixture(scope="module", params=["milvus-lite", "cluster"])
def milvus_index(request, tmp_path_factory, report_corpus, encoder, settings):
    """The shipped report built into milvus-lite, or into the server QA_TEST_MILVUS_URI names."""
    if request.param == "milvus-lite":
        location, milvus = str(tmp_path_factory.mktemp("milvus") / "index.db"), settings
    else:
        location = os.environ.get("QA_TEST_MILVUS_URI")
        if not location:
            pytest.skip("set QA_TEST_MILVUS_URI (and QA_MILVUS_TOKEN if needed) to test a Milvus server or cluster")
        milvus = settings.replace(milvus_prefix=f"qa_test_{uuid.uuid4().hex[:8]}", milvus_token=os.environ.get("QA_MILVUS_TOKEN"))
    build(report_corpus, location, milvus, encoder=encoder)
    yield location, milvus
    if request.param == "cluster":
        from qa.store import open_store

        store = open_store(location, milvus)
        for name in store.call("list_collections"):
            if name.startswith(milvus.milvus_prefix + "_"):
                store.call("drop_collection", name)


def test_sentence_vectors_and_scores_match_the_local_store_rows_repeated_or_not(milvus_index, retriever):
    location, milvus_settings = milvus_index
    milvus, local = load(location, milvus_settings), retriever.data
    rows = np.array([5, 0, 5, 119, 0, 7], dtype=np.int64)
    assert np.allclose(milvus.sentence_rows(rows), local.sentence_rows(rows), atol=1e-6)
    q = local.sentence_rows(np.array([3]))[0]
    assert np.allclose(milvus.sentence_scores(rows, q), local.sentence_scores(rows, q), atol=1e-5)


@pytest.mark.parametrize("name", QUESTION_SETS)
def test_every_question_gets_the_same_answer_from_both_stores(name, milvus_index, retriever, query_encoder):
    location, milvus_settings = milvus_index
    milvus = Retriever(load(location, milvus_settings), milvus_settings, query_encoder)
    questions = read_questions(ROOT / "eval" / name)
    assert questions
    for q in questions:
        a, b = retriever.ask(q.question, k=5), milvus.ask(q.question, k=5)
        assert [h.passage.cite for h in b.hits] == [h.passage.cite for h in a.hits], q.question
        assert [h.highlight for h in b.hits] == [h.highlight for h in a.hits], q.question
        assert (b.status, b.reason) == (a.status, a.reason), q.question
        assert abs(b.confidence - a.confidence) <= 1e-4, q.question
        for x, y in zip(a.hits, b.hits):
            assert abs(x.score - y.score) <= 1e-4 and abs(x.lexical - y.lexical) <= 1e-4 and abs(x.dense - y.dense) <= 1e-4


def test_bm25_stays_exact_as_documents_come_and_go_and_only_changed_text_is_embedded(tmp_path, report_corpus, mini_corpus, encoder, settings, query_encoder):
    corpus = tmp_path / "documents"
    shutil.copytree(report_corpus, corpus)
    db, local = str(tmp_path / "index.db"), tmp_path / "index"
    for index in (db, local):
        build(corpus, index, settings, encoder=encoder)

    # A second document moves every idf and the average length; an edit changes one paragraph.
    shutil.copy(next(mini_corpus.iterdir()), corpus)
    path = corpus / "qinghai_microfinance_report.md"
    path.write_text(path.read_text(encoding="utf-8").replace("加强贷后管理", "加强贷后管理与季度回访"), encoding="utf-8")
    reports = {}
    for index in (db, local):
        recording = RecordingEncoder(encoder)
        reports[index] = build(corpus, index, settings, encoder=recording)
        reports[index] = (reports[index], list(recording.texts))
    (m, m_texts), (l, l_texts) = reports[db], reports[local]
    assert (m.added, m.changed, m.removed, m.embedded) == (l.added, l.changed, l.removed, l.embedded) == (10, 1, 0, 11)
    assert m_texts == l_texts and len(m_texts) < 40  # the new document's sentences and the edited one, nothing else

    milvus_data, local_data = load(db, settings), load(local, settings)
    assert "_postings" not in vars(milvus_data)
    Retriever(milvus_data, settings, query_encoder).warm()  # several documents: a server reads them at start
    assert "_postings" in vars(milvus_data)
    rng = random.Random(7)
    vocab = list(local_data.vocab)
    for _ in range(50):  # any bag of words: the sparse inner product is the bm25s score
        words = rng.sample(vocab, rng.randint(1, 6))
        ids = [local_data.vocab[w] for w in words]
        assert [milvus_data.vocab[w] for w in words] == ids
        everyone = np.arange(len(local_data.passages))
        assert np.allclose(milvus_data.lexical(ids, 10).of(everyone), local_data.lexical(ids, 10).of(everyone), atol=1e-5)
        m_top, l_top = milvus_data.lexical(ids, 10).top, local_data.lexical(ids, 10).top
        full = local_data.lexical(ids, 10).of(everyone)  # equal scores may tie at the 10th place: compare scores
        assert np.allclose(np.sort(full[m_top]), np.sort(full[l_top]), atol=1e-5)
        # which passages hold each of a question's words (the fusion's document share)
        for m_ids, l_ids in zip(milvus_data.passages_holding(ids), local_data.passages_holding(ids), strict=True):
            assert sorted(m_ids.tolist()) == sorted(l_ids.tolist())
    assert all(milvus_data.doc_freq(i) == local_data.doc_freq(i) for i in range(len(vocab)))
    r = Retriever(milvus_data, settings, query_encoder)
    assert any("季度回访" in h.passage.text for h in r.ask("贷后管理要做什么？", k=3).hits)

    # Removing the document again: its passages are gone, and old generations are dropped.
    (corpus / next(mini_corpus.iterdir()).name).unlink()
    again = build(corpus, db, settings, encoder=encoder)
    assert again.removed == 10 and again.embedded == 0
    store = load(db, settings).store
    collections = [n for n in store.call("list_collections") if n.startswith("qa_gen_")]
    assert len(collections) == 2 * settings.keep_generations


def test_an_unchanged_corpus_is_a_no_op(milvus_index, report_corpus, settings):
    location, milvus_settings = milvus_index
    report = build(report_corpus, location, milvus_settings)  # no encoder given: none is loaded
    assert not report.published and report.embedded == 0


def test_on_a_server_uri_a_second_build_is_refused_by_the_lease(tmp_path, settings):
    from qa.store import open_store
    from qa.store.milvus_lite import engine_uri

    uri = engine_uri(tmp_path / "server.db")  # the engine as a Milvus server on a loopback port
    store = open_store(uri, settings)
    with store.lock(wait=False):
        with pytest.raises(BuildLocked, match=r"another build is running on http://127\.0\.0\.1:\d+ \(pid \d+"):
            with open_store(uri, settings).lock(wait=False):
                pass
    with store.lock(wait=False):  # released: free again
        pass


def test_mismatch_and_damage_are_refused_with_what_to_run(tmp_path, mini_corpus, encoder, settings):
    db = str(tmp_path / "index.db")
    with pytest.raises(IndexNotFound, match="qa build"):
        load(db, settings)
    report = build(mini_corpus, db, settings, encoder=encoder)
    with pytest.raises(IndexMismatch, match="qa build --model"):
        load(db, Settings(model="BAAI/bge-small-zh-v1.5"))
    with pytest.raises(IndexMismatch, match="other settings"):
        load(db, settings.replace(bm25_k1=2.0))
    store = load(db, settings).store
    key = f"manifest/{report.generation}/000000"
    row = store.call("query", store.meta, filter=f'key == "{key}"', output_fields=["value"])[0]
    store.call("upsert", store.meta, [{"key": key, "value": row["value"].replace("m3e-small", "m3e-smalL"), "v": [1.0, 0.0]}])
    with pytest.raises(IndexCorrupt, match="checksum"):
        load(db, settings)
    store.call("upsert", store.meta, [{"key": key, "value": row["value"], "v": [1.0, 0.0]}])
    load(db, settings)  # restored
    _, sentences = store._collections(report.generation)
    store.call("delete", sentences, filter="sid >= 0")
    with pytest.raises(IndexCorrupt, match="inconsistent"):
        load(db, settings)


def test_the_local_store_imports_nothing_of_milvus(report_index):
    code = (
        "import sys; import qa; r = qa.load(sys.argv[1]); r.ask('贷后管理包括哪些内容？');"
        "assert not [m for m in sys.modules if 'milvus' in m], [m for m in sys.modules if 'milvus' in m]"
    )
    done = subprocess.run([sys.executable, "-c", code, str(report_index)], capture_output=True, text=True, cwd=ROOT, timeout=300)
    assert done.returncode == 0, done.stderr


@pytest.mark.slow
def test_a_server_on_milvus_lite_answers_like_the_local_store_and_reloads_a_build_from_another_process(
    tmp_path, report_corpus, settings, retriever
):
    corpus = tmp_path / "corpus"
    shutil.copytree(report_corpus, corpus)
    db = str(tmp_path / "index.db")
    built = run_qa("build", "--corpus", str(corpus), "--store", db)  # that process hosts the engine, then ends
    assert built.returncode == 0, built.stderr
    with Server(settings.replace(store=db, reload_interval=0.2)) as server:  # this one hosts it now
        with httpx.Client(base_url=server.url, timeout=30) as c:
            for q in read_questions(ROOT / "eval" / "dev.jsonl")[:20]:
                served = c.get("/api/ask", params={"q": q.question, "k": 3}).json()
                assert [h["cite"] for h in served["hits"]] == [h.passage.cite for h in retriever.ask(q.question, k=3).hits]
            before = c.get("/api/health").json()["generation"]
            path = corpus / "qinghai_microfinance_report.md"
            path.write_text(path.read_text(encoding="utf-8").replace("加强贷后管理", "加强贷后管理与季度回访"), encoding="utf-8")
            rebuilt = run_qa("build", "--corpus", str(corpus), "--store", db, "--json")  # connects to the server's engine
            assert rebuilt.returncode == 0, rebuilt.stderr
            assert json.loads(rebuilt.stdout)["embedded"] == 1
            published = time.monotonic()
            while c.get("/api/health").json()["generation"] == before:
                assert time.monotonic() - published < 5.0, "new index not served within 5 s"
                time.sleep(0.05)
            hits = c.get("/api/ask", params={"q": "贷后管理要做什么？", "k": 3}).json()["hits"]
    assert any("季度回访" in h["text"] for h in hits)
