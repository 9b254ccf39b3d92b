"""Finished episodes kept by their render key, so the same article renders to any path at once.

The render key (``pipeline.render_key``) hashes everything the MP3 depends
on, so a stored episode with that key is the MP3 that would be made. A
render that finds its key here hard-links (or, across file systems, copies)
the MP3, the WebVTT and the chapters to the target, and rewrites only the
timings' ``audio`` field, which names the MP3.

Each entry is a directory ``<key>/`` written under a temporary name and
renamed into place, so several processes can fill the store at once and a
reader never sees half an entry. The one cache bound (``LISTEN_CACHE_MB``,
``listen.cache.cache_max_bytes``) is shared: half for the sentences, a quarter
for encoded pieces, a quarter for episodes; each is pruned least recently used
first.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import shutil
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from listen.cache import part_dir, part_file, sweep_parts
from listen.export import atomic_path, read_render_key
from listen.transcript import sidecar_paths

if TYPE_CHECKING:
    from listen.cache import SegmentCache
    from listen.models import Script
    from listen.pieces import PieceStore

_MP3 = "episode.mp3"
ARTWORK_FORMAT = 1  # bump when export.cover_art draws differently
_SIDECARS = {"timings": "timings.json", "vtt": "episode.vtt", "chapters": "chapters.json"}


def _link_or_copy(source: Path, target: Path) -> None:
    try:
        os.link(source, target)
    except OSError:
        shutil.copyfile(source, target)


class EpisodeStore:
    """``<dir>/<key>/``: the MP3 and its three sidecars, as a render left them."""

    def __init__(self, directory: Path, max_bytes: int | None = None) -> None:
        self.dir = directory
        self.max_bytes = max_bytes

    def _entry(self, key: str) -> Path:
        return self.dir / key

    def has(self, key: str) -> bool:
        entry = self._entry(key)
        return all((entry / name).is_file() for name in (_MP3, *_SIDECARS.values()))

    def put(self, key: str, mp3: Path, sidecars: Mapping[str, Path]) -> None:
        """Keep a finished render; a store that cannot be written is skipped, never fatal."""
        if self.has(key) or set(sidecars) != set(_SIDECARS):
            return
        try:
            self.dir.mkdir(parents=True, exist_ok=True)
            staging = part_dir(self._entry(key))
            try:
                _link_or_copy(mp3, staging / _MP3)
                for kind, name in _SIDECARS.items():
                    _link_or_copy(sidecars[kind], staging / name)
                os.rename(staging, self._entry(key))
            finally:
                shutil.rmtree(staging, ignore_errors=True)
        except OSError:
            return
        self.prune()

    def restore(self, key: str, out: Path) -> bool:
        """Put the stored episode at ``out`` with its sidecars; False if there is none."""
        entry = self._entry(key)
        if not self.has(key):
            return False
        if read_render_key(entry / _MP3) != key:  # changed in place through a hard link
            shutil.rmtree(entry, ignore_errors=True)
            return False
        targets = sidecar_paths(out)
        try:
            document = json.loads((entry / _SIDECARS["timings"]).read_text(encoding="utf-8"))
            document["audio"] = out.name
            with atomic_path(out) as tmp:
                tmp.unlink()
                _link_or_copy(entry / _MP3, tmp)
            for kind in ("vtt", "chapters"):
                with atomic_path(targets[kind]) as tmp:
                    tmp.unlink()
                    _link_or_copy(entry / _SIDECARS[kind], tmp)
            with atomic_path(targets["timings"]) as tmp:
                tmp.write_text(json.dumps(document, ensure_ascii=False, indent=1) + "\n", "utf-8")
            os.utime(entry)  # recently used: pruned last
        except (OSError, ValueError):
            return False
        return True

    def entries(self) -> list[Path]:
        if not self.dir.is_dir():
            return []
        return [p for p in self.dir.iterdir() if p.is_dir() and not p.name.startswith(".")]

    def size(self) -> int:
        return sum(f.stat().st_size for e in self.entries() for f in e.iterdir() if f.is_file())

    def prune(self) -> int:
        """Remove whole entries, least recently used first, until the store fits."""
        sweep_parts(self.dir)  # what a killed render left
        if self.max_bytes is None:
            return 0
        sized = []
        for entry in self.entries():
            with contextlib.suppress(OSError):
                size = sum(f.stat().st_size for f in entry.iterdir())
                sized.append((entry.stat().st_mtime, size, entry))
        sized.sort()
        total = sum(size for _, size, _ in sized)
        removed = 0
        for _, size, entry in sized:
            if total <= self.max_bytes:
                break
            shutil.rmtree(entry, ignore_errors=True)
            total -= size
            removed += 1
        return removed


def episode_store(cache: SegmentCache | None) -> EpisodeStore | None:
    """The episode store beside a segment cache; it may hold half as much as the segments."""
    if cache is None:
        return None
    return EpisodeStore(cache.dir.parent / "episodes", cache.max_bytes // 2)


def piece_store(cache: SegmentCache | None) -> PieceStore | None:
    """The store of encoded pieces beside a segment cache; half as much as the segments."""
    from listen.pieces import PieceStore

    if cache is None:
        return None
    return PieceStore(cache.dir.parent / "pieces", cache.max_bytes // 2)


def artwork(script: Script, cache: SegmentCache | None) -> bytes:
    """The MP3's cover art, kept beside the caches: drawing it costs more than a short render.

    ``export.cover_art`` draws from the site's name and host only, so the site
    and URL are a safe key (a superset of what it reads).
    """
    from listen.export import cover_art

    if cache is None:
        return cover_art(script)
    key = hashlib.sha256(json.dumps([ARTWORK_FORMAT, script.site, script.url]).encode()).hexdigest()
    path = cache.dir.parent / "artwork" / f"{key}.img"
    with contextlib.suppress(OSError):
        return path.read_bytes()
    data = cover_art(script)
    with contextlib.suppress(OSError):
        path.parent.mkdir(parents=True, exist_ok=True)
        sweep_parts(path.parent)
        with part_file(path) as fh:
            fh.write(data)
    return data


def block_ends(pairs: Iterable[tuple[Any, Any]]) -> Iterator[tuple[tuple[Any, Any], bool]]:
    """Each (segment, audio) with whether it is the last of its block (one item of lookahead)."""
    previous: tuple[Any, Any] | None = None
    for pair in pairs:
        if previous is not None:
            yield previous, pair[0].block != previous[0].block
        previous = pair
    if previous is not None:
        yield previous, True
