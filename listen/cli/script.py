"""``listen script SOURCE``: print the narration script as text, JSON or SSML."""

from __future__ import annotations

from pathlib import Path

import click

from listen.cli import cli
from listen.cli.options import language_option, source_argument, voice_option


@cli.command("script")
@source_argument
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "json", "ssml"]),
    default="text",
    show_default=True,
    help="Readable text, the JSON script, or SSML 1.1.",
)
@click.option("--spoken", is_flag=True, help="Show what will be said instead of what is written.")
@click.option(
    "-o", "--output", type=click.Path(dir_okay=False, path_type=Path), help="Write to a file."
)
@language_option
@voice_option
def script_command(
    source: str,
    fmt: str,
    spoken: bool,
    output: Path | None,
    language: str | None,
    voice: str | None,
) -> None:
    """Print the narration script of SOURCE (an .html file, an http(s) URL, or - for stdin)."""
    from listen.pipeline import script_from_source  # imported here: `listen --help` is faster
    from listen.script import to_json, to_ssml, to_text

    script, profile = script_from_source(source, language=language, voice=voice)
    if fmt == "json":
        text = to_json(script)
    elif fmt == "ssml":
        text = to_ssml(script, profile)
    else:
        text = to_text(script, spoken=spoken)
    if output is None:
        click.echo(text, nl=False)
    else:
        from listen.export import atomic_text

        with atomic_text(output) as fh:
            fh.write(text)
