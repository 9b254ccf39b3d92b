// listen: the embeddable article player behind the Listen button, as ES modules (no build step).
// It mounts into every element with
//   data-listen-article="https://site/article"  ask the Listen service (where these files live)
//   data-listen-src="media/X.mp3"              one rendered file; sidecars found by name
//   data-listen-queue="queue.json"             a queue document; drives "Next"
// See docs/player.md for the data contract, the keyboard map and the accessibility decisions.
import { RATES, View } from "./controls.js";
import { CONTINUE, events } from "./events.js";
import { clock, fill, isolate, rateLabel, wordsFor } from "./format.js";
import { bindKeys } from "./keys.js";
import { loading } from "./loading.js";
import { mediaSession, pageScheme, watchScheme, watchScroll } from "./page.js";
import { panels } from "./panels.js";
import { memory } from "./storage.js";

const SELECTOR = "[data-listen-article],[data-listen-src],[data-listen-queue]";
const FOLLOW_PAUSE_MS = 5000; // after the user scrolls the transcript, leave it alone this long
const USER_EVENTS = new Set(["click", "keydown"]);
export const MEDIA_KEY = Object.freeze({ reason: "media key" }); // a hardware or OS play key
const VISIBLE = new Set(["loading", "preparing", "ready", "copied", "error"]); // shown, not only said

const players = [];
let counter = 0;

export class Player {
  constructor(host) {
    this.host = host;
    this.id = `listen-${++counter}`;
    this.entries = [];
    this.index = -1;
    this.entry = null;
    this.sentences = []; // [{start, end, text, block, el}] in time order
    this.chapterList = []; // [{start, end, title, el}]
    this.current = -1; // index into sentences
    this.chapter = -1;
    this.page = null; // the PageHighlighter, when the article's text was found
    this.sessionStarted = false; // the user pressed play here: continuing to "Next" is fine
    this.lastSave = 0;
    this.userScrolledAt = 0;
    this.autoScrollUntil = 0;
    this.pointerOnSlider = false;
    this.quietUntil = 0;
    this.playMessage = null;
    this.view = new View(this.id, Math.min(5, Math.max(2, Number(host.dataset.listenHeadingLevel) || 2)));
    this.audio = this.view.audio;
    this.root = this.view.root;
    const rate = memory.rate();
    this.setRate(RATES.includes(rate) ? rate : 1, { remember: false });
    const volume = memory.volume();
    if (volume) {
      this.audio.volume = Math.min(1, Math.max(0, volume.level));
      this.audio.muted = Boolean(volume.muted);
    }
    this.setLanguage(host.getAttribute("lang") || (host.closest("[lang]") || {}).lang || "en");
    this.view.showMuted(this.audio.muted, this.audio.volume);
    host.replaceChildren(this.root); // a fallback link inside the host gives way to the player
    this.applyScheme();
    watchScheme(() => this.applyScheme());
    this.listen();
    bindKeys(this);
    watchScroll(this);
    players.push(this);
  }

  // -- Language and look --------------------------------------------------------------------
  setLanguage(code) {
    const { lang, uiLang, t, dir } = wordsFor(code);
    Object.assign(this, { lang, uiLang, t });
    this.root.lang = code || lang;
    this.root.dir = dir;
    this.view.label(t, lang, uiLang, dir);
    this.view.showPlaying(!this.audio.paused, t);
    this.labelEntry();
    this.updateTime(true);
  }

  // Light or dark as the host page is, not only as the OS is (docs/player.md, Theming).
  applyScheme() {
    const scheme = pageScheme(this.host);
    this.root.dataset.scheme = scheme;
  }

