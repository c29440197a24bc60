"""Ablation of retrieval methods on eval/dev.jsonl with 5-fold cross-validation (`make ablation`).

For every method, free parameters are chosen on four folds (best MRR, then R@1) and measured on the
fifth; the table pools the five held-out folds, so no number is measured on questions its parameters
were chosen on. The abstention model (logistic regression on the best BM25 and dense scores) is fit
the same way. Prints a Markdown table and the settings fit on all questions; writes bench/ablation.json.
"""

from __future__ import annotations

import contextlib
import dataclasses
import itertools
import json
import sys
import tempfile
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from qa.embed import load_encoder  # noqa: E402
from qa.evaluate import read_questions, score  # noqa: E402
from qa.question_encoder import question_encoder  # noqa: E402
from qa.index import _title, build, load  # noqa: E402
from qa.search import Retriever, Scores  # noqa: E402
from qa.settings import Settings  # noqa: E402
from qa import text  # noqa: E402

FOLDS = 5
SEED = 7
GRID = {
    "dense_weight": [0.3, 0.4, 0.5, 0.6, 0.7, 0.8],
    "dense_floor": [0.3, 0.4, 0.5, 0.6],
}


# Other ways to put BM25 and cosine on one scale, each side normalised per question over the candidates.
NORMALISERS = {
    "minmax": lambda x: (x - x.min()) / max(float(x.max() - x.min()), 1e-9),
    "zscore": lambda x: (x - x.mean()) / (x.std() + 1e-9),
    # distribution-based score fusion (as in Qdrant): mean ± 3 standard deviations mapped to 0..1
    "dbsf": lambda x: (x - x.mean() + 3 * x.std()) / (6 * x.std() + 1e-9),
}
WEIGHT_GRID = {"dense_weight": GRID["dense_weight"]}


def _precise(self, text_):
    """jieba precise mode: the words only, no dictionary words inside them."""
    return [group[0] for group in self.word_groups(text_)]


def _with_bigrams(oov_only: bool):
    """Search mode plus the character bigrams of words of 3+ characters (only those jieba does not know, or all)."""
    search = text.Tokenizer.tokens

    def tokens(self, text_):
        out = search(self, text_)
        for word in dict.fromkeys(out):
            if len(word) >= 3 and (not oov_only or not self._jieba.FREQ.get(word)):
                out += [b for b in (word[i : i + 2] for i in range(len(word) - 1)) if b not in self._stop]
        return out

    return tokens


TOKENIZATIONS = {
    "jieba precise mode": _precise,
    "search mode + character bigrams of out-of-vocabulary words": _with_bigrams(oov_only=True),
    "search mode + character bigrams of every 3+ character word": _with_bigrams(oov_only=False),
}


BM25_VARIANTS = ("robertson", "atire", "bm25l", "bm25+")  # bm25s's other scoring functions (shipped: lucene)


@contextlib.contextmanager
def swapped(owner, name: str, value):
    """`owner.name` is `value` for indexes built and searched inside the block (tokenizers rebuilt on both sides)."""
    shipped = getattr(owner, name)
    setattr(owner, name, value)
    text.forget_tokenizers()
    try:
        yield
    finally:
        setattr(owner, name, shipped)
        text.forget_tokenizers()


def bm25_method(method: str):
    """Indexes built and loaded inside the block score with another of bm25s's BM25 variants."""
    import bm25s

    class Variant(bm25s.BM25):
        def __init__(self, *args, **kwargs):
            kwargs.setdefault("method", method)
            super().__init__(*args, **kwargs)

    return swapped(bm25s, "BM25", Variant)


def without_hmm():
    """jieba without its HMM new-word discovery (which makes words such as 中有 of unknown runs)."""
    import jieba

    cut = jieba.Tokenizer.cut

    def cut_without_hmm(self, sentence, cut_all=False, HMM=True, use_paddle=False):
        return cut(self, sentence, cut_all=cut_all, HMM=False)

    return swapped(jieba.Tokenizer, "cut", cut_without_hmm)


