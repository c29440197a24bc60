"""Text normalisation, jieba tokenization and sentence splitting: the same on the corpus and the question side."""

from __future__ import annotations

import functools
import hashlib
import logging
import os
import re
import threading
import unicodedata
import weakref
from collections.abc import Iterable
from importlib import resources

import numpy as np

from . import postag

log = logging.getLogger(__name__)

# Whitespace inside Chinese text is PDF debris; between two Latin letters or digits it is a word gap.
_CJK_SPACE = re.compile(r"(?<=[^\x00-\x7f])\s+|\s+(?=[^\x00-\x7f])")
_SPACES = re.compile(r"\s+")
_SENTENCE_END = re.compile(r"[^。！？!?；;]*[。！？!?；;]+[”’」』)）]*|[^。！？!?；;]+$")
_WORD = re.compile(r"[\w\u4e00-\u9fff]", re.UNICODE)
LATIN_RUN = re.compile(r"[a-z0-9]+")  # after normalize: lower case, half width

# General-usage abbreviations in Chinese finance writing, expanded on both sides so that a
# question saying 小贷 meets a report saying 小额贷款 (and vice versa nothing is lost: the
# expansion is appended, the original token stays).
ABBREVIATIONS: dict[str, str] = {
    "小贷": "小额贷款",
    "网贷": "网络贷款",
    "非银": "非银行",
    "互金": "互联网金融",
    "银保监": "银行保险监督管理",
    "融担": "融资担保",
    "p2p": "网络借贷",
}


# Bumped when a tokenization rule in this file changes, so indexes built by the old rule are rebuilt.
_RULES = 3  # 2: a leading 非 keeps its negated word out of the nested words; 3: Latin words are never cut


@functools.lru_cache(maxsize=1)
def _t2s():
    import opencc

    return opencc.OpenCC("t2s")


def _drop_control(ch: str) -> str:
    cat = unicodedata.category(ch)
    if cat == "Cc":
        return " "  # tabs, newlines, NUL and friends separate words at most
    if cat in ("Cf", "Cs", "Co", "Cn"):
        return ""  # direction marks, zero-width joiners, surrogates, unassigned: invisible noise
    return ch


def clean(text: str) -> str:
    """Visible text only: control and format characters dropped, whitespace collapsed.

    Used for what we show and store, so it keeps the text as written (full-width punctuation,
    traditional characters); `normalize` makes the matching form.
    """
    text = unicodedata.normalize("NFC", text)
    if not text.isprintable():  # printable text has no C* characters: skip the per-character pass
        text = "".join(_drop_control(ch) for ch in text)
    return _SPACES.sub(" ", text).strip()


def simplified(text: str) -> str:
    """Traditional characters as simplified; nothing else changes (full-width punctuation stays)."""
    return _t2s().convert(text)


def normalize(text: str) -> str:
    """The matching form: clean, traditional -> simplified, lower-case Latin, no spaces around CJK."""
    text = simplified(unicodedata.normalize("NFKC", clean(text))).lower()
    return _CJK_SPACE.sub("", text)


# A paragraph's closing sentence that opens by pointing back (总之…, 通过这些措施…, 这些创新…) sums up
# the sentences before it: it repeats the paragraph's topic, but the content is elsewhere.
# (Mid-paragraph, 「这些政策包括…」 is content.)
_SUMS_UP = re.compile(r"^(总之|总而言之|总的来说|综上|由此可见|通过这些|通过以上|通过上述|这些|上述|以上)")


def sums_up(sentence: str) -> bool:
    """Whether a normalised sentence opens by pointing back; as a paragraph's last of several, it sums
    up the others."""
    return bool(_SUMS_UP.match(sentence))


# A figure's or table's caption (「图2.2.1 样本过滤协议时序图」, 「表 | …」, 「图表3：…」) or a line that only
# points to one (「…的时序图如图2.2.1所示：」): what a figure shows, whose content is an image or the passages around.
_CAPTION = re.compile(r"^(图表|附图|附表|图|表|Figure|Fig\.|Table|Chart)\s*(\d+([.\-－—]\d+)*|[一二三四五六七八九十]+|\|)")
_POINTS_TO_FIGURE = re.compile(r"(如|见)(下|上)?(图|表)|所示[：:]$")
_CAPTION_MAX = 100


