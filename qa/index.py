"""Build the index of a corpus (incremental, atomic, locked) into a store, and load it back (validated).

Where the index lives is the store's business (qa/store/: an index folder by default, or Milvus);
what goes into a generation is decided here, once, for every store: the passages, their sentence
vectors (reused by content hash, so only changed text is embedded), a vector per passage, the BM25
index and the manifest. The corpus is read and parsed before anything is written: bad input changes
nothing; a store publishes a generation only once it is complete.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import os
import platform
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from . import __version__
from .corpus import Passage, Skipped, duplicate_files, list_corpus, read_corpus
from .errors import QAError
from .readers import reader_rules
from .readers.blocks import numbering
from .settings import Settings
from .store import FORMAT_VERSION, GEN_PREFIX, IndexData, NewGeneration, StoredPassage, Store, open_store
from .store.local import CURRENT, MANIFEST, UNREADABLE, LocalIndex, dense_index  # noqa: F401 (the local layout, for tests and scripts)
from .text import analyzer_fingerprint, heading_terms, normalize, split_sentences, sums_up, tokenizer_for
from .word_table import WHOLE_DICTIONARY_CHARS

__all__ = ["BuildReport", "IndexData", "StoredPassage", "FORMAT_VERSION", "build", "load", "current_generation", "bm25_text", "paragraph_vectors"]


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
    encode_seconds: float = 0.0  # of `seconds`, encoding sentences and passages in their sections
    pages_without_text: dict = None  # {file: [pages]} of PDFs: pages with no text layer, not indexed
    pages_read_by_ocr: dict = None  # {file: [pages]} of PDFs: pages with no text layer that OCR read
    not_read: tuple[tuple[str, str], ...] = ()  # (file, what to do) of document types no reader takes
    copies: tuple[tuple[str, str], ...] = ()  # (file, the earlier file with the same bytes): both indexed


# --------------------------------------------------------------------------- what gets embedded


def _title(p: Passage) -> str:
    return p.section.split(" ", 1)[-1]  # the section heading without its number


def in_section(p: Passage) -> str:
    """A passage as read in its section: its heading without the number, then its text (the document's
    title where it has no heading). Encoded once more, as a whole: a report puts its subject in the heading
    (「痛风的非药物治疗…」 over 「饮食上限制高嘌呤…」), which no sentence of the passage repeats
    (docs/retrieval.md, "A passage in its section"). A change here changes stored vectors that an unchanged
    corpus would not rebuild: bump FORMAT_VERSION with it."""
    numbered = numbering(p.section) if p.headings else None  # the readers' own reading of a heading's number
    heading = normalize(numbered[2] if numbered else p.section or p.title)
    return f"{heading}：{p.text}" if heading else p.text


def sentence_texts(p: Passage, spans: list[tuple[int, int]]) -> list[str]:
    """What is encoded of each sentence: its text, and in a list's or table's lines, its lead line before it. A
    table's row alone (「平均行程时间 平均行程时间 DL2」) or a list's item says little of what it is about, and as a
    short sentence it matched short questions of anything (docs/retrieval.md, "A line under its lead"). A change
    here changes stored vectors that an unchanged corpus would not rebuild: bump FORMAT_VERSION with it."""
    texts = [p.text[s:e] for s, e in spans]
    if not p.lead:
        return texts
    lead = p.text.split("\n", 1)[0]
    context = lead.rstrip("：: ")
    return [f"{context}：{t}" if s > len(lead) else t for t, (s, _) in zip(texts, spans)]


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

    Its bare text is not encoded: an encoded paragraph vector beat its best sentence in 1.5 % of
    question-paragraph pairs of the shipped report and changed no ranking in cross-validation. Read under
    its heading (`in_section`) it does, on reports that name a section's subject only in its heading
    (docs/retrieval.md, "A passage in its section"); that vector scores, this one only finds candidates.
    """
    out = np.zeros((len(spans), sentence_vectors.shape[1]), dtype=np.float32)
    row = 0
    for i, sp in enumerate(spans):
        weights = np.array([e - s for s, e in sp], dtype=np.float32)
        v = weights @ sentence_vectors[row : row + len(sp)]
        out[i] = v / max(float(np.linalg.norm(v)), 1e-12)
        row += len(sp)
    return out


# --------------------------------------------------------------------------- load


def _store(index: str | Path | Store, settings: Settings | None) -> Store:
    return index if hasattr(index, "publish") else open_store(index, settings)


def load(
    index: str | Path | Store, settings: Settings | None = None, generation: str | None = None, *, any_lexical: bool = False
) -> IndexData:
    """Load and validate the published generation (or the named one) of an index folder or Milvus URI.

    any_lexical: accept an index whose BM25 side was made by other BM25 settings, stopwords or
    abbreviations (a build does, to reuse its vectors, which depend on the model alone)."""
    settings = settings or Settings()
    return _store(index, settings).load(settings, generation, any_lexical=any_lexical)


