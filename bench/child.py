"""The workloads timed in a fresh interpreter: ``python -m bench.child NAME REQUEST.json``.

Each reads its request (a JSON object with a ``reply`` path), does its work
through listen's public API and writes what it measured to ``reply`` as JSON.
Nothing is printed, so a child's stdout can never be confused with results.

listen is imported inside the workloads, not at the top, so that the import
itself can be timed. ``Stopwatch`` wraps a few of listen's stage functions
from the outside (listen is not changed) to say where a render's time goes.
"""

from __future__ import annotations

import functools
import io
import json
import sys
import threading
import time
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import Any

Request = dict[str, Any]
Reply = dict[str, Any]


class Stopwatch:
    """Accumulated seconds per stage, from wrappers put around listen's functions.

    A stage wrapped with ``overlapped=True`` runs on another thread beside the
    rest; its time is reported on its own and left out of the sum.
    """

    def __init__(self) -> None:
        self.totals: defaultdict[str, float] = defaultdict(float)
        self.overlapped: set[str] = set()

    def wrap(
        self,
        owner: Any,
        attr: str,
        label: str,
        *,
        overlapped: bool = False,
        off_main: str | None = None,
    ) -> None:
        """``off_main``: the label (overlapped) for calls made on other threads than the main."""
        if overlapped:
            self.overlapped.add(label)
        if off_main:
            self.overlapped.add(off_main)
        original = getattr(owner, attr)

        @functools.wraps(original)
        def timed(*args: Any, **kwargs: Any) -> Any:
            start = time.perf_counter()
            try:
                return original(*args, **kwargs)
            finally:
                name = label
                if off_main and threading.current_thread() is not threading.main_thread():
                    name = off_main
                self.totals[name] += time.perf_counter() - start

        setattr(owner, attr, timed)

    def stages(self, total: float) -> dict[str, float]:
        """The render's stages; synthesis excludes the engine's start, "other" is the rest."""
        found = dict(self.totals)
        found["synthesis"] = found.get("synthesis", 0.0) - found.get("engine start", 0.0)
        found["other"] = total - sum(v for k, v in found.items() if k not in self.overlapped)
        for label in self.overlapped:
            found[f"({label}, overlapped)"] = found.pop(label, 0.0)
        return found


def instrumented() -> Stopwatch:
    """A stopwatch around the stages of ``listen.pipeline.render``."""
    import listen.export
    import listen.loudness
    import listen.pieces
    import listen.synthesize
    import listen.transcript

    watch = Stopwatch()
    watch.wrap(listen.synthesize, "ready_engine", "engine start")
    # An engine that speaks several sentences at once (Piper) does so on threads
    watch.wrap(
        listen.synthesize.Speaker,
        "speak",
        "synthesis",
        off_main="synthesis on threads, summed",
    )
    watch.wrap(listen.pieces.Narration, "add", "PCM assembly")
    watch.wrap(listen.pieces, "limit", "limiter")
    watch.wrap(listen.loudness.LoudnessMeter, "add", "loudness")
    watch.wrap(listen.pieces, "encode_piece", "MP3 encode (worker thread)", overlapped=True)
    watch.wrap(listen.pieces.Narration, "join", "join + gain (and waiting for the encoder)")
    watch.wrap(listen.export, "write_tags", "ID3 tags")
    watch.wrap(listen.transcript, "write_sidecars", "sidecars")
    return watch


def clock(work: Callable[[], Any]) -> tuple[Any, float]:
    start = time.perf_counter()
    value = work()
    return value, time.perf_counter() - start


