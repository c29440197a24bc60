"""Fault injection: kill -9 during builds, concurrent builds, and arbitrary Unicode questions."""

import importlib.util
import json
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings as hsettings, strategies as st

from qa.errors import QuestionError
from qa.index import build, current_generation, load
from qa.search import Retriever
from qa.store import open_store

from .conftest import ROOT, run_qa

CANARY = ("贷后管理包括哪些内容？", "2.1(2)")

# A zygote: imports everything once (no model run, so no thread pools exist yet), then forks one build
# loop per request. The test SIGKILLs each child at a random moment; every child pays only the
# model load, not the imports.
ZYGOTE = r"""
import itertools, os, signal, sys
from pathlib import Path
import sentence_transformers, faiss, bm25s, jieba
from qa.index import build
from qa.settings import Settings
corpus, index = Path(sys.argv[1]), Path(sys.argv[2])
path = next(corpus.iterdir())
base = path.read_text(encoding="utf-8")
signal.signal(signal.SIGCHLD, signal.SIG_IGN)  # children are reaped by the kernel
print("ready", flush=True)
for line in sys.stdin:
    pid = os.fork()
    if pid == 0:
        from qa.embed import load_encoder
        encoder = load_encoder("m3e-small")
        # Its pid once it has the model: the kill's clock starts at its first build, not at the fork (loading
        # the model takes seconds on a busy machine, and kills landing then had tested nothing).
        print(os.getpid(), flush=True)
        for i in itertools.count(int(line)):
            # Each round edits one paragraph, so every build embeds and publishes a new generation.
            path.write_text(base.replace("分散风险。", f"分散风险（第{i}版）。"), encoding="utf-8")
            build(corpus, index, Settings(), wait=True, encoder=encoder)
"""


# Both stores keep the same guarantees. A Milvus build pays more per generation (collections are
# created, flushed and counted), so it gets fewer, longer-lived build loops to kill.
MILVUS = importlib.util.find_spec("pymilvus") is not None and importlib.util.find_spec("milvus_lite") is not None
STORES = ["local", pytest.param("milvus-lite", marks=pytest.mark.skipif(not MILVUS, reason="needs the milvus extra: pip install -e '.[milvus]' (make install does)"))]
KILLS = {"local": (20, (0.5, 4.0), 4), "milvus-lite": (8, (2.0, 12.0), 2)}  # kills, seconds before each, generations seen


def _location(store: str, tmp_path: Path) -> str:
    return str(tmp_path / ("index" if store == "local" else "index.db"))


def _assert_leftovers_dropped(store: str, index: str, settings) -> None:
    if store == "local":
        assert not list(Path(index).glob(".tmp-*"))
        assert len(list(Path(index).glob("gen-*"))) <= settings.keep_generations
    else:
        names = load(index, settings).store.call("list_collections")
        assert len([n for n in names if n.startswith("qa_gen_")]) <= 2 * settings.keep_generations  # two a generation


def _assert_index_answers(index, settings, encoder):
    r = Retriever(load(index, settings), settings, encoder)
    hit = r.ask(CANARY[0], k=1).hits[0]
    assert hit.passage.cite == CANARY[1]


def kill_builds(corpus, index, settings, encoder, kills: int, seconds: tuple[float, float], seed: int) -> set:
    """Start a build loop on `index` `kills` times and SIGKILL it at a random moment each time; after
    each kill the index must still answer. Returns the generations seen; waits until the last is gone."""
    rng = random.Random(seed)
    generations = set()
    zygote = subprocess.Popen(
        [sys.executable, "-c", ZYGOTE, str(corpus), str(index)],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, cwd=ROOT,
    )
    try:
        assert zygote.stdout.readline().strip() == "ready"
        for n in range(kills):
            zygote.stdin.write(f"{n * 1000}\n")
            zygote.stdin.flush()
            pid = int(zygote.stdout.readline())
            time.sleep(rng.uniform(*seconds))
            os.kill(pid, signal.SIGKILL)  # no cleanup of any kind
            _assert_index_answers(index, settings, encoder)
            generations.add(current_generation(index))
    finally:
        zygote.kill()
    # The lock dies with its holder, once the kernel has ended it: a process killed inside an fsync
    # finishes that write first, which on a slow disk takes a while.
    deadline = time.time() + 60
    while os.path.exists(f"/proc/{pid}") and time.time() < deadline:
        time.sleep(0.1)
    assert not os.path.exists(f"/proc/{pid}"), "the killed build did not exit within 60 s"
    return generations


