"""Pronunciation lexicons: loading PLS and TOML, merging, matching, and use in normalize."""

from __future__ import annotations

from functools import partial
from pathlib import Path

import pytest

from listen.errors import LexiconError, VoiceError
from listen.lang import normalize as _normalize
from listen.lexicon import Lexicon, LexiconEntry, load_lexicon, load_lexicons

ROOT = Path(__file__).resolve().parents[1]
SHIPPED = ROOT / "voices" / "lexicons"
PLS_HEAD = (
    '<?xml version="1.0" encoding="UTF-8"?>\n'
    '<lexicon version="1.0" xmlns="http://www.w3.org/2005/01/pronunciation-lexicon" '
    'alphabet="ipa" xml:lang="en-US">\n'
)


#: A rule that raises must fail the test, not fall back silently.
normalize = partial(_normalize, strict=True)


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def entry(
    *graphemes: str, alias: str | None = None, phoneme: str | None = None, cs: bool = True
) -> LexiconEntry:
    return LexiconEntry(
        graphemes,
        alias=alias,
        phoneme=phoneme,
        alphabet="x-espeak" if phoneme else None,
        case_sensitive=cs,
    )


# --- the shipped lexicons -----------------------------------------------------


@pytest.mark.parametrize("name", sorted(p.name for p in SHIPPED.glob("*.*")))
def test_shipped_lexicons_load(name: str) -> None:
    lexicon = load_lexicon(SHIPPED / name)
    assert lexicon and all(e.alias or e.phoneme for e in lexicon.entries)


def test_shipped_site_lexicon_names() -> None:
    lexicon = load_lexicon(SHIPPED / "almayadeen.toml")
    assert lexicon.language == "en"
    for name in (
        "Al Mayadeen",
        "Hezbollah",
        "Sheinbaum",
        "Ratcliffe",
        "NATO",
        "UNESCO",
        "UNICEF",
        "OPEC",
        "Hamas",
    ):
        assert lexicon.lookup(name) is not None, name
    sheinbaum = lexicon.lookup("Sheinbaum")
    assert sheinbaum is not None and sheinbaum.alphabet == "x-espeak" and sheinbaum.phoneme


def test_pls_and_toml_agree() -> None:
    pls = load_lexicon(SHIPPED / "almayadeen.pls")
    toml = load_lexicon(SHIPPED / "almayadeen.toml")
    for lexeme in pls.entries:
        for grapheme in lexeme.graphemes:
            other = toml.lookup(grapheme)
            assert other is not None and other.alias == lexeme.alias, grapheme


def test_site_lexicon_in_a_sentence() -> None:
    lexicon = load_lexicon(SHIPPED / "almayadeen.toml")
    said = normalize(
        "Al Mayadeen reported that NATO and Hezbollah's allies met Sheinbaum.", "en", lexicon
    )
    assert said == "al my-ah-deen reported that Nato and hez buh lah's allies met Shane baum."


# --- PLS ---------------------------------------------------------------------------


def test_pls_full_form(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "x.pls",
        PLS_HEAD
        + """  <meta name="author" content="desk"/>
  <!-- a comment -->
  <lexeme role="name">
    <grapheme>Ratcliffe</grapheme>
    <grapheme>RATCLIFFE</grapheme>
    <phoneme>ˈrætklɪf</phoneme>
    <phoneme alphabet="x-espeak" prefer="true">r'atklIf</phoneme>
    <alias>rat cliff</alias>
    <example>John Ratcliffe</example>
  </lexeme>
  <lexeme><grapheme>  Al   Mayadeen </grapheme><alias>al my-ah-deen</alias></lexeme>
</lexicon>
""",
    )
    lexicon = load_lexicon(path)
    assert lexicon.language == "en-US"
    first, second = lexicon.entries
    assert first == LexiconEntry(
        ("Ratcliffe", "RATCLIFFE"),
        "rat cliff",
        "r'atklIf",
        "x-espeak",
        True,
        alternatives=(("ipa", "ˈrætklɪf"),),  # kept for the engines that read IPA
        language="en-US",
    )
    assert first.phonemes_in("ipa") == "ˈrætklɪf" and first.phonemes_in("sampa") is None
    assert second == LexiconEntry(("Al Mayadeen",), "al my-ah-deen", None, None, True)
    assert first.language == second.language == "en-US"


