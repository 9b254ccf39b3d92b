// Loading what plays: the service (polling a render), a single file with its sidecars, or a
// queue; then the transcript, the chapters, and the read-along on the page. Methods of Player.
import { clock, fill, isolate, parseClock } from "./format.js";
import { PageHighlighter, articleRoots, highlightSupported } from "./highlighter.js";
import { askService, getJSON, makeEntry, sidecar } from "./net.js";
import { memory } from "./storage.js";

const HERE = new URL(".", import.meta.url).href; // the service (or folder) these files came from
const PLACEHOLDER = /^\{\{.*\}\}$/; // an unfilled template slot, as in demo.html served statically
const OPUS_TYPE = "audio/ogg; codecs=opus";

export const loading = {
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
  },

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
  },

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
    if (this.page) this.page.detach();
    this.page = null;
    this.root.dataset.state = "ready";
    this.root.dataset.readalong = "none";
    if (entry.language) this.setLanguage(entry.language);
    this.audio.replaceChildren();
    if (entry.opus) {
      // Opus first (well under half the bytes), the MP3 for a browser that cannot play it.
      this.audio.removeAttribute("src");
      for (const [src, type] of [[entry.opus, OPUS_TYPE], [entry.audio, "audio/mpeg"]]) {
        const source = document.createElement("source");
        Object.assign(source, { src, type });
        this.audio.append(source);
      }
      // When every source fails, the error is the last <source>'s, not the audio element's.
      this.audio.lastElementChild.addEventListener("error", () => this.audio.dispatchEvent(new Event("error")));
      this.audio.load();
    } else this.audio.src = entry.audio;
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
  },

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
  },

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
  },

  // Read along in the article itself where its text can be found; the transcript otherwise.
  followOnPage() {
    const why = (text) => console.info(`listen: ${text}; the transcript view follows the audio instead.`);
    if (!highlightSupported()) {
      this.root.dataset.readalong = "transcript";
      return why("this browser has no CSS Custom Highlight API");
    }
    // The article element first; a page whose headline sits outside it is searched wider.
    let page = null;
    for (const root of articleRoots(this.host)) {
      const found = new PageHighlighter(root, this.sentences);
      if (!page || found.mapped > page.mapped) page = found;
      if (!page.missing.length) break;
    }
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
    page.mark();
    if (!this.pageClicks) {
      this.pageClicks = (event) => this.clickOnPage(event);
      document.addEventListener("click", this.pageClicks);
    }
  },

  clickOnPage(event) {
    if (!this.page || !this.sessionStarted || event.defaultPrevented || event.button !== 0) return;
    if (event.ctrlKey || event.metaKey || event.shiftKey || event.altKey) return;
    const index = this.page.hit(event);
    if (index >= 0) this.playFrom(index, event);
  },
};
