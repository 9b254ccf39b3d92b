"""Speech engines behind one small protocol, found through the ``listen.engines`` entry points.

An engine is any class with a ``name``, a ``check()`` that raises
``EngineUnavailable`` saying what to install, ``voices()``, and
``synthesize(text, voice)`` yielding ``AudioChunk``s. Built-in engines register
through the same entry-point group that third-party ones use; the table below
only keeps them reachable when listen runs from a source tree that was never
installed.
"""

from __future__ import annotations

import importlib
import logging
from collections.abc import Iterator, Sequence
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar, Protocol, runtime_checkable

from listen.errors import EngineUnavailable, ListenError, UnknownEngine, VoiceError
from listen.voices import VoiceProfile

if TYPE_CHECKING:
    from listen.lexicon import LexiconEntry
    from listen.models import AudioChunk, EngineVoice

log = logging.getLogger("listen")

ENTRY_POINT_GROUP = "listen.engines"
_BUILTIN = {
    "pyttsx3": "listen.engines.pyttsx3:Pyttsx3Engine",
    "espeak": "listen.engines.espeak:EspeakEngine",
    "silent": "listen.engines.silent:SilentEngine",
    "piper": "listen.engines.piper:PiperEngine",
}


@runtime_checkable
class Engine(Protocol):
    name: ClassVar[str]

    def check(self) -> None:
        """Raise ``EngineUnavailable`` (with an install hint) if this engine cannot speak here."""

    def voices(self) -> Sequence[EngineVoice]:
        """The voices this engine offers on this machine."""

    def synthesize(self, text: str, voice: VoiceProfile) -> Iterator[AudioChunk]:
        """Speak ``text`` with ``voice``; raise ``SynthesisError`` if it cannot."""


# Optional abilities. An engine declares one by defining the method; callers test
# with ``isinstance(engine, ReadsPhonemes)`` and never probe with ``getattr``.


@runtime_checkable
class ReadsPhonemes(Protocol):
    """An engine that reads phonemes inline says how to write a lexicon entry's."""

    def phoneme_markup(self, entry: LexiconEntry) -> str | None: ...


@runtime_checkable
class Fingerprinted(Protocol):
    """An engine whose output depends on a library or model version names it, for cache keys."""

    def fingerprint(self, voice: VoiceProfile | None = None) -> str: ...


@runtime_checkable
class NeedsFiles(Protocol):
    """An engine whose voices are files resolves them, raising ``VoiceError`` when missing."""

    def files(self, voice: VoiceProfile) -> tuple[Path, ...]: ...


@runtime_checkable
class Parallel(Protocol):
    """An engine that may synthesise ``parallel`` sentences at once, each on its own thread
    (engines that share one library state, like espeak, speak one at a time)."""

    parallel: int


def available() -> dict[str, str]:
    """Engine name -> 'module:Class', built-ins first, entry points may add or replace."""
    from importlib.metadata import entry_points  # here: loading it costs more than listen's start

    table = dict(_BUILTIN)
    for ep in entry_points(group=ENTRY_POINT_GROUP):
        table[ep.name] = ep.value
    return table


_instances: dict[str, Engine] = {}


def get_engine(name: str) -> Engine:
    """One instance per engine per process: espeak and pyttsx3 may start only once.

    ``name`` is a registered name, or ``module:Class`` to try an engine that is
    not packaged yet.
    """
    if name in _instances:
        return _instances[name]
    table = available()
    choices = f"please select one of: {', '.join(sorted(table))}, or module:Class"
    spec = table.get(name) or (name if ":" in name else None)
    if spec is None:
        raise UnknownEngine(f"unknown engine {name!r}", hint=choices)
    module_name, _, attr = spec.partition(":")
    if not module_name or not attr:
        raise UnknownEngine(f"unknown engine {name!r}", hint=choices)
    try:
        cls = getattr(importlib.import_module(module_name), attr)
    except (ImportError, AttributeError) as exc:
        raise EngineUnavailable(f"engine {name!r} cannot be loaded: {exc}") from None
    except Exception as exc:  # a plugin's module may fail on import in any way
        raise EngineUnavailable(
            f"engine {name!r} cannot be loaded: {type(exc).__name__}: {exc}"
        ) from None
    if not isinstance(cls, type) or not isinstance(getattr(cls, "name", None), str):
        raise UnknownEngine(
            f"{spec!r} is not an engine class",
            hint="an engine is a class with a name, check(), voices() and synthesize()",
        )
    try:
        engine = cls()
    except ListenError:
        raise
    except Exception as exc:  # a third-party constructor may fail in any way
        raise EngineUnavailable(
            f"engine {name!r} cannot start: {type(exc).__name__}: {exc}"
        ) from None
    if not isinstance(engine, Engine):
        raise UnknownEngine(
            f"{spec!r} is not an engine class",
            hint="an engine is a class with a name, check(), voices() and synthesize()",
        )
    _instances[name] = _instances.setdefault(engine.name, engine)
    return _instances[name]


def for_engine(voice: VoiceProfile, engine: str) -> VoiceProfile:
    """The profile as a fallback engine must use it: its voice ids mean nothing there."""
    if engine == voice.engine:
        return voice
    return replace(voice, engine=engine, voice=voice.fallback_voice or voice.language)


def markup_engine(voice: VoiceProfile, engine: Engine) -> Engine:
    """The engine whose phoneme syntax a script for ``voice`` must be written in.

    That is ``engine``, unless it needs files that are missing here: then
    ``ready_engine`` falls back to the profile's next engine, and a fallback
    espeak must not be handed Piper's IPA. (Where no fallback is allowed the
    render fails on the missing files anyway.) Checking such an engine is cheap,
    an import and a stat, and starts no espeak.
    """
    if not isinstance(engine, NeedsFiles):
        return engine
    try:
        engine.check()
        engine.files(for_engine(voice, engine.name))
    except (EngineUnavailable, VoiceError):
        for fallback in voice.fallback_engines:
            try:
                return get_engine(fallback)
            except ListenError:
                continue
    return engine


def ready_engine(voice: VoiceProfile, override: str | None = None) -> Engine:
    """The profile's engine if it can speak here, else its first fallback that can.

    "Can speak" includes the voice's files, for engines that need some: a Piper
    profile whose model is not installed falls back like one whose engine is not.
    """
    names = [override] if override else [voice.engine, *voice.fallback_engines]
    first_error: ListenError | None = None
    for name in dict.fromkeys(names):
        try:
            engine = get_engine(name)
            engine.check()
            if isinstance(engine, NeedsFiles):
                engine.files(for_engine(voice, name))
        except (EngineUnavailable, VoiceError) as exc:
            first_error = first_error or exc
            continue
        if first_error is not None:
            log.warning("%s; speaking with the %s engine instead", first_error.one_line(), name)
        return engine
    raise first_error or EngineUnavailable("no engine to try")
