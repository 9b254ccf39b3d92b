"""The playback queue: adding (files, URLs, feeds, sitemaps), rendering (resumed after SIGKILL,
concurrent runs, failures with backoff), the listener's place, and the exported playlists."""

from __future__ import annotations

import json
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from urllib.parse import unquote

import m3u8
import pytest
from click.testing import CliRunner, Result

from listen.cli import cli
from listen.errors import StoreError
from listen.fetch import Fetched
from listen.publish.library import Library, canonical_key
from listen.publish.playlist import player_entry, queue_document
from listen.publish.sources import Listing, identify
from tests.conftest import LANGUAGE_SAMPLES, ROOT, SAMPLES, LocalServer, Rendered, decode_mp3

FEEDS = ROOT / "tests" / "data" / "feeds"
# Articles only the render-process tests use (several, so a kill lands in the middle).
OTHER_SAMPLES = [
    SAMPLES / "other-cnnstyle-heat-outdoor-workers.html",
    SAMPLES / "other-reutersstyle-copper-four-month-high.html",
    SAMPLES / "other-wordpress-balcony-composting.html",
    SAMPLES / "almayadeen-en-cheap-drones-economics-feature.html",
]


def run(*args: str) -> Result:
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def assert_one_line_error(result: Result, *needles: str) -> None:
    assert result.exit_code != 0, result.output
    lines = result.stderr.strip().splitlines()
    assert lines and lines[-1].startswith("Error: "), result.stderr
    assert all(n in lines[-1] for n in needles), lines[-1]
    assert "Traceback" not in result.output


def rows(db: Path) -> list[sqlite3.Row]:
    with sqlite3.connect(db) as conn:
        conn.row_factory = sqlite3.Row
        return conn.execute("SELECT * FROM entries ORDER BY id").fetchall()


# -- the life cycle ---------------------------------------------------------------------------


def test_rendered_queue_lists_state_title_language_and_duration(rendered: Rendered) -> None:
    result = run("queue", "list", "--db", str(rendered.db))
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0].split() == ["ID", "STATE", "LANG", "LENGTH", "TITLE"]
    body = lines[1:]
    assert [line.split()[1:3] for line in body] == [
        ["ready", "en"],
        ["ready", "ar"],
        ["ready", "es"],
    ]
    assert "CIA flying covert drone" in body[0] and "تونس" in body[1] and "remesas" in body[2]
    for row in rows(rendered.db):
        assert row["renders"] == 1 and row["attempts"] == 0 and row["last_error"] is None
        mp3 = Path(row["media_dir"]) / row["audio"]
        assert mp3.parent == rendered.media.resolve()
        assert mp3.name.startswith(f"{row['id']}-") and mp3.stat().st_size == row["audio_bytes"]
        for suffix in (".timings.json", ".vtt", ".chapters.json"):
            assert mp3.with_name(mp3.name.removesuffix(".mp3") + suffix).is_file()
        decoded = decode_mp3(mp3)
        assert abs(decoded.duration_s * 1000 - row["duration_ms"]) < 100
        assert row["published"] and row["site"] and row["url"].startswith("https://")
        assert row["summary"]
    assert not list(rendered.media.glob("*.part"))


def test_render_again_does_nothing(rendered: Rendered) -> None:
    result = run("queue", "render", "--db", str(rendered.db))
    assert result.exit_code == 0
    assert "nothing to render (3 ready)" in result.stderr
    assert [r["renders"] for r in rows(rendered.db)] == [1, 1, 1]


