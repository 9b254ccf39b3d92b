"""The default ``pyttsx3`` engine: espeak-ng on Linux, the system voices on Windows and macOS.

pyttsx3 has traps, and this module is where they are handled:

* espeak starts only once per process, so one pyttsx3 engine serves the whole
  process (``libespeak.claim``);
* driver exceptions are swallowed and reported only as an ``error`` event, so
  we subscribe to it and raise;
* ``runAndWait()`` may return before the WAV is written, so we wait for the
  ``finished-utterance`` event and for a complete file;
* under CPU load espeak sometimes drops an utterance and writes 0 frames with
  no error, so an empty result is retried;
* the espeak driver prints "Audio saved to ..." on stdout, which must never
  reach a stream of MP3 bytes, so stdout is held while it speaks.
"""

from __future__ import annotations

import contextlib
import io
import shutil
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


class Pyttsx3Engine:
    name: ClassVar[str] = "pyttsx3"

    def __init__(self) -> None:
        self._engine: Any = None
        self._lock = threading.Lock()
        self._finished = threading.Event()
        self._error: BaseException | None = None
        self._applied: tuple[str, int, int, float] | None = None
        self._tmp: Path | None = None
        self._count = 0

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
            libespeak.load()  # before pyttsx3 loads it, so the pip copy is found too
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
        self._engine = engine
        self._tmp = Path(tempfile.mkdtemp(prefix="listen-pyttsx3-"))
        return engine

    def _on_error(self, name: str | None = None, exception: BaseException | None = None) -> None:
        self._error = exception or RuntimeError("unknown pyttsx3 error")

    def _raised(self) -> BaseException | None:
        """The error the driver reported since we last cleared it (set from a callback)."""
        return self._error

    def _on_finished(self, name: str | None = None, completed: bool = True) -> None:
        self._finished.set()

    def fingerprint(self) -> str:
        return libespeak.fingerprint()

    def voices(self) -> Sequence[EngineVoice]:
        engine = self._start()
        return [
            EngineVoice(id=v.id, name=v.name, languages=tuple(v.languages or ()))
            for v in engine.getProperty("voices")
        ]

    def phoneme_markup(self, entry: LexiconEntry) -> str | None:
        if sys.platform.startswith("linux") and entry.phoneme and entry.alphabet == "x-espeak":
            return f"[[{entry.phoneme}]]"
        return None

    def _apply(self, voice: VoiceProfile) -> None:
        wanted = (
            voice.voice or voice.language,
            round(DEFAULT_WPM * voice.rate),
            min(100, round(DEFAULT_PITCH * voice.pitch)),
            voice.volume,
        )
        if wanted == self._applied:
            return
        engine = self._engine
        self._error = None
        engine.setProperty("voice", wanted[0])
        if self._raised() is not None:
            self._applied = None
            raise VoiceError(f"pyttsx3 has no voice {wanted[0]!r} (voice profile {voice.id!r})")
        engine.setProperty("rate", wanted[1])
        engine.setProperty("pitch", wanted[2])
        engine.setProperty("volume", wanted[3])
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
        self._count += 1
        path = Path(self._tmp or tempfile.gettempdir()) / f"segment-{self._count}.wav"
        self._finished.clear()
        self._error = None
        engine.save_to_file(text, str(path))
        engine.runAndWait()
        # runAndWait can return before the driver has written the file.
        deadline = time.monotonic() + 30 + len(text) / 50
        while not self._finished.wait(0.005):
            if self._raised() is not None or time.monotonic() > deadline:
                break
        error = self._raised()
        if error is not None:
            raise SynthesisError(f"the engine failed: {error}")
        while not path.exists() and time.monotonic() < deadline:
            time.sleep(0.005)
        try:
            return _read_wav(path)
        except (OSError, EOFError, wave.Error) as exc:
            raise SynthesisError(f"the engine wrote no usable audio: {exc}") from None
        finally:
            path.unlink(missing_ok=True)

    def __del__(self) -> None:
        if self._tmp is not None:
            shutil.rmtree(self._tmp, ignore_errors=True)


def _read_wav(path: Path) -> AudioChunk:
    with wave.open(str(path), "rb") as wav:
        return AudioChunk(
            pcm=wav.readframes(wav.getnframes()),
            sample_rate=wav.getframerate(),
            sample_width=wav.getsampwidth(),
            channels=wav.getnchannels(),
        )