def seed(request: Request) -> Reply:
    """Cold render of the seed article, then the same again, then with one paragraph edited."""
    start = time.perf_counter()
    from listen.cache import SegmentCache
    from listen.pipeline import render, script_from_source

    imported = time.perf_counter() - start
    watch = instrumented()
    (script, profile), scripted = clock(lambda: script_from_source(request["source"]))
    cache = SegmentCache(Path(request["cache"]))
    out = Path(request["out"])
    episode, cold = clock(lambda: render(script, out, voice=profile, cache=cache))
    stages = watch.stages(cold)
    again, warm = clock(lambda: render(script, out, voice=profile, cache=cache))
    elsewhere = out.with_name("elsewhere.mp3")
    moved, moved_time = clock(lambda: render(script, elsewhere, voice=profile, cache=cache))
    (edited_script, _), edited_scripted = clock(lambda: script_from_source(request["edited"]))
    edited, edited_time = clock(lambda: render(edited_script, out, voice=profile, cache=cache))
    return {
        "import": imported,
        "script": scripted,
        "cold": cold,
        "stages": stages,
        "warm": warm,
        "new_path": moved_time,
        "new_path_synthesized": moved.synthesized,
        "edited_script": edited_scripted,
        "edited": edited_time,
        "duration_ms": episode.duration_ms,
        "engine": episode.engine,
        "synthesized": episode.synthesized,
        "warm_synthesized": again.synthesized,
        "edited_synthesized": edited.synthesized,
        "edited_cached": edited.cached,
    }


class FirstByteSink(io.BytesIO):
    """An in-memory sink that notes when the first byte arrives."""

    def __init__(self) -> None:
        super().__init__()
        self.first: float | None = None

    def write(self, data: Any) -> int:
        if self.first is None and len(data):
            self.first = time.perf_counter()
        return super().write(data)


def stream_seed(request: Request) -> Reply:
    """Time from calling ``stream()`` to the first MP3 byte, with the engine not yet started."""
    from listen.pipeline import script_from_source, stream

    script, profile = script_from_source(request["source"])
    sink = FirstByteSink()
    start = time.perf_counter()
    episode = stream(script, sink, voice=profile, cache=False)
    total = time.perf_counter() - start
    first = (sink.first or time.perf_counter()) - start
    return {
        "first_byte": first,
        "total": total,
        "bytes": len(sink.getvalue()),
        "duration_ms": episode.duration_ms,
    }


def long_render(request: Request) -> Reply:
    """One long article to MP3 with no cache: its wall time, duration and stages."""
    from listen.pipeline import render, script_from_source

    watch = instrumented()
    (script, profile), scripted = clock(
        lambda: script_from_source(request["source"], voice=request.get("voice"))
    )
    episode, rendered = clock(
        lambda: render(script, Path(request["out"]), voice=profile, cache=False)
    )
    return {
        "script": scripted,
        "render": rendered,
        "stages": watch.stages(rendered),
        "duration_ms": episode.duration_ms,
        "engine": episode.engine,
        "segments": episode.synthesized,
    }


def batch(request: Request) -> Reply:
    """``render_many`` over the given pages with ``jobs`` workers and no cache; with ``cores``,
    this process and its workers are confined to that many cores (set before any work)."""
    import os

    if request.get("cores"):
        os.sched_setaffinity(0, sorted(os.sched_getaffinity(0))[: request["cores"]])
    from listen.batch import render_many
    from listen.models import RenderOptions

    options = RenderOptions(cache=False)
    out = Path(request["out_dir"])
    outcomes, wall = clock(
        lambda: render_many(request["sources"], options, out, jobs=request["jobs"])
    )
    # The workers are the fork server's children: stop it (it reaps them, and this
    # process reaps it), so their CPU time counts in this child's.
    from multiprocessing import forkserver

    stop = getattr(forkserver._forkserver, "_stop", None)
    if stop is not None:
        stop()
    return {
        "wall": wall,
        "errors": [f"{o.job}: {o.detail}" for o in outcomes if o.kind != "ready"],
        "duration_ms": sum(o.duration_ms for o in outcomes),
        "rendered": len(outcomes),
    }


WORKLOADS: dict[str, Callable[[Request], Reply]] = {
    "seed": seed,
    "stream": stream_seed,
    "render": long_render,
    "batch": batch,
}


def main(argv: list[str]) -> None:
    name, request_path = argv
    request = json.loads(Path(request_path).read_text(encoding="utf-8"))
    reply = WORKLOADS[name](request)
    Path(request["reply"]).write_text(json.dumps(reply), encoding="utf-8")


if __name__ == "__main__":
    main(sys.argv[1:])
