"""The Milvus store: the index in a Milvus server or cluster, or in a milvus-lite `.db` file.

Collections (names start with the prefix, QA_MILVUS_PREFIX, default `qa`):

    qa_meta                    key -> value rows: `current` ("<generation> <sha256 of its manifest>"),
                               the manifest of each generation in chunks (`manifest/<gen>/000000`…),
                               `lock` (the running build, on a server) and `unreadable`
    qa_gen_<time>_<pid>_p      a passage per row: pid, its vector (candidate search, inner product),
                               its BM25 weights as a sparse vector, and the passage record as JSON
    qa_gen_<time>_<pid>_s      a sentence vector per row, by row number (the dense score, the highlight),
                               then a passage read in its section per row

A generation's collections are written and flushed, then its manifest, then the one `current` row
is replaced: readers see the old generation or the new one, never half of one (milvus-lite has no
collection aliases, so the pointer is a row). A build that dies leaves collections no `current`
names; the next build drops them.

BM25 stays exact: a passage's sparse vector holds, for each of its tokens, the bm25s weight
idf·tf/(tf + k1·(1 − b + b·len/avglen)) of the whole generation, and a question's sparse vector its
token counts, so the inner product is the bm25s score. The weights depend on every document (idf,
average length), so each build writes them all again; sentence vectors are reused by content hash,
so only changed text is embedded. The vocabulary and document frequencies live in the manifest.
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
import socket
import threading
import time
import uuid
from collections import Counter
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np

from ..errors import BuildLocked, IndexCorrupt, IndexNotFound, StoreError
from ..settings import Settings
from . import GEN_PREFIX, IndexData, LexicalScores, NewGeneration, check_manifest, generation_fields, passage_of, postings_of, vector_rows

_VARCHAR = 65_535  # Milvus's longest VARCHAR, in bytes
_CHUNK = 60_000  # manifest characters per row (ASCII JSON: a character is a byte)
_INSERT_ROWS = 1_000  # rows per insert: milvus-lite times out on batches of 5,000+ 512-d rows
_FETCH_ROWS = 4_000  # rows per query (a query returns at most 16,384)
_TIMEOUT = 60.0  # seconds for one call
_LEASE_SECONDS = 6 * 3600  # a build lock on a server older than this is taken over


def _is_lite(location: str) -> bool:
    return location.endswith(".db")


class MilvusStore:
    """One Milvus database and collection prefix. One connection per process and location."""

    _open: dict[tuple[str, str], "MilvusStore"] = {}
    _open_lock = threading.Lock()

    @classmethod
    def open(cls, location: str, settings: Settings) -> "MilvusStore":
        key = (str(Path(location).absolute()) if _is_lite(location) else location, settings.milvus_prefix)
        with cls._open_lock:
            if key not in cls._open:
                cls._open[key] = cls(location, settings)
            return cls._open[key]

    def __init__(self, location: str, settings: Settings):
        try:
            import pymilvus  # noqa: F401
        except ImportError:
            raise StoreError("the Milvus store needs pymilvus: pip install 'qa[milvus]'") from None
        self.location = location
        self.prefix = settings.milvus_prefix
        self.meta = f"{self.prefix}_meta"
        self._token = settings.milvus_token
        self._reconnect_lock = threading.Lock()
        self.client = self._connect()
        self._ensure_meta()

    # ------------------------------------------------------------------ connection

    def _connect(self):
        from pymilvus import MilvusClient
        from pymilvus.exceptions import MilvusException

        uri = self.location
        if _is_lite(uri):
            from .milvus_lite import engine_uri

            uri = engine_uri(Path(uri))
        try:
            return MilvusClient(uri=uri, token=self._token, timeout=_TIMEOUT)
        except MilvusException as e:
            raise StoreError(f"cannot connect to Milvus at {self.location} ({e.message}): is it running?") from e

    def call(self, method: str, *args, **kwargs):
        """A client call; Milvus errors become StoreError. With milvus-lite, a lost engine (its host
        process ended) is started again once and the call repeated."""
        from pymilvus.exceptions import MilvusException

        client = self.client
        try:
            return getattr(client, method)(*args, timeout=_TIMEOUT, **kwargs)
        except MilvusException as e:
            if not (_is_lite(self.location) and _unreachable(e)):
                raise StoreError(f"Milvus at {self.location}: {method} failed ({e.message})") from e
        with self._reconnect_lock:
            if self.client is client:
                self.client = self._connect()
                for name in self.call("list_collections"):
                    if name.startswith(self.prefix + "_"):
                        self.call("load_collection", name)
        try:
            return getattr(self.client, method)(*args, timeout=_TIMEOUT, **kwargs)
        except MilvusException as e:
            raise StoreError(f"Milvus at {self.location}: {method} failed ({e.message})") from e

    # ------------------------------------------------------------------ meta rows

    def _ensure_meta(self) -> None:
        from pymilvus import DataType

        if self.call("has_collection", self.meta):
            self.call("load_collection", self.meta)
            return
        schema = self.client.create_schema(auto_id=False)
        schema.add_field("key", DataType.VARCHAR, is_primary=True, max_length=512)
        schema.add_field("value", DataType.VARCHAR, max_length=_VARCHAR)
        schema.add_field("v", DataType.FLOAT_VECTOR, dim=2)  # Milvus wants a vector field in every collection
        index = self.client.prepare_index_params()
        index.add_index("v", index_type="FLAT", metric_type="L2")
        self.call("create_collection", self.meta, schema=schema, index_params=index, consistency_level="Strong")

    def _get(self, key: str) -> str | None:
        rows = self.call("query", self.meta, filter=f"key == {json.dumps(key)}", output_fields=["value"])
        return rows[0]["value"] if rows else None

    def _put(self, key: str, value: str) -> None:
        self.call("upsert", self.meta, [{"key": key, "value": value, "v": [1.0, 0.0]}])
        self.call("flush", self.meta)

    def _delete(self, filter: str) -> None:
        self.call("delete", self.meta, filter=filter)
        self.call("flush", self.meta)

    # ------------------------------------------------------------------ the store interface

    def lock(self, wait: bool):
        if _is_lite(self.location):  # one machine: a file lock, exact
            from .local import BuildLock

            db = Path(self.location).absolute()
            return BuildLock(db.with_name(f".{db.name}.build.lock"), wait, self.location)
        return _Lease(self, wait)

    def _read_current(self) -> tuple[str, str] | None:
        value = self._get("current")
        if value is None:
            return None
        fields = value.split()
        if len(fields) != 2 or not fields[0].startswith(GEN_PREFIX):
            raise IndexCorrupt(f"the `current` row of {self.location} is damaged: run `qa build` to publish a new index")
        return fields[0], fields[1]

    def current(self) -> str | None:
        current = self._read_current()
        return current[0] if current else None

    def _collections(self, generation: str) -> tuple[str, str]:
        base = f"{self.prefix}_{generation.replace('-', '_')}"
        return f"{base}_p", f"{base}_s"

    def _generations(self) -> set[str]:
        """Every generation with collections or a manifest here, complete or not."""
        head = f"{self.prefix}_{GEN_PREFIX.replace('-', '_')}"
        names = {n[len(self.prefix) + 1 : -2].replace("_", "-") for n in self.call("list_collections") if n.startswith(head)}
        rows = self.call("query", self.meta, filter='key like "manifest/%"', output_fields=["key"], limit=16_384)
        return names | {r["key"].split("/")[1] for r in rows}

    def load(self, settings: Settings, generation: str | None = None, *, any_lexical: bool = False) -> "MilvusIndex":
        current = self._read_current()
        where = f"{self.location} ({generation or (current or ['', ''])[0]})"
        if current is None:
            raise IndexNotFound(f"no index in {self.location}: run `qa build --store {self.location}` first")
        if generation is None or generation == current[0]:
            generation, manifest_sha = current
        else:
            manifest_sha = None
        text = self._manifest_text(generation)
        if not text:
            raise IndexNotFound(f"index generation {generation} is not in {self.location}: run `qa build`")
        if manifest_sha is not None and hashlib.sha256(text.encode()).hexdigest() != manifest_sha:
            raise IndexCorrupt(f"the manifest of {where} has changed since it was published (checksum mismatch): run `qa build`")
        try:
            manifest = json.loads(text)
            lexicon = manifest["lexicon"]
            vocab = {t: i for i, t in enumerate(lexicon["tokens"])}
            doc_freq = np.asarray(lexicon["df"], dtype=np.int64)
        except (ValueError, KeyError, TypeError) as e:
            raise IndexCorrupt(f"the manifest of {where} cannot be read ({e}): run `qa build`") from e
        check_manifest(manifest, settings, where, any_lexical)

        passage_rows, sentence_rows = self._collections(generation)
        counts = manifest["counts"]
        try:
            for name in (passage_rows, sentence_rows):
                self.call("load_collection", name)
            records = self._fetch(passage_rows, "pid", 0, counts["passages"], ["record"])
            passages = [passage_of(json.loads(r["record"])) for r in records]
            stored_sentences = self._count(sentence_rows)
        except (StoreError, ValueError, KeyError, TypeError) as e:
            raise IndexCorrupt(f"index generation {where} cannot be read ({e}): run `qa build` to rebuild it") from e
        found = {"passages": len(passages), "sentences": sum(len(p.sentences) for p in passages), "sentence vectors": stored_sentences}
        expected = {"passages": counts["passages"], "sentences": counts["sentences"], "sentence vectors": vector_rows(counts)}
        wrong = [k for k in found if found[k] != expected[k]]
        if wrong or len(doc_freq) != len(vocab):
            raise IndexCorrupt(
                f"index generation {where} is inconsistent ({', '.join(f'{k}={found[k]}, expected {expected[k]}' for k in wrong) or 'lexicon'}): "
                "run `qa build` to rebuild it"
            )
        return MilvusIndex(
            **generation_fields(where, generation, manifest, passages),
            store=self, passage_rows=passage_rows, sentence_collection=sentence_rows, token_ids=vocab, df=doc_freq,
        )

    def _manifest_text(self, generation: str) -> str:
        rows = self.call(
            "query", self.meta, filter=f'key like "manifest/{generation}/%"', output_fields=["key", "value"], limit=16_384
        )
        return "".join(r["value"] for r in sorted(rows, key=lambda r: r["key"]))

    def _count(self, collection: str) -> int:
        return int(self.call("query", collection, filter="", output_fields=["count(*)"])[0]["count(*)"])

    def _fetch(self, collection: str, key: str, start: int, stop: int, fields: list[str]) -> list[dict]:
        """Rows with start <= key < stop, in key order."""
        out: list[dict] = []
        for a in range(start, stop, _FETCH_ROWS):
            b = min(stop, a + _FETCH_ROWS)
            rows = self.call("query", collection, filter=f"{key} >= {a} and {key} < {b}", output_fields=[key, *fields], limit=b - a)
            out.extend(sorted(rows, key=lambda r: r[key]))
        return out

    def publish(self, gen: NewGeneration, settings: Settings) -> None:
        from pymilvus import DataType

        passage_rows, sentence_rows = self._collections(gen.name)
        dim = int(gen.vectors.shape[1])
        client = self.client

        schema = client.create_schema(auto_id=False)
        schema.add_field("pid", DataType.INT64, is_primary=True)
        schema.add_field("vector", DataType.FLOAT_VECTOR, dim=dim)
        schema.add_field("bm25", DataType.SPARSE_FLOAT_VECTOR)
        schema.add_field("record", DataType.VARCHAR, max_length=_VARCHAR)
        index = client.prepare_index_params()
        if len(gen.vectors) >= settings.ann_threshold:  # as the local store switches to HNSW
            index.add_index("vector", index_type="IVF_FLAT", metric_type="IP", params={"nlist": _nlist(len(gen.vectors))})
        else:
            index.add_index("vector", index_type="FLAT", metric_type="IP")
        index.add_index("bm25", index_type="SPARSE_INVERTED_INDEX", metric_type="IP")
        self.call("create_collection", passage_rows, schema=schema, index_params=index, consistency_level="Strong")

        weights = _bm25_weights(gen.bm25, len(gen.passages))
        rows = []
        for i, (p, h, sp) in enumerate(zip(gen.passages, gen.hashes, gen.spans)):
            record = json.dumps({**asdict(p), "hash": h, "sentences": sp}, ensure_ascii=False)
            if len(record.encode()) > _VARCHAR:
                raise StoreError(f"passage {p.doc} {p.cite} is too long for Milvus ({len(record)} characters): lower QA_MAX_PASSAGE_CHARS")
            rows.append({"pid": i, "vector": gen.vectors[i].tolist(), "bm25": weights[i], "record": record})
        self._insert(passage_rows, rows)

        schema = client.create_schema(auto_id=False)
        schema.add_field("sid", DataType.INT64, is_primary=True)
        schema.add_field("vector", DataType.FLOAT_VECTOR, dim=dim)
        index = client.prepare_index_params()
        index.add_index("vector", index_type="FLAT", metric_type="IP")  # exact: sentence_scores searches it filtered by sid
        self.call("create_collection", sentence_rows, schema=schema, index_params=index, consistency_level="Strong")
        self._insert(sentence_rows, [{"sid": i, "vector": v.tolist()} for i, v in enumerate(gen.sentence_vectors)])

        tokens = [""] * len(gen.bm25.vocab_dict)
        for t, i in gen.bm25.vocab_dict.items():
            tokens[i] = t
        df = np.zeros(len(tokens), dtype=np.int64)  # bm25s may add a token without postings ("")
        counts = np.diff(np.asarray(gen.bm25.scores["indptr"]))
        df[: len(counts)] = counts
        lexicon = {"tokens": tokens, "df": df.tolist()}
        manifest = {**gen.manifest, "lexicon": lexicon, "collections": {"passages": passage_rows, "sentences": sentence_rows}}
        text = json.dumps(manifest, ensure_ascii=True)
        chunks = [text[i : i + _CHUNK] for i in range(0, len(text), _CHUNK)]
        for a in range(0, len(chunks), 100):
            self.call(
                "insert", self.meta,
                [{"key": f"manifest/{gen.name}/{a + j:06d}", "value": c, "v": [1.0, 0.0]} for j, c in enumerate(chunks[a : a + 100])],
            )
        self.call("flush", self.meta)
        if self._manifest_text(gen.name) != text:
            raise StoreError(f"the manifest of {gen.name} did not read back from {self.location} as written: nothing was published")
        self._put("current", f"{gen.name} {hashlib.sha256(text.encode()).hexdigest()}")

    def _insert(self, collection: str, rows: list[dict]) -> None:
        for a in range(0, len(rows), _INSERT_ROWS):
            self.call("insert", collection, rows[a : a + _INSERT_ROWS])
        self.call("flush", collection)
        if self._count(collection) != len(rows):
            raise StoreError(f"{collection} in {self.location} holds {self._count(collection)} rows after writing {len(rows)}: nothing was published")
        self.call("load_collection", collection)

    def remove_stale(self) -> None:
        """Generations newer than the published one: left by a build that died (we hold the lock)."""
        current = self.current() or ""
        for generation in self._generations():
            if generation > current:
                self._drop(generation)

    def remove_old(self, keep: int) -> None:
        """Keep the current generation and the ones just before it (a server may still be reading one)."""
        current = self.current()
        gens = sorted(g for g in self._generations() if current is None or g <= current)
        keepers = {current} | set(gens[-keep:])
        for generation in gens:
            if generation not in keepers:
                self._drop(generation)

    def _drop(self, generation: str) -> None:
        for name in self._collections(generation):
            if self.call("has_collection", name):
                self.call("drop_collection", name)
        self._delete(f'key like "manifest/{generation}/%"')

    def read_unreadable(self) -> dict | None:
        try:
            return json.loads(self._get("unreadable") or "null")
        except ValueError:
            return None

    def write_unreadable(self, record: dict) -> None:
        text = json.dumps(record, ensure_ascii=False)
        if len(text.encode()) <= _VARCHAR and (record["files"] or self._get("unreadable") is not None):
            self._put("unreadable", text)  # longer: not kept (a cache; unchanged bad files are parsed again)


@dataclass
class MilvusIndex(IndexData):
    store: MilvusStore
    passage_rows: str  # collection names
    sentence_collection: str
    token_ids: dict[str, int]
    df: np.ndarray

    @property
    def vocab(self) -> dict[str, int]:
        return self.token_ids

    @property
    def num_docs(self) -> int:
        return len(self.passages)

    def doc_freq(self, token_id: int) -> int:
        return int(self.df[token_id])

    def dense_top(self, vector: np.ndarray, depth: int) -> np.ndarray:
        hits = self.store.call(
            "search", self.passage_rows, data=[vector.astype(np.float32).tolist()], anns_field="vector", limit=depth,
            search_params={"metric_type": "IP", "params": {"nprobe": 32}}, output_fields=[],
        )[0]
        return np.array([h["id"] for h in hits], dtype=np.int64)

    def lexical(self, token_ids: list[int], depth: int) -> LexicalScores:
        if not token_ids:
            return LexicalScores(np.zeros(0, np.int64), lambda ids: np.zeros(len(ids), np.float32))
        query = {int(t): float(c) for t, c in Counter(token_ids).items()}  # a repeated word counts again, as in bm25s
        found = self._sparse(query, depth)
        complete = len(found) < depth  # fewer hits than asked: every other passage scores 0

        def of(ids: np.ndarray) -> np.ndarray:
            missing = [int(i) for i in ids if int(i) not in found]
            extra = {} if complete or not missing else self._sparse(query, len(missing), f"pid in {missing}")
            return np.array([found.get(int(i), extra.get(int(i), 0.0)) for i in ids], dtype=np.float32)

        return LexicalScores(np.array([i for i, v in found.items() if v > 0], dtype=np.int64), of)

    def passages_holding(self, token_ids: list[int]) -> list[np.ndarray]:
        return postings_of(*self._postings, token_ids)

    def warm_postings(self) -> None:
        self._postings

    @functools.cached_property
    def _postings(self) -> tuple[np.ndarray, np.ndarray]:
        """Token-major postings (offsets, passage ids), read from the passages' BM25 vectors the first
        time a corpus of several documents asks: one read of the collection, where a search per
        question word returned thousands of hits (44 ms a question at 10k passages on milvus-lite)."""
        rows = self.store._fetch(self.passage_rows, "pid", 0, len(self.passages), ["bm25"])
        tokens = np.array([int(t) for r in rows for t in r["bm25"]], dtype=np.int64)
        pids = np.array([int(r["pid"]) for r in rows for _ in r["bm25"]], dtype=np.int64)
        order = np.argsort(tokens, kind="stable")
        counts = np.bincount(tokens, minlength=len(self.df)) if len(tokens) else np.zeros(len(self.df), np.int64)
        return np.concatenate([[0], np.cumsum(counts)]), pids[order]

    def _sparse(self, query: dict[int, float], limit: int, filter: str = "") -> dict[int, float]:
        hits = self.store.call(
            "search", self.passage_rows, data=[query], anns_field="bm25", limit=limit, filter=filter,
            search_params={"metric_type": "IP", "params": {"drop_ratio_search": 0.0}}, output_fields=[],
        )[0]
        return {int(h["id"]): float(h["distance"]) for h in hits}

    def sentence_scores(self, rows: np.ndarray, vector: np.ndarray) -> np.ndarray:
        """The engine scores the rows (an exact search of the FLAT sentence collection, filtered to
        them): scores cross the wire, not 512 floats a sentence (a question at 10k passages took
        ~70 ms more than on the local store fetching them)."""
        where = _positions(rows)
        out = np.zeros(len(rows), dtype=np.float32)
        unique = list(where)
        query = [vector.astype(np.float32).tolist()]
        for a in range(0, len(unique), _FETCH_ROWS):
            chunk = unique[a : a + _FETCH_ROWS]
            hits = self.store.call(
                "search", self.sentence_collection, data=query, anns_field="vector", limit=len(chunk),
                filter=f"sid in {chunk}", search_params={"metric_type": "IP"}, output_fields=[],
            )[0]
            if len(hits) != len(chunk):
                raise IndexCorrupt(f"index generation {self.location} lacks sentence vectors: run `qa build` to rebuild it")
            for h in hits:
                out[where[int(h["id"])]] = h["distance"]
        return out

    def sentence_rows(self, rows: np.ndarray) -> np.ndarray:
        where = _positions(rows)
        out = np.zeros((len(rows), self.dimension), dtype=np.float32)
        unique = list(where)
        for a in range(0, len(unique), _FETCH_ROWS):
            chunk = unique[a : a + _FETCH_ROWS]
            got = self.store.call("query", self.sentence_collection, filter=f"sid in {chunk}", output_fields=["vector"], limit=len(chunk))
            for g in got:
                out[where[int(g["sid"])]] = g["vector"]
            if len(got) != len(chunk):
                raise IndexCorrupt(f"index generation {self.location} lacks sentence vectors: run `qa build` to rebuild it")
        return out


def _positions(rows) -> dict[int, list[int]]:
    """Each distinct sentence row and where it stands in `rows` (a row may be asked for twice)."""
    where: dict[int, list[int]] = {}
    for i, r in enumerate(np.asarray(rows, dtype=np.int64).tolist()):
        where.setdefault(r, []).append(i)
    return where


def _bm25_weights(bm25, n: int) -> list[dict[int, float]]:
    """Each passage's BM25 weights, token id -> weight, from bm25s's token-major score matrix."""
    scores = bm25.scores
    indptr = np.asarray(scores["indptr"])
    tokens = np.repeat(np.arange(len(indptr) - 1), np.diff(indptr))
    docs = np.asarray(scores["indices"])
    data = np.asarray(scores["data"], dtype=np.float32)
    order = np.argsort(docs, kind="stable")
    bounds = np.searchsorted(docs[order], np.arange(n + 1))
    out = []
    for i in range(n):
        sel = order[bounds[i] : bounds[i + 1]]
        out.append({int(t): float(w) for t, w in zip(tokens[sel], data[sel])})
    return out


def _nlist(n: int) -> int:
    return int(min(65_536, max(16, 4 * np.sqrt(n))))


def _unreachable(e) -> bool:
    text = str(getattr(e, "message", e)).lower()
    return any(w in text for w in ("unavailable", "connect", "deadline", "closed", "not ready"))


class _Lease:
    """A build lock on a Milvus server shared by several machines: a `lock` row naming its holder.

    Best effort, as Milvus has no compare-and-set: a build writes its row, waits, and reads it back;
    of two builds that start within that wait, the later writer wins and the other backs off. A row
    whose holder died on this host, or older than _LEASE_SECONDS, is taken over."""

    def __init__(self, store: MilvusStore, wait: bool):
        self.store, self.wait = store, wait
        self.token = uuid.uuid4().hex

    def __enter__(self):
        while True:
            held = self._holder()
            if held is None or self._abandoned(held):
                self.store._put("lock", json.dumps({
                    "token": self.token, "pid": os.getpid(), "host": socket.gethostname(), "started": time.time(),
                }))
                time.sleep(1.0)
                again = self._holder()
                if again and again.get("token") == self.token:
                    return self
                held = again or held
            if not self.wait:
                raise BuildLocked(
                    f"another build is running on {self.store.location} (pid {held.get('pid')} on {held.get('host')}, "
                    f"started {time.strftime('%Y-%m-%dT%H:%M:%SZ', time.gmtime(held.get('started', 0)))}): "
                    "wait for it to finish, or run `qa build --wait`"
                )
            time.sleep(2.0)

    def __exit__(self, *exc):
        held = self._holder()
        if held and held.get("token") == self.token:
            self.store._delete('key == "lock"')

    def _holder(self) -> dict | None:
        try:
            return json.loads(self.store._get("lock") or "null")
        except ValueError:
            return None

    @staticmethod
    def _abandoned(held: dict) -> bool:
        if time.time() - float(held.get("started", 0)) > _LEASE_SECONDS:
            return True
        if held.get("host") != socket.gethostname():
            return False
        try:
            os.kill(int(held.get("pid", 0)), 0)
            return False
        except (ProcessLookupError, ValueError):
            return True
        except PermissionError:
            return False
