"""The one render runtime: worker processes that keep their engine warm and pull jobs.

pyttsx3 and espeak start only once per process, so parallel work means
processes, each keeping its engine for every article it renders. What feeds
the workers is a ``Feeder``:

* ``PathsFeeder``: a list of sources (``listen speak`` with several);
* ``listen.publish.workers.ClaimsFeeder``: the library's claims (``queue render``);
* ``listen.publish.server.jobs.HueyFeeder``: the job queue (``serve``, ``worker``).

Each reports through one callback of ``Event``s. ``run`` starts the workers
(spawned: no worker inherits a started engine), replaces one that dies, asks
the feeder to record what the dead one held, and stops them all on Ctrl-C or
SIGTERM. With one worker and a finite feeder the work happens in this process.
"""

from __future__ import annotations

import contextlib
import os
import queue as queue_module
import signal
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, Protocol

from listen.errors import ListenError
from listen.models import Event, RenderOptions

MAX_RESPAWNS = 8  # crashed workers replaced per run, so one bad article cannot stop the rest
Emit = Callable[[Event], None]


class Feeder(Protocol):
    """Where workers take their jobs from. Picklable: each worker process gets a copy."""

    endless: bool  # a service's feeder never runs out; a run's does

    def work(self, emit: Emit, parent: int | None) -> None:
        """In a worker: take and render jobs until none is left (or ``parent`` is gone)."""

    def crashed(self, owner: str, how: str, job: str | None) -> list[Event]:
        """In the parent: record what a dead worker held; the events to report."""

    def more(self) -> bool:
        """In the parent: whether a replacement worker would find anything to do."""


def default_jobs() -> int:
    """The cores this process may use."""
    if hasattr(os, "sched_getaffinity"):
        return max(1, len(os.sched_getaffinity(0)))
    return os.cpu_count() or 1


def parent_alive(parent: int | None) -> bool:
    return parent is None or os.getppid() == parent


def _stop_on_sigterm() -> None:
    def interrupt(signum: int, frame: object) -> None:
        raise KeyboardInterrupt  # a worker gives its claim back on the way out

    signal.signal(signal.SIGTERM, interrupt)


def _worker_main(feeder: Feeder, events: Any, parent: int) -> None:
    """The body of a spawned worker process."""
    from listen.publish.owners import process_owner

    _stop_on_sigterm()
    owner = process_owner()

    def emit(event: Event) -> None:
        events.put((owner, event))

    try:
        feeder.work(emit, parent)
    except KeyboardInterrupt:
        raise SystemExit(130) from None
    except ListenError as exc:
        emit(Event("error", detail=exc.one_line()))
        raise SystemExit(1) from None


def run(feeder: Feeder, workers: int, handle: Emit, *, context: Any = None) -> None:
    """Run ``workers`` processes on ``feeder`` until it runs out (or forever, if endless).

    ``context`` is the multiprocessing context that starts them: spawn unless given
    (``listen.batch`` passes a fork server that has the render modules loaded).
    """
    if workers <= 0:
        return
    if workers == 1 and not feeder.endless:
        feeder.work(handle, None)
        return
    import multiprocessing  # here, not at the top: ``listen speak X`` starts no worker

    # spawn: a fresh interpreter per worker, so no worker inherits a started engine
    context = context or multiprocessing.get_context("spawn")
    events: Any = context.Queue()
    running: dict[int, tuple[Any, str]] = {}
    holding: dict[str, str] = {}  # worker owner -> the job it started and has not finished

    def start() -> None:
        from listen.publish.owners import process_owner

        process = context.Process(
            target=_worker_main, args=(feeder, events, os.getpid()), name="listen-render"
        )
        process.start()
        running[int(process.pid or 0)] = (process, process_owner(process.pid))

    def take(item: tuple[str, Event]) -> None:
        owner, event = item
        if event.kind == "start":
            holding[owner] = event.job
        elif event.kind in ("ready", "failed", "lost"):
            holding.pop(owner, None)
        handle(event)

    def drain(wait: float) -> None:
        with contextlib.suppress(queue_module.Empty):
            take(events.get(timeout=wait))
            while True:
                take(events.get_nowait())

    for _ in range(workers):
        start()
    respawns = 0
    try:
        while running:
            drain(0.2)
            for pid, (process, owner) in list(running.items()):
                if process.is_alive():
                    continue
                process.join()
                del running[pid]
                drain(0.05)  # its last words, before judging how it ended
                code = process.exitcode
                if code in (0, None):
                    if feeder.endless:
                        start()
                    continue
                how = f"killed by {signal.Signals(-code).name}" if code < 0 else f"exit {code}"
                for event in feeder.crashed(owner, how, holding.pop(owner, None)):
                    handle(event)
                respawns += 1
                if feeder.endless:
                    time.sleep(min(5.0, 0.2 * respawns))  # a worker that dies at once: slow down
                    start()
                elif respawns <= MAX_RESPAWNS and feeder.more():
                    start()
        drain(0.05)
    except BaseException:
        for process, _ in running.values():
            if process.is_alive():
                process.terminate()  # SIGTERM: each gives its claim back
        for process, _ in running.values():
            process.join(timeout=10)
            if process.is_alive():
                process.kill()
        raise


# -- a list of sources ----------------------------------------------------------------------


class PathsFeeder:
    """``listen speak A B C``: each source rendered into ``out_dir`` as ``SLUG.mp3``."""

    endless = False

    def __init__(self, sources: list[str], options: RenderOptions, out_dir: Path) -> None:
        import multiprocessing

        self.sources = sources
        self.options = options
        self.out_dir = out_dir
        self.jobs: Any = multiprocessing.get_context("spawn").Queue()
        for source in sources:
            self.jobs.put(source)
        self._left = len(sources)

    def work(self, emit: Emit, parent: int | None) -> None:
        while parent_alive(parent):
            try:
                source = self.jobs.get(timeout=0.5)
            except queue_module.Empty:
                return
            emit(Event("start", job=source))
            emit(render_source(source, self.options, self.out_dir))

    def crashed(self, owner: str, how: str, job: str | None) -> list[Event]:
        if job is None:
            return []
        return [Event("failed", job=job, detail=f"the render process died ({how})")]

    def more(self) -> bool:
        return not self.jobs.empty()


def render_source(source: str, options: RenderOptions, out_dir: Path) -> Event:
    """Render one source; its outcome as an event (errors too, never exceptions)."""
    from listen.episodes import find_episode
    from listen.fetch import read_raw, to_page

    try:
        raw = read_raw(source)
        key, found = find_episode(raw, options)
        if found is not None and found.place(out_dir / f"{found.stored.slug}.mp3"):
            stored = found.stored  # the same page and settings as before: linked
            return Event(
                "ready",
                job=source,
                title=str((found.store.script(stored.key) or {}).get("title", stored.slug)),
                path=out_dir / f"{stored.slug}.mp3",
                duration_ms=stored.duration_ms,
            )
        from listen.pipeline import render_episode, script_from_page

        script, profile = script_from_page(to_page(raw, source), options=options)
        episode = render_episode(
            script, out_dir / f"{script.slug}.mp3", profile, options, source_key=key
        )
    except ListenError as exc:
        return Event("failed", job=source, detail=exc.one_line())
    except Exception as exc:  # a bug in one article must not sink the batch
        return Event("failed", job=source, detail=f"internal error: {type(exc).__name__}: {exc}")
    return Event(
        "ready",
        job=source,
        title=script.title,
        path=episode.path,
        duration_ms=episode.duration_ms,
        synthesized=episode.synthesized,
        cached=episode.cached,
    )
