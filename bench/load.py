"""A bounded load test of a real ``listen serve`` on 127.0.0.1: ``python bench/load.py``.

For ``--seconds`` (default 20) the service gets, all at once:

- readers: threads asking for the queue, the player, an article and the feed;
- renders: articles POSTed as HTML, rendered by the service's own worker;
- slow upstreams: 45 ``/v1/listen`` calls for pages a local server sends at
  one byte a second.

Meanwhile ``/healthz`` is asked every 50 ms on a connection of its own, and at
the end the service gets SIGTERM. The table shows how quickly ``/healthz``
answered throughout (goal: every answer within 100 ms) and how long the
service took to stop (goal: within 5 s). Everything runs on 127.0.0.1, in a
temporary folder that is removed at the end. Exit status 1 if a goal is missed.
"""

from __future__ import annotations

import argparse
import concurrent.futures
import datetime
import multiprocessing
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
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


def probe_health(base: str, stop: Any, results: Any) -> None:
    """Ask /healthz every HEALTH_EVERY_S until ``stop``; runs in a process of its own, so
    the load generator's threads do not delay it. Sends (latencies in ms, failures)."""
    latencies: list[float] = []
    failed = 0
    with httpx.Client(base_url=base, timeout=5) as client:
        while not stop.is_set():
            start = time.perf_counter()
            try:
                ok = client.get("/healthz").status_code == 200
            except httpx.HTTPError:
                ok = False
            elapsed = (time.perf_counter() - start) * 1000
            if ok:
                latencies.append(elapsed)
            else:
                failed += 1
            stop.wait(max(0.0, HEALTH_EVERY_S - elapsed / 1000))
    results.send((latencies, failed))


def probed(base: str, seconds: float) -> tuple[list[float], int]:
    """``probe_health`` in a fresh process for ``seconds``."""
    spawn = multiprocessing.get_context("spawn")
    stop = spawn.Event()
    receive, send = spawn.Pipe(duplex=False)
    probe = spawn.Process(target=probe_health, args=(base, stop, send))
    probe.start()
    time.sleep(seconds)
    stop.set()
    latencies, failed = receive.recv()
    probe.join()
    return latencies, failed


class Load:
    def __init__(self, base: str, slow: Trickle, seconds: float) -> None:
        self.base, self.slow, self.seconds = base, slow, seconds
        self.stop = threading.Event()
        self.idle_ms: list[float] = []
        self.health_ms: list[float] = []
        self.health_failed = 0
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
        page = SAMPLES[n % len(SAMPLES)].read_text(encoding="utf-8")
        body = {"html": page, "url": f"https://load.example/{n}/{SAMPLES[n % len(SAMPLES)].stem}"}
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


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=20.0, help="how long the load lasts")
    args = parser.parse_args(argv)
    seconds = max(2.0, min(args.seconds, 300.0))
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    with tempfile.TemporaryDirectory(prefix="listen-load-") as tmp, Trickle(1.0) as slow:
        env = {**os.environ, "TMPDIR": tmp, "XDG_CACHE_HOME": f"{tmp}/cache"}
        cmd = [sys.executable, "-m", "listen", "serve", "--port", str(port)]
        cmd += ["--data", f"{tmp}/data", "--allow-host", "127.0.0.1"]
        cmd += ["--allow-private", "127.0.0.1", "--token", TOKEN, "--workers", "1", "--no-demo"]
        proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stderr=subprocess.PIPE, text=True)
        try:
            wait_up(base + "/healthz", 60)
            load = Load(base, slow, seconds)
            load.idle_ms, _ = probed(base, BASELINE_S)  # the same probe, with no load
            pool = concurrent.futures.ThreadPoolExecutor(SLOW_FETCHES + READERS + RENDERS + 2)
            for i in range(RENDERS):  # first, so the write limit leaves room for them
                pool.submit(load.render, i)
            for i in range(SLOW_FETCHES):
                pool.submit(load.listen_slow, i)
            for i in range(READERS):
                pool.submit(load.read, i)
            load.health_ms, load.health_failed = probed(base, seconds)
            in_flight = slow.open
            load.stop.set()  # the readers stop first: what follows measures the stop alone
            stop_start = time.monotonic()
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
            stop_s = time.monotonic() - stop_start
            load.stop.set()
            pool.shutdown(wait=True, cancel_futures=True)
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
    return report(load, in_flight, stop_s, seconds)


def percentiles(ms: list[float]) -> str:
    if not ms:
        return "none"
    ms = sorted(ms)
    p99 = ms[min(len(ms) - 1, int(len(ms) * 0.99))]
    return f"{statistics.median(ms):.1f} / {p99:.1f} / {ms[-1]:.1f} ms"


def report(load: Load, in_flight: int, stop_s: float, seconds: float) -> int:
    worst = max(load.health_ms, default=float("inf"))
    ok_health = load.health_failed == 0 and worst <= GOAL_HEALTH_MS
    ok_stop = stop_s <= GOAL_STOP_S
    today = datetime.date.today().isoformat()
    busy = os.getloadavg()[0]
    print(
        f"listen serve under load, {today}: {os.cpu_count()} cores, load average {busy:.1f} "
        f"at the end, {seconds:g} s of load"
    )
    print("| figure | value | goal |\n|---|---|---|")
    print(f"| /healthz, no load: median / p99 / worst | {percentiles(load.idle_ms)} | |")
    print(
        f"| /healthz under load: median / p99 / worst | {percentiles(load.health_ms)} "
        f"| worst ≤ {GOAL_HEALTH_MS:g} ms |"
    )
    answered = f"{len(load.health_ms)}, {load.health_failed} failed"
    print(f"| /healthz answers under load | {answered} | all |")
    print(f"| slow fetches in flight at SIGTERM | {in_flight} of {SLOW_FETCHES} asked | ≤ 4 |")
    print(f"| stop after SIGTERM | {stop_s:.2f} s | ≤ {GOAL_STOP_S:g} s |")
    for key, n in sorted(load.codes.items()):
        print(f"| answers: {key} | {n} | |")
    return 0 if ok_health and ok_stop else 1


if __name__ == "__main__":
    raise SystemExit(main())
