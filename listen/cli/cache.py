"""``listen cache info|clear``: the cache of synthesised sentences."""

from __future__ import annotations

import click

from listen.cli import cli


@cli.group("cache")
def cache_group() -> None:
    """Inspect or empty the cache of synthesised sentences."""


@cache_group.command("info")
def info_command() -> None:
    """Where the cache is, how full it is, and its bound."""
    from listen.cache import SegmentCache

    info = SegmentCache().info()
    click.echo(f"path: {info.path}")
    click.echo(f"entries: {info.entries}")
    click.echo(f"size: {info.bytes / 1e6:.1f} MB of {info.max_bytes / 1e6:.0f} MB")


@cache_group.command("clear")
def clear_command() -> None:
    """Delete every cached sentence."""
    from listen.cache import SegmentCache

    removed = SegmentCache().clear()
    click.echo(f"removed {removed} cached sentences")
