"""``LanguagePack``: everything listen knows about one language, as one value.

Each language is one subpackage (``listen/lang/en/`` ...) whose ``PACK`` is a
``LanguagePack``: its codes, month names, byline words, labels, the words
after which a full stop does not end a sentence, page furniture to drop, the
player's messages, and the normaliser that turns written text into speech.
The stages read these tables from here and nowhere else.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType

from .common import Language

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
    #: How a list of names is joined: "A, B and C".
    comma: str = ", "
    and_: str = " and "
    #: The "and" before a name that starts with an /i/ sound (Spanish "Ana e Isabel").
    and_before_i: str | None = None

    def join(self, names: list[str]) -> str:
        if len(names) < 2:
            return "".join(names)
        last = names[-1]
        and_ = self.and_
        if self.and_before_i and re.match(r"(?i)h?i(?![aeou])", last):
            and_ = self.and_before_i
        return self.comma.join(names[:-1]) + and_ + last

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
    months: tuple[str, ...]  # January .. December, as written in running text
    byline: Byline
    #: Region (upper case, or None) -> the normalisation pipeline for that variant;
    #: None for a pack that only names things (its text gets the neutral clean-up).
    normalizer: Callable[[str | None], Language] | None = None
    #: Words that stand in a line holding only a date ("Updated", "GMT", weekday names).
    date_words: frozenset[str] = frozenset()
    #: Lower-cased, without the dot: after these a full stop does not end a sentence.
    abbreviations: frozenset[str] = frozenset()
    #: Regular expressions (matched whole, ignoring case) for short lines of page furniture.
    noise: tuple[str, ...] = ()
    labels: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))
    #: How the written script marks a caption ("[Image caption] ...").
    caption_mark: str = "Image caption"
    #: The web player's words (the player falls back to English where a pack has none).
    messages: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))
    rtl: bool = False
    #: Adds what the written form leaves out before the engine reads it (Arabic short vowels).
    vowel: Callable[[str], str] | None = None
    #: The last step on every spoken form, lexicon entries included (Arabic: shadda first).
    finish: Callable[[str], str] | None = None

    def __post_init__(self) -> None:
        if len(self.months) != 12:
            raise ValueError(f"{self.code}: twelve month names, not {len(self.months)}")
        for pattern in self.noise:
            re.compile(pattern)

    def label(self, kind: str) -> str | None:
        return self.labels.get(kind)


def frozen(mapping: Mapping[str, str]) -> Mapping[str, str]:
    return MappingProxyType(dict(mapping))


def messages(package_file: str) -> Mapping[str, str]:
    """The player's words in the ``messages.toml`` beside a pack's ``__init__.py``."""
    path = Path(package_file).with_name("messages.toml")
    with path.open("rb") as f:
        data = tomllib.load(f)
    if not all(isinstance(v, str) for v in data.values()):
        raise ValueError(f"{path}: every message is a string")
    return MappingProxyType(data)
