// The player and the page around it: its colour scheme, the mini-bar when the article scrolls
// past the player, and the operating system's media controls (Media Session).

// "dark" or "light": the host page's declared color-scheme, else the colour behind the player.
export function pageScheme(host) {
  const declared = (getComputedStyle(host).colorScheme || "normal").split(/\s+/);
  const dark = declared.includes("dark");
  const light = declared.includes("light");
  if (dark && !light) return "dark";
  if (light && !dark) return "light";
  if (dark && light) return window.matchMedia("(prefers-color-scheme: dark)").matches ? "dark" : "light";
  // Nothing declared: a page that paints itself dark is dark, whatever the OS says.
  for (let el = host.parentElement; el; el = el.parentElement) {
    const rgba = (getComputedStyle(el).backgroundColor.match(/[\d.]+/g) || []).map(Number);
    if (rgba.length >= 3 && (rgba.length < 4 || rgba[3] > 0.5)) {
      const [r, g, b] = rgba.map((c) => c / 255);
      return 0.2126 * r + 0.7152 * g + 0.0722 * b < 0.35 ? "dark" : "light";
    }
  }
  return "light";
}

// Call `changed` when the page may have switched theme: the OS, or a class/attribute on <html>
// or <body> (how sites switch themes).
export function watchScheme(changed) {
  const media = window.matchMedia("(prefers-color-scheme: dark)");
  if (media.addEventListener) media.addEventListener("change", changed);
  const observer = new MutationObserver(changed);
  const watched = { attributes: true, attributeFilter: ["class", "style", "data-theme", "data-color-scheme"] };
  observer.observe(document.documentElement, watched);
  if (document.body) observer.observe(document.body, watched);
}

// The mini-bar: once listening has started, the row docks at the bottom of the window while the
// player itself is scrolled off the top; it goes back when the player is seen again.
export function watchScroll(player) {
  let above = false;
  const update = () => player.setMini(above && player.sessionStarted && !player.miniDismissed);
  player.updateMini = update;
  if (!("IntersectionObserver" in window)) return;
  new IntersectionObserver((entries) => {
    const entry = entries[entries.length - 1];
    above = !entry.isIntersecting && entry.boundingClientRect.bottom <= 0;
    if (entry.isIntersecting) player.miniDismissed = false;
    update();
  }).observe(player.root);
  player.audio.addEventListener("play", update);
}

function siteName(entry) {
  const meta = document.querySelector('meta[property="og:site_name"], meta[name="application-name"]');
  return (entry && entry.site) || (meta && meta.content) || window.location.hostname;
}

function artwork(host) {
  const found = [];
  const add = (src, sizes, type) => {
    if (src && src !== "data:," && !found.some((a) => a.src === src))
      found.push({ src: new URL(src, document.baseURI).href, ...(sizes ? { sizes } : {}), ...(type ? { type } : {}) });
  };
  add(host.dataset.listenArtwork);
  const og = document.querySelector('meta[property="og:image"]');
  if (og) add(og.content, null, og.content.startsWith("data:image/svg") ? "image/svg+xml" : null);
  for (const link of document.querySelectorAll('link[rel~="apple-touch-icon"], link[rel~="icon"]'))
    add(link.getAttribute("href"), link.sizes && link.sizes.value, link.type);
  return found;
}

// Headphone, keyboard and lock-screen controls; claimed by the player that starts playing.
export const mediaSession = {
  claim(player) {
    if (!("mediaSession" in navigator) || !player.entry) return;
    const session = navigator.mediaSession;
    const init = {
      title: player.entry.title,
      artist: siteName(player.entry),
      album: player.t.listen,
      artwork: artwork(player.host),
    };
    if (player.chapterList.length > 1) {
      // Chromium shows chapters in its media UI where it supports ChapterInformation.
      init.chapterInfo = player.chapterList.map((c) => ({ title: c.title, startTime: c.start, artwork: [] }));
    }
    try {
      session.metadata = new window.MediaMetadata(init);
    } catch (_) {
      delete init.chapterInfo;
      session.metadata = new window.MediaMetadata(init);
    }
    const chapterAt = (t) => player.chapterList.reduce((found, c, i) => (c.start <= t + 0.5 ? i : found), -1);
    const handlers = {
      play: () => player.play(player.constructor.MEDIA_KEY),
      pause: () => player.audio.pause(),
      seekbackward: (d) => player.skip(-((d && d.seekOffset) || 15)),
      seekforward: (d) => player.skip((d && d.seekOffset) || 15),
      seekto: (d) => {
        if (d.fastSeek && "fastSeek" in player.audio) player.audio.fastSeek(d.seekTime);
        else player.seek(d.seekTime);
      },
      // Chapters are the skip targets: previous goes to the start of this chapter first.
      previoustrack: player.chapterList.length > 1
        ? () => {
            const t = player.audio.currentTime;
            const i = chapterAt(t);
            const here = player.chapterList[i];
            player.seek(here && t - here.start > 3 ? here.start : (player.chapterList[Math.max(0, i - 1)] || {}).start || 0);
          }
        : null,
      nexttrack:
        player.chapterList.length > 1 || player.index + 1 < player.entries.length
          ? () => {
              const next = player.chapterList[chapterAt(player.audio.currentTime) + 1];
              if (next) player.seek(next.start);
              else player.next(player.constructor.MEDIA_KEY);
            }
          : null,
    };
    for (const [action, handler] of Object.entries(handlers)) {
      try {
        session.setActionHandler(action, handler);
      } catch (_) {
        /* an action this browser does not know */
      }
    }
    player.sessionHandlers = handlers; // what the tests (and a curious reader) can inspect
  },

  position(player) {
    if (!("mediaSession" in navigator) || !navigator.mediaSession.setPositionState) return;
    const end = player.end;
    if (!end || !Number.isFinite(end) || !player.sessionStarted) return;
    try {
      navigator.mediaSession.setPositionState({
        duration: end,
        playbackRate: player.audio.playbackRate || 1,
        position: Math.min(end, Math.max(0, player.audio.currentTime)),
      });
    } catch (_) {
      /* a position past a duration the browser knows better */
    }
  },
};
