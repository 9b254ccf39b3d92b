"""The embeddable player in real headless Chromium, on the English, Spanish and Arabic demo pages.

One static site per module, the way a publisher without the service would have it: the session's
rendered queue (conftest ``rendered``: one episode per language, default engine), a queue
document, the player's files and the demo pages, served over HTTP with Range. A fake service on
127.0.0.1 covers the service mode. One browser for the module; a fresh page per test.

Screenshots of each state go to ``LISTEN_SCREENSHOTS`` (docs/screenshots when refreshing the docs)
or to a temporary folder.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import time
import unicodedata
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

import pytest

from listen.publish.playlist import player_entry, queue_document
from listen.transcript import to_sync_vtt
from tests.browser import (
    RangeHTTPServer,
    axe_or_skip,
    chromium_or_skip,
    describe_violations,
    launch_chromium,
    run_axe,
)
from tests.conftest import ROOT, LocalServer, Rendered

if TYPE_CHECKING:
    from playwright.sync_api import BrowserContext, Page

STATIC = ROOT / "listen" / "publish" / "server" / "static"
DEMO = {"en": "demo.html", "es": "demo-es.html", "ar": "demo-ar.html"}
ORDER = ("en", "es", "ar")  # queue order of the site

# Records every call to HTMLMediaElement.play() with the event being handled, and the Media
# Session handlers the page registers, so a test can call them as the OS would. Playwright's
# evaluate() counts as a user gesture, so "the browser let it play" proves little.
RECORD = """
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
  const handlers = {};
  Object.defineProperty(window, "__sessionHandlers", { value: handlers });
  if (navigator.mediaSession) {
    const set = navigator.mediaSession.setActionHandler.bind(navigator.mediaSession);
    navigator.mediaSession.setActionHandler = (action, handler) => {
      handlers[action] = handler;
      return set(action, handler);
    };
  }
})();
"""

AUDIO = "document.querySelector('.listen-player audio')"
LIT = """(() => { const h = CSS.highlights.get('listen-sentence');
                 return h && h.size ? [...h][0].toString() : null; })()"""


@dataclass
class Site:
    root: Path
    server: RangeHTTPServer
    timings: dict[str, dict[str, Any]]
    chapters: dict[str, list[dict[str, Any]]]
    shots: Path

    def url(self, path: str = "") -> str:
        return self.server.url(path)

    def sentences(self, lang: str) -> list[dict[str, Any]]:
        """Every sentence of an episode in time order, with its block's kind."""
        found = [
            {**s, "kind": b["kind"], "block": b["index"]}
            for b in self.timings[lang]["blocks"]
            for s in b["sentences"]
        ]
        return sorted(found, key=lambda s: s["start_ms"])

    def demo(self, lang: str, query: str = "") -> str:
        return self.url(f"{DEMO[lang]}?src=media/{lang}.mp3{query}")


def key(text: str) -> str:
    """Letters and digits only, as the matcher compares (accents and marks dropped)."""
    folded = unicodedata.normalize("NFKD", text).casefold()
    return "".join(c for c in folded if c.isalnum() and not unicodedata.combining(c))


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory, rendered: Rendered) -> Iterator[Site]:
    chromium_or_skip()
    root = tmp_path_factory.mktemp("site")
    media = root / "media"
    media.mkdir()
    timings: dict[str, dict[str, Any]] = {}
    chapters: dict[str, list[dict[str, Any]]] = {}
    for path in rendered.media.glob("*.timings.json"):
        doc = json.loads(path.read_text("utf-8"))
        lang = doc["language"]
        stem = path.name.removesuffix(".timings.json")
        for suffix in (".mp3", ".timings.json", ".chapters.json", ".vtt"):
            shutil.copy(rendered.media / f"{stem}{suffix}", media / f"{lang}{suffix}")
        timings[lang] = doc
        chapters[lang] = json.loads((media / f"{lang}.chapters.json").read_text("utf-8"))[
            "chapters"
        ]
    entries = [
        player_entry(
            id=lang,
            title=timings[lang]["title"],
            language=lang,
            duration_ms=timings[lang]["duration_ms"],
            url=timings[lang]["url"],
            audio=f"media/{lang}.mp3",
            timings=f"media/{lang}.timings.json",
            transcript=f"media/{lang}.vtt",
            chapters=f"media/{lang}.chapters.json",
        )
        for lang in ORDER
    ]
    document = {**queue_document(entries), "feed": "feeds/en.xml"}
    (root / "queue.json").write_text(json.dumps(document, ensure_ascii=False), "utf-8")
    shutil.copy(media / "en.mp3", media / "bare.mp3")  # audio without any sidecar
    for path in STATIC.iterdir():
        shutil.copy(path, root / path.name)
    shots = Path(os.environ.get("LISTEN_SCREENSHOTS") or tmp_path_factory.mktemp("screenshots"))
    shots.mkdir(parents=True, exist_ok=True)
    with RangeHTTPServer(root) as server:
        yield Site(root, server, timings, chapters, shots)


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
    page.add_init_script(RECORD)
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.console = []  # type: ignore[attr-defined]
    page.on("console", lambda m: page.console.append(m.text))  # type: ignore[attr-defined]
    yield page
    page.close()
    assert not errors, f"JavaScript errors: {errors}"


