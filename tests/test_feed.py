"""Podcast feeds: what gPodder's podcastparser and feedparser see in them, checked against the
real rendered files; channel settings; stable guids; incremental, atomic, deterministic rebuilds."""

from __future__ import annotations

import email.utils
import errno
import shutil
import sqlite3
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import quote, unquote, urlsplit

import feedparser
import podcastparser
import pytest
from lxml import etree

from listen.errors import ExportError
from listen.publish.feed import (
    ITUNES,
    PODCAST,
    PODCAST_FIRST,
    Channel,
    FeedError,
    FeedItem,
    build_feed,
    guid_for,
    merge,
    read_feed,
    write_feed,
)
from tests.conftest import Rendered, decode_mp3
from tests.test_queue import FEEDS, assert_one_line_error, rows, run

BASE = "https://cdn.example.org/listen/"
SITES = {"en": "Al Mayadeen English", "ar": "الميادين", "es": "Al Mayadeen Español"}


def build(db: Path, out: Path, language: str, *extra: str) -> None:
    args = ["--db", str(db), "--base-url", BASE, "--language", language, "-o", str(out)]
    result = run("feed", "build", *args, *extra)
    assert result.exit_code == 0, result.output


def local_file(url: str, rendered: Rendered) -> Path:
    """The media file an absolute URL names (base URL + file name)."""
    assert url.startswith(BASE)
    return rendered.media / unquote(url[len(BASE) :])


@pytest.mark.parametrize("language", ["en", "ar", "es"])
def test_each_edition_is_read_by_podcast_clients(
    rendered: Rendered, tmp_path: Path, language: str
) -> None:
    out = tmp_path / f"{language}.xml"
    build(rendered.db, out, language)  # only the required flags
    [row] = [r for r in rows(rendered.db) if r["language"] == language]
    mp3 = Path(row["media_dir"]) / row["audio"]
    seconds = decode_mp3(mp3).duration_s
    guid = guid_for(row["url"])

    gpodder = podcastparser.parse(BASE + out.name, out.open("rb"))
    assert gpodder["title"] == SITES[language]
    assert gpodder["language"] == language
    [episode] = gpodder["episodes"]
    assert episode["guid"] == guid and episode["title"] == row["title"]
    assert episode["link"] == row["url"]
    [enclosure] = episode["enclosures"]
    assert enclosure["url"] == BASE + quote(mp3.name)
    assert (
        enclosure["file_size"]
        == mp3.stat().st_size
        == local_file(enclosure["url"], rendered).stat().st_size
    )
    assert enclosure["mime_type"] == "audio/mpeg"
    assert abs(episode["total_time"] - seconds) <= 1
    assert episode["description"] == row["summary"]
    published = datetime.fromisoformat(row["published"]).replace(tzinfo=UTC)
    assert episode["published"] == published.timestamp()
    # podcastparser knows the Podcasting 2.0 namespace under its first address only
    assert local_file(episode["transcript_url"], rendered).read_text("utf-8").startswith("WEBVTT")
    assert local_file(episode["chapters_json_url"], rendered).name.endswith(".chapters.json")

    parsed = feedparser.parse(out.read_bytes())
    assert not parsed.bozo, parsed.bozo_exception
    assert parsed.feed.title == SITES[language] and parsed.feed.language == language
    [entry] = parsed.entries
    assert entry.id == guid and entry.guidislink is False
    assert entry.enclosures[0].href == enclosure["url"]
    assert int(entry.enclosures[0].length) == mp3.stat().st_size
    assert entry.enclosures[0].type == "audio/mpeg"
    h, m, s = (int(p) for p in entry.itunes_duration.split(":"))
    assert abs(h * 3600 + m * 60 + s - seconds) <= 1
    assert entry.published == email.utils.format_datetime(published)
    # feedparser keeps one element per name: the last, the copy under the first address
    assert entry.podcast1_transcript["url"] == episode["transcript_url"]
    assert entry.podcast1_transcript["type"] == "text/vtt"
    assert entry.podcast_chapters["url"] == episode["chapters_json_url"]
    assert entry.podcast_chapters["type"] == "application/json+chapters"

    root = etree.fromstring(out.read_bytes())
    assert root.nsmap == {
        "itunes": ITUNES,
        "podcast": "https://podcastindex.org/namespace/1.0",
        "podcast1": PODCAST_FIRST,
        "atom": "http://www.w3.org/2005/Atom",
    }
    assert PODCAST == "https://podcastindex.org/namespace/1.0"
    transcripts = {
        (t.get("rel"), t.get("type")): t.get("url")
        for t in root.iterfind(f"channel/item/{{{PODCAST}}}transcript")
    }
    assert transcripts[(None, "text/vtt")] == episode["transcript_url"]
    captions = local_file(transcripts[("captions", "text/vtt")], rendered)
    assert captions.name.endswith(".captions.vtt") and captions.read_text("utf-8")[:6] == "WEBVTT"
    assert root.find("channel/item/guid").get("isPermaLink") == "false"
    self_link = root.find("channel/{http://www.w3.org/2005/Atom}link")
    assert self_link.get("rel") == "self" and self_link.get("href") == BASE + out.name


