"""`listen queue render`: every claimable entry rendered, in parallel, and resumably.

Workers coordinate through the database alone: each one claims an entry,
renders it into the media folder and records the outcome, then claims the
next. So two render runs (or a run and the orphans of a killed one) share the
work without ever rendering an entry twice, and a run killed at any point
loses only the claim it held, which the next run takes over.

pyttsx3 and espeak start once per process, so parallel work means spawned
processes, each keeping its engine (as in listen.batch). With one job the
work happens in this process.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import queue as queue_module
import re
import signal
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from listen.batch import default_jobs
from listen.errors import ListenError
from listen.publish.owners import owner_alive, process_owner
from listen.publish.queue import Entry, Queue, QueueError
from listen.publish.sources import summary_of

HEARTBEAT_S = 30.0
MAX_RESPAWNS = 8  # crashed workers replaced per run, so one bad article cannot stop the rest
_PART = re.compile(r"^\.(\d+)-.*\.part$")


@dataclass(frozen=True)
class RenderOptions:
    media_dir: Path
    voice: str | None = None
    engine: str | None = None
    bitrate: int = 64
    loudness: float | None = None
    cache: bool = True
    timeout: float = 30.0  # how long a worker waits for the database lock


@dataclass(frozen=True)
class Event:
    """What a worker reports: an entry started, finished or failed; or the worker failed."""

    kind: Literal["start", "ready", "failed", "lost", "error"]
    entry_id: int
    title: str = ""
    detail: str = ""  # the file for ready, the reason for failed, lost and error
    duration_ms: int = 0


@dataclass
class RunSummary:
    todo: int = 0  # claimable when the run started
    ready: list[Event] = field(default_factory=list)
    failed: list[Event] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    @property
    def finished(self) -> int:
        return len(self.ready) + len(self.failed)

    def add(self, event: Event) -> None:
        if event.kind == "ready":
            self.ready.append(event)
        elif event.kind == "failed":
            self.failed.append(event)
        elif event.kind == "error":
            self.errors.append(event.detail)


OnEvent = Callable[[Event, RunSummary], None]


# -- one entry ------------------------------------------------------------------------------


def sweep_parts(media_dir: Path, keep: Callable[[int], bool] = lambda _: False) -> int:
    """Delete the temporary files a killed render left, except those of entries ``keep`` names."""
    removed = 0
    with contextlib.suppress(FileNotFoundError):
        for path in media_dir.iterdir():
            match = _PART.match(path.name)
            if match and not keep(int(match.group(1))):
                with contextlib.suppress(FileNotFoundError):
                    path.unlink()
                    removed += 1
    return removed


def render_entry(queue: Queue, entry: Entry, token: str, options: RenderOptions) -> Event:
    """Render one claimed entry into the media folder and record the outcome in the queue."""
    from listen.pipeline import render, script_from_source

    last_beat = time.monotonic()

    def heartbeat(done: int, total: int) -> None:
        nonlocal last_beat
        if time.monotonic() - last_beat >= HEARTBEAT_S:
            last_beat = time.monotonic()
            with contextlib.suppress(QueueError):  # best effort: the claim is refreshed later
                queue.heartbeat(entry.id, token)

    name = f"{entry.id}-{entry.slug}"
    try:
        script, profile = script_from_source(
            entry.source, language=entry.language_hint, voice=options.voice
        )
        sweep_parts(options.media_dir, lambda i: i != entry.id)  # this entry's leftovers only
        out = options.media_dir / f"{name}.mp3"
        episode = render(
            script,
            out,
            voice=profile,
            engine=options.engine,
            bitrate=options.bitrate,
            loudness=options.loudness,
            cache=options.cache,
            progress=heartbeat,
        )
        size = out.stat().st_size
    except BaseException as exc:
        return _failed(queue, entry, token, exc)
    recorded = queue.finish(
        entry.id,
        token,
        media_dir=options.media_dir,
        audio=out.name,
        audio_bytes=size,
        duration_ms=episode.duration_ms,
        title=script.title,
        language=script.language,
        url=script.url,
        site=script.site,
        published=script.published,
        summary=summary_of((b.kind, b.text) for b in script.blocks),
    )
    if not recorded:
        return Event("lost", entry.id, script.title, "removed or taken over while rendering")
    return Event("ready", entry.id, script.title, str(out), episode.duration_ms)


def _failed(queue: Queue, entry: Entry, token: str, exc: BaseException) -> Event:
    if isinstance(exc, ListenError):
        reason = exc.one_line()
    elif isinstance(exc, Exception):  # a bug in one article must not sink the queue
        reason = f"internal error: {type(exc).__name__}: {exc}"
    else:  # interrupted: not the article's fault, give the claim back
        with contextlib.suppress(QueueError):
            queue.release(entry.id, token)
        raise exc
    queue.fail(entry.id, token, reason)
    return Event("failed", entry.id, entry.title, reason)


# -- a worker -------------------------------------------------------------------------------


def work(
    db: Path,
    options: RenderOptions,
    since: float,
    emit: Callable[[Event], None],
    *,
    parent: int | None = None,
) -> None:
    """Claim and render entries until none is left (or the parent run is gone)."""
    with Queue(db, timeout=options.timeout) as queue:
        while parent is None or os.getppid() == parent:
            token = uuid.uuid4().hex
            entry = queue.claim(token, since=since)
            if entry is None:
                return
            emit(Event("start", entry.id, entry.title))
            emit(render_entry(queue, entry, token, options))


def _worker_main(db: str, options: RenderOptions, since: float, events: Any, parent: int) -> None:
    """The body of a spawned worker process."""
    try:
        work(Path(db), options, since, events.put, parent=parent)
    except KeyboardInterrupt:
        raise SystemExit(130) from None
    except ListenError as exc:
        events.put(Event("error", 0, detail=exc.one_line()))
        raise SystemExit(1) from None


# -- a run ----------------------------------------------------------------------------------


def render_queue(
    db: Path,
    options: RenderOptions,
    *,
    jobs: int | None = None,
    retry_now: bool = False,
    on_event: OnEvent | None = None,
) -> RunSummary:
    """Render everything claimable now; ``retry_now`` first forgets the failures' backoff."""
    since = time.time()
    summary = RunSummary()
    try:
        options.media_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise QueueError(f"cannot create {options.media_dir}: {exc.strerror}") from None
    with Queue(db, timeout=options.timeout) as queue:
        if retry_now:
            queue.retry_failed()
        live = {e.id for e in queue.entries(state="rendering") if owner_alive(e.claim_owner)}
        # Another run's claim made after this look has no temporary file yet: it is still
        # synthesising, and its files are written only at the end.
        sweep_parts(options.media_dir, live.__contains__)
        summary.todo = len(queue.claimable(since=since))

    def handle(event: Event) -> None:
        summary.add(event)
        if on_event is not None:
            on_event(event, summary)

    workers = min(jobs or default_jobs(), summary.todo)
    if workers == 1:
        work(db, options, since, handle)
    elif workers > 1:
        _run_processes(db, options, since, workers, handle)
    return summary


