"""Experiment, not a product path: question encoding with onnxruntime vs torch (`make bench-onnx`).

    make bench-onnx            # installs onnxruntime + onnx into .onnx-experiment/, then runs this

sentence-transformers' own ONNX backend needs `optimum-onnx`, which pip cannot install next to
transformers 5 here (ResolutionImpossible), so this script exports m3e-small itself
(torch.onnx.export, TorchScript exporter), quantises a copy with onnxruntime's dynamic int8, and for
each of torch fp32, torch int8 (shipped), onnxruntime fp32 and onnxruntime int8 prints:
one-question latency (p50/p95 over the dev questions, 3 rounds, encoders taking turns per round), the smallest cosine to torch fp32,
and retrieval quality with the fusion settings chosen by 5-fold cross-validation (as `make ablation`).
Writes bench/onnx.json.
"""

from __future__ import annotations

import json
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))
sys.path.insert(0, str(ROOT / ".onnx-experiment"))

import ablation  # noqa: E402
from qa.embed import load_encoder  # noqa: E402
from qa.evaluate import read_questions  # noqa: E402
from qa.index import build, load  # noqa: E402
from qa.search import Retriever  # noqa: E402
from qa.settings import Settings  # noqa: E402

INPUTS = ("input_ids", "attention_mask", "token_type_ids")


def export(st, folder: Path) -> tuple[Path, Path]:
    """m3e-small's transformer as ONNX (fp32), and a dynamically int8-quantised copy."""
    import torch
    from onnxruntime.quantization import QuantType, quantize_dynamic

    class LastHidden(torch.nn.Module):
        def __init__(self, model):
            super().__init__()
            self.model = model

        def forward(self, input_ids, attention_mask, token_type_ids):
            return self.model(input_ids=input_ids, attention_mask=attention_mask, token_type_ids=token_type_ids).last_hidden_state

    fp32, int8 = folder / "m3e-small.onnx", folder / "m3e-small.int8.onnx"
    example = st.tokenizer(["银行在小微金融中有什么优势？"], return_tensors="pt")
    torch.onnx.export(
        LastHidden(st[0].auto_model.eval()), tuple(example[k] for k in INPUTS), str(fp32),
        input_names=list(INPUTS), output_names=["last_hidden_state"],
        dynamic_axes={k: {0: "batch", 1: "tokens"} for k in (*INPUTS, "last_hidden_state")},
        opset_version=17, dynamo=False,
    )
    quantize_dynamic(str(fp32), str(int8), weight_type=QuantType.QInt8)
    return fp32, int8


class OnnxEncoder:
    """The Encoder interface over an onnxruntime session: same tokenizer, mean pooling, normalisation."""

    def __init__(self, path: Path, tokenizer, model: str, dimension: int):
        import onnxruntime as ort

        options = ort.SessionOptions()
        options.intra_op_num_threads = 2
        self._session = ort.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])
        self._tokenizer, self.model, self.dimension = tokenizer, model, dimension

    def encode(self, texts: list[str], batch_size: int = 32, progress: bool = False) -> np.ndarray:
        out = []
        for i in range(0, len(texts), batch_size):
            x = self._tokenizer(texts[i : i + batch_size], padding=True, truncation=True, max_length=512, return_tensors="np")
            hidden = self._session.run(None, {k: x[k].astype(np.int64) for k in INPUTS})[0]
            mask = x["attention_mask"][..., None].astype(np.float32)
            v = (hidden * mask).sum(1) / mask.sum(1)
            out.append(v / np.linalg.norm(v, axis=1, keepdims=True))
        return np.concatenate(out).astype(np.float32)


def latencies(encoders: dict, questions: list[str]) -> dict[str, tuple[float, float]]:
    """p50/p95 ms of one question over 3 rounds; in each round every encoder takes all questions in
    turn, so the machine's slow and fast moments fall on all of them alike. (Turns question by
    question would be unfair: torch's and onnxruntime's thread pools spin and fight at each switch.)"""
    times: dict[str, list[float]] = {name: [] for name in encoders}
    for _ in range(3):
        for name, encoder in encoders.items():
            encoder.encode(questions[:3])
            for question in questions:
                t = time.perf_counter()
                encoder.encode([question])
                times[name].append(time.perf_counter() - t)
    return {name: (float(np.median(t) * 1000), float(np.percentile(t, 95) * 1000)) for name, t in times.items()}


def main() -> None:
    try:
        import onnxruntime  # noqa: F401
    except ImportError:
        sys.exit("onnxruntime is not installed: run `make bench-onnx`")
    settings = Settings()
    questions = read_questions(ROOT / "eval" / "dev.jsonl")
    texts = [q.question for q in questions]
    inscope = np.array([bool(q.snippets) for q in questions])
    fp32 = load_encoder(settings.model)
    reference = fp32.encode(texts)
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        onnx_fp32, onnx_int8 = export(fp32._st, Path(tmp))
        build(ROOT / "corpus", Path(tmp) / "index", settings, encoder=fp32)
        data = load(Path(tmp) / "index", settings)
        encoders = {
            "torch fp32": fp32,
            "torch int8 (shipped)": load_encoder(settings.model, int8=True),
            "onnxruntime fp32": OnnxEncoder(onnx_fp32, fp32._st.tokenizer, settings.model, fp32.dimension),
            "onnxruntime int8": OnnxEncoder(onnx_int8, fp32._st.tokenizer, settings.model, fp32.dimension),
        }
        timing = latencies(encoders, texts)
        for name, encoder in encoders.items():
            p50, p95 = timing[name]
            retriever = Retriever(data, settings, encoder)
            scores = [retriever.scores(t) for t in texts]
            fused, _ = ablation.cv_ranking(retriever, questions, scores, "fused", ablation.GRID)
            features = np.array([retriever.features(s) for s in scores])
            decided = ablation.cv_abstention(features, inscope, [0, 1])
            rows.append({
                "encoder": name, "p50_ms": round(p50, 1), "p95_ms": round(p95, 1),
                "min_cosine_to_fp32": round(float((encoder.encode(texts) * reference).sum(1).min()), 4),
                **{k: fused[k] for k in ("R@1", "R@3", "MRR")},
                "out_of_scope_abstained": int((~decided & ~inscope).sum()),
                "in_scope_wrongly_abstained": int((~decided & inscope).sum()),
            })
            print(json.dumps(rows[-1], ensure_ascii=False), flush=True)
    print("\n| question encoder | p50 ms | p95 ms | min cosine to fp32 | CV R@1 | CV R@3 | CV MRR | abstained OOS / in-scope |")
    print("|---|---|---|---|---|---|---|---|")
    for r in rows:
        print(f"| {r['encoder']} | {r['p50_ms']} | {r['p95_ms']} | {r['min_cosine_to_fp32']} | {r['R@1']:.3f} | {r['R@3']:.3f} "
              f"| {r['MRR']:.3f} | {r['out_of_scope_abstained']}/{(~inscope).sum()} · {r['in_scope_wrongly_abstained']}/{inscope.sum()} |")
    out = ROOT / "bench" / "onnx.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps(rows, ensure_ascii=False, indent=1), encoding="utf-8")


if __name__ == "__main__":
    main()
