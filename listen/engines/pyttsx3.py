"""The default ``pyttsx3`` engine: espeak-ng on Linux, the system voices on Windows and macOS.

pyttsx3 has traps, and this module is where they are handled:

* espeak starts only once per process, so one pyttsx3 engine serves the whole
  process (``libespeak.claim``);
* driver exceptions are swallowed and reported only as an ``error`` event, so
  we subscribe to it and raise;
* ``runAndWait()`` may return before the audio is complete, so we wait for
  espeak's last callback to return; the samples are taken from espeak's
  callback, never from a file, so nothing touches TMPDIR;
* under CPU load espeak sometimes drops an utterance and writes 0 frames with
  no error, so an empty result is retried;
* the espeak driver prints "Audio saved to ..." on stdout, which must never
  reach a stream of MP3 bytes, so stdout is held while it speaks;
* the espeak driver calls ``espeak_Synth`` with only ``ENDPAUSE | CHARS_UTF8``,
  so a lexicon's ``[[phonemes]]`` would be read out as brackets and letters:
  its synthesis call is given ``PHONEMES`` as well (``_read_phonemes``).
"""

from __future__ import annotations

import contextlib
import ctypes
import io
import os
import sys
import tempfile
import threading
import time
import wave
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from listen.engines import libespeak
from listen.errors import EngineUnavailable, SynthesisError, VoiceError
from listen.models import AudioChunk, EngineVoice

if TYPE_CHECKING:
    from listen.lexicon import LexiconEntry
    from listen.voices import VoiceProfile

DEFAULT_WPM = 175  # espeak's natural rate; a profile's rate 1.0 means this
DEFAULT_PITCH = 50
ATTEMPTS = 3
SAMPLE_RATE = 22050  # the rate the espeak driver initialises espeak's retrieval mode at


