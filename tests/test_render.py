"""Rendering: exact timings, chapters, sidecars, loudness, the cache, streaming and batches."""

from __future__ import annotations

import itertools
import json
import re
import subprocess
import sys
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import pytest
from click.testing import CliRunner
from mutagen.id3 import ID3

from listen.audio import SAMPLE_RATE, find_ffmpeg
from listen.cache import SegmentCache
from listen.cli import cli
from listen.engines.silent import MS_PER_WORD
from listen.models import Script
from listen.pieces import DELAY, FRAME
from listen.pipeline import render, script_from_source
from listen.voices import VoiceProfile, choose_profile
from tests.conftest import ROOT, decode_mp3, rms

VTT_CUE = re.compile(r"^(\d\d):(\d\d):(\d\d)\.(\d{3}) --> (\d\d):(\d\d):(\d\d)\.(\d{3})$")


def silent(profile: VoiceProfile) -> VoiceProfile:
    return replace(profile, engine="silent", fallback_engines=())


def feature(sample: Callable[[str], Path]) -> tuple[Script, VoiceProfile]:
    return script_from_source(str(sample("almayadeen-en-cheap")))


def test_timings_are_exact_to_the_sample(sample: Callable[[str], Path], tmp_path: Path) -> None:
    script, profile = feature(sample)
    voice = silent(profile)
    episode = render(script, tmp_path / "a.mp3", voice=voice, cache=False)
    frames_per_word = SAMPLE_RATE * MS_PER_WORD // 1000
    # The timeline is the decoded MP3's: it opens with the encoder's delay as silence, and a
    # pause that holds a join between encoded pieces is lengthened by under one MP3 frame,
    # so that the next speech starts DELAY samples after a frame boundary.
    position = DELAY
    for timing in episode.timings:
        block = script.blocks[timing.block]
        sentence = block.sentences[timing.sentence]
        assert timing.text == sentence.text
        assert position <= timing.start_frame < position + FRAME
        if timing.start_frame != position:
            assert (timing.start_frame - DELAY) % FRAME == 0
        assert timing.end_frame - timing.start_frame == frames_per_word * len(
            sentence.spoken.split()
        )
        last = timing.sentence == len(block.sentences) - 1
        pause = voice.pause_after(block.kind) if last else voice.pauses["sentence"]
        position = timing.end_frame + pause * SAMPLE_RATE // 1000
    # The last join falls DELAY samples before where the next speech would start.
    end = episode.duration_ms * SAMPLE_RATE // 1000
    assert position - DELAY - 1 <= end < position + FRAME
    decoded = decode_mp3(tmp_path / "a.mp3")
    assert abs(decoded.duration_s * 1000 - episode.duration_ms) <= 1  # no drift


def test_chapters_cover_the_whole_audio(sample: Callable[[str], Path], tmp_path: Path) -> None:
    script, profile = feature(sample)
    episode = render(script, tmp_path / "a.mp3", voice=silent(profile), cache=False)
    headings = [b.text for b in script.blocks if b.kind == "heading"]
    assert [c.title for c in episode.chapters] == [script.title, *headings]
    assert episode.chapters[0].start_ms == 0
    for before, after in zip(episode.chapters, episode.chapters[1:], strict=False):
        assert before.end_ms == after.start_ms
    assert episode.chapters[-1].end_ms == episode.duration_ms
    document = json.loads((tmp_path / "a.chapters.json").read_text(encoding="utf-8"))
    assert document["version"] == "1.2.0"
    assert [c["title"] for c in document["chapters"]] == [script.title, *headings]
    assert [c["startTime"] for c in document["chapters"]] == [
        c.start_ms / 1000 for c in episode.chapters
    ]


