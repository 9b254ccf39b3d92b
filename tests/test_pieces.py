"""Piecewise MP3: joins decode without a click, line up to the sample, and only edits re-encode."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest

from listen.audio import find_ffmpeg
from listen.errors import AudioError
from listen.models import AudioChunk
from listen.mp3frames import GAIN_STEP_DB, _crc16, apply_gain, frames
from listen.pieces import DELAY, FRAME, EncoderSettings, Narration, PieceStore, encode_piece

RATE = 22050
SENTENCES = [
    "The drones cost two thousand dollars each.",
    "Armies now buy them by the thousand.",
    "Each one can disable a tank worth millions.",
    "Defences that cost more than the attack cannot last.",
]


def espeak(text: str) -> AudioChunk:
    binary = shutil.which("espeak-ng")
    assert binary, "espeak-ng is needed (apt-get install espeak-ng)"
    wav = subprocess.run(
        [binary, "-v", "en-us", "--stdout", text], capture_output=True, check=True
    ).stdout
    return AudioChunk(wav[44:], RATE)


@pytest.fixture(scope="module")
def chunks() -> list[AudioChunk]:
    return [espeak(text) for text in SENTENCES]


def decode_raw(path: Path) -> np.ndarray:
    """Every decoded sample, no gapless trimming (the file has no header to trim by)."""
    out = subprocess.run(
        [find_ffmpeg(), "-v", "error", "-f", "mp3", "-i", str(path), "-f", "s16le", "-"],
        capture_output=True,
        check=True,
    ).stdout
    return np.frombuffer(out, dtype="<i2").astype(np.float64)


def narrate(
    chunks: list[AudioChunk], out: Path, store: PieceStore | None
) -> tuple[Narration, list[tuple[int, int]]]:
    spans: list[tuple[int, int]] = []
    with Narration(-19.0, store=store) as narration:
        for chunk in chunks:
            spans.append(narration.add(chunk))
            narration.pause(550, block_end=True)
        narration.finish()
        narration.join(out)
    return narration, spans


def test_joins_are_exact_and_click_free(chunks: list[AudioChunk], tmp_path: Path) -> None:
    narration, spans = narrate(chunks, tmp_path / "a.mp3", None)
    decoded = decode_raw(tmp_path / "a.mp3")
    assert len(decoded) == narration.frames  # the timeline is the decoded file's
    for (start, end), chunk in zip(spans, chunks, strict=True):
        assert (start - DELAY) % FRAME == 0  # every sentence here opens a piece
        source = np.frombuffer(chunk.pcm, dtype="<i2").astype(np.float64)
        window = decoded[start - 200 : end + 200]
        lags = np.correlate(window, source, mode="valid")
        assert int(np.argmax(lags)) == 200  # where the timings say, to the sample
        assert len(source) == end - start
    cuts = [start - DELAY for start, _ in spans[1:]]
    steps = np.abs(np.diff(decoded))
    own = np.percentile(steps[steps > 0], 99.9)  # the signal's own largest moves
    for cut in cuts:
        around = decoded[cut - 256 : cut + 256]
        assert np.abs(np.diff(around)).max() <= own / 10, "a join clicks"
        assert np.abs(around).max() < 200  # the join sits in silence


def test_an_edit_reencodes_only_its_piece(chunks: list[AudioChunk], tmp_path: Path) -> None:
    store = PieceStore(tmp_path / "pieces")
    first, _ = narrate(chunks, tmp_path / "a.mp3", store)
    assert first.encoded == len(chunks)
    edited = [*chunks[:2], espeak("Each one can disable a tank worth many millions."), chunks[3]]
    second, spans = narrate(edited, tmp_path / "b.mp3", store)
    assert second.encoded == 1
    decoded = decode_raw(tmp_path / "b.mp3")
    assert len(decoded) == second.frames
    source = np.frombuffer(edited[3].pcm, dtype="<i2").astype(np.float64)
    start, _ = spans[3]
    lags = np.correlate(decoded[start - 200 : start + len(source) + 200], source, mode="valid")
    assert int(np.argmax(lags)) == 200  # the piece after the edit moved with it, exactly
    for start, _ in spans[1:]:
        around = decoded[start - DELAY - 256 : start - DELAY + 256]
        assert np.abs(around).max() < 200


def test_an_edit_regains_only_its_piece(
    chunks: list[AudioChunk], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The loudness correction of unchanged pieces is read back from the store, not redone."""
    import listen.mp3frames

    quiet = [AudioChunk((np.frombuffer(c.pcm, "<i2") // 4).astype("<i2").tobytes(), RATE)
             for c in chunks]  # fmt: skip
    store = PieceStore(tmp_path / "pieces")
    first, _ = narrate(quiet, tmp_path / "a.mp3", store)
    assert first.gain_steps() != 0  # the first piece's own loudness was not the whole's
    gained: list[int] = []
    original = listen.mp3frames.apply_gain

    def counted(data: bytes | bytearray, steps: int) -> bytearray:
        gained.append(steps)
        return original(data, steps)

    monkeypatch.setattr(listen.mp3frames, "apply_gain", counted)
    again, _ = narrate(quiet, tmp_path / "b.mp3", store)
    assert gained == [] and again.encoded == 0
    assert (tmp_path / "b.mp3").read_bytes() == (tmp_path / "a.mp3").read_bytes()
    edited = [*quiet[:3], espeak("Defences that cost more than the attack cannot last long.")]
    edited[3] = AudioChunk((np.frombuffer(edited[3].pcm, "<i2") // 4).astype("<i2").tobytes(), RATE)
    third, _ = narrate(edited, tmp_path / "c.mp3", store)
    assert third.gain_steps() == first.gain_steps()  # one sentence moves the level little
    assert gained == [first.gain_steps()]  # only the changed piece was gained
    decoded = decode_raw(tmp_path / "c.mp3")
    assert len(decoded) == third.frames


def test_loudness_lands_within_one_step(chunks: list[AudioChunk], tmp_path: Path) -> None:
    from listen.loudness import loudness

    quiet = [
        AudioChunk((np.frombuffer(c.pcm, "<i2") // 4).astype("<i2").tobytes(), RATE) for c in chunks
    ]
    narrate(quiet, tmp_path / "q.mp3", None)
    decoded = decode_raw(tmp_path / "q.mp3")
    measured = loudness(np.round(decoded).astype("<i2").tobytes(), RATE)
    assert abs(measured - -19.0) <= GAIN_STEP_DB / 2 + 0.1
    assert np.abs(decoded).max() < 32768 * 10 ** (-1.0 / 20)  # peaks under -1 dBFS


def test_global_gain_scales_exactly(chunks: list[AudioChunk], tmp_path: Path) -> None:
    pcm = b"".join(c.pcm for c in chunks)
    data = encode_piece(pcm, EncoderSettings())
    (tmp_path / "0.mp3").write_bytes(data)
    (tmp_path / "m2.mp3").write_bytes(apply_gain(data, -2))
    base, quieter = decode_raw(tmp_path / "0.mp3"), decode_raw(tmp_path / "m2.mp3")
    ratio = np.sqrt((quieter**2).sum() / (base**2).sum())
    assert ratio == pytest.approx(2 ** (-2 / 4), rel=2e-3)
    assert len(frames(data)) == -(-(len(pcm) // 2 + 2 * FRAME) // FRAME)
    with pytest.raises(AudioError):
        frames(data[:-10] + b"\x00" * 3)


def test_crc16_is_mpeg_audio_crc() -> None:
    assert _crc16(b"123456789") == 0xAEE7  # CRC-16/CMS: polynomial 0x8005, initial 0xFFFF
