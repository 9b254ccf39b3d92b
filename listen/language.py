"""The article's language as an ISO 639-1 code.

The page's own signals come first (``<html lang>``, ``og:locale``, JSON-LD
``inLanguage``) and are believed when the body is written in that language's
script. Otherwise langdetect, seeded so it is deterministic, reads the body:
when the page says nothing usable, or says something the body contradicts (an
Arabic article in a template left at ``lang="en"``), the body's language wins
if langdetect is sure of it.
"""

from __future__ import annotations

import re
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
    if declared is not None and _script_of(declared) == dominant_script(body):
        told = _by_script(body)  # in Han, kana and hangul, the letters themselves tell
        return told[0] if told is not None else declared  # else the page's word: its script
    detected = _by_script(body) or _by_function_words(body) or _detect(body)
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


# Which script a language is written in, for the languages not written in Latin letters.
_SCRIPTS = {
    "arabic": "ar fa ur ps ku sd ug",
    "cyrillic": "ru uk bg sr mk be kk ky tg mn",
    "hebrew": "he yi",
    "greek": "el",
    "devanagari": "hi mr ne sa",
    "cjk": "zh ja ko",
    "thai": "th",
}
_SCRIPT_OF = {code: script for script, codes in _SCRIPTS.items() for code in codes.split()}
_SCRIPT_LETTERS = {
    "arabic": re.compile("[\u0600-\u06ff\u0750-\u077f\ufb50-\ufeff]"),
    "cyrillic": re.compile("[\u0400-\u04ff]"),
    "hebrew": re.compile("[\u0590-\u05ff]"),
    "greek": re.compile("[\u0370-\u03ff]"),
    "devanagari": re.compile("[\u0900-\u097f]"),
    "thai": re.compile("[\u0e00-\u0e7f]"),
    "cjk": re.compile("[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af]"),
}
_LETTER = re.compile(r"[^\W\d_]")
_SAMPLE_CHARS = 5000
# langdetect's time grows with the text; a few paragraphs tell a language as well as a book.
_DETECT_CHARS = 2000


def _script_of(language: str) -> str:
    return _SCRIPT_OF.get(language, "latin")


def dominant_script(text: str) -> str:
    """The script most letters of ``text`` are in ("latin", "arabic", "cyrillic", ...).

    Checking this is cheap, and loading langdetect's profiles is not (a quarter
    of a second): a page whose declared language matches its script is believed.
    """
    sample = text[:_SAMPLE_CHARS]
    letters = len(_LETTER.findall(sample))
    if not letters:
        return "latin"
    counts = {name: len(pattern.findall(sample)) for name, pattern in _SCRIPT_LETTERS.items()}
    counts["latin"] = letters - sum(counts.values())
    return max(counts, key=lambda k: counts[k])


# The commonest short words of the Latin-script languages seen most; a body that
# uses one set far more than every other is in that language, without langdetect.
_FUNCTION_WORDS = {
    "en": "the and of to in is that for with was on as are it by this be from",
    "es": "el la los las de que y en del se por con una para es al lo como",
    "fr": "le la les des de et est que une pour dans du qui au sur pas par",
    "de": "der die das und ist nicht mit den von ein eine sich auch für auf dem",
    "pt": "o os as de que e do da em um uma para com não no na dos",
    "it": "il di che la per un una non sono del della gli le nel alla è",
    "nl": "de het een van en is dat op te voor niet met zijn er aan ook",
}
_FUNCTION_SETS = {lang: frozenset(words.split()) for lang, words in _FUNCTION_WORDS.items()}
_WORD = re.compile(r"[^\W\d_]+")


def _by_function_words(text: str) -> tuple[str, float] | None:
    """A clear answer from function words (about 100 times faster than langdetect), or None."""
    words = _WORD.findall(text[:_DETECT_CHARS].casefold())
    if len(words) < 40 or dominant_script(text) != "latin":
        return None
    counts = sorted(
        ((sum(w in vocab for w in words), lang) for lang, vocab in _FUNCTION_SETS.items()),
        reverse=True,
    )
    (best, lang), (second, _) = counts[0], counts[1]
    # A language's commonest words are a fifth of its running text; one set far ahead of
    # every other is as clear, in a text dense with names and numbers.
    if (best >= 0.2 * len(words) and best >= 2 * second) or (
        best >= 0.12 * len(words) and best >= 4 * second
    ):
        return lang, 0.99
    return None


_KANA = re.compile("[\u3040-\u30ff]")
_HANGUL = re.compile("[\uac00-\ud7af\u1100-\u11ff]")


def _by_script(text: str) -> tuple[str, float] | None:
    """Chinese, Japanese and Korean told apart by their scripts, without langdetect.

    Japanese prose always holds kana and Korean holds hangul; Han characters with
    neither are Chinese. Other scripts are shared by several languages: None.
    """
    if dominant_script(text) != "cjk":
        return None
    sample = text[:_DETECT_CHARS]
    han_or_more = len(_SCRIPT_LETTERS["cjk"].findall(sample))
    kana, hangul = len(_KANA.findall(sample)), len(_HANGUL.findall(sample))
    if hangul >= 0.3 * han_or_more:
        return "ko", 0.99
    if kana >= 0.05 * han_or_more:
        return "ja", 0.99
    return "zh", 0.99


def _detect(text: str) -> tuple[str, float] | None:
    from langdetect import DetectorFactory, detect_langs
    from langdetect.lang_detect_exception import LangDetectException

    DetectorFactory.seed = 0
    try:
        best = detect_langs(text[:_DETECT_CHARS])[0]
    except LangDetectException:
        return None
    code = parse_code(best.lang)
    return (code, best.prob) if code else None
