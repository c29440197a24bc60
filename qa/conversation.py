"""Follow-up questions, completed from the previous question of the conversation.

Two forms, the common ones in Chinese chat:
- a reference back: 「它们面临哪些挑战？」 after 「非银行金融机构包括哪些类型？」 -> 非银行金融机构面临哪些挑战？
- "what about X": 「那互联网金融呢？」 after 「银行有什么优势？」 -> 互联网金融有什么优势？
"""

from __future__ import annotations

import re

from .text import Tokenizer, normalize

# Words that point back to something named earlier ("其" only alone: not 其他, 其中, 尤其 …).
_REFERENCE = re.compile(r"它们|他们|她们|这些|那些|这类|此类|该类|上述|它|(?<![尤极与])其(?![他它中次余实间])")
# 「那X呢？」, 「那么X呢」, 「X呢？」: the previous question, asked about X instead.
_WHAT_ABOUT = re.compile(r"^(?:那么|那)?[,，\s]*(?P<subject>.+?)呢[?？!！。.\s]*$")


def resolve_followup(question: str, previous: str | None, tokenizer: Tokenizer) -> str:
    """The question to search: completed from the previous one when it is a follow-up, else unchanged.
    Both come cleaned (`qa.text.clean`), as `Retriever.ask` passes them."""
    if not previous:
        return question
    topic = tokenizer.topic(previous)
    if not topic:
        return question
    what_about = _WHAT_ABOUT.match(question)
    if what_about:
        subject = what_about.group("subject").strip()
        # Only a subject with content of its own (「为什么呢？」 has none) and that is not the topic itself.
        if not tokenizer.tokens(subject) or subject == topic:
            return question
        if topic in previous:
            return previous.replace(topic, subject, 1)
        # The topic is in the matching form (simplified): so is a traditional question, once normalised.
        return normalize(previous).replace(topic, normalize(subject), 1)
    refers = _REFERENCE.search(question)
    if not refers or topic in question:
        return question
    return question[: refers.start()] + topic + question[refers.end() :]
