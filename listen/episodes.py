"""Finished episodes kept by their render key, so the same article renders to any path at once.

The render key (``pipeline.render_key``) hashes everything the MP3 depends
on, so a stored episode with that key is the MP3 that would be made. A
render that finds its key here hard-links (or, across file systems, copies)
the MP3, the WebVTT files and the chapters to the target, and rewrites only
the timings' ``audio`` field, which names the MP3.

Each entry is a directory ``<key>/`` written under a temporary name and
renamed into place, so several processes can fill the store at once and a
reader never sees half an entry. Its ``manifest.json`` records the size and
SHA-256 of every file; an entry that no longer matches (a file changed in
place through a hard link, a truncated copy) is dropped, never served.

**The source shortcut.** ``listen speak PAGE`` can skip even the extraction:
``source_key`` hashes the page's bytes with everything else that decides the
output (the render options, the ``LISTEN_*`` settings, every voice profile
file and lexicon, listen's own code and the installed packages), and
``sources/<source key>`` names the render key it gave last time. ``shortcut``
then checks that the engine still runs on what it ran on (its fingerprint)
and links the episode. It imports neither extraction nor the audio stack.

The one cache bound (``LISTEN_CACHE_MB``, ``listen.cache.cache_max_bytes``)
is shared: half for the sentences, a quarter for encoded pieces, a quarter for
episodes; each is pruned least recently used first.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import shutil
import sys
import tempfile
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from listen import __version__, tidy
from listen.cache import part_dir, part_file, sweep_parts

if TYPE_CHECKING:
    from listen.cache import SegmentCache
    from listen.models import RenderOptions, Script
    from listen.pieces import PieceStore

_MP3 = "episode.mp3"
_MANIFEST = "manifest.json"
_SCRIPT = "script.json"
_SOURCES = "sources"  # the shortcut's records, beside the entries
ARTWORK_FORMAT = 1  # bump when export.cover_art draws differently
SHORTCUT_FORMAT = 1  # bump when what ``source_key`` hashes changes
ENTRY_FORMAT = 2  # bump when an entry's files or manifest change: older entries are dropped
_SIDECARS = {
    "timings": "timings.json",
    "vtt": "episode.vtt",
    "captions": "episode.captions.vtt",
    "chapters": "chapters.json",
}
# Settings that decide where things are kept, not what is made.
_UNKEYED_ENV = frozenset({"LISTEN_CACHE_DIR", "LISTEN_CACHE_MB", "LISTEN_DEBUG"})


def _link_or_copy(source: Path, target: Path) -> None:
    try:
        os.link(source, target)
    except OSError:
        shutil.copyfile(source, target)


def _digest(path: Path) -> str:
    with path.open("rb") as fh:
        return hashlib.file_digest(fh, "sha256").hexdigest()


@contextlib.contextmanager
def _placing(target: Path) -> Iterator[Path]:
    """A free temporary name beside ``target`` (named as ``listen.tidy`` sweeps), renamed
    over ``target`` when the block succeeds, removed otherwise."""
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(prefix=tidy.part_prefix(target), suffix=".part", dir=target.parent)
    os.close(fd)
    tmp = Path(name)
    try:
        tmp.unlink()
        yield tmp
        os.replace(tmp, target)
    finally:
        tmp.unlink(missing_ok=True)


@dataclass(frozen=True)
class Stored:
    """What an entry's manifest says about the render that made it."""

    key: str
    duration_ms: int
    voice: str
    engine: str
    engine_class: str  # "module:Class" of the engine that spoke
    fingerprint: str  # the engine's, when it spoke (``Speaker.fingerprint``)
    profile: Mapping[str, Any]  # the voice profile as the engine read it (``to_dict``)
    slug: str


