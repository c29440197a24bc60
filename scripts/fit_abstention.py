"""Fit the abstention model ("do the documents cover this question?") on the training sets, by 5-fold CV.

    python scripts/fit_abstention.py

Covered (1): the in-scope questions of eval/dev.jsonl, eval/colloquial.jsonl and eval/typo.jsonl, and
the near misses of eval/near_miss.jsonl (their topic is covered; qa/answerable.py then says the
figure or name asked for is missing). Not covered (0): dev's out-of-scope questions and the generic
off-topic questions of qa/data/off_topic.txt. Features are those Retriever.features computes (BM25
share, best sentence cosine) on an index of the shipped report. Prints each set's cross-validated
refusals and the coefficients fit on everything; extra, holdout, reports and untouched are not used.
"""

from __future__ import annotations

import json
import sys
import tempfile
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))

from ablation import fit_logistic, folds  # noqa: E402
from qa.index import build, load  # noqa: E402
from qa.search import Retriever  # noqa: E402
from qa.settings import Settings  # noqa: E402
from qa.text import normalize  # noqa: E402


def training_rows() -> list[tuple[str, str, bool]]:
    """(set, question, covered)"""
    rows = []
    for name in ("dev", "colloquial", "typo", "near_miss"):
        for line in (ROOT / "eval" / f"{name}.jsonl").read_text(encoding="utf-8").splitlines():
            if line.strip():
                q = json.loads(line)
                rows.append((name, q["question"], bool(q["gold"]) or name == "near_miss"))
    for line in (ROOT / "qa" / "data" / "off_topic.txt").read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            rows.append(("off_topic", line.strip(), False))
    return rows


def main() -> None:
    settings = Settings.from_env()  # QA_MODEL and the rest, as the index will be built
    with tempfile.TemporaryDirectory() as tmp:
        build(ROOT / "corpus", Path(tmp) / "index", settings)
        retriever = Retriever(load(Path(tmp) / "index", settings), settings)
        rows = training_rows()
        x = np.array([retriever.features(retriever.scores(normalize(q))) for _, q, _ in rows])
    y = np.array([covered for _, _, covered in rows], dtype=float)
    decided = np.zeros(len(y), dtype=bool)
    order = np.random.default_rng(0).permutation(len(y))  # folds mixing the sets
    for test in folds(len(y)):
        test = order[test]
        train = np.setdiff1d(np.arange(len(y)), test)
        coef = fit_logistic(x[train], y[train])
        decided[test] = x[test] @ coef[:-1] + coef[-1] >= 0
    shipped = np.array([settings.abstain_bm25_coef, settings.abstain_dense_coef, settings.abstain_bias])
    now = x @ shipped[:-1] + shipped[-1] >= 0
    print("| set | questions | covered | CV: refused | shipped model: refused |")
    print("|---|---|---|---|---|")
    for name in dict.fromkeys(n for n, _, _ in rows):
        idx = np.array([i for i, (n, _, _) in enumerate(rows) if n == name])
        for cov in (True, False):
            part = idx[y[idx] == cov]
            if len(part):
                print(f"| {name} | {len(part)} | {'yes' if cov else 'no'} | {int((~decided[part]).sum())} | {int((~now[part]).sum())} |")
    coef = fit_logistic(x, y)
    print(f"\nfit on all {len(y)}: QA_ABSTAIN_BM25_COEF={coef[0]:.2f} QA_ABSTAIN_DENSE_COEF={coef[1]:.2f} QA_ABSTAIN_BIAS={coef[2]:.2f}")


if __name__ == "__main__":
    main()
