"""`qa eval`: retrieval quality and abstention on a labelled question file (the format of eval/dev.jsonl).

A paragraph is gold for a question when its text contains one of the question's gold snippets
(compared in normalised form). An empty gold list marks an out-of-scope question.
R@k is the share of in-scope questions with a gold paragraph among the first k hits; MRR uses the
rank of the first gold paragraph (0 when none is in the first `depth` hits).

Outcomes: an out-of-scope question is refused when it is not answered (related or not covered). An
in-scope question is wrongly refused when it is answered "not covered"; "related" (the nearest
passage, with the reason the figure or name asked for is missing) is counted apart, since for a
figure the document leaves as XX it is the right answer.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from .errors import QAError
from .text import normalize


@dataclass(frozen=True)
class EvalQuestion:
    id: str
    question: str
    snippets: tuple[str, ...]  # empty: out of scope


@dataclass(frozen=True)
class EvalResult:
    question: EvalQuestion
    gold_rank: int | None  # 1-based rank of the first gold hit
    answered: bool
    cites: tuple[str, ...]
    status: str = "answered"


@dataclass(frozen=True)
class EvalReport:
    questions: int
    in_scope: int
    out_of_scope: int
    recall: dict[int, float]
    mrr: float
    out_of_scope_abstained: int  # not answered: related or not covered
    in_scope_abstained: int  # not covered
    out_of_scope_related: int
    in_scope_related: int
    results: tuple[EvalResult, ...] = field(repr=False)

    def summary(self) -> dict:
        return {
            "questions": self.questions,
            "in_scope": self.in_scope,
            "out_of_scope": self.out_of_scope,
            **{f"R@{k}": round(v, 4) for k, v in self.recall.items()},
            "MRR": round(self.mrr, 4),
            "out_of_scope_abstained": self.out_of_scope_abstained,
            "in_scope_abstained": self.in_scope_abstained,
            "out_of_scope_related": self.out_of_scope_related,
            "in_scope_related": self.in_scope_related,
        }

    def misses(self) -> list[EvalResult]:
        """In-scope questions whose gold paragraph is not first, and wrong abstention decisions."""
        return [
            r
            for r in self.results
            if (r.question.snippets and (r.gold_rank != 1 or r.status == "not_covered"))
            or (not r.question.snippets and r.answered)
        ]


def read_questions(path: Path) -> list[EvalQuestion]:
    path = Path(path)
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as e:
        raise QAError(f"cannot read question file {path}: {e}") from e
    out = []
    for n, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
            out.append(
                EvalQuestion(
                    id=str(row.get("id", n)),
                    question=row["question"],
                    snippets=tuple(g["snippet"] for g in row.get("gold", [])),
                )
            )
        except (ValueError, KeyError, TypeError) as e:
            raise QAError(f"{path}, line {n}: expected {{\"question\": …, \"gold\": [{{\"snippet\": …}}]}} ({e})") from e
    if not out:
        raise QAError(f"question file {path} has no questions")
    return out


def score(questions: list[EvalQuestion], answers: list, ks=(1, 3, 5)) -> EvalReport:
    """Metrics from answers (anything with `.answered`, `.status` and `.hits[*].passage`), one per question."""
    results = []
    for q, a in zip(questions, answers, strict=True):
        snippets = [normalize(s) for s in q.snippets]
        rank = None
        for r, hit in enumerate(a.hits, 1):
            if any(s in normalize(hit.passage.text) for s in snippets):
                rank = r
                break
        status = getattr(a, "status", "answered" if a.answered else "not_covered")
        results.append(EvalResult(q, rank, a.answered, tuple(h.passage.cite for h in a.hits), status))
    inscope = [r for r in results if r.question.snippets]
    oos = [r for r in results if not r.question.snippets]
    n = max(len(inscope), 1)
    return EvalReport(
        questions=len(results),
        in_scope=len(inscope),
        out_of_scope=len(oos),
        recall={k: sum(1 for r in inscope if r.gold_rank and r.gold_rank <= k) / n for k in ks},
        mrr=sum(1 / r.gold_rank for r in inscope if r.gold_rank) / n,
        out_of_scope_abstained=sum(1 for r in oos if not r.answered),
        in_scope_abstained=sum(1 for r in inscope if r.status == "not_covered"),
        out_of_scope_related=sum(1 for r in oos if r.status == "related"),
        in_scope_related=sum(1 for r in inscope if r.status == "related"),
        results=tuple(results),
    )


def evaluate(retriever, questions: list[EvalQuestion], k: int = 5) -> EvalReport:
    depth = max(k, 5)
    answers = [retriever.ask(q.question, k=depth) for q in questions]
    return score(questions, answers, ks=tuple(sorted({1, 3, 5, k})))