def labels_a_figure(text: str) -> bool:
    """Whether a passage is only a figure's or table's caption, or a line pointing to one: one line,
    no sentence end, and a caption's opening or a colon after 如图/见表."""
    text = text.strip()
    if "\n" in text or len(text) > _CAPTION_MAX or not no_sentence(text):
        return False
    return bool(_CAPTION.match(text)) or (text.endswith(("：", ":")) and bool(_POINTS_TO_FIGURE.search(text)))


_SPACED = re.compile(r"[\u4e00-\u9fff] [\u4e00-\u9fff]")


def joined_fragments(text: str) -> bool:
    """Whether a passage is fragments a reader joined with spaces, no sentence in them: a PDF diagram's words
    (「确定了体系化隐 私计算理论体系 引入多场景数据 …」), a back cover's address block. They pack a topic's words close
    and say nothing of it."""
    return "\n" not in text and len(_SPACED.findall(text)) >= 2 and no_sentence(text)


def no_sentence(text: str) -> bool:
    """Whether no sentence ends in the text."""
    return not any(c in text for c in "。！？!?")


def split_sentences(text: str) -> list[tuple[int, int]]:
    """(start, end) character spans of the sentences of `text`, covering it without gaps of content.
    A line break ends a sentence too: a list item or table row is a sentence of its own."""
    spans = []
    offset = 0
    for line in text.split("\n"):
        for m in _SENTENCE_END.finditer(line):
            start, end = m.start() + offset, m.end() + offset
            while start < end and text[start].isspace():
                start += 1
            while end > start and text[end - 1].isspace():
                end -= 1
            if start < end and _WORD.search(text, start, end):
                spans.append((start, end))
        offset += len(line) + 1
    return spans or ([(0, len(text))] if text else [])


@functools.lru_cache(maxsize=1)
def stopwords() -> frozenset[str]:
    data = resources.files("qa").joinpath("data/stopwords.txt").read_text(encoding="utf-8")
    return frozenset(w.strip() for w in data.splitlines() if w.strip() and not w.startswith("#"))


@functools.lru_cache(maxsize=1)
def analyzer_fingerprint() -> str:
    """Identifies what turns text into BM25 tokens besides the corpus: stopwords, abbreviations, jieba.
    An index records it, so one built before any of them changed is rebuilt, not silently mismatched."""
    import hashlib
    import json

    import jieba

    state = {"stopwords": sorted(stopwords()), "abbreviations": ABBREVIATIONS, "jieba": jieba.__version__, "rules": _RULES}
    return hashlib.sha256(json.dumps(state, ensure_ascii=False, sort_keys=True).encode()).hexdigest()[:16]


