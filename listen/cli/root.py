"""The root group: one boundary where errors become messages, and the table of commands.

A ``ListenError`` becomes a single line and exit status 1; anything else is a
bug, shown as one line too unless ``LISTEN_DEBUG=1`` asks for the traceback. A
reader that goes away (``listen speak X -o - | head -c 100``, a player that
quits) is a normal end: nothing is printed and the status is 0.
"""

from __future__ import annotations

import contextlib
import errno
import os
import sys
from importlib import import_module
from pathlib import Path
from typing import Any, NoReturn

import click

from listen import __version__
from listen.errors import ListenError

# name -> (module, the first sentence of its help). A command's module is imported only when
# that command runs (``listen --help`` imports none of them); tests/test_startup.py checks that
# each summary here is the one the command itself gives.
COMMANDS: dict[str, tuple[str, str]] = {
    "cache": ("listen.cli.cache", "Inspect or empty the cache of synthesised sentences."),
    "feed": ("listen.cli.feed", "Podcast feeds of the rendered queue, one per edition (language)."),
    "queue": (
        "listen.cli.queue",
        "A playback queue: articles rendered in order, resumed where the listener stopped.",
    ),
    "script": (
        "listen.cli.script",
        "Print the narration script of SOURCE (an .html file, an http(s) URL, or - for stdin).",
    ),
    "serve": ("listen.cli.serve", "Serve the Listen API, the player and the feeds."),
    "speak": (
        "listen.cli.speak",
        "Read SOURCE aloud into an MP3: an .html file, an http(s) URL, - for stdin, or a glob.",
    ),
    "voices": (
        "listen.cli.voices",
        "List voice profiles, engines and installed Piper voices, and whether each can speak here.",
    ),
    "worker": ("listen.cli.serve", "Render articles from a shared job queue."),
}


class ListenGroup(click.Group):
    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*self.commands, *COMMANDS})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in self.commands and cmd_name in COMMANDS:
            import_module(COMMANDS[cmd_name][0])  # the module registers its commands on ``cli``
        return self.commands.get(cmd_name)

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        """Each command's whole first sentence: click's default cuts it at about 45 characters
        (a command's own ``short_help`` still wins)."""
        rows = []
        for name in self.list_commands(ctx):
            if name in COMMANDS and name not in self.commands:
                rows.append((name, COMMANDS[name][1]))  # without importing the command
                continue
            command = self.get_command(ctx, name)
            if command is not None and not command.hidden:
                rows.append((name, command.get_short_help_str(limit=200)))
        if rows:
            with formatter.section("Commands"):
                formatter.write_dl(rows)

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except BrokenPipeError:
            _reader_gone()
        except ListenError as exc:
            raise click.ClickException(exc.one_line()) from None
        except KeyboardInterrupt:
            raise click.Abort() from None
        except (click.ClickException, click.Abort, click.exceptions.Exit):
            raise
        except OSError as exc:
            if exc.errno not in _OUTPUT_FULL:
                raise _bug(exc) from None
            _drop_stdout()  # files go through export.atomic_path: this was stdout
            raise click.ClickException(f"cannot write the output: {exc.strerror}") from None
        except Exception as exc:
            raise _bug(exc) from None


# A full disk (or a device that is full, or failing) under stdout
_OUTPUT_FULL = (errno.ENOSPC, errno.EDQUOT, errno.EFBIG, errno.EIO)


def _bug(exc: Exception) -> click.ClickException:
    if os.environ.get("LISTEN_DEBUG"):
        raise exc
    return click.ClickException(
        f"internal error: {type(exc).__name__}: {exc} "
        "(this is a bug; set LISTEN_DEBUG=1 to see the traceback)"
    )


def _drop_stdout() -> None:
    """Point stdout at /dev/null so the interpreter's last flush cannot fail again."""
    with contextlib.suppress(OSError, ValueError):
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())


def _reader_gone() -> NoReturn:
    """Stop quietly: the reader of stdout has gone."""
    _drop_stdout()
    raise click.exceptions.Exit(0)


@click.group(
    cls=ListenGroup,
    context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100},
)
@click.version_option(__version__, prog_name="listen")
def cli() -> None:
    """Turn news articles into narrated MP3s, offline."""
    from listen import tidy

    tidy.on_signals()  # SIGTERM/SIGHUP unwind, so temporary files are removed
    tidy.sweep(Path.cwd())  # and what a killed run left is removed at the next start
    _log_to_stderr()


def _log_to_stderr() -> None:
    """listen's warnings as ``warning: ...`` lines on stderr (logging loads here, not at start)."""
    import logging

    class StderrHandler(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            click.echo(f"{record.levelname.lower()}: {record.getMessage()}", err=True)

    logger = logging.getLogger("listen")
    if not any(type(h).__name__ == "StderrHandler" for h in logger.handlers):
        logger.addHandler(StderrHandler())
    logger.setLevel(logging.INFO)
    logger.propagate = False


def main() -> None:
    """Run the command line through click."""
    try:
        cli.main(prog_name="listen")
    except BrokenPipeError:  # raised outside a command (click's own output, say)
        try:
            _reader_gone()
        except click.exceptions.Exit:
            sys.exit(0)