  // -- Status: a polite live region for state changes, never for each sentence --------------
  say(text, { kind = "info", retry = false } = {}) {
    window.clearTimeout(this.loadingTimer);
    // A confirmation or an error must not be overwritten by a position announcement that a
    // skip queued a moment before ("At 0:10" replacing "Link copied").
    if (kind !== "info") window.clearTimeout(this.skipTimer);
    this.said = text;
    const { status, retry: again, notice } = this.view;
    status.textContent = ""; // clearing first makes a repeated message be read again
    notice.dataset.kind = kind;
    notice.classList.toggle("listen-visible", VISIBLE.has(kind));
    again.hidden = !retry;
    window.clearTimeout(this.sayTimer);
    this.sayTimer = window.setTimeout(() => (status.textContent = text), 60);
    // A shown confirmation ("Link copied") steps aside after a while; errors and waits stay.
    window.clearTimeout(this.hideTimer);
    if (kind === "copied") this.hideTimer = window.setTimeout(() => notice.classList.remove("listen-visible"), 10000);
  }

  quiet() {
    window.clearTimeout(this.loadingTimer);
    window.clearTimeout(this.sayTimer);
    this.said = "";
    this.view.status.textContent = "";
    this.view.notice.classList.remove("listen-visible");
  }

  fail(text, { retry = false } = {}) {
    this.root.dataset.state = "error";
    this.say(text, { kind: "error", retry });
  }













  // -- Playback ------------------------------------------------------------------------------
  // The one place audio starts. It takes the event that asked for it: a person's click or key
  // press on our controls or the article, a media key, or CONTINUE for the next entry of a
  // listening session that person started. Nothing at load can call audio.play().
  play(trigger, message) {
    const byPerson = trigger === MEDIA_KEY || (trigger instanceof Event && USER_EVENTS.has(trigger.type));
    if (!byPerson && !(trigger === CONTINUE && this.sessionStarted)) return;
    if (byPerson) {
      this.sessionStarted = true;
      document.documentElement.dataset.listenActive = ""; // article paragraphs now play on click
    }
    if (!this.audio.paused) {
      if (message) this.say(message);
      return;
    }
    this.playMessage = message || null; // said instead of "Playing" when the play event comes
    for (const other of players) if (other !== this) other.audio.pause(); // one voice at a time
    const attempt = this.audio.play();
    if (attempt && attempt.catch) {
      attempt.catch((err) => {
        if (err && err.name === "NotAllowedError") this.say(this.t.blocked, { kind: "error" });
        else if (err && err.name !== "AbortError") this.say(this.t.audioError, { kind: "error", retry: true });
      });
    }
  }

  toggle(trigger) {
    if (this.audio.paused) this.play(trigger);
    else this.audio.pause();
  }

  get end() {
    return this.duration || this.audio.duration || 0;
  }

  seek(seconds) {
    const end = this.end;
    const t = Math.max(0, end ? Math.min(seconds, end) : seconds);
    this.audio.currentTime = t; // before any data this sets where playback will start
    this.sync();
    this.updateTime(true);
    this.savePosition();
  }

  skip(delta) {
    this.seek(this.audio.currentTime + delta);
    this.sayPositionSoon();
  }

  // Say where we landed once the presses stop, not after each one.
  sayPositionSoon() {
    window.clearTimeout(this.skipTimer);
    this.skipTimer = window.setTimeout(() => this.say(fill(this.t.at, { time: clock(this.audio.currentTime) })), 700);
  }

  setRate(rate, { announce = false, remember = true } = {}) {
    this.audio.defaultPlaybackRate = rate; // survives a change of source
    this.audio.playbackRate = rate;
    this.view.speed.value = String(rate);
    if (remember) memory.saveRate(rate); // a listener's speed is theirs on every article
    if (announce) this.say(fill(this.t.rate, { rate: rateLabel(rate, this.lang) }));
  }

  stepRate(direction) {
    const i = RATES.indexOf(Number(this.view.speed.value));
    const next = RATES[Math.min(RATES.length - 1, Math.max(0, i + direction))];
    if (next !== Number(this.view.speed.value)) this.setRate(next, { announce: true });
  }

  setVolume(level, muted = this.audio.muted) {
    this.audio.volume = Math.min(1, Math.max(0, level));
    this.audio.muted = muted;
    this.view.showMuted(muted, this.audio.volume);
    memory.saveVolume(this.audio.volume, muted);
  }

