"""The library as files a player opens: an extended M3U playlist and the JSON queue document.

File locations are URLs relative to the written file's folder, so the
playlist, the document and the media folder can be moved or served together;
with a base URL they are absolute (``base-url`` + the file name).
"""

from __future__ import annotations

import json
import os
import urllib.parse
from collections.abc import Sequence
from pathlib import Path

from listen.export import atomic_text
from listen.publish.library import Entry
from listen.transcript import sidecar_paths


def file_url(path: Path, *, relative_to: Path | None = None, base_url: str | None = None) -> str:
    """A file's URL: ``base_url`` + its name, or its path relative to a folder (URL-escaped)."""
    if base_url is not None:
        return base_url.rstrip("/") + "/" + urllib.parse.quote(path.name)
    if relative_to is None:
        return path.resolve().as_uri()
    relative = Path(os.path.relpath(path.resolve(), relative_to.resolve()))
    return urllib.parse.quote(relative.as_posix())


def entry_files(entry: Entry, media_dir: Path | None = None) -> dict[str, Path]:
    """The MP3 and its sidecars that exist; ``media_dir`` overrides where the render put them."""
    if not entry.audio:
        return {}
    folder = media_dir or (Path(entry.media_dir) if entry.media_dir else None)
    if folder is None:
        return {}
    mp3 = folder / entry.audio
    files = {"audio": mp3, **sidecar_paths(mp3)}
    return {kind: path for kind, path in files.items() if path.is_file()}


def entry_document(
    entry: Entry,
    *,
    relative_to: Path | None = None,
    base_url: str | None = None,
    media_dir: Path | None = None,
) -> dict[str, object] | None:
    """``player_entry`` of a ready entry, URLs made by ``file_url``; None if its MP3 is gone."""
    files = entry_files(entry, media_dir)
    if "audio" not in files:
        return None

    def url(kind: str) -> str | None:
        path = files.get(kind)
        return file_url(path, relative_to=relative_to, base_url=base_url) if path else None

    return player_entry(
        id=str(entry.id),
        title=entry.title,
        language=entry.language or "und",
        duration_ms=entry.duration_ms or 0,
        url=entry.url,
        audio=url("audio") or "",
        timings=url("timings"),
        transcript=url("vtt"),
        chapters=url("chapters"),
        position_s=entry.position_s,
        done=entry.done,
    )


def write_queue_json(path: Path, entries: Sequence[dict[str, object]]) -> None:
    with atomic_text(path) as fh:
        fh.write(json.dumps(queue_document(entries), ensure_ascii=False, indent=2) + "\n")


def m3u8_text(items: Sequence[tuple[int, str, str]]) -> str:
    """Extended M3U from (duration in seconds, title, path) triples."""
    lines = ["#EXTM3U"]
    for seconds, title, location in items:
        lines.append(f"#EXTINF:{seconds},{' '.join(title.split())}")
        lines.append(location)
    return "\n".join(lines) + "\n"


def write_m3u8(path: Path, entries: Sequence[Entry], media_dir: Path | None = None) -> int:
    """An extended M3U playlist of ready entries, paths relative to its folder; how many."""
    items = []
    for entry in entries:
        mp3 = entry_files(entry, media_dir).get("audio")
        if mp3 is None:
            continue
        relative = os.path.relpath(mp3.resolve(), path.resolve().parent)
        seconds = ((entry.duration_ms or 0) + 500) // 1000
        items.append((seconds, entry.title, Path(relative).as_posix()))
    with atomic_text(path) as fh:
        fh.write(m3u8_text(items))
    return len(items)


def player_entry(
    *,
    id: str,
    title: str,
    language: str,
    duration_ms: int,
    url: str | None,
    audio: str,
    timings: str | None,
    transcript: str | None,
    chapters: str | None,
    position_s: float = 0.0,
    done: bool = False,
) -> dict[str, object]:
    """One entry of the queue document, in the order and types the web player expects."""
    return {
        "id": str(id),
        "title": title,
        "language": language,
        "duration_ms": int(duration_ms),
        "url": url,
        "audio": audio,
        "timings": timings,
        "transcript": transcript,
        "chapters": chapters,
        "position_s": float(position_s),
        "done": bool(done),
    }


def queue_document(entries: Sequence[dict[str, object]]) -> dict[str, object]:
    """``{"version": 1, "entries": [...]}``: what a web player loads."""
    return {"version": 1, "entries": list(entries)}
