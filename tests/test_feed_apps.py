"""What podcast apps check: a feed built with no settings passes Apple's submission checks
(artwork, category, explicit, owner, enclosure), podcastparser and feedparser read all of it,
channel settings are validated, and what Apple or Spotify would reject is warned about."""

from __future__ import annotations

import io
from pathlib import Path
from types import SimpleNamespace
from typing import Any
from urllib.parse import unquote

import feedparser
import podcastparser
import pytest
from lxml import etree
from mutagen.id3 import ID3
from PIL import Image

from listen.artwork import _draw, cache_dir, check_artwork, default_artwork
from listen.errors import ArtworkError
from listen.publish.checks import APPLE_CATEGORIES, apple_category, warnings
from listen.publish.feed import ITUNES, PODCAST, Channel, FeedError, FeedItem, site_defaults
from tests.conftest import Rendered
from tests.test_queue import assert_one_line_error, rows, run

BASE = "https://cdn.example.org/listen/"


def it(name: str) -> str:
    return f"{{{ITUNES}}}{name}"


def local(url: str, media: Path) -> Path:
    assert url.startswith(BASE)
    return media / unquote(url[len(BASE) :])


@pytest.mark.parametrize("language", ["en", "ar"])
def test_a_feed_built_with_no_settings_passes_apple_s_checks(
    rendered: Rendered, tmp_path: Path, language: str
) -> None:
    out = tmp_path / f"{language}.xml"
    args = ["--db", str(rendered.db), "--base-url", BASE, "-l", language, "-o", str(out)]
    result = run("feed", "build", *args)
    assert result.exit_code == 0, result.output
    assert "warning: no owner e-mail" in result.stderr  # the one thing only the site can give
    channel = etree.fromstring(out.read_bytes()).find("channel")

    # artwork: square JPEG or PNG, 1400-3000 px, at a URL ending in .png or .jpg, served
    # from beside the media
    href = channel.find(it("image")).get("href")
    assert href.endswith(".png") and channel.findtext("image/url") == href
    artwork = local(href, rendered.media)
    assert check_artwork(artwork.read_bytes())[0] == "image/png"
    # category on Apple's list; explicit; owner; title, description, language
    category = channel.find(it("category"))
    assert category.get("text") in APPLE_CATEGORIES
    assert channel.findtext(it("explicit")) in ("true", "false")
    assert channel.findtext(f"{it('owner')}/{it('name')}")
    assert channel.findtext("title") and channel.findtext("language") == language
    assert channel.findtext("description") not in ("", channel.findtext("title"))
    # every episode: a title and an enclosure with its real length and type
    [row] = [r for r in rows(rendered.db) if r["language"] == language]
    mp3 = Path(row["media_dir"]) / row["audio"]
    for item in channel.iterfind("item"):
        assert item.findtext("title") and item.findtext("guid")
        enclosure = item.find("enclosure")
        assert enclosure.get("type") == "audio/mpeg"
        assert (
            int(enclosure.get("length")) == local(enclosure.get("url"), mp3.parent).stat().st_size
        )
        assert item.findtext(it("explicit")) in ("true", "false")

    gpodder = podcastparser.parse(BASE + out.name, out.open("rb"))
    assert gpodder["cover_url"] == href
    assert gpodder["description"] == channel.findtext("description")
    assert gpodder["itunes_categories"] == [[category.get("text")]]
    assert gpodder["itunes_owner"]["name"] == channel.findtext(it("author"))
    [episode] = gpodder["episodes"]
    for key in ("title", "guid", "link", "description", "published", "total_time"):
        assert episode[key], key
    assert episode["enclosures"][0]["file_size"] == mp3.stat().st_size
    assert local(episode["transcript_url"], mp3.parent).name.endswith(".vtt")
    assert local(episode["chapters_json_url"], mp3.parent).is_file()

    parsed = feedparser.parse(out.read_bytes())
    assert not parsed.bozo, parsed.bozo_exception
    assert parsed.feed.image.href == href
    assert not parsed.feed.itunes_explicit  # feedparser knows "yes"/"clean", Apple "true"/"false"
    assert parsed.feed.tags[0].term == category.get("text")
    assert parsed.feed.podcast_guid
    [entry] = parsed.entries
    assert entry.enclosures[0].type == "audio/mpeg" and entry.itunes_duration
    transcripts = item.findall(f"{{{PODCAST}}}transcript")
    assert {(t.get("rel"), t.get("type")) for t in transcripts} == {
        (None, "text/vtt"),
        ("captions", "text/vtt"),
    }

    # the MP3 carries the same artwork as the show (one site, one picture)
    [picture] = ID3(mp3).getall("APIC")
    assert picture.mime == "image/png" and picture.data == artwork.read_bytes()


