"""Whether the best passage answers the question, or only relates to it: the third outcome.

The abstention model says whether the documents cover what the question is about. Two checks,
written from what questions and documents are (never from particular questions), then say
whether the passage found gives what was asked:
- a question asking for a figure (多少, 几家, 百分之几) or a year (哪一年) is answered only by a passage
  holding one; a placeholder (XX亿元) is no figure. Otherwise the answer is "related": the nearest
  passage, with a reason saying what is missing;
- a name the question requires (a proper noun of jieba's dictionary, a year, a Latin or numbered
  term) that occurs nowhere in the documents means they do not cover the question;
- a figure or a time answers only for what the question names: a passage (with its headings and
  title) that gives a figure or a date but not the question's names is "related" — another
  company's profit does not answer 「宁德时代的净利润是多少？」, nor a trial in Austin 「…什么时候能在中国上线？」.
Measured and narrowed (docs/retrieval.md): requiring the name in the top passage itself, and a date
for 什么时候, refused 3.4 % of CMRC 2018's answerable questions — jieba tags many common words as
names (城市 ns, 籍贯 nr), passages paraphrase names, and dates take too many forms (康熙二十年, 清初);
requiring it in the top passage's document instead added 27 refusals there, changing nothing on
real reports.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass

from .text import normalize, tagged

ANSWERED, RELATED, NOT_COVERED = "answered", "related", "not_covered"
NOTHING_FOUND = "文档中没有找到相关内容"
NO_WORDS = "问题里没有可以检索的词语"  # only punctuation, emoji or words such as 的、什么

# Asking for a quantity: interrogatives, not topics (增长率 may be discussed without a figure). 几 counts
# only before a measure word of quantities: 哪几类 / 几个方面 ask for a list.
_ASKS_QUANTITY = re.compile(
    r"多少|(?<!哪)几(?:[家位名次倍成岁元户笔所座条台]|百|千|万|亿|十)|多大|多高|多长|多久|多快|多重|百分之几|占比|比例是|比重是|几个百分点|规模有多"
)
# Only a year or a month: 什么时候 is answered by 清初, 晚年, 宋朝时… as well as by dates.
_ASKS_DATE = re.compile(r"哪一?年|何年|哪个年份|几月|哪个月|哪一?月份")
# Asking when, in words any time answers: no date is required of the passage, only the question's names.
_ASKS_WHEN = re.compile(r"什么时候|什么时间|何时|哪天|哪一天|几号")
# Asking who or where: a person, a place answers (the highlight prefers a sentence naming one).
_ASKS_PERSON = re.compile(r"谁|哪位|什么人|哪些人")
_ASKS_PLACE = re.compile(r"哪里|哪儿|在哪|何处|何地|什么地方|哪个(?:国家|城市|省|地区|州|县|市)|哪国|哪座")
_PLACEHOLDER = re.compile(r"[XxＸｘ×]{2,}|[?？]{2,}|某某")
_YEAR = re.compile(r"(?:19|20)\d{2}\s*年(?:底|初|末|度)?")
_DATE = re.compile(r"\d{1,4}\s*年|[〇零一二两三四五六七八九十百千]+年|元年|\d{1,2}\s*月|[一二三四五六七八九十]{1,3}月")
_NUMBER = re.compile(
    r"\d|[零一二两三四五六七八九十半][零一二两三四五六七八九十百千万亿半]*(?:[家位名次倍成岁元户笔所座条台亿万]|个百分点|个|分之)|百分之"
)
_TERM = re.compile(r"^(?:[a-z][a-z0-9.+-]*\d[a-z0-9.+-]*|[a-z]{2,}|(?:19|20)\d{2})$")
# Latin letters right after a figure or a quantity word are its unit (多少wh/kg, 100gw), not a name.
_UNIT = re.compile(r"(?:多少|几|多|\d)\s*([a-z]+(?:\s*/\s*[a-z]+)*)")
# What asks, never a part of a name: jieba's HMM joins 建 and 多大 of 「…计划建多大产能…」 into one word,
# which posseg's model then reads as a person's name.
_ASKING = re.compile(r"多少|多大|多高|多长|多久|多远|多快|多重|几|什么|哪|谁|怎")
# A word that may continue a name: Chinese characters or Latin letters, no figures (2025年 is a year apart).
_NAME_PIECE = re.compile(r"[\u4e00-\u9fffa-z]+")


@dataclass(frozen=True)
class Verdict:
    status: str  # answered | related | not_covered
    reason: str  # why, in a few words of Chinese ("" when answered)


def written_as(name: str) -> tuple[str, ...]:
    """The forms in which a document may write a name: a Chinese document calls China 我国 ("our country")."""
    return (name, "我国") if name == "中国" else (name,)


def refusal(reason: str) -> str:
    """What the CLI and the chat say when the documents do not cover a question: with the reason
    when it says more than that (a name they never mention, a question with no words to look for)."""
    return f"报告中未找到相关内容（{reason}）。" if reason and reason != NOTHING_FOUND else "报告中未找到相关内容。"


def as_read_for_asking(question: str, cut) -> str:
    """The question as the asks_* checks read it (`cut(question)`: jieba's cut, every character kept,
    made only when something in it may ask): a match that starts inside a word and ends past it is a
    name's characters, not a question word — 多大 of 科罗拉多 | 大学 — and its first character is blanked.
    Inside a word it still asks (建多大, 第几名)."""
    matches = [m for pattern in (_ASKS_QUANTITY, _ASKS_DATE, _ASKS_WHEN) for m in pattern.finditer(question)]
    if not matches:
        return question
    ends = list(itertools.accumulate(len(w) for w in cut(question)))
    out = list(question)
    for m in matches:
        end_of_word = next((e for e in ends if e > m.start()), len(question))
        if m.start() not in (0, *ends) and end_of_word < m.end():
            out[m.start()] = " "
    return "".join(out)


def asks_quantity(question: str) -> bool:
    return bool(_ASKS_QUANTITY.search(question))


def asks_date(question: str) -> bool:
    return bool(_ASKS_DATE.search(question))


def asks_figure(question: str) -> bool:
    """Asking for a quantity or a date: the answer is a figure about what the question names."""
    return asks_quantity(question) or asks_date(question)


def asks_when(question: str) -> bool:
    """Asking when: the answer is a time of what the question names (a date, 清初, 晚年…)."""
    return bool(_ASKS_WHEN.search(question)) or asks_date(question)


def asks_name(question: str) -> str | None:
    """"person" for a question asking who, "place" for one asking where, else None."""
    return "person" if _ASKS_PERSON.search(question) else "place" if _ASKS_PLACE.search(question) else None


def asks_about_named(question: str) -> bool:
    """Asking for a figure or a time: only a passage about what the question names answers it."""
    return asks_figure(question) or asks_when(question)


def gives_quantity(text: str) -> bool:
    """A figure other than a year or a date, once placeholders (XX亿元) are taken out."""
    text = _DATE.sub(" ", _YEAR.sub(" ", _PLACEHOLDER.sub(" ", text)))
    return bool(_NUMBER.search(text))


def gives_date(text: str) -> bool:
    return bool(_DATE.search(_PLACEHOLDER.sub(" ", text)))


def required_names(
    question: str, tokens, in_vocabulary=lambda w: False, known=lambda w: False, new_name=lambda w: False
) -> list[str]:
    """The names a question requires: its longest tokens that jieba's dictionary tags as proper
    nouns, years, and Latin or numbered terms (ESG, 5G) other than units; and those of three
    characters or more that `new_name` says are names the dictionary lacks (隆基绿能: a company newer
    than the dictionary). Tokens `known(token)` says to skip are never looked up in the dictionary's tags.

    A name whose characters the corpus reads otherwise is a cut across a word boundary, not a name:
    in 「相较于亚太版本」 jieba's dictionary has the person 于亚太 where the corpus has 亚太, in
    「尼高·高华以什么著称」 the name 华以 where the corpus has 高华. A name that is a corpus word and one
    more character, or that a corpus word overlaps and reaches past, is dropped, unless the corpus
    has the name itself."""
    tokens = list(dict.fromkeys(tokens))
    # Search-mode tokens nest (互联网 and 联网, 青海省 and 青海): only a longest token can be a name.
    longest = [t for t in tokens if len(t) >= 2 and not any(t != u and t in u for u in tokens) and not known(t)]
    units = {u for m in _UNIT.finditer(question) for u in re.split(r"[\s/]+", m.group(1))}
    found = [
        t for t, is_name in zip(longest, tagged(longest, "name"))
        if (is_name or _TERM.match(t) or len(t) >= 3 and not _ASKING.search(t) and new_name(t)) and t not in units
    ]
    # A corpus word is the corpus's own reading, never a cut across it (甘肃省 beside 甘肃).
    return [n for n in found if in_vocabulary(n) or not _cut_across(question, n, in_vocabulary)]


def absent_names(question: str, tokens, in_corpus, in_vocabulary=lambda w: False, new_name=lambda w: False) -> list[str]:
    """The question's names (`required_names`) that the documents never mention (`in_corpus(word)`:
    whether they do). Only tokens the documents lack are looked up, so a question in the documents'
    own words never reads the dictionary's tags."""
    return required_names(question, tokens, in_vocabulary, known=in_corpus, new_name=new_name)


