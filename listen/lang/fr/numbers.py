"""French number words through num2words, with its plural ordinals fixed ("deux centième")."""

from __future__ import annotations

import re

from ..numbers import MAX_SPELLED, n2w, spell_digits

DIGITS = "zéro un deux trois quatre cinq six sept huit neuf".split()


def digit_names(digits: str) -> str:
    return spell_digits(digits, DIGITS)


def cardinal(value: int, feminine: bool = False) -> str:
    if value > MAX_SPELLED:
        return digit_names(str(value))
    words = n2w(value, "fr")
    if feminine:
        words = re.sub(r"\bun$", "une", words)
    return words


def ordinal(value: int, feminine: bool = False) -> str:
    """1 -> 'premier' ('première'), 2 -> 'deuxième', 80 -> 'quatre-vingtième'."""
    if value > MAX_SPELLED:
        return digit_names(str(value))
    if value == 1:
        return "première" if feminine else "premier"
    return re.sub(r"(vingt|cent)sième\b", r"\1ième", n2w(value, "fr", "ordinal"))
