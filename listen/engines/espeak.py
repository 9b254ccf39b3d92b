"""The ``espeak`` engine: libespeak-ng driven directly, in its synchronous mode.

This is the engine that speaks where pyttsx3 cannot start. Synchronous mode
returns only when the audio is complete, gives output byte-identical to the
``espeak-ng`` command, and does not drop utterances under load, which the
asynchronous mode that pyttsx3 uses can.
"""

from __future__ import annotations

import ctypes
import re
from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING, ClassVar

from listen.engines import libespeak
from listen.errors import EngineUnavailable, SynthesisError, VoiceError
from listen.models import AudioChunk, EngineVoice

if TYPE_CHECKING:
    from listen.lexicon import LexiconEntry
    from listen.voices import VoiceProfile

AUDIO_OUTPUT_SYNCHRONOUS = 2
INITIALIZE_DONT_EXIT = 0x8000  # report missing data instead of ending the process
POS_CHARACTER = 1
CHARS_UTF8 = 1
PHONEMES = 0x100
ENDPAUSE = 0x1000
RATE, VOLUME, PITCH = 1, 2, 3
DEFAULT_WPM = 175
DEFAULT_PITCH = 50

_LANGUAGE = re.compile(r"^[a-z]{2,3}(-[A-Za-z0-9-]+)?$")
_CALLBACK = ctypes.CFUNCTYPE(
    ctypes.c_int, ctypes.POINTER(ctypes.c_short), ctypes.c_int, ctypes.c_void_p
)


class _Voice(ctypes.Structure):
    _fields_ = [
        ("name", ctypes.c_char_p),
        ("languages", ctypes.c_char_p),
        ("identifier", ctypes.c_char_p),
        ("gender", ctypes.c_ubyte),
        ("age", ctypes.c_ubyte),
        ("variant", ctypes.c_ubyte),
        ("xx1", ctypes.c_ubyte),
        ("score", ctypes.c_int),
        ("spare", ctypes.c_void_p),
    ]


def list_voices(dll: ctypes.CDLL) -> list[EngineVoice]:
    """Every voice libespeak-ng knows, with its languages."""
    dll.espeak_ListVoices.restype = ctypes.POINTER(ctypes.POINTER(_Voice))
    dll.espeak_ListVoices.argtypes = [ctypes.c_void_p]
    array = dll.espeak_ListVoices(None)
    voices = []
    i = 0
    while array[i]:
        v = array[i].contents
        languages = []
        raw = ctypes.string_at(v.languages, 64) if v.languages else b""
        pos = 0
        while pos < len(raw) and raw[pos] != 0:  # priority byte, then NUL-terminated name
            end = raw.index(b"\0", pos + 1)
            name = raw[pos + 1 : end].decode("ascii", "replace")
            if not _LANGUAGE.match(name):
                break
            languages.append(name)
            pos = end + 1
        voices.append(
            EngineVoice(
                id=(v.identifier or b"").decode("utf-8", "replace"),
                name=(v.name or b"").decode("utf-8", "replace"),
                languages=tuple(languages),
            )
        )
        i += 1
    return voices


class EspeakEngine:
    name: ClassVar[str] = "espeak"

    def __init__(self) -> None:
        self._dll: ctypes.CDLL | None = None
        self._rate = 0
        self._buffer: list[bytes] = []
        self._callback = _CALLBACK(self._on_audio)  # kept alive as long as the engine
        self._voice_name: str | None = None
        self._voices: list[EngineVoice] | None = None

    def check(self) -> None:
        self._start()

    def _start(self) -> ctypes.CDLL:
        if self._dll is not None:
            return self._dll
        lib = libespeak.load()
        libespeak.claim(self.name)
        dll = lib.dll
        dll.espeak_Initialize.restype = ctypes.c_int
        dll.espeak_Initialize.argtypes = [ctypes.c_int, ctypes.c_int, ctypes.c_char_p, ctypes.c_int]
        path = lib.data_dir.encode() if lib.data_dir else None
        # espeak_Initialize wants the folder that holds espeak-ng-data.
        parent = path.rsplit(b"/", 1)[0] if path else None
        rate = dll.espeak_Initialize(AUDIO_OUTPUT_SYNCHRONOUS, 0, parent, INITIALIZE_DONT_EXIT)
        if rate <= 0:
            raise EngineUnavailable(
                "espeak-ng could not start (its data is missing)", hint=libespeak.INSTALL_HINT
            )
        dll.espeak_SetSynthCallback.argtypes = [_CALLBACK]
        dll.espeak_SetSynthCallback(self._callback)
        dll.espeak_Synth.argtypes = [
            ctypes.c_char_p,
            ctypes.c_size_t,
            ctypes.c_uint,
            ctypes.c_int,
            ctypes.c_uint,
            ctypes.c_uint,
            ctypes.c_void_p,
            ctypes.c_void_p,
        ]
        dll.espeak_SetVoiceByName.argtypes = [ctypes.c_char_p]
        dll.espeak_SetParameter.argtypes = [ctypes.c_int, ctypes.c_int, ctypes.c_int]
        self._dll, self._rate = dll, rate
        return dll

    def fingerprint(self, voice: VoiceProfile | None = None) -> str:
        return libespeak.fingerprint()

    def voices(self) -> Sequence[EngineVoice]:
        if self._voices is None:
            self._voices = list_voices(self._start())
        return self._voices

    def phoneme_markup(self, entry: LexiconEntry) -> str | None:
        if entry.phoneme and entry.alphabet == "x-espeak":
            return f"[[{entry.phoneme}]]"
        return None

    def _on_audio(self, wav: ctypes._Pointer[ctypes.c_short], samples: int, _events: int) -> int:
        if samples > 0:
            self._buffer.append(ctypes.string_at(wav, samples * 2))
        return 0

    def _set_voice(self, voice: VoiceProfile) -> None:
        dll = self._start()
        name = voice.voice or voice.language
        if name != self._voice_name:
            if dll.espeak_SetVoiceByName(name.encode()) != 0:
                raise VoiceError(f"espeak-ng has no voice {name!r} (voice profile {voice.id!r})")
            self._voice_name = name
        dll.espeak_SetParameter(RATE, round(DEFAULT_WPM * voice.rate), 0)
        dll.espeak_SetParameter(PITCH, min(100, round(DEFAULT_PITCH * voice.pitch)), 0)
        dll.espeak_SetParameter(VOLUME, round(100 * voice.volume), 0)

    def synthesize(self, text: str, voice: VoiceProfile) -> Iterator[AudioChunk]:
        dll = self._start()
        self._set_voice(voice)
        data = text.encode("utf-8")
        self._buffer = []
        # PHONEMES: a lexicon entry reaches us as [[...]] in espeak's notation, and
        # without the flag the library reads the brackets and letters aloud. (The
        # normaliser removes brackets from page text, so only lexicon markup has them.)
        flags = CHARS_UTF8 | ENDPAUSE | PHONEMES
        err = dll.espeak_Synth(data, len(data) + 1, 0, POS_CHARACTER, 0, flags, None, None)
        if err != 0:
            raise SynthesisError(f"espeak-ng failed (error {err}) on: {text[:60]!r}")
        pcm = b"".join(self._buffer)
        self._buffer = []
        if text.strip() and not pcm:
            raise SynthesisError(f"espeak-ng produced no audio for: {text[:60]!r}")
        yield AudioChunk(pcm=pcm, sample_rate=self._rate)
