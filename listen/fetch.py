"""Read a page from a file, an http(s) URL or stdin, within limits.

Everything that comes in is checked the same way: at most ``MAX_BYTES``, not
binary, and decoded with the charset the page declares (header, then
``<meta charset>``, then UTF-8). A declared charset that does not decode the
page, or decodes it into implausible text, is replaced by the one
charset-normalizer detects, with a warning that says so.

A fetch is bounded in time twice: no byte for ``timeout`` seconds, and the
whole fetch (redirects included, name lookups too) within ``deadline`` seconds,
however slowly the server or the resolver answers. ``SLOTS`` caps how many
fetches run at once, in all and per host, so one slow site cannot take every
thread.
"""

from __future__ import annotations

import codecs
import concurrent.futures
import contextlib
import http.client
import ipaddress
import logging
import os
import re
import socket
import ssl
import stat
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterator
from email.message import Message
from pathlib import Path
from typing import Any, BinaryIO, NamedTuple, Protocol

from listen import __version__
from listen.errors import (
    Busy,
    ExtractionError,
    InvalidURL,
    ListenError,
    SourceError,
    TooLarge,
)
from listen.models import Page

log = logging.getLogger("listen")

MAX_BYTES = 10 * 1024 * 1024
TIMEOUT_S = 20.0  # no byte for this long
DEADLINE_S = 60.0  # the whole fetch; LISTEN_FETCH_DEADLINE overrides it
MAX_REDIRECTS = 5
USER_AGENT = (
    f"listen/{__version__} (offline article reader; +https://pypi.org/project/listen-aloud/)"
)

HTML_TYPES = frozenset({"text/html", "application/xhtml+xml"})
_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.I)
# Codecs Python knows that no web page is written in: "undefined" always fails, the others
# turn bytes into something other than the page's text.
_NOT_CHARSETS = frozenset(
    {"idna", "punycode", "undefined", "unicode-escape", "raw-unicode-escape", "rot-13", "utf-7"}
)
_DETECT_BYTES = 256 * 1024  # charset detection looks at this much of a page
_MESS = 0.2  # charset-normalizer's "this decoding is garbage" ratio


def default_deadline() -> float:
    """``LISTEN_FETCH_DEADLINE`` (seconds) or ``DEADLINE_S``."""
    raw = os.environ.get("LISTEN_FETCH_DEADLINE", "")
    try:
        value = float(raw) if raw else DEADLINE_S
    except ValueError:
        raise SourceError(f"LISTEN_FETCH_DEADLINE={raw!r} is not a number of seconds") from None
    return value if value > 0 else DEADLINE_S


def read_source(
    source: str,
    *,
    max_bytes: int = MAX_BYTES,
    timeout: float = TIMEOUT_S,
    deadline: float | None = None,
) -> Page:
    """Turn what the user typed (a path, a URL or ``-``) into a ``Page``."""
    raw = read_raw(source, max_bytes=max_bytes, timeout=timeout, deadline=deadline)
    return to_page(raw, source)


def to_page(raw: Fetched, source: str) -> Page:
    """The ``Page`` of what ``read_raw(source)`` returned: its bytes decoded."""
    name = "stdin" if source == "-" else (source if raw.url else raw.source)
    return Page(html=decode_html(raw.data, raw.charset, name), url=raw.url, source=raw.source)


