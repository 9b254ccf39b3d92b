"""source -> Episode: the stages called in order.

    fetch -> extract -> script -> voice -> synthesize -> assemble -> export

Each stage is a plain function in its own module; this one only wires them
together, so the Python API, the CLI, the queue's workers and the service
share one path. A render is made as one ``RenderOptions`` says; the keyword
arguments of ``render``/``stream``/``speak`` are a thin layer that builds one.
Every render is bounded: its narration may not be longer than
``RenderOptions.max_minutes`` (refused up front from the script's length, and
stopped if the audio grows past it), and free disk is checked before and while
it writes.
"""

from __future__ import annotations

import contextlib
import dataclasses
import hashlib
import json
import shutil
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO

from listen.cache import SegmentCache
from listen.engines import Engine, ReadsPhonemes, markup_engine
from listen.errors import DiskFull, ExportError, TooLong
from listen.language import require_code
from listen.models import Episode, Event, Page, Progress, RenderOptions, Script, Segment, Timing
from listen.script import build_script
from listen.synthesize import Counts, Speaker, speak_script
from listen.voices import VoiceProfile, choose_profile

if TYPE_CHECKING:
    from listen.episodes import EpisodeStore

RENDER_FORMAT = 3  # bump when a render's output changes for the same inputs
# A generous guess (fast voices say about 900 a minute), so the up-front check refuses only
# what is surely too long; the audio itself is checked against the limit as it grows.
SPOKEN_CHARS_PER_MINUTE = 1200
MIN_FREE_BYTES = 64 * 1024 * 1024  # stop before a disk is full, not when it is
DISK_CHECK_EVERY = 16  # segments between two free-space checks


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
    source: str,
    *,
    language: str | None = None,
    voice: str | None = None,
    options: RenderOptions | None = None,
) -> tuple[Script, VoiceProfile]:
    """Read a file, URL or ``-`` and make its script, with the voice profile chosen for it."""
    from listen.fetch import read_source

    return script_from_page(read_source(source), language, voice, options=options)


def script_from_page(
    page: Page,
    language: str | None = None,
    voice_id: str | None = None,
    *,
    options: RenderOptions | None = None,
) -> tuple[Script, VoiceProfile]:
    """A fetched page's script, with the voice profile chosen for it (``options`` may choose
    the language and the voice per language)."""
    # Extraction (trafilatura) is imported here, not at the top: a render of a stored script
    # (``queue render``, the service's workers) never loads it.
    from listen.extract import extract

    if options is not None:
        language = language or options.language
    article = extract(page, language=require_code(language) if language else None)
    if options is not None:
        voice_id = voice_id or options.voice_for(article.language)
    profile = choose_profile(article.language, voice_id)
    return build_script(article, profile), profile


def script_for_voice(script: Script, options: RenderOptions) -> tuple[Script, VoiceProfile]:
    """A stored script, re-spoken only if ``options`` choose another voice than it was made for."""
    profile = choose_profile(script.language, options.voice_for(script.language))
    if script.voice == profile.id and all(b.sentences for b in script.blocks):
        return script, profile
    return build_script(script, profile), profile


def _for_engine(script: Script, voice: VoiceProfile, speaker: Speaker) -> Script:
    """Engines that read phonemes get the lexicon's phonemes in place of its aliases."""
    # A Piper voice that is not installed falls back to espeak: write espeak's syntax then.
    engine = markup_engine(voice, speaker.loaded())
    if not voice.lexicons or not isinstance(engine, ReadsPhonemes):
        return script
    return build_script(script, voice, phonemes=engine.phoneme_markup)


