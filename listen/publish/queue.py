"""The persistent playback queue: SQLite in WAL mode, shared safely by several processes.

An entry moves through these states:

    pending ──claim──> rendering ──> ready
       ^                   │
       │                   └──> failed ──(backoff: 1, 4, 16, 64 min)──> claimed again
       └── a claim whose process died is stale and is claimed again by the next run

Claims happen inside ``BEGIN IMMEDIATE`` transactions and name their owner
(host, pid and the process's start time), so two render processes never take
the same entry, and a run killed with SIGKILL leaves nothing that the next run
cannot pick up. Only the owner of a claim can finish it.

The database is never created over, or written into, a file that is not
already a listen queue: a locked or corrupt file is a ``QueueError``.

``player_entry`` and ``queue_document`` make the JSON a web player reads
(playlist.py writes it, and the M3U playlist, from the queue).
"""

from __future__ import annotations

import contextlib
import re
import sqlite3
import time
import urllib.parse
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from platformdirs import user_data_dir

from listen.errors import QueueError
from listen.publish.owners import owner_alive, process_owner

SCHEMA_VERSION = 1
APPLICATION_ID = 0x4C51554E  # "LQUN": marks the file as a listen queue
STATES = ("pending", "rendering", "ready", "failed")
MAX_ATTEMPTS = 5
BACKOFF_BASE_S = 60.0
BACKOFF_FACTOR = 4.0
# A live renderer refreshes its claim while it works; one silent for this long is gone.
STALE_AFTER_S = 30 * 60.0
DEFAULT_TIMEOUT_S = 10.0
_SQLITE_MAGIC = b"SQLite format 3\x00"
_TRACKING = re.compile(r"^(utm_\w+|fbclid|gclid|mc_cid|mc_eid|ocid|cmpid)$", re.I)

_SCHEMA = """
CREATE TABLE entries (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    source TEXT NOT NULL,            -- what render reads: an absolute path or a URL
    url TEXT,                        -- the article's canonical URL
    title TEXT NOT NULL,
    language TEXT,
    language_hint TEXT,              -- the --language given to `queue add`, if any
    site TEXT,
    published TEXT,                  -- ISO date from the article
    summary TEXT,
    slug TEXT NOT NULL,
    state TEXT NOT NULL DEFAULT 'pending'
        CHECK (state IN ('pending', 'rendering', 'ready', 'failed')),
    added_at REAL NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    last_error TEXT,
    next_attempt_at REAL,
    failed_at REAL,
    claim_token TEXT,
    claim_owner TEXT,                -- host:pid:start-time of the claiming process
    claimed_at REAL,
    media_dir TEXT,
    audio TEXT,                      -- the MP3's file name inside media_dir
    audio_bytes INTEGER,
    duration_ms INTEGER,
    rendered_at REAL,
    first_rendered_at REAL,          -- never changes: the date of an undated feed item
    renders INTEGER NOT NULL DEFAULT 0,
    position_s REAL NOT NULL DEFAULT 0,
    done INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX entries_by_state ON entries (state, id);
-- every URL known to name an entry (as typed, after redirects, canonical), normalised
CREATE TABLE aliases (
    key TEXT PRIMARY KEY,
    entry_id INTEGER NOT NULL REFERENCES entries (id) ON DELETE CASCADE
);
"""


def default_db() -> Path:
    return Path(user_data_dir("listen")) / "queue.db"


def default_media_dir(db: Path) -> Path:
    """Rendered files live beside their database, so two queues never share file names."""
    return db.resolve().parent / "media"


def canonical_key(url: str) -> str:
    """The form of a URL that duplicates share: no fragment, no tracking parameters,
    lower-case scheme and host, no default port, one spelling of percent-escapes."""
    parts = urllib.parse.urlsplit(url.strip())
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https"):
        return url.strip()
    host = (parts.hostname or "").lower()
    if parts.port and not (
        (scheme == "http" and parts.port == 80) or (scheme == "https" and parts.port == 443)
    ):
        host = f"{host}:{parts.port}"
    path = urllib.parse.quote(urllib.parse.unquote(parts.path or "/"), safe="/:@!$&'()*+,;=~-._")
    query = urllib.parse.urlencode(
        [
            (k, v)
            for k, v in urllib.parse.parse_qsl(parts.query, keep_blank_values=True)
            if not _TRACKING.match(k)
        ]
    )
    return urllib.parse.urlunsplit((scheme, host, path, query, ""))


