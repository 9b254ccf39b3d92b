// The player's DOM: one compact row, a menu, panels opened on demand, and the shortcut help.
// Built once per player and relabelled when the language changes; no behaviour lives here
// beyond showing state (player-core.js wires the events).
import { clock, duration, fill, h, rateLabel, spokenTime } from "./format.js";

export const RATES = [0.5, 0.75, 1, 1.25, 1.5, 1.75, 2, 2.5, 3];
const SVG = "http://www.w3.org/2000/svg";

const ICONS = {
  play: "M8 5.5v13l10.5-6.5z",
  pause: "M6.5 5h4v14h-4zM13.5 5h4v14h-4z",
  back: "M12 4V1L7 5.5 12 10V6.5a6 6 0 1 1-6 6H3.5A8.5 8.5 0 1 0 12 4z",
  more: "M5 10.2a1.8 1.8 0 1 0 0 3.6 1.8 1.8 0 0 0 0-3.6zm7 0a1.8 1.8 0 1 0 0 3.6 1.8 1.8 0 0 0 0-3.6zm7 0a1.8 1.8 0 1 0 0 3.6 1.8 1.8 0 0 0 0-3.6z",
  close: "M6.4 5 5 6.4 10.6 12 5 17.6 6.4 19l5.6-5.6 5.6 5.6 1.4-1.4-5.6-5.6L19 6.4 17.6 5 12 10.6z",
  sound: "M4 9v6h4l5 4V5L8 9zm11.5-1.3-1.1 1.1a4.5 4.5 0 0 1 0 6.4l1.1 1.1a6 6 0 0 0 0-8.6z",
  mute: "M4 9v6h4l5 4V5L8 9zm12.3 0L15 10.3l1.7 1.7-1.7 1.7 1.3 1.3 1.7-1.7 1.7 1.7 1.3-1.3-1.7-1.7 1.7-1.7L20 9l-1.7 1.7z",
};

export function icon(name, flip = false) {
  const svg = document.createElementNS(SVG, "svg");
  svg.setAttribute("viewBox", "0 0 24 24");
  svg.setAttribute("aria-hidden", "true");
  svg.setAttribute("focusable", "false");
  svg.setAttribute("class", "listen-svg" + (flip ? " listen-flip" : ""));
  const path = document.createElementNS(SVG, "path");
  path.setAttribute("d", ICONS[name]);
  svg.append(path);
  return svg;
}

const button = (cls, action, ...children) =>
  h("button", { type: "button", class: cls, "data-action": action }, ...children);

// A labelled toggle in the menu that opens one panel below the row.
function toggle(id, panel) {
  return h("button", {
    type: "button",
    class: "listen-item listen-toggle",
    "data-action": "panel",
    "data-panel": panel,
    "aria-expanded": "false",
    "aria-controls": `${id}-${panel}`,
  });
}

