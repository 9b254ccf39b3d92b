"""The Listen service: an ASGI app (Starlette) that turns article pages into audio and serves it.

    POST /v1/articles                {"url"} or {"html", "url"}, bearer token -> 202 {"id", ...}
    GET  /v1/articles/{id}           state, metadata and links
    GET  /v1/articles/{id}/audio.mp3 (Range, ETag), transcript.vtt, timings.json, chapters.json
    GET  /v1/listen?url=...          what the Listen button calls: ready links, or "poll here"
    GET  /v1/queue.json              the ready articles as a player queue document
    GET  /feeds/{language}.xml       podcast feed per edition
    GET  /healthz, /metrics          liveness and Prometheus metrics
    GET  /player.js (+ its modules), /player.css, /demo[/es|/ar], sync.vtt   see player.py

Errors are JSON ``{"error": "..."}``: 400 bad body, 401 no token, 403 a URL the
service may not fetch, 404, 413 too large, 422 no article, 429 rate-limited.
"""

from __future__ import annotations

import hmac
import importlib
import json
import re
import threading
import time
import urllib.parse
from collections.abc import Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import replace
from pathlib import Path
from typing import Any

from prometheus_client import (
    CollectorRegistry,
    Counter,
    Gauge,
    disable_created_metrics,
)
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse, Response
from starlette.routing import Route

from listen.errors import (
    Busy,
    ExtractionError,
    FeedError,
    Forbidden,
    InvalidURL,
    ListenError,
    SourceError,
    TooLarge,
    TooLong,
)
from listen.fetch import Slots, fetch_url
from listen.language import parse_code
from listen.models import Page, Script
from listen.publish.library import Entry, Library
from listen.publish.server.cpu import page_script, shared_pool
from listen.publish.server.guard import HostGuard, url_problem
from listen.publish.server.health import Health, Metrics, healthz, metrics
from listen.publish.server.jobs import HueyFeeder, make_huey, start_workers
from listen.publish.server.player import player_links, player_routes
from listen.publish.server.ratelimit import (
    FailureMemo,
    Guesses,
    HeavyWork,
    KeyedLocks,
    RateLimiter,
)
from listen.publish.server.settings import Settings
from listen.publish.sources import short_slug
from listen.transcript import sidecar_paths

disable_created_metrics()  # type: ignore[no-untyped-call]  # *_created series are noise

_ID = re.compile(r"^[0-9a-f]{32}$")
# name in the URL -> (the file: "audio" or a sidecar_paths kind, media type)
FILES = {
    "audio.mp3": ("audio", "audio/mpeg"),
    "audio.opus": ("opus", "audio/ogg; codecs=opus"),  # the Ogg Opus copy (listen.opus)
    "transcript.vtt": ("vtt", "text/vtt; charset=utf-8"),
    "timings.json": ("timings", "application/json"),
    "chapters.json": ("chapters", "application/json+chapters"),
    "captions.vtt": ("captions", "text/vtt; charset=utf-8"),
}
# What the handlers import on first use, imported when the service starts instead
WEB_MODULES = ("listen.pipeline", "listen.publish.playlist", "listen.publish.feed",
               "listen.publish.items", "listen.publish.checks")  # fmt: skip
JSON_INLINE_BYTES = 64 * 1024  # bigger bodies are parsed in a worker process
# The library's states as the API names them
API_STATES = {"pending": "queued", "rendering": "rendering", "ready": "ready", "failed": "failed"}
LINK_NAMES = {
    "audio": "audio.mp3",
    "transcript": "transcript.vtt",
    "timings": "timings.json",
    "chapters": "chapters.json",
    "captions": "captions.vtt",
}


