"""Piper voices on demand: install, list and remove them in listen's data folder.

A voice repository is laid out as Piper publishes its voices
(``huggingface.co/rhasspy/piper-voices``): a ``voices.json`` at the top maps
each voice name to its language and its files, each file by its path in the
repository with its size and MD5 digest::

    {"es_ES-davefx-medium": {
        "key": "es_ES-davefx-medium", "language": {"code": "es_ES", ...},
        "quality": "medium", "aliases": [],
        "files": {"es/es_ES/davefx/medium/es_ES-davefx-medium.onnx":
                      {"size_bytes": 63201294, "md5_digest": "..."}, ...}}}

The repository is a setting: ``--repository``, else ``$LISTEN_VOICE_REPOSITORY``,
else Piper's own. Installing a voice downloads its ``.onnx`` and ``.onnx.json``
into a staging folder, resuming an interrupted download where it stopped (HTTP
Range), checks each file's size and the digests the repository publishes (MD5,
and SHA-256 where given), records a SHA-256 of what it installed, and only then
renames the folder into place: a voice is either wholly installed or absent.
"""

from __future__ import annotations

import contextlib
import difflib
import hashlib
import json
import os
import shutil
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

from platformdirs import user_data_dir

from listen import __version__
from listen.errors import VoiceStoreError

REPOSITORY_ENV = "LISTEN_VOICE_REPOSITORY"
DEFAULT_REPOSITORY = "https://huggingface.co/rhasspy/piper-voices/resolve/main"
CATALOGUE = "voices.json"
MANIFEST = "listen-voice.json"
MAX_CATALOGUE_BYTES = 32 * 1024 * 1024
MAX_FILE_BYTES = 2 * 1024 * 1024 * 1024  # the largest Piper voices are about 120 MB
TIMEOUT_S = 30.0
CHUNK = 1024 * 1024
_USER_AGENT = f"listen/{__version__} (voice installer; +https://pypi.org/project/listen-aloud/)"
_SUFFIXES = (".onnx", ".onnx.json")

#: (bytes done, bytes in all) as a download goes
Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class RemoteFile:
    path: str  # inside the repository, e.g. "es/es_ES/davefx/medium/es_ES-davefx-medium.onnx"
    size: int
    md5: str | None = None
    sha256: str | None = None

    @property
    def name(self) -> str:
        return self.path.rsplit("/", 1)[-1]


@dataclass(frozen=True)
class RemoteVoice:
    name: str
    language: str  # Piper's code, e.g. "es_ES"
    quality: str
    model: RemoteFile
    config: RemoteFile
    aliases: tuple[str, ...] = ()


@dataclass(frozen=True)
class InstalledVoice:
    name: str
    language: str
    model: Path
    config: Path
    sha256: Mapping[str, str]  # file name -> SHA-256 of the installed bytes
    source: str  # the repository it came from


def store_dir() -> Path:
    """Where installed voices live: one folder per voice."""
    return Path(user_data_dir("listen")) / "piper-voices"


def repository(override: str | None = None) -> str:
    """The voice repository: the flag, else ``$LISTEN_VOICE_REPOSITORY``, else Piper's."""
    url = (override or os.environ.get(REPOSITORY_ENV) or DEFAULT_REPOSITORY).rstrip("/")
    if urllib.parse.urlsplit(url).scheme not in ("http", "https"):
        raise VoiceStoreError(
            f"the voice repository must be an http(s) URL, not {url!r}",
            hint=f"set --repository or ${REPOSITORY_ENV}",
        )
    return url


# --- the repository -----------------------------------------------------------------


def _open(url: str, headers: Mapping[str, str] | None = None) -> Any:
    request = urllib.request.Request(url, headers={"User-Agent": _USER_AGENT, **(headers or {})})
    try:
        return urllib.request.urlopen(request, timeout=TIMEOUT_S)  # http(s) only: see repository()
    except urllib.error.HTTPError as exc:
        if exc.code == 416:
            return exc  # Range not satisfiable: the caller starts the file again
        raise VoiceStoreError(f"the voice repository answered HTTP {exc.code} for {url}") from None
    except (urllib.error.URLError, OSError, ValueError) as exc:
        reason = getattr(exc, "reason", exc)
        raise VoiceStoreError(f"cannot reach the voice repository at {url}: {reason}") from None


