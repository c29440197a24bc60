"""jieba's part-of-speech cut (jieba.posseg), reduced to "is this word a noun", without jieba.posseg's
350k-word tag table.

Importing jieba.posseg builds that table as a dict (~45 MB of a server's memory) to tag every dictionary
word. Here a word's noun-ness comes from the ~1 MB hashed table `qa.text` already keeps, and the only
part of posseg we need whole, its hidden Markov model for words the dictionary lacks (~7 MB), is read
from jieba's package files without running jieba.posseg's __init__. The segmentation is posseg's
(`_cut_DAG` and `_cut_detail` follow jieba 0.42's POSTokenizer line for line): it splits 为/对 off an
unknown run (「银行为小微企业」 -> 银行, 为, 小微企业), where jieba.cut's own model keeps 为小微 together.
"""

from __future__ import annotations

import functools
import importlib.util
import os
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass

# jieba.posseg's block patterns.
_HAN_INTERNAL = re.compile(r"([\u4E00-\u9FD5a-zA-Z0-9+#&\._]+)")
_SKIP_INTERNAL = re.compile(r"(\r\n|\s)")
_HAN_DETAIL = re.compile(r"([\u4E00-\u9FD5]+)")
_SKIP_DETAIL = re.compile(r"([\.0-9]+|[a-zA-Z0-9]+)")
_NUM = re.compile(r"[\.0-9]+")
_ENG = re.compile(r"[a-zA-Z0-9]+")


# jieba's tags of proper nouns: persons, places, organisations, other names.
NAME_TAGS = frozenset({"nr", "nrfg", "nrt", "ns", "nt", "nz"})
PERSON_TAGS = frozenset({"nr", "nrfg", "nrt"})


def is_noun_tag(flag: str) -> bool:
    """jieba's noun-like tags: nouns and names (n*), abbreviations (j), verbal nouns (vn), Latin words."""
    return flag[:1] in ("n", "j") or flag in ("vn", "eng")


def cut_nouns(text: str, dictionary, is_noun: Callable[[str], bool]) -> Iterator[tuple[str, bool]]:
    """(word, is it a noun) for each word of `text` as jieba.posseg segments it with `dictionary` (a
    jieba.Tokenizer); `is_noun` judges the dictionary's words, posseg's model the words it lacks."""
    for block in _HAN_INTERNAL.split(text):
        if _HAN_INTERNAL.match(block):
            yield from _cut_dag(block, dictionary, is_noun)
            continue
        for part in _SKIP_INTERNAL.split(block):
            if _SKIP_INTERNAL.match(part):
                yield part, False
            else:
                for char in part:
                    yield char, not _NUM.match(char) and bool(_ENG.match(part))


def is_noun_word(word: str) -> bool:
    """posseg's model on a word the dictionary lacks: is every piece it cuts a noun (闲钱; not 中有 = 中/f 有/v)?"""
    return all(noun for _, noun in _cut_detail(word))


def _cut_dag(sentence: str, dictionary, is_noun: Callable[[str], bool]) -> Iterator[tuple[str, bool]]:
    freq = dictionary.FREQ
    route: dict = {}
    dictionary.calc(sentence, dictionary.get_DAG(sentence), route)

    def single_chars(buf: str) -> Iterator[tuple[str, bool]]:
        if len(buf) == 1:
            yield buf, is_noun(buf)
        elif not freq.get(buf):
            yield from _cut_detail(buf)
        else:
            for char in buf:
                yield char, is_noun(char)

    x, buf = 0, ""
    while x < len(sentence):
        y = route[x][1] + 1
        word = sentence[x:y]
        if y - x == 1:
            buf += word
        else:
            if buf:
                yield from single_chars(buf)
                buf = ""
            yield word, is_noun(word)
        x = y
    if buf:
        yield from single_chars(buf)


def _cut_detail(text: str) -> Iterator[tuple[str, bool]]:
    """A run of characters the dictionary has no word for, cut and tagged by posseg's model."""
    for block in _HAN_DETAIL.split(text):
        if _HAN_DETAIL.match(block):
            yield from _cut_hmm(block)
            continue
        for part in _SKIP_DETAIL.split(block):
            if part:
                yield part, not _NUM.match(part) and bool(_ENG.match(part))


def names_in(word: str) -> list[str]:
    """posseg's model on a word the dictionary lacks: the names of two characters or more it cuts
    from it (a person, place, organisation or other proper noun: 隆基绿 of 隆基绿能)."""
    return [piece for block in _HAN_DETAIL.findall(word) for piece, flag in _tag_hmm(block) if len(piece) >= 2 and flag in NAME_TAGS]


def _cut_hmm(sentence: str) -> Iterator[tuple[str, bool]]:
    return ((piece, is_noun_tag(flag)) for piece, flag in _tag_hmm(sentence))


def _tag_hmm(sentence: str) -> Iterator[tuple[str, str]]:
    model = _model()
    _, states = model.viterbi(sentence, model.char_state, model.start, model.trans, model.emit)
    begin, following = 0, 0
    for i, char in enumerate(sentence):
        position, flag = states[i]
        if position == "B":
            begin = i
        elif position == "E":
            yield sentence[begin : i + 1], flag
            following = i + 1
        elif position == "S":
            yield char, flag
            following = i + 1
    if following < len(sentence):
        yield sentence[following:], states[following][1]


@dataclass(frozen=True)
class _Model:
    viterbi: Callable
    char_state: dict
    start: dict
    trans: dict
    emit: dict


def warm() -> None:
    """Read the model now (~0.1 s), not at the first follow-up question."""
    _model()


@functools.lru_cache(maxsize=1)
def _model() -> _Model:
    """posseg's model, from the package's own files: importing jieba.posseg would also build the tag table."""
    import jieba

    folder = os.path.join(os.path.dirname(jieba.__file__), "posseg")

    def read(name: str):
        spec = importlib.util.spec_from_file_location(f"qa._posseg_{name}", os.path.join(folder, f"{name}.py"))
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        return module

    tables = [read(name).P for name in ("char_state_tab", "prob_start", "prob_trans", "prob_emit")]
    return _Model(read("viterbi").viterbi, *tables)
