"""The highlight: which sentence of a passage answers the question, and how much around it to show."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

from .answerable import asks_name, asks_quantity, asks_when, gives_date, gives_quantity
from .text import LATIN_RUN, normalize, sums_up

# A paragraph's closing summing-up sentence (text.sums_up) repeats the topic, so it matches the
# question well, but the content is elsewhere: as the highlight it is marked down by a tie-breaker,
# less than the cosine gaps between sentences that differ in content.
_SUMS_UP_PENALTY = 0.05
# A highlighted label (a lead-in line ending in a colon, a short title line with no punctuation)
# takes in what it labels: the list lines after a lead-in up to this many characters, the
# sentence under a title.
_LIST_MAX = 200
_TITLE_MAX = 30
_SENTENCE_MARK = re.compile(r"[。！？；，、：!?;,:]")
# A table's row as the readers render it, 「header：value；header：value」: its cells are sentences (each is encoded
# alone, so that 「25E PE（x）：34.50」 meets 市盈率), but a cell alone does not say whose value it is — 「周涨跌幅：32.98%；」
# of which company? A cell counts the question's words of its whole row and is shown with it.
_ROW = re.compile(r"[^。！？!?；;：:\n]{1,20}：[^。！？!?；;\n]*(?:；[^。！？!?；;：:\n]{1,20}：[^。！？!?；;\n]*)+；?")
# Mid-paragraph, a sentence opening with a demonstrative (这类金融机构包括…, 这些政策包括…) is about what
# the sentence before it named, so for the question's words it counts as containing that one too.
_REFERS_BACK = re.compile(r"^(这类|这些|这种|此类|该|它们)")
# A "sentence" longer than this (a PDF table's rows, a list of titles: text with no sentence end for
# hundreds of characters) is highlighted only in its clauses holding the question's words.
_LONG_SENTENCE = 200
_CLAUSE_RUN_MIN = 40
_CLAUSE_END = re.compile(r"[，,；;：:]|\s+")
# A sentence scores its cosine to the question plus this much times the share of the question's word
# characters it holds (its title's words aside). Chosen, with the weight below, by 5-fold cross-validation
# on CMRC 2018's answer spans and our sets' gold snippets pooled: the least weight within a standard
# error of the best (docs/retrieval.md, step 6).
_WORD_WEIGHT = 0.5
# And, for a question asking for a figure or a time, this much if it gives one: the sentence repeating
# the question's subject (「固态电池优势与应用前景：…」) is not the one saying when (「…2027 年小批量上车」).
_GIVES_WHAT_IS_ASKED = 0.2
# And, for a question asking who or where, this much if it names a person or a place the question does not:
# less, since a passage names people and places in passing more often than it gives figures (CMRC: 0.05 in
# every fold, 0.05–0.15 alike, 0.3 worse than none).
_NAMES_WHAT_IS_ASKED = 0.05


Names = Callable[[str, str], set[str]]  # (text, "person" | "place") -> the persons or places it names


def highlight(
    text: str, spans: Sequence[tuple[int, int]], cosines, question: str, tokens, title: str = "", names: Names | None = None,
    lead: bool = False,
) -> tuple[int, int]:
    """The span of `text` to highlight for `question` (normalised; `tokens`: its search tokens): the
    sentence (of `spans`, whose cosines to the question are `cosines`) with the best mix of meaning and
    shared question words, with what it labels, narrowed to its clauses when very long. Words of the
    document's `title` do not count as shared: they say what the whole document is about, not which
    sentence answers (an article titled 麦银汉鱼 opens 「麦银汉鱼为辐鳍鱼纲…的其中一种」, which matched
    「麦银汉鱼整体是什么颜色的？」 better than the sentence giving its colour). `names` (Tokenizer.names) tells a
    sentence naming the person or place a who or where question asks for. `lead` (Passage.lead): the first line
    introduces the lines after it, as a lead-in does, whatever its form (a table's caption or heading)."""
    words = {t for t in tokens if len(t) >= 2}  # single characters are too common to say much
    title = normalize(title)
    telling = {t for t in words if not _in_title(t, title)}
    if spans:
        rows = _rows(text, spans)
        best = best_sentence(text, spans, cosines, question, telling, names, rows)
        span = rows.get(best) or with_what_it_labels(text, spans, best, lead)
    else:
        span = (0, len(text))
    if span[1] - span[0] > _LONG_SENTENCE:
        span = narrowed(text, span, lambda piece: covered(question, {t for t in words if t in normalize(piece)}))
    return span


def best_sentence(
    text: str, spans: Sequence[tuple[int, int]], cosines, question: str, words: set[str], names: Names | None = None,
    rows: dict[int, tuple[int, int]] | None = None,
) -> int:
    """The row of the sentence with the best mix of meaning (cosine) and shared question words, and,
    when the question asks for a figure, a time, a person or a place, of giving one."""
    total = covered(question, words) or 1
    best, best_score = 0, -1e9
    sentences = [normalize(text[a:b]) for a, b in spans]
    last = len(sentences) - 1
    summary = last if last > 0 and sums_up(sentences[last]) else None
    labelled = _labelled_by(text, spans)
    rows = _rows(text, spans) if rows is None else rows  # highlight() has them already
    gives, bonus = _gives_what_is_asked(question, names)
    for r, sentence in enumerate(sentences):
        about = sentences[r - 1] + sentence if 0 < r < last and _REFERS_BACK.match(sentence) else sentence
        if r in rows:  # its row's words: they say whose value it is
            about = normalize(text[slice(*rows[r])])
        found = {t for t in words if t in about}
        lead = {t for t in words if t in sentences[labelled[r]]} if r in labelled else found
        if found - lead:
            # An item that adds a question word to its lead-in's answers what the lead-in asks
            # of it: 「（二）注册资本不得低于一亿元；」 under 「设立小额贷款公司，应当具备下列条件：」.
            found |= lead
        score = float(cosines[r]) + _WORD_WEIGHT * covered(question, found) / total
        if r == summary:
            score -= _SUMS_UP_PENALTY
        # Asked only of a sentence the bonus could make the best: tagging names costs a cut of it.
        if gives is not None and score + bonus > best_score and gives(sentence):
            score += bonus
        if score > best_score:
            best, best_score = r, score
    return best


def _rows(text: str, spans) -> dict[int, tuple[int, int]]:
    """Each sentence that is a cell of a table's row (a line of 「header：value；…」 cells) → that row's span."""
    out: dict[int, tuple[int, int]] = {}
    start = 0
    for line in text.split("\n"):
        end = start + len(line)
        cells = [r for r, (a, b) in enumerate(spans) if start <= a and b <= end]
        if len(cells) > 1 and _ROW.fullmatch(line.strip()):
            out.update({r: (spans[cells[0]][0], spans[cells[-1]][1]) for r in cells})
        start = end + 1
    return out


def _labelled_by(text: str, spans) -> dict[int, int]:
    """Each sentence that is a line of a list after a lead-in on a line of its own → that lead-in's
    row: the lines with_what_it_labels would show with it."""
    out: dict[int, int] = {}
    for row, (start, end) in enumerate(spans):
        if _lead_in(text[start:end]) and _whole_line(text, start, end):
            _, last = with_what_it_labels(text, spans, row)
            out.update({r: row for r in range(row + 1, len(spans)) if spans[r][1] <= last and r not in out})
    return out


def _gives_what_is_asked(question: str, names: Names | None) -> tuple[Callable[[str], bool] | None, float]:
    """Whether a sentence gives what the question asks for, and what giving it adds to its score."""
    if asks_quantity(question):
        return gives_quantity, _GIVES_WHAT_IS_ASKED
    if asks_when(question):
        return gives_date, _GIVES_WHAT_IS_ASKED
    kind = asks_name(question) if names is not None else None
    if kind is None:
        return None, 0.0
    return (lambda sentence: any(n not in question for n in names(sentence, kind))), _NAMES_WHAT_IS_ASKED


def with_what_it_labels(text: str, spans, row: int, lead: bool = False) -> tuple[int, int]:
    """The highlight's span: sentence `row`, and when that sentence is a label on a line of its own,
    what it labels — a lead-in (「数据折射出当前经济运行的三个深层次特征：」, or a passage's lead line: a table's
    caption) with the list lines after it, up to _LIST_MAX characters, a title (「1. G7峰会（6/15-17）」) with the
    sentence under it unless that is a label too. The label repeats the question's words; the answer is what
    follows it."""
    start, end = spans[row]
    rest = spans[row + 1 :]
    if not rest or not _whole_line(text, start, end):
        return start, end
    if _lead_in(text[start:end]) or lead and start == 0:
        for _, b in rest:  # the first line after it at least
            if end > spans[row][1] and b - start > _LIST_MAX:
                break
            end = b
        return start, end
    following = text[rest[0][0] : rest[0][1]]
    if _title(text[start:end]) and not (_title(following) or _lead_in(following)):
        return start, rest[0][1]
    return start, end


def narrowed(text: str, span: tuple[int, int], coverage: Callable[[str], int]) -> tuple[int, int]:
    """Within a span over _LONG_SENTENCE characters, the shortest run of whole clauses (cut at commas,
    colons, semicolons and spaces) covering the most of the question (`coverage`: how many of its
    characters a piece's words cover), grown by a clause at a time, after it then before it, to at
    least _CLAUSE_RUN_MIN characters: a clause holding the question's words is often not the one
    with the answer (「2008 年，ARM 推出第一版的 TrsutZone产品」 for 哪一年). The span itself when
    no clause covers any of the question."""
    start, end = span
    cuts = [start, *(m.end() for m in _CLAUSE_END.finditer(text, start, end)), end]
    clauses = [(a, b) for a, b in zip(cuts, cuts[1:]) if b > a]
    best, best_key = None, (0, 0)
    for i, (a, _) in enumerate(clauses):
        for j in range(i, len(clauses)):
            b = clauses[j][1]
            if b - a > _LONG_SENTENCE:
                break
            key = (coverage(text[a:b]), a - b)  # more of the question, then shorter
            if key > best_key:
                best, best_key = (i, j), key
    if best is None:
        return span
    lo, hi = best
    after = True
    while clauses[hi][1] - clauses[lo][0] < _CLAUSE_RUN_MIN:
        grow_after = hi + 1 < len(clauses) and clauses[hi + 1][1] - clauses[lo][0] <= _LONG_SENTENCE
        grow_before = lo > 0 and clauses[hi][1] - clauses[lo - 1][0] <= _LONG_SENTENCE
        if not (grow_after or grow_before):
            break
        if grow_after and (after or not grow_before):
            hi += 1
        else:
            lo -= 1
        after = not after
    a, b = clauses[lo][0], clauses[hi][1]
    piece = text[a:b]
    a += len(piece) - len(piece.lstrip())
    return a, a + len(piece.strip().rstrip("，,；;：:").rstrip())


def _in_title(word: str, title: str) -> bool:
    """Whether `word` is in the (normalised) title: anywhere for Chinese, as a whole word for Latin
    letters and digits (ai is not in taiwan)."""
    if not title:
        return False
    if LATIN_RUN.fullmatch(word):
        return re.search(rf"(?<![a-z0-9]){re.escape(word)}(?![a-z0-9])", title) is not None
    return word in title


def _lead_in(sentence: str) -> bool:
    return sentence.endswith(("：", ":"))


def _title(sentence: str) -> bool:
    return len(sentence) <= _TITLE_MAX and not _SENTENCE_MARK.search(sentence)


def _whole_line(text: str, start: int, end: int) -> bool:
    return (start == 0 or text[start - 1] == "\n") and (end == len(text) or text[end] == "\n")


def covered(question: str, words: set[str]) -> int:
    """How many of the question's characters `words` cover. Characters, not words: search mode adds
    the dictionary words nested in a phrase (非银行金融机构: 非银行, 银行, 金融, 机构), which would
    otherwise count a repeated subject several times over. A word that is not in the question's
    text (an abbreviation's expansion) counts by its own length."""
    chars: set[int] = set()
    extra = 0
    for t in words:
        i = question.find(t)
        if i < 0:
            extra += len(t)
        while i >= 0:
            chars.update(range(i, i + len(t)))
            i = question.find(t, i + 1)
    return len(chars) + extra
