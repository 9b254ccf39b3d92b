"""Speech-ready text: the words a voice should say for what was written.

``normalize(text, language)`` is deterministic, needs no network and is the
same whichever engine speaks. Each language keeps its rules as data in its
own module (``en``, ``es``, ``ar``); ``common`` holds the shared machinery and
the language-neutral clean-up that every other language gets.
"""

from __future__ import annotations

import logging
import re
import sys
import types
from collections.abc import Callable
from typing import TYPE_CHECKING

from . import ar, en, es
from .common import (
    PLACEHOLDER_BASE,
    PLACEHOLDER_CLASS,
    Language,
    post_clean_rules,
    pre_clean,
    run,
    tidy,
)

if TYPE_CHECKING:
    from ..lexicon import Lexicon, LexiconEntry

__all__ = ["normalize", "supported_languages"]

log = logging.getLogger(__name__)

_LANGUAGES: dict[str, Callable[[str | None], Language]] = {
    "en": en.language,
    "es": es.language,
    "ar": ar.language,
}
_NEUTRAL = Language(post_clean_rules(","), ",")
_LEADING_PAUSE = re.compile(r"\s*([,;،])")
_PLACEHOLDER = re.compile(f"[{PLACEHOLDER_CLASS}]")
_MAX_PLACEHOLDERS = 0xFFFFD - PLACEHOLDER_BASE

#: Set by tests so that a bug in a rule fails loudly instead of being masked.
STRICT = False


def supported_languages() -> tuple[str, ...]:
    return tuple(_LANGUAGES)


def _language(code: str) -> Language:
    base, _, region = code.replace("_", "-").partition("-")
    factory = _LANGUAGES.get(base.lower())
    if factory is None:
        return _NEUTRAL
    region = region.split("-")[-1].upper() if region else ""
    return factory(region or None)


def normalize(
    text: str,
    language: str,
    lexicon: Lexicon | None = None,
    phonemes: Callable[[LexiconEntry], str | None] | None = None,
) -> str:
    """Written text -> the words a voice should say. Deterministic, never raises on any str input.

    ``language`` is an ISO 639-1 code, possibly with a region ('en', 'en-US',
    'es-419', 'ar'); unknown languages get only the language-neutral clean-up.
    ``lexicon`` entries are applied whole-word before every other rule; where
    ``phonemes`` returns a string for an entry, that string is said instead of
    the entry's alias.
    """
    try:
        return _normalize(text, language, lexicon, phonemes)
    except Exception:
        if STRICT:
            raise
        log.exception("normalisation failed; speaking the text as written")
        try:
            return tidy(pre_clean(str(text)))
        except Exception:
            return " ".join(str(text).split())


def _normalize(
    text: str,
    language: str,
    lexicon: Lexicon | None,
    phonemes: Callable[[LexiconEntry], str | None] | None,
) -> str:
    lang = _language(str(language or ""))
    text = pre_clean(text)
    parked: list[str] = []
    if lexicon:
        text = _park(text, lexicon, phonemes, parked)
    # A piece of a sentence (the SSML writer normalises the text around lexicon
    # matches) keeps the comma it starts with.
    lead = _LEADING_PAUSE.match(text)
    text = tidy(run(text, lang.steps))
    if lead and text and not text.startswith(lead.group(1)):
        text = f"{lead.group(1)} {text}"
    if parked:
        text = _PLACEHOLDER.sub(lambda m: parked[ord(m.group(0)) - PLACEHOLDER_BASE], text)
        text = " ".join(text.split())
    return text


def _park(
    text: str,
    lexicon: Lexicon,
    phonemes: Callable[[LexiconEntry], str | None] | None,
    parked: list[str],
) -> str:
    """Swap each lexicon match for a placeholder the rules leave alone."""
    out: list[str] = []
    for piece in lexicon.split(text):
        if isinstance(piece, str):
            out.append(piece)
            continue
        written, entry = piece
        said = phonemes(entry) if phonemes is not None else None
        if not said:
            said = entry.alias
        if not said or len(parked) >= _MAX_PLACEHOLDERS:
            out.append(written)  # nothing to say instead: the ordinary rules read it
            continue
        out.append(chr(PLACEHOLDER_BASE + len(parked)))
        parked.append(" ".join(said.split()))
    return "".join(out)


class _CallableModule(types.ModuleType):
    """``listen.normalize`` is both this package and the function the API promises.

    Importing the package sets ``listen.normalize`` to the module, shadowing the
    function, so the module itself answers calls.
    """

    def __call__(
        self,
        text: str,
        language: str,
        lexicon: Lexicon | None = None,
        phonemes: Callable[[LexiconEntry], str | None] | None = None,
    ) -> str:
        return normalize(text, language, lexicon, phonemes)


sys.modules[__name__].__class__ = _CallableModule
