"""The service under a slow upstream and a careless or hostile client (issue 12, items 2 and
6; issue 13's serve items): bounded fetches, limits nobody escapes, one-line start-up errors,
a quick stop on SIGTERM."""

from __future__ import annotations

import concurrent.futures
import contextlib
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from click.testing import CliRunner
from starlette.testclient import TestClient

from listen import fetch
from listen.cli import cli
from listen.publish.server import Settings, create_app
from tests.conftest import ROOT, LocalServer
from tests.slow_upstream import trickling, wait_for

TOKEN = "s3cret-token"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def app_client(tmp_path: Path) -> Iterator[TestClient]:
    settings = Settings(
        data_dir=tmp_path / "data",
        token=TOKEN,
        workers=0,
        allow_hosts=("127.0.0.1",),
        allow_private=("127.0.0.1",),
    )
    with TestClient(create_app(settings)) as client:
        yield client


def service(client: TestClient) -> Any:
    return client.app.state.service  # type: ignore[attr-defined]


# -- rate-limit gaps ------------------------------------------------------------------------


def test_wrong_tokens_are_limited(app_client: TestClient) -> None:
    body = {"url": "https://example.org/a"}
    codes = [
        app_client.post(
            "/v1/articles", json=body, headers={"Authorization": f"Bearer guess-{i}"}
        ).status_code
        for i in range(12)
    ]
    assert codes[:10] == [401] * 10
    assert codes[10:] == [429, 429]
    right = app_client.post("/v1/articles", json=body, headers={"Authorization": f"Bearer {TOKEN}"})
    assert right.status_code == 429  # a guesser does not get to try the next one yet
    assert "Retry-After" in right.headers


def test_a_failed_url_is_remembered(app_client: TestClient, server: LocalServer) -> None:
    url = server.base + "/gone"
    answers = [app_client.get("/v1/listen", params={"url": url}) for _ in range(5)]
    assert {a.status_code for a in answers} == {502}
    assert all("HTTP 404" in a.json()["error"] for a in answers)
    assert len(server.requests) == 1  # fetched once, not on every call


def test_the_per_url_lock_table_does_not_grow(app_client: TestClient) -> None:
    svc = service(app_client)
    svc.writes.capacity = svc.writes.refill = 1e9  # many requests from one client
    for i in range(100):
        app_client.get("/v1/listen", params={"url": f"https://not-allowed.example/{i}"})
        app_client.get("/v1/listen", params={"url": f"http://127.0.0.1:9/closed/{i}"})
    assert len(svc.url_locks) == 0
    assert len(svc.failures) <= svc.failures.max_urls


def test_no_free_fetch_slot_is_503(app_client: TestClient) -> None:
    slots = service(app_client).fetch_slots
    assert (slots.total, slots.per_host) == Settings(data_dir=Path()).fetch_slots
    with contextlib.ExitStack() as taken:
        for _ in range(slots.per_host):
            taken.enter_context(slots.claim("127.0.0.1", 0))  # every slot for this host
        answer = app_client.get("/v1/listen", params={"url": "http://127.0.0.1:9/a"})
    assert answer.status_code == 503 and "too many fetches" in answer.json()["error"]
    assert len(service(app_client).failures) == 0  # busy is about us, not about the URL


@pytest.mark.parametrize(
    "url", ["http://[::1", "http://127.0.0.1:99999/a", "http://127.0.0.1/a b", "http://x/\r\nX: y"]
)
def test_a_url_no_request_can_be_made_of_is_400(app_client: TestClient, url: str) -> None:
    answer = app_client.get("/v1/listen", params={"url": url})
    assert answer.status_code == 400, answer.text
    posted = app_client.post(
        "/v1/articles", json={"url": url}, headers={"Authorization": f"Bearer {TOKEN}"}
    )
    assert posted.status_code == 400, posted.text
    assert "internal error" not in answer.text + posted.text


# -- a real `listen serve` with 45 slow fetches in flight -----------------------------------


