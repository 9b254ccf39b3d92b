"""Pronunciation lexicons: how a site wants its names said.

Two file forms are read, and merged in the order a voice profile lists them
(a later entry wins over an earlier one for the same written form):

* W3C PLS 1.0 (``.pls``, namespace ``http://www.w3.org/2005/01/pronunciation-lexicon``)::

      <lexicon version="1.0" xmlns="http://www.w3.org/2005/01/pronunciation-lexicon"
               alphabet="x-espeak" xml:lang="en">
        <lexeme>
          <grapheme>Sheinbaum</grapheme>
          <phoneme>S'aInbaUm</phoneme>
          <alias>Shine bowm</alias>
        </lexeme>
      </lexicon>

  A lexeme needs at least one ``<grapheme>`` and an ``<alias>`` or a
  ``<phoneme>``; the first of each is used (or the one with
  ``prefer="true"``). ``alphabet`` on ``<phoneme>`` overrides the lexicon's;
  phonemes in other alphabets are kept too, for engines that read those.

* TOML (``.toml``)::

      language = "en"            # optional, ISO 639-1, may carry a region
      alphabet = "x-espeak"      # optional default for the entries' phonemes

      [[entry]]
      graphemes = ["Al Mayadeen", "Al-Mayadeen"]   # or one string
      alias = "al my a deen"     # what any engine is given to read
      phoneme = "..."            # optional, for engines that take phonemes
      alphabet = "x-espeak"      # optional, 'ipa', 'x-espeak', ...
      # or the same sound in several alphabets, the first one being the entry's own:
      # phoneme = { x-espeak = "'al maI'A:d'i:n", ipa = "ˈal maɪˈɑːdˈiːn" }
      case_sensitive = true      # optional, default true

  Every entry needs ``graphemes`` and an ``alias`` or a ``phoneme``. Any other
  key, at the top or in an entry, is an error: a typo must not silently
  leave a name mispronounced.

Each engine reads the alphabet it can (espeak-based engines ``x-espeak``, Piper
``ipa``) and says the alias where the entry has nothing in its alphabet.

Matching is whole-word: "NATO" matches in "NATO's" but not in "NATOPS", and a
space in a written form matches any run of spaces.
"""

from __future__ import annotations

import os
import re
import tomllib
import unicodedata
import xml.etree.ElementTree as ET
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

from .errors import LexiconError

PLS_NAMESPACE = "http://www.w3.org/2005/01/pronunciation-lexicon"
_XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
_TOP_KEYS = frozenset({"language", "alphabet", "entry"})
_ENTRY_KEYS = frozenset({"graphemes", "alias", "phoneme", "alphabet", "case_sensitive"})


@dataclass(frozen=True)
class LexiconEntry:
    graphemes: tuple[str, ...]
    alias: str | None = None
    phoneme: str | None = None
    alphabet: str | None = None
    case_sensitive: bool = True
    #: the same pronunciation in other alphabets, as (alphabet, phonemes) pairs
    alternatives: tuple[tuple[str, str], ...] = ()
    #: the lexicon's language, which says whose phoneme table the phonemes are in
    #: (where the entry came from, not what it says: left out of equality)
    language: str | None = field(default=None, compare=False)

    def phonemes_in(self, alphabet: str) -> str | None:
        """This entry's phonemes written in ``alphabet`` ('x-espeak', 'ipa'), if it has them."""
        if self.phoneme and self.alphabet == alphabet:
            return self.phoneme
        return next((ph for a, ph in self.alternatives if a == alphabet), None)


@dataclass(frozen=True)
class _Matcher:
    pattern: re.Pattern[str] | None
    exact: dict[str, tuple[int, LexiconEntry]] = field(default_factory=dict)
    folded: dict[str, tuple[int, LexiconEntry]] = field(default_factory=dict)

    def entry(self, written: str) -> LexiconEntry | None:
        key = " ".join(written.split())
        hits = [hit for hit in (self.exact.get(key), self.folded.get(key.casefold())) if hit]
        return max(hits, key=lambda hit: hit[0])[1] if hits else None


def _grapheme_pattern(grapheme: str) -> str:
    return r"\s+".join(re.escape(part) for part in grapheme.split())


