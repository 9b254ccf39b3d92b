"""``listen voices``: voice profiles and engines and whether each can speak here;
``listen voices install/remove NAME``: Piper voices on demand."""

from __future__ import annotations

import sys
from collections.abc import Sequence

import click

from listen import voicestore
from listen.cli import cli
from listen.engines import NeedsFiles, available, for_engine, get_engine, libespeak
from listen.errors import ListenError
from listen.voices import VoiceProfile, all_profiles


def plural(count: int, word: str) -> str:
    return f"{count} {word}" if count == 1 else f"{count} {word}s"


def engine_status(name: str) -> str:
    try:
        engine = get_engine(name)
        engine.check()
        count = len(engine.voices())
    except ListenError as exc:
        owner = libespeak.owner()
        if (
            owner
            and owner != name
            and name in ("espeak", "pyttsx3")
            and "already driven" in str(exc)
        ):
            # Both engines drive the same libespeak-ng, which starts once per process:
            # it has started here, so this engine can speak too (in a run of its own).
            return f"ready (shares libespeak-ng with {owner})"
        return f"unavailable: {exc.one_line()}"
    return f"ready, {plural(count, 'voice')}"


def _can_speak(profile: VoiceProfile, name: str) -> None:
    """Raise, saying why, if engine ``name`` cannot speak ``profile`` here."""
    voice = for_engine(profile, name)
    engine = get_engine(name)
    engine.check()
    if isinstance(engine, NeedsFiles):
        engine.files(voice)  # raises, saying what to install, when the files are missing
    elif "{" not in voice.voice:
        wanted = voice.voice or voice.language
        if not any(
            wanted in (v.id, v.id.rsplit("/", 1)[-1]) or wanted in v.languages
            for v in engine.voices()
        ):
            raise ListenError(f"{name} has no voice {wanted!r}")


def profile_status(profile: VoiceProfile) -> str:
    """'ready (engine)', the engine that speaks instead and why, or why none can."""
    reasons = []
    for name in dict.fromkeys([profile.engine, *profile.fallback_engines]):
        try:
            _can_speak(profile, name)
        except ListenError as exc:
            reasons.append(exc.one_line())
            continue
        if name == profile.engine:
            return f"ready ({name})"
        return f"speaks with {name} instead of {profile.engine}: {reasons[0]}"
    return "unavailable: " + "; ".join(reasons)


def _table(rows: Sequence[Sequence[str]]) -> list[str]:
    """Rows as aligned columns (the last column is left ragged)."""
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]) - 1)]
    return [
        "  " + "  ".join([*(cell.ljust(w) for cell, w in zip(row, widths, strict=False)), row[-1]])
        for row in rows
    ]


@cli.group("voices", invoke_without_command=True)
@click.pass_context
def voices_group(ctx: click.Context) -> None:
    """List voice profiles, engines and installed Piper voices, and whether each can speak here.

    `listen voices install NAME` adds a Piper voice, `listen voices remove NAME` removes it.
    """
    if ctx.invoked_subcommand is not None:
        return
    profiles = sorted(all_profiles().values(), key=lambda p: (p.id == "fallback", p.id))
    statuses = {p.id: profile_status(p) for p in profiles}  # before engines: pyttsx3 first
    click.echo("Voice profiles:")
    rows = [("ID", "LANGUAGE", "ENGINE:VOICE", "NAME", "STATUS")]
    rows += [
        (
            p.id,
            p.language,
            f"{p.engine}:{p.voice or p.language}",
            p.name,
            statuses[p.id],
        )
        for p in profiles
    ]
    for line in _table(rows):
        click.echo(line)
    click.echo("Engines:")
    for line in _table([(name, engine_status(name)) for name in sorted(available())]):
        click.echo(line)
    for name, kept in voicestore.unfinished().items():
        click.echo(
            f"Unfinished download: {name} ({kept / 2**20:.0f} MB kept; "
            f"`listen voices install {name}` resumes it, `listen voices remove {name}` drops it)"
        )
    voices = voicestore.installed()
    if not voices:
        click.echo("Installed Piper voices: none (add one with `listen voices install NAME`)")
        return
    click.echo(f"Installed Piper voices (in {voicestore.store_dir()}):")
    stored = [
        (
            v.name,
            v.language,
            f"{v.model.stat().st_size / 2**20:.0f} MB",
            f"sha256 {v.sha256.get(v.model.name, '?')[:16]}",
        )
        for v in voices
    ]
    for line in _table(stored):
        click.echo(line)


@voices_group.command("install", short_help="Download, check and install a Piper voice.")
@click.argument("name")
@click.option(
    "--repository",
    metavar="URL",
    help=f"the Piper voice repository (default: ${voicestore.REPOSITORY_ENV}, else "
    f"{voicestore.DEFAULT_REPOSITORY})",
)
@click.option("-q", "--quiet", is_flag=True, help="no progress bar")
def install_command(name: str, repository: str | None, quiet: bool) -> None:
    """Download the Piper voice NAME (e.g. es_ES-davefx-medium), check it and install it."""
    if quiet:
        voice = voicestore.install(name, repo=repository)
    else:
        # click draws the bar only on a terminal; elsewhere it prints the label once.
        with click.progressbar(length=1, label=name, file=sys.stderr, show_eta=True) as bar:
            last = 0

            def progress(done: int, total: int) -> None:
                nonlocal last
                bar.length = max(total, 1)
                bar.update(done - last)
                last = done

            voice = voicestore.install(name, repo=repository, progress=progress)
    sha = voice.sha256.get(voice.model.name, "")
    click.echo(f"installed {voice.name} ({voice.language}) in {voice.model.parent}; sha256 {sha}")
    try:
        get_engine("piper").check()
    except ListenError as exc:  # the voice is there, but nothing can speak it yet
        click.echo(f"warning: {exc.one_line()}", err=True)


@voices_group.command("remove", short_help="Remove an installed Piper voice.")
@click.argument("name")
def remove_command(name: str) -> None:
    """Remove the installed Piper voice NAME."""
    voice = voicestore.remove(name)
    click.echo(f"removed {voice.name}")
