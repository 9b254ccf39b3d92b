"""The typed values passed from one pipeline stage to the next.

fetch -> ``Page``; extract -> ``Article``; script -> ``Script`` (blocks with
sentences) -> ``Segment``s; synthesize -> ``AudioChunk``; export -> ``Episode``.
``RenderOptions`` is how a render is made (one value from the CLI or the
service down to export) and ``Event`` is what a render or a worker reports.
All are frozen: a stage makes new values, it never edits the ones it got.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal, get_args

DEFAULT_MAX_MINUTES = 180.0  # the longest narration one render may make (3 hours)

BlockKind = Literal[
    "title", "byline", "summary", "heading", "paragraph", "caption", "quote", "list_item"
]
BLOCK_KINDS: tuple[str, ...] = get_args(BlockKind)


@dataclass(frozen=True)
class Page:
    """Raw HTML as fetched, with where it came from."""

    html: str
    url: str | None = None
    source: str = "-"  # what the user typed: a path, a URL or "-"


@dataclass(frozen=True)
class Block:
    """One unit of the article in reading order.

    ``text`` is the written form exactly as published; ``spoken`` is what the
    engine reads (normalised, with the profile's caption or quote label).
    """

    kind: BlockKind
    text: str
    spoken: str = ""
    sentences: tuple[Sentence, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "text": self.text,
            "spoken": self.spoken,
            "sentences": [{"text": s.text, "spoken": s.spoken} for s in self.sentences],
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Block:
        kind = data["kind"]
        if kind not in BLOCK_KINDS:
            raise ValueError(f"unknown block kind {kind!r}")
        return cls(
            kind=kind,
            text=data["text"],
            spoken=data.get("spoken", data["text"]),
            sentences=tuple(
                Sentence(text=s["text"], spoken=s.get("spoken", s["text"]))
                for s in data.get("sentences", ())
            ),
        )


@dataclass(frozen=True)
class Sentence:
    """One sentence of a block: the unit the engine synthesises."""

    text: str
    spoken: str


@dataclass(frozen=True)
class Article:
    """What extraction found on a page. Blocks have no spoken form yet."""

    title: str
    language: str
    blocks: tuple[Block, ...]
    byline: str | None = None
    author: str | None = None
    published: str | None = None  # ISO date, YYYY-MM-DD
    site: str | None = None
    url: str | None = None


@dataclass(frozen=True)
class Script:
    """The narration script: the article's metadata and its spoken blocks."""

    title: str
    language: str
    blocks: tuple[Block, ...]
    byline: str | None = None
    author: str | None = None
    published: str | None = None
    site: str | None = None
    url: str | None = None
    voice: str | None = None  # id of the voice profile the spoken forms were made for

    def to_dict(self) -> dict[str, Any]:
        """The script's JSON, lossless: ``Script.from_dict(s.to_dict()) == s``."""
        return {
            "title": self.title,
            "language": self.language,
            "byline": self.byline,
            "author": self.author,
            "published": self.published,
            "site": self.site,
            "url": self.url,
            "voice": self.voice,
            "blocks": [b.to_dict() for b in self.blocks],
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Script:
        return cls(
            title=data["title"],
            language=data["language"],
            blocks=tuple(Block.from_dict(b) for b in data["blocks"]),
            byline=data.get("byline"),
            author=data.get("author"),
            published=data.get("published"),
            site=data.get("site"),
            url=data.get("url"),
            voice=data.get("voice"),
        )

    @property
    def spoken_chars(self) -> int:
        """How much there is to say: what a render's limit is checked against up front."""
        return sum(len(s.spoken) for b in self.blocks for s in b.sentences) or sum(
            len(b.spoken) for b in self.blocks
        )

    @property
    def slug(self) -> str:
        from listen.text import slugify

        return slugify(self.title) or "article"


@dataclass(frozen=True)
class Segment:
    """One sentence to synthesise, with the silence that follows it."""

    block: int
    sentence: int
    kind: BlockKind
    text: str
    spoken: str
    pause_after_ms: int


@dataclass(frozen=True)
class AudioChunk:
    """Mono or multi-channel signed PCM with its own format, as an engine made it."""

    pcm: bytes
    sample_rate: int
    sample_width: int = 2
    channels: int = 1

    @property
    def frames(self) -> int:
        return len(self.pcm) // (self.sample_width * self.channels)

    @property
    def duration_ms(self) -> float:
        return 1000.0 * self.frames / self.sample_rate


@dataclass(frozen=True)
class EngineVoice:
    """A voice an engine offers, as the engine names it."""

    id: str
    name: str
    languages: tuple[str, ...] = ()


@dataclass(frozen=True)
class Episode:
    """A finished render: the MP3 on disk and what it was made from."""

    path: Path | None  # None when the MP3 went to a stream
    script: Script
    duration_ms: int
    voice: str
    engine: str
    timings: tuple[Timing, ...] = ()
    chapters: tuple[Chapter, ...] = ()
    sidecars: dict[str, Path] = field(default_factory=dict)
    # How this render went, not what it made: a cached Episode equals a fresh one.
    synthesized: int = field(default=0, compare=False)  # segments the engine spoke
    cached: int = field(default=0, compare=False)  # segments the cache supplied


@dataclass(frozen=True)
class Timing:
    """Where one sentence sits in the finished audio, to the sample."""

    block: int  # index of the block in the script
    sentence: int  # index of the sentence in its block
    kind: BlockKind
    text: str  # the written form, which transcripts show
    start_frame: int
    end_frame: int
    sample_rate: int

    @property
    def start_ms(self) -> int:
        return self.start_frame * 1000 // self.sample_rate

    @property
    def end_ms(self) -> int:
        return self.end_frame * 1000 // self.sample_rate


@dataclass(frozen=True)
class Chapter:
    """A stretch of the audio a listener can jump to: the title and lead, then each heading."""

    title: str
    start_ms: int
    end_ms: int
    block: int  # the block it starts at


@dataclass(frozen=True)
class RenderOptions:
    """How to render: one value passed whole from the CLI or the service down to export.

    ``voice`` names a profile for every article; ``voices`` one per language
    (``(("en", "en-piper"), ...)``), used when ``voice`` is not set.
    """

    voice: str | None = None
    voices: tuple[tuple[str, str], ...] = ()
    language: str | None = None  # the articles' language, when the pages are wrong
    engine: str | None = None  # an engine name (or module:Class) over the profile's own
    bitrate: int = 64
    loudness: float | None = None  # LUFS; None: the voice profile's
    sidecars: bool = True
    cache: bool = True
    cache_mb: int | None = None  # the sentence cache's bound; None: $LISTEN_CACHE_MB or 512
    max_minutes: float = DEFAULT_MAX_MINUTES  # refuse narrations longer than this
    opus: bool = False  # also an Ogg Opus copy beside the MP3 (listen.opus; needs libopus)

    def __post_init__(self) -> None:
        if not 8 <= self.bitrate <= 320:
            raise ValueError(f"bitrate {self.bitrate} is outside 8-320 kbps")
        if self.max_minutes <= 0:
            raise ValueError("max_minutes must be positive")

    def voice_for(self, language: str | None) -> str | None:
        """The voice profile id for an article in ``language`` (None: the language's default)."""
        if self.voice or not language:
            return self.voice
        base = language.split("-")[0].lower()
        return dict(self.voices).get(language) or dict(self.voices).get(base)


Phase = Literal["speaking", "measuring", "encoding"]
EventKind = Literal["progress", "start", "ready", "failed", "lost", "error"]


@dataclass(frozen=True)
class Event:
    """What a render or a worker reports, through one callback shape: ``Progress``.

    * ``progress``: a render's ``phase`` is ``done`` of ``total`` along;
    * ``start``: a worker took job ``job``;
    * ``ready``: it finished (``path``, ``duration_ms``);
    * ``failed`` / ``lost``: it failed, or its claim was taken over (``detail`` says why);
    * ``error``: the worker itself cannot go on (``detail``).
    """

    kind: EventKind
    job: str = ""  # the queue entry's id, or the source path
    title: str = ""
    phase: Phase | None = None
    done: int = 0
    total: int = 0
    detail: str = ""
    duration_ms: int = 0
    path: Path | None = None
    synthesized: int = 0
    cached: int = 0


Progress = Callable[[Event], None]