def body_noun_phrases(min_count: int = 2) -> list[str]:
    """Runs of 2-3 nouns in the report's paragraphs (3-8 characters, seen min_count times or more)."""
    import collections

    import jieba.posseg

    from qa.corpus import load_corpus

    counts: collections.Counter = collections.Counter()
    for passage in (p for d in load_corpus(ROOT / "corpus") for p in d.passages):
        run: list[str] = []
        for pair in [*jieba.posseg.cut(text.normalize(passage.text)), None]:
            if pair is not None and (pair.flag[:1] in ("n", "j") or pair.flag == "vn"):
                run.append(pair.word)
                continue
            for a in range(len(run)):
                for b in range(a + 2, min(len(run), a + 3) + 1):
                    if 3 <= len("".join(run[a:b])) <= 8:
                        counts["".join(run[a:b])] += 1
            run = []
    return sorted(p for p, n in counts.items() if n >= min_count)


def more_terms(extra: list[str]):
    """Indexes built inside the block add `extra` to the user dictionary taken from the headings."""
    import qa.index

    shipped = qa.index.heading_terms
    return swapped(qa.index, "heading_terms", lambda headings: sorted(set(shipped(headings)) | set(extra)))


def subject_weighted(retriever, question: str, s):
    """BM25 counts the question's subject (its first run of nouns) a second time."""
    data = retriever.data
    topic = data.tokenizer.topic(question)
    ids = [data.bm25.vocab_dict[t] for t in dict.fromkeys(data.tokenizer.tokens(topic)) if t in data.bm25.vocab_dict] if topic else []
    extra = data.bm25.get_scores(ids)[s.ids] if ids else 0.0
    return dataclasses.replace(s, bm25=(s.bm25 + extra).astype(np.float32))


def dense_feedback(beta: float, top: int):
    """Rocchio-style pseudo-relevance feedback: question vector + beta x mean of the top fused paragraphs' vectors."""

    def transform(retriever, question: str, s):
        data = retriever.data
        qv = retriever.encoder.encode([text.normalize(question)])[0]
        best = s.ids[np.argsort(-retriever.fuse(s), kind="stable")[:top]]
        qv = qv + beta * np.mean([data.dense.reconstruct(int(i)) for i in best], axis=0)
        return _rescored(retriever, s, qv / np.linalg.norm(qv))

    return transform


def _rescored(retriever, s, qv):
    """`s` with its sentence cosines recomputed for question vector `qv`."""
    data = retriever.data
    sentences = [np.asarray(data.sentence_vectors[data.sentence_offsets[i] : data.sentence_offsets[i + 1]]) @ qv for i in s.ids]
    return dataclasses.replace(s, sentence_cos=np.array([x.max() for x in sentences], dtype=np.float32), sentence_cos_all=sentences)


def dense_question_without_stopwords(retriever, question: str, s):
    """The encoder sees the question's content words only (the stopword list BM25 uses removed)."""
    tokenizer = retriever.data.tokenizer
    words = [w for w in tokenizer._jieba.cut(text.normalize(question)) if w.strip() and w not in tokenizer._stop]
    return _rescored(retriever, s, retriever.encoder.encode(["".join(words) or text.normalize(question)])[0])


def question_parts_weighted(alpha: float):
    """BM25 of the question with search mode's nested dictionary words (互联网金融 -> 互联, 联网, 金融,
    互联网) weighted alpha instead of 1; the paragraphs stay indexed in search mode (alpha 0 is
    Elasticsearch's ik_max_word index / ik_smart query practice)."""

    def transform(retriever, question: str, s):
        data = retriever.data
        weights: dict[str, float] = {}
        for head, *parts in data.tokenizer.word_groups(question):
            weights[head] = weights.get(head, 0.0) + 1.0
            for part in parts:
                weights[part] = weights.get(part, 0.0) + alpha
        matrix = data.bm25.scores
        bm25 = np.zeros(int(matrix["num_docs"]), np.float32)
        for token, weight in weights.items():
            tid = retriever._vocab.get(token)
            if tid is not None:
                a, b = matrix["indptr"][tid], matrix["indptr"][tid + 1]
                bm25[matrix["indices"][a:b]] += weight * matrix["data"][a:b]
        return dataclasses.replace(s, bm25=bm25[s.ids])

    return transform


