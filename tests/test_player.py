"""The embeddable player in real headless Chromium: keyboard, sync, chapters, memory, RTL, axe.

One static site is built per module, the way a publisher without the service would have it: three
samples rendered with the default engine (English, the five-chapter English feature, Arabic), a
queue document in the contract's shape, and the player's files, served over HTTP with Range.
A fake service on 127.0.0.1 covers the service mode (queued, then ready; errors).
"""

from __future__ import annotations

import json
import re
import shutil
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

import pytest

from listen.pipeline import render, script_from_source
from tests.browser import (
    RangeHTTPServer,
    axe_or_skip,
    chromium_or_skip,
    describe_violations,
    launch_chromium,
    run_axe,
)
from tests.conftest import ROOT, SAMPLES, LocalServer

if TYPE_CHECKING:
    from playwright.sync_api import BrowserContext, Page

STATIC = ROOT / "listen" / "publish" / "server" / "static"
RENDERED = {  # queue id -> (file stem, sample)
    "1": ("1-cia", "almayadeen-en-cia-drones"),
    "2": ("2-drones", "almayadeen-en-cheap-drones-economics-feature"),
    "3": ("3-olive", "almayadeen-ar-tunisia-olive-oil-exports"),
}
ARTICLE_URL = "https://english.almayadeen.net/news/politics/cia-flying-covert-drone"

# Records every call to HTMLMediaElement.play(): the event being handled at the time and where
# playback starts. A test can then tell "nothing tried to play" from "the autoplay policy happened
# to block it" (Playwright's own evaluate() counts as a user gesture, so success proves little).
RECORD_PLAY = """
(() => {
  const calls = [];
  Object.defineProperty(window, "__playCalls", { value: calls });
  const play = HTMLMediaElement.prototype.play;
  HTMLMediaElement.prototype.play = function (...args) {
    const event = window.event;
    calls.push({ event: event ? event.type : null, trusted: event ? event.isTrusted : null,
                 from: this.currentTime });
    return play.apply(this, args);
  };
})();
"""

AUDIO = "document.querySelector('.listen-player audio')"
CURRENT_SENTENCE = ".listen-transcript-body [aria-current='true']"


@dataclass
class Site:
    root: Path
    server: RangeHTTPServer
    timings: dict[str, dict[str, Any]]
    chapters: dict[str, list[dict[str, Any]]]

    def url(self, path: str = "") -> str:
        return self.server.url(path)

    def sentences(self, entry: str) -> list[dict[str, Any]]:
        """Every sentence of an entry, in time order, as the transcript shows them."""
        blocks = self.timings[entry]["blocks"]
        found = [s for block in blocks for s in block["sentences"]]
        return sorted(found, key=lambda s: s["start_ms"])


def _render_site(root: Path, home: Path) -> Site:
    media = root / "media"
    media.mkdir(parents=True)
    entries = []
    timings: dict[str, dict[str, Any]] = {}
    chapters: dict[str, list[dict[str, Any]]] = {}
    with pytest.MonkeyPatch.context() as env:
        # This fixture outlives the per-test user directories of conftest: isolate it by hand.
        for var in ("XDG_CONFIG_HOME", "XDG_CACHE_HOME", "XDG_DATA_HOME"):
            env.setenv(var, str(home / var.lower()))
        for entry, (stem, sample) in RENDERED.items():
            script, profile = script_from_source(str(SAMPLES / f"{sample}.html"))
            episode = render(script, media / f"{stem}.mp3", voice=profile, cache=False)
            timings[entry] = json.loads((media / f"{stem}.timings.json").read_text("utf-8"))
            chapters[entry] = json.loads((media / f"{stem}.chapters.json").read_text("utf-8"))[
                "chapters"
            ]
            entries.append(
                {
                    "id": entry,
                    "title": script.title,
                    "language": script.language,
                    "duration_ms": episode.duration_ms,
                    "url": script.url,
                    "audio": f"media/{stem}.mp3",
                    "timings": f"media/{stem}.timings.json",
                    "transcript": f"media/{stem}.vtt",
                    "chapters": f"media/{stem}.chapters.json",
                    "position_s": 0.0,
                    "done": False,
                }
            )
    document = {"version": 1, "entries": entries}
    (root / "queue.json").write_text(json.dumps(document, ensure_ascii=False), "utf-8")
    shutil.copy(media / "1-cia.mp3", media / "bare.mp3")  # audio without any sidecar
    for name in ("player.js", "player.css", "demo.html"):
        shutil.copy(STATIC / name, root / name)
    return Site(root, RangeHTTPServer(root), timings, chapters)


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    chromium_or_skip()  # no point rendering for a browser that is not there
    built = _render_site(tmp_path_factory.mktemp("site"), tmp_path_factory.mktemp("render-home"))
    with built.server:
        yield built


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[BrowserContext]:
    executable = chromium_or_skip()
    with launch_chromium(tmp_path_factory.mktemp("chromium"), executable=executable) as context:
        yield context


