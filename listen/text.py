"""Small text helpers shared by the stages: whitespace, slugs and sentences."""

from __future__ import annotations

import re
import unicodedata
from functools import cache

_SPACE = re.compile(r"\s+")


def squash(text: str) -> str:
    """Collapse every run of white space (including NBSP) to one space."""
    return _SPACE.sub(" ", text).strip()


def slugify(text: str, max_length: int = 80) -> str:
    """A file-name-safe slug; keeps letters of any script (Arabic titles stay Arabic)."""
    text = unicodedata.normalize("NFKC", text).lower()
    text = re.sub(r"[^\w\s-]", " ", text)
    text = re.sub(r"[\s_-]+", "-", text).strip("-")
    return text[:max_length].rstrip("-")


_END = re.compile(r"(?<=[.!?؟…])[\"”’»)\]]*\s+")


def split_sentences(text: str, language: str) -> list[str]:
    """Split a block into sentences, keeping abbreviations and initials whole."""
    text = squash(text)
    if not text:
        return []
    abbreviations = _abbreviations(language)
    sentences: list[str] = []
    start = 0
    # Indexes, never slices of what is before or after a stop: a block of thousands of stops
    # that end no sentence ("word. word. ...") stays one linear pass.
    for match in _END.finditer(text):
        stop, after = match.start(), match.end()
        if after >= len(text):
            break
        if stop > start and text[stop - 1] == ".":
            word = max(text.rfind(" ", start, stop) + 1, start)
            last = text[word : stop - 1].lower().lstrip("(\"“'«")
            # "Dr." or "U.S." or "J." (an initial) does not end a sentence ...
            if last in abbreviations or (len(last) == 1 and last.isalpha()):
                continue
            # ... and neither does a stop followed by a lower-case word or a digit.
            if text[after].islower() or text[after].isdigit():
                continue
        sentences.append(text[start:after].strip())
        start = after
    sentences.append(text[start:].strip())
    return [s for s in sentences if s]


@cache
def _abbreviations(language: str) -> frozenset[str]:
    """The language's own abbreviations, and English ones (quoted English names are common)."""
    from listen.lang import pack

    english = pack("en")
    own = pack(language)
    return (own.abbreviations if own else frozenset()) | (
        english.abbreviations if english else frozenset()
    )
