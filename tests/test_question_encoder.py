"""The onnx-int8 question encoder: torch's int8 network without torch, made once, checked, replaced when damaged."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from tests.conftest import ROOT, run_qa


def eval_questions() -> list[str]:
    questions = []
    for name in ("dev", "extra", "holdout", "reports"):
        for line in (ROOT / "eval" / f"{name}.jsonl").read_text(encoding="utf-8").splitlines():
            if line.strip():
                questions.append(json.loads(line)["question"])
    return questions


def test_the_graph_computes_what_torch_int8_computes():
    """Same network, other arithmetic order: a rounding at a quantisation step flips now and then."""
    from qa.embed import load_encoder
    from qa.question_encoder import QuestionEncoder, question_encoder

    onnx = question_encoder("m3e-small", "onnx-int8")
    assert isinstance(onnx, QuestionEncoder)
    torch_int8 = load_encoder("m3e-small", int8=True)
    full = load_encoder("m3e-small")
    questions = eval_questions() + ["银行？", "青海" * 400]  # one token, and past the 512 positions
    ours = onnx.encode(questions)
    theirs = np.vstack([torch_int8.encode([q]) for q in questions])
    cosine = (ours * theirs).sum(axis=1)
    assert np.allclose(np.linalg.norm(ours, axis=1), 1, atol=1e-5)
    # Measured on the 206 eval questions: min 0.9956, 188 above 0.9999. Quantisation itself costs more:
    assert cosine.min() > 0.99 and (cosine > 0.9999).mean() > 0.85, (cosine.min(), (cosine > 0.9999).mean())
    to_full = (ours * full.encode(questions)).sum(axis=1)
    assert to_full.min() > 0.98
    assert np.array_equal(onnx.encode(questions[:3]), np.vstack([onnx.encode([q]) for q in questions[:3]]))


def test_a_question_process_imports_neither_torch_nor_sentence_transformers(report_index):
    code = (
        "import json, sys, qa\n"
        f"answer = qa.load({str(report_index)!r}).ask('青海省小微金融发展面临哪些问题？')\n"
        "heavy = [m for m in ('torch', 'sentence_transformers', 'transformers', 'sklearn') if m in sys.modules]\n"
        "print(json.dumps({'cite': answer.hits[0].passage.cite, 'heavy': heavy}))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=300)
    assert out.returncode == 0, out.stderr
    result = json.loads(out.stdout)
    assert result["heavy"] == []
    assert result["cite"].startswith("1.")


@pytest.fixture
def fresh_cache(tmp_path, monkeypatch):
    """An empty model cache for this test (the graph and the safetensors copy are made in it)."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    return tmp_path / "cache" / "qa"


def graph_files(cache: Path) -> tuple[Path, Path]:
    (folder,) = cache.glob("question-*")
    return folder / "question-int8.onnx", folder / "question-int8.json"


def flip_a_byte(path: Path) -> bytes:
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0xFF
    path.write_bytes(bytes(data))
    return bytes(data)


def test_a_damaged_or_stale_graph_is_made_again_and_answers_the_same(fresh_cache):
    from qa.question_encoder import _graph, question_encoder

    encoder = question_encoder("m3e-small")
    first = encoder.encode(["小微企业融资难的原因"])
    graph, record = graph_files(fresh_cache)
    made = graph.stat().st_mtime_ns
    _graph("m3e-small")
    assert graph.stat().st_mtime_ns == made  # a good graph is reused, not made again
    record.unlink()
    _graph("m3e-small")  # made again: new files replace the names the running session mapped
    assert graph.stat().st_mtime_ns != made
    assert np.array_equal(encoder.encode(["小微企业融资难的原因"]), first)
    damaged = flip_a_byte(graph)
    _graph("m3e-small")
    assert graph.read_bytes() != damaged  # the checksum caught the flipped byte
    weights = graph.with_suffix(".weights")  # the large tensors, mapped by onnxruntime
    assert weights.stat().st_size > 40_000_000 > 1_000_000 > graph.stat().st_size
    damaged = flip_a_byte(weights)
    _graph("m3e-small")
    assert weights.read_bytes() != damaged
    stale = json.loads(record.read_text())
    stale["format"] = 0
    record.write_text(json.dumps(stale))
    _graph("m3e-small")
    assert json.loads(record.read_text())["format"] != 0
    graph.unlink()
    again = question_encoder("m3e-small")  # a new session on the remade file
    assert np.allclose(again.encode(["小微企业融资难的原因"]), first, atol=1e-6)
    assert not [p for p in graph.parent.iterdir() if ".tmp-" in p.name]


def test_without_a_model_cache_questions_fall_back_to_torch_with_a_warning(monkeypatch, tmp_path):
    from qa.embed import Encoder
    from qa.question_encoder import question_encoder

    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    monkeypatch.setenv("XDG_CACHE_HOME", str(blocker))  # the cache cannot be created
    with pytest.warns(UserWarning, match="questions are encoded by torch int8"):
        encoder = question_encoder("m3e-small")
    assert isinstance(encoder, Encoder) and not encoder.batch_invariant  # int8


def test_a_build_makes_the_graph_so_the_first_question_does_not(tmp_path, report_corpus):
    env = {"XDG_CACHE_HOME": str(tmp_path / "cache")}
    built = run_qa("build", "--corpus", str(report_corpus), "--index", str(tmp_path / "index"), env=env)
    assert built.returncode == 0, built.stderr
    graph, record = graph_files(tmp_path / "cache" / "qa")
    assert graph.is_file() and json.loads(record.read_text())["config"]["dimension"] == 512
    made = graph.stat().st_mtime_ns
    asked = run_qa("ask", "--index", str(tmp_path / "index"), "--json", "小微企业融资难的原因", env=env)
    assert asked.returncode == 0, asked.stderr
    assert json.loads(asked.stdout)["answered"] is True
    assert graph.stat().st_mtime_ns == made
    assert "UserWarning" not in asked.stderr


def test_a_model_the_graph_cannot_run_falls_back_once_and_is_not_exported_again(fresh_cache, tmp_path, monkeypatch):
    """A BERT with max pooling: the export refuses it, records why, and later processes fall back at once."""
    import shutil

    from qa import embed
    from qa.embed import Encoder, resolve_model
    from qa.question_encoder import question_encoder

    model = tmp_path / "max-pooled"
    shutil.copytree(resolve_model("m3e-small"), model)
    (model / "modules.json").write_text(json.dumps([
        {"idx": 0, "name": "0", "path": "", "type": "sentence_transformers.models.Transformer"},
        {"idx": 1, "name": "1", "path": "1_Pooling", "type": "sentence_transformers.models.Pooling"},
    ]))
    (model / "1_Pooling").mkdir()
    (model / "1_Pooling" / "config.json").write_text(json.dumps({"word_embedding_dimension": 512, "pooling_mode_max_tokens": True}))
    with pytest.warns(UserWarning, match="not a BERT with mean or CLS pooling"):
        assert isinstance(question_encoder(str(model)), Encoder)
    exports = []
    monkeypatch.setattr(embed, "export_question_encoder", lambda *a: exports.append(a))
    with pytest.warns(UserWarning, match="not a BERT with mean or CLS pooling"):
        question_encoder(str(model))
    assert exports == []  # the recorded refusal answered, without loading the model again
