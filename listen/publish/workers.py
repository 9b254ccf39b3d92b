"""Rendering the library's entries: one claimed entry at a time, resumably.

Workers coordinate through the database alone: each one claims an entry,
renders it into the media folder and records the outcome, then claims the
next. So two render runs (or a run and the orphans of a killed one) share the
work without ever rendering an entry twice, and a run killed at any point
loses only the claim it held, which the next run takes over. While it renders,
a worker extends its claim's lease from a background thread, so a long encode
never looks like a dead worker.

``ClaimsFeeder`` feeds listen.runtime's workers for ``queue render``;
``render_claimed`` is also what the service's workers run for each job.
"""

from __future__ import annotations

import contextlib
import re
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from listen.errors import ListenError, StoreError
from listen.models import Event, RenderOptions
from listen.publish.library import Entry, Library
from listen.publish.owners import owner_alive
from listen.runtime import Emit, default_jobs, parent_alive, run

HEARTBEAT_S = 20.0
_PART = re.compile(r"^\.(\d+)-.*\.part$")
Layout = Literal["queue", "service"]


def entry_file(entry: Entry, layout: Layout) -> str:
    """Where an entry's MP3 goes, relative to the media folder.

    The queue's files are named for people (``3-the-slug.mp3``); the service's
    live in a folder per uid (``articles/<uid>/audio.mp3``), so a changed
    article never overwrites the audio a listener is playing.
    """
    if layout == "service":
        return f"articles/{entry.uid}/audio.mp3"
    return f"{entry.id}-{entry.slug}.mp3"


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


class _Lease:
    """Extends a claim's lease every HEARTBEAT_S while the render runs."""

    def __init__(self, library_db: str | Path | None, entry_id: int, token: str) -> None:
        self.db, self.entry_id, self.token = library_db, entry_id, token
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._beat, daemon=True, name="listen-lease")

    def _beat(self) -> None:
        with contextlib.suppress(ListenError), Library(self.db) as library:
            while not self.stop.wait(HEARTBEAT_S):
                with contextlib.suppress(ListenError):  # best effort: the next beat tries again
                    library.heartbeat(self.entry_id, self.token)

    def __enter__(self) -> _Lease:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop.set()
        self.thread.join(timeout=5)


def render_entry(
    library: Library,
    entry: Entry,
    token: str,
    options: RenderOptions,
    media_dir: Path,
    layout: Layout = "queue",
) -> Event:
    """Render one claimed entry into the media folder and record the outcome in the library.

    The stored script is rendered as it is (re-spoken only for another voice);
    an entry without one (added by an older listen) is read from its source.
    """
    from listen.pipeline import render_episode, script_for_voice, script_from_source

    try:
        stored = entry.stored_script()
        with _Lease(library.db, entry.id, token):
            if stored is not None:
                script, profile = script_for_voice(stored, options)
            else:
                script, profile = script_from_source(
                    entry.source, language=entry.language_hint, options=options
                )
            if layout == "queue":
                sweep_parts(media_dir, lambda i: i != entry.id)  # this entry's leftovers only
            out = media_dir / entry_file(entry, layout)
            out.parent.mkdir(parents=True, exist_ok=True)
            episode = render_episode(script, out, profile, options)
    except BaseException as exc:
        return _failed(library, entry, token, exc)
    if not library.finish(entry.id, token, episode, media_dir):
        return Event("lost", str(entry.id), script.title, detail="removed or taken over")
    return Event(
        "ready",
        str(entry.id),
        script.title,
        path=out,
        duration_ms=episode.duration_ms,
        synthesized=episode.synthesized,
        cached=episode.cached,
    )


def _failed(library: Library, entry: Entry, token: str, exc: BaseException) -> Event:
    if isinstance(exc, ListenError):
        reason = exc.one_line()
    elif isinstance(exc, Exception):  # a bug in one article must not sink the queue
        reason = f"internal error: {type(exc).__name__}: {exc}"
    else:  # interrupted: not the article's fault, give the claim back
        with contextlib.suppress(ListenError):
            library.release(entry.id, token)
        raise exc
    library.fail(entry.id, token, reason)
    return Event("failed", str(entry.id), entry.title, detail=reason)


def render_claimed(
    library: Library,
    emit: Emit,
    options: RenderOptions,
    media_dir: Path,
    *,
    layout: Layout = "queue",
    since: float | None = None,
    entry_id: int | None = None,
) -> bool:
    """Claim one entry (the first claimable, or ``entry_id``) and render it; False if none."""
    token = uuid.uuid4().hex
    entry = library.claim(token, since=since, entry_id=entry_id)
    if entry is None:
        return False
    emit(Event("start", str(entry.id), entry.title))
    emit(render_entry(library, entry, token, options, media_dir, layout))
    return True


# -- `queue render` -------------------------------------------------------------------------


class ClaimsFeeder:
    """Workers that claim entries until none is claimable (what failed during the run waits)."""

    endless = False

    def __init__(
        self, db: str | Path | None, options: RenderOptions, media_dir: Path, since: float
    ) -> None:
        self.db, self.options, self.media_dir, self.since = db, options, media_dir, since

    def work(self, emit: Emit, parent: int | None) -> None:
        with Library(self.db) as library:
            while parent_alive(parent) and render_claimed(
                library, emit, self.options, self.media_dir, since=self.since
            ):
                pass

    def crashed(self, owner: str, how: str, job: str | None) -> list[Event]:
        """Record a failure on what a dead worker held: it never blocks the rest."""
        reason = f"the render process died ({how})"
        with Library(self.db) as library:
            return [
                Event("failed", str(i), library.get(i).title, detail=reason)
                for i in library.fail_owner(owner, reason)
            ]

    def more(self) -> bool:
        with Library(self.db) as library:
            return bool(library.claimable(since=self.since))


def render_queue(
    db: str | Path | None,
    options: RenderOptions,
    media_dir: Path,
    *,
    jobs: int | None = None,
    retry_now: bool = False,
    on_event: OnEvent | None = None,
) -> RunSummary:
    """Render everything claimable now; ``retry_now`` first forgets the failures' backoff."""
    since = time.time()
    summary = RunSummary()
    try:
        media_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise StoreError(f"cannot create {media_dir}: {exc.strerror}") from None
    with Library(db) as library:
        if retry_now:
            library.retry_failed()
        live = {e.id for e in library.entries(state="rendering") if owner_alive(e.claim_owner)}
        # Another run's claim made after this look has no temporary file yet: it is still
        # synthesising, and its files are written only at the end.
        sweep_parts(media_dir, live.__contains__)
        summary.todo = len(library.claimable(since=since))

    def handle(event: Event) -> None:
        summary.add(event)
        if on_event is not None:
            on_event(event, summary)

    workers = min(jobs or default_jobs(), summary.todo)
    run(ClaimsFeeder(db, options, media_dir, since), workers, handle)
    return summary
