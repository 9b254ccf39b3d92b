"""Arabic number words, genitive and feminine forms.

Thousands and millions are built group by group: num2words gets 101 000 and 2 000 wrong.
"""

from __future__ import annotations

import re

from ..numbers import MAX_SPELLED, n2w, spell_digits

DIGITS = "صفر واحد اثنان ثلاثة أربعة خمسة ستة سبعة ثمانية تسعة".split()


def digit_names(digits: str) -> str:
    return spell_digits(digits, DIGITS)


# (singular, dual, plural 3-10, accusative singular 11-99)
_AR_SCALES: tuple[tuple[int, tuple[str, str, str, str]], ...] = (
    (10**12, ("تريليون", "تريليونان", "تريليونات", "تريليوناً")),
    (10**9, ("مليار", "ملياران", "مليارات", "ملياراً")),
    (10**6, ("مليون", "مليونان", "ملايين", "مليوناً")),
    (10**3, ("ألف", "ألفان", "آلاف", "ألفاً")),
)


def _ar_small(value: int, construct: bool = False) -> str:
    """1..999 through num2words, with its 200 fixed and 'و' joined to the next word."""
    words = n2w(value, "ar").strip()
    words = re.sub(r"\s+", " ", words)
    if value == 200:
        words = "مئتا" if construct else "مئتان"
    elif construct:
        words = re.sub(r"^مئتان$", "مئتا", words)
    return words.replace("و ", "و")


def cardinal(value: int) -> str:
    if value > MAX_SPELLED:
        return digit_names(str(value))
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
    (re.compile(r"\b(و?)اثنان\b"), r"\1اثنين"),
    (re.compile(r"\b(و?)اثنا عشر\b"), r"\1اثني عشر"),
    (re.compile(r"\b(و?)اثنتان\b"), r"\1اثنتين"),
    (re.compile(r"\b(و?)اثنتا عشرة\b"), r"\1اثنتي عشرة"),
    (re.compile(r"(ألف|مئت|مليون|مليار|تريليون)ان\b"), r"\1ين"),
)


def genitive(words: str) -> str:
    """The genitive/accusative forms a reader uses after a preposition or 'عام'."""
    for pattern, repl in _AR_GENITIVE:
        words = pattern.sub(repl, words)
    return words


# The "عشرة" of 11-19 is written with a marker until the 3-10 rule, which drops the ة
# of a lone "عشرة", has run.
_TEEN = "عشر\ue010"
_AR_FEMININE = (
    (re.compile(r"\bأحد عشر\b"), "إحدى " + _TEEN),
    (re.compile(r"\bاثنا عشر\b"), "اثنتا " + _TEEN),
    (re.compile(r"(ثلاث|أربع|خمس|ست|سبع|تسع)ة عشر\b"), r"\1 " + _TEEN),
    (re.compile(r"ثمانية عشر\b"), "ثماني " + _TEEN),
    (re.compile(r"\b(و?)(ثلاث|أربع|خمس|ست|سبع|تسع|عشر)ة\b"), r"\1\2"),
    (re.compile(r"\b(و?)ثمانية\b"), r"\1ثماني"),
    (re.compile(r"\b(و?)واحد(?= و)"), r"\1إحدى"),  # 21, 31 ...: "إحدى وعشرون دولة"
    (re.compile(r"\b(و?)واحد\b"), r"\1واحدة"),
    (re.compile(r"\b(و?)اثنان\b"), r"\1اثنتان"),
)
_AR_SCALE_WORD = re.compile(r".*(?:ألف|آلاف|ألفاً|ألفا|ألفان|مليون\S*|ملايين|مليار\S*|تريليون\S*)")


def feminine(words: str) -> str:
    """The forms used with a feminine noun ("خمس دقائق"), in the part after the last scale word."""
    m = _AR_SCALE_WORD.match(words)
    head, tail = (words[: m.end()], words[m.end() :]) if m else ("", words)
    for pattern, repl in _AR_FEMININE:
        tail = pattern.sub(repl, tail)
    return head + tail.replace("\ue010", "ة")


# --- ordinals ("المرتبة الـ3" -> "المرتبة الثالثة") ----------------------------------

_ORDINAL_ONES = "الأول الثاني الثالث الرابع الخامس السادس السابع الثامن التاسع العاشر".split()
_ORDINAL_ONES_F = (
    "الأولى الثانية الثالثة الرابعة الخامسة السادسة السابعة الثامنة التاسعة العاشرة".split()
)
_TENS = {
    2: "العشرون",
    3: "الثلاثون",
    4: "الأربعون",
    5: "الخمسون",
    6: "الستون",
    7: "السبعون",
    8: "الثمانون",
    9: "التسعون",
}


def ordinal(value: int, feminine: bool = False, genitive: bool = False) -> str | None:
    """The definite ordinal 1..100 (and 1000) agreeing with its noun; None past that."""
    ones = _ORDINAL_ONES_F if feminine else _ORDINAL_ONES
    if 1 <= value <= 10:
        return ones[value - 1]
    if 11 <= value <= 19:
        unit = ("الحادية" if feminine else "الحادي") if value == 11 else ones[value - 11]
        return f"{unit} {'عشرة' if feminine else 'عشر'}"
    if 20 <= value <= 99:
        tens, unit_value = divmod(value, 10)
        words = _TENS[tens]
        if unit_value:
            unit = (
                ("الحادية" if feminine else "الحادي") if unit_value == 1 else ones[unit_value - 1]
            )
            words = f"{unit} و{words}"
        return genitive_ordinal(words) if genitive else words
    if value == 100:
        return "المئة"
    if value == 1000:
        return "الألف"
    return None


def genitive_ordinal(words: str) -> str:
    return re.sub(r"ون\b", "ين", words)


# --- Latin letters, as an Arabic reader names them --------------------------------------

LETTER_NAMES = dict(
    zip(
        "ABCDEFGHIJKLMNOPQRSTUVWXYZ",
        (
            "إيه بي سي دي إي إف جي إتش آي جيه كيه إل إم "
            "إن أو بي كيو آر إس تي يو في دبليو إكس واي زد"
        ).split(),
        strict=True,
    )
)