def open_page(page: Page, url: str) -> None:
    page.goto(url)
    page.wait_for_selector(".listen-player[data-transcript]", timeout=10_000)


def state(page: Page) -> dict[str, Any]:
    found: dict[str, Any] = page.evaluate(
        f"""() => {{
            const a = {AUDIO};
            return {{paused: a.paused, time: a.currentTime, rate: a.playbackRate,
                     muted: a.muted, volume: a.volume, src: a.currentSrc || a.src,
                     calls: window.__playCalls, lit: {LIT}}};
        }}"""
    )
    return found


def wait_until(page: Page, condition: str, timeout_ms: int = 10_000) -> None:
    page.wait_for_function(
        f"() => {{ const a = {AUDIO}; return {condition}; }}", timeout=timeout_ms
    )


def wait_for_status(page: Page, pattern: str) -> None:
    page.wait_for_function(
        """p => {
            const status = document.querySelector('.listen-status');  // modules load async
            return status && new RegExp(p).test(status.textContent.replace(/[\u2066-\u2069]/g, ''));
        }""",
        arg=pattern,
        timeout=10_000,
    )


def tab_to(page: Page, selector: str, limit: int = 60, back: bool = False) -> None:
    for _ in range(limit):
        page.keyboard.press("Shift+Tab" if back else "Tab")
        if page.evaluate("s => document.activeElement.matches(s)", selector):
            return
    raise AssertionError(f"Tab never reached {selector}")


def shot(page: Page, site: Site, name: str, *, full: bool = False) -> None:
    page.wait_for_timeout(150)  # let a transition settle
    page.screenshot(path=str(site.shots / f"{name}.png"), full_page=full)


def assert_no_axe_violations(page: Page) -> None:
    violations = run_axe(page, axe_js=axe_or_skip())
    assert not violations, describe_violations(violations)


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


# -- Loading: compact, silent, nothing lit -------------------------------------------------------


def test_loads_compact_and_silent_with_nothing_lit(page: Page, site: Site) -> None:
    site.server.requests.clear()
    open_page(page, site.url("demo.html"))  # the queue beside the page, English first
    page.wait_for_timeout(1200)  # long enough for any timer that would start playback
    now = state(page)
    assert now["paused"] and now["time"] == 0
    assert now["calls"] == []  # not even an attempt the autoplay policy refused
    assert now["lit"] is None  # nothing highlighted before anything plays
    assert not [r for r in site.server.requests if ".mp3" in r]  # preload="none"
    assert page.locator(".listen-s[aria-current]").count() == 0
    player = page.locator(".listen-player")
    assert (player.get_attribute("lang"), player.get_attribute("dir")) == ("en", "ltr")
    assert player.get_attribute("data-readalong") == "page"
    # One compact row: everything else (transcript, chapters, queue, menu) closed.
    bar = page.locator(".listen-bar").bounding_box()
    assert bar is not None and bar["height"] < 64
    for hidden in (".listen-menu", ".listen-panel"):
        assert all(not el.is_visible() for el in page.locator(hidden).all())
    assert page.locator(".listen-play").get_attribute("aria-label") is None
    assert page.locator(".listen-play").inner_text().strip() == "Play"
    # Durations are rounded as the feed and the CLI print them.
    total = site.timings["en"]["duration_ms"] / 1000
    expected = f"{round(total) // 60}:{round(total) % 60:02d}"
    assert page.locator(".listen-clock").inner_text() == f"0:00 / {expected}"
    assert page.locator(".listen-speed option").all_inner_texts() == [
        "0.5×", "0.75×", "1×", "1.25×", "1.5×", "1.75×", "2×", "2.5×", "3×",
    ]  # fmt: skip
    shot(page, site, "collapsed")


# -- Read-along on the page, in three languages ----------------------------------------------------


