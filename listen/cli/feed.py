"""``listen feed build``: a podcast feed (RSS 2.0, itunes + Podcasting 2.0) of one edition."""

from __future__ import annotations

import logging
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from listen.cli import cli
from listen.cli.queue import db_option, media_option
from listen.language import require_code
from listen.publish.queue import Queue, default_db

if TYPE_CHECKING:
    from listen.publish.feed import FeedItem

log = logging.getLogger("listen")


@cli.group("feed")
def feed_group() -> None:
    """Podcast feeds of the rendered queue, one per edition (language)."""


@feed_group.command("build")
@db_option
@click.option("--base-url", metavar="URL", help="Where the media files are served from.")
@click.option(
    "--language", "-l", metavar="CODE", help="The edition (default: the queue's only language)."
)
@click.option(
    "-o",
    "--output",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="The feed file to write, or - for stdout.",
)
@click.option(
    "--config",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Channel settings (TOML): title, description, author, email, image, category, "
    "explicit, base_url, link; a table per edition ([ar]) overrides them.",
)
@click.option("--title", help="The show's title (default: the site's name).")
@click.option("--description", help="The show's description (default: the site's name).")
@click.option("--author", help="The show's author and owner (default: the site's name).")
@click.option("--email", help="The owner's e-mail address.")
@click.option("--image", metavar="URL", help="Square artwork; relative to --base-url if relative.")
@click.option("--category", help='An Apple Podcasts category, e.g. "News" or "News > Politics".')
@click.option("--explicit/--no-explicit", default=None, help="The explicit flag (default: no).")
@click.option("--link", metavar="URL", help="The site's address (default: from the articles).")
@click.option(
    "--prune",
    is_flag=True,
    help="Rebuild from the queue alone, dropping published episodes that left the queue.",
)
@media_option
def build_command(
    db: Path | None,
    base_url: str | None,
    language: str | None,
    output: Path,
    config: Path | None,
    prune: bool,
    media_dir: Path | None,
    **flags: Any,
) -> None:
    """Write the feed of the rendered entries in one language.

    Episodes are identified by their article's canonical URL, so rebuilding
    never makes a client download one again. Episodes already in the feed
    file stay in it (unless --prune); the file is replaced atomically, and
    only when it changes.
    """
    # The feed module brings the audio stack (tags, durations); not for `listen --help`.
    from listen.publish.feed import (
        Channel,
        FeedError,
        build_feed,
        items_from_queue,
        merge,
        read_feed,
        read_settings,
        site_defaults,
        write_feed,
    )

    path = db or default_db()
    if not path.exists():
        raise FeedError(f"no queue at {path}", hint="queue and render articles first")
    with Queue(path) as queue:
        entries = queue.entries(state="ready")
    settings: dict[str, Any] = read_settings(config, language) if config else {}
    code = _edition(language or settings.get("language"), entries)
    entries = [e for e in entries if (e.language or "").lower() == code]
    previous: dict[str, str] = {}
    published: list[FeedItem] = []
    if str(output) != "-" and not prune:
        previous, published = read_feed(output)
        old = previous.get("language", code).split("-")[0].lower()
        if old != code:
            log.warning("%s was the %s edition; it is replaced", output, old)
            previous, published = {}, []
    if not entries and not published:
        raise FeedError(
            f"no rendered {code} entries in {path}", hint="render some with `listen queue render`"
        )
    settings = {
        **{k: v for k, v in previous.items() if k in ("title", "description", "author")},
        **site_defaults(entries),
        **settings,
        **{k: v for k, v in flags.items() if v is not None},
        "language": code,
    }
    if base_url:
        settings["base_url"] = base_url
    if not settings.get("base_url"):
        raise click.UsageError("give --base-url (or base_url in --config)")
    channel = Channel.from_dict(settings)
    items, missing = items_from_queue(entries, channel.base_url, media_dir)
    for entry in missing:
        log.warning("entry %s (%s) is left out: its MP3 is missing", entry.id, entry.title)
    all_items = merge(published, items)
    if not all_items:
        raise FeedError(f"none of the {code} entries in {path} has its MP3 any more")
    if str(output) == "-":
        sys.stdout.buffer.write(build_feed(channel, all_items))
        return
    write_feed(output, channel, all_items)
    new = len({i.guid for i in items} - {i.guid for i in published})
    episodes = f"{len(all_items)} episode{'s' if len(all_items) != 1 else ''}"
    click.echo(f"wrote {output}: {episodes} ({new} new)", err=True)


def _edition(language: Any, entries: list[Any]) -> str:
    if isinstance(language, str) and language:
        return require_code(language)
    found = sorted({e.language for e in entries if e.language})
    if len(found) == 1:
        return str(found[0])
    raise click.UsageError(
        "give --language: the queue has "
        + (", ".join(found) + " entries" if found else "no rendered entries")
    )
