"""Join the engine's chunks into one narration, with the profile's pauses, and measure its loudness.

Chunks are converted with pydub (any rate, width or channel count becomes
mono 16-bit at ``SAMPLE_RATE``) and appended to a ``Spool``: a temporary file,
so an hour of narration never sits in memory, and every sentence's position
is known to the sample. Loudness is measured per ITU-R BS.1770 by ffmpeg's
``ebur128`` filter; ffmpeg is the system's, else the one ``imageio-ffmpeg`` ships.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import tempfile
from collections.abc import Iterable
from functools import cache
from pathlib import Path
from types import TracebackType

from pydub import AudioSegment

from listen.errors import AudioError
from listen.models import AudioChunk
from listen.tidy import spool_prefix

SAMPLE_RATE = 22050
FFMPEG_HINT = "install it with `apt-get install ffmpeg` or `pip install imageio-ffmpeg`"
SILENT_LUFS = -70.0  # BS.1770's absolute gate: below it there is nothing to measure


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


class Spool:
    """Mono 16-bit PCM appended to a temporary file; ``frames`` is where the next sound starts."""

    def __init__(self, sample_rate: int = SAMPLE_RATE) -> None:
        self.sample_rate = sample_rate
        self.frames = 0
        self._file = tempfile.NamedTemporaryFile(prefix=spool_prefix(), suffix=".pcm")  # noqa: SIM115
        self.path = Path(self._file.name)

    def add(self, chunk: AudioChunk) -> tuple[int, int]:
        """Append speech; return its first and one-past-last frame."""
        raw = to_segment(chunk, self.sample_rate).raw_data
        start = self.frames
        self._write(raw)
        return start, self.frames

    def pause(self, ms: int) -> None:
        """Digital silence; integer arithmetic, so pauses never drift the timings."""
        if ms > 0:
            self._write(bytes(2 * (ms * self.sample_rate // 1000)))

    def _write(self, raw: bytes) -> None:
        try:
            self._file.write(raw)
        except OSError as exc:
            raise AudioError(f"cannot spool audio to {self.path.parent}: {exc.strerror}") from None
        self.frames += len(raw) // 2

    def flush(self) -> None:
        self._file.flush()

    @property
    def duration_ms(self) -> int:
        return self.frames * 1000 // self.sample_rate

    def read(self) -> bytes:
        self.flush()
        return self.path.read_bytes()

    def close(self) -> None:
        self._file.close()

    def __enter__(self) -> Spool:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()


def assemble(pieces: Iterable[tuple[Iterable[AudioChunk], int]]) -> AudioSegment:
    """Chunks of each segment, then its pause, in order -> one pydub segment (for short audio)."""
    with Spool() as spool:
        for chunks, pause_ms in pieces:
            for chunk in chunks:
                spool.add(chunk)
            spool.pause(pause_ms)
        return AudioSegment(data=spool.read(), sample_width=2, frame_rate=SAMPLE_RATE, channels=1)


def pcm_input(sample_rate: int) -> list[str]:
    """ffmpeg arguments that describe raw mono 16-bit PCM."""
    return ["-f", "s16le", "-ar", str(sample_rate), "-ch_layout", "mono"]


_INTEGRATED = re.compile(r"^\s*I:\s*(-?[\d.]+|-inf)\s*LUFS", re.M)


def measure_loudness(path: Path, sample_rate: int = SAMPLE_RATE) -> float:
    """Integrated loudness (LUFS, BS.1770) of a raw PCM file."""
    cmd = [
        find_ffmpeg(),
        "-nostdin",
        "-hide_banner",
        "-nostats",
        *pcm_input(sample_rate),
        "-i",
        str(path),
        "-af",
        "ebur128=framelog=verbose",
        "-f",
        "null",
        "-",
    ]
    result = subprocess.run(cmd, capture_output=True, check=False)
    found = _INTEGRATED.findall(result.stderr.decode("utf-8", "replace"))
    if result.returncode != 0 or not found:
        raise AudioError("cannot measure loudness: ffmpeg's ebur128 filter failed")
    value = found[-1]
    return SILENT_LUFS if value == "-inf" else max(SILENT_LUFS, float(value))


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
