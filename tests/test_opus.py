"""The Ogg Opus copy: in step with the MP3, speech, tagged, atomic; made by the CLI and the service.

Every check decodes real files with ffmpeg: the MP3s that the session's queue
rendered (tests.conftest.rendered), an article rendered through the command
line, and one rendered by the service's own worker.
"""

from __future__ import annotations

import base64
import logging
import shutil
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner
from mutagen.flac import Picture
from mutagen.id3 import ID3, TXXX
from mutagen.oggopus import OggOpus
from starlette.testclient import TestClient

from listen import opus
from listen.audio import SAMPLE_RATE, decode
from listen.cli import cli
from listen.errors import AudioError
from listen.export import RENDER_KEY_TAG
from listen.opus import ensure_opus, opus_encoder, opus_path, write_opus
from tests.conftest import LANGUAGE_SAMPLES, Rendered, load_json

pytestmark = pytest.mark.skipif(
    opus_encoder() is None, reason="needs ffmpeg with libopus (apt-get install ffmpeg)"
)
FRAME = 576  # one MP3 frame at 22.05 kHz, the tolerance on the length


def samples(path: Path) -> np.ndarray:
    return np.frombuffer(decode(str(path)).pcm, dtype="<i2").astype(np.float64)


def envelope(values: np.ndarray, ms: int = 50) -> np.ndarray:
    """RMS over windows of ``ms``."""
    size = SAMPLE_RATE * ms // 1000
    count = len(values) // size
    return np.sqrt((values[: count * size].reshape(count, size) ** 2).mean(axis=1))


def assert_in_step(mp3: Path, ogg: Path) -> None:
    """Same length to a frame, same loudness, the same speech envelope at the same times."""
    a, b = samples(mp3), samples(ogg)
    assert abs(len(a) - len(b)) <= FRAME, (len(a), len(b))
    n = min(len(a), len(b))
    a, b = a[:n], b[:n]
    level = 20 * np.log10(np.sqrt((b**2).mean()) / np.sqrt((a**2).mean()))
    assert abs(level) < 1.0, f"the Opus plays {level:+.2f} dB from the MP3"
    ea, eb = envelope(a), envelope(b)
    assert np.corrcoef(ea, eb)[0, 1] > 0.97
    # no shift: the envelopes line up best with no lag (within one 50 ms window)
    lags = range(-4, 5)
    best = max(lags, key=lambda k: float(np.dot(ea[8:-8], np.roll(eb, k)[8:-8])))
    assert best == 0, f"the Opus is {best * 50} ms off the MP3"


@pytest.fixture
def english(rendered: Rendered, tmp_path: Path) -> Path:
    """A copy of the rendered English MP3 and its sidecars, in a folder of its own."""
    [mp3] = [p for p in rendered.media.glob("*.mp3") if "cia" in p.name]
    for path in rendered.media.glob(mp3.stem + ".*"):
        if path.suffix != ".opus":
            shutil.copy(path, tmp_path / path.name)
    return tmp_path / mp3.name


def test_the_opus_copy_is_the_mp3_s_speech_in_step_and_smaller(english: Path) -> None:
    made = write_opus(english)
    assert made == opus_path(english) == english.with_suffix(".opus")
    assert_in_step(english, made)
    assert made.stat().st_size < 0.5 * english.stat().st_size
    # every sentence is where the timings say: speech inside it, in the Opus too
    decoded = samples(made)
    timings = load_json(english.with_name(english.stem + ".timings.json"))
    assert timings["sample_rate"] == SAMPLE_RATE
    for sentence in (s for block in timings["blocks"] for s in block["sentences"]):
        start, end = sentence["start_frame"], sentence["end_frame"]
        assert np.sqrt((decoded[start:end] ** 2).mean()) > 300, sentence["text"]
        # and silence in the pause before it, as in the MP3
        assert np.sqrt((decoded[max(0, start - 600) : start - 100] ** 2).mean()) < 300
    assert not list(english.parent.glob("*.part"))


