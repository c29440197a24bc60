"""Homophone typos: a pinyin keyboard's wrong character (代款 for 贷款, 互连网 for 互联网) corrected to
the corpus's own word with the same pinyin, tones included.

A run of 2-4 Chinese characters of the question (whole words of jieba's cut) is replaced by a corpus
word when the run is not a corpus word itself, sounds the same, and is rare in jieba's dictionary
next to it (互连网 3 against
互联网 1,813: a legitimate word of its own is left alone). The pinyin comes from the character table
of `pypinyin` (its JSON file, read directly: importing the package also loads 400k phrases, ~55 MB),
each character's first reading. Retriever.ask searches the corrected question only when the
documents cover it better than the question as typed.
"""

from __future__ import annotations

import functools
import importlib.util
import json
import re
import unicodedata
from collections.abc import Callable, Iterable
from pathlib import Path

_CJK = re.compile(r"[\u4e00-\u9fff]+")
# The run must be this much rarer in jieba's dictionary than the corpus word it becomes.
RARITY = 100
LONGEST = 4


class Homophones:
    """The corpus vocabulary by pronunciation; `correct` rewrites a question's homophone typos."""

    def __init__(self, vocabulary: Iterable[str], frequency: Callable[[str], int]):
        self._frequency = frequency
        self._words = set()
        self._by_sound: dict[tuple[str, ...], list[str]] = {}
        for word in vocabulary:
            if 2 <= len(word) <= LONGEST and _CJK.fullmatch(word):
                self._words.add(word)
                sound = pronounce(word)
                if sound:
                    self._by_sound.setdefault(sound, []).append(word)

    def correct(self, words: list[str]) -> str:
        """The text of `words` (jieba's cut of a question, in order) with each homophone typo replaced.

        A typo spans whole words of the cut (代/款, 互连网), never part of one, and none of them a
        corpus word: so a run across two real words (企业 + 代…) is never read as a third."""
        out, i = [], 0
        while i < len(words):
            for j in range(len(words), i, -1):
                span = words[i:j]
                window = "".join(span)
                if not 2 <= len(window) <= LONGEST or not _CJK.fullmatch(window):
                    continue
                if any(len(w) >= 2 and w in self._words for w in span):
                    continue
                word = self._match(window)
                if word:
                    out.append(word)
                    i = j
                    break
            else:
                out.append(words[i])
                i += 1
        return "".join(out)

    def _match(self, window: str) -> str | None:
        if window in self._words:
            return None
        sound = pronounce(window)
        candidates = [w for w in self._by_sound.get(sound, ()) if w != window] if sound else []
        if len(candidates) != 1:
            return None  # no homophone, or several: no way to choose
        word = candidates[0]
        return word if self._frequency(window) * RARITY < max(self._frequency(word), 1) else None


def sounds_in(word: str, text: str) -> bool:
    """Whether `text` holds `word` written with same-sounding characters: a run as long, each
    character the same or of the same syllable, tones aside, and one at least the same (塞斯纳 for
    赛斯纳, 皇帝 for 黄帝, 景仰 for 敬仰: a name's transliteration variant or a pinyin keyboard's
    typo). Not 湖北 for 湖南, nor 毕卡索 for 毕加索 (jiā, kǎ)."""
    syllables = [_syllable(c) for c in word]
    if len(word) < 2 or None in syllables:
        return False
    for i in range(len(text) - len(word) + 1):
        run = text[i : i + len(word)]
        same = [a == b for a, b in zip(word, run)]
        if any(same) and all(a or _syllable(c) == s for a, c, s in zip(same, run, syllables)):
            return True
    return False


def swapped_in(word: str, text: str) -> bool:
    """Whether `text` holds `word` with two neighbouring characters swapped: a slip of the keyboard
    or of the memory (沈龙元 asked as 沈元龙, TrustZone printed TrsutZone). A Latin word needs four
    letters: shorter ones swapped are other words."""
    if len(word) < 2 or (word.isascii() and len(word) < 4):
        return False
    return any(
        word[i] != word[i + 1] and f"{word[:i]}{word[i + 1]}{word[i]}{word[i + 2 :]}" in text for i in range(len(word) - 1)
    )


def written_in(word: str, text: str) -> bool:
    """Whether `text` holds `word` as typed otherwise: with same-sounding characters or two of
    its characters swapped."""
    return sounds_in(word, text) or swapped_in(word, text)


@functools.lru_cache(maxsize=4096)
def _syllable(char: str) -> str | None:
    reading = _readings().get(ord(char))
    if reading is None:
        return None
    return "".join(c for c in unicodedata.normalize("NFD", reading) if not unicodedata.combining(c))


def pronounce(word: str) -> tuple[str, ...] | None:
    table = _readings()
    sound = tuple(table.get(ord(c)) for c in word)
    return None if None in sound else sound


@functools.lru_cache(maxsize=1)
def _readings() -> dict[int, str]:
    """Each character's first reading, tone marked, from pypinyin's character table."""
    spec = importlib.util.find_spec("pypinyin")
    if spec is None or not spec.submodule_search_locations:
        return {}
    path = Path(list(spec.submodule_search_locations)[0]) / "pinyin_dict.json"
    try:
        table = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return {int(code): readings.split(",")[0] for code, readings in table.items()}