def read_raw(
    source: str,
    *,
    accept: frozenset[str] = HTML_TYPES,
    what: str = "an HTML page",
    max_bytes: int = MAX_BYTES,
    timeout: float = TIMEOUT_S,
    deadline: float | None = None,
    stdin: bool = True,
) -> Fetched:
    """What the user typed (a path, a ``file://`` or http(s) URL, or ``-``) -> its bytes.

    The one reader of input: ``read_source`` decodes what it returns, and
    ``queue add`` reads feeds with it (``accept`` and ``what`` say which
    content types a URL may answer with; ``stdin=False`` refuses ``-``).
    """
    if source == "-":
        if not stdin:
            raise SourceError(
                "this command cannot read stdin: the page must still be there later",
                hint="save it to a file and give the file",
            )
        return Fetched(read_limited(sys.stdin.buffer, max_bytes, "stdin"), None, None, "", "stdin")
    scheme, sep, rest = source.partition(":")
    if sep and scheme.lower() in ("http", "https"):
        return fetch_bytes(
            source, accept=accept, what=what, max_bytes=max_bytes, timeout=timeout,
            deadline=deadline,
        )  # fmt: skip
    if sep and scheme.lower() == "file" and rest.startswith("//"):
        path = Path(urllib.request.url2pathname(urllib.parse.urlsplit(source).path))
        return Fetched(read_bytes(path, max_bytes=max_bytes, what=what), None, None, "", str(path))
    if sep and len(scheme) > 1 and "://" in source and scheme.isalnum():
        raise SourceError(
            f"unsupported URL scheme {scheme.lower()!r} in {source}: use http(s), a file or -"
        )
    data = read_bytes(Path(source), max_bytes=max_bytes, what=what)
    return Fetched(data, None, None, "", source)


def check_url(url: str) -> urllib.parse.SplitResult:
    """``url`` split, or a one-line ``SourceError`` for what no request can be made of:
    whitespace or control characters, a broken IPv6 literal, a port out of range, no host."""
    bad = next((c for c in url if c.isspace() or ord(c) < 32 or ord(c) == 127), None)
    if bad is not None:
        what = "a space" if bad == " " else f"a control character ({bad!r})"
        raise InvalidURL(f"the URL {url!r} holds {what}", hint="percent-encode it (a space is %20)")
    try:
        parts = urllib.parse.urlsplit(url)
        port = parts.port
    except ValueError as exc:
        raise InvalidURL(f"{url!r} is not a valid URL: {exc}") from None
    if parts.scheme.lower() not in ("http", "https"):
        raise InvalidURL(f"{url!r} is not an http(s) URL")
    if not parts.hostname:
        raise InvalidURL(f"{url!r} names no host")
    if not _host_name(parts.hostname):
        raise InvalidURL(f"{url!r} names no valid host: {parts.hostname!r}")
    if port == 0:
        raise InvalidURL(f"{url!r}: port 0 is not a port one can fetch from (use 1-65535)")
    return parts


_LABEL = re.compile(r"^[A-Za-z0-9_-]{1,63}$")
_NOT_ASCII = re.compile(r"[^\x00-\x7f]+")


def ascii_host(host: str) -> str:
    """``host`` as DNS and the Host header carry it: ``bücher.de`` is ``xn--bcher-kva.de``."""
    if host.isascii():
        return host
    try:
        return host.encode("idna").decode("ascii")
    except UnicodeError:
        return host  # check_url refuses it before any request


def as_uri(url: str) -> str:
    """The URL a browser would request for what its address bar shows: an IDNA host and
    the other non-ASCII characters percent-encoded as UTF-8 (``/مقال`` is ``/%D9%85...``)."""
    if url.isascii():
        return url
    parts = urllib.parse.urlsplit(url)
    netloc = parts.netloc
    if parts.hostname and not parts.hostname.isascii():
        userinfo, at, _ = netloc.rpartition("@")
        port = f":{parts.port}" if parts.port is not None else ""
        netloc = f"{userinfo}{at}{ascii_host(parts.hostname)}{port}"
    rest = urllib.parse.urlunsplit(("", "", parts.path, parts.query, parts.fragment))
    rest = _NOT_ASCII.sub(lambda m: urllib.parse.quote(m.group(), safe=""), rest)
    return f"{parts.scheme}://{netloc}{rest}"


def _host_name(host: str) -> bool:
    """An IP address, or a name of labels DNS can carry (after IDNA, so ``bücher.de`` is one)."""
    with contextlib.suppress(ValueError):
        ipaddress.ip_address(host)
        return True
    try:
        ascii_host = host.encode("idna").decode("ascii")
    except UnicodeError:
        return False
    return all(_LABEL.match(label) for label in ascii_host.removesuffix(".").split("."))


