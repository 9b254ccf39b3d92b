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

Each file names the render that made it (its render key, also in the MP3's
tags), so a set whose files come from different renders (a crash between two
renames) is never taken as finished.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from listen.captions import to_captions_vtt
from listen.export import atomic_text
from listen.models import Chapter, Episode, Script, Timing

TIMINGS_VERSION = 1
_VTT_KEY = "render "  # a second line of the NOTE block


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
    script: Script,
    timings: Sequence[Timing],
    duration_ms: int,
    audio: str | None = None,
    *,
    chapter_list: Sequence[Chapter] = (),
    render_key: str | None = None,
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
                        "start_frame": t.start_frame,
                        "end_frame": t.end_frame,
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
        "sample_rate": timings[0].sample_rate if timings else None,
        "render_key": render_key,
        "chapters": [
            {"title": c.title, "start_ms": c.start_ms, "end_ms": c.end_ms, "block": c.block}
            for c in chapter_list
        ],
        "blocks": blocks,
    }


def _vtt_time(ms: int) -> str:
    hours, rest = divmod(ms, 3_600_000)
    minutes, rest = divmod(rest, 60_000)
    seconds, millis = divmod(rest, 1000)
    return f"{hours:02d}:{minutes:02d}:{seconds:02d}.{millis:03d}"


def _vtt_escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def to_vtt(script: Script, timings: Sequence[Timing], render_key: str | None = None) -> str:
    lines = ["WEBVTT", "", f"NOTE {_vtt_escape(script.title)} ({script.language})", ""]
    if render_key:
        lines.insert(3, _VTT_KEY + render_key)
    for t in timings:
        cls = t.kind.replace("_", "-")
        lines += [
            f"b{t.block}-s{t.sentence}",
            f"{_vtt_time(t.start_ms)} --> {_vtt_time(t.end_ms)}",
            f"<c.{cls}>{_vtt_escape(t.text)}</c>",
            "",
        ]
    return "\n".join(lines)


def to_chapters_json(
    script: Script, chapter_list: Sequence[Chapter], render_key: str | None = None
) -> str:
    document: dict[str, object] = {
        "version": "1.2.0",
        "title": script.title,
        "chapters": [
            {"startTime": c.start_ms / 1000, "endTime": c.end_ms / 1000, "title": c.title}
            for c in chapter_list
        ],
    }
    if render_key:
        document["renderKey"] = render_key  # apps ignore unknown fields
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
    *,
    render_key: str | None = None,
) -> dict[str, Path]:
    """Write the four files next to ``mp3``, each atomically, each naming ``render_key``."""
    paths = sidecar_paths(mp3)
    document = timings_document(
        script,
        timings,
        duration_ms,
        audio=mp3.name,
        chapter_list=chapter_list,
        render_key=render_key,
    )
    with atomic_text(paths["timings"]) as fh:
        fh.write(json.dumps(document, ensure_ascii=False, indent=1) + "\n")
    with atomic_text(paths["vtt"]) as fh:
        fh.write(to_vtt(script, timings, render_key))
    with atomic_text(paths["captions"]) as fh:
        fh.write(to_captions_vtt(script, timings))
    with atomic_text(paths["chapters"]) as fh:
        fh.write(to_chapters_json(script, chapter_list, render_key))
    return paths


def read_episode(mp3: Path, key: str, script: Script, voice: str, engine: str) -> Episode | None:
    """The ``Episode`` of a finished render, from its MP3 and sidecars, if ``key`` made them all.

    It equals the Episode the render returned (timings to the frame, chapters
    with their blocks).
    """
    from listen.export import read_render_key

    paths = sidecar_paths(mp3)
    if read_render_key(mp3) != key or not all(p.exists() for p in paths.values()):
        return None
    try:
        document = json.loads(paths["timings"].read_text(encoding="utf-8"))
        chapter_doc = json.loads(paths["chapters"].read_text(encoding="utf-8"))
        vtt = paths["vtt"].read_text(encoding="utf-8")
        if (
            document.get("render_key") != key
            or chapter_doc.get("renderKey") != key
            or f"\n{_VTT_KEY}{key}\n" not in vtt
        ):
            return None  # the sidecars belong to another render
        rate = int(document["sample_rate"] or 1000)
        timings = tuple(
            Timing(
                b["index"],
                s["index"],
                b["kind"],
                s["text"],
                s["start_frame"],
                s["end_frame"],
                rate,
            )
            for b in document["blocks"]
            for s in b["sentences"]
        )
        chapter_list = tuple(
            Chapter(c["title"], c["start_ms"], c["end_ms"], c["block"])
            for c in document["chapters"]
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


def to_sync_vtt(timings_document: dict[str, Any]) -> str:
    """The timings as a WebVTT ``kind="metadata"`` track in the SyncMediaLite shape: one cue per
    sentence whose payload is JSON with a selector for the text it voices.

    The selector is a Web Annotation ``TextQuoteSelector`` (the sentence's written text), since
    the publisher's page has no ids to point at; a reader finds the text as the player does.
    """
    lines = ["WEBVTT", "", f"NOTE sync {_vtt_escape(str(timings_document.get('title', '')))}", ""]
    cues = [
        (block, sentence)
        for block in timings_document.get("blocks", [])
        for sentence in block.get("sentences", [])
    ]
    for block, sentence in sorted(cues, key=lambda c: c[1]["start_ms"]):
        payload = {
            "selector": {"type": "TextQuoteSelector", "exact": sentence["text"]},
            "kind": block.get("kind", "paragraph"),
            "block": block.get("index", 0),
            "sentence": sentence.get("index", 0),
        }
        text = json.dumps(payload, ensure_ascii=False).replace("-->", "--\\u003e")
        lines += [
            f"b{payload['block']}-s{payload['sentence']}",
            f"{_vtt_time(sentence['start_ms'])} --> {_vtt_time(sentence['end_ms'])}",
            text,
            "",
        ]
    return "\n".join(lines)