class TermProximity:
    """BM25TP (Rasolofo & Savoy 2003): BM25 plus, for each pair of the question's words found within
    `window` words of each other in a paragraph, min(idf) x (k1+1) acc / (K + acc), acc = sum of 1/distance²
    over the pair's occurrences; K is BM25's length-normalised k1. Positions count the words BM25 keeps."""

    def __init__(self, retriever):
        self.retriever = retriever
        tokenizer = retriever.data.tokenizer
        self.positions = []
        lengths = []
        for sp in retriever.data.passages:
            groups = tokenizer.word_groups(sp.passage.text)
            at: dict[str, list[int]] = {}
            for g, group in enumerate(groups):
                for token in set(group):
                    at.setdefault(token, []).append(g)
            self.positions.append({t: np.array(v) for t, v in at.items()})
            lengths.append(sum(map(len, groups)))
        lengths = np.array(lengths, float)
        k1, b = retriever.settings.bm25_k1, retriever.settings.bm25_b
        self.K = k1 * ((1 - b) + b * lengths / lengths.mean())
        self.k1 = k1
        n = len(self.positions)
        df: dict[str, int] = {}
        for at in self.positions:
            for t in at:
                df[t] = df.get(t, 0) + 1
        self.idf = {t: np.log(1 + (n - d + 0.5) / (d + 0.5)) for t, d in df.items()}

    def __call__(self, weight: float, window: int):
        def transform(retriever, question: str, s):
            words = [w for w in dict.fromkeys(g[0] for g in retriever.data.tokenizer.word_groups(question)) if w in self.idf]
            pairs = [(x, y) for x, y in itertools.combinations(words, 2) if x not in y and y not in x]
            bonus = np.zeros(len(s.ids), np.float32)
            for j, i in enumerate(s.ids.tolist()):
                at = self.positions[i]
                for x, y in pairs:
                    if x in at and y in at:
                        d = np.abs(at[x][:, None] - at[y][None, :])
                        d = d[(d >= 1) & (d <= window)]
                        acc = float((1.0 / d**2).sum())
                        bonus[j] += min(self.idf[x], self.idf[y]) * (self.k1 + 1) * acc / (self.K[i] + acc)
            return dataclasses.replace(s, bm25=(s.bm25 + weight * bonus).astype(np.float32))

        return transform


def sentence_windows(encoder, size: int):
    """The dense score becomes the mean of the best sentence's cosine and the best window of `size`
    consecutive sentences' cosine (windows encoded whole, as a sentence-window retriever would)."""
    vectors = {}

    def transform(retriever, question: str, s):
        if not vectors:
            for i, sp in enumerate(retriever.data.passages):
                t, spans = sp.passage.text, sp.sentences
                starts = range(max(1, len(spans) - size + 1))
                vectors[i] = encoder.encode([text.normalize(t[spans[a][0] : spans[min(a + size, len(spans)) - 1][1]]) for a in starts])
        qv = retriever.encoder.encode([text.normalize(question)])[0]
        best = np.array([float((vectors[int(i)] @ qv).max()) for i in s.ids], np.float32)
        return dataclasses.replace(s, sentence_cos=((s.sentence_cos + best) / 2).astype(np.float32))

    return transform


def cv_over_variants(retriever, questions, variants: dict, grid):
    """Like cv_ranking, with the variant (e.g. a parameter outside Settings) chosen per fold too.
    Ties go to the variant listed first, so list the shipped one first."""
    combos = [dict(zip(grid, v)) for v in itertools.product(*grid.values())]
    base, answers, qs = retriever.settings, [], []
    for test in folds(len(questions)):
        train = np.setdiff1d(np.arange(len(questions)), test)
        best = None
        for label, scores in variants.items():
            for combo in combos:
                retriever.settings = base.replace(**combo)
                m = metrics(retriever, questions, scores, train, "fused")
                if best is None or (m["MRR"], m["R@1"]) > best[0]:
                    best = ((m["MRR"], m["R@1"]), scores, combo)
        retriever.settings = base.replace(**best[2])
        for i in test:
            answers.append(_Answer([_Hit(retriever.data.passages[int(j)].passage) for j in ranked(retriever, best[1][i], "fused")], True))
            qs.append(questions[i])
    retriever.settings = base
    return score(qs, answers).summary()


