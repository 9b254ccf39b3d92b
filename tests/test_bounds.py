"""One render, bounded and honest: the options value, the engine seam, the lossless script,
limits on length and disk, a cache that validates and bounds itself, matched sidecars, and
progress by phase."""

from __future__ import annotations

import io
import json
import struct
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import pytest
from click.testing import CliRunner

import listen.export
import listen.pipeline
from listen.cache import SegmentCache, cache_max_bytes
from listen.cli import cli
from listen.engines.silent import MS_PER_WORD, SilentEngine
from listen.errors import DiskFull, ListenError, TooLong
from listen.export import read_render_key
from listen.models import AudioChunk, Event, RenderOptions, Script
from listen.pipeline import render, render_episode, script_from_source, stream
from listen.transcript import sidecar_paths
from listen.voices import VoiceProfile
from tests.conftest import decode_mp3, rms


def silent(profile: VoiceProfile, rate: float = 1.0) -> VoiceProfile:
    return replace(profile, engine="silent", fallback_engines=(), rate=rate)


def short(sample: Callable[[str], Path], n: int = 6) -> tuple[Script, VoiceProfile]:
    """The first blocks of a real article: enough to hear, quick to render."""
    script, profile = script_from_source(str(sample("almayadeen-en-cia")))
    return replace(script, blocks=script.blocks[:n]), profile


def test_a_script_from_its_json_renders_the_same_audio(
    sample: Callable[[str], Path], tmp_path: Path
) -> None:
    script, profile = short(sample)
    text = json.dumps(script.to_dict(), ensure_ascii=False)  # what `listen script -f json` prints
    again = Script.from_dict(json.loads(text))
    assert again == script and again.author == script.author
    first = render(script, tmp_path / "a.mp3", voice=profile, cache=False)
    second = render(again, tmp_path / "b.mp3", voice=profile, cache=False)
    assert read_render_key(tmp_path / "a.mp3") == read_render_key(tmp_path / "b.mp3")
    a, b = decode_mp3(tmp_path / "a.mp3"), decode_mp3(tmp_path / "b.mp3")
    assert rms(a.pcm) > 300 and rms(b.pcm) > 300  # real speech
    # the same sentences in the same order; espeak's own output varies a little from run to run
    assert [(t.block, t.sentence, t.text) for t in first.timings] == [
        (t.block, t.sentence, t.text) for t in second.timings
    ]
    assert abs(a.duration_s - b.duration_s) < 0.03 * a.duration_s


