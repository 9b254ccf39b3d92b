"""A loudness target the narration cannot reach is said, with what was reached and why."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

from listen.audio import decode, measure
from tests.conftest import LANGUAGE_SAMPLES


def loudness_of(mp3: Path, tmp_path: Path) -> float:
    raw = tmp_path / "decoded.raw"
    raw.write_bytes(decode(str(mp3)).pcm)
    return measure(raw).integrated


def speak(tmp_path: Path, name: str, loudness: str) -> tuple[Path, str]:
    out = tmp_path / name
    sample = str(LANGUAGE_SAMPLES["es"])
    args = ["speak", sample, "-o", str(out), "-q", "--no-sidecars", "--loudness", loudness]
    result = subprocess.run(
        [sys.executable, "-m", "listen", *args],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return out, result.stderr


def test_an_unreachable_target_says_what_was_reached_and_why(tmp_path: Path) -> None:
    out, errors = speak(tmp_path, "loud.mp3", "-8")
    found = re.search(
        r"warning: loudness (-[\d.]+) LUFS instead of -8\.0: its peaks limit it", errors
    )
    assert found, errors
    assert abs(loudness_of(out, tmp_path) - float(found.group(1))) <= 0.3  # it says the truth


def test_a_reachable_target_is_reached_without_a_word(tmp_path: Path) -> None:
    out, errors = speak(tmp_path, "quiet.mp3", "-23")
    assert "warning" not in errors
    assert abs(loudness_of(out, tmp_path) + 23) <= 1.0