def as_asked(name: str, words: list[str], content, present) -> str:
    """A missing name as the question writes it: with the content words right next to it that are
    missing too. The corpus's words may cut a name jieba's dictionary lacks (宁德时代 is 宁德 | 时代),
    and the reader asked about 宁德时代, not 宁德. `words`: jieba's cut of the question, every
    character kept; `content(word)`: a token of the question (no stopword, no punctuation);
    `present(word)`: where it was looked for, it is there."""
    starts = [0]
    for w in words:
        starts.append(starts[-1] + len(w))
    at = "".join(words).find(name)
    if at < 0 or not _NAME_PIECE.fullmatch(name):  # a year is shown as a year
        return name
    first = max(i for i, a in enumerate(starts[:-1]) if a <= at)
    last = min(i for i, b in enumerate(starts[1:]) if b >= at + len(name))

    def missing_too(w: str) -> bool:
        return bool(_NAME_PIECE.fullmatch(w)) and content(w) and not present(w)

    while last + 1 < len(words) and missing_too(words[last + 1]):
        last += 1
    while first > 0 and missing_too(words[first - 1]):
        first -= 1
    return "".join(words[first : last + 1])


def _cut_across(question: str, name: str, in_vocabulary) -> bool:
    if len(name) >= 3 and (in_vocabulary(name[1:]) or in_vocabulary(name[:-1])):
        return True
    start = question.find(name)
    if start < 0:
        return False
    end = start + len(name)
    for a in range(max(0, start - 3), end):
        for b in range(max(a + 2, start + 1), min(len(question), end + 3) + 1):
            inside = start <= a and b <= end
            if not inside and a < end and b > start and in_vocabulary(question[a:b]):
                return True
    return False


def judge(question: str, covered: bool, top_text: str, absent=(), unnamed=()) -> Verdict:
    """The outcome for a question whose best passage is `top_text`. `covered`: the abstention model's
    decision; `absent`: the question's required names that no document holds; `unnamed`: those the
    best passage, its headings and its title do not hold (they matter for a figure or a year)."""
    if not covered:
        return Verdict(NOT_COVERED, NOTHING_FOUND)
    if absent:
        return Verdict(NOT_COVERED, f"文档中没有提到「{absent[0]}」")
    text = normalize(top_text)
    if asks_date(question) and not gives_date(text):
        return Verdict(RELATED, "文档讨论了相关内容，但没有给出具体时间")
    if asks_quantity(question) and not gives_quantity(text):
        return Verdict(RELATED, "文档讨论了相关内容，但没有给出具体数字")
    if unnamed and asks_about_named(question):
        name = unnamed[0] + ("年" if unnamed[0].isdigit() else "")
        return Verdict(RELATED, f"文档讨论了相关内容，但没有给出「{name}」的具体{'时间' if asks_when(question) else '数字'}")
    return Verdict(ANSWERED, "")
