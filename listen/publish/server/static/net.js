// Talking to the Listen service and to static files: JSON, links, polling a render.

export class HttpError extends Error {
  constructor(message, { network = false, failed = false } = {}) {
    super(message);
    this.network = network; // no answer at all: worth a "Try again"
    this.failed = failed; // the service answered that the render failed
  }
}

export async function getJSON(url) {
  let response;
  try {
    response = await fetch(url, { headers: { Accept: "application/json" } });
  } catch (_) {
    throw new HttpError("network", { network: true });
  }
  let body = null;
  try {
    body = await response.json();
  } catch (_) {
    /* an HTML error page or an empty body: the status says enough */
  }
  if (!response.ok) throw new HttpError((body && body.error) || `HTTP ${response.status}`);
  return { status: response.status, body: body || {}, retryAfter: response.headers.get("Retry-After") };
}

const isAbsolute = (url) => /^[a-z][a-z0-9+.-]*:|^\/\//i.test(url);

// Service links are relative to the service base, which may have a path ("/listen/").
export function serviceUrl(base, link) {
  if (isAbsolute(link)) return link;
  return base.replace(/\/+$/, "") + "/" + String(link).replace(/^\/+/, "");
}

export const resolve = (url, against) => (url ? new URL(url, against).href : null);

// media/X.mp3 -> media/X.timings.json, keeping any query string.
export function sidecar(audioUrl, suffix) {
  const url = new URL(audioUrl);
  url.pathname = url.pathname.replace(/\.[^./]+$/, "") + suffix;
  return url.href;
}

// A queue entry, a service answer and a bare data-listen-src all become this one shape.
export function makeEntry(raw, against) {
  const audio = resolve(raw.audio, against);
  return {
    id: raw.id != null ? String(raw.id) : audio,
    title: raw.title || "",
    language: raw.language || "",
    site: raw.site || "",
    durationS: (Number(raw.duration_ms) || 0) / 1000,
    url: raw.url || null,
    audio,
    opus: resolve(raw.opus, against), // the Ogg Opus copy, offered before the MP3 when there
    timings: resolve(raw.timings, against),
    chapters: resolve(raw.chapters, against),
    transcript: resolve(raw.transcript, against),
    sync: resolve(raw.sync, against),
    feed: resolve(raw.feed, against),
    download: raw.download !== false,
    positionS: Number(raw.position_s) || 0,
    done: Boolean(raw.done),
  };
}

const sleep = (seconds) => new Promise((done) => window.setTimeout(done, seconds * 1000));

// GET /v1/listen, then poll while the service renders. `events` hears about the article as it
// is learned (language, title, "preparing"); the answer is an entry, or an HttpError is thrown.
export async function askService(base, articleUrl, events) {
  let url = serviceUrl(base, "/v1/listen?url=" + encodeURIComponent(articleUrl));
  let announced = false;
  let failures = 0;
  while (events.alive()) {
    let answer;
    try {
      answer = await getJSON(url);
      failures = 0;
    } catch (err) {
      // One dropped poll is not worth alarming anyone; three in a row are.
      if (err.network && ++failures < 3) {
        await sleep(2);
        continue;
      }
      throw err;
    }
    const body = answer.body;
    events.learned(body);
    if (body.state === "ready" && body.links && body.links.audio) {
      const links = body.links;
      const link = (name) => links[name] && serviceUrl(base, links[name]);
      if (announced) events.ready();
      return makeEntry(
        {
          id: body.id,
          title: body.title,
          language: body.language,
          site: body.site,
          duration_ms: body.duration_ms,
          url: body.url || articleUrl,
          audio: link("audio"),
          opus: link("opus"),
          timings: link("timings"),
          chapters: link("chapters"),
          transcript: link("transcript"),
          sync: link("sync"),
          feed: link("feed"),
          download: body.download,
        },
        base,
      );
    }
    if (body.state === "failed") throw new HttpError(body.reason || body.error || "", { failed: true });
    if (!announced) {
      events.preparing();
      announced = true;
    }
    if (body.poll) url = serviceUrl(base, body.poll);
    const wait = Number(body.retry_after || answer.retryAfter) || 2;
    await sleep(Math.min(Math.max(wait, 1), 30));
  }
  return null;
}