def best_two_sentences(retriever, question: str, s):
    """A paragraph's sentence score is the mean of its best two sentence cosines instead of the best one."""
    return dataclasses.replace(s, sentence_cos=np.array([np.sort(x)[-2:].mean() for x in s.sentence_cos_all], dtype=np.float32))


def with_passage_vector(retriever, question: str, s):
    """Dense score max(best sentence, passage vector), the passage vector being the index's (its sentence vectors' mean)."""
    qv = retriever.encoder.encode([text.normalize(question)])[0]
    mean_cos = np.array([retriever.data.dense.reconstruct(int(i)) @ qv for i in s.ids], dtype=np.float32)
    return dataclasses.replace(s, sentence_cos=np.maximum(s.sentence_cos, mean_cos))


@dataclasses.dataclass(frozen=True)
class WithParagraph(Scores):
    """Scores plus the cosine of an encoded paragraph vector, which the shipped index does not hold."""

    paragraph_cos: np.ndarray = None


def with_paragraph_vectors(retriever, questions, scores, encoder, title: bool) -> list[WithParagraph]:
    """Encode every paragraph (with its section title if `title`) and add its cosine to each question's scores."""
    passages = [sp.passage for sp in retriever.data.passages]
    vectors = encoder.encode([f"{_title(p)}：{p.text}" if title else p.text for p in passages])
    out = []
    for q, s in zip(questions, scores):
        qv = retriever.encoder.encode([text.normalize(q.question)])[0]
        out.append(WithParagraph(**{f.name: getattr(s, f.name) for f in dataclasses.fields(s)}, paragraph_cos=vectors[s.ids] @ qv))
    return out


def paragraph_or_sentence(retriever, question: str, s):
    """The dense side shipped before: max(encoded paragraph vector, best sentence)."""
    return dataclasses.replace(s, sentence_cos=np.maximum(s.paragraph_cos, s.sentence_cos))


def tokenization(tokens):
    """Swap the Tokenizer's method for an index built and searched inside the block."""
    return swapped(text.Tokenizer, "tokens", tokens)


@dataclasses.dataclass
class _Hit:
    passage: object


@dataclasses.dataclass
class _Answer:
    hits: list
    answered: bool


def folds(n: int) -> list[np.ndarray]:
    order = np.random.default_rng(SEED).permutation(n)
    return [order[i::FOLDS] for i in range(FOLDS)]


def ranked(retriever: Retriever, s, method: str) -> np.ndarray:
    if method == "bm25":
        f = s.bm25
    elif method == "paragraph":
        f = s.paragraph_cos
    elif method == "sentence":
        f = s.sentence_cos
    elif method == "paragraph+sentence":
        f = np.maximum(s.paragraph_cos, s.sentence_cos)
    elif method in NORMALISERS:
        w = retriever.settings.dense_weight
        norm = NORMALISERS[method]
        f = (1 - w) * norm(s.bm25) + w * norm(s.sentence_cos)
    elif method == "rrf":
        rb = np.argsort(np.argsort(-s.bm25, kind="stable"))
        rd = np.argsort(np.argsort(-s.sentence_cos, kind="stable"))
        f = 1 / (60 + rb) + 1 / (60 + rd)
    else:
        f = retriever.fuse(s)
    return s.ids[np.argsort(-f, kind="stable")[:5]]


def metrics(retriever, questions, scores, idx, method, answered=None):
    answers = []
    for i in idx:
        hits = [_Hit(retriever.data.passages[int(j)].passage) for j in ranked(retriever, scores[i], method)]
        answers.append(_Answer(hits, True if answered is None else bool(answered[i])))
    return score([questions[i] for i in idx], answers).summary()