  toggleMute() {
    this.setVolume(this.audio.volume || 1, !this.audio.muted);
    this.say(this.audio.muted ? this.t.muted : this.t.unmuted);
  }

  playFrom(index, event) {
    const sentence = this.sentences[index];
    if (!sentence) return;
    this.rove(index);
    this.seek(sentence.start);
    this.play(event);
  }

  // The sentence `step` away from the current one, or the first of the paragraph `step` away.
  move(step, { paragraph = false } = {}) {
    if (!this.sentences.length) return;
    const here = Math.max(this.current, 0);
    let target = here + step;
    if (paragraph) {
      const block = this.sentences[here].block;
      const blocks = [...new Set(this.sentences.map((s) => s.block))];
      const at = blocks.indexOf(block);
      const started = this.audio.currentTime - this.sentences.find((s) => s.block === block).start;
      // "Previous" from the middle of a paragraph goes to its start, as a track button does.
      const wanted = step < 0 && started > 2 ? block : blocks[Math.min(blocks.length - 1, Math.max(0, at + step))];
      target = this.sentences.findIndex((s) => s.block === wanted);
    }
    target = Math.min(this.sentences.length - 1, Math.max(0, target));
    this.seek(this.sentences[target].start + 0.001);
    if (this.page) {
      const el = this.page.elementOf(target);
      const box = el && el.getBoundingClientRect();
      if (box && (box.bottom < 0 || box.top > window.innerHeight)) el.scrollIntoView({ block: "center" });
    }
    this.sayPositionSoon();
  }

  next(trigger) {
    if (this.index + 1 >= this.entries.length) return;
    this.switchTo(this.index + 1, trigger);
  }

  // Another entry, played at once: the listener asked for it (or for the whole queue).
  switchTo(index, trigger) {
    this.load(index, { announce: true });
    this.play(trigger, this.said);
  }

  savePosition() {
    const entry = this.entry;
    if (!entry) return;
    this.lastSave = Date.now();
    const t = this.audio.currentTime;
    const end = this.end;
    memory.savePosition(entry, this.audio.ended || (end && t > end - 3) || t < 1 ? null : t);
  }

  renderQueue() {
    const t = this.t;
    this.view.renderQueue(this.entries, this.index, (e) => e.done || memory.isDone(e), t, this.uiLang);
    this.view.toggles.queue.hidden = this.entries.length < 2;
    if (this.entries.length < 2) this.setPanel("queue", false);
  }

  // -- Following the audio ---------------------------------------------------------------------
  sync() {
    const t = this.audio.currentTime;
    // The last sentence that has started: during a pause between sentences the one just heard
    // stays lit, which reads better than a flicker to nothing. Nothing is lit before the first
    // play: a lit sentence on a silent page looks as if it were playing.
    let found = -1;
    if (this.sessionStarted) {
      let lo = 0;
      let hi = this.sentences.length - 1;
      while (lo <= hi) {
        const mid = (lo + hi) >> 1;
        if (this.sentences[mid].start <= t + 0.01) {
          found = mid;
          lo = mid + 1;
        } else hi = mid - 1;
      }
    }
    if (found !== this.current) {
      const old = this.sentences[this.current];
      if (old) old.el.removeAttribute("aria-current");
      this.current = found;
      const now = this.sentences[found];
      if (now) {
        now.el.setAttribute("aria-current", "true");
        if (!this.view.transcriptBody.contains(document.activeElement)) this.rove(found);
        this.follow(now.el);
      }
      if (this.page) this.page.show(found);
    }
    let chapter = -1;
    this.chapterList.forEach((c, i) => {
      if (c.start <= t + 0.05) chapter = i;
    });
    if (chapter !== this.chapter) {
      const old = this.chapterList[this.chapter];
      if (old) old.el.removeAttribute("aria-current");
      const announce = this.chapter !== -1 && !this.audio.paused;
      this.chapter = chapter;
      const now = this.chapterList[chapter];
      if (now) {
        now.el.setAttribute("aria-current", "true");
        if (announce) this.say(fill(this.t.chapter, { title: isolate(now.title) }));
      }
    }
  }