class Service:
    """What the request handlers share: settings, library, job queue, guard, limits, metrics."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._local = threading.local()  # one library connection per thread
        self.library.counts()  # an unusable database stops the service here
        self.huey, self.render_task = make_huey(settings.data_dir, settings.broker)
        self.guard = HostGuard(settings.allow_hosts, settings.allow_private)
        self.reads = RateLimiter(*settings.read_rate)
        self.writes = RateLimiter(*settings.write_rate)
        self.guesses = Guesses(*settings.guess_rate)
        self.failures = FailureMemo(settings.failure_ttl_s)
        self.url_locks = KeyedLocks()
        self.fetch_slots = Slots(*settings.fetch_slots)
        self.heavy = HeavyWork(settings.heavy_threads)
        self.cpu = shared_pool(settings.cpu_processes)
        for module in WEB_MODULES:  # imported now: an import holds the GIL, and the loop waits
            importlib.import_module(module)
        self.workers: Any = None
        self.registry = CollectorRegistry()
        self.requests = Counter(
            "listen_http_requests",
            "HTTP requests answered",
            ["route", "status"],
            registry=self.registry,
        )
        self.enqueued = Counter(
            "listen_renders_enqueued", "Renders enqueued", registry=self.registry
        )
        self.limited = Counter(
            "listen_rate_limited", "Requests refused by a rate limit", registry=self.registry
        )
        articles = Gauge(
            "listen_articles", "Articles known, by state", ["state"], registry=self.registry
        )
        for state, name in API_STATES.items():
            articles.labels(name).set_function(self._counter(state))
        self.health = Health(self._api_counts)

    @property
    def library(self) -> Library:
        library: Library | None = getattr(self._local, "library", None)
        if library is None:
            library = self._local.library = Library(self.settings.db_url)
        return library

    def _api_counts(self) -> dict[str, int]:
        return {API_STATES[state]: n for state, n in self.library.counts().items()}

    def _counter(self, state: str) -> Callable[[], float]:
        return lambda: float(self.library.counts()[state])

    def feeder(self) -> HueyFeeder:
        settings = self.settings
        return HueyFeeder(
            settings.db_url, settings.broker, settings.data_dir, settings.media, settings.render
        )

    # -- articles ---------------------------------------------------------------------------

    def submit(
        self, script: Script, html_text: str, requested_url: str | None, origin: str
    ) -> Entry:
        """Record the article and enqueue its render once: one entry never renders twice at
        once. Posting again re-enqueues a failed article, or one whose renderer died."""
        from listen.pipeline import check_length

        check_length(script, self.settings.render)  # refused up front, before it is stored
        entry, changed = self.library.add(
            script,
            source=requested_url or script.url or "",
            slug=short_slug(script.title),
            aliases=[requested_url] if requested_url else [],
            origin=origin,
            page=html_text,
        )
        if changed or (self.library.requeue(entry.id) and entry.state != "pending"):
            self.render_task(entry.id)
            self.enqueued.inc()
            entry = self.library.get(entry.id)
        return entry

    def fetch_script(self, url: str) -> tuple[Script, str]:
        failed = self.failures.recall(url)  # a failing URL is fetched once per while
        if failed is not None:
            raise failed
        try:
            page = fetch_url(
                url,
                max_bytes=self.settings.max_page_bytes,
                timeout=self.settings.fetch_timeout_s,
                deadline=self.settings.fetch_deadline_s,
                guard=self.guard,
                busy_wait=0,  # no free fetch slot: answer 503 now, keep the thread free
                slots=self.fetch_slots,
            )
            return self.read_page(page), page.html
        except ListenError as exc:
            self.failures.remember(url, exc)
            raise

    def read_page(self, page: Page) -> Script:
        """The page's script, read in a worker process (cpu.py): never in this one."""
        return self.cpu.call(self.settings.page_deadline_s, page_script, page, self.settings.render)

    def files(self, entry: Entry) -> dict[str, Path]:
        """The entry's MP3 and sidecars inside this service's media folder."""
        if not entry.audio:
            return {}
        root = self.settings.media
        mp3 = (root / entry.audio).resolve()
        if not mp3.is_relative_to(root):
            return {}
        return {"audio": mp3, **sidecar_paths(mp3), "opus": mp3.with_suffix(".opus")}


def error(status: int, message: str, headers: dict[str, str] | None = None) -> JSONResponse:
    return JSONResponse({"error": message}, status_code=status, headers=headers)


def status_for(exc: ListenError) -> int:
    if isinstance(exc, Forbidden):
        return 403
    if isinstance(exc, TooLarge):
        return 413
    if isinstance(exc, Busy):
        return 503
    if isinstance(exc, InvalidURL):
        return 400
    if isinstance(exc, ExtractionError | TooLong):
        return 422
    if isinstance(exc, SourceError):
        return 502  # the article's own server failed us
    return 500


def links(entry: Entry) -> dict[str, str]:
    files = {key: f"/v1/articles/{entry.uid}/{name}" for key, name in LINK_NAMES.items()}
    return {**files, **player_links(entry.uid, entry.language or "und")}


def opus_size(entry: Entry, media: Path) -> int:
    """The size of the entry's Ogg Opus copy; 0 when it has none (no libopus where it was made)."""
    try:
        return (media / entry.audio).with_suffix(".opus").stat().st_size if entry.audio else 0
    except OSError:
        return 0


