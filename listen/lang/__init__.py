"""Language packs, and ``normalize``: written text -> the words a voice should say.

Each language listen knows is one subpackage here (``en``, ``es``, ``ar``,
``fr``) whose ``PACK`` holds all of that language: its normalisation rules
and tables, codes, month names, byline words, labels, abbreviations, page
furniture and the player's messages. ``common`` holds the shared machinery
and the language-neutral clean-up that every other language gets. Adding a
language is one more subpackage, a voice profile and a test table.

``normalize`` is deterministic, needs no network and is the same whichever
engine speaks.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from typing import TYPE_CHECKING

from . import ar, de, en, es, fr, it, pt
from .codes import ISO_639_2
from .common import (
    PLACEHOLDER_BASE,
    PLACEHOLDER_CLASS,
    Language,
    post_clean_rules,
    pre_clean,
    run,
    tidy,
)
from .pack import LanguagePack

if TYPE_CHECKING:
    from ..lexicon import Lexicon, LexiconEntry

__all__ = [
    "LanguagePack",
    "base_code",
    "iso639_2",
    "normalize",
    "pack",
    "pack_or_english",
    "packs",
    "supported_languages",
]

log = logging.getLogger(__name__)

_PACKS: dict[str, LanguagePack] = {
    p.code: p for p in (en.PACK, es.PACK, ar.PACK, fr.PACK, de.PACK, pt.PACK, it.PACK)
}
_NEUTRAL = Language(post_clean_rules(","), ",")
_LEADING_PAUSE = re.compile(r"\s*([,;،])")
_PLACEHOLDER = re.compile(f"[{PLACEHOLDER_CLASS}]")
_MAX_PLACEHOLDERS = 0xFFFFD - PLACEHOLDER_BASE


def supported_languages() -> tuple[str, ...]:
    """The languages whose text is normalised by their own rules."""
    return tuple(code for code, p in _PACKS.items() if p.normalizer is not None)


def iso639_2(code: str) -> str:
    """'es-MX' -> 'spa'; 'und' (undetermined) for a language listen does not know."""
    base = base_code(code)[0]
    found = _PACKS.get(base)
    return found.iso639_2 if found else ISO_639_2.get(base, "und")


def packs() -> tuple[LanguagePack, ...]:
    return tuple(_PACKS.values())


def base_code(code: str) -> tuple[str, str | None]:
    """'es_mx' -> ('es', 'MX'); 'ar-Arab-EG' -> ('ar', 'EG'); '' -> ('', None)."""
    base, _, region = str(code or "").replace("_", "-").partition("-")
    region = region.split("-")[-1].upper() if region else ""
    return base.lower(), region or None


def pack(code: str) -> LanguagePack | None:
    """The pack for a language code ('en', 'es-MX', 'ar_LB'); None for one listen lacks."""
    return _PACKS.get(base_code(code)[0])


def pack_or_english(code: str) -> LanguagePack:
    """The pack for ``code``, or English's: the words a byline or a label falls back to."""
    return _PACKS.get(base_code(code)[0]) or en.PACK


def _language(code: str) -> Language:
    base, region = base_code(code)
    found = _PACKS.get(base)
    if found is None or found.normalizer is None:
        return _NEUTRAL
    return found.normalizer(region)


def normalize(
    text: str,
    language: str,
    lexicon: Lexicon | None = None,
    phonemes: Callable[[LexiconEntry], str | None] | None = None,
    *,
    strict: bool = False,
    vowel: bool = False,
) -> str:
    """Written text -> the words a voice should say. Deterministic; never raises unless ``strict``.

    ``language`` is an ISO 639-1 code, possibly with a region ('en', 'en-US',
    'es-419', 'ar'); unknown languages get only the language-neutral clean-up.
    ``lexicon`` entries are applied whole-word before every other rule; where
    ``phonemes`` returns a string for an entry, that string is said instead of
    the entry's alias. ``vowel`` adds what the language's writing leaves out
    (Arabic short vowels), leaving lexicon entries and words the text already
    vowelled as they are. ``strict`` lets a bug in a rule raise; otherwise the
    text is spoken as written, and the bug is logged.
    """
    try:
        return _normalize(text, language, lexicon, phonemes, vowel)
    except Exception:
        if strict:
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
    vowel: bool,
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
    found = pack(str(language or ""))
    if vowel and found is not None and found.vowel is not None:
        # Lexicon matches are still placeholders here: the diacritiser leaves them alone.
        text = found.vowel(text)
    if parked:
        text = _PLACEHOLDER.sub(lambda m: parked[ord(m.group(0)) - PLACEHOLDER_BASE], text)
        text = " ".join(text.split())
    if found is not None and found.finish is not None:
        # After NFC (pre_clean, lexicon files) and the lexicon's words are back in place.
        text = found.finish(text)
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
