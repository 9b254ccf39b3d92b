"""A content-addressed cache of synthesised sentences, so a re-render costs only what changed.

The key is a hash of everything that changes the sound: the engine and what
it runs on, the engine's voice, rate, pitch and volume, and the spoken text.
Each entry is one file written atomically (temporary file, then rename), so
several processes can fill the same cache at once. An entry's header records
its format and length, so a damaged or truncated one is dropped, never played.
The cache is pruned to one size bound (``cache_max_bytes``: ``--cache-mb`` or
``$LISTEN_CACHE_MB``), least recently used first, while a render writes, not
only after it.

Every temporary file of the caches (sentences, encoded pieces, finished
episodes) is made by ``part_file`` or ``part_dir`` here: it is named for its
owner's PID as listen.tidy names all of them, so ``sweep_parts``, run at each
prune, removes what a killed process left and never what a live one writes.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import struct
import tempfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from platformdirs import user_cache_dir

from listen import tidy
from listen.errors import ListenError
from listen.models import AudioChunk
from listen.voices import VoiceProfile

FORMAT = 2  # bump when the entry layout or the key changes
DEFAULT_MB = 512
DEFAULT_MAX_BYTES = DEFAULT_MB * 1024 * 1024
_HEADER = struct.Struct("<4sIHHQ")  # magic, sample rate, sample width, channels, PCM bytes
_MAGIC = b"LSN2"
PRUNE_EVERY_BYTES = 16 * 1024 * 1024  # written between two checks of the bound


def cache_max_bytes(mb: int | None = None) -> int:
    """The one cache-size setting: ``mb`` (a CLI option), else ``$LISTEN_CACHE_MB``, else 512."""
    if mb is None:
        text = os.environ.get("LISTEN_CACHE_MB", "").strip()
        if not text:
            return DEFAULT_MAX_BYTES
        try:
            mb = int(text)
        except ValueError:
            raise ListenError(
                f"LISTEN_CACHE_MB must be a whole number of megabytes, not {text!r}"
            ) from None
    if mb < 0:
        raise ListenError(f"the cache size cannot be negative ({mb} MB)")
    return mb * 1024 * 1024


def segment_share(mb: int | None = None) -> int:
    """The sentences' part of the one bound: half; encoded pieces and finished episodes
    share the other half (listen.episodes)."""
    return cache_max_bytes(mb) // 2


def cache_root() -> Path:
    """Where the sentence, piece and episode caches live: $LISTEN_CACHE_DIR or the user's."""
    return Path(os.environ.get("LISTEN_CACHE_DIR") or user_cache_dir("listen"))


def default_dir() -> Path:
    return cache_root() / "segments"


def segment_key(engine: str, fingerprint: str, voice: VoiceProfile, text: str) -> str:
    material = json.dumps(
        [
            FORMAT,
            engine,
            fingerprint,
            voice.voice or voice.language,
            voice.language,
            voice.rate,
            voice.pitch,
            voice.volume,
            text,
        ],
        ensure_ascii=False,
    )
    return hashlib.sha256(material.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class CacheInfo:
    path: Path
    entries: int
    bytes: int
    max_bytes: int


class SegmentCache:
    def __init__(self, directory: Path | None = None, max_bytes: int | None = None) -> None:
        self.dir = directory or default_dir()
        self.max_bytes = segment_share() if max_bytes is None else max_bytes
        self._since_prune = PRUNE_EVERY_BYTES  # check the bound at the first write

    def _path(self, key: str) -> Path:
        return self.dir / key[:2] / f"{key}.pcm"

    def get(self, key: str) -> AudioChunk | None:
        path = self._path(key)
        try:
            data = path.read_bytes()
        except OSError:
            return None
        pcm = data[_HEADER.size :]
        valid = len(data) >= _HEADER.size
        if valid:
            magic, rate, width, channels, length = _HEADER.unpack_from(data)
            valid = (
                magic == _MAGIC
                and rate > 0
                and width in (1, 2, 3, 4)
                and channels > 0
                and length == len(pcm)
                and len(pcm) % (width * channels) == 0
            )
        if not valid:
            with contextlib.suppress(OSError):
                path.unlink()  # damaged, truncated or of another format: speak it again
            return None
        with contextlib.suppress(OSError):
            os.utime(path)  # recently used: pruned last
        return AudioChunk(pcm, rate, width, channels)

    def put(self, key: str, chunk: AudioChunk) -> None:
        """Store ``chunk``; a cache that cannot be written is skipped, never fatal."""
        path = self._path(key)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            header = _HEADER.pack(
                _MAGIC, chunk.sample_rate, chunk.sample_width, chunk.channels, len(chunk.pcm)
            )
            with part_file(path) as fh:
                fh.write(header)
                fh.write(chunk.pcm)
        except OSError:
            return
        self._since_prune += _HEADER.size + len(chunk.pcm)
        if self._since_prune >= min(PRUNE_EVERY_BYTES, self.max_bytes // 4):
            self._since_prune = 0
            self.prune()  # the bound holds while a long render writes

    def _entries(self) -> list[tuple[float, int, Path]]:
        found: list[tuple[float, int, Path]] = []
        if not self.dir.is_dir():
            return found
        for path in self.dir.glob("??/*.pcm"):
            with contextlib.suppress(OSError):
                stat = path.stat()
                found.append((stat.st_mtime, stat.st_size, path))
        return found

    def info(self) -> CacheInfo:
        entries = self._entries()
        return CacheInfo(self.dir, len(entries), sum(e[1] for e in entries), self.max_bytes)

    def prune(self) -> int:
        """Remove the least recently used entries until the cache fits; return how many."""
        sweep_parts(self.dir, depth=1)
        return prune_files([path for _, _, path in self._entries()], self.max_bytes)

    def clear(self) -> int:
        removed = 0
        for _, _, path in self._entries():
            with contextlib.suppress(OSError):
                path.unlink()
                removed += 1
        return removed


def prune_files(paths: Sequence[Path], max_bytes: int) -> int:
    """Remove the least recently used of ``paths`` until they fit in ``max_bytes``: the one
    eviction rule of every cache (sentences, encoded pieces, finished episodes)."""
    entries = []
    for path in paths:
        with contextlib.suppress(OSError):
            stat = path.stat()
            entries.append((stat.st_mtime, stat.st_size, path))
    entries.sort()
    total = sum(size for _, size, _ in entries)
    removed = 0
    for _, size, path in entries:
        if total <= max_bytes:
            break
        with contextlib.suppress(OSError):
            path.unlink()
            total -= size
            removed += 1
    return removed


# -- temporary files ------------------------------------------------------------------------


@contextlib.contextmanager
def part_file(path: Path) -> Iterator[BinaryIO]:
    """Write ``path`` atomically: a temporary file beside it, named for this process, renamed
    over ``path`` when the block ends, removed if it fails."""
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=tidy.part_prefix(path), suffix=".part")
    try:
        with os.fdopen(fd, "wb") as fh:
            yield fh
        os.replace(tmp, path)
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)


def part_dir(path: Path) -> Path:
    """A temporary folder beside ``path``, named for this process, to be renamed to ``path``."""
    return Path(tempfile.mkdtemp(dir=path.parent, prefix=tidy.part_prefix(path), suffix=".part"))


def sweep_parts(directory: Path, depth: int = 0) -> int:
    """Remove what dead processes left in ``directory``, ``depth`` levels down (``tidy``
    names every temporary file, so it is the one that judges them)."""
    return tidy.sweep_dir(directory, depth)