class Pyttsx3Engine:
    name: ClassVar[str] = "pyttsx3"

    def __init__(self) -> None:
        self._engine: Any = None
        self._lock = threading.Lock()
        self._finished = threading.Event()
        self._callback_done = threading.Event()  # espeak's last callback has returned
        self._hooked = False
        self._error: BaseException | None = None
        self._applied: tuple[str, int, int, float] | None = None
        self._pcm: list[bytes] = []  # the samples of the utterance being spoken
        self._phonemes = False  # whether the driver's espeak reads [[...]] as phonemes

    def check(self) -> None:
        self._start()

    def _start(self) -> Any:
        if self._engine is not None:
            return self._engine
        try:
            import pyttsx3
        except ImportError:
            raise EngineUnavailable(
                "pyttsx3 is not installed", hint="install it with `pip install pyttsx3`"
            ) from None
        driver = None
        if sys.platform.startswith("linux"):
            library = libespeak.load()  # before pyttsx3 loads it, so the pip copy is found too
            if library.bundled:
                # pyttsx3 speaks through espeak's own worker thread, where espeakng-loader's
                # libespeak-ng 1.52 reads past the end of a clause (a rule scans for a space
                # that is not there) and, about one run in two, off the end of that thread's
                # stack: SIGSEGV. The espeak engine runs the same library synchronously on the
                # calling thread, where the over-read lands in readable memory.
                raise EngineUnavailable(
                    "pyttsx3 cannot use the pip-shipped libespeak-ng safely (it crashes in "
                    "espeak's own thread)",
                    hint="install the system's with `apt-get install espeak-ng`",
                )
            libespeak.claim(self.name)
            driver = "espeak"
        try:
            with contextlib.redirect_stdout(io.StringIO()):
                engine = pyttsx3.init(driver)
        except Exception as exc:  # pyttsx3 raises bare RuntimeError/OSError/ImportError
            raise EngineUnavailable(
                f"pyttsx3 could not start: {exc}", hint=libespeak.INSTALL_HINT
            ) from None
        engine.connect("error", self._on_error)
        engine.connect("finished-utterance", self._on_finished)
        self._hooked = _hook_espeak_callback(engine, self._callback_done, self._pcm)
        self._phonemes = self._hooked and _read_phonemes()
        self._engine = engine
        return engine

    def _on_error(self, name: str | None = None, exception: BaseException | None = None) -> None:
        self._error = exception or RuntimeError("unknown pyttsx3 error")

    def _raised(self) -> BaseException | None:
        """The error the driver reported since we last cleared it (set from a callback)."""
        return self._error

    def _on_finished(self, name: str | None = None, completed: bool = True) -> None:
        self._finished.set()

    def fingerprint(self, voice: VoiceProfile | None = None) -> str:
        return libespeak.fingerprint()

    def voices(self) -> Sequence[EngineVoice]:
        engine = self._start()
        return [
            EngineVoice(id=v.id, name=v.name, languages=tuple(v.languages or ()))
            for v in engine.getProperty("voices")
        ]

    def phoneme_markup(self, entry: LexiconEntry) -> str | None:
        if not sys.platform.startswith("linux"):
            return None  # SAPI5 and NSSS read no espeak phonemes: the alias is said
        if not self._phonemes and self._engine is None:
            # Without starting espeak (a cached re-render starts no engine): loading the
            # library and wrapping the driver's synthesis call is enough to know.
            try:
                libespeak.load()
                self._phonemes = _read_phonemes()
            except EngineUnavailable:
                return None
        phonemes = entry.phonemes_in("x-espeak")
        return f"[[{phonemes}]]" if phonemes and self._phonemes else None

    def _apply(self, voice: VoiceProfile) -> None:
        wanted = (
            voice.voice or voice.language,
            round(DEFAULT_WPM * voice.rate),
            min(100, round(DEFAULT_PITCH * voice.pitch)),
            voice.volume,
        )
        if wanted == self._applied:
            return
        # The engine's setProperty only queues the change while the driver looks
        # busy, and the next runAndWait() empties that queue: a rate change could
        # vanish. The driver's own setProperty applies it now, and raises.
        driver = getattr(getattr(self._engine, "proxy", None), "_driver", None)
        set_property = getattr(driver, "setProperty", None) or self._engine.setProperty
        self._applied = None
        try:
            set_property("voice", wanted[0])
        except (ValueError, KeyError, OSError) as exc:
            raise VoiceError(
                f"pyttsx3 has no voice {wanted[0]!r} (voice profile {voice.id!r})"
            ) from exc
        for name, value in zip(("rate", "pitch", "volume"), wanted[1:], strict=True):
            set_property(name, value)
        if self._hooked:  # the espeak driver
            _synchronize()
        self._applied = wanted

    def synthesize(self, text: str, voice: VoiceProfile) -> Iterator[AudioChunk]:
        engine = self._start()
        with self._lock, contextlib.redirect_stdout(io.StringIO()):
            self._apply(voice)
            for _ in range(ATTEMPTS):
                chunk = self._speak_once(engine, text)
                if chunk.frames or not text.strip():
                    break
            else:
                raise SynthesisError(f"the engine produced no audio for: {text[:60]!r}")
        yield chunk

    def _speak_once(self, engine: Any, text: str) -> AudioChunk:
        self._finished.clear()
        self._callback_done.clear()
        self._error = None
        self._pcm.clear()  # in place: the callback hook holds this list
        if self._hooked:
            # The samples are taken from espeak's callback as they come (see
            # _hook_espeak_callback), so the driver's WAV goes nowhere: nothing is
            # written to TMPDIR, a full TMPDIR cannot stall a render, and no file
            # or folder is left behind.
            target = os.devnull
        else:
            fd, target = tempfile.mkstemp(prefix="listen-pyttsx3-", suffix=".wav")
            os.close(fd)
        try:
            engine.save_to_file(text, target)
            engine.runAndWait()
            # runAndWait can return before the driver has finished.
            deadline = time.monotonic() + 30 + len(text) / 50
            done = self._callback_done if self._hooked else self._finished
            while not done.wait(0.005):
                if self._raised() is not None or time.monotonic() > deadline:
                    break
            error = self._raised()
            if error is not None:
                raise SynthesisError(f"the engine failed: {error}")
            if self._hooked:
                return _captured(self._pcm)
            path = Path(target)
            while not path.stat().st_size and time.monotonic() < deadline:
                time.sleep(0.005)
            try:
                return _read_wav(path)
            except (OSError, EOFError, wave.Error) as exc:
                raise SynthesisError(f"the engine wrote no usable audio: {exc}") from None
        finally:
            if target != os.devnull:
                Path(target).unlink(missing_ok=True)


