"""The article library: the same behaviour, and the same tests, on SQLite and PostgreSQL."""

from __future__ import annotations

import sqlite3
import threading
import time
from pathlib import Path

import pytest

from listen.errors import StoreError
from listen.models import Block, Script, Sentence
from listen.publish.library import MAX_ATTEMPTS, Library, article_uid


@pytest.fixture(params=["sqlite", "postgresql"])
def db(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'library.db'}"
    return str(request.getfixturevalue("postgres_db"))


def script(n: int, body: str = "Body.") -> Script:
    blocks = (
        Block("title", f"Story {n}", f"Story {n}", (Sentence(f"Story {n}", f"Story {n}"),)),
        Block("paragraph", body, body, (Sentence(body, body),)),
    )
    return Script(f"Story {n}", "en", blocks, url=f"https://example.org/news/{n}")


def add(library: Library, n: int, body: str = "Body.") -> int:
    entry, _ = library.add(script(n, body), source=f"https://example.org/news/{n}", slug=f"s{n}")
    return entry.id


def test_an_article_is_stored_once_under_all_its_urls(db: str) -> None:
    with Library(db) as library:
        first, added = library.add(
            script(1), source="https://example.org/news/1?utm_source=x", slug="s1",
            aliases=["https://short.example/1"],
        )  # fmt: skip
        assert added and first.state == "pending" and first.uid == article_uid(script(1))
        assert first.stored_script() == script(1)  # lossless: the render needs nothing else
        again, added = library.add(script(1), source="https://short.example/1", slug="s1")
        assert not added and again.id == first.id
        found = library.find("HTTPS://Example.org/news/1#top")
        assert found is not None and found.id == first.id
        changed, added = library.add(script(1, "Edited."), source=first.source, slug="s1")
        assert added and changed.id == first.id and changed.uid != first.uid
        assert library.by_uid(changed.uid) is not None and library.by_uid(first.uid) is None
        assert library.counts() == {"pending": 1, "rendering": 0, "ready": 0, "failed": 0}


def test_claims_finish_fail_and_backoff(db: str, tmp_path: Path) -> None:
    from listen.models import Episode

    with Library(db) as library:
        ids = [add(library, n) for n in range(3)]
        claimed = library.claim("a")
        assert claimed is not None and claimed.id == ids[0] and claimed.state == "rendering"
        assert claimed.claim_owner and claimed.lease_until and claimed.lease_until > time.time()
        other = library.claim("b", entry_id=ids[0])
        assert other is None  # a live claim is never taken twice
        mp3 = tmp_path / "media" / "a.mp3"
        mp3.parent.mkdir()
        mp3.write_bytes(b"ID3" + bytes(100))
        episode = Episode(mp3, script(0), 1234, "en", "silent", synthesized=2)
        assert not library.finish(ids[0], "b", episode, mp3.parent)  # not this token's claim
        assert library.finish(ids[0], "a", episode, mp3.parent)
        ready = library.get(ids[0])
        assert (ready.state, ready.audio, ready.duration_ms, ready.audio_bytes) == (
            "ready", "a.mp3", 1234, 103,
        )  # fmt: skip
        assert ready.audio_path == mp3.resolve() and ready.synthesized == 2
        second = library.claim("c")
        assert second is not None and second.id == ids[1]
        failed = library.fail(ids[1], "c", "no article found")
        assert failed is not None and failed.state == "failed" and failed.attempts == 1
        assert failed.next_attempt_at and failed.next_attempt_at - time.time() > 50
        third = library.claim("d")
        assert third is not None and third.id == ids[2]  # the failure waits for its backoff
        library.release(ids[2], "d")
        assert library.get(ids[2]).state == "pending"
        assert library.requeue(ids[1]) and library.get(ids[1]).state == "pending"
        assert library.retry_failed() == 0


def test_a_dead_or_silent_owners_claim_is_taken_over(db: str) -> None:
    with Library(db) as library:
        entry_id = add(library, 1)
        assert library.claim("mine") is not None
    # a claim whose lease ran out (its renderer on another machine stopped answering)
    with Library(db, lease_s=0.05) as short:
        other = add(short, 2)
        assert short.claim("quiet", entry_id=other) is not None
        time.sleep(0.1)
        taken = short.claim("next", entry_id=other)
        assert taken is not None and taken.claim_token == "next" and taken.attempts == 1
        assert "interrupted" in (taken.last_error or "")
    # a claim whose process died
    with Library(db) as library:
        with library.backend.write() as tx:
            tx.execute(
                "UPDATE entries SET claim_owner = ? WHERE id = ?",
                (f"{__import__('socket').gethostname()}:999999999:1", entry_id),
            )
        assert Library.stale(library.get(entry_id))
        assert library.requeue(entry_id) and library.get(entry_id).state == "pending"


