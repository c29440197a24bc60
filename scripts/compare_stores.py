"""Ask every question of some question files of two indexes of the same corpus (say the local store
and Milvus) and report where their answers differ: cites, highlights, status, scores.

    python scripts/compare_stores.py --first index --second ./index.db eval/dev.jsonl eval/extra.jsonl
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from qa.evaluate import read_questions  # noqa: E402
from qa.index import load  # noqa: E402
from qa.question_encoder import question_encoder  # noqa: E402
from qa.search import Retriever  # noqa: E402
from qa.settings import Settings  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--first", required=True, help="index folder or Milvus URI")
    parser.add_argument("--second", required=True, help="index folder or Milvus URI")
    parser.add_argument("-k", type=int, default=5)
    parser.add_argument("files", nargs="+", type=Path)
    args = parser.parse_args()
    settings = Settings.from_env()
    first, second = load(args.first, settings), load(args.second, settings)
    encoder = question_encoder(first.model, settings.question_encoder)
    a, b = Retriever(first, settings, encoder), Retriever(second, settings, encoder)
    total = same = 0
    worst = 0.0
    for path in args.files:
        for q in read_questions(path):
            x, y = a.ask(q.question, k=args.k), b.ask(q.question, k=args.k)
            total += 1
            cites = [h.passage.cite for h in x.hits] == [h.passage.cite for h in y.hits]
            agree = cites and [h.highlight for h in x.hits] == [h.highlight for h in y.hits] and x.status == y.status
            same += agree
            worst = max([worst, abs(x.confidence - y.confidence), *(abs(h.score - g.score) for h, g in zip(x.hits, y.hits))])
            if not agree:
                print(f"differs {q.id}: {q.question}\n  {x.status} {[h.passage.cite for h in x.hits]}\n  {y.status} {[h.passage.cite for h in y.hits]}")
    print(f"{same}/{total} questions answered identically (cites, highlights, status); largest score difference {worst:.2e}")
    return 0 if same == total else 1


if __name__ == "__main__":
    sys.exit(main())
