"""Render many articles at once, one engine per worker process, every core busy.

pyttsx3 and espeak start only once per process, so parallel work means
processes, each keeping its engine for every article it renders. A failed
article is reported with its reason and never stops the others.
"""

from __future__ import annotations

import glob
import multiprocessing
import os
from collections.abc import Callable, Iterable
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass
from pathlib import Path

from listen.errors import ListenError


@dataclass(frozen=True)
class Outcome:
    source: str
    path: Path | None = None
    duration_ms: int = 0
    error: str | None = None
    synthesized: int = 0
    cached: int = 0


@dataclass(frozen=True)
class Options:
    out_dir: Path = Path(".")
    language: str | None = None
    voice: str | None = None
    engine: str | None = None
    bitrate: int = 64
    loudness: float | None = None
    sidecars: bool = True
    cache: bool = True


def expand(sources: Iterable[str]) -> list[str]:
    """Quoted globs are expanded here too, so `listen speak 'news/*.html'` works in any shell."""
    out: list[str] = []
    for source in sources:
        if "://" not in source and any(c in source for c in "*?[") and not Path(source).exists():
            matches = sorted(glob.glob(source))
            if not matches:
                raise ListenError(f"no file matches {source}")
            out.extend(matches)
        else:
            out.append(source)
    return out


def render_one(source: str, options: Options) -> Outcome:
    """Render one article into ``options.out_dir``; errors become the outcome, not exceptions."""
    from listen.pipeline import render, script_from_source

    try:
        script, profile = script_from_source(source, language=options.language, voice=options.voice)
        episode = render(
            script,
            options.out_dir / f"{script.slug}.mp3",
            voice=profile,
            engine=options.engine,
            bitrate=options.bitrate,
            loudness=options.loudness,
            sidecars=options.sidecars,
            cache=options.cache,
        )
    except ListenError as exc:
        return Outcome(source, error=exc.one_line())
    except Exception as exc:  # a bug in one article must not sink the batch
        return Outcome(source, error=f"internal error: {type(exc).__name__}: {exc}")
    return Outcome(
        source,
        episode.path,
        episode.duration_ms,
        synthesized=episode.synthesized,
        cached=episode.cached,
    )


def default_jobs() -> int:
    """The cores this process may use."""
    if hasattr(os, "sched_getaffinity"):
        return max(1, len(os.sched_getaffinity(0)))
    return os.cpu_count() or 1


def render_many(
    sources: list[str],
    options: Options,
    *,
    jobs: int | None = None,
    done: Callable[[Outcome, int, int], None] | None = None,
) -> list[Outcome]:
    """Render every source; outcomes come back in the order of ``sources``."""
    jobs = min(jobs or default_jobs(), len(sources)) or 1
    options.out_dir.mkdir(parents=True, exist_ok=True)
    results: dict[int, Outcome] = {}
    if jobs == 1:
        for i, source in enumerate(sources):
            results[i] = render_one(source, options)
            if done:
                done(results[i], len(results), len(sources))
    else:
        # spawn: a fresh interpreter per worker, so no worker inherits a started engine
        context = multiprocessing.get_context("spawn")
        with ProcessPoolExecutor(max_workers=jobs, mp_context=context) as pool:
            futures = {pool.submit(render_one, s, options): i for i, s in enumerate(sources)}
            for future in as_completed(futures):
                i = futures[future]
                try:
                    results[i] = future.result()
                except Exception as exc:  # the worker process itself died
                    results[i] = Outcome(sources[i], error=f"worker failed: {exc}")
                if done:
                    done(results[i], len(results), len(sources))
    return [results[i] for i in range(len(sources))]
