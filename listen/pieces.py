"""The narration encoded to MP3 piece by piece on a second core while synthesis goes on.

The timeline is cut into pieces inside the pauses between blocks. Each piece
is encoded on its own by LAME (``lameenc``, which releases the GIL, so a
worker thread runs on the other core), and the pieces' frames are joined end
to end. A piece whose audio is unchanged is found in the piece store by the
hash of its samples, so re-rendering an edited article encodes only the
pieces that changed.

Why joins are seamless and exact to the sample:

* LAME starts every stream with main_data_begin = 0 (no bit reservoir to
  borrow from the previous piece) and delays its output by 1105 samples
  (576 in the encoder, 529 in the decoder). Encoding ``n`` samples gives
  ceil((n + 1152) / 576) frames of 576 samples (at 22.05 kHz).
* So every piece starts 1105 samples before its speech, inside the pause,
  and is a whole number of frames long. The encoder is given the piece
  minus its first 1105 samples (silence, which its delay puts back) and
  minus its last 47 (silence, which its padding puts back): the decoded
  piece lines up with the timeline exactly, and its first and last granules
  are silent, so the decoder's overlap across a join adds silence to
  silence. No LAME/Xing header is written, so no decoder trims anything.

Loudness: the meter in ``listen.loudness`` reads the samples as they go to
the encoder. A one-pass render cannot apply the measured gain before the
start is encoded, so the first piece's own loudness sets a provisional gain
(to 0.5 dB), a look-ahead limiter holds the peaks at -3 dBFS, and when the
whole narration has been measured the remaining error is corrected in every
granule's ``global_gain`` (steps of 1.5 dB, see ``listen.mp3frames``). The
result is within 0.75 dB of the target, and at most one step up is taken,
so peaks stay at or under -1.5 dBFS.
"""

from __future__ import annotations

import hashlib
import logging
import math
import os
import tempfile
from collections import deque
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import Any

import numpy as np
import numpy.typing as npt

from listen.audio import release_freed_memory, to_pcm16
from listen.cache import part_file, prune_files, sweep_parts
from listen.errors import AudioError, ExportError
from listen.loudness import LoudnessMeter, loudness
from listen.models import AudioChunk
from listen.mp3frames import GAIN_STEP_DB, frames

DELAY = 1105  # LAME's encoder delay (576) plus the decoder's (529), in samples
FRAME = 576  # samples per Layer III frame below 32 kHz
TAIL = 2 * FRAME - DELAY  # silent samples LAME's padding restores at a piece's end
MIN_CUT = DELAY + TAIL + FRAME  # a pause this long can hold a join, whatever the alignment
CEILING_DBFS = -3.0  # the limiter's ceiling before the final correction
MAX_STEPS_UP = 1  # the correction never lifts peaks by more than one 1.5 dB step
LONG_PIECE_S = 60  # a block longer than this is cut at a sentence pause too
# What LAME's MP3, decoded, plays relative to its input: 0.444 dB quieter in every band
# from 0 to 10 kHz (measured on espeak-ng speech at q 0-9, lameenc and ffmpeg alike).
# The target is for what plays, so the measured input is read this much quieter.
CODEC_GAIN_DB = -0.444
# LAME -q: 7 encodes in 0.57x q 3's time (LAME's and ffmpeg's default) with no loss a speech
# recogniser or the spectrum finds; 8 and 9 write the same bytes. bench/README.md "Encoder quality"
QUALITY = 7
PIECES_FORMAT = 1  # bump when the piece layout or encoder use changes

TOLERANCE_LU = 1.0  # Apple asks for -16 LUFS ±1 dB, EBU R128 allows ±1 LU: further off is said
Samples = npt.NDArray[np.float32]
log = logging.getLogger("listen")


@dataclass(frozen=True)
class EncoderSettings:
    bitrate: int = 64
    quality: int = QUALITY
    sample_rate: int = 22050

    def __post_init__(self) -> None:
        if self.sample_rate >= 32000:
            raise AudioError("piecewise MP3 encoding supports sample rates under 32 kHz")


