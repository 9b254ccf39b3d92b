"""audio and export: exact joins, MP3 encoding, ID3 tags, atomic writes."""

from __future__ import annotations

import errno
import os
from pathlib import Path

import pytest
from mutagen.id3 import ID3

import listen.audio
import listen.export
from listen.audio import SAMPLE_RATE, assemble, decode
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
    assert len(audio.raw_data) == 2 * (first + pause + second)
    gap = audio.raw_data[2 * first : 2 * (first + pause)]
    assert gap == bytes(len(gap))
    assert audio.raw_data[2 * (first + pause) : 2 * (first + pause + 40)] != bytes(80)


def test_assemble_resamples_other_rates() -> None:
    audio = assemble([([tone(1000, rate=16000)], 0)])
    assert audio.frame_rate == SAMPLE_RATE
    assert abs(len(audio) - 1000) <= 1


def test_mp3_round_trip_with_tags(tmp_path: Path) -> None:
    out = tmp_path / "a.mp3"
    write_mp3(assemble([([tone(2000)], 500)]).raw_data, out, SCRIPT, bitrate=48)
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
        write_mp3(assemble([([tone(100)], 0)]).raw_data, out, SCRIPT)
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
        write_mp3(assemble([([tone(100)], 0)]).raw_data, out, SCRIPT)
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