def test_slow_upstreams_leave_the_service_answering_and_sigterm_stops_it(
    tmp_path: Path,
) -> None:
    port = free_port()
    cmd = [sys.executable, "-m", "listen", "serve", "--port", str(port), "--data"]
    cmd += [str(tmp_path / "d"), "--allow-host", "127.0.0.1", "--allow-private", "127.0.0.1"]
    cmd += ["--workers", "0", "--no-demo"]
    base = f"http://127.0.0.1:{port}"
    with trickling(interval=1.0) as slow:
        proc = subprocess.Popen(cmd, cwd=ROOT, stderr=subprocess.PIPE, text=True)
        try:
            assert wait_for(lambda: _answers(base + "/healthz"), 60), "the service did not start"
            pool = concurrent.futures.ThreadPoolExecutor(max_workers=60)
            calls = [
                pool.submit(_get, f"{base}/v1/listen?url={slow.base}/trickle/{i}", 60)
                for i in range(45)
            ]
            assert wait_for(lambda: slow.open >= 4, 10)
            # The other 41 are answered at once (503 no fetch slot, or 429), not queued.
            assert wait_for(lambda: sum(c.done() for c in calls) >= 41, 10)
            for path in ("/healthz", "/player.js", "/player.css", "/v1/queue.json"):
                start = time.monotonic()
                answer = httpx.get(base + path, timeout=5)
                assert answer.status_code == 200, (path, answer.text)
                assert time.monotonic() - start < 2.0, path  # bench/load.py measures it finer
            assert slow.open <= 4  # per-host cap: the other fetches were refused at once
            # Rotating X-Forwarded-For from 127.0.0.1 is no way around the write limit.
            spoofed = [
                httpx.get(
                    f"{base}/v1/listen",
                    params={"url": f"{slow.base}/trickle/x{i}"},
                    headers={"X-Forwarded-For": f"203.0.113.{i}"},
                    timeout=5,
                ).status_code
                for i in range(20)
            ]
            assert spoofed.count(429) >= 15, spoofed
            start = time.monotonic()
            proc.send_signal(signal.SIGTERM)
            proc.wait(timeout=10)
            assert time.monotonic() - start < 5
            codes = [c.result(timeout=10) for c in calls]
            assert codes.count(503) + codes.count(429) >= 41, codes
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
            pool.shutdown(wait=False, cancel_futures=True)
    assert proc.stderr is not None
    assert "Traceback" not in proc.stderr.read()


def _answers(url: str) -> bool:
    try:
        return httpx.get(url, timeout=1).status_code == 200
    except httpx.HTTPError:
        return False


def _get(url: str, timeout: float) -> int:
    try:
        return httpx.get(url, timeout=timeout).status_code
    except httpx.HTTPError:
        return 0  # cut off by the shutdown


# -- start-up: one line for each thing that is missing --------------------------------------


