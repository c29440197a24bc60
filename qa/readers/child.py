"""A reader's child process (pdf_child.py, ocr_child.py), bounded in time and memory, so that a hostile or broken file
fails alone, reported like any unreadable file."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path


def run_bounded(script: str, args: list[str], data: bytes, timeout: float, memory_mb: int) -> subprocess.CompletedProcess:
    """`script` (a file beside this one) run by this Python, isolated (-I), with `data` on stdin and its address space
    bounded to `memory_mb`; raises subprocess.TimeoutExpired past `timeout` seconds (the child is killed)."""

    def limits():  # in the child, before it runs
        import resource

        limit = memory_mb * 2**20
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))

    return subprocess.run(
        [sys.executable, "-I", str(Path(__file__).with_name(script)), *args],
        input=data, capture_output=True, timeout=timeout,
        preexec_fn=limits if os.name == "posix" else None,
        env={**os.environ, "PYTHONWARNINGS": "ignore"},
    )


# How a child run out of its address space says so: Python, the C library, onnxruntime's C++ (bad_alloc), or the loader
# mapping a library past the bound.
_OUT_OF_MEMORY = re.compile(r"MemoryError|[Mm]emory allocation|[Cc]annot allocate|bad_alloc|failed to map segment")


def out_of_memory(stderr: str) -> bool:
    return bool(_OUT_OF_MEMORY.search(stderr))
