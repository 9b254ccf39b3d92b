"""Render many articles at once, one engine per worker process, every core busy.

The workers are listen.runtime's, fed by the list of sources. A failed
article is reported with its reason and never stops the others.
"""

from __future__ import annotations

import glob
from collections.abc import Callable, Iterable
from pathlib import Path

from listen.errors import ExportError, SourceError
from listen.models import Event, RenderOptions
from listen.runtime import PathsFeeder, default_jobs, run


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
    run(PathsFeeder(sources, options, out_dir), workers, handle)
    missing = Event("failed", detail="never rendered (the workers stopped)")
    return [results.get(s, Event("failed", job=s, detail=missing.detail)) for s in sources]
