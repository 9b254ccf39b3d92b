"""Feed items of the library's ready entries: the one place both feeds gather them.

``listen feed build`` links to the files by name under its base URL; the
service links to its own routes. Either way the item is built here, dated by
its first render when the article has no date.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from pathlib import Path

from listen.publish.feed import FeedItem, guid_for
from listen.publish.library import Entry
from listen.publish.playlist import entry_files, file_url

# An entry's files as URLs: {"audio": ..., "vtt": ..., "chapters": ..., "opus": ...,
# "opus_bytes": ...}; None if it has no MP3.
Links = Callable[[Entry], dict[str, str] | None]


def feed_items(entries: Sequence[Entry], links: Links) -> tuple[list[FeedItem], list[Entry]]:
    """Feed items of ready entries, and the entries left out because their MP3 is gone."""
    items: list[FeedItem] = []
    missing: list[Entry] = []
    for entry in entries:
        urls = links(entry) if entry.state == "ready" else None
        if not urls or "audio" not in urls:
            missing.append(entry)
            continue
        first = entry.first_rendered_at or entry.rendered_at or entry.added_at
        items.append(
            FeedItem(
                guid=guid_for(entry.url or entry.source),
                title=entry.title,
                url=entry.url,
                published=entry.published
                or datetime.fromtimestamp(first, UTC).isoformat(timespec="seconds"),
                summary=entry.summary,
                language=entry.language or "und",
                audio_url=urls["audio"],
                audio_bytes=int(urls.get("audio_bytes") or entry.audio_bytes or 0),
                duration_ms=entry.duration_ms or 0,
                transcript_url=urls.get("vtt"),
                chapters_url=urls.get("chapters"),
                captions_url=urls.get("captions"),
                opus_url=urls.get("opus"),
                opus_bytes=int(urls.get("opus_bytes") or 0),
            )
        )
    return items, missing


def opus_links(mp3: Path, url: Callable[[Path], str]) -> dict[str, str]:
    """The Opus copy beside ``mp3`` as {"opus": url, "opus_bytes": size}, if it is there."""
    from listen.opus import opus_path

    opus = opus_path(mp3)
    try:
        size = opus.stat().st_size
    except OSError:
        return {}
    return {"opus": url(opus), "opus_bytes": str(size)} if size else {}


def file_links(base_url: str, media_dir: Path | None = None) -> Links:
    """Links to the files themselves, as ``base_url`` + file name (``listen feed build``)."""

    def links(entry: Entry) -> dict[str, str] | None:
        files = entry_files(entry, media_dir)
        if "audio" not in files:
            return None
        found = {kind: file_url(path, base_url=base_url) for kind, path in files.items()}
        found["audio_bytes"] = str(files["audio"].stat().st_size)  # the real size, now
        found.update(opus_links(files["audio"], lambda path: file_url(path, base_url=base_url)))
        return found

    return links
