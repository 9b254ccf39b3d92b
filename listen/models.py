"""The typed values passed from one pipeline stage to the next.

fetch -> ``Page``; extract -> ``Article``; script -> ``Script`` (blocks with
sentences); synthesize -> ``AudioChunk``; export -> ``Episode``.
All are frozen: a stage makes new values, it never edits the ones it got.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal, get_args

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

    def to_dict(self) -> dict[str, str]:
        return {"kind": self.kind, "text": self.text, "spoken": self.spoken}


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
        return {
            "title": self.title,
            "language": self.language,
            "byline": self.byline,
            "published": self.published,
            "site": self.site,
            "url": self.url,
            "blocks": [b.to_dict() for b in self.blocks],
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Script:
        blocks = tuple(
            Block(kind=b["kind"], text=b["text"], spoken=b.get("spoken", b["text"]))
            for b in data["blocks"]
        )
        return cls(
            title=data["title"],
            language=data["language"],
            blocks=blocks,
            byline=data.get("byline"),
            published=data.get("published"),
            site=data.get("site"),
            url=data.get("url"),
        )

    @property
    def slug(self) -> str:
        from listen.text import slugify

        return slugify(self.title) or "article"


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
    synthesized: int = 0  # segments the engine spoke; the rest came from the cache
    cached: int = 0


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