def read_file(path: Path, *, max_bytes: int = MAX_BYTES) -> Page:
    data = read_bytes(path, max_bytes=max_bytes)
    return Page(html=decode_html(data, None, str(path)), url=None, source=str(path))


def read_bytes(path: Path, *, max_bytes: int = MAX_BYTES, what: str = "an HTML file") -> bytes:
    """A local file's bytes, within the limit, with a one-line error for every failure.

    Only regular files are read: a FIFO or a device would block, or never end.
    """
    try:
        mode = path.stat().st_mode
        if stat.S_ISDIR(mode):
            raise IsADirectoryError
        if not stat.S_ISREG(mode):
            raise SourceError(
                f"{path} is not a regular file (a pipe, socket or device), not {what}",
                hint=f"to read a pipe, pass - and redirect it: < {path}",
            )
        with path.open("rb") as fh:
            return read_limited(fh, max_bytes, str(path))
    except FileNotFoundError:
        raise SourceError(f"no such file: {path}") from None
    except IsADirectoryError:
        raise SourceError(f"{path} is a directory, not {what}") from None
    except PermissionError:
        raise SourceError(f"permission denied reading {path}") from None
    except NotADirectoryError:
        raise SourceError(f"no such file: {path} (a part of the path is a file)") from None
    except OSError as exc:
        raise SourceError(f"cannot read {path}: {exc.strerror or exc}") from None


class Guard(Protocol):
    """What a server that fetches on request checks, at every hop (see publish/server)."""

    def check_url(self, url: str) -> None:
        """Raise ``Forbidden`` for a URL that may not be fetched."""

    def connect(self, host: str, port: int, timeout: float | None) -> socket.socket:
        """Resolve ``host``, refuse forbidden addresses, and connect to an allowed one."""


AddrInfo = tuple[socket.AddressFamily, socket.SocketKind, int, str, tuple[Any, ...]]
Lookup = Callable[[str, int], list[AddrInfo]]

# The C resolver cannot be interrupted, so lookups run here and a late one is abandoned to
# finish on its own. The pool is small: when every thread is stuck on a dead resolver, the
# next lookups wait their turn and time out instead of starting more threads.
_RESOLVERS = concurrent.futures.ThreadPoolExecutor(max_workers=8, thread_name_prefix="listen-dns")


def _getaddrinfo(host: str, port: int) -> list[AddrInfo]:
    return list(socket.getaddrinfo(host, port, type=socket.SOCK_STREAM))


def resolve(
    host: str,
    port: int,
    timeout: float,
    *,
    lookup: Callable[[str, int], list[AddrInfo]] | None = None,
) -> list[AddrInfo]:
    """``host``'s addresses within ``timeout`` seconds: a slow resolver is a slow upstream too.

    Raises ``socket.gaierror`` for a name that does not resolve and ``SourceError`` for
    one that takes too long.
    """
    job = _RESOLVERS.submit(lookup or _getaddrinfo, host, port)
    try:
        return job.result(timeout=max(0.0, timeout))
    except concurrent.futures.TimeoutError:
        job.cancel()
        raise SourceError(f"looking up {host} took longer than {timeout:.3g} s") from None


def connect_any(infos: list[AddrInfo], timeout: float | None, host: str) -> socket.socket:
    """A socket connected to the first of ``infos`` that answers."""
    last: OSError | None = None
    for family, kind, proto, _, address in infos:
        sock = socket.socket(family, kind, proto)
        sock.settimeout(timeout)
        try:
            sock.connect(address)
        except OSError as exc:
            sock.close()
            last = exc
            continue
        return sock
    raise last or OSError(f"cannot connect to {host}")


