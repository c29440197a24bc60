"""Building, incremental rebuilds, atomic publish, locking and validation of the on-disk index."""

import json
import shutil
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

from qa.errors import BuildLocked, CorpusError, IndexCorrupt, IndexMismatch, IndexNotFound
from qa.index import CURRENT, FORMAT_VERSION, MANIFEST, UNREADABLE, build, current_generation, in_section, load
from qa.store.local import LocalStore
from qa.text import split_sentences
from qa.search import Retriever
from qa.settings import Settings

from .conftest import ROOT


@pytest.fixture
def built(mini_corpus, tmp_path, encoder, settings):
    index = tmp_path / "index"
    report = build(mini_corpus, index, settings, encoder=encoder)
    return mini_corpus, index, report


def _edit(corpus: Path, old: str, new: str) -> None:
    path = next(corpus.iterdir())
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new), encoding="utf-8")


def test_first_build_embeds_everything(built):
    _, index, report = built
    assert (report.documents, report.passages, report.added, report.embedded, report.reused) == (1, 10, 10, 10, 0)
    manifest = json.loads((index / current_generation(index) / MANIFEST).read_text(encoding="utf-8"))
    assert manifest["format_version"] == FORMAT_VERSION
    assert manifest["model"] == {"id": "m3e-small", "dimension": 512}
    assert manifest["counts"]["passages"] == 10
    assert len(manifest["passages"]) == 10 and all(len(p["hash"]) == 32 for p in manifest["passages"])
    assert set(manifest["files"]) >= {"passages.jsonl", "dense.faiss", "sentences.npy"}
    assert {"faiss-cpu", "bm25s", "sentence-transformers", "torch", "jieba"} <= set(manifest["versions"])
    assert manifest["built_at"] and manifest["settings"]["model"] == "m3e-small"


def test_unchanged_corpus_is_a_no_op(built, encoder, settings):
    corpus, index, first = built
    again = build(corpus, index, settings)  # no encoder given: none is loaded when nothing changed
    assert (again.embedded, again.reused, again.changed, again.published) == (0, 10, 0, False)
    assert current_generation(index) == first.generation


