"""voices: TOML profiles, strict keys, choosing by language with a fallback."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from listen.errors import VoiceError
from listen.voices import VoiceProfile, all_profiles, choose_profile, get_profile, load_profile

MINIMAL = 'id = "{id}"\nname = "Test"\nlanguage = "{lang}"\nengine = "silent"\n'


def test_shipped_profiles_cover_en_ar_es() -> None:
    profiles = all_profiles()
    for lang in ("en", "ar", "es"):
        profile = choose_profile(lang)
        assert profile.language == lang
        assert profile.engine == "pyttsx3"
        assert profile.voice
        assert profile.pause_after("heading") > 0
        # The caption and quote words come from the language pack unless a profile sets them.
        from listen.lang import pack

        language = pack(lang)
        assert profile.label("caption") or (language and language.label("caption"))
    assert "fallback" in profiles


def test_region_falls_back_to_language() -> None:
    assert choose_profile("es-419").id == "es"
    assert choose_profile("en_GB").id == "en"


def test_unknown_language_uses_fallback_with_a_warning(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING, logger="listen"):
        profile = choose_profile("de")
    assert profile.id == "fallback"
    assert profile.voice == "de"
    assert "'de'" in caplog.text


def test_voice_override_and_unknown_voice_lists_choices() -> None:
    assert choose_profile("en", "es").id == "es"
    with pytest.raises(VoiceError) as err:
        get_profile("klingon")
    line = err.value.one_line()
    assert line.startswith("unknown voice 'klingon' (please select one of: ar, ar-piper, en, ")
    assert all(f" {vid}," in line or f" {vid})" in line for vid in ("en-piper", "es", "fallback"))


def test_user_folder_wins(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "en.toml").write_text(MINIMAL.format(id="en", lang="en") + "rate = 1.5\n")
    monkeypatch.setenv("LISTEN_VOICES", str(tmp_path))
    profile = choose_profile("en")
    assert profile.rate == 1.5
    assert profile.engine == "silent"


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        ("colour = 1\n", "unknown key 'colour'"),
        ("rate = 0\n", "rate must be a number"),
        ('rate = "fast"\n', "rate must be a number"),
        ("[pauses]\nchapter = 10\n", "[pauses]"),
        ("[pauses]\nheading = -1\n", "[pauses]"),
        ("[labels]\nheading = 'x'\n", "[labels]"),
    ],
)
def test_malformed_profiles_are_refused(tmp_path: Path, extra: str, message: str) -> None:
    path = tmp_path / "bad.toml"
    path.write_text(MINIMAL.format(id="bad", lang="en") + extra)
    with pytest.raises(VoiceError, match=message.replace("[", r"\[").replace("]", r"\]")):
        load_profile(path)


def test_broken_toml_names_the_file(tmp_path: Path) -> None:
    path = tmp_path / "broken.toml"
    path.write_text("id = \n")
    with pytest.raises(VoiceError, match=r"broken\.toml: not valid TOML"):
        load_profile(path)


def test_lexicon_paths_are_relative_to_the_profile(tmp_path: Path) -> None:
    path = tmp_path / "x.toml"
    path.write_text(MINIMAL.format(id="x", lang="en") + 'lexicons = ["lexicons/site.toml"]\n')
    assert load_profile(path).lexicons == (tmp_path / "lexicons" / "site.toml",)


def test_round_trip_to_dict() -> None:
    profile = choose_profile("ar")
    data = profile.to_dict()
    data["lexicons"] = []
    again = VoiceProfile.from_dict(data)
    assert again.pauses == profile.pauses
    assert again.labels == profile.labels


# --- `listen voices`: what it says must be what `speak` then does ---------------------


@pytest.fixture
def without_piper(monkeypatch: pytest.MonkeyPatch) -> None:
    """As on a machine where piper-tts is not installed."""
    import sys

    import listen.engines as engines

    monkeypatch.setitem(sys.modules, "piper", None)
    fresh = {name: e for name, e in engines._instances.items() if name != "piper"}
    monkeypatch.setattr(engines, "_instances", fresh)


def voices_output() -> list[str]:
    from click.testing import CliRunner

    from listen.cli import cli

    result = CliRunner().invoke(cli, ["voices"])
    assert result.exit_code == 0, result.output
    return result.stdout.splitlines()


PIPER_MISSING = "piper-tts is not installed (install it with `pip install 'listen-aloud[piper]'`)"


@pytest.mark.usefixtures("without_piper")
def test_voices_says_exactly_what_a_piper_profile_lacks_and_how_to_install_it() -> None:
    (line,) = [line.strip() for line in voices_output() if line.strip().startswith("en-piper ")]
    assert line.endswith(f"speaks with pyttsx3 instead of piper: {PIPER_MISSING}")
    (engine,) = [line.strip() for line in voices_output() if line.strip().startswith("piper ")]
    assert engine.endswith(f"unavailable: {PIPER_MISSING}")


@pytest.mark.usefixtures("without_piper")
def test_speak_with_a_piper_profile_then_does_what_voices_said(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from listen.cli import cli
    from tests.conftest import LANGUAGE_SAMPLES, decode_mp3

    out = tmp_path / "en.mp3"
    args = ["speak", str(LANGUAGE_SAMPLES["en"]), "--voice", "en-piper", "-o", str(out)]
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 0, result.output
    assert f"warning: {PIPER_MISSING}; speaking with the pyttsx3 engine instead" in result.stderr
    assert "engine pyttsx3" in result.stderr
    assert decode_mp3(out).duration_s > 30


def test_an_uninstalled_piper_voice_names_the_command_that_installs_it(tmp_path: Path) -> None:
    pytest.importorskip("piper")
    from click.testing import CliRunner

    from listen.cli import cli
    from tests.conftest import LANGUAGE_SAMPLES

    out = tmp_path / "es.mp3"
    args = ["speak", str(LANGUAGE_SAMPLES["es"]), "--voice", "es-piper", "--engine", "piper"]
    result = CliRunner().invoke(cli, [*args, "-o", str(out)])
    assert result.exit_code == 1
    assert result.output.strip().splitlines()[-1] == (
        "Error: the Piper voice 'es_ES-davefx-medium' is not installed (voice profile "
        "'es-piper') (install it with `listen voices install es_ES-davefx-medium`)"
    )
    assert not out.exists()


def test_voices_columns_line_up_and_counts_read_as_english() -> None:
    lines = voices_output()
    start, end = lines.index("Voice profiles:") + 1, lines.index("Engines:")
    header, rows = lines[start], lines[start + 1 : end]
    status_at = header.index("STATUS")
    for column in ("LANGUAGE", "ENGINE:VOICE", "NAME"):
        at = header.index(column)
        assert all(row[at - 2 : at] == "  " and row[at] != " " for row in rows), column
    assert all(row[status_at - 2 : status_at] == "  " and row[status_at] != " " for row in rows)
    engines = lines[end + 1 :]
    assert not any(" 1 voices" in line for line in engines)
    silent = next(line for line in engines if line.strip().startswith("silent "))
    assert silent.strip().endswith("ready, 1 voice")
    assert len({line.index("ready") for line in engines if "ready" in line}) == 1


def test_the_espeak_engine_status_is_plain_when_pyttsx3_holds_the_library() -> None:
    from listen.cli.voices import engine_status
    from listen.engines import get_engine

    get_engine("pyttsx3").check()  # this process's libespeak-ng now belongs to pyttsx3
    assert engine_status("espeak") == "ready (shares libespeak-ng with pyttsx3)"
