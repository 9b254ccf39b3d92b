// The player's events: the audio element, clicks on its controls, the slider and the transcript.
// Methods of Player (keys.js has the shortcuts, page.js the page around the player).
import { clock, fill, isolate, parseClock } from "./format.js";
import { mediaSession } from "./page.js";
import { memory } from "./storage.js";

const SKIP_S = 15;
const SLIDER_STEP_S = 5;
const SLIDER_PAGE_S = 60;
const SAVE_EVERY_MS = 5000;
export const CONTINUE = Object.freeze({ reason: "next entry of a session the user started" });

export const events = {
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
      if (!audio.getAttribute("src") && !audio.querySelector("source")) return;
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
  },

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
  },
};