def test_next_position_done_and_remove(own_copy: Path, rendered: Rendered) -> None:
    db = str(own_copy)
    first = run("queue", "next", "--db", db)
    assert first.exit_code == 0
    assert first.stdout.splitlines()[0].startswith("1 CIA flying covert drone")
    assert Path(first.stdout.splitlines()[1]).is_file()
    assert first.stdout.splitlines()[2].startswith("from 0:00 of 3:")
    assert run("queue", "position", "1", "1:23.5", "--db", db).exit_code == 0
    resumed = json.loads(run("queue", "next", "--db", db, "--json").stdout)
    assert resumed["id"] == "1" and resumed["position_s"] == 83.5 and resumed["done"] is False
    assert "stopped at 1:24" in run("queue", "list", "--db", db).stdout
    assert run("queue", "done", "1", "--db", db).exit_code == 0
    assert json.loads(run("queue", "next", "--db", db, "--json").stdout)["id"] == "2"
    assert run("queue", "list", "--db", db).stdout.splitlines()[1].split()[1] == "done"
    removed = run("queue", "remove", "2", "3", "--db", db)
    assert removed.exit_code == 0
    assert [r["id"] for r in rows(own_copy)] == [1]
    assert len(list(rendered.media.glob("*.mp3"))) == 3  # files stay without --delete-files
    nothing = run("queue", "next", "--db", db)
    assert nothing.exit_code == 1 and "nothing to play" in nothing.stderr
    assert_one_line_error(run("queue", "done", "7", "--db", db), "no entry 7")
    assert_one_line_error(run("queue", "position", "1", "-3", "--db", db))
    assert_one_line_error(run("queue", "position", "1", "soon", "--db", db), "not a time")


# -- adding -------------------------------------------------------------------------------------


def test_add_files_and_urls_once_by_canonical_url(
    tmp_path: Path, server: LocalServer, sample: Callable[[str], Path]
) -> None:
    db = str(tmp_path / "q.db")
    page = sample("almayadeen-en-cia").read_bytes()
    url = server.add("/news/cia.html", page)
    assert run("queue", "add", "--db", db, str(sample("almayadeen-en-cia"))).exit_code == 0
    again = run("queue", "add", "--db", db, url, url + "?utm_source=x#top")
    assert again.exit_code == 0, again.output
    assert "queued 0 new, 2 already queued" in again.stderr
    [row] = rows(tmp_path / "q.db")
    assert row["state"] == "pending" and row["language"] == "en"
    assert row["url"].startswith("https://english.almayadeen.net/news/politics/cia-flying")
    assert row["source"] == str(sample("almayadeen-en-cia").resolve())  # absolute path


def feed(server: LocalServer, name: str, path: str, content_type: str) -> str:
    body = (FEEDS / name).read_text(encoding="utf-8").replace("{base}", server.base)
    return server.add(path, body, content_type=content_type)


def test_add_rss_atom_news_sitemap_and_index(
    tmp_path: Path, server: LocalServer, sample: Callable[[str], Path]
) -> None:
    for path, prefix in [
        ("/news/cia.html", "almayadeen-en-cia"),
        ("/mirror/cia.html", "almayadeen-en-cia"),
        ("/articles/cheap-drones.html", "almayadeen-en-cheap"),
        ("/es/remesas.html", "almayadeen-es"),
        ("/ar/olive-oil.html", "almayadeen-ar"),
    ]:
        server.add(path, sample(prefix).read_bytes())
    db = tmp_path / "q.db"
    rss = feed(server, "rss.xml", "/rss.xml", "application/rss+xml")
    result = run("queue", "add", "--db", str(db), rss)
    assert result.exit_code == 0, result.output
    assert [r["title"][:20] for r in rows(db)] == ["CIA flying covert dr", "The $2,000 weapon: H"]
    requests = len(server.requests)
    assert run("queue", "add", "--db", str(db), rss).exit_code == 0
    assert len(rows(db)) == 2 and len(server.requests) == requests + 1  # only the feed is fetched
    atom = feed(server, "atom.xml", "/atom.xml", "application/atom+xml")
    assert run("queue", "add", "--db", str(db), atom).exit_code == 0
    assert [r["language"] for r in rows(db)] == ["en", "en", "es"]
    feed(server, "news-sitemap.xml", "/news-sitemap.xml", "application/xml")
    index = feed(server, "sitemap-index.xml", "/sitemap.xml", "text/xml")
    result = run("queue", "add", "--db", str(db), index)
    assert result.exit_code == 0, result.output
    assert "queued 1 new, 1 already queued" in result.stderr  # the mirror has the CIA canonical
    assert [r["language"] for r in rows(db)] == ["en", "en", "es", "ar"]
    assert len({r["url"] for r in rows(db)}) == 4


