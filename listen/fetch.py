"""Read a page from a file, an http(s) URL or stdin, within limits.

Everything that comes in is checked the same way: at most ``MAX_BYTES``, not
binary, and decoded with the charset the page declares (header, then
``<meta charset>``, then UTF-8 with replacement).
"""

from __future__ import annotations

import http.client
import re
import socket
import ssl
import sys
import urllib.error
import urllib.parse
import urllib.request
from email.message import Message
from pathlib import Path
from typing import BinaryIO, NamedTuple, Protocol

from listen import __version__
from listen.errors import ExtractionError, ListenError, SourceError, TooLarge
from listen.models import Page

MAX_BYTES = 10 * 1024 * 1024
TIMEOUT_S = 20.0
MAX_REDIRECTS = 5
USER_AGENT = f"listen/{__version__} (offline article reader; +https://pypi.org/project/listen/)"

HTML_TYPES = frozenset({"text/html", "application/xhtml+xml"})
_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.I)


def read_source(source: str, *, max_bytes: int = MAX_BYTES, timeout: float = TIMEOUT_S) -> Page:
    """Turn what the user typed (a path, a URL or ``-``) into a ``Page``."""
    raw = read_raw(source, max_bytes=max_bytes, timeout=timeout)
    name = "stdin" if source == "-" else (source if raw.url else raw.source)
    return Page(html=decode_html(raw.data, raw.charset, name), url=raw.url, source=raw.source)


def read_raw(
    source: str,
    *,
    accept: frozenset[str] = HTML_TYPES,
    what: str = "an HTML page",
    max_bytes: int = MAX_BYTES,
    timeout: float = TIMEOUT_S,
    stdin: bool = True,
) -> Fetched:
    """What the user typed (a path, a ``file://`` or http(s) URL, or ``-``) -> its bytes.

    ``accept`` and ``what`` say which content types a URL may answer with
    (``queue add`` takes feeds too); ``stdin=False`` refuses ``-``.
    """
    if source == "-":
        if not stdin:
            raise SourceError(
                "this command cannot read stdin: the page must still be there later",
                hint="save it to a file and give the file",
            )
        return Fetched(read_limited(sys.stdin.buffer, max_bytes, "stdin"), None, None, "", "stdin")
    parts = urllib.parse.urlsplit(source)
    scheme = parts.scheme.lower()
    if scheme in ("http", "https"):
        return fetch_bytes(source, accept=accept, what=what, max_bytes=max_bytes, timeout=timeout)
    if scheme == "file" and source.lower().startswith("file:"):
        path = Path(urllib.request.url2pathname(parts.path))
        return Fetched(read_bytes(path, max_bytes=max_bytes, what=what), None, None, "", str(path))
    if scheme and len(scheme) > 1 and "://" in source:
        raise SourceError(
            f"unsupported URL scheme {scheme!r} in {source}: use http(s), a file or -"
        )
    data = read_bytes(Path(source), max_bytes=max_bytes, what=what)
    return Fetched(data, None, None, "", source)


def read_file(path: Path, *, max_bytes: int = MAX_BYTES) -> Page:
    data = read_bytes(path, max_bytes=max_bytes)
    return Page(html=decode_html(data, None, str(path)), url=None, source=str(path))


def read_bytes(path: Path, *, max_bytes: int = MAX_BYTES, what: str = "an HTML file") -> bytes:
    """A local file's bytes, within the limit, with a one-line error for every failure."""
    try:
        with path.open("rb") as fh:
            return read_limited(fh, max_bytes, str(path))
    except FileNotFoundError:
        raise SourceError(f"no such file: {path}") from None
    except IsADirectoryError:
        raise SourceError(f"{path} is a directory, not {what}") from None
    except PermissionError:
        raise SourceError(f"permission denied reading {path}") from None
    except OSError as exc:
        raise SourceError(f"cannot read {path}: {exc.strerror or exc}") from None


class Guard(Protocol):
    """What a server that fetches on request checks, at every hop (see publish/server)."""

    def check_url(self, url: str) -> None:
        """Raise ``Forbidden`` for a URL that may not be fetched."""

    def connect(self, host: str, port: int, timeout: float | None) -> socket.socket:
        """Resolve ``host``, refuse forbidden addresses, and connect to an allowed one."""


class _LimitedRedirects(urllib.request.HTTPRedirectHandler):
    max_redirections = MAX_REDIRECTS

    def __init__(self, guard: Guard | None = None) -> None:
        self.guard = guard

    def http_error_302(self, req, fp, code, msg, headers):  # type: ignore[no-untyped-def]
        # Checked here, before urllib's own check, so every refused hop gets our error.
        location = headers.get("location") or headers.get("uri") or ""
        newurl = urllib.parse.urljoin(req.full_url, location)
        if self.guard is not None:
            self.guard.check_url(newurl)  # Forbidden: a redirect is no way around the allow-list
        if urllib.parse.urlsplit(newurl).scheme.lower() not in ("http", "https"):
            raise SourceError(f"refusing redirect to {newurl}")
        return super().http_error_302(req, fp, code, msg, headers)

    http_error_301 = http_error_303 = http_error_307 = http_error_308 = http_error_302


