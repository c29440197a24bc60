"""Lexical + dense retrieval, score fusion and the decision: answered, related or not covered."""

from __future__ import annotations

import functools
import math
import re
from dataclasses import dataclass

import numpy as np

from . import postag
from .answerable import (
    ANSWERED, NO_WORDS, NOT_COVERED, Verdict, absent_names, as_asked, as_read_for_asking, asks_about_named, judge, required_names, written_as,
)
from .conversation import resolve_followup
from .corpus import Passage
from .errors import IndexMismatch, QuestionError
from .highlight import highlight
from .store import IndexData
from .settings import Settings
from .spelling import Homophones, written_in
from .text import clean, joined_fragments, labels_a_figure, no_sentence, normalize


@dataclass(frozen=True)
class Hit:
    passage: Passage
    score: float  # fused, 0..1
    highlight: str  # the sentence of the paragraph that best answers the question
    highlight_span: tuple[int, int]  # its position in passage.text
    lexical: float  # BM25 score / best BM25 score of this question, 0..1
    dense: float  # cosine of the question and the passage's best sentence (or the passage in its section, less a margin)
    # Other documents holding this very passage (a report saved twice: same title, section, cite and
    # text): one hit for all of them, not one each.
    also: tuple[str, ...] = ()
    ocr: bool = False  # its page is a scan OCR read: its text may hold a misread character



@dataclass(frozen=True)
class Answer:
    question: str  # as asked
    searched: str  # as searched (a follow-up is completed from the conversation)
    answered: bool  # status == "answered"; otherwise hits are only the nearest paragraphs
    confidence: float  # probability that the documents cover the question, from the abstention model
    hits: tuple[Hit, ...]
    # answered | related (the documents discuss it, but the best passage lacks the figure or name
    # asked for) | not_covered; reason says why in a few words (qa/answerable.py).
    status: str = "answered"
    reason: str = ""


@dataclass(frozen=True)
class Scores:
    """Every signal for a question's candidate passages (indices into the index's passages)."""

    ids: np.ndarray
    bm25: np.ndarray  # raw BM25
    sentence_cos: np.ndarray  # the dense score: the passage's best sentence, or the passage in its section less a margin
    sentence_cos_all: list[np.ndarray]  # all sentence cosines per candidate (for highlighting)
    query_tokens: tuple[str, ...]
    query: str  # the normalised question the tokens came from
    document_share: np.ndarray | None = None  # the idf share of the question's words each candidate's document holds


def check_question(question: object, settings: Settings) -> str:
    """The visible text of a question, or QuestionError saying what is wrong with it."""
    if not isinstance(question, str):
        raise QuestionError("the question must be text", "问题必须是文字")
    if len(question) > settings.max_question_chars * 4:  # refuse before spending time cleaning it
        raise QuestionError(
            f"the question is too long (over {settings.max_question_chars} characters); ask something shorter",
            f"问题太长（超过 {settings.max_question_chars} 个字），请问得简短一些",
        )
    text = clean(question)
    if not text:
        raise QuestionError("the question is empty; type a question about the documents", "问题是空的：请输入一个关于文档的问题")
    if len(text) > settings.max_question_chars:
        raise QuestionError(
            f"the question is too long ({len(text)} characters, at most {settings.max_question_chars}); ask something shorter",
            f"问题太长（{len(text)} 个字，最多 {settings.max_question_chars} 个），请问得简短一些",
        )
    return text


def check_k(k: object, settings: Settings) -> int:
    if isinstance(k, bool) or not isinstance(k, int) or not 1 <= k <= settings.max_k:
        raise QuestionError(f"k must be a whole number from 1 to {settings.max_k}")
    return k


