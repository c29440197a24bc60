"""Where an index lives: the store seam.

Two stores keep the same generations behind one interface:
- local (qa/store/local.py, the default): files in an index folder, FAISS + bm25s + memory-mapped
  sentence vectors;
- Milvus (qa/store/milvus.py): a Milvus server or cluster (`http://host:19530`), or a `.db` file run
  by the embedded milvus-lite engine (qa/store/milvus_lite.py). Imported only when asked for.

A store writes a complete generation, publishes it by switching one pointer, and hands back
`IndexData`: the passages and manifest in memory, and the three searches the retriever needs
(dense candidates, BM25 scores, sentence vectors). Tokenization, embedding, fusion, abstention and
highlighting stay in qa/search.py, identical for both stores.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, ContextManager, Protocol

import numpy as np

from ..corpus import Document, Passage
from ..errors import IndexCorrupt, IndexMismatch
from ..readers import reader_rules
from ..settings import Settings
from ..text import Tokenizer, analyzer_fingerprint, tokenizer_for

FORMAT_VERSION = 4  # 3: documents of any format (headings path, page, title; parsed documents kept by file hash); 4: a vector per passage read in its section
GEN_PREFIX = "gen-"


@dataclass(frozen=True)
class StoredPassage:
    passage: Passage
    hash: str  # of the normalised text: equal hash, unchanged passage
    sentences: tuple[tuple[int, int], ...]  # spans in passage.text


@dataclass(frozen=True)
class LexicalScores:
    """A question's BM25 scores: the best passages, and the exact score of any passage asked for."""

    top: np.ndarray  # ids of the best `depth` passages with a positive score
    of: Callable[[np.ndarray], np.ndarray]  # passage ids -> their scores (float32)


@dataclass
class IndexData:
    """One loaded, validated generation. Subclasses hold the vectors and BM25 side of one store."""

    location: str  # where it lives, for messages: a folder or a Milvus URI
    generation: str
    manifest: dict
    passages: list[StoredPassage]
    # Passage i owns sentence rows offsets[i]:offsets[i+1]; after the last sentence, row offsets[-1] + i
    # is passage i read in its section (its heading, then its text: qa/index.py, in_section).
    sentence_offsets: np.ndarray
    tokenizer: Tokenizer

    # --- the searches (one per store)

    @property
    def vocab(self) -> dict[str, int]:
        """BM25 token -> token id."""
        raise NotImplementedError

    @property
    def num_docs(self) -> int:
        raise NotImplementedError

    def doc_freq(self, token_id: int) -> int:
        raise NotImplementedError

    def dense_top(self, vector: np.ndarray, depth: int) -> np.ndarray:
        """Ids of the `depth` passages whose vectors are nearest the question's (inner product)."""
        raise NotImplementedError

    def lexical(self, token_ids: list[int], depth: int) -> LexicalScores:
        raise NotImplementedError

    def passages_holding(self, token_ids: list[int]) -> list[np.ndarray]:
        """For each token, the ids of the passages whose BM25 text holds it."""
        raise NotImplementedError

    def warm_postings(self) -> None:
        """Read now what `passages_holding` would read at its first call (a store that fetches its
        postings); the local store holds them already."""

    def in_section_rows(self, ids: np.ndarray) -> np.ndarray:
        """The vector rows of these passages read in their sections."""
        return int(self.sentence_offsets[-1]) + np.asarray(ids, dtype=np.int64)

    def sentence_rows(self, rows: np.ndarray) -> np.ndarray:
        """Sentence vectors by row number (rows of the whole generation, passage after passage, then
        each passage in its section)."""
        raise NotImplementedError

    def sentence_scores(self, rows: np.ndarray, vector: np.ndarray) -> np.ndarray:
        """Inner products of the question's vector and these sentences' (a store may compute them
        where the vectors are, instead of sending them)."""
        return self.sentence_rows(rows) @ vector

    # --- the manifest

    @property
    def model(self) -> str:
        return self.manifest["model"]["id"]

    @property
    def dimension(self) -> int:
        return int(self.manifest["model"]["dimension"])

    @property
    def documents(self) -> list[dict]:
        return self.manifest["documents"]

    @property
    def labels(self) -> dict[str, str]:
        """How answers call each document (by name): its title, with its name when another document
        has the same title (年报 in 2023/ and in 2024/)."""
        shared = Counter(d["title"] for d in self.documents)
        return {d["name"]: d["title"] if shared[d["title"]] == 1 else f"{d['title']}（{d['name']}）" for d in self.documents}

    @property
    def examples(self) -> list[str]:
        return self.manifest.get("examples", [])

    @property
    def built_at(self) -> str:
        return self.manifest["built_at"]

    def corpus_documents(self, max_chars: int) -> dict[str, Document]:
        """The indexed documents by file name, as a build reads them back instead of parsing again
        (none when they were read by other rules or split at another passage length)."""
        if self.manifest.get("reader_rules") != reader_rules() or self.manifest["settings"].get("max_passage_chars") != max_chars:
            return {}
        by_doc: dict[str, list[Passage]] = {}
        for sp in self.passages:
            by_doc.setdefault(sp.passage.doc, []).append(sp.passage)
        return {d["file"]: Document.from_record(d, by_doc.get(d["name"], [])) for d in self.documents}


