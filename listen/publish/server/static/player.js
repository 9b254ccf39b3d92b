/*
 * listen: the embeddable article player behind the Listen button.
 *
 * Plain ES2020 and CSS, no build step, no globals. It mounts into every element with
 *   data-listen-article="https://site/article"  ask the Listen service (the host of this script)
 *   data-listen-src="media/X.mp3"              one rendered file; sidecars found by name
 *   data-listen-queue="queue.json"             a queue document; drives "Next"
 * See docs/player.md for the data contract, the keyboard map and the accessibility decisions.
 */
(function () {
  "use strict";

  // -- Where we were loaded from: the service's base URL and our stylesheet ------------------
  const SCRIPT = document.currentScript;
  const SCRIPT_URL = SCRIPT && SCRIPT.src ? SCRIPT.src : null;
  const SERVICE_BASE = SCRIPT_URL ? new URL(".", SCRIPT_URL).href : document.baseURI;

  const SELECTOR = "[data-listen-article],[data-listen-src],[data-listen-queue]";
  const RATES = [0.75, 1, 1.25, 1.5, 1.75, 2];
  const SKIP_S = 15;
  const SLIDER_STEP_S = 5;
  const SLIDER_PAGE_S = 60;
  const SAVE_EVERY_MS = 5000;
  const FOLLOW_PAUSE_MS = 5000; // after the user scrolls the transcript, leave it alone this long
  const RTL = new Set(["ar", "he", "fa", "ur", "ps", "sd", "yi", "dv", "ku", "ug"]);
  const FORM_FIELDS = new Set(["INPUT", "SELECT", "TEXTAREA"]);
  const USER_EVENTS = new Set(["click", "keydown"]);
  const MEDIA_KEY = Object.freeze({ reason: "media key" }); // a hardware or OS play key
  const CONTINUE = Object.freeze({ reason: "next entry of a session the user started" });
  const PLACEHOLDER = /^\{\{.*\}\}$/; // an unfilled template slot, as in demo.html served statically

  // -- Words. The player speaks the article's language where we have its words ----------------
  const MESSAGES = {
    en: {
      listen: "Listen",
      playback: "Playback",
      play: "Play",
      pause: "Pause",
      back: "Back 15 seconds",
      forward: "Forward 15 seconds",
      position: "Position",
      speed: "Speed",
      next: "Next",
      nextTitle: "Next: {title}",
      chapters: "Chapters",
      transcript: "Transcript",
      transcriptHint: "Select a sentence to play from there.",
      queue: "Queue",
      played: "played",
      caption: "Image caption:",
      of: "{pos} of {total}",
      loading: "Loading…",
      preparing: "Preparing audio…",
      ready: "Audio ready.",
      playing: "Playing",
      paused: "Paused",
      finished: "Finished",
      buffering: "Loading audio…",
      chapter: "Chapter: {title}",
      resuming: "Resuming at {time}",
      at: "At {time}",
      rate: "Speed {rate}",
      nowPlaying: "Now: {title}",
      noTranscript: "The transcript is not available for this article; the audio still plays.",
      audioError: "The audio could not be loaded.",
      blocked: "The browser did not allow playback. Press Play again.",
      network: "Could not reach the Listen service.",
      failed: "The audio could not be prepared: {reason}",
      queueError: "The queue could not be loaded: {reason}",
      nothing: "Nothing to play.",
    },
    es: {
      listen: "Escuchar",
      playback: "Reproducción",
      play: "Reproducir",
      pause: "Pausa",
      back: "Atrás 15 segundos",
      forward: "Adelante 15 segundos",
      position: "Posición",
      speed: "Velocidad",
      next: "Siguiente",
      nextTitle: "Siguiente: {title}",
      chapters: "Capítulos",
      transcript: "Transcripción",
      transcriptHint: "Elija una frase para reproducir desde ahí.",
      queue: "Cola de escucha",
      played: "escuchado",
      caption: "Pie de foto:",
      of: "{pos} de {total}",
      loading: "Cargando…",
      preparing: "Preparando el audio…",
      ready: "Audio listo.",
      playing: "Reproduciendo",
      paused: "En pausa",
      finished: "Terminado",
      buffering: "Cargando el audio…",
      chapter: "Capítulo: {title}",
      resuming: "Se reanuda en {time}",
      at: "En {time}",
      rate: "Velocidad {rate}",
      nowPlaying: "Ahora: {title}",
      noTranscript:
        "La transcripción no está disponible para este artículo; el audio sí se reproduce.",
      audioError: "No se pudo cargar el audio.",
      blocked: "El navegador no permitió la reproducción. Pulse Reproducir de nuevo.",
      network: "No se pudo conectar con el servicio Listen.",
      failed: "No se pudo preparar el audio: {reason}",
      queueError: "No se pudo cargar la cola: {reason}",
      nothing: "No hay nada que reproducir.",
    },
    ar: {
      listen: "استمع",
      playback: "التشغيل",
      play: "تشغيل",
      pause: "إيقاف مؤقت",
      back: "رجوع 15 ثانية",
      forward: "تقديم 15 ثانية",
      position: "الموضع",
      speed: "السرعة",
      next: "التالي",
      nextTitle: "التالي: {title}",
      chapters: "الأقسام",
      transcript: "النص",
      transcriptHint: "اختر جملة لبدء الاستماع منها.",
      queue: "قائمة الاستماع",
      played: "تم الاستماع",
      caption: "تعليق الصورة:",
      of: "{pos} من {total}",
      loading: "جارٍ التحميل…",
      preparing: "جارٍ تحضير الصوت…",
      ready: "الصوت جاهز.",
      playing: "جارٍ التشغيل",
      paused: "متوقف مؤقتًا",
      finished: "انتهى",
      buffering: "جارٍ تحميل الصوت…",
      chapter: "القسم: {title}",
      resuming: "الاستئناف من {time}",
      at: "عند {time}",
      rate: "السرعة {rate}",
      nowPlaying: "الآن: {title}",
      noTranscript: "النص غير متوفر لهذه المقالة، لكن الصوت يعمل.",
      audioError: "تعذّر تحميل الصوت.",
      blocked: "لم يسمح المتصفح بالتشغيل. اضغط تشغيل مرة أخرى.",
      network: "تعذّر الاتصال بخدمة الاستماع.",
      failed: "تعذّر تحضير الصوت: {reason}",
      queueError: "تعذّر تحميل قائمة الاستماع: {reason}",
      nothing: "لا يوجد ما يمكن تشغيله.",
    },
  };

  const baseLanguage = (code) =>
    String(code || "")
      .toLowerCase()
      .split(/[-_]/)[0];

  function fill(template, values) {
    return template.replace(/\{(\w+)\}/g, (_, key) => (key in values ? values[key] : ""));
  }

  // A title inside a sentence of another direction ("Next: تونس ... 2025") is isolated, or
  // the bidi algorithm pulls its numbers and punctuation into the surrounding text.
  const isolate = (text) => `\u2068${text}\u2069`;

  // "1:05" or "1:02:03": what the eye reads.
  function clock(seconds) {
    const s = Math.max(0, Math.floor(seconds || 0));
    const h = Math.floor(s / 3600);
    const m = Math.floor((s % 3600) / 60);
    const ss = String(s % 60).padStart(2, "0");
    return h ? `${h}:${String(m).padStart(2, "0")}:${ss}` : `${m}:${ss}`;
  }

  // "1 minute 5 seconds": what a screen reader should say for a position, with the
  // language's own plural forms from Intl (Arabic has six).
  function spokenTime(seconds, lang) {
    const s = Math.max(0, Math.floor(seconds || 0));
    const parts = [
      ["hour", Math.floor(s / 3600)],
      ["minute", Math.floor((s % 3600) / 60)],
      ["second", s % 60],
    ].filter(([, n], i, all) => n > 0 || (i === all.length - 1 && s === 0));
    try {
      const words = parts.map(([unit, n]) =>
        new Intl.NumberFormat(lang, { style: "unit", unit, unitDisplay: "long" }).format(n),
      );
      return new Intl.ListFormat(lang, { type: "unit", style: "narrow" }).format(words);
    } catch (_) {
      return parts.map(([unit, n]) => `${n} ${unit}${n === 1 ? "" : "s"}`).join(" ");
    }
  }

  function rateLabel(rate, lang) {
    try {
      return new Intl.NumberFormat(lang, { maximumFractionDigits: 2 }).format(rate) + "×";
    } catch (_) {
      return `${rate}×`;
    }
  }

  // -- Small DOM and URL helpers --------------------------------------------------------------
  function h(tag, props, ...children) {
    const node = document.createElement(tag);
    for (const [key, value] of Object.entries(props || {})) {
      if (value === null || value === undefined || value === false) continue;
      if (key === "class") node.className = value;
      else if (key === "text") node.textContent = value;
      else node.setAttribute(key, value === true ? "" : String(value));
    }
    for (const child of children) {
      if (child !== null && child !== undefined) node.append(child);
    }
    return node;
  }

  const isAbsolute = (url) => /^[a-z][a-z0-9+.-]*:|^\/\//i.test(url);

  // Service links are relative to the service base, which may have a path ("/listen/").
  function serviceUrl(base, link) {
    if (isAbsolute(link)) return link;
    return base.replace(/\/+$/, "") + "/" + String(link).replace(/^\/+/, "");
  }

  const resolve = (url, against) => (url ? new URL(url, against).href : null);

  // media/X.mp3 -> media/X.timings.json, keeping any query string.
  function sidecar(audioUrl, suffix) {
    const url = new URL(audioUrl);
    url.pathname = url.pathname.replace(/\.[^./]+$/, "") + suffix;
    return url.href;
  }

  const storage = {
    get(key) {
      try {
        return JSON.parse(window.localStorage.getItem(key));
      } catch (_) {
        return null; // storage disabled (private mode, sandboxed frame) or a stray value
      }
    },
    set(key, value) {
      try {
        window.localStorage.setItem(key, JSON.stringify(value));
      } catch (_) {
        /* full or disabled: position memory is a convenience */
      }
    },
    remove(key) {
      try {
        window.localStorage.removeItem(key);
      } catch (_) {
        /* as above */
      }
    },
  };

  class HttpError extends Error {}

  async function getJSON(url) {
    let response;
    try {
      response = await fetch(url, { headers: { Accept: "application/json" } });
    } catch (err) {
      throw new HttpError("network");
    }
    let body = null;
    try {
      body = await response.json();
    } catch (_) {
      /* an HTML error page or an empty body: the status says enough */
    }
    if (!response.ok) {
      throw new HttpError((body && body.error) || `HTTP ${response.status}`);
    }
    return {
      status: response.status,
      body: body || {},
      retryAfter: response.headers.get("Retry-After"),
    };
  }

  // A queue entry, a service answer and a bare data-listen-src all become this one shape.
  function makeEntry(raw, against) {
    const audio = resolve(raw.audio, against);
    return {
      id: raw.id != null ? String(raw.id) : audio,
      title: raw.title || "",
      language: raw.language || "",
      durationS: (Number(raw.duration_ms) || 0) / 1000,
      url: raw.url || null,
      audio,
      timings: resolve(raw.timings, against),
      chapters: resolve(raw.chapters, against),
      transcript: resolve(raw.transcript, against),
      positionS: Number(raw.position_s) || 0,
      done: Boolean(raw.done),
    };
  }

  const players = [];
  let counter = 0;

  class Player {
    constructor(host) {
      this.host = host;
      this.id = `listen-${++counter}`;
      this.entries = [];
      this.index = -1;
      this.entry = null;
      this.sentences = []; // [{start, end, el}] in time order
      this.chapterList = []; // [{start, end, title, el}]
      this.current = -1; // index into sentences
      this.chapter = -1;
      this.lang = "en";
      this.t = MESSAGES.en;
      this.sessionStarted = false; // the user pressed play here: continuing to "Next" is fine
      this.lastSave = 0;
      this.userScrolledAt = 0;
      this.autoScrollUntil = 0;
      this.pointerOnSlider = false;
      this.quietUntil = 0;
      this.playMessage = null;
      this.headingLevel = Math.min(5, Math.max(2, Number(host.dataset.listenHeadingLevel) || 2));
      this.build();
      this.listen();
      players.push(this);
    }

    // -- The DOM: built once, relabelled when the language changes ---------------------------
    build() {
      const id = this.id;
      const level = this.headingLevel;
      const heading = (text, extra) => h(`h${level}`, { class: "listen-heading", ...extra }, text);

      this.audio = h("audio", { preload: "none" }); // never autoplay, never fetch before asked
      this.kicker = h("span", { class: "listen-kicker", id: `${id}-kicker` });
      this.title = h("span", { class: "listen-title", id: `${id}-title` });
      this.status = h("p", { class: "listen-status", role: "status", "aria-live": "polite" });

      this.backButton = h(
        "button",
        { type: "button", class: "listen-skip", "data-action": "back" },
        h("span", { class: "listen-icon", "aria-hidden": "true", text: "↺" }),
        " 15",
      );
      this.playButton = h(
        "button",
        { type: "button", class: "listen-play", "data-action": "play" },
        h("span", { class: "listen-icon", "aria-hidden": "true" }),
        h("span", { class: "listen-play-label" }),
      );
      this.forwardButton = h(
        "button",
        { type: "button", class: "listen-skip", "data-action": "forward" },
        "15 ",
        h("span", { class: "listen-icon", "aria-hidden": "true", text: "↻" }),
      );
      this.slider = h("input", {
        type: "range",
        class: "listen-seek",
        min: 0,
        max: 0,
        step: 1,
        value: 0,
      });
      this.clock = h("span", { class: "listen-clock", "aria-hidden": "true" });
      // Media transport stays left-to-right in RTL too (docs/player.md explains why).
      this.transport = h(
        "div",
        { class: "listen-transport", role: "group", dir: "ltr" },
        this.backButton,
        this.playButton,
        this.forwardButton,
        h("div", { class: "listen-timeline" }, this.slider, this.clock),
      );

      this.speedLabel = h("label", { for: `${id}-speed` });
      this.speed = h("select", { id: `${id}-speed`, class: "listen-speed" });
      this.nextButton = h("button", {
        type: "button",
        class: "listen-next",
        "data-action": "next",
        hidden: true,
      });
      this.options = h(
        "div",
        { class: "listen-options" },
        h("span", { class: "listen-speed-field" }, this.speedLabel, this.speed),
        this.nextButton,
      );

      this.chapterHeading = heading("", { id: `${id}-chapters` });
      this.chapterItems = h("ol", { class: "listen-chapter-list" });
      this.chapterSection = h(
        "div",
        { class: "listen-chapters", hidden: true },
        this.chapterHeading,
        this.chapterItems,
      );

      this.transcriptToggle = h("button", {
        type: "button",
        class: "listen-toggle",
        "aria-expanded": "true",
        "aria-controls": `${id}-transcript-panel`,
        "data-action": "toggle",
      });
      this.transcriptHint = h("p", { class: "listen-hint" });
      this.transcriptBody = h("div", { class: "listen-transcript-body" });
      this.transcriptPanel = h(
        "div",
        { id: `${id}-transcript-panel`, class: "listen-transcript-panel" },
        this.transcriptHint,
        this.transcriptBody,
      );
      this.transcriptSection = h(
        "div",
        { class: "listen-transcript", hidden: true },
        heading(this.transcriptToggle),
        this.transcriptPanel,
      );

      this.queueHeading = heading("", { id: `${id}-queue` });
      this.queueItems = h("ol", { class: "listen-queue-list" });
      this.queueSection = h(
        "div",
        { class: "listen-queue", hidden: true },
        this.queueHeading,
        this.queueItems,
      );

      this.main = h(
        "div",
        { class: "listen-main", hidden: true },
        this.transport,
        this.options,
        this.chapterSection,
        this.transcriptSection,
        this.queueSection,
      );

      this.root = h(
        "section",
        {
          class: "listen-player",
          "aria-labelledby": `${id}-kicker ${id}-title`,
          "data-state": "loading",
        },
        h("p", { class: "listen-header" }, this.kicker, " ", this.title),
        this.status,
        this.audio,
        this.main,
      );

      for (const rate of RATES) this.speed.append(h("option", { value: rate }));
      const savedRate = Number(storage.get("listen:rate"));
      this.setRate(RATES.includes(savedRate) ? savedRate : 1, { remember: false });
      this.setLanguage(
        this.host.getAttribute("lang") || (this.host.closest("[lang]") || {}).lang || "en",
      );
      this.host.replaceChildren(this.root); // a fallback link inside the host gives way to the player
    }

    // Set lang/dir and every label in the article's language (English where we lack words).
    setLanguage(code) {
      const lang = baseLanguage(code) || "en";
      this.lang = lang;
      this.t = MESSAGES[lang] || MESSAGES.en;
      const uiLang = MESSAGES[lang] ? lang : "en";
      this.uiLang = uiLang;
      this.root.lang = code;
      this.root.dir = RTL.has(lang) ? "rtl" : "ltr";
      // Labels in English inside a French player must say they are English (WCAG 3.1.2).
      for (const node of [
        this.kicker,
        this.transport,
        this.options,
        this.chapterHeading,
        this.transcriptToggle,
        this.transcriptHint,
        this.queueHeading,
        this.status,
      ]) {
        if (uiLang === lang) node.removeAttribute("lang");
        else node.lang = uiLang;
      }
      const t = this.t;
      this.kicker.textContent = t.listen;
      this.transport.setAttribute("aria-label", t.playback);
      this.backButton.setAttribute("aria-label", t.back);
      this.forwardButton.setAttribute("aria-label", t.forward);
      this.slider.setAttribute("aria-label", t.position);
      this.speedLabel.textContent = t.speed;
      this.chapterHeading.textContent = t.chapters;
      this.transcriptToggle.textContent = t.transcript;
      this.transcriptHint.textContent = t.transcriptHint;
      this.queueHeading.textContent = t.queue;
      for (const option of this.speed.options)
        option.textContent = rateLabel(Number(option.value), lang);
      this.showPlaying(!this.audio.paused);
      this.updateNext();
      this.updateTime(true);
    }

    // -- Status: a polite live region for state changes, never for each sentence --------------
    say(text, { error = false } = {}) {
      // Clearing first makes a repeated message ("Paused" twice) be read again.
      window.clearTimeout(this.loadingTimer);
      this.said = text;
      this.status.textContent = "";
      this.status.classList.toggle("listen-error", error);
      window.clearTimeout(this.sayTimer);
      this.sayTimer = window.setTimeout(() => {
        this.status.textContent = text;
      }, 60);
    }

    quiet() {
      window.clearTimeout(this.loadingTimer);
      window.clearTimeout(this.sayTimer);
      this.said = "";
      this.status.textContent = "";
    }

    fail(text) {
      this.root.dataset.state = "error";
      this.say(text, { error: true });
    }

    // -- Loading: service, single file or queue ------------------------------------------------
    async start() {
      const data = this.host.dataset;
      const query =
        data.listenFromQuery !== undefined ? new URLSearchParams(window.location.search) : null;
      let article =
        data.listenArticle && !PLACEHOLDER.test(data.listenArticle) ? data.listenArticle : null;
      let src = data.listenSrc || null;
      let queue = data.listenQueue || null;
      let wanted = data.listenEntry || null;
      if (query) {
        // Only a page that opts in (the demo) lets its address choose what plays, and only
        // files of its own origin, so a crafted link cannot put foreign audio on the page.
        const sameOrigin = (value) =>
          value && new URL(value, document.baseURI).origin === window.location.origin;
        if (query.get("url")) [article, src] = [query.get("url"), null];
        if (sameOrigin(query.get("queue"))) [queue, src] = [query.get("queue"), null];
        if (sameOrigin(query.get("src"))) [src, queue, article] = [query.get("src"), null, null];
        wanted = query.get("entry") || wanted;
      }
      const service = data.listenService || SERVICE_BASE;

      // "Loading…" only when loading is slow enough to notice.
      this.loadingTimer = window.setTimeout(() => this.say(this.t.loading), 500);
      if (queue) {
        const queueUrl = new URL(queue, document.baseURI).href;
        try {
          const { body } = await getJSON(queueUrl);
          this.entries = (Array.isArray(body.entries) ? body.entries : [])
            .filter((raw) => raw && raw.audio)
            .map((raw) => makeEntry(raw, queueUrl));
        } catch (err) {
          const reason = err.message === "network" ? this.t.network : err.message;
          if (!article && !src) return this.fail(fill(this.t.queueError, { reason }));
        }
      }
      let first = null;
      if (article) {
        first = await this.fromService(service, article);
        if (!first) return; // the status already says why
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
        const same = this.entries.findIndex(
          (e) => e.audio === first.audio || (first.url && e.url === first.url),
        );
        if (same >= 0) this.entries[same] = { ...this.entries[same], ...first };
        else this.entries.unshift(first);
        this.index = Math.max(same, 0);
      } else {
        const chosen = this.entries.findIndex((e) => e.id === wanted);
        const fresh = this.entries.findIndex((e) => !e.done && !this.isDone(e));
        this.index = chosen >= 0 ? chosen : Math.max(fresh, 0);
      }
      if (!this.entries.length) return this.fail(this.t.nothing);
      this.main.hidden = false;
      this.renderQueue();
      this.load(this.index); // quietly: the page has just loaded (or "Audio ready." was said)
    }

    // GET /v1/listen, then poll while the service renders; null when it cannot be had.
    async fromService(base, articleUrl) {
      let url = serviceUrl(base, "/v1/listen?url=" + encodeURIComponent(articleUrl));
      let announced = false;
      let failures = 0;
      while (this.host.isConnected) {
        let answer;
        try {
          answer = await getJSON(url);
          failures = 0;
        } catch (err) {
          // One dropped poll is not worth alarming anyone; three in a row are.
          if (err.message === "network" && ++failures < 3) {
            await new Promise((done) => window.setTimeout(done, 2000));
            continue;
          }
          this.fail(err.message === "network" ? this.t.network : err.message);
          return null;
        }
        const body = answer.body;
        if (body.language) this.setLanguage(body.language);
        if (body.title) this.title.textContent = body.title;
        if (body.state === "ready" && body.links && body.links.audio) {
          const links = body.links;
          if (announced) this.say(this.t.ready);
          return makeEntry(
            {
              id: body.id,
              title: body.title,
              language: body.language,
              duration_ms: body.duration_ms,
              url: body.url || articleUrl,
              audio: serviceUrl(base, links.audio),
              timings: links.timings && serviceUrl(base, links.timings),
              chapters: links.chapters && serviceUrl(base, links.chapters),
              transcript: links.transcript && serviceUrl(base, links.transcript),
            },
            base,
          );
        }
        if (body.state === "failed") {
          this.fail(fill(this.t.failed, { reason: body.reason || body.error || "" }));
          return null;
        }
        if (!announced) {
          this.root.dataset.state = "preparing";
          this.say(this.t.preparing);
          announced = true;
        }
        if (body.poll) url = serviceUrl(base, body.poll);
        const wait = Number(body.retry_after || answer.retryAfter) || 2;
        await new Promise((done) =>
          window.setTimeout(done, Math.min(Math.max(wait, 1), 30) * 1000),
        );
      }
      return null;
    }

    positionKey(entry) {
      return "listen:position:" + (entry.url || entry.audio);
    }

    isDone(entry) {
      return Boolean(storage.get("listen:done:" + (entry.url || entry.audio)));
    }

    // Switch to an entry. Synchronous up to the audio source, so a play() right after it still
    // runs inside the user's click (Safari insists); the transcript arrives when fetched.
    load(index, { announce = false } = {}) {
      const entry = this.entries[index];
      if (!entry) return;
      if (this.entry) this.savePosition();
      // The transcript and chapters are rebuilt below; focus in them must land somewhere useful.
      const focusIn = this.transcriptSection.contains(document.activeElement)
        ? "transcript"
        : this.chapterSection.contains(document.activeElement)
          ? "chapters"
          : null;
      if (focusIn) this.playButton.focus();
      this.focusAfterLoad = focusIn === "transcript";
      // Changing the source pauses the old one; that is not news, the new title is.
      this.quietUntil = announce ? Date.now() + 800 : 0;
      this.index = index;
      this.entry = entry;
      this.current = -1;
      this.chapter = -1;
      this.sentences = [];
      this.chapterList = [];
      this.root.dataset.state = "ready";
      this.title.textContent = entry.title;
      if (entry.language) this.setLanguage(entry.language);
      this.audio.src = entry.audio;
      this.audio.playbackRate = this.audio.defaultPlaybackRate;
      this.duration = entry.durationS;
      this.slider.max = Math.max(1, Math.ceil(this.duration));
      this.transcriptBody.replaceChildren();
      this.transcriptSection.hidden = true;
      this.chapterSection.hidden = true;
      this.renderQueue();
      this.updateNext();

      // Where this listener left off: seek without playing (preload="none" keeps it silent).
      const saved = storage.get(this.positionKey(entry));
      const resumeAt = saved && typeof saved.t === "number" ? saved.t : entry.positionS;
      let message = announce ? fill(this.t.nowPlaying, { title: isolate(entry.title) }) : "";
      if (resumeAt > 1 && (!this.duration || resumeAt < this.duration - 3)) {
        this.audio.currentTime = resumeAt;
        message = fill(this.t.resuming, { time: clock(resumeAt) });
      }
      this.updateTime(true);
      if (message) this.say(message);
      else if (!this.said || this.said === this.t.loading) this.quiet();

      const token = (this.loadToken = {});
      this.loadSidecars(entry, token);
    }

    async loadSidecars(entry, token) {
      const [timings, chapters] = await Promise.all([
        entry.timings
          ? getJSON(entry.timings).then(
              (r) => r.body,
              () => null,
            )
          : null,
        entry.chapters
          ? getJSON(entry.chapters).then(
              (r) => r.body,
              () => null,
            )
          : null,
      ]);
      if (token !== this.loadToken) return; // the listener moved on to another entry meanwhile
      if (timings && Array.isArray(timings.blocks)) {
        if (timings.language && !entry.language) this.setLanguage(timings.language);
        if (timings.title && !entry.title) this.title.textContent = entry.title = timings.title;
        if (timings.duration_ms && !this.duration) {
          this.duration = timings.duration_ms / 1000;
          this.slider.max = Math.ceil(this.duration);
        }
        this.renderTranscript(timings.blocks);
      } else {
        this.transcriptSection.hidden = true;
        this.say(this.t.noTranscript);
      }
      const list = chapters && Array.isArray(chapters.chapters) ? chapters.chapters : [];
      this.renderChapters(list);
      if (this.focusAfterLoad && document.activeElement === this.playButton && this.sentences[0]) {
        this.transcriptBody.querySelector('.listen-s[tabindex="0"]').focus(); // back where they were
      }
      this.focusAfterLoad = false;
      this.root.dataset.transcript = this.sentences.length ? "ready" : "unavailable";
      this.sync();
      this.updateTime(true);
    }

    // -- Transcript: the article as text, each sentence a place to play from ------------------
    renderTranscript(blocks) {
      const body = this.transcriptBody;
      body.replaceChildren();
      this.sentences = [];
      let list = null;
      for (const block of blocks) {
        const kind = block.kind || "paragraph";
        let container;
        if (kind === "list_item") {
          if (!list) body.append((list = h("ul", { class: "listen-b listen-b-list" })));
          container = list.appendChild(h("li", { class: "listen-b-list_item" }));
        } else {
          list = null;
          if (kind === "heading")
            container = h(`h${this.headingLevel + 1}`, { class: "listen-b listen-b-heading" });
          else if (kind === "quote")
            container = h("blockquote", { class: "listen-b listen-b-quote" });
          else container = h("p", { class: `listen-b listen-b-${kind}` });
          // Captions are marked in words, the way the voice introduces them.
          if (kind === "caption")
            container.append(h("span", { class: "listen-b-label", text: this.t.caption }), " ");
          body.append(container);
        }
        const sentences =
          Array.isArray(block.sentences) && block.sentences.length
            ? block.sentences
            : [{ text: block.text, start_ms: block.start_ms, end_ms: block.end_ms }];
        sentences.forEach((sentence, i) => {
          const el = h("span", {
            class: "listen-s",
            tabindex: "-1",
            "data-index": this.sentences.length,
            text: sentence.text,
          });
          if (i) container.append(" ");
          container.append(el);
          this.sentences.push({ start: sentence.start_ms / 1000, end: sentence.end_ms / 1000, el });
        });
      }
      this.sentences.sort((a, b) => a.start - b.start);
      this.sentences.forEach((s, i) => (s.el.dataset.index = i));
      if (this.sentences.length) this.sentences[0].el.tabIndex = 0; // one Tab stop for the whole panel
      this.transcriptSection.hidden = this.sentences.length === 0;
    }

    // Roving tabindex: the transcript is one Tab stop; arrows move inside it.
    rove(index, { focus = false } = {}) {
      const target = this.sentences[index];
      if (!target) return;
      for (const s of this.transcriptBody.querySelectorAll('.listen-s[tabindex="0"]'))
        s.tabIndex = -1;
      target.el.tabIndex = 0;
      if (focus) target.el.focus();
    }

    renderChapters(list) {
      this.chapterItems.replaceChildren();
      this.chapterList = list
        .filter((c) => typeof c.startTime === "number")
        .map((c, i) => {
          const el = h(
            "button",
            { type: "button", class: "listen-chapter", "data-index": i },
            h("span", { class: "listen-chapter-title", text: c.title || String(i + 1) }),
            " ",
            h("span", { class: "listen-chapter-time", text: clock(c.startTime) }),
          );
          this.chapterItems.append(h("li", null, el));
          return { start: c.startTime, end: c.endTime, title: c.title || String(i + 1), el };
        });
      // One chapter is just the article: a list of one would be noise.
      this.chapterSection.hidden = this.chapterList.length < 2;
    }

    // Built once, then updated in place: a keyboard user's focus stays on the item they chose.
    renderQueue() {
      if (this.queueItems.children.length !== this.entries.length) {
        this.queueItems.replaceChildren(
          ...this.entries.map((entry, i) =>
            h(
              "li",
              null,
              h(
                "button",
                { type: "button", class: "listen-queue-item", "data-index": i },
                h("span", {
                  class: "listen-queue-title",
                  dir: "auto",
                  lang: entry.language || null,
                }),
                " ",
                h("span", { class: "listen-queue-meta" }),
              ),
            ),
          ),
        );
      }
      this.entries.forEach((entry, i) => {
        const button = this.queueItems.children[i].firstChild;
        const played = entry.done || this.isDone(entry);
        const meta = [entry.durationS ? clock(entry.durationS) : "", played ? this.t.played : ""];
        button.querySelector(".listen-queue-title").textContent = entry.title || entry.audio;
        const info = button.querySelector(".listen-queue-meta");
        info.textContent = meta.filter(Boolean).join(" · ");
        info.lang = this.uiLang;
        if (i === this.index) button.setAttribute("aria-current", "true");
        else button.removeAttribute("aria-current");
      });
      this.queueSection.hidden = this.entries.length < 2;
    }

    updateNext() {
      const next = this.entries[this.index + 1];
      // Hiding the focused Next button at the end of the queue would drop focus on <body>.
      if (!next && document.activeElement === this.nextButton) this.playButton.focus();
      this.nextButton.hidden = !next;
      if (!next) return;
      const [before, after] = this.t.nextTitle.split("{title}");
      this.nextButton.replaceChildren(
        before,
        h("bdi", { lang: next.language || null, text: next.title || "" }),
        after || "",
      );
    }

    // -- Playback ------------------------------------------------------------------------------
    // The one place audio starts. It takes the event that asked for it: a person's click or
    // key press on our controls, a media key, or CONTINUE for the next entry of a listening
    // session that person started. Nothing else can call audio.play(), so nothing at load can.
    play(trigger, message) {
      const byPerson =
        trigger === MEDIA_KEY || (trigger instanceof Event && USER_EVENTS.has(trigger.type));
      if (!byPerson && !(trigger === CONTINUE && this.sessionStarted)) return;
      if (byPerson) this.sessionStarted = true;
      if (!this.audio.paused) {
        if (message) this.say(message);
        return;
      }
      this.playMessage = message || null; // said instead of "Playing" when the play event comes
      for (const other of players) if (other !== this) other.audio.pause(); // one voice at a time
      const attempt = this.audio.play();
      if (attempt && attempt.catch) {
        attempt.catch((err) => {
          if (err && err.name === "NotAllowedError") this.say(this.t.blocked, { error: true });
          else if (err && err.name !== "AbortError") this.say(this.t.audioError, { error: true });
        });
      }
    }

    toggle(trigger) {
      if (this.audio.paused) this.play(trigger);
      else this.audio.pause();
    }

    seek(seconds) {
      const end = this.duration || this.audio.duration || 0;
      const t = Math.max(0, end ? Math.min(seconds, end) : seconds);
      this.audio.currentTime = t; // before any data this sets where playback will start
      this.sync();
      this.updateTime(true);
      this.savePosition();
    }

    skip(delta) {
      this.seek(this.audio.currentTime + delta);
      // Say where we landed once the presses stop, not after each one.
      window.clearTimeout(this.skipTimer);
      this.skipTimer = window.setTimeout(
        () => this.say(fill(this.t.at, { time: clock(this.audio.currentTime) })),
        700,
      );
    }

    setRate(rate, { announce = false, remember = true } = {}) {
      this.audio.defaultPlaybackRate = rate; // survives a change of source
      this.audio.playbackRate = rate;
      this.speed.value = String(rate);
      if (remember) storage.set("listen:rate", rate); // a listener's speed is theirs on every article
      if (announce) this.say(fill(this.t.rate, { rate: rateLabel(rate, this.lang) }));
    }

    stepRate(direction) {
      const i = RATES.indexOf(Number(this.speed.value));
      const next = RATES[Math.min(RATES.length - 1, Math.max(0, i + direction))];
      if (next !== Number(this.speed.value)) this.setRate(next, { announce: true });
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
      const end = this.duration || this.audio.duration || 0;
      if (this.audio.ended || (end && t > end - 3) || t < 1)
        storage.remove(this.positionKey(entry));
      else storage.set(this.positionKey(entry), { t: Math.round(t * 10) / 10, at: Date.now() });
    }

    showPlaying(playing) {
      const label = playing ? this.t.pause : this.t.play;
      this.playButton.querySelector(".listen-play-label").textContent = label;
      this.playButton.querySelector(".listen-icon").textContent = playing ? "❚❚" : "▶";
      this.root.dataset.playing = playing ? "true" : "false";
    }

    // -- Following the audio ---------------------------------------------------------------------
    sync() {
      const t = this.audio.currentTime;
      // The last sentence that has started: during a pause between sentences the one just
      // heard stays lit, which reads better than a flicker to nothing.
      let lo = 0;
      let hi = this.sentences.length - 1;
      let found = -1;
      while (lo <= hi) {
        const mid = (lo + hi) >> 1;
        if (this.sentences[mid].start <= t + 0.01) {
          found = mid;
          lo = mid + 1;
        } else hi = mid - 1;
      }
      if (found !== this.current) {
        const old = this.sentences[this.current];
        if (old) old.el.removeAttribute("aria-current");
        this.current = found;
        const now = this.sentences[found];
        if (now) {
          now.el.setAttribute("aria-current", "true");
          if (!this.transcriptBody.contains(document.activeElement)) this.rove(found);
          this.follow(now.el);
        }
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
      const panel = this.transcriptBody;
      if (this.transcriptPanel.hidden || Date.now() - this.userScrolledAt < FOLLOW_PAUSE_MS) return;
      const box = panel.getBoundingClientRect();
      const line = el.getBoundingClientRect();
      if (!box.height || (line.top >= box.top + 8 && line.bottom <= box.bottom - 8)) return;
      const reduce =
        window.matchMedia && window.matchMedia("(prefers-reduced-motion: reduce)").matches;
      this.autoScrollUntil = Date.now() + (reduce ? 100 : 1200);
      panel.scrollTo({
        top: panel.scrollTop + (line.top - box.top) - panel.clientHeight / 3,
        behavior: reduce ? "auto" : "smooth",
      });
    }

    updateTime(force) {
      const t = this.audio.currentTime || 0;
      const whole = Math.floor(t);
      const end = this.duration || this.audio.duration || 0;
      if (!force && whole === this.shownSecond) return;
      this.shownSecond = whole;
      this.clock.textContent = `${clock(t)} / ${clock(end)}`;
      // A focused slider whose value moves every second makes some screen readers read it
      // every second; while a keyboard user is on it, its value waits for their keys.
      const resting = document.activeElement === this.slider && !this.pointerOnSlider && !force;
      if (resting && !this.audio.paused) return;
      this.slider.value = String(Math.min(whole, Number(this.slider.max)));
      this.slider.setAttribute(
        "aria-valuetext",
        fill(this.t.of, { pos: spokenTime(t, this.lang), total: spokenTime(end, this.lang) }),
      );
    }

    // -- Events ------------------------------------------------------------------------------
    listen() {
      const audio = this.audio;
      audio.addEventListener("play", () => {
        this.showPlaying(true);
        this.say(this.playMessage || this.t.playing);
        this.playMessage = null;
        this.mediaSession();
        this.tick();
      });
      audio.addEventListener("pause", () => {
        this.showPlaying(false);
        this.savePosition();
        // At the end the browser pauses first, and after an error it pauses last: "Finished"
        // and the error are the news, not "Paused".
        if (!audio.ended && !audio.error && Date.now() > this.quietUntil) this.say(this.t.paused);
      });
      audio.addEventListener("ended", () => {
        if (this.entry) storage.set("listen:done:" + (this.entry.url || this.entry.audio), true);
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
      audio.addEventListener("loadedmetadata", () => {
        if (!this.duration && Number.isFinite(audio.duration)) {
          this.duration = audio.duration;
          this.slider.max = Math.ceil(audio.duration);
        }
        this.updateTime(true);
      });
      audio.addEventListener("error", () => {
        if (!audio.getAttribute("src")) return;
        this.showPlaying(false);
        this.say(this.t.audioError, { error: true });
      });
      window.addEventListener("pagehide", () => this.savePosition());

      this.root.addEventListener("click", (event) => {
        const target = event.target.closest(
          "[data-action], .listen-chapter, .listen-queue-item, .listen-s",
        );
        if (!target || !this.root.contains(target)) return;
        if (target.classList.contains("listen-s")) {
          // Selecting text to copy it is not a request to play.
          const selection = window.getSelection && window.getSelection();
          if (
            selection &&
            !selection.isCollapsed &&
            this.transcriptBody.contains(selection.anchorNode)
          )
            return;
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
        } else {
          const action = target.dataset.action;
          if (action === "play") this.toggle(event);
          else if (action === "back") this.skip(-SKIP_S);
          else if (action === "forward") this.skip(SKIP_S);
          else if (action === "next") this.next(event);
          else if (action === "toggle") this.toggleTranscript();
        }
      });

      this.speed.addEventListener("change", () => this.setRate(Number(this.speed.value)));

      const slider = this.slider;
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
        else if (event.key === "End") this.seek(this.duration || this.audio.duration || t);
        else return;
        event.preventDefault();
      });

      // The transcript: arrows move between sentences, Enter or Space plays from one.
      this.transcriptBody.addEventListener("keydown", (event) => {
        const span = event.target.closest && event.target.closest(".listen-s");
        if (!span || event.altKey || event.ctrlKey || event.metaKey) return;
        const i = Number(span.dataset.index);
        const moves = { ArrowDown: i + 1, ArrowUp: i - 1, Home: 0, End: this.sentences.length - 1 };
        if (event.key in moves) {
          this.userScrolledAt = Date.now();
          this.rove(Math.min(Math.max(moves[event.key], 0), this.sentences.length - 1), {
            focus: true,
          });
        } else if (event.key === "Enter" || event.key === " ") {
          this.playFrom(i, event);
        } else return;
        event.preventDefault();
        event.stopPropagation(); // handled: not a player shortcut
      });
      const body = this.transcriptBody;
      body.addEventListener("scroll", () => {
        if (Date.now() > this.autoScrollUntil) this.userScrolledAt = Date.now();
      });
      for (const type of ["wheel", "touchstart"]) {
        body.addEventListener(type, () => (this.userScrolledAt = Date.now()), { passive: true });
      }

      // Shortcuts, only while focus is inside this player and never inside a form field.
      this.root.addEventListener("keydown", (event) => {
        if (event.defaultPrevented || event.altKey || event.ctrlKey || event.metaKey) return;
        const target = event.target;
        if (FORM_FIELDS.has(target.tagName) || target.isContentEditable) return;
        // Letters by position too, so the keys work on an Arabic or Spanish keyboard layout.
        const key =
          event.key.length === 1 && /[a-z<>]/i.test(event.key)
            ? event.key.toLowerCase()
            : { KeyK: "k", KeyJ: "j", KeyL: "l", KeyN: "n" }[event.code];
        if (key === "k") this.toggle(event);
        else if (key === "j") this.skip(-SKIP_S);
        else if (key === "l") this.skip(SKIP_S);
        else if (key === "n") this.next(event);
        else if (key === "<") this.stepRate(-1);
        else if (key === ">") this.stepRate(1);
        else return;
        event.preventDefault();
      });
    }

    playFrom(index, event) {
      const sentence = this.sentences[index];
      if (!sentence) return;
      this.rove(index);
      this.seek(sentence.start);
      this.play(event);
    }

    toggleTranscript() {
      const open = this.transcriptToggle.getAttribute("aria-expanded") !== "true";
      this.transcriptToggle.setAttribute("aria-expanded", String(open));
      this.transcriptPanel.hidden = !open;
      if (open && this.sentences[this.current]) this.follow(this.sentences[this.current].el);
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

    // Headphone and keyboard media keys; registered once someone has started playback here.
    mediaSession() {
      if (!("mediaSession" in navigator) || !this.entry) return;
      try {
        navigator.mediaSession.metadata = new window.MediaMetadata({
          title: this.entry.title,
          artist: this.t.listen,
        });
        navigator.mediaSession.setActionHandler("play", () => this.play(MEDIA_KEY));
        navigator.mediaSession.setActionHandler("pause", () => this.audio.pause());
        navigator.mediaSession.setActionHandler("seekbackward", () => this.skip(-SKIP_S));
        navigator.mediaSession.setActionHandler("seekforward", () => this.skip(SKIP_S));
        navigator.mediaSession.setActionHandler(
          "nexttrack",
          this.index + 1 < this.entries.length ? () => this.next(MEDIA_KEY) : null,
        );
      } catch (_) {
        /* an action this browser does not know */
      }
    }
  }

  // -- Mounting ---------------------------------------------------------------------------------
  function addStylesheet() {
    if (!SCRIPT_URL || document.querySelector("link[data-listen-css]")) return;
    const href = new URL("player.css", SCRIPT_URL).href;
    for (const link of document.querySelectorAll('link[rel="stylesheet"]'))
      if (link.href === href) return;
    document.head.append(h("link", { rel: "stylesheet", href, "data-listen-css": "" }));
  }

  const mounted = new WeakSet();

  function mount(root) {
    const hosts = root.matches && root.matches(SELECTOR) ? [root] : [];
    hosts.push(...(root.querySelectorAll ? root.querySelectorAll(SELECTOR) : []));
    for (const host of hosts) {
      if (mounted.has(host)) continue;
      mounted.add(host);
      new Player(host).start();
    }
  }

  function init() {
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
})();
