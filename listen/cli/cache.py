"""``listen cache info|clear``: the cache of synthesised sentences."""

from __future__ import annotations

import click

from listen.cache import SegmentCache, segment_share
from listen.cli import cli

cache_mb_option = click.option(
    "--cache-mb",
    type=click.IntRange(0),
    metavar="MB",
    envvar="LISTEN_CACHE_MB",
    help="The cache's bound (default: $LISTEN_CACHE_MB, else 512).",
)


@cli.group("cache")
def cache_group() -> None:
    """Inspect or empty the cache of synthesised sentences."""


@cache_group.command("info")
@cache_mb_option
def info_command(cache_mb: int | None) -> None:
    """Where the cache is, how full it is, and its bound."""
    info = SegmentCache(max_bytes=segment_share(cache_mb)).info()
    click.echo(f"path: {info.path}")
    click.echo(f"entries: {info.entries}")
    click.echo(f"size: {info.bytes / 1e6:.1f} MB of {info.max_bytes / 1e6:.0f} MB")


@cache_group.command("clear")
def clear_command() -> None:
    """Delete every cached sentence."""
    removed = SegmentCache().clear()
    click.echo(f"removed {removed} cached sentences")


@cache_group.command("prune")
@cache_mb_option
def prune_command(cache_mb: int | None) -> None:
    """Remove the least recently used sentences until the cache fits its bound."""
    cache = SegmentCache(max_bytes=segment_share(cache_mb))
    removed = cache.prune()
    info = cache.info()
    click.echo(f"removed {removed} cached sentences; {info.bytes / 1e6:.1f} MB left")