class Slots:
    """How many fetches may run at once: ``total`` in all, ``per_host`` to one host.

    A fetch that finds no free slot waits at most ``wait`` seconds, then fails
    with ``Busy``; the service waits not at all, so its threads stay free.
    """

    def __init__(self, total: int = 16, per_host: int = 4) -> None:
        self.total, self.per_host = total, per_host
        self._busy: dict[str, int] = {}  # host -> fetches running; only hosts in use
        self._running = 0
        self._cond = threading.Condition()

    @contextlib.contextmanager
    def claim(self, host: str, wait: float) -> Iterator[None]:
        host = host.lower()
        end = time.monotonic() + max(0.0, wait)
        with self._cond:
            while self._running >= self.total or self._busy.get(host, 0) >= self.per_host:
                left = end - time.monotonic()
                if left <= 0:
                    where = "in all" if self._running >= self.total else f"from {host}"
                    raise Busy(
                        f"too many fetches {where} are in progress",
                        hint="try again in a few seconds",
                    )
                self._cond.wait(left)
            self._running += 1
            self._busy[host] = self._busy.get(host, 0) + 1
        try:
            yield
        finally:
            with self._cond:
                self._running -= 1
                if self._busy[host] <= 1:
                    del self._busy[host]  # the table holds only hosts being fetched
                else:
                    self._busy[host] -= 1
                self._cond.notify_all()

    def running(self) -> int:
        with self._cond:
            return self._running


SLOTS = Slots()