def test_a_no_op_build_loads_neither_model_nor_jieba_dictionary(built):
    corpus, index, _ = built
    code = (  # counts jieba dictionary loads (~1 s each) by any jieba.Tokenizer
        "import sys, jieba; from pathlib import Path; from qa.index import build; from qa.settings import Settings;"
        "loads = []; initialize = jieba.Tokenizer.initialize;"
        "jieba.Tokenizer.initialize = lambda self, *a, **k: (loads.append(1), initialize(self, *a, **k))[1];"
        f"r = build(Path({str(corpus)!r}), Path({str(index)!r}), Settings());"
        "print(r.published, 'torch' in sys.modules, len(loads))"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert proc.stdout.split() == ["False", "False", "0"], proc.stderr


def test_editing_one_paragraph_reembeds_exactly_one(built, encoder, settings):
    corpus, index, _ = built
    _edit(corpus, "贷后管理包括定期回访和资金用途监控。", "贷后管理包括定期回访、现场检查和资金用途监控。")
    report = build(corpus, index, settings, encoder=encoder)
    assert (report.changed, report.added, report.removed, report.embedded, report.reused) == (1, 0, 0, 1, 9)
    r = Retriever(load(index, settings), settings, encoder)
    top = r.ask("贷后管理包括哪些工作？", k=1).hits[0]
    assert top.passage.cite == "2.1(2)" and "现场检查" in top.passage.text


def test_a_paragraph_whose_text_changed_but_not_its_normalised_form_is_counted_changed(built, encoder, settings):
    corpus, index, _ = built
    _edit(corpus, "贷后管理包括定期回访和资金用途监控。", "贷后管理包括定期回访和资金 用途监控。")
    report = build(corpus, index, settings, encoder=encoder)
    assert (report.changed, report.embedded) == (1, 0)  # a space between Chinese words: shown, not encoded


class RecordingEncoder:
    """The real encoder, remembering what it was asked to encode."""

    def __init__(self, encoder):
        self.encoder, self.model, self.dimension, self.texts = encoder, encoder.model, encoder.dimension, []

    def encode(self, texts, **kwargs):
        self.texts += texts
        return self.encoder.encode(texts, **kwargs)


def test_sentences_and_passages_in_their_sections_are_encoded_and_passage_vectors_are_the_sentences_mean(mini_corpus, tmp_path, encoder, settings):
    recording = RecordingEncoder(encoder)
    build(mini_corpus, tmp_path / "index", settings, encoder=recording)
    data = load(tmp_path / "index", settings)
    sentences = [sp.passage.text[a:b] for sp in data.passages for a, b in sp.sentences]
    in_sections = [in_section(sp.passage) for sp in data.passages]
    assert in_sections[0] == "市场规模：某省小微金融市场规模逐年扩大，截至 2022 年底已达到XX亿元。"  # the heading without its number
    assert sorted(recording.texts) == sorted(set(sentences + in_sections))  # each once
    assert np.allclose(data.sentence_vectors, encoder.encode(sentences + in_sections), atol=1e-5)
    assert np.array_equal(data.in_section_rows(np.array([0, 9])), [len(sentences), len(sentences) + 9])
    for i, sp in enumerate(data.passages):
        assert list(sp.sentences) == split_sentences(sp.passage.text)
        rows = np.asarray(data.sentence_vectors[data.sentence_offsets[i] : data.sentence_offsets[i + 1]])
        mean = np.array([b - a for a, b in sp.sentences], dtype=np.float32) @ rows
        assert np.allclose(data.dense.reconstruct(i), mean / np.linalg.norm(mean), atol=1e-5)


def test_a_table_row_or_list_item_is_encoded_under_its_lead_line(tmp_path, encoder, settings):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "分级.md").write_text(
        "# 数据分级指南\n\n## 附录：数据分级列表\n\n| 数据 | 等级 |\n|---|---|\n| 平均行程时间 | DL2 |\n| 车牌号 | DL1 |\n\n"
        "## 传输要求\n\n数据传输应满足下列条件：\n\n- 加密传输；\n- 记录访问日志。\n\n"
        "## 密码算法\n\n- 对称密码主要使用AES；\n- Hash函数主要使用MD5。\n",
        encoding="utf-8",
    )
    recording = RecordingEncoder(encoder)
    build(corpus, tmp_path / "index", settings, encoder=recording)
    data = load(tmp_path / "index", settings)
    by_section = {sp.passage.section: sp.passage for sp in data.passages}
    table, led, items = by_section["附录：数据分级列表"], by_section["传输要求"], by_section["密码算法"]
    assert table.text.split("\n")[1:] == ["数据：平均行程时间；等级：DL2", "数据：车牌号；等级：DL1"] and table.lead
    # a row's cells read under its table's heading, an item under its list's lead-in; an item that opens a list leads nothing
    assert {"附录：数据分级列表：数据：平均行程时间；", "附录：数据分级列表：等级：DL2"} <= set(recording.texts)
    assert "数据传输应满足下列条件：加密传输；" in recording.texts and led.lead
    assert {"对称密码主要使用AES；", "Hash函数主要使用MD5。"} <= set(recording.texts) and not items.lead
    def rows(passage):
        i = next(i for i, sp in enumerate(data.passages) if sp.passage is passage)
        return np.asarray(data.sentence_vectors[data.sentence_offsets[i] : data.sentence_offsets[i + 1]])

    assert np.allclose(rows(table)[1], encoder.encode(["附录：数据分级列表：数据：平均行程时间；"])[0], atol=1e-5)
    assert np.allclose(rows(items), encoder.encode(["对称密码主要使用AES；", "Hash函数主要使用MD5。"]), atol=1e-5)
    # a rebuild of the same corpus reuses those vectors: what it looks up is what was encoded
    again = RecordingEncoder(encoder)
    report = build(corpus, tmp_path / "index", settings, encoder=again)
    assert again.texts == [] and report.embedded == 0


def test_editing_one_sentence_encodes_that_sentence_only(built, encoder, settings):
    corpus, index, _ = built
    _edit(corpus, "贷后管理包括定期回访和资金用途监控。", "贷后管理包括定期回访、现场检查和资金用途监控。")
    recording = RecordingEncoder(encoder)
    report = build(corpus, index, settings, encoder=recording)
    passage = next(sp.passage for sp in load(index, settings).passages if "现场检查" in sp.passage.text)
    assert recording.texts == ["贷后管理包括定期回访、现场检查和资金用途监控。", in_section(passage)]  # the sentence, and its passage in its section
    assert (report.changed, report.embedded) == (1, 1)