@pytest.mark.parametrize("lang", ORDER)
def test_the_article_lights_up_and_a_paragraph_click_seeks(
    page: Page, site: Site, lang: str
) -> None:
    open_page(page, site.demo(lang))
    player = page.locator(".listen-player")
    assert player.get_attribute("data-readalong") == "page"
    assert player.get_attribute("dir") == ("rtl" if lang == "ar" else "ltr")
    assert page.evaluate("document.documentElement.dir") == ("rtl" if lang == "ar" else "ltr")
    tab_to(page, ".listen-play")
    page.keyboard.press("Enter")
    wait_until(page, "!a.paused && a.currentTime > 0.2")
    assert [(c["event"], c["trusted"]) for c in state(page)["calls"]] == [("click", True)]  # Enter

    sentences = site.sentences(lang)
    paragraphs = [i for i, s in enumerate(sentences) if s["kind"] == "paragraph"]
    for share in (0.25, 0.5, 0.8):  # three points, checked against the timings
        chosen = sentences[paragraphs[int(len(paragraphs) * share)]]
        start = chosen["start_ms"] / 1000
        page.evaluate(f"{AUDIO}.currentTime = {start + 0.2}")
        wait_until(page, f"!a.paused && a.currentTime > {start + 0.35}")
        now = state(page)
        speaking = [s for s in sentences if s["start_ms"] / 1000 <= now["time"]][-1]
        assert speaking["start_ms"] == chosen["start_ms"], (now["time"], chosen["text"])
        assert now["lit"] is not None, "nothing lit while playing"
        assert key(now["lit"]) == key(speaking["text"]), (now["lit"], speaking["text"])
        # The lit text is the article's own, in place (not a copy in the player).
        inside = page.evaluate(
            """() => { const r = [...CSS.highlights.get('listen-sentence')][0];
                       const at = r.startContainer.parentElement;
                       return !at.closest('.listen-player') && Boolean(at.closest('.article-body'));
            }"""
        )
        assert inside
        if share == 0.25 and lang == "ar":  # the lit paragraph in view (the mini-bar docks)
            page.evaluate(
                "[...CSS.highlights.get('listen-sentence')][0].startContainer.parentElement"
                ".scrollIntoView({block: 'center'})"
            )
            page.wait_for_selector(".listen-player[data-mini='true']", timeout=3000)
            shot(page, site, "rtl")
            assert_no_axe_violations(page)
            page.evaluate("window.scrollTo(0, 0)")
    if lang == "en":
        shot(page, site, "playing")

    # Clicking a paragraph of the article seeks to it (the session was started).
    target = paragraphs[len(paragraphs) // 3]
    block = sentences[target]["block"]
    first = next(s for s in sentences if s["block"] == block)
    paragraph = page.locator(".article-body p", has_text=first["text"][:20]).first
    paragraph.click(position={"x": 5, "y": 5})
    wait_until(page, f"!a.paused && Math.abs(a.currentTime - {first['start_ms'] / 1000}) < 1.5")
    call = state(page)["calls"][-1]
    assert abs(call["from"] - first["start_ms"] / 1000) < 0.3 or not state(page)["paused"]
    assert key(page.evaluate(LIT) or "") == key(first["text"])

    # Scrolled past, the row docks at the bottom of the window as a mini-bar.
    page.evaluate("window.scrollTo(0, document.body.scrollHeight)")
    page.wait_for_selector(".listen-player[data-mini='true']", timeout=3000)
    bar = page.locator(".listen-bar").bounding_box()
    viewport = page.viewport_size
    assert bar is not None and viewport is not None
    assert abs(bar["y"] + bar["height"] - viewport["height"]) < 2
    assert page.locator(".listen-mini-title").inner_text() == site.timings[lang]["title"]
    if lang == "es":
        shot(page, site, "mini-bar")
        assert_no_axe_violations(page)
        page.locator(".listen-hide-mini").click()  # hidden until the player is seen again
        page.wait_for_selector(".listen-player[data-mini='false']", timeout=3000)
        page.mouse.wheel(0, -200)
        page.wait_for_timeout(300)
        assert page.locator(".listen-player").get_attribute("data-mini") == "false"
    page.evaluate("window.scrollTo(0, 0)")
    page.wait_for_selector(".listen-player[data-mini='false']", timeout=3000)
    page.locator(".listen-play").click()
    wait_until(page, "a.paused")


def test_a_page_without_the_text_falls_back_to_the_transcript(page: Page, site: Site) -> None:
    open_page(page, site.url("demo.html?src=media/es.mp3"))  # Spanish audio, English article
    assert page.locator(".listen-player").get_attribute("data-readalong") == "transcript"
    assert any("transcript view follows the audio instead" in m for m in page.console)  # type: ignore[attr-defined]
    notice = page.locator(".listen-notice")  # said in the console, not to the listener
    assert "listen-visible" not in (notice.get_attribute("class") or "")
    page.locator(".listen-play").click()
    wait_until(page, "!a.paused && a.currentTime > 0.3")
    assert state(page)["lit"] is None
    page.locator(".listen-more").click()
    page.locator(".listen-toggle[data-panel='transcript']").click()
    lit = page.locator(".listen-transcript-body [aria-current='true']")
    assert lit.inner_text() == site.sentences("es")[0]["text"]
    page.locator(".listen-play").click()


MATCHES = """async () => {
    const { PageHighlighter } = await import('./highlighter.js');
    const root = document.createElement('div');
    root.innerHTML = `
      <p>Trump\u2019s&nbsp;&nbsp;presi\u00addency, <a href="#">as <em>CNN</em></a> said.</p>
      <p>The \ufb01nal  word &amp; the\nlast.</p>
      <p>أعلنَ المرصد ١٢ طنا.</p>
      <aside class="listen-player">Trump's presidency, as CNN said.</aside>
      <p>A sentence the extractor trimmed [1] in its middle, but whose ends are intact.</p>`;
    document.body.append(root);
    const sentences = [
      {text: "Trump's presidency, as CNN said."},
      {text: "The final word & the last."},
      {text: "أعلن المرصد 12 طنا."},
      {text: "A sentence the extractor trimmed in its middle, but whose ends are intact."},
      {text: "Nowhere on this page."},
    ];
    const page = new PageHighlighter(root, sentences);
    const out = page.ranges.map(r => r && r.toString());
    root.remove();
    return out;
}"""


def test_the_matcher_tolerates_what_pages_do_to_text(page: Page, site: Site) -> None:
    """Entities, no-break and soft hyphens, curly quotes, markup inside a sentence, ligatures,
    Arabic vowel marks and digits, the player's own text, an edited middle; and a miss."""
    open_page(page, site.demo("en"))
    found = page.evaluate(MATCHES)
    assert found[0] == "Trump\u2019s\u00a0\u00a0presi\u00addency, as CNN said."
    assert found[1] == "The \ufb01nal  word & the\nlast."
    assert found[2] == "أعلنَ المرصد ١٢ طنا."  # with its vowel mark, Arabic-Indic digits
    assert found[3] is not None and found[3].startswith("A sentence") and "[1]" in found[3]
    assert found[4] is None


# -- Every control from the keyboard alone ---------------------------------------------------------


def test_every_control_works_from_the_keyboard(
    page: Page, site: Site, browser: BrowserContext
) -> None:
    browser.grant_permissions(["clipboard-write"], origin=site.server.base)
    open_page(page, site.demo("es"))
    chapters = site.chapters["es"]
    tab_to(page, ".listen-play")
    page.keyboard.press("Enter")  # play
    wait_until(page, "!a.paused")
    page.keyboard.press("k")  # pause, shortcut
    wait_until(page, "a.paused")
    t0 = state(page)["time"]
    page.keyboard.press("l")
    assert abs(state(page)["time"] - (t0 + 15)) < 0.05
    page.keyboard.press("j")
    assert abs(state(page)["time"] - t0) < 0.05
    tab_to(page, ".listen-skip[data-action='forward']")
    page.keyboard.press("Enter")
    assert abs(state(page)["time"] - (t0 + 15)) < 0.05
    tab_to(page, ".listen-skip[data-action='back']", back=True)
    page.keyboard.press("Space")
    assert abs(state(page)["time"] - t0) < 0.05
    tab_to(page, ".listen-seek")
    page.keyboard.press("PageUp")  # the scrubber: a minute on
    assert abs(state(page)["time"] - (t0 + 60)) < 0.05
    page.keyboard.press("Home")
    assert state(page)["time"] == 0
    page.keyboard.press("5")  # a form field keeps its keys: no 50% jump here
    assert state(page)["time"] < 1
    tab_to(page, ".listen-speed")
    page.keyboard.press("ArrowDown")
    assert state(page)["rate"] == 1.25
    tab_to(page, ".listen-more")
    page.keyboard.press(">")  # shortcuts: anywhere in the player but a field
    assert state(page)["rate"] == 1.5
    page.keyboard.press("5")
    total = site.timings["es"]["duration_ms"] / 1000
    assert abs(state(page)["time"] - total / 2) < 1
    page.keyboard.press("]")  # next paragraph: the start of the next block
    after = state(page)["time"]
    starts = {s["start_ms"] / 1000 for s in site.sentences("es")}
    assert min(abs(after - s) for s in starts) < 0.01 and after > total / 2

    # The menu: Enter opens it with focus on its first item; arrows move; Escape closes.
    page.keyboard.press("Enter")
    assert page.locator(".listen-menu").is_visible()
    assert page.evaluate("document.activeElement.dataset.action") == "mute"
    page.keyboard.press("Enter")
    assert state(page)["muted"]
    assert page.locator(".listen-mute").get_attribute("aria-pressed") == "true"
    page.keyboard.press("Enter")
    assert not state(page)["muted"]
    page.keyboard.press("Tab")  # the volume slider
    page.keyboard.press("ArrowLeft")
    page.keyboard.press("ArrowLeft")
    assert abs(state(page)["volume"] - 0.9) < 0.01
    page.keyboard.press("ArrowDown")  # in the slider: volume, not the menu
    assert abs(state(page)["volume"] - 0.85) < 0.01
    page.keyboard.press("Escape")
    assert page.locator(".listen-menu").is_hidden()
    assert page.evaluate("document.activeElement.dataset.action") == "menu"

    def menu_item(selector: str) -> None:
        page.keyboard.press("Enter")
        for _ in range(12):
            if page.evaluate("s => document.activeElement.matches(s)", selector):
                return
            page.keyboard.press("ArrowDown")
        raise AssertionError(f"{selector} not in the menu")

    # Chapters: open from the menu, Enter on one seeks and plays.
    menu_item(".listen-toggle[data-panel='chapters']")
    page.keyboard.press("Enter")
    assert page.locator(".listen-chapters").is_visible()
    assert page.evaluate("document.activeElement.className") == "listen-chapter"
    page.keyboard.press("ArrowDown")  # nothing; Tab moves between chapters
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    wait_until(page, f"!a.paused && a.currentTime >= {chapters[1]['startTime'] - 0.05}")
    assert state(page)["calls"][-1]["event"] == "click"  # Enter on the chapter button
    page.keyboard.press("k")
    wait_until(page, "a.paused")

    # Transcript: one Tab stop; arrows move between sentences, Enter plays from one.
    page.focus(".listen-more")
    menu_item(".listen-toggle[data-panel='transcript']")
    page.keyboard.press("Enter")
    assert page.locator(".listen-transcript").is_visible()
    page.keyboard.press("Home")
    for _ in range(3):
        page.keyboard.press("ArrowDown")
    assert page.evaluate("document.activeElement.dataset.index") == "3"
    page.keyboard.press("Enter")
    wait_until(page, "!a.paused")
    third = site.sentences("es")[3]["start_ms"] / 1000
    assert abs(state(page)["calls"][-1]["from"] - third) < 0.3
    page.keyboard.press("k")
    wait_until(page, "a.paused")
    shot(page, site, "expanded-transcript")

    # Copy a link to this point: #t=M:SS on the page's address.
    page.focus(".listen-more")
    menu_item(".listen-copy")
    page.keyboard.press("Enter")
    # On the clipboard, or shown to copy by hand where the browser refuses the clipboard.
    wait_for_status(page, "^(Enlace copiado:|Copie este enlace:) ")
    link = page.locator(".listen-status").inner_text().split(" ")[-1]
    at = int(state(page)["time"])
    assert link == f"{site.demo('es')}#t={at // 60}:{at % 60:02d}"

    # Download and feed are links; the help opens with ? and closes with Escape.
    page.focus(".listen-more")
    menu_item(".listen-download")
    assert page.evaluate("document.activeElement.getAttribute('href')").endswith("media/es.mp3")
    assert page.evaluate("document.activeElement.hasAttribute('download')")
    page.keyboard.press("Escape")
    page.keyboard.press("?")
    assert page.locator(".listen-help").is_visible()
    assert page.locator(".listen-help tr").count() >= 9
    assert page.evaluate("document.activeElement.dataset.action") == "help-close"
    page.keyboard.press("Escape")
    assert page.locator(".listen-help").is_hidden()
    assert page.evaluate("document.activeElement.dataset.action") == "menu"

    # The copied link opens there, paused: nothing plays by itself.
    page.goto("about:blank")
    page.goto(link)
    page.wait_for_selector(".listen-player[data-transcript]")
    wait_for_status(page, rf"^En {at // 60}:{at % 60:02d}$")
    now = state(page)
    assert now["paused"] and now["calls"] == [] and abs(now["time"] - at) < 0.01


def test_focus_is_a_two_colour_ring_on_every_control(page: Page, site: Site) -> None:
    open_page(page, site.url("demo.html?entry=es"))
    page.locator(".listen-more").click()
    page.locator(".listen-toggle[data-panel='chapters']").click()
    page.locator(".listen-more").click()
    page.locator(".listen-toggle[data-panel='queue']").click()
    page.locator("h1").click()  # focus back on the page, menu closed
    seen: dict[str, dict[str, Any]] = {}
    entered = False
    for _ in range(40):
        page.keyboard.press("Tab")
        focus = page.evaluate(
            """() => {
                const el = document.activeElement, s = getComputedStyle(el);
                const box = el.getBoundingClientRect();
                return {inPlayer: Boolean(el.closest('.listen-player')),
                        name: el.dataset.action || el.className || el.tagName,
                        outline: s.outlineStyle, width: parseFloat(s.outlineWidth),
                        halo: s.outlineColor, shadow: s.boxShadow, w: box.width, h: box.height};
            }"""
        )
        if not focus["inPlayer"]:
            if entered:
                break
            continue
        entered = True
        seen[f"{focus['name']}#{len(seen)}"] = focus
    names = " ".join(seen)
    for expected in ("play", "back", "forward", "listen-seek", "listen-speed", "menu"):
        assert expected in names, f"{expected} not reachable by Tab: {names}"
    assert names.count("listen-chapter") == len(site.chapters["es"])
    assert names.count("listen-queue-item") == 3
    for name, focus in seen.items():
        ring = re.findall(r"rgba?\([^)]*\)", focus["shadow"])
        assert focus["outline"] == "solid" and focus["width"] >= 2 and ring, f"{name}: {focus}"
        assert contrast(focus["halo"], ring[0]) >= 7, f"{name}: the ring's colours are alike"
        assert focus["w"] >= 44 and focus["h"] >= 44, f"{name} is smaller than 44 px"


def _luminance(rgb: str) -> float:
    values = [int(v) / 255 for v in re.findall(r"\d+", rgb)[:3]]
    lin = [v / 12.92 if v <= 0.03928 else ((v + 0.055) / 1.055) ** 2.4 for v in values]
    return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]


