"""The service's render jobs: Huey carries them (SQLite by default, Redis to scale out); the
library's claims make sure each article is rendered once.

The web process stores the article in the library and enqueues its id.
Render workers (``listen serve``'s own, or ``listen worker --db ... --broker
redis://...`` on other machines) are listen.runtime's processes fed by
``HueyFeeder``: each takes a job, claims that entry, renders it into
``MEDIA/articles/<uid>/`` and records the outcome. A message can be lost (a
worker killed between taking it and claiming), so a worker with nothing to do
also claims whatever is claimable: a pending entry, or one whose renderer
died or stopped renewing its lease. A dead worker's article is rendered again.
"""

from __future__ import annotations

import contextlib
import logging
import multiprocessing
import os
import sys
import time
from pathlib import Path
from typing import Any

from huey import RedisHuey, SqliteHuey
from huey.api import Huey

from listen.errors import BrokerError, StoreError
from listen.models import Event, RenderOptions
from listen.runtime import Emit, parent_alive, run

log = logging.getLogger("listen")

TASK = "render_article"
IDLE_S = 1.0  # how often an idle worker looks for claimable entries
SAY_EVERY_S = 60.0  # an outage is reported at most this often


def check_broker(broker: str | None) -> None:
    if broker and not broker.startswith(("redis://", "rediss://", "unix://")):
        raise BrokerError(f"unsupported broker {broker!r}", hint="use redis://HOST:PORT/DB")


def make_huey(data_dir: Path, broker: str | None) -> tuple[Huey, Any]:
    """The job queue (Redis when a broker URL is given, else a SQLite file in the data dir)
    and its render task, which enqueues an entry's id when called."""
    check_broker(broker)
    if broker:
        huey: Huey = RedisHuey("listen", url=broker, read_timeout=IDLE_S)
    else:
        data_dir.mkdir(parents=True, exist_ok=True)
        huey = SqliteHuey("listen", filename=str(data_dir / "jobs.sqlite3"))
    task = huey.task(name=TASK, retries=0)(render_article)
    return huey, task


def render_article(entry_id: int, db: str | None = None, media: str | None = None) -> bool:
    """Render one stored entry, if it is still claimable (a plain Huey consumer runs this;
    listen's workers call it with their own settings). True if it was rendered here."""
    from listen.publish.library import Library
    from listen.publish.workers import render_claimed

    with Library(db) as library:
        return render_claimed(
            library,
            lambda event: None,
            RenderOptions(opus=True),  # as Settings.render: the service offers Opus
            Path(media or "."),
            layout="service",
            entry_id=entry_id,
        )


class Outage:
    """Waits that double while something a worker needs (the broker, the article store) does
    not answer, and a warning when it stops answering, at most once a minute, and when it
    answers again: an outage costs neither a log line every poll nor a busy loop."""

    def __init__(self, what: str, first: float = 0.5, most: float = 30.0) -> None:
        self.what, self.first, self.most = what, first, most
        self.delay = 0.0  # 0: it answers
        self.said = float("-inf")  # when the last warning was printed (monotonic)

    def failed(self, exc: BaseException) -> float:
        """Record one failure; how long to wait before the next try."""
        self.delay = min(self.most, self.delay * 2) if self.delay else self.first
        now = time.monotonic()
        if now - self.said >= SAY_EVERY_S:
            self.said = now
            why = " ".join(str(exc).split())[:200] or type(exc).__name__
            _warn(f"warning: {self.what} is unreachable ({why}); retrying with backoff")
        return self.delay

    def answered(self) -> None:
        if self.delay:
            self.delay, self.said = 0.0, float("-inf")
            _warn(f"{self.what} answers again")


def _warn(line: str) -> None:
    print(line, file=sys.stderr, flush=True)


class HueyFeeder:
    """Jobs from Huey, and from the library's claimable entries when Huey has none."""

    endless = True

    def __init__(
        self,
        db: str,
        broker: str | None,
        data_dir: Path,
        media_dir: Path,
        options: RenderOptions,
    ) -> None:
        self.db, self.broker, self.data_dir = db, broker, data_dir
        self.media_dir, self.options = media_dir, options

    def work(self, emit: Emit, parent: int | None) -> None:
        from listen.publish.library import Library
        from listen.publish.workers import render_claimed

        huey, _ = make_huey(self.data_dir, self.broker)
        broker = Outage(f"the broker ({self.broker or 'jobs.sqlite3'})")
        store = Outage("the article library")
        library: Library | None = None
        try:
            while parent_alive(parent):
                try:
                    library = library or Library(self.db)
                    entry_id = self._next(huey, broker)
                    rendered = render_claimed(
                        library,
                        emit,
                        self.options,
                        self.media_dir,
                        layout="service",
                        entry_id=entry_id,
                    )
                except StoreError as exc:  # the library is down: wait, then connect again
                    with contextlib.suppress(Exception):
                        if library is not None:
                            library.close()
                    library = None
                    time.sleep(store.failed(exc))
                    continue
                store.answered()
                if entry_id is None and not rendered and not broker.delay:
                    time.sleep(IDLE_S if self.broker is None else 0.1)
        finally:
            if library is not None:
                with contextlib.suppress(Exception):
                    library.close()

    def _next(self, huey: Huey, outage: Outage) -> int | None:
        """The entry id of the next job, or None (waits up to IDLE_S on Redis, and longer
        while the broker does not answer)."""
        try:
            task = huey.dequeue()
        except Exception as exc:  # the broker is down: keep trying, ever less often
            time.sleep(outage.failed(exc))
            return None
        outage.answered()
        if task is None or not task.args:
            return None
        return int(task.args[0])

    def crashed(self, owner: str, how: str, job: str | None) -> list[Event]:
        # Nothing to record: the dead worker's claim is stale now, and the next idle worker
        # takes it over (counting the interruption as an attempt).
        return [Event("lost", job or "", detail=f"a render worker died ({how})")] if job else []

    def more(self) -> bool:
        return True


def run_workers(feeder: HueyFeeder, workers: int) -> None:
    """Render jobs with ``workers`` processes until stopped (SIGTERM/SIGINT)."""
    from listen.runtime import _stop_on_sigterm

    _stop_on_sigterm()
    # These renders share the machine with the web process: they are batch work and must
    # never make /healthz or the player wait for a core (their processes inherit this).
    with contextlib.suppress(OSError, AttributeError):
        os.nice(10)

    def handle(event: Event) -> None:
        if event.kind == "failed":
            log.warning("article %s failed: %s", event.job, event.detail)
        elif event.kind == "error":
            log.error("a render worker stopped: %s", event.detail)

    try:
        run(feeder, max(1, workers), handle)
    except KeyboardInterrupt:
        return


def start_workers(feeder: HueyFeeder, workers: int) -> Any:
    """The worker pool in a fresh process (spawn: nothing of the web process is inherited)."""
    context = multiprocessing.get_context("spawn")
    process = context.Process(
        target=run_workers, args=(feeder, workers), name="listen-workers", daemon=False
    )
    process.start()
    return process