def article_body(entry: Entry, settings: Settings | None = None) -> dict[str, Any]:
    state = API_STATES[entry.state]
    if entry.state == "rendering" and Library.stale(entry):
        state = "queued"  # its renderer died: it is taken over (or POST it again)
    body: dict[str, Any] = {
        "id": entry.uid,
        "state": state,
        "title": entry.title,
        "language": entry.language,
        "url": entry.url,
        "site": entry.site,
        "published": entry.published,
        "duration_ms": entry.duration_ms,
    }
    if entry.state == "failed":
        body["reason"] = entry.last_error
    if entry.state == "ready":
        body["links"] = links(entry)
        if settings is not None and opus_size(entry, settings.media):
            body["links"]["opus"] = f"/v1/articles/{entry.uid}/audio.opus"
        body["render"] = {"synthesized": entry.synthesized, "cached": entry.cached}
        if settings is not None and not settings.player_download:
            body["download"] = False  # the player hides its download link
    else:
        body["poll"] = f"/v1/articles/{entry.uid}"
        body["retry_after"] = 2
    return body


def respond(entry: Entry, settings: Settings | None = None) -> JSONResponse:
    code = 200 if entry.state in ("ready", "failed") else 202
    headers = {"Retry-After": "2"} if code == 202 else None
    return JSONResponse(article_body(entry, settings), status_code=code, headers=headers)


# -- handlers --------------------------------------------------------------------------------


def service_of(request: Request) -> Service:
    service: Service = request.app.state.service
    return service


