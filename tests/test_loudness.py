"""The streaming BS.1770 meter against ffmpeg's ebur128, on real espeak-ng speech."""

from __future__ import annotations

import math
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest

from listen.audio import measure_loudness
from listen.loudness import LoudnessMeter, loudness

RATE = 22050


@pytest.fixture(scope="module")
def speech() -> bytes:
    espeak = shutil.which("espeak-ng")
    assert espeak, "espeak-ng is needed (apt-get install espeak-ng)"
    text = (
        "Drones that cost two thousand dollars are changing how wars are fought. "
        "Armies that once bought a few expensive weapons now buy thousands of cheap ones."
    )
    wav = subprocess.run(
        [espeak, "-v", "en-us", "--stdout", text], capture_output=True, check=True
    ).stdout
    return wav[44:]  # espeak-ng writes a plain 44-byte header, mono 16-bit at 22.05 kHz


def test_matches_ffmpeg_on_speech(speech: bytes, tmp_path: Path) -> None:
    pcm = tmp_path / "speech.pcm"
    pcm.write_bytes(speech)
    reference = measure_loudness(pcm, RATE)
    meter = LoudnessMeter(RATE)
    for start in range(0, len(speech), 3001 * 2):  # odd chunk sizes: steps span chunks
        meter.add(speech[start : start + 3001 * 2])
    assert meter.integrated() == pytest.approx(reference, abs=0.15)
    assert meter.integrated() == pytest.approx(loudness(speech, RATE), abs=1e-9)


def test_quieter_speech_reads_exactly_that_much_lower(speech: bytes) -> None:
    samples = np.frombuffer(speech, dtype="<i2")
    quieter = np.round(samples * 10 ** (-6 / 20)).astype("<i2").tobytes()
    assert loudness(quieter, RATE) == pytest.approx(loudness(speech, RATE) - 6, abs=0.01)


def test_gates_ignore_silence(speech: bytes) -> None:
    padded = bytes(2 * RATE * 5) + speech + bytes(2 * RATE * 5)
    # Only the few blocks that straddle the speech's edges differ.
    assert loudness(padded, RATE) == pytest.approx(loudness(speech, RATE), abs=0.1)
    assert loudness(bytes(2 * RATE * 3), RATE) == -math.inf
    assert loudness(speech[: 2 * RATE // 5 - 2], RATE) == -math.inf  # under one 400 ms block


def test_calibration_tone() -> None:
    """BS.1770: a 997 Hz sine at full scale reads -3.01 LUFS (mono)."""
    t = np.arange(RATE * 3) / RATE
    tone = np.round(np.sin(2 * np.pi * 997 * t) * 32767).astype("<i2").tobytes()
    meter = LoudnessMeter(RATE)
    meter.add(tone)
    assert meter.integrated() == pytest.approx(-3.01, abs=0.05)
    assert meter.peak_dbfs == pytest.approx(0.0, abs=0.01)
