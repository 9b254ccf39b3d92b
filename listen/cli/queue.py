"""``listen queue``: queue articles or a site's feed, render them, keep the listener's place."""

from __future__ import annotations

import contextlib
import json
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import click

from listen.cli import cli
from listen.cli.options import make_options, quiet_option, render_options
from listen.errors import QueueError
from listen.models import Event
from listen.publish.library import (
    MAX_ATTEMPTS,
    Entry,
    Library,
    default_media_dir,
)
from listen.publish.owners import owner_alive
from listen.publish.workers import RunSummary, render_queue

db_option = click.option(
    "--db",
    metavar="URL",
    envvar=["LISTEN_DB", "LISTEN_QUEUE_DB"],
    help="The article library: a file or sqlite:///PATH, or postgresql://USER@HOST/DB "
    "(or $LISTEN_DB; default: queue.db in listen's data folder, e.g. ~/.local/share/listen/).",
)
media_option = click.option(
    "--media-dir",
    type=click.Path(file_okay=False, path_type=Path),
    help="Where the rendered files are (default: where `queue render` put them).",
)
render_media_option = click.option(
    "--media-dir",
    type=click.Path(file_okay=False, path_type=Path),
    help="Where to put the rendered files (default: media/ beside the database).",
)


@contextlib.contextmanager
def _open(db: str | None) -> Iterator[Library]:
    with Library(db) as library:
        yield library


def clock(ms: int | None) -> str:
    """3:06 or 1:02:03."""
    if ms is None:
        return "-"
    seconds = (ms + 500) // 1000
    hours, rest = divmod(seconds, 3600)
    return f"{hours}:{rest // 60:02d}:{rest % 60:02d}" if hours else f"{rest // 60}:{rest % 60:02d}"


def _when(epoch: float) -> str:
    wait = epoch - time.time()
    if wait <= 0:
        return "on the next render"
    if wait < 45:
        return f"in {wait:.0f} s"
    if wait < 5400:
        return f"in {wait / 60:.0f} min"
    return f"in {wait / 3600:.1f} h"


@cli.group("queue")
def queue_group() -> None:
    """A playback queue: articles rendered in order, resumed where the listener stopped.

    The queue is the article library that `feed build` and `serve` read too: an
    SQLite file, or PostgreSQL (--db, or $LISTEN_DB); rendered files go to
    --media-dir, by default media/ beside the database.
    """


# -- add ------------------------------------------------------------------------------------


@queue_group.command("add")
@click.argument("sources", metavar="SOURCE...", nargs=-1, required=True)
@db_option
@click.option(
    "--language", "-l", metavar="CODE", help="The articles' language, if the pages are wrong."
)
@click.option(
    "--limit",
    type=click.IntRange(1),
    metavar="N",
    help="From a feed or sitemap, queue at most N new articles.",
)
@quiet_option
def add_command(
    sources: tuple[str, ...], db: str | None, language: str | None, limit: int | None, quiet: bool
) -> None:
    """Queue articles: .html files, http(s) URLs, or a site's RSS/Atom feed or news sitemap.

    A feed or sitemap queues the articles it lists that are not queued yet.
    Duplicates are recognised by the article's canonical URL.
    """
    from listen.publish.sources import add_sources  # extraction: not for --help

    def notify(what: str, detail: str) -> None:
        if not quiet:
            click.echo(f"{what}: {detail}", err=True)

    with _open(db) as queue:
        report = add_sources(queue, sources, language=language, limit=limit, notify=notify)
    if report.failed:
        if len(sources) == 1:
            raise report.failed[0][1]
        raise QueueError(
            f"{len(report.failed)} of {len(sources)} sources failed: "
            + "; ".join(f"{source} ({exc.one_line()})" for source, exc in report.failed)
        )
    if not quiet:
        click.echo(
            f"queued {len(report.added)} new, {len(report.known)} already queued"
            + (f", {len(report.skipped)} skipped" if report.skipped else ""),
            err=True,
        )


# -- render ---------------------------------------------------------------------------------


class _Progress:
    """A bar on a terminal, a line per article otherwise, nothing with -q."""

    def __init__(self, quiet: bool) -> None:
        self.quiet = quiet
        self.tty = sys.stderr.isatty()
        self.bar: Any = None

    def __call__(self, event: Event, summary: RunSummary) -> None:
        if self.quiet or event.kind == "error":
            return
        if self.tty:
            if self.bar is None:  # shown from the first article on
                self.bar = click.progressbar(
                    length=summary.todo, label="Rendering", file=sys.stderr, show_pos=True
                )
                self.bar.__enter__()
            if event.kind != "start":
                self.bar.update(1)
            return
        if event.kind == "start":
            return
        if event.kind == "ready":
            what = f"ready, {clock(event.duration_ms)}"
        else:
            what = f"{event.kind}: {event.detail}"
        click.echo(
            f"[{summary.finished}/{summary.todo}] {event.job} {event.title}: {what}", err=True
        )

    def close(self) -> None:
        if self.bar is not None:
            self.bar.__exit__(None, None, None)


