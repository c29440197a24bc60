"""A build's progress lines on stderr: rewritten in place on a terminal; in a log or a pipe only the last one,
so a CI log or `qa build 2> build.log` holds one line per step, not every count run together by carriage returns."""

from __future__ import annotations

import sys


def show(text: str, last: bool = False) -> None:
    if sys.stderr.isatty():
        print(f"\r{text}", end="\n" if last else "", file=sys.stderr, flush=True)
    elif last:
        print(text, file=sys.stderr, flush=True)
