// listen: the embeddable article player behind the Listen button, as ES modules (no build step).
// It mounts into every element with
//   data-listen-article="https://site/article"  ask the Listen service (where these files live)
//   data-listen-src="media/X.mp3"              one rendered file; sidecars found by name
//   data-listen-queue="queue.json"             a queue document; drives "Next"
// See docs/player.md for the data contract, the keyboard map and the accessibility decisions.
import { RATES, View } from "./controls.js";
import { clock, fill, isolate, parseClock, rateLabel, wordsFor } from "./format.js";
import { PageHighlighter, articleRoot, highlightSupported } from "./highlighter.js";
import { askService, getJSON, makeEntry, sidecar } from "./net.js";
import { bindKeys } from "./keys.js";
import { mediaSession, pageScheme, watchScheme, watchScroll } from "./page.js";
import { memory } from "./storage.js";

const HERE = new URL(".", import.meta.url).href; // the service (or folder) these files came from
const SELECTOR = "[data-listen-article],[data-listen-src],[data-listen-queue]";
const SKIP_S = 15;
const SLIDER_STEP_S = 5;
const SLIDER_PAGE_S = 60;
const SAVE_EVERY_MS = 5000;
const FOLLOW_PAUSE_MS = 5000; // after the user scrolls the transcript, leave it alone this long
const USER_EVENTS = new Set(["click", "keydown"]);
export const MEDIA_KEY = Object.freeze({ reason: "media key" }); // a hardware or OS play key
const CONTINUE = Object.freeze({ reason: "next entry of a session the user started" });
const PLACEHOLDER = /^\{\{.*\}\}$/; // an unfilled template slot, as in demo.html served statically
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
    this.said = text;
    const { status, retry: again, notice } = this.view;
    status.textContent = ""; // clearing first makes a repeated message be read again
    notice.dataset.kind = kind;
    notice.classList.toggle("listen-visible", VISIBLE.has(kind));
    again.hidden = !retry;
    window.clearTimeout(this.sayTimer);
    this.sayTimer = window.setTimeout(() => (status.textContent = text), 60);
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

  // -- Loading: service, single file or queue ------------------------------------------------
  async start() {
    const data = this.host.dataset;
    const query = data.listenFromQuery !== undefined ? new URLSearchParams(window.location.search) : null;
    let article = data.listenArticle && !PLACEHOLDER.test(data.listenArticle) ? data.listenArticle : null;
    let src = data.listenSrc || null;
    let queue = data.listenQueue || null;
    let wanted = data.listenEntry || null;
    if (query) {
      // Only a page that opts in (the demo) lets its address choose what plays, and only
      // files of its own origin, so a crafted link cannot put foreign audio on the page.
      const sameOrigin = (value) => value && new URL(value, document.baseURI).origin === window.location.origin;
      if (query.get("url")) [article, src] = [query.get("url"), null];
      if (sameOrigin(query.get("queue"))) [queue, src] = [query.get("queue"), null];
      if (sameOrigin(query.get("src"))) [src, queue, article] = [query.get("src"), null, null];
      wanted = query.get("entry") || wanted;
    }
    const service = data.listenService || HERE;
    this.root.dataset.state = "loading";
    // "Loading…" only when loading is slow enough to notice.
    this.loadingTimer = window.setTimeout(() => this.say(this.t.loading, { kind: "loading" }), 500);
    if (queue) {
      const queueUrl = new URL(queue, document.baseURI).href;
      try {
        const { body } = await getJSON(queueUrl);
        this.feedUrl = body.feed ? new URL(body.feed, queueUrl).href : null;
        this.entries = (Array.isArray(body.entries) ? body.entries : [])
          .filter((raw) => raw && raw.audio)
          .map((raw) => makeEntry(raw, queueUrl));
      } catch (err) {
        const reason = err.network ? this.t.network : err.message;
        if (!article && !src) return this.fail(fill(this.t.queueError, { reason }), { retry: err.network });
      }
    }
    let first = null;
    if (article) {
      try {
        first = await askService(service, article, {
          alive: () => this.host.isConnected,
          learned: (body) => {
            if (body.language) this.setLanguage(body.language);
          },
          preparing: () => {
            this.root.dataset.state = "preparing";
            this.say(this.t.preparing, { kind: "preparing" });
          },
          ready: () => this.say(this.t.ready, { kind: "ready" }),
        });
      } catch (err) {
        if (err.failed) return this.fail(fill(this.t.failed, { reason: err.message }), { retry: true });
        return this.fail(err.network ? this.t.network : err.message, { retry: err.network });
      }
      if (!first) return;
    } else if (src) {
      const audio = new URL(src, document.baseURI).href;
      first = makeEntry(
        {
          audio,
          title: data.listenTitle,
          language: data.listenLanguage,
          timings: sidecar(audio, ".timings.json"),
          chapters: sidecar(audio, ".chapters.json"),
          transcript: sidecar(audio, ".vtt"),
        },
        document.baseURI,
      );
    }
    if (first) {
      const same = this.entries.findIndex((e) => e.audio === first.audio || (first.url && e.url === first.url));
      if (same >= 0) this.entries[same] = { ...this.entries[same], ...first };
      else this.entries.unshift(first);
      this.index = Math.max(same, 0);
    } else {
      const chosen = this.entries.findIndex((e) => e.id === wanted);
      const fresh = this.entries.findIndex((e) => !e.done && !memory.isDone(e));
      this.index = chosen >= 0 ? chosen : Math.max(fresh, 0);
    }
    if (!this.entries.length) return this.fail(this.t.nothing);
    this.view.main.hidden = false;
    this.renderQueue();
    this.load(this.index, { hash: true }); // quietly: the page has just loaded
  }

  // "Try again": the loading step that failed, or the audio from where it stopped.
  retry() {
    this.view.retry.hidden = true;
    if (this.entry && this.root.dataset.state !== "error") {
      const at = this.audio.currentTime;
      this.audio.load();
      this.audio.currentTime = at;
      this.say(this.t.buffering);
      return;
    }
    this.entries = [];
    this.start();
  }

  // Switch to an entry. Synchronous up to the audio source, so a play() right after it still
  // runs inside the user's click (Safari insists); the transcript arrives when fetched.
  load(index, { announce = false, hash = false } = {}) {
    const entry = this.entries[index];
    if (!entry) return;
    if (this.entry) this.savePosition();
    const v = this.view;
    // The transcript and chapters are rebuilt below; focus in them must land somewhere useful.
    const inTranscript = v.panels.transcript.section.contains(document.activeElement);
    if (inTranscript || v.panels.chapters.section.contains(document.activeElement)) v.play.focus();
    this.focusAfterLoad = inTranscript;
    this.quietUntil = announce ? Date.now() + 800 : 0; // changing the source pauses the old one
    this.index = index;
    this.entry = entry;
    this.current = -1;
    this.chapter = -1;
    this.sentences = [];
    this.chapterList = [];
    if (this.page) this.page.clear();
    this.page = null;
    this.root.dataset.state = "ready";
    this.root.dataset.readalong = "none";
    if (entry.language) this.setLanguage(entry.language);
    this.audio.src = entry.audio;
    this.audio.replaceChildren();
    if (entry.sync) {
      // The timings as WebVTT metadata (SyncMediaLite), for other tools reading the page.
      const track = document.createElement("track");
      Object.assign(track, { kind: "metadata", src: entry.sync, srclang: entry.language || "" });
      track.label = "sync";
      this.audio.append(track);
      track.track.mode = "hidden"; // loaded, so its cues are there to read, never shown
    }
    this.audio.playbackRate = this.audio.defaultPlaybackRate;
    this.duration = entry.durationS;
    v.slider.max = Math.max(1, Math.ceil(this.duration));
    v.transcriptBody.replaceChildren();
    this.setPanel("transcript", false, { available: false });
    this.setPanel("chapters", false, { available: false });
    v.setTicks([], 0);
    this.labelEntry();
    this.renderQueue();

    // Where to start: #t=1:05 in the page address, else where this listener left off. Seeking
    // without playing (preload="none" keeps it silent).
    const fromHash = hash ? parseClock((/[#&]t=([^&]+)/.exec(window.location.hash) || [])[1]) : NaN;
    const saved = memory.position(entry);
    const resumeAt = Number.isFinite(fromHash) ? fromHash : saved !== null ? saved : entry.positionS;
    let message = announce ? fill(this.t.nowPlaying, { title: isolate(entry.title) }) : "";
    if (resumeAt > 1 && (!this.duration || resumeAt < this.duration - 3)) {
      this.audio.currentTime = resumeAt;
      message = fill(Number.isFinite(fromHash) ? this.t.at : this.t.resuming, { time: clock(resumeAt) });
    }
    this.updateTime(true);
    if (message) this.say(message);
    else if (!this.said || this.said === this.t.loading) this.quiet();
    const token = (this.loadToken = {});
    this.loadSidecars(entry, token);
  }

  // Title, download, feed and "Next": the parts of the menu that depend on the entry.
  labelEntry() {
    const v = this.view;
    const entry = this.entry;
    if (!v || !this.t) return;
    v.miniTitle.textContent = entry ? entry.title : "";
    this.root.setAttribute("aria-label", entry && entry.title ? fill(this.t.region, { title: entry.title }) : this.t.listen);
    const off = /^(false|off|no|0)$/i.test(this.host.dataset.listenDownload || "");
    v.download.hidden = !entry || off || entry.download === false;
    if (entry) {
      v.download.href = entry.audio;
      const name = (entry.url || entry.audio).split(/[?#]/)[0].split("/").filter(Boolean).pop() || "article";
      v.download.setAttribute("download", decodeURIComponent(name).replace(/\.mp3$/i, "") + ".mp3");
    }
    const feed = (entry && entry.feed) || this.host.dataset.listenFeed || this.feedUrl || null;
    v.feed.hidden = !feed;
    if (feed) v.feed.href = new URL(feed, document.baseURI).href;
    const next = this.entries[this.index + 1];
    if (!next && document.activeElement === v.next) v.more.focus();
    v.next.hidden = !next;
    if (next) {
      const [before, after] = this.t.nextTitle.split("{title}");
      v.next.replaceChildren(before, Object.assign(document.createElement("bdi"), { textContent: next.title || "", lang: next.language || "" }), after || "");
    }
    v.copy.textContent = fill(this.t.copyLink, { time: clock(this.audio.currentTime) });
  }

  async loadSidecars(entry, token) {
    const body = (url) => (url ? getJSON(url).then((r) => r.body, () => null) : null);
    const [timings, chapters] = await Promise.all([body(entry.timings), body(entry.chapters)]);
    if (token !== this.loadToken) return; // the listener moved on to another entry meanwhile
    const v = this.view;
    if (timings && Array.isArray(timings.blocks)) {
      if (timings.language && !entry.language) this.setLanguage(timings.language);
      if (timings.title && !entry.title) entry.title = timings.title;
      if (timings.duration_ms && !this.duration) {
        this.duration = timings.duration_ms / 1000;
        v.slider.max = Math.ceil(this.duration);
      }
      this.sentences = v.renderTranscript(timings.blocks, this.t);
      this.followOnPage();
    } else {
      this.say(this.t.noTranscript);
    }
    this.setPanel("transcript", false, { available: this.sentences.length > 0 });
    const list = chapters && Array.isArray(chapters.chapters) ? chapters.chapters : [];
    this.chapterList = v.renderChapters(list);
    // One chapter is just the article: a list of one would be noise.
    this.setPanel("chapters", false, { available: this.chapterList.length > 1 });
    v.setTicks(this.chapterList, this.duration);
    if (this.focusAfterLoad && document.activeElement === v.play && this.sentences[0]) {
      this.setPanel("transcript", true);
      this.sentences[0].el.focus(); // back where they were
    }
    this.focusAfterLoad = false;
    this.root.dataset.transcript = this.sentences.length ? "ready" : "unavailable";
    this.labelEntry();
    this.sync();
    this.updateTime(true);
  }

  // Read along in the article itself where its text can be found; the transcript otherwise.
  followOnPage() {
    const why = (text) => console.info(`listen: ${text}; the transcript view follows the audio instead.`);
    if (!highlightSupported()) {
      this.root.dataset.readalong = "transcript";
      return why("this browser has no CSS Custom Highlight API");
    }
    const root = articleRoot(this.host);
    const page = new PageHighlighter(root, this.sentences);
    // Most of it must be there: a page that shares a few phrases is another article.
    if (page.mapped < this.sentences.length / 2) {
      this.root.dataset.readalong = "transcript";
      return why(`only ${page.mapped} of ${this.sentences.length} sentences were found in the page's text`);
    }
    if (page.missing.length) {
      console.info(
        `listen: ${page.missing.length} of ${this.sentences.length} sentences are not in the page's text` +
          ` (the transcript view shows them): ${page.missing.slice(0, 3).map((s) => JSON.stringify(s)).join(", ")}`,
      );
    }
    this.page = page;
    this.root.dataset.readalong = "page";
    for (const block of page.blocks()) block.dataset.listenSeekable = "";
    if (!this.pageClicks) {
      this.pageClicks = (event) => this.clickOnPage(event);
      document.addEventListener("click", this.pageClicks);
    }
  }

  clickOnPage(event) {
    if (!this.page || !this.sessionStarted || event.defaultPrevented || event.button !== 0) return;
    if (event.ctrlKey || event.metaKey || event.shiftKey || event.altKey) return;
    const index = this.page.hit(event);
    if (index >= 0) this.playFrom(index, event);
  }

  // -- Panels and menu ---------------------------------------------------------------------
  // open: true/false/"toggle"; available: whether the panel exists for this entry at all.
  setPanel(name, open, { available } = {}) {
    const v = this.view;
    const toggle = v.toggles[name];
    const { section } = v.panels[name];
    if (available !== undefined) toggle.hidden = !available;
    const now = open === "toggle" ? toggle.getAttribute("aria-expanded") !== "true" : open;
    const show = Boolean(now) && !toggle.hidden;
    toggle.setAttribute("aria-expanded", String(show));
    section.hidden = !show;
    if (show && name === "transcript" && this.sentences[this.current]) this.follow(this.sentences[this.current].el);
    return show;
  }

  setMenu(open, { focus = false } = {}) {
    const v = this.view;
    v.menu.hidden = !open;
    v.more.setAttribute("aria-expanded", String(open));
    if (open) {
      this.labelEntry();
      if (focus) {
        const first = [...v.menu.querySelectorAll("button, a, input")].find((el) => !el.hidden);
        if (first) first.focus();
      }
    } else if (v.menu.contains(document.activeElement)) v.more.focus();
  }

  async copyLink() {
    const at = clock(this.audio.currentTime);
    const url = new URL(window.location.href);
    url.hash = `t=${at}`;
    try {
      await navigator.clipboard.writeText(url.href);
      this.say(fill(this.t.copied, { url: url.href }), { kind: "copied" });
    } catch (_) {
      // No clipboard (an insecure page, a refusal): the link, selectable, in the notice.
      this.say(`${this.t.copyHere} ${url.href}`, { kind: "copied" });
    }
    this.copiedLink = url.href;
  }

  openHelp() {
    this.setMenu(false);
    const dialog = this.view.helpDialog;
    this.helpReturn = document.activeElement;
    if (dialog.showModal) dialog.showModal();
    else dialog.setAttribute("open", "");
    this.view.helpClose.focus();
  }

  closeHelp() {
    const dialog = this.view.helpDialog;
    if (dialog.open) dialog.close();
    const back = this.helpReturn && this.root.contains(this.helpReturn) ? this.helpReturn : this.view.play;
    back.focus();
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

  // -- Events ------------------------------------------------------------------------------
  listen() {
    const audio = this.audio;
    const v = this.view;
    audio.addEventListener("play", () => {
      v.showPlaying(true, this.t);
      this.say(this.playMessage || this.t.playing);
      this.playMessage = null;
      mediaSession.claim(this);
      this.tick();
    });
    audio.addEventListener("pause", () => {
      v.showPlaying(false, this.t);
      this.savePosition();
      // At the end the browser pauses first, and after an error it pauses last: "Finished" and
      // the error are the news, not "Paused".
      if (!audio.ended && !audio.error && Date.now() > this.quietUntil) this.say(this.t.paused);
    });
    audio.addEventListener("ended", () => {
      if (this.entry) memory.markDone(this.entry);
      this.savePosition();
      this.renderQueue();
      if (this.sessionStarted && this.index + 1 < this.entries.length) this.next(CONTINUE);
      else this.say(this.t.finished);
    });
    audio.addEventListener("waiting", () => {
      window.clearTimeout(this.waitTimer);
      this.waitTimer = window.setTimeout(() => {
        if (audio.readyState < 3 && !audio.paused) this.say(this.t.buffering);
      }, 1000);
    });
    audio.addEventListener("playing", () => window.clearTimeout(this.waitTimer));
    audio.addEventListener("timeupdate", () => {
      this.sync();
      this.updateTime(false);
      if (!audio.paused && Date.now() - this.lastSave > SAVE_EVERY_MS) this.savePosition();
    });
    audio.addEventListener("seeked", () => this.sync());
    audio.addEventListener("ratechange", () => mediaSession.position(this));
    audio.addEventListener("loadedmetadata", () => {
      if (!this.duration && Number.isFinite(audio.duration)) {
        this.duration = audio.duration;
        v.slider.max = Math.ceil(audio.duration);
      }
      this.updateTime(true);
    });
    audio.addEventListener("error", () => {
      if (!audio.getAttribute("src")) return;
      v.showPlaying(false, this.t);
      // A network failure can be retried from where it stopped; a missing file cannot.
      const network = audio.error && audio.error.code === window.MediaError.MEDIA_ERR_NETWORK;
      this.say(this.t.audioError, { kind: "error", retry: network });
    });
    window.addEventListener("pagehide", () => this.savePosition());
    window.addEventListener("hashchange", () => {
      const at = parseClock((/[#&]t=([^&]+)/.exec(window.location.hash) || [])[1]);
      if (Number.isFinite(at) && this.entry) {
        this.seek(at);
        this.say(fill(this.t.at, { time: clock(at) }));
      }
    });

    this.root.addEventListener("click", (event) => {
      const target = event.target.closest("[data-action], .listen-chapter, .listen-queue-item, .listen-s");
      if (!target || !this.root.contains(target)) return;
      if (target.classList.contains("listen-s")) {
        const selection = window.getSelection && window.getSelection();
        if (selection && !selection.isCollapsed && v.transcriptBody.contains(selection.anchorNode)) return;
        this.playFrom(Number(target.dataset.index), event);
      } else if (target.classList.contains("listen-chapter")) {
        const chapter = this.chapterList[Number(target.dataset.index)];
        if (chapter) {
          this.seek(chapter.start);
          this.play(event, fill(this.t.chapter, { title: isolate(chapter.title) }));
        }
      } else if (target.classList.contains("listen-queue-item")) {
        const i = Number(target.dataset.index);
        if (i !== this.index) this.switchTo(i, event);
      } else this.act(target.dataset.action, event, target);
    });
    v.speed.addEventListener("change", () => this.setRate(Number(v.speed.value)));
    v.volume.addEventListener("input", () => this.setVolume(Number(v.volume.value) / 100, false));
    v.helpDialog.addEventListener("close", () => this.closeHelp());
    // Closing the menu when focus or a click leaves it, as a disclosure should.
    document.addEventListener("click", (event) => {
      if (!v.menu.hidden && !v.menu.contains(event.target) && !v.more.contains(event.target)) this.setMenu(false);
    });
    this.root.addEventListener("focusout", (event) => {
      if (!v.menu.hidden && event.relatedTarget && !v.bar.contains(event.relatedTarget)) this.setMenu(false);
    });

    const slider = v.slider;
    slider.addEventListener("pointerdown", () => (this.pointerOnSlider = true));
    slider.addEventListener("blur", () => {
      this.pointerOnSlider = false;
      this.updateTime(true);
    });
    slider.addEventListener("input", () => this.seek(Number(slider.value)));
    // Our own steps: 1 s per arrow press is too fine for an article, and the steps start from
    // where the audio is, not from a value that waited while the slider had focus.
    slider.addEventListener("keydown", (event) => {
      const keys = {
        ArrowRight: SLIDER_STEP_S,
        ArrowUp: SLIDER_STEP_S,
        ArrowLeft: -SLIDER_STEP_S,
        ArrowDown: -SLIDER_STEP_S,
        PageUp: SLIDER_PAGE_S,
        PageDown: -SLIDER_PAGE_S,
      };
      const t = this.audio.currentTime;
      if (event.key in keys) this.seek(t + keys[event.key]);
      else if (event.key === "Home") this.seek(0);
      else if (event.key === "End") this.seek(this.end || t);
      else return;
      event.preventDefault();
      event.stopPropagation();
    });

    // The transcript: arrows move between sentences, Enter or Space plays from one.
    v.transcriptBody.addEventListener("keydown", (event) => {
      const span = event.target.closest && event.target.closest(".listen-s");
      if (!span || event.altKey || event.ctrlKey || event.metaKey) return;
      const i = Number(span.dataset.index);
      const moves = { ArrowDown: i + 1, ArrowUp: i - 1, Home: 0, End: this.sentences.length - 1 };
      if (event.key in moves) {
        this.userScrolledAt = Date.now();
        this.rove(Math.min(Math.max(moves[event.key], 0), this.sentences.length - 1), { focus: true });
      } else if (event.key === "Enter" || event.key === " ") {
        this.playFrom(i, event);
      } else return;
      event.preventDefault();
      event.stopPropagation(); // handled: not a player shortcut
    });
    const body = v.transcriptBody;
    body.addEventListener("scroll", () => {
      if (Date.now() > this.autoScrollUntil) this.userScrolledAt = Date.now();
    });
    for (const type of ["wheel", "touchstart"]) {
      body.addEventListener(type, () => (this.userScrolledAt = Date.now()), { passive: true });
    }
  }

  // What a control's data-action asks for.
  act(action, event, target) {
    if (action === "play") this.toggle(event);
    else if (action === "back") this.skip(-SKIP_S);
    else if (action === "forward") this.skip(SKIP_S);
    else if (action === "next") this.next(event);
    else if (action === "menu") this.setMenu(this.view.menu.hidden, { focus: event.detail === 0 });
    else if (action === "panel") {
      const name = target.dataset.panel;
      const open = this.setPanel(name, "toggle");
      if (target.classList.contains("listen-panel-close")) this.view.more.focus();
      else if (open) {
        this.setMenu(false);
        this.leaveMini();
        const first = this.view.panels[name].section.querySelector("[tabindex='0'], button:not(.listen-panel-close)");
        (first || this.view.panels[name].close).focus();
      }
    } else if (action === "mute") this.toggleMute();
    else if (action === "copy") {
      this.setMenu(false);
      this.copyLink();
    }
    else if (action === "help") this.openHelp();
    else if (action === "help-close") this.closeHelp();
    else if (action === "retry") this.retry();
    else if (action === "hide-mini") this.hideMini();
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

  // The mini-bar (page.js decides when): a dismissed one stays away until the player is seen.
  hideMini() {
    this.miniDismissed = true;
    this.setMini(false);
    this.view.play.focus({ preventScroll: true });
  }

  leaveMini() {
    if (this.root.dataset.mini === "true") {
      this.setMini(false);
      this.root.scrollIntoView({ block: "nearest" });
    }
  }

  setMini(on) {
    const v = this.view;
    if (on === (this.root.dataset.mini === "true")) return;
    if (on) v.main.style.minHeight = `${v.bar.offsetHeight}px`; // no jump where the bar was
    else v.main.style.minHeight = "";
    this.root.dataset.mini = String(on);
    // Page content under the bar stays reachable: focus scrolled into view clears the bar.
    const html = document.documentElement;
    if (on && !html.style.scrollPaddingBottom) {
      html.style.scrollPaddingBottom = `${v.bar.offsetHeight + 8}px`;
      this.paddedPage = true;
    } else if (!on && this.paddedPage) {
      html.style.scrollPaddingBottom = "";
      this.paddedPage = false;
    }
  }
}

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