@pytest.fixture
def page(browser: BrowserContext, site: Site) -> Iterator[Page]:
    page = browser.new_page()
    # Each test starts with no remembered positions or speed: clear the origin's storage
    # through DevTools, which (unlike evaluate) gives the page no user activation.
    cdp = browser.new_cdp_session(page)
    cdp.send("Storage.clearDataForOrigin", {"origin": site.server.base, "storageTypes": "all"})
    page.add_init_script(RECORD_PLAY)
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    yield page
    page.close()
    assert not errors, f"JavaScript errors: {errors}"


def open_demo(page: Page, site: Site, query: str = "") -> None:
    page.goto(site.url("demo.html" + query))
    page.wait_for_selector(".listen-player[data-transcript]", timeout=10_000)


def audio_state(page: Page) -> dict[str, Any]:
    state: dict[str, Any] = page.evaluate(
        f"""() => {{
            const a = {AUDIO};
            return {{paused: a.paused, time: a.currentTime, rate: a.playbackRate,
                     src: a.currentSrc || a.src, calls: window.__playCalls}};
        }}"""
    )
    return state


def wait_until(page: Page, condition: str, timeout_ms: int = 10_000) -> None:
    page.wait_for_function(
        f"() => {{ const a = {AUDIO}; return {condition}; }}", timeout=timeout_ms
    )


def current_sentence(page: Page) -> int:
    return int(page.locator(CURRENT_SENTENCE).get_attribute("data-index") or -1)


BIDI_ISOLATES = re.compile("[\u2066-\u2069]")


def status(page: Page) -> str:
    """The live region's text, without the bidi isolates around titles."""
    return BIDI_ISOLATES.sub("", page.locator(".listen-status").inner_text()).strip()


def wait_for_status(page: Page, pattern: str) -> None:
    page.wait_for_function(
        """p => {
            const text = document.querySelector('.listen-status').textContent;
            return new RegExp(p).test(text.replace(/[\u2066-\u2069]/g, ''));
        }""",
        arg=pattern,
        timeout=10_000,
    )


# -- The test server itself ----------------------------------------------------------------------


def test_range_server_answers_byte_ranges(tmp_path: Path) -> None:
    (tmp_path / "a.mp3").write_bytes(bytes(range(100)))

    def get(path: str, range_header: str | None = None) -> tuple[int, dict[str, str], bytes]:
        request = urllib.request.Request(server.url(path))
        if range_header:
            request.add_header("Range", range_header)
        try:
            with urllib.request.urlopen(request) as response:
                return response.status, dict(response.headers), response.read()
        except urllib.error.HTTPError as exc:
            return exc.code, dict(exc.headers), b""

    with RangeHTTPServer(tmp_path) as server:
        status_, headers, body = get("a.mp3")
        assert (status_, headers["Accept-Ranges"], body) == (200, "bytes", bytes(range(100)))
        status_, headers, body = get("a.mp3", "bytes=10-19")
        assert (status_, headers["Content-Range"], body) == (
            206,
            "bytes 10-19/100",
            bytes(range(10, 20)),
        )
        status_, headers, body = get("a.mp3", "bytes=95-")
        assert (status_, headers["Content-Range"], len(body)) == (206, "bytes 95-99/100", 5)
        status_, headers, body = get("a.mp3", "bytes=-3")
        assert (status_, body) == (206, bytes([97, 98, 99]))
        assert get("a.mp3", "bytes=200-")[0] == 416
        assert get("../etc/passwd")[0] == 404
        assert get("nothing.json")[0] == 404
        assert headers["Content-Type"] == "audio/mpeg"
        assert "GET /a.mp3 bytes=10-19" in server.requests


# -- Loading is silent ----------------------------------------------------------------------------


