"""A bounded load test of a real ``listen serve`` on 127.0.0.1: ``python bench/load.py``.

For ``--seconds`` (default 20) the service gets, all at once:

- readers: threads asking for the queue, the player, an article and the feed;
- renders: articles POSTed as HTML (en, es, ar), rendered by the service's own worker;
- slow upstreams: 45 ``/v1/listen`` calls for pages a local server sends at
  one byte a second.

Meanwhile ``/healthz`` is asked every 50 ms on a connection of its own, from a
process of its own, first with no load and then under load; at the end the
service gets SIGTERM. The goals: every ``/healthz`` answer within 100 ms, and
the service stopped within 5 s.

The load generator runs in a process of its own at a lower CPU priority
(``nice 10``): on a small machine its threads would otherwise take the cores
the service needs, and it is not what is measured (its clients would be other
machines). What it costs is printed anyway, with what the service, its
worker processes and the rest of the machine used in the same seconds.

For the slowest ``/healthz`` answers the probe also reads how long the
threads of the web process, and its own, were runnable but waiting for a core
meanwhile (``/proc/PID/task/*/schedstat``, Linux; summed over threads): a
slow answer that is mostly such waiting is the machine being busy, not the
service.
``--runs N`` repeats the whole test and ends with one line per run.
Everything runs on 127.0.0.1, in a temporary folder that is removed at the end.
Exit status 1 if a goal is missed.
"""

from __future__ import annotations

import argparse
import concurrent.futures
import datetime
import multiprocessing
import os
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

if __package__ in (None, ""):  # run as a script: make the repository importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import httpx

from tests.slow_upstream import Trickle

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = sorted(p for p in (ROOT / "samples").glob("*.html") if "section" not in p.name)
TOKEN = "load-test-token"
SLOW_FETCHES = 45
READERS = 8
RENDERS = 6
HEALTH_EVERY_S = 0.05
BASELINE_S = 3.0
GOAL_HEALTH_MS = 100.0
GOAL_STOP_S = 5.0
LOAD_NICE = 10
Answer = tuple[float, float, float]  # ms; ms the service's threads, the probe's waited for a core
TICK = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_up(url: str, seconds: float) -> None:
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        try:
            if httpx.get(url, timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.1)
    raise SystemExit(f"the service did not answer {url} within {seconds:g} s")


# -- what the kernel says -------------------------------------------------------------------


def run_wait_ms(pid: int) -> float:
    """How long the threads of ``pid`` have waited, runnable, for a core (ms; 0 off Linux)."""
    total = 0
    try:
        tasks = list(Path(f"/proc/{pid}/task").iterdir())
    except OSError:
        return 0.0
    for task in tasks:
        try:
            total += int((task / "schedstat").read_text().split()[1])
        except (OSError, IndexError, ValueError):
            continue  # a thread that ended meanwhile
    return total / 1e6


def cpu_s(pid: int) -> float:
    """CPU seconds (user + system) used so far by ``pid``; 0 when it is gone."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return 0.0
    fields = stat.rsplit(")", 1)[-1].split()
    return (int(fields[11]) + int(fields[12])) / TICK


def descendants(pid: int) -> list[int]:
    """Every live process under ``pid``."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            ppid = int((entry / "stat").read_text().rsplit(")", 1)[-1].split()[1])
        except (OSError, IndexError, ValueError):
            continue
        children.setdefault(ppid, []).append(int(entry.name))
    found, todo = [], list(children.get(pid, []))
    while todo:
        child = todo.pop()
        found.append(child)
        todo.extend(children.get(child, []))
    return found


def machine_busy_s() -> float:
    """CPU seconds all cores have been busy since boot (0 off Linux)."""
    try:
        fields = Path("/proc/stat").read_text().splitlines()[0].split()[1:]
    except OSError:
        return 0.0
    values = [int(v) for v in fields]
    idle = values[3] + (values[4] if len(values) > 4 else 0)
    return (sum(values[:8]) - idle) / TICK


