"""The one store of articles: the CLI's queue, the feeds and the service all read and write it.

    pending ──claim──> rendering ──finish──> ready
       ^                   │
       │                   └──fail──> failed ──(backoff: 1, 4, 16, 64 min)──> claimed again
       └── a claim whose owner died, or whose lease ran out, is claimed again

Every entry has an integer ``id`` (what the CLI shows) and a ``uid`` (32 hex
digits: what the service's URLs show; a hash of the article's URL and script,
so a changed article gets a new one). Every URL known to name an entry (as
typed, after redirects, canonical) is an alias, so an article is stored once.
``queue add`` and the service store the article's script (and the service the
posted page), so a render never fetches or extracts again.

A claim names its owner (host, pid and start time) and holds a lease that the
renderer extends while it works; only the owner of a live claim can finish it.
The logic lives here, written once; a ``Backend`` only runs SQL:

* ``sqlite:///path`` (or a plain path): embedded, the default (sqlite_store.py);
* ``postgresql://...``: for several machines (postgres_store.py).
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import time
import urllib.parse
from collections.abc import Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any, Protocol

from platformdirs import user_data_dir

from listen.errors import StoreError
from listen.models import Episode, Script
from listen.publish.owners import owner_alive, process_owner

STATES = ("pending", "rendering", "ready", "failed")
MAX_ATTEMPTS = 5
BACKOFF_BASE_S = 60.0
BACKOFF_FACTOR = 4.0
# A renderer extends its lease every HEARTBEAT_S; a claim whose lease ran out is taken over.
LEASE_S = 120.0
DEFAULT_TIMEOUT_S = 10.0
_TRACKING = re.compile(r"^(utm_\w+|fbclid|gclid|mc_cid|mc_eid|ocid|cmpid)$", re.I)


def default_db() -> Path:
    return Path(user_data_dir("listen")) / "queue.db"


def default_media_dir(db: Path | str) -> Path:
    """Rendered files live beside an SQLite database, so two queues never share file names."""
    path = sqlite_path(str(db))
    if path is None:
        return Path(user_data_dir("listen")) / "media"
    return path.resolve().parent / "media"


def sqlite_path(db: str) -> Path | None:
    """The file of an SQLite URL or plain path; None for a PostgreSQL URL."""
    if db.startswith(("postgresql://", "postgres://")):
        return None
    if db.startswith("sqlite:///"):
        return Path(urllib.parse.unquote(db[len("sqlite://") :]))
    if "://" in db:
        raise StoreError(
            f"unsupported database {db!r}",
            hint="use sqlite:///PATH, a file path, or postgresql://USER@HOST/DB",
        )
    return Path(db)


def canonical_key(url: str) -> str:
    """The form of a URL that duplicates share: no fragment, no tracking parameters,
    lower-case scheme and host, no default port, one spelling of percent-escapes."""
    try:
        parts = urllib.parse.urlsplit(url.strip())
        port = parts.port
    except ValueError:  # "http://[::1", a port out of range: no request can be made of it
        return url.strip()
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https"):
        return url.strip()
    host = (parts.hostname or "").lower()
    if port and not ((scheme == "http" and port == 80) or (scheme == "https" and port == 443)):
        host = f"{host}:{port}"
    path = urllib.parse.quote(urllib.parse.unquote(parts.path or "/"), safe="/:@!$&'()*+,;=~-._")
    query = urllib.parse.urlencode(
        [
            (k, v)
            for k, v in urllib.parse.parse_qsl(parts.query, keep_blank_values=True)
            if not _TRACKING.match(k)
        ]
    )
    return urllib.parse.urlunsplit((scheme, host, path, query, ""))


def article_uid(script: Script) -> str:
    """The same article always gets the same uid; a changed one a new uid."""
    material = json.dumps([script.url, script.to_dict()], ensure_ascii=False, sort_keys=True)
    return hashlib.sha256(material.encode("utf-8")).hexdigest()[:32]


def summary_of(script: Script) -> str | None:
    """The summary block's text, else the first paragraph: an episode's description."""
    for wanted in ("summary", "paragraph"):
        for block in script.blocks:
            if block.kind == wanted and block.text.strip():
                return block.text.strip()
    return None


def backoff_s(attempts: int) -> float:
    """How long to wait before the next try after ``attempts`` failures."""
    return BACKOFF_BASE_S * BACKOFF_FACTOR ** max(0, attempts - 1)


@dataclass(frozen=True)
class Entry:
    """One article in the store."""

    id: int
    uid: str
    source: str  # what was added: an absolute path or a URL
    url: str | None  # the article's canonical URL
    title: str
    language: str | None
    language_hint: str | None  # the --language given to `queue add`, if any
    site: str | None
    published: str | None  # ISO date from the article
    summary: str | None
    slug: str
    origin: str  # queue: `queue add`; fetch: the service fetched it; html: it was POSTed
    state: str
    added_at: float
    checked_at: float | None  # when the service last looked at the page
    attempts: int
    last_error: str | None
    next_attempt_at: float | None
    failed_at: float | None
    claim_token: str | None
    claim_owner: str | None  # host:pid:start-time of the claiming process
    claimed_at: float | None
    lease_until: float | None
    media_dir: str | None  # the folder the renderer wrote into
    audio: str | None  # the MP3, relative to media_dir
    audio_bytes: int | None
    duration_ms: int | None
    synthesized: int | None  # sentences the engine spoke in the last render
    cached: int | None  # sentences the cache supplied
    rendered_at: float | None
    first_rendered_at: float | None  # never changes: the date of an undated feed item
    renders: int
    position_s: float
    done: bool
    script: str | None  # the narration script's JSON, as stored when the article was added

    @classmethod
    def from_row(cls, row: dict[str, Any]) -> Entry:
        data = {name: row[name] for name in COLUMNS}
        data["done"] = bool(data["done"])
        return cls(**data)

    @property
    def audio_path(self) -> Path | None:
        if not self.audio or not self.media_dir:
            return None
        return Path(self.media_dir) / self.audio

    def stored_script(self) -> Script | None:
        """The script stored with the entry, if there is one (entries of schema 1 have none)."""
        if not self.script:
            return None
        try:
            return Script.from_dict(json.loads(self.script))
        except (ValueError, KeyError, TypeError):
            return None  # a damaged script: the source is read again


COLUMNS = tuple(f.name for f in fields(Entry))
_SELECT = "SELECT " + ", ".join(COLUMNS) + " FROM entries"


class Tx(Protocol):
    """One transaction: ``execute`` takes SQL with ``?`` placeholders."""

    def execute(self, sql: str, params: Sequence[Any] = ()) -> int:
        """Run a statement; the number of rows it changed."""

    def rows(self, sql: str, params: Sequence[Any] = ()) -> list[dict[str, Any]]:
        """Run a query; its rows as dicts."""


class Backend(Protocol):
    """What a database must do for the ``Library``: transactions, and locking one row."""

    name: str  # for messages: the file, or the database URL without its password
    lock_row: str  # appended to a SELECT of one row inside a write transaction

    def write(self) -> AbstractContextManager[Tx]:
        """A transaction that may write; other writers wait (or skip locked rows)."""

    def read(self) -> AbstractContextManager[Tx]:
        """A transaction that only reads."""

    def integrity_check(self) -> str: ...

    def close(self) -> None: ...


def open_backend(db: str | Path | None, timeout: float) -> Backend:
    text = str(db) if db is not None else os.environ.get("LISTEN_DB") or str(default_db())
    path = sqlite_path(text)
    if path is None:
        from listen.publish.postgres_store import PostgresBackend

        return PostgresBackend(text, timeout=timeout)
    from listen.publish.sqlite_store import SqliteBackend

    return SqliteBackend(path, timeout=timeout)


class Library:
    """The articles in one database. Each process (and thread) opens its own ``Library``."""

    def __init__(
        self,
        db: str | Path | None = None,
        *,
        timeout: float = DEFAULT_TIMEOUT_S,
        lease_s: float = LEASE_S,
    ) -> None:
        self.db = db
        self.backend = open_backend(db, timeout)
        self.name = self.backend.name
        self.lease_s = lease_s

    def close(self) -> None:
        self.backend.close()

    def __enter__(self) -> Library:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def integrity_check(self) -> str:
        return self.backend.integrity_check()

    def _rows(self, where: str = "", params: Sequence[Any] = (), order: str = "id") -> list[Entry]:
        with self.backend.read() as tx:
            rows = tx.rows(f"{_SELECT} {where} ORDER BY {order}", params)
        return [Entry.from_row(r) for r in rows]

    # adding -----------------------------------------------------------------------------

    def find(self, url: str) -> Entry | None:
        """The entry that ``url`` (as typed, redirected or canonical) already names."""
        found = self._rows(
            "WHERE id IN (SELECT entry_id FROM aliases WHERE key = ?)", (canonical_key(url),)
        )
        return found[0] if found else None

    def add(
        self,
        script: Script,
        *,
        source: str,
        slug: str,
        url: str | None = None,
        language_hint: str | None = None,
        aliases: Sequence[str] = (),
        origin: str = "queue",
        page: str | None = None,
    ) -> tuple[Entry, bool]:
        """Store an article unless one of its URLs is known: (entry, whether it needs a render).

        A known article whose script changed gets the new script and a new uid,
        and is rendered again.
        """
        url = url or script.url
        keys = list(dict.fromkeys(canonical_key(u) for u in (url, source, *aliases) if u))
        uid = article_uid(script)
        now = time.time()
        values: dict[str, Any] = {
            "uid": uid, "source": source, "url": url, "title": script.title,
            "language": script.language, "language_hint": language_hint, "site": script.site,
            "published": script.published, "summary": summary_of(script), "slug": slug,
            "origin": origin, "added_at": now, "checked_at": now,
            "script": json.dumps(script.to_dict(), ensure_ascii=False), "page": page,
        }  # fmt: skip
        with self.backend.write() as tx:
            for key in keys:
                found = tx.rows(
                    f"{_SELECT} WHERE id IN (SELECT entry_id FROM aliases WHERE key = ?)", (key,)
                )
                if found:
                    existing = Entry.from_row(found[0])
                    for k in keys:  # remember the new spellings: the next add skips the fetch
                        tx.execute(
                            "INSERT INTO aliases (key, entry_id) VALUES (?, ?)"
                            " ON CONFLICT (key) DO NOTHING",
                            (k, existing.id),
                        )
                    if existing.uid == uid or (existing.script is None and origin == "queue"):
                        tx.execute(
                            "UPDATE entries SET checked_at = ? WHERE id = ?", (now, existing.id)
                        )
                        return self._get(tx, existing.id), False
                    tx.execute(
                        "UPDATE entries SET uid = ?, title = ?, language = ?, site = ?,"
                        " published = ?, summary = ?, script = ?, page = coalesce(?, page),"
                        " checked_at = ?, origin = ?, state = 'pending', attempts = 0,"
                        " last_error = NULL, next_attempt_at = NULL, failed_at = NULL,"
                        " claim_token = NULL, claim_owner = NULL, claimed_at = NULL,"
                        " lease_until = NULL WHERE id = ?",
                        (
                            uid, script.title, script.language, script.site, script.published,
                            values["summary"], values["script"], page, now, origin, existing.id,
                        ),
                    )  # fmt: skip
                    return self._get(tx, existing.id), True
            names = ", ".join(values)
            marks = ", ".join("?" for _ in values)
            entry_id = int(
                tx.rows(
                    f"INSERT INTO entries ({names}) VALUES ({marks}) RETURNING id",
                    list(values.values()),
                )[0]["id"]
            )
            for key in keys:
                tx.execute(
                    "INSERT INTO aliases (key, entry_id) VALUES (?, ?)"
                    " ON CONFLICT (key) DO NOTHING",
                    (key, entry_id),
                )
            return self._get(tx, entry_id), True

    def _get(self, tx: Tx, entry_id: int) -> Entry:
        rows = tx.rows(f"{_SELECT} WHERE id = ?", (entry_id,))
        if not rows:
            raise StoreError(f"no entry {entry_id} in {self.name}", hint="see `listen queue list`")
        return Entry.from_row(rows[0])

    # reading ----------------------------------------------------------------------------

    def get(self, entry_id: int) -> Entry:
        with self.backend.read() as tx:
            return self._get(tx, entry_id)

    def by_uid(self, uid: str) -> Entry | None:
        found = self._rows("WHERE uid = ?", (uid,))
        return found[0] if found else None

    def page(self, entry_id: int) -> str | None:
        """The page the service was given for an entry, if it kept one."""
        with self.backend.read() as tx:
            rows = tx.rows("SELECT page FROM entries WHERE id = ?", (entry_id,))
        return rows[0]["page"] if rows else None

    def entries(self, *, state: str | None = None, language: str | None = None) -> list[Entry]:
        """Entries in queue order, optionally of one state and language."""
        where: list[str] = ["TRUE"]
        params: list[Any] = []
        if state is not None:
            where, params = [*where, "state = ?"], [*params, state]
        if language is not None:
            where, params = [*where, "lower(language) = lower(?)"], [*params, language]
        return self._rows("WHERE " + " AND ".join(where), params)

    def next_entry(self) -> Entry | None:
        """The first entry that is ready and not yet listened to."""
        found = self._rows("WHERE state = 'ready' AND done = 0")
        return found[0] if found else None

    def counts(self) -> dict[str, int]:
        with self.backend.read() as tx:
            found = {
                r["state"]: int(r["n"])
                for r in tx.rows("SELECT state, count(*) AS n FROM entries GROUP BY state")
            }
        return {state: found.get(state, 0) for state in STATES}

    # rendering --------------------------------------------------------------------------

    def _claimable(self, entry: Entry, now: float, since: float) -> bool:
        if entry.state == "pending":
            return True
        if entry.state == "failed":
            # A run retries what failed before it started, never what failed during it.
            return (
                entry.next_attempt_at is not None
                and entry.next_attempt_at <= now
                and (entry.failed_at or 0.0) < since
            )
        if entry.state == "rendering":
            return self.stale(entry, now)
        return False

    @staticmethod
    def stale(entry: Entry, now: float | None = None) -> bool:
        """A claim whose lease ran out, or whose process is gone."""
        if (entry.lease_until or 0.0) < (time.time() if now is None else now):
            return True
        return not owner_alive(entry.claim_owner)

    def claimable(self, *, since: float | None = None) -> list[Entry]:
        """What a render run that started at ``since`` would take now (another may take some)."""
        now = time.time()
        candidates = self._rows("WHERE state IN ('pending', 'failed', 'rendering')")
        return [e for e in candidates if self._claimable(e, now, now if since is None else since)]

    def retry_failed(self) -> int:
        """Make every failed entry pending again, with its attempts forgotten; how many."""
        with self.backend.write() as tx:
            return tx.execute(
                "UPDATE entries SET state = 'pending', attempts = 0, next_attempt_at = NULL"
                " WHERE state = 'failed'"
            )

    def requeue(self, entry_id: int) -> bool:
        """Make a failed entry, or one whose claim is stale, pending again now; whether it was."""
        with self.backend.write() as tx:
            rows = tx.rows(f"{_SELECT} WHERE id = ?{self.backend.lock_row}", (entry_id,))
            if not rows:
                return False
            entry = Entry.from_row(rows[0])
            if entry.state == "failed" or (entry.state == "rendering" and self.stale(entry)):
                tx.execute(
                    "UPDATE entries SET state = 'pending', next_attempt_at = NULL,"
                    " claim_token = NULL, claim_owner = NULL, claimed_at = NULL,"
                    " lease_until = NULL, attempts = 0 WHERE id = ?",
                    (entry_id,),
                )
                return True
            return entry.state == "pending"

    def claim(
        self, token: str, *, since: float | None = None, entry_id: int | None = None
    ) -> Entry | None:
        """Take the first claimable entry (or ``entry_id``) for this process; None if none is.

        A stale claim (its process died) counts as a failed attempt, so an article
        that kills its renderer every time ends up ``failed`` instead of looping.
        """
        owner = process_owner()
        start = time.time()
        since = start if since is None else since
        where = "WHERE state IN ('pending', 'failed', 'rendering')"
        params: tuple[Any, ...] = ()
        if entry_id is not None:
            where, params = where + " AND id = ?", (entry_id,)
        for candidate in self._rows(where, params):
            if not self._claimable(candidate, time.time(), since):
                continue
            with self.backend.write() as tx:
                # Locked by another claimer (PostgreSQL skips it), or taken since: next one.
                rows = tx.rows(f"{_SELECT} WHERE id = ?{self.backend.lock_row}", (candidate.id,))
                now = time.time()
                if not rows or not self._claimable(entry := Entry.from_row(rows[0]), now, since):
                    continue
                if entry.state == "rendering":
                    attempts = entry.attempts + 1
                    reason = "the render was interrupted (its process died or stopped answering)"
                    if attempts >= MAX_ATTEMPTS:
                        self._record_failure(tx, entry.id, attempts, reason, now)
                        continue
                    tx.execute(
                        "UPDATE entries SET attempts = ?, last_error = ? WHERE id = ?",
                        (attempts, reason, entry.id),
                    )
                tx.execute(
                    "UPDATE entries SET state = 'rendering', claim_token = ?, claim_owner = ?,"
                    " claimed_at = ?, lease_until = ? WHERE id = ?",
                    (token, owner, now, now + self.lease_s, entry.id),
                )
                return self._get(tx, entry.id)
        return None

    def heartbeat(self, entry_id: int, token: str) -> bool:
        """Extend this claim's lease; False if the claim is no longer this process's."""
        now = time.time()
        with self.backend.write() as tx:
            return (
                tx.execute(
                    "UPDATE entries SET claimed_at = ?, lease_until = ?"
                    " WHERE id = ? AND claim_token = ? AND state = 'rendering'",
                    (now, now + self.lease_s, entry_id, token),
                )
                == 1
            )

    def finish(self, entry_id: int, token: str, episode: Episode, media_dir: Path) -> bool:
        """Record a finished render; False if the claim is no longer this process's."""
        if episode.path is None:
            raise StoreError("a streamed episode has no file to record")
        script = episode.script
        now = time.time()
        media = media_dir.resolve()
        audio = episode.path.resolve().relative_to(media).as_posix()
        with self.backend.write() as tx:
            changed = tx.execute(
                "UPDATE entries SET state = 'ready', renders = renders + 1,"
                " media_dir = ?, audio = ?, audio_bytes = ?, duration_ms = ?, synthesized = ?,"
                " cached = ?, title = ?, language = ?, url = coalesce(?, url), site = ?,"
                " published = ?, summary = ?, rendered_at = ?,"
                " first_rendered_at = coalesce(first_rendered_at, ?),"
                " attempts = 0, last_error = NULL, next_attempt_at = NULL, failed_at = NULL,"
                " claim_token = NULL, claim_owner = NULL, claimed_at = NULL, lease_until = NULL"
                " WHERE id = ? AND claim_token = ? AND state = 'rendering'",
                (
                    str(media), audio, episode.path.stat().st_size, episode.duration_ms,
                    episode.synthesized, episode.cached, script.title, script.language,
                    script.url, script.site, script.published, summary_of(script), now, now,
                    entry_id, token,
                ),
            )  # fmt: skip
            return changed == 1

    def fail(self, entry_id: int, token: str, error: str) -> Entry | None:
        """Record a failed attempt and when to try again; None if the claim was lost."""
        with self.backend.write() as tx:
            rows = tx.rows(
                "SELECT attempts FROM entries WHERE id = ? AND claim_token = ?"
                " AND state = 'rendering'",
                (entry_id, token),
            )
            if not rows:
                return None
            self._record_failure(tx, entry_id, int(rows[0]["attempts"]) + 1, error, time.time())
            return self._get(tx, entry_id)

    @staticmethod
    def _record_failure(tx: Tx, entry_id: int, attempts: int, error: str, now: float) -> None:
        retry_at = now + backoff_s(attempts) if attempts < MAX_ATTEMPTS else None
        tx.execute(
            "UPDATE entries SET state = 'failed', attempts = ?, last_error = ?,"
            " next_attempt_at = ?, failed_at = ?, claim_token = NULL, claim_owner = NULL,"
            " claimed_at = NULL, lease_until = NULL WHERE id = ?",
            (attempts, error, retry_at, now, entry_id),
        )

    def release(self, entry_id: int, token: str) -> None:
        """Give a claim back untouched (the run was interrupted, not the article's fault)."""
        with self.backend.write() as tx:
            tx.execute(
                "UPDATE entries SET state = 'pending', claim_token = NULL, claim_owner = NULL,"
                " claimed_at = NULL, lease_until = NULL"
                " WHERE id = ? AND claim_token = ? AND state = 'rendering'",
                (entry_id, token),
            )

    def fail_owner(self, owner: str, error: str) -> list[int]:
        """Record a failure on every claim of a process that died (a crashed worker)."""
        with self.backend.write() as tx:
            rows = tx.rows(
                "SELECT id, attempts FROM entries WHERE state = 'rendering' AND claim_owner = ?",
                (owner,),
            )
            for row in rows:
                self._record_failure(
                    tx, int(row["id"]), int(row["attempts"]) + 1, error, time.time()
                )
        return [int(r["id"]) for r in rows]

    # listening --------------------------------------------------------------------------

    def set_position(self, entry_id: int, seconds: float) -> Entry:
        """Where the listener stopped; listening again un-marks the entry as done."""
        entry = self.get(entry_id)
        if seconds < 0:
            raise StoreError(f"a position cannot be negative ({seconds:g} s)")
        if entry.duration_ms is not None and seconds > entry.duration_ms / 1000 + 0.5:
            raise StoreError(
                f"entry {entry_id} is only {entry.duration_ms / 1000:.0f} s long, "
                f"so it has no position {seconds:g} s"
            )
        if entry.duration_ms is not None:
            seconds = min(seconds, entry.duration_ms / 1000)
        with self.backend.write() as tx:
            tx.execute(
                "UPDATE entries SET position_s = ?, done = 0 WHERE id = ?", (seconds, entry_id)
            )
            return self._get(tx, entry_id)

    def mark_done(self, entry_id: int, done: bool = True) -> Entry:
        with self.backend.write() as tx:
            self._get(tx, entry_id)
            tx.execute("UPDATE entries SET done = ? WHERE id = ?", (int(done), entry_id))
            return self._get(tx, entry_id)

    def remove(self, entry_id: int) -> Entry:
        with self.backend.write() as tx:
            entry = self._get(tx, entry_id)
            tx.execute("DELETE FROM aliases WHERE entry_id = ?", (entry_id,))
            tx.execute("DELETE FROM entries WHERE id = ?", (entry_id,))
        return entry