def _synchronize() -> None:
    """Wait until espeak has applied queued parameter changes.

    In its asynchronous mode espeak queues a rate or voice change behind
    whatever it is still finishing, and a change queued at the wrong moment
    was seen to be lost (a rate change took no effect).
    """
    from pyttsx3.drivers import _espeak

    _espeak.Synchronize()


def _read_phonemes() -> bool:
    """Make the espeak driver's synthesis call read ``[[...]]`` as phonemes.

    The driver calls ``_espeak.Synth(text, flags=ENDPAUSE | CHARS_UTF8)`` through
    its module, so the flag is added there, once per process (espeak belongs to
    this engine for the whole process, see ``libespeak.claim``). The flag only
    changes text between ``[[`` and ``]]``, which page text never holds: the
    normaliser drops brackets, so only lexicon markup has them.
    """
    try:
        from pyttsx3.drivers import _espeak
    except Exception:  # ImportError, or the RuntimeError it raises without libespeak-ng
        return False
    synth = _espeak.Synth
    if getattr(synth, "reads_phonemes", False):
        return True
    phonemes = int(getattr(_espeak, "PHONEMES", 0x100))

    def synth_with_phonemes(text: Any, *args: Any, flags: int = 0, **kwargs: Any) -> Any:
        return synth(text, *args, flags=flags | phonemes, **kwargs)

    synth_with_phonemes.reads_phonemes = True  # type: ignore[attr-defined]
    _espeak.Synth = synth_with_phonemes
    return True


def _hook_espeak_callback(engine: Any, done: threading.Event, pcm: list[bytes]) -> bool:
    """Wrap the espeak driver's audio callback: keep its samples, and know when it ends.

    Every sample espeak hands over while the driver speaks is appended to
    ``pcm``. The driver's own WAV would lack the samples of the last call: it
    writes the file when espeak reports the end of the message and appends that
    same call's samples only afterwards, and how espeak splits its calls depends
    on timing. The "finished-utterance" event fires inside that last call, so the
    audio is complete only once the call has returned (``done``).
    """
    driver: Any = getattr(getattr(engine, "proxy", None), "_driver", None)
    original = getattr(driver, "_onSynth", None)
    if original is None or not hasattr(driver, "_speaking"):
        return False  # not the espeak driver (Windows, macOS): nothing to wait for
    try:
        from pyttsx3.drivers import _espeak
    except ImportError:
        return False

    def on_synth(wav: Any, numsamples: int, events: Any) -> int:
        if driver._speaking and numsamples > 0:
            pcm.append(ctypes.string_at(wav, numsamples * 2))
        try:
            return int(original(wav, numsamples, events))
        finally:
            if not driver._speaking:
                done.set()

    _espeak.SetSynthCallback(on_synth)
    return True


def _captured(pcm: list[bytes]) -> AudioChunk:
    """The utterance's samples as espeak gave them: mono 16-bit, at the driver's 22,050 Hz."""
    return AudioChunk(pcm=b"".join(pcm), sample_rate=SAMPLE_RATE)


def _read_wav(path: Path) -> AudioChunk:
    with wave.open(str(path), "rb") as wav:
        return AudioChunk(
            pcm=wav.readframes(wav.getnframes()),
            sample_rate=wav.getframerate(),
            sample_width=wav.getsampwidth(),
            channels=wav.getnchannels(),
        )