def contrast(a: str, b: str) -> float:
    high, low = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


# -- States: expanded, dark, narrow, zoomed, forced colours ---------------------------------------


def test_expanded_state_has_no_axe_violations(page: Page, site: Site) -> None:
    open_page(page, site.demo("es"))
    page.locator(".listen-play").click()
    wait_until(page, "!a.paused && a.currentTime > 0.3")
    page.locator(".listen-play").click()
    for panel in ("transcript", "chapters"):
        page.locator(".listen-more").click()
        page.locator(f".listen-toggle[data-panel='{panel}']").click()
    page.locator(".listen-more").click()
    assert page.locator(".listen-menu").is_visible()
    shot(page, site, "expanded-menu")
    assert_no_axe_violations(page)
    page.locator(".listen-help-open").click()  # the shortcut help, a modal dialog
    assert page.locator(".listen-help").is_visible()
    assert_no_axe_violations(page)


def test_a_dark_page_gets_a_dark_player(page: Page, site: Site) -> None:
    page.emulate_media(color_scheme="light")  # the OS says light: the page decides
    open_page(page, site.demo("en", "&theme=dark"))
    player = page.locator(".listen-player")
    assert player.get_attribute("data-scheme") == "dark"
    bar_bg = page.evaluate(
        "getComputedStyle(document.querySelector('.listen-bar')).backgroundColor"
    )
    assert _luminance(bar_bg) < 0.05
    page.locator(".listen-play").click()
    wait_until(page, "!a.paused && a.currentTime > 0.3")
    page.locator(".listen-play").click()
    wait_until(page, "a.paused")
    shot(page, site, "dark")
    assert_no_axe_violations(page)
    # The site switches its theme back: the player follows without a reload.
    page.evaluate("delete document.documentElement.dataset.theme")
    page.wait_for_selector(".listen-player[data-scheme='light']", timeout=2000)
    # The site's own colours, through the public custom properties.
    page.evaluate(
        "document.documentElement.style.setProperty('--listen-accent', 'rgb(150, 0, 40)')"
    )
    page.locator("h1").hover()  # not hovering the button, whose hover mixes the colour
    accent = "getComputedStyle(document.querySelector('.listen-play')).backgroundColor"
    page.wait_for_function(f"{accent} === 'rgb(150, 0, 40)'", timeout=2000)