def test_the_demo_loads_without_playing_or_fetching_audio(page: Page, site: Site) -> None:
    site.server.requests.clear()
    open_demo(page, site)
    page.wait_for_timeout(1500)  # long enough for any timer that would start playback
    state = audio_state(page)
    assert state["paused"]
    assert state["time"] == 0
    assert state["calls"] == []  # not even an attempt the autoplay policy refused
    assert not [r for r in site.server.requests if ".mp3" in r]  # preload="none"
    player = page.locator(".listen-player")
    assert player.get_attribute("lang") == "en"
    assert player.get_attribute("dir") == "ltr"
    assert page.locator(".listen-play").inner_text().strip().endswith("Play")
    assert page.locator(".listen-queue-item").count() == 3
    sentences = page.locator(".listen-transcript-body .listen-s")
    assert sentences.count() == len(site.sentences("1"))
    assert page.locator(".listen-transcript-body [tabindex='0']").count() == 1  # one Tab stop


# -- Keyboard playback and the highlight ----------------------------------------------------------


def tab_to(page: Page, selector: str, limit: int = 60) -> None:
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate("s => document.activeElement.matches(s)", selector):
            return
    raise AssertionError(f"Tab never reached {selector}")


def test_keyboard_starts_playback_and_the_highlight_follows(page: Page, site: Site) -> None:
    open_demo(page, site)
    tab_to(page, ".listen-play")
    page.keyboard.press("Enter")
    wait_until(page, "!a.paused && a.currentTime > 0.2")
    calls = audio_state(page)["calls"]
    assert [(c["event"], c["trusted"]) for c in calls] == [("click", True)]  # the key, no more
    assert page.locator(".listen-play").inner_text().strip().endswith("Pause")
    wait_for_status(page, "^Playing$")

    tab_to(page, ".listen-speed")
    page.keyboard.press("k")  # a form field keeps its keys: no shortcut fires here
    page.wait_for_timeout(300)
    assert not audio_state(page)["paused"]
    page.select_option(".listen-speed", "2")
    assert audio_state(page)["rate"] == 2
    sentences = site.sentences("1")
    first = current_sentence(page)
    target = sentences[first + 2]["start_ms"] / 1000
    wait_until(page, f"a.currentTime > {target + 0.3}", timeout_ms=15_000)
    later = current_sentence(page)
    assert later >= first + 2
    state = audio_state(page)
    lit = sentences[later]
    assert lit["start_ms"] / 1000 <= state["time"] + 0.3
    assert page.locator(CURRENT_SENTENCE).count() == 1
    assert page.locator(CURRENT_SENTENCE).inner_text() == lit["text"]
    assert status(page) == "Playing"  # sentences are never announced

    page.focus(".listen-play")
    page.keyboard.press("k")
    wait_until(page, "a.paused")
    wait_for_status(page, "^Paused$")
    before = audio_state(page)["time"]
    page.keyboard.press("l")  # forward 15 s, said once the presses stop
    assert abs(audio_state(page)["time"] - (before + 15)) < 0.01
    wait_for_status(page, r"^At \d+:\d\d$")
    page.keyboard.press("j")
    assert abs(audio_state(page)["time"] - before) < 0.01
    assert audio_state(page)["paused"]


def test_clicking_a_sentence_plays_from_it(page: Page, site: Site) -> None:
    open_demo(page, site)
    sentences = site.sentences("1")
    chosen = 9
    page.locator(f".listen-s[data-index='{chosen}']").click()
    wait_until(page, "!a.paused")
    start = sentences[chosen]["start_ms"] / 1000
    assert abs(audio_state(page)["calls"][-1]["from"] - start) < 0.3
    assert current_sentence(page) == chosen
    page.locator(".listen-play").click()
    wait_until(page, "a.paused")

    # From the keyboard: the transcript is one Tab stop; arrows move, Enter plays.
    tab_to(page, ".listen-s")
    page.keyboard.press("Home")
    for _ in range(4):
        page.keyboard.press("ArrowDown")
    assert page.evaluate("document.activeElement.dataset.index") == "4"
    page.keyboard.press("Enter")
    wait_until(page, "!a.paused")
    call = audio_state(page)["calls"][-1]
    assert call["event"] == "keydown"
    assert abs(call["from"] - sentences[4]["start_ms"] / 1000) < 0.3
    assert current_sentence(page) == 4


