"""Options shared by several commands."""

from __future__ import annotations

import click

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