class Tokenizer:
    """jieba with a user dictionary of the corpus's own terms, stopwords and abbreviation expansion.

    Each instance owns a private jieba dictionary, so two indexes in one process do not mix terms.
    """

    def __init__(self, terms: Iterable[str] = ()):
        self.terms = sorted(set(terms))
        self._stop = stopwords()
        # The words added to jieba's dictionary, as nouns, in this order (each addition's frequency
        # depends on the ones before it).
        self._added = (*ABBREVIATIONS, *ABBREVIATIONS.values(), *self.terms)
        self._nouns = frozenset(self._added)
        self._dictionary = None
        self._lock = threading.Lock()

    @property
    def _jieba(self):
        """jieba with the corpus terms, made on first use, its dictionary read through the mapped table of
        `qa.word_table` (a dict that takes ~1 s to load where the table is missing)."""
        if self._dictionary is None:
            with self._lock:
                if self._dictionary is None:
                    self._dictionary = self._made(whole=False)
        return self._dictionary

    @property
    def _whole(self) -> bool:
        """Whether jieba's dictionary is held as a dict (loaded whole, or with no table to read)."""
        return self._dictionary is not None and type(self._dictionary.FREQ) is dict

    def _made(self, whole: bool):
        import jieba

        from .word_table import Frequencies, main_table

        jieba.setLogLevel(logging.WARNING)
        dictionary = jieba.Tokenizer()
        table = None if whole else main_table()
        if table is not None:
            dictionary.FREQ, dictionary.total, dictionary.initialized = Frequencies(table), table.total, True
        for word in self._added:
            dictionary.add_word(word, freq=None, tag="n")
        return dictionary

    def load_dictionary(self) -> None:
        """Hold jieba's whole dictionary in memory (~0.7–1.3 s, ~60 MB) from now on: it cuts ~4x faster than
        the mapped table, which a process that cuts much text (a build, a server's highlighting) gains back."""
        if self._whole:
            return
        with self._lock:
            if not self._whole:
                self._dictionary = self._made(whole=True)

    def warm(self, tags: bool = False) -> None:
        """Open the dictionary now (off the request path), not at the first question; with `tags` (a server),
        load it whole, and the part-of-speech tables `asking_words` and `topic` read (a one-shot `qa ask`
        reads them only if needed)."""
        self._jieba
        if tags:
            self.load_dictionary()
            _tag_hashes()
            postag.warm()

    def topic(self, text: str) -> str:
        """The first run of nouns in the text: what a question is about ("非银行金融机构包括哪些类型" -> 非银行金融机构)."""
        runs = self.noun_runs(text)
        return runs[0][1] if runs else ""

    def noun_runs(self, text: str) -> list[tuple[int, str]]:
        """(start, run) for each run of nouns in the normalised text, in order: 「银行在小微金融中有什么优势」
        -> (0, 银行), (3, 小微金融), (11, 优势)."""
        runs: list[tuple[int, str]] = []
        start, run = 0, ""
        for word, noun in postag.cut_nouns(normalize(text), self._jieba, self._is_noun):
            if noun:
                run += word
            else:
                if run:
                    runs.append((start - len(run), run))
                run = ""
            start += len(word)
        if run:
            runs.append((start - len(run), run))
        return runs

    def _is_noun(self, word: str) -> bool:
        # As jieba.posseg tags a dictionary word: the corpus terms are added as nouns, a word it lacks is "x".
        if word in self._nouns:
            return True
        return bool(self._jieba.FREQ.get(word)) and not _dictionary_tagged([word], "non_noun")

    def asking_words(self, tokens: Iterable[str]) -> set[str]:
        """The tokens that say how a question asks, not what it is about: those jieba's dictionary tags
        as neither a noun nor a verb (一类, 哪里, 好处 as an adverb), and those it lacks, which its HMM
        made from single characters, unless posseg's model reads every piece as a noun (中有 of 「…中有什么」
        is 中/f 有/v; 闲钱 is a noun). A verb is content: 下雨 and 感冒 are what 「明天北京会下雨吗？」 and
        「感冒了吃什么药好得快？」 ask about (docs/retrieval.md, step 5)."""
        tokens = list(tokens)
        freq = self._jieba.FREQ
        made_up = {t for t in tokens if not freq.get(t)}
        asking = _dictionary_tagged(tokens, "non_noun") - _dictionary_tagged(tokens, "verb")
        return asking | {t for t in made_up if not postag.is_noun_word(t)}

    def names(self, text: str, kind: str) -> set[str]:
        """The persons (kind "person") or places ("place") the text names: the words of its cut that jieba's
        dictionary tags so (张三丰/nr, 武当山/ns). Words the dictionary lacks are not read by posseg's model
        here: on CMRC it changed no highlight and cost ~30 ms a question."""
        return _dictionary_tagged((w for w in self.words(text) if len(w) >= 2), kind)

    def words(self, text: str) -> list[str]:
        """jieba's cut of the normalised text, every character kept (joined, they are the text)."""
        return _latin_whole(self._jieba.cut(normalize(text)))

    def frequency(self, word: str) -> int:
        """The word's count in jieba's dictionary (0: not a dictionary word)."""
        return int(self._jieba.FREQ.get(word) or 0)

    def tokens(self, text: str) -> list[str]:
        """Search-mode tokens of the normalised text: each jieba word plus the dictionary words inside it
        (非银行金融机构 -> 非银行金融机构, 银行, 金融, 机构, …), an abbreviation's expansion after it,
        stopwords and punctuation removed."""
        return [token for group in self.word_groups(text) for token in group]

    def word_groups(self, text: str) -> list[list[str]]:
        """The tokens grouped: [word, *the dictionary words inside it] for each jieba word kept, and for
        an abbreviation's expansion after it."""
        groups: list[list[str]] = []
        for word in self.words(text):
            word = word.strip()
            if not word or word in self._stop or not _WORD.search(word):
                continue
            for head in filter(None, (word, ABBREVIATIONS.get(word))):
                groups.append([head, *self._parts(head)])
        return groups

    def _parts(self, word: str) -> list[str]:
        # jieba's own search mode: the 2- and 3-character dictionary words inside a longer word, except
        # the one a leading 非 negates: 非银行金融机构 is a 金融机构 but not a 银行.
        # A Latin word inside is a part as a whole, never in pieces: flex协议 has flex, not fl.
        freq = self._jieba.FREQ
        negated = 1 if word.startswith("非") else -1
        latin = [m.span() for m in LATIN_RUN.finditer(word)]
        inside = {i for a, b in latin for i in range(a + 1, b)}  # cut points that would split a Latin run
        parts = [word[a:b] for a, b in latin if b - a >= 2 and (a, b) != (0, len(word)) and not word[a:b].isdigit()]
        for n in (2, 3):
            if len(word) > n:
                parts += [
                    word[i : i + n]
                    for i in range(len(word) - n + 1)
                    if i != negated and i not in inside and i + n not in inside and freq.get(word[i : i + n])
                ]
        return [p for p in parts if p not in self._stop]


