"""French: written news text to the words a newsreader says (a small pack).

* Numbers use the comma for decimals and a space or a point for thousands:
  "4 500" -> "quatre mille cinq cents", "1,5 million" -> "un virgule cinq million".
* Years are cardinals ("2025" -> "deux mille vingt-cinq"); dates are read as
  written: "18 février 2025", "le 1er mai" -> "le premier mai".
* Ordinals: "1er"/"1re" -> "premier"/"première", "3e" -> "troisième",
  "XXIe siècle" -> "vingt et unième siècle".
* Times: "18h30" / "18 h 30" -> "dix-huit heures trente"; "9h" -> "neuf heures".
* Money after the amount: "5 €" / "5 euros" / "$300" -> "cinq euros", "trois cents dollars".
* Abbreviations: "M. Macron" -> "monsieur Macron", "Mme", "Dr", "etc.", "p. ex.".
* Initialisms said as words ("ONU", "OTAN") are left to be read; others dotted.
"""

from __future__ import annotations

import re
from functools import cache

from ..common import (
    NAME_AHEAD,
    Language,
    Step,
    alternation,
    dotted,
    keep_final_dot,
    leftover_digits,
    long_numbers,
    parse_number,
    phone_rule,
    post_clean_rules,
    roman_value,
    rule,
    split_camel,
    web_rules,
)
from . import numbers as num

MONTHS = (
    "janvier février mars avril mai juin juillet août septembre octobre novembre décembre"
).split()
MONTH_ABBREVIATIONS = {
    "janv.": "janvier", "févr.": "février", "fév.": "février", "avr.": "avril",
    "juil.": "juillet", "sept.": "septembre", "oct.": "octobre", "nov.": "novembre",
    "déc.": "décembre",
}  # fmt: skip

ABBREVIATIONS = {
    "etc.": "et cetera", "p. ex.": "par exemple", "c.-à-d.": "c'est-à-dire",
    "av. J.-C.": "avant Jésus-Christ", "apr. J.-C.": "après Jésus-Christ",
    "env.": "environ", "cf.": "voir",
}  # fmt: skip
TITLES = {
    "M.": "monsieur", "MM.": "messieurs", "Mme": "madame", "Mmes": "mesdames",
    "Mlle": "mademoiselle", "Dr": "docteur", "Pr": "professeur", "Me": "maître",
    "Mgr": "monseigneur", "St": "saint", "Ste": "sainte", "Gal": "général",
}  # fmt: skip
BEFORE_NUMBER = {"n°": "numéro", "no": "numéro", "p.": "page", "art.": "article", "#": "numéro"}

# (singular, plural, feminine?)
CURRENCIES = {
    "€": ("euro", "euros", False), "EUR": ("euro", "euros", False),
    "$": ("dollar", "dollars", False), "US$": ("dollar américain", "dollars américains", False),
    "USD": ("dollar", "dollars", False), "£": ("livre", "livres", True),
    "CHF": ("franc suisse", "francs suisses", False), "FCFA": ("franc CFA", "francs CFA", False),
}  # fmt: skip
SCALES = {"million": "millions", "milliard": "milliards", "mille": "mille"}
UNITS = {
    "km/h": ("kilomètre heure", "kilomètres heure", False),
    "km": ("kilomètre", "kilomètres", False), "m": ("mètre", "mètres", False),
    "cm": ("centimètre", "centimètres", False), "kg": ("kilo", "kilos", False),
    "t": ("tonne", "tonnes", True), "ha": ("hectare", "hectares", False),
    "l": ("litre", "litres", False),
}  # fmt: skip
AS_WORDS = {
    w: w.capitalize()
    for w in "ONU OTAN UNESCO UNICEF OPEP FIFA UEFA OMS NASA COVID SIDA CNIL INSEE MEDEF".split()
}
FEMININE_NOUNS = frozenset(
    "personnes fois heures minutes semaines années victimes femmes tonnes voitures villes".split()
)


