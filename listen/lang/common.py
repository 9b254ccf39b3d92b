"""Shared machinery for the per-language normalisers.

Rules are ``(pattern, replacement)`` pairs applied in order; each language
module keeps its own tables and builds its pipeline from the helpers here.
The language-neutral clean-up (characters no voice can say, quotes,
brackets, dashes, ellipses, whitespace) lives here too, because every
language, known or not, gets it.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass

Replacement = str | Callable[[re.Match[str]], str]

#: Lexicon matches are parked as one private-use character each while the
#: rules run, so no rule can rewrite what a lexicon author asked for.
PLACEHOLDER_BASE = 0xF0000
PLACEHOLDER_CLASS = "\U000f0000-\U000ffffd"

#: Lookahead for a capitalised name next, which may be a parked lexicon match
#: ("Gen. Sheinbaum"); one capital alone ("Gen Z") is not a name.
NAME_AHEAD = rf"(?=\s+(?:[A-ZÀ-ÖØ-Þ][\w'-]|[{PLACEHOLDER_CLASS}]))"


@dataclass(frozen=True)
class Rule:
    """One rewrite step of a language's pipeline: a regex substitution."""

    pattern: re.Pattern[str]
    replace: Replacement
    name: str = ""

    def __call__(self, text: str) -> str:
        return self.pattern.sub(self.replace, text)


#: A pipeline step: usually a ``Rule``, sometimes a function that needs the whole text.
Step = Callable[[str], str]


def rule(pattern: str, replace: Replacement, flags: int = 0, name: str = "") -> Rule:
    return Rule(re.compile(pattern, flags), replace, name)


def run(text: str, steps: Iterable[Step]) -> str:
    for step in steps:
        text = step(text)
    return text


@dataclass(frozen=True)
class Language:
    """What ``normalize`` needs to know about one language variant."""

    steps: tuple[Step, ...]
    comma: str = ","


def alternation(words: Iterable[str]) -> str:
    """A regex alternation that prefers the longest word."""
    return "|".join(re.escape(w) for w in sorted(set(words), key=lambda w: (-len(w), w)))


def at_end(match: re.Match[str]) -> bool:
    """True when nothing but closing quotes, brackets or spaces follow ``match``."""
    rest = match.string[match.end() :]
    return not rest.strip(" \t\n\"'”’»)]")


_SENTENCE_NEXT = re.compile(r"\s+[\"'“«(]?(?:[A-ZÁÉÍÓÚÑ][a-záéíóúñ]|[\u0621-\u064a])")


_CLOSES_SENTENCES = frozenset({"etcetera", "etcétera", "et cetera", "and others", "y otros"})


def keep_final_dot(match: re.Match[str], words: str) -> str:
    """Expand an abbreviation, keeping its dot when it also ends the sentence.

    It does at the end of the text; "etc." (which closes lists, so sentences)
    also keeps it before a capital ("etc. Luego"), where "vs. Iran" does not.
    """
    closes = words in _CLOSES_SENTENCES and _SENTENCE_NEXT.match(match.string, match.end())
    if match.group(0).endswith(".") and (at_end(match) or closes):
        return words + "."
    return words


def lookup(table: Mapping[str, str], key: str) -> str | None:
    """Look ``key`` up as written, then lower-cased."""
    found = table.get(key)
    if found is None:
        found = table.get(key.lower())
    return found


# --- initialisms ----------------------------------------------------------


def dotted(letters: str) -> str:
    """'CIA' -> 'C.I.A.'.

    Spaced capitals ("C I A") look right but espeak-ng reads a lone "A" before
    a word as the article; the dotted form is spelled letter by letter.
    """
    return "".join(f"{ch}." for ch in letters)


def split_camel(word: str) -> str:
    """'StandWithGaza' -> 'Stand With Gaza'; runs of capitals stay together."""
    spaced = re.sub(r"(?<=[a-z])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])", " ", word)
    spaced = re.sub(r"(?<=[A-Za-z])(?=\d)|(?<=\d)(?=[A-Za-z])", " ", spaced)
    return spaced.replace("_", " ")


# --- web addresses ----------------------------------------------------------

_TLDS = (
    "com net org info biz edu gov mil int io co ai app dev news tv me uk us eu "
    "de fr es it pt nl be ch at se no dk fi pl ru ua tr gr ie ca au nz za in "
    "cn jp kr br mx ar cl co pe ve cu lb sy iq ir ps il jo sa ae qa kw bh om ye "
    "eg ma dz tn ly sd ng ke gh"
).split()
_SECOND_LEVEL = frozenset("co com org net gov ac edu gob nic ne or go".split())