def current_generation(index: str | Path | Store, settings: Settings | None = None) -> str | None:
    return _store(index, settings).current()


# --------------------------------------------------------------------------- build


def _now() -> str:
    return dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")


def build(
    corpus_dir: Path,
    index: str | Path | Store,
    settings: Settings | None = None,
    *,
    wait: bool = False,
    progress: bool = False,
    encoder=None,
) -> BuildReport:
    """Build the index of `corpus_dir` into a new generation of `index` (a folder or a Milvus URI) and publish it.

    Incremental: a sentence whose normalised text is unchanged reuses its stored vector. The corpus is
    read and parsed before anything is written, so bad input changes nothing.
    """
    started = time.perf_counter()
    settings = settings or Settings()
    corpus_dir = Path(corpus_dir)
    list_corpus(corpus_dir)  # a missing or empty folder is refused before anything is created
    store = _store(index, settings)
    with store.lock(wait):
        store.remove_stale()
        previous = _previous(store, settings)
        # Every file read and parsed before anything is written: bad input changes nothing.
        corpus = read_corpus(
            corpus_dir, settings.max_passage_chars, previous.corpus_documents(settings.max_passage_chars) if previous else None,
            _unreadable(store), progress,
        )
        parse_seconds = time.perf_counter() - started
        # The question encoder's graph is made here, where torch is at hand, so no question waits for it.
        from .question_encoder import prepare_question_encoder

        prepare_question_encoder(settings.model, settings.question_encoder)
        report = _build_locked(corpus, store, settings, previous, progress, encoder, started)
        # Every skipped file, for `qa docs`; those with their bytes' hash are not parsed again unchanged.
        files = [{"file": s.file, "sha256": s.sha256, "reason": s.reason} for s in corpus.skipped]
        store.write_unreadable({"reader_rules": reader_rules(), "files": files})
        store.remove_old(settings.keep_generations)
        blank = {d.file: list(d.pages_without_text) for d in corpus.documents if d.pages_without_text}
        scanned = {d.file: list(d.pages_read_by_ocr) for d in corpus.documents if d.pages_read_by_ocr}
    return dataclasses.replace(
        report, skipped=tuple(corpus.skipped), parsed=corpus.parsed, parse_seconds=round(parse_seconds, 3),
        pages_without_text=blank, pages_read_by_ocr=scanned, not_read=tuple(corpus.not_read), copies=tuple(duplicate_files(corpus.documents)),
    )


def _previous(store: Store, settings: Settings) -> IndexData | None:
    """The published generation, if it is valid for these settings: the source of reusable vectors."""
    try:
        return store.load(settings, any_lexical=True)
    except QAError:
        return None


def unreadable_files(index: str | Path | Store, settings: Settings | None = None) -> list[Skipped]:
    """The files the last build could not read (a file indexed before keeps its earlier passages)."""
    return _unreadable(_store(index, settings))


def _unreadable(store: Store) -> list[Skipped]:
    record = store.read_unreadable()
    try:
        if not record or record.get("reader_rules") != reader_rules():
            return []
        return [Skipped(u["file"], u["reason"], kept=False, sha256=u["sha256"]) for u in record["files"]]
    except (KeyError, TypeError, AttributeError):
        return []  # a damaged record: every file is parsed