def test_pls_phoneme_takes_lexicon_alphabet(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "x.pls",
        PLS_HEAD + "<lexeme><grapheme>A</grapheme><phoneme>eɪ</phoneme></lexeme></lexicon>",
    )
    assert load_lexicon(path).entries[0].alphabet == "ipa"


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("<lexicon", "invalid XML"),
        ('<lexicon version="1.0"><lexeme/></lexicon>', "namespace"),
        (PLS_HEAD.replace("lexicon version", "lexicn version") + "</lexicn>", "root element"),
        (PLS_HEAD + "<lexeme><alias>x</alias></lexeme></lexicon>", "no <grapheme>"),
        (
            PLS_HEAD + "<lexeme><grapheme>X</grapheme></lexeme></lexicon>",
            "needs an <alias> or a <phoneme>",
        ),
        (
            PLS_HEAD + "<lexeme><grapheme>X</grapheme><alias>y</alias><sound/></lexeme></lexicon>",
            "unknown element",
        ),
        (PLS_HEAD + "<entry/></lexicon>", "unexpected element"),
        ('<!DOCTYPE x [<!ENTITY a "b">]>' + PLS_HEAD + "</lexicon>", "DTD"),
    ],
)
def test_pls_errors(tmp_path: Path, body: str, message: str) -> None:
    path = write(tmp_path, "bad.pls", body)
    with pytest.raises(LexiconError) as info:
        load_lexicon(path)
    text = info.value.one_line()
    assert message in text and "bad.pls" in text and "\n" not in text
    assert isinstance(info.value, VoiceError)


# --- TOML --------------------------------------------------------------------------


def test_toml_full_form(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "x.toml",
        """
language = "es"
alphabet = "ipa"

[[entry]]
graphemes = "OTAN"
alias = "Otan"

[[entry]]
graphemes = ["Sheinbaum", "SHEINBAUM"]
alias = "Sheinbaum"
phoneme = "ˈʃeinbaum"

[[entry]]
graphemes = ["nato"]
phoneme = "n'eIt@U"
alphabet = "x-espeak"
case_sensitive = false
""",
    )
    lexicon = load_lexicon(path)
    assert lexicon.language == "es"
    assert lexicon.entries == (
        LexiconEntry(("OTAN",), "Otan"),
        LexiconEntry(("Sheinbaum", "SHEINBAUM"), "Sheinbaum", "ˈʃeinbaum", "ipa"),
        LexiconEntry(("nato",), None, "n'eIt@U", "x-espeak", False),
    )


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("language = ", "invalid TOML"),
        ('langauge = "en"', "unknown key 'langauge'"),
        ('[[entry]]\ngraphemes = ["X"]\nalias = "y"\nsay = "z"', "entry 1: unknown key 'say'"),
        ('[[entry]]\ngraphemes = ["X"]', "needs an alias or a phoneme"),
        ('[[entry]]\nalias = "y"', "'graphemes' must be"),
        ('[[entry]]\ngraphemes = [1]\nalias = "y"', "'graphemes' must be"),
        ('[[entry]]\ngraphemes = ["  "]\nalias = "y"', "no grapheme"),
        ('[[entry]]\ngraphemes = ["X"]\nalias = 3', "'alias' must be a string"),
        ('[[entry]]\ngraphemes = ["X"]\nalias = "y"\ncase_sensitive = "no"', "true or false"),
        ('entry = "x"', "array of tables"),
    ],
)
def test_toml_errors(tmp_path: Path, body: str, message: str) -> None:
    path = write(tmp_path, "bad.toml", body)
    with pytest.raises(LexiconError) as info:
        load_lexicon(path)
    assert message in str(info.value) and "bad.toml" in str(info.value)


def test_unreadable_and_unknown_files(tmp_path: Path) -> None:
    with pytest.raises(LexiconError, match="cannot be read"):
        load_lexicon(tmp_path / "missing.toml")
    with pytest.raises(LexiconError, match="unknown lexicon format"):
        load_lexicon(write(tmp_path, "x.json", "{}"))
    with pytest.raises(LexiconError, match="not UTF-8"):
        path = tmp_path / "latin.toml"
        path.write_bytes(b'language = "\xe9"')
        load_lexicon(path)


# --- merging and matching ---------------------------------------------------------------


def test_merge_later_wins(tmp_path: Path) -> None:
    a = write(
        tmp_path,
        "a.toml",
        'language = "en"\n[[entry]]\ngraphemes = ["NATO", "OTAN"]\nalias = "one"\n',
    )
    b = write(tmp_path, "b.toml", '[[entry]]\ngraphemes = ["NATO"]\nalias = "two"\n')
    merged = load_lexicons([a, b])
    assert merged.language == "en"
    assert merged.lookup("NATO") == LexiconEntry(("NATO",), "two")
    assert merged.lookup("OTAN") == LexiconEntry(("NATO", "OTAN"), "one")
    assert load_lexicons([]) == Lexicon() and not Lexicon()


