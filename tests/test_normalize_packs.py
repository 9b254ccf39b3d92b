"""Language packs: each language's knowledge in one place, read by every stage from there."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

import listen
from listen.lang import iso639_2, normalize, pack, pack_or_english, packs, supported_languages
from listen.lang.player import MESSAGES_JS, messages_js
from listen.metadata import PageMeta, join_names
from listen.models import Article, Block
from listen.script import build_script, speech_language, to_text
from listen.voices import choose_profile

LANG = Path(listen.__file__).parent / "lang"


def test_every_pack_folder_is_a_registered_pack() -> None:
    """Adding a language is adding a folder: nothing else lists the languages."""
    folders = {p.name for p in LANG.iterdir() if (p / "__init__.py").exists()}
    assert folders == {p.code for p in packs()}
    assert {"en", "es", "ar", "fr"} <= set(supported_languages())


def test_normalize_is_a_plain_function_of_the_package() -> None:
    assert callable(listen.normalize) and listen.normalize.__module__ == "listen.lang"
    assert listen.normalize("The CIA paid $5m.", "en") == "The C.I.A. paid five million dollars."
    with pytest.raises(TypeError):
        normalize("x", "en", None, None, True)  # type: ignore[misc]  # strict is keyword-only


def test_the_players_words_are_made_from_the_packs() -> None:
    assert MESSAGES_JS.read_text(encoding="utf-8") == messages_js(), (
        "run: python -m listen.lang.player --write"
    )
    english = pack_or_english("en").messages
    for p in packs():
        if p.messages:
            assert list(p.messages) == list(english), p.code
            assert all(v.strip() for v in p.messages.values())


def test_the_generator_command_checks_the_file() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "listen.lang.player", "--check"], capture_output=True, text=True
    )
    assert done.returncode == 0, done.stdout + done.stderr


@pytest.mark.parametrize(
    ("code", "three"),
    [
        ("en", "eng"),
        ("es-MX", "spa"),
        ("ar_LB", "ara"),
        ("fr", "fra"),
        ("de", "deu"),
        ("ja", "jpn"),
    ],
)
def test_iso_639_2_codes(code: str, three: str) -> None:
    assert iso639_2(code) == three
    assert iso639_2("xx") == "und"


def test_bylines_months_and_lists_come_from_the_pack() -> None:
    meta = PageMeta(authors=["Ana", "Isabel"], source="EFE", published="2025-02-18")
    assert meta.byline("es") == "Por Ana e Isabel. Fuente: EFE. 18 de febrero de 2025."
    assert meta.byline("fr") == "Par Ana et Isabel. Source : EFE. 18 février 2025."
    assert meta.byline("zz") == "By Ana and Isabel. Source: EFE. 18 February 2025."
    assert join_names(["أ", "ب", "ج"], "ar") == "أ، ب و ج"
    assert pack("es") is not None and pack("es") is pack("es-MX")


def test_french_speaks_through_its_pack() -> None:
    """A fourth language: one pack, a voice profile (voices/fr.toml) and a table (fr.tsv)."""
    voice = choose_profile("fr")
    assert voice.id == "fr" and voice.language == "fr"
    article = Article(
        title="Le budget",
        language="fr",
        blocks=(
            Block("paragraph", "Le 1er mai 2025, M. Dupont a reçu 4 500 personnes à 18h30."),
            Block("caption", "La foule à Paris."),
        ),
    )
    script = build_script(article, voice)
    spoken = to_text(script, spoken=True)
    assert (
        "Le premier mai deux mille vingt-cinq, monsieur Dupont a reçu quatre mille cinq cents "
        "personnes à dix-huit heures trente." in spoken
    )
    assert "Légende : La foule à Paris." in spoken
    assert "[Légende] La foule à Paris." in to_text(script)


def test_espeak_reads_the_french_words_not_digits() -> None:
    said = normalize("Le 14 juillet 1789, 71 personnes.", "fr")
    out = subprocess.run(
        ["espeak-ng", "-v", "fr", "-q", "-x", said], capture_output=True, text=True, check=True
    ).stdout
    phonemes = out.replace("'", "").replace(",", "")
    assert "katOrz" in phonemes and "mil sEt sA~" in phonemes  # quatorze, mille sept cent
    assert not any(ch.isdigit() for ch in said)


@pytest.mark.parametrize(
    ("language", "voice", "url", "expected"),
    [
        ("es", "es", "https://www.eluniversal.com.mx/x", "es-MX"),
        ("es", "es", "https://elpais.com/x", "es"),
        ("es", "es-MX", None, "es-MX"),
        ("es-AR", "es", "https://elpais.es/x", "es-AR"),
        ("en", "en", "https://www.bbc.co.uk/news", "en-GB"),
        ("en", "en", "https://example.co/x", "en"),
    ],
)
def test_the_site_or_the_profile_sets_the_variant(
    language: str, voice: str, url: str | None, expected: str
) -> None:
    assert speech_language(language, voice, url) == expected


def test_dollars_are_pesos_on_a_mexican_site() -> None:
    article = Article(
        "t", "es", (Block("paragraph", "Cuesta $300 en México."),), url="https://milenio.com.mx/a"
    )
    spoken = build_script(article, choose_profile("es")).blocks[0].spoken
    assert spoken == "Cuesta trescientos pesos en México."
