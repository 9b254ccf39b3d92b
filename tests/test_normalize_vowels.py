"""Arabic short vowels: the real diacritiser on real sentences, heard through espeak-ng."""

from __future__ import annotations

import logging
import re
import subprocess
import sys
import unicodedata
import wave
from pathlib import Path

import pytest

from listen.lang import normalize
from listen.lang.ar import vowels
from listen.lexicon import load_lexicons
from listen.models import Article, Block
from listen.script import build_script, to_text
from listen.voices import get_profile

ROOT = Path(__file__).resolve().parent.parent
#: Sentences with their known vowelling (a person's, in the pausal form at the full stop).
KNOWN = [
    ("ذهب الولد إلى المدرسة.", "ذَهَبَ الْوَلَدُ إِلَى الْمَدْرَسَةْ."),
    (
        "قال الرئيس إن الحكومة ستعقد اجتماعا في المدينة.",
        "قَالَ الرَّئِيسُ إِنَّ الْحُكُومَةَ سَتَعْقِدُ اجْتِمَاعاً فِي الْمَدِينَةْ.",
    ),
    (
        "أعلنت وزارة الصحة أن عدد الشهداء ارتفع إلى مئة شهيد.",
        "أَعْلَنَتْ وِزَارَةُ الصِّحَّةِ أَنَّ عَدَدَ الشُّهَدَاءِ ارْتَفَعَ إِلَى مِئَةِ شَهِيدْ.",
    ),
    (
        "وصل وزير الخارجية إلى العاصمة اللبنانية بيروت صباح اليوم.",
        "وَصَلَ وَزِيرُ الْخَارِجِيَّةِ إِلَى الْعَاصِمَةِ اللُّبْنَانِيَّةِ بَيْرُوتَ صَبَاحَ الْيَوْمْ.",
    ),
]
MARK = re.compile(f"[{vowels.MARKS}]")


def espeak_phonemes(text: str) -> list[str]:
    out = subprocess.run(
        ["espeak-ng", "-v", "ar", "-q", "-x", "--sep= ", text],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return [p for p in re.sub(r"[',]", "", out).split() if p]


def espeak_seconds(text: str, tmp_path: Path) -> float:
    wav = tmp_path / "x.wav"
    subprocess.run(["espeak-ng", "-v", "ar", "-w", str(wav), text], check=True)
    with wave.open(str(wav)) as w:
        return w.getnframes() / w.getframerate()


def distance(a: list[str], b: list[str]) -> int:
    previous = list(range(len(b) + 1))
    for i, x in enumerate(a, 1):
        current = [i]
        for j, y in enumerate(b, 1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (x != y)))
        previous = current
    return previous[-1]


def marks_per_letter(text: str) -> list[str]:
    """The marks after each letter (letters only), for a per-letter diacritic error rate.

    Spelling variants that sound the same are made equal: tanwin written on the
    alif or before it, a sukun, and a kasra on the alif of a joining hamza.
    """
    text = re.sub("([اى])\u064b", "\u064b\\1", text)
    text = re.sub("(^|\\s)\u0627\u0650", "\\1\u0627", text)
    out: list[str] = []
    for ch in text:
        if MARK.match(ch):
            if out:
                out[-1] += ch
        elif "\u0621" <= ch <= "\u064a":
            out.append("")
    return ["".join(sorted(m.replace("\u0652", ""))) for m in out]  # sukun: silent either way


def test_known_sentences_are_vowelled_as_a_reader_says_them() -> None:
    letters = wrong = 0
    for written, known in KNOWN:
        said = normalize(written, "ar", vowel=True)
        assert vowels.strip_marks(said) == written  # only marks were added
        ours, theirs = marks_per_letter(said), marks_per_letter(known)
        assert len(ours) == len(theirs)
        letters += len(theirs)
        wrong += sum(a != b for a, b in zip(ours, theirs, strict=True))
    # The model's published diacritic error on news is about 7%.
    assert wrong / letters < 0.08, f"{wrong} of {letters} letters vowelled otherwise"


def test_espeak_reads_the_vowelled_text_close_to_the_known_reading(tmp_path: Path) -> None:
    """In phonemes and in audio: vowelled within 8% of the known reading, undiacritised far off."""
    ref_total = ours_off = plain_off = 0
    ref_s = ours_s = plain_s = 0.0
    for written, known in KNOWN:
        known = vowels.shadda_first(known)  # this file is NFC, which puts the shadda last
        ref = espeak_phonemes(known)
        ref_total += len(ref)
        said = normalize(written, "ar", vowel=True)
        ours_off += distance(ref, espeak_phonemes(said))
        plain_off += distance(ref, espeak_phonemes(written))
        ref_s += espeak_seconds(known, tmp_path)
        ours_s += espeak_seconds(said, tmp_path)
        plain_s += espeak_seconds(written, tmp_path)
    assert ours_off / ref_total < 0.08
    assert plain_off / ref_total > 0.2
    assert abs(ours_s - ref_s) / ref_s < 0.03
    assert abs(plain_s - ref_s) > abs(ours_s - ref_s)


