"""The Listen service: its app factory with real workers, real uvicorn and Redis, SSRF attempts."""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from starlette.testclient import TestClient

from listen.publish.server import Settings, create_app
from tests.conftest import ROOT, LocalServer, decode_mp3, rms

TOKEN = "s3cret-token"
AUTH = {"Authorization": f"Bearer {TOKEN}"}


def settings(tmp_path: Path, **overrides: Any) -> Settings:
    values: dict[str, Any] = {"data_dir": tmp_path / "data", "token": TOKEN, "workers": 1}
    values.update(overrides)
    return Settings(**values)


def wait_ready(
    get: Callable[[str], httpx.Response], aid: str, timeout: float = 90
) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        body = get(f"/v1/articles/{aid}").json()
        if body["state"] in ("ready", "failed"):
            return dict(body)
        time.sleep(0.25)
    raise AssertionError(f"article {aid} did not finish in {timeout} s")


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    """One app with one real render worker for the whole module."""
    tmp = tmp_path_factory.mktemp("service")
    app = create_app(settings(tmp, read_rate=(10_000, 60.0), write_rate=(10_000, 60.0)))
    with TestClient(app) as test_client:
        yield test_client


def post_html(client: TestClient, path: Path, url: str | None = None) -> httpx.Response:
    html = path.read_text(encoding="utf-8")
    return client.post(
        "/v1/articles",
        json={"html": html, "url": url or f"https://example.org/{path.stem}"},
        headers=AUTH,
    )


def test_life_cycle_with_ranges_and_caching(
    client: TestClient, sample: Callable[[str], Path]
) -> None:
    posted = post_html(client, sample("almayadeen-es"))
    assert posted.status_code == 202
    body = posted.json()
    assert body["state"] in ("queued", "rendering", "ready") and body["language"] == "es"
    assert posted.headers["location"] == f"/v1/articles/{body['id']}"
    done = wait_ready(client.get, body["id"])
    assert done["state"] == "ready", done
    assert done["duration_ms"] > 60_000
    audio_url = done["links"]["audio"]

    full = client.get(audio_url)
    assert full.status_code == 200 and full.headers["content-type"] == "audio/mpeg"
    assert full.headers["accept-ranges"] == "bytes"
    assert "max-age" in full.headers["cache-control"]
    part = client.get(audio_url, headers={"Range": "bytes=100-1099"})
    assert part.status_code == 206
    assert part.headers["content-range"] == f"bytes 100-1099/{len(full.content)}"
    assert part.content == full.content[100:1100]
    etag = full.headers["etag"]
    assert client.get(audio_url, headers={"If-None-Match": etag}).status_code == 304

    for key, media in (
        ("transcript", "text/vtt"),
        ("timings", "application/json"),
        ("chapters", "application/json+chapters"),
    ):
        response = client.get(done["links"][key])
        assert response.status_code == 200 and response.headers["content-type"].startswith(media)
    assert client.get(done["links"]["transcript"]).text.startswith("WEBVTT")
    timings = client.get(done["links"]["timings"]).json()
    assert timings["duration_ms"] == done["duration_ms"]

    tmp = Path(client.app.state.service.settings.data_dir)  # type: ignore[attr-defined]
    mp3 = tmp / "articles" / body["id"] / "audio.mp3"
    assert rms(decode_mp3(mp3).pcm) > 500


def test_same_article_same_id_and_one_render(
    client: TestClient, sample: Callable[[str], Path]
) -> None:
    first = post_html(client, sample("almayadeen-ar")).json()
    again = post_html(client, sample("almayadeen-ar")).json()
    assert first["id"] == again["id"]
    done = wait_ready(client.get, first["id"])
    assert done["state"] == "ready"
    assert post_html(client, sample("almayadeen-ar")).json()["state"] == "ready"


def test_a_changed_article_renders_only_what_changed(
    client: TestClient, sample: Callable[[str], Path], tmp_path: Path
) -> None:
    page = sample("almayadeen-en-cia")
    first = post_html(client, page, url="https://example.org/changing").json()
    wait_ready(client.get, first["id"])
    edited = tmp_path / "edited.html"
    edited.write_text(
        page.read_text(encoding="utf-8").replace(
            "These previously undisclosed operations coincided",
            "These operations, never disclosed before, coincided",
        ),
        encoding="utf-8",
    )
    second = post_html(client, edited, url="https://example.org/changing").json()
    assert second["id"] != first["id"]
    done = wait_ready(client.get, second["id"])
    assert done["render"] == {"synthesized": 1, "cached": done["render"]["cached"]}
    assert done["render"]["cached"] > 10