@pytest.mark.slow
@pytest.mark.parametrize("store", STORES)
def test_kill_9_during_builds_never_breaks_the_index(store, mini_corpus, tmp_path, settings, encoder):
    index = _location(store, tmp_path)
    build(mini_corpus, index, settings, encoder=encoder)  # with milvus-lite this process hosts the engine
    kills, seconds, landed = KILLS[store]
    generations = kill_builds(mini_corpus, index, settings, encoder, kills=kills, seconds=seconds, seed=20261127)
    assert len(generations) >= landed  # kills landed while builds were running, not only before the first
    # The next build cleans what the kills left and publishes.
    path = next(mini_corpus.iterdir())
    path.write_text(path.read_text(encoding="utf-8") + "\n(4) 新增的段落。\n", encoding="utf-8")
    report = build(mini_corpus, index, settings, encoder=encoder)
    assert report.published and report.passages == 11
    _assert_leftovers_dropped(store, index, settings)
    _assert_index_answers(index, settings, encoder)


@pytest.mark.slow
@pytest.mark.parametrize("store", STORES)
def test_a_build_while_another_runs_is_refused_or_waits_and_one_publishes(store, mini_corpus, tmp_path, settings, encoder):
    index = _location(store, tmp_path)
    first = build(mini_corpus, index, settings, encoder=encoder)
    path = next(mini_corpus.iterdir())
    path.write_text(path.read_text(encoding="utf-8").replace("分散风险。", "分散并对冲风险。"), encoding="utf-8")
    args = [sys.executable, "-m", "qa.cli", "build", "--corpus", str(mini_corpus), "--index" if store == "local" else "--store", index, "--json"]
    # This process holds the build lock as a running build would, for as long as the test needs: no race
    # between two builds' start-up times decides the outcome.
    with open_store(index, settings).lock(wait=False):
        refused = subprocess.run(args, capture_output=True, text=True, cwd=ROOT, timeout=300)
        waiting = subprocess.Popen([*args, "--wait"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=ROOT)
        time.sleep(1)  # however far it has got, it cannot publish while the lock is held
        assert waiting.poll() is None, waiting.communicate()
        assert current_generation(index) == first.generation
    assert refused.returncode == 1, refused
    assert f"another build is running on {index} (pid {os.getpid()} " in refused.stderr and "Traceback" not in refused.stderr
    out, err = waiting.communicate(timeout=300)
    assert waiting.returncode == 0, err
    report = json.loads(out)
    assert report["changed"] == 1 and report["embedded"] == 1
    assert current_generation(index) != first.generation
    _assert_index_answers(index, settings, encoder)


QUESTIONS = st.one_of(
    st.text(max_size=60),
    st.text(alphabet=st.sampled_from("\x00\x01\x1b\u200b\u200e\u200f\u202e\ufeff \t\n\r"), max_size=20),
    st.text(alphabet=st.sampled_from("風險银行貸款金融機構小微企业非银🙂👨‍👩‍👧?？！"), min_size=1, max_size=40),
    st.sampled_from(["", " ", "风" * 100_000, "\u202e非銀行金融機構\u202c面临哪些挑戰", "🙂" * 600, "x" * 501]),
)


@pytest.mark.slow
@hsettings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(question=QUESTIONS)
def test_any_unicode_question_gets_an_answer_or_a_clear_error(retriever, question):
    try:
        answer = retriever.ask(question, k=3)
    except QuestionError as e:
        assert str(e)
        return
    assert len(answer.hits) == 3
    assert all(h.highlight in h.passage.text for h in answer.hits)
    assert isinstance(answer.answered, bool)


@pytest.mark.slow
@hsettings(max_examples=3, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(questions=st.lists(QUESTIONS.filter(lambda q: len(q) < 2000), min_size=1, max_size=25))
def test_cli_jsonl_survives_any_input(report_index, questions):
    proc = run_qa("ask", "--jsonl", "-k", "2", stdin="\n".join(questions) + "\n", env={"QA_INDEX": str(report_index)})
    assert proc.returncode == 0, proc.stderr
    assert "Traceback" not in proc.stderr
    for line in proc.stdout.splitlines():
        row = json.loads(line)
        assert ("hits" in row and len(row["hits"]) == 2) or row["error"]