  // Keep the lit sentence in view inside the panel (never by scrolling the page), unless the
  // listener scrolled or moved focus in the panel lately: they are reading something else.
  follow(el) {
    const panel = this.view.transcriptBody;
    if (this.view.panels.transcript.section.hidden || Date.now() - this.userScrolledAt < FOLLOW_PAUSE_MS) return;
    const box = panel.getBoundingClientRect();
    const line = el.getBoundingClientRect();
    if (!box.height || (line.top >= box.top + 8 && line.bottom <= box.bottom - 8)) return;
    const reduce = window.matchMedia && window.matchMedia("(prefers-reduced-motion: reduce)").matches;
    this.autoScrollUntil = Date.now() + (reduce ? 100 : 1200);
    panel.scrollTo({
      top: panel.scrollTop + (line.top - box.top) - panel.clientHeight / 3,
      behavior: reduce ? "auto" : "smooth",
    });
  }

  // Roving tabindex: the transcript is one Tab stop; arrows move inside it.
  rove(index, { focus = false } = {}) {
    const target = this.sentences[index];
    if (!target) return;
    for (const s of this.view.transcriptBody.querySelectorAll('.listen-s[tabindex="0"]')) s.tabIndex = -1;
    target.el.tabIndex = 0;
    if (focus) target.el.focus();
  }

  updateTime(force) {
    const t = this.audio.currentTime || 0;
    const whole = Math.floor(t);
    if (!force && whole === this.shownSecond) return;
    this.shownSecond = whole;
    const v = this.view;
    const resting = document.activeElement === v.slider && !this.pointerOnSlider && !force && !this.audio.paused;
    v.showTime(t, this.end, this.lang, this.t, resting);
    if (!v.menu.hidden) v.copy.textContent = fill(this.t.copyLink, { time: clock(t) });
    mediaSession.position(this);
  }



  // Smooth highlighting between the 4-per-second timeupdate events, only while playing.
  tick() {
    window.cancelAnimationFrame(this.frame);
    const step = () => {
      this.sync();
      this.updateTime(false);
      if (!this.audio.paused) this.frame = window.requestAnimationFrame(step);
    };
    this.frame = window.requestAnimationFrame(step);
  }



}

Object.assign(Player.prototype, loading, events, panels);
Player.MEDIA_KEY = MEDIA_KEY; // page.js reaches it through the instance, without a cycle

// -- Mounting ---------------------------------------------------------------------------------
function addStylesheet() {
  const href = new URL("player.css", import.meta.url).href;
  if (document.querySelector("link[data-listen-css]")) return;
  for (const link of document.querySelectorAll('link[rel="stylesheet"]')) if (link.href === href) return;
  const link = document.createElement("link");
  Object.assign(link, { rel: "stylesheet", href });
  link.dataset.listenCss = "";
  document.head.append(link);
}

const mounted = new WeakSet();

export function mount(root = document) {
  const hosts = root.matches && root.matches(SELECTOR) ? [root] : [];
  hosts.push(...(root.querySelectorAll ? root.querySelectorAll(SELECTOR) : []));
  for (const host of hosts) {
    if (mounted.has(host)) continue;
    mounted.add(host);
    new Player(host).start();
  }
}

export function init() {
  addStylesheet();
  mount(document);
  // Pages that add a Listen element later (single-page apps) get a player too.
  new MutationObserver((records) => {
    for (const record of records) {
      for (const node of record.addedNodes) {
        if (node.nodeType === 1 && !node.closest(".listen-player")) mount(node);
      }
    }
  }).observe(document.documentElement, { childList: true, subtree: true });
}

addStylesheet(); // as early as possible, so the player does not flash unstyled
if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
else init();
