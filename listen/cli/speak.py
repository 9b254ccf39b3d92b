"""``listen speak SOURCE...``: render articles to tagged MP3s with chapters and sidecars."""

from __future__ import annotations

import sys
from dataclasses import replace
from pathlib import Path
from typing import Any

import click

from listen.cli import cli
from listen.cli.options import language_option, make_options, quiet_option, render_options
from listen.cli.shortcut import summary, target
from listen.errors import ListenError
from listen.models import Event, RenderOptions

PHASES = {"speaking": "Speaking", "measuring": "Measuring loudness", "encoding": "Encoding MP3"}


class _PhaseProgress:
    """One bar per phase (speaking, measuring, encoding) on a terminal, each from 0 to 100 %."""

    def __init__(self) -> None:
        self.phase: str | None = None
        self.bar: Any = None
        self.shown = 0

    def __call__(self, event: Event) -> None:
        if event.kind != "progress" or event.phase is None:
            return
        if event.phase != self.phase:
            self.close()
            self.phase, self.shown = event.phase, 0
            self.bar = click.progressbar(
                length=max(1, event.total), label=PHASES[event.phase], file=sys.stderr
            )
            self.bar.__enter__()
        self.bar.update(event.done - self.shown)
        self.shown = event.done

    def close(self) -> None:
        if self.bar is not None:
            self.bar.__exit__(None, None, None)
            self.bar = None


@cli.command("speak")
@click.argument("sources", metavar="SOURCE...", nargs=-1, required=True)
@click.option(
    "-o",
    "--output",
    metavar="PATH",
    help="The MP3 to write (X.opus: an Ogg Opus copy too), - for stdout, or a folder (DIR/) "
    "when there are several sources (default: the article's slug + .mp3 in the current folder).",
)
@render_options()
@language_option
@click.option(
    "-j",
    "--jobs",
    type=click.IntRange(1, 64),
    help="Articles rendered at once (default: one per core).",
)
@quiet_option
def speak_command(
    sources: tuple[str, ...],
    output: str | None,
    language: str | None,
    jobs: int | None,
    quiet: bool,
    **flags: Any,
) -> None:
    """Read SOURCE aloud into an MP3: an .html file, an http(s) URL, - for stdin, or a glob.

    Beside X.mp3 it writes X.timings.json, X.vtt and X.chapters.json. Several
    sources are rendered in parallel into the folder -o names; a failed one
    never stops the others.
    """
    from listen.batch import expand
    from listen.fetch import read_raw

    options = make_options(flags, language)
    paths = expand(sources)
    if len(paths) > 1:
        if output == "-":
            raise click.UsageError("-o - streams one article; give a folder for several")
        if output and not output.endswith(("/", "\\")) and not Path(output).is_dir():
            raise click.UsageError(
                f"{len(paths)} sources make {len(paths)} MP3s: give -o a folder, "
                f"such as -o {Path(output).with_suffix('').name or 'out'}/"
            )
        _speak_many(paths, Path(output or "."), options, jobs, quiet)
        return
    if output and output.lower().endswith(".opus"):  # -o x.opus: the Opus, beside x.mp3
        output, options = output[: -len(".opus")] + ".mp3", replace(options, opus=True)
    raw = read_raw(paths[0])
    key = None
    if output != "-" and not options.opus:  # the store keeps no Opus copy
        from listen.episodes import find_episode

        # The same page with the same settings: link the stored episode, before extraction
        # and before the audio stack is even imported.
        key, found = find_episode(raw, options)
        if found is not None:
            out = target(output, found.stored.slug)
            if found.place(out):
                _done(quiet, out, found.stored.duration_ms, found.stored.voice,
                      found.stored.engine)  # fmt: skip
                return
    from listen.fetch import to_page
    from listen.pipeline import render_episode, script_from_page, stream  # not for --help

    script, profile = script_from_page(to_page(raw, paths[0]), options=options)
    if output == "-":
        if options.opus:
            raise click.UsageError("--opus writes X.opus beside an MP3 file; -o - streams MP3 only")
        stream(script, sys.stdout.buffer, voice=profile, options=options)
        return
    progress = None if quiet or not sys.stderr.isatty() else _PhaseProgress()
    out = target(output, script.slug)
    if _is_device(out):  # -o /dev/null: nothing stands "beside" a device to hold sidecars
        options = replace(options, sidecars=False)
    try:
        episode = render_episode(script, out, profile, options, progress=progress, source_key=key)
    finally:
        if progress is not None:
            progress.close()
    _done(quiet, out, episode.duration_ms, episode.voice, episode.engine,
          episode.sidecars.get("opus"))  # fmt: skip


def _is_device(path: Path) -> bool:
    import stat

    try:
        mode = path.stat().st_mode
    except OSError:
        return False
    return not stat.S_ISREG(mode) and not stat.S_ISDIR(mode)


def _done(
    quiet: bool, path: Path, duration_ms: int, voice: str, engine: str, opus: Path | None = None
) -> None:
    if not quiet:
        click.echo(summary(path, duration_ms, voice, engine), err=True)
        if opus is not None:
            click.echo(f"{opus} (Ogg Opus)", err=True)


def _speak_many(
    paths: list[str], out_dir: Path, options: RenderOptions, jobs: int | None, quiet: bool
) -> None:
    def report(outcome: Event, done: int, total: int) -> None:
        if quiet:
            return
        what = (
            f"{outcome.path} ({outcome.duration_ms / 1000:.0f} s)"
            if outcome.kind == "ready"
            else f"failed: {outcome.detail}"
        )
        click.echo(f"[{done}/{total}] {outcome.job}: {what}", err=True)

    from listen.batch import render_many

    outcomes = render_many(paths, options, out_dir, jobs=jobs, done=report)
    failed = [o for o in outcomes if o.kind != "ready"]
    tally = f"rendered {len(outcomes) - len(failed)} of {len(outcomes)} articles"
    if failed:
        raise ListenError(tally + "; failed: " + "; ".join(f"{o.job} ({o.detail})" for o in failed))
    click.echo(tally, err=True)