def test_sidecars_are_valid(sample: Callable[[str], Path], tmp_path: Path) -> None:
    script, profile = feature(sample)
    episode = render(script, tmp_path / "a.mp3", voice=silent(profile), cache=False)
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "a.captions.vtt",
        "a.chapters.json",
        "a.mp3",
        "a.timings.json",
        "a.vtt",
    ]
    timings = json.loads((tmp_path / "a.timings.json").read_text(encoding="utf-8"))
    assert timings["duration_ms"] == episode.duration_ms and timings["audio"] == "a.mp3"
    assert [b["index"] for b in timings["blocks"]] == list(range(len(script.blocks)))
    for block in timings["blocks"]:
        assert block["kind"] == script.blocks[block["index"]].kind
        assert block["text"] == script.blocks[block["index"]].text
        assert block["start_ms"] == block["sentences"][0]["start_ms"]
        assert block["end_ms"] == block["sentences"][-1]["end_ms"]

    vtt = (tmp_path / "a.vtt").read_text(encoding="utf-8")
    assert vtt.startswith("WEBVTT\n\n")
    cues = vtt.strip().split("\n\n")[2:]
    assert len(cues) == len(episode.timings)
    previous_end = -1
    for cue, timing in zip(cues, episode.timings, strict=True):
        ident, times, text = cue.split("\n")
        assert ident == f"b{timing.block}-s{timing.sentence}"
        match = VTT_CUE.match(times)
        assert match, times
        h, m, s, ms, h2, m2, s2, ms2 = map(int, match.groups())
        start, end = ((h * 60 + m) * 60 + s) * 1000 + ms, ((h2 * 60 + m2) * 60 + s2) * 1000 + ms2
        assert previous_end <= start < end
        previous_end = end
        kind = timing.kind.replace("_", "-")
        assert text.startswith(f"<c.{kind}>") and text.endswith("</c>")
        assert "<" not in text[len(kind) + 4 : -4] and "&" not in text.replace("&amp;", "")
    caption_sentences = sum(len(b.sentences) for b in script.blocks if b.kind == "caption")
    assert sum("<c.caption>" in c for c in cues) == caption_sentences >= 3


def test_real_speech_package(sample: Callable[[str], Path], tmp_path: Path) -> None:
    """espeak-ng for real: chapters in the MP3, cues inside the audio, loudness on target."""
    script, profile = feature(sample)
    out = tmp_path / "feature.mp3"
    episode = render(script, out, voice=profile, cache=False)
    decoded = decode_mp3(out)
    assert episode.timings[-1].end_ms <= decoded.duration_s * 1000

    tags = ID3(out)
    toc = tags.getall("CTOC")
    assert len(toc) == 1 and toc[0].flags == 3  # top level, ordered
    chaps = sorted(tags.getall("CHAP"), key=lambda c: c.start_time)
    assert list(toc[0].child_element_ids) == [c.element_id for c in chaps]
    assert [c.sub_frames["TIT2"].text[0] for c in chaps] == [c.title for c in episode.chapters]
    assert chaps[0].start_time == 0 and chaps[-1].end_time == episode.duration_ms
    assert all(a.end_time == b.start_time for a, b in itertools.pairwise(chaps))

    integrated, true_peak = loudness_of(out)
    assert abs(integrated - profile.loudness) <= 1.0, integrated
    assert true_peak <= -1.0, true_peak

    # The silence after the title stays silence.
    title = episode.timings[0]
    gap_start = title.end_frame + 2000
    gap = decoded.pcm[2 * gap_start : 2 * (gap_start + 4000)]
    assert rms(gap) < 5