class CpuMeter:
    """CPU used between ``start`` and ``stop`` by the service, its workers, the load and
    the whole machine. Worker processes are counted while they live (sampled)."""

    def __init__(self, service: int, load: int) -> None:
        self.service, self.load = service, load
        self.workers: dict[int, tuple[float, float]] = {}  # pid -> (first, last) CPU seconds
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    def _sample(self) -> None:
        while True:
            for pid in descendants(self.service):
                used = cpu_s(pid)
                first = self.workers.get(pid, (used, used))[0]
                self.workers[pid] = (first, used)
            if self._stop.wait(0.5):
                return

    def start(self) -> None:
        self.t0 = time.monotonic()
        self.begin = (cpu_s(self.service), cpu_s(self.load), machine_busy_s())
        self._thread.start()

    def stop(self) -> dict[str, float]:
        self._stop.set()
        self._thread.join()
        seconds = time.monotonic() - self.t0
        service = cpu_s(self.service) - self.begin[0]
        load = cpu_s(self.load) - self.begin[1]
        busy = machine_busy_s() - self.begin[2]
        workers = sum(last - first for first, last in self.workers.values())
        return {
            "seconds": seconds,
            "service": service,
            "workers": workers,
            "load": load,
            "others": max(0.0, busy - service - workers - load),
        }


# -- the /healthz probe ---------------------------------------------------------------------


def probe_health(base: str, service: int, stop: Any, results: Any) -> None:
    """Ask /healthz every HEALTH_EVERY_S until ``stop``; runs in a process of its own at the
    normal priority. Sends [(latency ms, and how long the service's threads and the probe's
    own waited for a core meanwhile)], failures."""
    answers: list[Answer] = []
    failed = 0
    with httpx.Client(base_url=base, timeout=5) as client:
        while not stop.is_set():
            waited, mine = run_wait_ms(service), run_wait_ms(os.getpid())
            start = time.perf_counter()
            try:
                ok = client.get("/healthz").status_code == 200
            except httpx.HTTPError:
                ok = False
            elapsed = (time.perf_counter() - start) * 1000
            if ok:
                answers.append(
                    (elapsed, run_wait_ms(service) - waited, run_wait_ms(os.getpid()) - mine)
                )
            else:
                failed += 1
            stop.wait(max(0.0, HEALTH_EVERY_S - elapsed / 1000))
    results.send((answers, failed))


class Probe:
    """``probe_health`` in a fresh process, from ``start`` to ``stop``."""

    def __init__(self, base: str, service: int) -> None:
        spawn = multiprocessing.get_context("spawn")
        self.halt = spawn.Event()
        self.receive, send = spawn.Pipe(duplex=False)
        self.process = spawn.Process(target=probe_health, args=(base, service, self.halt, send))
        self.process.start()

    def stop(self) -> tuple[list[Answer], int]:
        self.halt.set()
        answers, failed = self.receive.recv()
        self.process.join()
        return answers, failed


# -- the load generator, in a process of its own ----------------------------------------------


class Load:
    def __init__(self, base: str, slow: Trickle) -> None:
        self.base, self.slow = base, slow
        self.stop = threading.Event()
        self.codes: Counter[str] = Counter()
        self._lock = threading.Lock()

    def count(self, kind: str, code: int | str) -> None:
        with self._lock:
            self.codes[f"{kind} {code}"] += 1

    def read(self, n: int) -> None:
        paths = ["/v1/queue.json", "/player.js", "/player.css", "/feeds/en.xml"]
        with httpx.Client(base_url=self.base, timeout=10) as client:
            i = n
            while not self.stop.is_set():
                path = paths[i % len(paths)]
                i += 1
                try:
                    self.count("read", client.get(path).status_code)
                except httpx.HTTPError as exc:
                    self.count("read", type(exc).__name__)
                self.stop.wait(0.1)  # a reader asks about ten times a second

    def render(self, n: int) -> None:
        sample = SAMPLES[n % len(SAMPLES)]
        body = {"html": sample.read_text(encoding="utf-8"), "url": f"https://load.example/{n}"}
        try:
            answer = httpx.post(
                f"{self.base}/v1/articles",
                json=body,
                headers={"Authorization": f"Bearer {TOKEN}"},
                timeout=30,
            )
            self.count("render", answer.status_code)
        except httpx.HTTPError as exc:
            self.count("render", type(exc).__name__)

    def listen_slow(self, n: int) -> None:
        url = f"{self.slow.base}/trickle/{n}"
        try:
            answer = httpx.get(f"{self.base}/v1/listen", params={"url": url}, timeout=60)
            self.count("slow listen", answer.status_code)
        except httpx.HTTPError as exc:
            self.count("slow listen", type(exc).__name__)


