"""Rendering in the background, through Huey: SQLite storage by default, Redis to scale out.

The web process only enqueues; render workers (``listen serve``'s own pool,
or ``listen worker --broker redis://...`` on other machines) take jobs, render
the article's page into ``DIR/articles/<id>/`` and record the outcome. Each
worker is a process with its own engine, because espeak starts only once per
process.
"""

from __future__ import annotations

import logging
import multiprocessing
from pathlib import Path
from typing import Any

from huey import RedisHuey, SqliteHuey
from huey.api import Huey

from listen.errors import ListenError

log = logging.getLogger("listen")

PAGE = "page.html"
AUDIO = "audio.mp3"


def article_dir(data_dir: Path, aid: str) -> Path:
    return data_dir / "articles" / aid


def make_huey(data_dir: Path, broker: str | None) -> tuple[Huey, Any]:
    """The job queue (Redis when a broker URL is given, else a SQLite file in the data dir)
    and its render task, which enqueues when called."""
    if broker:
        if not broker.startswith(("redis://", "rediss://", "unix://")):
            raise ListenError(f"unsupported broker {broker!r}", hint="use redis://HOST:PORT/DB")
        huey: Huey = RedisHuey("listen", url=broker)
    else:
        data_dir.mkdir(parents=True, exist_ok=True)
        huey = SqliteHuey("listen", filename=str(data_dir / "jobs.sqlite3"))
    task = huey.task(name="render_article", retries=0)(render_article)
    return huey, task


def render_article(aid: str, data_dir: str, requested_url: str | None = None) -> str:
    """Render one stored page. Runs in a worker; the outcome goes to the store, not the caller."""
    from listen.pipeline import render, script_from_html
    from listen.publish.server.store import Store
    from listen.voices import choose_profile

    root = Path(data_dir)
    store = Store(root / "listen.sqlite3")
    folder = article_dir(root, aid)
    store.set_state(aid, "rendering")
    try:
        html = (folder / PAGE).read_text(encoding="utf-8")
        script = script_from_html(html, requested_url)
        episode = render(script, folder / AUDIO, voice=choose_profile(script.language))
    except ListenError as exc:
        store.set_state(aid, "failed", reason=exc.one_line())
        return "failed"
    except Exception as exc:  # a bug must still leave the article in a final state
        log.exception("rendering %s failed", aid)
        store.set_state(aid, "failed", reason=f"internal error: {type(exc).__name__}")
        return "failed"
    store.set_state(
        aid,
        "ready",
        duration_ms=episode.duration_ms,
        audio_bytes=(folder / AUDIO).stat().st_size,
        reason=None,
        synthesized=episode.synthesized,
        cached=episode.cached,
    )
    return "ready"


def run_consumer(data_dir: str, broker: str | None, workers: int) -> None:
    """A Huey consumer with ``workers`` processes; blocks until stopped (SIGTERM/SIGINT)."""
    from huey.consumer import Consumer

    huey, _ = make_huey(Path(data_dir), broker)
    consumer = Consumer(huey, workers=max(1, workers), worker_type="process", periodic=False)
    consumer.run()


def start_consumer(data_dir: Path, broker: str | None, workers: int) -> Any:
    """Run the consumer in a fresh process (spawn: nothing of the web process is inherited)."""
    context = multiprocessing.get_context("spawn")
    process = context.Process(
        target=run_consumer,
        args=(str(data_dir), broker, workers),
        name="listen-workers",
        daemon=False,
    )
    process.start()
    return process