def _client(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def _limited(request: Request, limiter: RateLimiter) -> JSONResponse | None:
    wait = limiter.take(_client(request))
    if wait:
        service_of(request).limited.inc()
        return error(429, "too many requests; slow down", {"Retry-After": str(max(1, round(wait)))})
    return None


def _authorised(request: Request, token: str | None) -> JSONResponse | None:
    if not token:
        return error(401, "writes are disabled: start the service with --token or LISTEN_API_TOKEN")
    given = request.headers.get("authorization", "")
    scheme, _, value = given.partition(" ")
    if scheme.lower() != "bearer" or not hmac.compare_digest(
        value.strip().encode(), token.encode()
    ):
        return error(401, "a valid bearer token is required", {"WWW-Authenticate": "Bearer"})
    return None


async def _body(request: Request, limit: int) -> bytes:
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        raise HTTPException(413, f"the body is over the {limit // (1024 * 1024)} MB limit")
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise HTTPException(413, f"the body is over the {limit // (1024 * 1024)} MB limit")
        chunks.append(chunk)
    return b"".join(chunks)


async def post_article(request: Request) -> Response:
    service = service_of(request)
    client, token = _client(request), service.settings.token
    guessing = service.guesses.blocked(client)
    if guessing:
        return error(429, "too many wrong tokens; wait", {"Retry-After": str(round(guessing))})
    refused = _limited(request, service.writes) or _authorised(request, token)
    if refused:
        if refused.status_code == 401 and token:
            service.guesses.failed(client)
        return refused
    try:
        raw = await _body(request, service.settings.max_body_bytes)
        if len(raw) <= JSON_INLINE_BYTES:
            data = json.loads(raw)
        else:  # megabytes of JSON would hold the event loop for tens of milliseconds
            data = await service.cpu.run(service.settings.page_deadline_s, json.loads, raw)
    except (ValueError, UnicodeDecodeError, RecursionError):
        # RecursionError: a body of thousands of nested brackets
        return error(400, 'the body must be JSON: {"url": ...} or {"html": ..., "url": ...}')
    except ListenError as exc:  # the body took too long to parse, or the service is stopping
        return error(status_for(exc), exc.one_line())
    if not isinstance(data, dict) or set(data) - {"url", "html"}:
        return error(400, 'the body must be an object with "url" and optionally "html"')
    url, page_html = data.get("url"), data.get("html")
    text: str
    if not isinstance(url, str) or not re.match(r"^https?://", url, re.I):
        return error(400, '"url" must be an http(s) URL')
    problem = url_problem(url)
    if problem:
        return error(400, problem)
    if page_html is not None and not isinstance(page_html, str):
        return error(400, '"html" must be a string')
    for name, value in (("url", url), ("html", page_html)):
        if value is not None and not _encodable(value):
            return error(400, f'"{name}" holds text that is not Unicode (a lone surrogate)')
    try:
        if page_html is None:
            script, text = await service.heavy.run(service.fetch_script, url)
            source = "fetch"
        else:
            if len(page_html.encode("utf-8")) > service.settings.max_page_bytes:
                return error(413, "the page is over the 10 MB limit")
            text = page_html
            script = await service.heavy.run(
                service.read_page, Page(html=text, url=url, source=url)
            )
            source = "html"
        entry = await run_in_threadpool(service.submit, script, text, url, source)
    except ListenError as exc:
        return error(status_for(exc), exc.one_line())
    body = article_body(entry)
    return JSONResponse(body, status_code=202, headers={"Location": f"/v1/articles/{entry.uid}"})


def _encodable(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _known(request: Request) -> Entry:
    aid = request.path_params["id"]
    article = service_of(request).library.by_uid(aid) if _ID.match(aid) else None
    if article is None:
        raise HTTPException(404, "no such article")
    return article


async def get_article(request: Request) -> Response:
    refused = _limited(request, service_of(request).reads)
    return refused or respond(_known(request), service_of(request).settings)


async def get_file(request: Request) -> Response:
    service = service_of(request)
    refused = _limited(request, service.reads)
    if refused:
        return refused
    article = _known(request)
    name = request.path_params["name"]
    if name not in FILES or article.state != "ready":
        raise HTTPException(
            404, "no such file" if name not in FILES else "the audio is not ready yet"
        )
    kind, media_type = FILES[name]
    path = service.files(article).get(kind)
    if path is None or not path.is_file():
        raise HTTPException(404, "no such file")
    stat = path.stat()
    etag = f'"{article.uid[:12]}-{stat.st_size:x}-{stat.st_mtime_ns:x}"'
    headers = {"ETag": etag, "Cache-Control": "public, max-age=3600"}
    if etag in [t.strip() for t in request.headers.get("if-none-match", "").split(",")]:
        return Response(status_code=304, headers=headers)
    return FileResponse(path, media_type=media_type, headers=headers, stat_result=stat)


async def listen_endpoint(request: Request) -> Response:
    """The Listen button: ready links at once, or the article is enqueued and the answer says
    where to poll."""
    service = service_of(request)
    url = request.query_params.get("url", "")
    if not re.match(r"^https?://", url, re.I):
        return error(400, "pass the article's address: /v1/listen?url=https://...")
    problem = url_problem(url)
    if problem:
        return error(400, problem)
    known = await run_in_threadpool(lambda: service.library.find(url))
    fresh = known is not None and (
        known.origin == "html"
        or time.time() - (known.checked_at or 0.0) < service.settings.recheck_s
    )
    if known is not None and fresh and known.state != "failed":
        refused = _limited(request, service.reads)
        return refused or respond(known, service.settings)
    refused = _limited(request, service.writes)  # this one may fetch and render
    if refused:
        return refused
    try:
        service.guard.check_url(url)
        # many listeners pressing Listen at once: one fetch, one render
        async with service.url_locks.hold(url):
            known = await run_in_threadpool(lambda: service.library.find(url))
            if (
                known is not None
                and known.state != "failed"
                and time.time() - (known.checked_at or 0.0) < 5
            ):
                return respond(known, service.settings)
            script, page_html = await service.heavy.run(service.fetch_script, url)
            article = await run_in_threadpool(service.submit, script, page_html, url, "fetch")
    except ListenError as exc:
        return error(status_for(exc), exc.one_line())
    return respond(article, service.settings)


async def queue_json(request: Request) -> Response:
    from listen.publish.playlist import player_entry, queue_document

    service = service_of(request)
    refused = _limited(request, service.reads)
    if refused:
        return refused
    entries = [
        player_entry(
            id=a.uid,
            title=a.title,
            language=a.language or "und",
            duration_ms=a.duration_ms or 0,
            url=a.url,
            audio=links(a)["audio"],
            timings=links(a)["timings"],
            transcript=links(a)["transcript"],
            chapters=links(a)["chapters"],
        )
        | (
            {"opus": f"/v1/articles/{a.uid}/audio.opus"}
            if opus_size(a, service.settings.media)
            else {}
        )
        for a in await run_in_threadpool(lambda: service.library.entries(state="ready"))
    ]
    return JSONResponse(queue_document(entries))


async def feed(request: Request) -> Response:
    service = service_of(request)
    refused = _limited(request, service.reads)
    if refused:
        return refused
    language = parse_code(request.path_params["language"])
    if language is None or language != request.path_params["language"]:
        raise HTTPException(404, "feeds are named by ISO 639-1 language code, like /feeds/en.xml")
    from listen.publish.feed import Channel, build_feed, site_defaults
    from listen.publish.items import feed_items

    base = (service.settings.public_url or str(request.base_url)).rstrip("/")
    articles = await run_in_threadpool(
        lambda: service.library.entries(state="ready", language=language)
    )
    site = service.settings.site_name or "Listen"
    # The same precedence as `listen feed build`: what the articles say, then the channel
    # file (and its edition's table), then what only the service knows.
    defaults = {
        "title": site,
        "author": site,
        "description": f"Articles from {site}, read aloud.",
        "link": base,
        **site_defaults(articles, language),
        "base_url": base + "/",
        "language": language,
    }
    try:
        channel = Channel.from_toml(service.settings.channel_file, defaults, language=language)
    except FeedError as exc:
        raise HTTPException(500, exc.one_line()) from None
    if channel.image is None:
        art = await _default_artwork(service, channel.title)
        channel = replace(channel, image=f"{base}/feeds/artwork/{urllib.parse.quote(art)}")

    def route_links(entry: Entry) -> dict[str, str]:
        found = links(entry)
        opus = opus_size(entry, service.settings.media)
        return {
            "audio": base + found["audio"],
            "vtt": base + found["transcript"],
            "chapters": base + found["chapters"],
            "captions": base + found["captions"],
            **(
                {"opus": f"{base}/v1/articles/{entry.uid}/audio.opus", "opus_bytes": str(opus)}
                if opus
                else {}
            ),
        }

    items, _ = feed_items(articles, route_links)
    xml = await service.cpu.run(
        service.settings.page_deadline_s,
        build_feed,
        channel,
        items,
        self_url=str(request.url.replace(query="")),
    )
    return Response(
        xml,
        media_type="application/rss+xml; charset=utf-8",
        headers={"Cache-Control": "public, max-age=300"},
    )


def _artwork_dir(service: Service) -> Path:
    return service.settings.data_dir / "artwork"


async def _default_artwork(service: Service, title: str) -> str:
    """The channel's default square artwork, drawn once into the data folder; its file name."""
    from listen.publish.checks import write_default_artwork

    folder = _artwork_dir(service)
    path = await service.cpu.run(
        service.settings.page_deadline_s, write_default_artwork, folder, title
    )
    return path.name


async def artwork(request: Request) -> Response:
    service = service_of(request)
    refused = _limited(request, service.reads)
    if refused:
        return refused
    name = request.path_params["name"]
    folder = _artwork_dir(service)
    path = folder / name
    # Only the names write_default_artwork gives, in that folder: no path can leave it.
    if not name.endswith(".artwork.png") or path.parent != folder or not path.is_file():
        raise HTTPException(404, "no such artwork")
    return FileResponse(
        path, media_type="image/png", headers={"Cache-Control": "public, max-age=86400"}
    )


async def http_error(request: Request, exc: Exception) -> Response:
    if isinstance(exc, HTTPException):
        return error(exc.status_code, str(exc.detail))
    return error(500, "internal error")


def create_app(settings: Settings, *, demo_url: str | None = None) -> Starlette:
    """The service for ``settings``. Local render workers start with the app (``workers > 0``)."""
    settings = settings.with_env()
    service = Service(settings)

    @asynccontextmanager
    async def lifespan(app: Starlette) -> Any:
        if settings.workers > 0:
            service.workers = start_workers(service.feeder(), settings.workers)
        await run_in_threadpool(service.cpu.start)
        try:
            yield
        finally:
            if service.workers is not None:
                service.workers.terminate()  # each worker gives its claim back
                service.workers.join(timeout=30)
                if service.workers.is_alive():
                    service.workers.kill()

    routes = [
        Route("/v1/articles", post_article, methods=["POST"]),
        Route("/v1/articles/{id}", get_article),
        *player_routes(),  # the player's files, demo pages and sync track (player.py)
        Route("/v1/articles/{id}/{name}", get_file),
        Route("/v1/listen", listen_endpoint),
        Route("/v1/queue.json", queue_json),
        Route("/feeds/{language}.xml", feed),
        Route("/feeds/artwork/{name}", artwork),
        Route("/healthz", healthz),
        Route("/metrics", metrics),
    ]
    handlers: dict[Any, Callable[[Request, Exception], Awaitable[Response]]] = {
        HTTPException: http_error,
        Exception: http_error,
    }
    # Players on the site's own pages read the JSON from here: any origin may, for reads.
    cors = Middleware(
        CORSMiddleware,
        allow_origins=["*"],
        allow_methods=["GET"],
        expose_headers=["Content-Range", "Accept-Ranges", "ETag", "Retry-After"],
    )
    app = Starlette(
        routes=routes,
        middleware=[Middleware(Metrics), cors],
        exception_handlers=handlers,
        lifespan=lifespan,
    )
    app.state.service = service
    app.state.demo_url = demo_url
    return app