def _cache(cache: SegmentCache | bool | None, options: RenderOptions) -> SegmentCache | None:
    if cache is None:
        cache = options.cache
    if cache is True:
        from listen.cache import cache_max_bytes

        # Half of the one bound; encoded pieces and episodes get a quarter each.
        return SegmentCache(max_bytes=cache_max_bytes(options.cache_mb) // 2)
    return cache or None


def check_length(script: Script, options: RenderOptions) -> None:
    """Refuse, before any work, a script that would speak for longer than the limit."""
    minutes = script.spoken_chars / SPOKEN_CHARS_PER_MINUTE
    if minutes > options.max_minutes:
        raise TooLong(
            f"{script.title!r} would take about {minutes:.0f} minutes to read; "
            f"the limit is {options.max_minutes:g}",
            hint="raise it with --max-minutes, or split the article",
        )


def _free_bytes(folder: Path) -> int:
    try:
        return shutil.disk_usage(folder).free
    except OSError:
        return MIN_FREE_BYTES * 4  # a folder we cannot ask about: let writing report it


def check_disk(folders: tuple[Path, ...], need: int) -> None:
    """Raise ``DiskFull`` when a folder the render writes to has less than ``need`` free."""
    for folder in dict.fromkeys(folders):
        free = _free_bytes(folder)
        if free < need + MIN_FREE_BYTES:
            raise DiskFull(
                f"{folder} has {free / 1e6:.0f} MB free; this render needs about "
                f"{(need + MIN_FREE_BYTES) / 1e6:.0f} MB",
                hint="free some space, or set TMPDIR to a larger disk",
            )


@dataclass(frozen=True)
class Prepared:
    """What a render needs before it speaks: the script as the engine reads it, and its key."""

    spoken: Script
    speaker: Speaker
    target_lufs: float
    key: str


def prepare(
    script: Script,
    voice: VoiceProfile,
    options: RenderOptions,
    engine: str | Engine | None = None,
) -> Prepared:
    check_length(script, options)
    speaker = Speaker(voice, engine if engine is not None else options.engine)
    spoken = _for_engine(script, voice, speaker)
    target = options.loudness if options.loudness is not None else voice.loudness
    return Prepared(spoken, speaker, target, render_key(spoken, voice, speaker, options, target))


def _spoken(
    prepared: Prepared,
    voice: VoiceProfile,
    options: RenderOptions,
    store: SegmentCache | None,
    progress: Progress | None,
    counts: Counts,
    folders: tuple[Path, ...],
) -> Iterator[tuple[Segment, object]]:
    """speak_script, with the length limit and the free disk checked as the audio grows."""
    limit_ms = options.max_minutes * 60_000
    spoken_ms = 0.0
    for i, (segment, chunk) in enumerate(
        speak_script(
            prepared.spoken, voice, prepared.speaker, cache=store, progress=progress, counts=counts
        )
    ):
        spoken_ms += chunk.duration_ms + segment.pause_after_ms
        if spoken_ms > limit_ms:
            raise TooLong(
                f"the narration of {prepared.spoken.title!r} passed the "
                f"{options.max_minutes:g}-minute limit; it was stopped",
                hint="raise it with --max-minutes, or split the article",
            )
        if i % DISK_CHECK_EVERY == DISK_CHECK_EVERY - 1:
            check_disk(folders, 0)
        yield segment, chunk


def _phase(progress: Progress | None, phase: str, done: int, total: int = 1) -> None:
    if progress is not None:
        progress(Event("progress", phase=phase, done=done, total=total))  # type: ignore[arg-type]


def render(
    script: Script,
    out: Path,
    *,
    voice: VoiceProfile,
    engine: str | Engine | None = None,
    bitrate: int = 64,
    loudness: float | None = None,
    sidecars: bool = True,
    cache: SegmentCache | bool | None = True,
    progress: Progress | None = None,
    options: RenderOptions | None = None,
) -> Episode:
    """Script -> tagged MP3 with chapters at ``out``, plus its sidecars (all written atomically).

    ``options`` says how to render; without it the keyword arguments make one.
    ``engine`` may be an engine object (any ``listen.engines.Engine``), which is
    then used as it is: the seam for tests and for embedding.
    """
    options = options or keyword_options(engine, bitrate, loudness, cache, sidecars=sidecars)
    store = cache if isinstance(cache, SegmentCache) else None
    return render_episode(
        script, out, voice, options, engine=engine, cache=store, progress=progress
    )


def keyword_options(
    engine: str | Engine | None,
    bitrate: int,
    loudness: float | None,
    cache: SegmentCache | bool | None,
    **more: Any,
) -> RenderOptions:
    """The ``RenderOptions`` that the public functions' keyword arguments describe."""
    return RenderOptions(
        engine=engine if isinstance(engine, str) else None,
        bitrate=bitrate,
        loudness=loudness,
        cache=cache is not False and cache is not None,
        **more,
    )


def render_episode(
    script: Script,
    out: Path,
    voice: VoiceProfile,
    options: RenderOptions,
    *,
    engine: str | Engine | None = None,
    cache: SegmentCache | bool | None = None,
    progress: Progress | None = None,
    source_key: str | None = None,
) -> Episode:
    """The render itself: speak -> assemble -> measure -> encode -> sidecars, then the MP3.

    ``source_key`` (``episodes.source_key`` of the page this script came from) is
    remembered with the episode, so the same page can later skip even the extraction.
    """
    # The audio stack is imported here, not at the top: ``listen script`` and ``--help``
    # use this module without it (see tests/test_startup.py).
    from mutagen import MutagenError

    from listen.audio import SAMPLE_RATE
    from listen.episodes import artwork, block_ends, episode_store, piece_store
    from listen.export import atomic_path, write_tags
    from listen.pieces import EncoderSettings, Narration
    from listen.transcript import chapters, read_episode, sidecar_paths, write_sidecars

    prepared = prepare(script, voice, options, engine)
    speaker = prepared.speaker
    store = _cache(cache, options)
    episodes = episode_store(store)
    if options.cache and options.sidecars:
        done = read_episode(out, prepared.key, script, voice.id, speaker.name)
        if done is not None:
            # the same article, voice and settings: nothing to do (but keep it, if the
            # store lost it, so the next render elsewhere is a link)
            _keep(episodes, prepared, out, done, voice, source_key)
            return _with_opus(done, options)
    folders = (Path(tempfile.gettempdir()), out.resolve().parent)
    minutes = script.spoken_chars / (SPOKEN_CHARS_PER_MINUTE / 2)  # a slow voice, to be safe
    check_disk(folders, int(minutes * 60 * (SAMPLE_RATE * 2 + options.bitrate * 125)))
    if episodes is not None and options.sidecars and episodes.restore(prepared.key, out):
        done = read_episode(out, prepared.key, script, voice.id, speaker.name)
        if done is not None:
            if source_key:
                episodes.remember_source(source_key, prepared.key)
            return _with_opus(done, options)  # rendered before: linked from the episode store
    counts = Counts()
    timings: list[Timing] = []
    settings = EncoderSettings(bitrate=options.bitrate, sample_rate=SAMPLE_RATE)
    with Narration(prepared.target_lufs, settings, piece_store(store)) as narration:
        # assemble, measure and encode at once: every sentence, with its pause, to the sample;
        # each finished piece is encoded on the other core while the next is spoken
        spoken = _spoken(prepared, voice, options, store, progress, counts, folders)
        for (segment, chunk), block_end in block_ends(spoken):
            start, end = narration.add(chunk)
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
            narration.pause(segment.pause_after_ms, block_end=block_end)
        narration.finish()
        duration_ms = narration.duration_ms
        chapter_list = chapters(script, timings, duration_ms)
        # The sidecars first and the MP3 last: a crash between them leaves an old MP3 whose
        # key no longer matches the sidecars', which the next run renders again.
        written: dict[str, Path] = {}
        if options.sidecars:
            written = write_sidecars(
                out, script, timings, chapter_list, duration_ms, render_key=prepared.key
            )
        else:
            for stale in sidecar_paths(out).values():
                with contextlib.suppress(FileNotFoundError):
                    stale.unlink()  # a sidecar from an older render would not match this audio
        _phase(progress, "encoding", 0)
        # Not on a side thread: importing Pillow while the pip-installed libespeak-ng speaks
        # in the main thread crashed the process (tests/test_cli.py, the pip-only machine).
        cover = artwork(script, store)
        try:
            with atomic_path(out) as tmp:
                narration.join(tmp)
                try:
                    write_tags(tmp, script, chapter_list, prepared.key, cover)
                except MutagenError as exc:
                    raise ExportError(f"cannot write tags to {out}: {exc}") from None
        except Exception:
            for path in written.values():  # a failed render leaves nothing of itself behind
                with contextlib.suppress(OSError):
                    path.unlink()
            raise
        _phase(progress, "encoding", 1)
    if store is not None and counts.synthesized:
        store.prune()
    episode = Episode(
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
    if written:
        _keep(episodes, prepared, out, episode, voice, source_key)
    return _with_opus(episode, options)


def _keep(
    episodes: EpisodeStore | None,
    prepared: Prepared,
    out: Path,
    episode: Episode,
    voice: VoiceProfile,
    source_key: str | None,
) -> None:
    """Keep a finished episode in the store, and which page and settings made it."""
    if episodes is None:
        return
    if not episodes.has(prepared.key):
        from listen.transcript import sidecar_paths

        speaker = prepared.speaker
        about = {
            "duration_ms": episode.duration_ms,
            "voice": voice.id,
            "engine": speaker.name,
            "engine_class": _class_path(speaker.loaded()),
            "fingerprint": speaker.fingerprint,
            "profile": speaker.profile.to_dict(),
        }
        episodes.put(prepared.key, out, sidecar_paths(out), script=episode.script, about=about)
    if source_key:
        episodes.remember_source(source_key, prepared.key)


def _class_path(engine: Engine) -> str:
    kind = type(engine)
    return f"{kind.__module__}:{kind.__qualname__}"


def _with_opus(episode: Episode, options: RenderOptions) -> Episode:
    """The episode with its Ogg Opus copy beside the MP3, when ``options`` ask for one."""
    if not options.opus or episode.path is None:
        return episode
    from listen.errors import ListenError
    from listen.opus import ensure_opus, log

    try:
        made = ensure_opus(episode.path)  # None: no encoder here (it said so in one line)
    except ListenError as exc:  # the MP3 is complete and stays the episode's audio
        log.warning("no Opus copy: %s", exc.one_line())
        return episode
    if made is None:
        return episode
    return dataclasses.replace(episode, sidecars={**episode.sidecars, "opus": made})


def render_key(
    script: Script,
    voice: VoiceProfile,
    speaker: Speaker,
    options: RenderOptions,
    loudness: float,
) -> str:
    """Everything a render depends on, hashed; stored in the MP3 and its sidecars."""
    material = json.dumps(
        [
            RENDER_FORMAT,
            script.to_dict(),
            voice.to_dict(),
            speaker.name,
            speaker.fingerprint,
            options.bitrate,
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
    engine: str | Engine | None = None,
    bitrate: int = 64,
    loudness: float | None = None,
    cache: SegmentCache | bool | None = True,
    progress: Progress | None = None,
    options: RenderOptions | None = None,
) -> Episode:
    """Script -> MP3 bytes on ``sink`` as each sentence is spoken, so a player can start at once.

    The whole narration is not known in advance, so loudness is normalised by
    ffmpeg's one-pass ``loudnorm`` instead of a measured gain.
    """
    from listen.audio import SAMPLE_RATE
    from listen.export import Mp3Stream

    options = options or keyword_options(engine, bitrate, loudness, cache)
    prepared = prepare(script, voice, options, engine)
    store = _cache(cache if isinstance(cache, SegmentCache) else None, options)
    counts = Counts()
    frames = 0
    folders = (Path(tempfile.gettempdir()),)
    with Mp3Stream(
        sink, bitrate=options.bitrate, loudness=prepared.target_lufs, script=script
    ) as encoder:
        for segment, chunk in _spoken(prepared, voice, options, store, progress, counts, folders):
            frames += encoder.add(chunk)  # type: ignore[arg-type]
            frames += encoder.pause(segment.pause_after_ms)
    if store is not None and counts.synthesized:
        store.prune()
    return Episode(
        path=None,
        script=script,
        duration_ms=frames * 1000 // SAMPLE_RATE,
        voice=voice.id,
        engine=prepared.speaker.name,
        synthesized=counts.synthesized,
        cached=counts.cached,
    )


def speak(
    source: str,
    out: Path | None = None,
    *,
    language: str | None = None,
    voice: str | None = None,
    engine: str | Engine | None = None,
    bitrate: int = 64,
    loudness: float | None = None,
    sidecars: bool = True,
    cache: SegmentCache | bool | None = True,
    progress: Progress | None = None,
    options: RenderOptions | None = None,
) -> Episode:
    """Article (file, URL or ``-``) -> MP3. The default name comes from the title's slug."""
    from listen.episodes import episode_store, find_episode
    from listen.fetch import read_raw, to_page
    from listen.transcript import read_episode

    options = options or keyword_options(
        engine, bitrate, loudness, cache, voice=voice, language=language, sidecars=sidecars
    )
    given = cache if isinstance(cache, SegmentCache) else None
    raw = read_raw(source)
    key, found = (None, None)
    if engine is None or isinstance(engine, str):  # an engine object has no fingerprint to key
        key, found = find_episode(raw, options, episode_store(_cache(given, options)))
    if found is not None:
        stored = found.stored
        data = found.store.script(stored.key)
        target = out or Path(f"{stored.slug}.mp3")
        if data is not None and found.place(target):
            done = read_episode(
                target, stored.key, Script.from_dict(data), stored.voice, stored.engine
            )
            if done is not None:
                return done  # this very page was rendered before with these settings
    script, profile = script_from_page(to_page(raw, source), options=options)
    target = out or Path(f"{script.slug}.mp3")
    return render_episode(
        script,
        target,
        profile,
        options,
        engine=engine,
        cache=given,
        progress=progress,
        source_key=key,
    )