def test_renaming_a_section_encodes_its_passages_in_the_section_only(built, encoder, settings):
    corpus, index, _ = built
    _edit(corpus, "1.2政策环境", "1.2政策环境与展望")
    recording = RecordingEncoder(encoder)
    build(corpus, index, settings, encoder=recording)
    renamed = [sp.passage for sp in load(index, settings).passages if sp.passage.section == "1.2 政策环境与展望"]
    assert renamed and sorted(recording.texts) == sorted(in_section(p) for p in renamed)  # no sentence again


def test_added_and_removed_paragraphs_are_counted_and_never_cited(built, encoder, settings):
    corpus, index, _ = built
    _edit(corpus, "(2) 贷后管理包括定期回访和资金用途监控。", "(2) 贷后管理包括定期回访和资金用途监控。\n\n(3) 新增段落：区块链技术用于供应链金融。")
    _edit(corpus, "(3) 政策效果定期评估，及时调整。", "")
    report = build(corpus, index, settings, encoder=encoder)
    assert (report.added, report.removed, report.changed, report.embedded, report.passages) == (1, 1, 0, 1, 10)
    r = Retriever(load(index, settings), settings, encoder)
    assert r.ask("区块链技术用在哪里？", k=1).hits[0].passage.cite == "2.1(3)"
    assert all(h.passage.cite != "1.2(3)" for h in r.ask("政策效果如何评估和调整？", k=10).hits)


def test_previous_generation_is_kept_and_older_ones_removed(built, encoder, settings):
    corpus, index, first = built
    gens = [first.generation]
    for n in range(3):
        _edit(corpus, "分散风险。" if n == 0 else f"分散风险{n}。", f"分散风险{n + 1}。")
        gens.append(build(corpus, index, settings, encoder=encoder).generation)
    on_disk = sorted(p.name for p in index.glob("gen-*"))
    assert on_disk == sorted(gens[-2:])
    assert current_generation(index) == gens[-1]


def test_unreadable_files_are_all_reported_and_change_nothing(built, encoder, settings):
    corpus, index, first = built
    before = served_files(index)
    (corpus / "broken.txt").write_bytes(b"\xfa\x80\x81\xff" * 8)
    (corpus / "empty.md").write_text("", encoding="utf-8")
    (corpus / "headings.md").write_text("# 只有标题\n\n## 一、章\n", encoding="utf-8")
    report = build(corpus, index, settings, encoder=encoder)
    # Every bad file in one run, each with its reason; the good one is served as before.
    assert [(s.file, s.kept) for s in report.skipped] == [("broken.txt", False), ("empty.md", False), ("headings.md", False)]
    reasons = " ".join(s.reason for s in report.skipped)
    assert "UTF-8, GB18030 or Big5" in reasons and "is empty" in reasons and "only a title or headings" in reasons
    assert (report.published, report.passages, report.embedded) == (False, 10, 0)
    for name in ("broken.txt", "empty.md", "headings.md"):
        (corpus / name).unlink()
    with pytest.raises(CorpusError, match="does not exist"):
        build(corpus.parent / "missing", index, settings, encoder=encoder)
    assert served_files(index) == before


def served_files(index: Path) -> dict:
    """The published index, byte for byte (not the lock, nor the cache of unreadable files' hashes)."""
    return {
        p.relative_to(index): p.read_bytes()
        for p in index.rglob("*")
        if p.is_file() and "lock" not in p.name and p.name != UNREADABLE
    }


def test_a_document_that_became_unreadable_keeps_its_passages(built, encoder, settings):
    corpus, index, first = built
    (corpus / "second.md").write_text("# 第二份\n\n## 一、概述\n\n第二份报告的正文。\n", encoding="utf-8")
    added = build(corpus, index, settings, encoder=encoder)
    assert (added.passages, added.skipped) == (11, ())
    (corpus / "second.md").write_bytes(b"\xfa\x80\x81\xff" * 8)  # saved in a broken encoding
    report = build(corpus, index, settings, encoder=encoder)
    assert [(s.file, s.kept) for s in report.skipped] == [("second.md", True)]
    assert report.passages == 11 and report.embedded == 0
    data = load(index, settings)
    assert "第二份报告的正文。" in [sp.passage.text for sp in data.passages]


