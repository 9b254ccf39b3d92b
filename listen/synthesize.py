"""Script -> audio, one sentence at a time, through the cache.

The engine is started only when the cache cannot answer, so re-rendering an
unchanged article starts no engine at all, and an edited article speaks only
its changed sentences.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from listen.cache import SegmentCache, segment_key
from listen.engines import Engine, Fingerprinted, for_engine, get_engine, ready_engine
from listen.errors import SynthesisError
from listen.models import AudioChunk, Event, Progress, Script, Segment
from listen.script import segments
from listen.voices import VoiceProfile


class Speaker:
    """The engine for a voice, started on first use (with the profile's fallbacks).

    ``override`` is an engine name, or an engine object used as it is (no
    fallbacks, no process-wide registry): the seam for tests and embedding.
    """

    def __init__(self, voice: VoiceProfile, override: str | Engine | None = None) -> None:
        self.voice = voice
        self._given = override if not isinstance(override, str | None) else None
        self.override = override if isinstance(override, str) else None
        self.name = self._given.name if self._given else (self.override or voice.engine)
        self._engine: Engine | None = None

    def loaded(self) -> Engine:
        """The engine object, not yet checked or started (for what it declares it can do)."""
        return self._given or self._engine or get_engine(self.name)

    @property
    def fingerprint(self) -> str:
        """What the engine runs on (library, model), for cache keys."""
        engine = self.loaded()
        return engine.fingerprint(self.profile) if isinstance(engine, Fingerprinted) else ""

    @property
    def profile(self) -> VoiceProfile:
        """The voice as the engine in use reads it (a fallback engine gets its own voice id)."""
        return for_engine(self.voice, self.name)

    def engine(self) -> Engine:
        if self._engine is None:
            if self._given is not None:
                self._given.check()
                self._engine = self._given
            else:
                self._engine = ready_engine(self.voice, self.override)
            self.name = self._engine.name
        return self._engine

    def speak(self, text: str) -> AudioChunk:
        engine = self.engine()
        chunks = list(engine.synthesize(text, self.profile))
        if not chunks:
            raise SynthesisError(f"the {self.name} engine returned no audio for: {text[:60]!r}")
        if len(chunks) == 1:
            return chunks[0]
        first = chunks[0]
        if any(
            (c.sample_rate, c.sample_width, c.channels)
            != (first.sample_rate, first.sample_width, first.channels)
            for c in chunks
        ):
            from listen.audio import to_pcm16

            pcm = b"".join(to_pcm16(c, first.sample_rate) for c in chunks)
            return AudioChunk(pcm, first.sample_rate)
        return AudioChunk(
            b"".join(c.pcm for c in chunks), first.sample_rate, first.sample_width, first.channels
        )


@dataclass
class Counts:
    synthesized: int = 0
    cached: int = 0


def speak_script(
    script: Script,
    voice: VoiceProfile,
    speaker: Speaker,
    *,
    cache: SegmentCache | None = None,
    progress: Progress | None = None,
    counts: Counts | None = None,
) -> Iterator[tuple[Segment, AudioChunk]]:
    """Every sentence of ``script`` with its audio, in reading order."""
    todo = list(segments(script, voice))
    fingerprint = speaker.fingerprint if cache is not None else ""
    if progress:
        progress(Event("progress", phase="speaking", done=0, total=len(todo)))
    for i, segment in enumerate(todo):
        chunk = None
        key = ""
        if cache is not None:
            key = segment_key(speaker.name, fingerprint, speaker.profile, segment.spoken)
            chunk = cache.get(key)
        if chunk is None:
            name = speaker.name
            chunk = speaker.speak(segment.spoken)
            if cache is not None:
                if speaker.name != name:  # fell back to another engine: key it as that one
                    fingerprint = speaker.fingerprint
                    key = segment_key(speaker.name, fingerprint, speaker.profile, segment.spoken)
                cache.put(key, chunk)
            if counts is not None:
                counts.synthesized += 1
        elif counts is not None:
            counts.cached += 1
        if progress:
            progress(Event("progress", phase="speaking", done=i + 1, total=len(todo)))
        yield segment, chunk
