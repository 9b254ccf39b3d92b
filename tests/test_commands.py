"""The queue, feed and speak commands: values validated, one line of confirmation or error."""

from __future__ import annotations

import gzip
from pathlib import Path

from tests.conftest import LANGUAGE_SAMPLES
from tests.test_queue import assert_one_line_error, rows, run


def test_positions_are_validated(own_copy: Path) -> None:
    db = str(own_copy)
    assert_one_line_error(run("queue", "position", "1", "99:99", "--db", db), "not a time")
    assert_one_line_error(run("queue", "position", "1", "1:75", "--db", db), "not a time")
    assert_one_line_error(run("queue", "position", "1", "1:2:3:4", "--db", db), "not a time")
    assert_one_line_error(run("queue", "position", "2", "9999", "--db", db), "only", "s long")
    assert [r["position_s"] for r in rows(own_copy)] == [0.0, 0.0, 0.0]  # nothing was saved
    ok = run("queue", "position", "1", "1:02:03"[2:], "--db", db)  # 02:03
    assert ok.exit_code == 0 and rows(own_copy)[0]["position_s"] == 123.0


def test_done_position_and_remove_confirm_in_one_line(own_copy: Path) -> None:
    db = str(own_copy)
    done = run("queue", "done", "1", "--db", db)
    assert done.exit_code == 0 and done.stderr.strip().count("\n") == 0
    assert done.stderr.startswith("marked 1 ") and "as listened to" in done.stderr
    position = run("queue", "position", "2", "1:00", "--db", db)
    assert position.stderr.strip().startswith("2 ") and "stopped at 1:00 of " in position.stderr
    removed = run("queue", "remove", "3", "--db", db)
    assert removed.stderr.startswith("removed 3 ") and removed.stderr.count("\n") == 1
    for args in (("done", "1", "--undo"), ("position", "2", "5"), ("remove", "2")):
        quiet = run("queue", *args, "--db", db, "-q")
        assert quiet.exit_code == 0 and quiet.stderr == "" and quiet.stdout == ""


def test_feed_build_says_nothing_is_rendered_yet(tmp_path: Path) -> None:
    db = str(tmp_path / "q.db")
    assert run("queue", "add", "--db", db, str(LANGUAGE_SAMPLES["en"])).exit_code == 0
    out = str(tmp_path / "f.xml")
    result = run("feed", "build", "--db", db, "--base-url", "https://x.org/", "-o", out)
    assert_one_line_error(result, "is rendered yet", "1 waiting", "listen queue render")
    assert "--language" not in result.stderr


def test_several_sources_need_a_folder(tmp_path: Path) -> None:
    a, b = LANGUAGE_SAMPLES["en"], LANGUAGE_SAMPLES["es"]
    result = run("speak", str(a), str(b), "-o", str(tmp_path / "one.mp3"))
    assert result.exit_code == 2 and "give -o a folder" in result.stderr
    assert not (tmp_path / "one.mp3").exists()


def test_a_corrupt_gzip_in_queue_add_is_one_line(tmp_path: Path) -> None:
    good = gzip.compress(b"<?xml version='1.0'?><urlset></urlset>" * 50)
    broken = tmp_path / "sitemap.xml.gz"
    broken.write_bytes(good[: len(good) // 2])  # cut short
    db = str(tmp_path / "q.db")
    assert_one_line_error(run("queue", "add", "--db", db, str(broken)), "not a valid gzip file")
    garbage = tmp_path / "bad.xml.gz"
    garbage.write_bytes(b"\x1f\x8b" + bytes(range(256)) * 4)
    assert_one_line_error(run("queue", "add", "--db", db, str(garbage)), "not a valid gzip file")


def test_queue_feed_and_service_share_one_library(rendered: object, tmp_path: Path) -> None:
    """`queue add` + `queue render`, then the service on the same database sees the articles."""
    from starlette.testclient import TestClient

    from listen.publish.server import Settings, create_app

    db = rendered.db  # type: ignore[attr-defined]
    copy = tmp_path / "q.db"
    copy.write_bytes(Path(db).read_bytes())
    settings = Settings(
        data_dir=tmp_path / "data",
        workers=0,
        db=str(copy),
        media_dir=rendered.media,  # type: ignore[attr-defined]
    )
    with TestClient(create_app(settings)) as client:
        queue = client.get("/v1/queue.json").json()["entries"]
        assert {e["language"] for e in queue} == {"en", "ar", "es"}
        first = client.get(queue[0]["audio"])
        assert first.status_code == 200 and first.content[:3] == b"ID3"
        feed = client.get("/feeds/en.xml")
        assert feed.status_code == 200 and b"<enclosure" in feed.content
