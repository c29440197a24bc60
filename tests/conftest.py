"""Shared fixtures: the real m3e-small model, loaded once; the real report indexed once per session."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures"
ARTIFACTS = Path(__file__).resolve().parent / "artifacts"

os.environ.setdefault("HF_HUB_OFFLINE", "1")


@pytest.fixture(scope="session")
def encoder():
    from qa.embed import load_encoder

    return load_encoder("m3e-small")


@pytest.fixture(scope="session")
def query_encoder(encoder, settings):
    """The encoder `ask` uses by default (the onnx-int8 graph unless settings say otherwise)."""
    from qa.question_encoder import question_encoder

    return question_encoder("m3e-small", settings.question_encoder)


@pytest.fixture(scope="session")
def settings():
    from qa.settings import Settings

    return Settings()


@pytest.fixture(scope="session")
def report_corpus(tmp_path_factory) -> Path:
    """A private copy of the shipped corpus (tests never touch the repository's corpus/ or index/)."""
    folder = tmp_path_factory.mktemp("corpus")
    shutil.copy(ROOT / "corpus" / "qinghai_microfinance_report.md", folder)
    return folder


@pytest.fixture(scope="session")
def report_index(tmp_path_factory, report_corpus, encoder, settings) -> Path:
    from qa.index import build

    folder = tmp_path_factory.mktemp("index")
    build(report_corpus, folder, settings, encoder=encoder)
    return folder


@pytest.fixture(scope="session")
def retriever(report_index, query_encoder, settings):
    from qa.index import load
    from qa.search import Retriever

    return Retriever(load(report_index, settings), settings, query_encoder)


@pytest.fixture
def mini_corpus(tmp_path) -> Path:
    """The ten-paragraph fixture report (same PDF debris as the real one), as a corpus folder."""
    folder = tmp_path / "corpus"
    folder.mkdir()
    shutil.copy(FIXTURES / "mini_report.txt", folder)
    return folder


def index_of(tmp_path: Path, files: dict[str, str], encoder, settings) -> Path:
    """An index of a corpus of these files (name -> text), built in tmp_path."""
    from qa.index import build

    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for name, text in files.items():
        (corpus / name).write_text(text, encoding="utf-8")
    build(corpus, tmp_path / "index", settings, encoder=encoder)
    return tmp_path / "index"


def retriever_of(tmp_path: Path, files: dict[str, str], encoder, query_encoder, settings):
    """A retriever over a corpus of these files (name -> text), indexed in tmp_path."""
    from qa.index import load
    from qa.search import Retriever

    return Retriever(load(index_of(tmp_path, files, encoder, settings), settings), settings, query_encoder)


def run_qa(*args: str, stdin: str | None = None, env: dict | None = None, cwd: Path | None = None, timeout: float = 300):
    """Run the real `qa` command line in a new process."""
    full_env = {**os.environ, "HF_HUB_OFFLINE": "1", **(env or {})}
    return subprocess.run(
        [sys.executable, "-m", "qa.cli", *args],
        input=stdin,
        capture_output=True,
        text=True,
        env=full_env,
        cwd=cwd or ROOT,
        timeout=timeout,
    )