def test_no_hover_style_sticks_on_touch(page: Page, site: Site, browser: BrowserContext) -> None:
    cdp = browser.new_cdp_session(page)
    cdp.send("Emulation.setTouchEmulationEnabled", {"enabled": True, "maxTouchPoints": 1})
    open_page(page, site.demo("en"))
    assert page.evaluate("matchMedia('(hover: none)').matches")
    back = page.locator(".listen-skip[data-action='back']")
    style = "el => getComputedStyle(el).backgroundColor + getComputedStyle(el).textDecorationLine"
    before = back.evaluate(style)
    back.hover()  # what a tap leaves behind on a touch screen
    assert back.evaluate(style) == before


@pytest.mark.parametrize(("width", "name"), [(320, "narrow-320"), (512, "zoom-200")])
def test_fits_narrow_screens_and_200_percent_zoom(
    page: Page, site: Site, width: int, name: str
) -> None:
    # 200% zoom of a 1024 px window is, for layout, a 512 px wide one.
    page.set_viewport_size({"width": width, "height": 700})
    open_page(page, site.demo("ar" if width == 320 else "en"))
    page.locator(".listen-more").click()
    overflow = page.evaluate(
        """() => [...document.querySelectorAll('.listen-player *')]
                 .filter(el => el.getClientRects().length)
                 .filter(el => { const r = el.getBoundingClientRect();
                                 return r.left < -1 || r.right > innerWidth + 1; })
                 .map(el => el.className || el.tagName)"""
    )
    assert overflow == []
    assert page.evaluate("document.scrollingElement.scrollWidth") <= width
    for selector in (".listen-play", ".listen-more", ".listen-speed", ".listen-seek"):
        box = page.locator(selector).bounding_box()
        assert box is not None and box["height"] >= 44
    shot(page, site, name)