def cv_ranking(retriever, questions, scores, method, grid):
    """Pooled held-out R@1/R@3/MRR, with parameters chosen on the other folds."""
    keys = list(grid)
    combos = [dict(zip(keys, v)) for v in itertools.product(*grid.values())] or [{}]
    base = retriever.settings
    chosen = []
    for test in folds(len(questions)):
        train = np.setdiff1d(np.arange(len(questions)), test)
        best = None
        for combo in combos:
            retriever.settings = base.replace(**combo)
            m = metrics(retriever, questions, scores, train, method)
            key = (m["MRR"], m["R@1"])
            if best is None or key > best[0]:
                best = (key, combo)
        chosen.append(best[1])
    # Score each fold with its own chosen parameters, then pool.
    answers, qs = [], []
    for test, combo in zip(folds(len(questions)), chosen):
        retriever.settings = base.replace(**combo)
        for i in test:
            answers.append(_Answer([_Hit(retriever.data.passages[int(j)].passage) for j in ranked(retriever, scores[i], method)], True))
            qs.append(questions[i])
    retriever.settings = base
    return score(qs, answers).summary(), chosen


def fit_logistic(x: np.ndarray, y: np.ndarray, l2: float = 1e-2, steps: int = 2000) -> np.ndarray:
    """Balanced-class logistic regression by gradient descent on standardised features; returns raw-scale (w, b)."""
    mu, sd = x.mean(0), x.std(0) + 1e-9
    z = (x - mu) / sd
    w, b = np.zeros(x.shape[1]), 0.0
    weight = np.where(y == 1, 0.5 / max(y.mean(), 1e-9), 0.5 / max(1 - y.mean(), 1e-9))
    for _ in range(steps):
        p = 1 / (1 + np.exp(-(z @ w + b)))
        g = (p - y) * weight
        w -= 0.5 * (z.T @ g / len(y) + l2 * w)
        b -= 0.5 * g.mean()
    raw_w = w / sd
    return np.append(raw_w, b - (mu * raw_w).sum())


def cv_abstention(features: np.ndarray, inscope: np.ndarray, columns: list[int]):
    decisions = np.zeros(len(inscope), dtype=bool)
    for test in folds(len(inscope)):
        train = np.setdiff1d(np.arange(len(inscope)), test)
        coef = fit_logistic(features[train][:, columns], inscope[train].astype(float))
        decisions[test] = features[test][:, columns] @ coef[:-1] + coef[-1] >= 0
    return decisions


def add_rows(rows: list, name: str, retriever, questions, scores, lexical: bool = True) -> None:
    """BM25 alone (unless the change leaves it as shipped) and the tuned fusion."""
    for method, label, grid in [("bm25", "BM25", {}), ("fused", "normalised score fusion", GRID)][0 if lexical else 1 :]:
        m, _ = cv_ranking(retriever, questions, scores, method, grid)
        rows.append({"representation": f"paragraph, {name}", "method": label, **{k: m[k] for k in ("R@1", "R@3", "R@5", "MRR")}})