def test_the_default_artwork_is_square_within_apple_s_sizes_and_stable() -> None:
    default_artwork.cache_clear()
    for name in ("Al Mayadeen English", "الميادين", "A very long site name " * 4):
        data = default_artwork(name)
        assert check_artwork(data) == ("image/png", 1400, 1400)
        assert _draw(name, None, 1400) == data  # the same bytes every time
        assert data in [p.read_bytes() for p in cache_dir().glob("*.png")]  # drawn once
        with Image.open(io.BytesIO(data)) as image:
            colours = image.convert("RGB").getcolors(1_000_000)
        assert colours is not None and len(colours) > 2  # text on the background


def png(width: int, height: int, kind: str = "PNG") -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), "#123456").save(out, format=kind)
    return out.getvalue()


def test_artwork_apple_would_refuse_is_an_error_that_says_why() -> None:
    assert check_artwork(png(3000, 3000, "JPEG"))[0] == "image/jpeg"
    for data, why in [
        (png(1000, 1000), "1400 to 3000 px"),
        (png(1400, 1500), "square"),
        (png(3200, 3200), "1400 to 3000 px"),
        (png(1400, 1400, "GIF"), "JPEG or PNG"),
        (b"not an image", "not an image"),
    ]:
        with pytest.raises(ArtworkError, match=why):
            check_artwork(data)


def test_feed_build_checks_artwork_that_is_a_file_beside_the_media(
    rendered: Rendered, tmp_path: Path
) -> None:
    (tmp_path / "small.png").write_bytes(png(600, 600))
    out = tmp_path / "en.xml"
    args = ["--db", str(rendered.db), "--base-url", BASE, "-l", "en", "-o", str(out)]
    result = run("feed", "build", *args, "--media-dir", str(tmp_path), "--image", "small.png")
    assert_one_line_error(result, "small.png is 600 px wide; Apple wants 1400 to 3000 px")
    result = run("feed", "build", *args, "--image", "cover.gif")
    assert_one_line_error(result, "must be a .png or .jpg file")
    assert not out.exists()


def channel(**settings: Any) -> Channel:
    return Channel(
        **{"title": "T", "description": "D", "author": "A", "base_url": BASE, "language": "en"}
        | settings
    )


def test_channel_settings_are_validated() -> None:
    assert channel(category="news > politics").category == "News > Politics"
    assert channel(category="Society and Culture").categories == ("Society & Culture",)
    assert channel(category="Tech News").categories == ("News", "Tech News")
    with pytest.raises(FeedError, match="did you mean News"):
        channel(category="Newz")
    with pytest.raises(FeedError, match=r"no subcategory 'Polotics'.*Politics"):
        channel(category="News > Polotics")
    for bad in ("nobody", "a@b", "two@@example.org", "x y@example.org"):
        with pytest.raises(FeedError, match="not an e-mail address"):
            channel(email=bad)
    assert channel(email=" podcast@example.org ").email == "podcast@example.org"
    with pytest.raises(FeedError, match=r"\.png or \.jpg"):
        channel(image="https://example.org/art.webp")
    assert channel(image="art.jpg").image == BASE + "art.jpg"
    assert isinstance(apple_category("Comedy > Improv"), tuple)


def test_the_loader_shared_by_cli_and_service_layers_defaults_file_and_flags(
    tmp_path: Path,
) -> None:
    config = tmp_path / "channel.toml"
    config.write_text(
        'email = "news@example.org"\ncategory = "News > Daily News"\n[en]\ntitle = "Daily"\n',
        encoding="utf-8",
    )
    defaults = {"title": "Site", "author": "Site", "description": "Articles from Site."}
    loaded = Channel.from_toml(config, defaults, base_url=BASE, language="en", explicit=None)
    assert (loaded.title, loaded.author, loaded.email) == ("Daily", "Site", "news@example.org")
    assert loaded.categories == ("News", "Daily News")
    assert Channel.from_toml(None, defaults, base_url=BASE, language="en").title == "Site"
    config.write_text('category = "Politics and stuff"\n', encoding="utf-8")
    with pytest.raises(FeedError, match="not an Apple Podcasts category"):
        Channel.from_toml(config, defaults, base_url=BASE, language="en")


def test_warnings_name_what_apple_or_spotify_would_reject() -> None:
    show = channel(base_url="http://example.org/m/", description="T")
    item = FeedItem(
        guid="g",
        title="Story",
        url=None,
        published=None,
        summary="x" * 4001,
        language="en",
        audio_url="http://example.org/m/a.mp3",
        audio_bytes=0,
        duration_ms=0,
    )
    found = "\n".join(warnings(show, [item]))
    for expected in (
        "no artwork",
        "no owner e-mail",
        "only repeats the title",
        "https",
        "'Story': the enclosure has no length",
        "'Story': no duration",
        "'Story': the description is over 4000",
    ):
        assert expected in found
    fine = channel(image="a.png", email="a@example.org", description="What the show is.")
    assert warnings(fine, []) == []