def catalogue(repo: str | None = None) -> dict[str, RemoteVoice]:
    """Every voice the repository offers, by name (``voices.json``)."""
    base = repository(repo)
    url = f"{base}/{CATALOGUE}"
    with _open(url) as response:
        try:
            data = response.read(MAX_CATALOGUE_BYTES + 1)
        except OSError as exc:
            raise VoiceStoreError(f"reading {url} failed: {exc}") from None
    if len(data) > MAX_CATALOGUE_BYTES:
        raise VoiceStoreError(f"{url} is larger than {MAX_CATALOGUE_BYTES // 2**20} MB")
    try:
        raw = json.loads(data)
    except ValueError:
        raise VoiceStoreError(f"{url} is not JSON: is this a Piper voice repository?") from None
    if not isinstance(raw, dict):
        raise VoiceStoreError(f"{url} does not map voice names to voices")
    voices = {}
    for name, entry in raw.items():
        voice = _remote_voice(str(name), entry)
        if voice is not None:
            voices[voice.name] = voice
    return voices


def _remote_voice(name: str, entry: object) -> RemoteVoice | None:
    """One ``voices.json`` entry, or None when it lacks a model and its config."""
    if not isinstance(entry, dict) or not isinstance(entry.get("files"), dict):
        return None
    found: dict[str, RemoteFile] = {}
    for path, meta in entry["files"].items():
        if not isinstance(path, str) or not isinstance(meta, dict):
            continue
        size = meta.get("size_bytes")
        if not isinstance(size, int) or isinstance(size, bool) or not 0 <= size <= MAX_FILE_BYTES:
            continue
        file = RemoteFile(
            path=path,
            size=size,
            md5=str(meta["md5_digest"]).lower() if meta.get("md5_digest") else None,
            sha256=str(meta["sha256_digest"]).lower() if meta.get("sha256_digest") else None,
        )
        for suffix in _SUFFIXES:
            if file.name == f"{name}{suffix}":
                found[suffix] = file
    if set(found) != set(_SUFFIXES) or not _safe_name(name):
        return None
    language = entry.get("language")
    code = language.get("code") if isinstance(language, dict) else None
    raw_aliases = entry.get("aliases")
    aliases: list[object] = raw_aliases if isinstance(raw_aliases, list) else []
    return RemoteVoice(
        name=name,
        language=str(code or name.split("-")[0]),
        quality=str(entry.get("quality") or ""),
        model=found[".onnx"],
        config=found[".onnx.json"],
        aliases=tuple(str(a) for a in aliases if isinstance(a, str) and _safe_name(a)),
    )


def _safe_name(name: str) -> bool:
    """A voice name is one plain folder name (never a path)."""
    return bool(name) and name not in (".", "..") and all(c.isalnum() or c in "-_." for c in name)


def find_remote(name: str, voices: Mapping[str, RemoteVoice]) -> RemoteVoice:
    """The voice called ``name`` (or one of its aliases); unknown names list what exists."""
    if name in voices:
        return voices[name]
    for voice in voices.values():
        if name in voice.aliases:
            return voice
    close = difflib.get_close_matches(name, list(voices), n=8, cutoff=0.5)
    if len(voices) <= 40:  # a short list is given whole, the closest names first
        suggestions = list(dict.fromkeys(close + sorted(voices)))
    else:
        family = name.split("_")[0].split("-")[0].lower()
        same = [v for v in sorted(voices) if v.lower().startswith(family)][:8]
        suggestions = list(dict.fromkeys(close + same)) or sorted(voices)[:12]
    more = len(voices) - len(suggestions)
    listed = ", ".join(suggestions) + (
        f" and {more} more, listed in its {CATALOGUE}" if more > 0 else ""
    )
    raise VoiceStoreError(
        f"no Piper voice {name!r} in the voice repository",
        hint=f"it has {listed}" if voices else "the repository lists no voices",
    )


# --- installing ----------------------------------------------------------------------


def install(
    name: str, *, repo: str | None = None, progress: Progress | None = None
) -> InstalledVoice:
    """Download, check and install the voice ``name``; an installed voice is replaced."""
    base = repository(repo)
    voice = find_remote(name, catalogue(base))
    current = find(voice.name)
    if current is not None and _same_files(current, voice):
        return current  # already installed, and the repository's files have not changed
    store = store_dir()
    staging = store / ".partial" / voice.name
    try:
        staging.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise VoiceStoreError(f"cannot write to {store}: {exc.strerror or exc}") from None
    try:
        with _locked(store / f".{voice.name}.lock", voice.name):
            return _install(voice, base, store, staging, progress)
    except OSError as exc:  # a full disk, a folder that cannot be written
        raise VoiceStoreError(
            f"installing {voice.name} failed: {exc.strerror or exc}"
            + (f" ({exc.filename})" if exc.filename else "")
        ) from None


