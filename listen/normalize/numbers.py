"""Number words for English, Spanish and Arabic: the one place that calls num2words.

num2words does the spelling; what is here only adjusts its output to the
way news is read aloud (no "and" in US English, Spanish "veintiún mil",
Arabic thousands and millions built group by group because the library's
Arabic gets 101 000 and 2 000 wrong).
"""

from __future__ import annotations

import re

from num2words import num2words as _num2words

#: Above this a number is read digit by digit (it is an identifier, not a quantity).
MAX_SPELLED = 10**15 - 1

_EN_DIGITS = "zero one two three four five six seven eight nine".split()
_ES_DIGITS = "cero uno dos tres cuatro cinco seis siete ocho nueve".split()
_AR_DIGITS = "صفر واحد اثنان ثلاثة أربعة خمسة ستة سبعة ثمانية تسعة".split()


def _n2w(value: int, lang: str, to: str = "cardinal") -> str:
    return str(_num2words(value, lang=lang, to=to))


def digit_names(digits: str, language: str) -> str:
    names = {"en": _EN_DIGITS, "es": _ES_DIGITS, "ar": _AR_DIGITS}[language]
    return " ".join(names[int(d)] for d in digits if d.isdigit())


# --- English ------------------------------------------------------------------


def _en_clean(words: str, british: bool) -> str:
    words = words.replace(",", "")
    if not british:
        words = re.sub(r"\band ", "", words)
    return words


def en_cardinal(value: int, british: bool = False) -> str:
    if value > MAX_SPELLED:
        return digit_names(str(value), "en")
    return _en_clean(_n2w(value, "en"), british)


def en_ordinal(value: int, british: bool = False) -> str:
    if value > MAX_SPELLED:
        return digit_names(str(value), "en")
    return _en_clean(_n2w(value, "en", "ordinal"), british)


def en_year(value: int, british: bool = False) -> str:
    """1999 -> 'nineteen ninety-nine', 2005 -> 'two thousand five', 1905 -> 'nineteen oh five'."""
    if not 1000 <= value <= 9999:
        return en_cardinal(value, british)
    return _en_clean(_n2w(value, "en", "year"), british).replace("oh-", "oh ")


_EN_PLURAL_EXCEPTIONS = {"six": "sixes"}


def en_plural(words: str) -> str:
    """'nineteen ninety' -> 'nineteen nineties' (decades, 'in their forties')."""
    head, _, last = words.rpartition(" ")
    if last in _EN_PLURAL_EXCEPTIONS:
        plural = _EN_PLURAL_EXCEPTIONS[last]
    elif last.endswith("y"):
        plural = last[:-1] + "ies"
    else:
        plural = last + "s"
    return f"{head} {plural}".strip()


# --- Spanish ------------------------------------------------------------------

_ES_LARGE = r"mil|millón|millones|billón|billones"
_ES_APOCOPE_BEFORE_SCALE = re.compile(rf"\b(veinti)?uno (?=(?:{_ES_LARGE})\b)")
_ES_FINAL_UNO = re.compile(r"\b(veinti)?uno$")
_ES_HUNDREDS = re.compile(r"ientos\b")


def es_cardinal(value: int, feminine: bool = False, apocope: bool = False) -> str:
    """Spanish cardinal; ``feminine`` and ``apocope`` agree with the noun that follows.

    ``apocope`` gives 'un'/'veintiún' (before a masculine noun); ``feminine``
    gives 'una', 'doscientas' for the part after the last million.
    """
    if value > MAX_SPELLED:
        return digit_names(str(value), "es")
    words = _n2w(value, "es")
    words = _ES_APOCOPE_BEFORE_SCALE.sub(lambda m: "veintiún " if m.group(1) else "un ", words)
    if feminine:
        parts = re.split(r"\b(?:millón|millones|billón|billones)\b", words)
        tail = parts[-1]
        tail = _ES_HUNDREDS.sub("ientas", tail)
        tail = re.sub(r"\b(veinti)?uno$", lambda m: (m.group(1) or "") + "una", tail)
        words = words[: len(words) - len(parts[-1])] + tail
    elif apocope:
        words = _ES_FINAL_UNO.sub(lambda m: "veintiún" if m.group(1) else "un", words)
    return words


_ES_ORDINALS_FEM = re.compile(r"o\b")


