"""``listen speak SOURCE``: render an article to a tagged MP3."""

from __future__ import annotations

import sys
import time
from pathlib import Path
from typing import Any

import click

from listen.cli import cli
from listen.cli.options import language_option, source_argument, voice_option
from listen.engines import available
from listen.pipeline import speak


class _LazyProgress:
    """A progress bar on stderr that appears only once a render takes more than a moment."""

    DELAY_S = 0.5

    def __init__(self, label: str) -> None:
        self.label = label
        self.started = time.monotonic()
        self.bar: Any = None
        self.shown = 0

    def __call__(self, done: int, total: int) -> None:
        if self.bar is None:
            if time.monotonic() - self.started < self.DELAY_S:
                return
            self.bar = click.progressbar(length=total, label=self.label, file=sys.stderr)
            self.bar.__enter__()
        self.bar.update(done - self.shown)
        self.shown = done

    def close(self) -> None:
        if self.bar is not None:
            self.bar.__exit__(None, None, None)


@cli.command("speak")
@source_argument
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    help="The MP3 to write (default: the article's slug + .mp3).",
)
@click.option(
    "--bitrate",
    type=click.IntRange(8, 320),
    default=64,
    show_default=True,
    help="MP3 bitrate in kbps.",
)
@click.option(
    "--engine", type=click.Choice(sorted(available())), help="Override the voice profile's engine."
)
@language_option
@voice_option
@click.option("-q", "--quiet", is_flag=True, help="No progress bar.")
def speak_command(
    source: str,
    output: Path | None,
    bitrate: int,
    engine: str | None,
    language: str | None,
    voice: str | None,
    quiet: bool,
) -> None:
    """Read SOURCE aloud into an MP3 (an .html file, an http(s) URL, or - for stdin)."""
    progress = None if quiet or not sys.stderr.isatty() else _LazyProgress("Speaking")
    try:
        episode = speak(
            source,
            output,
            language=language,
            voice=voice,
            engine=engine,
            bitrate=bitrate,
            progress=progress,
        )
    finally:
        if progress is not None:
            progress.close()
    if not quiet:
        seconds = episode.duration_ms / 1000
        click.echo(
            f"{episode.path} ({seconds:.0f} s, voice {episode.voice}, engine {episode.engine})",
            err=True,
        )
