"""``listen feed build``: a podcast feed (RSS 2.0, itunes + Podcasting 2.0) of one edition."""

from __future__ import annotations

import logging
import sys
import urllib.parse
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from listen.cli import cli
from listen.cli.queue import db_option, media_option
from listen.errors import FeedError
from listen.language import require_code
from listen.publish.library import Entry, Library, default_db, sqlite_path

if TYPE_CHECKING:
    from listen.publish.feed import Channel, FeedItem

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
@click.option("--description", help="The show's description (default: what it holds, read aloud).")
@click.option("--author", help="The show's author and owner (default: the site's name).")
@click.option("--email", help="The owner's e-mail address.")
@click.option(
    "--image",
    metavar="URL",
    help="Square JPEG or PNG artwork, 1400-3000 px; relative to --base-url if relative "
    "(default: the show's name on a plain background, written beside the media).",
)
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
    db: str | None,
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
    # The feed, its items and checks bring tags and the audio stack: not for --help.
    from listen.publish.checks import warnings
    from listen.publish.feed import (
        Channel,
        build_feed,
        merge,
        read_feed,
        read_settings,
        site_defaults,
        write_feed,
    )
    from listen.publish.items import feed_items, file_links

    where = db or str(default_db())
    local = sqlite_path(where)
    if local is not None and not local.exists():
        raise FeedError(f"no queue at {local}", hint="queue and render articles first")
    with Library(db) as library:
        entries = library.entries(state="ready")
        path = library.name
        counts = library.counts()
    nothing = None
    if not entries:
        waiting = counts["pending"] + counts["rendering"] + counts["failed"]
        nothing = FeedError(
            f"nothing in {path} is rendered yet"
            + (f" ({waiting} waiting)" if waiting else " (the queue is empty)"),
            hint="render with `listen queue render`"
            if waiting
            else "queue articles with `listen queue add`",
        )
    settings: dict[str, Any] = read_settings(config, language) if config else {}
    if nothing is not None and not (language or settings.get("language")):
        raise nothing
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
        if nothing is not None:
            raise nothing
        raise FeedError(
            f"no rendered {code} entries in {path}", hint="render some with `listen queue render`"
        )
    settings = {
        **{k: v for k, v in previous.items() if k in ("title", "description", "author")},
        **site_defaults(entries, code),
        **settings,
        **{k: v for k, v in flags.items() if v is not None},
        "language": code,
    }
    if base_url:
        settings["base_url"] = base_url
    if not settings.get("base_url"):
        raise click.UsageError("give --base-url (or base_url in --config)")
    channel = _with_artwork(Channel.from_dict(settings), _media_folder(entries, media_dir, output))
    items, missing = feed_items(entries, file_links(channel.base_url, media_dir))
    for entry in missing:
        log.warning("entry %s (%s) is left out: its MP3 is missing", entry.id, entry.title)
    all_items = merge(published, items)
    if not all_items:
        raise FeedError(f"none of the {code} entries in {path} has its MP3 any more")
    for warning in warnings(channel, all_items):
        log.warning("%s", warning)
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


def _media_folder(entries: list[Entry], media_dir: Path | None, output: Path) -> Path:
    """Where the episodes' files are: --media, else the first entry's render folder."""
    if media_dir is not None:
        return media_dir
    folders = [Path(e.media_dir) for e in entries if e.media_dir]
    return folders[0] if folders else (Path(".") if str(output) == "-" else output.parent)


def _with_artwork(channel: Channel, folder: Path) -> Channel:
    """A channel without artwork gets the default one, written beside the media; artwork
    that is a file there is checked the way Apple checks it."""
    from listen.publish.checks import check_artwork_file, write_default_artwork

    if channel.image is None:
        written = write_default_artwork(folder, channel.title)
        return replace(channel, image=channel.base_url + urllib.parse.quote(written.name))
    if channel.image.startswith(channel.base_url):
        local = folder / urllib.parse.unquote(channel.image[len(channel.base_url) :])
        if local.is_file():
            check_artwork_file(local)
    return channel
