"""Follow-up questions, completed from the previous question of the conversation.

Three forms, the common ones in Chinese chat:
- a reference back: 「它们面临哪些挑战？」 after 「非银行金融机构包括哪些类型？」 -> 非银行金融机构面临哪些挑战？
- more on the same (「详细说说」, 「还有呢？」, 「为什么？」): the previous question, the request after it;
- "what about X": the previous question asked about X instead of what X stands beside in it — its
  subject (「那互联网金融呢？」 after 「银行有什么优势？」 -> 互联网金融有什么优势？), or what it asked of the
  subject (「那缺点呢？」 after 「全固态电池的优势是什么？」 -> 全固态电池的缺点是什么？), a date or count of
  the same form (「6月呢？」 after 「5月金融数据…」), or what follows the same preposition (「对煤炭企业呢？」
  after 「煤价下行对火电企业有什么影响？」); an X far in meaning from the subject is an aspect of it, asked of
  it alone (「那成本呢？」 after 「固态电池什么时候能量产？」 -> 固态电池的成本).
"""

from __future__ import annotations

import re
from collections.abc import Callable

from .text import Tokenizer, normalize, simplified, tagged

# Words that point back to something named earlier ("其" only alone: not 其他, 其中, 尤其 …; 这个 and 那个
# not before a time: 这个月 is this month).
_REFERENCE = re.compile(
    r"它们|他们|她们|这些|那些|这类|此类|该类|上述|(?:这个|那个)(?![月季年周星时阶])|它|(?<![尤极与])其(?![他它中次余实间])"
)
# 「那X呢？」, 「那么X呢」, 「X呢？」: the previous question, asked about X instead.
_WHAT_ABOUT = re.compile(r"^(?:那么|那)?[,，\s]*(?P<subject>.+?)呢[?？!！。.\s]*$")
# Dates and counts: 「2024年呢？」 replaces the year of the previous question, 「二季度呢？」 its quarter.
_NUMERAL = r"(?:\d+|[一二三四五六七八九十两]+)"
_SHAPES = [
    re.compile(p)
    for p in (
        r"(?:19|20)\d{2}\s*年(?:度)?",
        rf"{_NUMERAL}\s*月份?",
        rf"(?:第?{_NUMERAL}|[qQ][1-4])\s*季度?",
        r"[上下]半年",
        rf"{_NUMERAL}线",
    )
]
# A request for more on what was just asked, naming nothing of its own (「详细说说」, 「还有呢？」, 「为什么？」,
# 「举个例子」): searched as the previous question with the request after it.
_MORE = re.compile(
    r"^(?:那|那么)?[,，\s]*(?:请|能不能|能|可以|麻烦)?(?:再|多)?(?:"
    r"还有(?:别的|其他的?|什么)?|然后|接着(?:说|讲)?|继续(?:说|讲)?|为什么|为啥|怎么说"
    r"|(?:详细|具体|展开|仔细)(?:一点|一些|些|点)?(?:说说|讲讲|说|讲|谈谈|介绍(?:一下)?|解释(?:一下)?)?"
    r"|(?:说|讲|介绍|解释)(?:得)?(?:详细|具体)(?:一点|一些|些|点)?|(?:举|给)(?:个|几个)?例子"
    r")(?:吗|呢|吧|啊|呀)?[?？!！。.\s]*$"
)
# Words that set a subject's scope as a place does (全国小微企业贷款余额), which jieba does not tag as places.
_SCOPES = frozenset({"全国", "我国", "国内", "全球", "世界", "国际", "全省", "全市", "各地", "海外", "境外", "境内"})
# A preposition that starts X: what follows it in the previous question is what X replaces.
_PREPOSITION = re.compile(r"^(对于|对|关于|在|和|与|跟|给|向|从)(?P<rest>.+)$")

Similarity = Callable[[str, str], float]