export class View {
  constructor(id, headingLevel) {
    this.id = id;
    this.level = headingLevel;
    const heading = (cls) => h(`h${headingLevel}`, { class: `listen-heading ${cls}` });

    this.audio = h("audio", { preload: "none" }); // never autoplay, never fetch before asked
    this.playLabel = h("span", { class: "listen-sr" });
    this.playIcon = h("span", { class: "listen-play-icon" }, icon("play"));
    this.play = button("listen-play", "play", this.playIcon, this.playLabel);
    this.back = button("listen-skip", "back", icon("back"), h("span", { class: "listen-n", text: "15" }));
    this.forward = button(
      "listen-skip",
      "forward",
      icon("back", true),
      h("span", { class: "listen-n", text: "15" }),
    );
    this.slider = h("input", { type: "range", class: "listen-seek", min: 0, max: 0, step: 1, value: 0 });
    this.ticks = h("div", { class: "listen-ticks", "aria-hidden": "true" });
    this.clock = h("span", { class: "listen-clock", "aria-hidden": "true" });
    this.timeline = h("div", { class: "listen-timeline" }, this.slider, this.ticks);
    this.speed = h("select", { class: "listen-speed" });
    for (const rate of RATES) this.speed.append(h("option", { value: rate }));
    this.more = h("button", {
      type: "button",
      class: "listen-more",
      "data-action": "menu",
      "aria-expanded": "false",
      "aria-controls": `${id}-menu`,
    });
    this.more.append(icon("more"));
    this.miniTitle = h("span", { class: "listen-mini-title", "aria-hidden": "true" });
    this.hideMini = button("listen-hide-mini", "hide-mini", icon("close"));
    this.transport = h(
      "div",
      { class: "listen-transport" },
      this.play,
      this.back,
      this.forward,
      this.timeline,
      this.clock,
    );
    // The row stays left-to-right in RTL too, as media transports do (docs/player.md explains
    // why); the menu and the panels follow the language.
    this.bar = h(
      "div",
      { class: "listen-bar", role: "group", dir: "ltr" },
      this.transport,
      h("div", { class: "listen-tools" }, this.speed, this.more, this.hideMini),
      this.miniTitle,
    );

    // The menu: everything a listener reaches for less often than play.
    this.mute = h("button", {
      type: "button",
      class: "listen-item listen-mute",
      "data-action": "mute",
      "aria-pressed": "false",
    });
    this.volume = h("input", {
      type: "range",
      class: "listen-volume",
      min: 0,
      max: 100,
      step: 5,
      value: 100,
    });
    this.toggles = {
      transcript: toggle(id, "transcript"),
      chapters: toggle(id, "chapters"),
      queue: toggle(id, "queue"),
    };
    this.next = h("button", { type: "button", class: "listen-item listen-next", "data-action": "next" });
    this.copy = button("listen-item listen-copy", "copy");
    this.download = h("a", { class: "listen-item listen-download", download: "" });
    this.feed = h("a", { class: "listen-item listen-feed", type: "application/rss+xml" });
    this.help = button("listen-item listen-help-open", "help");
    this.pageHint = h("p", { class: "listen-page-hint" });
    this.menu = h(
      "div",
      { class: "listen-menu", id: `${id}-menu`, hidden: true },
      h("div", { class: "listen-volume-row" }, this.mute, this.volume),
      this.toggles.transcript,
      this.toggles.chapters,
      this.toggles.queue,
      this.next,
      this.copy,
      this.download,
      this.feed,
      this.help,
      this.pageHint,
    );
    this.bar.append(this.menu);

    this.status = h("p", { class: "listen-status", role: "status", "aria-live": "polite" });
    this.retry = button("listen-retry", "retry");
    this.retry.hidden = true;
    this.notice = h("div", { class: "listen-notice" }, this.status, this.retry);

    const panel = (name, ...body) => {
      const title = heading("listen-panel-title");
      const close = button("listen-panel-close", "panel", icon("close"));
      close.dataset.panel = name;
      const section = h(
        "div",
        { class: `listen-panel listen-${name}`, id: `${id}-${name}`, hidden: true },
        h("div", { class: "listen-panel-head" }, title, close),
        ...body,
      );
      return { section, title, close };
    };
    this.transcriptHint = h("p", { class: "listen-hint" });
    this.transcriptBody = h("div", { class: "listen-transcript-body" });
    this.chapterItems = h("ol", { class: "listen-list" });
    this.queueItems = h("ol", { class: "listen-list" });
    this.panels = {
      transcript: panel("transcript", this.transcriptHint, this.transcriptBody),
      chapters: panel("chapters", this.chapterItems),
      queue: panel("queue", this.queueItems),
    };

    this.helpTitle = h(`h${headingLevel}`, { class: "listen-heading", id: `${id}-help-title` });
    this.helpRows = h("tbody");
    this.helpNote = h("p", { class: "listen-hint" });
    this.helpClose = button("listen-help-close", "help-close");
    this.helpDialog = h(
      "dialog",
      { class: "listen-help", "aria-labelledby": `${id}-help-title` },
      this.helpTitle,
      this.helpNote,
      h("table", null, this.helpRows),
      this.helpClose,
    );

    this.main = h(
      "div",
      { class: "listen-main", hidden: true },
      this.bar,
      this.panels.chapters.section,
      this.panels.transcript.section,
      this.panels.queue.section,
      this.helpDialog,
    );
    this.root = h(
      "section",
      { class: "listen-player", "data-state": "loading" },
      this.audio,
      this.main,
      this.notice,
    );
  }