#: Patterns here are possessive (``*+``, ``++``): a run of dots such as "1.1.1." or
#: "U.S. U.S." must cost one pass, not one pass per starting point.
URL_PATTERN = r"(?:\b(?:https?|ftp)://|(?<![\w.-])www\.)[^\s<>\"'“”«»]++(?<![.,;:!?)\]])"
#: A dotted name ("almayadeen.net", "bbc.co.uk/news"); the last label must be a known TLD.
DOMAIN_PATTERN = (
    r"(?<![\w.@/-])(?:[a-z0-9-]++\.(?=[a-z0-9-]))++(?P<tld>[a-z0-9-]++)"
    r"(?P<path>/[^\s<>\"'“”«»]*+)?"
)
EMAIL_PATTERN = (
    r"(?<![\w.%+-])[A-Za-z0-9][A-Za-z0-9._%+-]*+@"
    r"(?:[A-Za-z0-9-]++\.(?=[A-Za-z0-9-]))++(?P<tld>[A-Za-z0-9-]++)"
)
_TLD_SET = frozenset(_TLDS)
_PATH_END = re.compile(r"[.,;:!?)\]]+$")


def site_name(url: str) -> str:
    """The registered domain of a URL: 'https://english.almayadeen.net/x' -> 'almayadeen.net'."""
    host = re.sub(r"^[a-z]+://", "", url, flags=re.I)
    host = re.split(r"[/?#:]", host, maxsplit=1)[0].lower().strip(".")
    labels = [label for label in host.split(".") if label]
    if labels and labels[0] == "www":
        labels = labels[1:]
    if len(labels) <= 2:
        return ".".join(labels)
    if labels[-2] in _SECOND_LEVEL and len(labels[-1]) == 2:
        return ".".join(labels[-3:])
    return ".".join(labels[-2:])


def speak_dots(name: str, dot: str) -> str:
    parts = [p for p in re.split(r"[.]", name) if p]
    return f" {dot} ".join(split_camel(p).replace("-", " ") for p in parts)


#: A run of more digits than any quantity has (an account or serial number, or junk).
_LONG_NUMBER = re.compile(r"(?<![\d.,])\d(?:[.,]?\d){15,}+")


def long_numbers(digit_names: Callable[[str], str]) -> Rule:
    """Read overlong digit runs digit by digit, in groups of four, before any rule parses them.

    No rule then turns 5,000 digits into an ``int`` (Python refuses past 4,300)
    or tries a pattern at each of their positions.
    """

    def spell(m: re.Match[str]) -> str:
        digits = digits_only(m.group(0))
        return ", ".join(digit_names(digits[i : i + 4]) for i in range(0, len(digits), 4))

    return Rule(_LONG_NUMBER, spell, "long number")


_DIGITS_LEFT = re.compile(r"\d++")


def leftover_digits(number: Callable[[str], str]) -> Rule:
    """Whatever digits the language's rules did not read ("0er", "0h0") are read as numbers.

    The last number rule of every language: no digit ever reaches a voice, which
    would read it in its own language's words, or not at all.
    """
    return Rule(_DIGITS_LEFT, lambda m: f" {number(m.group(0))} ", "leftover digits")


# --- phone numbers -------------------------------------------------------------

#: "+1 202 555 0147", "+44 (0)20 7946 0958", "(202) 555-0147", "202-555-0147", "0800 123 456".
PHONE_PATTERN = (
    r"(?<![\w+.,/-])(?:"
    r"\+\d{1,3}(?:[\s.-]?\(0\))?[\s.-]?\d{1,5}(?:[\s.-]\d{1,5}){1,4}"
    r"|\(\d{2,4}\)\s?\d{2,4}(?:[\s.-]\d{2,5}){1,3}"
    r"|\d{3}[.-]\d{3}[.-]\d{4}"
    r"|0\d{1,4}(?:\s\d{2,4}){2,4}"
    r")(?![\w-]|[.,]\d)"
)
_PHONE_GROUP = re.compile(r"\d+")


