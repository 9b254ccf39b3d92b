"""``LanguagePack``: everything listen knows about one language, as one value.

Each language is one subpackage (``listen/lang/en/`` ...) whose ``PACK`` is a
``LanguagePack``: its codes, month names, byline words, labels, the words
after which a full stop does not end a sentence, page furniture to drop, the
player's messages, and the normaliser that turns written text into speech.
The stages read these tables from here and nowhere else.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

from .common import Language

#: The keys every pack's player messages must have (the player falls back to English).
MESSAGE_KEYS = (
    "listen playback play pause back forward position speed next nextTitle chapters "
    "transcript transcriptHint queue played caption of loading preparing ready playing paused "
    "finished buffering chapter resuming at rate nowPlaying noTranscript audioError blocked "
    "network failed queueError nothing"
).split()
LABEL_KEYS = ("caption", "quote")


@dataclass(frozen=True)
class Byline:
    """How the rebuilt byline is said: "By {author}.", "Source: {source}.", the date."""

    by: str
    source: str
    date: str  # with {d}, {m} (the month's name) and {y}
    #: Words that open a byline line on a page ("By", "بقلم") and lines naming the source.
    prefixes: tuple[str, ...] = ()
    source_words: tuple[str, ...] = ()

    def format(
        self,
        author: str | None,
        source: str | None,
        date: tuple[int, int, int] | None,
        months: tuple[str, ...],
    ) -> str | None:
        parts = []
        if author:
            parts.append(self.by.format(author))
        if source and source != author:
            parts.append(self.source.format(source))
        if date:
            y, m, d = date
            parts.append(self.date.format(d=d, m=months[m - 1], y=y))
        return " ".join(parts) or None


@dataclass(frozen=True)
class LanguagePack:
    code: str  # ISO 639-1
    iso639_2: str  # ISO 639-2/T, as ID3 wants it
    name: str  # the language's own name for itself
    #: Region (upper case, or None) -> the normalisation pipeline for that variant.
    normalizer: Callable[[str | None], Language]
    months: tuple[str, ...]  # January .. December, as written in running text
    byline: Byline
    #: Words that stand in a line holding only a date ("Updated", "GMT", weekday names).
    date_words: frozenset[str] = frozenset()
    #: Lower-cased, without the dot: after these a full stop does not end a sentence.
    abbreviations: frozenset[str] = frozenset()
    #: Regular expressions (matched whole, ignoring case) for short lines of page furniture.
    noise: tuple[str, ...] = ()
    labels: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))
    #: How the written script marks a caption ("[Image caption] ...").
    caption_mark: str = "Image caption"
    messages: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))
    rtl: bool = False
    #: Adds what the written form leaves out before the engine reads it (Arabic short vowels).
    vowel: Callable[[str], str] | None = None

    def __post_init__(self) -> None:
        if len(self.months) != 12:
            raise ValueError(f"{self.code}: twelve month names, not {len(self.months)}")
        missing = [k for k in MESSAGE_KEYS if k not in self.messages]
        if missing:
            raise ValueError(f"{self.code}: player messages lack {', '.join(missing)}")
        for pattern in self.noise:
            re.compile(pattern)

    def label(self, kind: str) -> str | None:
        return self.labels.get(kind)


def frozen(mapping: Mapping[str, str]) -> Mapping[str, str]:
    return MappingProxyType(dict(mapping))