class _Deadline:
    """One fetch's total time. When it is up, every socket the fetch opened is shut down,
    which ends a read blocked on a server that sends one byte a second."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.end = time.monotonic() + seconds
        self.expired = False
        self._sockets: list[socket.socket] = []
        self._lock = threading.Lock()
        self._timer = threading.Timer(seconds, self.expire)
        self._timer.daemon = True

    def __enter__(self) -> _Deadline:
        with _ACTIVE_LOCK:
            _ACTIVE.add(self)
        self._timer.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._timer.cancel()
        with _ACTIVE_LOCK:
            _ACTIVE.discard(self)

    def left(self) -> float:
        left = self.end - time.monotonic()
        if left <= 0:
            raise TimeoutError("deadline")
        return left

    @property
    def over(self) -> bool:
        return self.expired or time.monotonic() >= self.end

    def watch(self, sock: socket.socket) -> socket.socket:
        with self._lock:
            self._sockets.append(sock)
            if not self.expired:
                return sock
        self._shut(sock)
        return sock

    def expire(self) -> None:
        with self._lock:
            self.expired = True
            sockets = list(self._sockets)
        for sock in sockets:
            self._shut(sock)

    @staticmethod
    def _shut(sock: socket.socket) -> None:
        with contextlib.suppress(OSError):
            sock.shutdown(socket.SHUT_RDWR)


_ACTIVE: set[_Deadline] = set()  # the fetches in progress, for abort_all
_ACTIVE_LOCK = threading.Lock()


def abort_all() -> int:
    """End every fetch in progress now (a service shutting down); how many there were."""
    with _ACTIVE_LOCK:
        running = list(_ACTIVE)
    for deadline in running:
        deadline.expire()
    return len(running)


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
        try:
            check_url(newurl)
        except SourceError as exc:
            raise SourceError(f"refusing redirect: {exc.one_line()}") from None
        return super().http_error_302(req, fp, code, msg, headers)

    http_error_301 = http_error_303 = http_error_307 = http_error_308 = http_error_302


def _handlers(guard: Guard | None, deadline: _Deadline) -> list[urllib.request.BaseHandler]:
    """HTTP(S) handlers whose sockets the deadline can shut, and which, with a guard, go
    only where ``guard`` allows.

    The address is checked when the socket is opened, not before: a name that
    resolves to a public address for the check and a private one for the
    connection (DNS rebinding) gets nowhere.
    """

    def open_socket(
        address: tuple[str, int], timeout: float | None = None, source: object = None
    ) -> socket.socket:
        host, port = address
        wait = min(timeout or TIMEOUT_S, deadline.left())
        if guard is not None:
            sock = guard.connect(host, port, wait)
        else:
            try:
                infos = resolve(host, port, wait)
            except socket.gaierror as exc:
                raise OSError(f"cannot resolve {host}: {exc.strerror}") from None
            sock = connect_any(infos, min(wait, deadline.left()), host)
        sock.settimeout(timeout)
        return deadline.watch(sock)

    class TimedHTTP(http.client.HTTPConnection):
        def __init__(self, *args: object, **kwargs: object) -> None:
            super().__init__(*args, **kwargs)  # type: ignore[arg-type]
            self._create_connection = open_socket

    class TimedHTTPS(http.client.HTTPSConnection):
        def __init__(self, *args: object, **kwargs: object) -> None:
            super().__init__(*args, **kwargs)  # type: ignore[call-overload]
            self._create_connection = open_socket

    class HTTPHandler(urllib.request.HTTPHandler):
        def http_open(self, req: urllib.request.Request) -> http.client.HTTPResponse:
            return self.do_open(TimedHTTP, req)

    class HTTPSHandler(urllib.request.HTTPSHandler):
        def https_open(self, req: urllib.request.Request) -> http.client.HTTPResponse:
            return self.do_open(TimedHTTPS, req)

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
    deadline: float | None = None,
    guard: Guard | None = None,
    busy_wait: float | None = None,
    slots: Slots | None = None,
) -> Fetched:
    """GET ``url`` within the limits; a content type outside ``accept`` is not ``what`` we want.

    ``deadline`` bounds the whole fetch (default: ``default_deadline()``);
    ``busy_wait`` is how long to wait for a free slot in ``slots`` (default: ``SLOTS``)
    before ``Busy`` (default: until the deadline).
    """
    parts = check_url(url)
    if guard is not None:
        guard.check_url(url)
    seconds = default_deadline() if deadline is None else deadline
    wait = seconds if busy_wait is None else busy_wait
    with (slots or SLOTS).claim(parts.hostname or "", wait), _Deadline(seconds) as clock:
        try:
            got = _get(url, accept, what, max_bytes, timeout, guard, clock)
        except SourceError:
            if clock.over:
                raise _too_slow(url, seconds) from None
            raise
        if clock.over:  # the socket was shut under a read, which then saw "the end"
            raise _too_slow(url, seconds)
        return got


def _too_slow(url: str, seconds: float) -> SourceError:
    return SourceError(f"{url} did not finish within the {seconds:g} s fetch deadline")


def _get(
    url: str,
    accept: frozenset[str],
    what: str,
    max_bytes: int,
    timeout: float,
    guard: Guard | None,
    clock: _Deadline,
) -> Fetched:
    opener = urllib.request.build_opener(_LimitedRedirects(guard), *_handlers(guard, clock))
    wanted = ",".join(sorted(accept)) + ";q=0.9,*/*;q=0.1"
    request = urllib.request.Request(
        as_uri(url), headers={"User-Agent": USER_AGENT, "Accept": wanted}
    )
    try:
        with opener.open(request, timeout=min(timeout, clock.left())) as response:
            final_url = response.geturl()
            headers: Message = response.headers
            content_type = headers.get_content_type()
            if content_type not in accept:
                raise ExtractionError(f"{url} is {content_type}, not {what}")
            length = headers.get("Content-Length")
            if length and length.isdigit() and int(length) > max_bytes:
                raise TooLarge(f"{url} is {int(length):,} bytes; the limit is {max_bytes:,}")
            coding = headers.get("Content-Encoding", "identity").strip().lower()
            if coding not in ("", "identity"):  # asked for identity: never decoded here
                raise SourceError(f"{url} sent its page compressed ({coding}), unasked")
            data = read_limited(response, max_bytes, url)
            if length and length.isdigit() and len(data) < int(length):  # http.client is silent
                raise SourceError(
                    f"{url} was cut off: {len(data):,} of its {int(length):,} bytes came"
                )
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
    except http.client.HTTPException as exc:  # a malformed or cut-off answer
        raise SourceError(f"{url} sent a broken HTTP answer: {type(exc).__name__}") from None
    except ValueError as exc:  # http.client's own URL checks (InvalidURL) and the like
        raise SourceError(f"cannot fetch {url!r}: {exc}") from None
    except (ConnectionError, OSError) as exc:
        if isinstance(exc, ListenError):
            raise
        raise SourceError(f"cannot reach {url}: {_reason(exc)}") from None


def fetch_url(
    url: str,
    *,
    max_bytes: int = MAX_BYTES,
    timeout: float = TIMEOUT_S,
    deadline: float | None = None,
    guard: Guard | None = None,
    busy_wait: float | None = None,
    slots: Slots | None = None,
) -> Page:
    """GET an article page, following at most ``MAX_REDIRECTS`` redirects."""
    got = fetch_bytes(
        url,
        max_bytes=max_bytes,
        timeout=timeout,
        deadline=deadline,
        guard=guard,
        busy_wait=busy_wait,
        slots=slots,
    )
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
    text = _decode(data, charset, name)
    sample = text[:65536]
    if "<" not in sample:
        raise ExtractionError(f"{name} does not look like HTML (no markup found)")
    return text


def _decode(data: bytes, charset: str | None, name: str) -> str:
    """The page's text in the charset it declares, unless that charset is unknown, fails on
    the bytes or gives implausible text: then in the one detected, saying so."""
    if data.startswith(b"\xef\xbb\xbf"):
        return data.decode("utf-8-sig", errors="replace")  # a byte-order mark beats any label
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16", errors="replace")
    declared = charset
    if declared is None:
        match = _META_CHARSET.search(data[:4096])
        declared = match.group(1).decode("ascii") if match else None
    codec = _codec(declared)
    label = repr(declared) if declared else "no charset (so UTF-8)"
    if declared and codec is None:
        return _detected(data, name, f"{name} declares the unusable charset {declared!r}")
    codec = codec or "utf-8"
    try:
        text = data.decode(codec)
    except UnicodeDecodeError:
        return _detected(data, name, f"{name} declares {label}, which does not decode it")
    if codec == "utf-8" or data.isascii():
        return text
    # Text that is valid UTF-8 and not ASCII is UTF-8, whatever the label says: no legacy
    # page's bytes are valid UTF-8 by chance. Read any other way it becomes mojibake.
    with contextlib.suppress(UnicodeDecodeError):
        utf8 = data.decode("utf-8")
        log.warning("%s declares %s, but its text is UTF-8: read it as UTF-8", name, label)
        return utf8
    if _mess(text) > _MESS:
        return _detected(
            data, name, f"{name} declares {label}, which gives garbled text", codec, text
        )
    return text


def _codec(label: str | None) -> str | None:
    """Python's codec for a charset label; None for one that no page is written in."""
    if not label:
        return None
    try:
        info = codecs.lookup(label)
    except LookupError:
        return None
    name = info.name.replace("_", "-")
    if name in _NOT_CHARSETS or not getattr(info, "_is_text_encoding", True):
        return None
    return info.name