class EpisodeStore:
    """``<dir>/<key>/``: the MP3, its four sidecars and its script, as a render left them."""

    def __init__(self, directory: Path, max_bytes: int | None = None) -> None:
        self.dir = directory
        self.max_bytes = max_bytes

    def _entry(self, key: str) -> Path:
        return self.dir / key

    def has(self, key: str) -> bool:
        entry = self._entry(key)
        return all((entry / name).is_file() for name in (_MANIFEST, _MP3, *_SIDECARS.values()))

    def put(
        self,
        key: str,
        mp3: Path,
        sidecars: Mapping[str, Path],
        *,
        script: Script | None = None,
        about: Mapping[str, Any] | None = None,
    ) -> None:
        """Keep a finished render; a store that cannot be written is skipped, never fatal.

        ``about`` (duration_ms, voice, engine, fingerprint, profile) and ``script``
        are what the source shortcut needs to answer without the render."""
        if not set(_SIDECARS) <= set(sidecars) or self.verified(key) is not None:
            return  # (a damaged or older entry is removed by ``verified``, and replaced)
        try:
            self.dir.mkdir(parents=True, exist_ok=True)
            staging = part_dir(self._entry(key))
            try:
                _link_or_copy(mp3, staging / _MP3)
                for kind, name in _SIDECARS.items():
                    _link_or_copy(sidecars[kind], staging / name)
                names = [_MP3, *_SIDECARS.values()]
                if script is not None:
                    text = json.dumps(script.to_dict(), ensure_ascii=False)
                    (staging / _SCRIPT).write_text(text, encoding="utf-8")
                    names.append(_SCRIPT)
                files = {n: [(staging / n).stat().st_size, _digest(staging / n)] for n in names}
                manifest = {
                    "format": ENTRY_FORMAT,
                    "key": key,
                    "files": files,
                    "slug": script.slug if script is not None else "",
                    **(about or {}),
                }
                (staging / _MANIFEST).write_text(json.dumps(manifest), encoding="utf-8")
                os.rename(staging, self._entry(key))
            finally:
                shutil.rmtree(staging, ignore_errors=True)
        except OSError:
            return
        self.prune()

    def verified(self, key: str) -> dict[str, Any] | None:
        """The entry's manifest if every file is as it was put; a damaged entry is removed."""
        entry = self._entry(key)
        try:
            manifest = json.loads((entry / _MANIFEST).read_text(encoding="utf-8"))
        except FileNotFoundError:
            return None
        except (OSError, ValueError):
            manifest = None
        try:
            ok = (
                isinstance(manifest, dict)
                and manifest.get("format") == ENTRY_FORMAT
                and manifest.get("key") == key
                and {_MP3, *_SIDECARS.values()} <= set(manifest["files"])
                and all(
                    (entry / name).stat().st_size == size and _digest(entry / name) == digest
                    for name, (size, digest) in manifest["files"].items()
                )
            )
        except (OSError, ValueError, TypeError, KeyError, AttributeError):
            ok = False
        if not ok:
            # changed in place through a hard link, truncated, or not ours: never served
            shutil.rmtree(entry, ignore_errors=True)
            return None
        return manifest  # type: ignore[no-any-return]

    def restore(self, key: str, out: Path) -> bool:
        """Put the stored episode at ``out`` with its sidecars; False if there is none."""
        return self._place(key, out) is not None

    def _place(
        self, key: str, out: Path, manifest: Mapping[str, Any] | None = None
    ) -> Mapping[str, Any] | None:
        entry = self._entry(key)
        if out.exists() and not out.is_file():
            return None  # a device or a pipe: written into by a render, never renamed over
        manifest = manifest or self.verified(key)
        if manifest is None:
            return None
        stem = out.with_suffix("")
        targets = {
            "timings": stem.with_name(stem.name + ".timings.json"),
            "vtt": stem.with_name(stem.name + ".vtt"),
            "captions": stem.with_name(stem.name + ".captions.vtt"),
            "chapters": stem.with_name(stem.name + ".chapters.json"),
        }  # as ``transcript.sidecar_paths`` names them (tests/test_episodes.py checks)
        try:
            document = json.loads((entry / _SIDECARS["timings"]).read_text(encoding="utf-8"))
            document["audio"] = out.name
            # The sidecars first and the MP3 last, as a render writes them: a crash between
            # them leaves an MP3 whose key the sidecars do not match, which is rendered again.
            for kind in ("vtt", "captions", "chapters"):
                with _placing(targets[kind]) as tmp:
                    _link_or_copy(entry / _SIDECARS[kind], tmp)
            with _placing(targets["timings"]) as tmp:
                text = json.dumps(document, ensure_ascii=False, indent=1) + "\n"
                tmp.write_text(text, encoding="utf-8")
            with _placing(out) as tmp:
                _link_or_copy(entry / _MP3, tmp)
            os.utime(entry)  # recently used: pruned last
        except (OSError, ValueError):
            return None
        return manifest

    def script(self, key: str) -> dict[str, Any] | None:
        """The stored script's JSON (``Script.to_dict``), if the entry kept one."""
        try:
            data = json.loads((self._entry(key) / _SCRIPT).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        return data if isinstance(data, dict) else None

    # -- the source shortcut ------------------------------------------------------------

    def remember_source(self, source_key: str, key: str) -> None:
        """Note that the page and settings hashed as ``source_key`` rendered to ``key``."""
        if not self.has(key):
            return
        record = self.dir / _SOURCES / source_key
        with contextlib.suppress(OSError):
            record.parent.mkdir(parents=True, exist_ok=True)
            with _placing(record) as tmp:
                tmp.write_text(key, encoding="ascii")

    def source(self, source_key: str) -> str | None:
        """The render key the page and settings of ``source_key`` gave, if still stored."""
        try:
            key = (self.dir / _SOURCES / source_key).read_text(encoding="ascii").strip()
        except (OSError, ValueError):
            return None
        if not key or "/" in key or key.startswith(".") or not self._entry(key).is_dir():
            return None
        return key

    def entries(self) -> list[Path]:
        if not self.dir.is_dir():
            return []
        return [
            p
            for p in self.dir.iterdir()
            if p.is_dir() and not p.name.startswith(".") and p.name != _SOURCES
        ]

    def size(self) -> int:
        return sum(f.stat().st_size for e in self.entries() for f in e.iterdir() if f.is_file())

    def prune(self) -> int:
        """Remove whole entries, least recently used first, until the store fits; then the
        source records that name a removed entry."""
        sweep_parts(self.dir)  # what a killed render left
        sweep_parts(self.dir / _SOURCES)
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
        if removed:
            self._prune_sources()
        return removed

    def _prune_sources(self) -> None:
        with contextlib.suppress(OSError):
            for record in (self.dir / _SOURCES).iterdir():
                if self.source(record.name) is None:
                    record.unlink(missing_ok=True)


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


# -- the source shortcut: from the page's bytes to a stored episode --------------------------


class PageBytes(Protocol):
    """A page as read, before decoding: ``fetch.Fetched`` (or the CLI shortcut's file)."""

    @property
    def data(self) -> bytes: ...
    @property
    def charset(self) -> str | None: ...
    @property
    def url(self) -> str | None: ...
    @property
    def content_type(self) -> str: ...
    @property
    def source(self) -> str: ...


def source_key(fetched: PageBytes, options: RenderOptions) -> str | None:
    """A hash of the page and of everything else that decides its episode.

    None when the voice profiles cannot be read: the render then says why.
    """
    from dataclasses import asdict

    voices = _voices_stamp(options)
    if voices is None:
        return None
    settings = {k: v for k, v in asdict(options).items() if k not in ("cache", "cache_mb")}
    environment = sorted(
        (k, v)
        for k, v in os.environ.items()
        if (k.startswith("LISTEN_") and k not in _UNKEYED_ENV) or k == "ESPEAK_DATA_PATH"
    )
    material = json.dumps(
        [
            SHORTCUT_FORMAT,
            __version__,
            hashlib.sha256(fetched.data).hexdigest(),
            [fetched.charset, fetched.url, fetched.content_type, fetched.source],
            settings,
            environment,
            voices,
            _code_stamp(),
        ],
        ensure_ascii=False,
        sort_keys=True,
        default=str,
    )
    return hashlib.sha256(material.encode("utf-8")).hexdigest()


def _file_stamp(path: Path) -> str | None:
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError:
        return None


def _voices_stamp(options: RenderOptions) -> list[Any] | None:
    """Every voice profile that the render could choose, with its lexicons, by content."""
    from listen.errors import ListenError
    from listen.voices import all_profiles, get_profile

    try:
        profiles = list(all_profiles().values())
        profiles += [get_profile(v) for v in (options.voice, *dict(options.voices).values()) if v]
    except ListenError:
        return None
    return [
        [p.id, [[str(f), _file_stamp(f)] for f in (p.path, *p.lexicons) if f is not None]]
        for p in profiles
    ]


def _code_stamp() -> list[Any]:
    """listen's own files and the installed packages, by size and modification time.

    Installing, upgrading or removing a package changes its folder's time; a changed
    listen (a source checkout) changes its files'.
    """
    stamp: list[Any] = []
    here = Path(__file__).resolve().parent
    for folder, dirs, files in os.walk(here):
        dirs[:] = sorted(d for d in dirs if d != "__pycache__")
        for name in sorted(files):
            with contextlib.suppress(OSError):
                info = os.stat(os.path.join(folder, name))
                stamp.append([os.path.relpath(os.path.join(folder, name), here), info.st_size,
                              info.st_mtime_ns])  # fmt: skip
    for entry in sys.path:
        if entry.endswith(("site-packages", "dist-packages")):
            with contextlib.suppress(OSError):
                stamp.append([entry, os.stat(entry).st_mtime_ns])
    return stamp


def default_store(options: RenderOptions) -> EpisodeStore:
    """The episode store a render with ``options`` and the default cache folder uses."""
    from listen.cache import cache_max_bytes, default_dir

    return EpisodeStore(default_dir().parent / "episodes", cache_max_bytes(options.cache_mb) // 4)


@dataclass(frozen=True)
class Found:
    """A stored episode that the shortcut may place: ``place(out)`` links it there."""

    store: EpisodeStore
    stored: Stored
    manifest: Mapping[str, Any]

    def place(self, out: Path) -> bool:
        return self.store._place(self.stored.key, out, self.manifest) is not None


def find_episode(
    fetched: PageBytes, options: RenderOptions, store: EpisodeStore | None = None
) -> tuple[str | None, Found | None]:
    """The page's source key, and the stored episode it made, if that may be served as it is.

    Served only if the entry is whole and unchanged and the engine it names still
    runs on what it ran on then.
    """
    if not (options.cache and options.sidecars):
        return None, None
    key = source_key(fetched, options)
    if key is None:
        return None, None
    store = store or default_store(options)
    render_key = store.source(key)
    manifest = store.verified(render_key) if render_key else None
    if manifest is None or render_key is None:
        return key, None
    try:
        stored = Stored(
            key=render_key,
            duration_ms=int(manifest["duration_ms"]),
            voice=str(manifest["voice"]),
            engine=str(manifest["engine"]),
            engine_class=str(manifest["engine_class"]),
            fingerprint=str(manifest["fingerprint"]),
            profile=dict(manifest["profile"]),
            slug=str(manifest["slug"]) or "article",
        )
    except (KeyError, TypeError, ValueError):
        return key, None
    if not _engine_unchanged(stored):
        return key, None
    return key, Found(store, stored, manifest)


def _engine_unchanged(stored: Stored) -> bool:
    """Whether the engine class that spoke still runs on what it ran on (its fingerprint).

    A built-in engine's class is loaded by the name it had, not looked up among the
    entry points: the source key covers the installed packages, so a plug-in that
    took its name since would have missed already (and scanning every package's
    entry points costs more than the whole shortcut). A plug-in's is looked up as
    usual, and must still be the class that spoke; no other name from the cache is
    ever imported.
    """
    from importlib import import_module

    from listen.engines import Fingerprinted, get_engine
    from listen.voices import VoiceProfile

    module, _, name = stored.engine_class.partition(":")
    try:
        if module.startswith("listen.engines.") and name.isidentifier():
            engine = getattr(import_module(module), name)()
        else:
            engine = get_engine(stored.engine)
            if f"{type(engine).__module__}:{type(engine).__qualname__}" != stored.engine_class:
                return False
        profile = VoiceProfile.from_dict(stored.profile)
        now = engine.fingerprint(profile) if isinstance(engine, Fingerprinted) else ""
    except Exception:
        return False
    return bool(now == stored.fingerprint)