def test_forced_colours_keep_every_meaning(page: Page, site: Site) -> None:
    page.emulate_media(forced_colors="active")
    open_page(page, site.demo("en"))
    page.locator(".listen-play").click()
    wait_until(page, "!a.paused && a.currentTime > 0.3")
    assert state(page)["lit"] is not None
    page.focus(".listen-play")
    page.keyboard.press("k")
    wait_until(page, "a.paused")
    style = page.evaluate(
        "(() => { const s = getComputedStyle(document.activeElement);"
        " return [s.outlineStyle, parseFloat(s.outlineWidth)]; })()"
    )
    assert style[0] == "solid" and style[1] >= 3
    assert (
        page.evaluate("getComputedStyle(document.querySelector('.listen-seek')).appearance")
        == "auto"
    )
    shot(page, site, "forced-colours")


# -- What listeners reach for ---------------------------------------------------------------------


def test_speed_and_volume_are_remembered(page: Page, site: Site) -> None:
    open_page(page, site.demo("en"))
    page.select_option(".listen-speed", "3")
    page.locator(".listen-more").click()
    page.locator(".listen-mute").click()
    page.reload()
    page.wait_for_selector(".listen-player[data-transcript]")
    now = state(page)
    assert (now["rate"], now["muted"]) == (3, True)
    assert page.locator(".listen-speed").input_value() == "3"
    assert page.locator(".listen-mute").get_attribute("aria-pressed") == "true"
    page.select_option(".listen-speed", "0.5")
    page.locator(".listen-play").click()
    wait_until(page, "!a.paused")
    assert state(page)["rate"] == 0.5
    page.locator(".listen-play").click()


def test_media_session_names_the_site_and_seeks(page: Page, site: Site) -> None:
    open_page(page, site.demo("es"))
    page.locator(".listen-play").click()
    wait_until(page, "!a.paused && a.currentTime > 0.2")
    meta = page.evaluate(
        """() => { const m = navigator.mediaSession.metadata;
                   return {title: m.title, artist: m.artist, artwork: m.artwork.length,
                           handlers: Object.keys(window.__sessionHandlers)
                               .filter(k => window.__sessionHandlers[k])}; }"""
    )
    assert meta["title"] == site.timings["es"]["title"]
    assert meta["artist"] == "Al Mayadeen Español"  # the site, not "Listen"
    assert meta["artwork"] >= 1
    for action in ("play", "pause", "seekto", "seekbackward", "seekforward", "nexttrack"):
        assert action in meta["handlers"]
    page.evaluate("window.__sessionHandlers.seekto({action: 'seekto', seekTime: 42})")
    wait_until(page, "Math.abs(a.currentTime - 42) < 1")
    chapters = site.chapters["es"]
    page.evaluate("window.__sessionHandlers.nexttrack({action: 'nexttrack'})")  # next chapter
    following = next(c for c in chapters if c["startTime"] > 42)
    wait_until(page, f"a.currentTime >= {following['startTime'] - 0.05}")
    page.evaluate("window.__sessionHandlers.previoustrack({action: 'previoustrack'})")
    before = chapters[chapters.index(following) - 1]["startTime"]  # within 3 s: the one before
    wait_until(page, f"Math.abs(a.currentTime - {before}) < 0.5")
    page.locator(".listen-play").click()


