"""jieba's main dictionary as a memory-mapped hash table.

jieba holds its dictionary (498,113 words and word prefixes → counts) as a dict unmarshalled from a cache
file, ~0.7–1.3 s and ~60 MB before the first word is cut: most of a one-shot `qa ask`. Cutting a question
looks up a few hundred entries, so a process opens this table instead (well under a millisecond) and reads
only the pages it touches. Cutting through it is ~4x slower than through the dict, so a process that cuts a
lot (a build, a server) loads the dict after all (`qa.text.Tokenizer.load_dictionary`); both cut alike, the
table holding exactly the dict's entries.

The file, made once from jieba's own dictionary and kept in the model cache under that file's name, size and
time (as jieba keys its cache): a header, then open-addressing slots (entry number + 1, 0 empty) probed
linearly from the key's CRC-32, each entry's end offset in the key bytes, its count, and the keys in UTF-8.
"""

from __future__ import annotations

import functools
import hashlib
import logging
import mmap
import os
import struct
import threading
import zlib
from array import array
from pathlib import Path

log = logging.getLogger(__name__)

# Past this many characters to cut, loading jieba's dict (~0.7 s) costs less than cutting through the table
# (~10 µs a character more than through the dict).
WHOLE_DICTIONARY_CHARS = 50_000
_MAGIC = b"QAWORDS1"
_HEADER = struct.Struct("<8sIIQ")  # magic, entries, slots (a power of two), the counts' total


class WordTable:
    """The dictionary's word → count, read from the mapped file; `total` is the counts' sum."""

    def __init__(self, path: Path):
        with open(path, "rb") as f:
            self._map = mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ)
        try:
            magic, entries, slots, self.total = _HEADER.unpack_from(self._map)
            end = _HEADER.size + 4 * (slots + 2 * entries)
            if magic != _MAGIC or slots & (slots - 1) or slots < entries or len(self._map) < end:
                raise ValueError(f"{path}: not a word table")
            view = memoryview(self._map)
            at = _HEADER.size
            self._slots = view[at : at + 4 * slots].cast("I")
            self._ends = view[at + 4 * slots : at + 4 * (slots + entries)].cast("I")
            self._counts = view[at + 4 * (slots + entries) : end].cast("I")
            self._keys = view[end:]
            if entries and self._ends[-1] != len(self._keys):
                raise ValueError(f"{path}: not a word table")
        except (ValueError, struct.error):
            self._map.close()
            raise
        self._mask = slots - 1

    def get(self, word: str) -> int | None:
        key = word.encode("utf-8", "surrogatepass")  # a lone surrogate is no word of the table, never an error
        slots, ends, keys, mask = self._slots, self._ends, self._keys, self._mask
        at = zlib.crc32(key) & mask
        while entry := slots[at]:
            entry -= 1
            if keys[ends[entry - 1] if entry else 0 : ends[entry]] == key:
                return self._counts[entry]
            at = (at + 1) & mask
        return None


class Frequencies:
    """What jieba.Tokenizer reads as its FREQ: the table, under the words added to one tokenizer's dictionary."""

    def __init__(self, table: WordTable):
        self._table = table
        self._added: dict[str, int] = {}

    def get(self, word: str, default=None):
        count = self._added.get(word)
        if count is None:
            count = self._table.get(word)
        return default if count is None else count

    def __contains__(self, word: str) -> bool:
        return self.get(word) is not None

    def __getitem__(self, word: str) -> int:
        count = self.get(word)
        if count is None:
            raise KeyError(word)
        return count

    def __setitem__(self, word: str, count: int) -> None:
        self._added[word] = count


def write(path: Path, counts: dict[str, int], total: int) -> None:
    """The table file of a word → count dict, written whole or not at all (a temporary file renamed)."""
    words = list(counts)
    keys = [w.encode("utf-8") for w in words]
    size = 1
    while size < 2 * len(keys):
        size *= 2
    slots = array("I", bytes(4 * size))
    for entry, key in enumerate(keys):
        at = zlib.crc32(key) & (size - 1)
        while slots[at]:
            at = (at + 1) & (size - 1)
        slots[at] = entry + 1
    ends, end = array("I"), 0
    for key in keys:
        end += len(key)
        ends.append(end)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{threading.get_ident()}.tmp")
    try:
        with open(tmp, "wb") as f:
            f.write(_HEADER.pack(_MAGIC, len(keys), size, total))
            f.write(slots.tobytes())
            f.write(ends.tobytes())
            f.write(array("I", (counts[w] for w in words)).tobytes())
            f.write(b"".join(keys))
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


def dictionary_key(*extra: str) -> str:
    """16 hex digits naming jieba's main dictionary file as jieba keys its own cache (its name, size and time),
    and `extra`: what a file made from it is kept under in the model cache."""
    import jieba

    with jieba.get_dict_file() as f:
        stat = os.fstat(f.fileno())
        key = "|".join((getattr(f, "name", ""), str(stat.st_size), str(stat.st_mtime_ns), *extra))
    return hashlib.sha256(key.encode("utf-8")).hexdigest()[:16]


@functools.lru_cache(maxsize=1)
def main_table() -> WordTable | None:
    """jieba's main dictionary as a table, made on first use (~1–2 s, once per machine); None where there is
    no cache folder to keep it in or it cannot be written: the caller loads jieba's dict as it always did."""
    import jieba

    from .embed import model_cache_dir

    root = model_cache_dir()
    if root is None:
        return None
    path = root / f"jieba-words-{dictionary_key(jieba.__version__)}.bin"
    try:
        return WordTable(path)
    except (OSError, ValueError):
        pass
    dictionary = jieba.Tokenizer()
    dictionary.initialize()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        write(path, dictionary.FREQ, dictionary.total)
        return WordTable(path)
    except (OSError, ValueError) as e:
        log.debug("jieba's dictionary not kept as a table at %s: %s", path, e)
        return None
