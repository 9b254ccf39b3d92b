"""A complete listen engine in 40 lines: it "speaks" each word as a short beep.

Try it without installing anything:

    listen speak samples/almayadeen-en-cia-drones.html \\
        --engine docs.mini_engine:BeepEngine -o beeps.mp3

(run from the repository root so ``docs`` is importable). Packaged, it would
register under the ``listen.engines`` entry-point group:

    [project.entry-points."listen.engines"]
    beep = "mypackage.beep:BeepEngine"
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Sequence
from typing import ClassVar

from listen.models import AudioChunk, EngineVoice
from listen.voices import VoiceProfile

RATE = 16000  # any rate works: listen converts every chunk to the narration's format


class BeepEngine:
    name: ClassVar[str] = "beep"

    def check(self) -> None:
        """Nothing to install; a real engine raises EngineUnavailable with an install hint."""

    def voices(self) -> Sequence[EngineVoice]:
        return [EngineVoice(id="beep", name="Beep", languages=())]

    def synthesize(self, text: str, voice: VoiceProfile) -> Iterator[AudioChunk]:
        samples = bytearray()
        pitch = 440.0 * voice.pitch
        for word in text.split():
            beep = int(RATE * 0.04 * min(len(word), 8) / voice.rate)
            for i in range(beep):
                value = int(8000 * voice.volume * math.sin(2 * math.pi * pitch * i / RATE))
                samples += value.to_bytes(2, "little", signed=True)
            samples += bytes(2 * int(RATE * 0.08 / voice.rate))  # the gap between words
        yield AudioChunk(pcm=bytes(samples), sample_rate=RATE)