def generate(base: str, slow_port: Any, stop: Any, done: Any, results: Any) -> None:
    """The load, at nice LOAD_NICE, until ``stop``; then it reports and keeps its slow server
    trickling until ``done`` (the service's stop is measured against open connections)."""
    os.nice(LOAD_NICE)
    with Trickle(1.0) as slow:
        slow_port.send(slow.base)
        load = Load(base, slow)
        pool = concurrent.futures.ThreadPoolExecutor(SLOW_FETCHES + READERS + RENDERS)
        for i in range(RENDERS):  # first, so the write limit leaves room for them
            pool.submit(load.render, i)
        for i in range(SLOW_FETCHES):
            pool.submit(load.listen_slow, i)
        for i in range(READERS):
            pool.submit(load.read, i)
        stop.wait()
        in_flight = slow.open
        load.stop.set()  # the readers stop first: what follows measures the stop alone
        results.send(in_flight)
        done.wait()
        pool.shutdown(wait=True, cancel_futures=True)
        results.send(dict(load.codes))


# -- one run ----------------------------------------------------------------------------------


@dataclass
class Run:
    load_before: float
    idle: list[Answer] = field(default_factory=list)
    busy: list[Answer] = field(default_factory=list)
    failed: int = 0
    in_flight: int = 0
    stop_s: float = 0.0
    cpu: dict[str, float] = field(default_factory=dict)
    codes: dict[str, int] = field(default_factory=dict)

    @property
    def worst(self) -> float:
        return max((a[0] for a in self.busy), default=float("inf"))

    @property
    def ok(self) -> bool:
        return self.failed == 0 and self.worst <= GOAL_HEALTH_MS and self.stop_s <= GOAL_STOP_S


def one_run(seconds: float) -> Run:
    run = Run(load_before=os.getloadavg()[0])
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    spawn = multiprocessing.get_context("spawn")
    with tempfile.TemporaryDirectory(prefix="listen-load-") as tmp:
        env = {**os.environ, "TMPDIR": tmp, "XDG_CACHE_HOME": f"{tmp}/cache"}
        cmd = [sys.executable, "-m", "listen", "serve", "--port", str(port)]
        cmd += ["--data", f"{tmp}/data", "--allow-host", "127.0.0.1"]
        cmd += ["--allow-private", "127.0.0.1", "--token", TOKEN, "--workers", "1", "--no-demo"]
        proc = subprocess.Popen(
            cmd, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True
        )
        try:
            wait_up(base + "/healthz", 60)
            time.sleep(1.0)  # the worker processes finish starting
            probe = Probe(base, proc.pid)  # the same probe, with no load
            time.sleep(BASELINE_S)
            run.idle, _ = probe.stop()
            stop, done = spawn.Event(), spawn.Event()
            slow_port, slow_send = spawn.Pipe(duplex=False)
            receive, send = spawn.Pipe(duplex=False)
            generator = spawn.Process(target=generate, args=(base, slow_send, stop, done, send))
            generator.start()
            slow_port.recv()
            meter = CpuMeter(proc.pid, int(generator.pid or 0))
            meter.start()
            probe = Probe(base, proc.pid)
            time.sleep(seconds)
            run.busy, run.failed = probe.stop()
            run.cpu = meter.stop()
            stop.set()
            run.in_flight = receive.recv()
            stop_start = time.monotonic()
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
            run.stop_s = time.monotonic() - stop_start
            done.set()
            run.codes = receive.recv()
            generator.join()
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
    return run


