"""Build (incremental, atomic, locked) and load (validated) the on-disk index.

Layout of the index folder:

    index/
      CURRENT                  "<generation> <sha256 of its manifest>" (replaced atomically)
      gen-<time>-<pid>/        one complete, immutable generation
        manifest.json          format, model, settings, counts, passage hashes, file checksums, versions
        passages.jsonl         one passage per line: doc, cite, chapter, section, text, hash, sentence spans
        dense.faiss            a vector per passage, to find candidates: the mean of its sentence vectors
                               weighted by length (exact inner product or HNSW; normalised = cosine)
        sentences.npy          sentence vectors, passage after passage (the dense score and the highlight)
        bm25/                  the bm25s index (numpy arrays without pickle + JSON)
      .build.lock              held by the one running build
      .build.json              who holds it (pid, host, start time)

A build writes a new generation into a hidden temporary folder, syncs it, renames it into place,
then replaces CURRENT: readers only ever see complete generations. A crash leaves at most a
temporary folder, removed by the next build.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import json
import os
import platform
import shutil
import socket
import time
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np

from . import __version__
from .corpus import Document, Passage, Skipped, corpus_files, read_corpus
from .errors import BuildLocked, IndexCorrupt, IndexMismatch, IndexNotFound, QAError
from .files import fsync_path
from .readers import RULES_VERSION
from .settings import Settings
from .text import Tokenizer, analyzer_fingerprint, heading_terms, normalize, split_sentences, sums_up, tokenizer_for

FORMAT_VERSION = 3  # 3: documents of any format (headings path, page, title; parsed documents kept by file hash)
CURRENT = "CURRENT"
MANIFEST = "manifest.json"
PASSAGES = "passages.jsonl"
DENSE = "dense.faiss"
SENTENCES = "sentences.npy"
BM25_DIR = "bm25"
LOCK = ".build.lock"
LOCK_INFO = ".build.json"
# The files the last build could not read, by the hash of their bytes: a cache beside the generations
# (not part of any), so that unchanged bad files are reported again without being parsed again.
UNREADABLE = ".unreadable.json"
TMP_PREFIX = ".tmp-"
GEN_PREFIX = "gen-"


@dataclass(frozen=True)
class BuildReport:
    documents: int
    passages: int
    added: int
    changed: int
    removed: int
    reused: int  # passages whose every sentence vector was reused
    embedded: int  # passages with a sentence the encoder had to embed
    seconds: float
    generation: str
    published: bool  # False when the corpus was unchanged and the current generation kept
    skipped: tuple[Skipped, ...] = ()  # files that could not be read (kept: earlier passages still served)
    parsed: int = 0  # files read and parsed (the others had the same bytes as at the last build)
    parse_seconds: float = 0.0  # of `seconds`, reading and parsing files
    encode_seconds: float = 0.0  # of `seconds`, encoding sentences
    pages_without_text: dict = None  # {file: [pages]} of PDFs: pages with no text layer, not indexed


@dataclass(frozen=True)
class StoredPassage:
    passage: Passage
    hash: str  # of the normalised text: equal hash, unchanged passage
    sentences: tuple[tuple[int, int], ...]  # spans in passage.text


@dataclass
class IndexData:
    """One loaded, validated generation."""

    path: Path
    generation: str
    manifest: dict
    passages: list[StoredPassage]
    dense: object  # faiss.Index
    sentence_vectors: np.ndarray
    sentence_offsets: np.ndarray  # passage i owns rows offsets[i]:offsets[i+1]
    bm25: object  # bm25s.BM25
    tokenizer: Tokenizer

    @property
    def model(self) -> str:
        return self.manifest["model"]["id"]

    @property
    def documents(self) -> list[dict]:
        return self.manifest["documents"]

    def corpus_documents(self, max_chars: int) -> dict[str, Document]:
        """The indexed documents by file name, as a build reads them back instead of parsing again
        (none when they were read by other rules or split at another passage length)."""
        if self.manifest.get("reader_rules") != RULES_VERSION or self.manifest["settings"].get("max_passage_chars") != max_chars:
            return {}
        by_doc: dict[str, list[Passage]] = {}
        for sp in self.passages:
            by_doc.setdefault(sp.passage.doc, []).append(sp.passage)
        return {d["file"]: Document.from_record(d, by_doc.get(d["name"], [])) for d in self.documents}

    @property
    def examples(self) -> list[str]:
        return self.manifest.get("examples", [])

    @property
    def built_at(self) -> str:
        return self.manifest["built_at"]


# --------------------------------------------------------------------------- what gets embedded


def _title(p: Passage) -> str:
    return p.section.split(" ", 1)[-1]  # the section heading without its number


def bm25_text(p: Passage, spans: list[tuple[int, int]], settings: Settings) -> str:
    """What BM25 indexes of a passage. Without its closing summing-up sentence (总之…): that sentence
    restates the topic words, so a paragraph would outrank others on words it says nothing new with."""
    text = p.text
    if not settings.summing_up_in_lexical and len(spans) > 1 and sums_up(normalize(text[spans[-1][0] : spans[-1][1]])):
        text = text[: spans[-1][0]]
    return f"{_title(p)} {text}" if settings.title_in_lexical else text


def _hash(model: str, text: str) -> str:
    return hashlib.sha256(f"{model}\n{normalize(text)}".encode()).hexdigest()[:32]


def paragraph_vectors(sentence_vectors: np.ndarray, spans: list[list[tuple[int, int]]]) -> np.ndarray:
    """Each passage's vector for candidate search: its sentence vectors averaged, weighted by length.

    Only sentences are encoded. A passage is scored by its best sentence; an encoded paragraph vector
    beat that in 1.5 % of question-paragraph pairs and changed no ranking in cross-validation, while
    encoding it doubled the build (README, "Retrieval quality").
    """
    out = np.zeros((len(spans), sentence_vectors.shape[1]), dtype=np.float32)
    row = 0
    for i, sp in enumerate(spans):
        weights = np.array([e - s for s, e in sp], dtype=np.float32)
        v = weights @ sentence_vectors[row : row + len(sp)]
        out[i] = v / max(float(np.linalg.norm(v)), 1e-12)
        row += len(sp)
    return out


# --------------------------------------------------------------------------- files


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def _write_atomic(path: Path, data: str) -> None:
    tmp = path.with_name(f"{TMP_PREFIX}{path.name}.{os.getpid()}")
    with open(tmp, "w", encoding="utf-8") as f:
        f.write(data)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)
    fsync_path(path.parent)


def _files_of(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*") if p.is_file() and p.name != MANIFEST)


def _read_current(index_dir: Path) -> tuple[str, str] | None:
    """(generation, manifest checksum) of the published generation, or None when nothing is published."""
    try:
        fields = (Path(index_dir) / CURRENT).read_text(encoding="utf-8").split()
    except FileNotFoundError:
        return None
    except (OSError, UnicodeDecodeError) as e:
        raise IndexCorrupt(f"{Path(index_dir) / CURRENT} cannot be read ({e}): run `qa build`") from e
    if len(fields) != 2 or not fields[0].startswith(GEN_PREFIX) or "/" in fields[0]:
        raise IndexCorrupt(f"{Path(index_dir) / CURRENT} is damaged: run `qa build` to publish a new index")
    return fields[0], fields[1]


def current_generation(index_dir: Path) -> str | None:
    current = _read_current(index_dir)
    return current[0] if current else None


# --------------------------------------------------------------------------- load


def load(
    index_dir: Path, settings: Settings | None = None, generation: str | None = None, *, any_lexical: bool = False
) -> IndexData:
    """Load and validate the published generation (or the named one).

    any_lexical: accept an index whose BM25 side was made by other BM25 settings, stopwords or
    abbreviations (a build does, to reuse its vectors, which depend on the model alone)."""
    import bm25s
    import faiss

    settings = settings or Settings()
    index_dir = Path(index_dir)
    current = _read_current(index_dir)
    if current is None:
        raise IndexNotFound(f"no index in {index_dir}: run `qa build` first")
    if generation is None or generation == current[0]:
        generation, manifest_sha = current
    else:
        manifest_sha = None  # an older generation asked for by name: its files are still checked
    folder = index_dir / generation
    manifest_path = folder / MANIFEST
    if not manifest_path.is_file():
        raise IndexCorrupt(f"index generation {folder} has no manifest: run `qa build` to rebuild it")
    if manifest_sha is not None and _sha256(manifest_path) != manifest_sha:
        raise IndexCorrupt(f"{manifest_path} has changed since it was published (checksum mismatch): run `qa build`")
    try:
        manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    except (ValueError, UnicodeDecodeError) as e:
        raise IndexCorrupt(f"{manifest_path} is not valid JSON ({e}): run `qa build` to rebuild the index") from e
    _check_manifest(manifest, settings, folder, any_lexical)
    _check_files(manifest, folder)

    try:
        lines = (folder / PASSAGES).read_text(encoding="utf-8").splitlines()
        records = [json.loads(line) for line in lines if line]
        passages = [
            StoredPassage(
                passage=Passage(r["doc"], r["cite"], tuple(r["headings"]), r["text"], r.get("page"), r.get("title", "")),
                hash=r["hash"],
                sentences=tuple((int(s), int(e)) for s, e in r["sentences"]),
            )
            for r in records
        ]
        dense = faiss.read_index(str(folder / DENSE))
        if hasattr(dense, "hnsw"):
            dense.hnsw.efSearch = settings.hnsw_ef_search
        sentence_vectors = np.load(folder / SENTENCES, allow_pickle=False, mmap_mode="r")
        bm25 = bm25s.BM25.load(str(folder / BM25_DIR), mmap=True, allow_pickle=False)
    except (OSError, ValueError, KeyError, TypeError, RuntimeError) as e:
        raise IndexCorrupt(f"index generation {folder} cannot be read ({e}): run `qa build` to rebuild it") from e

    counts = manifest["counts"]
    found = {
        "passages": len(passages),
        "vectors": dense.ntotal,
        "bm25 documents": int(bm25.scores["num_docs"]),
        "sentences": sum(len(p.sentences) for p in passages),
        "sentence vectors": sentence_vectors.shape[0],
    }
    expected = {
        "passages": counts["passages"],
        "vectors": counts["passages"],
        "bm25 documents": counts["passages"],
        "sentences": counts["sentences"],
        "sentence vectors": counts["sentences"],
    }
    wrong = [k for k in found if found[k] != expected[k]]
    if wrong or dense.d != manifest["model"]["dimension"] or sentence_vectors.ndim != 2:
        raise IndexCorrupt(
            f"index generation {folder} is inconsistent ({', '.join(f'{k}={found[k]}, expected {expected[k]}' for k in wrong) or 'dimension'}): "
            "run `qa build` to rebuild it"
        )
    offsets = np.zeros(len(passages) + 1, dtype=np.int64)
    offsets[1:] = np.cumsum([len(p.sentences) for p in passages])
    return IndexData(
        path=folder,
        generation=generation,
        manifest=manifest,
        passages=passages,
        dense=dense,
        sentence_vectors=sentence_vectors,
        sentence_offsets=offsets,
        bm25=bm25,
        tokenizer=tokenizer_for(tuple(manifest["terms"])),
    )


def _check_manifest(manifest: dict, settings: Settings, folder: Path, any_lexical: bool = False) -> None:
    try:
        version = manifest["format_version"]
        model = manifest["model"]["id"]
        params = manifest["settings"]
        manifest["counts"]["passages"], manifest["files"], manifest["terms"], manifest["documents"]
    except (KeyError, TypeError) as e:
        raise IndexCorrupt(f"{folder / MANIFEST} lacks {e}: run `qa build` to rebuild the index") from e
    if version != FORMAT_VERSION:
        raise IndexMismatch(
            f"index {folder} has format {version}, this version of qa reads format {FORMAT_VERSION}: run `qa build` to rebuild it"
        )
    if model != settings.model:
        raise IndexMismatch(
            f"index {folder} was built with model {model!r} but {settings.model!r} is configured: "
            f"run `qa build --model {settings.model}` to rebuild it, or set QA_MODEL={model}"
        )
    wanted = settings.retrieval_params()
    differ = [k for k in wanted if params.get(k) != wanted[k]]
    if differ and not any_lexical:
        raise IndexMismatch(
            f"index {folder} was built with other settings ({', '.join(f'{k}={params.get(k)!r}' for k in differ)}): run `qa build` to rebuild it"
        )
    if not any_lexical and manifest.get("analyzer") != analyzer_fingerprint():
        raise IndexMismatch(
            f"index {folder} was tokenized with other stopwords, abbreviations or jieba version: run `qa build` to rebuild it"
        )


def _check_files(manifest: dict, folder: Path) -> None:
    files = manifest["files"]
    for rel, meta in files.items():
        path = folder / rel
        if not path.is_file():
            raise IndexCorrupt(f"index file {path} is missing: run `qa build` to rebuild the index")
        if path.stat().st_size != meta["bytes"] or _sha256(path) != meta["sha256"]:
            raise IndexCorrupt(
                f"index file {path} has changed since it was written (checksum mismatch): run `qa build` to rebuild the index"
            )
    present = {str(p.relative_to(folder)) for p in _files_of(folder)}
    extra = present - set(files)
    if extra:
        raise IndexCorrupt(f"index generation {folder} holds unexpected files ({sorted(extra)[0]}): run `qa build`")


# --------------------------------------------------------------------------- build


class BuildLock:
    """One writer per index folder. Fails fast naming the running build, or waits."""

    def __init__(self, index_dir: Path, wait: bool):
        from filelock import FileLock

        self.index_dir = index_dir
        self.wait = wait
        self._lock = FileLock(str(index_dir / LOCK), timeout=-1 if wait else 0)

    def __enter__(self):
        from filelock import Timeout

        try:
            self._lock.acquire()
        except Timeout:
            raise BuildLocked(
                f"another build is running on {self.index_dir} ({_describe_holder(self.index_dir)}): "
                "wait for it to finish, or run `qa build --wait`"
            ) from None
        info = {"pid": os.getpid(), "host": socket.gethostname(), "started": _now()}
        _write_atomic(self.index_dir / LOCK_INFO, json.dumps(info))
        return self

    def __exit__(self, *exc):
        try:
            (self.index_dir / LOCK_INFO).unlink(missing_ok=True)
        finally:
            self._lock.release()


def _describe_holder(index_dir: Path) -> str:
    try:
        info = json.loads((index_dir / LOCK_INFO).read_text(encoding="utf-8"))
        return f"pid {info['pid']} on {info['host']}, started {info['started']}"
    except (OSError, ValueError, KeyError):
        return "holder unknown"


def _now() -> str:
    return dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")


def build(
    corpus_dir: Path,
    index_dir: Path,
    settings: Settings | None = None,
    *,
    wait: bool = False,
    progress: bool = False,
    encoder=None,
) -> BuildReport:
    """Build the index of `corpus_dir` into a new generation of `index_dir` and publish it.

    Incremental: a sentence whose normalised text is unchanged reuses its stored vector. The corpus is
    read and parsed before anything is written, so bad input changes nothing.
    """
    started = time.perf_counter()
    settings = settings or Settings()
    corpus_dir, index_dir = Path(corpus_dir), Path(index_dir)
    corpus_files(corpus_dir)  # a missing or empty folder is refused before anything is created
    index_dir.mkdir(parents=True, exist_ok=True)
    with BuildLock(index_dir, wait):
        _remove_stale(index_dir)
        previous = _previous(index_dir, settings)
        # Every file read and parsed before anything is written: bad input changes nothing.
        corpus = read_corpus(
            corpus_dir, settings.max_passage_chars, previous.corpus_documents(settings.max_passage_chars) if previous else None,
            _read_unreadable(index_dir),
        )
        parse_seconds = time.perf_counter() - started
        # The question encoder's graph is made here, where torch is at hand, so no question waits for it.
        from .question_encoder import prepare_question_encoder

        prepare_question_encoder(settings.model, settings.question_encoder)
        report = _build_locked(corpus, index_dir, settings, previous, progress, encoder, started)
        _write_unreadable(index_dir, corpus.skipped)
        _remove_old_generations(index_dir, settings.keep_generations)
        blank = {d.file: list(d.pages_without_text) for d in corpus.documents if d.pages_without_text}
    return dataclasses.replace(
        report, skipped=tuple(corpus.skipped), parsed=corpus.parsed, parse_seconds=round(parse_seconds, 3),
        pages_without_text=blank,
    )


def _previous(index_dir: Path, settings: Settings) -> IndexData | None:
    """The published generation, if it is valid for these settings: the source of reusable vectors."""
    try:
        return load(index_dir, settings, any_lexical=True)
    except QAError:
        return None


def _build_locked(
    corpus,
    index_dir: Path,
    settings: Settings,
    previous: IndexData | None,
    progress: bool,
    encoder,
    started: float,
) -> BuildReport:
    documents, examples = corpus.documents, corpus.examples
    passages = [p for d in documents for p in d.passages]
    terms = heading_terms(list(dict.fromkeys(h for p in passages for h in p.headings)))
    hashes = [_hash(settings.model, p.text) for p in passages]

    old = {sp.passage.key: sp for sp in (previous.passages if previous else [])}
    keys = [p.key for p in passages]
    added = sum(1 for k in keys if k not in old)
    changed = sum(1 for k, h in zip(keys, hashes) if k in old and old[k].hash != h)
    removed = len(set(old) - set(keys))

    doc_meta = [d.record() for d in documents]
    if previous is not None and _same_content(previous, passages, hashes, terms, doc_meta, examples, settings):
        return BuildReport(
            documents=len(documents), passages=len(passages), added=0, changed=0, removed=0,
            reused=len(passages), embedded=0, seconds=round(time.perf_counter() - started, 3),
            generation=previous.generation, published=False,
        )

    # Only sentences are encoded; reuse their vectors by content hash, wherever they were before.
    old_sentences: dict[str, np.ndarray] = {}
    if previous is not None:
        for i, sp in enumerate(previous.passages):
            lo, hi = previous.sentence_offsets[i], previous.sentence_offsets[i + 1]
            for (s, e), row in zip(sp.sentences, range(lo, hi)):
                old_sentences[_hash(settings.model, sp.passage.text[s:e])] = np.asarray(previous.sentence_vectors[row])

    spans = [split_sentences(p.text) for p in passages]
    sentence_texts = [p.text[s:e] for p, sp in zip(passages, spans) for s, e in sp]
    sentence_hashes = [_hash(settings.model, t) for t in sentence_texts]
    owner = [i for i, sp in enumerate(spans) for _ in sp]  # the passage of each sentence

    todo = sorted({h: i for i, h in enumerate(sentence_hashes) if h not in old_sentences}.values())
    encode_started = time.perf_counter()
    if todo or encoder is not None:
        if encoder is None:
            from .embed import load_encoder

            encoder = load_encoder(settings.model)
        fresh = encoder.encode([sentence_texts[i] for i in todo], batch_size=settings.embed_batch_size, progress=progress)
        dim = encoder.dimension
        for j, i in enumerate(todo):
            old_sentences[sentence_hashes[i]] = fresh[j]
    else:
        dim = previous.manifest["model"]["dimension"]
    embedded = len({owner[i] for i in todo})
    encode_seconds = time.perf_counter() - encode_started

    sentence_vectors = (
        np.stack([old_sentences[h] for h in sentence_hashes]).astype(np.float32)
        if sentence_hashes
        else np.zeros((0, dim), np.float32)
    )
    vectors = paragraph_vectors(sentence_vectors, spans)

    generation = f"{GEN_PREFIX}{dt.datetime.now(dt.timezone.utc).strftime('%Y%m%dT%H%M%S%f')}-{os.getpid()}"
    tmp = index_dir / f"{TMP_PREFIX}{generation}"
    tmp.mkdir()
    _write_generation(tmp, passages, hashes, spans, vectors, sentence_vectors, settings, terms, doc_meta, generation, examples)
    final = index_dir / generation
    os.rename(tmp, final)
    fsync_path(index_dir)
    _write_atomic(index_dir / CURRENT, f"{generation} {_sha256(final / MANIFEST)}\n")
    return BuildReport(
        documents=len(documents),
        passages=len(passages),
        added=added,
        changed=changed,
        removed=removed,
        reused=len(passages) - embedded,
        embedded=embedded,
        seconds=round(time.perf_counter() - started, 3),
        generation=generation,
        published=True,
        encode_seconds=round(encode_seconds, 3),
    )


def _same_content(previous: IndexData, passages, hashes, terms, doc_meta, examples, settings: Settings) -> bool:
    return (
        previous.manifest.get("analyzer") == analyzer_fingerprint()
        and previous.manifest.get("reader_rules") == RULES_VERSION
        and previous.manifest.get("examples") == examples
        and previous.manifest["settings"] == settings.retrieval_params()
        and previous.manifest["terms"] == terms
        and [_content_of(d) for d in previous.manifest["documents"]] == [_content_of(d) for d in doc_meta]
        and [sp.passage for sp in previous.passages] == passages
        and [sp.hash for sp in previous.passages] == hashes
    )


def _content_of(record: dict) -> dict:
    """A document record without its file times: touching a file changes nothing indexed."""
    return {k: v for k, v in record.items() if k != "mtime_ns"}


def dense_index(vectors: np.ndarray, settings: Settings):
    """Exact inner-product search up to `ann_threshold` vectors, HNSW above (README, "Scale")."""
    import faiss

    if len(vectors) >= settings.ann_threshold:
        dense = faiss.IndexHNSWFlat(vectors.shape[1], settings.hnsw_m, faiss.METRIC_INNER_PRODUCT)
        dense.hnsw.efConstruction = 2 * settings.hnsw_m
        dense.hnsw.efSearch = settings.hnsw_ef_search
    else:
        dense = faiss.IndexFlatIP(vectors.shape[1])
    dense.add(vectors)
    return dense


def _write_generation(folder, passages, hashes, spans, vectors, sentence_vectors, settings, terms, doc_meta, generation, examples):
    import bm25s
    import faiss

    with open(folder / PASSAGES, "w", encoding="utf-8") as f:
        for p, h, sp in zip(passages, hashes, spans):
            f.write(json.dumps({**asdict(p), "hash": h, "sentences": sp}, ensure_ascii=False) + "\n")

    dense = dense_index(vectors, settings)
    faiss.write_index(dense, str(folder / DENSE))
    np.save(folder / SENTENCES, sentence_vectors, allow_pickle=False)

    tokenizer = tokenizer_for(tuple(terms))
    bm25 = bm25s.BM25(k1=settings.bm25_k1, b=settings.bm25_b)
    bm25.index([tokenizer.tokens(bm25_text(p, sp, settings)) or [""] for p, sp in zip(passages, spans)], show_progress=False)
    bm25.save(str(folder / BM25_DIR), show_progress=False)

    files = {}
    for path in _files_of(folder):
        fsync_path(path)
        files[str(path.relative_to(folder))] = {"sha256": _sha256(path), "bytes": path.stat().st_size}
    manifest = {
        "format_version": FORMAT_VERSION,
        "generation": generation,
        "built_at": _now(),
        "model": {"id": settings.model, "dimension": int(vectors.shape[1])},
        "settings": settings.retrieval_params(),
        "analyzer": analyzer_fingerprint(),
        "counts": {"documents": len(doc_meta), "passages": len(passages), "sentences": int(sentence_vectors.shape[0])},
        "documents": doc_meta,
        "reader_rules": RULES_VERSION,
        "examples": examples,
        "terms": terms,
        "passages": [{"key": p.key, "hash": h} for p, h in zip(passages, hashes)],
        "files": files,
        "versions": _versions(),
    }
    with open(folder / MANIFEST, "w", encoding="utf-8") as f:
        json.dump(manifest, f, ensure_ascii=False, indent=1)
        f.flush()
        os.fsync(f.fileno())
    fsync_path(folder)
    for sub in {p.parent for p in _files_of(folder)}:
        fsync_path(sub)


def _versions() -> dict:
    from importlib.metadata import PackageNotFoundError, version

    out = {"qa": __version__, "python": platform.python_version()}
    for pkg in ("faiss-cpu", "bm25s", "sentence-transformers", "torch", "jieba", "opencc"):
        try:
            out[pkg] = version(pkg)
        except PackageNotFoundError:
            pass
    return out


def _read_unreadable(index_dir: Path) -> list[Skipped]:
    try:
        record = json.loads((index_dir / UNREADABLE).read_text(encoding="utf-8"))
        if record.get("reader_rules") != RULES_VERSION:
            return []
        return [Skipped(u["file"], u["reason"], kept=False, sha256=u["sha256"]) for u in record["files"]]
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return []  # no cache, or a damaged one: every file is parsed


def _write_unreadable(index_dir: Path, skipped) -> None:
    files = [{"file": s.file, "sha256": s.sha256, "reason": s.reason} for s in skipped if s.sha256]
    if files or (index_dir / UNREADABLE).exists():
        _write_atomic(index_dir / UNREADABLE, json.dumps({"reader_rules": RULES_VERSION, "files": files}, ensure_ascii=False))


def _remove_stale(index_dir: Path) -> None:
    """Temporary folders and files left by a build that died (we hold the lock: none is in use)."""
    for path in index_dir.glob(f"{TMP_PREFIX}*"):
        if path.is_dir():
            shutil.rmtree(path, ignore_errors=True)
        else:
            path.unlink(missing_ok=True)


def _remove_old_generations(index_dir: Path, keep: int) -> None:
    """Keep the current generation and the ones just before it (a server may still be reading one)."""
    current = current_generation(index_dir)
    gens = sorted((p for p in index_dir.glob(f"{GEN_PREFIX}*") if p.is_dir()), key=lambda p: p.name)
    keepers = {current} | {p.name for p in gens[-keep:]}
    for path in gens:
        if path.name not in keepers:
            shutil.rmtree(path, ignore_errors=True)
