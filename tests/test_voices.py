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
        assert profile.label("caption") is None  # the language pack says it (listen/lang)
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
    assert "please select one of: ar, en, en-piper, es, fallback" in err.value.one_line()


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
