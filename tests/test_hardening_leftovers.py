"""A render killed with SIGKILL mid-write leaves a temporary file in a cache; the next run
sweeps it, and never one a live process is writing (listen.cache.part_file / sweep_parts)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from listen.cache import SegmentCache, part_file, sweep_parts
from listen.episodes import EpisodeStore
from listen.models import AudioChunk
from listen.pieces import PieceStore

ROOT = Path(__file__).resolve().parent.parent

# Each child writes into a store with the store's own code, and stops for ever just before
# the rename that would finish the write: it is killed there, as a render would be.
WRITERS = {
    "segments": """
        from listen.cache import SegmentCache
        from listen.models import AudioChunk
        SegmentCache(root).put("ab" + "0" * 62, AudioChunk(b"\\0\\0" * 4000, 16000, 2, 1))
    """,
    "pieces": """
        from listen.pieces import PieceStore
        PieceStore(root).put("cd" + "0" * 62, b"mp3 bytes" * 1000)
    """,
    "episodes": """
        from listen.episodes import _SIDECARS, EpisodeStore
        files = {}
        for kind in _SIDECARS:  # every sidecar the store keeps
            files[kind] = root.parent / f"x.{kind}"
            files[kind].write_text(kind)
        mp3 = root.parent / "x.mp3"
        mp3.write_bytes(b"ID3")
        EpisodeStore(root).put("ef" + "0" * 62, mp3, files)
    """,
}
STALL = """
    import os, sys, time
    from pathlib import Path
    root = Path(sys.argv[1])
    def stall(*args, **kwargs):
        print("writing", flush=True)
        time.sleep(600)
    os.replace = os.rename = stall
"""


def _writer(store: str, root: Path) -> subprocess.Popen[str]:
    code = textwrap.dedent(STALL) + textwrap.dedent(WRITERS[store])
    child = subprocess.Popen(
        [sys.executable, "-c", code, str(root)], cwd=ROOT, stdout=subprocess.PIPE, text=True
    )
    assert child.stdout is not None
    assert child.stdout.readline().strip() == "writing"
    return child


def _parts(root: Path) -> list[Path]:
    return sorted(p for p in root.rglob(".*.part"))


def _next_run(store: str, root: Path) -> None:
    """What the next render does to that store: it writes (and so prunes) or prunes."""
    if store == "segments":
        SegmentCache(root).put("12" + "0" * 62, AudioChunk(b"\0\0" * 100, 16000, 2, 1))
    elif store == "pieces":
        PieceStore(root, 10**9).prune()
    else:
        EpisodeStore(root, 10**9).prune()


@pytest.mark.parametrize("store", sorted(WRITERS))
def test_a_killed_writer_leaves_a_part_file_that_the_next_run_sweeps(
    store: str, tmp_path: Path
) -> None:
    root = tmp_path / store
    root.mkdir()
    child = _writer(store, root)
    try:
        left = _parts(root)
        assert len(left) == 1 and f".{child.pid}-" in left[0].name  # its owner's PID
        _next_run(store, root)
        assert _parts(root) == left  # its owner still runs: never swept
    finally:
        child.send_signal(signal.SIGKILL)
        child.wait()
    assert _parts(root) == left  # the kill leaves it
    _next_run(store, root)
    assert _parts(root) == []


def test_a_live_process_part_file_is_kept_and_a_finished_one_is_renamed(tmp_path: Path) -> None:
    target = tmp_path / "entry.pcm"
    with part_file(target) as fh:
        fh.write(b"half")
        (writing,) = _parts(tmp_path)
        assert f".{os.getpid()}-" in writing.name
        assert sweep_parts(tmp_path) == 0
        assert writing.exists()
    assert target.read_bytes() == b"half" and _parts(tmp_path) == []


def test_a_failed_write_leaves_nothing(tmp_path: Path) -> None:
    target = tmp_path / "entry.pcm"
    with pytest.raises(OSError), part_file(target) as fh:
        fh.write(b"x")
        raise OSError("disk full")
    assert list(tmp_path.iterdir()) == []


def test_the_sweep_leaves_other_files_alone(tmp_path: Path) -> None:
    (tmp_path / ".notes.part").write_text("no owner in the name")
    (tmp_path / "ab").mkdir()
    (tmp_path / "ab" / "kept.pcm").write_bytes(b"x")
    dead = tmp_path / "ab" / ".kept.pcm.999999999-abc.part"  # no such PID
    dead.write_bytes(b"x")
    assert sweep_parts(tmp_path) == 0  # depth 0: the subfolder is not looked into
    assert sweep_parts(tmp_path, depth=1) == 1
    assert sorted(p.name for p in tmp_path.rglob("*")) == [".notes.part", "ab", "kept.pcm"]
