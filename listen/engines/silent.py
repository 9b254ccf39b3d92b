"""The ``silent`` engine: exact, deterministic silence, for tests and dry runs.

Every word lasts ``MS_PER_WORD`` milliseconds, so durations, pauses and
timings can be asserted to the sample without a real voice.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING, ClassVar

from listen.models import AudioChunk, EngineVoice

if TYPE_CHECKING:
    from listen.voices import VoiceProfile

SAMPLE_RATE = 22050
MS_PER_WORD = 300


class SilentEngine:
    name: ClassVar[str] = "silent"

    def check(self) -> None:
        return None

    def voices(self) -> Sequence[EngineVoice]:
        return [EngineVoice(id="silence", name="Silence", languages=())]

    def synthesize(self, text: str, voice: VoiceProfile) -> Iterator[AudioChunk]:
        words = len(text.split())
        frames = round(SAMPLE_RATE * MS_PER_WORD * words / (1000 * voice.rate))
        yield AudioChunk(pcm=bytes(2 * frames), sample_rate=SAMPLE_RATE)