def _build_locked(corpus, store: Store, settings: Settings, previous: IndexData | None, progress: bool, encoder, started: float) -> BuildReport:
    documents, examples = corpus.documents, corpus.examples
    passages = [p for d in documents for p in d.passages]
    terms = heading_terms(list(dict.fromkeys(h for p in passages for h in p.headings)))
    hashes = [_hash(settings.model, p.text) for p in passages]

    old = {sp.passage.key: sp for sp in (previous.passages if previous else [])}
    keys = [p.key for p in passages]
    added = sum(1 for k in keys if k not in old)
    # By the text itself: one whose lines alone changed (an item split off) has the same hash, normalised.
    changed = sum(1 for p in passages if p.key in old and old[p.key].passage.text != p.text)
    removed = len(set(old) - set(keys))

    doc_meta = [d.record() for d in documents]
    if previous is not None and _same_content(previous, passages, hashes, terms, doc_meta, examples, settings):
        return BuildReport(
            documents=len(documents), passages=len(passages), added=0, changed=0, removed=0,
            reused=len(passages), embedded=0, seconds=round(time.perf_counter() - started, 3),
            generation=previous.generation, published=False,
        )

    spans = [split_sentences(p.text) for p in passages]
    # What is encoded: every sentence, then every passage read in its section (IndexData.in_section_rows).
    texts = [t for p, sp in zip(passages, spans) for t in sentence_texts(p, sp)] + [in_section(p) for p in passages]
    text_hashes = [_hash(settings.model, t) for t in texts]
    owner = [i for i, sp in enumerate(spans) for _ in sp] + list(range(len(passages)))  # the passage of each row

    # Reuse vectors by content hash, wherever they were before: only changed text is encoded.
    old_vectors = _stored_vectors(previous, set(text_hashes), settings.model)
    todo = sorted({h: i for i, h in enumerate(text_hashes) if h not in old_vectors}.values())
    encode_started = time.perf_counter()
    if todo or encoder is not None:
        if encoder is None:
            from .embed import load_encoder

            encoder = load_encoder(settings.model)
        fresh = encoder.encode([texts[i] for i in todo], batch_size=settings.embed_batch_size, progress=progress)
        dim = encoder.dimension
        for j, i in enumerate(todo):
            old_vectors[text_hashes[i]] = fresh[j]
    else:
        dim = previous.dimension
    embedded = len({owner[i] for i in todo})
    encode_seconds = time.perf_counter() - encode_started

    sentence_vectors = (
        np.stack([old_vectors[h] for h in text_hashes]).astype(np.float32)
        if text_hashes
        else np.zeros((0, dim), np.float32)
    )
    sentences = sum(len(sp) for sp in spans)
    vectors = paragraph_vectors(sentence_vectors[:sentences], spans)

    import bm25s

    bm25 = bm25s.BM25(k1=settings.bm25_k1, b=settings.bm25_b)
    bm25.index(_bm25_tokens(tuple(terms), [bm25_text(p, sp, settings) for p, sp in zip(passages, spans)]), show_progress=False)

    name = f"{GEN_PREFIX}{dt.datetime.now(dt.timezone.utc).strftime('%Y%m%dT%H%M%S%f')}-{os.getpid()}"
    manifest = {
        "format_version": FORMAT_VERSION,
        "generation": name,
        "built_at": _now(),
        "model": {"id": settings.model, "dimension": int(vectors.shape[1])},
        "settings": settings.retrieval_params(),
        "analyzer": analyzer_fingerprint(),
        "counts": {"documents": len(doc_meta), "passages": len(passages), "sentences": sentences},
        "documents": doc_meta,
        "reader_rules": reader_rules(),
        "examples": examples,
        "terms": terms,
        "passages": [{"key": p.key, "hash": h} for p, h in zip(passages, hashes)],
        "versions": _versions(),
    }
    store.publish(NewGeneration(name, passages, hashes, spans, vectors, sentence_vectors, bm25, manifest), settings)
    return BuildReport(
        documents=len(documents),
        passages=len(passages),
        added=added,
        changed=changed,
        removed=removed,
        reused=len(passages) - embedded,
        embedded=embedded,
        seconds=round(time.perf_counter() - started, 3),
        generation=name,
        published=True,
        encode_seconds=round(encode_seconds, 3),
    )


# The last build's BM25 tokens by text, for its heading terms: a rebuild in the same process (`qa build
# --watch`) cuts only the passages that changed, where cutting all of them took most of its time.
# Each build replaces it, so it holds one corpus at most.
_last_tokens: tuple[tuple[str, ...], dict[str, list[str]]] = ((), {})


def _bm25_tokens(terms: tuple[str, ...], texts: list[str]) -> list[list[str]]:
    global _last_tokens
    tokenizer = tokenizer_for(terms)
    known = _last_tokens[1] if _last_tokens[0] == terms else {}
    if sum(len(text) for text in texts if text not in known) > WHOLE_DICTIONARY_CHARS:
        tokenizer.load_dictionary()
    tokens = {text: known.get(text) or tokenizer.tokens(text) or [""] for text in texts}
    _last_tokens = (terms, tokens)
    return [tokens[text] for text in texts]


def _stored_vectors(previous: IndexData | None, wanted: set[str], model: str) -> dict[str, np.ndarray]:
    """The previous generation's vectors of the sentences (and passages in their sections) still present, by content hash."""
    if previous is None:
        return {}
    rows, hashes = [], []
    in_section_rows = previous.in_section_rows(np.arange(len(previous.passages)))
    for i, sp in enumerate(previous.passages):
        lo = int(previous.sentence_offsets[i])
        texts = [(lo + r, t) for r, t in enumerate(sentence_texts(sp.passage, sp.sentences))] + [(int(in_section_rows[i]), in_section(sp.passage))]
        for row, text in texts:
            h = _hash(model, text)
            if h in wanted:
                rows.append(row)
                hashes.append(h)
    if not rows:
        return {}
    vectors = previous.sentence_rows(np.array(rows, dtype=np.int64))
    return {h: np.asarray(v) for h, v in zip(hashes, vectors)}


def _same_content(previous: IndexData, passages, hashes, terms, doc_meta, examples, settings: Settings) -> bool:
    return (
        previous.manifest.get("analyzer") == analyzer_fingerprint()
        and previous.manifest.get("reader_rules") == reader_rules()
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


def _versions() -> dict:
    from importlib.metadata import PackageNotFoundError, version

    out = {"qa": __version__, "python": platform.python_version()}
    for pkg in ("faiss-cpu", "bm25s", "sentence-transformers", "torch", "jieba", "opencc"):
        try:
            out[pkg] = version(pkg)
        except PackageNotFoundError:
            pass
    return out
