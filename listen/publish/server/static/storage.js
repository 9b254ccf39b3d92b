// What the player remembers per listener: positions, finished articles, speed and volume.
// localStorage may be missing or full (private windows, sandboxed frames): then nothing is
// remembered and everything else still works.

function read(key) {
  try {
    return JSON.parse(window.localStorage.getItem(key));
  } catch (_) {
    return null;
  }
}

function write(key, value) {
  try {
    if (value === null) window.localStorage.removeItem(key);
    else window.localStorage.setItem(key, JSON.stringify(value));
  } catch (_) {
    /* a convenience, never a failure */
  }
}

const keyOf = (entry) => entry.url || entry.audio;

export const memory = {
  position(entry) {
    const saved = read("listen:position:" + keyOf(entry));
    return saved && typeof saved.t === "number" ? saved.t : null;
  },
  savePosition(entry, seconds) {
    const value = seconds === null ? null : { t: Math.round(seconds * 10) / 10, at: Date.now() };
    write("listen:position:" + keyOf(entry), value);
  },
  isDone(entry) {
    return Boolean(read("listen:done:" + keyOf(entry)));
  },
  markDone(entry) {
    write("listen:done:" + keyOf(entry), true);
  },
  rate() {
    return Number(read("listen:rate")) || null;
  },
  saveRate(rate) {
    write("listen:rate", rate);
  },
  volume() {
    const saved = read("listen:volume");
    return saved && typeof saved.level === "number" ? saved : null;
  },
  saveVolume(level, muted) {
    write("listen:volume", { level, muted });
  },
};