def test_a_subfolder_that_cannot_be_listed_is_reported_and_keeps_its_documents(built, encoder, settings, monkeypatch):
    import os

    corpus, index, first = built
    (corpus / "2024").mkdir()
    (corpus / "2024" / "second.md").write_text("# 第二份\n\n## 一、概述\n\n第二份报告的正文。\n", encoding="utf-8")
    added = build(corpus, index, settings, encoder=encoder)
    assert (added.passages, added.skipped) == (11, ())
    # The folder's permissions taken away: as root (CI) a folder cannot be made unreadable, so the
    # listing fails as os.scandir fails for a user without the right.
    scandir, locked = os.scandir, corpus / "2024"

    def listing(path="."):
        if Path(path) == locked:
            raise PermissionError(13, "Permission denied", str(path))
        return scandir(path)

    monkeypatch.setattr(os, "scandir", listing)
    report = build(corpus, index, settings, encoder=encoder)
    assert [(s.file, s.kept) for s in report.skipped] == [("2024/", True)]
    assert "the folder cannot be read (Permission denied)" in report.skipped[0].reason
    assert report.passages == 11 and report.embedded == 0 and report.removed == 0
    assert "第二份报告的正文。" in [sp.passage.text for sp in load(index, settings).passages]


def test_nothing_readable_is_an_error_and_changes_nothing(tmp_path, encoder, settings):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "a.txt").write_bytes(b"\x00\x01")
    (corpus / "b.md").write_text("", encoding="utf-8")
    with pytest.raises(CorpusError, match=r"no document could be read:\n.*a.txt.*\n.*b.md"):
        build(corpus, tmp_path / "index", settings, encoder=encoder)
    assert current_generation(tmp_path / "index") is None


def test_another_passage_length_parses_again(built, encoder, settings):
    corpus, index, _ = built
    (corpus / "long.md").write_text("## 一、章\n\n" + "这是一个用来测试切分长度的完整句子。" * 12 + "\n", encoding="utf-8")
    first = build(corpus, index, settings, encoder=encoder)
    again = build(corpus, index, settings.replace(max_passage_chars=100), encoder=encoder)
    # Both files parsed afresh: the stored passages were split at 600 characters, not 100.
    assert (again.parsed, again.passages) == (2, first.passages + 2)


def test_unchanged_files_are_not_parsed_again(built, encoder, settings):
    corpus, index, first = built
    assert first.parsed == 1
    path = next(corpus.iterdir())
    path.touch()  # a new time, the same bytes: hashed, not parsed
    again = build(corpus, index, settings, encoder=encoder)
    assert (again.parsed, again.embedded, again.published) == (0, 0, False)


def test_second_build_fails_fast_naming_the_first(built, settings):
    corpus, index, _ = built
    with LocalStore(index).lock(wait=False):
        with pytest.raises(BuildLocked, match=r"another build is running .*pid \d+"):
            build(corpus, index, settings)


def test_wait_takes_the_lock_when_the_running_build_ends(built, encoder, settings):
    import threading

    corpus, index, _ = built
    _edit(corpus, "分散风险。", "分散和转移风险。")
    held = threading.Event()

    def other_build():  # another writer holds the lock for half a second
        with LocalStore(index).lock(wait=False):
            held.set()
            time.sleep(0.5)

    threading.Thread(target=other_build).start()
    held.wait(5)
    with pytest.raises(BuildLocked):
        build(corpus, index, settings, encoder=encoder)
    report = build(corpus, index, settings, wait=True, encoder=encoder)
    assert report.published and report.changed == 1


def test_missing_index(tmp_path, settings):
    with pytest.raises(IndexNotFound, match="qa build"):
        load(tmp_path / "nothing", settings)


def test_other_model_or_format_is_refused(built, settings):
    _, index, report = built
    with pytest.raises(IndexMismatch, match="built with model 'm3e-small'.*qa build"):
        load(index, Settings(model="BAAI/bge-small-zh-v1.5"))
    manifest_path = index / report.generation / MANIFEST
    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    manifest["format_version"] = 999
    manifest_path.write_text(json.dumps(manifest), encoding="utf-8")
    with pytest.raises(IndexCorrupt, match="checksum"):  # CURRENT vouches for the manifest
        load(index, settings)
    with pytest.raises(IndexMismatch, match="format 999"):  # an older generation named explicitly
        _load_unverified(index, report.generation, settings)