def test_rebuilding_is_deterministic_and_leaves_the_file_alone(
    rendered: Rendered, tmp_path: Path
) -> None:
    out = tmp_path / "feed.xml"
    build(rendered.db, out, "en")
    before = out.read_bytes(), out.stat().st_mtime_ns
    build(rendered.db, out, "en")
    assert (out.read_bytes(), out.stat().st_mtime_ns) == before
    assert not list(tmp_path.glob("*.part"))


def test_published_episodes_stay_and_prune_drops_them(own_copy: Path, tmp_path: Path) -> None:
    out = tmp_path / "feed.xml"
    build(own_copy, out, "es")
    assert run("queue", "remove", "3", "--db", str(own_copy)).exit_code == 0
    build(own_copy, out, "es")  # incremental: a listener's clean-up unpublishes nothing
    assert len(podcastparser.parse(BASE, out.open("rb"))["episodes"]) == 1
    args = ["--db", str(own_copy), "--base-url", BASE, "-l", "es", "-o", str(out), "--prune"]
    assert_one_line_error(run("feed", "build", *args), "no rendered es entries")
    assert len(podcastparser.parse(BASE, out.open("rb"))["episodes"]) == 1  # not half-written


def test_an_undated_article_keeps_its_first_render_date(own_copy: Path, tmp_path: Path) -> None:
    with sqlite3.connect(own_copy) as conn:
        conn.execute("UPDATE entries SET published = NULL WHERE id = 1")
        (first,) = conn.execute("SELECT first_rendered_at FROM entries WHERE id = 1").fetchone()
    dates = []
    for name in ("a.xml", "b.xml"):
        build(own_copy, tmp_path / name, "en")
        [entry] = feedparser.parse((tmp_path / name).read_bytes()).entries
        dates.append(email.utils.parsedate_to_datetime(entry.published))
    assert dates[0] == dates[1]
    assert abs(dates[0].timestamp() - first) < 1


