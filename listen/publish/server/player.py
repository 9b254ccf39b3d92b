"""The player's side of the service: its files, the demo pages and the sync track.

    GET /player.js, /player-core.js, ... , /player.css   the player (a loader and its ES modules)
    GET /demo, /demo/es, /demo/ar                         a sample article with the player on it
    GET /v1/articles/{id}/sync.vtt                        the timings as WebVTT metadata

The routes are grouped here so that ``app.py`` only lists them.
"""

from __future__ import annotations

import html
import json
from pathlib import Path
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import FileResponse, Response
from starlette.routing import Route

STATIC = Path(__file__).resolve().parent / "static"
SAMPLES = Path(__file__).resolve().parents[3] / "samples"
# The player's files: a classic-script loader (the two-line embed) and the modules it imports.
PLAYER_FILES = (
    "player.js",
    "player-core.js",
    "loading.js",
    "events.js",
    "panels.js",
    "controls.js",
    "format.js",
    "highlighter.js",
    "keys.js",
    "messages.js",
    "net.js",
    "page.js",
    "storage.js",
    "player.css",
)
# language -> (demo page, the sample article it shows)
DEMOS = {
    "en": ("demo.html", "almayadeen-en-cia-drones.html"),
    "es": ("demo-es.html", "almayadeen-es-remesas-mexico-record.html"),
    "ar": ("demo-ar.html", "almayadeen-ar-tunisia-olive-oil-exports.html"),
}


async def player_file(request: Request) -> Response:
    name = request.url.path.rsplit("/", 1)[-1]
    path = STATIC / name
    if name not in PLAYER_FILES or not path.is_file():
        raise HTTPException(404, "no such file")
    media = "text/javascript; charset=utf-8" if name.endswith(".js") else "text/css; charset=utf-8"
    return FileResponse(path, media_type=media, headers={"Cache-Control": "public, max-age=300"})


def _demo_article(request: Request, language: str) -> str:
    """The article the demo asks for: ``?url=``, else the sample, submitted once if needed."""
    chosen = request.query_params.get("url")
    if chosen:
        return chosen
    if language == "en":
        return str(request.app.state.demo_url or "")
    sample = SAMPLES / DEMOS[language][1]
    if not request.app.state.demo_url or not sample.is_file():
        return ""  # the demo was not asked for (serve --no-demo), or no samples are installed
    from listen.models import Page
    from listen.pipeline import script_from_page

    service = request.app.state.service
    text = sample.read_text(encoding="utf-8")
    script, _ = script_from_page(Page(html=text, source=str(sample)))
    if not script.url:
        return ""
    known = service.library.find(script.url)
    if known is None or known.state == "failed":
        service.submit(script, text, script.url, "html")
    return script.url


async def demo(request: Request) -> Response:
    """A demo page, with the player asking this service for its article."""
    language = request.path_params.get("language", "en")
    if language not in DEMOS:
        raise HTTPException(404, f"demo pages: /demo, {', '.join(f'/demo/{k}' for k in DEMOS)}")
    path = STATIC / DEMOS[language][0]
    if not path.is_file():
        raise HTTPException(404, "the demo page is not installed")
    article = await run_in_threadpool(_demo_article, request, language)
    page = path.read_text(encoding="utf-8").replace(
        "{{ARTICLE_URL}}", html.escape(article, quote=True)
    )
    return Response(page, media_type="text/html; charset=utf-8")


async def sync_track(request: Request) -> Response:
    """The article's timings as a WebVTT metadata track (SyncMediaLite), made from timings.json."""
    from listen.publish.server.app import _known, _limited, service_of
    from listen.transcript import to_sync_vtt

    service = service_of(request)
    refused = _limited(request, service.reads)
    if refused:
        return refused
    article = _known(request)
    path = service.files(article).get("timings")
    if article.state != "ready" or path is None or not path.is_file():
        raise HTTPException(404, "the audio is not ready yet")
    timings: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return Response(
        to_sync_vtt(timings),
        media_type="text/vtt; charset=utf-8",
        headers={"Cache-Control": "public, max-age=3600"},
    )


def player_links(article_id: str, language: str) -> dict[str, str]:
    """What the player links to beside the audio: the sync track and the edition's feed."""
    return {"sync": f"/v1/articles/{article_id}/sync.vtt", "feed": f"/feeds/{language}.xml"}


def player_routes() -> list[Route]:
    """Before the generic ``/v1/articles/{id}/{name}`` route, so sync.vtt is ours."""
    return [
        Route("/v1/articles/{id}/sync.vtt", sync_track),
        *(Route(f"/{name}", player_file) for name in PLAYER_FILES),
        Route("/demo", demo),
        Route("/demo/{language}", demo),
    ]
