"""The article library's schema, written once for both backends, and its migrations.

Each migration takes the schema from its index to the next version; a
backend fills in its own spelling of a few types (``schema``). SQLite
records the version in ``PRAGMA user_version``, PostgreSQL in ``listen_schema``.
"""

from __future__ import annotations

# The schema, for both backends: each migration takes it from its index to the next version.
# {serial}, {real}, {bigint} and {random_uid} are each backend's spelling (see ``schema``).
MIGRATIONS: tuple[tuple[str, ...], ...] = (
    (  # 0 -> 1: the queue
        """CREATE TABLE entries (
            id {serial},
            source TEXT NOT NULL,
            url TEXT,
            title TEXT NOT NULL,
            language TEXT,
            language_hint TEXT,
            site TEXT,
            published TEXT,
            summary TEXT,
            slug TEXT NOT NULL,
            state TEXT NOT NULL DEFAULT 'pending'
                CHECK (state IN ('pending', 'rendering', 'ready', 'failed')),
            added_at {real} NOT NULL,
            attempts INTEGER NOT NULL DEFAULT 0,
            last_error TEXT,
            next_attempt_at {real},
            failed_at {real},
            claim_token TEXT,
            claim_owner TEXT,
            claimed_at {real},
            media_dir TEXT,
            audio TEXT,
            audio_bytes {bigint},
            duration_ms {bigint},
            rendered_at {real},
            first_rendered_at {real},
            renders INTEGER NOT NULL DEFAULT 0,
            position_s {real} NOT NULL DEFAULT 0,
            done INTEGER NOT NULL DEFAULT 0
        )""",
        "CREATE INDEX entries_by_state ON entries (state, id)",
        """CREATE TABLE aliases (
            key TEXT PRIMARY KEY,
            entry_id {bigint} NOT NULL REFERENCES entries (id) ON DELETE CASCADE
        )""",
    ),
    (  # 1 -> 2: one store for the queue and the service; leases; the stored script
        "ALTER TABLE entries ADD COLUMN uid TEXT",
        "ALTER TABLE entries ADD COLUMN origin TEXT NOT NULL DEFAULT 'queue'",
        "ALTER TABLE entries ADD COLUMN checked_at {real}",
        "ALTER TABLE entries ADD COLUMN lease_until {real}",
        "ALTER TABLE entries ADD COLUMN synthesized INTEGER",
        "ALTER TABLE entries ADD COLUMN cached INTEGER",
        "ALTER TABLE entries ADD COLUMN script TEXT",
        "ALTER TABLE entries ADD COLUMN page TEXT",
        "UPDATE entries SET uid = {random_uid} WHERE uid IS NULL",
        # A claim of schema 1 had no lease: give it one, so a live renderer keeps it.
        "UPDATE entries SET lease_until = claimed_at + 1800 WHERE state = 'rendering'",
        "CREATE UNIQUE INDEX entries_by_uid ON entries (uid)",
    ),
)


SCHEMA_VERSION = len(MIGRATIONS)


def schema(spelling: dict[str, str]) -> tuple[tuple[str, ...], ...]:
    """The migrations in one backend's SQL."""
    return tuple(tuple(step.format(**spelling) for step in steps) for steps in MIGRATIONS)
