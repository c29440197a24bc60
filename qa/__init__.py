"""报告问答 (report QA): cited answers from a Chinese research report, by hybrid BM25 + dense retrieval.

    import qa
    qa.build("corpus", "index")            # -> BuildReport
    idx = qa.load("index")                  # -> Retriever
    answer = idx.ask("非银行金融机构包括哪些类型？", k=5)   # -> Answer with Hit(passage: Passage, …)
"""

from __future__ import annotations

import importlib
from pathlib import Path
from typing import TYPE_CHECKING

__version__ = "0.1.0"

__all__ = [
    "__version__",
    "build",
    "load",
    "Settings",
    "Answer",
    "Hit",
    "Passage",
    "BuildReport",
    "Retriever",
    "QAError",
    "CorpusError",
    "IndexNotFound",
    "IndexMismatch",
    "IndexCorrupt",
    "BuildLocked",
    "QuestionError",
    "ModelError",
    "SettingsError",
]

# Names resolved on first use, so `import qa` (and `qa --help`) stays fast: numpy, faiss and torch
# load only when something needs them.
_LAZY = {
    "Settings": "qa.settings",
    "Answer": "qa.search",
    "Hit": "qa.search",
    "Retriever": "qa.search",
    "Passage": "qa.corpus",
    "BuildReport": "qa.index",
    **dict.fromkeys(
        (
            "QAError", "CorpusError", "IndexNotFound", "IndexMismatch", "IndexCorrupt", "BuildLocked", "QuestionError",
            "ModelError", "SettingsError",
        ),
        "qa.errors",
    ),
}

if TYPE_CHECKING:
    from .corpus import Passage
    from .errors import (
        BuildLocked, CorpusError, IndexCorrupt, IndexMismatch, IndexNotFound, ModelError, QAError, QuestionError, SettingsError,
    )
    from .index import BuildReport
    from .search import Answer, Hit, Retriever
    from .settings import Settings


def __getattr__(name: str):
    if name in _LAZY:
        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'qa' has no attribute {name!r}")


def load(index_dir: str | Path | None = None, settings: "Settings | None" = None) -> "Retriever":
    """Load the published index (validated) and its embedding model; ready to `ask`.
    `index_dir`: a folder or a Milvus URI (default: the settings' index, `index/`)."""
    from .index import load as load_index
    from .search import Retriever
    from .settings import Settings

    settings = settings or Settings.from_env()
    return Retriever(load_index(settings.index_location if index_dir is None else index_dir, settings), settings)


def build(
    corpus_dir: str | Path = "corpus",
    index_dir: str | Path | None = None,
    settings: "Settings | None" = None,
    *,
    wait: bool = False,
    progress: bool = False,
) -> "BuildReport":
    """Build or update the index of a corpus folder; publishes a new generation atomically."""
    from .index import build as build_index
    from .settings import Settings

    settings = settings or Settings.from_env()
    index = settings.index_location if index_dir is None else index_dir
    return build_index(Path(corpus_dir), index, settings, wait=wait, progress=progress)