  // Every label in the player's language (t), numbers in the article's (lang).
  label(t, lang, uiLang, dir) {
    this.menu.dir = dir;
    this.miniTitle.dir = "auto";
    this.root.setAttribute("aria-label", t.listen);
    this.bar.setAttribute("aria-label", t.playback);
    this.back.setAttribute("aria-label", t.back);
    this.forward.setAttribute("aria-label", t.forward);
    this.slider.setAttribute("aria-label", t.position);
    this.speed.setAttribute("aria-label", t.speed);
    this.more.setAttribute("aria-label", t.more);
    this.hideMini.setAttribute("aria-label", t.hideMini);
    this.mute.textContent = "";
    this.mute.append(icon(this.audio.muted ? "mute" : "sound"), h("span", { text: t.mute }));
    this.volume.setAttribute("aria-label", t.volume);
    this.toggles.transcript.textContent = t.transcript;
    this.toggles.chapters.textContent = t.chapters;
    this.toggles.queue.textContent = t.queue;
    this.download.textContent = t.download;
    this.feed.textContent = t.feed;
    this.help.textContent = t.shortcuts;
    this.pageHint.textContent = t.pageHint;
    this.retry.textContent = t.tryAgain;
    this.panels.transcript.title.textContent = t.transcript;
    this.panels.chapters.title.textContent = t.chapters;
    this.panels.queue.title.textContent = t.queue;
    for (const { close } of Object.values(this.panels)) close.setAttribute("aria-label", t.close);
    this.transcriptHint.textContent = t.transcriptHint;
    for (const option of this.speed.options) option.textContent = rateLabel(Number(option.value), lang);
    this.helpTitle.textContent = t.shortcuts;
    this.helpNote.textContent = t.helpNote;
    this.helpClose.textContent = t.close;
    const keys = [
      ["K", t.keyPlay],
      ["J / L  ← / →", t.keySkip],
      ["[ / ]", t.keyParagraph],
      [", / .", t.keySentence],
      ["< / >", t.keySpeed],
      ["M", t.keyMute],
      ["N", t.keyNext],
      ["0 … 9", t.keyPercent],
      ["?", t.keyHelp],
      ["Esc", t.keyEscape],
    ];
    this.helpRows.replaceChildren(
      ...keys.map(([key, what]) =>
        h("tr", null, h("th", { scope: "row", dir: "ltr" }, h("kbd", { text: key })), h("td", { text: what })),
      ),
    );
    // Labels in English inside a French player must say they are English (WCAG 3.1.2).
    for (const node of [this.bar, this.notice, this.panels.transcript.title, this.helpDialog]) {
      if (uiLang === lang) node.removeAttribute("lang");
      else node.lang = uiLang;
    }
  }

  showPlaying(playing, t) {
    this.playLabel.textContent = playing ? t.pause : t.play;
    this.playIcon.replaceChildren(icon(playing ? "pause" : "play"));
    this.root.dataset.playing = playing ? "true" : "false";
  }

  showMuted(muted, level) {
    this.mute.setAttribute("aria-pressed", String(muted));
    this.mute.querySelector("svg").replaceWith(icon(muted ? "mute" : "sound"));
    this.volume.value = String(Math.round(level * 100));
  }

  // The clock, the slider and its spoken value. `resting`: a keyboard user is on the slider
  // during playback, so its value waits (screen readers would read it every second).
  showTime(t, end, lang, words, resting) {
    this.clock.textContent = `${clock(t)} / ${duration(end)}`;
    this.slider.style.setProperty("--listen-progress", end ? `${Math.min(100, (t / end) * 100)}%` : "0%");
    if (resting) return;
    this.slider.value = String(Math.min(Math.floor(t), Number(this.slider.max)));
    this.slider.setAttribute(
      "aria-valuetext",
      fill(words.of, { pos: spokenTime(t, lang), total: spokenTime(end, lang, true) }),
    );
  }

