"""Options shared by several commands, and the one ``RenderOptions`` they make."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import click

from listen.models import DEFAULT_MAX_MINUTES, RenderOptions

F = TypeVar("F", bound=Callable[..., Any])

source_argument = click.argument("source", metavar="SOURCE")
language_option = click.option(
    "--language",
    "-l",
    metavar="CODE",
    help="The article's language (ISO 639-1), if the page is wrong.",
)
voice_option = click.option(
    "--voice", metavar="ID", envvar="LISTEN_VOICE", help="A voice profile id (see `listen voices`)."
)
quiet_option = click.option("-q", "--quiet", is_flag=True, help="No progress or confirmation.")


def render_options(sidecars: bool = True, opus: bool = True) -> Callable[[F], F]:
    """The options that say how to render, on every command that renders; see ``make_options``."""

    def decorate(command: F) -> F:
        options = [
            voice_option,
            click.option(
                "--engine",
                metavar="NAME",
                help="Override the voice profile's engine: one that `listen voices` lists "
                "(pyttsx3, espeak, piper, silent, or a plug-in's), or module:Class.",
            ),
            click.option(
                "--bitrate",
                type=click.IntRange(8, 320),
                default=64,
                show_default=True,
                metavar="KBPS",
                help="MP3 bitrate in kbps.",
            ),
            click.option(
                "--loudness",
                type=click.FloatRange(-40, 0),
                metavar="LUFS",
                help="Target loudness (default: the voice profile's, -19).",
            ),
            click.option("--no-cache", is_flag=True, help="Synthesise every sentence again."),
            click.option(
                "--cache-mb",
                type=click.IntRange(0),
                metavar="MB",
                envvar="LISTEN_CACHE_MB",
                help="Bound of the sentence cache (default: $LISTEN_CACHE_MB, else 512).",
            ),
            click.option(
                "--max-minutes",
                type=click.FloatRange(min=0.1),
                default=DEFAULT_MAX_MINUTES,
                show_default=True,
                envvar="LISTEN_MAX_MINUTES",
                help="Refuse an article that would take longer than this to read.",
            ),
        ]
        if opus:  # the service makes Opus always; the commands that render to files ask
            options.append(
                click.option(
                    "--opus",
                    is_flag=True,
                    help="Also write an Ogg Opus copy (X.opus) beside the MP3; needs ffmpeg "
                    "with libopus.",
                )
            )
        if sidecars:
            options.append(
                click.option(
                    "--no-sidecars",
                    is_flag=True,
                    help="Write only the MP3 (no .timings.json, .vtt, .chapters.json).",
                )
            )
        for option in reversed(options):
            command = option(command)
        return command

    return decorate


def make_options(flags: dict[str, Any], language: str | None = None) -> RenderOptions:
    """The ``RenderOptions`` of a command's ``render_options`` flags (popped from ``flags``)."""
    return RenderOptions(
        voice=flags.pop("voice", None),
        language=language,
        engine=flags.pop("engine", None),
        bitrate=flags.pop("bitrate", 64),
        loudness=flags.pop("loudness", None),
        cache=not flags.pop("no_cache", False),
        cache_mb=flags.pop("cache_mb", None),
        max_minutes=flags.pop("max_minutes", DEFAULT_MAX_MINUTES),
        sidecars=not flags.pop("no_sidecars", False),
        opus=flags.pop("opus", False),
    )