def loudness_of(path: Path) -> tuple[float, float]:
    result = subprocess.run(
        [
            find_ffmpeg(),
            "-nostats",
            "-hide_banner",
            "-i",
            str(path),
            "-af",
            "ebur128=peak=true:framelog=verbose",
            "-f",
            "null",
            "-",
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    integrated = float(re.findall(r"^\s*I:\s*(-?[\d.]+) LUFS", result.stderr, re.M)[-1])
    peak = float(re.findall(r"^\s*Peak:\s*(-?[\d.]+|-inf) dBFS", result.stderr, re.M)[-1])
    return integrated, peak


def test_loudness_target_from_the_flag(sample: Callable[[str], Path], tmp_path: Path) -> None:
    out = tmp_path / "quiet.mp3"
    result = CliRunner().invoke(
        cli, ["speak", str(sample("almayadeen-es")), "-o", str(out), "--loudness", "-24", "-q"]
    )
    assert result.exit_code == 0, result.output
    integrated, _ = loudness_of(out)
    assert abs(integrated + 24) <= 1.0


def test_cache_rerender_and_one_edited_paragraph(
    sample: Callable[[str], Path], tmp_path: Path
) -> None:
    cache = SegmentCache(tmp_path / "cache")
    script, profile = script_from_source(str(sample("almayadeen-en-cia")))
    first = render(script, tmp_path / "a.mp3", voice=profile, cache=cache)
    assert first.synthesized == len(first.timings) and first.cached == 0

    again = render(script, tmp_path / "b.mp3", voice=profile, cache=cache)
    assert again.synthesized == 0 and again.cached == len(first.timings)
    assert decode_mp3(tmp_path / "a.mp3").pcm == decode_mp3(tmp_path / "b.mp3").pcm

    same = render(script, tmp_path / "a.mp3", voice=profile, cache=cache)
    assert same.synthesized == 0 and same.duration_ms == first.duration_ms

    html = sample("almayadeen-en-cia").read_text(encoding="utf-8")
    edited_html = html.replace(
        "These previously undisclosed operations coincided",
        "These operations, never disclosed before, coincided",
    )
    edited_page = tmp_path / "edited.html"
    edited_page.write_text(edited_html, encoding="utf-8")
    edited, _ = script_from_source(str(edited_page))
    changed = render(edited, tmp_path / "c.mp3", voice=profile, cache=cache)
    assert changed.synthesized == 1  # that paragraph is one sentence long
    assert changed.cached == len(first.timings) - 1

    info = cache.info()
    assert info.entries == len(first.timings) + 1
    assert not list((tmp_path / "cache").rglob("*.part"))


def test_no_cache_speaks_everything(sample: Callable[[str], Path], tmp_path: Path) -> None:
    script, profile = script_from_source(str(sample("almayadeen-en-cia")))
    cache = SegmentCache(tmp_path / "cache")
    render(script, tmp_path / "a.mp3", voice=profile, cache=cache)
    episode = render(script, tmp_path / "b.mp3", voice=profile, cache=False)
    assert episode.cached == 0 and episode.synthesized == len(episode.timings)


def test_cache_is_bounded(sample: Callable[[str], Path], tmp_path: Path) -> None:
    script, profile = script_from_source(str(sample("almayadeen-en-cia")))
    cache = SegmentCache(tmp_path / "cache", max_bytes=2_000_000)
    episode = render(script, tmp_path / "a.mp3", voice=profile, cache=cache)
    info = cache.info()
    assert 0 < info.bytes <= 2_000_000
    assert 0 < info.entries < len(episode.timings)


def test_two_processes_render_the_same_article_at_once(
    sample: Callable[[str], Path], tmp_path: Path
) -> None:
    env = {"LISTEN_CACHE_DIR": str(tmp_path / "cache"), "PATH": "/usr/bin:/bin"}
    env.update(
        {k: v for k, v in __import__("os").environ.items() if k in ("HOME", "PYTHONPATH", "LANG")}
    )
    procs = [
        subprocess.Popen(
            [
                sys.executable,
                "-m",
                "listen",
                "speak",
                str(sample("almayadeen-es")),
                "-o",
                str(tmp_path / f"{i}.mp3"),
                "-q",
            ],
            cwd=ROOT,
            env=env,
            stderr=subprocess.PIPE,
            text=True,
        )
        for i in range(2)
    ]
    for proc in procs:
        _, err = proc.communicate(timeout=120)
        assert proc.returncode == 0, err
    first, second = decode_mp3(tmp_path / "0.mp3"), decode_mp3(tmp_path / "1.mp3")
    # espeak carries a little state between utterances: a few ms a sentence may differ
    assert abs(first.duration_s - second.duration_s) < 1.0
    assert rms(first.pcm) > 500 and rms(second.pcm) > 500
    cached = list((tmp_path / "cache").rglob("*.pcm"))
    assert cached and not list((tmp_path / "cache").rglob("*.part"))
    assert all(p.stat().st_size > 100 for p in cached)


def test_batch_with_one_failure(sample: Callable[[str], Path], tmp_path: Path) -> None:
    sources = [
        str(sample("almayadeen-en-cia")),
        str(sample("almayadeen-en-section")),
        str(sample("almayadeen-ar")),
    ]
    result = subprocess.run(
        [sys.executable, "-m", "listen", "speak", *sources, "-o", str(tmp_path), "--jobs", "2"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert result.returncode == 1
    last = result.stderr.strip().splitlines()[-1]
    assert last.startswith("Error: rendered 2 of 3 articles; failed: ")
    assert "almayadeen-en-section-politics.html (no article found" in last
    assert len(list(tmp_path.glob("*.mp3"))) == 2
    assert "Traceback" not in result.stderr


def test_quoted_glob_is_expanded(sample: Callable[[str], Path], tmp_path: Path) -> None:
    pattern = str(ROOT / "samples" / "almayadeen-e[ns]-[cr]*.html")
    result = CliRunner().invoke(
        cli, ["speak", pattern, "-o", str(tmp_path), "-j", "1", "--no-sidecars"]
    )
    assert result.exit_code == 0, result.output
    assert len(list(tmp_path.glob("*.mp3"))) == 3
    assert not list(tmp_path.glob("*.vtt"))
    assert "rendered 3 of 3 articles" in result.stderr


def test_stream_to_stdout(sample: Callable[[str], Path], tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "listen", "speak", str(sample("almayadeen-en-cia")), "-o", "-"],
        cwd=ROOT,
        capture_output=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert result.stderr == b""  # nothing but MP3 bytes goes out: no driver chatter
    out = tmp_path / "streamed.mp3"
    out.write_bytes(result.stdout)
    streamed = decode_mp3(out)
    assert 150 < streamed.duration_s < 220
    assert rms(streamed.pcm) > 500
    integrated, _ = loudness_of(out)
    assert abs(integrated - choose_profile("en").loudness) <= 1.5


def test_stream_through_click(sample: Callable[[str], Path]) -> None:
    result = CliRunner().invoke(cli, ["speak", str(sample("almayadeen-es")), "-o", "-"])
    assert result.exit_code == 0, result.output
    assert (
        result.stdout_bytes[:3] in (b"ID3", b"\xff\xfb", b"\xff\xf3")
        or result.stdout_bytes[0] == 0xFF
    )


def test_cache_commands(
    sample: Callable[[str], Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("LISTEN_CACHE_DIR", str(tmp_path / "c"))
    runner = CliRunner()
    assert (
        runner.invoke(
            cli, ["speak", str(sample("almayadeen-es")), "-o", str(tmp_path / "a.mp3"), "-q"]
        ).exit_code
        == 0
    )
    info = runner.invoke(cli, ["cache", "info"]).stdout
    entries = int(re.search(r"entries: (\d+)", info).group(1))  # type: ignore[union-attr]
    assert entries > 10 and str(tmp_path / "c") in info
    assert f"removed {entries} cached sentences" in runner.invoke(cli, ["cache", "clear"]).stdout
    assert "entries: 0" in runner.invoke(cli, ["cache", "info"]).stdout


def test_batch_workers_take_the_environment_of_each_run(
    sample: Callable[[str], Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The workers are forked from a fork server that outlives a batch; each batch's workers
    still render with that batch's settings (here, where the sentence cache is)."""
    from listen.batch import render_many
    from listen.models import RenderOptions

    sources = [str(sample("almayadeen-en-cia")), str(sample("other-wordpress"))]
    for run in ("first", "second"):
        cache = tmp_path / run / "cache"
        monkeypatch.setenv("LISTEN_CACHE_DIR", str(cache))
        outcomes = render_many(sources, RenderOptions(), tmp_path / run, jobs=2)
        assert [o.kind for o in outcomes] == ["ready", "ready"], outcomes
        assert [o.job for o in outcomes] == sources  # in the order given, not the order run
        assert list(cache.rglob("*.pcm")), f"the {run} batch did not use its own cache"
        for outcome in outcomes:
            assert outcome.path is not None
            decoded = decode_mp3(outcome.path)
            assert abs(decoded.duration_s - outcome.duration_ms / 1000) < 0.1
            assert rms(decoded.pcm) > 500


def test_a_batch_starts_with_the_longest_pages(tmp_path: Path) -> None:
    """So the last article does not leave one core idle; a URL's length is unknown: first."""
    from listen.batch import longest_first

    sizes = {"short.html": 10, "long.html": 3000, "middle.html": 500}
    for name, size in sizes.items():
        (tmp_path / name).write_text("x" * size, encoding="utf-8")
    given = [str(tmp_path / name) for name in sizes] + ["https://example.org/a"]
    assert longest_first(given) == [
        "https://example.org/a",
        str(tmp_path / "long.html"),
        str(tmp_path / "middle.html"),
        str(tmp_path / "short.html"),
    ]
