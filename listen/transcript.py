"""What a player needs beside the MP3: timings, a WebVTT transcript and chapters.

* ``X.timings.json``: every block and sentence with its kind, written text,
  start and end in milliseconds and its index in the script; what a player
  highlights from.
* ``X.vtt``: WebVTT, one cue per sentence in the written form; each cue
  carries its block kind as a class (``<c.caption>``), so captions are marked.
* ``X.captions.vtt``: WebVTT captions, short cues for the screen (``captions.py``).
* ``X.chapters.json``: Podcasting 2.0 JSON chapters, version 1.2.0.

Chapters are the title and lead, then one per heading; they cover the whole
duration without gaps or overlaps.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path

from listen.captions import to_captions_vtt
from listen.export import atomic_text
from listen.models import Chapter, Episode, Script, Timing

TIMINGS_VERSION = 1


def chapters(script: Script, timings: Sequence[Timing], duration_ms: int) -> list[Chapter]:
    """The title and lead as one chapter, then one chapter for each heading."""
    starts: list[tuple[int, str, int]] = []  # (block, title, start_ms)
    first_of_block: dict[int, int] = {}
    for t in timings:
        first_of_block.setdefault(t.block, t.start_ms)
    for b, block in enumerate(script.blocks):
        if b not in first_of_block:
            continue
        if not starts:
            starts.append((b, script.title, 0))
        elif block.kind == "heading":
            starts.append((b, block.text, first_of_block[b]))
    if not starts:
        return [Chapter(script.title, 0, duration_ms, 0)] if duration_ms else []
    out = []
    for i, (index, title, start) in enumerate(starts):
        end = starts[i + 1][2] if i + 1 < len(starts) else duration_ms
        out.append(Chapter(title=title, start_ms=start, end_ms=end, block=index))
    return out


def timings_document(
    script: Script, timings: Sequence[Timing], duration_ms: int, audio: str | None = None
) -> dict[str, object]:
    blocks: list[dict[str, object]] = []
    by_block: dict[int, list[Timing]] = {}
    for t in timings:
        by_block.setdefault(t.block, []).append(t)
    for b, block in enumerate(script.blocks):
        spans = by_block.get(b)
        if not spans:
            continue
        blocks.append(
            {
                "index": b,
                "kind": block.kind,
                "text": block.text,
                "start_ms": spans[0].start_ms,
                "end_ms": spans[-1].end_ms,
                "sentences": [
                    {
                        "index": t.sentence,
                        "text": t.text,
                        "start_ms": t.start_ms,
                        "end_ms": t.end_ms,
                    }
                    for t in spans
                ],
            }
        )
    return {
        "version": TIMINGS_VERSION,
        "title": script.title,
        "language": script.language,
        "url": script.url,
        "audio": audio,
        "duration_ms": duration_ms,
        "blocks": blocks,
    }


def _vtt_time(ms: int) -> str:
    hours, rest = divmod(ms, 3_600_000)
    minutes, rest = divmod(rest, 60_000)
    seconds, millis = divmod(rest, 1000)
    return f"{hours:02d}:{minutes:02d}:{seconds:02d}.{millis:03d}"


def _vtt_escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def to_vtt(script: Script, timings: Sequence[Timing]) -> str:
    lines = ["WEBVTT", "", f"NOTE {_vtt_escape(script.title)} ({script.language})", ""]
    for t in timings:
        cls = t.kind.replace("_", "-")
        lines += [
            f"b{t.block}-s{t.sentence}",
            f"{_vtt_time(t.start_ms)} --> {_vtt_time(t.end_ms)}",
            f"<c.{cls}>{_vtt_escape(t.text)}</c>",
            "",
        ]
    return "\n".join(lines)


def to_chapters_json(script: Script, chapter_list: Sequence[Chapter]) -> str:
    document = {
        "version": "1.2.0",
        "title": script.title,
        "chapters": [
            {"startTime": c.start_ms / 1000, "endTime": c.end_ms / 1000, "title": c.title}
            for c in chapter_list
        ],
    }
    return json.dumps(document, ensure_ascii=False, indent=2) + "\n"


def sidecar_paths(mp3: Path) -> dict[str, Path]:
    stem = mp3.with_suffix("")
    return {
        "timings": stem.with_name(stem.name + ".timings.json"),
        "vtt": stem.with_name(stem.name + ".vtt"),
        "captions": stem.with_name(stem.name + ".captions.vtt"),
        "chapters": stem.with_name(stem.name + ".chapters.json"),
    }


def write_sidecars(
    mp3: Path,
    script: Script,
    timings: Sequence[Timing],
    chapter_list: Sequence[Chapter],
    duration_ms: int,
) -> dict[str, Path]:
    """Write the four files next to ``mp3``, each atomically."""
    paths = sidecar_paths(mp3)
    document = timings_document(script, timings, duration_ms, audio=mp3.name)
    with atomic_text(paths["timings"]) as fh:
        fh.write(json.dumps(document, ensure_ascii=False, indent=1) + "\n")
    with atomic_text(paths["vtt"]) as fh:
        fh.write(to_vtt(script, timings))
    with atomic_text(paths["captions"]) as fh:
        fh.write(to_captions_vtt(script, timings))
    with atomic_text(paths["chapters"]) as fh:
        fh.write(to_chapters_json(script, chapter_list))
    return paths


def read_episode(mp3: Path, key: str, script: Script, voice: str, engine: str) -> Episode | None:
    """The ``Episode`` of a finished render, from its MP3 and sidecars, if ``key`` made it."""
    from listen.export import read_render_key

    paths = sidecar_paths(mp3)
    if read_render_key(mp3) != key or not all(p.exists() for p in paths.values()):
        return None
    try:
        document = json.loads(paths["timings"].read_text(encoding="utf-8"))
        chapter_doc = json.loads(paths["chapters"].read_text(encoding="utf-8"))
        timings = tuple(
            Timing(b["index"], s["index"], b["kind"], s["text"], s["start_ms"], s["end_ms"], 1000)
            for b in document["blocks"]
            for s in b["sentences"]
        )
        chapter_list = tuple(
            Chapter(c["title"], round(c["startTime"] * 1000), round(c["endTime"] * 1000), -1)
            for c in chapter_doc["chapters"]
        )
        duration_ms = int(document["duration_ms"])
    except (OSError, ValueError, KeyError, TypeError):
        return None  # damaged sidecars: render again
    return Episode(
        path=mp3,
        script=script,
        duration_ms=duration_ms,
        voice=voice,
        engine=engine,
        timings=timings,
        chapters=chapter_list,
        sidecars=paths,
        cached=len(timings),
    )