def main() -> None:
    questions = read_questions(ROOT / "eval" / "dev.jsonl")
    encoder = load_encoder("m3e-small")  # builds: full precision
    query_encoder = question_encoder("m3e-small", Settings().question_encoder)  # questions: as shipped
    inscope = np.array([bool(q.snippets) for q in questions])
    rows, fitted = [], {}
    with tempfile.TemporaryDirectory() as tmp:
        variants = {}
        for title in (False, True):
            settings = Settings(title_in_lexical=title)
            folder = Path(tmp) / f"title-{title}"
            build(ROOT / "corpus", folder, settings, encoder=encoder)
            r = Retriever(load(folder, settings), settings, query_encoder)
            scores = with_paragraph_vectors(r, questions, [r.scores(q.question) for q in questions], encoder, title)
            variants[title] = (r, scores)

        for title, (r, scores) in variants.items():
            label = "paragraph + section title" if title else "paragraph"
            previous = [paragraph_or_sentence(r, q.question, x) for q, x in zip(questions, scores)]
            for method, name, grid, scored in [
                ("bm25", "BM25 (jieba search mode, stopwords, report terms)", {}, scores),
                ("paragraph", "dense m3e-small, encoded paragraph vector", {}, scores),
                ("sentence", "dense, best sentence", {}, scores),
                ("paragraph+sentence", "dense, max(encoded paragraph vector, best sentence)", {}, scores),
                ("rrf", "reciprocal-rank fusion (k=60) of BM25 and best sentence", {}, scores),
                ("fused", "normalised score fusion, best sentence (tuned weight, floor)", GRID, scores),
                ("fused", "normalised score fusion, max(encoded paragraph vector, best sentence)", GRID, previous),
                ("minmax", "min-max fusion (both sides min-max, tuned weight)", WEIGHT_GRID, scores),
                ("zscore", "z-score fusion (tuned weight)", WEIGHT_GRID, scores),
                ("dbsf", "distribution-based fusion, mean ± 3 sd (tuned weight)", WEIGHT_GRID, scores),
            ]:
                if title and method in NORMALISERS:
                    continue
                m, chosen = cv_ranking(r, questions, scored, method, grid)
                rows.append({"representation": label, "method": name, **{k: m[k] for k in ("R@1", "R@3", "R@5", "MRR")}})
                if scored is scores and method == "fused" and not title:
                    fitted["fusion_per_fold"] = chosen

        # Tokenization and BM25 variants: BM25 alone and in the tuned fusion.
        variants_ = [(name, tokenization(tokens)) for name, tokens in TOKENIZATIONS.items()]
        variants_ += [("jieba without HMM new-word discovery", without_hmm())]
        variants_ += [(f"BM25 variant {m}", bm25_method(m)) for m in BM25_VARIANTS]
        variants_ += [("dictionary + noun phrases of the report's paragraphs (seen twice or more)", more_terms(body_noun_phrases()))]
        for name, swapped in variants_:
            settings = Settings()
            folder = Path(tmp) / name.replace(" ", "-")
            with swapped:
                build(ROOT / "corpus", folder, settings, encoder=encoder)
                r = Retriever(load(folder, settings), settings, query_encoder)
                scores = [r.scores(q.question) for q in questions]
            add_rows(rows, name, r, questions, scores)

        # The closing summing-up sentence kept in BM25 (shipped before): alone, then kept or not chosen per fold.
        settings = Settings(summing_up_in_lexical=True)
        folder = Path(tmp) / "summing-up-kept"
        build(ROOT / "corpus", folder, settings, encoder=encoder)
        kept = [Retriever(load(folder, settings), settings, query_encoder).scores(q.question) for q in questions]
        r, scores = variants[False]
        add_rows(rows, "closing summing-up sentence (总之…, 通过这些…) kept in BM25", r, questions, kept)
        m = cv_over_variants(r, questions, {"left out": scores, "kept": kept}, GRID)
        rows.append({"representation": "paragraph, closing summing-up sentence left out of BM25 or kept, chosen per fold",
                     "method": "normalised score fusion", **{k: m[k] for k in ("R@1", "R@3", "R@5", "MRR")}})

        # Changes to a question's scores after retrieval, on the shipped index.
        for name, transform, lexical in [
            ("question subject counted twice in BM25", subject_weighted, True),
            ("dense pseudo-relevance feedback, β 0.2, top 1", dense_feedback(0.2, 1), False),
            ("dense pseudo-relevance feedback, β 0.2, top 3", dense_feedback(0.2, 3), False),
            ("dense question without stopwords", dense_question_without_stopwords, False),
            ("sentence score = mean of the best two sentences", best_two_sentences, False),
            ("dense = max(best sentence, mean of the sentence vectors)", with_passage_vector, False),
        ]:
            changed = [transform(r, q.question, s) for q, s in zip(questions, scores)]
            add_rows(rows, name, r, questions, changed, lexical)
        alphas = (1.0, 0.75, 0.5, 0.25, 0.0)  # 1.0: as shipped
        weighted = {a: [question_parts_weighted(a)(r, q.question, s) for q, s in zip(questions, scores)] for a in alphas}
        for a in alphas[1:]:
            add_rows(rows, f"question's nested search-mode words weighted {a:g} in BM25", r, questions, weighted[a])
        m = cv_over_variants(r, questions, weighted, GRID)
        rows.append({"representation": "paragraph, question's nested search-mode words weighted α in BM25, α chosen per fold",
                     "method": "normalised score fusion", **{k: m[k] for k in ("R@1", "R@3", "R@5", "MRR")}})

        # Term proximity and sentence windows: each helps its own side; in fusion they are fixed, then chosen per fold.
        proximity = TermProximity(r)
        near = {(w, lam): [proximity(lam, w)(r, q.question, s) for q, s in zip(questions, scores)] for w in (3, 5, 10) for lam in (0.25, 0.5, 1.0)}
        add_rows(rows, "BM25 + term proximity of the question's word pairs (BM25TP, window 3, λ 0.5)", r, questions, near[(3, 0.5)])
        windows = [sentence_windows(encoder, 2)(r, q.question, s) for q, s in zip(questions, scores)]
        rows.append({"representation": "paragraph, dense = mean(best sentence, best window of two sentences)", "method": "dense",
                     **{k: v for k, v in cv_ranking(r, questions, windows, "sentence", {})[0].items() if k in ("R@1", "R@3", "R@5", "MRR")}})
        add_rows(rows, "dense = mean(best sentence, best window of two sentences)", r, questions, windows, lexical=False)
        both = [dataclasses.replace(w, bm25=p.bm25) for w, p in zip(windows, near[(3, 0.5)])]
        add_rows(rows, "term proximity (window 3, λ 0.5) and two-sentence windows together", r, questions, both, lexical=False)
        choices = {"shipped": scores, **near, **{("windows", *key): [dataclasses.replace(w, bm25=p.bm25) for w, p in zip(windows, v)] for key, v in near.items()}}
        m = cv_over_variants(r, questions, choices, GRID)
        rows.append({"representation": "paragraph, term proximity (window, λ) with or without sentence windows, chosen per fold",
                     "method": "normalised score fusion", **{k: m[k] for k in ("R@1", "R@3", "R@5", "MRR")}})

        # Abstention on the chosen representation (paragraph only) with the default fusion settings.
        r, scores = variants[False]
        features = np.array([r.features(s) for s in scores])
        for columns, name in [([0], "best BM25 share only"), ([1], "best dense score only"), ([0, 1], "logistic on both")]:
            decided = cv_abstention(features, inscope, columns)
            rows.append({
                "representation": "paragraph",
                "method": f"abstention: {name}",
                "out_of_scope_abstained": f"{int((~decided & ~inscope).sum())}/{int((~inscope).sum())}",
                "in_scope_wrongly_abstained": f"{int((~decided & inscope).sum())}/{int(inscope.sum())}",
            })
        coef = fit_logistic(features, inscope.astype(float))
        fitted["abstain_bm25_coef"], fitted["abstain_dense_coef"], fitted["abstain_bias"] = (round(float(c), 2) for c in coef)
        # How often an encoded paragraph vector would have beaten the paragraph's best sentence.
        fitted["paragraph_vector_beats_best_sentence"] = round(
            float(np.mean(np.concatenate([x.paragraph_cos > x.sentence_cos for x in scores]))), 4
        )

    print("| representation | method | R@1 | R@3 | R@5 | MRR | out-of-scope abstained | in-scope wrongly abstained |")
    print("|---|---|---|---|---|---|---|---|")
    for row in rows:
        cells = [row.get(k, "") for k in ("R@1", "R@3", "R@5", "MRR")]
        cells = [f"{c:.3f}" if isinstance(c, float) else c for c in cells]
        print(f"| {row['representation']} | {row['method']} | " + " | ".join(cells)
              + f" | {row.get('out_of_scope_abstained', '')} | {row.get('in_scope_wrongly_abstained', '')} |")
    print("\nfit on all questions:", json.dumps(fitted, ensure_ascii=False))
    out = ROOT / "bench" / "ablation.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps({"rows": rows, "fitted": fitted}, ensure_ascii=False, indent=1), encoding="utf-8")


if __name__ == "__main__":
    main()
