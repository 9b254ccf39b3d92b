"""Find and load libespeak-ng once per process, for both espeak-based engines.

The system library (``apt-get install espeak-ng``) is preferred; a machine
with only pip uses the copy that ``espeakng-loader`` ships. Loading that copy
first, under its SONAME, is what lets pyttsx3's own ``dlopen`` find it, and its
data directory must be in ``ESPEAK_DATA_PATH`` or espeak ends the whole
process without an exception.

espeak can be initialised only once per process, so whichever engine starts
it first owns it (``claim``); the other engine then refuses with a clear error
instead of corrupting the first one's callbacks.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import os
from dataclasses import dataclass
from pathlib import Path

from listen.errors import EngineUnavailable

INSTALL_HINT = "install it with `apt-get install espeak-ng` or `pip install espeakng-loader`"
_SYSTEM_DATA_DIRS = (
    "/usr/lib/x86_64-linux-gnu/espeak-ng-data",
    "/usr/lib/aarch64-linux-gnu/espeak-ng-data",
    "/usr/lib/espeak-ng-data",
    "/usr/share/espeak-ng-data",
    "/usr/local/share/espeak-ng-data",
    "/opt/homebrew/share/espeak-ng-data",
)


@dataclass(frozen=True)
class Library:
    dll: ctypes.CDLL
    path: str
    data_dir: str | None  # None: the library's compiled-in default
    bundled: bool = False  # espeakng-loader's copy, not the system's


_library: Library | None = None
_owner: str | None = None


def load() -> Library:
    """Load libespeak-ng (system first, then espeakng-loader's copy)."""
    global _library
    if _library is not None:
        return _library
    system = ctypes.util.find_library("espeak-ng")
    data_dir = os.environ.get("ESPEAK_DATA_PATH")
    if system and (data_dir or any(Path(d).is_dir() for d in _SYSTEM_DATA_DIRS)):
        try:
            dll = ctypes.CDLL(system, mode=ctypes.RTLD_GLOBAL)
        except OSError:
            dll = None
        if dll is not None:
            _check_data(data_dir)
            _library = Library(dll, system, data_dir)
            return _library
    try:
        import espeakng_loader

        path = espeakng_loader.get_library_path()
        data_dir = espeakng_loader.get_data_path()
        dll = ctypes.CDLL(path, mode=ctypes.RTLD_GLOBAL)
    except (ImportError, OSError, RuntimeError):
        raise EngineUnavailable("espeak-ng not found", hint=INSTALL_HINT) from None
    os.environ["ESPEAK_DATA_PATH"] = data_dir
    _library = Library(dll, path, data_dir, bundled=True)
    return _library


#: Part of the cache key: audio cached before espeak read ``[[...]]`` as phonemes
#: had the brackets spoken, for the same spoken text.
PHONEME_INPUT = "phoneme input"


def fingerprint() -> str:
    """Which libespeak-ng would speak, without loading it: part of every cache key,
    because another espeak-ng release may sound different."""
    return f"{_library_name()}; {PHONEME_INPUT}"


def _library_name() -> str:
    if _library is not None:
        return _library.path
    system = ctypes.util.find_library("espeak-ng")
    if system:
        return system
    try:
        from importlib.metadata import version

        return f"espeakng-loader {version('espeakng-loader')}"
    except Exception:  # PackageNotFoundError: nothing to speak with; check() will say so
        return "none"


def _check_data(data_dir: str | None) -> None:
    if data_dir is not None and not (Path(data_dir) / "phontab").is_file():
        raise EngineUnavailable(
            f"ESPEAK_DATA_PATH={data_dir} holds no espeak-ng data",
            hint="unset it or point it at an espeak-ng-data directory",
        )


def claim(owner: str) -> None:
    """Record which engine initialises espeak in this process; refuse a second one."""
    global _owner
    if _owner is not None and _owner != owner:
        raise EngineUnavailable(
            f"espeak-ng is already driven by the {_owner} engine in this process",
            hint=f"use --engine {_owner}, or run the {owner} engine in its own process",
        )
    _owner = owner


def owner() -> str | None:
    return _owner