def entry(site: str | None, url: str, language: str = "en") -> Any:
    return SimpleNamespace(site=site, url=url, language=language)


def test_a_mixed_queue_is_named_for_what_it_holds() -> None:
    entries = [
        entry("Reuters", "https://www.reuters.com/a"),
        entry("CNN", "https://edition.cnn.com/b"),
        entry("Reuters", "https://www.reuters.com/c"),
        entry("Al Mayadeen English", "https://english.almayadeen.net/d"),
    ]
    defaults = site_defaults(entries)
    assert defaults["title"] == "Reuters, CNN and Al Mayadeen English"
    assert (
        defaults["description"] == "Articles from Reuters, CNN and Al Mayadeen English, read aloud."
    )
    assert "link" not in defaults  # no one site's home page
    one = site_defaults([entry("CNN", "https://edition.cnn.com/b")])
    assert one == {
        "title": "CNN",
        "author": "CNN",
        "description": "Articles from CNN, read aloud.",
        "link": "https://edition.cnn.com/",
    }
    many = site_defaults([entry(f"Site {n}", f"https://s{n}.example/x", "es") for n in range(5)])
    assert many["title"] == "Site 0, Site 1, Site 2 y 2 más"


def _service(rendered: Rendered, tmp_path: Path, **overrides: Any) -> Any:
    from starlette.testclient import TestClient

    from listen.publish.server import Settings, create_app

    copy = tmp_path / "q.db"
    copy.write_bytes(Path(rendered.db).read_bytes())
    settings = Settings(
        data_dir=tmp_path / "data", workers=0, db=str(copy), media_dir=rendered.media, **overrides
    )
    return TestClient(create_app(settings))


def test_the_service_feed_has_served_artwork_and_passes_apple_s_checks(
    rendered: Rendered, tmp_path: Path
) -> None:
    """The service's feed, with no settings, carries the default artwork, served by itself."""
    with _service(rendered, tmp_path) as client:
        xml = client.get("/feeds/ar.xml")
        assert xml.status_code == 200
        channel = etree.fromstring(xml.content).find("channel")
        href = channel.find(it("image")).get("href")
        assert href.startswith("http://testserver/feeds/artwork/") and href.endswith(".png")
        image = client.get(href)
        assert image.status_code == 200 and image.headers["content-type"] == "image/png"
        assert check_artwork(image.content)[0] == "image/png"
        assert channel.find(it("category")).get("text") in APPLE_CATEGORIES
        assert channel.findtext(f"{it('owner')}/{it('name')}")
        assert channel.findtext("description") not in ("", channel.findtext("title"))
        gpodder = podcastparser.parse(href, io.BytesIO(xml.content))
        assert gpodder["cover_url"] == href and gpodder["episodes"]
        # nothing else can be reached through the artwork route
        for name in ("..%2Fq.db", "x.png", "listen.sqlite3"):
            assert client.get(f"/feeds/artwork/{name}").status_code == 404


def test_the_service_takes_its_channel_from_the_same_toml_as_feed_build(
    rendered: Rendered, tmp_path: Path
) -> None:
    settings = tmp_path / "channel.toml"
    settings.write_text(
        'title = "Al Mayadeen, read aloud"\nemail = "podcasts@example.org"\n'
        'category = "News > Politics"\nimage = "https://cdn.example.org/art.png"\n'
        '[es]\ntitle = "Al Mayadeen Español, en voz alta"\n',
        encoding="utf-8",
    )
    with _service(rendered, tmp_path, channel_file=settings) as client:
        en = etree.fromstring(client.get("/feeds/en.xml").content).find("channel")
        es = etree.fromstring(client.get("/feeds/es.xml").content).find("channel")
    assert en.findtext("title") == "Al Mayadeen, read aloud"
    assert es.findtext("title") == "Al Mayadeen Español, en voz alta"
    assert en.findtext(f"{it('owner')}/{it('email')}") == "podcasts@example.org"
    assert en.find(it("image")).get("href") == "https://cdn.example.org/art.png"
    category = en.find(it("category"))
    assert category.get("text") == "News" and category.find(it("category")).get("text") == (
        "Politics"
    )


def test_serve_refuses_a_broken_channel_file_in_one_line(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from listen.cli import cli

    bad = tmp_path / "channel.toml"
    bad.write_text("title = \n", encoding="utf-8")
    result = CliRunner().invoke(cli, ["serve", "--data", str(tmp_path), "--channel", str(bad)])
    assert result.exit_code != 0
    assert "not valid TOML" in result.output and "Traceback" not in result.output