@pytest.mark.parametrize(
    ("kwargs", "status", "needle"),
    [
        ({"content": b"not json"}, 400, "must be JSON"),
        ({"json": ["a list"]}, 400, "an object"),
        ({"json": {"html": "<p>x</p>"}}, 400, '"url" must be'),
        ({"json": {"url": "ftp://example.org/a"}}, 400, '"url" must be'),
        ({"json": {"url": "https://example.org/a", "html": 5}}, 400, '"html" must be'),
        ({"json": {"url": "https://example.org/a", "colour": 1}}, 400, "an object"),
        (
            {
                "json": {
                    "url": "https://example.org/a",
                    # one short line among a page of links: no article (a page whose
                    # whole text is one line is read as it is)
                    "html": "<html><body><p>Short.</p>"
                    + "".join(f'<a href="/s{i}">Section {i}</a> ' for i in range(20))
                    + "</body></html>",
                }
            },
            422,
            "no article found",
        ),
        ({"json": {"url": "https://not-allowed.example/a"}}, 403, "allow-list"),
    ],
)
def test_bad_requests(client: TestClient, kwargs: dict[str, Any], status: int, needle: str) -> None:
    response = client.post("/v1/articles", headers=AUTH, **kwargs)
    assert response.status_code == status, response.text
    assert needle in response.json()["error"]


def test_too_large(client: TestClient) -> None:
    big = {"url": "https://example.org/big", "html": "<p>" + "a" * (11 * 1024 * 1024) + "</p>"}
    response = client.post("/v1/articles", headers=AUTH, json=big)
    assert response.status_code == 413 and "limit" in response.json()["error"]
    huge = b"x" * (13 * 1024 * 1024)
    response = client.post(
        "/v1/articles", headers={**AUTH, "Content-Type": "application/json"}, content=huge
    )
    assert response.status_code == 413


def test_writes_need_the_token(client: TestClient) -> None:
    body = {"url": "https://example.org/a"}
    assert client.post("/v1/articles", json=body).status_code == 401
    wrong = client.post("/v1/articles", json=body, headers={"Authorization": "Bearer nope"})
    assert wrong.status_code == 401 and wrong.headers["www-authenticate"] == "Bearer"


def test_not_found(client: TestClient) -> None:
    assert client.get("/v1/articles/" + "0" * 32).status_code == 404
    assert client.get("/v1/articles/../../etc/passwd").status_code == 404
    assert client.get("/v1/articles/%2e%2e%2fsecret/audio.mp3").status_code == 404
    response = client.get("/v1/articles/nothex")
    assert response.status_code == 404 and response.json() == {"error": "no such article"}
    assert client.get("/nowhere").status_code == 404
    assert client.get("/feeds/xx.xml").status_code == 404


def test_health_metrics_player_and_demo(client: TestClient) -> None:
    health = client.get("/healthz").json()
    assert health["status"] == "ok" and health["local_workers"] is True
    metrics = client.get("/metrics").text
    assert "listen_http_requests_total{" in metrics and 'listen_articles{state="ready"}' in metrics
    if (ROOT / "listen/publish/server/static/player.js").exists():
        assert client.get("/player.js").headers["content-type"].startswith("text/javascript")
        demo = client.get("/demo", params={"url": 'https://x.org/"><script>alert(1)</script>'})
        assert demo.status_code == 200
        assert "<script>alert(1)</script>" not in demo.text and "&lt;script&gt;" in demo.text


def test_rate_limit(tmp_path: Path) -> None:
    app = create_app(settings(tmp_path, workers=0, read_rate=(3, 60.0)))
    with TestClient(app) as limited:
        codes = [limited.get("/v1/articles/" + "0" * 32).status_code for _ in range(5)]
    assert codes[:3] == [404, 404, 404]
    assert codes[3] == 429
    assert "listen_rate_limited_total 2.0" in TestClient(app).get("/metrics").text


