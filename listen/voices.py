"""Voice profiles: ``voices/*.toml`` -> ``VoiceProfile``, and choosing one for a language.

A profile names the engine and the engine's voice, rate, pitch and volume,
the pause after each block kind, the words that introduce a caption or a
quote, and the pronunciation lexicons it uses. Unknown keys are errors.

Profiles are looked up in ``$LISTEN_VOICES`` (``os.pathsep``-separated
folders), then the user's ``~/.config/listen/voices``, then the ones shipped
with listen. A language is matched ``language-REGION`` first, then
``language``; a language with no profile gets the fallback profile, speaking
that language where the engine can, and a warning.
"""

from __future__ import annotations

import logging
import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from types import MappingProxyType
from typing import Any

from listen.errors import VoiceError
from listen.models import BLOCK_KINDS

log = logging.getLogger("listen")

FALLBACK_ID = "fallback"
_PAUSE_KEYS = (*BLOCK_KINDS, "sentence")
_LABEL_KEYS = ("caption", "quote")


@dataclass(frozen=True)
class VoiceProfile:
    id: str
    name: str
    language: str
    engine: str = "pyttsx3"
    voice: str = ""  # the engine's own voice id, e.g. "en-us" for espeak-ng
    rate: float = 1.0  # 1.0 is the engine's natural speed (175 words a minute on espeak)
    pitch: float = 1.0
    volume: float = 1.0
    loudness: float = -19.0  # LUFS; ITU-R BS.1770 integrated, the target for mono speech
    pauses: Mapping[str, int] = field(default_factory=lambda: MappingProxyType({}))
    labels: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))
    lexicons: tuple[Path, ...] = ()
    fallback_engines: tuple[str, ...] = ("espeak",)
    fallback_voice: str = ""  # the voice for a fallback engine (default: the language)
    path: Path | None = None

    def pause_after(self, kind: str) -> int:
        return self.pauses.get(kind, self.pauses.get("paragraph", 0))

    def label(self, kind: str) -> str | None:
        return self.labels.get(kind)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], *, path: Path | None = None) -> VoiceProfile:
        where = path.name if path else "voice profile"
        known = {f.name for f in fields(cls)} - {"path"}
        unknown = sorted(set(data) - known)
        if unknown:
            raise VoiceError(
                f"{where}: unknown key {unknown[0]!r} (known: {', '.join(sorted(known))})"
            )
        for key in ("id", "name", "language"):
            if not isinstance(data.get(key), str) or not data[key]:
                raise VoiceError(f"{where}: {key!r} must be a non-empty string")
        values = dict(data)
        loudness = values.get("loudness", -19.0)
        if (
            not isinstance(loudness, int | float)
            or isinstance(loudness, bool)
            or not -40 <= loudness <= 0
        ):
            raise VoiceError(f"{where}: loudness must be a number of LUFS between -40 and 0")
        values["loudness"] = float(loudness)
        for key in ("rate", "pitch", "volume"):
            if key in values:
                value = values[key]
                if (
                    not isinstance(value, int | float)
                    or isinstance(value, bool)
                    or not 0 < value <= 4
                ):
                    raise VoiceError(f"{where}: {key} must be a number between 0 and 4")
                values[key] = float(value)
        pauses = values.get("pauses", {})
        if not isinstance(pauses, dict) or any(
            k not in _PAUSE_KEYS or not isinstance(v, int) or v < 0 for k, v in pauses.items()
        ):
            raise VoiceError(
                f"{where}: [pauses] maps {', '.join(_PAUSE_KEYS)} to milliseconds (whole numbers)"
            )
        values["pauses"] = MappingProxyType(dict(pauses))
        labels = values.get("labels", {})
        if not isinstance(labels, dict) or any(
            k not in _LABEL_KEYS or not isinstance(v, str) for k, v in labels.items()
        ):
            raise VoiceError(f"{where}: [labels] maps caption and quote to text")
        values["labels"] = MappingProxyType(dict(labels))
        base = path.parent if path else Path.cwd()
        values["lexicons"] = tuple(base / p for p in values.get("lexicons", ()))
        values["fallback_engines"] = tuple(values.get("fallback_engines", ("espeak",)))
        for key in ("engine", "voice", "fallback_voice"):
            if key in values and not isinstance(values[key], str):
                raise VoiceError(f"{where}: {key!r} must be a string")
        return cls(path=path, **values)

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "name": self.name,
            "language": self.language,
            "engine": self.engine,
            "voice": self.voice,
            "rate": self.rate,
            "pitch": self.pitch,
            "volume": self.volume,
            "loudness": self.loudness,
            "pauses": dict(self.pauses),
            "labels": dict(self.labels),
            "lexicons": [str(p) for p in self.lexicons],
        }


def voice_dirs() -> list[Path]:
    dirs = [Path(p) for p in os.environ.get("LISTEN_VOICES", "").split(os.pathsep) if p]
    config = Path(os.environ.get("XDG_CONFIG_HOME") or Path.home() / ".config")
    dirs.append(config / "listen" / "voices")
    here = Path(__file__).resolve().parent
    dirs += [here / "voices", here.parent / "voices"]  # wheel, then source checkout
    return [d for d in dirs if d.is_dir()]


def load_profile(path: Path) -> VoiceProfile:
    try:
        with path.open("rb") as fh:
            data = tomllib.load(fh)
    except tomllib.TOMLDecodeError as exc:
        raise VoiceError(f"{path.name}: not valid TOML ({exc})") from None
    except OSError as exc:
        raise VoiceError(f"cannot read voice profile {path}: {exc.strerror}") from None
    return VoiceProfile.from_dict(data, path=path)


def all_profiles() -> dict[str, VoiceProfile]:
    """Every profile by id; an earlier folder wins over a later one."""
    profiles: dict[str, VoiceProfile] = {}
    for folder in voice_dirs():
        for path in sorted(folder.glob("*.toml")):
            profile = load_profile(path)
            profiles.setdefault(profile.id, profile)
    if not profiles:
        raise VoiceError("no voice profiles found", hint="set LISTEN_VOICES to a folder of *.toml")
    return profiles


def get_profile(voice_id: str) -> VoiceProfile:
    profiles = all_profiles()
    if voice_id in profiles:
        return profiles[voice_id]
    path = Path(voice_id)
    if path.suffix == ".toml" and path.is_file():
        return load_profile(path)
    raise VoiceError(
        f"unknown voice {voice_id!r}", hint=f"please select one of: {', '.join(sorted(profiles))}"
    )


def choose_profile(language: str, voice_id: str | None = None) -> VoiceProfile:
    """The profile for ``language`` ('es-419' -> 'es-419', then 'es'), or the fallback."""
    if voice_id:
        return get_profile(voice_id)
    profiles = all_profiles()
    by_language: dict[str, VoiceProfile] = {}
    for profile in profiles.values():
        if profile.id != FALLBACK_ID:
            by_language.setdefault(profile.language.lower(), profile)
    wanted = language.lower().replace("_", "-")
    for key in (wanted, wanted.split("-")[0]):
        # The profile named after the language is its default ("en", not "en-piper").
        named = profiles.get(key)
        if named is not None and named.language.lower() == key:
            return named
        if key in by_language:
            return by_language[key]
    if FALLBACK_ID not in profiles:
        raise VoiceError(
            f"no voice profile for language {language!r}",
            hint=f"add one to voices/, or pick one of: {', '.join(sorted(profiles))}",
        )
    log.warning("no voice profile for language %r; using the fallback voice", language)
    fallback = profiles[FALLBACK_ID]
    return replace(fallback, language=wanted, voice=fallback.voice.format(language=wanted))
