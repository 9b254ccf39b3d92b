"""``listen speak SOURCE...``: render articles to tagged MP3s with chapters and sidecars."""

from __future__ import annotations

import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from listen.cli import cli
from listen.cli.options import language_option, voice_option
from listen.errors import ListenError

if TYPE_CHECKING:
    from listen.batch import Outcome


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
@click.argument("sources", metavar="SOURCE...", nargs=-1, required=True)
@click.option(
    "-o",
    "--output",
    metavar="PATH",
    help="The MP3 to write, - for stdout, or a folder when there are several sources "
    "(default: the article's slug + .mp3 in the current folder).",
)
@click.option(
    "--bitrate",
    type=click.IntRange(8, 320),
    default=64,
    show_default=True,
    help="MP3 bitrate in kbps.",
)
@click.option(
    "--loudness",
    type=click.FloatRange(-40, 0),
    metavar="LUFS",
    help="Target loudness (default: the voice profile's, -19).",
)
@click.option(
    "--engine",
    metavar="NAME",
    # Not listed from the registry here: that scans the installed plugins at every start.
    help="Override the voice profile's engine: a name `listen voices` lists, or module:Class.",
)
@language_option
@voice_option
@click.option(
    "--no-sidecars",
    is_flag=True,
    help="Write only the MP3 (no .timings.json, .vtt, .chapters.json).",
)
@click.option("--no-cache", is_flag=True, help="Synthesise every sentence again.")
@click.option(
    "-j",
    "--jobs",
    type=click.IntRange(1, 64),
    help="Articles rendered at once (default: one per core).",
)
@click.option("-q", "--quiet", is_flag=True, help="No progress bar.")
def speak_command(
    sources: tuple[str, ...],
    output: str | None,
    bitrate: int,
    loudness: float | None,
    engine: str | None,
    language: str | None,
    voice: str | None,
    no_sidecars: bool,
    no_cache: bool,
    jobs: int | None,
    quiet: bool,
) -> None:
    """Read SOURCE aloud into an MP3: an .html file, an http(s) URL, - for stdin, or a glob.

    Beside X.mp3 it writes X.timings.json, X.vtt and X.chapters.json. Several
    sources are rendered in parallel; a failed one never stops the others.
    """
    from listen.batch import expand
    from listen.pipeline import render, script_from_source, stream  # not for `listen --help`

    paths = expand(sources)
    if len(paths) > 1:
        if output == "-":
            raise click.UsageError("-o - streams one article; give a folder for several")
        _speak_many(
            paths,
            Path(output or "."),
            bitrate,
            loudness,
            engine,
            language,
            voice,
            not no_sidecars,
            not no_cache,
            jobs,
            quiet,
        )
        return
    script, profile = script_from_source(paths[0], language=language, voice=voice)
    if output == "-":
        stream(
            script,
            sys.stdout.buffer,
            voice=profile,
            engine=engine,
            bitrate=bitrate,
            loudness=loudness,
            cache=not no_cache,
        )
        return
    progress = None if quiet or not sys.stderr.isatty() else _LazyProgress("Speaking")
    target = Path(output) if output else Path(f"{script.slug}.mp3")
    if target.is_dir():
        target = target / f"{script.slug}.mp3"
    try:
        episode = render(
            script,
            target,
            voice=profile,
            engine=engine,
            bitrate=bitrate,
            loudness=loudness,
            sidecars=not no_sidecars,
            cache=not no_cache,
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


def _speak_many(
    paths: list[str],
    out_dir: Path,
    bitrate: int,
    loudness: float | None,
    engine: str | None,
    language: str | None,
    voice: str | None,
    sidecars: bool,
    cache: bool,
    jobs: int | None,
    quiet: bool,
) -> None:
    from listen.batch import Options, render_many

    options = Options(
        out_dir=out_dir,
        language=language,
        voice=voice,
        engine=engine,
        bitrate=bitrate,
        loudness=loudness,
        sidecars=sidecars,
        cache=cache,
    )

    def report(outcome: Outcome, done: int, total: int) -> None:
        if quiet:
            return
        what = (
            f"{outcome.path} ({outcome.duration_ms / 1000:.0f} s)"
            if outcome.path
            else f"failed: {outcome.error}"
        )
        click.echo(f"[{done}/{total}] {outcome.source}: {what}", err=True)

    outcomes = render_many(paths, options, jobs=jobs, done=report)
    failed = [o for o in outcomes if o.error]
    summary = f"rendered {len(outcomes) - len(failed)} of {len(outcomes)} articles"
    if failed:
        raise ListenError(
            summary + "; failed: " + "; ".join(f"{o.source} ({o.error})" for o in failed)
        )
    click.echo(summary, err=True)
