"""Join the engine's chunks into one narration, with the profile's pauses, and measure its loudness.

Chunks are converted with numpy (any rate, width or channel count becomes
mono 16-bit at ``SAMPLE_RATE``) and appended to a ``Spool``: a temporary file,
so an hour of narration never sits in memory, and every sentence's position
is known to the sample. Loudness is measured per ITU-R BS.1770 by ffmpeg's
``ebur128`` filter; ffmpeg is the system's, else the one ``imageio-ffmpeg`` ships.
"""

from __future__ import annotations

import ctypes
import re
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from types import TracebackType

import numpy as np
from numpy.typing import NDArray

from listen.errors import AudioError
from listen.models import AudioChunk
from listen.tidy import spool_prefix

SAMPLE_RATE = 22050
FFMPEG_HINT = "install it with `apt-get install ffmpeg` or `pip install 'listen-aloud[ffmpeg]'`"
SILENT_LUFS = -70.0  # BS.1770's absolute gate: below it there is nothing to measure


M_MMAP_THRESHOLD = -3  # mallopt's parameter number in glibc's malloc.h
LARGE_BUFFER = 1 << 20  # bytes: a buffer this large is mapped on its own, and unmapped when freed


@cache
def _libc_trim() -> Callable[[int], int] | None:
    """glibc's ``malloc_trim`` (having fixed its mmap threshold), or None on another libc."""
    if not sys.platform.startswith("linux"):
        return None
    try:
        libc = ctypes.CDLL(None)
        trim: Callable[[int], int] = libc.malloc_trim
        libc.mallopt(M_MMAP_THRESHOLD, LARGE_BUFFER)
    except (OSError, AttributeError):  # musl has neither
        return None
    return trim


def release_freed_memory() -> None:
    """Give the pages of freed buffers back to the system (glibc only; elsewhere nothing).

    A render frees several float copies of each piece (megabytes) as it goes.
    glibc raises its mmap threshold each time such a mapped block is freed, and
    then serves the next ones from its heaps, which keep the high-water mark of
    every piece's scratch: about 25 MB more by the end of an hour. So the first
    call fixes the threshold at 1 MiB (large buffers are mapped, and unmapped when
    freed; the meter's smaller slices reuse heap memory), and each call trims the
    heaps. Called once a piece, it costs microseconds.
    """
    trim = _libc_trim()
    if trim is not None:
        trim(0)


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


def _samples(chunk: AudioChunk) -> NDArray[np.float64]:
    """Signed little-endian PCM of any width -> floats in [-1, 1), one row per frame."""
    width = chunk.sample_width
    raw = chunk.pcm[: chunk.frames * width * chunk.channels]
    if width == 3:  # 24-bit: widen each sample to 32 bits, sign taken from its top byte
        bytes3 = np.frombuffer(raw, dtype=np.uint8).reshape(-1, 3)
        padded = np.zeros((len(bytes3), 4), dtype=np.uint8)
        padded[:, 1:] = bytes3
        values = padded.view("<i4").reshape(-1).astype(np.float64) / 2**31
    elif width in (1, 2, 4):
        dtype = {1: "i1", 2: "<i2", 4: "<i4"}[width]
        values = np.frombuffer(raw, dtype=dtype).astype(np.float64) / 2 ** (8 * width - 1)
    else:
        raise AudioError(f"unsupported sample width: {width} bytes")
    return values.reshape(-1, chunk.channels)


