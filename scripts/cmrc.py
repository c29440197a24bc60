"""Retrieval and refusals on CMRC 2018 dev (../shared/external/cmrc2018/dev.json): each of its 848
Wikipedia passages a document, each of its 3,219 questions answerable (its passage is gold).

    python scripts/cmrc.py [--limit N] [--workdir DIR]

Prints R@1, R@5, MRR, the three outcomes and how often the answer's text is inside the highlight;
the index is built in --workdir (kept for re-runs).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from qa.index import build, load  # noqa: E402
from qa.search import Retriever  # noqa: E402
from qa.settings import Settings  # noqa: E402
from qa.text import normalize  # noqa: E402

DEV = ROOT.parent / "shared" / "external" / "cmrc2018" / "dev.json"


def write_corpus(folder: Path, limit: int | None) -> list[tuple[str, str, list[str]]]:
    """One text file a passage; (question, document name, answer texts) triples."""
    data = json.loads(DEV.read_text(encoding="utf-8"))[:limit]
    folder.mkdir(parents=True, exist_ok=True)
    questions = []
    for item in data:
        name = f"cmrc_{item['context_id']}"
        path = folder / f"{name}.txt"
        text = f"{item['title']}\n\n{item['context_text']}\n"
        if not path.is_file() or path.read_text(encoding="utf-8") != text:
            path.write_text(text, encoding="utf-8")
        questions += [(qa["query_text"], name, [str(x) for x in qa["answers"]]) for qa in item["qas"]]
    return questions


def measure(workdir: Path, limit: int | None = None) -> dict:
    settings = Settings.from_env()
    questions = write_corpus(workdir / "corpus", limit)
    build(workdir / "corpus", workdir / "index", settings)
    retriever = Retriever(load(workdir / "index", settings), settings)
    ranks, status, highlighted = [], {"answered": 0, "related": 0, "not_covered": 0}, 0
    for question, doc, answers in questions:
        answer = retriever.ask(question, k=5)
        status[answer.status] += 1
        ranks.append(next((r for r, h in enumerate(answer.hits, 1) if h.passage.doc == doc), None))
        highlighted += answer_highlighted(answer, doc, answers)
    n = len(questions)
    return {
        "questions": n,
        "documents": len({d for _, d, _ in questions}),
        "R@1": round(sum(1 for r in ranks if r == 1) / n, 4),
        "R@5": round(sum(1 for r in ranks if r) / n, 4),
        "MRR": round(sum(1 / r for r in ranks if r) / n, 4),
        **status,
        "refused_share": round((n - status["answered"]) / n, 4),
        "not_covered_share": round(status["not_covered"] / n, 4),
        # Of all questions: the hit holding the answer was found and its highlight contains the answer.
        "answer_in_highlight": round(highlighted / n, 4),
    }


def answer_highlighted(answer, doc: str, answers: list[str]) -> bool:
    """Whether the first hit of `doc` holding one of `answers` highlights one of them."""
    wanted = [normalize(a) for a in answers if a.strip()]
    for hit in answer.hits:
        if hit.passage.doc == doc and any(a in normalize(hit.passage.text) for a in wanted):
            return any(a in normalize(hit.highlight) for a in wanted)
    return False


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--limit", type=int, help="only the first N passages")
    ap.add_argument("--workdir", default="/tmp/qa-cmrc")
    args = ap.parse_args()
    print(json.dumps(measure(Path(args.workdir), args.limit), ensure_ascii=False))


if __name__ == "__main__":
    main()