def test_ssrf_is_refused(
    tmp_path: Path, server: LocalServer, sample: Callable[[str], Path]
) -> None:
    page = server.add("/news/a", sample("almayadeen-en-cia").read_bytes())
    port = server.httpd.server_address[1]
    server.add(
        "/to-private", b"", status=302, headers={"Location": f"http://127.0.0.2:{port}/news/a"}
    )
    server.add("/to-file", b"", status=302, headers={"Location": "file:///etc/passwd"})
    server.add(
        "/to-metadata",
        b"",
        status=302,
        headers={"Location": "http://169.254.169.254/latest/meta-data"},
    )
    allow = ("127.0.0.1", "127.0.0.2", "localhost", "169.254.169.254")

    strict = create_app(settings(tmp_path / "a", workers=0, allow_hosts=allow))
    with TestClient(strict) as c:
        # on the allow-list, but loopback: refused after resolution
        for url in (page, f"http://localhost:{port}/news/a"):
            response = c.get("/v1/listen", params={"url": url})
            assert response.status_code == 403 and "may not fetch" in response.json()["error"], url
        response = c.get("/v1/listen", params={"url": "http://elsewhere.example/a"})
        assert response.status_code == 403 and "allow-list" in response.json()["error"]
        assert c.get("/v1/listen", params={"url": "file:///etc/passwd"}).status_code == 400
        assert c.get("/v1/listen", params={"url": "gopher://127.0.0.1/"}).status_code == 400

    tests_only = create_app(
        settings(tmp_path / "b", workers=0, allow_hosts=allow, allow_private=("127.0.0.1",))
    )
    with TestClient(tests_only) as c:
        assert c.get("/v1/listen", params={"url": page}).status_code == 202  # explicitly allowed
        for hop, needle in (
            ("/to-private", "may not fetch"),
            ("/to-file", "only http"),
            ("/to-metadata", "may not fetch"),
        ):
            response = c.get("/v1/listen", params={"url": server.base + hop})
            assert response.status_code == 403, (hop, response.text)
            assert needle in response.json()["error"], hop
        posted = c.post("/v1/articles", json={"url": server.base + "/to-private"}, headers=AUTH)
        assert posted.status_code == 403


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def serve_command(port: int, data: Path, *options: str) -> list[str]:
    return [
        sys.executable,
        "-m",
        "listen",
        "serve",
        "--port",
        str(port),
        "--data",
        str(data),
        *options,
    ]


