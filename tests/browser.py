"""Real-browser test helpers: a Range-capable static server, headless Chromium, axe-core.

    RangeHTTPServer       serve a folder on 127.0.0.1, with HTTP Range (Chromium seeks <audio> so)
    launch_chromium()     Debian's chromium driven by Playwright, profile and temp files in a dir
    chromium_or_skip()    the browser's path, or pytest.skip with the command that installs it
    axe_or_skip()         axe.min.js from npm, or pytest.skip with the command that installs it
    run_axe(page)         axe-core's WCAG 2.0/2.1/2.2 A+AA violations on the page, as a list

Nothing here is specific to the player, so the service's tests can use it too:

    @pytest.fixture(scope="module")
    def browser(tmp_path_factory) -> Iterator[BrowserContext]:
        with launch_chromium(tmp_path_factory.mktemp("chromium")) as context:
            yield context

CI installs the browser with ``apt-get install chromium`` and ``pip install playwright`` (never
``playwright install``: it downloads browsers), and axe-core with ``npm ci --prefix tests``.
``LISTEN_CHROMIUM`` and ``LISTEN_AXE_JS`` point at other copies of either.

Run this file to serve a folder by hand (``python tests/browser.py DIR [PORT]``), for example the
output of ``listen speak`` plus ``demo.html``: ``python -m http.server`` cannot seek audio.
"""

from __future__ import annotations

import contextlib
import email.utils
import http.server
import json
import mimetypes
import os
import re
import shutil
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote, urlsplit

import pytest

if TYPE_CHECKING:
    from playwright.sync_api import BrowserContext, Page

TESTS = Path(__file__).resolve().parent
AXE_JS = TESTS / "node_modules" / "axe-core" / "axe.min.js"
CHROMIUM_NAMES = ("chromium", "chromium-browser")

# The flags the project runs Chromium with: no network of its own, no first-run UI, no GPU.
# Never --autoplay-policy=no-user-gesture-required: it would hide a player that plays unasked.
CHROMIUM_ARGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
)

AXE_TAGS = ("wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa")

_RANGE = re.compile(r"^bytes=(\d*)-(\d*)$")
_TYPES = {
    ".mp3": "audio/mpeg",
    ".vtt": "text/vtt; charset=utf-8",
    ".json": "application/json",
    ".js": "text/javascript; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".html": "text/html; charset=utf-8",
}


class _RangeHandler(http.server.BaseHTTPRequestHandler):
    """GET and HEAD for files under ``root``, answering ``Range: bytes=a-b`` with 206."""

    root: Path
    log: list[str]
    protocol_version = "HTTP/1.1"

    def do_HEAD(self) -> None:
        self._serve(body=False)

    def do_GET(self) -> None:
        self._serve(body=True)

    def _serve(self, *, body: bool) -> None:
        self.log.append(f"{self.command} {self.path} {self.headers.get('Range', '')}".strip())
        path = self._file()
        if path is None:
            self._plain(404, "not found")
            return
        size = path.stat().st_size
        start, end = 0, size - 1
        status = 200
        wanted = self.headers.get("Range")
        if wanted:
            match = _RANGE.match(wanted.strip())
            if match is None or match.groups() == ("", ""):
                self._unsatisfiable(size)
                return
            first, last = match.groups()
            if first:
                start = int(first)
                end = min(int(last), size - 1) if last else size - 1
            else:  # bytes=-N: the last N bytes
                start = max(size - int(last), 0)
            if start >= size or start > end:
                self._unsatisfiable(size)
                return
            status = 206
        self.send_response(status)
        self.send_header("Content-Type", self._type(path))
        self.send_header("Accept-Ranges", "bytes")
        self.send_header("Content-Length", str(end - start + 1))
        self.send_header("Last-Modified", email.utils.formatdate(path.stat().st_mtime, usegmt=True))
        self.send_header("Cache-Control", "no-store")
        if status == 206:
            self.send_header("Content-Range", f"bytes {start}-{end}/{size}")
        self.end_headers()
        if not body:
            return
        with path.open("rb") as fh, contextlib.suppress(BrokenPipeError, ConnectionResetError):
            fh.seek(start)
            left = end - start + 1
            while left > 0:
                chunk = fh.read(min(left, 64 * 1024))
                if not chunk:
                    break
                self.wfile.write(chunk)
                left -= len(chunk)

    def _file(self) -> Path | None:
        relative = unquote(urlsplit(self.path).path).lstrip("/")
        path = (self.root / relative).resolve()
        if path.is_dir():
            path = path / "index.html"
        if not path.is_relative_to(self.root) or not path.is_file():
            return None
        return path

    @staticmethod
    def _type(path: Path) -> str:
        return _TYPES.get(path.suffix) or mimetypes.guess_type(path.name)[0] or "text/plain"

    def _unsatisfiable(self, size: int) -> None:
        self.send_response(416)
        self.send_header("Content-Range", f"bytes */{size}")
        self.send_header("Content-Length", "0")
        self.end_headers()

    def _plain(self, status: int, text: str) -> None:
        data = text.encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", "text/plain; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(data)

    def log_message(self, format: str, *args: Any) -> None:
        pass


