"""Experiment, not a product step: adapt m3e-small to the report with pairs made from the report itself.

    python scripts/tune_experiment.py [EPOCHS] [LR]     # e.g. 1 2e-5 (README, "Retrieval quality")

It trains a copy of the model, builds an index with it and prints `qa eval` numbers at several
fusion weights. It did not help in cross-validation, so `qa` has no tune command.

Pairs (no questions are used): each sentence -> the rest of its paragraph, and each section title
-> each of its paragraphs. Loss: in-batch multiple-negatives ranking (contrastive), as in
sentence-transformers' MultipleNegativesRankingLoss, written out as a plain torch loop so that no
training extras (datasets, accelerate) are needed. Deterministic for a given seed and corpus.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from pathlib import Path

import sys

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from qa.corpus import Passage, load_corpus  # noqa: E402
from qa.text import split_sentences  # noqa: E402


@dataclass(frozen=True)
class TuneReport:
    pairs: int
    epochs: int
    seconds: float
    output: str


def training_pairs(passages: list[Passage]) -> list[tuple[str, str]]:
    pairs = []
    for p in passages:
        spans = split_sentences(p.text)
        for a, b in spans:
            rest = (p.text[:a] + p.text[b:]).strip()
            if rest:
                pairs.append((p.text[a:b], rest))
        pairs.append((p.section.split(" ", 1)[-1], p.text))
    return pairs


def tune(passages: list[Passage], model_path: str, output: Path, *, epochs: int = 1, batch_size: int = 16,
         lr: float = 2e-5, scale: float = 20.0, seed: int = 0) -> TuneReport:
    import time

    import torch
    from sentence_transformers import SentenceTransformer

    started = time.perf_counter()
    torch.manual_seed(seed)
    rng = random.Random(seed)
    model = SentenceTransformer(model_path, device="cpu")
    pairs = training_pairs(passages)
    optimizer = torch.optim.AdamW(model.parameters(), lr=lr)
    model.train()
    for _ in range(epochs):
        order = pairs[:]
        rng.shuffle(order)
        for i in range(0, len(order), batch_size):
            batch = order[i : i + batch_size]
            if len(batch) < 2:
                continue
            anchors = model(model.preprocess([a for a, _ in batch]))["sentence_embedding"]
            positives = model(model.preprocess([b for _, b in batch]))["sentence_embedding"]
            sims = torch.nn.functional.normalize(anchors, dim=-1) @ torch.nn.functional.normalize(positives, dim=-1).T
            loss = torch.nn.functional.cross_entropy(sims * scale, torch.arange(len(batch)))
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
    model.eval()
    output.mkdir(parents=True, exist_ok=True)
    model.save(str(output), safe_serialization=True)
    return TuneReport(pairs=len(pairs), epochs=epochs, seconds=round(time.perf_counter() - started, 1), output=str(output))


def main() -> None:
    import tempfile

    from qa.embed import resolve_model
    from qa.evaluate import evaluate, read_questions
    from qa.index import build, load
    from qa.search import Retriever
    from qa.settings import Settings

    epochs = int(sys.argv[1]) if len(sys.argv) > 1 else 1
    lr = float(sys.argv[2]) if len(sys.argv) > 2 else 2e-5
    passages = [p for d in load_corpus(ROOT / "corpus") for p in d.passages]
    questions = read_questions(ROOT / "eval" / "dev.jsonl")
    with tempfile.TemporaryDirectory() as tmp:
        report = tune(passages, resolve_model("m3e-small"), Path(tmp) / "model", epochs=epochs, lr=lr)
        print(report)
        settings = Settings(model=report.output)
        build(ROOT / "corpus", Path(tmp) / "index", settings)
        retriever = Retriever(load(Path(tmp) / "index", settings), settings)
        for weight in (0.5, 0.6, 0.7, 0.8, 1.0):
            retriever.settings = settings.replace(dense_weight=weight)
            print(f"dense_weight={weight}", evaluate(retriever, questions).summary())


if __name__ == "__main__":
    main()
