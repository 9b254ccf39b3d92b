"""English number words: no "and" in US English, years said in pairs."""

from __future__ import annotations

import re

from ..numbers import MAX_SPELLED, n2w, spell_digits

DIGITS = "zero one two three four five six seven eight nine".split()


def digit_names(digits: str) -> str:
    return spell_digits(digits, DIGITS)


def _en_clean(words: str, british: bool) -> str:
    words = words.replace(",", "")
    if not british:
        words = re.sub(r"\band ", "", words)
    return words


def cardinal(value: int, british: bool = False) -> str:
    if value > MAX_SPELLED:
        return digit_names(str(value))
    return _en_clean(n2w(value, "en"), british)


def ordinal(value: int, british: bool = False) -> str:
    if value > MAX_SPELLED:
        return digit_names(str(value))
    return _en_clean(n2w(value, "en", "ordinal"), british)


def year(value: int, british: bool = False) -> str:
    """1999 -> 'nineteen ninety-nine', 2005 -> 'two thousand five', 1905 -> 'nineteen oh five'."""
    if not 1000 <= value <= 9999:
        return cardinal(value, british)
    return _en_clean(n2w(value, "en", "year"), british).replace("oh-", "oh ")


_EN_PLURAL_EXCEPTIONS = {"six": "sixes"}


def plural(words: str) -> str:
    """'nineteen ninety' -> 'nineteen nineties' (decades, 'in their forties')."""
    head, _, last = words.rpartition(" ")
    if last in _EN_PLURAL_EXCEPTIONS:
        plural = _EN_PLURAL_EXCEPTIONS[last]
    elif last.endswith("y"):
        plural = last[:-1] + "ies"
    else:
        plural = last + "s"
    return f"{head} {plural}".strip()