def _sample(data: bytes) -> bytes:
    """At most ``_DETECT_BYTES`` of ``data``, cut after a ``>`` so no character is split."""
    if len(data) <= _DETECT_BYTES:
        return data
    cut = data.rfind(b">", 0, _DETECT_BYTES)
    return data[: cut + 1] if cut > 0 else data[:_DETECT_BYTES]


def _mess(text: str) -> float:
    from charset_normalizer.md import mess_ratio

    return float(mess_ratio(text[:20000], maximum_threshold=1.0))


def _detected(
    data: bytes, name: str, why: str, codec: str | None = None, declared: str | None = None
) -> str:
    """Decode ``data`` in the charset charset-normalizer finds, saying so; ``declared`` (the
    text in the declared ``codec``) is kept unless the detected charset reads better."""
    from charset_normalizer import from_bytes

    best = from_bytes(_sample(data)).best()
    if best is not None and best.encoding != codec:
        with contextlib.suppress(UnicodeDecodeError, LookupError):
            text = data.decode(best.encoding)
            if declared is None or _mess(text) < _mess(declared):
                log.warning("%s; detected %s and read it as that", why, best.encoding)
                return text
    if declared is not None:  # nothing reads better; never garbled text without a word
        log.warning("%s, and no other charset reads better: read it as declared", why)
        return declared
    raise ExtractionError(
        f"{why}, and no charset could be detected",
        hint="save the page in UTF-8, or fix its charset declaration",
    )
