"""Join the engine's chunks into one narration, with the profile's pauses, using pydub.

Also finds an ffmpeg (the system's first, then the one ``imageio-ffmpeg``
ships) and decodes MP3 back to PCM, which the tests and the timing checks use.
"""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Iterable
from functools import cache

from pydub import AudioSegment

from listen.errors import AudioError
from listen.models import AudioChunk

SAMPLE_RATE = 22050
FFMPEG_HINT = "install it with `apt-get install ffmpeg` or `pip install imageio-ffmpeg`"


@cache
def find_ffmpeg() -> str:
    path = shutil.which("ffmpeg")
    if path:
        return path
    try:
        import imageio_ffmpeg

        return str(imageio_ffmpeg.get_ffmpeg_exe())
    except (ImportError, RuntimeError):
        raise AudioError("ffmpeg not found", hint=FFMPEG_HINT) from None


def to_segment(chunk: AudioChunk, sample_rate: int = SAMPLE_RATE) -> AudioSegment:
    segment = AudioSegment(
        data=chunk.pcm,
        sample_width=chunk.sample_width,
        frame_rate=chunk.sample_rate,
        channels=chunk.channels,
    )
    if chunk.channels != 1:
        segment = segment.set_channels(1)
    if chunk.sample_width != 2:
        segment = segment.set_sample_width(2)
    if chunk.sample_rate != sample_rate:
        segment = segment.set_frame_rate(sample_rate)
    return segment


def silence(ms: int, sample_rate: int = SAMPLE_RATE) -> AudioSegment:
    return AudioSegment.silent(duration=ms, frame_rate=sample_rate)


def assemble(
    pieces: Iterable[tuple[Iterable[AudioChunk], int]], sample_rate: int = SAMPLE_RATE
) -> AudioSegment:
    """Chunks of each segment, then its pause, in order -> one mono 16-bit segment.

    The raw bytes are gathered and joined once: adding pydub segments one by
    one copies the whole narration on every step.
    """
    raw: list[bytes] = []
    for chunks, pause_ms in pieces:
        for chunk in chunks:
            raw.append(to_segment(chunk, sample_rate).raw_data)
        if pause_ms:
            raw.append(silence(pause_ms, sample_rate).raw_data)
    return AudioSegment(data=b"".join(raw), sample_width=2, frame_rate=sample_rate, channels=1)


def decode(path: str, sample_rate: int = SAMPLE_RATE) -> AudioChunk:
    """Any audio file -> mono 16-bit PCM at ``sample_rate``, through ffmpeg."""
    cmd = [
        find_ffmpeg(),
        "-v",
        "error",
        "-nostdin",
        "-i",
        str(path),
        "-f",
        "s16le",
        "-ac",
        "1",
        "-ar",
        str(sample_rate),
        "-",
    ]
    result = subprocess.run(cmd, capture_output=True, check=False)
    if result.returncode != 0:
        message = result.stderr.decode("utf-8", "replace").strip().splitlines()
        raise AudioError(f"cannot decode {path}: {message[-1] if message else 'ffmpeg failed'}")
    return AudioChunk(pcm=result.stdout, sample_rate=sample_rate)