def test_case_blind_entry_later_wins_over_exact() -> None:
    lexicon = Lexicon((entry("NATO", alias="exact"),)).merged(
        Lexicon((entry("nato", alias="blind", cs=False),))
    )
    assert lexicon.lookup("NATO") == entry("nato", alias="blind", cs=False)
    assert lexicon.merged(Lexicon((entry("NATO", alias="again"),))).lookup("NATO") == entry(
        "NATO", alias="again"
    )


def test_split_whole_words_longest_first() -> None:
    mayadeen = entry("Al Mayadeen", alias="al my-ah-deen")
    al = entry("Al", alias="al")
    nato = entry("NATO", alias="Nato")
    lexicon = Lexicon((al, mayadeen, nato))
    assert lexicon.split("Al  Mayadeen said NATO's NATOPS and nato.") == [
        ("Al  Mayadeen", mayadeen),
        " said ",
        ("NATO", nato),
        "'s NATOPS and nato.",
    ]
    assert lexicon.split("") == []
    assert Lexicon().split("text") == ["text"]


def test_split_case_blind() -> None:
    e = entry("hezbollah", alias="hez buh lah", cs=False)
    assert Lexicon((e,)).split("HEZBOLLAH, Hezbollah") == [("HEZBOLLAH", e), ", ", ("Hezbollah", e)]


def test_split_non_latin() -> None:
    e = entry("الميادين", alias="al my-ah-deen")
    assert Lexicon((e,)).split("قناة الميادين.") == ["قناة ", ("الميادين", e), "."]


# --- use in normalize -------------------------------------------------------------------------


def test_lexicon_runs_before_initialisms() -> None:
    lexicon = Lexicon((entry("CIA", alias="see eye ay"),))
    assert normalize("The CIA and the FBI", "en") == "The C.I.A. and the F.B.I."
    assert normalize("The CIA and the FBI", "en", lexicon) == "The see eye ay and the F.B.I."


def test_alias_is_said_as_written() -> None:
    lexicon = Lexicon((entry("Area 51", alias="Area fifty-one (the base)"),))
    assert (
        normalize("Area 51 has 3 gates.", "en", lexicon)
        == "Area fifty-one (the base) has three gates."
    )


def test_phonemes_replace_aliases_when_the_engine_takes_them() -> None:
    lexicon = Lexicon(
        (entry("Sheinbaum", alias="Shane baum", phoneme="S'eInbaUm"), entry("NATO", alias="Nato"))
    )

    def espeak(e: LexiconEntry) -> str | None:
        return f"[[{e.phoneme}]]" if e.phoneme and e.alphabet == "x-espeak" else None

    assert normalize("Sheinbaum met NATO", "en", lexicon, espeak) == "[[S'eInbaUm]] met Nato"
    assert normalize("Sheinbaum met NATO", "en", lexicon) == "Shane baum met Nato"


def test_phoneme_only_entry_without_phoneme_support_reads_normally() -> None:
    lexicon = Lexicon((entry("IDF", phoneme="aI d'i: 'Ef"),))
    assert normalize("The IDF said", "en", lexicon) == "The I.D.F. said"


def test_titles_still_expand_before_a_lexicon_name() -> None:
    lexicon = Lexicon((entry("Sheinbaum", alias="Shane baum"),))
    assert normalize("Dr. Sheinbaum", "en", lexicon) == "Doctor Shane baum"
    assert normalize("la Dra. Sheinbaum", "es", lexicon) == "la doctora Shane baum"


def test_lexicon_in_arabic() -> None:
    lexicon = load_lexicon(SHIPPED / "almayadeen-ar.toml")
    assert (
        normalize("قالت CNN إن 23% صوتوا", "ar", lexicon)
        # (after إن the number is accusative: the Arabic pack's grammar, not the lexicon's)
        == "قالت سي إن إن إن ثلاثة وعشرين بالمئة صوتوا"
    )


def test_private_use_characters_in_input_cannot_pose_as_matches() -> None:
    lexicon = Lexicon((entry("NATO", alias="Nato"),))
    assert normalize("\U000f0000 NATO \U000f0001", "en", lexicon) == "Nato"
