"""The JSON form of answers, build reports and evaluation reports: produced here and nowhere else."""

from __future__ import annotations

from .corpus import Skipped
from .evaluate import EvalReport
from .index import BuildReport
from .search import Answer, Hit
from .store import IndexData


def hit_json(hit: Hit) -> dict:
    p = hit.passage
    return {
        "doc": p.doc,
        "title": p.title,
        "cite": p.cite,
        "page": p.page,
        "section": p.section,
        "chapter": p.chapter,
        "headings": list(p.headings),
        "text": p.text,
        "score": hit.score,
        "highlight": hit.highlight,
        "highlight_span": list(hit.highlight_span),
        "also": list(hit.also),
        "ocr": hit.ocr,
    }


def answer_json(answer: Answer) -> dict:
    out = {
        "question": answer.question,
        "answered": answer.answered,
        "status": answer.status,
        "reason": answer.reason,
        "confidence": answer.confidence,
        "hits": [hit_json(h) for h in answer.hits],
    }
    if answer.searched != answer.question:
        out["searched"] = answer.searched
    return out


def build_json(report: BuildReport) -> dict:
    keys = ("documents", "passages", "added", "changed", "removed", "reused", "embedded", "parsed", "seconds",
            "parse_seconds", "encode_seconds", "generation", "published")
    return {
        **{k: getattr(report, k) for k in keys},
        "skipped": [{"file": s.file, "reason": s.reason, "kept_previous": s.kept} for s in report.skipped],
        "pages_without_text": report.pages_without_text or {},
        "pages_read_by_ocr": report.pages_read_by_ocr or {},
        "not_read": [{"file": f, "reason": why} for f, why in report.not_read],
        "copies": [{"file": f, "same_as": first} for f, first in report.copies],
    }


def documents_json(data: IndexData, unreadable: list[Skipped]) -> dict:
    keys = ("name", "title", "file", "passages", "pages", "pages_without_text", "pages_read_by_ocr", "meta")
    return {
        "generation": data.generation,
        "built_at": data.built_at,
        "model": data.model,
        "passages": len(data.passages),
        "documents": [{k: d.get(k) for k in keys} for d in data.documents],
        "unreadable": [{"file": s.file, "reason": s.reason} for s in unreadable],
    }


def eval_json(report: EvalReport) -> dict:
    return {
        **report.summary(),
        "misses": [
            {
                "id": r.question.id,
                "question": r.question.question,
                "gold_rank": r.gold_rank,
                "answered": r.answered,
                "status": r.status,
                "cites": list(r.cites),
            }
            for r in report.misses()
        ],
    }