def to_pcm16(chunk: AudioChunk, sample_rate: int = SAMPLE_RATE) -> bytes:
    """Any chunk -> mono signed 16-bit PCM at ``sample_rate``.

    Channels are averaged; the rate is changed by linear interpolation, which is
    what speech needs (and what pydub's audioop did before Python 3.13 removed it).
    A chunk that is already mono 16-bit at the rate is returned as it is.
    """
    if chunk.channels < 1 or chunk.sample_rate < 1:
        raise AudioError(f"malformed audio: {chunk.channels} channels at {chunk.sample_rate} Hz")
    if (chunk.channels, chunk.sample_width, chunk.sample_rate) == (1, 2, sample_rate):
        return chunk.pcm[: chunk.frames * 2]
    mono = _samples(chunk).mean(axis=1)
    if chunk.sample_rate != sample_rate and len(mono):
        count = round(len(mono) * sample_rate / chunk.sample_rate)
        positions = np.arange(count) * (chunk.sample_rate / sample_rate)
        mono = np.interp(positions, np.arange(len(mono)), mono)
    scaled = np.clip(np.round(mono * 32768.0), -32768, 32767).astype("<i2")
    return bytes(scaled.tobytes())


class Spool:
    """Mono 16-bit PCM appended to a temporary file; ``frames`` is where the next sound starts."""

    def __init__(self, sample_rate: int = SAMPLE_RATE) -> None:
        self.sample_rate = sample_rate
        self.frames = 0
        self._file = tempfile.NamedTemporaryFile(prefix=spool_prefix(), suffix=".pcm")  # noqa: SIM115
        self.path = Path(self._file.name)

    def add(self, chunk: AudioChunk) -> tuple[int, int]:
        """Append speech; return its first and one-past-last frame."""
        raw = to_pcm16(chunk, self.sample_rate)
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


def assemble(pieces: Iterable[tuple[Iterable[AudioChunk], int]]) -> AudioChunk:
    """Chunks of each segment, then its pause, in order -> one mono chunk (for short audio)."""
    with Spool() as spool:
        for chunks, pause_ms in pieces:
            for chunk in chunks:
                spool.add(chunk)
            spool.pause(pause_ms)
        return AudioChunk(spool.read(), SAMPLE_RATE)


def pcm_input(sample_rate: int) -> list[str]:
    """ffmpeg arguments that describe raw mono 16-bit PCM."""
    return ["-f", "s16le", "-ar", str(sample_rate), "-ch_layout", "mono"]


_INTEGRATED = re.compile(r"^\s*I:\s*(-?[\d.]+|-inf)\s*LUFS", re.M)
_PEAK = re.compile(r"^\s*Peak:\s*(-?[\d.]+|-inf)\s*dBFS", re.M)


@dataclass(frozen=True)
class Loudness:
    integrated: float  # LUFS, BS.1770; SILENT_LUFS for silence
    peak: float  # dBFS, the highest sample (what the limiter looks at); -inf for silence


def measure(path: Path, sample_rate: int = SAMPLE_RATE, filters: str | None = None) -> Loudness:
    """Integrated loudness and sample peak of a raw PCM file, after ``filters`` if given
    (to measure what a gain and limiter will make of it). The sample peak costs nothing
    extra; the true peak would quadruple the time (4x oversampling)."""
    chain = f"{filters}," if filters else ""
    cmd = [
        find_ffmpeg(),
        "-nostdin",
        "-hide_banner",
        "-nostats",
        *pcm_input(sample_rate),
        "-i",
        str(path),
        "-af",
        f"{chain}ebur128=peak=sample",
        "-f",
        "null",
        "-",
    ]
    result = subprocess.run(cmd, capture_output=True, check=False)
    text = result.stderr.decode("utf-8", "replace")
    found, peaks = _INTEGRATED.findall(text), _PEAK.findall(text)
    if result.returncode != 0 or not found:
        raise AudioError("cannot measure loudness: ffmpeg's ebur128 filter failed")
    value, peak = found[-1], peaks[-1] if peaks else "-inf"
    integrated = SILENT_LUFS if value == "-inf" else max(SILENT_LUFS, float(value))
    return Loudness(integrated, float("-inf") if peak == "-inf" else float(peak))


def measure_loudness(path: Path, sample_rate: int = SAMPLE_RATE) -> float:
    """Integrated loudness (LUFS, BS.1770) of a raw PCM file."""
    return measure(path, sample_rate).integrated


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