@dataclass(frozen=True)
class Entry:
    """One row of the queue."""

    id: int
    source: str
    url: str | None
    title: str
    language: str | None
    language_hint: str | None
    site: str | None
    published: str | None
    summary: str | None
    slug: str
    state: str
    added_at: float
    attempts: int
    last_error: str | None
    next_attempt_at: float | None
    failed_at: float | None
    claim_token: str | None
    claim_owner: str | None
    claimed_at: float | None
    media_dir: str | None
    audio: str | None
    audio_bytes: int | None
    duration_ms: int | None
    rendered_at: float | None
    first_rendered_at: float | None
    renders: int
    position_s: float
    done: bool

    @classmethod
    def from_row(cls, row: sqlite3.Row) -> Entry:
        data = dict(zip(row.keys(), tuple(row), strict=True))
        data["done"] = bool(data["done"])
        return cls(**data)

    @property
    def audio_path(self) -> Path | None:
        if not self.audio or not self.media_dir:
            return None
        return Path(self.media_dir) / self.audio


def backoff_s(attempts: int) -> float:
    """How long to wait before the next try after ``attempts`` failures."""
    return BACKOFF_BASE_S * BACKOFF_FACTOR ** max(0, attempts - 1)


# -- the database ---------------------------------------------------------------------------