def test_chapters_jump_and_are_announced(page: Page, site: Site) -> None:
    open_demo(page, site, "?entry=2")
    chapters = site.chapters["2"]
    buttons = page.locator(".listen-chapter")
    assert buttons.count() == len(chapters) == 5
    assert buttons.nth(0).get_attribute("aria-current") == "true"

    buttons.nth(2).click()
    wait_until(page, "!a.paused")
    assert abs(audio_state(page)["calls"][-1]["from"] - chapters[2]["startTime"]) < 0.3
    assert buttons.nth(2).get_attribute("aria-current") == "true"
    assert buttons.nth(0).get_attribute("aria-current") is None
    wait_for_status(page, re.escape(f"Chapter: {chapters[2]['title']}"))

    buttons.nth(4).focus()
    page_scroll = page.evaluate("window.scrollY")
    page.keyboard.press("Enter")
    page.wait_for_function(
        f"() => {AUDIO}.currentTime >= {chapters[4]['startTime'] - 0.05}", timeout=5000
    )
    assert buttons.nth(4).get_attribute("aria-current") == "true"
    highlighted = current_sentence(page)
    assert site.sentences("2")[highlighted]["start_ms"] / 1000 <= chapters[4]["startTime"] + 0.3
    # The transcript followed inside its own panel; the page itself did not move.
    page.wait_for_function(
        f"""() => {{
            const panel = document.querySelector('.listen-transcript-body').getBoundingClientRect();
            const lit = document.querySelector("{CURRENT_SENTENCE}").getBoundingClientRect();
            return lit.top >= panel.top && lit.bottom <= panel.bottom;
        }}""",
        timeout=3000,
    )
    assert page.evaluate("window.scrollY") == page_scroll
    page.keyboard.press("k")
    wait_until(page, "a.paused")


def test_position_is_remembered_across_reloads(page: Page, site: Site) -> None:
    open_demo(page, site)
    page.locator(".listen-s[data-index='8']").click()
    wait_until(page, "!a.paused && a.currentTime > 0")
    page.wait_for_timeout(800)
    page.locator(".listen-play").click()
    wait_until(page, "a.paused")
    left_at = audio_state(page)["time"]

    page.reload()
    page.wait_for_selector(".listen-player[data-transcript]")
    wait_for_status(page, r"^Resuming at \d+:\d\d$")
    page.wait_for_timeout(1000)
    state = audio_state(page)
    assert state["paused"]
    assert state["calls"] == []  # restored by seeking, not by playing
    assert abs(state["time"] - left_at) < 0.2
    assert current_sentence(page) == 8
    shown = page.locator(".listen-clock").inner_text()
    assert shown.startswith(f"{int(left_at) // 60}:{int(left_at) % 60:02d}")


def test_next_continues_only_a_session_the_user_started(page: Page, site: Site) -> None:
    open_demo(page, site)
    page.locator(".listen-play").click()
    wait_until(page, "!a.paused && a.readyState >= 1")
    page.evaluate(f"() => {{ const a = {AUDIO}; a.currentTime = a.duration - 1; }}")  # near the end
    page.wait_for_function(
        f"() => {AUDIO}.currentSrc.endsWith('2-drones.mp3') && !{AUDIO}.paused", timeout=20_000
    )
    calls = audio_state(page)["calls"]
    assert [c["event"] for c in calls] == ["click", "ended"]
    current = page.locator(".listen-queue-item[aria-current='true']")
    assert current.get_attribute("data-index") == "1"
    wait_for_status(page, "^Now: The \\$2,000 weapon")
    played = page.locator(".listen-queue-item").nth(0).inner_text()
    assert "played" in played

    page.locator(".listen-next").click()  # the visible Next button
    page.wait_for_function(f"() => {AUDIO}.currentSrc.endsWith('3-olive.mp3')", timeout=5000)
    assert page.locator(".listen-player").get_attribute("dir") == "rtl"
    # The last entry has no Next: focus moved to Play instead of falling to the page.
    assert page.locator(".listen-next").is_hidden()
    assert page.evaluate("document.activeElement.dataset.action") == "play"
    page.locator(".listen-play").click()
    wait_until(page, "a.paused")

    # A queue item chosen from the keyboard keeps focus while its article loads.
    page.locator(".listen-queue-item").nth(0).focus()
    page.keyboard.press("Enter")
    page.wait_for_function(f"() => {AUDIO}.currentSrc.endsWith('1-cia.mp3')", timeout=5000)
    page.wait_for_selector(".listen-player[lang='en']")
    assert page.evaluate("document.activeElement.dataset.index") == "0"
    assert page.locator(".listen-queue-item").nth(0).get_attribute("aria-current") == "true"
    page.keyboard.press("k")
    wait_until(page, "a.paused")


# -- Arabic, robustness, accessibility ------------------------------------------------------------