def es_ordinal(value: int, feminine: bool = False, apocope: bool = False) -> str:
    """1 -> 'primero' ('primera', 'primer'); 11 -> 'decimoprimero'."""
    if value <= 0 or value > 999:
        return es_cardinal(value, feminine)
    words = _n2w(value, "es", "ordinal").replace("décimo", "decimo")
    if value == 10:
        words = "décimo"
    if feminine:
        return _ES_ORDINALS_FEM.sub("a", words)
    if apocope:
        words = re.sub(r"\b(prim|terc)ero$", r"\1er", words)
    return words


# --- Arabic -------------------------------------------------------------------

# (singular, dual, plural 3-10, accusative singular 11-99)
_AR_SCALES: tuple[tuple[int, tuple[str, str, str, str]], ...] = (
    (10**12, ("تريليون", "تريليونان", "تريليونات", "تريليوناً")),
    (10**9, ("مليار", "ملياران", "مليارات", "ملياراً")),
    (10**6, ("مليون", "مليونان", "ملايين", "مليوناً")),
    (10**3, ("ألف", "ألفان", "آلاف", "ألفاً")),
)


def _ar_small(value: int, construct: bool = False) -> str:
    """1..999 through num2words, with its 200 fixed and 'و' joined to the next word."""
    words = _n2w(value, "ar").strip()
    words = re.sub(r"\s+", " ", words)
    if value == 200:
        words = "مئتا" if construct else "مئتان"
    elif construct:
        words = re.sub(r"^مئتان$", "مئتا", words)
    return words.replace("و ", "و")


def ar_cardinal(value: int) -> str:
    if value > MAX_SPELLED:
        return digit_names(str(value), "ar")
    if value == 0:
        return "صفر"
    parts: list[str] = []
    rest = value
    for size, (one, two, few, many) in _AR_SCALES:
        count, rest = divmod(rest, size)
        if count == 0:
            continue
        if count == 1:
            parts.append(one)
        elif count == 2:
            parts.append(two)
        elif 3 <= count % 100 <= 10:
            parts.append(f"{_ar_small(count)} {few}")
        elif 11 <= count % 100 <= 99:
            parts.append(f"{_ar_small(count)} {many}")
        else:
            parts.append(f"{_ar_small(count, construct=True)} {one}")
    if rest:
        parts.append(_ar_small(rest))
    return " و".join(parts)


_AR_GENITIVE = (
    (re.compile(r"(عشر|ثلاث|أربع|خمس|ست|سبع|ثمان|تسع)ون\b"), r"\1ين"),
    (re.compile(r"\bاثنان\b"), "اثنين"),
    (re.compile(r"\bاثنا عشر\b"), "اثني عشر"),
    (re.compile(r"\bاثنتان\b"), "اثنتين"),
    (re.compile(r"(ألف|مئت|مليون|مليار|تريليون)ان\b"), r"\1ين"),
)


def ar_genitive(words: str) -> str:
    """The genitive/accusative forms a reader uses after a preposition or 'عام'."""
    for pattern, repl in _AR_GENITIVE:
        words = pattern.sub(repl, words)
    return words


_AR_FEMININE = (
    (re.compile(r"\bأحد عشر\b"), "إحدى عشرة"),
    (re.compile(r"\bاثنا عشر\b"), "اثنتا عشرة"),
    (re.compile(r"(ثلاث|أربع|خمس|ست|سبع|تسع)ة عشر\b"), r"\1 عشرة"),
    (re.compile(r"ثمانية عشر\b"), "ثماني عشرة"),
    (re.compile(r"\b(و?)(ثلاث|أربع|خمس|ست|سبع|تسع|عشر)ة\b"), r"\1\2"),
    (re.compile(r"\b(و?)ثمانية\b"), r"\1ثماني"),
    (re.compile(r"\b(و?)واحد\b"), r"\1واحدة"),
    (re.compile(r"\b(و?)اثنان\b"), r"\1اثنتان"),
)
_AR_SCALE_WORD = re.compile(r".*(?:ألف|آلاف|ألفاً|ألفا|ألفان|مليون\S*|ملايين|مليار\S*|تريليون\S*)")


def ar_feminine(words: str) -> str:
    """The forms used with a feminine noun ("خمس دقائق"), in the part after the last scale word."""
    m = _AR_SCALE_WORD.match(words)
    head, tail = (words[: m.end()], words[m.end() :]) if m else ("", words)
    for pattern, repl in _AR_FEMININE:
        tail = pattern.sub(repl, tail)
    return head + tail
