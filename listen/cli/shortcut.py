"""``listen speak PAGE [-o OUT] [-q]`` for a page rendered before, answered before click loads.

The plain form of the command, a local file with default settings, is the one
people repeat; when the episode store holds what that page made
(``listen.episodes.find_episode``), this links it to the target and is done,
without click, extraction or the audio stack. Anything else (another option,
a URL, stdin, a glob, a setting from the environment, a page not rendered
before, any error) returns False and the full command line runs as usual, so
every message and every check stays in one place.
"""

from __future__ import annotations

import os
import stat
import sys
from dataclasses import dataclass
from pathlib import Path

# Settings that click would read from the environment into the render options.
_OPTION_ENV = ("LISTEN_VOICE", "LISTEN_MAX_MINUTES")
_MAX_BYTES = 64 * 1024 * 1024  # larger than any page read renders (fetch.MAX_BYTES is 10 MB)


@dataclass(frozen=True)
class LocalPage:
    """A file's bytes as ``fetch.read_raw`` returns them (``Fetched``) for a path."""

    data: bytes
    source: str
    charset: str | None = None
    url: str | None = None
    content_type: str = ""


@dataclass(frozen=True)
class Plain:
    source: str
    output: str | None
    quiet: bool


def parse(args: list[str]) -> Plain | None:
    """The plain form of ``speak``, or None for anything this does not answer."""
    if not args or args[0] != "speak" or any(os.environ.get(k) for k in _OPTION_ENV):
        return None
    sources: list[str] = []
    output: str | None = None
    quiet = False
    rest = iter(args[1:])
    for arg in rest:
        if arg in ("-q", "--quiet"):
            quiet = True
        elif arg in ("-o", "--output") and output is None:
            output = next(rest, None)
            if output is None or output in ("", "-"):
                return None
        elif arg.startswith("--output=") and output is None:
            output = arg.removeprefix("--output=")
            if output in ("", "-"):
                return None
        elif arg.startswith("-"):
            return None  # another option, or "-" (stdin): click's
        else:
            sources.append(arg)
    if len(sources) != 1 or any(c in sources[0] for c in "*?[:"):
        return None  # several, a glob, or a URL
    if output is not None and output.lower().endswith(".opus"):
        return None  # an Opus copy: the store keeps none
    return Plain(sources[0], output, quiet)


def target(output: str | None, slug: str) -> Path:
    """The MP3 to write: ``-o``'s file, or the slug's name in ``-o``'s folder or here."""
    path = Path(output) if output else Path(f"{slug}.mp3")
    if path.is_dir() or (output or "").endswith(("/", "\\")):
        path = path / f"{slug}.mp3"
    return path


def summary(path: Path, duration_ms: int, voice: str, engine: str) -> str:
    """The line ``speak`` prints for a finished MP3."""
    return f"{path} ({duration_ms / 1000:.0f} s, voice {voice}, engine {engine})"


def _read(source: str) -> LocalPage | None:
    try:
        info = os.stat(source)
        if not stat.S_ISREG(info.st_mode) or info.st_size > _MAX_BYTES:
            return None
        with open(source, "rb") as fh:
            return LocalPage(fh.read(), source)
    except OSError:
        return None


def shortcut(args: list[str]) -> bool:
    """Answer ``args`` from the episode store if it is the plain form of a repeated render."""
    plain = parse(args)
    if plain is None:
        return False
    try:
        page = _read(plain.source)
        if page is None:
            return False
        from listen import tidy
        from listen.episodes import find_episode
        from listen.models import RenderOptions

        # What the root group does before any command: unwind on signals, sweep old parts.
        tidy.on_signals()
        tidy.sweep(Path.cwd())
        _, found = find_episode(page, RenderOptions())
        if found is None:
            return False
        out = target(plain.output, found.stored.slug)
        if not found.place(out):
            return False
    except Exception:
        return False
    if not plain.quiet:
        stored = found.stored
        sys.stderr.write(summary(out, stored.duration_ms, stored.voice, stored.engine) + "\n")
    return True