def test_bad_feeds_give_one_line_errors(
    tmp_path: Path, server: LocalServer, sample: Callable[[str], Path]
) -> None:
    db = tmp_path / "q.db"
    empty = feed(server, "empty-sitemap.xml", "/sitemap.xml", "application/xml")
    assert_one_line_error(run("queue", "add", "--db", str(db), empty), "sitemap", "no articles")
    other = feed(server, "not-a-feed.xml", "/feed.xml", "application/rss+xml")
    assert_one_line_error(
        run("queue", "add", "--db", str(db), other), "not an RSS/Atom feed", "<svg>"
    )
    broken = server.add("/broken.xml", "<rss><channel><item>", content_type="application/rss+xml")
    assert_one_line_error(run("queue", "add", "--db", str(db), broken), "not well-formed")
    json_url = server.add("/feed.json", '{"items": []}', content_type="application/json")
    assert_one_line_error(run("queue", "add", "--db", str(db), json_url), "application/json")
    section = server.add("/politics", sample("almayadeen-en-section").read_bytes())
    assert_one_line_error(run("queue", "add", "--db", str(db), section), section)
    dead = feed(server, "rss.xml", "/dead.xml", "application/rss+xml")  # its pages are 404s
    assert_one_line_error(run("queue", "add", "--db", str(db), dead), "none of the 2 articles")
    assert_one_line_error(run("queue", "add", "--db", str(db), "-"), "stdin")
    assert rows(db) == []


def test_feed_xml_is_parsed_safely() -> None:
    found = identify(Fetched((FEEDS / "entities.xml").read_bytes(), None, None, "", "entities.xml"))
    assert isinstance(found, Listing) and found.kind == "RSS feed"
    assert found.links == ("https://example.org/a",)  # the entity was not expanded


def test_canonical_key() -> None:
    assert canonical_key("HTTPS://Example.org:443/a%20b?utm_source=x&id=3#frag") == (
        "https://example.org/a%20b?id=3"
    )
    assert canonical_key("https://example.org/تونس") == canonical_key(
        "https://example.org/%D8%AA%D9%88%D9%86%D8%B3"
    )
    assert canonical_key("http://example.org") == "http://example.org/"
    assert canonical_key("https://example.org/a?b=1") != canonical_key("https://example.org/a?b=2")


# -- bad databases ------------------------------------------------------------------------------


def test_a_file_that_is_not_a_queue_is_never_touched(tmp_path: Path) -> None:
    text = tmp_path / "notes.db"
    text.write_bytes(b"my notes, not a database\n" * 100)
    other = tmp_path / "other.db"
    with sqlite3.connect(other) as conn:
        conn.execute("CREATE TABLE t (x)")
    for path, needle in [(text, "not an SQLite file"), (other, "not a listen queue")]:
        before = path.read_bytes()
        for args in (["list"], ["add", str(SAMPLES / "almayadeen-en-cia-drones.html")]):
            assert_one_line_error(run("queue", *args, "--db", str(path)), str(path), needle)
        assert path.read_bytes() == before


def test_a_corrupt_queue_is_reported_and_left_alone(own_copy: Path) -> None:
    data = bytearray(own_copy.read_bytes())
    page = 4096
    data[page : 3 * page] = b"\xa5" * (2 * page)  # scribble over the tables' pages
    own_copy.write_bytes(bytes(data))
    before = own_copy.read_bytes()
    for args in (["list"], ["render"], ["add", str(LANGUAGE_SAMPLES["en"])]):
        assert_one_line_error(run("queue", *args, "--db", str(own_copy)), str(own_copy), "corrupt")
    assert own_copy.read_bytes() == before


def test_a_locked_queue_is_reported(own_copy: Path) -> None:
    holder = sqlite3.connect(own_copy, isolation_level=None)
    holder.execute("PRAGMA locking_mode = EXCLUSIVE")
    holder.execute("BEGIN EXCLUSIVE")
    try:
        start = time.monotonic()
        with pytest.raises(StoreError, match="locked by another process"):
            Library(own_copy, timeout=0.2)
        assert time.monotonic() - start < 5
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    with Library(own_copy) as queue:
        assert queue.counts()["ready"] == 3


# -- render runs --------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def process_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The segment cache the render-process tests share: cold for the first, warm after."""
    return tmp_path_factory.mktemp("process-cache")


