"""``/healthz`` and ``/metrics``, and the middleware that counts every answer.

``/healthz`` answers from memory, so a liveness probe never waits for a
thread or the database: the article counts are read at most once a second,
in a thread of their own, and a failed read makes the next answer "degraded".
Only a snapshot older than ``STALE_S`` (the first one) is waited for.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

from prometheus_client import generate_latest
from prometheus_client.exposition import CONTENT_TYPE_LATEST
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

EVERY_S = 1.0  # the counts are read again after this long
STALE_S = 5.0  # a snapshot older than this is waited for


class Health:
    """The article counts by state, read in the background; ``read`` may raise."""

    def __init__(self, read: Callable[[], dict[str, int]]) -> None:
        self.read = read
        self.counts: dict[str, int] | None = None
        self.problem: str | None = None
        self.at = 0.0
        self._reading = threading.Lock()

    def refresh(self) -> None:
        if not self._reading.acquire(blocking=False):
            return  # a read is in progress
        try:
            try:
                self.counts, self.problem = self.read(), None
            except Exception as exc:  # an unusable database: the service is degraded
                self.problem = " ".join(str(exc).split())[:200] or type(exc).__name__
            self.at = time.monotonic()
        finally:
            self._reading.release()

    async def snapshot(self) -> tuple[dict[str, int] | None, str | None]:
        age = time.monotonic() - self.at
        if self.counts is None or age > STALE_S:
            await run_in_threadpool(self.refresh)
        elif age > EVERY_S:
            threading.Thread(target=self.refresh, daemon=True, name="listen-health").start()
        return self.counts, self.problem


async def healthz(request: Request) -> Response:
    service: Any = request.app.state.service
    counts, problem = await service.health.snapshot()
    workers = service.workers
    alive = workers is None or workers.is_alive()
    body: dict[str, Any] = {
        "status": "ok" if alive and problem is None else "degraded",
        "articles": counts or {},
        "local_workers": bool(workers and alive),
    }
    if problem is not None:
        body["error"] = f"the article library cannot be read: {problem}"
    return JSONResponse(body, status_code=200 if body["status"] == "ok" else 503)


async def metrics(request: Request) -> Response:
    data = await run_in_threadpool(generate_latest, request.app.state.service.registry)
    return Response(data, media_type=CONTENT_TYPE_LATEST)


class Metrics:
    """Counts every answer by route and status. Plain ASGI: BaseHTTPMiddleware would add a
    task and a stream to every request, CPU the event loop spends before /healthz."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        status = [500]

        async def sent(message: Message) -> None:
            if message["type"] == "http.response.start":
                status[0] = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, sent)
        finally:
            route = scope.get("route")
            name = getattr(route, "path", "unmatched")
            scope["app"].state.service.requests.labels(name, str(status[0])).inc()