  setTicks(chapters, end) {
    this.ticks.replaceChildren(
      ...(end && chapters.length > 1
        ? chapters.slice(1).map((c) => h("span", { class: "listen-tick", style: `left: ${(c.start / end) * 100}%` }))
        : []),
    );
  }

  // The transcript: the article as text, each sentence a place to play from.
  renderTranscript(blocks, t) {
    const body = this.transcriptBody;
    body.replaceChildren();
    const sentences = [];
    let list = null;
    blocks.forEach((block, b) => {
      const kind = block.kind || "paragraph";
      let container;
      if (kind === "list_item") {
        if (!list) body.append((list = h("ul", { class: "listen-b listen-b-list" })));
        container = list.appendChild(h("li", { class: "listen-b-list_item" }));
      } else {
        list = null;
        if (kind === "heading") container = h(`h${this.level + 1}`, { class: "listen-b listen-b-heading" });
        else if (kind === "quote") container = h("blockquote", { class: "listen-b listen-b-quote" });
        else container = h("p", { class: `listen-b listen-b-${kind}` });
        // Captions are marked in words, the way the voice introduces them.
        if (kind === "caption") container.append(h("span", { class: "listen-b-label", text: t.caption }), " ");
        body.append(container);
      }
      const own =
        Array.isArray(block.sentences) && block.sentences.length
          ? block.sentences
          : [{ text: block.text, start_ms: block.start_ms, end_ms: block.end_ms }];
      own.forEach((sentence, i) => {
        const el = h("span", { class: "listen-s", tabindex: "-1", text: sentence.text });
        if (i) container.append(" ");
        container.append(el);
        sentences.push({
          start: sentence.start_ms / 1000,
          end: sentence.end_ms / 1000,
          text: sentence.text,
          block: b,
          el,
        });
      });
    });
    sentences.sort((a, b) => a.start - b.start);
    sentences.forEach((s, i) => (s.el.dataset.index = i));
    if (sentences.length) sentences[0].el.tabIndex = 0; // one Tab stop for the whole panel
    return sentences;
  }

  renderChapters(list) {
    this.chapterItems.replaceChildren();
    return list
      .filter((c) => typeof c.startTime === "number")
      .map((c, i) => {
        const title = c.title || String(i + 1);
        const el = h(
          "button",
          { type: "button", class: "listen-chapter", "data-index": i },
          h("span", { class: "listen-chapter-title", text: title }),
          " ",
          h("span", { class: "listen-chapter-time", text: clock(c.startTime) }),
        );
        this.chapterItems.append(h("li", null, el));
        return { start: c.startTime, end: c.endTime, title, el };
      });
  }

  // Built once, then updated in place: a keyboard user's focus stays on the item they chose.
  renderQueue(entries, index, played, t, uiLang) {
    if (this.queueItems.children.length !== entries.length) {
      this.queueItems.replaceChildren(
        ...entries.map((entry, i) =>
          h(
            "li",
            null,
            h(
              "button",
              { type: "button", class: "listen-queue-item", "data-index": i },
              h("span", { class: "listen-queue-title", dir: "auto", lang: entry.language || null }),
              " ",
              h("span", { class: "listen-queue-meta" }),
            ),
          ),
        ),
      );
    }
    entries.forEach((entry, i) => {
      const item = this.queueItems.children[i].firstChild;
      const meta = [entry.durationS ? duration(entry.durationS) : "", played(entry) ? t.played : ""];
      item.querySelector(".listen-queue-title").textContent = entry.title || entry.audio;
      const info = item.querySelector(".listen-queue-meta");
      info.textContent = meta.filter(Boolean).join(" · ");
      info.lang = uiLang;
      if (i === index) item.setAttribute("aria-current", "true");
      else item.removeAttribute("aria-current");
    });
  }
}