def test_position_is_remembered_across_reloads(page: Page, site: Site) -> None:
    open_page(page, site.demo("en"))
    page.locator(".listen-play").click()
    wait_until(page, "!a.paused && a.readyState >= 1")
    page.evaluate(f"{AUDIO}.currentTime = 40")
    wait_until(page, "a.currentTime > 40.3")
    page.locator(".listen-play").click()
    wait_until(page, "a.paused")
    left_at = state(page)["time"]
    page.reload()
    page.wait_for_selector(".listen-player[data-transcript]")
    wait_for_status(page, r"^Resuming at \d+:\d\d$")
    now = state(page)
    assert now["paused"] and now["calls"] == []  # restored by seeking, not by playing
    assert abs(now["time"] - left_at) < 0.2
    assert now["lit"] is None


def test_next_continues_only_a_session_the_user_started(page: Page, site: Site) -> None:
    open_page(page, site.url("demo.html"))
    page.locator(".listen-play").click()
    wait_until(page, "!a.paused && a.readyState >= 1")
    page.evaluate(f"() => {{ const a = {AUDIO}; a.currentTime = a.duration - 1; }}")
    page.wait_for_function(
        f"() => {AUDIO}.currentSrc.endsWith('es.mp3') && !{AUDIO}.paused", timeout=20_000
    )
    assert [c["event"] for c in state(page)["calls"]] == ["click", "ended"]
    wait_for_status(page, "^Ahora: Las remesas")
    assert page.locator(".listen-player").get_attribute("lang") == "es"
    page.locator(".listen-more").click()
    assert (page.locator(".listen-next").text_content() or "").startswith("Siguiente: ")
    page.focus(".listen-play")
    page.keyboard.press("n")  # Next, from the keyboard
    page.wait_for_function(f"() => {AUDIO}.currentSrc.endsWith('ar.mp3')", timeout=5000)
    assert page.locator(".listen-player").get_attribute("dir") == "rtl"
    page.locator(".listen-play").click()
    wait_until(page, "a.paused")
    page.locator(".listen-more").click()
    assert page.locator(".listen-next").is_hidden()  # the last entry has no Next
    assert page.locator(".listen-feed").get_attribute("href") == site.url("feeds/en.xml")


# -- Robustness ---------------------------------------------------------------------------------


def test_missing_sidecars_still_play(page: Page, site: Site) -> None:
    open_page(page, site.url("demo.html?src=media/bare.mp3"))
    assert page.locator(".listen-player").get_attribute("data-transcript") == "unavailable"
    page.locator(".listen-more").click()
    assert page.locator(".listen-toggle[data-panel='transcript']").is_hidden()
    page.locator(".listen-play").click()
    wait_until(page, "!a.paused && a.currentTime > 0.2")
    page.locator(".listen-play").click()


def test_missing_audio_is_reported(page: Page, site: Site) -> None:
    open_page(page, site.url("demo.html?src=media/gone.mp3"))
    page.locator(".listen-play").click()
    wait_for_status(page, "audio could not be loaded")
    assert page.locator(".listen-notice").is_visible()
    assert page.locator(".listen-notice").get_attribute("data-kind") == "error"


def test_reduced_motion_turns_transitions_off(page: Page, site: Site) -> None:
    open_page(page, site.demo("en"))
    duration = "getComputedStyle(document.querySelector('.listen-s')).transitionDuration"
    assert page.evaluate(duration) != "0s"
    page.emulate_media(reduced_motion="reduce")
    assert page.evaluate(duration) == "0s"


# -- Service mode, against a fake service ---------------------------------------------------------

ARTICLE_URL = "https://english.almayadeen.net/news/politics/cia-flying-covert-drone"


@pytest.fixture
def fake_service(server: LocalServer, site: Site) -> Callable[..., str]:
    """The player's files and one article's files on the conftest server, with /v1 answers."""
    media = site.root / "media"
    for path in STATIC.iterdir():
        kind = "text/javascript" if path.suffix == ".js" else "text/css"
        server.add(f"/{path.name}", path.read_bytes(), content_type=kind)
    for name, kind in [
        ("en.mp3", "audio/mpeg"),
        ("en.timings.json", "application/json"),
        ("en.chapters.json", "application/json"),
    ]:
        server.add(f"/v1/articles/ab12/{name}", (media / name).read_bytes(), content_type=kind)
    track = to_sync_vtt(site.timings["en"])
    server.add("/v1/articles/ab12/sync.vtt", track, content_type="text/vtt; charset=utf-8")

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
        "site": "Al Mayadeen English",
        "duration_ms": site.timings["en"]["duration_ms"],
        "download": False,
        "links": {
            "audio": "/v1/articles/ab12/en.mp3",
            "timings": "/v1/articles/ab12/en.timings.json",
            "chapters": "/v1/articles/ab12/en.chapters.json",
            "sync": "/v1/articles/ab12/sync.vtt",
            "feed": "/feeds/en.xml",
        },
    }
    server.add("/v1/articles/ab12", json.dumps(ready), content_type="application/json")
    return page_for


