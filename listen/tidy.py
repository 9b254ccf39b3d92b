"""Nothing left behind: temporary files name their owner, and stale ones are swept.

Every temporary file ``listen`` writes carries the PID of the process that
owns it: ``listen-<pid>-*.pcm`` audio spools in the temporary folder, and
``.<name>.<pid>-*.part`` files beside the outputs they will become. A process
that is stopped by a signal it can catch (SIGTERM, SIGHUP, Ctrl-C) unwinds and
removes its own; what a SIGKILL or a power cut leaves is removed by
``sweep()`` at the next start, once its owner is gone.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import signal
import sys
import tempfile
from collections.abc import Iterable
from pathlib import Path
from types import FrameType
from typing import Any

_SPOOL = re.compile(r"^listen-(\d+)-[^/]*\.pcm$")
_PART = re.compile(r"^\..+\.(\d+)-[^./]*\.part$")
MAX_SWEPT_DIRS = 10_000  # a sweep at start-up stays quick however big the data folder is


def spool_prefix() -> str:
    """The prefix of an audio spool's name in the temporary folder."""
    return f"listen-{os.getpid()}-"


def part_prefix(path: Path) -> str:
    """The prefix of the temporary file that becomes ``path``."""
    return f".{path.name}.{os.getpid()}-"


def alive(pid: int) -> bool:
    """Whether a process ``pid`` exists (one we may not signal exists too)."""
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    except OSError:
        return True  # cannot tell: keep its files
    return True


def stale(name: str) -> bool:
    """A temporary file of ours whose owner is gone."""
    match = _SPOOL.match(name) or _PART.match(name)
    return match is not None and not alive(int(match.group(1)))


def sweep_dir(directory: Path, depth: int = 0) -> int:
    """Remove the stale temporary files and folders in ``directory`` (and its subfolders,
    ``depth`` levels down); how many went. A live process's are kept."""
    removed = 0
    try:
        entries = list(os.scandir(directory))
    except OSError:
        return 0
    for entry in entries:
        try:
            is_dir = entry.is_dir(follow_symlinks=False)
        except OSError:
            continue
        if entry.name.startswith((".", "listen-")) and stale(entry.name):
            with contextlib.suppress(OSError):
                if is_dir:
                    shutil.rmtree(entry.path)
                else:
                    os.unlink(entry.path)
                removed += 1
        elif is_dir and depth > 0:
            removed += sweep_dir(Path(entry.path), depth - 1)
    return removed


def sweep(*directories: Path | None, tree: Iterable[Path] = ()) -> int:
    """Sweep the temporary folder, ``directories`` and, for a data folder, its article
    folders (``articles/*``); how many files went."""
    removed = sweep_dir(Path(tempfile.gettempdir()))
    for directory in directories:
        if directory is None:
            continue
        removed += sweep_dir(directory)
        articles = directory / "articles"
        if articles.is_dir():
            with contextlib.suppress(OSError):
                for i, entry in enumerate(os.scandir(articles)):
                    if i >= MAX_SWEPT_DIRS:
                        break
                    if entry.is_dir(follow_symlinks=False):
                        removed += sweep_dir(Path(entry.path))
    for directory in tree:
        removed += sweep_dir(directory)
    return removed


class Terminated(SystemExit):
    """Raised in the main thread by SIGTERM or SIGHUP, so ``finally`` blocks and context
    managers remove their temporary files before the process ends."""


def _terminate(signum: int, frame: FrameType | None) -> None:
    import multiprocessing

    _retry(0)  # a retry already armed is this call
    global _signal
    _signal = signal.SIGTERM if signum == signal.SIGALRM else signum
    # Worker processes (a batch's pool) get the signal too; else the pool would wait for
    # every queued render before this process could end. What they leave is swept later.
    for child in multiprocessing.active_children():
        with contextlib.suppress(OSError):
            child.terminate()
    raise Terminated(128 + _signal)


_signal = signal.SIGTERM
_RETRY_S = 0.05


def _retry(seconds: float) -> None:
    with contextlib.suppress(ValueError, OSError):
        signal.setitimer(signal.ITIMER_REAL, seconds)


def _swallowed(unraisable: Any) -> None:
    """An engine's C callback (espeak's audio callback) cannot pass an exception on: Python
    prints and drops it. A dropped ``Terminated`` is raised again a moment later, until it
    lands in ordinary code and unwinds the render."""
    if isinstance(unraisable.exc_value, Terminated):
        signal.signal(signal.SIGALRM, _terminate)
        _retry(_RETRY_S)
        return
    _previous_hook(unraisable)


_previous_hook = sys.unraisablehook


def on_signals() -> None:
    """Turn SIGTERM and SIGHUP into ``Terminated``, where nothing else handles them."""
    for sig in (signal.SIGTERM, signal.SIGHUP):
        with contextlib.suppress(ValueError, OSError):  # ValueError: not the main thread
            if signal.getsignal(sig) in (signal.SIG_DFL, None):
                signal.signal(sig, _terminate)
    if sys.unraisablehook is not _swallowed:
        sys.unraisablehook = _swallowed
