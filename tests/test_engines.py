"""engines: the protocol, the registry, and both espeak-based engines speaking for real.

pyttsx3 runs in this process (espeak starts once per process, so it stays for
the whole session); the direct espeak engine runs in a child process of its own.
"""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from listen.engines import Engine, available, get_engine, ready_engine
from listen.engines.silent import MS_PER_WORD
from listen.errors import ListenError, SynthesisError, VoiceError
from listen.models import AudioChunk
from listen.voices import VoiceProfile, choose_profile
from tests.conftest import rms

EN = VoiceProfile(id="t-en", name="t", language="en", voice="en-us")


def speak(engine: Engine, text: str, voice: VoiceProfile = EN) -> AudioChunk:
    chunks = list(engine.synthesize(text, voice))
    assert len(chunks) == 1
    return chunks[0]


def test_builtin_engines_are_registered_and_follow_the_protocol() -> None:
    assert {"pyttsx3", "espeak", "silent"} <= set(available())
    for name in ("pyttsx3", "espeak", "silent"):
        assert isinstance(get_engine(name), Engine)


def test_unknown_engine_lists_the_choices() -> None:
    with pytest.raises(ListenError) as err:
        get_engine("festival")
    assert (
        "unknown engine 'festival' (please select one of: espeak, piper, pyttsx3, silent"
        in err.value.one_line()
    )


def test_unknown_engine_is_its_own_error_class() -> None:
    from listen.errors import EngineError, UnknownEngine

    with pytest.raises(UnknownEngine) as err:
        get_engine("festival")
    assert isinstance(err.value, EngineError)


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ("os:getcwd", "'os:getcwd' is not an engine class"),
        ("os:path", "'os:path' is not an engine class"),
        ("collections:OrderedDict", "'collections:OrderedDict' is not an engine class"),
        ("no_such_module_here:Engine", "cannot be loaded: No module named 'no_such_module_here'"),
        ("listen.engines.silent:Nothing", "cannot be loaded"),
        (":", "unknown engine ':'"),
    ],
)
def test_a_module_class_that_is_not_an_engine_is_one_line(spec: str, message: str) -> None:
    with pytest.raises(ListenError) as err:
        get_engine(spec)
    assert message in err.value.one_line() and "\n" not in err.value.one_line()