@queue_group.command("render")
@db_option
@render_media_option
@click.option(
    "-j", "--jobs", type=click.IntRange(1, 64), help="Articles rendered at once (default: cores)."
)
@render_options(sidecars=False)
@click.option("--retry-now", is_flag=True, help="Retry failed entries now, whatever their backoff.")
@quiet_option
def render_command(
    db: str | None,
    media_dir: Path | None,
    jobs: int | None,
    retry_now: bool,
    quiet: bool,
    **flags: Any,
) -> None:
    """Render every pending entry, in parallel; a killed run is resumed by the next one.

    A failed article is recorded with its reason and retried by later runs,
    after 1, 4, 16 and 64 minutes; it never blocks the rest. Exits 1 if any
    article failed in this run.
    """
    options = make_options(flags)
    with _open(db) as library:  # a locked or corrupt database stops here, before any work
        library.counts()
        where = library.name
    media = (media_dir or default_media_dir(db or where)).resolve()
    progress = _Progress(quiet)
    try:
        summary = render_queue(
            db, options, media, jobs=jobs, retry_now=retry_now, on_event=progress
        )
    finally:
        progress.close()
    with _open(db) as library:
        counts = library.counts()
    if summary.errors:
        raise QueueError(summary.errors[0])
    if not quiet:
        state = ", ".join(f"{n} {s}" for s, n in counts.items() if n)
        if summary.todo == 0:
            click.echo(f"nothing to render ({state or 'the queue is empty'})", err=True)
        else:
            click.echo(
                f"rendered {len(summary.ready)}, failed {len(summary.failed)} "
                f"(queue: {state}; media in {media})",
                err=True,
            )
    if summary.failed:
        raise QueueError(
            f"{len(summary.failed)} article(s) failed: "
            + "; ".join(f"{e.job} {e.title} ({e.detail})" for e in summary.failed),
            hint="later runs retry them",
        )


# -- list and next --------------------------------------------------------------------------


def _state(entry: Entry) -> str:
    if entry.state == "rendering" and not owner_alive(entry.claim_owner):
        return "interrupted"  # the next render takes it over
    if entry.state == "ready" and entry.done:
        return "done"
    if entry.state == "ready" and entry.position_s:
        return "started"
    return entry.state


def _failure(entry: Entry) -> str:
    if entry.next_attempt_at is None:
        return f"gave up after {entry.attempts} attempts: {entry.last_error}"
    return (
        f"attempt {entry.attempts} of {MAX_ATTEMPTS}, retry {_when(entry.next_attempt_at)}: "
        f"{entry.last_error}"
    )


@queue_group.command("list")
@db_option
@click.option("--json", "as_json", is_flag=True, help="One JSON object per entry.")
def list_command(db: str | None, as_json: bool) -> None:
    """Each entry's id, state, language, duration and title; why a failed one failed."""
    with _open(db) as queue:
        entries = queue.entries()
    if as_json:
        for entry in entries:
            click.echo(json.dumps(_as_dict(entry), ensure_ascii=False))
        return
    if not entries:
        click.echo("the queue is empty", err=True)
        return
    click.echo(f"{'ID':>4}  {'STATE':<11} {'LANG':<4} {'LENGTH':>7}  TITLE")
    for entry in entries:
        click.echo(
            f"{entry.id:>4}  {_state(entry):<11} {entry.language or '?':<4} "
            f"{clock(entry.duration_ms):>7}  {entry.title}"
        )
        if entry.state == "failed":
            click.echo(f"{'':>6}{_failure(entry)}")
        elif entry.state == "ready" and entry.position_s and not entry.done:
            click.echo(f"{'':>6}stopped at {clock(round(entry.position_s * 1000))}")


def _as_dict(entry: Entry) -> dict[str, object]:
    from listen.publish.playlist import entry_files

    mp3 = entry_files(entry).get("audio")
    return {
        "id": str(entry.id),
        "state": entry.state,
        "title": entry.title,
        "language": entry.language,
        "duration_ms": entry.duration_ms,
        "url": entry.url,
        "source": entry.source,
        "audio": str(mp3) if mp3 else None,
        "position_s": entry.position_s,
        "done": entry.done,
        "attempts": entry.attempts,
        "error": entry.last_error,
    }


@queue_group.command("next")
@db_option
@click.option("--json", "as_json", is_flag=True, help="The entry as the player reads it.")
@click.pass_context
def next_command(ctx: click.Context, db: str | None, as_json: bool) -> None:
    """The next entry to play and where to resume it; exits 1 when nothing is ready."""
    from listen.publish.playlist import entry_document, entry_files

    with _open(db) as queue:
        entry = queue.next_entry()
        counts = queue.counts()
    document = entry_document(entry) if entry else None
    if entry is None or document is None:
        waiting = counts["pending"] + counts["rendering"]
        click.echo(
            "nothing to play"
            + (f": {waiting} waiting to be rendered (listen queue render)" if waiting else ""),
            err=True,
        )
        ctx.exit(1)
    if as_json:
        click.echo(json.dumps(document, ensure_ascii=False, indent=2))
        return
    click.echo(f"{entry.id} {entry.title}")
    click.echo(str(entry_files(entry)["audio"]))
    click.echo(
        f"from {clock(round(entry.position_s * 1000))} of {clock(entry.duration_ms)} "
        f"({entry.language})"
    )