@dataclass(frozen=True)
class NewGeneration:
    """Everything a store writes for one generation (made by qa/index.py, the same for every store)."""

    name: str
    passages: list[Passage]
    hashes: list[str]
    spans: list[list[tuple[int, int]]]
    vectors: np.ndarray  # one per passage: candidate search
    sentence_vectors: np.ndarray  # every passage's sentences, then each passage in its section
    bm25: object  # bm25s.BM25 of the passages
    manifest: dict  # without the store's own entries (a local store adds its file checksums)


class Store(Protocol):
    location: str

    def lock(self, wait: bool) -> ContextManager: ...  # one build at a time, or BuildLocked

    def current(self) -> str | None: ...  # the published generation

    def load(self, settings: Settings, generation: str | None = None, *, any_lexical: bool = False) -> IndexData: ...

    def publish(self, gen: NewGeneration, settings: Settings) -> None: ...  # write it, then switch to it

    def remove_stale(self) -> None: ...  # what a build that died left (called under the lock)

    def remove_old(self, keep: int) -> None: ...  # generations before the last `keep`

    # The files the last build could not read, by the hash of their bytes (a record beside the
    # generations, not part of any): unchanged bad files are reported again without being parsed again.
    def read_unreadable(self) -> dict | None: ...

    def write_unreadable(self, record: dict) -> None: ...


def is_milvus(location: str | Path) -> bool:
    """A Milvus URI (`http://…`, `https://…`, `tcp://…`) or a milvus-lite file (`….db`)."""
    text = str(location)
    return text.startswith(("http://", "https://", "tcp://")) or text.endswith(".db")


def open_store(location: str | Path, settings: Settings | None = None) -> Store:
    if is_milvus(location):
        from .milvus import MilvusStore

        return MilvusStore.open(str(location), settings or Settings())
    from .local import LocalStore

    return LocalStore(Path(location))


def check_manifest(manifest: dict, settings: Settings, where: str, any_lexical: bool = False) -> None:
    """Refuse a generation made by another format, model, settings or tokenizer, saying what to run.

    any_lexical: accept one whose BM25 side was made by other BM25 settings, stopwords or
    abbreviations (a build does, to reuse its vectors, which depend on the model alone)."""
    try:
        version = manifest["format_version"]
        model = manifest["model"]["id"]
        params = manifest["settings"]
        manifest["counts"]["passages"], manifest["terms"], manifest["documents"]
    except (KeyError, TypeError) as e:
        raise IndexCorrupt(f"the manifest of {where} lacks {e}: run `qa build` to rebuild the index") from e
    if version != FORMAT_VERSION:
        raise IndexMismatch(
            f"index {where} has format {version}, this version of qa reads format {FORMAT_VERSION}: run `qa build` to rebuild it"
        )
    if model != settings.model:
        raise IndexMismatch(
            f"index {where} was built with model {model!r} but {settings.model!r} is configured: "
            f"run `qa build --model {settings.model}` to rebuild it, or set QA_MODEL={model}"
        )
    wanted = settings.retrieval_params()
    differ = [k for k in wanted if params.get(k) != wanted[k]]
    if differ and not any_lexical:
        raise IndexMismatch(
            f"index {where} was built with other settings ({', '.join(f'{k}={params.get(k)!r}' for k in differ)}): run `qa build` to rebuild it"
        )
    if not any_lexical and manifest.get("analyzer") != analyzer_fingerprint():
        raise IndexMismatch(
            f"index {where} was tokenized with other stopwords, abbreviations or jieba version: run `qa build` to rebuild it"
        )


def postings_of(indptr: np.ndarray, ids: np.ndarray, token_ids: list[int]) -> list[np.ndarray]:
    """Token-major postings (token t's passages are ids[indptr[t]:indptr[t+1]]) for these tokens; none
    for a token past the end (bm25s may add one without postings, "", there)."""
    return [np.asarray(ids[indptr[t] : indptr[t + 1]]) if 0 <= t < len(indptr) - 1 else np.zeros(0, np.int64) for t in token_ids]


def passage_of(record: dict) -> StoredPassage:
    """A passage as stored (passages.jsonl line or Milvus record) back into a StoredPassage."""
    r = record
    return StoredPassage(
        passage=Passage(r["doc"], r["cite"], tuple(r["headings"]), r["text"], r.get("page"), r.get("title", ""), r.get("lead", False)),
        hash=r["hash"],
        sentences=tuple((int(s), int(e)) for s, e in r["sentences"]),
    )


def vector_rows(counts: dict) -> int:
    """How many vector rows a generation holds: its sentences, then a passage in its section each."""
    return counts["sentences"] + counts["passages"]


def generation_fields(location: str, generation: str, manifest: dict, passages: list[StoredPassage]) -> dict:
    """The IndexData fields every store fills the same way from a validated manifest and its passages."""
    offsets = np.zeros(len(passages) + 1, dtype=np.int64)
    offsets[1:] = np.cumsum([len(p.sentences) for p in passages])
    return dict(
        location=location, generation=generation, manifest=manifest, passages=passages,
        sentence_offsets=offsets, tokenizer=tokenizer_for(tuple(manifest["terms"])),
    )