def test_an_index_tokenized_by_other_stopwords_or_abbreviations_is_refused_and_rebuilt_without_encoding(built, encoder, settings):
    from qa import text

    corpus, index, first = built
    try:
        with pytest.MonkeyPatch.context() as mp:  # as if a new qa version shipped another abbreviation table
            mp.setitem(text.ABBREVIATIONS, "普惠", "普惠金融")
            text.analyzer_fingerprint.cache_clear()
            text.forget_tokenizers()
            with pytest.raises(IndexMismatch, match="other stopwords, abbreviations.*qa build"):
                load(index, settings)
            report = build(corpus, index, settings, encoder=encoder)
            assert report.published and report.generation != first.generation
            assert (report.embedded, report.reused) == (0, 10)  # vectors do not depend on the tokenizer
            assert load(index, settings).generation == report.generation
    finally:
        text.analyzer_fingerprint.cache_clear()
        text.forget_tokenizers()
    with pytest.raises(IndexMismatch, match="other stopwords"):  # and back again
        load(index, settings)


def test_a_bm25_settings_change_is_refused_and_rebuilt_without_encoding(built, encoder, settings):
    corpus, index, first = built
    kept = settings.replace(summing_up_in_lexical=True)
    with pytest.raises(IndexMismatch, match="other settings.*summing_up_in_lexical.*qa build"):
        load(index, kept)
    report = build(corpus, index, kept, encoder=encoder)
    assert report.published and (report.embedded, report.reused) == (0, 10)  # vectors depend on the model alone
    assert load(index, kept).generation == report.generation
    assert not build(corpus, index, kept, encoder=encoder).published  # and then it is a no-op
    with pytest.raises(IndexMismatch, match="summing_up_in_lexical"):
        load(index, settings)


def _load_unverified(index: Path, generation: str, settings):
    """Load as if CURRENT had been published with this manifest (a build by another qa version)."""
    from qa.store.local import sha256_of as _sha256

    (index / CURRENT).write_text(f"{generation} {_sha256(index / generation / MANIFEST)}\n", encoding="utf-8")
    return load(index, settings)


def _files(index: Path):
    gen = index / current_generation(index)
    return sorted(p.relative_to(gen) for p in gen.rglob("*") if p.is_file())


@pytest.mark.parametrize("damage", ["truncate", "bitflip", "delete"])
def test_every_damaged_file_raises_index_corrupt(built, settings, damage):
    _, index, _ = built
    gen = index / current_generation(index)
    caught = 0
    for rel in _files(index):
        backup = gen.parent / "backup"
        shutil.copytree(gen, backup)
        path = gen / rel
        data = path.read_bytes()
        if damage == "truncate":
            path.write_bytes(data[: len(data) // 2])
        elif damage == "bitflip":
            i = len(data) // 2
            path.write_bytes(data[:i] + bytes([data[i] ^ 0x01]) + data[i + 1 :])
        else:
            path.unlink()
        with pytest.raises((IndexCorrupt, IndexMismatch)):
            load(index, settings)
        caught += 1
        shutil.rmtree(gen)
        backup.rename(gen)
    assert caught == len(_files(index)) >= 8
    load(index, settings)  # restored: loads again


def test_current_pointer_to_missing_generation(built, settings):
    _, index, _ = built
    (index / CURRENT).write_text("gen-does-not-exist 0123\n", encoding="utf-8")
    with pytest.raises(IndexCorrupt, match="qa build"):
        load(index, settings)


def test_above_the_threshold_the_dense_side_is_hnsw_and_answers_like_exact(report_corpus, tmp_path, encoder, query_encoder, settings, retriever):
    import faiss

    # The report's 37 paragraphs are "many", and each side contributes 8 candidates, so the dense
    # index really chooses which paragraphs are scored.
    few = settings.replace(candidates=8)
    ann = few.replace(ann_threshold=10)
    build(report_corpus, tmp_path / "index", ann, encoder=encoder)
    data = load(tmp_path / "index", ann)
    assert isinstance(data.dense, faiss.IndexHNSWFlat)
    assert data.dense.hnsw.efSearch == ann.hnsw_ef_search
    approx = Retriever(data, ann, query_encoder)
    exact = Retriever(retriever.data, few, query_encoder)
    assert isinstance(exact.data.dense, faiss.IndexFlatIP)
    for question in ("非银行金融机构包括哪些类型？", "青海小微金融面临哪些风险？", "互联网金融推出了哪些创新产品？"):
        scored = approx.scores(question).ids
        assert len(scored) < len(data.passages)  # candidates were chosen, not the whole corpus
        assert list(scored) == list(exact.scores(question).ids)
        assert [h.passage.cite for h in approx.ask(question).hits] == [h.passage.cite for h in exact.ask(question).hits]
        # and the few candidates hold the answers found when every paragraph is scored
        assert [h.passage.cite for h in approx.ask(question, k=3).hits] == [h.passage.cite for h in retriever.ask(question, k=3).hits]
