"""Captions: short cues within subtitle limits, split at phrase boundaries, covering the speech."""

from __future__ import annotations

import itertools
from dataclasses import replace
from pathlib import Path

import pytest

from listen.captions import LINE_CHARS, MAX_LINES, MAX_MS, captions, split_sentence, wrap
from listen.models import Timing
from listen.pipeline import render, script_from_source
from tests.conftest import LANGUAGE_SAMPLES

LONG = (
    "According to CNN on Tuesday, the CIA has secretly deployed MQ-9 Reaper drones over Mexico "
    "during Donald Trump's presidency to surveil drug cartels, as part of his administration's "
    "shift in national security focus to the US southern border."
)


def within_limits(cue_lines: tuple[str, ...], start: int, end: int) -> bool:
    return (
        1 <= len(cue_lines) <= MAX_LINES
        and all(len(line) <= LINE_CHARS for line in cue_lines)
        and end - start <= MAX_MS
    )


def test_a_long_sentence_becomes_short_cues_that_keep_every_word_in_order() -> None:
    cues = split_sentence(LONG, 10_000, 26_000)  # 16 s, 233 characters
    assert len(cues) >= 3
    assert all(within_limits(c.lines, c.start_ms, c.end_ms) for c in cues)
    assert " ".join(line for c in cues for line in c.lines).split() == LONG.split()
    assert cues[0].start_ms == 10_000 and cues[-1].end_ms == 26_000
    for before, after in itertools.pairwise(cues):
        assert before.end_ms == after.start_ms  # no gap, no overlap inside a sentence


def test_cues_break_at_phrase_boundaries() -> None:
    cues = split_sentence(LONG, 0, 16_000)
    ends = [c.lines[-1].split()[-1] for c in cues[:-1]]
    starts = [c.lines[0].split()[0] for c in cues[1:]]
    boundaries = sum(
        end.endswith((",", ";", ":")) or start in ("to", "as", "during", "and")
        for end, start in zip(ends, starts, strict=True)
    )
    assert boundaries >= len(ends) - 1  # at most one break falls between two plain words


def test_a_short_sentence_is_one_cue_on_balanced_lines() -> None:
    [cue] = split_sentence("The report detailed that the CIA has previously flown.", 0, 3000)
    assert len(cue.lines) == 2 and abs(len(cue.lines[0]) - len(cue.lines[1])) < 12
    assert wrap(["Short", "one."]) == ["Short one."]


def test_a_slow_sentence_is_split_by_time_too() -> None:
    cues = split_sentence("Ninety words would not fit, but these ten are read slowly.", 0, 20_000)
    assert len(cues) >= 3 and all(c.end_ms - c.start_ms <= MAX_MS for c in cues)


@pytest.mark.parametrize("language", ["en", "ar", "es"])
def test_the_rendered_captions_file_is_within_limits(tmp_path: Path, language: str) -> None:
    script, voice = script_from_source(str(LANGUAGE_SAMPLES[language]))
    if language != "en":  # English is spoken by the real engine; the others by the silent one
        voice = replace(voice, engine="silent", fallback_engines=())
    episode = render(script, tmp_path / "a.mp3", voice=voice, cache=False)
    text = (tmp_path / "a.captions.vtt").read_text("utf-8")
    assert text.startswith("WEBVTT\n")
    blocks = [b.splitlines() for b in text.strip().split("\n\n")[2:]]
    assert len(blocks) == len(captions(episode.timings)) >= len(episode.timings)
    spoken_words = [w for t in episode.timings for w in t.text.split()]
    shown_words: list[str] = []
    for number, times, *lines in blocks:
        start, end = (
            sum(float(p) * m for p, m in zip(x.split(":"), (3600, 60, 1), strict=True))
            for x in times.split(" --> ")
        )
        assert number.isdigit()
        assert 1 <= len(lines) <= MAX_LINES
        assert all(len(line) <= LINE_CHARS or " " not in line for line in lines)
        assert 0 <= end - start <= MAX_MS / 1000 + 0.001
        shown_words += " ".join(lines).split()
    unescape = {"&amp;": "&", "&lt;": "<", "&gt;": ">"}
    for escaped, plain in unescape.items():
        shown_words = [w.replace(escaped, plain) for w in shown_words]
    assert shown_words == spoken_words


def test_a_timing_without_text_makes_no_cue() -> None:
    assert captions([Timing(0, 0, "paragraph", "  ", 0, 22050, 22050)]) == []