# -- the printout -----------------------------------------------------------------------------


def percentiles(answers: list[Answer]) -> str:
    if not answers:
        return "none"
    ms = sorted(a[0] for a in answers)
    p99 = ms[min(len(ms) - 1, int(len(ms) * 0.99))]
    return f"{ms[len(ms) // 2]:.1f} / {p99:.1f} / {ms[-1]:.1f} ms"


def slowest(answers: list[Answer], n: int = 3) -> str:
    worst = sorted(answers, reverse=True)[:n]
    return ", ".join(
        f"{ms:.0f} ms (waiting for a core: service {service:.0f}, probe {probe:.0f})"
        for ms, service, probe in worst
    )


def report(run: Run, seconds: float, number: int) -> None:
    cpu = run.cpu
    share = cpu.get("seconds", 1.0)
    print(
        f"\nrun {number}, {datetime.datetime.now():%Y-%m-%d %H:%M}: {os.cpu_count()} cores, "
        f"load average {run.load_before:.2f} before the run, {seconds:g} s of load"
    )
    print("| figure | value | goal |\n|---|---|---|")
    print(f"| /healthz, no load: median / p99 / worst | {percentiles(run.idle)} | |")
    goal = f"worst ≤ {GOAL_HEALTH_MS:g} ms"
    print(f"| /healthz under load: median / p99 / worst | {percentiles(run.busy)} | {goal} |")
    print(f"| /healthz under load: slowest answers | {slowest(run.busy)} | |")
    print(f"| /healthz answers under load | {len(run.busy)}, {run.failed} failed | all |")
    print(f"| slow fetches in flight at SIGTERM | {run.in_flight} of {SLOW_FETCHES} asked | ≤ 4 |")
    print(f"| stop after SIGTERM | {run.stop_s:.2f} s | ≤ {GOAL_STOP_S:g} s |")
    for who, label in (
        ("service", "the web process"),
        ("workers", "its worker processes (renders, page reading)"),
        ("load", f"the load generator (nice {LOAD_NICE})"),
        ("others", "everything else on the machine"),
    ):
        used = cpu.get(who, 0.0)
        print(f"| CPU under load: {label} | {used:.1f} s ({used / share:.0%} of a core) | |")
    for key, n in sorted(run.codes.items()):
        print(f"| answers: {key} | {n} | |")


def summary(runs: list[Run]) -> None:
    print("\n| run | load average before | /healthz p99 / worst under load | stop | goals |")
    print("|---|---|---|---|---|")
    for i, run in enumerate(runs, 1):
        ms = sorted(a[0] for a in run.busy) or [float("inf")]
        p99 = ms[min(len(ms) - 1, int(len(ms) * 0.99))]
        print(
            f"| {i} | {run.load_before:.2f} | {p99:.1f} / {run.worst:.1f} ms "
            f"| {run.stop_s:.2f} s | {'met' if run.ok else 'missed'} |"
        )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=20.0, help="how long the load lasts")
    parser.add_argument("--runs", type=int, default=1, help="how many runs in a row")
    args = parser.parse_args(argv)
    seconds = max(2.0, min(args.seconds, 300.0))
    runs = []
    for number in range(1, max(1, min(args.runs, 20)) + 1):
        runs.append(one_run(seconds))
        report(runs[-1], seconds, number)
        sys.stdout.flush()
    if len(runs) > 1:
        summary(runs)
    return 0 if all(run.ok for run in runs) else 1


if __name__ == "__main__":
    raise SystemExit(main())