def test_an_engine_object_is_used_as_it_is(sample: Callable[[str], Path], tmp_path: Path) -> None:
    script, profile = short(sample, 2)
    episode = render(script, tmp_path / "a.mp3", voice=profile, engine=SilentEngine(), cache=False)
    assert episode.engine == "silent"
    words = sum(len(s.spoken.split()) for b in script.blocks for s in b.sentences)
    spoken = sum(t.end_frame - t.start_frame for t in episode.timings)
    assert spoken == words * (22050 * MS_PER_WORD // 1000)
    assert rms(decode_mp3(tmp_path / "a.mp3").pcm) < 50  # silence: the object, not espeak


def test_a_cached_episode_equals_a_fresh_one(sample: Callable[[str], Path], tmp_path: Path) -> None:
    script, profile = short(sample)
    voice = silent(profile)
    cache = SegmentCache(tmp_path / "cache")
    fresh = render(script, tmp_path / "a.mp3", voice=voice, cache=cache)
    again = render(script, tmp_path / "a.mp3", voice=voice, cache=cache)
    assert again.synthesized == 0 and again.cached == len(fresh.timings)
    assert again == fresh


def test_sidecars_of_another_render_are_never_taken_as_finished(
    sample: Callable[[str], Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A crash between the renames: B's sidecars are in place, A's MP3 is still there."""
    script, profile = short(sample)
    voice = silent(profile)
    out = tmp_path / "a.mp3"
    cache = SegmentCache(tmp_path / "cache")
    first = render(script, out, voice=voice, cache=cache)
    edited = replace(script, blocks=script.blocks[:3])

    class Crash(BaseException):
        """The process dies (SIGKILL, power loss) before the MP3 is replaced."""

    def crash(*args: object, **kwargs: object) -> None:
        raise Crash

    with monkeypatch.context() as patch:
        # pipeline imports the audio stack inside render_episode, from listen.export
        patch.setattr(listen.export, "write_tags", crash)
        with pytest.raises(Crash):
            render(edited, out, voice=voice, cache=cache)
    timings = json.loads(sidecar_paths(out)["timings"].read_text(encoding="utf-8"))
    assert timings["render_key"] != read_render_key(out)  # the mismatched set
    again = render(script, out, voice=voice, cache=cache)
    assert again.timings == first.timings
    repaired = json.loads(sidecar_paths(out)["timings"].read_text(encoding="utf-8"))
    assert repaired["render_key"] == read_render_key(out)
    assert [b["index"] for b in repaired["blocks"]] == [b["index"] for b in timings["blocks"]] + [
        3,
        4,
        5,
    ][: len(script.blocks) - 3]


def test_too_long_is_refused_up_front_and_stopped_while_rendering(
    sample: Callable[[str], Path], tmp_path: Path
) -> None:
    script, profile = short(sample)
    minutes = script.spoken_chars / listen.pipeline.SPOKEN_CHARS_PER_MINUTE
    with pytest.raises(TooLong, match="limit is"):
        render_episode(
            script, tmp_path / "a.mp3", silent(profile), RenderOptions(max_minutes=minutes / 2)
        )
    assert not list(tmp_path.iterdir())  # nothing was written
    slow = silent(profile, rate=0.4)  # much slower than the estimate: caught by the audio
    with pytest.raises(TooLong, match="was stopped"):
        render_episode(
            script, tmp_path / "b.mp3", slow, RenderOptions(max_minutes=minutes * 1.2, cache=False)
        )
    assert not (tmp_path / "b.mp3").exists()
    page = sample("almayadeen-en-cia")
    result = CliRunner().invoke(cli, ["speak", str(page), "--max-minutes", "0.5", "-o", "x.mp3"])
    assert result.exit_code == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "minutes to read; the limit is 0.5" in lines[0], result.stderr


def test_free_disk_is_checked_before_and_during(
    sample: Callable[[str], Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    script, profile = short(sample, 40)
    voice = silent(profile)
    monkeypatch.setattr(listen.pipeline, "_free_bytes", lambda folder: 1024)
    with pytest.raises(DiskFull, match="MB free"):
        render(script, tmp_path / "a.mp3", voice=voice, cache=False)
    calls: list[Path] = []

    def filling(folder: Path) -> int:
        calls.append(folder)
        return 10**12 if len(calls) <= 2 else 1024  # plenty at the start, then full

    monkeypatch.setattr(listen.pipeline, "_free_bytes", filling)
    monkeypatch.setattr(listen.pipeline, "DISK_CHECK_EVERY", 2)
    with pytest.raises(DiskFull):
        render(script, tmp_path / "b.mp3", voice=voice, cache=False)
    assert len(calls) > 2 and not (tmp_path / "b.mp3").exists()


def test_a_damaged_cache_entry_is_dropped_and_spoken_again(
    sample: Callable[[str], Path], tmp_path: Path
) -> None:
    script, profile = short(sample, 2)
    cache = SegmentCache(tmp_path / "cache")
    first = render(script, tmp_path / "a.mp3", voice=profile, cache=cache)
    entries = sorted((tmp_path / "cache").rglob("*.pcm"))
    assert entries
    odd, truncated = entries[0], entries[-1]
    odd.write_bytes(odd.read_bytes() + b"\x01")  # an odd number of PCM bytes
    data = truncated.read_bytes()
    truncated.write_bytes(data[: len(data) // 2])  # cut short: the header says more
    # Another bitrate: the same sentences from the cache, but not the stored episode.
    again = render(script, tmp_path / "b.mp3", voice=profile, cache=cache, bitrate=48)
    assert again.synthesized == 2 and again.cached == len(first.timings) - 2
    assert len(again.timings) == len(first.timings)
    assert rms(decode_mp3(tmp_path / "b.mp3").pcm) > 300
    assert len(sorted((tmp_path / "cache").rglob("*.pcm"))) == len(entries)  # written anew


def test_one_cache_size_setting_bounds_the_cache_while_writing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("LISTEN_CACHE_MB", "3")
    assert cache_max_bytes() == 3 * 1024 * 1024 and cache_max_bytes(7) == 7 * 1024 * 1024
    # One bound for everything cached: half for the sentences, a quarter each for the encoded
    # pieces and the finished episodes (listen.episodes).
    assert SegmentCache(tmp_path / "c").max_bytes == 3 * 1024 * 1024 // 2
    monkeypatch.setenv("LISTEN_CACHE_MB", "lots")
    with pytest.raises(ListenError, match="LISTEN_CACHE_MB"):
        cache_max_bytes()
    cache = SegmentCache(tmp_path / "c", max_bytes=1_000_000)
    chunk = AudioChunk(bytes(100_000), 22050)
    for i in range(40):  # 4 MB written into a 1 MB cache
        cache.put(f"{i:064x}", chunk)
        assert cache.info().bytes <= 1_000_000 + 2 * len(chunk.pcm)
    assert cache.get(f"{39:064x}") == chunk  # the newest stay


def test_stream_prunes_the_cache(sample: Callable[[str], Path], tmp_path: Path) -> None:
    script, profile = short(sample, 8)
    cache = SegmentCache(tmp_path / "cache", max_bytes=200_000)
    episode = stream(script, io.BytesIO(), voice=silent(profile), cache=cache)
    assert episode.synthesized > 0
    assert cache.info().bytes <= 200_000


def test_progress_reports_each_phase_from_zero(
    sample: Callable[[str], Path], tmp_path: Path
) -> None:
    script, profile = short(sample)
    events: list[Event] = []
    render(script, tmp_path / "a.mp3", voice=silent(profile), cache=False, progress=events.append)
    phases = [e.phase for e in events]
    assert phases[0] == "speaking" and events[0].done == 0  # the bar starts at 0, no jump
    speaking = [e for e in events if e.phase == "speaking"]
    assert [e.done for e in speaking] == list(range(len(speaking)))
    assert speaking[-1].done == speaking[-1].total
    # loudness is measured while the pieces are encoded: one phase after speaking
    assert phases[len(speaking) :] == ["encoding", "encoding"]


def test_cache_header_layout_is_checked() -> None:
    """The entry header records the PCM length: a truncated file is told from a whole one."""
    from listen.cache import _HEADER, _MAGIC

    header = _HEADER.pack(_MAGIC, 22050, 2, 1, 4)
    assert struct.unpack_from("<4sIHHQ", header)[4] == 4
