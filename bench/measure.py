"""Clocks, child processes and their memory, and the results table.

Everything timed here runs in a child process, so the benchmark's own
interpreter (which has listen imported to build its pages) never warms up what
is being measured. A child's peak memory comes from a sampler that adds up
the resident memory of its whole process tree every 50 ms: what the machine
must hold while Python and ffmpeg run side by side. (The kernel's
``ru_maxrss`` is no use here: a child started with vfork, as ``subprocess``
does, inherits the high-water mark of this parent's memory at ``exec``.)
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
PAGE = os.sysconf("SC_PAGE_SIZE")
MB = 1024 * 1024


class BenchError(Exception):
    """A benchmark could not run (a command failed); its message says which."""


@dataclass(frozen=True)
class Run:
    """One finished child process."""

    wall: float  # seconds from launch to exit
    cpu: float  # seconds of CPU, user + system, of the child and the processes it waited for
    peak: int = 0  # bytes: the largest sum over its process tree (0 when not sampled)
    largest: int = 0  # bytes: the largest single process of its tree (0 when not sampled)
    payload: dict[str, Any] = field(default_factory=dict)  # what a ``bench.child`` reported


@dataclass(frozen=True)
class Result:
    """One row of the table; every field is already formatted."""

    name: str
    ours: str
    reference: str
    ratio: str
    goal: str = "-"
    met: bool | None = None


def median(values: Sequence[float]) -> float:
    return statistics.median(values)


def child_env(cache_dir: Path, tmp_dir: Path) -> dict[str, str]:
    """The environment for every child: a private cache and temporary directory, and
    ``bench`` importable."""
    env = dict(os.environ)
    env["LISTEN_CACHE_DIR"] = str(cache_dir)
    env["TMPDIR"] = str(tmp_dir)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    env.pop("LISTEN_DEBUG", None)
    return env


def _parent_map() -> dict[int, list[int]]:
    children: dict[int, list[int]] = {}
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            with open(f"/proc/{entry.name}/stat", "rb") as fh:
                stat = fh.read()
        except OSError:
            continue
        ppid = int(stat[stat.rindex(b")") + 2 :].split()[1])
        children.setdefault(ppid, []).append(int(entry.name))
    return children


def tree_rss(pid: int) -> tuple[int, int]:
    """Resident bytes of ``pid`` and all its descendants now: their sum, and the largest."""
    children = _parent_map()
    total = largest = 0
    todo = [pid]
    while todo:
        current = todo.pop()
        todo.extend(children.get(current, ()))
        try:
            with open(f"/proc/{current}/statm", "rb") as fh:
                rss = int(fh.read().split()[1]) * PAGE
        except OSError:
            continue
        total += rss
        largest = max(largest, rss)
    return total, largest


class TreeSampler(threading.Thread):
    """Polls a process tree's resident memory until stopped, keeping the peaks."""

    def __init__(self, pid: int, interval: float = 0.05) -> None:
        super().__init__(daemon=True)
        self.pid = pid
        self.interval = interval
        self.peak = 0  # the largest sum over the tree
        self.largest = 0  # the largest single process
        self._stop_event = threading.Event()

    def run(self) -> None:
        if not Path("/proc/self/statm").exists():
            return  # not Linux: no memory figures
        while not self._stop_event.is_set():
            total, largest = tree_rss(self.pid)
            self.peak = max(self.peak, total)
            self.largest = max(self.largest, largest)
            self._stop_event.wait(self.interval)

    def stop(self) -> None:
        self._stop_event.set()
        self.join()


def run(
    cmd: Sequence[str],
    *,
    env: dict[str, str] | None = None,
    cwd: Path | None = None,
    sample: bool = False,
) -> Run:
    """Run ``cmd`` to the end; raise ``BenchError`` with its last error line if it fails."""
    with tempfile.TemporaryFile() as errors:
        start = time.perf_counter()
        proc = subprocess.Popen(
            cmd, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=errors,
            env=env, cwd=cwd,
        )  # fmt: skip
        sampler = TreeSampler(proc.pid) if sample else None
        if sampler:
            sampler.start()
        _, status, usage = os.wait4(proc.pid, 0)  # wait4: this child's own CPU time
        wall = time.perf_counter() - start
        if sampler:
            sampler.stop()
        proc.returncode = os.waitstatus_to_exitcode(status)
        if proc.returncode != 0:
            errors.seek(0)
            lines = errors.read().decode("utf-8", "replace").strip().splitlines()
            last = lines[-1] if lines else f"exit status {proc.returncode}"
            raise BenchError(f"{' '.join(map(str, cmd[:4]))} ... failed: {last}")
    cpu = usage.ru_utime + usage.ru_stime
    if sampler is None:
        return Run(wall, cpu)
    return Run(wall, cpu, sampler.peak, sampler.largest)


def run_child(
    workload: str,
    request: dict[str, Any],
    *,
    workdir: Path,
    env: dict[str, str],
    sample: bool = False,
) -> Run:
    """Run one ``bench.child`` workload in a fresh interpreter and read what it reported."""
    tag = f"{workload}-{time.monotonic_ns()}"
    request_path = workdir / f"{tag}.request.json"
    reply_path = workdir / f"{tag}.reply.json"
    request_path.write_text(json.dumps({**request, "reply": str(reply_path)}), encoding="utf-8")
    done = run(
        [sys.executable, "-m", "bench.child", workload, str(request_path)],
        env=env,
        cwd=workdir,
        sample=sample,
    )
    payload = json.loads(reply_path.read_text(encoding="utf-8"))
    return Run(done.wall, done.cpu, done.peak, done.largest, payload)