def phone_rule(
    plus: str,
    group: Callable[[str], str],
    country: Callable[[str], str] | None = None,
    comma: str = ",",
    keywords: tuple[str, ...] = (),
) -> Rule:
    """A phone number as groups of digits, each read the way the language reads them.

    ``country`` reads the code after "+" (English says "plus forty-four").
    After one of ``keywords`` ("tel.") a local number ("91 555 12 34") is one too.
    """
    pattern = PHONE_PATTERN
    if keywords:
        pattern = (
            rf"(?P<kw>\b(?:{alternation(keywords)})\.?:?\s+)(?P<local>\d{{2,4}}(?:[\s.-]\d{{2,4}}){{2,4}})"
            rf"(?![\w-]|[.,]\d)|{PHONE_PATTERN}"
        )

    def say(m: re.Match[str]) -> str:
        if m.groupdict().get("local"):
            digits = _PHONE_GROUP.findall(m.group("local"))
            return m.group("kw") + f"{comma} ".join(map(group, digits))
        text = m.group(0).replace("(0)", " ")  # the trunk prefix is not dialled from abroad
        digits = _PHONE_GROUP.findall(text)
        if text.startswith("+"):
            code, rest = digits[0], digits[1:]
            return f"{plus} {(country or group)(code)}{comma} " + f"{comma} ".join(map(group, rest))
        return f"{comma} ".join(map(group, digits))

    return rule(pattern, say, re.IGNORECASE, name="phone")


def web_rules(dot: str, at: str) -> tuple[Rule, ...]:
    """E-mail addresses read whole; URLs reduced to their site name."""

    def email(m: re.Match[str]) -> str:
        tld = m.group("tld")
        if len(tld) < 2 or not tld.isalpha():
            return m.group(0)
        user, _, host = m.group(0).partition("@")
        return f"{speak_dots(user, dot)} {at} {speak_dots(host.lower(), dot)}"

    def url(m: re.Match[str]) -> str:
        return speak_dots(site_name(m.group(0)), dot)

    def domain(m: re.Match[str]) -> str:
        if m.group("tld").lower() not in _TLD_SET:
            return m.group(0)
        path = m.group("path") or ""
        # Closing punctuation after a path belongs to the sentence ("see bbc.com/news.").
        tail = _PATH_END.search(path)
        said = speak_dots(site_name(m.group(0)), dot)
        return said + (tail.group(0) if tail else "")

    return (
        rule(EMAIL_PATTERN, email, name="email"),
        rule(URL_PATTERN, url, re.IGNORECASE, name="url"),
        rule(DOMAIN_PATTERN, domain, re.IGNORECASE, name="domain"),
    )


# --- language-neutral clean-up ------------------------------------------------

_SPACES = "\u00a0\u1680\u2000-\u200a\u202f\u205f\u3000"
_DIGIT_GROUP_SPACE = re.compile(rf"(?<=\d)[{_SPACES}](?=\d{{3}}(?!\d))")
#: Everything ``str.isspace`` and ``\s`` call a space (the separators \x1c-\x1f too) is one.
_ODD_SPACE = re.compile(rf"[{_SPACES}\t\n\r\f\v\x1c-\x1f\u2028\u2029\x85]")
_QUOTE_MAP = str.maketrans(
    {
        "‘": "'",
        "’": "'",
        "‛": "'",
        "ʼ": "'",
        "`": "'",
        "´": "'",
        "“": '"',
        "”": '"',
        "„": '"',
        "‟": '"',
        "«": '"',
        "»": '"',
        "‹": '"',
        "›": '"',
        "〝": '"',
        "〞": '"',
        "「": '"',
        "」": '"',
        "『": '"',
        "』": '"',
        "＂": '"',
        "\u2010": "-",
        "\u2011": "-",
        "\u2212": "-",
        "\u2012": "–",
        "\u2015": "—",
        "\ufe58": "—",
        "\ufe63": "-",
        "\uff0d": "-",
        "\u2024": ".",
        "\u2044": "/",
        "\uff05": "%",
        "\u2116": "#",
        "\ufe0e": "",
        "\ufe0f": "",
        "\u066a": "%",
        "\ufe6a": "%",
    }
)
_UNSPEAKABLE_CATEGORIES = frozenset({"Cc", "Cf", "Co", "Cs", "Cn", "So", "Sk"})
_KEEP_SYMBOLS = frozenset("°\u00b0")


def _is_unspeakable(ch: str) -> bool:
    if ch in _KEEP_SYMBOLS or ch.isspace():
        return False
    return unicodedata.category(ch) in _UNSPEAKABLE_CATEGORIES


