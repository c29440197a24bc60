"""The local store: an index folder of immutable generations (the default).

    index/
      CURRENT                  "<generation> <sha256 of its manifest>" (replaced atomically)
      gen-<time>-<pid>/        one complete, immutable generation
        manifest.json          format, model, settings, counts, passage hashes, file checksums, versions
        passages.jsonl         one passage per line: doc, cite, chapter, section, text, hash, sentence spans
        dense.faiss            a vector per passage, to find candidates: the mean of its sentence vectors
                               weighted by length (exact inner product or HNSW; normalised = cosine)
        sentences.npy          sentence vectors, passage after passage (the dense score and the highlight),
                               then a vector per passage read in its section (its heading, then its text)
        bm25/                  the bm25s index (numpy arrays without pickle + JSON)
      .build.lock              held by the one running build
      .build.json              who holds it (pid, host, start time)

A build writes a new generation into a hidden temporary folder, syncs it, renames it into place,
then replaces CURRENT: readers only ever see complete generations. A crash leaves at most a
temporary folder, removed by the next build.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import shutil
import socket
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np

from ..errors import BuildLocked, IndexCorrupt, IndexNotFound
from ..files import fsync_path
from ..settings import Settings
from . import GEN_PREFIX, IndexData, LexicalScores, NewGeneration, check_manifest, generation_fields, passage_of, postings_of, vector_rows

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


@dataclass
class LocalIndex(IndexData):
    dense: object  # faiss.Index
    sentence_vectors: np.ndarray  # memory-mapped
    bm25: object  # bm25s.BM25

    @property
    def path(self) -> Path:
        return Path(self.location)

    @property
    def vocab(self) -> dict[str, int]:
        return self.bm25.vocab_dict

    @property
    def num_docs(self) -> int:
        return int(self.bm25.scores["num_docs"])

    def doc_freq(self, token_id: int) -> int:
        return len(self.passages_holding([token_id])[0])

    def dense_top(self, vector: np.ndarray, depth: int) -> np.ndarray:
        _, ids = self.dense.search(vector[None, :].astype(np.float32), depth)
        return ids[0][ids[0] >= 0]

    def lexical(self, token_ids: list[int], depth: int) -> LexicalScores:
        scores = self.bm25.get_scores(token_ids) if token_ids else np.zeros(len(self.passages), dtype=np.float32)
        return LexicalScores(top=top_positive(scores, depth), of=lambda ids: scores[ids].astype(np.float32))

    def passages_holding(self, token_ids: list[int]) -> list[np.ndarray]:
        return postings_of(self.bm25.scores["indptr"], self.bm25.scores["indices"], token_ids)  # bm25s is token-major

    def sentence_rows(self, rows: np.ndarray) -> np.ndarray:
        return np.asarray(self.sentence_vectors[rows])


def top_positive(scores: np.ndarray, depth: int) -> np.ndarray:
    """Ids of the `depth` best positive scores (a passage sharing no word is no lexical candidate)."""
    positive = np.flatnonzero(scores > 0)
    if len(positive) > depth:
        positive = positive[np.argpartition(-scores[positive], depth - 1)[:depth]]
    return positive


def sha256_of(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def write_atomic(path: Path, data: str) -> None:
    tmp = path.with_name(f"{TMP_PREFIX}{path.name}.{os.getpid()}")
    with open(tmp, "w", encoding="utf-8") as f:
        f.write(data)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)
    fsync_path(path.parent)


def _files_of(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*") if p.is_file() and p.name != MANIFEST)


def _now() -> str:
    return dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")


class BuildLock:
    """One writer per index folder (or per milvus-lite file). Fails fast naming the running build, or waits."""

    def __init__(self, path: Path, wait: bool, what: str | None = None):
        from filelock import FileLock

        self.path = Path(path)  # the lock file
        self.info = self.path.with_suffix(".json")
        self.what = what or str(self.path.parent)
        self.wait = wait
        self._lock = FileLock(str(self.path), timeout=-1 if wait else 0)

    def __enter__(self):
        from filelock import Timeout

        try:
            self._lock.acquire()
        except Timeout:
            raise BuildLocked(
                f"another build is running on {self.what} ({self._holder()}): wait for it to finish, or run `qa build --wait`"
            ) from None
        info = {"pid": os.getpid(), "host": socket.gethostname(), "started": _now()}
        write_atomic(self.info, json.dumps(info))
        return self

    def __exit__(self, *exc):
        try:
            self.info.unlink(missing_ok=True)
        finally:
            self._lock.release()

    def _holder(self) -> str:
        try:
            info = json.loads(self.info.read_text(encoding="utf-8"))
            return f"pid {info['pid']} on {info['host']}, started {info['started']}"
        except (OSError, ValueError, KeyError):
            return "holder unknown"


class LocalStore:
    def __init__(self, index_dir: Path):
        self.index_dir = Path(index_dir)
        self.location = str(self.index_dir)

    def lock(self, wait: bool) -> BuildLock:
        self.index_dir.mkdir(parents=True, exist_ok=True)
        return BuildLock(self.index_dir / LOCK, wait, str(self.index_dir))

    def _read_current(self) -> tuple[str, str] | None:
        """(generation, manifest checksum) of the published generation, or None when nothing is published."""
        path = self.index_dir / CURRENT
        try:
            fields = path.read_text(encoding="utf-8").split()
        except FileNotFoundError:
            return None
        except (OSError, UnicodeDecodeError) as e:
            raise IndexCorrupt(f"{path} cannot be read ({e}): run `qa build`") from e
        if len(fields) != 2 or not fields[0].startswith(GEN_PREFIX) or "/" in fields[0]:
            raise IndexCorrupt(f"{path} is damaged: run `qa build` to publish a new index")
        return fields[0], fields[1]

    def current(self) -> str | None:
        current = self._read_current()
        return current[0] if current else None

    # ------------------------------------------------------------------ load

    def load(self, settings: Settings, generation: str | None = None, *, any_lexical: bool = False) -> LocalIndex:
        import bm25s
        import faiss

        current = self._read_current()
        if current is None:
            raise IndexNotFound(f"no index in {self.index_dir}: run `qa build` first")
        if generation is None or generation == current[0]:
            generation, manifest_sha = current
        else:
            manifest_sha = None  # an older generation asked for by name: its files are still checked
        folder = self.index_dir / generation
        manifest_path = folder / MANIFEST
        if not manifest_path.is_file():
            raise IndexCorrupt(f"index generation {folder} has no manifest: run `qa build` to rebuild it")
        if manifest_sha is not None and sha256_of(manifest_path) != manifest_sha:
            raise IndexCorrupt(f"{manifest_path} has changed since it was published (checksum mismatch): run `qa build`")
        try:
            manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
        except (ValueError, UnicodeDecodeError) as e:
            raise IndexCorrupt(f"{manifest_path} is not valid JSON ({e}): run `qa build` to rebuild the index") from e
        check_manifest(manifest, settings, str(folder), any_lexical)
        if "files" not in manifest:
            raise IndexCorrupt(f"{manifest_path} lacks 'files': run `qa build` to rebuild the index")
        _check_files(manifest, folder)

        try:
            lines = (folder / PASSAGES).read_text(encoding="utf-8").splitlines()
            passages = [passage_of(json.loads(line)) for line in lines if line]
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
            "sentence vectors": vector_rows(counts),
        }
        wrong = [k for k in found if found[k] != expected[k]]
        if wrong or dense.d != manifest["model"]["dimension"] or sentence_vectors.ndim != 2:
            raise IndexCorrupt(
                f"index generation {folder} is inconsistent ({', '.join(f'{k}={found[k]}, expected {expected[k]}' for k in wrong) or 'dimension'}): "
                "run `qa build` to rebuild it"
            )
        return LocalIndex(
            **generation_fields(str(folder), generation, manifest, passages), dense=dense, sentence_vectors=sentence_vectors, bm25=bm25
        )

    # ------------------------------------------------------------------ write

    def publish(self, gen: NewGeneration, settings: Settings) -> None:
        import faiss

        tmp = self.index_dir / f"{TMP_PREFIX}{gen.name}"
        tmp.mkdir()
        with open(tmp / PASSAGES, "w", encoding="utf-8") as f:
            for p, h, sp in zip(gen.passages, gen.hashes, gen.spans):
                f.write(json.dumps({**asdict(p), "hash": h, "sentences": sp}, ensure_ascii=False) + "\n")
        faiss.write_index(dense_index(gen.vectors, settings), str(tmp / DENSE))
        np.save(tmp / SENTENCES, gen.sentence_vectors, allow_pickle=False)
        gen.bm25.save(str(tmp / BM25_DIR), show_progress=False)

        files = {}
        for path in _files_of(tmp):
            fsync_path(path)
            files[str(path.relative_to(tmp))] = {"sha256": sha256_of(path), "bytes": path.stat().st_size}
        with open(tmp / MANIFEST, "w", encoding="utf-8") as f:
            json.dump({**gen.manifest, "files": files}, f, ensure_ascii=False, indent=1)
            f.flush()
            os.fsync(f.fileno())
        fsync_path(tmp)
        for sub in {p.parent for p in _files_of(tmp)}:
            fsync_path(sub)

        final = self.index_dir / gen.name
        os.rename(tmp, final)
        fsync_path(self.index_dir)
        write_atomic(self.index_dir / CURRENT, f"{gen.name} {sha256_of(final / MANIFEST)}\n")

    def remove_stale(self) -> None:
        """Temporary folders and files left by a build that died (we hold the lock: none is in use)."""
        for path in self.index_dir.glob(f"{TMP_PREFIX}*"):
            if path.is_dir():
                shutil.rmtree(path, ignore_errors=True)
            else:
                path.unlink(missing_ok=True)

    def remove_old(self, keep: int) -> None:
        """Keep the current generation and the ones just before it (a server may still be reading one)."""
        current = self.current()
        gens = sorted((p for p in self.index_dir.glob(f"{GEN_PREFIX}*") if p.is_dir()), key=lambda p: p.name)
        keepers = {current} | {p.name for p in gens[-keep:]}
        for path in gens:
            if path.name not in keepers:
                shutil.rmtree(path, ignore_errors=True)

    def read_unreadable(self) -> dict | None:
        try:
            return json.loads((self.index_dir / UNREADABLE).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None

    def write_unreadable(self, record: dict) -> None:
        if record["files"] or (self.index_dir / UNREADABLE).exists():
            write_atomic(self.index_dir / UNREADABLE, json.dumps(record, ensure_ascii=False))


def _check_files(manifest: dict, folder: Path) -> None:
    files = manifest["files"]
    for rel, meta in files.items():
        path = folder / rel
        if not path.is_file():
            raise IndexCorrupt(f"index file {path} is missing: run `qa build` to rebuild the index")
        if path.stat().st_size != meta["bytes"] or sha256_of(path) != meta["sha256"]:
            raise IndexCorrupt(
                f"index file {path} has changed since it was written (checksum mismatch): run `qa build` to rebuild the index"
            )
    present = {str(p.relative_to(folder)) for p in _files_of(folder)}
    extra = present - set(files)
    if extra:
        raise IndexCorrupt(f"index generation {folder} holds unexpected files ({sorted(extra)[0]}): run `qa build`")


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