def _same_files(current: InstalledVoice, voice: RemoteVoice) -> bool:
    try:
        recorded = json.loads((current.model.parent / MANIFEST).read_text(encoding="utf-8"))
        files = recorded["files"]
        return all(
            files[f.name]["path"] == f.path
            and files[f.name]["size_bytes"] == f.size
            and (files[f.name].get("md5") or None) == f.md5
            for f in (voice.model, voice.config)
        )
    except (OSError, ValueError, KeyError, TypeError):
        return False


@contextlib.contextmanager
def _locked(path: Path, name: str) -> Iterator[None]:
    """One install of a voice at a time: two would write the same partial files."""
    try:
        import fcntl
    except ImportError:  # Windows: no advisory locks here; installs are rarely concurrent
        yield
        return
    with path.open("a") as fh:
        try:
            fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            raise VoiceStoreError(f"another listen is installing {name} right now") from None
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)
            with contextlib.suppress(OSError):
                path.unlink()


def _install(
    voice: RemoteVoice, base: str, store: Path, staging: Path, progress: Progress | None
) -> InstalledVoice:
    files = (voice.model, voice.config)
    _check_space(store, staging, files)
    total = sum(f.size for f in files)
    done = 0
    digests: dict[str, str] = {}
    for file in files:
        part = staging / (file.name + ".part")
        url = f"{base}/{urllib.parse.quote(file.path)}"

        def step(n: int, before: int = done) -> None:
            if progress is not None:
                progress(before + n, total)

        _download(url, part, file.size, step)
        try:
            digests[file.name] = _verify(part, file)
        except VoiceStoreError:
            shutil.rmtree(staging, ignore_errors=True)  # nothing of a bad download stays
            _remove_empty(staging.parent)
            raise
        done += file.size
    for file in files:
        (staging / (file.name + ".part")).replace(staging / file.name)
    manifest = {
        "name": voice.name,
        "language": voice.language,
        "quality": voice.quality,
        "source": base,
        "files": {
            f.name: {"path": f.path, "size_bytes": f.size, "md5": f.md5, "sha256": digests[f.name]}
            for f in files
        },
    }
    (staging / MANIFEST).write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
    target = store / voice.name
    _swap_in(staging, target)
    _remove_empty(staging.parent)
    installed = _read_installed(target)
    if installed is None:  # pragma: no cover - we just wrote it
        raise VoiceStoreError(f"the voice {voice.name} did not install cleanly")
    return installed


def _check_space(store: Path, staging: Path, files: tuple[RemoteFile, ...]) -> None:
    have = sum(
        (staging / (f.name + ".part")).stat().st_size
        for f in files
        if (staging / (f.name + ".part")).is_file()
    )
    needed = sum(f.size for f in files) - have
    free = shutil.disk_usage(store).free
    if needed > free:
        raise VoiceStoreError(
            f"not enough free disk for the voice: {needed // 2**20} MB needed, "
            f"{free // 2**20} MB free in {store}"
        )


def _download(url: str, part: Path, size: int, progress: Callable[[int], None]) -> None:
    """Fetch ``url`` into ``part``, continuing from what ``part`` already holds."""
    have = part.stat().st_size if part.is_file() else 0
    if have > size:
        part.unlink()
        have = 0
    if have == size:
        part.touch()
        progress(have)
        return
    response = _open(url, {"Range": f"bytes={have}-"} if have else None)
    status = response.getcode()
    if have and status == 416:  # nothing left to send from there: start again
        response.close()
        response = _open(url)
        status = response.getcode()
    resumed = (
        have > 0
        and status == 206
        and _range_starts_at(response.headers.get("Content-Range", ""), have)
    )
    if not resumed:
        have = 0  # a 200 is the whole file: a server that cannot resume starts again
    with response, part.open("r+b" if resumed else "wb") as out:
        out.seek(have)
        out.truncate()
        _copy(response, out, have, size, url, progress)


def _range_starts_at(content_range: str, offset: int) -> bool:
    # "bytes 1000-9999/10000"
    try:
        unit, _, span = content_range.partition(" ")
        return unit == "bytes" and int(span.split("-", 1)[0]) == offset
    except ValueError:
        return False


