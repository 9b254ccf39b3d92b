"""Script -> audio, one sentence at a time, through the cache.

The engine is started only when the cache cannot answer, so re-rendering an
unchanged article starts no engine at all, and an edited article speaks only
its changed sentences.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass

from listen.cache import SegmentCache, segment_key
from listen.engines import (
    Engine,
    Fingerprinted,
    Parallel,
    for_engine,
    get_engine,
    ready_engine,
)
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


LOOKAHEAD = 2  # sentences queued per parallel synthesis, so none of its threads waits


def parallelism(engine: Engine) -> int:
    """How many sentences ``engine`` may synthesise at once (``listen.engines.Parallel``)."""
    return max(1, engine.parallel) if isinstance(engine, Parallel) else 1


def speak_script(
    script: Script,
    voice: VoiceProfile,
    speaker: Speaker,
    *,
    cache: SegmentCache | None = None,
    progress: Progress | None = None,
    counts: Counts | None = None,
) -> Iterator[tuple[Segment, AudioChunk]]:
    """Every sentence of ``script`` with its audio, in reading order.

    An engine that can synthesise several sentences at once (``parallel``) is
    given the next ones on threads while the caller assembles and encodes this
    one; the audio still comes back in reading order.
    """
    todo = list(segments(script, voice))
    fingerprint = speaker.fingerprint if cache is not None else ""
    if progress:
        progress(Event("progress", phase="speaking", done=0, total=len(todo)))
    pool: ThreadPoolExecutor | None = None
    window = 0  # sentences kept in flight
    ahead: deque[tuple[Segment, str, AudioChunk | Future[AudioChunk]]] = deque()
    done = 0

    def key_of(segment: Segment) -> str:
        return segment_key(speaker.name, fingerprint, speaker.profile, segment.spoken)

    def finish(segment: Segment, key: str, audio: AudioChunk | Future[AudioChunk]) -> AudioChunk:
        nonlocal done
        if isinstance(audio, Future):
            audio = audio.result()
            if cache is not None:
                cache.put(key, audio)
            if counts is not None:
                counts.synthesized += 1
        done += 1
        if progress:
            progress(Event("progress", phase="speaking", done=done, total=len(todo)))
        return audio

    try:
        for segment in todo:
            chunk = None
            key = ""
            if cache is not None:
                key = key_of(segment)
                chunk = cache.get(key)
            if chunk is not None:
                if counts is not None:
                    counts.cached += 1
                ahead.append((segment, key, chunk))
            elif pool is not None:
                ahead.append((segment, key, pool.submit(speaker.speak, segment.spoken)))
            else:
                name = speaker.name
                chunk = speaker.speak(segment.spoken)  # starts the engine (or a fallback)
                if cache is not None:
                    if speaker.name != name:  # fell back to another engine: key it as that one
                        fingerprint = speaker.fingerprint
                        key = key_of(segment)
                    cache.put(key, chunk)
                if counts is not None:
                    counts.synthesized += 1
                ahead.append((segment, key, chunk))
                threads = parallelism(speaker.engine())
                if threads > 1:
                    pool = ThreadPoolExecutor(threads, thread_name_prefix="listen-speak")
                    window = LOOKAHEAD * threads
            while len(ahead) > window:
                first, first_key, audio = ahead.popleft()
                yield first, finish(first, first_key, audio)
        while ahead:
            first, first_key, audio = ahead.popleft()
            yield first, finish(first, first_key, audio)
    finally:
        if pool is not None:
            pool.shutdown(wait=True, cancel_futures=True)