def resolve_followup(
    question: str, previous: str | None, tokenizer: Tokenizer, similarity: Similarity | None = None, aspect_below: float = -1.0
) -> str:
    """The question to search: completed from the previous one when it is a follow-up, else unchanged.
    Both come cleaned (`qa.text.clean`), as `Retriever.ask` passes them. `similarity(a, b)` (the
    embedding model's cosine) tells whether X stands for the previous question's subject or for what
    it asked of it, and an X below `aspect_below` to the subject is an aspect of it (Settings.aspect_similarity);
    without it, X replaces the subject."""
    if not previous:
        return question
    # The patterns and the slots are simplified Chinese: 它們, 這些, 詳細說說 are matched, and the
    # question searched is written in simplified characters.
    question, previous = simplified(question), simplified(previous)
    if _MORE.match(question):
        pieces = re.findall(r"[^?？!！。]+[?？!！。]*", previous.rstrip())
        while len(pieces) > 1 and _MORE.match(pieces[-1]):  # a second 「详细说说」 replaces the first
            pieces.pop()
        return "".join(pieces) + question
    runs = tokenizer.noun_runs(previous)
    if not runs:
        return question
    topic = runs[0][1]
    what_about = _WHAT_ABOUT.match(question)
    if what_about:
        subject = what_about.group("subject").strip()
        # Only a subject with content of its own (「为什么呢？」 has none) and that is not the topic itself.
        if not tokenizer.tokens(subject) or subject == topic:
            return question
        refers = _REFERENCE.search(subject)
        if refers:  # 「它们的风险呢？」: the subject's own, asked the same way
            subject = subject[: refers.start()] + topic + subject[refers.end() :]
            old, new = topic, subject
        else:
            old, new = _slot(normalize(previous), subject, runs, similarity, tokenizer, aspect_below)
        if old is None:  # an aspect of the subject, which the previous question's words may not fit
            return f"{topic}的{new}"
        if not old:  # nothing replaced: X goes in front
            return new + previous
        if old in previous:
            return previous.replace(old, new, 1)
        # The slot is in the matching form (NFKC: full-width digits, no spaces): so is the question, once normalised.
        return normalize(previous).replace(old, normalize(new), 1)
    refers = _REFERENCE.search(question)
    if not refers or topic in question:
        return question
    rest = question[refers.end() :]
    head = next((w for w in tokenizer.words(rest) if w.strip()), "")
    if head and topic.endswith(head):  # 「这些机构…」 after 非银行金融机构: the topic, not 非银行金融机构机构
        rest = rest[len(head) :]
    return question[: refers.start()] + topic + rest


def _slot(
    previous: str, subject: str, runs: list[tuple[int, str]], similarity: Similarity | None, tokenizer: Tokenizer,
    aspect_below: float = -1.0,
) -> tuple[str | None, str]:
    """(the words of the normalised previous question that the follow-up's subject replaces, what
    replaces them: the subject, or what follows its preposition); None for the words when the subject
    is an aspect of the previous question's subject."""
    matching = normalize(subject)
    for shape in _SHAPES:
        if shape.fullmatch(matching):
            found = shape.search(previous)
            if found:
                return found.group(0), subject
            # None of that form to replace: the period narrows the question, after its year if it has one
            # (「上半年呢？」 after 「宁德时代净利润是多少？」 -> 上半年宁德时代净利润是多少？).
            year = _SHAPES[0].search(previous)
            return (year.group(0), year.group(0) + subject) if year else ("", subject)
    preposition = _PREPOSITION.match(matching)
    if preposition:
        word = preposition.group(1)
        at = previous.find(word)
        after = next((run for start, run in runs if at >= 0 and start == at + len(word)), None)
        if after:
            return after, subject[len(word) :].strip()
    new = [w for w in tokenizer.words(matching) if w.strip()]
    if len(new) == 1 and tagged(new, "place")[0]:  # a place for the previous question's scope (全国, 我国 …)
        scope = next((w for w in tokenizer.words(previous) if w in _SCOPES), None)
        if scope:
            return scope, subject
    topic, asked = runs[0][1], runs[-1][1]
    # What the question asked of its subject is its last run of nouns (优势, 类型, 影响); the subject is
    # replaced unless the follow-up's subject is nearer in meaning to that. A name (比亚迪 after
    # 「宁德时代…净利润是多少？」) is a new subject: the model's cosines of lone names are near chance.
    named = tagged(new[:1], "name") == [True]
    if similarity is not None and not named:
        to_topic = similarity(matching, topic)
        if len(runs) > 1 and similarity(matching, asked) > to_topic:
            return asked, subject
        # Nearer to what was asked than to the subject, it is asked of the subject; far from both, it
        # is still an aspect of the subject (成本 of 固态电池, 0.67), where a peer is near it (钠离子电池, 0.85).
        if to_topic < aspect_below:
            return None, subject
    return _part_of_subject(topic, new, tokenizer), subject


def _part_of_subject(topic: str, new: list[str], tokenizer: Tokenizer) -> str:
    """The part of the previous subject a new one replaces. A subject led by a place (青海省小额贷款公司)
    keeps that place for a subject without a name (融资担保公司 -> 青海省融资担保公司) and keeps the rest
    for a place alone (甘肃省 -> 甘肃省小额贷款公司); otherwise the whole subject goes (比亚迪 for
    宁德时代, which jieba cuts 宁德 | 时代). `new`: the new subject's words."""
    words = [w for w in tokenizer.words(topic) if w.strip()]
    if len(words) < 2 or not tagged(words[:1], "place")[0]:
        return topic
    if len(new) == 1 and tagged(new, "place")[0]:
        return words[0]
    if new and not tagged(new[:1], "name")[0]:
        return topic[len(words[0]) :]
    return topic