def test_the_opus_copy_carries_the_mp3_s_tags_chapters_and_cover(english: Path) -> None:
    made = write_opus(english)
    assert made is not None
    tags = OggOpus(made)
    id3 = ID3(english)
    assert tags["TITLE"] == [str(id3["TIT2"].text[0])]
    assert tags["ARTIST"] == [str(id3["TPE1"].text[0])]
    assert tags["LISTEN_RENDER_KEY"] == [str(id3.getall(f"TXXX:{RENDER_KEY_TAG}")[0].text[0])]
    chapters = load_json(english.with_name(english.stem + ".chapters.json"))["chapters"]
    for i, chapter in enumerate(chapters, 1):
        assert tags[f"CHAPTER{i:03d}NAME"] == [chapter["title"]]
        h, m, s = tags[f"CHAPTER{i:03d}"][0].split(":")
        assert abs(int(h) * 3600 + int(m) * 60 + float(s) - chapter["startTime"]) < 0.002
    picture = Picture(base64.b64decode(tags["METADATA_BLOCK_PICTURE"][0]))
    assert picture.data == id3.getall("APIC")[0].data and picture.mime.startswith("image/")


def test_a_current_copy_is_kept_and_a_stale_one_made_again(english: Path) -> None:
    made = ensure_opus(english)
    assert made is not None
    first = made.stat().st_mtime_ns
    assert ensure_opus(english) == made and made.stat().st_mtime_ns == first
    tags = ID3(english)  # as if the MP3 were rendered again from another article
    tags.delall(f"TXXX:{RENDER_KEY_TAG}")
    tags.add(TXXX(encoding=3, desc=RENDER_KEY_TAG, text="another-render"))
    tags.save(english)
    again = ensure_opus(english)
    assert again == made and OggOpus(again)["LISTEN_RENDER_KEY"] == ["another-render"]


def test_a_failed_encode_leaves_the_old_copy_and_no_part(english: Path) -> None:
    target = opus_path(english)
    target.write_bytes(b"the old copy")
    broken = english.with_name("broken.mp3")
    tags = ID3(english)
    with broken.open("wb") as fh:
        fh.write(b"\xff\x00not audio" * 4000)
    tags.save(broken)  # good tags in front of bytes that are no MP3
    with pytest.raises(AudioError, match=r"Opus encode of broken\.mp3 failed"):
        write_opus(broken, target)
    assert target.read_bytes() == b"the old copy"
    assert not list(english.parent.glob("*.part"))


