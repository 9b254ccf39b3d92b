"""The ``listen`` command: one root group (``root``), one module per command.

``main`` first offers the command line to ``shortcut``, which answers
``listen speak PAGE -o OUT`` for a page rendered before without importing
click, extraction or the audio stack; everything else goes to click. ``cli``
(the root group) and ``COMMANDS`` load on first use.
"""

from __future__ import annotations

import signal
import sys
from typing import TYPE_CHECKING, Any, NoReturn

if TYPE_CHECKING:
    from listen.cli.root import COMMANDS, ListenGroup, cli

__all__ = ["COMMANDS", "ListenGroup", "cli", "main"]


def _interrupted_while_starting(signum: int, frame: object) -> NoReturn:
    sys.stderr.write("Aborted!\n")
    raise SystemExit(130)  # not KeyboardInterrupt: that would print an import traceback


def main() -> None:
    # Ctrl-C while listen starts is an ordinary abort, not a traceback; the default handler
    # is back once click is loaded (a command's own module loads inside click, which
    # handles Ctrl-C).
    previous = None
    try:
        previous = signal.getsignal(signal.SIGINT)
        if previous is signal.default_int_handler:
            signal.signal(signal.SIGINT, _interrupted_while_starting)
    except ValueError:  # not the main thread: signals are not ours to set
        previous = None
    from listen.cli.shortcut import shortcut

    if shortcut(sys.argv[1:]):
        return
    from listen.cli import root

    if previous is signal.default_int_handler:
        signal.signal(signal.SIGINT, signal.default_int_handler)
    root.main()


def __getattr__(name: str) -> Any:
    if name in ("COMMANDS", "ListenGroup", "cli"):
        from listen.cli import root

        return getattr(root, name)
    raise AttributeError(f"module 'listen.cli' has no attribute {name!r}")