def test_an_article_that_keeps_killing_its_renderer_ends_failed(db: str) -> None:
    with Library(db, lease_s=0.01) as library:
        entry_id = add(library, 1)
        for attempt in range(MAX_ATTEMPTS):
            assert library.claim(f"t{attempt}", entry_id=entry_id) is not None
            time.sleep(0.02)
        assert library.claim("last", entry_id=entry_id) is None
        entry = library.get(entry_id)
        assert entry.state == "failed" and entry.attempts == MAX_ATTEMPTS
        assert entry.next_attempt_at is None  # given up


def test_concurrent_claimers_never_take_the_same_entry(db: str) -> None:
    with Library(db) as library:
        ids = {add(library, n) for n in range(24)}
    taken: list[int] = []
    errors: list[BaseException] = []

    def claimer(name: str) -> None:
        try:
            with Library(db, timeout=30) as mine:
                while (entry := mine.claim(name + str(len(taken)))) is not None:
                    taken.append(entry.id)
        except BaseException as exc:  # reported below
            errors.append(exc)

    threads = [threading.Thread(target=claimer, args=(f"w{i}-",)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert sorted(taken) == sorted(ids)  # every entry once, none twice


def test_listening_state(db: str) -> None:
    with Library(db) as library:
        entry_id = add(library, 1)
        with library.backend.write() as tx:
            tx.execute("UPDATE entries SET state = 'ready', duration_ms = 60000 WHERE id = ?",
                       (entry_id,))  # fmt: skip
        assert library.set_position(entry_id, 30.5).position_s == 30.5
        with pytest.raises(StoreError, match="only 60 s long"):
            library.set_position(entry_id, 9999)
        assert library.mark_done(entry_id).done
        assert library.next_entry() is None
        assert not library.set_position(entry_id, 1).done  # listening again
        library.remove(entry_id)
        with pytest.raises(StoreError, match=f"no entry {entry_id}"):
            library.get(entry_id)
        assert library.find("https://example.org/news/1") is None


def test_an_old_queue_is_migrated_in_place(tmp_path: Path) -> None:
    from listen.publish.sqlite_store import _MIGRATIONS

    path = tmp_path / "old.db"
    with sqlite3.connect(path) as conn:
        for statement in _MIGRATIONS[0]:
            conn.execute(statement)
        conn.execute(
            "INSERT INTO entries (source, url, title, slug, added_at, state, audio, media_dir)"
            " VALUES ('/x/a.html', 'https://example.org/a', 'Old', 'old', 1.0, 'ready', "
            "'1-old.mp3', '/media')"
        )
        conn.execute("INSERT INTO aliases VALUES ('https://example.org/a', 1)")
        conn.execute("PRAGMA application_id = 1280398670")
        conn.execute("PRAGMA user_version = 1")
    with Library(path) as library:
        entry = library.get(1)
        assert (entry.title, entry.state, entry.audio) == ("Old", "ready", "1-old.mp3")
        assert len(entry.uid) == 32 and entry.script is None and entry.origin == "queue"
        assert library.find("https://example.org/a") == entry
    with sqlite3.connect(path) as conn:
        assert conn.execute("PRAGMA user_version").fetchone()[0] == 2


def test_a_database_url_that_is_neither_is_one_line(tmp_path: Path) -> None:
    with pytest.raises(StoreError, match="unsupported database 'mysql://x/y'"):
        Library("mysql://x/y")


def test_an_old_service_database_gets_the_library_beside_it(tmp_path: Path) -> None:
    path = tmp_path / "listen.sqlite3"
    with sqlite3.connect(path) as conn:  # publish/server/store.py's table, before issue 11
        conn.execute("CREATE TABLE articles (id TEXT PRIMARY KEY, url TEXT NOT NULL)")
        conn.execute("CREATE INDEX articles_by_url ON articles (url)")
        conn.execute("INSERT INTO articles VALUES ('a', 'https://example.org/a')")
    with Library(path) as library:
        assert library.counts()["pending"] == 0
        add(library, 1)
    with sqlite3.connect(path) as conn:
        assert conn.execute("SELECT count(*) FROM articles").fetchone()[0] == 1  # untouched
    other = tmp_path / "other.db"
    with sqlite3.connect(other) as conn:
        conn.execute("CREATE TABLE notes (x)")
    with pytest.raises(StoreError, match="not a listen queue"):
        Library(other)