def _guarded_handlers(guard: Guard) -> list[urllib.request.BaseHandler]:
    """HTTP(S) handlers whose connections go only where ``guard`` allows.

    The address is checked when the socket is opened, not before: a name that
    resolves to a public address for the check and a private one for the
    connection (DNS rebinding) gets nowhere.
    """

    class GuardedHTTP(http.client.HTTPConnection):
        def connect(self) -> None:
            self.sock = guard.connect(self.host, self.port, self.timeout)

    class GuardedHTTPS(http.client.HTTPSConnection):
        def connect(self) -> None:
            sock = guard.connect(self.host, self.port, self.timeout)
            self.sock = self._context.wrap_socket(sock, server_hostname=self.host)  # type: ignore[attr-defined]

    class HTTPHandler(urllib.request.HTTPHandler):
        def http_open(self, req: urllib.request.Request) -> http.client.HTTPResponse:
            return self.do_open(GuardedHTTP, req)

    class HTTPSHandler(urllib.request.HTTPSHandler):
        def https_open(self, req: urllib.request.Request) -> http.client.HTTPResponse:
            return self.do_open(GuardedHTTPS, req)

    return [HTTPHandler(), HTTPSHandler()]


class Fetched(NamedTuple):
    """Raw bytes as read, with where they came from: what every reader of input shares."""

    data: bytes
    charset: str | None  # as the response declared it
    url: str | None  # after redirects; None for a file or stdin
    content_type: str  # "" for a file or stdin
    source: str = ""  # what the user typed (a file's path)


def fetch_bytes(
    url: str,
    *,
    accept: frozenset[str] = HTML_TYPES,
    what: str = "an HTML page",
    max_bytes: int = MAX_BYTES,
    timeout: float = TIMEOUT_S,
    guard: Guard | None = None,
) -> Fetched:
    """GET ``url`` within the limits; a content type outside ``accept`` is not ``what`` we want."""
    if guard is not None:
        guard.check_url(url)
    handlers: list[urllib.request.BaseHandler] = [_LimitedRedirects(guard)]
    if guard is not None:
        handlers += _guarded_handlers(guard)
    opener = urllib.request.build_opener(*handlers)
    wanted = ",".join(sorted(accept)) + ";q=0.9,*/*;q=0.1"
    request = urllib.request.Request(url, headers={"User-Agent": USER_AGENT, "Accept": wanted})
    try:
        with opener.open(request, timeout=timeout) as response:
            final_url = response.geturl()
            headers: Message = response.headers
            content_type = headers.get_content_type()
            if content_type not in accept:
                raise ExtractionError(f"{url} is {content_type}, not {what}")
            length = headers.get("Content-Length")
            if length and length.isdigit() and int(length) > max_bytes:
                raise TooLarge(f"{url} is {int(length):,} bytes; the limit is {max_bytes:,}")
            data = read_limited(response, max_bytes, url)
            return Fetched(data, headers.get_content_charset(), final_url, content_type, url)
    except urllib.error.HTTPError as exc:
        raise SourceError(f"{url} answered HTTP {exc.code} {exc.reason}") from None
    except urllib.error.URLError as exc:
        reason = exc.reason
        if isinstance(reason, ListenError):
            raise reason from None
        if isinstance(reason, socket.timeout | TimeoutError):
            raise SourceError(f"{url} did not answer within {timeout:g} s") from None
        if isinstance(reason, ssl.SSLError):
            raise SourceError(f"TLS failed for {url}: {reason}") from None
        raise SourceError(f"cannot reach {url}: {_reason(reason)}") from None
    except TimeoutError:
        raise SourceError(f"{url} did not answer within {timeout:g} s") from None
    except (ConnectionError, OSError) as exc:
        if isinstance(exc, ListenError):
            raise
        raise SourceError(f"cannot reach {url}: {_reason(exc)}") from None


def fetch_url(
    url: str, *, max_bytes: int = MAX_BYTES, timeout: float = TIMEOUT_S, guard: Guard | None = None
) -> Page:
    """GET an article page, following at most ``MAX_REDIRECTS`` redirects."""
    got = fetch_bytes(url, max_bytes=max_bytes, timeout=timeout, guard=guard)
    return Page(html=decode_html(got.data, got.charset, url), url=got.url, source=url)


def _reason(reason: object) -> str:
    if isinstance(reason, OSError) and reason.strerror:
        return reason.strerror
    return str(reason) or type(reason).__name__


def read_limited(stream: BinaryIO, max_bytes: int, name: str) -> bytes:
    """At most ``max_bytes`` from ``stream``; more is ``TooLarge``."""
    data = stream.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise TooLarge(f"{name} is larger than the {max_bytes // (1024 * 1024)} MB limit")
    return data


def decode_html(data: bytes, charset: str | None, name: str) -> str:
    """Bytes -> text, refusing input that is plainly not an HTML page."""
    if not data.strip():
        raise ExtractionError(f"{name} is empty")
    head = data[:4096]
    if b"\x00" in head and not head.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise ExtractionError(f"{name} is binary data, not an HTML page")
    if charset is None:
        if head.startswith(b"\xef\xbb\xbf"):
            charset = "utf-8-sig"
        elif head.startswith((b"\xff\xfe", b"\xfe\xff")):
            charset = "utf-16"
        else:
            match = _META_CHARSET.search(head)
            charset = match.group(1).decode("ascii") if match else "utf-8"
    try:
        text = data.decode(charset, errors="replace")
    except LookupError:
        text = data.decode("utf-8", errors="replace")
    sample = text[:65536]
    if sample.count("\ufffd") > len(sample) // 20:
        raise ExtractionError(f"{name} is binary data, not an HTML page")
    if "<" not in sample:
        raise ExtractionError(f"{name} does not look like HTML (no markup found)")
    return text
