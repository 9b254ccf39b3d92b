"""The episode store: the same render to a new path is linked, with its sidecars, and bounded."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from listen.cache import SegmentCache
from listen.cli import cli
from listen.episodes import EpisodeStore, Found, find_episode
from listen.export import read_render_key
from listen.fetch import read_raw
from listen.models import RenderOptions
from listen.pipeline import render, script_from_source
from listen.pipeline import speak as listen_speak
from listen.transcript import sidecar_paths
from tests.conftest import ROOT, decode_mp3, rms


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
    mp3.write_bytes(b"an mp3 of a render")
    for kind in ("timings", "vtt", "captions", "chapters"):
        sidecars[kind] = tmp_path / f"x.{kind}"
        sidecars[kind].write_text("{}", encoding="utf-8")
    store = EpisodeStore(tmp_path / "episodes")
    store.put("k" * 64, mp3, sidecars)
    assert store.has("k" * 64)
    mp3.write_bytes(b"an mp3 changed in place")  # through the hard link the store shares
    assert not store.restore("k" * 64, tmp_path / "out.mp3")
    assert not store.has("k" * 64)
    assert not (tmp_path / "out.mp3").exists()


def test_the_store_is_bounded(tmp_path: Path) -> None:
    store = EpisodeStore(tmp_path / "episodes")
    for i in range(4):
        files = {}
        for kind in ("mp3", "timings", "vtt", "captions", "chapters"):
            files[kind] = tmp_path / f"{i}.{kind}"
            files[kind].write_bytes(b"x" * 200)
        store.put(f"{i:064d}", files.pop("mp3"), files)
        os.utime(store.dir / f"{i:064d}", (i, i))  # older entries first
    store.max_bytes = store.size() * 5 // 8  # room for two and a half entries
    store.prune()
    assert sorted(p.name for p in store.entries()) == [f"{i:064d}" for i in (2, 3)]
    assert store.size() <= store.max_bytes


# -- the source shortcut: the same page and settings skip extraction ---------------------------

PAGE = """<!doctype html><html lang="en"><head><title>Harbour cranes return</title></head>
<body><article><h1>Harbour cranes return</h1>
<p>The old harbour cranes were lifted back onto their rails on Tuesday morning.</p>
<p>Engineers said the work took three years and cost less than planned.</p>
</article></body></html>
"""

PROBE = """
import json, sys
from listen.cli import main
try:
    main()
except SystemExit:
    pass
print(json.dumps(sorted({name.split(".")[0] for name in sys.modules})), file=sys.stderr)
"""


@pytest.fixture
def page(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A short article, a cache of its own, and a copy of the voice profiles to change."""
    monkeypatch.setenv("LISTEN_CACHE_DIR", str(tmp_path / "cache"))
    voices = tmp_path / "voices"
    shutil.copytree(ROOT / "voices", voices)
    monkeypatch.setenv("LISTEN_VOICES", str(voices))
    path = tmp_path / "page.html"
    path.write_text(PAGE, encoding="utf-8")
    return path


