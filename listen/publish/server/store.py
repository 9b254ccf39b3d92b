"""The service's record of articles: one SQLite table in WAL mode, shared by the web process
and every render worker.

An article's id is a hash of its canonical URL and its narration script, so the
same article always gets the same id, and a changed one gets a new id (and a
render in which the cache supplies every unchanged sentence).
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import sqlite3
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from listen.errors import StoreError
from listen.models import Script
from listen.publish.sources import summary_of

SCHEMA = """
CREATE TABLE IF NOT EXISTS articles (
    id TEXT PRIMARY KEY,
    url TEXT NOT NULL,               -- canonical URL
    requested_url TEXT,              -- what the client asked for, if different
    source TEXT NOT NULL DEFAULT 'fetch',  -- fetch: the service fetched it; html: it was POSTed
    state TEXT NOT NULL,             -- queued | rendering | ready | failed
    reason TEXT,
    title TEXT NOT NULL,
    language TEXT NOT NULL,
    site TEXT,
    published TEXT,
    summary TEXT,
    duration_ms INTEGER,
    audio_bytes INTEGER,
    synthesized INTEGER,             -- sentences the engine spoke for the last render
    cached INTEGER,                  -- sentences the cache supplied
    created_at REAL NOT NULL,
    updated_at REAL NOT NULL,
    checked_at REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS articles_by_url ON articles (url, updated_at);
CREATE INDEX IF NOT EXISTS articles_by_requested ON articles (requested_url, updated_at);
"""
STATES = ("queued", "rendering", "ready", "failed")


def article_id(script: Script) -> str:
    material = json.dumps([script.url, script.to_dict()], ensure_ascii=False, sort_keys=True)
    return hashlib.sha256(material.encode("utf-8")).hexdigest()[:32]


@dataclass(frozen=True)
class Article:
    id: str
    url: str
    state: str
    title: str
    language: str
    reason: str | None = None
    site: str | None = None
    published: str | None = None
    summary: str | None = None
    duration_ms: int | None = None
    audio_bytes: int | None = None
    synthesized: int | None = None
    cached: int | None = None
    updated_at: float = 0.0
    checked_at: float = 0.0
    source: str = "fetch"


class Store:
    def __init__(self, path: Path) -> None:
        self.path = path
        path.parent.mkdir(parents=True, exist_ok=True)
        with self._connect() as db:
            db.executescript(SCHEMA)

    @contextlib.contextmanager
    def _connect(self) -> Iterator[sqlite3.Connection]:
        try:
            db = sqlite3.connect(self.path, timeout=30, isolation_level=None)
            db.row_factory = sqlite3.Row
            db.execute("PRAGMA journal_mode=WAL")
            db.execute("PRAGMA busy_timeout=30000")
        except sqlite3.DatabaseError as exc:
            raise StoreError(f"cannot open {self.path}: {exc}") from None
        try:
            yield db
        except sqlite3.DatabaseError as exc:
            raise StoreError(f"{self.path}: {exc}") from None
        finally:
            db.close()

    def add(self, script: Script, requested_url: str | None) -> tuple[Article, bool]:
        """Record the article as queued unless it is already known; True if it is new."""
        aid = article_id(script)
        now = time.time()
        summary = summary_of((b.kind, b.text) for b in script.blocks)
        with self._connect() as db:
            cursor = db.execute(
                "INSERT OR IGNORE INTO articles (id, url, requested_url, state, title, language,"
                " site, published, summary, created_at, updated_at, checked_at)"
                " VALUES (?, ?, ?, 'queued', ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    aid,
                    script.url or requested_url or "",
                    requested_url,
                    script.title,
                    script.language,
                    script.site,
                    script.published,
                    summary,
                    now,
                    now,
                    now,
                ),
            )
            created = cursor.rowcount == 1
            if not created:
                db.execute("UPDATE articles SET checked_at = ? WHERE id = ?", (now, aid))
        found = self.get(aid)
        if found is None:
            raise StoreError(f"article {aid} vanished from {self.path}")
        return found, created

    def get(self, aid: str) -> Article | None:
        with self._connect() as db:
            row = db.execute("SELECT * FROM articles WHERE id = ?", (aid,)).fetchone()
        return _article(row) if row else None

    def latest_for(self, url: str) -> Article | None:
        """The newest article known under ``url`` (canonical or as requested)."""
        with self._connect() as db:
            row = db.execute(
                "SELECT * FROM articles WHERE url = ? OR requested_url = ?"
                " ORDER BY (state = 'ready') DESC, updated_at DESC LIMIT 1",
                (url, url),
            ).fetchone()
        return _article(row) if row else None

    def set_state(self, aid: str, state: str, **fields: Any) -> None:
        if state not in STATES:
            raise StoreError(f"unknown state {state!r}")
        columns = {"state": state, "updated_at": time.time(), **fields}
        # The column names come from this module's callers, never from a request.
        assignments = ", ".join(f"{name} = ?" for name in columns)
        with self._connect() as db:
            db.execute(f"UPDATE articles SET {assignments} WHERE id = ?", (*columns.values(), aid))

    def ready(self, language: str | None = None) -> list[Article]:
        query = "SELECT * FROM articles WHERE state = 'ready'"
        args: tuple[str, ...] = ()
        if language:
            query += " AND language = ?"
            args = (language,)
        with self._connect() as db:
            rows = db.execute(
                query + " ORDER BY COALESCE(published, '') DESC, created_at DESC", args
            ).fetchall()
        return [_article(r) for r in rows]

    def counts(self) -> dict[str, int]:
        with self._connect() as db:
            rows = db.execute("SELECT state, COUNT(*) FROM articles GROUP BY state").fetchall()
        found = {row[0]: row[1] for row in rows}
        return {state: found.get(state, 0) for state in STATES}


def _article(row: sqlite3.Row) -> Article:
    return Article(
        id=row["id"],
        url=row["url"],
        state=row["state"],
        title=row["title"],
        language=row["language"],
        reason=row["reason"],
        site=row["site"],
        published=row["published"],
        summary=row["summary"],
        duration_ms=row["duration_ms"],
        audio_bytes=row["audio_bytes"],
        updated_at=row["updated_at"],
        checked_at=row["checked_at"],
        source=row["source"],
        synthesized=row["synthesized"],
        cached=row["cached"],
    )