def test_without_libopus_there_is_no_copy_one_line_and_the_mp3_is_untouched(
    english: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    # a machine whose ffmpeg was built without libopus (or that has no ffmpeg)
    monkeypatch.setattr(opus, "opus_encoder", lambda: None)
    before = english.read_bytes()
    with caplog.at_level(logging.WARNING, logger="listen"):
        assert write_opus(english) is None
    [record] = caplog.records
    assert "needs ffmpeg with libopus" in record.getMessage() and "\n" not in record.getMessage()
    assert not opus_path(english).exists() and english.read_bytes() == before


def test_the_command_line_writes_it_for_x_opus_and_for_opus(tmp_path: Path) -> None:
    source = str(LANGUAGE_SAMPLES["es"])
    result = CliRunner().invoke(cli, ["speak", source, "-o", str(tmp_path / "a.opus")])
    assert result.exit_code == 0, result.output
    assert "a.opus (Ogg Opus)" in result.output
    mp3, ogg = tmp_path / "a.mp3", tmp_path / "a.opus"
    assert_in_step(mp3, ogg)
    assert OggOpus(ogg)["LANGUAGE"] == ["spa"]
    # the same article again with --opus, to another name: the episode store links the MP3,
    # and the Opus copy is made beside it
    again = CliRunner().invoke(cli, ["speak", source, "-o", str(tmp_path / "b.mp3"), "--opus"])
    assert again.exit_code == 0, again.output
    assert (tmp_path / "b.opus").is_file() and (tmp_path / "b.mp3").is_file()
    assert not list(tmp_path.glob("*.part"))
    streamed = CliRunner().invoke(cli, ["speak", source, "-o", "-", "--opus"])
    assert streamed.exit_code == 2 and "-o - streams MP3 only" in streamed.output


@pytest.fixture(scope="module")
def service(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    from listen.publish.server import Settings, create_app

    data = tmp_path_factory.mktemp("opus-service")
    settings = Settings(data_dir=data, token="t0ken", workers=1)
    with TestClient(create_app(settings)) as client:
        yield client


def test_the_service_serves_opus_with_range_and_etag_and_lists_it_in_the_feed(
    service: TestClient,
) -> None:
    import time

    from lxml import etree

    from listen.publish.feed import PODCAST

    html = LANGUAGE_SAMPLES["en"].read_text(encoding="utf-8")
    posted = service.post(
        "/v1/articles",
        json={"html": html, "url": "https://example.org/cia"},
        headers={"Authorization": "Bearer t0ken"},
    )
    assert posted.status_code in (200, 202), posted.text
    aid = posted.json()["id"]
    deadline = time.monotonic() + 90
    while (body := service.get(f"/v1/articles/{aid}").json())["state"] not in ("ready", "failed"):
        assert time.monotonic() < deadline, "the render did not finish"
        time.sleep(0.25)
    assert body["state"] == "ready", body
    link = body["links"]["opus"]
    assert link == f"/v1/articles/{aid}/audio.opus"

    full = service.get(link)
    assert full.status_code == 200
    assert full.headers["content-type"] == "audio/ogg; codecs=opus"
    assert full.headers["accept-ranges"] == "bytes" and full.content.startswith(b"OggS")
    part = service.get(link, headers={"Range": "bytes=10-209"})
    assert part.status_code == 206 and part.content == full.content[10:210]
    assert part.headers["content-range"] == f"bytes 10-209/{len(full.content)}"
    assert service.get(link, headers={"If-None-Match": full.headers["etag"]}).status_code == 304
    media = Path(service.app.state.service.settings.media)  # type: ignore[attr-defined]
    mp3 = media / "articles" / aid / "audio.mp3"
    assert_in_step(mp3, mp3.with_suffix(".opus"))

    [queued] = service.get("/v1/queue.json").json()["entries"]
    assert queued["opus"] == link and queued["audio"] == body["links"]["audio"]
    feed = etree.fromstring(service.get("/feeds/en.xml").content)
    [item] = feed.iterfind("channel/item")
    alternates = item.findall(f"{{{PODCAST}}}alternateEnclosure")
    by_type = {a.get("type"): a for a in alternates}
    ogg = by_type["audio/ogg"]
    assert ogg.get("length") == str(len(full.content)) and ogg.get("codecs") == "opus"
    assert ogg.find(f"{{{PODCAST}}}source").get("uri").endswith(link)  # type: ignore[union-attr]
    assert by_type["audio/mpeg"].get("default") == "true"


@pytest.mark.parametrize("opus_there", [True, False])
def test_the_player_plays_the_opus_first_and_falls_back_to_the_mp3(
    english: Path, tmp_path_factory: pytest.TempPathFactory, opus_there: bool
) -> None:
    """In real Chromium: <source> Opus, then MP3; a missing Opus file leaves the MP3 playing."""
    import json

    from listen.publish.playlist import player_entry, queue_document
    from tests.browser import RangeHTTPServer, chromium_or_skip, launch_chromium
    from tests.conftest import ROOT

    executable = chromium_or_skip()
    root = tmp_path_factory.mktemp("opus-site")
    static = ROOT / "listen" / "publish" / "server" / "static"
    for path in static.iterdir():
        shutil.copy(path, root / path.name)
    (root / "media").mkdir()
    for path in english.parent.glob(english.stem + ".*"):
        shutil.copy(path, root / "media" / ("en" + path.name.removeprefix(english.stem)))
    if opus_there:
        assert write_opus(root / "media" / "en.mp3") is not None
    timings = load_json(root / "media" / "en.timings.json")
    entry = player_entry(
        id="en",
        title=timings["title"],
        language="en",
        duration_ms=timings["duration_ms"],
        url=timings["url"],
        audio="media/en.mp3",
        timings="media/en.timings.json",
        transcript="media/en.vtt",
        chapters="media/en.chapters.json",
    )
    document = queue_document([{**entry, "opus": "media/en.opus"}])
    (root / "queue.json").write_text(json.dumps(document), "utf-8")
    audio = "document.querySelector('.listen-player audio')"
    with (
        RangeHTTPServer(root) as server,
        launch_chromium(tmp_path_factory.mktemp("br"), executable=executable) as context,
    ):
        page = context.new_page()
        page.goto(server.url("demo.html?queue=queue.json"))
        page.wait_for_selector(".listen-player[data-transcript='ready']", timeout=20_000)
        types = page.evaluate(f"() => [...{audio}.querySelectorAll('source')].map((s) => s.type)")
        assert types == ["audio/ogg; codecs=opus", "audio/mpeg"]
        page.focus(".listen-play")
        page.keyboard.press("Enter")
        page.wait_for_function(
            f"() => !{audio}.paused && {audio}.currentTime > 0.5", timeout=20_000
        )
        played = page.evaluate(f"() => {audio}.currentSrc")
        assert played.endswith("media/en.opus" if opus_there else "media/en.mp3"), played