def render_process(db: Path, cache: Path, *args: str) -> subprocess.Popen[str]:
    env = {**os.environ, "LISTEN_CACHE_DIR": str(cache)}
    return subprocess.Popen(
        [sys.executable, "-m", "listen", "queue", "render", "--db", str(db), *args],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def states(db: Path) -> list[str]:
    with sqlite3.connect(db, timeout=10) as conn:
        return [s for (s,) in conn.execute("SELECT state FROM entries ORDER BY id")]


def test_a_render_killed_midway_is_resumed(tmp_path: Path, process_cache: Path) -> None:
    db = tmp_path / "q.db"
    assert run("queue", "add", "--db", str(db), *map(str, OTHER_SAMPLES)).exit_code == 0
    proc = render_process(db, process_cache, "--jobs", "1")
    deadline = time.monotonic() + 60
    try:
        while time.monotonic() < deadline:
            found = states(db) if db.exists() else []
            if "ready" in found and "rendering" in found:  # killed in the middle of one
                break
            assert proc.poll() is None, proc.communicate()
            time.sleep(0.02)
        else:
            pytest.fail("the render never got going")
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait()
    killed = states(db)
    assert killed.count("ready") < len(OTHER_SAMPLES)
    media = tmp_path / "media"
    interrupted = next(
        r for r in rows(db) if r["state"] in ("rendering", "pending")
    )  # what the killed run held, or would have taken next
    (media / f".{interrupted['id']}-{interrupted['slug']}.mp3.x1y2z3.part").write_bytes(b"half")
    resumed = render_process(db, process_cache, "--jobs", "1")
    _, err = resumed.communicate(timeout=120)
    assert resumed.returncode == 0, err
    assert states(db) == ["ready"] * len(OTHER_SAMPLES)
    assert [r["renders"] for r in rows(db)] == [1] * len(OTHER_SAMPLES)
    assert not [p.name for p in media.iterdir() if p.name.endswith(".part")]
    for row in rows(db):
        decoded = decode_mp3(media / row["audio"])
        assert abs(decoded.duration_s * 1000 - row["duration_ms"]) < 100
    # what the first run finished was not rendered again
    assert err.count("ready,") == len(OTHER_SAMPLES) - killed.count("ready")


def test_two_concurrent_renders_share_the_work(tmp_path: Path, process_cache: Path) -> None:
    db = tmp_path / "q.db"
    assert run("queue", "add", "--db", str(db), *map(str, OTHER_SAMPLES)).exit_code == 0
    first = render_process(db, process_cache, "--jobs", "2")
    second = render_process(db, process_cache, "--jobs", "1")
    outputs = [p.communicate(timeout=120) for p in (first, second)]
    assert first.returncode == 0 and second.returncode == 0, outputs
    assert states(db) == ["ready"] * len(OTHER_SAMPLES)
    assert [r["renders"] for r in rows(db)] == [1] * len(OTHER_SAMPLES)  # never twice
    finished = [line for _, err in outputs for line in err.splitlines() if "ready," in line]
    assert len(finished) == len(OTHER_SAMPLES)
    with Library(db) as queue:
        assert queue.integrity_check() == "ok"


def test_a_failing_article_is_recorded_and_retried_later(
    tmp_path: Path, rendered: Rendered, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("LISTEN_CACHE_DIR", str(rendered.cache))
    article = tmp_path / "story.html"
    shutil.copy(LANGUAGE_SAMPLES["es"], article)
    db = str(tmp_path / "q.db")
    assert run("queue", "add", "--db", db, str(article), str(LANGUAGE_SAMPLES["en"])).exit_code == 0
    # `queue add` stores the script (issue 11); an entry of an older queue has none and is
    # read again from its source at render time, which fails when the file is gone
    with sqlite3.connect(db) as conn:
        conn.execute("UPDATE entries SET script = NULL WHERE id = 1")
    article.unlink()  # gone by render time
    result = run("queue", "render", "--db", db, "--jobs", "1")
    assert_one_line_error(result, "1 article(s) failed", "no such file")
    failed, ready = rows(tmp_path / "q.db")
    assert failed["state"] == "failed" and failed["attempts"] == 1
    assert "no such file" in failed["last_error"]
    assert failed["next_attempt_at"] - time.time() > 50  # backoff: a minute
    assert ready["state"] == "ready"  # the failure blocked nothing
    listing = run("queue", "list", "--db", db).stdout
    assert "attempt 1 of 5, retry in 1 min: no such file" in listing
    again = run("queue", "render", "--db", db)
    assert again.exit_code == 0 and "nothing to render" in again.stderr  # still backing off
    shutil.copy(LANGUAGE_SAMPLES["es"], article)
    retried = run("queue", "render", "--db", db, "--retry-now")
    assert retried.exit_code == 0, retried.output
    assert [r["state"] for r in rows(tmp_path / "q.db")] == ["ready", "ready"]
    assert rows(tmp_path / "q.db")[0]["last_error"] is None
    removed = run("queue", "remove", "1", "--db", db, "--delete-files")
    assert removed.exit_code == 0
    assert sorted(p.name.split("-")[0] for p in (tmp_path / "media").iterdir()) == ["2"] * 5


# -- exports ------------------------------------------------------------------------------------


def test_m3u8_round_trip(rendered: Rendered, tmp_path: Path) -> None:
    playlist = tmp_path / "lists" / "today.m3u8"
    result = run("queue", "export", "--db", str(rendered.db), "--m3u8", str(playlist))
    assert result.exit_code == 0, result.output
    text = playlist.read_text(encoding="utf-8")
    assert text.startswith("#EXTM3U\n#EXTINF:")
    parsed = m3u8.loads(text)
    assert len(parsed.segments) == 3
    for segment, row in zip(parsed.segments, rows(rendered.db), strict=True):
        assert segment.title == row["title"]
        assert not Path(segment.uri).is_absolute()
        mp3 = (playlist.parent / segment.uri).resolve()
        assert mp3 == (Path(row["media_dir"]) / row["audio"]).resolve()
        assert abs(segment.duration - decode_mp3(mp3).duration_s) <= 0.5


def test_json_queue_document_for_the_player(rendered: Rendered, tmp_path: Path) -> None:
    out = tmp_path / "site" / "queue.json"
    result = run("queue", "export", "--db", str(rendered.db), "--json", str(out))
    assert result.exit_code == 0, result.output
    document = json.loads(out.read_text(encoding="utf-8"))
    assert document["version"] == 1 and len(document["entries"]) == 3
    keys = ["id", "title", "language", "duration_ms", "url", "audio", "timings"]
    keys += ["transcript", "chapters", "position_s", "done"]
    for entry, row in zip(document["entries"], rows(rendered.db), strict=True):
        assert list(entry) == keys
        assert entry["id"] == str(row["id"]) and entry["language"] == row["language"]
        assert entry["duration_ms"] == row["duration_ms"] and entry["url"] == row["url"]
        assert entry["position_s"] == 0.0 and entry["done"] is False
        for kind, suffix in [("audio", ".mp3"), ("timings", ".timings.json")]:
            assert entry[kind].endswith(suffix) and not entry[kind].startswith("/")
        assert (out.parent / unquote(entry["audio"])).resolve().stat().st_size == row["audio_bytes"]
        vtt = (out.parent / unquote(entry["transcript"])).read_text(encoding="utf-8")
        assert vtt.startswith("WEBVTT")
        chapters = json.loads((out.parent / unquote(entry["chapters"])).read_text("utf-8"))
        assert chapters["version"] == "1.2.0"
    absolute = tmp_path / "abs.json"
    base = "https://cdn.example.org/listen/"
    args = ["--json", str(absolute), "--base-url", base, "--language", "ar"]
    assert run("queue", "export", "--db", str(rendered.db), *args).exit_code == 0
    [arabic] = json.loads(absolute.read_text(encoding="utf-8"))["entries"]
    assert arabic["audio"].startswith(base + "2-%D8%AA") and arabic["audio"].endswith(".mp3")
    assert_one_line_error(run("queue", "export", "--db", str(rendered.db)), "--m3u8")


def test_player_entry_and_queue_document() -> None:
    entry = player_entry(
        id="3",
        title="CIA",
        language="en",
        duration_ms=183000,
        url="https://example.org/cia",
        audio="media/3-cia.mp3",
        timings="media/3-cia.timings.json",
        transcript="media/3-cia.vtt",
        chapters="media/3-cia.chapters.json",
    )
    assert queue_document([entry]) == {
        "version": 1,
        "entries": [
            {
                "id": "3",
                "title": "CIA",
                "language": "en",
                "duration_ms": 183000,
                "url": "https://example.org/cia",
                "audio": "media/3-cia.mp3",
                "timings": "media/3-cia.timings.json",
                "transcript": "media/3-cia.vtt",
                "chapters": "media/3-cia.chapters.json",
                "position_s": 0.0,
                "done": False,
            }
        ],
    }
