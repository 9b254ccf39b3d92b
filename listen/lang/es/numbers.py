"""Spanish number words, agreeing with the noun: "veintiún mil", "doscientas"."""

from __future__ import annotations

import re

from ..numbers import MAX_SPELLED, n2w, spell_digits

DIGITS = "cero uno dos tres cuatro cinco seis siete ocho nueve".split()


def digit_names(digits: str) -> str:
    return spell_digits(digits, DIGITS)


_ES_LARGE = r"mil|millón|millones|billón|billones"
_ES_APOCOPE_BEFORE_SCALE = re.compile(rf"\b(veinti)?uno (?=(?:{_ES_LARGE})\b)")
_ES_FINAL_UNO = re.compile(r"\b(veinti)?uno$")
_ES_HUNDREDS = re.compile(r"ientos\b")


def cardinal(value: int, feminine: bool = False, apocope: bool = False) -> str:
    """Spanish cardinal; ``feminine`` and ``apocope`` agree with the noun that follows.

    ``apocope`` gives 'un'/'veintiún' (before a masculine noun); ``feminine``
    gives 'una', 'doscientas' for the part after the last million.
    """
    if value > MAX_SPELLED:
        return digit_names(str(value))
    words = n2w(value, "es")
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


def ordinal(value: int, feminine: bool = False, apocope: bool = False) -> str:
    """1 -> 'primero' ('primera', 'primer'); 11 -> 'decimoprimero'."""
    if value <= 0 or value > 999:
        return cardinal(value, feminine)
    words = n2w(value, "es", "ordinal").replace("décimo", "decimo")
    if value == 10:
        words = "décimo"
    if feminine:
        return _ES_ORDINALS_FEM.sub("a", words)
    if apocope:
        words = re.sub(r"\b(prim|terc)ero$", r"\1er", words)
    return words