class Queue:
    """The queue in one SQLite file. Each process opens its own ``Queue``."""

    def __init__(self, path: Path | None = None, *, timeout: float = DEFAULT_TIMEOUT_S) -> None:
        self.path = Path(path) if path is not None else default_db()
        self.timeout = timeout
        self._db = self._open()

    # opening ----------------------------------------------------------------------------

    def _open(self) -> sqlite3.Connection:
        exists = self._check_file()
        if not exists:
            try:
                self.path.parent.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                raise QueueError(f"cannot create {self.path.parent}: {exc.strerror}") from None
        uri = f"{self.path.resolve().as_uri()}?mode={'rw' if exists else 'rwc'}"
        with self._errors():
            db = sqlite3.connect(uri, uri=True, timeout=self.timeout, isolation_level=None)
        db.row_factory = sqlite3.Row
        try:
            with self._errors():
                db.execute(f"PRAGMA busy_timeout = {int(self.timeout * 1000)}")
                self._prepare(db)
        except BaseException:
            db.close()
            raise
        return db

    def _check_file(self) -> bool:
        """Refuse anything that is not an SQLite file before SQLite may write to it."""
        try:
            with self.path.open("rb") as fh:
                head = fh.read(len(_SQLITE_MAGIC))
        except FileNotFoundError:
            return False
        except IsADirectoryError:
            raise QueueError(f"{self.path} is a directory, not a queue database") from None
        except OSError as exc:
            raise QueueError(f"cannot read {self.path}: {exc.strerror}") from None
        if head and head != _SQLITE_MAGIC:
            raise QueueError(
                f"{self.path} is not a listen queue database (not an SQLite file); "
                "it was left untouched",
                hint="choose another file with --db",
            )
        return True

    def _prepare(self, db: sqlite3.Connection) -> None:
        version = int(db.execute("PRAGMA user_version").fetchone()[0])
        app_id = int(db.execute("PRAGMA application_id").fetchone()[0])
        tables = db.execute("SELECT count(*) FROM sqlite_master").fetchone()[0]
        if version > SCHEMA_VERSION:
            raise QueueError(
                f"{self.path} was made by a newer listen (schema {version})",
                hint="upgrade listen",
            )
        if (app_id not in (0, APPLICATION_ID)) or (tables and app_id != APPLICATION_ID):
            raise QueueError(
                f"{self.path} is an SQLite database but not a listen queue; it was left untouched",
                hint="choose another file with --db",
            )
        if tables:
            # Small files: checking every page is cheap, and a damaged file is then never
            # written to, instead of failing (or worse) halfway through some later command.
            verdict = db.execute("PRAGMA quick_check(1)").fetchone()[0]
            if verdict != "ok":
                raise sqlite3.DatabaseError(verdict)
        if db.execute("PRAGMA journal_mode").fetchone()[0].lower() != "wal":
            db.execute("PRAGMA journal_mode = WAL")
        db.execute("PRAGMA foreign_keys = ON")
        db.execute("PRAGMA synchronous = NORMAL")  # in WAL: a killed process loses no commit
        if version == 0:
            db.execute("BEGIN IMMEDIATE")
            try:
                if (
                    int(db.execute("PRAGMA user_version").fetchone()[0]) == 0
                ):  # unless another process just did
                    for statement in _SCHEMA.split(";\n"):
                        if statement.strip():
                            db.execute(statement)
                    db.execute(f"PRAGMA application_id = {APPLICATION_ID}")
                    db.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
                db.execute("COMMIT")
            except BaseException:
                if db.in_transaction:
                    db.execute("ROLLBACK")
                raise

    @contextlib.contextmanager
    def _errors(self) -> Iterator[None]:
        """SQLite's errors, as one line naming the file."""
        try:
            yield
        except sqlite3.OperationalError as exc:
            text = str(exc)
            if "locked" in text or "busy" in text:
                raise QueueError(
                    f"{self.path} is locked by another process",
                    hint="wait for it to finish, or use another --db",
                ) from None
            if "unable to open" in text:
                raise QueueError(f"cannot open {self.path}: {text}") from None
            if "readonly" in text:
                raise QueueError(f"{self.path} is read-only") from None
            raise QueueError(f"{self.path}: {text}") from None
        except sqlite3.DatabaseError as exc:
            raise QueueError(
                f"{self.path} is corrupt ({exc}); it was left untouched",
                hint="move it aside and start a new queue, or restore a backup",
            ) from None

    @contextlib.contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        """One ``BEGIN IMMEDIATE`` transaction: the write lock is taken before anything is read."""
        with self._errors():
            self._db.execute("BEGIN IMMEDIATE")
            try:
                yield self._db
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            self._db.execute("COMMIT")

    def _rows(self, sql: str, params: Sequence[Any] | dict[str, Any] = ()) -> list[Entry]:
        with self._errors():
            return [Entry.from_row(r) for r in self._db.execute(sql, params).fetchall()]

    def close(self) -> None:
        self._db.close()

    def __enter__(self) -> Queue:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def integrity_check(self) -> str:
        with self._errors():
            return str(self._db.execute("PRAGMA integrity_check").fetchone()[0])

    # adding -----------------------------------------------------------------------------

    def find(self, url: str) -> Entry | None:
        """The entry that ``url`` (as typed, redirected or canonical) already names."""
        rows = self._rows(
            "SELECT e.* FROM aliases a JOIN entries e ON e.id = a.entry_id WHERE a.key = ?",
            (canonical_key(url),),
        )
        return rows[0] if rows else None

    def add(
        self,
        *,
        source: str,
        title: str,
        slug: str,
        url: str | None = None,
        language: str | None = None,
        language_hint: str | None = None,
        site: str | None = None,
        published: str | None = None,
        summary: str | None = None,
        aliases: Sequence[str] = (),
    ) -> tuple[Entry, bool]:
        """Queue an article unless one of its URLs is already queued: (entry, added)."""
        keys = list(dict.fromkeys(canonical_key(u) for u in (url, source, *aliases) if u))
        with self._write() as db:
            for key in keys:
                row = db.execute(
                    "SELECT e.* FROM aliases a JOIN entries e ON e.id = a.entry_id WHERE a.key = ?",
                    (key,),
                ).fetchone()
                if row is not None:
                    existing = Entry.from_row(row)
                    db.executemany(  # remember the new spellings: the next add skips the fetch
                        "INSERT OR IGNORE INTO aliases (key, entry_id) VALUES (?, ?)",
                        [(k, existing.id) for k in keys],
                    )
                    return existing, False
            values = {
                "source": source, "url": url, "title": title, "language": language,
                "language_hint": language_hint, "site": site, "published": published,
                "summary": summary, "slug": slug, "added_at": time.time(),
            }  # fmt: skip
            cursor = db.execute(
                f"INSERT INTO entries ({', '.join(values)})"
                f" VALUES ({', '.join(':' + k for k in values)})",
                values,
            )
            entry_id = int(cursor.lastrowid or 0)
            db.executemany(
                "INSERT INTO aliases (key, entry_id) VALUES (?, ?)", [(k, entry_id) for k in keys]
            )
        return self.get(entry_id), True

    # reading ----------------------------------------------------------------------------

    def get(self, entry_id: int) -> Entry:
        rows = self._rows("SELECT * FROM entries WHERE id = ?", (entry_id,))
        if not rows:
            raise QueueError(f"no entry {entry_id} in {self.path}", hint="see `listen queue list`")
        return rows[0]

    def entries(self, *, state: str | None = None, language: str | None = None) -> list[Entry]:
        """Entries in queue order, optionally of one state and language."""
        sql = "SELECT * FROM entries WHERE (:state IS NULL OR state = :state)"
        sql += " AND (:language IS NULL OR lower(language) = lower(:language)) ORDER BY id"
        return self._rows(sql, {"state": state, "language": language})

    def next_entry(self) -> Entry | None:
        """The first entry that is ready and not yet listened to."""
        rows = self._rows("SELECT * FROM entries WHERE state = 'ready' AND done = 0 ORDER BY id")
        return rows[0] if rows else None

    def counts(self) -> dict[str, int]:
        with self._errors():
            found = dict(
                self._db.execute("SELECT state, count(*) FROM entries GROUP BY state").fetchall()
            )
        return {state: int(found.get(state, 0)) for state in STATES}

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
            return self._stale(entry, now)
        return False

    @staticmethod
    def _stale(entry: Entry, now: float) -> bool:
        if (entry.claimed_at or 0.0) < now - STALE_AFTER_S:
            return True
        return not owner_alive(entry.claim_owner)

    def claimable(self, *, since: float | None = None) -> list[Entry]:
        """What a render run that started at ``since`` would take now (another may take some)."""
        now = time.time()
        candidates = self._rows(
            "SELECT * FROM entries WHERE state IN ('pending', 'failed', 'rendering') ORDER BY id"
        )
        return [e for e in candidates if self._claimable(e, now, now if since is None else since)]

    def retry_failed(self) -> int:
        """Make every failed entry pending again, with its attempts forgotten; how many."""
        with self._write() as db:
            return db.execute(
                "UPDATE entries SET state = 'pending', attempts = 0, next_attempt_at = NULL"
                " WHERE state = 'failed'"
            ).rowcount

    def claim(self, token: str, *, since: float | None = None) -> Entry | None:
        """Take the first claimable entry for this process, atomically; None when none is left.

        A stale claim (its process died) counts as a failed attempt, so an article
        that kills its renderer every time ends up ``failed`` instead of looping.
        """
        owner = process_owner()
        with self._write() as db:
            now = time.time()
            since = now if since is None else since
            rows = db.execute(
                "SELECT * FROM entries WHERE state IN ('pending', 'failed', 'rendering')"
                " ORDER BY id"
            ).fetchall()
            for row in rows:
                entry = Entry.from_row(row)
                if not self._claimable(entry, now, since):
                    continue
                if entry.state == "rendering":
                    attempts = entry.attempts + 1
                    reason = "the render was interrupted (its process died or stopped answering)"
                    if attempts >= MAX_ATTEMPTS:
                        self._record_failure(db, entry.id, attempts, reason, now)
                        continue
                    db.execute(
                        "UPDATE entries SET attempts = ?, last_error = ? WHERE id = ?",
                        (attempts, reason, entry.id),
                    )
                db.execute(
                    "UPDATE entries SET state = 'rendering', claim_token = ?, claim_owner = ?,"
                    " claimed_at = ? WHERE id = ?",
                    (token, owner, now, entry.id),
                )
                return Entry.from_row(
                    db.execute("SELECT * FROM entries WHERE id = ?", (entry.id,)).fetchone()
                )
        return None

    def heartbeat(self, entry_id: int, token: str) -> None:
        """Tell other runs that this claim is alive."""
        with self._write() as db:
            db.execute(
                "UPDATE entries SET claimed_at = ? WHERE id = ? AND claim_token = ?",
                (time.time(), entry_id, token),
            )

    def finish(
        self,
        entry_id: int,
        token: str,
        *,
        media_dir: Path,
        audio: str,
        audio_bytes: int,
        duration_ms: int,
        title: str,
        language: str,
        url: str | None,
        site: str | None,
        published: str | None,
        summary: str | None,
    ) -> bool:
        """Record a finished render; False if the claim is no longer this process's."""
        now = time.time()
        values = {
            "media_dir": str(media_dir.resolve()), "audio": audio, "audio_bytes": audio_bytes,
            "duration_ms": duration_ms, "title": title, "language": language, "url": url,
            "site": site, "published": published, "summary": summary, "now": now,
            "id": entry_id, "token": token,
        }  # fmt: skip
        with self._write() as db:
            cursor = db.execute(
                "UPDATE entries SET state = 'ready', renders = renders + 1,"
                " media_dir = :media_dir, audio = :audio, audio_bytes = :audio_bytes,"
                " duration_ms = :duration_ms, title = :title, language = :language,"
                " url = coalesce(:url, url), site = :site, published = :published,"
                " summary = :summary, rendered_at = :now,"
                " first_rendered_at = coalesce(first_rendered_at, :now),"
                " attempts = 0, last_error = NULL, next_attempt_at = NULL, failed_at = NULL,"
                " claim_token = NULL, claim_owner = NULL, claimed_at = NULL"
                " WHERE id = :id AND claim_token = :token AND state = 'rendering'",
                values,
            )
            return cursor.rowcount == 1

    def fail(self, entry_id: int, token: str, error: str) -> Entry | None:
        """Record a failed attempt and when to try again; None if the claim was lost."""
        with self._write() as db:
            row = db.execute(
                "SELECT attempts FROM entries WHERE id = ? AND claim_token = ?"
                " AND state = 'rendering'",
                (entry_id, token),
            ).fetchone()
            if row is None:
                return None
            self._record_failure(db, entry_id, int(row[0]) + 1, error, time.time())
        return self.get(entry_id)

    @staticmethod
    def _record_failure(
        db: sqlite3.Connection, entry_id: int, attempts: int, error: str, now: float
    ) -> None:
        retry_at = now + backoff_s(attempts) if attempts < MAX_ATTEMPTS else None
        db.execute(
            "UPDATE entries SET state = 'failed', attempts = ?, last_error = ?,"
            " next_attempt_at = ?, failed_at = ?, claim_token = NULL, claim_owner = NULL,"
            " claimed_at = NULL WHERE id = ?",
            (attempts, error, retry_at, now, entry_id),
        )

    def release(self, entry_id: int, token: str) -> None:
        """Give a claim back untouched (the run was interrupted, not the article's fault)."""
        with self._write() as db:
            db.execute(
                "UPDATE entries SET state = 'pending', claim_token = NULL, claim_owner = NULL,"
                " claimed_at = NULL WHERE id = ? AND claim_token = ? AND state = 'rendering'",
                (entry_id, token),
            )

    def fail_owner(self, owner: str, error: str) -> list[int]:
        """Record a failure on every claim of a process that died (a crashed worker)."""
        with self._write() as db:
            rows = db.execute(
                "SELECT id, attempts FROM entries WHERE state = 'rendering' AND claim_owner = ?",
                (owner,),
            ).fetchall()
            for entry_id, attempts in rows:
                self._record_failure(db, int(entry_id), int(attempts) + 1, error, time.time())
        return [int(r[0]) for r in rows]

    # listening --------------------------------------------------------------------------

    def set_position(self, entry_id: int, seconds: float) -> Entry:
        """Where the listener stopped; listening again un-marks the entry as done."""
        entry = self.get(entry_id)
        if seconds < 0:
            raise QueueError(f"a position cannot be negative ({seconds:g} s)")
        if entry.duration_ms is not None:
            seconds = min(seconds, entry.duration_ms / 1000)
        with self._write() as db:
            db.execute(
                "UPDATE entries SET position_s = ?, done = 0 WHERE id = ?", (seconds, entry_id)
            )
        return self.get(entry_id)

    def mark_done(self, entry_id: int, done: bool = True) -> Entry:
        self.get(entry_id)
        with self._write() as db:
            db.execute("UPDATE entries SET done = ? WHERE id = ?", (int(done), entry_id))
        return self.get(entry_id)

    def remove(self, entry_id: int) -> Entry:
        entry = self.get(entry_id)
        with self._write() as db:
            db.execute("DELETE FROM entries WHERE id = ?", (entry_id,))
        return entry


# -- what players read ----------------------------------------------------------------------


def player_entry(
    *,
    id: str,
    title: str,
    language: str,
    duration_ms: int,
    url: str | None,
    audio: str,
    timings: str | None,
    transcript: str | None,
    chapters: str | None,
    position_s: float = 0.0,
    done: bool = False,
) -> dict[str, object]:
    """One entry of the queue document, in the order and types the web player expects."""
    return {
        "id": str(id),
        "title": title,
        "language": language,
        "duration_ms": int(duration_ms),
        "url": url,
        "audio": audio,
        "timings": timings,
        "transcript": transcript,
        "chapters": chapters,
        "position_s": float(position_s),
        "done": bool(done),
    }


def queue_document(entries: Sequence[dict[str, object]]) -> dict[str, object]:
    """``{"version": 1, "entries": [...]}``: what a web player loads."""
    return {"version": 1, "entries": list(entries)}
