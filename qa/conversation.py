"""Follow-up questions: complete a question that refers back ("它们面临哪些挑战？") from the previous one."""

from __future__ import annotations

import re

from .text import Tokenizer

# Words that point back to something named earlier ("其" only alone: not 其他, 其中, 尤其 …).
_REFERENCE = re.compile(r"它们|他们|她们|这些|那些|这类|此类|该类|上述|它|(?<![尤极与])其(?![他它中次余实间])")


def resolve_followup(question: str, previous: str | None, tokenizer: Tokenizer) -> str:
    """The question to search: the reference replaced by the previous question's topic, else unchanged."""
    if not previous:
        return question
    refers = _REFERENCE.search(question)
    if not refers:
        return question
    topic = tokenizer.topic(previous)
    if not topic or topic in question:
        return question
    return question[: refers.start()] + topic + question[refers.end() :]
