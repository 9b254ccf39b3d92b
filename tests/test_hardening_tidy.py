"""Nothing left behind (issue 12, "Leftovers"): temporary files carry their owner's PID, a
caught signal removes them, and what a kill left is swept at the next start. Also the
message for an output path through a file."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from listen import tidy
from listen.audio import Spool
from listen.cli import cli
from listen.export import atomic_path
from tests.conftest import LANGUAGE_SAMPLES, ROOT


def dead_pid() -> int:
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    assert not tidy.alive(proc.pid)
    return proc.pid


@pytest.fixture
def tmpdir_(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A temporary folder of the test's own, for this process and its children."""
    folder = tmp_path / "tmp"
    folder.mkdir()
    monkeypatch.setenv("TMPDIR", str(folder))
    monkeypatch.setattr(tempfile, "tempdir", str(folder))
    return folder


def test_temporary_names_carry_the_owner(tmpdir_: Path, tmp_path: Path) -> None:
    with Spool() as spool:
        assert spool.path.parent == tmpdir_
        assert spool.path.name.startswith(f"listen-{os.getpid()}-")
        assert not tidy.stale(spool.path.name)
    with atomic_path(tmp_path / "out" / "x.mp3") as part:
        assert part.name.startswith(f".x.mp3.{os.getpid()}-") and part.name.endswith(".part")
        assert not tidy.stale(part.name)


def test_sweep_removes_only_what_dead_owners_left(tmpdir_: Path, tmp_path: Path) -> None:
    gone, me = dead_pid(), os.getpid()
    out = tmp_path / "media"
    (out / "articles" / "abc").mkdir(parents=True)
    stale = [
        tmpdir_ / f"listen-{gone}-k3j4.pcm",
        out / f".a.mp3.{gone}-x1y2.part",
        out / "articles" / "abc" / f".audio.mp3.{gone}-zz_9.part",
    ]
    kept = [
        tmpdir_ / f"listen-{me}-live.pcm",
        tmpdir_ / "listen-notes.pcm",  # not one of ours: no owner in the name
        out / f".a.mp3.{me}-live.part",
        out / "a.mp3",
        out / ".hidden",
    ]
    for path in stale + kept:
        path.write_bytes(b"x")
    assert tidy.sweep(out) == len(stale)
    assert not any(p.exists() for p in stale)
    assert all(p.exists() for p in kept)


def test_the_cli_sweeps_at_start(
    tmpdir_: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    gone = dead_pid()
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.chdir(work)
    leftovers = [tmpdir_ / f"listen-{gone}-abcd.pcm", work / f".story.mp3.{gone}-abcd.part"]
    for path in leftovers:
        path.write_bytes(b"\0" * 1000)
    result = CliRunner().invoke(cli, ["script", str(LANGUAGE_SAMPLES["en"]), "-o", "s.txt"])
    assert result.exit_code == 0, result.output
    assert not any(p.exists() for p in leftovers)


HOLD = """
import sys, time
from pathlib import Path
from listen import tidy
from listen.audio import Spool
from listen.export import atomic_path

tidy.on_signals()
with Spool() as spool, atomic_path(Path(sys.argv[1])) as part:
    spool.pause(1000)
    part.write_bytes(b"half an mp3")
    print(spool.path, part, flush=True)
    time.sleep(60)
"""


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGHUP, signal.SIGINT])
def test_a_caught_signal_removes_the_temporary_files(
    tmpdir_: Path, tmp_path: Path, sig: signal.Signals
) -> None:
    out = tmp_path / "out" / "story.mp3"
    proc = subprocess.Popen(
        [sys.executable, "-c", HOLD, str(out)], cwd=ROOT, stdout=subprocess.PIPE, text=True
    )
    assert proc.stdout is not None
    spool, part = (Path(p) for p in proc.stdout.readline().split())
    assert spool.exists() and part.exists()
    proc.send_signal(sig)
    proc.wait(timeout=10)
    if sig != signal.SIGINT:  # (Python ends a Ctrl-C by the signal, once it has unwound)
        assert proc.returncode == 128 + sig  # unwound, not killed outright
    assert not spool.exists() and not part.exists() and not out.exists()


def test_sigterm_mid_render_leaves_nothing(tmpdir_: Path, tmp_path: Path) -> None:
    paragraphs = "".join(
        f"<p>Paragraph {i}: the council met again on the question of the river bridge, "
        "and the engineers said the repairs would take another year.</p>"
        for i in range(400)
    )
    page = tmp_path / "long.html"
    page.write_text(
        f"<html><head><title>A long story</title></head><body><article><h1>A long story</h1>"
        f"{paragraphs}</article></body></html>",
        encoding="utf-8",
    )
    out = tmp_path / "out"
    out.mkdir()
    cmd = [sys.executable, "-m", "listen", "speak", str(page), "-q", "--no-cache"]
    cmd += ["-o", str(out / "story.mp3"), "--engine", "espeak"]
    env = {**os.environ, "PYTHONFAULTHANDLER": "1"}
    proc = subprocess.Popen(cmd, cwd=ROOT, stderr=subprocess.PIPE, text=True, env=env)
    try:
        # Speaking: libespeak is loaded (after the CLI has started), and the whole page
        # takes far longer than the second we wait then.
        maps = Path(f"/proc/{proc.pid}/maps")
        end = time.monotonic() + 60
        while time.monotonic() < end and "espeak" not in maps.read_text(errors="replace"):
            assert proc.poll() is None, proc.stderr.read() if proc.stderr else ""
            time.sleep(0.05)
        time.sleep(1)
        assert proc.poll() is None, proc.stderr.read() if proc.stderr else ""
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.send_signal(signal.SIGABRT)  # faulthandler shows where it hung
            proc.wait(timeout=5)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 128 + signal.SIGTERM, proc.stderr.read() if proc.stderr else ""
    assert list(tmpdir_.glob("listen-*")) == []  # (pulse-* is the sound server's, not ours)
    assert list(out.iterdir()) == []


def test_an_output_path_through_a_file_says_so(tmp_path: Path) -> None:
    (tmp_path / "file").write_text("x")
    result = CliRunner().invoke(
        cli, ["script", str(LANGUAGE_SAMPLES["en"]), "-o", str(tmp_path / "file" / "x.txt")]
    )
    assert result.exit_code == 1
    assert "File exists" not in result.output
    assert "is a file, not a folder" in result.output
