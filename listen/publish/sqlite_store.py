"""The Library's embedded backend: one SQLite file in WAL mode, shared safely by processes.

Writes run in ``BEGIN IMMEDIATE`` transactions, so the write lock is taken
before anything is read and two claimers never take the same entry. The
schema is versioned with ``PRAGMA user_version`` and migrated in place (a
queue made by an older listen gains the new columns); the file is marked as
a listen database with ``PRAGMA application_id``. A file that is not already
a listen database is never created over or written into: a locked or corrupt
file is a ``StoreError``.
"""

from __future__ import annotations

import contextlib
import sqlite3
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from listen.errors import StoreError
from listen.publish.schema import SCHEMA_VERSION, schema

APPLICATION_ID = 0x4C51554E  # "LQUN": marks the file as a listen queue
_OLD_SERVICE_TABLES = frozenset({"articles", "articles_by_url", "articles_by_requested"})

_MIGRATIONS = schema(
    {
        "serial": "INTEGER PRIMARY KEY AUTOINCREMENT",
        "real": "REAL",
        "bigint": "INTEGER",
        "random_uid": "lower(hex(randomblob(16)))",
    }
)


class _Tx:
    def __init__(self, db: sqlite3.Connection) -> None:
        self.db = db

    def execute(self, sql: str, params: Sequence[Any] = ()) -> int:
        return self.db.execute(sql, tuple(params)).rowcount

    def rows(self, sql: str, params: Sequence[Any] = ()) -> list[dict[str, Any]]:
        cursor = self.db.execute(sql, tuple(params))
        names = [d[0] for d in cursor.description or ()]
        return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


class SqliteBackend:
    lock_row = ""  # BEGIN IMMEDIATE already holds the whole file's write lock

    def __init__(self, path: Path, *, timeout: float) -> None:
        self.path = path
        self.name = str(path)
        self.timeout = timeout
        self._db = self._open()

    def _open(self) -> sqlite3.Connection:
        exists = self._check_file()
        if not exists:
            try:
                self.path.parent.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                raise StoreError(f"cannot create {self.path.parent}: {exc.strerror}") from None
        uri = f"{self.path.resolve().as_uri()}?mode={'rw' if exists else 'rwc'}"
        with self._errors():
            db = sqlite3.connect(
                uri, uri=True, timeout=self.timeout, isolation_level=None, check_same_thread=False
            )
        try:
            with self._errors():
                db.execute(f"PRAGMA busy_timeout = {int(self.timeout * 1000)}")
                self._prepare(db)
        except BaseException:
            db.close()
            raise
        return db

    def _check_file(self) -> bool:
        """Refuse anything that is not an SQLite file before SQLite may write to it.

        The file is read through SQLite itself (read-only), never opened by
        Python: closing any descriptor of a file drops every POSIX lock this
        process holds on it, and another connection here may hold one.
        """
        if self.path.is_dir():
            raise StoreError(f"{self.path} is a directory, not a queue database")
        if not self.path.exists():
            return False
        try:
            probe = sqlite3.connect(
                f"{self.path.resolve().as_uri()}?mode=ro", uri=True, timeout=self.timeout
            )
        except sqlite3.Error as exc:
            raise StoreError(f"cannot read {self.path}: {exc}") from None
        try:
            probe.execute("PRAGMA schema_version").fetchone()
        except sqlite3.DatabaseError as exc:
            if "not a database" in str(exc):
                raise StoreError(
                    f"{self.path} is not a listen queue database (not an SQLite file); "
                    "it was left untouched",
                    hint="choose another file with --db",
                ) from None
            if "locked" in str(exc) or "busy" in str(exc):
                raise StoreError(
                    f"{self.path} is locked by another process",
                    hint="wait for it to finish, or use another --db",
                ) from None
            raise StoreError(f"cannot read {self.path}: {exc}") from None
        finally:
            probe.close()
        return True

    def _prepare(self, db: sqlite3.Connection) -> None:
        version = int(db.execute("PRAGMA user_version").fetchone()[0])
        app_id = int(db.execute("PRAGMA application_id").fetchone()[0])
        tables = db.execute("SELECT count(*) FROM sqlite_master").fetchone()[0]
        if version > SCHEMA_VERSION:
            raise StoreError(
                f"{self.path} was made by a newer listen (schema {version})",
                hint="upgrade listen",
            )
        names = {
            r[0]
            for r in db.execute("SELECT name FROM sqlite_master").fetchall()
            if not r[0].startswith("sqlite_")
        }
        # The service's store before the library (an "articles" table): ours is made beside it,
        # and its articles are rendered again when they are next asked for.
        old_service = app_id == 0 and version == 0 and names <= _OLD_SERVICE_TABLES
        if (app_id not in (0, APPLICATION_ID)) or (
            tables and app_id != APPLICATION_ID and not old_service
        ):
            raise StoreError(
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
        if version < SCHEMA_VERSION:
            self._migrate(db)

    @staticmethod
    def _migrate(db: sqlite3.Connection) -> None:
        db.execute("BEGIN IMMEDIATE")
        try:
            version = int(db.execute("PRAGMA user_version").fetchone()[0])  # another may have
            for steps in _MIGRATIONS[version:]:
                for statement in steps:
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
                raise StoreError(
                    f"{self.path} is locked by another process",
                    hint="wait for it to finish, or use another --db",
                ) from None
            if "unable to open" in text:
                raise StoreError(f"cannot open {self.path}: {text}") from None
            if "readonly" in text:
                raise StoreError(f"{self.path} is read-only") from None
            raise StoreError(f"{self.path}: {text}") from None
        except sqlite3.DatabaseError as exc:
            raise StoreError(
                f"{self.path} is corrupt ({exc}); it was left untouched",
                hint="move it aside and start a new queue, or restore a backup",
            ) from None

    @contextlib.contextmanager
    def write(self) -> Iterator[_Tx]:
        """One ``BEGIN IMMEDIATE`` transaction: the write lock is taken before anything is read."""
        with self._errors():
            self._db.execute("BEGIN IMMEDIATE")
            try:
                yield _Tx(self._db)
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            self._db.execute("COMMIT")

    @contextlib.contextmanager
    def read(self) -> Iterator[_Tx]:
        with self._errors():
            yield _Tx(self._db)

    def integrity_check(self) -> str:
        with self._errors():
            return str(self._db.execute("PRAGMA integrity_check").fetchone()[0])

    def close(self) -> None:
        self._db.close()
