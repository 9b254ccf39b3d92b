"""English: written news text to the words a newsreader says.

Choices a listener will notice (US broadcast style unless the region is
British-style, where numbers keep their "and"):

* Numbers: "2,500" -> "two thousand five hundred"; "3.14" -> "three point
  one four"; "21st" -> "twenty-first"; "007" is read digit by digit.
* Years: four-digit numbers from 1100 to 2099 are years ("nineteen
  ninety-nine", "two thousand five", "twenty twenty-five") unless a quantity
  word comes before ("about 1500") or they carry commas; "the 1990s" ->
  "the nineteen nineties"; "2020-21" -> "twenty twenty to twenty-one".
* Dates are read in the order written: "18 Feb 2025" -> "the eighteenth of
  February twenty twenty-five"; "Feb. 18, 2025" -> "February eighteenth,
  twenty twenty-five"; ISO "2025-02-18" like the latter. A time right after
  a date is set off with a comma.
* Times: "09:30" -> "nine thirty", "15:00" -> "fifteen hundred", "09:00" ->
  "nine o'clock", "5 p.m." -> "five p.m." (espeak-ng spells the dotted form;
  "a m" would be read with the article "a").
* Money: the currency is said after the amount: "$220m" -> "two hundred
  twenty million dollars", "US$5 million" -> "five million U.S. dollars",
  "$5.50" -> "five dollars and fifty cents".
* Initialisms are written dotted ("CIA" -> "C.I.A.") because espeak-ng reads
  "C I A said" as "see eye uh said"; acronyms said as words ("NATO") are
  written in title case ("Nato") so no engine spells them.
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
from .tables import (
    ABBREVIATIONS,
    AS_WORDS,
    BEFORE_NUMBER,
    BILL_PREFIXES,
    BRITISH_REGIONS,
    COMPASS,
    CURRENCY_CODES,
    CURRENCY_SYMBOLS,
    FRACTION_NAMES,
    FRACTIONS,
    KNOWN_INITIALISMS,
    METRE_CONTEXT,
    MODEL_BRANDS,
    MONTH_NUMBERS,
    MONTHS,
    QUANTITY_WORDS,
    REGNAL_NAMES,
    ROMAN_CARDINAL_CONTEXT,
    ROMAN_STOP,
    SCALES,
    SPECIAL_SLASHES,
    TEMPERATURE_UNITS,
    TITLES,
    UNITS,
)

INT = r"(?:\d{1,3}(?:,\d{3})+|\d+)"
NUM = rf"{INT}(?:\.\d+)?"
NB = r"(?<![\w.,])"  # a number starts here, not inside a word or another number
NE = r"(?![\w]|[.,]\d)"  # ... and ends here


class English:
    """The English pipeline for one style (US or British)."""

    def __init__(self, british: bool, month_first: bool) -> None:
        self.british = british
        self.month_first = month_first

    # --- words for numbers ---

    def cardinal(self, value: int) -> str:
        return num.cardinal(value, self.british)

    def ordinal(self, value: int) -> str:
        return num.ordinal(value, self.british)

    def year(self, value: int) -> str:
        return num.year(value, self.british)

    def number(self, text: str) -> str:
        n = parse_number(text, ",", ".")
        if len(n.whole) > 1 and n.whole.startswith("0"):
            words = num.digit_names(n.whole)
        else:
            words = self.cardinal(n.value)
        if n.fraction:
            words += " point " + num.digit_names(n.fraction)
        return words

    def unit_word(self, word: str) -> str:
        if self.british:
            word = word.replace("meter", "metre").replace("liter", "litre")
        return word

    # --- rule handlers ---

    def money(self, m: re.Match[str]) -> str:
        g = m.groupdict()
        cur = g.get("cur") or g.get("cur2") or g.get("code") or g.get("code2") or "$"
        one, many, minor_one, minor_many = CURRENCY_SYMBOLS.get(cur) or CURRENCY_CODES[cur]
        scale_a, scale_b = _scale(m.group("sa")), _scale(m.group("sb"))
        a, b = m.group("a"), m.group("b")
        if b:
            left = self.number(a) + (f" {SCALES[scale_a]}" if scale_a else "")
            right = self.number(b) + (f" {SCALES[scale_b]}" if scale_b else "")
            return f"{left} to {right} {many}"
        if scale_a:
            # "a $20bn deal": the amount describes the noun, so the unit stays singular
            if attributive(m, need_determiner=True):
                return f"{self.number(a)} {SCALES[scale_a]} {one}"
            return f"{self.number(a)} {SCALES[scale_a]} {many}"
        n = parse_number(a, ",", ".")
        if attributive(m, need_determiner=True) and not n.fraction:
            return f"{self.number(a)} {one}"
        if len(n.fraction) == 2 and minor_many:
            cents = int(n.fraction)
            major = f"{self.cardinal(n.value)} {one if n.value == 1 else many}"
            minor = f"{self.cardinal(cents)} {minor_one if cents == 1 else minor_many}"
            if cents == 0:
                return major
            return minor if n.value == 0 else f"{major} and {minor}"
        return f"{self.number(a)} {one if n.is_one else many}"

    def date_dm(self, m: re.Match[str]) -> str:
        return self.date(m, day_first=True)

    def date(self, m: re.Match[str], day_first: bool = False) -> str:
        month = MONTHS.get(m.group("m")[:3].title(), m.group("m").rstrip("."))
        if m.group("m")[:4] == "Sept":
            month = "September"
        d1 = self.ordinal(int(re.sub(r"\D", "", m.group("d1"))))
        d2 = m.group("d2") and self.ordinal(int(re.sub(r"\D", "", m.group("d2"))))
        year = m.group("y") and self.year(int(m.group("y")))
        time = m.group("t") or ""
        if time:
            time = "," + time
        if day_first:
            before = m.string[max(0, m.start() - 4) : m.start()].lower()
            the = "" if before.endswith("the ") else "the "
            days = f"{the}{d1} to the {d2}" if d2 else f"{the}{d1}"
            return keep_final_dot(m, f"{days} of {month}" + (f" {year}" if year else "") + time)
        days = f"{d1} to {d2}" if d2 else d1
        comma = "," if m.group("c") else ""
        return f"{month} {days}" + (f"{comma} {year}" if year else "") + time

    def numeric_date(self, m: re.Match[str]) -> str:
        if m.group("iso"):
            y, mo, d = int(m.group("iy")), int(m.group("im")), int(m.group("id"))
        else:
            a, b = int(m.group("a")), int(m.group("b"))
            y = int(m.group("y"))
            if y < 100:
                y += 2000 if y <= 50 else 1900
            month_first = (self.month_first and a <= 12) or b > 12
            mo, d = (a, b) if month_first else (b, a)
            if not (1 <= mo <= 12 and 1 <= d <= 31):
                return m.group(0)
            if not month_first:
                return f"the {self.ordinal(d)} of {MONTH_NUMBERS[mo]} {self.year(y)}"
        if not (1 <= mo <= 12 and 1 <= d <= 31):
            return m.group(0)
        return f"{MONTH_NUMBERS[mo]} {self.ordinal(d)}, {self.year(y)}"

    def clock(self, m: re.Match[str]) -> str:
        g = m.groupdict()
        h, mins = int(g["h"]), int(g["min"] or 0)
        ap = g.get("ap")
        minutes = (
            "" if mins == 0 else (f"oh {self.cardinal(mins)}" if mins < 10 else self.cardinal(mins))
        )
        if ap:
            suffix = "a.m." if ap[0] in "aA" else "p.m."
            return " ".join(w for w in (self.cardinal(h), minutes, suffix) if w)
        secs = g.get("s")
        tail = f" and {self.cardinal(int(secs))} seconds" if secs and int(secs) else ""
        if mins == 0:
            if h == 0 or h == 24:
                return "midnight" + tail
            return (
                f"{self.cardinal(h)} hundred" if h > 12 else f"{self.cardinal(h)} o'clock"
            ) + tail
        if h == 0:
            return f"twelve {minutes} a.m." + tail
        return f"{self.cardinal(h)} {minutes}" + tail

    def military(self, m: re.Match[str]) -> str:
        """'0630 GMT' -> 'oh six thirty', '1500 GMT' -> 'fifteen hundred'."""
        h, mins = int(m.group("h")), int(m.group("min"))
        hour = ("oh " if m.group("h").startswith("0") else "") + self.cardinal(h)
        if mins == 0:
            return f"{hour} hundred"
        return f"{hour} {'oh ' if mins < 10 else ''}{self.cardinal(mins)}"

    def model(self, digits: str) -> str:
        """A model number as people say it: 320 -> 'three-twenty', 1047 -> 'ten forty-seven'."""
        if len(digits) > 1 and digits.startswith("0"):
            return num.digit_names(digits)
        value = int(digits)
        if value < 100:
            return self.cardinal(value)
        if value < 1000:
            head, rest = divmod(value, 100)
            if rest == 0:
                return f"{self.cardinal(head)} hundred"
            tail = f"oh {self.cardinal(rest)}" if rest < 10 else self.cardinal(rest)
            return (
                f"{self.cardinal(head)}{'-' if ' ' not in tail and '-' not in tail else ' '}{tail}"
            )
        return self.year(value)

    def year_or_number(self, m: re.Match[str]) -> str:
        before = m.string[max(0, m.start() - 16) : m.start()]
        if re.search(rf"\b(?:{QUANTITY_WORDS})\s+$", before, re.IGNORECASE):
            return self.cardinal(int(m.group(0)))
        # "1500 people", "4000 troops": a count of things, not a year ...
        following = _NEXT_WORD.match(m.string, m.end())
        # ... unless a word that dates comes before ("in 1990 prices").
        dated = _DATED_BEFORE.search(before)
        if following and _is_counted(following.group(1)) and not dated:
            return self.cardinal(int(m.group(0)))
        return self.year(int(m.group(0)))

    def year_range(self, m: re.Match[str]) -> str:
        a, b = m.group("a"), m.group("b")
        if len(b) == 2:
            right = ("oh " + self.cardinal(int(b))) if b.startswith("0") else self.cardinal(int(b))
        else:
            right = self.year(int(b))
        return f"{self.year(int(a))} to {right}"

    def measure(self, m: re.Match[str], one: str, many: str, hyphen: bool) -> str:
        """'10 km' -> 'ten kilometers'; 'a 10km run', '10-km' -> 'ten-kilometer'."""
        n = m.group("n")
        adjective = hyphen or attributive(m, need_determiner=False)
        if adjective and one != many and not parse_number(n, ",", ".").is_one:
            return f"{self.number(n)}-{self.unit_word(one)}"
        word = one if parse_number(n, ",", ".").is_one else many
        return f"{self.number(n)} {self.unit_word(word)}"

    def unit(self, m: re.Match[str]) -> str:
        one, many = UNITS[m.group("u")]
        return self.measure(m, one, many, m.group("sep") == "-")

    def scaled(self, m: re.Match[str]) -> str:
        scale = m.group("s")
        metre = m.group("metre") is not None or _ARTICLE_BEFORE.search(
            m.string, max(0, m.start() - 4), m.start()
        )
        if scale == "m" and metre:
            return self.measure(m, "meter", "meters", hyphen=False)
        return f"{self.number(m.group('n'))} {SCALES[scale]}"

    def temperature(self, m: re.Match[str]) -> str:
        n = m.group("n")
        minus = "minus " if n.startswith("-") else ""
        words = self.number(n.lstrip("-"))
        degrees = "degree" if parse_number(n, ",", ".").is_one else "degrees"
        unit = m.group("u")
        tail = f" {TEMPERATURE_UNITS[unit]}" if unit in TEMPERATURE_UNITS else ""
        tail = f" {COMPASS[unit]}" if unit in COMPASS else tail
        return f"{minus}{words} {degrees}{tail}"

    def decade(self, m: re.Match[str]) -> str:
        if m.group("c"):
            return num.plural(self.year(int(m.group("c") + m.group("d"))))
        return num.plural(self.cardinal(int(m.group("short"))))

    def fraction(self, m: re.Match[str]) -> str:
        text = m.group(0)
        if text in SPECIAL_SLASHES:
            return SPECIAL_SLASHES[text]
        a, b = int(m.group("a")), int(m.group("b"))
        if 0 < a < b <= 10:
            one, many = FRACTION_NAMES.get(b, (self.ordinal(b), self.ordinal(b) + "s"))
            return f"{self.cardinal(a)} {one if a == 1 else many}"
        return f"{self.cardinal(a)} {'out of' if a <= b else 'over'} {self.cardinal(b)}"

    def vulgar(self, m: re.Match[str]) -> str:
        a, b = FRACTIONS[m.group("f")]
        one, many = FRACTION_NAMES.get(b, (self.ordinal(b), self.ordinal(b) + "s"))
        if m.group("n"):
            part = (
                "a half"
                if b == 2
                else f"{'a' if a == 1 else self.cardinal(a)} {one if a == 1 else many}"
            )
            return f"{self.number(m.group('n'))} and {part}"
        return f"{self.cardinal(a)} {one if a == 1 else many}"

    def roman(self, m: re.Match[str]) -> str:
        name, numeral = m.group("name"), m.group("r")
        if numeral in ROMAN_STOP or (len(numeral) == 1 and name not in [*REGNAL_NAMES, "War"]):
            return m.group(0)
        value = roman_value(numeral)
        if value is None:
            return m.group(0)
        if name in ROMAN_CARDINAL_CONTEXT:
            return (
                f"{name} {self.cardinal(value).title() if name == 'War' else self.cardinal(value)}"
            )
        return f"{name} the {self.ordinal(value).title()}"

    def century(self, m: re.Match[str]) -> str:
        value = roman_value(m.group("r"))
        return m.group(0) if value is None else f"{self.ordinal(value)} {m.group('c')}"

    def steps(self) -> tuple[Step, ...]:
        month = f"{alternation(MONTHS.values())}|(?:{alternation(MONTHS)})\\.?"
        day = r"(?:[12]\d|3[01]|0?[1-9])(?:st|nd|rd|th)?"
        year = r"(?:1\d{3}|20\d{2})"
        time = r"(?P<t>\s+\d{1,2}[:.]\d{2}(?:\s?[ap]\.?m\.?)?)?"
        cur = alternation(CURRENCY_SYMBOLS)
        code = alternation(CURRENCY_CODES)
        scale = (
            r"(?:\s?(?:bn|mn|mln|tn|trn)|k|K|m|M|b|B"
            r"|[\s-](?:thousand|million|billion|trillion))(?![\w])"
        )
        amount = (
            rf"(?P<a>{NUM})(?P<sa>{scale})?"
            rf"(?:\s?(?:–|-|to)\s?(?:{cur})?(?P<b>{NUM})(?P<sb>{scale})?)?"
        )

        titles = alternation(TITLES)
        abbrevs = alternation(ABBREVIATIONS)
        before_number = alternation(BEFORE_NUMBER)
        units = alternation(UNITS)
        return (
            long_numbers(num.digit_names),
            *web_rules("dot", "at"),
            phone_rule(
                "plus",
                _phone_digits,
                # "plus forty-four", but "plus nine six one"
                lambda code: self.cardinal(int(code)) if len(code) < 3 else _phone_digits(code),
                keywords=("tel", "phone", "telephone", "hotline", "fax", "mobile"),
            ),
            rule(
                rf"(?<![\w.])(?P<l>{alternation(BILL_PREFIXES)})\.?\s(?P<n>\d{{1,4}})(?![\w]|[.,]\d)",
                lambda m: f"{dotted(m.group('l').replace('.', ''))} {self.model(m.group('n'))}",
            ),
            rule(
                rf"\b(?P<b>{alternation(MODEL_BRANDS)})\s(?P<l>[A-Z]{{0,3}}-?)(?P<n>\d{{2,4}})(?P<s>[A-Za-z]{{0,3}})\b(?![.,]\d)",
                lambda m: " ".join(
                    (m.group("b"), m.group("l").rstrip("-"), self.model(m.group("n")), m.group("s"))
                ),
            ),
            rule(
                r"(?<![\w.$£€])(?P<l>[A-Z]{1,3}[a-z]?(?=\d)|[A-Z][A-Za-z]{0,4}(?=-))-?"
                r"(?P<n>\d{1,4})(?P<s>[a-z]{0,3})\b(?![.,]\d|%)",
                lambda m: f"{m.group('l')} {self.model(m.group('n'))} {m.group('s')}",
            ),
            rule(r"#(?=[A-Za-z]\w*)(\w+)", lambda m: f"hashtag {split_camel(m.group(1))}"),
            rule(r"(?<![\w@])@([A-Za-z_]\w+)", lambda m: f"at {split_camel(m.group(1))}"),
            rule(
                rf"(?<![\w.])({before_number})\s?(?=\d)",
                lambda m: BEFORE_NUMBER[m.group(1)] + " ",
            ),
            # Titles: "St. Louis" is a saint, "Main St." a street.
            rule(
                rf"\b(?P<t>{titles})\b\.?{NAME_AHEAD}",
                lambda m: TITLES[m.group("t")],
            ),
            rule(r"(?<=\w )St\b\.?", lambda m: keep_final_dot(m, "Street")),
            rule(r"(?<=[a-z] )Dr\b\.?", lambda m: keep_final_dot(m, "Drive")),
            rule(r"(?<=\w )Rd\.", lambda m: keep_final_dot(m, "Road")),
            rule(
                rf"(?<![\w.])(?:{abbrevs})(?![\w])",
                lambda m: keep_final_dot(m, ABBREVIATIONS[re.sub(r"\s+", " ", m.group(0))]),
            ),
            rule(r"(?<=[a-z])\s+v\.\s+(?=[A-Z])", " versus "),
            # Money before ranges and initialisms, which would split "US$5m-10m".
            rule(rf"(?<![\w])(?:(?P<cur>{cur})|(?P<code>{code})\s)\s?{amount}", self.money),
            rule(
                rf"(?<![\w.,]){amount}\s?(?:(?P<cur2>€|£|\$)|(?P<code2>{code})\b)",
                self.money,
            ),
            rule(
                rf"(?<![\d.,])\b(?P<d1>{day})(?:\s?[–-]\s?(?P<d2>{day}))?\s(?:of\s)?(?P<m>{month})(?![\w])"
                rf"(?:,?\s(?P<y>{year})(?!\d))?{time}(?P<c>)",
                self.date_dm,
            ),
            rule(
                rf"\b(?P<m>{month})\s(?P<d1>{day})(?:\s?[–-]\s?(?P<d2>{day}))?(?![\w]|[:.,]\d)"
                rf"(?:(?P<c>,)?\s(?P<y>{year})(?![\w]))?{time}",
                self.date,
            ),
            rule(
                rf"\b(?P<m>{month}),?\s(?P<y>{year})\b",
                lambda m: f"{MONTHS[m.group('m')[:3]]} {self.year(int(m.group('y')))}",
            ),
            rule(
                r"\b(?:(?P<iso>(?P<iy>1\d{3}|20\d{2})-(?P<im>\d{2})-(?P<id>\d{2}))"
                r"|(?P<a>\d{1,2})/(?P<b>\d{1,2})/(?P<y>\d{4}|\d{2}))\b(?![/-]\d)",
                self.numeric_date,
            ),
            rule(
                r"\b(?P<h>[01]?\d|2[0-3])(?:[:.](?P<min>[0-5]\d))?\s?(?P<ap>[ap]\.m\.?|[ap]m\b|[AP]M\b|[AP]\.M\.)",
                self.clock,
            ),
            rule(
                r"\b(?P<h>[01]?\d|2[0-4]):(?P<min>[0-5]\d)(?::(?P<s>[0-5]\d))?(?![\d:])", self.clock
            ),
            rule(
                r"\b(?P<h>[01]\d|2[0-3])(?P<min>[0-5]\d)"
                r"(?=\s?(?:GMT|UTC|Z|hours|hrs|local time)\b)",
                self.military,
            ),
            rule(
                r"\b(?P<a>1[1-9]\d\d|20\d\d)-(?P<b>1[1-9]\d\d|20\d\d|\d\d)\b(?![-/]\d)",
                self.year_range,
            ),
            rule(r"(?<=\d)\s?[–—]\s?(?=-?\d)", " to "),
            # Scores and votes: "won 2-1", "passed 218-214".
            rule(r"(?<![\d.,-])(\d{1,3})-(\d{1,3})(?![\d-]|[.,]\d|\w)", _score),
            rule(r"(?<=\d)\s+-\s+(?=\d)", " to "),
            rule(
                rf"{NB}(?P<n>-?{NUM})\s?[°º]\s?(?P<u>[CFKNSEW])?\b(?!')",
                self.temperature,
            ),
            rule(rf"{NB}(?P<n>-?{NUM})\s?%", lambda m: self._signed(m.group("n")) + " percent"),
            rule(
                rf"{NB}(?P<n>{NUM})(?P<sep>\s?|-)(?P<u>{units})(?![\w/²³])",
                self.unit,
            ),
            rule(
                rf"{NB}(?P<n>{NUM})(?P<s>bn|mn|tn|trn|k|m)\b(?P<metre>(?=-(?:long|high|tall|wide|deep)|\s+(?:{METRE_CONTEXT})\b|\s*[.,;:!?)]|\s*$))?",
                self.scaled,
            ),
            rule(
                rf"{NB}(?P<n>{NUM})\s(?=m\s+(?:{METRE_CONTEXT})\b)m",
                lambda m: f"{self.number(m.group('n'))} meters",
            ),
            rule(
                r"(?<![\w'])(?:(?P<c>1[0-9]|20)(?P<d>[0-9]0)|'?(?P<short>[1-9]0))s\b",
                self.decade,
            ),
            rule(
                rf"\b(?P<n>{INT})(?:st|nd|rd|th|ST|ND|RD|TH)\b",
                lambda m: self.ordinal(int(m.group("n").replace(",", ""))),
            ),
            rule(r"(?P<n>\d+)?\s?(?P<f>[½¼¾⅓⅔⅛⅕])", self.vulgar),
            rule(r"(?<![\w/])(?P<a>\d{1,2})/(?P<b>\d{1,3})(?![\w/])", self.fraction),
            rule(r"(?<=\d)\s?[x×]\s?(?=\d)", " by "),
            rule(r"(?<=illion )bpd\b", "barrels per day"),
            rule(r"\b(?P<l>[A-Z]{1,5})-?(?=\d)", lambda m: m.group("l") + " "),
            rule(r"(?<=\d)(?=[A-Z]\b)", " "),
            rule(
                rf"(?:(?<=mid-)|(?<![\w.,$£€¥-]))(?:1[1-9]\d\d|20\d\d){NE}(?!%|°)",
                self.year_or_number,
            ),
            rule(r"(?<![\w.])-(?=\d)", "minus "),
            rule(rf"(?<![\w.]){NUM}(?![\w]|\.\d)", lambda m: self.number(m.group(0))),
            rule(
                r"\b(?P<name>[A-Z][a-z]+)\s+(?P<r>[IVXL]+)\b(?!\.\w)",
                self.roman,
            ),
            rule(r"\b(?P<r>[XVI]{1,6})(?:th)?\s+(?P<c>[Cc]entur(?:y|ies))\b", self.century),
            leftover_digits(self.number),
            initialisms,
            rule(r"\s*&\s*", " and "),
            rule(r"(?<=\w)\s*\+(?=\s|$|[.,;:!?])", " plus"),
            rule(r"\s\+\s", " plus "),
            rule(r"\s=\s", " equals "),
            rule(r"\s*±\s*", " plus or minus "),
            rule(r"\band/or\b", "and or"),
            rule(r"\b([a-z]+)/([a-z]+)\b", r"\1 or \2"),
            rule(r"(?<=\w)/(?=\w)", "-"),
            rule(r"\s?%", " percent"),
            rule(r"(?<=\w)\s?°", " degrees"),
            rule(r"[$€£¥₹₽₪₩₺₦₱₴₿#@<>=°/\\{}]", " "),
            *post_clean_rules(","),
        )

    def _signed(self, n: str) -> str:
        return ("minus " + self.number(n[1:])) if n.startswith("-") else self.number(n)


_ARTICLE_BEFORE = re.compile(r"\b(?:a|an|A|An)\s$")
_DETERMINER_BEFORE = re.compile(
    r"(?:\b(?:[Aa]n?|[Tt]he|[Tt]his|[Tt]hat|[Ii]ts|[Hh]is|[Hh]er|[Tt]heir|[Oo]ur|[Ee]ach|[Ee]very)"
    r"|\w's)\s+$"
)
_NEXT_WORD = re.compile(r"\s+([A-Za-z][a-z]*)\b")
#: Words after an amount that show it is not describing a noun ("5 km away", "$5m was").
NOT_NOUNS = frozenset(
    "a an the and or but nor of in on at to from for by with per each every away above below "
    "under over long high wide deep tall thick north south east west northeast northwest "
    "southeast southwest ago later earlier yesterday today tomorrow last this that these those "
    "which who was is are were be been being has have had will would can could may might should "
    "must it its than as into across along off more less apart inland offshore farther further "
    "worth daily annually so then when while if because before after during since until "
    "between behind beyond toward towards through around about up down out back not only just "
    "also too instead respectively plus minus times he she they we you i there here".split()
)


def _scale(written: str | None) -> str:
    return (written or "").strip().strip("-").strip()


#: Counted nouns that are plural without an "s".
COUNTED_WITHOUT_S = frozenset(
    "people children men women police staff personnel cattle sheep fish deer livestock".split()
)
NOT_COUNTED = frozenset("BC AD BCE CE hours hrs GMT UTC".lower().split())


#: Before a number these make it a year even with a plural after it: "in 1990 prices",
#: "the 1967 borders", "between 2019 and 2021 prices".
_DATED_BEFORE = re.compile(
    r"(?:\b(?:in|since|until|by|from|of|during|before|after|the|its|their|this|that)"
    r"|\b(?:1[1-9]\d\d|20\d\d)\s+(?:and|or|to|through)|'s)\s+$",
    re.I,
)


def _is_counted(word: str) -> bool:
    w = word.lower()
    if w in COUNTED_WITHOUT_S:
        return True
    return (
        word.islower()
        and len(w) > 3
        and w.endswith("s")
        and not w.endswith("ss")
        and w not in NOT_NOUNS
        and w not in NOT_COUNTED
    )


def _phone_digits(group: str) -> str:
    """English reads a phone number digit by digit, with "oh" for zero."""
    return " ".join("oh" if d == "0" else num.DIGITS[int(d)] for d in group)


def _score(m: re.Match[str]) -> str:
    """'2-1' -> '2 to 1'; a tie stays joined ('50-50' -> 'fifty-fifty')."""
    a, b = m.group(1), m.group(2)
    return f"{a}-{b}" if a == b else f"{a} to {b}"


def attributive(m: re.Match[str], need_determiner: bool) -> bool:
    """Does the amount describe the next word ("a $20bn deal", "155mm shells")?"""
    following = _NEXT_WORD.match(m.string, m.end())
    if following is None or following.group(1).lower() in NOT_NOUNS:
        return False
    if need_determiner or following.group(1)[0].isupper():
        before = m.string[max(0, m.start() - 8) : m.start()]
        return bool(_DETERMINER_BEFORE.search(before))
    return True


_SHOUT_WORD = re.compile(r"\b[A-Z]{2,}\b")
_ANY_WORD = re.compile(r"\b[^\W\d_]{2,}\b")
_INITIALISM = re.compile(r"(?<![\w.&])(?P<w>[A-Z]{2,})(?P<s>'s|s|’s)?(?![\w&]|\.[A-Za-z])")
_AMPERSAND_LETTERS = re.compile(r"\b([A-Z]{1,3})&([A-Z]{1,3})\b")


def _letters(group: str) -> str:
    return group if len(group) == 1 else dotted(group)


def initialisms(text: str) -> str:
    """'CIA' -> 'C.I.A.', 'NATO' -> 'Nato'; a shouted headline is only lowered."""
    text = _AMPERSAND_LETTERS.sub(
        lambda m: f"{_letters(m.group(1))} and {_letters(m.group(2))}", text
    )
    caps = len(_SHOUT_WORD.findall(text))
    shouting = caps >= 3 and caps * 2 > len(_ANY_WORD.findall(text))

    def one(m: re.Match[str]) -> str:
        word, suffix = m.group("w"), m.group("s") or ""
        if word in AS_WORDS:
            return AS_WORDS[word] + suffix
        if (shouting and word not in KNOWN_INITIALISMS) or (
            len(word) > 5 and re.search("[AEIOUY]", word)
        ):
            return word.capitalize() + suffix
        if suffix == "s":
            suffix = "'s"
        return dotted(word) + suffix

    return _INITIALISM.sub(one, text)


@cache
def language(region: str | None) -> Language:
    british = region in BRITISH_REGIONS
    return Language(English(british, month_first=not british).steps(), ",")
