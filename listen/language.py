"""The article's language as an ISO 639-1 code.

The page's own signals come first (``<html lang>``, ``og:locale``, JSON-LD
``inLanguage``); langdetect, seeded so it is deterministic, reads the body
when the page says nothing usable, and overrules the page when the body is
long and plainly in another language (a template left at ``lang="en"``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from listen.errors import LanguageError

if TYPE_CHECKING:
    from listen.metadata import PageMeta

ISO_639_1 = frozenset(
    """aa ab ae af ak am an ar as av ay az ba be bg bh bi bm bn bo br bs ca ce ch co cr cs cu cv cy
    da de dv dz ee el en eo es et eu fa ff fi fj fo fr fy ga gd gl gn gu gv ha he hi ho hr ht hu hy
    hz ia id ie ig ii ik io is it iu ja jv ka kg ki kj kk kl km kn ko kr ks ku kv kw ky la lb lg li
    ln lo lt lu lv mg mh mi mk ml mn mr ms mt my na nb nd ne ng nl nn no nr nv ny oc oj om or os pa
    pi pl ps pt qu rm rn ro ru rw sa sc sd se sg si sk sl sm sn so sq sr ss st su sv sw ta te tg th
    ti tk tl tn to tr ts tt tw ty ug uk ur uz ve vi vo wa wo xh yi yo za zh zu""".split()
)
# Obsolete codes that pages and langdetect still use.
_ALIASES = {"iw": "he", "in": "id", "ji": "yi", "jw": "jv", "tl": "tl"}

_MIN_BODY_CHARS = 200
_OVERRULE_PROBABILITY = 0.95


def parse_code(value: str | None) -> str | None:
    """'en-US', 'ar_AR', 'es-419' -> 'en', 'ar', 'es'; None when it is not a language."""
    if not value:
        return None
    primary = value.strip().replace("_", "-").split("-")[0].lower()
    primary = _ALIASES.get(primary, primary)
    return primary if primary in ISO_639_1 else None


def require_code(value: str) -> str:
    """Like ``parse_code`` for a code a person typed: an unknown one is an error."""
    code = parse_code(value)
    if code is None:
        raise LanguageError(
            f"unknown language {value!r}", hint="use an ISO 639-1 code such as en, ar or es"
        )
    return code


def detect_language(meta: PageMeta, body: str) -> str:
    declared = (
        parse_code(meta.html_lang) or parse_code(meta.og_locale) or parse_code(meta.jsonld_lang)
    )
    detected = _detect(body)
    if declared is None:
        if detected is None:
            raise LanguageError("cannot tell the article's language", hint="pass --language")
        return detected[0]
    if (
        detected is not None
        and detected[0] != declared
        and detected[1] >= _OVERRULE_PROBABILITY
        and len(body) >= _MIN_BODY_CHARS
    ):
        return detected[0]
    return declared


def _detect(text: str) -> tuple[str, float] | None:
    from langdetect import DetectorFactory, detect_langs
    from langdetect.lang_detect_exception import LangDetectException

    DetectorFactory.seed = 0
    try:
        best = detect_langs(text[:20000])[0]
    except LangDetectException:
        return None
    code = parse_code(best.lang)
    return (code, best.prob) if code else None
