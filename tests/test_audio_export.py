"""audio and export: exact joins, MP3 encoding, ID3 tags, atomic writes."""

from __future__ import annotations

import errno
import os
from pathlib import Path

import numpy as np
import pytest
from mutagen.id3 import ID3

import listen.audio
import listen.export
from listen.audio import SAMPLE_RATE, assemble, decode, to_pcm16
from listen.errors import AudioError, ExportError
from listen.export import atomic_path, write_mp3
from listen.models import AudioChunk, Block, Script
from tests.conftest import rms

SCRIPT = Script(
    title="Test title",
    language="ar",
    blocks=(
        Block("title", "Test title", "Test title"),
        Block("paragraph", "Body text.", "Body text."),
    ),
    author="Jane Doe",
    published="2025-02-18",
    site="Al Mayadeen",
    url="https://www.almayadeen.net/news/تونس-زيت",
)


def tone(ms: int, rate: int = SAMPLE_RATE, amplitude: int = 8000) -> AudioChunk:
    frames = rate * ms // 1000
    pcm = b"".join(
        (amplitude if (i // 20) % 2 else -amplitude).to_bytes(2, "little", signed=True)
        for i in range(frames)
    )
    return AudioChunk(pcm, rate)


def test_assemble_puts_exact_pauses_between_chunks() -> None:
    audio = assemble([([tone(500)], 250), ([tone(1000)], 0)])
    first, pause, second = 11025, 5512, 22050  # frames at 22,050 Hz; a pause rounds down
    assert len(audio.pcm) == 2 * (first + pause + second)
    gap = audio.pcm[2 * first : 2 * (first + pause)]
    assert gap == bytes(len(gap))
    assert audio.pcm[2 * (first + pause) : 2 * (first + pause + 40)] != bytes(80)


def test_assemble_resamples_other_rates() -> None:
    audio = assemble([([tone(1000, rate=16000)], 0)])
    assert audio.sample_rate == SAMPLE_RATE
    assert abs(audio.duration_ms - 1000) <= 1


def test_mp3_round_trip_with_tags(tmp_path: Path) -> None:
    out = tmp_path / "a.mp3"
    write_mp3(assemble([([tone(2000)], 500)]).pcm, out, SCRIPT, bitrate=48)
    decoded = decode(str(out))
    assert abs(decoded.duration_ms - 2500) < 120  # encoder padding only
    assert rms(decoded.pcm) > 1000
    tags = ID3(out)
    assert tags.version[:2] == (2, 4)
    assert tags["TIT2"].text == ["Test title"]
    assert tags["TPE1"].text == ["Jane Doe"]
    assert tags["TALB"].text == ["Al Mayadeen"]
    assert str(tags["TDRC"].text[0]) == "2025-02-18"
    assert tags["TLAN"].text == ["ara"]
    assert (
        tags["WOAS"].url
        == "https://www.almayadeen.net/news/%D8%AA%D9%88%D9%86%D8%B3-%D8%B2%D9%8A%D8%AA"
    )
    lyrics = tags.getall("USLT")[0]
    assert lyrics.lang == "ara" and "Body text." in lyrics.text
    assert oct(out.stat().st_mode & 0o777) != oct(0o600)
    assert list(tmp_path.iterdir()) == [out]


def test_failed_encode_leaves_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(listen.export, "find_ffmpeg", lambda: "/bin/false")
    out = tmp_path / "a.mp3"
    with pytest.raises(AudioError, match="MP3 encoding failed"):
        write_mp3(assemble([([tone(100)], 0)]).pcm, out, SCRIPT)
    assert list(tmp_path.iterdir()) == []


def test_full_disk_is_a_clear_error_and_keeps_the_old_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "a.mp3"
    out.write_bytes(b"old")

    def full(*args: object) -> None:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(listen.export.os, "replace", full)
    with pytest.raises(ExportError, match="the disk is full"):
        write_mp3(assemble([([tone(100)], 0)]).pcm, out, SCRIPT)
    assert out.read_bytes() == b"old"
    assert list(tmp_path.iterdir()) == [out]


def test_unwritable_directory(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(ExportError, match="cannot write"), atomic_path(blocker / "a.mp3"):
        pass


def test_interrupted_write_leaves_nothing(tmp_path: Path) -> None:
    out = tmp_path / "a.mp3"
    with pytest.raises(KeyboardInterrupt), atomic_path(out) as tmp:
        tmp.write_bytes(b"half")
        raise KeyboardInterrupt
    assert list(tmp_path.iterdir()) == []


def test_missing_ffmpeg_says_what_to_install(monkeypatch: pytest.MonkeyPatch) -> None:
    import builtins

    listen.audio.find_ffmpeg.cache_clear()
    monkeypatch.setattr(listen.audio.shutil, "which", lambda name: None)
    real_import = builtins.__import__

    def no_imageio(name: str, *args: object, **kwargs: object) -> object:
        if name == "imageio_ffmpeg":
            raise ImportError(name)
        return real_import(name, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(builtins, "__import__", no_imageio)
    try:
        with pytest.raises(AudioError) as err:
            listen.audio.find_ffmpeg()
        assert "ffmpeg not found (install it with `apt-get install ffmpeg`" in err.value.one_line()
    finally:
        listen.audio.find_ffmpeg.cache_clear()


def test_pip_ffmpeg_is_found_without_a_system_one(monkeypatch: pytest.MonkeyPatch) -> None:
    listen.audio.find_ffmpeg.cache_clear()
    monkeypatch.setattr(listen.audio.shutil, "which", lambda name: None)
    try:
        path = listen.audio.find_ffmpeg()
        assert "imageio_ffmpeg" in path and os.access(path, os.X_OK)
    finally:
        listen.audio.find_ffmpeg.cache_clear()


def sine(rate: int, ms: int, hz: float = 440.0, level: float = 0.5) -> np.ndarray:
    t = np.arange(rate * ms // 1000) / rate
    return level * np.sin(2 * np.pi * hz * t)


def as_pcm(values: np.ndarray, width: int) -> bytes:
    """Floats in [-1, 1) -> signed little-endian PCM of ``width`` bytes."""
    ints = np.round(values * (2 ** (8 * width - 1) - 1)).astype("<i4")
    if width == 3:
        return b"".join(int(v).to_bytes(3, "little", signed=True) for v in ints)
    return ints.astype({1: "i1", 2: "<i2", 4: "<i4"}[width]).tobytes()


def dominant_hz(pcm: bytes, rate: int) -> float:
    samples = np.frombuffer(pcm, dtype="<i2").astype(np.float64)
    spectrum = np.abs(np.fft.rfft(samples))
    return float(np.fft.rfftfreq(len(samples), 1 / rate)[int(np.argmax(spectrum))])


@pytest.mark.parametrize("width", [1, 2, 3, 4])
@pytest.mark.parametrize("rate", [16000, 22050, 24000, 44100])
def test_any_width_rate_and_channels_become_mono_16_bit(width: int, rate: int) -> None:
    left = sine(rate, 500)
    stereo = np.stack([left, left], axis=1).reshape(-1)  # interleaved, both channels alike
    chunk = AudioChunk(as_pcm(stereo, width), rate, sample_width=width, channels=2)
    pcm = to_pcm16(chunk, SAMPLE_RATE)
    assert len(pcm) == 2 * round(len(left) * SAMPLE_RATE / rate)
    assert abs(dominant_hz(pcm, SAMPLE_RATE) - 440) < 4  # the pitch survives resampling
    peak = np.abs(np.frombuffer(pcm, dtype="<i2")).max() / 32768
    assert abs(peak - 0.5) < 0.02  # and the level survives the width change


def test_stereo_is_averaged_not_summed() -> None:
    frames = np.array([[16000, -16000], [8000, 8000]], dtype="<i2").tobytes()
    pcm = to_pcm16(AudioChunk(frames, SAMPLE_RATE, channels=2))
    assert np.frombuffer(pcm, dtype="<i2").tolist() == [0, 8000]


def test_mono_16_bit_at_the_rate_passes_through_unchanged() -> None:
    chunk = tone(100)
    assert to_pcm16(chunk) == chunk.pcm


def test_an_unknown_sample_width_is_an_audio_error() -> None:
    with pytest.raises(AudioError, match="sample width"):
        to_pcm16(AudioChunk(bytes(50), 16000, sample_width=5))


def test_no_module_imports_pydub_or_audioop() -> None:
    """Python 3.13 removed audioop, which pydub needs."""
    root = Path(listen.audio.__file__).parent
    for source in root.rglob("*.py"):
        text = source.read_text(encoding="utf-8")
        assert "import pydub" not in text and "from pydub" not in text, source
        assert "import audioop" not in text, source