class French:
    def __init__(self, swiss: bool) -> None:
        self.swiss = swiss
        self.num = r"(?:\d{1,3}(?:[ .]\d{3})+|\d+)(?:,\d+)?"

    def cardinal(self, value: int, feminine: bool = False) -> str:
        words = num.cardinal(value, feminine)
        if self.swiss:
            words = words.replace("soixante-dix", "septante").replace("quatre-vingt-dix", "nonante")
        return words

    def number(self, text: str, feminine: bool = False) -> str:
        n = parse_number(text.replace(" ", ""), ".", ",")
        if len(n.whole) > 1 and n.whole.startswith("0"):
            words = num.digit_names(n.whole)
        else:
            words = self.cardinal(n.value, feminine and not n.fraction)
        if n.fraction:
            frac = n.fraction
            tail = (
                num.digit_names(frac)
                if frac.startswith("0") or len(frac) > 2
                else self.cardinal(int(frac))
            )
            words += " virgule " + tail
        return words

    def money(self, m: re.Match[str]) -> str:
        g = m.groupdict()
        one, many, feminine = CURRENCIES[g.get("cur") or g.get("cur2") or "€"]
        scale = g.get("s")
        words = self.number(g["a"], feminine)
        if scale:
            n = parse_number(g["a"].replace(" ", ""), ".", ",")
            plural = scale if n.is_one and not n.fraction else SCALES.get(scale, scale)
            return f"{words} {plural}" + (
                "" if scale == "mille" else f" d'{many}" if many[0] in "aeiou" else f" de {many}"
            )
        return f"{words} {one if parse_number(g['a'], '.', ',').is_one else many}"

    def cardinal_rule(self, m: re.Match[str]) -> str:
        return self.number(m.group("n"), (m.group("w") or "").lower() in FEMININE_NOUNS)

    def clock(self, m: re.Match[str]) -> str:
        h, mins = int(m.group("h")), int(m.group("min") or 0)
        hour = "une heure" if h == 1 else f"{self.cardinal(h, True)} heures"
        if h == 0:
            hour = "minuit"
        elif h == 12 and m.group("min") is None:
            hour = "midi"
        return hour if mins == 0 else f"{hour} {self.cardinal(mins, True)}"

    def date(self, m: re.Match[str]) -> str:
        d = int(m.group("d").rstrip("erER"))
        month = MONTH_ABBREVIATIONS.get(m.group("m").lower(), m.group("m").lower())
        day = "premier" if d == 1 else self.cardinal(d)
        words = f"{day} {month}"
        if m.group("y"):
            words += " " + self.cardinal(int(m.group("y")))
        return keep_final_dot(m, words)

    def numeric_date(self, m: re.Match[str]) -> str:
        d, mo, y = int(m.group("d")), int(m.group("mo")), int(m.group("y"))
        if not (1 <= mo <= 12 and 1 <= d <= 31):
            return m.group(0)
        return f"{'premier' if d == 1 else self.cardinal(d)} {MONTHS[mo - 1]} {self.cardinal(y)}"

    def ordinal(self, m: re.Match[str]) -> str:
        suffix = m.group("s").lower()
        return num.ordinal(int(m.group("n")), feminine=suffix in ("re", "ère"))

    def roman_ordinal(self, m: re.Match[str]) -> str:
        value = roman_value(m.group("r"))
        if value is None:
            return m.group(0)
        return num.ordinal(value, feminine=m.group("s").lower() in ("re", "ère"))

    def steps(self) -> tuple[Step, ...]:
        NUM = self.num
        nb = r"(?<![\w.,])"
        cur = alternation(c for c in CURRENCIES if not c.isalpha())
        code = alternation(c for c in CURRENCIES if c.isalpha())
        scale = alternation(SCALES)
        months = alternation([*MONTHS, *MONTH_ABBREVIATIONS])
        units = alternation(UNITS)
        return (
            long_numbers(num.digit_names),
            *web_rules("point", "arobase"),
            phone_rule("plus", _phone_pair, lambda code: self.cardinal(int(code))),
            rule(r"#(?=[^\W\d]\w*)(\w+)", lambda m: f"hashtag {split_camel(m.group(1))}"),
            rule(
                rf"(?<![\w.])({alternation(BEFORE_NUMBER)})\s?(?=\d)",
                lambda m: BEFORE_NUMBER[m.group(1)] + " ",
            ),
            rule(
                rf"(?<![\w.])(?P<t>{alternation(TITLES)})(?![\w]){NAME_AHEAD}",
                lambda m: _capital_at_start(m, TITLES[m.group("t")]),
            ),
            rule(
                rf"(?<![\w.])(?:{alternation(ABBREVIATIONS)})(?![\w])",
                lambda m: keep_final_dot(m, ABBREVIATIONS[m.group(0)]),
            ),
            rule(
                rf"(?:(?P<cur>{cur})\s?)(?P<a>{NUM})(?:\s(?P<s>{scale})\b)?",
                self.money,
            ),
            rule(
                rf"{nb}(?P<a>{NUM})(?:\s(?P<s>{scale}))?\s?(?:(?P<cur2>{cur})|(?P<code>{code})\b)",
                lambda m: self.money(m) if m.group("cur2") else self._code(m),
            ),
            rule(
                rf"(?<![\d.,])\b(?P<d>1er|[12]\d|3[01]|0?[1-9])\s(?P<m>{months})(?![\w])(?:\s(?P<y>\d{{4}})(?!\d))?",
                self.date,
            ),
            rule(r"\b(?P<d>\d{1,2})/(?P<mo>\d{1,2})/(?P<y>\d{4})\b", self.numeric_date),
            rule(r"\b(?P<h>[01]?\d|2[0-4])\s?h\s?(?P<min>[0-5]\d)?(?![\w])", self.clock),
            rule(r"\b(?P<h>[01]?\d|2[0-4]):(?P<min>[0-5]\d)(?![\d:])", self.clock),
            rule(r"(?<=\d)\s?[–—-]\s?(?=\d)", " à "),
            rule(rf"{nb}(?P<n>-?{NUM})\s?%", lambda m: self._signed(m.group("n")) + " pour cent"),
            rule(
                rf"{nb}(?P<n>-?{NUM})\s?°\s?C?\b", lambda m: self._signed(m.group("n")) + " degrés"
            ),
            rule(rf"{nb}(?P<n>{NUM})\s?(?P<u>{units})(?![\w/])", self.unit),
            rule(r"\b(?P<n>\d{1,4})(?P<s>er|re|ère|e|ème|es)\b", self.ordinal),
            rule(
                r"\b(?P<r>[IVX][IVXLC]{0,5}|[LC][IVXLC]{1,5})(?P<s>er|re|e|ème)\b",
                self.roman_ordinal,
            ),
            rule(r"(?<![\w.])-(?=\d)", "moins "),
            rule(rf"{nb}(?P<n>{NUM})(?![\w]|,\d)(?=\s+(?P<w>[^\W\d_]+))?", self.cardinal_rule),
            leftover_digits(self.number),
            initialisms,
            rule(r"\s*&\s*", " et "),
            rule(r"\s\+\s", " plus "),
            rule(r"\s=\s", " égale "),
            rule(r"\s?%", " pour cent"),
            rule(r"[$€£#@<>=°/\\{}]", " "),
            *post_clean_rules(","),
        )

    def _code(self, m: re.Match[str]) -> str:
        one, many, feminine = CURRENCIES[m.group("code")]
        return self.money_words(m.group("a"), m.group("s"), one, many, feminine)

    def money_words(
        self, amount: str, scale: str | None, one: str, many: str, feminine: bool
    ) -> str:
        words = self.number(amount, feminine)
        if scale:
            return f"{words} {SCALES.get(scale, scale)} de {many}"
        return f"{words} {one if parse_number(amount, '.', ',').is_one else many}"

    def unit(self, m: re.Match[str]) -> str:
        one, many, feminine = UNITS[m.group("u")]
        n = m.group("n")
        return f"{self.number(n, feminine)} {one if parse_number(n, '.', ',').is_one else many}"

    def _signed(self, n: str) -> str:
        return ("moins " + self.number(n[1:])) if n.startswith("-") else self.number(n)


def _phone_pair(group: str) -> str:
    """French reads a phone number in pairs: "01 42" -> "zéro un, quarante-deux"."""
    if group.startswith("0") or len(group) != 2:
        return num.digit_names(group) if group.startswith("0") else num.cardinal(int(group))
    return num.cardinal(int(group))


def _capital_at_start(m: re.Match[str], words: str) -> str:
    return words.capitalize() if m.start() == 0 else words


_INITIALISM = re.compile(r"(?<![\w.])(?P<w>[A-Z]{2,})(?![\w]|\.[A-Za-z])")


def initialisms(text: str) -> str:
    def one(m: re.Match[str]) -> str:
        word = m.group("w")
        if word in AS_WORDS:
            return AS_WORDS[word]
        if len(word) > 5 and re.search("[AEIOUY]", word):
            return word.capitalize()
        return dotted(word)

    return _INITIALISM.sub(one, text)


@cache
def language(region: str | None) -> Language:
    return Language(French(region == "CH").steps(), ",")