def test_service_mode_waits_for_the_render_then_loads(
    page: Page, site: Site, fake_service: Callable[..., str]
) -> None:
    queued = {"state": "queued", "id": "ab12", "poll": "/v1/articles/ab12", "retry_after": 1}
    started = time.monotonic()
    page.goto(fake_service(202, queued))
    wait_for_status(page, "^Preparing audio…$")
    assert page.locator(".listen-notice").is_visible()
    page.wait_for_selector(".listen-player[data-transcript='ready']", timeout=10_000)
    assert time.monotonic() - started >= 0.9  # it waited retry_after before polling
    wait_for_status(page, "^Audio ready\\.$")
    assert page.locator(".listen-player").get_attribute("data-readalong") == "page"
    assert state(page)["paused"] and state(page)["calls"] == []
    # The timings as a metadata track on the <audio>, for other scripts (SyncMediaLite).
    cues = sum(len(b["sentences"]) for b in site.timings["en"]["blocks"])
    page.wait_for_function(
        f"() => {{ const t = {AUDIO}.textTracks[0]; return t && t.kind === 'metadata'"
        f" && t.cues && t.cues.length === {cues}; }}",
        timeout=5000,
    )
    page.locator(".listen-more").click()
    assert page.locator(".listen-download").is_hidden()  # the service turned download off
    assert (
        page.locator(".listen-feed").get_attribute("href", timeout=1000).endswith("/feeds/en.xml")
    )


def test_try_again_after_a_network_error(page: Page, fake_service: Callable[..., str]) -> None:
    url = fake_service(200, {})
    ready = json.loads(urllib.request.urlopen(url.replace("/demo", "/v1/articles/ab12")).read())
    failing = {"on": True}

    def route(request: Any) -> None:
        if failing["on"]:
            request.abort("internetdisconnected")
        else:
            request.fulfill(status=200, json=ready)

    page.route(re.compile(r"/v1/listen\?"), route)
    page.goto(url)
    wait_for_status(page, "Could not reach the Listen service")  # after three tries
    again = page.locator(".listen-retry")
    assert again.is_visible()
    failing["on"] = False
    again.focus()
    page.keyboard.press("Enter")
    page.wait_for_selector(".listen-player[data-transcript='ready']", timeout=10_000)
    assert page.locator(".listen-retry").is_hidden()
    assert state(page)["calls"] == []


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


# -- The service's side: module files, demo pages, the sync track, player settings ---------------


def test_the_service_serves_the_player_demos_and_a_sync_track(tmp_path: Path, site: Site) -> None:
    from starlette.testclient import TestClient

    from listen.publish.server import Settings, create_app
    from listen.publish.server.player import PLAYER_FILES

    # No render workers: the article is marked ready by hand with the session's rendered timings
    # (the service's own tests render through the workers).
    settings = Settings(data_dir=tmp_path / "data", workers=0, player_download=False)
    app = create_app(settings, demo_url="https://example.org/en")
    with TestClient(app) as client:
        for name in PLAYER_FILES:
            answer = client.get(f"/{name}")
            assert answer.status_code == 200, name
            assert answer.headers["content-type"].startswith(
                "text/css" if name.endswith(".css") else "text/javascript"
            )
        assert "import.meta.url" in client.get("/player-core.js").text
        assert client.get("/demo/fr").status_code == 404
        arabic = client.get("/demo/ar")
        assert arabic.status_code == 200 and '<html lang="ar" dir="rtl">' in arabic.text
        spanish = client.get("/demo/es").text
        found = re.search(r'data-listen-article="([^"]+)"', spanish)
        assert found and found.group(1) == site.timings["es"]["url"]
        library = app.state.service.library
        entry = library.find(found.group(1))
        assert entry is not None and entry.state == "pending"  # the demo submitted its sample
        media = settings.media
        media.mkdir(parents=True, exist_ok=True)
        for suffix in (".mp3", ".timings.json", ".chapters.json", ".vtt"):
            shutil.copy(site.root / "media" / f"es{suffix}", media / f"es{suffix}")
        with library.backend.write() as tx:  # what a finished render records
            tx.execute(
                "UPDATE entries SET state = 'ready', media_dir = ?, audio = ?, duration_ms = ?"
                " WHERE id = ?",
                (str(media.resolve()), "es.mp3", site.timings["es"]["duration_ms"], entry.id),
            )
        body = client.get("/v1/listen", params={"url": found.group(1)}).json()
        assert body["state"] == "ready", body
        assert body["download"] is False
        assert body["links"]["feed"] == "/feeds/es.xml"
        track = client.get(body["links"]["sync"])
    assert track.headers["content-type"].startswith("text/vtt")
    cues = track.text.split("\n\n")[2:]
    sentences = site.sentences("es")
    assert len(cues) == len(sentences)
    first_id, first_time, first_payload = cues[0].split("\n")
    start_ms = sentences[0]["start_ms"]
    assert first_id == "b0-s0"
    assert first_time.startswith(f"00:00:{start_ms // 1000:02d}.{start_ms % 1000:03d} --> ")
    assert json.loads(first_payload)["selector"] == {
        "type": "TextQuoteSelector",
        "exact": sentences[0]["text"],
    }
    last = cues[-1].strip().split("\n")
    assert json.loads(last[2])["selector"]["exact"] == sentences[-1]["text"]