@contextlib.contextmanager
def running(
    cmd: list[str], port: int, env: dict[str, str] | None = None
) -> Iterator[subprocess.Popen[bytes]]:
    proc = subprocess.Popen(
        cmd,
        cwd=ROOT,
        env={**os.environ, **(env or {})},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            with (
                contextlib.suppress(OSError),
                socket.create_connection(("127.0.0.1", port), timeout=0.2),
            ):
                break
            if proc.poll() is not None:
                raise AssertionError(proc.stderr.read().decode() if proc.stderr else "exited")
            time.sleep(0.1)
        yield proc
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()


def test_real_uvicorn_renders_once_under_concurrent_load(
    tmp_path: Path, server: LocalServer, sample: Callable[[str], Path]
) -> None:
    article = server.add("/news/feature", sample("almayadeen-en-cheap").read_bytes())
    port = free_port()
    cmd = serve_command(
        port,
        tmp_path / "d",
        "--allow-host",
        "127.0.0.1",
        "--allow-private",
        "127.0.0.1",
        "--workers",
        "2",
        "--no-demo",
    )
    with running(cmd, port, env={"LISTEN_API_TOKEN": TOKEN}):
        base = f"http://127.0.0.1:{port}"
        answers: list[httpx.Response] = []

        def ask() -> None:
            answers.append(httpx.get(f"{base}/v1/listen", params={"url": article}, timeout=60))

        threads = [threading.Thread(target=ask) for _ in range(24)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert {a.status_code for a in answers} <= {200, 202}
        ids = {a.json()["id"] for a in answers}
        assert len(ids) == 1
        done = wait_ready(lambda p: httpx.get(base + p, timeout=30), ids.pop())
        assert done["state"] == "ready"
        metrics = httpx.get(f"{base}/metrics").text
        assert "listen_renders_enqueued_total 1.0" in metrics
        assert len(server.requests) == 1  # one fetch of the page, however many clients asked
        again = httpx.get(f"{base}/v1/listen", params={"url": article})
        assert again.status_code == 200 and again.json()["links"]["audio"].endswith("/audio.mp3")
        ranged = httpx.get(base + done["links"]["audio"], headers={"Range": "bytes=0-9"})
        assert ranged.status_code == 206 and len(ranged.content) == 10
        token_post = httpx.post(
            f"{base}/v1/articles", json={"url": article}, headers=AUTH, timeout=60
        )
        assert token_post.status_code == 202 and token_post.json()["id"] == done["id"]


@pytest.fixture
def redis_url(tmp_path: Path) -> Iterator[str]:
    binary = shutil.which("redis-server")
    if binary is None:
        pytest.skip("redis-server is not installed (apt-get install redis-server)")
    port = free_port()
    cmd = [
        binary,
        "--port",
        str(port),
        "--bind",
        "127.0.0.1",
        "--save",
        "",
        "--appendonly",
        "no",
        "--dir",
        str(tmp_path),
    ]
    with running(cmd, port):
        yield f"redis://127.0.0.1:{port}/0"


def test_redis_broker_with_a_separate_worker(
    tmp_path: Path, redis_url: str, sample: Callable[[str], Path]
) -> None:
    data = tmp_path / "shared"
    app = create_app(settings(tmp_path, data_dir=data, broker=redis_url, workers=0))
    worker = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "listen",
            "worker",
            "--broker",
            redis_url,
            "--data",
            str(data),
            "--workers",
            "1",
        ],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        with TestClient(app) as c:
            posted = post_html(c, sample("almayadeen-es"), url="https://example.org/redis")
            assert posted.status_code == 202
            done = wait_ready(c.get, posted.json()["id"])
            assert done["state"] == "ready", done
            assert c.get(done["links"]["audio"]).status_code == 200
            assert c.get("/healthz").json()["local_workers"] is False
    finally:
        worker.terminate()
        worker.wait(timeout=30)
    assert worker.returncode is not None


def test_unsupported_broker_is_one_line() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "listen", "worker", "--broker", "amqp://x", "--data", "/tmp/x"],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 1
    assert (
        result.stderr.strip() == "Error: unsupported broker 'amqp://x' (use redis://HOST:PORT/DB)"
    )


def test_json_errors_escape_their_content(client: TestClient) -> None:
    response = client.get("/v1/listen", params={"url": 'https://evil.example/"<x>'})
    assert response.headers["content-type"] == "application/json"
    assert json.loads(response.text)["error"]  # valid JSON whatever the URL held


def test_a_new_user_presses_listen_on_the_demo(
    tmp_path: Path, tmp_path_factory: pytest.TempPathFactory
) -> None:
    """The README's promise, in real Chromium against a real `listen serve`: the demo page,
    the Listen button, the audio playing with its sentences lighting up, the episode in the feed."""
    import feedparser

    from tests.browser import (
        axe_or_skip,
        chromium_or_skip,
        describe_violations,
        launch_chromium,
        run_axe,
    )

    chromium = chromium_or_skip()
    axe = axe_or_skip()
    port = free_port()
    cmd = serve_command(port, tmp_path / "d", "--workers", "1")
    with (
        running(cmd, port),
        launch_chromium(
            tmp_path_factory.mktemp("br"),
            executable=chromium,  # short: Chromium's socket path is limited
        ) as context,
    ):
        base = f"http://127.0.0.1:{port}"
        page = context.new_page()
        page.goto(f"{base}/demo")
        page.wait_for_selector(".listen-play", timeout=60_000)
        audio = "document.querySelector('.listen-player audio')"
        page.wait_for_function(f"() => {audio} && {audio}.paused", timeout=60_000)
        page.wait_for_timeout(500)
        assert page.evaluate(
            f"() => {audio}.paused && {audio}.currentTime === 0"
        )  # nothing on its own
        page.wait_for_selector(".listen-player[data-transcript='ready']", timeout=90_000)
        page.focus(".listen-play")
        page.keyboard.press("Enter")
        page.wait_for_function(f"() => !{audio}.paused && {audio}.currentTime > 1", timeout=20_000)
        lit = ".listen-transcript-body [aria-current='true']"
        first = page.locator(lit).inner_text()
        page.select_option(".listen-speed", "2")
        page.wait_for_function(
            f'(t) => document.querySelector("{lit}")?.innerText !== t', arg=first, timeout=20_000
        )
        assert page.evaluate(f"() => {audio}.currentSrc").startswith(f"{base}/v1/articles/")
        # Opus first, the MP3 after it; Chromium plays the Opus
        sources = f"[...{audio}.querySelectorAll('source')].map((s) => s.type)"
        assert page.evaluate(f"() => {sources}") == ["audio/ogg; codecs=opus", "audio/mpeg"]
        assert page.evaluate(f"() => {audio}.currentSrc").endswith("/audio.opus")
        violations = run_axe(page, axe_js=axe, context=".listen-player")
        assert not violations, describe_violations(violations)

        parsed = feedparser.parse(httpx.get(f"{base}/feeds/en.xml").content)
        assert [e.title for e in parsed.entries] == [
            "CIA flying covert drone to spy on drug cartels in Mexico: CNN"
        ]
        assert parsed.entries[0].enclosures[0].href.startswith(f"{base}/v1/articles/")