class RangeHTTPServer:
    """A folder served on 127.0.0.1 from a thread; ``with RangeHTTPServer(d) as srv: srv.url(p)``.

    ``requests`` records "METHOD /path Range" for each request, so a test can tell what a page
    fetched (for instance that nothing asked for the MP3 before the user pressed Play).
    """

    def __init__(self, root: Path, port: int = 0) -> None:
        folder = Path(root).resolve()
        requests: list[str] = []

        class Handler(_RangeHandler):  # a class per server: each has its own root and log
            root = folder
            log = requests

        self.requests = requests
        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", port), Handler)
        self.httpd.daemon_threads = True
        self._thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.httpd.server_address[1]}"

    def url(self, path: str = "") -> str:
        return f"{self.base}/{path.lstrip('/')}"

    def __enter__(self) -> RangeHTTPServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


class BrowserUnavailable(Exception):
    """Chromium, Playwright or axe-core is not installed; the message says how to install it."""


def find_chromium() -> str:
    """The Chromium executable: ``LISTEN_CHROMIUM``, else Debian's ``chromium`` on PATH."""
    configured = os.environ.get("LISTEN_CHROMIUM")
    if configured:
        if not Path(configured).is_file():
            raise BrowserUnavailable(f"LISTEN_CHROMIUM={configured} does not exist")
        return configured
    for name in CHROMIUM_NAMES:
        found = shutil.which(name)
        if found:
            return found
    raise BrowserUnavailable(
        "chromium not found: install it with `apt-get install chromium` "
        "(or set LISTEN_CHROMIUM to a Chromium executable)"
    )


def find_axe() -> Path:
    """axe-core's ``axe.min.js``: ``LISTEN_AXE_JS``, else ``tests/node_modules`` (npm ci)."""
    path = Path(os.environ.get("LISTEN_AXE_JS") or AXE_JS)
    if not path.is_file():
        raise BrowserUnavailable(
            f"{path} not found: install axe-core with `npm ci --prefix tests`"
            " (or set LISTEN_AXE_JS to an axe.min.js)"
        )
    return path


def chromium_or_skip() -> str:
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        pytest.skip("playwright not installed: pip install playwright (not `playwright install`)")
    try:
        return find_chromium()
    except BrowserUnavailable as exc:
        pytest.skip(str(exc))


def axe_or_skip() -> Path:
    try:
        return find_axe()
    except BrowserUnavailable as exc:
        pytest.skip(str(exc))


@contextlib.contextmanager
def launch_chromium(
    workdir: Path, *, executable: str | None = None, locale: str = "en-US"
) -> Iterator[BrowserContext]:
    """Headless Chromium with a fresh profile in ``workdir``; yields its one browser context.

    Playwright's driver and Chromium write temporary files under ``TMPDIR``, so it points into
    ``workdir`` while the browser runs: tests never write outside their temporary directory.
    """
    from playwright.sync_api import sync_playwright

    chromium = executable or find_chromium()
    workdir.mkdir(parents=True, exist_ok=True)
    scratch = workdir / "tmp"
    scratch.mkdir(exist_ok=True)
    with pytest.MonkeyPatch.context() as env:
        env.setenv("TMPDIR", str(scratch))
        with sync_playwright() as playwright:
            context = playwright.chromium.launch_persistent_context(
                str(workdir / "profile"),
                executable_path=chromium,
                headless=True,
                args=list(CHROMIUM_ARGS),
                locale=locale,
                viewport={"width": 1024, "height": 900},
            )
            try:
                yield context
            finally:
                context.close()


def run_axe(
    page: Page, *, axe_js: Path | None = None, context: str | None = None
) -> list[dict[str, Any]]:
    """axe-core's violations of the WCAG 2.0/2.1/2.2 A and AA rules; ``context`` is a selector."""
    source = (axe_js or find_axe()).read_text(encoding="utf-8")
    if not page.evaluate("() => typeof window.axe === 'object'"):
        page.add_script_tag(content=source)
    result = page.evaluate(
        """async ([context, tags]) => {
            const options = {runOnly: {type: "tag", values: tags}, resultTypes: ["violations"]};
            return await window.axe.run(context ? document.querySelector(context) : document,
                                        options);
        }""",
        [context, list(AXE_TAGS)],
    )
    violations: list[dict[str, Any]] = result["violations"]
    return violations


def describe_violations(violations: list[dict[str, Any]]) -> str:
    """One line per violation and affected node: what a failing assertion should print."""
    lines = []
    for violation in violations:
        for node in violation["nodes"]:
            summary = node.get("failureSummary", "").replace("\n", " ")
            lines.append(f"{violation['id']}: {node['target']} {summary}")
    return "\n".join(lines) or json.dumps(violations)


if __name__ == "__main__":
    folder = Path(sys.argv[1] if len(sys.argv) > 1 else ".")
    port = int(sys.argv[2]) if len(sys.argv) > 2 else 8000
    with RangeHTTPServer(folder, port) as server:
        print(f"serving {folder.resolve()} at {server.base}/ (Ctrl-C stops)")
        with contextlib.suppress(KeyboardInterrupt):
            threading.Event().wait()