def _copy(
    response: BinaryIO,
    out: BinaryIO,
    have: int,
    size: int,
    url: str,
    progress: Callable[[int], None],
) -> None:
    progress(have)
    while True:
        try:
            block = response.read(CHUNK)
        except (OSError, ValueError) as exc:  # connection reset, timeout, truncated chunking
            raise VoiceStoreError(
                f"the download of {url} stopped at {have} of {size} bytes ({exc})",
                hint="run the same command again to resume it",
            ) from None
        if not block:
            break
        have += len(block)
        if have > size:
            raise VoiceStoreError(f"{url} is larger than the repository says ({size} bytes)")
        out.write(block)
        progress(have)
    if have < size:
        raise VoiceStoreError(
            f"the download of {url} stopped at {have} of {size} bytes",
            hint="run the same command again to resume it",
        )


def _verify(path: Path, file: RemoteFile) -> str:
    """Check size and the published digests; the SHA-256 of what was checked."""
    md5, sha256 = hashlib.md5(usedforsecurity=False), hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(CHUNK), b""):
            md5.update(block)
            sha256.update(block)
    size = path.stat().st_size
    if size != file.size:
        raise VoiceStoreError(f"{file.name}: {size} bytes, the repository says {file.size}")
    for kind, want, got in (("MD5", file.md5, md5), ("SHA-256", file.sha256, sha256)):
        if want and got.hexdigest() != want:
            raise VoiceStoreError(
                f"{file.name} does not match the repository's {kind} checksum: "
                "refused, nothing installed"
            )
    if not file.md5 and not file.sha256:
        raise VoiceStoreError(f"the repository publishes no checksum for {file.name}: refused")
    return sha256.hexdigest()


def _swap_in(staging: Path, target: Path) -> None:
    """Put the checked folder in place in one rename (an older copy goes after)."""
    old = target.with_name(f".old-{target.name}-{os.getpid()}")
    if target.exists():
        target.replace(old)
    try:
        staging.replace(target)
    except OSError:
        if old.exists():
            old.replace(target)
        raise
    shutil.rmtree(old, ignore_errors=True)


def _remove_empty(folder: Path) -> None:
    with contextlib.suppress(OSError):
        folder.rmdir()


# --- what is installed ---------------------------------------------------------------


def _read_installed(folder: Path) -> InstalledVoice | None:
    try:
        data = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
        name = str(data["name"])
        files = data["files"]
        voice = InstalledVoice(
            name=name,
            language=str(data.get("language", "")),
            model=folder / f"{name}.onnx",
            config=folder / f"{name}.onnx.json",
            sha256={str(k): str(v["sha256"]) for k, v in files.items()},
            source=str(data.get("source", "")),
        )
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return None
    if not (voice.model.is_file() and voice.config.is_file()):
        return None
    return voice


def installed() -> list[InstalledVoice]:
    """The voices installed here, by name."""
    store = store_dir()
    if not store.is_dir():
        return []
    found = (_read_installed(d) for d in sorted(store.iterdir()) if not d.name.startswith("."))
    return [v for v in found if v is not None]


def unfinished() -> dict[str, int]:
    """Downloads that stopped before the end, by voice name: the bytes kept for resuming."""
    partial = store_dir() / ".partial"
    if not partial.is_dir():
        return {}
    return {
        folder.name: sum(p.stat().st_size for p in folder.glob("*.part"))
        for folder in sorted(partial.iterdir())
        if folder.is_dir() and _safe_name(folder.name)
    }


def find(name: str) -> InstalledVoice | None:
    if not _safe_name(name):
        return None
    return _read_installed(store_dir() / name)


def remove(name: str) -> InstalledVoice:
    """Remove an installed voice (and any unfinished download of it)."""
    voice = find(name)
    partial = store_dir() / ".partial" / name if _safe_name(name) else None
    if voice is None:
        if partial is not None and partial.is_dir():
            shutil.rmtree(partial, ignore_errors=True)
            _remove_empty(partial.parent)
        names = [v.name for v in installed()]
        raise VoiceStoreError(
            f"the Piper voice {name!r} is not installed",
            hint=f"installed: {', '.join(names)}" if names else "no Piper voice is installed",
        )
    folder = voice.model.parent
    gone = folder.with_name(f".removing-{folder.name}-{os.getpid()}")
    folder.replace(gone)  # one rename: a reader sees the voice whole or not at all
    shutil.rmtree(gone, ignore_errors=True)
    if partial is not None and partial.is_dir():
        shutil.rmtree(partial, ignore_errors=True)
        _remove_empty(partial.parent)
    return voice


def iter_models() -> Iterator[tuple[str, Path, Path]]:
    """(name, model, config) of every installed voice, for the Piper engine."""
    for voice in installed():
        yield voice.name, voice.model, voice.config