def test_arabic_is_laid_out_right_to_left(page: Page, site: Site) -> None:
    axe_js = axe_or_skip()
    open_demo(page, site, "?entry=3")
    player = page.locator(".listen-player")
    assert player.get_attribute("dir") == "rtl"
    assert player.get_attribute("lang") == "ar"
    assert page.locator(".listen-play").inner_text().strip().endswith("تشغيل")
    # The transport keeps its logical, left-to-right order (docs/player.md).
    assert page.locator(".listen-transport").get_attribute("dir") == "ltr"
    # The transcript's first letter sits at the right-hand edge of its panel.
    gap = page.evaluate(
        """() => {
            const panel = document.querySelector('.listen-transcript-body');
            const text = panel.querySelector('.listen-s').firstChild;
            const range = document.createRange();
            range.setStart(text, 0);
            range.setEnd(text, 1);
            return panel.getBoundingClientRect().right - range.getBoundingClientRect().right;
        }"""
    )
    assert 0 < gap < 30
    violations = run_axe(page, axe_js=axe_js)
    assert not violations, describe_violations(violations)


def test_a_single_file_finds_its_sidecars_by_name(page: Page, site: Site) -> None:
    open_demo(page, site, "?src=media/3-olive.mp3")
    assert page.locator(".listen-player").get_attribute("data-transcript") == "ready"
    assert page.locator(".listen-player").get_attribute("lang") == "ar"  # from the timings
    assert page.locator(".listen-title").inner_text() == site.timings["3"]["title"]
    assert page.locator(".listen-chapter").count() == len(site.chapters["3"])
    assert page.locator(".listen-queue").is_hidden()  # one file: no queue
    assert page.locator(".listen-next").is_hidden()


def test_missing_sidecars_still_play(page: Page, site: Site) -> None:
    open_demo(page, site, "?src=media/bare.mp3")
    assert page.locator(".listen-player").get_attribute("data-transcript") == "unavailable"
    wait_for_status(page, "transcript is not available")
    assert page.locator(".listen-transcript").is_hidden()
    page.locator(".listen-play").click()
    wait_until(page, "!a.paused && a.currentTime > 0.2")
    page.locator(".listen-play").click()


def test_missing_audio_is_reported(page: Page, site: Site) -> None:
    open_demo(page, site, "?src=media/gone.mp3")
    page.locator(".listen-play").click()
    wait_for_status(page, "audio could not be loaded")
    assert page.locator(".listen-status").get_attribute("class") == "listen-status listen-error"


def test_axe_finds_no_violations_in_the_loaded_player(page: Page, site: Site) -> None:
    axe_js = axe_or_skip()
    open_demo(page, site, "?entry=2")
    page.locator(".listen-chapter").nth(1).click()  # playing: current sentence and chapter set
    wait_until(page, "!a.paused")
    page.locator(".listen-play").click()
    wait_until(page, "a.paused")
    violations = run_axe(page, axe_js=axe_js)
    assert not violations, describe_violations(violations)


def _luminance(rgb: str) -> float:
    values = [int(v) / 255 for v in re.findall(r"\d+", rgb)[:3]]
    lin = [v / 12.92 if v <= 0.03928 else ((v + 0.055) / 1.055) ** 2.4 for v in values]
    return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]


def contrast(a: str, b: str) -> float:
    high, low = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


FOCUS_STYLE = """() => {
    const el = document.activeElement;
    const style = getComputedStyle(el);
    const player = el.closest('.listen-player');
    const box = el.getBoundingClientRect();
    return {
        inPlayer: Boolean(player),
        name: el.matches('.listen-s') ? 'sentence'
            : el.dataset.action || el.className || el.tagName,
        outline: style.outlineStyle, width: parseFloat(style.outlineWidth),
        color: style.outlineColor, shadow: style.boxShadow,
        background: player ? getComputedStyle(player).backgroundColor : '',
        w: box.width, h: box.height,
    };
}"""