def _latin_whole(pieces: Iterable[str]) -> list[str]:
    """jieba's pieces with a Latin word its dictionary cut rejoined: with the corpus term fl (of a
    heading's 「联邦学习（FL）」), jieba cuts flex into fl + ex."""
    out: list[str] = []
    for piece in pieces:
        if out and LATIN_RUN.fullmatch(piece) and LATIN_RUN.fullmatch(out[-1]):
            out[-1] += piece
        else:
            out.append(piece)
    return out


NAME_TAGS = postag.NAME_TAGS  # jieba's tags for proper nouns


def _dictionary_tagged(tokens: Iterable[str], kind: str) -> set[str]:
    """The tokens jieba's main dictionary tags `kind` (see `tagged`)."""
    tokens = list(tokens)
    return {t for t, hit in zip(tokens, tagged(tokens, kind)) if hit}


def tagged(words: list[str], kind: str) -> list[bool]:
    """For each word, whether jieba's main dictionary tags it `kind`: "non_noun" (the corpus terms a
    Tokenizer adds are nouns), "verb" (v), "name" (NAME_TAGS), "person" (nr, nrfg, nrt) or "place" (ns)."""
    table = _tag_hashes()[kind]
    if not words or not table.size:
        return [False] * len(words)
    hashes = _word_hashes(words)
    return (table[np.searchsorted(table, hashes).clip(max=table.size - 1)] == hashes).tolist()


def _word_hashes(words: Iterable[str]) -> np.ndarray:
    """64-bit hashes that are the same in every process (Python's str hash is not), so a table of them keeps."""
    return np.array(
        [int.from_bytes(hashlib.blake2b(w.encode("utf-8"), digest_size=8).digest(), "little", signed=True) for w in words],
        dtype=np.int64,
    )


# The kinds of tag table; bump TAGS_FORMAT when what a table holds changes (older files are made again).
_TAG_KINDS = ("non_noun", "verb", "name", "person", "place")
TAGS_FORMAT = 4