def test_channel_settings_from_toml_and_flags(rendered: Rendered, tmp_path: Path) -> None:
    out = tmp_path / "ar.xml"
    config = FEEDS / "channel.toml"
    build(rendered.db, out, "ar", "--config", str(config), "--explicit")
    data = podcastparser.parse(BASE, out.open("rb"))
    assert data["title"] == "الميادين: استمع"
    assert data["description"].startswith("أخبار اليوم")
    assert data["itunes_author"] == "Al Mayadeen"
    assert data["itunes_owner"] == {"name": "Al Mayadeen", "email": "podcast@example.org"}
    assert data["itunes_categories"] == [["News", "Politics"]]
    assert data["cover_url"] == BASE + "artwork.jpg"
    assert data["explicit"] is True and data["link"] == "https://www.almayadeen.net/"
    build(rendered.db, out, "ar", "--config", str(config), "--title", "Escuchar")
    assert podcastparser.parse(BASE, out.open("rb"))["title"] == "Escuchar"
    bad = tmp_path / "bad.toml"
    bad.write_text('title = "x"\ncolour = "red"\n', encoding="utf-8")
    args = ["--db", str(rendered.db), "--base-url", BASE, "-l", "en", "-o", str(out)]
    assert_one_line_error(run("feed", "build", *args, "--config", str(bad)), "'colour'")
    with pytest.raises(FeedError, match="unknown channel setting 'colour'"):
        Channel.from_toml(bad, base_url=BASE, language="en")
    channel = Channel.from_toml(config, base_url="https://example.org/a", language="es")
    assert (
        channel.title == "Al Mayadeen Español: Escuchar" and channel.category == "News > Politics"
    )
    assert channel.image == "https://example.org/a/artwork.jpg"
    with pytest.raises(FeedError, match="http"):
        Channel(title="t", description="d", author="a", base_url="ftp://x/", language="en")


def test_feed_build_errors(rendered: Rendered, tmp_path: Path) -> None:
    out = str(tmp_path / "f.xml")
    missing = ["--db", str(tmp_path / "none.db"), "--base-url", BASE, "-l", "en", "-o", out]
    assert_one_line_error(run("feed", "build", *missing), "no queue at")
    french = ["--db", str(rendered.db), "--base-url", BASE, "-l", "fr", "-o", out]
    assert_one_line_error(run("feed", "build", *french), "no rendered fr entries")
    no_base = ["--db", str(rendered.db), "-l", "en", "-o", out]
    assert_one_line_error(run("feed", "build", *no_base), "--base-url")
    several = ["--db", str(rendered.db), "--base-url", BASE, "-o", out]
    assert_one_line_error(run("feed", "build", *several), "--language", "ar, en, es")
    assert not Path(out).exists()


# -- the library ---------------------------------------------------------------------------------


def item(url: str, published: str | None, title: str = "t") -> FeedItem:
    return FeedItem(
        guid=guid_for(url),
        title=title,
        url=url,
        published=published,
        summary="s",
        language="en",
        audio_url=BASE + "a.mp3",
        audio_bytes=1000,
        duration_ms=61_499,
    )


CHANNEL = Channel(title="T", description="D", author="A", base_url=BASE, language="en")


def test_guids_depend_on_the_canonical_url_only() -> None:
    url = "https://example.org/news/a"
    assert guid_for(url) == guid_for("HTTPS://Example.ORG/news/a#comments") == guid_for(url + " ")
    assert guid_for(url) != guid_for(url + "?page=2") != guid_for("https://example.org/news/b")
    assert guid_for(url) == "0d2291fa-6455-5c7c-8edf-e2fcdc94e832"  # frozen: never changes


def test_items_are_newest_first_and_merged_incrementally(tmp_path: Path) -> None:
    out = tmp_path / "feed.xml"
    old = [item("https://e.org/a", "2025-02-18"), item("https://e.org/b", "2025-03-04")]
    write_feed(out, CHANNEL, old)
    settings, published = read_feed(out)
    assert (
        settings["language"] == "en"
        and settings["title"] == "T"
        and {i.guid for i in published} == {i.guid for i in old}
    )
    new = [
        item("https://e.org/c", "2025-02-20T09:30:00+01:00"),
        item("https://e.org/b", "2025-03-04", "B2"),
    ]
    write_feed(out, CHANNEL, merge(published, new))
    parsed = feedparser.parse(out.read_bytes())
    assert [e.link for e in parsed.entries] == [
        "https://e.org/b",
        "https://e.org/c",
        "https://e.org/a",
    ]
    assert parsed.entries[0].title == "B2"  # updated in place, same guid
    assert parsed.entries[1].published == "Thu, 20 Feb 2025 09:30:00 +0100"
    assert parsed.entries[0].itunes_duration == "00:01:01"
    assert parsed.feed.updated == "Tue, 04 Mar 2025 00:00:00 +0000"  # the newest item: stable
    assert build_feed(CHANNEL, merge(read_feed(out)[1], [])) == out.read_bytes()