def speak(*args: str) -> str:
    result = CliRunner().invoke(cli, ["speak", *args], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result.stderr


def found(source: Path, **options: Any) -> Found | None:
    return find_episode(read_raw(str(source)), RenderOptions(**options))[1]


def test_the_same_page_to_a_new_path_skips_extraction_and_the_audio_stack(
    page: Path, tmp_path: Path
) -> None:
    first = tmp_path / "first.mp3"
    speak(str(page), "-o", str(first))
    assert found(page) is not None
    moved = tmp_path / "moved" / "second.mp3"
    moved.parent.mkdir()
    done = subprocess.run(
        [sys.executable, "-c", PROBE, "speak", str(page), "-o", str(moved)],
        capture_output=True,
        text=True,
        check=True,
        env=os.environ,
    )
    lines = done.stderr.strip().splitlines()
    assert lines[0].startswith(f"{moved} (") and "voice en" in lines[0]
    modules = set(json.loads(lines[-1]))
    assert not modules & {"click", "trafilatura", "lxml", "numpy", "lameenc", "mutagen", "pyttsx3"}
    assert moved.read_bytes() == first.read_bytes()
    for suffix in (".vtt", ".captions.vtt", ".chapters.json"):
        assert (moved.parent / f"second{suffix}").read_bytes() == (
            tmp_path / f"first{suffix}"
        ).read_bytes()
    timings = json.loads((moved.parent / "second.timings.json").read_text(encoding="utf-8"))
    assert timings["audio"] == "second.mp3"
    decoded = decode_mp3(moved)
    assert abs(decoded.duration_s * 1000 - timings["duration_ms"]) <= 60
    assert rms(decoded.pcm) > 100  # speech, not silence


def test_the_default_name_comes_from_the_stored_slug(page: Path, tmp_path: Path) -> None:
    speak(str(page), "-o", str(tmp_path / "a.mp3"), "-q")
    here = tmp_path / "here"
    here.mkdir()
    speak(str(page), "-o", f"{here}/", "-q")
    assert (here / "harbour-cranes-return.mp3").read_bytes() == (tmp_path / "a.mp3").read_bytes()


def test_any_change_to_page_options_voice_or_lexicon_misses(page: Path, tmp_path: Path) -> None:
    speak(str(page), "-o", str(tmp_path / "a.mp3"), "-q")
    assert found(page) is not None
    assert found(page, bitrate=48) is None
    assert found(page, loudness=-16.0) is None
    assert found(page, voice="en-piper") is None
    assert found(page, max_minutes=10) is None
    assert found(page, language="es") is None
    assert found(page, engine="espeak") is None
    edited = tmp_path / "edited.html"
    edited.write_text(PAGE.replace("three years", "four years"), encoding="utf-8")
    assert found(edited) is None
    voices = tmp_path / "voices"
    for changed in (voices / "en.toml", voices / "lexicons" / "almayadeen.toml"):
        original = changed.read_bytes()
        changed.write_bytes(original + b"\n# changed\n")
        assert found(page) is None, changed
        changed.write_bytes(original)
        assert found(page) is not None  # the same bytes again: the same key
    (voices / "en-slow.toml").write_text(
        (voices / "en.toml").read_text(encoding="utf-8").replace('id = "en"', 'id = "en-slow"'),
        encoding="utf-8",
    )
    assert found(page) is None  # a new profile might be the one chosen


def test_a_changed_environment_or_engine_misses(
    page: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    speak(str(page), "-o", str(tmp_path / "a.mp3"), "-q")
    monkeypatch.setenv("LISTEN_MAX_MINUTES", "30")
    assert found(page) is None
    monkeypatch.delenv("LISTEN_MAX_MINUTES")
    hit = found(page)
    assert hit is not None
    manifest_path = hit.store.dir / hit.stored.key / "manifest.json"
    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    original = dict(manifest)
    manifest["engine_class"] = "tests.test_episodes:Exploding"  # a name the cache cannot load
    manifest_path.write_text(json.dumps(manifest), encoding="utf-8")
    assert found(page) is None
    assert MADE == []
    manifest = {**original, "fingerprint": "libespeak-ng 0.9 (another release)"}
    manifest_path.write_text(json.dumps(manifest), encoding="utf-8")
    assert found(page) is None  # the engine no longer runs on what it ran on


@pytest.mark.parametrize("damage", ["mp3", "vtt", "missing", "manifest"])
def test_a_damaged_entry_is_dropped_and_the_page_rendered_again(
    page: Path, tmp_path: Path, damage: str
) -> None:
    first = tmp_path / "a.mp3"
    speak(str(page), "-o", str(first), "-q")
    hit = found(page)
    assert hit is not None
    entry = hit.store.dir / hit.stored.key
    if damage == "mp3":  # the user's copy, edited in place through the hard link
        with first.open("r+b") as fh:
            fh.seek(2000)
            fh.write(b"\xff" * 16)
    elif damage == "vtt":
        (entry / "episode.vtt").write_text("WEBVTT\n", encoding="utf-8")
    elif damage == "missing":
        (entry / "episode.captions.vtt").unlink()
    else:
        (entry / "manifest.json").write_text("{not json", encoding="utf-8")
    assert found(page) is None
    assert not entry.exists() or damage == "missing"
    again = tmp_path / "b.mp3"
    speak(str(page), "-o", str(again), "-q")
    decoded = decode_mp3(again)
    assert rms(decoded.pcm) > 100
    timings = json.loads((tmp_path / "b.timings.json").read_text(encoding="utf-8"))
    assert timings["audio"] == "b.mp3"
    assert abs(decoded.duration_s * 1000 - timings["duration_ms"]) <= 60
    assert found(page) is not None  # and stored again, whole


def test_speak_api_returns_the_stored_episode(page: Path, tmp_path: Path) -> None:
    first = listen_speak(str(page), tmp_path / "a.mp3")
    assert first.synthesized > 0
    again = listen_speak(str(page), tmp_path / "b.mp3")
    assert again.path == tmp_path / "b.mp3"
    assert again.synthesized == 0
    assert again.timings == first.timings
    assert again.chapters == first.chapters
    assert again.script == first.script
    assert again.duration_ms == first.duration_ms
    assert (tmp_path / "b.mp3").read_bytes() == (tmp_path / "a.mp3").read_bytes()


def test_sidecar_names_match_the_transcript_module(tmp_path: Path) -> None:
    from listen.episodes import _SIDECARS

    assert set(_SIDECARS) == set(sidecar_paths(tmp_path / "x.mp3"))


def test_a_batch_links_a_page_it_rendered_before(
    page: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import listen.pipeline
    from listen.runtime import render_source

    first = render_source(str(page), RenderOptions(), tmp_path / "one")
    assert first.kind == "ready", first.detail

    def no_extraction(*args: object, **kwargs: object) -> None:
        raise AssertionError("the page was extracted again")

    monkeypatch.setattr(listen.pipeline, "script_from_page", no_extraction)
    again = render_source(str(page), RenderOptions(), tmp_path / "two")
    assert again.kind == "ready", again.detail
    assert again.title == first.title == "Harbour cranes return"
    assert again.path == tmp_path / "two" / "harbour-cranes-return.mp3"
    assert again.duration_ms == first.duration_ms
    assert again.path.read_bytes() == (first.path or Path()).read_bytes()
    assert (tmp_path / "two" / "harbour-cranes-return.captions.vtt").is_file()


def test_stdin_and_other_options_use_the_shortcut_after_click(
    page: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Forms the early shortcut leaves to click (stdin, an option) are looked up there."""
    import listen.pipeline

    def run(*args: str) -> None:
        result = CliRunner().invoke(
            cli, ["speak", "-", *args], input=PAGE.encode(), catch_exceptions=False
        )
        assert result.exit_code == 0, result.output

    run("-o", str(tmp_path / "a.mp3"), "--bitrate", "48", "-q")

    def no_extraction(*args: object, **kwargs: object) -> None:
        raise AssertionError("the page was extracted again")

    original = listen.pipeline.script_from_page
    monkeypatch.setattr(listen.pipeline, "script_from_page", no_extraction)
    run("-o", str(tmp_path / "b.mp3"), "--bitrate", "48", "-q")
    assert (tmp_path / "b.mp3").read_bytes() == (tmp_path / "a.mp3").read_bytes()
    monkeypatch.setattr(listen.pipeline, "script_from_page", original)
    run("-o", str(tmp_path / "c.mp3"), "--bitrate", "64", "-q")  # another bitrate: rendered
    assert (tmp_path / "c.mp3").read_bytes() != (tmp_path / "a.mp3").read_bytes()


MADE: list[str] = []


class Exploding:
    """Never to be made from a name read in the cache (it notes it if it is)."""

    def __init__(self) -> None:
        MADE.append("made")