def test_shadda_comes_before_the_vowel_even_after_nfc() -> None:
    written = unicodedata.normalize("NFC", "مُحَمَّدٌ رسول")  # NFC: fatha, then shadda
    assert "\u064e\u0651" in written
    said = normalize(written, "ar", vowel=True)
    assert "\u064e\u0651" not in said and "\u0651\u064e" in said
    assert espeak_phonemes(said.split()[0])[:6] == ["m", "u", "H", "a", "m", "m"]
    assert "\u064e\u0651" not in normalize(written, "ar")  # also without the diacritiser


def test_the_pages_own_marks_win() -> None:
    # The model reads "علم" as a noun; the page marks the verb "عُلِمَ" (it was known).
    said = normalize("عُلِمَ أن الوفد وصل.", "ar", vowel=True)
    assert said.split()[0] == "عُلِمَ"
    # A page's lone shadda is kept, and the model still adds the vowel that goes with it.
    said = normalize("محمّد رسول", "ar", vowel=True)
    assert said.split()[0].startswith("\u0645\u064f\u062d\u064e\u0645\u0651\u064e")  # مُحَمَّ


def test_tanwin_on_the_alif_is_not_doubled() -> None:
    said = normalize("دفع 20 ديناراً للكيلو", "ar", vowel=True)
    assert "\u064b\u0627\u064b" not in said and "اً" not in said
    assert said.count("\u064b") <= 1


def test_a_lexicon_entry_is_not_vowelled(tmp_path: Path) -> None:
    path = tmp_path / "ar.toml"
    path.write_text(
        'language = "ar"\n[[entry]]\ngraphemes = ["الميادين"]\nalias = "الميادين"\n',
        encoding="utf-8",
    )
    said = normalize("نقلت الميادين الخبر", "ar", load_lexicons([path]), vowel=True)
    assert "الميادين" in said.split()  # as the lexicon says it: no marks added
    assert MARK.search(said.split()[0])


def test_other_languages_and_latin_pass_through() -> None:
    assert normalize("The CIA said", "en", vowel=True) == "The C.I.A. said"
    assert vowels.vowel("NATO 25") == "NATO 25"


def test_the_script_speaks_what_it_shows() -> None:
    voice = get_profile("ar")
    article = Article(
        title="عنوان",
        language="ar",
        blocks=(Block("paragraph", "ذهب الولد إلى المدرسة. وعاد في المساء."),),
    )
    script = build_script(article, voice)
    spoken = to_text(script, spoken=True)
    assert "ذَهَبَ الْوَلَدُ" in spoken
    sentence = script.blocks[0].sentences[0]
    assert sentence.spoken == normalize(sentence.text, "ar", vowel=True)


def test_no_model_means_one_warning_and_plain_speech(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setitem(sys.modules, "dengjen_tashkeel_py", None)  # the import now fails
    monkeypatch.setattr(vowels, "_model", None)
    monkeypatch.setattr(vowels, "_failed", False)
    with caplog.at_level(logging.WARNING, logger="listen"):
        first = normalize("ذهب الولد إلى المدرسة.", "ar", vowel=True)
        second = normalize("وعاد في المساء.", "ar", vowel=True)
    assert first == "ذهب الولد إلى المدرسة." and second == "وعاد في المساء."
    warnings = [r for r in caplog.records if "without short vowels" in r.getMessage()]
    assert len(warnings) == 1
    assert "pip install dengjen-tashkeel-py" in warnings[0].getMessage()


def test_long_text_is_cut_for_the_model_and_joined_back() -> None:
    text = "ذهب الولد إلى المدرسة " * 400  # 8,800 characters, over the piece size
    said = vowels.vowel(text.strip())
    assert vowels.strip_marks(said) == text.strip()
    assert said.count("ذَهَبَ") >= 390


def test_a_lexicon_alias_keeps_its_shadda_first(tmp_path: Path) -> None:
    """Lexicon files are read as NFC (vowel, then shadda); the engine still gets shadda first."""
    path = tmp_path / "ar.toml"
    alias = unicodedata.normalize("NFC", "مُحَمَّد")
    path.write_text(
        f'language = "ar"\n[[entry]]\ngraphemes = ["MHD"]\nalias = "{alias}"\n', encoding="utf-8"
    )
    said = normalize("قال MHD", "ar", load_lexicons([path]), vowel=True)
    assert said.endswith("\u0645\u0651\u064e\u062f") and "\u064e\u0651" not in said