def pre_clean(text: str) -> str:
    """Make the text regular before any rule sees it.

    NFC, one kind of apostrophe and of double quote, ordinary spaces, SI digit
    grouping ("4 500") joined, and characters with no spoken form removed
    (control and format characters, emoji, private-use placeholders).
    """
    text = unicodedata.normalize("NFC", text)
    text = text.translate(_QUOTE_MAP)
    text = _DIGIT_GROUP_SPACE.sub("", text)
    text = _ODD_SPACE.sub(" ", text)
    if not text.isascii():
        text = "".join(ch for ch in text if not _is_unspeakable(ch))
    return text


def post_clean_rules(comma: str) -> tuple[Rule, ...]:
    """Brackets, quotes, dashes and ellipses become pauses or nothing."""
    c = comma
    return (
        # "[...]" marks an omission in a quotation: nothing to say.
        rule(r"[(\[]\s*(?:\.\s*){3}[)\]]|[(\[]\s*…\s*[)\]]", " "),
        rule(r"(?<=[a-z])\((s|es)\)", r"\1"),
        rule(r"(?:\.\s*){3,}|…", lambda m: "." if at_end(m) else f"{c} "),
        # Square brackets mark an editor's words inside a quotation: no pause.
        rule(r"[\[\]]", " "),
        rule(r"\s*[({]\s*", f"{c} "),
        rule(r"\s*[)}]", f"{c} "),
        rule(r'"', " "),
        # An apostrophe that is not inside a word is a quotation mark.
        # ("'s" opening a piece of a sentence cut around a lexicon match is a possessive.)
        rule(rf"(?<![\w.{PLACEHOLDER_CLASS}])'(?!s\b)|(?<=\s)'(?=s\b)|'(?![\w])", " "),
        rule(r"\s*(?:—|―|--+)\s*", f"{c} "),
        # A dash (or a run of them) between words, or before a stop, is a pause.
        rule(r"(?:\s+[-–])+(?:\s+|(?=[,.;:!?،؛؟]|$))|^(?:[-–]\s+)+", f"{c} "),
        rule(r"(?<=\w)–(?=\w)", "-"),
        rule(r"–", f"{c} "),
        rule(r"[*_|~^\\•·●▪■□◆◇►▶†‡¶¤]+", " "),
    )


_TIDY = (
    rule(r"\s+", " "),
    rule(r"\s+([,.;:!?،؛؟])", r"\1"),
    rule(r"([,،])(?:\s*[,،])+", r"\1"),
    rule(r"[,،]\s*([.;:!?؛؟])", r"\1"),
    rule(r"(?<=\.)\.+", ""),
    rule(r"(?<=[^\W\d_A-Z]{2})([.!?؟])\s*[,،]+", r"\1"),
    rule(r"^[\s,،;:.]+", ""),
    rule(r"[\s,،;:]+$", ""),
    rule(r"([,،])(?=[^\s\d])", r"\1 "),
)


def tidy(text: str) -> str:
    return run(text, _TIDY).strip()


# --- Roman numerals ------------------------------------------------------------

_ROMAN_VALUES = {"I": 1, "V": 5, "X": 10, "L": 50, "C": 100, "D": 500, "M": 1000}
_VALID_ROMAN = re.compile(r"(?=.)M{0,3}(?:CM|CD|D?C{0,3})(?:XC|XL|L?X{0,3})(?:IX|IV|V?I{0,3})")


def roman_value(text: str) -> int | None:
    """'XIV' -> 14; None when ``text`` is not a well-formed Roman numeral."""
    if not _VALID_ROMAN.fullmatch(text):
        return None
    total = 0
    for i, ch in enumerate(text):
        value = _ROMAN_VALUES[ch]
        total += -value if i + 1 < len(text) and _ROMAN_VALUES[text[i + 1]] > value else value
    return total


# --- numbers as written -------------------------------------------------------


def digits_only(text: str) -> str:
    return re.sub(r"\D", "", text)


@dataclass(frozen=True)
class Number:
    """A number as written: its integer digits and its fraction digits."""

    whole: str
    fraction: str = ""

    @property
    def value(self) -> int:
        return int(self.whole or "0")

    @property
    def is_one(self) -> bool:
        return self.value == 1 and not self.fraction


def parse_number(text: str, thousands: str, decimal: str) -> Number:
    whole, _, fraction = text.partition(decimal)
    return Number(digits_only(whole.replace(thousands, "")) or "0", digits_only(fraction))