@dataclass(frozen=True)
class Lexicon:
    entries: tuple[LexiconEntry, ...] = ()
    language: str | None = None

    def __bool__(self) -> bool:
        return bool(self.entries)

    def merged(self, other: Lexicon) -> Lexicon:
        """Both lexicons; ``other``'s entries win where both know a written form."""
        return Lexicon(self.entries + other.entries, other.language or self.language)

    @cached_property
    def _matcher(self) -> _Matcher:
        exact: dict[str, tuple[int, LexiconEntry]] = {}
        folded: dict[str, tuple[int, LexiconEntry]] = {}
        sensitive: set[str] = set()
        insensitive: set[str] = set()
        for index, entry in enumerate(self.entries):
            for grapheme in entry.graphemes:
                key = " ".join(grapheme.split())
                if not key:
                    continue
                if entry.case_sensitive:
                    exact[key] = (index, entry)
                    sensitive.add(key)
                else:
                    folded[key.casefold()] = (index, entry)
                    insensitive.add(key)
        if not exact and not folded:
            return _Matcher(None)
        by_length = sorted(
            [(g, True) for g in sensitive] + [(g, False) for g in insensitive],
            key=lambda item: -len(item[0]),
        )
        alternatives = "|".join(
            _grapheme_pattern(g) if cs else f"(?i:{_grapheme_pattern(g)})" for g, cs in by_length
        )
        return _Matcher(re.compile(rf"(?<!\w)(?:{alternatives})(?!\w)"), exact, folded)

    def lookup(self, written: str) -> LexiconEntry | None:
        """The entry that says how ``written`` is pronounced, if any."""
        return self._matcher.entry(written)

    def split(self, text: str) -> list[str | tuple[str, LexiconEntry]]:
        """Cut ``text`` into plain pieces and ``(written, entry)`` pairs, in order."""
        matcher = self._matcher
        if matcher.pattern is None or not text:
            return [text] if text else []
        pieces: list[str | tuple[str, LexiconEntry]] = []
        last = 0
        for m in matcher.pattern.finditer(text):
            entry = matcher.entry(m.group(0))
            if entry is None:  # a case-sensitive form matched only case-blind
                continue
            if m.start() > last:
                pieces.append(text[last : m.start()])
            pieces.append((m.group(0), entry))
            last = m.end()
        if last < len(text):
            pieces.append(text[last:])
        return pieces


def _fail(path: Path, message: str) -> LexiconError:
    return LexiconError(f"lexicon {path}: {message}")


def _clean(text: str | None) -> str | None:
    if text is None:
        return None
    text = " ".join(unicodedata.normalize("NFC", text).split())
    return text or None


def load_lexicon(path: str | os.PathLike[str]) -> Lexicon:
    """Read one ``.pls`` or ``.toml`` lexicon; ``LexiconError`` says what is wrong."""
    file = Path(path)
    suffix = file.suffix.lower()
    if suffix not in (".pls", ".xml", ".toml"):
        raise _fail(file, "unknown lexicon format (expected .pls or .toml)")
    try:
        data = file.read_bytes()
    except OSError as err:
        raise _fail(file, f"cannot be read ({err.strerror or err})") from err
    if suffix == ".toml":
        return _load_toml(file, data)
    return _load_pls(file, data)


def load_lexicons(paths: Iterable[str | os.PathLike[str]]) -> Lexicon:
    """Read lexicons in order and merge them; later files win."""
    lexicon = Lexicon()
    for path in paths:
        lexicon = lexicon.merged(load_lexicon(path))
    return lexicon


def _load_toml(path: Path, data: bytes) -> Lexicon:
    try:
        doc = tomllib.loads(data.decode("utf-8"))
    except UnicodeDecodeError as err:
        raise _fail(path, "is not UTF-8") from err
    except tomllib.TOMLDecodeError as err:
        raise _fail(path, f"invalid TOML ({err})") from err
    unknown = sorted(set(doc) - _TOP_KEYS)
    if unknown:
        raise _fail(path, f"unknown key {unknown[0]!r} (allowed: {', '.join(sorted(_TOP_KEYS))})")
    language = _optional_str(path, doc, "language", "top level")
    default_alphabet = _optional_str(path, doc, "alphabet", "top level")
    raw_entries = doc.get("entry", [])
    if not isinstance(raw_entries, list):
        raise _fail(path, "'entry' must be an array of tables ([[entry]])")
    entries = []
    for number, raw in enumerate(raw_entries, start=1):
        where = f"entry {number}"
        if not isinstance(raw, dict):
            raise _fail(path, f"{where} is not a table")
        unknown = sorted(set(raw) - _ENTRY_KEYS)
        if unknown:
            raise _fail(path, f"{where}: unknown key {unknown[0]!r}")
        graphemes = raw.get("graphemes")
        if isinstance(graphemes, str):
            graphemes = [graphemes]
        if not isinstance(graphemes, list) or not all(isinstance(g, str) for g in graphemes):
            raise _fail(path, f"{where}: 'graphemes' must be a string or a list of strings")
        written = tuple(g for g in (_clean(g) for g in graphemes) if g)
        if not written:
            raise _fail(path, f"{where}: no grapheme")
        alias = _clean(_optional_str(path, raw, "alias", where))
        alternatives: tuple[tuple[str, str], ...] = ()
        phoneme: str | None
        if isinstance(raw.get("phoneme"), dict):
            spelled = _alphabets(path, raw["phoneme"], where)
            (first_alphabet, phoneme), alternatives = spelled[0], tuple(spelled[1:])
            raw = {**raw, "alphabet": _optional_str(path, raw, "alphabet", where)}
            if raw["alphabet"] not in (None, first_alphabet):
                raise _fail(path, f"{where}: 'alphabet' is given twice")
            raw["alphabet"] = first_alphabet
        else:
            phoneme = _optional_str(path, raw, "phoneme", where)
            phoneme = phoneme.strip() if phoneme else None
        if alias is None and not phoneme:
            raise _fail(path, f"{where} ({written[0]}): needs an alias or a phoneme")
        case_sensitive = raw.get("case_sensitive", True)
        if not isinstance(case_sensitive, bool):
            raise _fail(path, f"{where}: 'case_sensitive' must be true or false")
        alphabet = _optional_str(path, raw, "alphabet", where) or (
            default_alphabet if phoneme else None
        )
        entries.append(
            LexiconEntry(written, alias, phoneme, alphabet, case_sensitive, alternatives, language)
        )
    return Lexicon(tuple(entries), language)