# -- bounded work and odd input (issue 12) -------------------------------------------------------


def test_odd_bodies_are_4xx_never_500(client: TestClient) -> None:
    nested = b"[" * 10_000 + b"]" * 10_000
    response = client.post(
        "/v1/articles", headers={**AUTH, "Content-Type": "application/json"}, content=nested
    )
    assert response.status_code == 400 and "must be JSON" in response.json()["error"]
    surrogate = b'{"url": "https://example.org/s", "html": "<p>a \\ud800 b</p>"}'
    response = client.post(
        "/v1/articles", headers={**AUTH, "Content-Type": "application/json"}, content=surrogate
    )
    assert response.status_code == 400 and "surrogate" in response.json()["error"]


def test_an_article_over_the_render_limit_is_refused_up_front(
    tmp_path: Path, sample: Callable[[str], Path]
) -> None:
    from listen.models import RenderOptions

    app = create_app(settings(tmp_path, workers=0, render=RenderOptions(max_minutes=0.5)))
    with TestClient(app) as limited:
        response = post_html(limited, sample("almayadeen-en-cia"))
        assert response.status_code == 422
        assert "the limit is 0.5" in response.json()["error"]
        assert limited.get("/healthz").json()["articles"]["queued"] == 0  # nothing stored


def test_a_killed_render_worker_loses_nothing_and_posting_again_requeues(
    tmp_path: Path, sample: Callable[[str], Path]
) -> None:
    """Issue 12 item 4: the article a killed Huey worker held is picked up again."""
    import signal

    from listen.publish.library import Library

    page = sample("almayadeen-en-cheap")
    app = create_app(settings(tmp_path, read_rate=(10_000, 60.0), write_rate=(10_000, 60.0)))
    db = app.state.service.settings.db_url
    with TestClient(app) as c:
        aid = post_html(c, page, url="https://example.org/killed").json()["id"]
        deadline = time.monotonic() + 60
        owner = None
        while time.monotonic() < deadline and owner is None:
            with Library(db) as library:
                entry = library.by_uid(aid)
            if entry is not None and entry.state == "rendering" and entry.claim_owner:
                owner = entry.claim_owner
            time.sleep(0.02)
        assert owner is not None, "the render never started"
        os.kill(int(owner.split(":")[1]), signal.SIGKILL)  # the worker, mid-render
        done = wait_ready(c.get, aid)
        assert done["state"] == "ready", done  # a new worker took the stale claim over
        with Library(db) as library:
            entry = library.by_uid(aid)
            assert entry is not None and entry.renders == 1 and entry.attempts == 0
            # a claim left by a dead worker (a service restart): posting again re-enqueues
            with library.backend.write() as tx:
                tx.execute(
                    "UPDATE entries SET state = 'rendering', claim_owner = ?, claim_token = 'x',"
                    " lease_until = ? WHERE id = ?",
                    (f"{socket.gethostname()}:999999999:1", time.time() + 600, entry.id),
                )
        before = c.get("/metrics").text.count("listen_renders_enqueued_total 1.0")
        again = post_html(c, page, url="https://example.org/killed")
        assert again.status_code == 202 and again.json()["state"] == "queued"
        assert before == 1 and "listen_renders_enqueued_total 2.0" in c.get("/metrics").text
        assert wait_ready(c.get, aid)["state"] == "ready"
