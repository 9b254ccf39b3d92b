"""``listen voices``: every voice profile, and whether it can speak on this machine."""

from __future__ import annotations

import click

from listen.cli import cli
from listen.engines import get_engine
from listen.errors import ListenError
from listen.voices import VoiceProfile, all_profiles


def status(profile: VoiceProfile) -> str:
    """'ready (engine)' or why not."""
    reasons = []
    for name in dict.fromkeys([profile.engine, *profile.fallback_engines]):
        try:
            engine = get_engine(name)
            engine.check()
            wanted = profile.voice or profile.language
            if "{" not in wanted and not any(
                wanted in (v.id, v.id.rsplit("/", 1)[-1]) or wanted in v.languages
                for v in engine.voices()
            ):
                raise ListenError(f"{name} has no voice {wanted!r}")
        except ListenError as exc:
            reasons.append(exc.one_line())
            continue
        return (
            f"ready ({name})"
            if name == profile.engine
            else f"ready ({name}, instead of {profile.engine})"
        )
    return "unavailable: " + "; ".join(reasons)


@cli.command("voices")
def voices_command() -> None:
    """List the voice profiles and whether each can speak here."""
    for profile in sorted(all_profiles().values(), key=lambda p: (p.id == "fallback", p.id)):
        click.echo(
            f"{profile.id:10} {profile.language:7} "
            f"{profile.engine}:{profile.voice or profile.language:12} "
            f"{profile.name} - {status(profile)}"
        )