def _alphabets(path: Path, table: dict[str, object], where: str) -> list[tuple[str, str]]:
    """``phoneme = { x-espeak = "...", ipa = "..." }`` -> [(alphabet, phonemes)], in order."""
    spelled = []
    for alphabet, value in table.items():
        if not isinstance(value, str) or not value.strip():
            raise _fail(path, f"{where}: phoneme.{alphabet} must be a non-empty string")
        spelled.append((alphabet, value.strip()))
    if not spelled:
        raise _fail(path, f"{where}: 'phoneme' names no alphabet")
    return spelled


def _optional_str(path: Path, table: dict[str, object], key: str, where: str) -> str | None:
    value = table.get(key)
    if value is None or isinstance(value, str):
        return value
    raise _fail(path, f"{where}: {key!r} must be a string")


def _local(tag: object) -> tuple[str | None, str]:
    if not isinstance(tag, str):  # comments and processing instructions
        return None, ""
    if tag.startswith("{"):
        namespace, _, name = tag[1:].partition("}")
        return namespace, name
    return None, tag


def _load_pls(path: Path, data: bytes) -> Lexicon:
    if b"<!DOCTYPE" in data or b"<!ENTITY" in data:
        raise _fail(path, "DTDs and entities are not allowed in a lexicon")
    try:
        root = ET.fromstring(data)
    except ET.ParseError as err:
        raise _fail(path, f"invalid XML ({err})") from err
    namespace, name = _local(root.tag)
    if name != "lexicon" or namespace != PLS_NAMESPACE:
        raise _fail(path, f"root element must be <lexicon> in namespace {PLS_NAMESPACE}")
    alphabet = root.get("alphabet")
    language = root.get(_XML_LANG)
    entries = []
    for number, lexeme in enumerate(root, start=1):
        ns, tag = _local(lexeme.tag)
        if tag in ("", "meta", "metadata"):
            continue
        if ns != PLS_NAMESPACE or tag != "lexeme":
            raise _fail(path, f"unexpected element <{tag}> in <lexicon>")
        graphemes: list[str] = []
        aliases: list[tuple[bool, str]] = []
        phonemes: list[tuple[bool, str, str | None]] = []
        for child in lexeme:
            ns, tag = _local(child.tag)
            text = _clean("".join(child.itertext()))
            preferred = child.get("prefer") == "true"
            if tag == "":
                continue
            if ns != PLS_NAMESPACE:
                raise _fail(path, f"lexeme {number}: element <{tag}> is not in the PLS namespace")
            if tag == "grapheme" and text:
                graphemes.append(text)
            elif tag == "alias" and text:
                aliases.append((preferred, text))
            elif tag == "phoneme" and text:
                phonemes.append((preferred, text, child.get("alphabet")))
            elif tag not in ("grapheme", "alias", "phoneme", "example"):
                raise _fail(path, f"lexeme {number}: unknown element <{tag}>")
        if not graphemes:
            raise _fail(path, f"lexeme {number}: no <grapheme>")
        if not aliases and not phonemes:
            raise _fail(path, f"lexeme {number} ({graphemes[0]}): needs an <alias> or a <phoneme>")
        alias = next((t for p, t in aliases if p), aliases[0][1] if aliases else None)
        chosen = next((ph for ph in phonemes if ph[0]), phonemes[0] if phonemes else None)
        phoneme = chosen[1] if chosen else None
        entry_alphabet = (chosen[2] or alphabet) if chosen else None
        others: dict[str, str] = {}
        for _, text, own in phonemes:
            other = own or alphabet
            if other and other != entry_alphabet:
                others.setdefault(other, text)
        entries.append(
            LexiconEntry(
                tuple(graphemes),
                alias,
                phoneme,
                entry_alphabet,
                alternatives=tuple(others.items()),
                language=language,
            )
        )
    return Lexicon(tuple(entries), language)
