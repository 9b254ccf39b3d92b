"""The ``listen`` command: one root group, one module per command.

This is the one boundary where errors become messages: a ``ListenError``
becomes a single line and exit status 1; anything else is a bug, shown as one
line too unless ``LISTEN_DEBUG=1`` asks for the traceback. A reader that goes
away (``listen speak X -o - | head -c 100``, a player that quits) is a normal
end: nothing is printed and the status is 0.
"""

from __future__ import annotations

import errno
import signal
import sys
from pathlib import Path
from typing import Any, NoReturn


def _interrupted_while_starting(signum: int, frame: object) -> NoReturn:
    sys.stderr.write("Aborted!\n")
    raise SystemExit(130)  # not KeyboardInterrupt: that would print an import traceback


# Loading every command takes about half a second (more on a busy machine); Ctrl-C in that
# time is an ordinary abort, not a traceback. The default handler is back once loaded.
try:
    _previous_sigint = signal.getsignal(signal.SIGINT)
    if _previous_sigint is signal.default_int_handler:
        signal.signal(signal.SIGINT, _interrupted_while_starting)
except ValueError:  # imported outside the main thread: signals are not ours to set
    _previous_sigint = None

import contextlib  # noqa: E402
import logging  # noqa: E402
import os  # noqa: E402

import click  # noqa: E402

from listen import __version__  # noqa: E402
from listen.errors import ListenError  # noqa: E402


class ListenGroup(click.Group):
    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        """Each command's whole first sentence: click's default cuts it at about 45 characters
        (a command's own ``short_help`` still wins)."""
        rows = []
        for name in self.list_commands(ctx):
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


class _StderrHandler(logging.Handler):
    def emit(self, record: logging.LogRecord) -> None:
        click.echo(f"{record.levelname.lower()}: {record.getMessage()}", err=True)


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
    logger = logging.getLogger("listen")
    if not any(isinstance(h, _StderrHandler) for h in logger.handlers):
        logger.addHandler(_StderrHandler())
    logger.setLevel(logging.INFO)
    logger.propagate = False


def main() -> None:
    try:
        cli.main(prog_name="listen")
    except BrokenPipeError:  # raised outside a command (click's own output, say)
        try:
            _reader_gone()
        except click.exceptions.Exit:
            sys.exit(0)


# The command modules register themselves on ``cli``.
from listen.cli import cache as _cache  # noqa: E402,F401
from listen.cli import feed as _feed  # noqa: E402,F401
from listen.cli import queue as _queue  # noqa: E402,F401
from listen.cli import script as _script  # noqa: E402,F401
from listen.cli import serve as _serve  # noqa: E402,F401
from listen.cli import speak as _speak  # noqa: E402,F401
from listen.cli import voices as _voices  # noqa: E402,F401

if _previous_sigint is signal.default_int_handler:
    signal.signal(signal.SIGINT, signal.default_int_handler)
