"""Shared fixtures: an isolated user directory, the samples, a local HTTP server, MP3 decoding."""

from __future__ import annotations

import array
import contextlib
import http.server
import json
import math
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from listen.audio import decode

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "samples"
ARTICLE_SAMPLES = sorted(p for p in SAMPLES.glob("*.html") if "section" not in p.name)
LANGUAGE_SAMPLES = {
    "en": SAMPLES / "almayadeen-en-cia-drones.html",
    "ar": SAMPLES / "almayadeen-ar-tunisia-olive-oil-exports.html",
    "es": SAMPLES / "almayadeen-es-remesas-mexico-record.html",
}


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--update-golden", action="store_true", help="rewrite samples/*.script.json from the code"
    )


@pytest.fixture(scope="session", autouse=True)
def session_dirs(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """User directories for fixtures wider than one test (they start before ``user_dirs``)."""
    home = tmp_path_factory.mktemp("session-home")
    with pytest.MonkeyPatch.context() as patch:
        for var in ("XDG_CONFIG_HOME", "XDG_CACHE_HOME", "XDG_DATA_HOME"):
            patch.setenv(var, str(home / var.lower()))
        yield home


@pytest.fixture(autouse=True)
def user_dirs(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Point every user directory at a temporary one, so tests never read or write ~."""
    home = tmp_path_factory.mktemp("home")
    for var in ("XDG_CONFIG_HOME", "XDG_CACHE_HOME", "XDG_DATA_HOME"):
        monkeypatch.setenv(var, str(home / var.lower()))
    monkeypatch.delenv("LISTEN_VOICES", raising=False)
    monkeypatch.delenv("LISTEN_VOICE", raising=False)
    monkeypatch.delenv("LISTEN_DEBUG", raising=False)
    return home


def load_json(path: Path) -> dict:  # type: ignore[type-arg]
    return json.loads(path.read_text(encoding="utf-8"))


def rms(pcm: bytes) -> float:
    samples = array.array("h", pcm[: len(pcm) // 2 * 2])
    return math.sqrt(sum(s * s for s in samples) / len(samples)) if samples else 0.0


@dataclass
class Decoded:
    pcm: bytes
    sample_rate: int
    duration_s: float = field(init=False)

    def __post_init__(self) -> None:
        self.duration_s = len(self.pcm) / 2 / self.sample_rate


def decode_mp3(path: Path) -> Decoded:
    chunk = decode(str(path))
    return Decoded(chunk.pcm, chunk.sample_rate)


@dataclass
class Route:
    status: int = 200
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    delay_s: float = 0.0


class LocalServer:
    """A tiny HTTP server on 127.0.0.1 whose answers each test sets."""

    def __init__(self) -> None:
        self.routes: dict[str, Route] = {}
        self.requests: list[dict[str, str]] = []
        server = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                server.requests.append(dict(self.headers))
                route = server.routes.get(self.path, Route(404, b"not found"))
                if route.delay_s:
                    threading.Event().wait(route.delay_s)
                self.send_response(route.status)
                for key, value in route.headers.items():
                    self.send_header(key, value)
                self.send_header("Content-Length", str(len(route.body)))
                self.end_headers()
                with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                    self.wfile.write(route.body)

            def log_message(self, *args: object) -> None:
                pass

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.httpd.server_address[1]}"

    def add(
        self,
        path: str,
        body: bytes | str = b"",
        *,
        status: int = 200,
        content_type: str = "text/html; charset=utf-8",
        **kwargs: object,
    ) -> str:
        data = body.encode("utf-8") if isinstance(body, str) else body
        headers = {"Content-Type": content_type, **kwargs.pop("headers", {})}  # type: ignore[dict-item]
        self.routes[path] = Route(status, data, headers, **kwargs)  # type: ignore[arg-type]
        return self.base + path


@pytest.fixture
def server() -> Iterator[LocalServer]:
    srv = LocalServer()
    srv.thread.start()
    try:
        yield srv
    finally:
        srv.httpd.shutdown()
        srv.httpd.server_close()


@pytest.fixture
def sample() -> Callable[[str], Path]:
    def find(prefix: str) -> Path:
        matches = sorted(SAMPLES.glob(f"{prefix}*.html"))
        assert matches, f"no sample {prefix}*"
        return matches[0]

    return find


@dataclass(frozen=True)
class Rendered:
    """A playback queue whose English, Arabic and Spanish samples are rendered."""

    db: Path
    media: Path
    cache: Path


@pytest.fixture(scope="session")
def rendered(tmp_path_factory: pytest.TempPathFactory) -> Rendered:
    """The three language samples queued and rendered once per session (2 jobs), for the queue
    and feed tests; tests that change the database use ``own_copy``."""
    from click.testing import CliRunner

    from listen.cli import cli

    home = tmp_path_factory.mktemp("rendered")
    cache = tmp_path_factory.mktemp("segments")
    db = home / "queue.db"
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("LISTEN_CACHE_DIR", str(cache))
        for args in (["add", *map(str, LANGUAGE_SAMPLES.values())], ["render", "--jobs", "2"]):
            result = CliRunner().invoke(cli, ["queue", *args, "--db", str(db)])
            assert result.exit_code == 0, result.output
    return Rendered(db, home / "media", cache)


@pytest.fixture
def own_copy(rendered: Rendered, tmp_path: Path) -> Path:
    """A copy of the rendered queue's database that a test may change (the media are shared)."""
    import sqlite3

    copy = tmp_path / "queue.db"
    with sqlite3.connect(rendered.db) as source, sqlite3.connect(copy) as target:
        source.backup(target)
    return copy


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[str]:
    """A real PostgreSQL server for the session (Debian's initdb and pg_ctl, a free port)."""
    import shutil
    import tempfile

    from tests.services import postgres_bin, postgres_server

    if postgres_bin() is None:
        pytest.skip("PostgreSQL is not installed (apt-get install postgresql)")
    # Not under pytest's temporary folder: that is private to root, and the server runs as
    # the postgres user.
    folder = Path(tempfile.mkdtemp(prefix="listen-pg-"))
    try:
        with postgres_server(folder) as url:
            yield url
    finally:
        shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture
def postgres_db(postgres_server: str) -> str:
    """A fresh, empty database on the session's PostgreSQL server."""
    from tests.services import fresh_database

    return fresh_database(postgres_server)
