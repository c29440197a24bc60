"""The question encoder: the int8 network torch makes of the model, run by onnxruntime.

Answering one question needs one short forward pass of a 4-layer BERT. Importing
sentence-transformers for it costs ~6-12 s and ~450 MB (it pulls torch, transformers, SciPy,
scikit-learn); this module needs onnxruntime and `tokenizers` only (~0.2 s, ~40 MB).

It computes what torch's dynamically quantised model computes, not a re-quantisation of its own:
each Linear quantises its input to 7-bit unsigned integers with a scale and zero point from the
input's own range (fbgemm's ChooseQuantizationParams with `reduce_range`), multiplies by torch's
int8 weights exactly (MatMulInteger) and rescales; everything else runs in float32. onnxruntime's own
quantiser (8-bit activations, its own weight scales) moved 3 of 65 dev answers; this graph gives the
same `qa eval` as torch on every question set (docs/retrieval.md, "Question encoder").

The graph is written once from the torch model (`qa.embed.export_question_encoder`, by `qa build` or
on first use) into the model cache, its weights in a file of their own that onnxruntime maps
instead of copying (a question touches a few rows of the 43 MB embedding table, so the rest stays on
disk: the session takes ~29 MB of memory instead of ~76 MB), with a JSON record holding both files'
checksums; a file that fails the check, or was made by another format or from other weights, is
made again.
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
import threading
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from .errors import ModelError

# Bump when the graph changes: older files are made again.
GRAPH_FORMAT = 2
GRAPH_FILE = "question-int8.onnx"
WEIGHTS_FILE = "question-int8.weights"  # the graph's large tensors, which it names by this file name
RECORD_FILE = "question-int8.json"
REFUSED_FILE = "refused.json"  # the export's reason when the model is not one the graph can run
# fbgemm's dynamic linear with reduce_range: activations use 7 of the 8 unsigned bits.
ACTIVATION_QMAX = 127
LINEARS = ("query", "key", "value", "attention_output", "intermediate", "output")
OPSET = 17
# onnxruntime maps a tensor of an external weights file when its offset is a multiple of the page
# size; 64 KiB covers every page size. Smaller tensors stay inside the graph.
WEIGHTS_ALIGN = 1 << 16
WEIGHTS_MIN_BYTES = 1 << 16


@dataclass
class QuestionEncoder:
    """Normalised question vectors (inner product = cosine), one text at a time."""

    model: str
    dimension: int
    path: Path
    _session: object = field(repr=False)
    _tokenizer: object = field(repr=False)
    # Each text is encoded alone, so its vector never depends on what else is encoded with it.
    batch_invariant: bool = True

    def encode(self, texts: list[str], batch_size: int = 32, progress: bool = False) -> np.ndarray:
        out = np.zeros((len(texts), self.dimension), dtype=np.float32)
        for row, text in enumerate(texts):
            ids = np.asarray(self._tokenizer.encode(text.strip()).ids, dtype=np.int64)
            out[row] = self._session.run(None, {"input_ids": ids})[0]
        return out

    def warm(self) -> None:
        self.encode(["青海省小微金融"])


class BatchingEncoder:
    """Encodes the questions of many threads in one worker thread (the server's encoder).

    The worker takes every question waiting, up to `max_batch`. With a batch-invariant (full
    precision) encoder it encodes them together: on 2 cores a batch of 8 costs about 3x one
    question. With the int8 encoder it encodes them one by one, so that a question gets the same
    vector, and the same answer, whatever else is being asked; one thread still keeps concurrent
    requests from fighting over the encoder's threads.
    """

    def __init__(self, encoder: Encoder, max_batch: int = 16):
        import queue

        self.model, self.dimension = encoder.model, encoder.dimension
        self._encoder = encoder
        self._max_batch = max_batch
        self._queue: queue.Queue = queue.Queue()
        threading.Thread(target=self._work, name="qa-encoder", daemon=True).start()

    def warm(self) -> None:
        self._encoder.warm()

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
            groups = [batch] if self._encoder.batch_invariant else [[item] for item in batch]
            for group in groups:
                try:
                    vectors = self._encoder.encode([text for text, _ in group], batch_size=len(group))
                except Exception as e:  # noqa: BLE001 - delivered to every waiting caller
                    for _, future in group:
                        future.set_exception(e)
                    continue
                for (_, future), vector in zip(group, vectors):
                    future.set_result(vector)


def question_encoder(model: str, kind: str = "onnx-int8", threads: int = 0):
    """The encoder that serves questions for `model`, as the `question_encoder` setting names it.

    onnx-int8 falls back to torch-int8, with a warning saying why, when the model is not one the
    graph can run or the graph cannot be made (no model cache to keep it in)."""
    if kind == "onnx-int8":
        try:
            folder, graph, config = _graph(model)
            return _session(model, str(folder), str(graph), config["dimension"], config["max_seq_length"], threads)
        except (ModelError, OSError) as e:
            import warnings

            warnings.warn(f"questions are encoded by torch int8: {e}", stacklevel=2)
    from .embed import load_encoder, set_torch_threads

    if threads:
        set_torch_threads(threads)
    return load_encoder(model, int8=kind != "torch")


def prepare_question_encoder(model: str, kind: str) -> None:
    """Make the onnx-int8 graph now if it is missing or stale (a build does, so no question waits for it)."""
    if kind == "onnx-int8":
        try:
            _graph(model)
        except (ModelError, OSError):
            pass  # a question process says why, and falls back


@functools.lru_cache(maxsize=4)
def _session(model: str, folder: str, graph: str, dimension: int, max_seq_length: int, threads: int) -> QuestionEncoder:
    """One session per graph and thread count in a process (sessions are thread-safe)."""
    import onnxruntime
    from tokenizers import Tokenizer

    options = onnxruntime.SessionOptions()
    options.intra_op_num_threads = threads  # 0: one per core
    options.inter_op_num_threads = 1
    options.log_severity_level = 3
    try:
        session = onnxruntime.InferenceSession(graph, options, providers=["CPUExecutionProvider"])
    except Exception as e:  # noqa: BLE001 - onnxruntime raises its own untyped errors
        raise ModelError(f"onnxruntime cannot load the question encoder {graph}: {e}") from e
    tokenizer = Tokenizer.from_file(str(Path(folder) / "tokenizer.json"))
    tokenizer.no_padding()
    tokenizer.enable_truncation(max_seq_length)
    return QuestionEncoder(model, dimension, Path(graph), session, tokenizer)


def _graph(model: str) -> tuple[Path, Path, dict]:
    """The model folder, its graph file and the graph's config; the graph is made first when it is
    missing, stale or damaged. ModelError when the model is not one the graph can run."""
    from .embed import export_question_encoder, model_cache_dir, resolve_model

    folder = Path(resolve_model(model))
    root = model_cache_dir()
    if root is None:
        raise ModelError("there is no home folder to keep the question encoder in")
    if not supported(folder):
        raise ModelError(f"model {model!r} is not a BERT with a fast tokenizer")
    source = model_source(folder)
    cache = root / f"question-{source}"
    try:
        config = read_record(cache, source)
    except ModelError:
        refused = _refusal(cache, source)
        if refused:  # said once, by the first process that tried: later ones need not load torch to learn it
            raise ModelError(refused) from None
        cache.mkdir(parents=True, exist_ok=True)
        try:
            export_question_encoder(model, cache, source)
        except ModelError as e:
            _write_json(cache / REFUSED_FILE, {"format": GRAPH_FORMAT, "source": source, "reason": str(e)})
            raise
        config = read_record(cache, source)
    return folder, cache / GRAPH_FILE, config


def _refusal(cache: Path, source: str) -> str | None:
    try:
        record = json.loads((cache / REFUSED_FILE).read_text())
    except (OSError, ValueError):
        return None
    return record.get("reason") if isinstance(record, dict) and (record.get("format"), record.get("source")) == (GRAPH_FORMAT, source) else None


def supported(folder: Path) -> bool:
    """Whether the model may be one this module runs (a BERT with a fast tokenizer); the export
    checks the rest (absolute positions, GELU, mean or CLS pooling) and refuses otherwise."""
    try:
        config = json.loads((folder / "config.json").read_text())
    except (OSError, ValueError):
        return False
    return config.get("model_type") == "bert" and (folder / "tokenizer.json").is_file()


def model_source(folder: Path) -> str:
    """Identifies the weights a graph was made from, and the sentence-transformers pipeline around
    them (modules.json, the pooling's config): a changed model gets a new graph."""
    config = b"".join(p.read_bytes() for p in sorted([*folder.glob("*.json"), *folder.glob("*/config.json")]))
    weights = [f for f in ("model.safetensors", "pytorch_model.bin") if (folder / f).is_file()]
    stamp = [(f, (folder / f).stat().st_size) for f in weights]
    return hashlib.sha256(config + json.dumps([str(folder.resolve()), stamp]).encode()).hexdigest()[:16]


# --------------------------------------------------------------------------- the graph file


def read_record(cache: Path, source: str) -> dict:
    """The config of the graph in `cache`, or ModelError when it is missing, of another format or
    source model, or its bytes fail their checksum."""
    try:
        record = json.loads((cache / RECORD_FILE).read_text())
        ok = record["format"] == GRAPH_FORMAT and record["source"] == source
        if ok:
            digests = {name: _sha256(cache / name) for name in (GRAPH_FILE, WEIGHTS_FILE)}
    except (OSError, ValueError, KeyError, TypeError) as e:
        raise ModelError(f"no usable question encoder in {cache}: {e}") from e
    if not ok:
        raise ModelError(f"the question encoder in {cache} was made by another version or from another model")
    for name, digest in digests.items():
        if digest != record.get("sha256", {}).get(name):
            raise ModelError(f"the question encoder {cache / name} is damaged (its checksum does not match)")
    return record["config"]


def write_graph(cache: Path, tensors: dict[str, np.ndarray], config: dict, source: str) -> None:
    """The weights, the ONNX graph, then their record, each written whole or not at all: a reader
    that finds a record finds the files it describes (their checksums say so). A running process
    keeps the weights it mapped: a new file replaces the name, not the bytes."""
    files = dict(zip((GRAPH_FILE, WEIGHTS_FILE), build_graph(tensors, config)))
    digests = {name: hashlib.sha256(data).hexdigest() for name, data in files.items()}
    record = {"format": GRAPH_FORMAT, "source": source, "sha256": digests, "config": config}
    _write_bytes(cache / WEIGHTS_FILE, files[WEIGHTS_FILE])
    _write_bytes(cache / GRAPH_FILE, files[GRAPH_FILE])
    _write_json(cache / RECORD_FILE, record)


def _write_json(path: Path, value: dict) -> None:
    _write_bytes(path, json.dumps(value, indent=1, ensure_ascii=False).encode())


def _write_bytes(path: Path, payload: bytes) -> None:
    """Whole or not at all: a temporary file, fsynced, renamed over `path`."""
    from .files import fsync_path

    tmp = path.with_name(f"{path.name}.tmp-{os.getpid()}-{threading.get_ident()}")
    try:
        tmp.write_bytes(payload)
        fsync_path(tmp)
        os.replace(tmp, path)
        fsync_path(path.parent)
    finally:
        tmp.unlink(missing_ok=True)


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def build_graph(tensors: dict[str, np.ndarray], config: dict) -> tuple[bytes, bytes]:
    """The serialised ONNX model — token ids (1-D int64) in, the normalised pooled vector out — and
    its weights file (WEIGHTS_FILE, beside it).

    `tensors` as export_question_encoder names them: the embeddings and LayerNorms in float32, each
    Linear as int8 `weight` (out, in), `scale` and `zero_point` (per tensor or per output row), `bias`."""
    import onnx
    from onnx import TensorProto, helper, numpy_helper

    nodes: list = []
    inits: list = []
    counter = iter(range(1_000_000))

    def const(value, name: str | None = None) -> str:
        name = name or f"c{next(counter)}"
        inits.append(numpy_helper.from_array(np.asarray(value), name))
        return name

    def op(kind: str, *inputs: str, **attrs) -> str:
        out = f"t{next(counter)}"
        nodes.append(helper.make_node(kind, list(inputs), [out], **attrs))
        return out

    f32 = np.float32

    def linear(x: str, prefix: str) -> str:
        weight = tensors[f"{prefix}.weight"]
        w = const(np.ascontiguousarray(weight.T.astype(np.int8)), f"{prefix}.weight")
        w_zero = const(tensors[f"{prefix}.zero_point"].astype(np.int8), f"{prefix}.zero_point")
        w_scale = const(tensors[f"{prefix}.scale"].astype(f32), f"{prefix}.scale")
        bias = const(tensors[f"{prefix}.bias"].astype(f32), f"{prefix}.bias")
        low = op("Min", op("ReduceMin", x, keepdims=0), zero)
        high = op("Max", op("ReduceMax", x, keepdims=0), zero)
        scale = op("Div", op("Sub", high, low), qmax)
        scale = op("Where", op("Equal", scale, zero), tenth, scale)  # an all-zero input (fbgemm: 0.1)
        # The zero point from whichever end of the range loses less (fbgemm's ChooseQuantizationParams).
        from_min = op("Div", op("Neg", low), scale)
        from_max = op("Sub", qmax, op("Div", high, scale))
        use_min = op("Less", op("Neg", from_min), from_max)
        zero_point = op("Clip", op("Round", op("Where", use_min, from_min, from_max)), zero, qmax)
        q = op("Clip", op("Round", op("Add", op("Mul", x, op("Reciprocal", scale)), zero_point)), zero, full)
        acc = op("MatMulInteger", op("Cast", q, to=TensorProto.UINT8), w, op("Cast", zero_point, to=TensorProto.UINT8), w_zero)
        return op("Add", op("Mul", op("Cast", acc, to=TensorProto.FLOAT), op("Mul", scale, w_scale)), bias)

    def norm(x: str, prefix: str) -> str:
        return op(
            "LayerNormalization",
            x,
            const(tensors[f"{prefix}.weight"].astype(f32), f"{prefix}.weight"),
            const(tensors[f"{prefix}.bias"].astype(f32), f"{prefix}.bias"),
            axis=-1,
            epsilon=float(config["eps"]),
        )

    zero, qmax, full, tenth = const(f32(0)), const(f32(ACTIVATION_QMAX)), const(f32(255)), const(f32(0.1))
    heads = int(config["heads"])
    width = int(config["dimension"]) // heads
    count = op("Shape", "input_ids")
    positions = op("Slice", const(tensors["position_embeddings"].astype(f32), "position_embeddings"), const(np.array([0])), count, const(np.array([0])))
    h = op("Add", op("Gather", const(tensors["word_embeddings"].astype(f32), "word_embeddings"), "input_ids"), positions)
    h = norm(op("Add", h, const(tensors["token_type_embeddings"][0].astype(f32), "token_type_embedding")), "embeddings.norm")
    split = const(np.array([-1, heads, width]))
    merged = const(np.array([-1, heads * width]))
    root = const(f32(1 / np.sqrt(width)))
    half, one, sqrt2 = const(f32(0.5)), const(f32(1)), const(f32(np.sqrt(2)))
    for i in range(int(config["layers"])):
        q, k, v = (op("Reshape", linear(h, f"{i}.{name}"), split) for name in ("query", "key", "value"))
        scores = op("Mul", op("MatMul", op("Transpose", q, perm=[1, 0, 2]), op("Transpose", k, perm=[1, 2, 0])), root)
        context = op("MatMul", op("Softmax", scores, axis=-1), op("Transpose", v, perm=[1, 0, 2]))
        context = op("Reshape", op("Transpose", context, perm=[1, 0, 2]), merged)
        h = norm(op("Add", linear(context, f"{i}.attention_output"), h), f"{i}.attention.norm")
        inner = linear(h, f"{i}.intermediate")
        inner = op("Mul", op("Mul", inner, half), op("Add", one, op("Erf", op("Div", inner, sqrt2))))  # exact GELU
        h = norm(op("Add", linear(inner, f"{i}.output"), h), f"{i}.output.norm")
    if config["pooling"] == "mean":
        pooled = op("ReduceMean", h, axes=[0], keepdims=0)
    else:
        pooled = op("Gather", h, const(np.array(0)), axis=0)
    length = op("Max", op("ReduceL2", pooled, keepdims=1), const(f32(1e-12)))
    nodes.append(helper.make_node("Div", [pooled, length], ["vector"]))
    graph = helper.make_graph(
        nodes,
        "question_encoder",
        [helper.make_tensor_value_info("input_ids", TensorProto.INT64, ["tokens"])],
        [helper.make_tensor_value_info("vector", TensorProto.FLOAT, [int(config["dimension"])])],
        inits,
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", OPSET)], producer_name="qa")
    model.ir_version = 8
    onnx.checker.check_model(model)
    weights = _move_out_weights(model)
    return model.SerializeToString(), weights


def _move_out_weights(model) -> bytes:
    """Moves the model's large tensors into the bytes of a weights file, each at an aligned offset,
    and leaves the graph naming where they are."""
    from onnx import TensorProto

    weights = bytearray()
    for tensor in model.graph.initializer:
        if len(tensor.raw_data) < WEIGHTS_MIN_BYTES:
            continue
        offset = -(-len(weights) // WEIGHTS_ALIGN) * WEIGHTS_ALIGN
        weights.extend(bytes(offset - len(weights)))
        weights.extend(tensor.raw_data)
        place = {"location": WEIGHTS_FILE, "offset": str(offset), "length": str(len(tensor.raw_data))}
        tensor.ClearField("raw_data")
        tensor.data_location = TensorProto.EXTERNAL
        for key, value in place.items():
            entry = tensor.external_data.add()
            entry.key, entry.value = key, value
    return bytes(weights)