def test_a_busy_port_is_one_line_and_nothing_announced(tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = CliRunner().invoke(
            cli, ["serve", "--port", str(port), "--data", str(tmp_path), "--no-demo"]
        )
    assert result.exit_code == 1
    lines = result.output.strip().splitlines()
    assert len(lines) == 1, result.output
    assert f"cannot listen on 127.0.0.1:{port}" in lines[0] and "in use" in lines[0]
    assert "Listen service on" not in result.output


def test_serve_port_has_help_and_is_checked(tmp_path: Path) -> None:
    help_text = CliRunner().invoke(cli, ["serve", "--help"]).output
    assert "TCP port to listen on" in help_text
    assert "--forwarded-allow-ips" in help_text
    for bad in ("99999", "0", "http"):
        result = CliRunner().invoke(cli, ["serve", "--port", bad, "--data", str(tmp_path)])
        assert result.exit_code == 2 and "--port" in result.output, bad


def test_bad_forwarded_ips_are_refused(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        cli, ["serve", "--data", str(tmp_path), "--forwarded-allow-ips", "10.0.0.1,proxy"]
    )
    assert result.exit_code == 2 and "'proxy' is not an IP address" in result.output


@pytest.mark.parametrize("command", ["serve", "worker"])
def test_without_the_serve_extra_it_says_how_to_install_it(
    command: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "uvicorn", None)  # what a CLI-only install looks like
    args = [command, "--data", str(tmp_path)]
    if command == "worker":
        args += ["--broker", "redis://127.0.0.1:9/0"]
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 1
    assert result.output.strip().count("\n") == 0
    assert "pip install 'listen-aloud[serve]'" in result.output and "uvicorn" in result.output


def test_serve_with_redis_down_is_one_line(tmp_path: Path) -> None:
    broker = f"redis://127.0.0.1:{free_port()}/0"
    start = time.monotonic()
    result = CliRunner().invoke(cli, ["serve", "--data", str(tmp_path), "--broker", broker])
    assert time.monotonic() - start < 5
    assert result.exit_code == 1
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and f"cannot reach the broker {broker}" in lines[0], result.output


def test_a_worker_with_redis_down_says_so_once_and_waits(tmp_path: Path) -> None:
    broker = f"redis://127.0.0.1:{free_port()}/0"
    cmd = [sys.executable, "-m", "listen", "worker", "--broker", broker, "--data", str(tmp_path)]
    proc = subprocess.Popen(
        cmd,
        cwd=ROOT,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    assert proc.stderr is not None
    watchdog = threading.Timer(60, proc.kill)  # a worker that never speaks fails, not hangs
    watchdog.start()
    try:
        first = proc.stderr.readline()  # once started, it says so at once
        time.sleep(3)  # then a few retries with backoff, silently
        assert proc.poll() is None  # still waiting for the broker
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=5)
    finally:
        watchdog.cancel()
        if proc.poll() is None:
            proc.kill()
    assert "cannot reach the broker" in first and "retrying" in first
    assert proc.stderr.read().strip() == ""  # one line, however many retries


def test_a_worker_whose_redis_goes_away_says_so_in_one_line(tmp_path: Path) -> None:
    import shutil

    from tests.test_server import running

    binary = shutil.which("redis-server")
    if binary is None:
        pytest.skip("redis-server is not installed (apt-get install redis-server)")
    port = free_port()
    redis_cmd = [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", ""]
    redis_cmd += ["--appendonly", "no", "--dir", str(tmp_path)]
    broker = f"redis://127.0.0.1:{port}/0"
    cmd = [sys.executable, "-m", "listen", "worker", "--broker", broker, "--data"]
    cmd += [str(tmp_path / "d"), "--workers", "1"]
    with running(redis_cmd, port) as redis_server:
        worker = subprocess.Popen(cmd, cwd=ROOT, stderr=subprocess.PIPE, text=True)
        import redis

        probe = redis.Redis(port=port)
        # the consumer is up and polling: its connections are there besides ours
        assert wait_for(lambda: len(probe.client_list()) > 1, 60), "the worker never connected"
        probe.close()
        time.sleep(0.5)
        redis_server.terminate()
        redis_server.wait(timeout=10)
    try:
        time.sleep(4)  # several polls of a broker that is gone
        assert worker.poll() is None
        worker.send_signal(signal.SIGTERM)
        worker.wait(timeout=15)
    finally:
        if worker.poll() is None:
            worker.kill()
    assert worker.stderr is not None
    lines = worker.stderr.read().strip().splitlines()
    assert "Traceback" not in "\n".join(lines)
    assert 1 <= len(lines) <= 3, lines
    assert any(broker in line or "broker" in line for line in lines), lines


def test_heavy_work_leaves_threads_for_the_cheap_routes(tmp_path: Path) -> None:
    """Even with no fetch cap at all, fetches and extractions wait for each other in their
    own few threads: 45 of them cannot take the pool the health and static routes use."""
    import uvicorn

    settings = Settings(
        data_dir=tmp_path / "data",
        workers=0,
        allow_hosts=("127.0.0.1",),
        allow_private=("127.0.0.1",),
        fetch_slots=(1000, 1000),
        heavy_threads=8,
        write_rate=(10_000, 60.0),
        fetch_deadline_s=5,
    )
    app = create_app(settings)
    with socket.socket() as sock, trickling(interval=1.0) as slow:
        sock.bind(("127.0.0.1", 0))
        base = f"http://127.0.0.1:{sock.getsockname()[1]}"
        config = uvicorn.Config(app, log_level="warning", timeout_graceful_shutdown=1)
        server = uvicorn.Server(config)
        thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
        thread.start()
        pool = concurrent.futures.ThreadPoolExecutor(max_workers=50)
        try:
            assert wait_for(lambda: _answers(base + "/healthz"), 30)
            for i in range(45):
                pool.submit(_get, f"{base}/v1/listen?url={slow.base}/trickle/{i}", 30)
            assert wait_for(lambda: slow.open >= 8, 10)
            time.sleep(0.5)
            for path in ("/healthz", "/player.js", "/v1/queue.json"):
                start = time.monotonic()
                assert httpx.get(base + path, timeout=10).status_code == 200, path
                assert time.monotonic() - start < 2.0, path
            assert slow.open <= 8 and app.state.service.heavy.running <= 8
        finally:
            fetch.abort_all()
            server.should_exit = True
            thread.join(timeout=10)
            pool.shutdown(wait=False, cancel_futures=True)
