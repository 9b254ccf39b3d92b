"""Small text helpers shared by the stages: whitespace, slugs and sentences."""

from __future__ import annotations

import re
import unicodedata

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


# Words after which a full stop does not end a sentence. Lower-cased, without the dot.
_ABBREVIATIONS = {
    "en": {
        "mr",
        "mrs",
        "ms",
        "dr",
        "prof",
        "gen",
        "lt",
        "col",
        "maj",
        "capt",
        "cmdr",
        "sgt",
        "st",
        "no",
        "vs",
        "e.g",
        "i.e",
        "approx",
        "jan",
        "feb",
        "mar",
        "apr",
        "jun",
        "jul",
        "aug",
        "sep",
        "sept",
        "oct",
        "nov",
        "dec",
        "sen",
        "rep",
        "gov",
        "pres",
        "jr",
        "sr",
        "u.s",
        "u.k",
        "u.n",
        "inc",
        "co",
        "corp",
        "ltd",
        "mt",
        "ft",
        "rev",
        "fig",
        "p.m",
        "a.m",
    },
    "es": {
        "sr",
        "sra",
        "srta",
        "dr",
        "dra",
        "lic",
        "ing",
        "gral",
        "ee.uu",
        "p. ej",
        "ej",
        "núm",
        "pág",
        "art",
        "av",
        "ene",
        "feb",
        "mar",
        "abr",
        "may",
        "jun",
        "jul",
        "ago",
        "sept",
        "sep",
        "oct",
        "nov",
        "dic",
        "uds",
        "ud",
        "etc",
    },
}
_END = re.compile(r"(?<=[.!?؟…])[\"”’»)\]]*\s+")


def split_sentences(text: str, language: str) -> list[str]:
    """Split a block into sentences, keeping abbreviations and initials whole."""
    text = squash(text)
    if not text:
        return []
    abbreviations = _ABBREVIATIONS.get(language.split("-")[0], set()) | _ABBREVIATIONS["en"]
    sentences: list[str] = []
    start = 0
    for match in _END.finditer(text):
        head = text[start : match.start()]
        rest = text[match.end() :]
        if not rest:
            break
        if head.endswith("."):
            last = head.rsplit(" ", 1)[-1][:-1].lower().lstrip("(\"“'«")
            # "Dr." or "U.S." or "J." (an initial) does not end a sentence ...
            if last in abbreviations or (len(last) == 1 and last.isalpha()):
                continue
            # ... and neither does a stop followed by a lower-case word or a digit.
            if rest[0].islower() or rest[0].isdigit():
                continue
        sentences.append(text[start : match.end()].strip())
        start = match.end()
    sentences.append(text[start:].strip())
    return [s for s in sentences if s]
