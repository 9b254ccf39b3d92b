"""The episode store: the same render to a new path is linked, with its sidecars, and bounded."""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from pathlib import Path

from listen.cache import SegmentCache
from listen.episodes import EpisodeStore
from listen.export import read_render_key
from listen.pipeline import render, script_from_source
from tests.conftest import decode_mp3


def test_a_render_to_a_new_path_is_linked(sample: Callable[[str], Path], tmp_path: Path) -> None:
    script, profile = script_from_source(str(sample("almayadeen-en-cia-drones")))
    cache = SegmentCache(tmp_path / "cache" / "segments")
    first = render(script, tmp_path / "a" / "first.mp3", voice=profile, cache=cache)
    assert first.synthesized > 0
    again = render(script, tmp_path / "b" / "second.mp3", voice=profile, cache=cache)
    assert again.synthesized == 0
    assert [t.text for t in again.timings] == [t.text for t in first.timings]
    assert [c.start_ms for c in again.chapters] == [c.start_ms for c in first.chapters]
    a, b = tmp_path / "a" / "first.mp3", tmp_path / "b" / "second.mp3"
    assert a.read_bytes() == b.read_bytes()
    assert read_render_key(b) == read_render_key(a)
    document = json.loads((tmp_path / "b" / "second.timings.json").read_text(encoding="utf-8"))
    assert document["audio"] == "second.mp3"  # the sidecar names its own MP3
    for name in ("second.vtt", "second.chapters.json"):
        assert (tmp_path / "b" / name).is_file()
    assert abs(decode_mp3(b).duration_s * 1000 - again.duration_ms) <= 30


def test_a_changed_entry_is_dropped_not_served(tmp_path: Path) -> None:
    mp3, sidecars = tmp_path / "x.mp3", {}
    mp3.write_bytes(b"not an mp3 with a key")
    for kind in ("timings", "vtt", "chapters"):
        sidecars[kind] = tmp_path / f"x.{kind}"
        sidecars[kind].write_text("{}", encoding="utf-8")
    store = EpisodeStore(tmp_path / "episodes")
    store.put("k" * 64, mp3, sidecars)
    assert store.has("k" * 64)
    assert not store.restore("k" * 64, tmp_path / "out.mp3")  # its MP3 carries no such key
    assert not store.has("k" * 64)
    assert not (tmp_path / "out.mp3").exists()


def test_the_store_is_bounded(tmp_path: Path) -> None:
    store = EpisodeStore(tmp_path / "episodes", max_bytes=2500)
    for i in range(4):
        files = {}
        for kind in ("mp3", "timings", "vtt", "chapters"):
            files[kind] = tmp_path / f"{i}.{kind}"
            files[kind].write_bytes(b"x" * 250)
        store.put(f"{i:064d}", files.pop("mp3"), files)
        os.utime(store.dir / f"{i:064d}", (i, i))  # older entries first
    store.prune()
    assert sorted(p.name for p in store.entries()) == [f"{i:064d}" for i in (2, 3)]
    assert store.size() <= 2500