def _run_processes(
    db: Path, options: RenderOptions, since: float, workers: int, handle: Callable[[Event], None]
) -> None:
    # spawn: a fresh interpreter per worker, so no worker inherits a started engine
    context = multiprocessing.get_context("spawn")
    events: Any = context.Queue()
    running: dict[int, tuple[Any, str]] = {}

    def start() -> None:
        process = context.Process(
            target=_worker_main,
            args=(str(db.resolve()), options, since, events, os.getpid()),
            name="listen-render",
        )
        process.start()
        running[int(process.pid or 0)] = (process, process_owner(process.pid))

    def drain(wait: float) -> None:
        with contextlib.suppress(queue_module.Empty):
            handle(events.get(timeout=wait))
            while True:
                handle(events.get_nowait())

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
                if process.exitcode not in (0, None):
                    _crashed(db, options, owner, process.exitcode, handle)
                    respawns += 1
                    if respawns <= MAX_RESPAWNS and _claimable_left(db, options, since):
                        start()
        drain(0.05)
    except BaseException:
        for process, _ in running.values():
            process.join(timeout=10)  # Ctrl-C reached them too: they give their claims back
            if process.is_alive():
                process.terminate()
        raise


def _crashed(
    db: Path, options: RenderOptions, owner: str, code: int, handle: Callable[[Event], None]
) -> None:
    """Record a failure on what a dead worker held: it never blocks the rest."""
    how = f"killed by {signal.Signals(-code).name}" if code < 0 else f"exit status {code}"
    reason = f"the render process died ({how})"
    with Queue(db, timeout=options.timeout) as queue:
        for entry_id in queue.fail_owner(owner, reason):
            handle(Event("failed", entry_id, queue.get(entry_id).title, reason))


def _claimable_left(db: Path, options: RenderOptions, since: float) -> bool:
    with Queue(db, timeout=options.timeout) as queue:
        return bool(queue.claimable(since=since))