def test_every_control_is_reachable_by_tab_with_a_visible_focus(page: Page, site: Site) -> None:
    open_demo(page, site, "?entry=2")
    seen: dict[str, dict[str, Any]] = {}
    entered = False
    for _ in range(80):
        page.keyboard.press("Tab")
        focus = page.evaluate(FOCUS_STYLE)
        if not focus["inPlayer"]:
            if entered:
                break  # tabbed out of the player: every stop has been visited
            continue
        entered = True
        key = focus["name"]
        if key in seen:
            key = f"{key}#{len(seen)}"
        seen[key] = focus
    names = list(seen)
    expected = ["back", "play", "forward", "listen-seek", "listen-speed", "next", "toggle"]
    for name in expected:
        assert name in names, f"{name} not reachable by Tab: {names}"
    assert sum(n.startswith("listen-chapter") for n in names) == 5
    assert sum(n.startswith("listen-queue-item") for n in names) == 3
    assert sum(n.startswith("sentence") for n in names) == 1  # the transcript is one stop
    for name, focus in seen.items():
        visible = (focus["outline"] != "none" and focus["width"] >= 2) or focus["shadow"] != "none"
        assert visible, f"{name} has no visible focus: {focus}"
        assert contrast(focus["color"], focus["background"]) >= 3, f"{name}: faint focus ring"
        if name != "sentence":  # a sentence is inline text, exempt from target size
            assert focus["w"] >= 24 and focus["h"] >= 24, f"{name} is smaller than 24x24"


def test_reduced_motion_turns_transitions_off(page: Page, site: Site) -> None:
    open_demo(page, site)
    duration = "getComputedStyle(document.querySelector('.listen-s')).transitionDuration"
    assert page.evaluate(duration) != "0s"
    page.emulate_media(reduced_motion="reduce")
    assert page.evaluate(duration) == "0s"


# -- Service mode, against a fake service ---------------------------------------------------------


@pytest.fixture
def fake_service(server: LocalServer, site: Site) -> Callable[..., str]:
    """The player's files and one article's files on the conftest server, with /v1 answers."""
    media = site.root / "media"
    server.add("/player.js", (STATIC / "player.js").read_bytes(), content_type="text/javascript")
    server.add("/player.css", (STATIC / "player.css").read_bytes(), content_type="text/css")
    for name, kind in [
        ("1-cia.mp3", "audio/mpeg"),
        ("1-cia.timings.json", "application/json"),
        ("1-cia.chapters.json", "application/json"),
    ]:
        server.add(f"/v1/articles/ab12/{name}", (media / name).read_bytes(), content_type=kind)

    def page_for(listen_status: int, listen_body: dict[str, Any]) -> str:
        page = (STATIC / "demo.html").read_text("utf-8").replace("{{ARTICLE_URL}}", ARTICLE_URL)
        server.add("/demo", page)
        server.add(
            f"/v1/listen?url={quote(ARTICLE_URL, safe='')}",
            json.dumps(listen_body),
            status=listen_status,
            content_type="application/json",
        )
        return server.base + "/demo"

    ready = {
        "state": "ready",
        "id": "ab12",
        "title": "CIA flying covert drone to spy on drug cartels in Mexico: CNN",
        "language": "en",
        "duration_ms": site.timings["1"]["duration_ms"],
        "links": {
            "audio": "/v1/articles/ab12/1-cia.mp3",
            "timings": "/v1/articles/ab12/1-cia.timings.json",
            "transcript": "/v1/articles/ab12/1-cia.vtt",
            "chapters": "/v1/articles/ab12/1-cia.chapters.json",
        },
    }
    server.add("/v1/articles/ab12", json.dumps(ready), content_type="application/json")
    return page_for


def test_service_mode_waits_for_the_render_then_loads(
    page: Page, fake_service: Callable[..., str]
) -> None:
    queued = {"state": "queued", "id": "ab12", "poll": "/v1/articles/ab12", "retry_after": 1}
    started = time.monotonic()
    page.goto(fake_service(202, queued))
    wait_for_status(page, "^Preparing audio…$")
    page.wait_for_selector(".listen-player[data-transcript='ready']", timeout=10_000)
    assert time.monotonic() - started >= 0.9  # it waited retry_after before polling
    wait_for_status(page, "^Audio ready\\.$")
    assert page.locator(".listen-title").inner_text().startswith("CIA flying covert drone")
    assert audio_state(page)["paused"]
    assert audio_state(page)["calls"] == []


@pytest.mark.parametrize(
    ("code", "body", "shown"),
    [
        (422, {"error": "no article found on this page"}, "no article found on this page"),
        (200, {"state": "failed", "id": "x", "reason": "engine crashed"}, "engine crashed"),
    ],
)
def test_service_errors_are_shown(
    page: Page, fake_service: Callable[..., str], code: int, body: dict[str, Any], shown: str
) -> None:
    page.goto(fake_service(code, body))
    wait_for_status(page, re.escape(shown))
    assert page.locator(".listen-player").get_attribute("data-state") == "error"
    assert page.locator(".listen-main").is_hidden()