# -- the listener's place -------------------------------------------------------------------


def _seconds(value: str) -> float:
    """90, 90.5, 1:30 or 1:02:03 (minutes and seconds after a colon are under 60)."""
    bad = click.BadParameter(f"{value!r} is not a time (seconds, or [h:]m:ss)")
    try:
        parts = [float(p) for p in value.split(":")]
    except ValueError:
        raise bad from None
    if len(parts) > 3 or any(p < 0 or p != p or p == float("inf") for p in parts):
        raise bad
    if any(p >= 60 for p in parts[1:]) or (len(parts) == 3 and parts[1] != int(parts[1])):
        raise bad
    if len(parts) > 1 and any(p != int(p) for p in parts[:-1]):
        raise bad
    return float(sum(p * 60**i for i, p in enumerate(reversed(parts))))


def _say(quiet: bool, line: str) -> None:
    if not quiet:
        click.echo(line, err=True)


@queue_group.command("done")
@click.argument("ids", metavar="ID...", nargs=-1, required=True, type=int)
@db_option
@click.option("--undo", is_flag=True, help="Mark as not listened to.")
@quiet_option
def done_command(ids: tuple[int, ...], db: str | None, undo: bool, quiet: bool) -> None:
    """Mark entries as listened to; `next` skips them."""
    with _open(db) as library:
        entries = [library.mark_done(entry_id, not undo) for entry_id in ids]
    what = "not listened to" if undo else "listened to"
    _say(quiet, "marked " + ", ".join(f"{e.id} {e.title}" for e in entries) + f" as {what}")


@queue_group.command("position")
@click.argument("entry_id", metavar="ID", type=int)
@click.argument("seconds", metavar="SECONDS")
@db_option
@quiet_option
def position_command(entry_id: int, seconds: str, db: str | None, quiet: bool) -> None:
    """Save where the listener stopped in an entry (90, 1:30 or 1:02:03)."""
    with _open(db) as library:
        entry = library.set_position(entry_id, _seconds(seconds))
    stopped = clock(round(entry.position_s * 1000))
    _say(quiet, f"{entry.id} {entry.title}: stopped at {stopped} of {clock(entry.duration_ms)}")


@queue_group.command("remove")
@click.argument("ids", metavar="ID...", nargs=-1, required=True, type=int)
@db_option
@click.option("--delete-files", is_flag=True, help="Also delete the MP3 and its sidecars.")
@quiet_option
def remove_command(ids: tuple[int, ...], db: str | None, delete_files: bool, quiet: bool) -> None:
    """Take entries out of the queue. Their files stay unless --delete-files."""
    from listen.transcript import sidecar_paths

    removed = []
    with _open(db) as library:
        for entry_id in ids:
            entry = library.remove(entry_id)
            removed.append(entry)
            if delete_files and entry.audio_path is not None:
                mp3 = entry.audio_path
                for path in (mp3, *sidecar_paths(mp3).values(), mp3.with_suffix(".opus")):
                    path.unlink(missing_ok=True)
    files = " and deleted their files" if delete_files else ""
    _say(quiet, "removed " + ", ".join(f"{e.id} {e.title}" for e in removed) + files)


# -- export ---------------------------------------------------------------------------------


@queue_group.command("export")
@db_option
@click.option("--m3u8", type=click.Path(dir_okay=False, path_type=Path), help="Write a playlist.")
@click.option(
    "--json",
    "json_path",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write the queue document a web player reads.",
)
@click.option(
    "--base-url",
    metavar="URL",
    help="Give the JSON's file URLs as URL + file name instead of relative paths.",
)
@click.option("--language", "-l", metavar="CODE", help="Only entries in this language.")
@click.option("--unplayed", is_flag=True, help="Leave out entries marked done.")
@media_option
def export_command(
    db: str | None,
    m3u8: Path | None,
    json_path: Path | None,
    base_url: str | None,
    language: str | None,
    unplayed: bool,
    media_dir: Path | None,
) -> None:
    """Write the rendered entries, in queue order, as an M3U playlist and/or a JSON document.

    Paths are relative to the written file's folder, so the files can be served together.
    """
    from listen.publish.playlist import entry_document, write_m3u8, write_queue_json

    if m3u8 is None and json_path is None:
        raise click.UsageError("give --m3u8 PATH, --json PATH or both")
    with _open(db) as queue:
        entries = [
            e for e in queue.entries(state="ready", language=language) if not (unplayed and e.done)
        ]
    if m3u8 is not None:
        count = write_m3u8(m3u8, entries, media_dir)
        click.echo(f"wrote {m3u8} ({count} entries)", err=True)
    if json_path is not None:
        documents = [
            entry_document(e, relative_to=json_path.parent, base_url=base_url, media_dir=media_dir)
            for e in entries
        ]
        found = [d for d in documents if d is not None]
        write_queue_json(json_path, found)
        click.echo(f"wrote {json_path} ({len(found)} entries)", err=True)