def test_not_an_engine_through_the_cli_is_one_line_not_internal_error(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from click.testing import CliRunner

    from listen.cli import cli
    from tests.conftest import ARTICLE_SAMPLES

    out = tmp_path / "x.mp3"
    args = ["speak", str(ARTICLE_SAMPLES[0]), "-o", str(out), "--engine", "os:getcwd"]
    result = CliRunner().invoke(cli, args)
    assert result.exit_code != 0
    lines = result.output.strip().splitlines()
    assert lines == [
        "Error: 'os:getcwd' is not an engine class (an engine is a class with a "
        "name, check(), voices() and synthesize())"
    ]
    assert not out.exists()


def test_silent_engine_is_exact() -> None:
    chunk = speak(get_engine("silent"), "one two three four")
    assert chunk.duration_ms == 4 * MS_PER_WORD
    assert rms(chunk.pcm) == 0


def test_pyttsx3_speaks_english_arabic_and_spanish() -> None:
    engine = get_engine("pyttsx3")
    engine.check()
    for lang, text in [
        ("en", "The drones were unarmed."),
        ("ar", "قال المسؤول إن الطائرات كانت غير مسلحة."),
        ("es", "Los drones no estaban armados."),
    ]:
        chunk = speak(engine, text, choose_profile(lang))
        assert chunk.sample_rate == 22050
        assert 800 < chunk.duration_ms < 6000, lang
        assert rms(chunk.pcm) > 300, lang


def test_pyttsx3_rate_changes_duration() -> None:
    engine = get_engine("pyttsx3")
    text = "Several processes each with its own engine produced identical files."
    normal = speak(engine, text).duration_ms
    fast = speak(
        engine, text, VoiceProfile(id="f", name="f", language="en", voice="en-us", rate=2.0)
    ).duration_ms
    assert fast < normal * 0.7


def test_pyttsx3_unknown_voice_is_an_error_not_silence() -> None:
    bad = VoiceProfile(id="bad", name="b", language="en", voice="no-such-voice")
    with pytest.raises(VoiceError, match="no voice 'no-such-voice'"):
        speak(get_engine("pyttsx3"), "hello", bad)
    assert speak(get_engine("pyttsx3"), "hello again").frames > 0  # the engine still works


def test_pyttsx3_driver_errors_are_raised(monkeypatch: pytest.MonkeyPatch) -> None:
    engine = get_engine("pyttsx3")
    driver = engine._engine.proxy._driver  # type: ignore[attr-defined]

    def broken(text: str, filename: str) -> None:
        raise RuntimeError("driver exploded")

    monkeypatch.setattr(driver, "save_to_file", broken)
    with pytest.raises(SynthesisError, match="driver exploded"):
        speak(engine, "hello")


def test_pyttsx3_retries_a_dropped_utterance(monkeypatch: pytest.MonkeyPatch) -> None:
    import listen.engines.pyttsx3 as module

    real = module._captured
    calls = []

    def drop_first(pcm):  # type: ignore[no-untyped-def]
        chunk = real(pcm)
        calls.append(chunk.frames)
        return AudioChunk(b"", chunk.sample_rate) if len(calls) == 1 else chunk

    monkeypatch.setattr(module, "_captured", drop_first)
    chunk = speak(get_engine("pyttsx3"), "Check the frame count, and retry.")
    assert len(calls) == 2 and chunk.frames == calls[1] > 0


def test_second_espeak_engine_in_one_process_is_refused_clearly() -> None:
    get_engine("pyttsx3").check()
    with pytest.raises(ListenError, match="already driven by the pyttsx3 engine"):
        get_engine("espeak").check()


def test_ready_engine_uses_the_profile_engine() -> None:
    assert ready_engine(choose_profile("en")).name == "pyttsx3"
    assert ready_engine(choose_profile("en"), "silent").name == "silent"


CHILD = textwrap.dedent(
    """
    import sys
    from listen.engines import get_engine
    from listen.voices import choose_profile
    engine = get_engine("espeak")
    engine.check()
    direct = [c for c in engine.synthesize("The drones were unarmed.", choose_profile("en"))][0]
    arabic = [c for c in engine.synthesize("قال المسؤول", choose_profile("ar"))][0]
    langs = {l for v in engine.voices() for l in v.languages}
    print(direct.frames, direct.sample_rate, arabic.frames, "en-us" in langs, "ar" in langs)
    """
)


def test_direct_espeak_engine_speaks_in_its_own_process() -> None:
    result = subprocess.run(
        [sys.executable, "-c", CHILD], capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    frames, rate, arabic, has_en, has_ar = result.stdout.split()
    assert int(frames) > 22050 // 2 and rate == "22050" and int(arabic) > 0
    assert has_en == has_ar == "True"


def test_direct_espeak_matches_the_espeak_ng_command(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """Synchronous mode is byte-identical to `espeak-ng -w` (when the command exists)."""
    import shutil
    import wave

    if shutil.which("espeak-ng") is None:
        pytest.skip("the espeak-ng command is not installed")
    wav = tmp_path / "cli.wav"
    subprocess.run(
        ["espeak-ng", "-v", "en-us", "-w", str(wav), "Hello there, listener."], check=True
    )
    with wave.open(str(wav)) as w:
        expected = w.readframes(w.getnframes())
    code = CHILD.split("direct =")[0] + textwrap.dedent(
        """
        chunk = [c for c in engine.synthesize("Hello there, listener.", choose_profile("en"))][0]
        sys.stdout.buffer.write(chunk.pcm)
        """
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stdout == expected


def test_pyttsx3_keeps_the_tail_its_driver_drops(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """With the driver's lost last callback restored, pyttsx3 matches `espeak-ng -w` exactly.

    A fresh process, as for the direct engine: espeak carries a little state from
    one utterance to the next, so only a first utterance is comparable byte for
    byte; later ones differ by a few samples (the direct engine does the same).
    """
    import shutil
    import wave

    if shutil.which("espeak-ng") is None:
        pytest.skip("the espeak-ng command is not installed")
    text = (
        "The report detailed that the CIA has previously conducted surveillance drone operations."
    )
    wav = tmp_path / "cli.wav"
    subprocess.run(["espeak-ng", "-v", "en-us", "-w", str(wav), text], check=True)
    with wave.open(str(wav)) as w:
        expected = w.readframes(w.getnframes())
    code = textwrap.dedent(
        f"""
        import sys
        from listen.engines import get_engine
        from listen.voices import choose_profile
        engine = get_engine("pyttsx3")
        sys.stdout.buffer.write(list(engine.synthesize({text!r}, choose_profile("en")))[0].pcm)
        """
    )
    for _ in range(2):  # the driver's callback split varies from run to run
        result = subprocess.run([sys.executable, "-c", code], capture_output=True, timeout=60)
        assert result.returncode == 0, result.stderr
        assert result.stdout == expected


SPEAK_ONE = textwrap.dedent(
    """
    import os, sys, tempfile
    from listen.engines import get_engine
    from listen.voices import choose_profile
    engine = get_engine("pyttsx3")
    chunk = list(engine.synthesize("Nothing is left behind.", choose_profile("en")))[0]
    print(chunk.frames)
    """
)


def _speak_with_tmpdir(tmpdir: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "TMPDIR": str(tmpdir)}
    return subprocess.run(
        [sys.executable, "-c", SPEAK_ONE], capture_output=True, text=True, timeout=30, env=env
    )


def test_pyttsx3_leaves_nothing_in_tmpdir(tmp_path: Path) -> None:
    tmpdir = tmp_path / "tmp"
    tmpdir.mkdir()
    result = _speak_with_tmpdir(tmpdir)
    assert result.returncode == 0, result.stderr
    assert int(result.stdout.split()[-1]) > 22050 // 2
    # No listen-pyttsx3-* folder and no WAV. (libpulse, which the system libespeak-ng
    # loads, keeps one runtime folder per machine there when XDG_RUNTIME_DIR is unset:
    # its name is the same on every run, so it is not a leftover of ours.)
    left = [p.name for p in tmpdir.iterdir() if not p.name.startswith("pulse-")]
    assert left == []


def test_pyttsx3_speaks_quickly_with_a_full_tmpdir(tmp_path: Path) -> None:
    """A full TMPDIR once gave 9 lines of ctypes traceback and a 32 s stall."""
    full = tmp_path / "full"
    full.mkdir()
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=16k", "tmpfs", str(full)], capture_output=True
    )
    if mounted.returncode != 0:
        pytest.skip("cannot mount a tiny tmpfs here (needs root)")
    try:
        with contextlib.suppress(OSError), (full / "fill").open("wb") as fh:
            while True:
                fh.write(bytes(4096))
                fh.flush()
        started = time.monotonic()
        result = _speak_with_tmpdir(full)
        elapsed = time.monotonic() - started
    finally:
        subprocess.run(["umount", "-l", str(full)], check=False)
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr and result.stderr.count("\n") <= 1
    assert int(result.stdout.split()[-1]) > 22050 // 2
    assert elapsed < 15
