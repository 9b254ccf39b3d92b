"""Render many articles at once, one engine per worker process, every core busy.

The workers are listen.runtime's, fed by the list of sources. A failed
article is reported with its reason and never stops the others.

Three things make a batch scale with the cores:

* the workers are forked from a fork server that has already imported the
  render stack (extraction, the audio stack, the encoder, the tags), so a
  worker starts in milliseconds instead of importing it all again; no engine
  is started in the server, so none is inherited (each worker starts its own);
* the longest pages go first, so no core is left with one long article at the
  end while the other waits;
* no more workers than cores (or than articles).
"""

from __future__ import annotations

import glob
import multiprocessing
import os
import tempfile
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from listen.errors import ExportError, SourceError
from listen.models import Event, RenderOptions
from listen.runtime import Emit, Feeder, PathsFeeder, default_jobs, run

# Imported once in the fork server, so no worker pays for them (what a render imports).
PRELOAD = (
    "listen.pipeline",
    "listen.extract",
    "listen.script",
    "listen.audio",
    "listen.loudness",
    "listen.pieces",
    "listen.mp3frames",
    "listen.episodes",
    "listen.export",
    "listen.transcript",
    "listen.artwork",
    "listen.lexicon",
    "listen.engines.pyttsx3",
    "listen.engines.espeak",
    "pyttsx3",  # its package only: the driver, which loads libespeak-ng, comes with the engine
    "numpy.fft",
    "lameenc",
    "mutagen.id3",
)


def expand(sources: Iterable[str]) -> list[str]:
    """Quoted globs are expanded here too, so `listen speak 'news/*.html'` works in any shell."""
    out: list[str] = []
    for source in sources:
        if "://" not in source and any(c in source for c in "*?[") and not Path(source).exists():
            matches = sorted(glob.glob(source))
            if not matches:
                raise SourceError(f"no file matches {source}")
            out.extend(matches)
        else:
            out.append(source)
    return out


def longest_first(sources: list[str]) -> list[str]:
    """Files by size, largest first (a page's size is a fair guess at its reading time);
    URLs and ``-`` first of all, since their length is unknown."""

    def size(source: str) -> float:
        try:
            return float(os.path.getsize(source))
        except OSError:
            return float("inf")

    return sorted(sources, key=size, reverse=True)


def worker_context() -> Any:
    """A fork server with the render modules loaded (spawn where there is none)."""
    if "forkserver" not in multiprocessing.get_all_start_methods():
        return multiprocessing.get_context("spawn")
    context = multiprocessing.get_context("forkserver")
    # Takes effect when the server starts (once per process); later batches reuse it.
    context.set_forkserver_preload(list(PRELOAD))
    return context


class Forked:
    """A feeder as a worker forked from the fork server runs it.

    The server was started with the environment of its day; a worker forked
    from it later takes the one of the run (``LISTEN_*``, ``TMPDIR``) from here.
    """

    def __init__(self, inner: Feeder) -> None:
        self.inner = inner
        self.endless = inner.endless
        self.environ = dict(os.environ)

    def work(self, emit: Emit, parent: int | None) -> None:
        if os.environ != self.environ:
            os.environ.clear()
            os.environ.update(self.environ)
            tempfile.tempdir = None  # tempfile caches TMPDIR on first use
        # A forked worker's parent is the fork server, which exits when this run's
        # process does (its pipe closes): watching the server watches the run.
        self.inner.work(emit, None if parent is None else os.getppid())

    def crashed(self, owner: str, how: str, job: str | None) -> list[Event]:
        return self.inner.crashed(owner, how, job)

    def more(self) -> bool:
        return self.inner.more()


def render_many(
    sources: list[str],
    options: RenderOptions,
    out_dir: Path,
    *,
    jobs: int | None = None,
    done: Callable[[Event, int, int], None] | None = None,
) -> list[Event]:
    """Render every source into ``out_dir``; outcomes (``ready`` or ``failed`` events) come
    back in the order of ``sources``."""
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ExportError(f"cannot create {out_dir}: {exc.strerror}") from None
    results: dict[str, Event] = {}

    def handle(event: Event) -> None:
        if event.kind in ("ready", "failed"):
            results[event.job] = event
            if done is not None:
                done(event, len(results), len(sources))

    workers = min(jobs or default_jobs(), len(sources)) or 1
    feeder = PathsFeeder(longest_first(sources), options, out_dir)
    if workers == 1:
        run(feeder, 1, handle)  # in this process
    else:
        run(Forked(feeder), workers, handle, context=worker_context())
    missing = Event("failed", detail="never rendered (the workers stopped)")
    return [results.get(s, Event("failed", job=s, detail=missing.detail)) for s in sources]