@dataclass(frozen=True)
class Mastered:
    """What the joined narration measured, and the gain it was given."""

    frames: int
    measured_lufs: float  # as it will play, after the provisional gain and the limiter
    pregain_db: float
    steps: int  # global-gain steps of 1.505 dB applied at the join
    pieces: int
    encoded: int  # pieces encoded in this render (the rest came from the store)

    @property
    def loudness_lufs(self) -> float:
        return self.measured_lufs + self.steps * GAIN_STEP_DB


def _lameenc() -> Any:
    try:
        import lameenc
    except ImportError:
        raise AudioError("lameenc is not installed", hint="pip install lameenc") from None
    return lameenc


def encode_piece(pcm: bytes, settings: EncoderSettings) -> bytes:
    """One self-contained LAME stream: no header frame, nothing borrowed from before."""
    lameenc = _lameenc()

    encoder = lameenc.Encoder()
    encoder.set_bit_rate(settings.bitrate)
    encoder.set_in_sample_rate(settings.sample_rate)
    encoder.set_channels(1)
    encoder.set_quality(settings.quality)
    return bytes(encoder.encode(pcm)) + bytes(encoder.flush())


def expected_frames(samples: int) -> int:
    return -(-(samples + 2 * FRAME) // FRAME)


def limit(samples: Samples, ceiling: float, sample_rate: int) -> Samples:
    """A look-ahead peak limiter: smooth gain dips, so no sample exceeds ``ceiling``.

    ``samples`` is limited in place (and returned).

    Samples over the ceiling are grouped where they lie within 10 ms of each
    other; each group is held at the gain its loudest sample needs, reached by
    a 5 ms raised-cosine ramp before it and left by a 60 ms one after it.
    """
    over = np.flatnonzero(np.abs(samples) > ceiling)
    if not len(over):
        return samples
    attack, hold, release = (sample_rate * ms // 1000 for ms in (5, 10, 60))
    gain = np.ones(len(samples), dtype=np.float32)
    breaks = np.flatnonzero(np.diff(over) > hold)
    starts = over[np.concatenate(([0], breaks + 1))]
    ends = over[np.concatenate((breaks, [len(over) - 1]))]
    for start, end in zip(starts.tolist(), ends.tolist(), strict=True):
        depth = 1.0 - ceiling / float(np.abs(samples[start : end + 1]).max())
        lo, hi = max(0, start - attack), min(len(samples), end + 1 + release)
        dip = np.full(hi - lo, 1.0 - depth, dtype=np.float32)
        down = np.arange(start - lo, dtype=np.float32) / max(attack, 1)
        dip[: start - lo] = 1.0 - depth * (0.5 - 0.5 * np.cos(np.pi * down))
        up = np.arange(hi - end - 1, dtype=np.float32) / max(release, 1)
        dip[end + 1 - lo :] = 1.0 - depth * (0.5 + 0.5 * np.cos(np.pi * up))
        gain[lo:hi] = np.minimum(gain[lo:hi], dip)
    samples *= gain  # the caller's own copy: limited in place
    limited: Samples = np.clip(samples, -ceiling, ceiling, out=samples)
    return limited


class PieceStore:
    """Encoded pieces, one file each, named by the hash of their samples and settings."""

    def __init__(self, directory: Path, max_bytes: int | None = None) -> None:
        self.dir = directory
        self.max_bytes = max_bytes

    def path(self, key: str) -> Path:
        return self.dir / key[:2] / f"{key}.mp3"

    def get(self, key: str) -> Path | None:
        path = self.path(key)
        try:
            os.utime(path)  # recently used: pruned last
        except OSError:
            return None
        return path

    def put(self, key: str, data: bytes) -> Path:
        path = self.path(key)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            with part_file(path) as fh:
                fh.write(data)
        except OSError as exc:
            raise ExportError(f"cannot write an encoded piece to {self.dir}: {exc}") from None
        return path

    def prune(self) -> int:
        sweep_parts(self.dir, depth=1)  # what a killed render left
        if self.max_bytes is None:
            return 0
        return prune_files(list(self.dir.glob("??/*.mp3")), self.max_bytes)


def _key(pcm: bytes, settings: EncoderSettings) -> str:
    digest = hashlib.sha256(
        f"{PIECES_FORMAT}:{settings.bitrate}:{settings.quality}:{settings.sample_rate}:".encode()
    )
    digest.update(pcm)
    return digest.hexdigest()


class Narration:
    """Speech and pauses in; pieces encoded behind them; ``join`` writes the MP3.

    ``add`` returns where each sound lies on the timeline, which is the
    decoded MP3's to the sample (it starts with the encoder's 1105-sample
    delay as silence).
    """

    def __init__(
        self,
        target_lufs: float,
        settings: EncoderSettings | None = None,
        store: PieceStore | None = None,
    ) -> None:
        # Imported here, on the calling thread: loading an extension module on the worker
        # while the pip-installed libespeak-ng speaks on this one can crash the process.
        _lameenc()
        self.settings = settings or EncoderSettings()
        self.target = target_lufs
        self.rate = self.settings.sample_rate
        self._scratch: tempfile.TemporaryDirectory[str] | None = None
        if store is None:
            self._scratch = tempfile.TemporaryDirectory(prefix="listen-pieces-")
            store = PieceStore(Path(self._scratch.name))
        self.store = store
        self.meter = LoudnessMeter(self.rate)
        self.pregain_db: float | None = None
        self._buffer = bytearray(2 * DELAY)  # the current piece, from its start
        self._base = 0  # timeline position of the current piece's first sample
        self._pending: deque[Future[Path]] = deque()
        self._pieces: list[Path | Future[Path]] = []
        # One worker, first in first out: a piece's gain job always runs after its encode.
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="listen-encode")
        self._steps: int | None = None
        self._gained: list[Future[Path]] | None = None
        self.encoded = 0

    @property
    def frames(self) -> int:
        """Where the next sound starts on the timeline."""
        return self._base + len(self._buffer) // 2

    @property
    def duration_ms(self) -> int:
        return self.frames * 1000 // self.rate

    def add(self, chunk: AudioChunk) -> tuple[int, int]:
        start = self.frames
        self._buffer += to_pcm16(chunk, self.rate)
        return start, self.frames

    def pause(self, ms: int, *, block_end: bool = False) -> None:
        """Silence; a join is placed in it at a block's end (or in a very long block)."""
        count = ms * self.rate // 1000
        long_piece = len(self._buffer) // 2 > LONG_PIECE_S * self.rate
        if count < MIN_CUT or not (block_end or long_piece):
            self._buffer += bytes(2 * count)
            return
        # The next speech starts DELAY samples after a frame boundary: round the pause up.
        speech = self.frames + count
        speech += (DELAY - speech) % FRAME
        cut = speech - DELAY
        self._buffer += bytes(2 * (cut - self.frames))
        self._submit(bytes(self._buffer))
        self._base = cut
        self._buffer = bytearray(2 * DELAY)

    def _submit(self, piece: bytes) -> None:
        if self.pregain_db is None:
            first = loudness(piece, self.rate) + CODEC_GAIN_DB
            self.pregain_db = round(2 * (self.target - first)) / 2 if math.isfinite(first) else 0.0
        # In place, one float copy of the piece at a time (an hour's render stays small)
        samples = np.frombuffer(piece, dtype="<i2").astype(np.float32)
        samples /= 32768.0
        if self.pregain_db:
            samples *= np.float32(10 ** (self.pregain_db / 20))
        ceiling = 10 ** (CEILING_DBFS / 20)
        limited = limit(samples, ceiling, self.rate)
        del samples
        limited *= 32768.0
        pcm = np.round(limited, out=limited).astype("<i2").tobytes()
        del limited
        self.meter.add(pcm)
        release_freed_memory()
        body = pcm[2 * DELAY : len(pcm) - 2 * TAIL]
        key = _key(body, self.settings)
        found = self.store.get(key)
        if found is not None:
            self._pieces.append(found)
            return
        while len(self._pending) >= 4:  # bounded memory: wait for the encoder to catch up
            self._pending.popleft().result()
        future = self._pool.submit(self._encode, key, body, len(pcm) // FRAME // 2)
        self._pending.append(future)
        self._pieces.append(future)

    def _encode(self, key: str, body: bytes, want: int) -> Path:
        data = encode_piece(body, self.settings)
        got = len(frames(data))
        if got != want:
            raise AudioError(f"the MP3 encoder wrote {got} frames for a piece of {want}")
        self.encoded += 1
        return self.store.put(key, data)

    def finish(self) -> None:
        """Close the last piece: whole frames, ending in silence. The whole narration is
        measured then, so each piece's loudness correction starts on the worker at once
        (while the caller writes the sidecars and draws the cover)."""
        if self._pieces and len(self._buffer) == 2 * DELAY:
            self._buffer = bytearray()  # nothing after the last join: the narration ends there
        else:
            end = self.frames + TAIL
            end += (-end) % FRAME
            self._buffer += bytes(2 * (end - self.frames))
            self._submit(bytes(self._buffer))
            self._base, self._buffer = end, bytearray()
        self._start_gain()

    def _start_gain(self) -> None:
        self._steps = self.gain_steps()
        self._gained = [self._pool.submit(self._gain, piece, self._steps) for piece in self._pieces]

    def _gain(self, piece: Path | Future[Path], steps: int) -> Path:
        """The piece with ``steps`` of global gain, kept in the store beside it: an edited
        article whose level did not move joins its unchanged pieces as they are stored."""
        from listen.mp3frames import apply_gain

        path = piece.result() if isinstance(piece, Future) else piece
        if not steps:
            return path
        key = f"{path.stem}.gain{steps:+d}"
        found = self.store.get(key)
        if found is not None:
            return found
        return self.store.put(key, bytes(apply_gain(path.read_bytes(), steps)))

    def paths(self) -> Iterator[Path]:
        for piece in self._pieces:
            yield piece.result() if isinstance(piece, Future) else piece

    def gain_steps(self) -> int:
        measured = self.meter.integrated() + CODEC_GAIN_DB
        if not math.isfinite(measured):
            return 0
        steps = round((self.target - measured) / GAIN_STEP_DB)
        return min(steps, MAX_STEPS_UP)

    def join(self, out: Path) -> Mastered:
        """Write the pieces' frames to ``out``, with the loudness correction applied."""
        if self._buffer or self._gained is None:
            self.finish()
        steps, ready = self._steps or 0, self._gained or []
        pieces = 0
        try:
            with out.open("wb") as fh:
                for gained in ready:
                    fh.write(gained.result().read_bytes())
                    pieces += 1
        except OSError as exc:
            raise ExportError(f"cannot write {out}: {exc.strerror or exc}") from None
        self.store.prune()
        mastered = Mastered(
            frames=self.frames,
            measured_lufs=self.meter.integrated() + CODEC_GAIN_DB,
            pregain_db=self.pregain_db or 0.0,
            steps=steps,
            pieces=pieces,
            encoded=self.encoded,
        )
        _say_if_missed(mastered, self.target)
        return mastered

    def close(self) -> None:
        self._pool.shutdown(wait=True, cancel_futures=True)
        if self._scratch is not None:
            self._scratch.cleanup()

    def __enter__(self) -> Narration:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()


def _say_if_missed(mastered: Mastered, target: float) -> None:
    """A loudness target that was not reached is a warning that says what was, and why."""
    reached = mastered.loudness_lufs
    if not math.isfinite(reached) or abs(target - reached) <= TOLERANCE_LU:
        return
    if reached < target:
        why = (
            f"its peaks limit it (held under {CEILING_DBFS:.0f} dBFS, and lifted by at most "
            f"{MAX_STEPS_UP * GAIN_STEP_DB:.1f} dB after)"
        )
    else:
        why = f"the correction goes in steps of {GAIN_STEP_DB:.1f} dB"
    log.warning(
        "loudness %.1f LUFS instead of %.1f: %s; choose a --loudness nearer %.0f",
        reached,
        target,
        why,
        reached,
    )