def first_byte(cmds: Sequence[Sequence[str]], *, env: dict[str, str], cwd: Path) -> float:
    """Seconds from launching the pipeline ``cmds[0] | cmds[1] | ...`` to its first output byte."""
    procs: list[subprocess.Popen[bytes]] = []
    start = time.perf_counter()
    upstream = None
    for cmd in cmds:
        proc = subprocess.Popen(
            cmd,
            stdin=upstream or subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            env=env,
            cwd=cwd,
        )
        if upstream is not None:
            upstream.close()  # the next process holds it now
        upstream = proc.stdout
        procs.append(proc)
    last = procs[-1].stdout
    if last is None:
        raise BenchError("no pipe to read")
    byte = os.read(last.fileno(), 1)
    elapsed = time.perf_counter() - start
    while os.read(last.fileno(), 65536):
        pass  # let the pipeline finish normally
    last.close()
    codes = [proc.wait() for proc in procs]
    if not byte or any(codes):
        raise BenchError(f"{' '.join(cmds[-1][:4])} ... gave no output (exit {codes})")
    return elapsed


def import_times(stderr: str, groups: Sequence[str]) -> dict[str, float]:
    """Seconds of import per group, from ``python -X importtime``'s report.

    Each module's own time goes to the nearest of ``groups`` that it is, or is
    imported under (``numpy`` takes ``numpy.linalg`` and whatever numpy alone
    imports); the rest is "other imports". Nothing is counted twice.
    """
    rows: list[tuple[int, str, float]] = []
    for line in stderr.splitlines():
        parts = line.split("|")
        if len(parts) != 3 or not parts[0].startswith("import time:") or "[us]" in line:
            continue
        name = parts[2][1:]
        depth = (len(name) - len(name.lstrip())) // 2
        rows.append((depth, name.strip(), int(parts[0].split(":")[1]) / 1e6))
    totals: dict[str, float] = {}
    owner_at: dict[int, str | None] = {}
    for depth, name, own in reversed(rows):  # reversed: every parent before its children
        owner = next((g for g in groups if name == g or name.startswith(g + ".")), None)
        owner = owner or owner_at.get(depth - 1)
        owner_at[depth] = owner
        key = f"import {owner}" if owner else "other imports"
        totals[key] = totals.get(key, 0.0) + own
    return totals


def import_report(cmd: Sequence[str], *, env: dict[str, str], cwd: Path) -> str:
    """What ``python -X importtime`` reports for ``cmd`` (a ``python -m ...`` command)."""
    done = subprocess.run(
        [cmd[0], "-X", "importtime", *cmd[1:]],
        stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
        env=env, cwd=cwd, check=False,
    )  # fmt: skip
    return done.stderr.decode("utf-8", "replace")


def machine_cpu() -> float | None:
    """Seconds of CPU the whole machine has spent busy since boot (None when unknown)."""
    try:
        with open("/proc/stat", encoding="ascii") as fh:
            fields = fh.readline().split()
    except OSError:
        return None
    busy = sum(int(fields[i]) for i in (1, 2, 3, 6, 7, 8))  # user nice system irq softirq steal
    return busy / os.sysconf("SC_CLK_TCK")


def own_cpu() -> float:
    """Seconds of CPU this process and every child it has waited for have used."""
    t = os.times()
    return t.user + t.system + t.children_user + t.children_system


class Interference:
    """CPU that other processes on the machine used while a benchmark ran: they skew it."""

    def __init__(self) -> None:
        self.machine = machine_cpu()
        self.own = own_cpu()
        self.wall = time.perf_counter()

    def foreign(self) -> tuple[float, float] | None:
        """(seconds of others' CPU, the share of the machine's capacity they took)."""
        now = machine_cpu()
        if now is None or self.machine is None:
            return None
        others = max(0.0, (now - self.machine) - (own_cpu() - self.own))
        capacity = (time.perf_counter() - self.wall) * (os.cpu_count() or 1)
        return others, others / capacity if capacity else 0.0


# formatting -----------------------------------------------------------------------------


def seconds(value: float) -> str:
    return f"{value * 1000:.0f} ms" if value < 1 else f"{value:.2f} s"


def megabytes(value: float) -> str:
    return f"{value / MB:.0f} MB"


def times(value: float) -> str:
    return f"{value:.2f}x"


def table(results: Sequence[Result]) -> str:
    """A plain-text table: name, our figure, the reference, the ratio, the goal, met."""
    header = ("benchmark", "ours", "reference", "ratio", "goal", "met")
    rows = [header] + [
        (r.name, r.ours, r.reference, r.ratio, r.goal, {True: "yes", False: "NO", None: "-"}[r.met])
        for r in results
    ]
    widths = [max(len(row[i]) for row in rows) for i in range(len(header))]
    lines = ["  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)) for row in rows]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(line.rstrip() for line in lines)