class Retriever:
    """Answers questions from one loaded index generation. Thread-safe for concurrent `ask` calls."""

    def __init__(self, data: IndexData, settings: Settings | None = None, encoder=None):
        self.data = data
        self.settings = settings or Settings()
        if encoder is None:
            from .question_encoder import question_encoder

            encoder = question_encoder(data.model, self.settings.question_encoder)
        if encoder.dimension != data.dimension:
            raise IndexMismatch(
                f"the index has {data.manifest['model']['dimension']}-d vectors but model {encoder.model} makes "
                f"{encoder.dimension}-d ones: run `qa build`"
            )
        self.encoder = encoder
        self._vocab = data.vocab
        data.tokenizer.warm()

    # ------------------------------------------------------------------ public

    def warm(self) -> "Retriever":
        """Load now what a first question would otherwise wait for (a server, at start and on reload):
        the part-of-speech tables, the corpus vocabulary by pronunciation, the documents' heading
        words and their text as questions are normalised (~0.1-0.5 s)."""
        self.data.tokenizer.warm(tags=True)
        self._homophones
        self._captions
        self._copies
        self._text
        if self._weighs_documents and self._vocab:
            self.data.warm_postings()  # a Milvus store reads them now, not at the first question
        return self

    def ask(
        self, question: str, k: int | None = None, *, previous: str | None = None, docs: "list[str] | None" = None
    ) -> Answer:
        """The k best passages for `question`. With `previous` (the conversation's last question, as
        searched: `Answer.searched`), a follow-up such as 「它们呢？」 is completed from it first.
        With `docs` (document names), only those documents are searched."""
        text = check_question(question, self.settings)
        allowed = self._passages_of(docs)
        k = check_k(self.settings.k if k is None else k, self.settings)
        if previous is not None:
            if not isinstance(previous, str):
                raise QuestionError("the previous question must be text")
            previous = clean(previous)
            if len(previous) > self.settings.max_question_chars:
                raise QuestionError(f"the previous question is too long (at most {self.settings.max_question_chars} characters)")
        query = resolve_followup(text, previous, self.data.tokenizer, self.similarity, self.settings.aspect_similarity)
        query = check_question(query, self.settings) if query != text else text
        scores = self.scores(query, allowed)
        # A homophone typo (代款 for 贷款) corrected to the corpus's word, kept only if the documents
        # then cover the question better (qa/spelling.py).
        corrected = self._homophones.correct(self.data.tokenizer.words(query))
        if corrected != normalize(query):
            alternative = self.scores(corrected, allowed)
            if self.confidence(alternative) > self.confidence(scores):
                query, scores = corrected, alternative
        fused = self.fuse(scores)
        order = self._distinct(scores, np.argsort(-fused, kind="stable"), k)
        confidence = self.confidence(scores)
        hits = tuple(self._hit(scores, int(j), float(fused[j])) for j in order)
        verdict = self.verdict(scores, hits, confidence >= 0.5)
        return Answer(
            question=text,
            searched=query,
            answered=verdict.status == ANSWERED,
            confidence=round(confidence, 4),
            hits=hits,
            status=verdict.status,
            reason=_as_written(verdict.reason, query),
        )

    def similarity(self, a: str, b: str) -> float:
        """The model's cosine of two short texts (which part of the previous question a follow-up replaces)."""
        va, vb = self.encoder.encode([normalize(a), normalize(b)])
        return float(va @ vb)

    @property
    def passages(self) -> list[Passage]:
        return [sp.passage for sp in self.data.passages]

    # ------------------------------------------------------------------ signals

    def _passages_of(self, docs) -> np.ndarray | None:
        """The passage ids of the named documents (None: no filter), or QuestionError naming the unknown."""
        if docs is None:
            return None
        if isinstance(docs, str) or not all(isinstance(d, str) for d in docs):
            raise QuestionError("docs must be a list of document names")
        wanted = {d.strip() for d in docs if d.strip()}
        if not wanted:
            return None
        names = self._doc_ranges
        unknown = sorted(wanted - set(names))
        if unknown:
            known = "、".join(list(names)[:10]) + (f" … {len(names)} in all: `qa docs` lists them" if len(names) > 10 else "")
            raise QuestionError(
                f"no document named {unknown[0]!r} in the index (it has: {known})", f"索引中已没有文档「{unknown[0]}」：索引已更新，请刷新页面后重新选择"
            )
        return np.concatenate([np.arange(*names[d]) for d in sorted(wanted, key=lambda d: names[d][0])])

    @functools.cached_property
    def _doc_ranges(self) -> dict[str, tuple[int, int]]:
        """Each document's passages: a run of ids, since passages are stored document after document."""
        ranges: dict[str, list[int]] = {}
        for i, sp in enumerate(self.data.passages):
            r = ranges.setdefault(sp.passage.doc, [i, i])
            r[1] = i + 1
        return {d: (a, b) for d, (a, b) in ranges.items()}

    @functools.cached_property
    def _copies(self) -> dict[int, tuple[int, ...]]:
        """Passage id -> the ids of the same passage in other documents (copies of one report)."""
        same: dict[tuple, list[int]] = {}
        for i, sp in enumerate(self.data.passages):
            p = sp.passage
            same.setdefault((p.title, p.headings, p.cite, p.text), []).append(i)
        return {i: tuple(x for x in ids if x != i) for ids in same.values() if len(ids) > 1 for i in ids}

    @functools.cached_property
    def _scanned_pages(self) -> set[tuple[str, int]]:
        """(document, page) of the PDF pages OCR read."""
        return {(d["name"], n) for d in self.data.documents for n in d.get("pages_read_by_ocr") or ()}

    def _distinct(self, s: Scores, order: np.ndarray, k: int) -> list[int]:
        """The first k candidates in `order`, a copy of a passage already taken passed over."""
        taken: list[int] = []
        seen: set[int] = set()
        for j in order:
            i = int(s.ids[j])
            if i in seen:
                continue
            taken.append(int(j))
            seen.add(i)
            seen.update(self._copies.get(i, ()))
            if len(taken) == k:
                break
        return taken

    def scores(self, query: str, allowed: np.ndarray | None = None) -> Scores:
        data = self.data
        n = len(data.passages)
        tokens = data.tokenizer.tokens(query)
        normalized = normalize(query)
        qv = self.encoder.encode([normalized])[0]
        depth = min(n, self.settings.candidates)
        lexical = data.lexical([self._vocab[t] for t in tokens if t in self._vocab], depth)
        if allowed is not None:  # a document filter: its passages, all of them scored
            cand = allowed
        elif depth < n:  # candidates: each side's best; the passage vectors only serve to find them
            cand = np.unique(np.concatenate([data.dense_top(qv, depth), lexical.top]))
        else:
            cand = np.arange(n)

        # All candidates' sentences in one gather and one product.
        lo, hi = data.sentence_offsets[cand], data.sentence_offsets[cand + 1]
        counts = hi - lo
        starts = np.cumsum(counts) - counts  # where each candidate's sentences begin in the gather
        rows = np.repeat(lo - starts, counts) + np.arange(counts.sum())
        # And each candidate read in its section, in the same gather: a passage scores the better of its
        # best sentence and itself under its heading, less a margin.
        rows = np.concatenate([rows, data.in_section_rows(cand)])
        cos = data.sentence_scores(rows, qv) if len(rows) else np.zeros(0, np.float32)
        in_section = cos[len(rows) - len(cand) :]
        sent_all = [cos[a : a + c] if c else np.zeros(1, np.float32) for a, c in zip(starts.tolist(), counts.tolist())]
        sent_best = np.maximum([float(x.max()) for x in sent_all], in_section - self.settings.section_margin)
        return Scores(
            ids=cand,
            bm25=lexical.of(cand).astype(np.float32),
            sentence_cos=sent_best.astype(np.float32),
            sentence_cos_all=sent_all,
            query_tokens=tuple(tokens),
            query=normalized,
            document_share=self._document_share(tokens, cand),
        )

    def _document_share(self, tokens: list[str], cand: np.ndarray) -> np.ndarray | None:
        """For each candidate, the idf-weighted share of the question's words that its document holds
        anywhere (text, headings, title): evidence a passage cannot carry alone, since a report names
        its subject (生猪养殖) in its title and headings more than in every paragraph. None for one document."""
        if not self._weighs_documents:
            return None
        doc_of, heading_words = self._document_words
        docs = doc_of[cand]
        present = np.unique(docs)
        words = list(dict.fromkeys(tokens))
        known = [self._vocab[t] for t in words if t in self._vocab]
        postings = dict(zip(known, self.data.passages_holding(known)))
        held = np.zeros(len(heading_words))
        total = 0.0
        for t in words:
            tid, idf = self._vocab.get(t), self._idf(t)
            total += idf
            has = np.zeros(len(heading_words), dtype=bool)
            if tid is not None:
                has[doc_of[postings[tid]]] = True
            for d in present:
                has[d] |= t in heading_words[d]
            held += idf * has
        return (held[docs] / total).astype(np.float32) if total > 0 else np.zeros(len(cand), np.float32)

    @property
    def _weighs_documents(self) -> bool:
        """Whether the fusion's document term is computed: several documents and a weight for it."""
        return self.settings.document_weight > 0 and len(self._document_words[1]) > 1

    @functools.cached_property
    def _document_words(self) -> tuple[np.ndarray, list[set[str]]]:
        """Each passage's document number, and each document's heading and title words (its text's
        words are BM25's postings). Made at the first question: one tokenization per distinct heading."""
        doc_of = np.zeros(len(self.data.passages), dtype=np.int64)
        words_of: dict[str, set[str]] = {}
        heading_words: list[set[str]] = []
        for d, (a, b) in enumerate(self._doc_ranges.values()):
            doc_of[a:b] = d
            words: set[str] = set()
            for sp in self.data.passages[a:b]:
                for line in (sp.passage.title, *sp.passage.headings):
                    if line not in words_of:
                        words_of[line] = set(self.data.tokenizer.tokens(line))
                    words |= words_of[line]
            heading_words.append(words)
        return doc_of, heading_words

    def fuse(self, s: Scores) -> np.ndarray:
        """Normalised score fusion: BM25 over its best score, cosine rescaled from the floor to the best."""
        top = float(s.bm25.max()) if len(s.bm25) else 0.0
        lexical = s.bm25 / top if top > 0 else np.zeros_like(s.bm25)
        dense = s.sentence_cos
        floor = self.settings.dense_floor
        span = float(dense.max()) - floor
        dense_n = np.clip((dense - floor) / span, 0, 1) if span > 1e-6 else np.zeros_like(dense)
        w = self.settings.dense_weight
        fused = (1 - w) * lexical + w * dense_n
        share = s.document_share
        if share is not None and len(share):  # a passage's document lacking the question's words
            fused = fused - self.settings.document_weight * (float(share.max()) - share)
        if self.settings.caption_penalty:
            fused = fused - self.settings.caption_penalty * self._captions[s.ids]
        return fused

    @functools.cached_property
    def _captions(self) -> np.ndarray:
        """1 for a passage that says nothing itself: a figure's or table's caption (or a line pointing to one), a PDF's
        cover, fragments joined by spaces; else 0."""
        says_nothing = [labels_a_figure(p.text) or _cover(p) or joined_fragments(p.text) for p in (sp.passage for sp in self.data.passages)]
        return np.array(says_nothing, dtype=np.float32)

    def features(self, s: Scores) -> tuple[float, float]:
        """Abstention features: how strongly the best lexical and the best dense match hold."""
        idf_total = self._max_bm25(s.query_tokens)
        bm25_top = float(s.bm25.max()) / idf_total if idf_total > 0 else 0.0
        return min(bm25_top, 1.0), float(s.sentence_cos.max()) if len(s.ids) else 0.0

    def verdict(self, s: Scores, hits: tuple[Hit, ...], covered: bool) -> Verdict:
        """Answered, related or not covered (qa/answerable.py), from the abstention decision and the top hit."""
        if not s.query_tokens:
            return Verdict(NOT_COVERED, NO_WORDS)
        if not hits or not covered:  # no need to look for missing names
            return judge(s.query, False, "")
        top = hits[0].passage
        absent = absent_names(s.query, s.query_tokens, self._in_corpus, self._vocab.__contains__, self._new_name)
        asking = as_read_for_asking(s.query, self.data.tokenizer.words)
        figure = asks_about_named(asking)
        nearby = _names_of(top) if absent or figure else ""  # built only when a name needs looking for
        # A name the top passage writes otherwise (same-sounding, swapped) is there (qa/spelling.py).
        absent = [n for n in absent if not written_in(n, nearby)]
        unnamed = []
        if not absent and figure:
            names = required_names(s.query, s.query_tokens, self._vocab.__contains__, new_name=self._new_name)
            unnamed = [n for n in names if not any(f in nearby for f in written_as(n)) and not written_in(n, nearby)]
        if absent or unnamed:  # shown as asked: 宁德时代, not the corpus's cut 宁德
            words, content = self.data.tokenizer.words(s.query), set(s.query_tokens).__contains__
            absent = [as_asked(n, words, content, self._in_corpus) for n in absent]
            unnamed = [as_asked(n, words, content, nearby.__contains__) for n in unnamed]
        return judge(asking, covered, top.text, absent, unnamed)

    @functools.cached_property
    def _homophones(self) -> Homophones:
        return Homophones(self._vocab, self.data.tokenizer.frequency)

    @functools.cached_property
    def _names_text(self) -> str:
        """Every title and heading, where a name may be that the passages' words do not repeat."""
        seen = dict.fromkeys(x for sp in self.data.passages for x in (sp.passage.title, *sp.passage.headings))
        return normalize("\n".join(seen))

    def _new_name(self, word: str) -> bool:
        """A word jieba's dictionary lacks in which posseg's model finds a name that the documents'
        text never holds: 隆基绿 of 隆基绿能, a company newer than the dictionary. Not 黄沾 of 黄沾有
        (「黄霑有哪些…」), which the documents write, though their words cut it otherwise."""
        if self.data.tokenizer.frequency(word):
            return False
        return any(name not in self._text for name in postag.names_in(word))

    @functools.cached_property
    def _text(self) -> str:
        """Every passage's text, normalised as questions are, one after another (0.2 s for CMRC's 848 passages)."""
        return normalize("\n".join(sp.passage.text for sp in self.data.passages))

    def _in_corpus(self, word: str) -> bool:
        return any(f in self._vocab or f in self._names_text for f in written_as(word))

    def confidence(self, s: Scores) -> float:
        if not s.query_tokens:  # only punctuation and words like 的, 什么: a cosine alone shows nothing covered
            return 0.0
        b, d = self.features(s)
        st = self.settings
        z = st.abstain_bm25_coef * b + st.abstain_dense_coef * d + st.abstain_bias
        return 1.0 / (1.0 + math.exp(-z))

    def _max_bm25(self, tokens: tuple[str, ...]) -> float:
        """A question's best possible BM25 score, roughly: the sum of its tokens' idf weights times (k1+1).
        A token the report lacks counts as a rare word, evidence that the question is about something
        else, but only if it is a noun or a verb: an unknown adverb or measure word (一类, 好处) is how it
        asks (Tokenizer.asking_words). A word
        only headings or titles hold (「二、白羽肉鸡：引种受限…」) is the documents' own, but BM25, which reads
        passages, cannot match it: it counts neither way."""
        if not tokens:
            return 0.0
        unknown = {t for t in tokens if t not in self._vocab}
        headed = {t for t in unknown if self._in_corpus(t)}  # not in BM25's vocabulary, so in a heading or title
        lacking = unknown - headed
        asking = self.data.tokenizer.asking_words(lacking) if lacking else set()  # else the tables need not be read
        return sum(self._idf(t) for t in set(tokens) - asking - headed) * (self.settings.bm25_k1 + 1)

    def _idf(self, token: str) -> float:
        """Lucene's idf, as BM25's; a word no passage holds weighs as the rarest."""
        tid = self._vocab.get(token)
        df = self.data.doc_freq(tid) if tid is not None else 0
        n = self.data.num_docs
        return math.log(1 + (n - df + 0.5) / (df + 0.5))

    def _hit(self, s: Scores, j: int, score: float) -> Hit:
        sp = self.data.passages[int(s.ids[j])]
        span = highlight(
            sp.passage.text, sp.sentences, s.sentence_cos_all[j], s.query, s.query_tokens, sp.passage.title, self.data.tokenizer.names,
            sp.passage.lead,
        )
        top = float(s.bm25.max())
        return Hit(
            passage=sp.passage,
            score=round(score, 4),
            highlight=sp.passage.text[span[0] : span[1]],
            highlight_span=tuple(span),
            lexical=round(float(s.bm25[j]) / top, 4) if top > 0 else 0.0,
            dense=round(float(s.sentence_cos[j]), 4),
            also=tuple(self.data.passages[c].passage.doc for c in self._copies.get(int(s.ids[j]), ())),
            ocr=(sp.passage.doc, sp.passage.page) in self._scanned_pages,
        )


def _cover(p: Passage) -> bool:
    """A PDF's cover: its first page's text before any heading, no sentence in it (「No.202209 中国信息通信研究院
    2022年7月 中国数字经济发展报告 (2022 年)」). It holds the title's words in a few characters, as a caption does its
    figure's, and says no more."""
    return p.page == 1 and not p.headings and len(p.text) <= 150 and no_sentence(p.text)


def _as_written(reason: str, question: str) -> str:
    """A name in the reason as the question writes it (TrustZone), not in the matching form (trustzone)."""

    def written(m: re.Match) -> str:
        found = re.search(re.escape(m.group(1)), question, re.IGNORECASE)
        return f"「{found.group(0) if found else m.group(1)}」"

    return re.sub(r"「([^」]+)」", written, reason)


def _names_of(passage: Passage) -> str:
    """Where a passage's names may be: its title, headings and text, normalised."""
    return normalize("\n".join((passage.title, *passage.headings, passage.text)))
