"""``listen voices``: the engines here, and every voice profile with whether it can speak."""

from __future__ import annotations

from typing import TYPE_CHECKING

import click

from listen.cli import cli
from listen.errors import ListenError

if TYPE_CHECKING:
    from listen.voices import VoiceProfile


def engine_status(name: str) -> str:
    from listen.engines import get_engine, libespeak  # the plugin scan: not for `--help`

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
            return f"ready (libespeak-ng is loaded; this process speaks through {owner})"
        return f"unavailable: {exc.one_line()}"
    return f"ready, {count} voices"


def profile_status(profile: VoiceProfile) -> str:
    """'ready (engine)' or why not."""
    from listen.engines import NeedsFiles, for_engine, get_engine

    reasons = []
    for name in dict.fromkeys([profile.engine, *profile.fallback_engines]):
        voice = for_engine(profile, name)
        try:
            engine = get_engine(name)
            engine.check()
            if isinstance(engine, NeedsFiles):
                engine.files(voice)  # raises, saying why, when the voice's files are missing
            elif "{" not in voice.voice:
                wanted = voice.voice or voice.language
                if not any(
                    wanted in (v.id, v.id.rsplit("/", 1)[-1]) or wanted in v.languages
                    for v in engine.voices()
                ):
                    raise ListenError(f"{name} has no voice {wanted!r}")
        except ListenError as exc:
            reasons.append(exc.one_line())
            continue
        if name == profile.engine:
            return f"ready ({name})"
        return f"ready ({name}, instead of {profile.engine})"
    return "unavailable: " + "; ".join(reasons)


@cli.command("voices")
def voices_command() -> None:
    """List the engines and voice profiles, and whether each can speak here."""
    from listen.engines import available
    from listen.voices import all_profiles

    profiles = sorted(all_profiles().values(), key=lambda p: (p.id == "fallback", p.id))
    statuses = {p.id: profile_status(p) for p in profiles}  # before engines: pyttsx3 first
    click.echo("Voice profiles:")
    for profile in profiles:
        click.echo(
            f"  {profile.id:10} {profile.language:4} "
            f"{profile.engine}:{profile.voice or profile.language:18} "
            f"{profile.name} - {statuses[profile.id]}"
        )
    click.echo("Engines:")
    for name in sorted(available()):
        click.echo(f"  {name:8} {engine_status(name)}")
