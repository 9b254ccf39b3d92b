"""Number words: the one place that calls num2words, and the limits every language shares.

num2words does the spelling; each language's ``numbers`` module only adjusts
its output to the way news is read aloud.
"""

from __future__ import annotations

from num2words import num2words as _num2words

#: Above this a number is read digit by digit (it is an identifier, not a quantity).
MAX_SPELLED = 10**15 - 1
#: Longer runs of digits are read in groups (a phone number, a serial), never as one cardinal.
MAX_DIGITS = 15


def n2w(value: int, lang: str, to: str = "cardinal") -> str:
    return str(_num2words(value, lang=lang, to=to))


def spell_digits(digits: str, names: list[str] | tuple[str, ...]) -> str:
    """'2025' -> the language's names of 2, 0, 2, 5, one after another."""
    return " ".join(names[int(d)] for d in digits if d.isdigit() and d.isascii())
