"""source -> Episode: the stages called in order.

    fetch -> extract -> script -> voice -> synthesize -> assemble -> export

Each stage is a plain function in its own module; this one only wires them
together, so the Python API and the CLI share exactly one path.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

from listen.audio import assemble
from listen.engines import Engine, ready_engine
from listen.export import write_mp3
from listen.extract import extract
from listen.fetch import read_source
from listen.language import require_code
from listen.models import AudioChunk, Episode, Page, Script
from listen.script import Segment, build_script, segments
from listen.voices import VoiceProfile, choose_profile

Progress = Callable[[int, int], None]


def script_from_html(
    html: str,
    url: str | None = None,
    *,
    language: str | None = None,
    voice: str | None = None,
) -> Script:
    """The narration script of an article page (``Script.to_dict()`` gives its JSON)."""
    script, _ = _script(Page(html=html, url=url, source=url or "<html>"), language, voice)
    return script


def script_from_source(
    source: str, *, language: str | None = None, voice: str | None = None
) -> tuple[Script, VoiceProfile]:
    """Read a file, URL or ``-`` and make its script, with the voice profile chosen for it."""
    return _script(read_source(source), language, voice)


def _script(page: Page, language: str | None, voice_id: str | None) -> tuple[Script, VoiceProfile]:
    article = extract(page, language=require_code(language) if language else None)
    profile = choose_profile(article.language, voice_id)
    return build_script(article, profile), profile


def synthesize(
    script: Script, voice: VoiceProfile, engine: Engine, progress: Progress | None = None
) -> Iterator[tuple[Segment, list[AudioChunk]]]:
    """Speak the script one sentence at a time."""
    todo = list(segments(script, voice))
    for i, segment in enumerate(todo):
        chunks = list(engine.synthesize(segment.spoken, voice))
        if progress:
            progress(i + 1, len(todo))
        yield segment, chunks


def render(
    script: Script,
    out: Path,
    *,
    voice: VoiceProfile,
    engine: str | None = None,
    bitrate: int = 64,
    progress: Progress | None = None,
) -> Episode:
    """Script -> tagged MP3 at ``out`` (written atomically)."""
    speaker = ready_engine(voice, engine)
    if getattr(speaker, "phoneme_markup", None) and voice.lexicons:
        # Engines that read phonemes get them in place of the lexicon's aliases.
        phonemes = speaker.phoneme_markup  # type: ignore[attr-defined]
        script = _respoken(script, voice, phonemes)
    pieces = (
        (chunks, segment.pause_after_ms)
        for segment, chunks in synthesize(script, voice, speaker, progress)
    )
    audio = assemble(pieces)
    write_mp3(audio, out, script, bitrate=bitrate)
    return Episode(
        path=out, script=script, duration_ms=len(audio), voice=voice.id, engine=speaker.name
    )


def _respoken(script: Script, voice: VoiceProfile, phonemes: Callable[..., str | None]) -> Script:
    from listen.models import Article

    article = Article(
        title=script.title,
        language=script.language,
        blocks=script.blocks,
        byline=script.byline,
        author=script.author,
        published=script.published,
        site=script.site,
        url=script.url,
    )
    return build_script(article, voice, phonemes=phonemes)


def speak(
    source: str,
    out: Path | None = None,
    *,
    language: str | None = None,
    voice: str | None = None,
    engine: str | None = None,
    bitrate: int = 64,
    progress: Progress | None = None,
) -> Episode:
    """Article (file, URL or ``-``) -> MP3. The default name comes from the title's slug."""
    script, profile = script_from_source(source, language=language, voice=voice)
    target = out or Path(f"{script.slug}.mp3")
    return render(script, target, voice=profile, engine=engine, bitrate=bitrate, progress=progress)