def test_writing_is_atomic(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    out = tmp_path / "feed.xml"
    write_feed(out, CHANNEL, [item("https://e.org/a", "2025-02-18")])
    before = out.read_bytes()

    def disk_full(self: Path, data: bytes) -> int:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(Path, "write_bytes", disk_full)
    with pytest.raises(ExportError, match="disk is full"):
        write_feed(out, CHANNEL, [item("https://e.org/b", "2025-02-19")])
    assert out.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["feed.xml"]


def test_self_url_and_channel_guid() -> None:
    root = etree.fromstring(build_feed(CHANNEL, [], self_url="https://e.org/feeds/en.xml"))
    assert root.find("channel/{http://www.w3.org/2005/Atom}link").get("href") == (
        "https://e.org/feeds/en.xml"
    )
    assert (
        root.findtext(f"channel/{{{PODCAST}}}guid") and root.find("channel/lastBuildDate") is None
    )
    assert urlsplit(root.findtext("channel/link")).netloc == "cdn.example.org"


def test_an_opus_copy_is_an_alternate_enclosure_that_clients_read(
    rendered: Rendered, tmp_path: Path
) -> None:
    from listen.opus import opus_encoder, write_opus

    if opus_encoder() is None:
        pytest.skip("needs ffmpeg with libopus (apt-get install ffmpeg)")
    media = tmp_path / "media"
    shutil.copytree(rendered.media, media, ignore=shutil.ignore_patterns("*.opus"))
    [row] = [r for r in rows(rendered.db) if r["language"] == "en"]
    mp3 = media / row["audio"]
    ogg = write_opus(mp3)
    assert ogg is not None
    out = tmp_path / "en.xml"
    build(rendered.db, out, "en", "--media-dir", str(media))
    seconds = decode_mp3(mp3).duration_s

    root = etree.fromstring(out.read_bytes())
    [item] = root.iterfind("channel/item")
    mp3_alt, opus_alt = item.findall(f"{{{PODCAST}}}alternateEnclosure")
    assert opus_alt.get("type") == "audio/ogg" and opus_alt.get("codecs") == "opus"
    assert opus_alt.get("length") == str(ogg.stat().st_size) and opus_alt.get("lang") == "en"
    assert opus_alt.get("default") == "false" and opus_alt.get("title") == "Opus"
    # bitrate is the file's own average, in bits per second
    assert abs(int(opus_alt.get("bitrate")) - ogg.stat().st_size * 8 / seconds) < 200
    assert opus_alt.find(f"{{{PODCAST}}}source").get("uri") == BASE + quote(ogg.name)
    # the enclosure itself, listed as the default alternate
    assert mp3_alt.get("type") == "audio/mpeg" and mp3_alt.get("default") == "true"
    assert mp3_alt.find(f"{{{PODCAST}}}source").get("uri") == item.find("enclosure").get("url")

    entry = feedparser.parse(out.read_bytes()).entries[0]  # keeps the last: the Opus
    assert entry.podcast_alternateenclosure["type"] == "audio/ogg"
    assert int(entry.podcast_alternateenclosure["length"]) == ogg.stat().st_size
    assert local_file(entry.podcast_source["uri"], Rendered(rendered.db, media, rendered.cache))
    [enclosure] = podcastparser.parse(BASE, out.open("rb"))["episodes"][0]["enclosures"]
    assert enclosure["mime_type"] == "audio/mpeg"  # gPodder ignores the tag: the MP3 plays

    # a rebuild on top of the file (the media gone meanwhile) keeps the alternate
    _, [kept] = read_feed(out)
    assert kept.opus_url == BASE + quote(ogg.name) and kept.opus_bytes == ogg.stat().st_size
    assert merge([kept], []) == [kept]