@functools.lru_cache(maxsize=1)
def _tag_hashes() -> dict[str, np.ndarray]:
    """Sorted hashes of the non-noun words, the verbs, the proper nouns and the places of jieba's main dictionary:
    ~1 MB each, where jieba.posseg's word -> tag table costs ~45 MB of a server's memory. Making them reads
    the whole dictionary (~1 s: most of a cold `qa ask`, whose question usually holds a word the
    documents lack), so they are kept in the model cache under the dictionary file's name, size and
    time (as jieba keys its own cache) and read from there (~10 ms) by every later process."""
    import jieba

    from .word_table import dictionary_key

    path = _tag_cache_path(dictionary_key())
    tables = _read_tag_tables(path) if path else None
    if tables is not None:
        return tables
    words: dict[str, list[str]] = {kind: [] for kind in _TAG_KINDS}
    with jieba.get_dict_file() as f:
        for line in f:
            fields = line.decode("utf-8").split()
            if len(fields) == 3:
                word, tag = fields[0], fields[2]
                if not postag.is_noun_tag(tag):
                    words["non_noun"].append(word)
                if tag == "v":
                    words["verb"].append(word)
                if tag in NAME_TAGS:
                    words["name"].append(word)
                if tag in postag.PERSON_TAGS:
                    words["person"].append(word)
                if tag == "ns":
                    words["place"].append(word)
    tables = {kind: np.unique(_word_hashes(found)) for kind, found in words.items()}
    if path:
        _write_tag_tables(path, tables)
    return tables


def _tag_cache_path(digest: str):
    from .embed import model_cache_dir

    root = model_cache_dir()
    return root / f"jieba-tags-{TAGS_FORMAT}-{digest}.npz" if root else None


def _read_tag_tables(path) -> dict[str, np.ndarray] | None:
    """The tables of a cache file, or None when it is missing or not what it should be (sorted int64)."""
    try:
        with np.load(path, allow_pickle=False) as z:
            tables = {kind: z[kind] for kind in _TAG_KINDS}
    except (OSError, ValueError, KeyError, EOFError):
        return None
    good = all(a.dtype == np.int64 and a.ndim == 1 and bool(np.all(a[1:] > a[:-1])) for a in tables.values())
    return tables if good else None


def _write_tag_tables(path, tables: dict[str, np.ndarray]) -> None:
    """Written whole or not at all (a temporary file renamed); a cache that cannot be written is no error."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{threading.get_ident()}.tmp")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with open(tmp, "wb") as f:
            np.savez(f, **tables)
        os.replace(tmp, path)
    except OSError as e:
        log.debug("tag tables not cached at %s: %s", path, e)
        tmp.unlink(missing_ok=True)


# Tokenizers by dictionary, while an index uses them: a server reloading after a heading edit (new
# terms) frees the old one's jieba dictionary (~60 MB) with the old index, where keeping every
# dictionary made grew it by that much per edit.
_tokenizers: weakref.WeakValueDictionary[tuple[str, ...], Tokenizer] = weakref.WeakValueDictionary()
_tokenizers_lock = threading.Lock()


@functools.lru_cache(maxsize=1)  # and the latest even when no index holds it: builds in a row reuse it
def tokenizer_for(terms: tuple[str, ...]) -> Tokenizer:
    """The shared Tokenizer of a dictionary: making one loads jieba's dictionary (~0.5 s), and it never changes."""
    with _tokenizers_lock:
        tokenizer = _tokenizers.get(terms)
        if tokenizer is None:
            tokenizer = _tokenizers[terms] = Tokenizer(terms)
        return tokenizer


def forget_tokenizers() -> None:
    """Tokenizers made from now on start afresh: for tests and the ablation, which swap the tables they read."""
    with _tokenizers_lock:
        tokenizer_for.cache_clear()
        _tokenizers.clear()


# Heading words that join phrases rather than name things.
# A heading's own number (1.2, 一、), not the start of a term: 5G of 「5G+智慧采矿应用」 and 十 of 「十四五规划」 stay.
_HEADING_NUMBER = re.compile(r"^(?:[\d.]+(?![\da-z+])|[一二三四五六七八九十]+(?=、)|[、\s])+")
_HEADING_SPLIT = re.compile(r"[、，,：:（）()与和及的在之中]|领域|分析|方向|现状|研究报告|研究|趋势|作用|地位")


def heading_terms(headings: Iterable[str]) -> list[str]:
    """Candidate dictionary words from headings: the noun phrases between function words.

    "非银行金融机构在小微金融领域的作用" -> ["非银行金融机构", "小微金融"].
    """
    terms = set()
    for heading in headings:
        heading = _HEADING_NUMBER.sub("", normalize(heading))
        for part in _HEADING_SPLIT.split(heading):
            if 2 <= len(part) <= 8 and not part.isdigit():
                terms.add(part)
    return sorted(terms)
