"""source -> Episode: the stages called in order.

    fetch -> extract -> script -> voice -> synthesize -> assemble -> export

Each stage is a plain function in its own module; this one only wires them
together, so the Python API, the CLI and the batch renderer share one path.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
from pathlib import Path
from typing import BinaryIO

from listen.audio import SAMPLE_RATE, SILENT_LUFS, Spool, measure_loudness
from listen.cache import SegmentCache
from listen.engines import ReadsPhonemes, markup_engine
from listen.export import write_mp3
from listen.extract import extract
from listen.fetch import read_source
from listen.language import require_code
from listen.models import Episode, Page, Script, Timing
from listen.script import build_script
from listen.synthesize import Counts, Progress, Speaker, speak_script
from listen.transcript import chapters, read_episode, sidecar_paths, write_sidecars
from listen.voices import VoiceProfile, choose_profile

RENDER_FORMAT = 1  # bump when a render's output changes for the same inputs


def script_from_html(
    html: str,
    url: str | None = None,
    *,
    language: str | None = None,
    voice: str | None = None,
) -> Script:
    """The narration script of an article page (``Script.to_dict()`` gives its JSON)."""
    script, _ = script_from_page(Page(html=html, url=url, source=url or "<html>"), language, voice)
    return script


def script_from_source(
    source: str, *, language: str | None = None, voice: str | None = None
) -> tuple[Script, VoiceProfile]:
    """Read a file, URL or ``-`` and make its script, with the voice profile chosen for it."""
    return script_from_page(read_source(source), language, voice)


def script_from_page(
    page: Page, language: str | None = None, voice_id: str | None = None
) -> tuple[Script, VoiceProfile]:
    """A fetched page's script, with the voice profile chosen for it."""
    article = extract(page, language=require_code(language) if language else None)
    profile = choose_profile(article.language, voice_id)
    return build_script(article, profile), profile


def _for_engine(script: Script, voice: VoiceProfile, engine_name: str) -> Script:
    """Engines that read phonemes get the lexicon's phonemes in place of its aliases."""
    engine = markup_engine(voice, engine_name)  # the fallback's syntax if it will speak instead
    if not voice.lexicons or not isinstance(engine, ReadsPhonemes):
        return script
    return build_script(script, voice, phonemes=engine.phoneme_markup)


def _cache(cache: SegmentCache | bool | None) -> SegmentCache | None:
    if cache is True:
        return SegmentCache()
    return cache or None


def render(
    script: Script,
    out: Path,
    *,
    voice: VoiceProfile,
    engine: str | None = None,
    bitrate: int = 64,
    loudness: float | None = None,
    sidecars: bool = True,
    cache: SegmentCache | bool | None = True,
    progress: Progress | None = None,
) -> Episode:
    """Script -> tagged MP3 with chapters at ``out``, plus its sidecars (all written atomically)."""
    speaker = Speaker(voice, engine)
    spoken = _for_engine(script, voice, speaker.name)
    target = loudness if loudness is not None else voice.loudness
    key = render_key(spoken, voice, speaker, bitrate, target)
    if cache and sidecars:
        done = read_episode(out, key, script, voice.id, speaker.name)
        if done is not None:
            return done  # the same article, voice and settings: nothing to do
    store = _cache(cache)
    counts = Counts()
    timings: list[Timing] = []
    with Spool() as spool:
        for segment, chunk in speak_script(
            spoken, voice, speaker, cache=store, progress=progress, counts=counts
        ):
            start, end = spool.add(chunk)
            timings.append(
                Timing(
                    segment.block,
                    segment.sentence,
                    segment.kind,
                    segment.text,
                    start,
                    end,
                    SAMPLE_RATE,
                )
            )
            spool.pause(segment.pause_after_ms)
        spool.flush()
        duration_ms = spool.duration_ms
        measured = measure_loudness(spool.path) if spool.frames else SILENT_LUFS
        gain = None if measured <= SILENT_LUFS else target - measured
        chapter_list = chapters(script, timings, duration_ms)
        write_mp3(
            spool.path,
            out,
            script,
            bitrate=bitrate,
            gain_db=gain,
            chapters=chapter_list,
            render_key=key,
        )
    written = write_sidecars(out, script, timings, chapter_list, duration_ms) if sidecars else {}
    if not sidecars:
        for stale in sidecar_paths(out).values():
            with contextlib.suppress(FileNotFoundError):
                stale.unlink()  # a sidecar from an older render would not match this audio
    if store is not None and counts.synthesized:
        store.prune()
    return Episode(
        path=out,
        script=script,
        duration_ms=duration_ms,
        voice=voice.id,
        engine=speaker.name,
        timings=tuple(timings),
        chapters=tuple(chapter_list),
        sidecars=written,
        synthesized=counts.synthesized,
        cached=counts.cached,
    )


def render_key(
    script: Script, voice: VoiceProfile, speaker: Speaker, bitrate: int, loudness: float
) -> str:
    """Everything a render depends on, hashed; stored in the MP3 to skip identical re-renders."""
    material = json.dumps(
        [
            RENDER_FORMAT,
            script.to_dict(),
            voice.to_dict(),
            speaker.name,
            speaker.fingerprint,
            bitrate,
            loudness,
        ],
        ensure_ascii=False,
        sort_keys=True,
    )
    return hashlib.sha256(material.encode("utf-8")).hexdigest()


def stream(
    script: Script,
    sink: BinaryIO,
    *,
    voice: VoiceProfile,
    engine: str | None = None,
    bitrate: int = 64,
    loudness: float | None = None,
    cache: SegmentCache | bool | None = True,
    progress: Progress | None = None,
) -> Episode:
    """Script -> MP3 bytes on ``sink`` as each sentence is spoken, so a player can start at once.

    The whole narration is not known in advance, so loudness is normalised by
    ffmpeg's one-pass ``loudnorm`` instead of a measured gain.
    """
    from listen.export import Mp3Stream

    speaker = Speaker(voice, engine)
    spoken = _for_engine(script, voice, speaker.name)
    target = loudness if loudness is not None else voice.loudness
    counts = Counts()
    frames = 0
    with Mp3Stream(sink, bitrate=bitrate, loudness=target) as encoder:
        for segment, chunk in speak_script(
            spoken, voice, speaker, cache=_cache(cache), progress=progress, counts=counts
        ):
            frames += encoder.add(chunk)
            frames += encoder.pause(segment.pause_after_ms)
    return Episode(
        path=None,
        script=script,
        duration_ms=frames * 1000 // SAMPLE_RATE,
        voice=voice.id,
        engine=speaker.name,
        synthesized=counts.synthesized,
        cached=counts.cached,
    )


def speak(
    source: str,
    out: Path | None = None,
    *,
    language: str | None = None,
    voice: str | None = None,
    engine: str | None = None,
    bitrate: int = 64,
    loudness: float | None = None,
    sidecars: bool = True,
    cache: SegmentCache | bool | None = True,
    progress: Progress | None = None,
) -> Episode:
    """Article (file, URL or ``-``) -> MP3. The default name comes from the title's slug."""
    script, profile = script_from_source(source, language=language, voice=voice)
    target = out or Path(f"{script.slug}.mp3")
    return render(
        script,
        target,
        voice=profile,
        engine=engine,
        bitrate=bitrate,
        loudness=loudness,
        sidecars=sidecars,
        cache=cache,
        progress=progress,
    )
